//! A case's risk assessment (风险研判, docs/domain.md §9) through the API, on
//! SQLite and PostgreSQL: the committee agrees, the township confirms and
//! names a responsible person, downgrades and closes out; each step is a
//! new version the devices pull; a step out of turn, out of scope or
//! without what it needs is refused with its field and changes nothing;
//! a device cannot change the assessed level behind its back.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::api::CaseRisk;
use domain::risk::RiskStep;
use domain::sync::Status;
use serde_json::{Value, json};

async fn risk_get(app: &TestApp, device: &Device, id: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/cases/{id}/risk")))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap()
}

async fn risk_put(app: &TestApp, device: &Device, id: &str, body: Value) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/cases/{id}/risk")))
        .bearer_auth(&device.token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn refused(res: reqwest::Response, status: u16, field: &str) {
    assert_eq!(res.status(), status);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], field, "{body}");
}

async fn case_version(db: &TestDb, id: &str) -> i64 {
    sqlx::query_scalar("SELECT version FROM case_record WHERE id = $1")
        .bind(id)
        .fetch_one(db.db.pool())
        .await
        .unwrap()
}

on_both_databases! {
    async fn the_committee_agrees_the_township_confirms_with_a_responsible_person_and_closes_out(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let stranger = login(&app, COMMUNITY_MEDIATOR).await;
        let case = open_case(&phone, 11, domain::case::RiskLevel::High);
        let id = case["id"].as_str().unwrap().to_owned();
        push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;

        // before any step: the level on the case is the proposal
        let res = risk_get(&app, &office, &id).await;
        assert_eq!(res.status(), 200);
        let view: CaseRisk = res.json().await.unwrap();
        assert_eq!((view.level.as_str(), view.assessment.is_none(), view.version), ("high", true, 1));
        let names: Vec<&str> = view.candidates.iter().map(|c| c.role.code()).collect();
        for role in ["mediator", "committee_head", "judicial_staff", "judicial_director", "bureau_section"] {
            assert!(names.contains(&role), "{role} may be named: {names:?}");
        }
        // another township's mediator sees nothing of it
        assert_eq!(risk_get(&app, &stranger, &id).await.status(), 404);
        assert_eq!(risk_put(&app, &stranger, &id, json!({"action": "agree"})).await.status(), 404);

        // out of turn: the township cannot confirm before the committee agreed
        refused(risk_put(&app, &office, &id, json!({"action": "confirm", "level": "high", "responsible": phone.person_id})).await, 422, "step").await;
        // a mediator does not confirm
        assert_eq!(risk_put(&app, &phone, &id, json!({"action": "confirm", "level": "high"})).await.status(), 403);
        // bad bodies
        assert_eq!(risk_put(&app, &phone, &id, json!({"action": "agree", "extra": 1})).await.status(), 400);
        refused(risk_put(&app, &phone, &id, json!({"action": "agree", "level": "purple"})).await, 422, "level").await;
        assert_eq!(case_version(&db, &id).await, 1, "nothing stored by a refusal");

        // 村议定 by the committee's mediator
        let res = risk_put(&app, &phone, &id, json!({"action": "agree", "note": "村调委会议定"})).await;
        assert_eq!(res.status(), 200);
        let agreed: CaseRisk = res.json().await.unwrap();
        let a = agreed.assessment.as_ref().unwrap();
        assert_eq!((a.step, a.history.len(), agreed.version), (RiskStep::Agreed, 2, 2));

        // 乡审定: high needs a responsible person, one of the candidates
        refused(risk_put(&app, &office, &id, json!({"action": "confirm", "level": "high"})).await, 422, "responsible").await;
        refused(risk_put(&app, &office, &id, json!({"action": "confirm", "level": "high", "responsible": stranger.person_id})).await, 422, "responsible").await;
        assert_eq!(case_version(&db, &id).await, 2);
        let res = risk_put(&app, &office, &id, json!({"action": "confirm", "level": "high", "responsible": phone.person_id})).await;
        assert_eq!(res.status(), 200);
        let confirmed: CaseRisk = res.json().await.unwrap();
        let a = confirmed.assessment.as_ref().unwrap();
        assert_eq!(a.step, RiskStep::Confirmed);
        assert_eq!(a.responsible, Some(phone.person_id));
        // the responsible person hears of it in their inbox
        let inbox = inbox(&app, &phone).await;
        assert!(inbox.items.iter().any(|i| i.kind == "responsible" && i.case_id.map(|c| c.to_string()).as_deref() == Some(id.as_str())), "{inbox:?}");

        // the phone pulls the new version with the assessment
        let pulled = pull(&app, &phone, 0).await;
        let mine = pulled.changes.iter().rev().find(|c| c.entity_id.to_string() == id).unwrap();
        assert_eq!(mine.version, 3);
        let mut on_phone = mine.payload.clone().unwrap();
        assert_eq!(on_phone["risk_assessment"]["step"], "confirmed");
        // it may edit the case, but not the assessed level behind the township's back
        let mut lowered = on_phone.clone();
        lowered["risk"] = json!("low");
        let answer = push(&app, &phone, vec![mutation(&phone, "upsert", &lowered, 3)]).await;
        assert_eq!((answer.results[0].status, answer.results[0].field.as_deref()), (Status::Rejected, Some("payload.risk")));
        on_phone["place"] = json!("村委会调解室");
        // a device's copy cannot forge the assessment either: the stored one stays
        on_phone["risk_assessment"]["responsible"] = json!(stranger.person_id);
        let answer = push(&app, &phone, vec![mutation(&phone, "upsert", &on_phone, 3)]).await;
        assert_eq!(answer.results[0].status, Status::Applied, "{:?}", answer.results[0]);
        let view: CaseRisk = risk_get(&app, &office, &id).await.json().await.unwrap();
        assert_eq!(view.version, 4);
        assert_eq!(view.assessment.as_ref().unwrap().responsible, Some(phone.person_id));

        // 降级 then 销号 (with a reason)
        let res = risk_put(&app, &office, &id, json!({"action": "downgrade", "level": "medium"})).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<CaseRisk>().await.unwrap().level, "medium");
        refused(risk_put(&app, &office, &id, json!({"action": "close"})).await, 422, "note").await;
        let res = risk_put(&app, &office, &id, json!({"action": "close", "note": "双方和解，隐患消除"})).await;
        assert_eq!(res.status(), 200);
        let closed: CaseRisk = res.json().await.unwrap();
        let a = closed.assessment.unwrap();
        assert_eq!((a.step, a.history.len()), (RiskStep::Closed, 5));
        assert_eq!(case_version(&db, &id).await, 6);
        // the history shows every step and who took it
        let steps: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_history WHERE case_id = $1 AND replaced_by LIKE 'risk:%'")
            .bind(&id)
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        assert_eq!(steps, 4);
        drop(app);
        db.cleanup().await;
    }
}
