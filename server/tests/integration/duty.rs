//! 履职认定 and the fixed part (定额补助): the judicial office sees every
//! full-time mediator of its township with what their committee reported
//! in the month, decides each month (800 yuan, or nothing with a reason),
//! may correct a decision (appended: the last holds), and the mediator
//! reads their months in 我的补助. Nobody else decides; nobody outside the
//! township is listed. On SQLite and PostgreSQL.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::Money;
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

on_both_databases! {
    async fn the_fixed_part_is_paid_to_the_township_then_each_mediator(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let today = domain::dates::china_date(jiff::Timestamp::now());
        let report = tiaojie_server::demo::load_fixed_pay(&db.db, today).await.unwrap();
        // 鹿城镇's 37 full-time mediators, nine months; two quarters paid (the township, and each mediator owed)
        assert_eq!(report.decisions, 37 * 9);
        assert_eq!(report.payments, 2 * (1 + 37));
        assert_eq!(tiaojie_server::demo::load_fixed_pay(&db.db, today).await.unwrap(), Default::default(), "loaded once");
        let app = TestApp::spawn(&db).await;
        let staff = login(&app, JUDICIAL_OFFICE).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let bureau = login(&app, "13900000009").await;
        let finance = login(&app, "13900000005").await;
        let last = domain::claim::Quarter::containing(today).prev().unwrap();
        let payroll = format!("/api/v1/duty/payroll?quarter={last}");

        // the bureau sees every township; the last quarter of 鹿城镇 is decided and waits for it
        let (status, all) = call(&app, &bureau, "GET", &payroll, None).await;
        assert_eq!(status, 200, "{all}");
        let townships = all["townships"].as_array().unwrap();
        assert_eq!(townships.len(), 15);
        let ours = townships.iter().find(|t| t["undecided"] == 0).unwrap().clone();
        let other = townships.iter().find(|t| t["undecided"] != 0).unwrap().clone();
        assert!(ours["paid"].is_null());
        // 37 mediators × 3 months × 800, one month not performed
        assert_eq!(ours["amount"], "88000.00", "{ours}");
        let people_sum: i64 = ours["people"].as_array().unwrap().iter().map(|p| p["amount"].as_str().unwrap().parse::<Money>().unwrap().to_fen()).sum();
        assert_eq!(people_sum, 8_800_000, "the township's total is its people's");
        // a mediator who left during the quarter is still owed the months decided
        let leaver = ours["people"].as_array().unwrap().iter().find(|p| p["person_id"] != json!(phone.person_id)).unwrap()["person_id"].as_str().unwrap().to_owned();
        sqlx::query("UPDATE person SET active = 0 WHERE id = $1").bind(&leaver).execute(db.db.pool()).await.unwrap();
        let (_, again) = call(&app, &bureau, "GET", &payroll, None).await;
        let still = again["townships"].as_array().unwrap().iter().find(|t| t["township_id"] == ours["township_id"]).unwrap().clone();
        assert_eq!((still["amount"].as_str(), still["undecided"].as_u64(), still["people"].as_array().unwrap().len()), (Some("88000.00"), Some(0), 37), "{still}");
        // the township's offices see their township only; a mediator, a head or the section nothing
        for who in [&staff, &finance] {
            let (status, mine) = call(&app, who, "GET", &payroll, None).await;
            assert_eq!(status, 200);
            assert_eq!(mine["townships"].as_array().unwrap().len(), 1);
            assert_eq!(mine["townships"][0]["township_id"], ours["township_id"]);
        }
        for phone_no in [VILLAGE_MEDIATOR, "13900000001", BUREAU] {
            let who = login(&app, phone_no).await;
            assert_eq!(call(&app, &who, "GET", &payroll, None).await.0, 403, "{phone_no}");
        }

        // 拨付: only when every month is decided, at the total, on a real date, once
        let pay = |township: &Value, amount: &str, paid_on: String| json!({"township_id": township, "quarter": last.to_string(), "amount": amount, "paid_on": paid_on, "voucher": "记-定额-1"});
        let iso = domain::dates::format_iso;
        let url = "/api/v1/duty/township-payments";
        let (status, body) = call(&app, &bureau, "POST", url, Some(pay(&other["township_id"], "0.00", iso(today)))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("quarter")), "{body}");
        let (status, body) = call(&app, &bureau, "POST", url, Some(pay(&ours["township_id"], "88000.01", iso(today)))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("amount")), "{body}");
        assert!(body["message"].as_str().unwrap().contains("88000.00"), "names the amount due: {body}");
        let tomorrow = today.tomorrow().unwrap();
        let (status, body) = call(&app, &bureau, "POST", url, Some(pay(&ours["township_id"], "88000.00", iso(tomorrow)))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("paid_on")));
        let mut forged = pay(&ours["township_id"], "88000.00", iso(today));
        forged["fixed"] = json!([{"person_id": phone.person_id, "month": "2026-07", "amount": "9999.00"}]);
        assert_eq!(call(&app, &bureau, "POST", url, Some(forged)).await.0, 400, "the months are the server's");
        assert_eq!(call(&app, &finance, "POST", url, Some(pay(&ours["township_id"], "88000.00", iso(today)))).await.0, 403);
        let (status, paid) = call(&app, &bureau, "POST", url, Some(pay(&ours["township_id"], "88000.00", iso(today)))).await;
        assert_eq!(status, 200, "{paid}");
        assert_eq!(paid["fixed"].as_array().unwrap().len(), 37 * 3, "every month, as decided");
        let (status, body) = call(&app, &bureau, "POST", url, Some(pay(&ours["township_id"], "88000.00", iso(today)))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("quarter")), "paid once");

        // a month paid is final
        let month = domain::fixed_payroll::months(last)[0].to_string();
        let (status, body) = call(&app, &staff, "POST", "/api/v1/duty", Some(json!({"person_id": phone.person_id, "month": month, "performed": false, "reason": "补录"}))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("month")), "{body}");

        // 核发: the mediator's months as paid, once; two at once: one wins
        let url = "/api/v1/duty/mediator-payments";
        let pay = |person: &Value, amount: &str| json!({"mediator_id": person, "quarter": last.to_string(), "amount": amount, "paid_on": iso(today), "method": "bank_transfer", "reference": "农信社 0001"});
        let me = json!(phone.person_id);
        let (status, body) = call(&app, &finance, "POST", url, Some(pay(&me, "800.00"))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("amount")), "{body}");
        assert_eq!(call(&app, &bureau, "POST", url, Some(pay(&me, "2400.00"))).await.0, 403);
        let (status, body) = call(&app, &finance, "POST", url, Some(pay(&json!(staff.person_id), "2400.00"))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("mediator_id")), "not a full-time mediator");
        let (a, b) = tokio::join!(
            call(&app, &finance, "POST", url, Some(pay(&me, "2400.00"))),
            call(&app, &finance, "POST", url, Some(pay(&me, "2400.00"))),
        );
        let mut codes = [a.0, b.0];
        codes.sort_unstable();
        assert!(codes == [200, 409] || codes == [200, 422], "exactly one wins: {codes:?} {a:?} {b:?}");
        let paid_me = if a.0 == 200 { a.1 } else { b.1 };
        assert_eq!(paid_me["fixed"].as_array().unwrap().len(), 3);

        // 到账确认 in 我的补助: not arrived reaches the judicial office, then received
        let (_, mine) = call(&app, &phone, "GET", "/api/v1/claims/mine", None).await;
        let listed = mine["payments"].as_array().unwrap().iter().find(|p| p["id"] == paid_me["id"]).unwrap().clone();
        assert_eq!(listed["amount"], "2400.00");
        let receipt = format!("/api/v1/payments/{}/receipt", paid_me["id"].as_str().unwrap());
        let (status, _) = call(&app, &phone, "POST", &receipt, Some(json!({"received": false, "note": "卡上没有看到"}))).await;
        assert_eq!(status, 200);
        let told = inbox(&app, &staff).await;
        assert!(told.items.iter().any(|i| i.kind == domain::api::InboxKind::Payment && i.body.contains("定额补助")), "{told:?}");
        assert_eq!(call(&app, &phone, "POST", &receipt, Some(json!({"received": true}))).await.0, 200);

        // the payroll now shows both payments; the parts reconcile with the payments
        let (_, now) = call(&app, &finance, "GET", &payroll, None).await;
        let t = &now["townships"][0];
        assert_eq!(t["paid"]["amount"], "88000.00");
        let row = t["people"].as_array().unwrap().iter().find(|p| p["person_id"] == me).unwrap();
        assert_eq!(row["paid"]["receipts"].as_array().unwrap().len(), 2);
        let parts: i64 = sqlx::query_scalar("SELECT CAST(SUM(amount_fen) AS BIGINT) FROM fixed_payment_part WHERE payee = 'township'")
            .fetch_one(db.db.pool()).await.unwrap();
        let paid_fen: i64 = sqlx::query_scalar("SELECT CAST(SUM(amount_fen) AS BIGINT) FROM claim_payment WHERE payee = 'township' AND id IN (SELECT payment_id FROM fixed_payment_part)")
            .fetch_one(db.db.pool()).await.unwrap();
        assert_eq!(parts, paid_fen, "every township payment is its months");
        assert_eq!(count(&db, "fixed_payment_part").await, 3 * 37 * 3 + 2 * 37 * 3 + 3, "three quarters to the township, two and one mediator paid");
        drop(app);
        db.cleanup().await;
    }
}
