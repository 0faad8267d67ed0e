//! What earns money or grants ownership is the server's (docs/sync.md,
//! "The server's fields"): a push that sets `special`, `approved_amount`,
//! `claim_id`, `major_review` or another `owner_id` than the server holds is refused with
//! that field and nothing is stored; a phone's stale copy of them does not
//! undo what the server set. On SQLite and PostgreSQL.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::sync::Status;
use serde_json::{Value, json};

const COMMITTEE_HEAD: &str = "13900000001";

fn answer(r: &domain::sync::PushResponse) -> (Status, Option<&str>, Option<&str>) {
    let r = &r.results[0];
    (r.status, r.code.map(|c| c.code()), r.field.as_deref())
}

async fn stored(db: &TestDb, id: &Value) -> (i64, Value) {
    let (version, payload): (i64, String) =
        sqlx::query_as("SELECT version, payload FROM case_record WHERE id = $1")
            .bind(id.as_str().unwrap())
            .fetch_one(db.db.pool())
            .await
            .unwrap();
    (version, serde_json::from_str(&payload).unwrap())
}

on_both_databases! {
    async fn a_phone_cannot_set_money_or_ownership(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let head = login(&app, COMMITTEE_HEAD).await;
        let case = new_case(&phone, 21);
        let forged: [(&str, Value, &str); 7] = [
            // the review's finding: a self-approved special subsidy
            ("special", json!({"special": true, "approved_amount": "88888.00"}), "payload.special"),
            ("special alone", json!({"special": true}), "payload.special"),
            ("a claim", json!({"claim_id": uuid::Uuid::now_v7()}), "payload.claim_id"),
            ("another owner", json!({"owner_id": head.person_id}), "payload.owner_id"),
            ("an unknown owner", json!({"owner_id": uuid::Uuid::now_v7()}), "payload.owner_id"),
            // a major case's facts verified by the phone itself (tier D, 1,000 yuan)
            ("a self-verified major case", json!({"deaths": 1, "major_review": {
                "verified": true, "by": phone.person_id, "by_name": "杨调解", "at": "2024-05-10T02:00:00Z",
                "opinion": "已核实", "deaths": 1, "disability_grade": null, "independent": true}}), "payload.major_review"),
            ("a refused review", json!({"major_review": {
                "verified": false, "by": phone.person_id, "by_name": "杨调解", "at": "2024-05-10T02:00:00Z",
                "opinion": "x", "deaths": 0, "disability_grade": null, "independent": true}}), "payload.major_review"),
        ];
        for (what, fields, field) in &forged {
            let mut f = case.clone();
            for (k, v) in fields.as_object().unwrap() {
                f[k] = v.clone();
            }
            let r = push(&app, &phone, vec![mutation(&phone, "upsert", &f, 0)]).await;
            assert_eq!(answer(&r), (Status::Rejected, Some("invalid"), Some(*field)), "{what}");
        }
        assert_eq!(count(&db, "case_record").await, 0, "nothing of a forged case is stored");

        // the case as it should be: owned by its pusher
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;
        assert_eq!(answer(&r).0, Status::Applied);
        assert_eq!(r.results[0].verdict.as_ref().unwrap().amount, domain::Money::yuan(30));
        // an edit may not set them either: the committee head taking the case over
        let mut takeover = case.clone();
        takeover["owner_id"] = json!(head.person_id);
        takeover["summary"] = json!("改由主任负责");
        let r = push(&app, &head, vec![mutation(&head, "upsert", &takeover, 1)]).await;
        assert_eq!(answer(&r), (Status::Rejected, Some("invalid"), Some("payload.owner_id")));
        let mut paid = case.clone();
        paid["special"] = json!(true);
        paid["approved_amount"] = json!("5000.00");
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &paid, 1)]).await;
        assert_eq!(answer(&r), (Status::Rejected, Some("invalid"), Some("payload.special")));
        let (version, held) = stored(&db, &case["id"]).await;
        assert_eq!(version, 1);
        assert_eq!(held["owner_id"], json!(phone.person_id));
        assert_eq!(held["special"], json!(false));
        // the ownership record, where one was made, names the same owner
        let records: Vec<String> = sqlx::query_scalar("SELECT payload FROM case_ownership WHERE case_id = $1")
            .bind(case["id"].as_str().unwrap()).fetch_all(db.db.pool()).await.unwrap();
        for r in records {
            let r: Value = serde_json::from_str(&r).unwrap();
            assert_eq!(r["owner_id"], json!(phone.person_id), "{r}");
        }
        drop(app);
        db.cleanup().await;
    }

    async fn a_stale_copy_does_not_undo_what_the_server_set(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let other = login(&app, VILLAGE_MEDIATOR).await;
        let case = new_case(&phone, 22);
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;
        assert_eq!(answer(&r).0, Status::Applied);
        // another phone changes the place: version 2
        let mut moved = case.clone();
        moved["place"] = json!("村委会二楼");
        let r = push(&app, &other, vec![mutation(&other, "upsert", &moved, 1)]).await;
        assert_eq!(answer(&r).0, Status::Applied);
        // meanwhile the server holds it as special with the bureau's amount
        // (what the bureau's decision will write; set here by hand)
        let (_, mut held) = stored(&db, &case["id"]).await;
        held["special"] = json!(true);
        held["approved_amount"] = json!("500.00");
        sqlx::query("UPDATE case_record SET payload = $1 WHERE id = $2")
            .bind(held.to_string()).bind(case["id"].as_str().unwrap())
            .execute(db.db.pool()).await.unwrap();
        // the first phone edits its version 1, which knew none of it
        let mut edit = case.clone();
        edit["summary"] = json!("补充：双方同意共同疏通");
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &edit, 1)]).await;
        assert_eq!(answer(&r).0, Status::Applied, "{:?}", r.results[0]);
        let (version, now) = stored(&db, &case["id"]).await;
        assert_eq!(version, 3);
        assert_eq!((now["special"].clone(), now["approved_amount"].clone()), (json!(true), json!("500.00")));
        assert_eq!((now["summary"].clone(), now["place"].clone()), (edit["summary"].clone(), moved["place"].clone()));
        // and a phone that read the special case may send it back unchanged
        let r = push(&app, &other, vec![mutation(&other, "upsert", &now, 3)]).await;
        assert_eq!(answer(&r).0, Status::Applied, "{:?}", r.results[0]);
        // but not clear it
        let mut cleared = now.clone();
        cleared["special"] = json!(false);
        cleared["approved_amount"] = Value::Null;
        let r = push(&app, &other, vec![mutation(&other, "upsert", &cleared, 4)]).await;
        assert_eq!(answer(&r), (Status::Rejected, Some("invalid"), Some("payload.special")));
        drop(app);
        db.cleanup().await;
    }
}
