//! What the server sends and takes matches the OpenAPI document it
//! publishes: a phone's day and an office's (log-in, push, a conflict, a
//! renumbered case, a forged field, pulls of cases, screenings and the
//! reference data, the case, its history, lock, referral, risk, devices,
//! inbox, compliance, attachments, errors) is played against the real
//! server, and every request body and every answer is validated against
//! the schema the document gives for that path, method and status.
//!
//! The schemas are read closed (`additionalProperties: false` wherever the
//! document lists properties), so a field the server sends but the
//! document does not name fails here; every documented operation must be
//! exercised, so a new endpoint without a sample fails too. On SQLite and
//! PostgreSQL.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use reqwest::Method;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::BTreeSet;

/// A request's body: none, one the document allows, or one it refuses.
enum Sent {
    Nothing,
    Json(Value),
    Malformed(Value),
}

impl From<Option<Value>> for Sent {
    fn from(body: Option<Value>) -> Sent {
        body.map_or(Sent::Nothing, Sent::Json)
    }
}

/// The document, read closed, and which operations were exercised.
struct Published {
    doc: Value,
    components: Value,
    seen: RefCell<BTreeSet<(String, String)>>,
}

/// Every object schema that lists properties takes no others. A
/// composition (`allOf`, from `#[serde(flatten)]`) is closed as a whole
/// (`unevaluatedProperties`) with its parts left open, the referenced
/// parts copied in, since each part alone holds only some of the fields.
fn closed(schema: &mut Value, raw: &Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(parts)) = map.get_mut("allOf") {
                for part in parts.iter_mut() {
                    if let Some(name) = part["$ref"]
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    {
                        *part = raw["schemas"][name].clone();
                    }
                    if let Value::Object(inner) = part {
                        inner.values_mut().for_each(|v| closed(v, raw));
                    }
                }
                map.insert("unevaluatedProperties".into(), Value::Bool(false));
                return;
            }
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(|v| closed(v, raw));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| closed(v, raw)),
        _ => {}
    }
}

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r);
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

impl Published {
    async fn fetch(app: &TestApp) -> Published {
        let doc: Value = app
            .client
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut components = doc["components"].clone();
        closed(&mut components, &doc["components"]);
        Published {
            doc,
            components,
            seen: RefCell::default(),
        }
    }

    fn validator(&self, schema: &Value) -> jsonschema::Validator {
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.components,
            "allOf": [schema],
        });
        jsonschema::draft202012::new(&root).expect("the schema compiles")
    }

    fn valid(&self, schema: &Value, instance: &Value) -> bool {
        self.validator(schema).is_valid(instance)
    }

    /// Validates `instance` against `schema` (a part of the document).
    fn validate(&self, schema: &Value, instance: &Value, what: &str) {
        let validator = self.validator(schema);
        let mut errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        // a record's payload is of the type its entity names: said so by
        // name, not only as "none of the oneOf"
        for (i, change) in instance["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = match change["entity"].as_str() {
                Some("case") => "Case",
                Some("screening") => "ScreeningRecord",
                Some("unit") => "UnitRecord",
                Some("schedule") => "Schedule",
                Some("rule_set") => "RuleSet",
                other => panic!("an entity the document names: {other:?}"),
            };
            if change["payload"].is_object() {
                let schema = json!({"$ref": format!("#/components/schemas/{name}")});
                errors.extend(
                    self.validator(&schema)
                        .iter_errors(&change["payload"])
                        .map(|e| {
                            format!("{name} {} at /changes/{i}/payload{}", e, e.instance_path())
                        }),
                );
            }
        }
        assert!(
            errors.is_empty(),
            "{what} does not match the published schema:\n{}\n{}",
            errors.join("\n"),
            serde_json::to_string_pretty(instance).unwrap()
        );
    }

    fn operation(&self, method: &Method, template: &str) -> &Value {
        let op = &self.doc["paths"][template][method.as_str().to_lowercase()];
        assert!(op.is_object(), "{method} {template} is documented");
        op
    }

    /// Sends the request; checks its body and the answer against the
    /// document; returns the status and the answer's JSON (null if none).
    async fn call(
        &self,
        app: &TestApp,
        token: Option<&str>,
        method: Method,
        template: &str,
        path: &str,
        body: impl Into<Sent>,
    ) -> (u16, Value) {
        let op = self.operation(&method, template).clone();
        let what = format!("{method} {template}");
        let mut req = app.client.request(method.clone(), app.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        match body.into() {
            Sent::Nothing => {}
            Sent::Json(body) => {
                assert!(schema.is_object(), "{what} documents its request body");
                self.validate(schema, &body, &format!("the request body of {what}"));
                req = req.json(&body);
            }
            Sent::Malformed(body) => {
                assert!(
                    !self.valid(schema, &body),
                    "the document refuses {body} too"
                );
                req = req.json(&body);
            }
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let documented = &op["responses"][status.to_string()];
        assert!(
            documented.is_object(),
            "{what} answered {status}, which the document does not list"
        );
        let text = res.text().await.unwrap();
        let content = &documented["content"]["application/json"]["schema"];
        let answer = if text.is_empty() {
            assert!(
                content.is_null(),
                "{what} {status} is documented with a body, and sent none"
            );
            Value::Null
        } else {
            let answer: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{what} {status} is JSON: {e}: {text}"));
            assert!(
                content.is_object(),
                "{what} {status} sent a JSON body the document does not describe: {text}"
            );
            self.validate(content, &answer, &format!("the {status} answer of {what}"));
            answer
        };
        if status < 300 {
            self.seen
                .borrow_mut()
                .insert((method.as_str().to_lowercase(), template.to_owned()));
        }
        (status, answer)
    }

    /// Every documented operation whose answers are JSON or empty was
    /// exercised with a success, but for `except`.
    fn assert_all_seen(&self, except: &[(&str, &str)]) {
        let seen = self.seen.borrow();
        let mut missing = Vec::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                let key = (method.clone(), path.clone());
                if !seen.contains(&key) && !except.contains(&(method.as_str(), path.as_str())) {
                    missing.push(format!("{method} {path}"));
                }
            }
        }
        assert!(missing.is_empty(), "not exercised: {missing:?}");
    }
}

on_both_databases! {
    async fn every_body_and_answer_matches_the_published_document(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let api = Published::fetch(&app).await;

        // the document itself: every reference resolves, and no schema is
        // left as "a JSON object" with nothing said of its fields
        let mut all = Vec::new();
        refs(&api.doc, &mut all);
        for r in &all {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r} is local"));
            assert!(api.doc["components"]["schemas"][name].is_object(), "{r} resolves");
        }
        let schemas = api.doc["components"]["schemas"].as_object().unwrap();
        for (name, schema) in schemas {
            let mut open = Vec::new();
            bare_objects(schema, name, &mut open);
            assert!(open.is_empty(), "undescribed objects: {open:?}");
        }
        for name in ["Case", "Party", "AttachmentRef", "Position", "ScreeningRecord", "RuleSet", "Schedule", "UnitRecord", "Performance"] {
            assert!(schemas.contains_key(name), "{name} is published");
        }

        // read closed: a case with a field the document does not name fails
        let case_schema = json!({"$ref": "#/components/schemas/Case"});
        let mut sample = serde_json::to_value(&domain::sample::cases(1, 7, domain::UnitId::stable("u"), domain::PersonId::stable("p"), domain::dates::parse_iso("2024-03-01").unwrap(), domain::dates::parse_iso("2024-03-31").unwrap())[0]).unwrap();
        assert!(api.valid(&case_schema, &sample), "a sample case matches");
        sample["agreed_term"] = json!("多了一个字段");
        assert!(!api.valid(&case_schema, &sample), "an unknown field does not");

        // log-in, wrong and right
        let device_id = uuid::Uuid::now_v7();
        let login_body = |password: &str| json!({"phone": VILLAGE_MEDIATOR, "password": password, "device_id": device_id, "device_name": "Redmi 9A"});
        let (status, _) = api.call(&app, None, Method::POST, "/api/v1/auth/login", "/api/v1/auth/login", Some(login_body("wrong-password"))).await;
        assert_eq!(status, 401);
        let (status, me) = api.call(&app, None, Method::POST, "/api/v1/auth/login", "/api/v1/auth/login", Some(login_body(PASSWORD))).await;
        assert_eq!(status, 200);
        let token = me["token"].as_str().unwrap().to_owned();
        let phone = Device {
            token: token.clone(),
            client_id: device_id,
            person_id: me["person_id"].as_str().unwrap().parse().unwrap(),
            unit_id: me["scopes"][0]["unit_id"].as_str().unwrap().parse().unwrap(),
            seq: std::cell::Cell::new(0),
        };
        let office = login(&app, JUDICIAL_OFFICE).await;
        let sibling = login(&app, VILLAGE_MEDIATOR).await;
        let (status, _) = api.call(&app, Some(&token), Method::GET, "/api/v1/auth/me", "/api/v1/auth/me", None).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, None, Method::GET, "/api/v1/auth/me", "/api/v1/auth/me", None).await;
        assert_eq!(status, 401);

        // push: a new case with a photo, a forged amount, a conflict, a clash of numbers
        let push_path = "/api/v1/sync/push";
        let push_body = |d: &Device, m: Vec<Value>| json!({"client_id": d.client_id, "mutations": m});
        let bytes = b"a photo of the signed agreement".to_vec();
        let sha = tiaojie_server::service::auth::sha256_hex(&bytes);
        let mut case = open_case(&phone, 23, domain::case::RiskLevel::High);
        case["seq"] = json!(1);
        case["attachments"] = json!([{
            "id": uuid::Uuid::now_v7().to_string(), "form": "agreement",
            "taken_at": "2026-11-20T10:00:00+08:00", "position": {"lat_e6": 25_033_000, "lon_e6": 101_546_000, "accuracy_m": 12},
            "bytes": bytes.len(), "content_type": "image/jpeg", "sha256": sha,
        }]);
        let id = case["id"].as_str().unwrap().to_owned();
        let (status, answer) = api.call(&app, Some(&token), Method::POST, push_path, push_path, Some(push_body(&phone, vec![mutation(&phone, "upsert", &case, 0)]))).await;
        assert_eq!((status, answer["results"][0]["status"].as_str()), (200, Some("applied")));
        let mut forged = case.clone();
        forged["special"] = json!(true);
        forged["approved_amount"] = json!("88888.00");
        let (_, answer) = api.call(&app, Some(&token), Method::POST, push_path, push_path, Some(push_body(&phone, vec![mutation(&phone, "upsert", &forged, 1)]))).await;
        assert_eq!(answer["results"][0]["code"], "invalid", "{answer}");
        let mut theirs = case.clone();
        theirs["summary"] = json!("同村调解员补充的案情");
        let (_, answer) = api.call(&app, Some(&sibling.token), Method::POST, push_path, push_path, Some(push_body(&sibling, vec![mutation(&sibling, "upsert", &theirs, 1)]))).await;
        assert_eq!(answer["results"][0]["status"], "applied", "{answer}");
        let mut mine = case.clone();
        mine["summary"] = json!("调解员改写的案情");
        let (_, answer) = api.call(&app, Some(&token), Method::POST, push_path, push_path, Some(push_body(&phone, vec![mutation(&phone, "upsert", &mine, 1)]))).await;
        assert_eq!(answer["results"][0]["status"], "conflict", "{answer}");
        assert!(answer["results"][0]["server"].is_object());
        let mut twin = open_case(&sibling, 29, domain::case::RiskLevel::Low);
        twin["seq"] = json!(1);
        let (_, answer) = api.call(&app, Some(&sibling.token), Method::POST, push_path, push_path, Some(push_body(&sibling, vec![mutation(&sibling, "upsert", &twin, 0)]))).await;
        assert!(answer["results"][0]["renumbered"].is_u64(), "{answer}");
        let (status, _) = api.call(&app, Some(&token), Method::POST, push_path, push_path, Sent::Malformed(json!({"client_id": device_id, "mutations": [{"seq": 1}]}))).await;
        assert_eq!(status, 400);

        // a screening record
        let record = json!({
            "id": uuid::Uuid::now_v7(), "unit_id": phone.unit_id, "duty": "village_monthly_screening",
            "date": domain::dates::format_iso(domain::dates::china_date(jiff::Timestamp::now())),
            "coverage": "第一村民小组 32 户", "households": 32, "outcome": {"kind": "nothing_found"},
            "notes": "", "photo": null, "recorded_by": phone.person_id, "attendees": null,
        });
        phone.seq.set(phone.seq.get() + 1);
        let screening = json!({"seq": phone.seq.get(), "mutation_id": uuid::Uuid::now_v7(), "entity": "screening", "entity_id": record["id"], "op": "upsert", "base_version": 0, "payload": record});
        let (_, answer) = api.call(&app, Some(&token), Method::POST, push_path, push_path, Some(push_body(&phone, vec![screening]))).await;
        assert_eq!(answer["results"][0]["status"], "applied", "{answer}");

        // the photo's bytes
        let (status, _) = api.call(&app, Some(&token), Method::GET, "/api/v1/attachments/{sha256}/upload", &format!("/api/v1/attachments/{sha}/upload"), None).await;
        assert_eq!(status, 200);
        let put = app.client.put(app.url(&format!("/api/v1/attachments/{sha}")))
            .bearer_auth(&token).header("Upload-Offset", "0").body(bytes.clone()).send().await.unwrap();
        assert_eq!(put.status(), 200);
        let put_answer: Value = put.json().await.unwrap();
        api.validate(&api.operation(&Method::PUT, "/api/v1/attachments/{sha256}")["responses"]["200"]["content"]["application/json"]["schema"], &put_answer, "the 200 answer of PUT /api/v1/attachments/{sha256}");
        api.seen.borrow_mut().insert(("put".into(), "/api/v1/attachments/{sha256}".into()));

        // pulls: the whole scope of a committee and of an office, and the reference data
        for device in [&phone, &office] {
            let mut cursor = 0;
            loop {
                let path = format!("/api/v1/sync/pull?cursor={cursor}&limit=1000");
                let (status, page) = api.call(&app, Some(&device.token), Method::GET, "/api/v1/sync/pull", &path, None).await;
                assert_eq!(status, 200);
                cursor = page["cursor"].as_i64().unwrap();
                if !page["has_more"].as_bool().unwrap() {
                    break;
                }
            }
        }
        let (status, page) = api.call(&app, Some(&token), Method::GET, "/api/v1/sync/reference", "/api/v1/sync/reference?cursor=0&limit=1000", None).await;
        assert_eq!(status, 200);
        let entities: BTreeSet<&str> = page["changes"].as_array().unwrap().iter().filter_map(|c| c["entity"].as_str()).collect();
        assert_eq!(entities, BTreeSet::from(["rule_set", "schedule", "unit"]));
        let (status, _) = api.call(&app, Some(&token), Method::GET, "/api/v1/sync/pull", "/api/v1/sync/pull?cursor=-1", None).await;
        assert_eq!(status, 422);
        let (status, _) = api.call(&app, Some(&token), Method::GET, "/api/v1/sync/pull", "/api/v1/sync/pull?cursor=abc", None).await;
        assert_eq!(status, 400);

        // the case online: itself, its history, lock, risk, referral
        let case_path = |tail: &str| format!("/api/v1/cases/{id}{tail}");
        let (status, _) = api.call(&app, Some(&office.token), Method::GET, "/api/v1/cases/{id}", &case_path(""), None).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&office.token), Method::GET, "/api/v1/cases/{id}", &format!("/api/v1/cases/{}", uuid::Uuid::now_v7()), None).await;
        assert_eq!(status, 404);
        let (status, history) = api.call(&app, Some(&token), Method::GET, "/api/v1/cases/{id}/history", &case_path("/history"), None).await;
        assert_eq!(status, 200);
        assert!(history["versions"].as_array().unwrap().iter().any(|v| v["overridden"].is_array()), "{history}");
        let (status, _) = api.call(&app, Some(&office.token), Method::GET, "/api/v1/cases/{id}/duplicates", &case_path("/duplicates"), None).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&token), Method::GET, "/api/v1/cases/{id}/duplicates", &case_path("/duplicates"), None).await;
        assert_eq!(status, 403);
        let (status, _) = api.call(&app, Some(&office.token), Method::PUT, "/api/v1/cases/{id}/lock", &case_path("/lock"), Some(json!({"reason": "季度审核中"}))).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&office.token), Method::DELETE, "/api/v1/cases/{id}/lock", &case_path("/lock"), None).await;
        assert_eq!(status, 200);
        // 重大纠纷核实 of a case recording a death
        let major = major_case(&phone, 1, None, None);
        let major_id = major["id"].as_str().unwrap().to_owned();
        let (status, answer) = api.call(&app, Some(&token), Method::POST, push_path, push_path, Some(push_body(&phone, vec![mutation(&phone, "upsert", &major, 0)]))).await;
        assert_eq!((status, answer["results"][0]["status"].as_str()), (200, Some("applied")), "{answer}");
        let review_path = format!("/api/v1/cases/{major_id}/major-review");
        let (status, _) = api.call(&app, Some(&office.token), Method::PUT, "/api/v1/cases/{id}/major-review", &review_path, Some(json!({"verified": true, "opinion": "已核"}))).await;
        assert_eq!(status, 422, "no evidence photo");
        let (status, answer) = api.call(&app, Some(&office.token), Method::PUT, "/api/v1/cases/{id}/major-review", &review_path, Some(json!({"verified": false, "opinion": "缺少死亡证明"}))).await;
        assert_eq!((status, answer["major_review"]["verified"].as_bool()), (200, Some(false)));
        let (status, _) = api.call(&app, Some(&office.token), Method::GET, "/api/v1/cases/{id}/risk", &case_path("/risk"), None).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&token), Method::PUT, "/api/v1/cases/{id}/risk", &case_path("/risk"), Some(json!({"action": "agree", "level": "high", "note": "村委会议定"}))).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&token), Method::PUT, "/api/v1/cases/{id}/risk", &case_path("/risk"), Some(json!({"action": "agree", "level": "purple"}))).await;
        assert_eq!(status, 422);
        let (status, ownership) = api.call(&app, Some(&token), Method::GET, "/api/v1/cases/{id}/referral", &case_path("/referral"), None).await;
        assert_eq!(status, 200);
        let to_unit = ownership["targets"][0]["unit_id"].clone();
        let (status, ownership) = api.call(&app, Some(&token), Method::POST, "/api/v1/cases/{id}/referral", &case_path("/referral"), Some(json!({"action": "refer", "to_unit": to_unit, "note": "需乡镇调委会调解"}))).await;
        assert_eq!(status, 200);
        assert!(ownership["ownership"]["handovers"].is_array(), "{ownership}");

        // the office's views
        let (status, devices) = api.call(&app, Some(&office.token), Method::GET, "/api/v1/devices", "/api/v1/devices", None).await;
        assert_eq!(status, 200);
        let session = devices.as_array().unwrap().iter().find(|d| d["device_name"] == "test phone" && d["phone"] == VILLAGE_MEDIATOR && d["revoked_at"].is_null()).expect("the second phone is listed");
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/devices/{id}/revoke", &format!("/api/v1/devices/{}/revoke", session["id"].as_str().unwrap()), None).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&office.token), Method::GET, "/api/v1/compliance", "/api/v1/compliance", None).await;
        assert_eq!(status, 200);
        // 账号管理: someone of the township's committees other than the phone's user
        let (status, accounts) = api.call(&app, Some(&office.token), Method::GET, "/api/v1/accounts", "/api/v1/accounts", None).await;
        assert_eq!(status, 200);
        let other = accounts.as_array().unwrap().iter().find(|a| a["phone"] != VILLAGE_MEDIATOR).expect("another account below");
        let account = |tail: &str| format!("/api/v1/accounts/{}/{tail}", other["id"].as_str().unwrap());
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/accounts/{id}/password", &account("password"), Some(json!({"password": "short"}))).await;
        assert_eq!(status, 422);
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/accounts/{id}/password", &account("password"), Some(json!({"password": "another-2026"}))).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/accounts/{id}/disable", &account("disable"), None).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/accounts/{id}/enable", &account("enable"), None).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&token), Method::GET, "/api/v1/accounts", "/api/v1/accounts", None).await;
        assert_eq!(status, 403);
        // 以案定补: the committee head's draft and claim, an office's list and step
        let mut closed = domain::testing::general_case();
        closed.id = domain::CaseId::new_v7();
        closed.seq = None;
        closed.unit_id = phone.unit_id;
        closed.owner_id = phone.person_id;
        // its parties without ID numbers: not the same parties as the major
        // case's (the bulk signature below would leave a duplicate unsigned)
        for p in &mut closed.parties {
            p.resident_id = None;
        }
        let closed = serde_json::to_value(closed).unwrap();
        assert_eq!(push(&app, &phone, vec![mutation(&phone, "upsert", &closed, 0)]).await.results[0].status, domain::sync::Status::Applied);
        let head = login(&app, "13900000001").await;
        let draft = format!("/api/v1/claims/draft?unit_id={}&quarter=2024-Q2", head.unit_id);
        let (status, _) = api.call(&app, Some(&head.token), Method::GET, "/api/v1/claims/draft", &draft, None).await;
        assert_eq!(status, 200);
        let new_claim = |cases: Value| json!({"unit_id": head.unit_id, "quarter": "2024-Q2", "cases": cases});
        let (status, _) = api.call(&app, Some(&head.token), Method::POST, "/api/v1/claims", "/api/v1/claims", Some(new_claim(json!([])))).await;
        assert_eq!(status, 422);
        let mut reported = new_claim(json!([closed["id"]]));
        reported["special"] = json!([{"case_id": closed["id"], "reason": "群体性纠纷，影响特别重大"}]);
        let (status, claim) = api.call(&app, Some(&head.token), Method::POST, "/api/v1/claims", "/api/v1/claims", Some(reported)).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&office.token), Method::GET, "/api/v1/claims", "/api/v1/claims?quarter=2024-Q2", None).await;
        assert_eq!(status, 200);
        let claim_path = format!("/api/v1/claims/{}", claim["claim"]["id"].as_str().unwrap());
        let (status, _) = api.call(&app, Some(&office.token), Method::GET, "/api/v1/claims/{id}", &claim_path, None).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&office.token), Method::GET, "/api/v1/claims/{id}/duplicates", &format!("{claim_path}/duplicates"), None).await;
        assert_eq!(status, 200);
        // 回访抽查: the sample drawn at 初审 and its call
        let draw = format!("{claim_path}/spot-check");
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/claims/{id}/spot-check", &draw, Some(json!({"version": 0}))).await;
        assert_eq!(status, 409);
        let (status, drawn) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/claims/{id}/spot-check", &draw, Some(json!({"version": claim["claim"]["version"]}))).await;
        assert_eq!(status, 200);
        let calls = format!("{claim_path}/spot-check/calls");
        let called = |reached: bool| json!({"version": drawn["claim"]["version"], "case_id": closed["id"], "reached": reached, "confirms": true, "satisfied": true, "notes": "认可调解"});
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/claims/{id}/spot-check/calls", &calls, Some(called(false))).await;
        assert_eq!(status, 422);
        let (status, claim) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/claims/{id}/spot-check/calls", &calls, Some(called(true))).await;
        assert_eq!(status, 200);
        let sign = |opinion: &str| json!({"step": "first_review", "version": claim["claim"]["version"], "decision": "pass", "opinion": opinion, "lines": []});
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/claims/{id}/steps", &format!("{claim_path}/steps"), Some(sign(" "))).await;
        assert_eq!(status, 422);
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/claims/{id}/steps", &format!("{claim_path}/steps"), Some(sign("同意"))).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/claims/{id}/steps", &format!("{claim_path}/steps"), Some(sign("同意"))).await;
        assert_eq!(status, 409);
        // … the rest of the eight steps, the payments and the receipt
        let first = claim["claim"]["version"].as_u64().unwrap() + 1;
        let steps = [("13900000003", "second_review"), ("13900000004", "township_check"), ("13900000006", "city_summary"), ("", "special"), ("13900000007", "approval")];
        for (version, (phone_no, step)) in (first..).zip(steps) {
            if step == "special" {
                // the party group decides the line reported as especially grave
                let group = login(&app, "13900000008").await;
                let decide = format!("{claim_path}/special-decisions");
                let body = json!({"version": version, "case_id": closed["id"], "approved": true, "minutes": "党组会议纪要"});
                let (status, _) = api.call(&app, Some(&group.token), Method::POST, "/api/v1/claims/{id}/special-decisions", &decide, Some(body)).await;
                assert_eq!(status, 422, "an approval names its amount");
                let body = json!({"version": version, "case_id": closed["id"], "approved": false, "minutes": "党组会议纪要：不认定"});
                let (status, _) = api.call(&app, Some(&group.token), Method::POST, "/api/v1/claims/{id}/special-decisions", &decide, Some(body)).await;
                assert_eq!(status, 200);
                continue;
            }
            let who = login(&app, phone_no).await;
            if step == "second_review" {
                // 复审 through the bulk signature (批量签署), of one claim
                let body = json!({"step": step, "opinion": "同意", "claims": [{"id": claim["claim"]["id"], "version": version}]});
                let (status, answer) = api.call(&app, Some(&who.token), Method::POST, "/api/v1/claims/steps", "/api/v1/claims/steps", Some(body)).await;
                assert_eq!((status, answer["results"][0]["stage"].as_str()), (200, Some("township_check")), "{answer}");
                continue;
            }
            let body = json!({"step": step, "version": version, "decision": "pass", "opinion": "同意", "lines": []});
            let (status, _) = api.call(&app, Some(&who.token), Method::POST, "/api/v1/claims/{id}/steps", &format!("{claim_path}/steps"), Some(body)).await;
            assert_eq!(status, 200, "{step}");
        }
        let bureau_finance = login(&app, "13900000009").await;
        let today = domain::dates::format_iso(domain::dates::china_date(jiff::Timestamp::now()));
        let pay = |amount: &str| json!({"township_id": claim["claim"]["township_id"], "quarter": "2024-Q2", "claims": [claim["claim"]["id"]], "amount": amount, "paid_on": today, "voucher": "记-1"});
        let (status, _) = api.call(&app, Some(&bureau_finance.token), Method::POST, "/api/v1/claims/township-payments", "/api/v1/claims/township-payments", Some(pay("1.00"))).await;
        assert_eq!(status, 422, "not the total");
        let (status, _) = api.call(&app, Some(&bureau_finance.token), Method::POST, "/api/v1/claims/township-payments", "/api/v1/claims/township-payments", Some(pay("200.00"))).await;
        assert_eq!(status, 200);
        let township_finance = login(&app, "13900000005").await;
        let to_mediator = json!({"mediator_id": phone.person_id, "amount": "200.00", "paid_on": today, "method": "bank_transfer", "reference": "流水 1"});
        let (status, _) = api.call(&app, Some(&bureau_finance.token), Method::POST, "/api/v1/claims/{id}/mediator-payments", &format!("{claim_path}/mediator-payments"), Some(to_mediator.clone())).await;
        assert_eq!(status, 403);
        let (status, paid) = api.call(&app, Some(&township_finance.token), Method::POST, "/api/v1/claims/{id}/mediator-payments", &format!("{claim_path}/mediator-payments"), Some(to_mediator)).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&token), Method::GET, "/api/v1/claims/mine", "/api/v1/claims/mine", None).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&bureau_finance.token), Method::GET, "/api/v1/claims/summary", "/api/v1/claims/summary?quarter=2024-Q2", None).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&bureau_finance.token), Method::GET, "/api/v1/claims/summary", "/api/v1/claims/summary?quarter=2024-13", None).await;
        assert_eq!(status, 422);
        let (status, _) = api.call(&app, Some(&bureau_finance.token), Method::GET, "/api/v1/claims/reconciliation", "/api/v1/claims/reconciliation?quarter=2024-Q2", None).await;
        assert_eq!(status, 200);
        let payment = paid["payments"].as_array().unwrap().iter().find(|p| p["payee"] == "mediator").unwrap()["id"].as_str().unwrap().to_owned();
        let (status, _) = api.call(&app, Some(&token), Method::POST, "/api/v1/payments/{id}/receipt", &format!("/api/v1/payments/{}/receipt", uuid::Uuid::now_v7()), Some(json!({"received": true}))).await;
        assert_eq!(status, 404);
        let (status, _) = api.call(&app, Some(&token), Method::POST, "/api/v1/payments/{id}/receipt", &format!("/api/v1/payments/{payment}/receipt"), Some(json!({"received": true, "note": "已到账"}))).await;
        assert_eq!(status, 200);
        // 补助变动记录: the claimed case's trail, from its facts to the receipt
        let money = format!("/api/v1/cases/{}/money", closed["id"].as_str().unwrap());
        let (status, trail) = api.call(&app, Some(&bureau_finance.token), Method::GET, "/api/v1/cases/{id}/money", &money, None).await;
        assert_eq!(status, 200);
        let kinds: Vec<&str> = trail["entries"].as_array().unwrap().iter().map(|e| e["what"]["kind"].as_str().unwrap()).collect();
        for kind in ["version", "claimed", "approved", "paid", "receipt"] {
            assert!(kinds.contains(&kind), "{kind}: {trail}");
        }
        let (status, _) = api.call(&app, Some(&bureau_finance.token), Method::GET, "/api/v1/cases/{id}/money", &format!("/api/v1/cases/{}/money", uuid::Uuid::now_v7()), None).await;
        assert_eq!(status, 404);
        // 履职认定: the office's month and a decision
        let (status, month) = api.call(&app, Some(&office.token), Method::GET, "/api/v1/duty", "/api/v1/duty?month=2026-10", None).await;
        assert_eq!(status, 200);
        let person = month["rows"][0]["person_id"].clone();
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/duty", "/api/v1/duty", Some(json!({"person_id": person, "month": "2026-10", "performed": false}))).await;
        assert_eq!(status, 422);
        let (status, _) = api.call(&app, Some(&office.token), Method::POST, "/api/v1/duty", "/api/v1/duty", Some(json!({"person_id": person, "month": "2026-10", "performed": true}))).await;
        assert_eq!(status, 200);
        // 定额补助发放: the demo's last quarter, decided, paid to the township, then to a mediator
        let day = domain::dates::china_date(jiff::Timestamp::now());
        tiaojie_server::demo::load_fixed_pay(&db.db, day).await.unwrap();
        let last = domain::claim::Quarter::containing(day).prev().unwrap();
        let (status, payroll) = api.call(&app, Some(&bureau_finance.token), Method::GET, "/api/v1/duty/payroll", &format!("/api/v1/duty/payroll?quarter={last}"), None).await;
        assert_eq!(status, 200);
        let ours = payroll["townships"].as_array().unwrap().iter().find(|t| t["undecided"] == 0).unwrap().clone();
        let to_township = json!({"township_id": ours["township_id"], "quarter": last.to_string(), "amount": ours["amount"], "paid_on": today, "voucher": "记-定额-1"});
        let (status, _) = api.call(&app, Some(&bureau_finance.token), Method::POST, "/api/v1/duty/township-payments", "/api/v1/duty/township-payments", Some(to_township)).await;
        assert_eq!(status, 200);
        let person = &ours["people"][0];
        let to_mediator = json!({"mediator_id": person["person_id"], "quarter": last.to_string(), "amount": person["amount"], "paid_on": today, "method": "cash", "reference": "收据 1"});
        let (status, _) = api.call(&app, Some(&township_finance.token), Method::POST, "/api/v1/duty/mediator-payments", "/api/v1/duty/mediator-payments", Some(to_mediator)).await;
        assert_eq!(status, 200);
        // the receiving unit's inbox holds the referral; it reads it
        let mut read = false;
        for device in [&phone, &office] {
            let (status, inbox) = api.call(&app, Some(&device.token), Method::GET, "/api/v1/inbox", "/api/v1/inbox", None).await;
            assert_eq!(status, 200);
            if let Some(item) = inbox["items"][0]["id"].as_str() {
                let (status, _) = api.call(&app, Some(&device.token), Method::POST, "/api/v1/inbox/{id}/read", &format!("/api/v1/inbox/{item}/read"), None).await;
                assert_eq!(status, 204);
                read = true;
            }
        }
        assert!(read, "someone has an inbox item");

        // reminders by Web Push
        let (status, _) = api.call(&app, Some(&token), Method::GET, "/api/v1/push/key", "/api/v1/push/key", None).await;
        assert_eq!(status, 200);
        let subscription = json!({"endpoint": "https://fcm.googleapis.com/fcm/send/test-endpoint", "keys": {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", "auth": "tBHItJI5svbpez7KI4CCXg"}});
        let (status, _) = api.call(&app, Some(&token), Method::PUT, "/api/v1/push/subscription", "/api/v1/push/subscription", Some(subscription)).await;
        assert_eq!(status, 204);
        let (status, _) = api.call(&app, Some(&token), Method::DELETE, "/api/v1/push/subscription", "/api/v1/push/subscription", Some(json!({"endpoint": "https://fcm.googleapis.com/fcm/send/test-endpoint"}))).await;
        assert_eq!(status, 204);

        let (status, _) = api.call(&app, None, Method::GET, "/healthz", "/healthz", None).await;
        assert_eq!(status, 200);
        let (status, _) = api.call(&app, Some(&token), Method::POST, "/api/v1/auth/logout", "/api/v1/auth/logout", None).await;
        assert_eq!(status, 204);

        api.assert_all_seen(&[
            // the bytes of a photo, not JSON
            ("get", "/api/v1/attachments/{sha256}"),
            // files for finance (claims.rs reads them back cell by cell)
            ("get", "/api/v1/claims/summary.xlsx"),
            ("get", "/api/v1/claims/summary.csv"),
            // the A4 papers, HTML files (claims.rs reads their totals)
            ("get", "/api/v1/claims/summary.html"),
            ("get", "/api/v1/claims/{id}/slip.html"),
        ]);
        drop(app);
        db.cleanup().await;
    }
}

/// The paths in `schema` of objects with nothing said of their fields.
fn bare_objects(schema: &Value, at: &str, out: &mut Vec<String>) {
    if let Value::Object(map) = schema {
        let is_object = map.get("type").is_some_and(|t| {
            t == "object" || t.as_array().is_some_and(|a| a.contains(&json!("object")))
        });
        let said = [
            "properties",
            "additionalProperties",
            "oneOf",
            "allOf",
            "anyOf",
            "$ref",
        ]
        .iter()
        .any(|k| map.contains_key(*k));
        if is_object && !said {
            out.push(at.to_owned());
        }
        for (k, v) in map {
            bare_objects(v, &format!("{at}.{k}"), out);
        }
    } else if let Value::Array(items) = schema {
        for (i, v) in items.iter().enumerate() {
            bare_objects(v, &format!("{at}[{i}]"), out);
        }
    }
}
