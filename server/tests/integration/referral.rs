//! First-mediator responsibility and referral (首调责任制, docs/domain.md
//! §10) through the API, on SQLite and PostgreSQL: the owner refers a case
//! up the ladder or across to a sector committee (which reads it online
//! while the referral waits and gets it on its phones once it accepts); it
//! stays theirs until the receiving unit accepts; a
//! decline needs a reason and leaves it with them; every hand-over is kept
//! and each side hears of the other in the inbox; steps that are not the
//! caller's are refused with the field and change nothing.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::api::CaseOwnership;
use domain::referral::HandoverState;
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
        .map(|i| (i.kind.code().to_owned(), i.title))
        .collect()
}

/// How many targets are the centre, sector and department committees.
fn across(kinds: &[&str]) -> (usize, usize, usize) {
    let n = |k: &str| kinds.iter().filter(|x| **x == k).count();
    (n("centre"), n("sector"), n("admin_dept"))
}

async fn server_case(app: &TestApp, device: &Device, id: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/cases/{id}")))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap()
}

async fn photo(app: &TestApp, device: &Device, sha: &str) -> u16 {
    app.client
        .get(app.url(&format!("/api/v1/attachments/{sha}")))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn pulled<'a>(
    answer: &'a domain::sync::PullResponse,
    id: &str,
) -> Option<&'a domain::sync::Change> {
    answer
        .changes
        .iter()
        .rev()
        .find(|c| c.entity_id.to_string() == id)
}

on_both_databases! {
    async fn a_case_referred_across_reaches_the_sector_committee_only_once_it_accepts(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let medical = login(&app, SECTOR_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let other = login(&app, COMMUNITY_MEDIATOR).await;
        // an open dispute with a photo of signed paper
        let bytes = b"a photo of the signed record".to_vec();
        let sha = tiaojie_server::service::auth::sha256_hex(&bytes);
        let mut case = open_case(&phone, 17, domain::case::RiskLevel::Low);
        case["attachments"] = json!([{
            "id": uuid::Uuid::now_v7().to_string(), "form": "agreement",
            "taken_at": "2026-11-20T10:00:00+08:00", "position": null,
            "bytes": bytes.len(), "content_type": "image/jpeg", "sha256": sha,
        }]);
        let id = case["id"].as_str().unwrap().to_owned();
        push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;
        let put = app.client.put(app.url(&format!("/api/v1/attachments/{sha}")))
            .bearer_auth(&phone.token).header("Upload-Offset", "0").body(bytes.clone())
            .send().await.unwrap();
        assert_eq!(put.status(), 200);

        // the committee is one of the targets; before a referral it sees nothing
        let first = ok(get(&app, &phone, &id).await).await;
        assert!(first.targets.iter().any(|t| t.unit_id == medical.unit_id && t.kind == "sector"));
        assert_eq!(server_case(&app, &medical, &id).await.status(), 404);
        assert_eq!(get(&app, &medical, &id).await.status(), 404);

        // pending: the committee reads it online, without the parties'
        // contacts or photos, and answers; its phones do not get it
        ok(act(&app, &phone, &id, json!({"action": "refer", "to_unit": medical.unit_id, "note": "涉及医疗损害"})).await).await;
        assert!(inbox_kinds(&app, &medical).await.iter().any(|(k, t)| k == "referral" && t.starts_with("案件移交待接收")));
        let res = server_case(&app, &medical, &id).await;
        assert_eq!(res.status(), 200);
        let shown: domain::api::ServerCase = res.json().await.unwrap();
        assert!(shown.contacts_hidden);
        assert_eq!(shown.case.summary, case["summary"].as_str().unwrap());
        assert!(!shown.unit_name.is_empty());
        assert!(shown.case.parties.iter().all(|p| p.resident_id.is_none() && p.phone.is_none()));
        assert!(shown.case.attachments.is_empty());
        let own: domain::api::ServerCase = server_case(&app, &phone, &id).await.json().await.unwrap();
        assert!(!own.contacts_hidden);
        assert_eq!(own.case.attachments.len(), 1);
        assert_eq!(photo(&app, &medical, &sha).await, 404);
        assert!(pulled(&pull(&app, &medical, 0).await, &id).is_none());
        let risk = |device: &Device| app.client.get(app.url(&format!("/api/v1/cases/{id}/risk"))).bearer_auth(device.token.clone()).send();
        assert_eq!(risk(&medical).await.unwrap().status(), 404, "the assessment is not the waiting unit's");
        let history = |device: &Device| app.client.get(app.url(&format!("/api/v1/cases/{id}/history"))).bearer_auth(device.token.clone()).send();
        assert_eq!(history(&medical).await.unwrap().status(), 404, "nor is the history, with every version's details");
        assert_eq!(history(&phone).await.unwrap().status(), 200);
        assert_eq!(server_case(&app, &other, &id).await.status(), 404, "another committee sees nothing");
        // the committee cannot lock it or take it over without accepting
        let lock = app.client.put(app.url(&format!("/api/v1/cases/{id}/lock")))
            .bearer_auth(&medical.token).json(&json!({"reason": "x"})).send().await.unwrap();
        assert_eq!(lock.status(), 403);
        let mut taken = case.clone();
        taken["summary"] = json!("抢先修改");
        let r = push(&app, &medical, vec![mutation(&medical, "upsert", &taken, 1)]).await;
        assert_eq!(outcomes(&r), [(domain::sync::Status::Rejected, Some("scope"), Some("entity_id"))]);

        // declined: out of its sight again
        ok(act(&app, &medical, &id, json!({"action": "decline", "note": "不属于医疗纠纷"})).await).await;
        assert_eq!(server_case(&app, &medical, &id).await.status(), 404);
        assert_eq!(get(&app, &medical, &id).await.status(), 404);

        // referred again and accepted: its phone pulls the case, photo and all
        ok(act(&app, &phone, &id, json!({"action": "refer", "to_unit": medical.unit_id, "note": "经鉴定属医疗损害"})).await).await;
        let accepted = ok(act(&app, &medical, &id, json!({"action": "accept"})).await).await;
        assert_eq!(accepted.owner_id, medical.person_id);
        let theirs = pull(&app, &medical, 0).await;
        let change = pulled(&theirs, &id).expect("the new owner's phone gets the case");
        assert_eq!(change.version, 2);
        assert_eq!(change.payload.as_ref().unwrap()["owner_id"], medical.person_id.to_string());
        assert_eq!(change.payload.as_ref().unwrap()["unit_id"], phone.unit_id.to_string(), "still the village's case");
        assert_eq!(photo(&app, &medical, &sha).await, 200);
        let full: domain::api::ServerCase = server_case(&app, &medical, &id).await.json().await.unwrap();
        assert!(!full.contacts_hidden);
        assert_eq!(full.case.parties, serde_json::from_value::<domain::case::Case>(case.clone()).unwrap().parties);
        assert_eq!(risk(&medical).await.unwrap().status(), 200);
        // the village and its township keep seeing it
        assert_eq!(pulled(&pull(&app, &phone, 0).await, &id).unwrap().version, 2);
        assert_eq!(pulled(&pull(&app, &office, 0).await, &id).unwrap().version, 2);
        assert!(pulled(&pull(&app, &other, 0).await, &id).is_none());

        // the committee's phone records its session; the case stays
        // registered at the village (it may not move it to itself)
        let mut edited = change.payload.clone().unwrap();
        edited["summary"] = json!("医疗损害纠纷，已委托鉴定");
        let r = push(&app, &medical, vec![mutation(&medical, "upsert", &edited, 2)]).await;
        assert_eq!(outcomes(&r), [(domain::sync::Status::Applied, None, None)]);
        assert_eq!(r.results[0].version, Some(3));
        let mut moved = edited.clone();
        moved["unit_id"] = json!(medical.unit_id);
        let r = push(&app, &medical, vec![mutation(&medical, "upsert", &moved, 3)]).await;
        assert_eq!(outcomes(&r), [(domain::sync::Status::Rejected, Some("invalid"), Some("payload.unit_id"))]);
        // nor delete it: it stays the village's case
        let r = push(&app, &medical, vec![mutation(&medical, "delete", &edited, 3)]).await;
        assert_eq!(outcomes(&r), [(domain::sync::Status::Rejected, Some("invalid"), Some("op"))]);
        let back = pulled(&pull(&app, &phone, 0).await, &id).unwrap().clone();
        assert_eq!((back.version, back.payload.as_ref().unwrap()["summary"].as_str()), (3, Some("医疗损害纠纷，已委托鉴定")));

        // from the committee it goes up to the city or across, not to itself
        let next = ok(get(&app, &medical, &id).await).await;
        assert_eq!(next.targets[0].kind, "city");
        assert!(next.targets.iter().all(|t| t.unit_id != medical.unit_id));
        assert_eq!(across(&next.targets.iter().map(|t| t.kind.code()).collect::<Vec<_>>()), (1, 10, 34));
        drop(app);
        db.cleanup().await;
    }

    async fn a_mediator_of_both_committees_accepting_their_own_referral_still_reaches_the_committees_phones(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let medical = login(&app, SECTOR_MEDIATOR).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        // the village mediator also mediates at the medical committee
        sqlx::query("INSERT INTO role_grant (person_id, role, unit_id, created_at) VALUES ($1, 'mediator', $2, '2026-11-29T00:00:00+08:00')")
            .bind(phone.person_id.to_string())
            .bind(medical.unit_id.to_string())
            .execute(db.db.pool())
            .await
            .unwrap();
        let case = open_case(&phone, 19, domain::case::RiskLevel::Low);
        let id = case["id"].as_str().unwrap().to_owned();
        push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;
        let cursor = pull(&app, &medical, 0).await.cursor;
        ok(act(&app, &phone, &id, json!({"action": "refer", "to_unit": medical.unit_id})).await).await;
        let accepted = ok(act(&app, &phone, &id, json!({"action": "accept"})).await).await;
        assert_eq!(accepted.owner_id, phone.person_id, "the same owner");
        assert_eq!(accepted.version, 2, "but a new version: the case reaches another unit");
        let change = pulled(&pull(&app, &medical, cursor).await, &id).cloned();
        assert_eq!(change.map(|c| c.version), Some(2), "the committee's other phones get it");
        drop(app);
        db.cleanup().await;
    }

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
        let township_of_closed = ok(get(&app, &phone, closed["id"].as_str().unwrap()).await).await.targets[0].unit_id;
        refused(act(&app, &phone, closed["id"].as_str().unwrap(), json!({"action": "refer", "to_unit": township_of_closed})).await, "action").await;

        let first = ok(get(&app, &phone, &id).await).await;
        assert_eq!(first.owner_id, phone.person_id);
        assert!(first.ownership.is_none());
        let kinds: Vec<&str> = first.targets.iter().map(|t| t.kind.code()).collect();
        assert_eq!(kinds[..2], ["township", "city"], "up the ladder, nearest first");
        assert_eq!(across(&kinds), (1, 11, 34), "then across to the city's centre, sector and department committees");
        let township = first.targets[0].unit_id;
        assert_eq!(get(&app, &stranger, &id).await.status(), 404);

        // only the owner refers, only up the ladder; an office that reviews
        // the case does not move it
        assert_eq!(act(&app, &office, &id, json!({"action": "refer", "to_unit": township})).await.status(), 403);
        refused(act(&app, &phone, &id, json!({"action": "refer", "to_unit": stranger.unit_id})).await, "to_unit").await;
        refused(act(&app, &phone, &id, json!({"action": "hand over"})).await, "action").await;
        assert_eq!(act(&app, &phone, &id, json!({"action": "refer", "extra": 1})).await.status(), 400);

        let sent = ok(act(&app, &phone, &id, json!({"action": "refer", "to_unit": township, "note": "涉及两村，需乡镇协调"})).await).await;
        assert_eq!(sent.owner_id, phone.person_id, "still the first mediator's");
        assert_eq!(sent.version, 1, "no new case version until accepted");
        assert!(sent.targets.is_empty(), "one referral at a time");
        refused(act(&app, &phone, &id, json!({"action": "refer", "to_unit": township})).await, "action").await;
        assert!(inbox_kinds(&app, &office).await.iter().any(|(k, t)| k == "referral" && t.starts_with("案件移交待接收")));

        // only the receiving unit answers, by a role that answers for it (not
        // the bureau above, not the township's finance office); a decline
        // needs a reason
        assert_eq!(act(&app, &bureau, &id, json!({"action": "accept"})).await.status(), 403);
        let finance = login(&app, "13900000005").await;
        assert_eq!(act(&app, &finance, &id, json!({"action": "accept"})).await.status(), 403);
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
        assert!(!accepted.names[&office.person_id.to_string()].is_empty(), "the history names people");
        let kinds: Vec<&str> = accepted.targets.iter().map(|t| t.kind.code()).collect();
        assert_eq!(kinds[..1], ["city"], "from the township, only the city is above");
        assert_eq!(kinds.len(), 1 + 46);
        // the phone learns of its new owner at its next pull
        let pulled = pull(&app, &phone, 0).await;
        let change = pulled.changes.iter().rev().find(|c| c.entity_id.to_string() == id).unwrap();
        assert_eq!(change.version, 2);
        assert_eq!(change.payload.as_ref().unwrap()["owner_id"], office.person_id.to_string());
        // the office that accepted it mediates it: its change is applied,
        // the finance office's is refused for its role
        let mut held = change.payload.clone().unwrap();
        held["summary"] = json!("乡镇调委会召集两村调解");
        let r = push(&app, &office, vec![mutation(&office, "upsert", &held, 2)]).await;
        assert_eq!(r.results[0].status, domain::sync::Status::Applied, "{:?}", r.results[0]);
        held["summary"] = json!("财务改");
        let r = push(&app, &finance, vec![mutation(&finance, "upsert", &held, 3)]).await;
        assert_eq!(outcomes(&r), [(domain::sync::Status::Rejected, Some("role"), Some("entity_id"))]);
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

    async fn a_waiting_referral_shows_the_case_without_its_risk_notes(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let medical = login(&app, SECTOR_MEDIATOR).await;
        let case = open_case(&phone, 41, domain::case::RiskLevel::Medium);
        let id = case["id"].as_str().unwrap().to_owned();
        push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;
        // the village agrees the level, with a note about a party's health
        let note = "一方当事人有精神病史，调解时需家属在场";
        let res = app.client.put(app.url(&format!("/api/v1/cases/{id}/risk"))).bearer_auth(&phone.token)
            .json(&json!({"action": "agree", "level": "medium", "note": note})).send().await.unwrap();
        assert_eq!(res.status(), 200);
        ok(act(&app, &phone, &id, json!({"action": "refer", "to_unit": medical.unit_id, "note": "涉及医疗损害"})).await).await;

        // waiting: the committee reads the case, and neither the assessment nor its notes
        let res = server_case(&app, &medical, &id).await;
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        assert!(!text.contains("精神病史"), "{text}");
        let shown: domain::api::ServerCase = serde_json::from_str(&text).unwrap();
        assert!(shown.contacts_hidden && shown.case.risk_assessment.is_none());
        assert_eq!(shown.case.risk, domain::case::RiskLevel::Medium, "the level itself is shown");
        // the owner's side sees it all
        let own: domain::api::ServerCase = server_case(&app, &phone, &id).await.json().await.unwrap();
        assert_eq!(own.case.risk_assessment.unwrap().history.last().unwrap().note, note);
        // accepted, the case and its assessment are the committee's
        ok(act(&app, &medical, &id, json!({"action": "accept"})).await).await;
        let full: domain::api::ServerCase = server_case(&app, &medical, &id).await.json().await.unwrap();
        assert!(!full.contacts_hidden && full.case.risk_assessment.is_some());
        drop(app);
        db.cleanup().await;
    }
}
