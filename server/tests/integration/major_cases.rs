//! Major cases (重大纠纷, tier D): the phone records the deaths or the
//! disability grade and a photo of the evidence; they earn nothing until
//! the judicial office verifies them on the case (`PUT
//! /api/v1/cases/{id}/major-review`); a later change of those facts needs a
//! new review. On SQLite and PostgreSQL.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::Money;
use domain::sync::Status;
use serde_json::{Value, json};

const TOWNSHIP_FINANCE: &str = "13900000005";

async fn review(app: &TestApp, who: &Device, id: &Value, body: Value) -> (u16, Value) {
    let res = app
        .client
        .put(app.url(&format!(
            "/api/v1/cases/{}/major-review",
            id.as_str().unwrap()
        )))
        .bearer_auth(&who.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn server_verdict(app: &TestApp, who: &Device, id: &Value) -> (Option<String>, Money, Value) {
    let shown: Value = app
        .client
        .get(app.url(&format!("/api/v1/cases/{}", id.as_str().unwrap())))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let case = &shown["case"];
    let verdict: domain::rules::Verdict =
        serde_json::from_value(case["server_verdict"].clone()).unwrap();
    (verdict.tier, verdict.amount, case.clone())
}

on_both_databases! {
    async fn a_major_case_earns_its_tier_once_the_judicial_office_verified_it(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let finance = login(&app, TOWNSHIP_FINANCE).await;
        let photo = photo_bytes(3_000, 7);
        let case = major_case(&phone, 1, None, Some(&photo));
        let id = case["id"].clone();

        // recorded with a death: the server pays tier C until it is verified
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        let v = r.results[0].verdict.clone().unwrap();
        assert_eq!((v.tier.as_deref(), v.amount), (Some("C"), Money::yuan(200)));

        // who may not: the mediator, the finance office; an empty opinion
        let verify = json!({"verified": true, "opinion": "伤残鉴定书、派出所证明已核，调委会独立调解"});
        assert_eq!(review(&app, &phone, &id, verify.clone()).await.0, 403);
        assert_eq!(review(&app, &finance, &id, verify.clone()).await.0, 403);
        let (status, body) = review(&app, &office, &id, json!({"verified": true, "opinion": "  "})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("opinion")));
        let (status, _) = review(&app, &office, &id, json!({"verified": true, "opinion": "x", "amount": "1000"})).await;
        assert_eq!(status, 400, "an unknown field is refused");

        // the judicial office verifies: tier D, 1,000 yuan, named and dated
        let (status, body) = review(&app, &office, &id, verify.clone()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["verdict"]["tier"], "D");
        assert_eq!(body["major_review"]["verified"], true);
        assert_eq!(body["major_review"]["by"], json!(office.person_id));
        assert!(!body["major_review"]["by_name"].as_str().unwrap().is_empty());
        let (tier, amount, held) = server_verdict(&app, &office, &id).await;
        assert_eq!((tier.as_deref(), amount), (Some("D"), Money::yuan(1000)));
        // the bureau reads who verified it in the case's history (the audit trail)
        let bureau = login(&app, BUREAU).await;
        let history: Value = app.client.get(app.url(&format!("/api/v1/cases/{}/history", id.as_str().unwrap())))
            .bearer_auth(&bureau.token).send().await.unwrap().json().await.unwrap();
        let newest = &history["versions"][0];
        assert_eq!(newest["how"], "major_verified", "{history}");
        assert!(newest["changed"].as_array().unwrap().contains(&json!("major_review")), "{newest}");
        assert!(newest["by"].as_str().is_some_and(|by| !by.is_empty()), "{newest}");
        let version = held["version"].as_u64().unwrap();

        // the phone learns of it at its pull, and its next edit keeps it
        let pulled = pull(&app, &phone, 0).await;
        let mine = pulled.changes.iter().find(|c| c.entity_id.to_string() == id.as_str().unwrap()).unwrap();
        let mut edited = mine.payload.clone().unwrap();
        assert_eq!(edited["major_review"]["verified"], true);
        edited["summary"] = json!("补记：双方已当面确认");
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &edited, version)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        assert_eq!(r.results[0].verdict.as_ref().unwrap().tier.as_deref(), Some("D"));
        // a changed death count is not what was verified: back to C
        edited["deaths"] = json!(2);
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &edited, version + 1)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        assert_eq!(r.results[0].verdict.as_ref().unwrap().tier.as_deref(), Some("C"));
        // the finance office sees the amount the verdict pays, and the review
        let (tier, _, seen) = server_verdict(&app, &finance, &id).await;
        assert_eq!(tier.as_deref(), Some("C"));
        assert_eq!(seen["major_review"]["deaths"], 1);
        assert_eq!(seen["major_review"]["opinion"], "", "the opinion may name the dead: not for finance");

        // no evidence photo: it cannot be verified; a refusal names what is missing
        let bare = major_case(&phone, 0, Some(2), None);
        let bare_id = bare["id"].clone();
        assert_eq!(push(&app, &phone, vec![mutation(&phone, "upsert", &bare, 0)]).await.results[0].status, Status::Applied);
        let (status, body) = review(&app, &office, &bare_id, verify.clone()).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("attachments")), "{body}");
        let (status, body) = review(&app, &office, &bare_id, json!({"verified": false, "opinion": "缺少伤残等级鉴定书"})).await;
        assert_eq!(status, 200);
        assert_eq!((body["verdict"]["tier"].as_str(), body["major_review"]["verified"].as_bool()), (Some("C"), Some(false)));

        // nothing major recorded: nothing to verify
        let plain = major_case(&phone, 0, Some(5), Some(&photo));
        let plain_id = plain["id"].clone();
        assert_eq!(push(&app, &phone, vec![mutation(&phone, "upsert", &plain, 0)]).await.results[0].status, Status::Applied);
        let (status, body) = review(&app, &office, &plain_id, verify).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("deaths")));
        drop(app);
        db.cleanup().await;
    }
}
