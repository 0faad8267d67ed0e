//! 履职认定 and the fixed part (定额补助): the judicial office sees every
//! full-time mediator of its township with what their committee reported
//! in the month, decides each month (800 yuan, or nothing with a reason),
//! may correct a decision (appended: the last holds), and the mediator
//! reads their months in 我的补助. Nobody else decides; nobody outside the
//! township is listed. On SQLite and PostgreSQL.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::screening::{ScreeningOutcome, ScreeningRecord};
use serde_json::{Value, json};

const DIRECTOR: &str = "13900000003";

async fn call(
    app: &TestApp,
    who: &Device,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = match method {
        "GET" => app.client.get(app.url(path)),
        _ => app.client.post(app.url(path)),
    }
    .bearer_auth(&who.token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

on_both_databases! {
    async fn the_judicial_office_decides_each_mediators_month(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let staff = login(&app, JUDICIAL_OFFICE).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;

        // the village files its monthly screening for October
        let record = ScreeningRecord {
            id: domain::ScreeningId::new_v7(),
            unit_id: phone.unit_id,
            duty: "village_monthly_screening".into(),
            date: domain::dates::parse_iso("2026-10-12").unwrap(),
            coverage: "全村".into(),
            households: Some(120),
            outcome: ScreeningOutcome::NothingFound,
            notes: String::new(),
            photo: None,
            recorded_by: phone.person_id,
            attendees: None,
        };
        phone.seq.set(phone.seq.get() + 1);
        let m = json!({"seq": phone.seq.get(), "mutation_id": uuid::Uuid::now_v7(), "entity": "screening", "entity_id": record.id, "op": "upsert", "base_version": 0, "payload": record});
        let r = push(&app, &phone, vec![m]).await;
        assert_eq!(r.results[0].status, domain::sync::Status::Applied, "{:?}", r.results[0]);

        let (status, month) = call(&app, &staff, "GET", "/api/v1/duty?month=2026-10", None).await;
        assert_eq!(status, 200, "{month}");
        let rows = month["rows"].as_array().unwrap();
        // 鹿城镇: 8 villages (the first has 2 full-time mediators) and 14 communities (2 each)
        assert_eq!(rows.len(), 37, "every full-time mediator of the township");
        let mine = rows.iter().find(|r| r["person_id"] == json!(phone.person_id)).unwrap();
        assert_eq!((mine["unit_reported"].as_bool(), mine["records"].as_u64()), (Some(true), Some(1)));
        assert_eq!(month["undecided"], 37);
        let other = rows.iter().find(|r| r["person_id"] != json!(phone.person_id)).unwrap()["person_id"].clone();

        // 履职: 800.00 by the 2014 rules; not: 0.00 and a reason, which is required
        let decide = |person: &Value, performed: bool, reason: Option<&str>| json!({"person_id": person, "month": "2026-10", "performed": performed, "reason": reason});
        let (status, row) = call(&app, &staff, "POST", "/api/v1/duty", Some(decide(&json!(phone.person_id), true, None))).await;
        assert_eq!(status, 200, "{row}");
        assert_eq!(row["decision"]["amount"], "800.00");
        assert!(!row["decision"]["by_name"].as_str().unwrap().is_empty());
        let (status, body) = call(&app, &staff, "POST", "/api/v1/duty", Some(decide(&other, false, None))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("reason")));
        let (status, row) = call(&app, &staff, "POST", "/api/v1/duty", Some(decide(&other, false, Some("本月未开展排查，也未上报")))).await;
        assert_eq!(status, 200);
        assert_eq!(row["decision"]["amount"], "0.00");
        // a correction by the director: appended, the last holds
        let director = login(&app, DIRECTOR).await;
        let (status, _) = call(&app, &director, "POST", "/api/v1/duty", Some(decide(&other, true, None))).await;
        assert_eq!(status, 200);
        let (_, month) = call(&app, &staff, "GET", "/api/v1/duty?month=2026-10", None).await;
        assert_eq!(month["total"], "1600.00");
        assert_eq!(month["undecided"], 35);
        assert_eq!(count(&db, "duty_decision").await, 3, "the past is kept");

        // nobody else decides; a month to come is refused; a stranger is not found
        for phone_no in [VILLAGE_MEDIATOR, "13900000001", "13900000004", "13900000005", BUREAU] {
            let who = login(&app, phone_no).await;
            let (status, _) = call(&app, &who, "POST", "/api/v1/duty", Some(decide(&other, true, None))).await;
            assert_eq!(status, 403, "{phone_no}");
        }
        let (status, body) = call(&app, &staff, "POST", "/api/v1/duty", Some(json!({"person_id": other, "month": "2099-01", "performed": true}))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("month")));
        let (status, _) = call(&app, &staff, "POST", "/api/v1/duty", Some(decide(&json!(staff.person_id), true, None))).await;
        assert_eq!(status, 404, "only the full-time mediators below");
        let (status, _) = call(&app, &staff, "POST", "/api/v1/duty", Some(json!({"person_id": other, "month": "2026-10", "performed": true, "amount": "1000.00"}))).await;
        assert_eq!(status, 400, "an amount is the rule set's, never the caller's");

        // the mediator reads the month in 我的补助
        let (_, mine) = call(&app, &phone, "GET", "/api/v1/claims/mine", None).await;
        assert_eq!(mine["fixed"][0]["month"], "2026-10");
        assert_eq!(mine["fixed"][0]["amount"], "800.00");
        drop(app);
        db.cleanup().await;
    }
}
