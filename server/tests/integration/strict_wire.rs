//! The wire is strict and every refusal is documented (docs/sync.md,
//! "Errors"): unknown fields refused with their path, never dropped; field
//! sizes checked by the shared rules; pull pages bounded by bytes; only JSON
//! to JSON endpoints; framework refusals in the `{code, message}` body; a
//! 429 says when to come back. On SQLite and PostgreSQL.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::sync::Status;
use serde_json::{Value, json};

/// A push of `case` as a new record, answered.
async fn push_new(app: &TestApp, phone: &Device, case: &Value) -> domain::sync::MutationResult {
    let m = mutation(phone, "upsert", case, 0);
    push(app, phone, vec![m]).await.results.remove(0)
}

fn refused_at(r: &domain::sync::MutationResult) -> (Status, Option<&str>, Option<&str>) {
    (r.status, r.code.map(|c| c.code()), r.field.as_deref())
}

on_both_databases! {
    async fn an_unknown_field_is_refused_with_its_path_and_nothing_stored(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let case = new_case(&phone, 11);

        // a newer app's field at the top of the case
        let mut newer = case.clone();
        newer["agreed_term"] = json!("分期付款");
        let r = push_new(&app, &phone, &newer).await;
        assert_eq!(refused_at(&r), (Status::Rejected, Some("invalid"), Some("payload.agreed_term")));
        let message = r.message.as_deref().unwrap();
        assert!(message.contains("服务器不认识字段 agreed_term"), "{message}");
        assert!(message.contains("newer than the server"), "{message}");
        // inside a party, a photo reference, and the tagged performance
        let mut party = case.clone();
        party["parties"][1]["nickname"] = json!("老张");
        let mut photo = case.clone();
        photo["attachments"] = json!([{
            "id": "0192f0c1-0000-7000-8000-000000000001", "form": "agreement",
            "taken_at": "2024-03-02T08:00:00Z", "position": null, "bytes": 1000,
            "content_type": "image/jpeg", "sha256": null, "caption": "协议书第一页",
        }]);
        let mut performance = case.clone();
        performance["performance"] = json!({"kind": "immediate", "witness": "村长"});
        for (body, field) in [
            (&party, "payload.parties[1].nickname"),
            (&photo, "payload.attachments[0].caption"),
        ] {
            let r = push_new(&app, &phone, body).await;
            assert_eq!(refused_at(&r), (Status::Rejected, Some("invalid"), Some(field)));
        }
        let r = push_new(&app, &phone, &performance).await;
        assert_eq!(r.status, Status::Rejected);
        assert!(r.field.as_deref().unwrap().starts_with("payload.performance"), "{r:?}");
        assert!(r.message.as_deref().unwrap().contains("witness"), "{r:?}");
        assert_eq!(count(&db, "case_record").await, 0, "nothing of a refused case is stored");
        // the same case without the extras is applied: the refusals were the fields'
        let r = push_new(&app, &phone, &case).await;
        assert_eq!(r.status, Status::Applied, "{r:?}");

        // request bodies: log-in, a lock
        let res = app.client.post(app.url("/api/v1/auth/login"))
            .json(&json!({"phone": VILLAGE_MEDIATOR, "password": PASSWORD, "device_id": uuid::Uuid::now_v7(),
                          "device_name": "x", "remember_me": true}))
            .send().await.unwrap();
        assert_eq!(res.status(), 400);
        let body: Value = res.json().await.unwrap();
        assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("malformed"), Some("remember_me")));
        let office = login(&app, JUDICIAL_OFFICE).await;
        let res = app.client.put(app.url(&format!("/api/v1/cases/{}/lock", case["id"].as_str().unwrap())))
            .bearer_auth(&office.token)
            .json(&json!({"reason": "审核", "until": "2027-01-01"}))
            .send().await.unwrap();
        assert_eq!(res.status(), 400);
        assert_eq!(res.json::<Value>().await.unwrap()["field"], "until");
        drop(app);
        db.cleanup().await;
    }

    async fn texts_and_lists_have_limits_and_a_pull_page_has_a_byte_ceiling(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let long = domain::case::MAX_LONG_CHARS;

        let mut case = new_case(&phone, 12);
        case["summary"] = json!("案".repeat(long + 1));
        let r = push_new(&app, &phone, &case).await;
        assert_eq!(refused_at(&r), (Status::Rejected, Some("invalid"), Some("payload.summary")));
        assert!(r.message.as_deref().unwrap().starts_with(&format!("内容太长：最多 {long} 字")), "{r:?}");
        let received = case["received_on"].clone();
        let session = |i: usize| json!({
            "id": uuid::Uuid::now_v7(), "held_on": received, "place": "村委会",
            "record": "记".repeat(long), "n": i,
        });
        // (the `n` above is an unknown field: a session is checked strictly too)
        case["summary"] = json!("案".repeat(long));
        case["sessions"] = json!([session(0)]);
        let r = push_new(&app, &phone, &case).await;
        assert_eq!(refused_at(&r), (Status::Rejected, Some("invalid"), Some("payload.sessions[0].n")));
        let session = |_: usize| json!({
            "id": uuid::Uuid::now_v7(), "held_on": received, "place": "村委会", "record": "记".repeat(long),
        });
        case["sessions"] = Value::Array((0..=domain::case::MAX_SESSIONS).map(session).collect());
        let r = push_new(&app, &phone, &case).await;
        assert_eq!(refused_at(&r), (Status::Rejected, Some("invalid"), Some("payload.sessions")));
        assert_eq!(count(&db, "case_record").await, 0);

        // eight cases of ~300 KB each, the largest the limits allow
        let mut ids = Vec::new();
        for seed in 0..8u64 {
            let mut big = new_case(&phone, 100 + seed);
            big["summary"] = json!("案".repeat(long));
            let received = big["received_on"].clone();
            big["sessions"] = Value::Array((0..domain::case::MAX_SESSIONS).map(|_| json!({
                "id": uuid::Uuid::now_v7(), "held_on": received, "place": "村委会", "record": "记".repeat(long),
            })).collect());
            let r = push_new(&app, &phone, &big).await;
            assert_eq!(r.status, Status::Applied, "{r:?}");
            ids.push(big["id"].as_str().unwrap().to_owned());
        }
        let other = login(&app, VILLAGE_MEDIATOR).await;
        let (mut cursor, mut seen, mut pages) = (0i64, Vec::new(), 0);
        loop {
            let res = app.client.get(app.url(&format!("/api/v1/sync/pull?cursor={cursor}&limit=1000")))
                .bearer_auth(&other.token).send().await.unwrap();
            assert_eq!(res.status(), 200);
            let text = res.text().await.unwrap();
            let page: domain::sync::PullResponse = serde_json::from_str(&text).unwrap();
            let records: usize = page.changes.iter().map(|c| c.payload.as_ref().map_or(0, |p| p.to_string().len())).sum();
            assert!(
                records <= domain::sync::MAX_PULL_PAGE_BYTES || page.changes.len() == 1,
                "a page of {} changes holds {records} bytes of records", page.changes.len()
            );
            pages += 1;
            seen.extend(page.changes.iter().map(|c| c.entity_id.to_string()));
            cursor = page.cursor;
            if !page.has_more { break; }
            assert!(pages < 20);
        }
        assert!(pages >= 3, "8 cases of ~300 KB take several 1 MiB pages, took {pages}");
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), seen.len(), "no case twice");
        for id in &ids {
            assert!(seen.contains(id), "every case arrives");
        }
        drop(app);
        db.cleanup().await;
    }

    async fn every_refusal_of_the_api_is_json_and_a_429_says_when(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let body = json!({"client_id": phone.client_id, "mutations": []}).to_string();
        let error = |res: reqwest::Response| async move {
            let status = res.status().as_u16();
            let kind = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(kind.as_deref(), Some("application/json"), "{status}");
            let body: Value = res.json().await.unwrap();
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
            (status, body["code"].as_str().unwrap().to_owned())
        };
        // JSON endpoints take JSON only
        for kind in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
            let mut req = app.client.post(app.url("/api/v1/sync/push")).bearer_auth(&phone.token).body(body.clone());
            if let Some(kind) = kind {
                req = req.header("content-type", kind);
            }
            assert_eq!(error(req.send().await.unwrap()).await, (415, "unsupported_media_type".into()), "{kind:?}");
        }
        let res = app.client.post(app.url("/api/v1/auth/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("phone={VILLAGE_MEDIATOR}&password={PASSWORD}")).send().await.unwrap();
        assert_eq!(error(res).await, (415, "unsupported_media_type".into()));
        let ok = app.client.post(app.url("/api/v1/sync/push")).bearer_auth(&phone.token)
            .header("content-type", "application/json; charset=utf-8").body(body.clone()).send().await.unwrap();
        assert_eq!(ok.status(), 200, "a charset parameter is fine");
        // a method the path does not take keeps its Allow header
        let res = app.client.delete(app.url("/api/v1/sync/push")).bearer_auth(&phone.token).send().await.unwrap();
        let allow = res.headers().get("allow").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(error(res).await, (405, "method_not_allowed".into()));
        assert!(allow.is_some_and(|a| a.contains("POST")));
        // a path the API does not have is not the app's HTML page
        let res = app.client.get(app.url("/api/v1/nowhere")).bearer_auth(&phone.token).send().await.unwrap();
        assert_eq!(error(res).await, (404, "not_found".into()));
        // a path and query over 8 KiB
        let res = app.client.get(app.url(&format!("/api/v1/sync/pull?cursor=0&pad={}", "x".repeat(9000))))
            .bearer_auth(&phone.token).send().await.unwrap();
        assert_eq!(error(res).await, (414, "uri_too_long".into()));
        // the pages still get their HTML
        let res = app.client.get(app.url("/nowhere")).send().await.unwrap();
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        // a 429 says when to come back
        let guess = || app.client.post(app.url("/api/v1/auth/login"))
            .json(&json!({"phone": COMMUNITY_MEDIATOR, "password": "guess-guess", "device_id": uuid::Uuid::now_v7(), "device_name": "x"}))
            .send();
        for _ in 0..5 {
            assert_eq!(guess().await.unwrap().status(), 401);
        }
        let res = guess().await.unwrap();
        assert_eq!(res.headers()["retry-after"], "1", "the sixth in a row waits 1 s");
        assert_eq!(error(res).await, (429, "rate_limited".into()));
        drop(app);
        db.cleanup().await;
    }
}
