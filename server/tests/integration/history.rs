//! A case's versions (`GET /api/v1/cases/{id}/history`, 修改记录): who
//! made each and when, what it changed, the values a conflict replaced;
//! only for those who see the case. On SQLite and PostgreSQL.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::api::CaseHistory;
use domain::sync::Status;
use serde_json::json;

async fn history(app: &TestApp, device: &Device, id: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/cases/{id}/history")))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap()
}

async fn name_of(db: &TestDb, person: domain::PersonId) -> String {
    sqlx::query_scalar("SELECT name FROM person WHERE id = $1")
        .bind(person.to_string())
        .fetch_one(db.db.pool())
        .await
        .unwrap()
}

on_both_databases! {
    async fn the_history_names_each_version_its_maker_and_what_a_conflict_replaced(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let case = new_case(&phone, 31);
        let id = case["id"].as_str().unwrap().to_owned();
        // 1: registered on the phone
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;
        assert_eq!(r.results[0].status, Status::Applied);
        // 2, 3: the office locks and unlocks it on the server
        for (method, body) in [(reqwest::Method::PUT, Some(json!({"reason": "季度审核"}))), (reqwest::Method::DELETE, None)] {
            let mut req = app.client.request(method, app.url(&format!("/api/v1/cases/{id}/lock"))).bearer_auth(&office.token);
            if let Some(body) = body {
                req = req.json(&body);
            }
            assert_eq!(req.send().await.unwrap().status(), 200);
        }
        // 4: the committee head's edit of the summary; 5: the phone's, made
        // on version 1: both changed the summary, the phone's came later
        let head = login(&app, "13900000001").await;
        let mut theirs = case.clone();
        theirs["summary"] = json!("主任补充的案情");
        theirs["owner_id"] = json!(phone.person_id);
        let r = push(&app, &head, vec![mutation(&head, "upsert", &theirs, 3)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        let mut mine = case.clone();
        mine["summary"] = json!("调解员改写的案情");
        mine["place"] = json!("村委会调解室");
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &mine, 1)]).await;
        assert_eq!(r.results[0].status, Status::Conflict);

        let res = history(&app, &phone, &id).await;
        assert_eq!(res.status(), 200);
        let h: CaseHistory = res.json().await.unwrap();
        let versions: Vec<(u64, &str)> = h.versions.iter().map(|v| (v.version, v.how.as_str())).collect();
        assert_eq!(versions, [(5, "sync"), (4, "sync"), (3, "unlock"), (2, "lock"), (1, "sync")]);
        let (mediator, clerk) = (name_of(&db, phone.person_id).await, name_of(&db, office.person_id).await);
        let chair = name_of(&db, head.person_id).await;
        let by: Vec<Option<&str>> = h.versions.iter().map(|v| v.by.as_deref()).collect();
        assert_eq!(by, [Some(&*mediator), Some(&*chair), Some(&*clerk), Some(&*clerk), Some(&*mediator)]);
        assert!(h.versions.iter().all(|v| v.at.is_some()));
        assert!(h.versions.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
        let changed: Vec<Vec<&str>> = h.versions.iter().map(|v| v.changed.iter().map(String::as_str).collect()).collect();
        assert_eq!(changed[0], ["place", "summary"]);
        assert_eq!(changed[1], ["summary"]);
        assert_eq!(changed[3], ["locked_reason"]);
        assert!(changed[4].is_empty());
        // the conflict: the head's summary, replaced by the phone's later change
        assert_eq!(h.versions[0].overridden.len(), 1);
        assert_eq!(h.versions[0].overridden[0].field, "summary");
        assert_eq!(h.versions[0].overridden[0].was, json!("主任补充的案情"));
        assert!(h.versions[1..].iter().all(|v| v.overridden.is_empty()));

        // the office above sees it too; another committee's mediator does not
        assert_eq!(history(&app, &office, &id).await.status(), 200);
        let other = login(&app, COMMUNITY_MEDIATOR).await;
        let res = history(&app, &other, &id).await;
        assert_eq!(res.status(), 404);
        assert_eq!(res.json::<serde_json::Value>().await.unwrap()["code"], "not_found");
        // deleted: the last version says so
        let r = push(&app, &phone, vec![mutation(&phone, "delete", &mine, 5)]).await;
        assert_eq!(r.results[0].status, Status::Applied);
        let h: CaseHistory = history(&app, &phone, &id).await.json().await.unwrap();
        assert!(h.versions[0].deleted);
        assert_eq!(h.versions.len(), 6);
        drop(app);
        db.cleanup().await;
    }
}
