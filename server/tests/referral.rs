//! First-mediator responsibility and referral (首调责任制, REFERENCE.md
//! §10) through the API, on SQLite and PostgreSQL: the owner refers a case
//! up the ladder; it stays theirs until the receiving unit accepts; a
//! decline needs a reason and leaves it with them; every hand-over is kept
//! and each side hears of the other in the inbox; steps that are not the
//! caller's are refused with the field and change nothing.

mod common;
use common::device::*;
use common::{TestApp, TestDb};
use domain::referral::HandoverState;
use domain::sync::CaseOwnership;
use serde_json::{Value, json};

async fn get(app: &TestApp, device: &Device, id: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/cases/{id}/referral")))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap()
}

async fn act(app: &TestApp, device: &Device, id: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/cases/{id}/referral")))
        .bearer_auth(&device.token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn refused(res: reqwest::Response, field: &str) {
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], field, "{body}");
}

async fn ok(res: reqwest::Response) -> CaseOwnership {
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn inbox_kinds(app: &TestApp, device: &Device) -> Vec<(String, String)> {
    inbox(app, device)
        .await
        .items
        .into_iter()
        .map(|i| (i.kind, i.title))
        .collect()
}

on_both_databases! {
    async fn a_case_is_the_first_mediators_until_the_township_accepts_it(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let bureau = login(&app, BUREAU).await;
        let stranger = login(&app, COMMUNITY_MEDIATOR).await;
        let closed = new_case(&phone, 5);
        let case = open_case(&phone, 13, domain::case::RiskLevel::Low);
        let id = case["id"].as_str().unwrap().to_owned();
        push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0), mutation(&phone, "upsert", &closed, 0)]).await;
        // a closed case is resolved: nothing to refer
        let township_of_closed = ok(get(&app, &phone, closed["id"].as_str().unwrap()).await).await.targets[0].unit_id.clone();
        refused(act(&app, &phone, closed["id"].as_str().unwrap(), json!({"action": "refer", "to_unit": township_of_closed})).await, "action").await;

        let first = ok(get(&app, &phone, &id).await).await;
        assert_eq!(first.owner_id, phone.person_id);
        assert!(first.ownership.is_none());
        let kinds: Vec<&str> = first.targets.iter().map(|t| t.kind.as_str()).collect();
        assert_eq!(kinds, ["township", "city"], "up the ladder, nearest first");
        let township = first.targets[0].unit_id.clone();
        assert_eq!(get(&app, &stranger, &id).await.status(), 404);

        // only the owner refers, only up the ladder
        refused(act(&app, &office, &id, json!({"action": "refer", "to_unit": township})).await, "by").await;
        refused(act(&app, &phone, &id, json!({"action": "refer", "to_unit": stranger.unit_id})).await, "to_unit").await;
        refused(act(&app, &phone, &id, json!({"action": "hand over"})).await, "action").await;
        assert_eq!(act(&app, &phone, &id, json!({"action": "refer", "extra": 1})).await.status(), 400);

        let sent = ok(act(&app, &phone, &id, json!({"action": "refer", "to_unit": township, "note": "涉及两村，需乡镇协调"})).await).await;
        assert_eq!(sent.owner_id, phone.person_id, "still the first mediator's");
        assert_eq!(sent.version, 1, "no new case version until accepted");
        assert!(sent.targets.is_empty(), "one referral at a time");
        refused(act(&app, &phone, &id, json!({"action": "refer", "to_unit": township})).await, "action").await;
        assert!(inbox_kinds(&app, &office).await.iter().any(|(k, t)| k == "referral" && t.starts_with("案件移交待接收")));

        // only the receiving unit answers; a decline needs a reason
        refused(act(&app, &bureau, &id, json!({"action": "accept"})).await, "by").await;
        refused(act(&app, &office, &id, json!({"action": "decline"})).await, "note").await;
        let declined = ok(act(&app, &office, &id, json!({"action": "decline", "note": "请村调委会先行调解"})).await).await;
        assert_eq!(declined.owner_id, phone.person_id);
        assert!(inbox_kinds(&app, &phone).await.iter().any(|(_, t)| t.starts_with("移交已退回")));

        // referred again and accepted: the office owns it, a new version
        ok(act(&app, &phone, &id, json!({"action": "refer", "to_unit": township, "note": "村调解未果"})).await).await;
        let accepted = ok(act(&app, &office, &id, json!({"action": "accept"})).await).await;
        assert_eq!(accepted.owner_id, office.person_id);
        assert_eq!(accepted.version, 2);
        let o = accepted.ownership.as_ref().unwrap();
        let states: Vec<HandoverState> = o.handovers.iter().map(|h| h.state).collect();
        assert_eq!(states, [HandoverState::Declined, HandoverState::Accepted], "every hand-over kept");
        assert!(!accepted.names[&office.person_id].is_empty(), "the history names people");
        let kinds: Vec<&str> = accepted.targets.iter().map(|t| t.kind.as_str()).collect();
        assert_eq!(kinds, ["city"], "from the township, only the city is above");
        // the phone learns of its new owner at its next pull
        let pulled = pull(&app, &phone, 0).await;
        let change = pulled.changes.iter().rev().find(|c| c.entity_id.to_string() == id).unwrap();
        assert_eq!(change.version, 2);
        assert_eq!(change.payload.as_ref().unwrap()["owner_id"], office.person_id);
        // the first mediator can no longer refer it
        refused(act(&app, &phone, &id, json!({"action": "refer", "to_unit": first.targets[1].unit_id})).await, "by").await;
        let history: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_history WHERE case_id = $1 AND replaced_by LIKE 'referral:%'")
            .bind(&id)
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        assert_eq!(history, 1);
        drop(app);
        db.cleanup().await;
    }
}
