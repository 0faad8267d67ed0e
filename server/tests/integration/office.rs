//! Office actions against the real server, on SQLite and PostgreSQL: a
//! judicial office locks a case of a village below it (devices learn of it
//! and their edits are refused with the reason), the bureau unlocks it, and
//! a lost phone's session is revoked. Outside the caller's subtree nothing
//! is found; a mediator cannot do any of it.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::sync::Status;
use serde_json::{Value, json};

async fn lock(app: &TestApp, who: &Device, id: &Value, body: Value) -> (u16, Value) {
    let res = app
        .client
        .put(app.url(&format!(
            "/api/v1/cases/{}/lock",
            id.as_str().unwrap_or("x")
        )))
        .bearer_auth(&who.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or_default())
}

async fn unlock(app: &TestApp, who: &Device, id: &Value) -> (u16, Value) {
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/cases/{}/lock", id.as_str().unwrap())))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or_default())
}

on_both_databases! {
    async fn an_office_locks_a_case_below_it_and_devices_are_told_why(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let village = login(&app, VILLAGE_MEDIATOR).await;
        let community = login(&app, COMMUNITY_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let bureau = login(&app, BUREAU).await;
        let case = new_case(&village, 21);
        push(&app, &village, vec![mutation(&village, "upsert", &case, 0)]).await;
        let id = &case["id"];

        // who may lock: not the mediator (sees it, does not supervise), not
        // another committee's mediator (does not even see it)
        let reason = json!({"reason": "季度审核中"});
        assert_eq!(lock(&app, &village, id, reason.clone()).await.0, 403);
        assert_eq!(lock(&app, &community, id, reason.clone()).await.0, 404);
        // bad input: no reason, unknown fields, a bad id
        let (code, body) = lock(&app, &office, id, json!({"reason": "  "})).await;
        assert_eq!((code, body["field"].as_str()), (422, Some("reason")));
        let (code, _) = lock(&app, &office, id, json!({"reason": "x", "until": "never"})).await;
        assert_eq!(code, 400);
        let (code, body) = lock(&app, &office, &json!("not-a-uuid"), reason.clone()).await;
        assert_eq!((code, body["field"].as_str()), (400, Some("id")));
        assert_eq!(count(&db, "case_history").await, 0, "nothing changed so far");

        let (code, body) = lock(&app, &office, id, reason.clone()).await;
        assert_eq!((code, body["version"].as_i64(), body["locked_reason"].as_str()), (200, Some(2), Some("季度审核中")));
        // locking again changes nothing
        assert_eq!(lock(&app, &office, id, reason.clone()).await.1["version"], 2);

        // the phone learns of it at its next pull, and an edit is refused with the reason
        let pulled = pull(&app, &village, 0).await;
        assert_eq!(pulled.changes[0].payload.as_ref().unwrap()["locked_reason"], "季度审核中");
        let mut edited = case.clone();
        edited["summary"] = json!("锁定后的修改");
        let r = push(&app, &village, vec![mutation(&village, "upsert", &edited, 2)]).await;
        assert_eq!(r.results[0].status, Status::Rejected);
        assert_eq!(r.results[0].code.map(|c| c.code()), Some("locked"));
        assert!(r.results[0].message.as_deref().unwrap().contains("季度审核中"));
        // a device cannot unlock by pushing the field away
        let mut sneaky = pulled.changes[0].payload.clone().unwrap();
        sneaky["locked_reason"] = Value::Null;
        let r = push(&app, &village, vec![mutation(&village, "upsert", &sneaky, 2)]).await;
        assert_eq!(r.results[0].code.map(|c| c.code()), Some("locked"));

        // the city bureau (above the township) unlocks; the edit then lands
        assert_eq!(unlock(&app, &village, id).await.0, 403);
        let (code, body) = unlock(&app, &bureau, id).await;
        assert_eq!((code, body["version"].as_i64()), (200, Some(3)));
        assert!(body["locked_reason"].is_null());
        let r = push(&app, &village, vec![mutation(&village, "upsert", &edited, 3)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        let now = pull(&app, &office, 0).await;
        let payload = now.changes[0].payload.as_ref().unwrap();
        assert_eq!(payload["summary"], "锁定后的修改");
        assert!(payload.get("locked_reason").is_none_or(Value::is_null));
        assert_eq!(count(&db, "case_history").await, 3, "lock, unlock and the edit each kept the version before");
        drop(app);
        db.cleanup().await;
    }

    async fn an_office_revokes_a_lost_phone_of_its_township_only(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let village = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let bureau = login(&app, BUREAU).await;
        let get = |who: &Device, path: &str| app.client.get(app.url(path)).bearer_auth(&who.token).send();

        // a mediator has no device list
        assert_eq!(get(&village, "/api/v1/devices").await.unwrap().status(), 403);
        let list: Vec<Value> = get(&office, "/api/v1/devices").await.unwrap().json().await.unwrap();
        let phones: Vec<&str> = list.iter().filter_map(|d| d["phone"].as_str()).collect();
        assert!(phones.contains(&VILLAGE_MEDIATOR), "{phones:?}");
        assert!(!phones.contains(&BUREAU), "the bureau is above the township: {phones:?}");
        let id_of = |list: &[Value], phone: &str| {
            list.iter().find(|d| d["phone"] == phone).unwrap()["id"].as_str().unwrap().to_owned()
        };
        let village_session = id_of(&list, VILLAGE_MEDIATOR);
        let bureau_list: Vec<Value> = get(&bureau, "/api/v1/devices").await.unwrap().json().await.unwrap();
        let bureau_session = id_of(&bureau_list, BUREAU);

        let revoke = |who: &Device, id: &str| {
            app.client.post(app.url(&format!("/api/v1/devices/{id}/revoke"))).bearer_auth(&who.token).send()
        };
        // outside the office's township: not found; a mediator: forbidden
        assert_eq!(revoke(&office, &bureau_session).await.unwrap().status(), 404);
        assert_eq!(revoke(&village, &village_session).await.unwrap().status(), 403);
        let res = revoke(&office, &village_session).await.unwrap();
        assert_eq!(res.status(), 200);
        let row: Value = res.json().await.unwrap();
        assert!(row["revoked_at"].is_string());

        // the phone is told at its next request
        let res = get(&village, "/api/v1/sync/pull").await.unwrap();
        assert_eq!(res.status(), 401);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "revoked");
        // the office and the bureau go on
        assert_eq!(get(&office, "/api/v1/devices").await.unwrap().status(), 200);
        assert_eq!(revoke(&office, &village_session).await.unwrap().status(), 200, "again: no change");
        drop(app);
        db.cleanup().await;
    }
}
