//! The wire format, pinned: a scripted conversation with the real server
//! (a phone and an office, every endpoint a client uses, the usual
//! refusals) on SQLite and PostgreSQL, each answer compared with
//! `tests/integration/fixtures/wire.json`. Volatile values are normalised first: UUID
//! v7 ids (made at run time) become `<v7>`, moments `<time>`, tokens
//! `<token>`; everything else — field names, nesting, types, codes,
//! statuses, the demo's stable v5 ids — must match. The conversation is
//! written with raw JSON only, so that it does not move when the server's
//! or the domain's types do.
//!
//! `UPDATE_GOLDEN=1 cargo test --test integration wire_golden` writes the fixture anew
//! (SQLite); review its diff: a changed line is a changed wire.

use crate::support::{TestApp, TestDb};
use serde_json::{Map, Value, json};

const PASSWORD: &str = tiaojie_server::demo::DEMO_PASSWORD;

/// One exchange: its status and normalised body.
struct Recorder {
    app: TestApp,
    answers: Map<String, Value>,
}

impl Recorder {
    async fn call(
        &mut self,
        name: &str,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let mut req = self.app.client.request(method, self.app.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let body: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {text}"))
        };
        assert!(!self.answers.contains_key(name), "{name} recorded twice");
        self.answers.insert(
            name.to_owned(),
            json!({"status": status, "body": normalise(&body)}),
        );
        body
    }

    async fn get(&mut self, name: &str, path: &str, token: &str) -> Value {
        self.call(name, reqwest::Method::GET, path, Some(token), None)
            .await
    }
}

fn is_uuid_v7(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.get_version_num() == 7) && s.len() == 36
}

fn is_moment(s: &str) -> bool {
    s.len() >= 20 && s.as_bytes().get(10) == Some(&b'T') && s.parse::<jiff::Timestamp>().is_ok()
}

fn normalise(v: &Value) -> Value {
    match v {
        Value::String(s) if is_uuid_v7(s) => json!("<v7>"),
        Value::String(s) if is_moment(s) => json!("<time>"),
        Value::String(s) if s.starts_with("tj1_") => json!("<token>"),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = if is_uuid_v7(k) {
                        "<v7>".to_owned()
                    } else {
                        k.clone()
                    };
                    let value = match k.as_str() {
                        // made at a server's first start, and which database
                        "public_key" => json!("<key>"),
                        "database" => json!("<backend>"),
                        _ => normalise(v),
                    };
                    (key, value)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A dispute of the village mediator's committee, still being mediated:
/// the same on every run (a sample case with fixed ids).
fn open_case(unit_id: &str, person_id: &str) -> Value {
    let unit = domain::UnitId::parse(unit_id).unwrap();
    let owner = domain::PersonId::parse(person_id).unwrap();
    let d = |s: &str| domain::dates::parse_iso(s).unwrap();
    let case = domain::sample::cases(60, 7, unit, owner, d("2026-11-01"), d("2026-11-20"))
        .into_iter()
        .find(|c| c.status != domain::case::CaseStatus::Closed)
        .expect("the sample has an open case");
    serde_json::to_value(case).unwrap()
}

fn mutation(seq: u64, case: &Value, base_version: u64) -> Value {
    json!({
        "seq": seq,
        "mutation_id": uuid::Uuid::now_v7(),
        "entity": "case",
        "entity_id": case["id"],
        "op": "upsert",
        "base_version": base_version,
        "payload": case,
    })
}

async fn conversation(db: &TestDb) -> Map<String, Value> {
    tiaojie_server::demo::load(&db.db).await.unwrap();
    let app = TestApp::spawn(db).await;
    let mut r = Recorder {
        app,
        answers: Map::new(),
    };
    use reqwest::Method as M;

    // log-in, and who am I
    let device = uuid::Uuid::now_v7();
    let login = json!({"phone": "13800000001", "password": PASSWORD, "device_id": device, "device_name": "golden phone"});
    let me = r
        .call("login", M::POST, "/api/v1/auth/login", None, Some(login))
        .await;
    let token = me["token"].as_str().unwrap().to_owned();
    let unit_id = me["scopes"][0]["unit_id"].as_str().unwrap().to_owned();
    let person_id = me["person_id"].as_str().unwrap().to_owned();
    r.call(
        "login_bad_password",
        M::POST,
        "/api/v1/auth/login",
        None,
        Some(
            json!({"phone": "13800000001", "password": "wrong", "device_id": uuid::Uuid::now_v7()}),
        ),
    )
    .await;
    r.call(
        "login_bad_phone",
        M::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"phone": "123", "password": "x", "device_id": uuid::Uuid::now_v7()})),
    )
    .await;
    r.get("me", "/api/v1/auth/me", &token).await;
    r.call("me_no_token", M::GET, "/api/v1/auth/me", None, None)
        .await;

    // a push: applied, replayed, then a refused payload and a malformed body
    let case = open_case(&unit_id, &person_id);
    let id = case["id"].as_str().unwrap().to_owned();
    let first = json!({"client_id": device, "mutations": [mutation(1, &case, 0)]});
    r.call(
        "push_new",
        M::POST,
        "/api/v1/sync/push",
        Some(&token),
        Some(first.clone()),
    )
    .await;
    r.call(
        "push_replayed",
        M::POST,
        "/api/v1/sync/push",
        Some(&token),
        Some(first),
    )
    .await;
    let mut edited = case.clone();
    edited["summary"] = json!("双方同意再调一次");
    let mut empty = case.clone();
    empty["summary"] = json!("");
    r.call(
        "push_edit_and_refusal",
        M::POST,
        "/api/v1/sync/push",
        Some(&token),
        Some(json!({"client_id": device, "mutations": [mutation(2, &edited, 1), mutation(3, &empty, 2)]})),
    )
    .await;
    r.call(
        "push_malformed",
        M::POST,
        "/api/v1/sync/push",
        Some(&token),
        Some(json!({"client_id": device, "mutations": [], "extra": 1})),
    )
    .await;
    r.call(
        "push_seq_order",
        M::POST,
        "/api/v1/sync/push",
        Some(&token),
        Some(json!({"client_id": device, "mutations": [mutation(9, &edited, 2), mutation(8, &edited, 2)]})),
    )
    .await;
    r.get("pull", "/api/v1/sync/pull?cursor=0", &token).await;
    r.get(
        "pull_bad_limit",
        "/api/v1/sync/pull?cursor=0&limit=0",
        &token,
    )
    .await;
    r.get(
        "reference",
        "/api/v1/sync/reference?cursor=0&limit=3",
        &token,
    )
    .await;

    // an office: the case as the server holds it, a lock, the devices
    let office_login = json!({"phone": "13900000002", "password": PASSWORD, "device_id": uuid::Uuid::now_v7(), "device_name": "golden desk"});
    let office = r
        .call(
            "login_office",
            M::POST,
            "/api/v1/auth/login",
            None,
            Some(office_login),
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    r.get("case", &format!("/api/v1/cases/{id}"), &office).await;
    r.get("case_bad_id", "/api/v1/cases/not-a-case", &office)
        .await;
    r.get(
        "case_unknown",
        "/api/v1/cases/00000000-0000-7000-8000-000000000000",
        &office,
    )
    .await;
    r.call(
        "lock_no_reason",
        M::PUT,
        &format!("/api/v1/cases/{id}/lock"),
        Some(&office),
        Some(json!({"reason": " "})),
    )
    .await;
    r.call(
        "lock_by_mediator",
        M::PUT,
        &format!("/api/v1/cases/{id}/lock"),
        Some(&token),
        Some(json!({"reason": "季度审核中"})),
    )
    .await;
    r.call(
        "lock",
        M::PUT,
        &format!("/api/v1/cases/{id}/lock"),
        Some(&office),
        Some(json!({"reason": "季度审核中"})),
    )
    .await;
    let mut again = edited.clone();
    again["place"] = json!("村委会");
    r.call(
        "push_locked",
        M::POST,
        "/api/v1/sync/push",
        Some(&token),
        Some(json!({"client_id": device, "mutations": [mutation(4, &again, 2)]})),
    )
    .await;
    r.call(
        "unlock",
        M::DELETE,
        &format!("/api/v1/cases/{id}/lock"),
        Some(&office),
        None,
    )
    .await;
    r.get("devices", "/api/v1/devices", &office).await;
    r.get("devices_as_mediator", "/api/v1/devices", &token)
        .await;

    // the risk assessment and the referral
    r.get("risk", &format!("/api/v1/cases/{id}/risk"), &office)
        .await;
    r.call(
        "risk_agree",
        M::PUT,
        &format!("/api/v1/cases/{id}/risk"),
        Some(&token),
        Some(json!({"action": "agree"})),
    )
    .await;
    r.call(
        "risk_confirm_without_level",
        M::PUT,
        &format!("/api/v1/cases/{id}/risk"),
        Some(&office),
        Some(json!({"action": "downgrade"})),
    )
    .await;
    let referral = r
        .get("referral", &format!("/api/v1/cases/{id}/referral"), &token)
        .await;
    let township = referral["targets"][0]["unit_id"].clone();
    r.call(
        "refer",
        M::POST,
        &format!("/api/v1/cases/{id}/referral"),
        Some(&token),
        Some(json!({"action": "refer", "to_unit": township, "note": "需要司法所协调"})),
    )
    .await;
    r.call(
        "refer_bad_action",
        M::POST,
        &format!("/api/v1/cases/{id}/referral"),
        Some(&token),
        Some(json!({"action": "steal"})),
    )
    .await;
    let accepted = r
        .call(
            "accept",
            M::POST,
            &format!("/api/v1/cases/{id}/referral"),
            Some(&office),
            Some(json!({"action": "accept"})),
        )
        .await;
    r.get("inbox_mediator", "/api/v1/inbox", &token).await;
    r.get("compliance", "/api/v1/compliance?on=2026-11-23", &office)
        .await;
    r.get(
        "compliance_bad_day",
        "/api/v1/compliance?on=2026-02-30",
        &office,
    )
    .await;

    // a photo: where its upload stands, one piece, the content
    let bytes = b"golden photo bytes".to_vec();
    let sha = tiaojie_server::service::auth::sha256_hex(&bytes);
    let mut with_photo = again.clone();
    with_photo["attachments"] = json!([{
        "id": "0192f0c1-0000-4000-8000-00000000a001", "form": "agreement",
        "taken_at": "2026-11-20T10:00:00+08:00", "position": {"lat_e6": 25040000, "lon_e6": 101540000, "accuracy_m": 12},
        "bytes": bytes.len(), "content_type": "image/jpeg", "sha256": sha,
    }]);
    // the office accepted the case: its owner is the office's person now
    // (the phone's copy of version 6 says so: the owner is the server's),
    // and the phone still edits it (the committee registered it)
    with_photo["owner_id"] = accepted["owner_id"].clone();
    r.call(
        "push_photo_ref",
        M::POST,
        "/api/v1/sync/push",
        Some(&token),
        Some(json!({"client_id": device, "mutations": [mutation(5, &with_photo, 6)]})),
    )
    .await;
    r.get(
        "upload_status",
        &format!("/api/v1/attachments/{sha}/upload"),
        &token,
    )
    .await;
    let res = r
        .app
        .client
        .put(r.app.url(&format!("/api/v1/attachments/{sha}")))
        .bearer_auth(&token)
        .header("Upload-Offset", "0")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    r.answers.insert(
        "upload_piece".into(),
        json!({"status": status, "body": normalise(&body)}),
    );
    r.get("push_key", "/api/v1/push/key", &token).await;
    r.get("health", "/healthz", &token).await;
    r.call("logout", M::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    r.get("after_logout", "/api/v1/sync/pull?cursor=0", &token)
        .await;
    r.answers
}

fn fixture_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/fixtures/wire.json")
}

fn check(answers: Map<String, Value>) {
    let got = Value::Object(answers);
    let path = fixture_path();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
        return;
    }
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .expect("tests/integration/fixtures/wire.json (UPDATE_GOLDEN=1 writes it)"),
    )
    .unwrap();
    let changed: Vec<String> = want
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, answer)| got.get(name.as_str()) != Some(answer))
        .map(|(name, _)| {
            format!(
                "{name}: {}",
                serde_json::to_string_pretty(&got.get(name)).unwrap()
            )
        })
        .collect();
    assert!(
        changed.is_empty(),
        "answers changed:\n{}",
        changed.join("\n")
    );
    assert_eq!(
        want.as_object().unwrap().len(),
        got.as_object().unwrap().len(),
        "the conversation has other exchanges than the fixture"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wire_format_matches_the_fixture_on_sqlite() {
    let db = TestDb::migrated(crate::support::Kind::Sqlite).await;
    check(conversation(&db).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wire_format_matches_the_fixture_on_postgres() {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        return;
    }
    let db = TestDb::migrated(crate::support::Kind::Postgres).await;
    check(conversation(&db).await);
    db.cleanup().await;
}
