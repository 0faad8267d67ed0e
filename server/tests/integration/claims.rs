//! The quarterly claim (以案定补兑现): a committee head claims the
//! quarter's closed cases at the server's amounts, which locks them on
//! every phone; the judicial office, the township leader and the bureau
//! sign their steps in turn, reducing or returning lines with a reason;
//! nobody signs two steps; a returned case is free to fix and claim again;
//! of two signatures of one step at once, one wins. On SQLite and
//! PostgreSQL, with the demo's log-ins.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::Money;
use domain::case::RiskLevel;
use domain::sync::{Refusal, Status};
use serde_json::{Value, json};

pub(crate) const HEAD: &str = "13900000001";
pub(crate) const DIRECTOR: &str = "13900000003";
pub(crate) const LEADER: &str = "13900000004";
pub(crate) const TOWNSHIP_FINANCE: &str = "13900000005";
pub(crate) const APPROVER: &str = "13900000007";
pub(crate) const BUREAU_FINANCE: &str = "13900000009";
const PARTY_GROUP: &str = "13900000008";

fn today() -> String {
    domain::dates::format_iso(domain::dates::china_date(jiff::Timestamp::now()))
}

pub(crate) async fn call(
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

/// A closed case of the device's committee, closed on `closed` (a general
/// one with its six forms earns C, an oral one A).
pub(crate) fn closed(device: &Device, general: bool, closed: &str) -> Value {
    let mut case = if general {
        domain::testing::general_case()
    } else {
        domain::testing::oral_case()
    };
    case.id = domain::CaseId::new_v7();
    case.seq = None;
    case.unit_id = device.unit_id;
    case.owner_id = device.person_id;
    let day = domain::dates::parse_iso(closed).unwrap();
    case.received_on = day;
    case.closed_on = Some(day);
    for s in &mut case.sessions {
        s.held_on = day;
    }
    serde_json::to_value(case).unwrap()
}

pub(crate) async fn pushed(app: &TestApp, device: &Device, case: &Value) -> String {
    let r = push(app, device, vec![mutation(device, "upsert", case, 0)]).await;
    assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
    case["id"].as_str().unwrap().to_owned()
}

pub(crate) fn step(step: &str, version: &Value, decision: &str, lines: Value) -> Value {
    json!({"step": step, "version": version, "decision": decision, "opinion": "经审核，情况属实", "lines": lines})
}

/// 回访抽查 as the judicial office makes it: the claim's sample drawn (if
/// not yet) and a party of each sampled case still waiting reached and
/// confirming; answers the claim as it then stands.
pub(crate) async fn called_back(app: &TestApp, staff: &Device, id: &str) -> Value {
    let (status, mut claim) = call(app, staff, "GET", &format!("/api/v1/claims/{id}"), None).await;
    assert_eq!(status, 200, "{claim}");
    if claim["claim"]["spot_check"].is_null() {
        let body = json!({"version": claim["claim"]["version"]});
        let (status, drawn) = call(
            app,
            staff,
            "POST",
            &format!("/api/v1/claims/{id}/spot-check"),
            Some(body),
        )
        .await;
        assert_eq!(status, 200, "{drawn}");
        claim = drawn;
    }
    let check = claim["claim"]["spot_check"].clone();
    for case in check["cases"].as_array().unwrap() {
        let decided = check["calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| &c["case_id"] == case && c["reached"] == true);
        let returned = claim["current"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| &l["case_id"] == case && l["returned"] == true);
        if decided || returned {
            continue;
        }
        let body = json!({"version": claim["claim"]["version"], "case_id": case, "reached": true, "confirms": true, "satisfied": true, "notes": "认可调解"});
        let (status, next) = call(
            app,
            staff,
            "POST",
            &format!("/api/v1/claims/{id}/spot-check/calls"),
            Some(body),
        )
        .await;
        assert_eq!(status, 200, "{next}");
        claim = next;
    }
    claim
}

on_both_databases! {
    async fn a_claim_goes_through_the_reviews_with_reductions_and_returns(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let head = login(&app, HEAD).await;
        let staff = login(&app, JUDICIAL_OFFICE).await;
        let director = login(&app, DIRECTOR).await;
        let leader = login(&app, LEADER).await;
        let finance = login(&app, TOWNSHIP_FINANCE).await;
        let section = login(&app, BUREAU).await;
        let approver = login(&app, APPROVER).await;
        let unit = head.unit_id.to_string();

        let oral = pushed(&app, &phone, &closed(&phone, false, "2024-05-10")).await;
        let general = pushed(&app, &phone, &closed(&phone, true, "2024-05-12")).await;
        let general2 = pushed(&app, &phone, &closed(&phone, true, "2024-06-30")).await;
        let after = pushed(&app, &phone, &closed(&phone, true, "2024-07-01")).await;
        let open = pushed(&app, &phone, &open_case(&phone, 3, RiskLevel::Low)).await;
        let community = login(&app, COMMUNITY_MEDIATOR).await;
        let theirs = pushed(&app, &community, &closed(&community, true, "2024-05-12")).await;

        // the draft: the quarter's closed cases at the server's amounts
        let draft_path = format!("/api/v1/claims/draft?unit_id={unit}&quarter=2024-Q2");
        let (status, draft) = call(&app, &head, "GET", &draft_path, None).await;
        assert_eq!(status, 200, "{draft}");
        let line = |id: &str| draft["lines"].as_array().unwrap().iter().find(|l| l["case_id"] == id).cloned();
        assert_eq!(line(&oral).unwrap()["amount"], "30.00");
        assert_eq!(line(&general).unwrap()["tier"], "C");
        assert!(line(&after).is_none(), "closed after the quarter");
        assert!(line(&open).is_none() && line(&theirs).is_none());
        assert_eq!(line(&oral).unwrap()["parties"], json!(["李建国", "张志强"]));
        // the committee has a head: its mediator does not claim; nor does an office
        assert_eq!(call(&app, &phone, "GET", &draft_path, None).await.0, 403);
        assert_eq!(call(&app, &staff, "GET", &draft_path, None).await.0, 403);
        let (status, body) = call(&app, &head, "GET", &format!("/api/v1/claims/draft?unit_id={unit}&quarter=2024-07"), None).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("quarter")));

        // what may not be claimed is refused with its index and why
        let submit = |cases: Vec<&str>| json!({"unit_id": unit, "quarter": "2024-Q2", "cases": cases});
        for (cases, bad, why) in [
            (vec![oral.as_str(), open.as_str()], "cases[1]", "结案"),
            (vec![oral.as_str(), theirs.as_str()], "cases[1]", "不是本调委会"),
            (vec![after.as_str()], "cases[0]", "之后结案"),
            (vec![oral.as_str(), oral.as_str()], "cases[1]", "两次"),
        ] {
            let (status, body) = call(&app, &head, "POST", "/api/v1/claims", Some(submit(cases))).await;
            assert_eq!((status, body["field"].as_str()), (422, Some(bad)), "{body}");
            assert!(body["message"].as_str().unwrap().contains(why), "{body}");
        }
        let mut forged = submit(vec![oral.as_str()]);
        forged["amount"] = json!("9999.00");
        assert_eq!(call(&app, &head, "POST", "/api/v1/claims", Some(forged)).await.0, 400, "an unknown field is refused");
        assert_eq!(count(&db, "claim").await, 0, "nothing stored half-way");

        // submitted: 430 yuan, waiting for 初审, every case locked
        let (status, claim) = call(&app, &head, "POST", "/api/v1/claims", Some(submit(vec![&oral, &general, &general2]))).await;
        assert_eq!(status, 200, "{claim}");
        let id = claim["claim"]["id"].as_str().unwrap().to_owned();
        assert_eq!(claim["claim"]["stage"], "first_review");
        assert_eq!((claim["claimed_total"].as_str(), claim["total"].as_str()), (Some("430.00"), Some("430.00")));
        let (status, body) = call(&app, &head, "POST", "/api/v1/claims", Some(submit(vec![&general]))).await;
        assert_eq!(status, 422);
        assert!(body["message"].as_str().unwrap().contains(&id), "the claim is named: {body}");

        // the phone learns of the lock; its edit is refused with the claim named
        let pulled = pull(&app, &phone, 0).await;
        let held = pulled.changes.iter().find(|c| c.entity_id.to_string() == general).unwrap();
        let mut edited = held.payload.clone().unwrap();
        assert_eq!(edited["claim_id"], json!(id));
        edited["summary"] = json!("改一下");
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &edited, held.version)]).await;
        assert_eq!(r.results[0].status, Status::Rejected);
        assert_eq!(r.results[0].code, Some(Refusal::Locked));
        let message = r.results[0].message.clone().unwrap_or_default();
        assert!(message.contains("2024年第2季度以案定补申报"), "{message}");

        // 初审: only the judicial office's staff, on the version read
        let path = format!("/api/v1/claims/{id}/steps");
        let v1 = claim["claim"]["version"].clone();
        for who in [&director, &leader, &finance, &head, &phone] {
            assert_eq!(call(&app, who, "POST", &path, Some(step("first_review", &v1, "pass", json!([])))).await.0, 403);
        }
        // the director's turn has not come
        let (status, body) = call(&app, &director, "POST", &path, Some(step("second_review", &v1, "pass", json!([])))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("step")), "{body}");
        // 初审 passes nothing before its call-backs (回访抽查)
        let (status, body) = call(&app, &staff, "POST", &path, Some(step("first_review", &v1, "pass", json!([])))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("spot_check")), "{body}");
        let claim = called_back(&app, &staff, &id).await;
        assert_eq!(claim["claim"]["spot_check"]["cases"].as_array().unwrap().len(), 2, "10 %, at least 2");
        let (status, body) = call(&app, &staff, "POST", &path, Some(step("first_review", &v1, "pass", json!([])))).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("stale")), "the calls moved the claim on");
        let v1 = claim["claim"]["version"].clone();
        let reduce = json!([{"case_id": general, "action": "reduce", "tier": "B", "reason": "缺少回访记录"}]);
        let up = json!([{"case_id": oral, "action": "reduce", "tier": "C", "reason": "提高"}]);
        let (status, body) = call(&app, &staff, "POST", &path, Some(step("first_review", &v1, "pass", up))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("lines[0].tier")), "a reduction never raises");
        let (status, claim) = call(&app, &staff, "POST", &path, Some(step("first_review", &v1, "pass", reduce))).await;
        assert_eq!(status, 200, "{claim}");
        assert_eq!(claim["claim"]["stage"], "second_review");
        assert_eq!(claim["total"], "330.00");
        assert_eq!(claim["claimed_total"], "430.00", "what was claimed is kept");
        assert_eq!(claim["claim"]["signatures"][0]["total"], "330.00");
        // signed already: a second signature on the old version is stale
        let (status, body) = call(&app, &staff, "POST", &path, Some(step("first_review", &v1, "pass", json!([])))).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("stale")));

        // 复审 returns the oral case to the committee: unlocked, editable again
        let v2 = claim["claim"]["version"].clone();
        let back = json!([{"case_id": oral, "action": "return", "reason": "口头协议登记表未签字"}]);
        let (status, claim) = call(&app, &director, "POST", &path, Some(step("second_review", &v2, "pass", back))).await;
        assert_eq!(status, 200, "{claim}");
        assert_eq!(claim["total"], "300.00");
        let returned = claim["current"].as_array().unwrap().iter().find(|l| l["case_id"] == oral.as_str()).unwrap().clone();
        assert_eq!((returned["returned"].as_bool(), returned["amount"].as_str()), (Some(true), Some("0.00")));
        let pulled = pull(&app, &phone, 0).await;
        let freed = pulled.changes.iter().find(|c| c.entity_id.to_string() == oral).unwrap();
        let mut fixed = freed.payload.clone().unwrap();
        assert_eq!(fixed["claim_id"], Value::Null);
        fixed["summary"] = json!("补签口头协议登记表");
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &fixed, freed.version)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        // … and it can be claimed again, in the same quarter
        let (status, again) = call(&app, &head, "POST", "/api/v1/claims", Some(submit(vec![&oral]))).await;
        assert_eq!(status, 200, "{again}");

        // 复核, 复核汇总, 审批: each by its role; the finance office waits for its turn
        let mut claim = claim;
        for (who, name) in [(&leader, "township_check"), (&section, "city_summary"), (&approver, "approval")] {
            let (status, list) = call(&app, who, "GET", "/api/v1/claims?quarter=2024-Q2", None).await;
            assert_eq!(status, 200);
            let mine = list.as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).unwrap();
            assert_eq!(mine["my_step"], name, "waiting for {name}: {mine}");
            let v = claim["claim"]["version"].clone();
            let (status, body) = call(&app, who, "POST", &path, Some(step(name, &v, "pass", json!([])))).await;
            assert_eq!(status, 200, "{name}: {body}");
            claim = body;
        }
        assert_eq!(claim["claim"]["stage"], "township_payment");
        let signed: Vec<&str> = claim["claim"]["signatures"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
        assert_eq!(signed, ["first_review", "second_review", "township_check", "city_summary", "approval"]);
        assert!(claim["claim"]["signatures"].as_array().unwrap().iter().all(|s| s["total"] == "300.00" || s["step"] == "first_review"));
        // the finance office reads the amounts, not the parties' names
        let (status, seen) = call(&app, &finance, "GET", &format!("/api/v1/claims/{id}"), None).await;
        assert_eq!(status, 200);
        assert!(seen["claim"]["lines"].as_array().unwrap().iter().all(|l| l["parties"] == json!([])), "{seen}");
        assert_eq!(seen["total"], "300.00");
        // another township's people do not see it at all
        let (status, _) = call(&app, &community, "GET", &format!("/api/v1/claims/{id}"), None).await;
        assert_eq!(status, 404);

        // history is append-only: the lines as claimed, then each change
        assert_eq!(count(&db, "claim_line_change").await, 2);
        assert_eq!(count(&db, "claim_signature").await, 5);

        // 拨付: the bureau's finance pays the township the approved total, to the fen
        let bureau_finance = login(&app, BUREAU_FINANCE).await;
        let township = claim["claim"]["township_id"].clone();
        let pay = |amount: &str, voucher: &str| json!({"township_id": township, "quarter": "2024-Q2", "claims": [id], "amount": amount, "paid_on": today(), "voucher": voucher});
        let (status, body) = call(&app, &bureau_finance, "POST", "/api/v1/claims/township-payments", Some(pay("300.01", "记-2024-0711"))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("amount")), "{body}");
        let (status, _) = call(&app, &finance, "POST", "/api/v1/claims/township-payments", Some(pay("300.00", "记-2024-0711"))).await;
        assert_eq!(status, 403, "the township's finance does not pay itself");
        let (status, paid) = call(&app, &bureau_finance, "POST", "/api/v1/claims/township-payments", Some(pay("300.00", "记-2024-0711"))).await;
        assert_eq!(status, 200, "{paid}");
        assert_eq!(paid["amount"], "300.00");
        let (status, _) = call(&app, &bureau_finance, "POST", "/api/v1/claims/township-payments", Some(pay("300.00", "记-2024-0712"))).await;
        assert_eq!(status, 422, "paid once");

        // 核发: the township's finance pays each mediator what they earn
        let (_, now) = call(&app, &finance, "GET", &format!("/api/v1/claims/{id}"), None).await;
        assert_eq!(now["claim"]["stage"], "mediator_payment");
        assert_eq!(now["my_step"], "mediator_payment");
        let to_mediator = |amount: &str| json!({"mediator_id": phone.person_id, "amount": amount, "paid_on": today(), "method": "bank_transfer", "reference": "农信社 6230 流水 000123"});
        let pay_path = format!("/api/v1/claims/{id}/mediator-payments");
        let (status, body) = call(&app, &finance, "POST", &pay_path, Some(to_mediator("400.00"))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("amount")), "{body}");
        let (status, now) = call(&app, &finance, "POST", &pay_path, Some(to_mediator("300.00"))).await;
        assert_eq!(status, 200, "{now}");
        assert_eq!(now["claim"]["stage"], "receipt", "one mediator, paid");
        let payment = now["payments"].as_array().unwrap().iter().find(|p| p["payee"] == "mediator").unwrap().clone();

        // 我的补助: the mediator sees the lines and the payment offline-ready
        let (status, mine) = call(&app, &phone, "GET", "/api/v1/claims/mine", None).await;
        assert_eq!(status, 200);
        let mine_total: i64 = mine["lines"].as_array().unwrap().iter().filter(|l| l["claim_id"] == id.as_str()).map(|l| l["current"]["amount"].as_str().unwrap().parse::<Money>().unwrap().to_fen()).sum();
        assert_eq!(mine_total, 30_000, "{mine}");
        assert_eq!(mine["payments"][0]["amount"], "300.00");

        // 到账确认: only the mediator paid; "not arrived" reaches the judicial office
        let receipt = format!("/api/v1/payments/{}/receipt", payment["id"].as_str().unwrap());
        assert_eq!(call(&app, &head, "POST", &receipt, Some(json!({"received": true}))).await.0, 404);
        let (status, body) = call(&app, &phone, "POST", &receipt, Some(json!({"received": false}))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("note")));
        let (status, _) = call(&app, &phone, "POST", &receipt, Some(json!({"received": false, "note": "查了银行卡，还没有到"}))).await;
        assert_eq!(status, 200);
        let told = inbox(&app, &staff).await;
        assert!(told.items.iter().any(|i| i.kind == domain::api::InboxKind::Payment), "{told:?}");
        // 对账: the difference, to the fen, with the mediator's lines behind it
        let recon = "/api/v1/claims/reconciliation?quarter=2024-Q2";
        let (status, r) = call(&app, &staff, "GET", recon, None).await;
        assert_eq!(status, 200, "{r}");
        let gaps: Vec<&Value> = r["differences"].as_array().unwrap().iter().filter(|d| d["claim_id"] == id.as_str()).collect();
        assert_eq!(gaps.len(), 1, "{r}");
        assert_eq!((gaps[0]["gap"].as_str(), gaps[0]["expected"].as_str(), gaps[0]["found"].as_str()), (Some("received"), Some("300.00"), Some("0.00")));
        assert_eq!(gaps[0]["lines"].as_array().unwrap().len(), 2, "the mediator's two lines: {r}");
        let (status, body) = call(&app, &phone, "POST", &receipt, Some(json!({"received": true, "note": "今天到账了"}))).await;
        assert_eq!(status, 200, "{body}");
        let (_, done) = call(&app, &staff, "GET", &format!("/api/v1/claims/{id}"), None).await;
        assert_eq!(done["claim"]["stage"], "finished");
        let signed: Vec<&str> = done["claim"]["signatures"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
        assert_eq!(signed.len(), 8, "all eight steps: {signed:?}");
        // every total reconciles: lines = claim = township payment = mediator payments = received
        assert_eq!(done["total"], "300.00");
        let paid: Vec<&str> = done["payments"].as_array().unwrap().iter().map(|p| p["amount"].as_str().unwrap()).collect();
        assert_eq!(paid, ["300.00", "300.00"]);
        assert_eq!(call(&app, &phone, "POST", &receipt, Some(json!({"received": true}))).await.0, 422, "confirmed once");
        let (_, r) = call(&app, &section, "GET", recon, None).await;
        let row = r["claims"].as_array().unwrap().iter().find(|c| c["claim_id"] == id.as_str()).unwrap().clone();
        for link in ["lines", "approved", "to_township", "to_mediators", "received"] {
            assert_eq!(row[link], "300.00", "{link}: {row}");
        }
        assert!(r["differences"].as_array().unwrap().is_empty(), "{r}");
        // an amount edited in the database behind the server's back shows where it breaks
        sqlx::query("UPDATE claim_payment_part SET amount_fen = amount_fen - 1 WHERE payee = 'mediator' AND claim_id = $1")
            .bind(&id)
            .execute(db.db.pool())
            .await
            .unwrap();
        let (_, r) = call(&app, &section, "GET", recon, None).await;
        let gaps: Vec<&str> = r["differences"].as_array().unwrap().iter().map(|d| d["gap"].as_str().unwrap()).collect();
        assert_eq!(gaps, ["to_mediator", "payment_parts"], "{r}");
        assert_eq!(r["differences"][0]["found"], "299.99");
        drop(app);
        db.cleanup().await;
    }

    async fn nobody_signs_two_steps_and_one_of_two_signatures_wins(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let head = login(&app, HEAD).await;
        let staff = login(&app, JUDICIAL_OFFICE).await;
        let staff_again = login(&app, JUDICIAL_OFFICE).await;
        let unit = head.unit_id.to_string();
        let a = pushed(&app, &phone, &closed(&phone, true, "2024-05-12")).await;
        let b = pushed(&app, &phone, &closed(&phone, false, "2024-03-02")).await;
        let (status, claim) = call(&app, &head, "POST", "/api/v1/claims", Some(json!({"unit_id": unit, "quarter": "2024-Q2", "cases": [a, b]}))).await;
        assert_eq!(status, 200, "{claim}");
        let late: Vec<bool> = claim["claim"]["lines"].as_array().unwrap().iter().map(|l| l["late"].as_bool().unwrap()).collect();
        assert_eq!(late, [false, true], "a first-quarter case claimed in the second is late");
        let id = claim["claim"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/claims/{id}/steps");

        // the same 初审 sent twice at once: exactly one wins
        let v1 = called_back(&app, &staff, &id).await["claim"]["version"].clone();
        let body = step("first_review", &v1, "pass", json!([]));
        let (one, two) = tokio::join!(
            call(&app, &staff, "POST", &path, Some(body.clone())),
            call(&app, &staff_again, "POST", &path, Some(body.clone())),
        );
        let mut codes = [one.0, two.0];
        codes.sort_unstable();
        assert_eq!(codes, [200, 409], "{one:?} {two:?}");
        assert_eq!(count(&db, "claim_signature").await, 1);

        // the staff member also made director: still not the second signer
        sqlx::query("INSERT INTO role_grant (person_id, role, unit_id, created_at) SELECT person_id, 'judicial_director', unit_id, created_at FROM role_grant WHERE person_id = $1")
            .bind(staff.person_id.to_string())
            .execute(db.db.pool())
            .await
            .unwrap();
        let both = login(&app, JUDICIAL_OFFICE).await;
        let (_, now) = call(&app, &both, "GET", &format!("/api/v1/claims/{id}"), None).await;
        assert_eq!(now["my_step"], Value::Null, "not waiting for them: {now}");
        let (status, body) = call(&app, &both, "POST", &path, Some(step("second_review", &now["claim"]["version"], "pass", json!([])))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("step")), "{body}");
        assert!(body["message"].as_str().unwrap().contains("初审"), "{body}");

        // the director returns it whole: every case is free again
        let director = login(&app, DIRECTOR).await;
        let (status, claim) = call(&app, &director, "POST", &path, Some(step("second_review", &now["claim"]["version"], "return", json!([])))).await;
        assert_eq!(status, 200, "{claim}");
        assert_eq!(claim["claim"]["stage"], "returned");
        assert_eq!(count(&db, "case_claim").await, 0);
        let (status, draft) = call(&app, &head, "GET", &format!("/api/v1/claims/draft?unit_id={unit}&quarter=2024-Q2"), None).await;
        assert_eq!(status, 200);
        let ids: Vec<&str> = draft["lines"].as_array().unwrap().iter().map(|l| l["case_id"].as_str().unwrap()).collect();
        assert!(ids.contains(&a.as_str()) && ids.contains(&b.as_str()), "{draft}");
        let (status, _) = call(&app, &director, "POST", &path, Some(step("second_review", &claim["claim"]["version"], "pass", json!([])))).await;
        assert_eq!(status, 422, "a returned claim waits for no step");
        // the money is exact: fen, never floats
        let total: Money = serde_json::from_value(draft["total"].clone()).unwrap();
        assert!(total >= Money::yuan(230));
        drop(app);
        db.cleanup().await;
    }
}

on_both_databases! {
    async fn the_demo_has_finished_quarters_and_a_claim_waiting_at_every_step(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let end = domain::dates::parse_iso("2026-12-05").unwrap();
        tiaojie_server::demo::load_history(&db.db, end).await.unwrap();
        let report = tiaojie_server::demo::load_claims(&db.db, end).await.unwrap();
        assert!(report.finished >= 4, "{report:?}");
        let again = tiaojie_server::demo::load_claims(&db.db, end).await.unwrap();
        assert_eq!(again.claims, 0, "loaded once");
        let app = TestApp::spawn(&db).await;

        // every office step of the last quarter waits for its demo log-in
        for (phone, step) in [
            (JUDICIAL_OFFICE, "first_review"),
            (DIRECTOR, "second_review"),
            (LEADER, "township_check"),
            (BUREAU, "city_summary"),
            (APPROVER, "approval"),
            (BUREAU_FINANCE, "township_payment"),
            (TOWNSHIP_FINANCE, "mediator_payment"),
        ] {
            let who = login(&app, phone).await;
            let (status, list) = call(&app, &who, "GET", "/api/v1/claims?quarter=2026-Q3", None).await;
            assert_eq!(status, 200);
            assert!(list.as_array().unwrap().iter().any(|c| c["my_step"] == step), "{phone} waits for {step}: {list}");
        }
        // a grave case waits for the party group; another was decided in a finished claim
        let group = login(&app, PARTY_GROUP).await;
        let (_, list) = call(&app, &group, "GET", "/api/v1/claims?quarter=2026-Q3", None).await;
        let waiting: Vec<(Value, Value)> = list.as_array().unwrap().iter().map(|c| (c["stage"].clone(), c["special_waiting"].clone())).collect();
        assert!(waiting.contains(&(json!("approval"), json!(1))), "{waiting:?}");
        // a finished claim reconciles to the fen: lines = township payment = mediators' = received
        let bureau = login(&app, BUREAU).await;
        let (_, list) = call(&app, &bureau, "GET", "/api/v1/claims", None).await;
        let finished: Vec<&Value> = list.as_array().unwrap().iter().filter(|c| c["stage"] == "finished").collect();
        assert!(!finished.is_empty());
        let mut decided = 0;
        for c in finished {
            let (_, claim) = call(&app, &bureau, "GET", &format!("/api/v1/claims/{}", c["id"].as_str().unwrap()), None).await;
            decided += claim["claim"]["special_decisions"].as_array().map_or(0, Vec::len);
            let total: Money = serde_json::from_value(claim["total"].clone()).unwrap();
            let paid = |payee: &str| -> Money {
                domain::claim::sum(claim["payments"].as_array().unwrap().iter().filter(|p| p["payee"] == payee)
                    .map(|p| serde_json::from_value::<Money>(p["amount"].clone()).unwrap()))
            };
            assert_eq!(paid("township"), total, "{claim}");
            assert_eq!(paid("mediator"), total, "{claim}");
            assert!(claim["payments"].as_array().unwrap().iter().filter(|p| p["payee"] == "mediator").all(|p| p["receipts"].as_array().unwrap().last().unwrap()["received"] == true));
        }
        assert_eq!(decided, 1, "one grave case decided in a finished claim");
        // the demo village's mediator sees their past quarters in 我的补助
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let (_, mine) = call(&app, &phone, "GET", "/api/v1/claims/mine", None).await;
        assert!(!mine["payments"].as_array().unwrap().is_empty(), "{mine}");
        // a claim waiting for the judicial office has a line that looks
        // like another township's case (重复申报核查)
        let office = login(&app, JUDICIAL_OFFICE).await;
        let (_, list) = call(&app, &office, "GET", "/api/v1/claims?quarter=2026-Q3", None).await;
        let mut flagged = Vec::new();
        for c in list.as_array().unwrap() {
            let (status, lines) = call(&app, &office, "GET", &format!("/api/v1/claims/{}/duplicates", c["id"].as_str().unwrap()), None).await;
            assert_eq!(status, 200, "{lines}");
            flagged.extend(lines.as_array().unwrap().iter().map(|l| (c["my_step"].clone(), l["flags"][0].clone())));
        }
        assert!(
            flagged.iter().any(|(step, flag)| step == "first_review" && flag["likeness"] == "same_party" && flag.get("case_id").is_none()),
            "{flagged:?}"
        );
        // … and the head's village has the last quarter left to claim
        let head = login(&app, HEAD).await;
        let (status, draft) = call(&app, &head, "GET", &format!("/api/v1/claims/draft?unit_id={}&quarter=2026-Q3", head.unit_id), None).await;
        assert_eq!(status, 200);
        assert!(!draft["lines"].as_array().unwrap().is_empty(), "{draft}");
        drop(app);
        db.cleanup().await;
    }
}

/// A cell's amount in fen (the workbook stores yuan with two places).
fn fen(cell: &calamine::Data) -> i64 {
    match cell {
        calamine::Data::Float(f) => (f * 100.0).round() as i64,
        calamine::Data::Int(i) => i * 100,
        other => panic!("not an amount: {other:?}"),
    }
}

fn text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::String(s) => s.clone(),
        calamine::Data::Empty => String::new(),
        other => other.to_string(),
    }
}

on_both_databases! {
    async fn the_summary_workbook_and_csv_add_up_cell_by_cell(db: TestDb) {
        use calamine::Reader;
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let end = domain::dates::parse_iso("2026-12-05").unwrap();
        tiaojie_server::demo::load_history(&db.db, end).await.unwrap();
        tiaojie_server::demo::load_claims(&db.db, end).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let bureau = login(&app, BUREAU_FINANCE).await;
        let (status, summary) = call(&app, &bureau, "GET", "/api/v1/claims/summary?quarter=2026-Q2", None).await;
        assert_eq!(status, 200, "{summary}");
        let total: Money = serde_json::from_value(summary["total"].clone()).unwrap();
        assert!(total > Money::ZERO);
        // the townships' tables add up to the city's, the committees' to each table
        let tables = summary["townships"].as_array().unwrap();
        let money = |v: &Value| serde_json::from_value::<Money>(v.clone()).unwrap();
        assert_eq!(domain::claim::sum(tables.iter().map(|t| money(&t["total"]))), total);
        for t in tables {
            assert_eq!(domain::claim::sum(t["committees"].as_array().unwrap().iter().map(|c| money(&c["total"]))), money(&t["total"]));
        }
        assert_eq!(summary["total_in_capitals"], domain::claim::in_capitals(total));

        // the workbook, read back by a spreadsheet reader
        let res = app.client.get(app.url("/api/v1/claims/summary.xlsx?quarter=2026-Q2")).bearer_auth(&bureau.token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''"));
        let bytes = res.bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("汇总").unwrap();
        let rows: Vec<Vec<calamine::Data>> = sheet.rows().map(|r| r.to_vec()).collect();
        let header = rows.iter().position(|r| text(&r[0]) == "乡镇").expect("a header row");
        let amount_col = rows[header].iter().position(|c| text(c) == "金额（元）").unwrap();
        let (mut committees, mut subtotals) = (0i64, 0i64);
        let mut grand = None;
        for r in &rows[header + 1..] {
            match (text(&r[0]).as_str(), text(&r[1]).as_str()) {
                ("合计", _) => grand = Some(fen(&r[amount_col])),
                (_, "小计") => {
                    subtotals += fen(&r[amount_col]);
                    assert_eq!(fen(&r[amount_col]), committees, "a township's subtotal is its committees' sum");
                    committees = 0;
                }
                (t, _) if !t.is_empty() && !t.starts_with("合计金额") && !t.starts_with("经办人") => committees += fen(&r[amount_col]),
                _ => {}
            }
        }
        assert_eq!(grand, Some(total.to_fen()), "the workbook's total is the summary's");
        assert_eq!(subtotals, total.to_fen());
        assert!(rows.iter().any(|r| text(&r[0]) == format!("合计金额（大写）：{}", domain::claim::in_capitals(total))));
        let detail = book.worksheet_range("明细").unwrap();
        let lines: i64 = detail.rows().skip(1).map(|r| fen(&r[7])).sum();
        assert_eq!(lines, total.to_fen(), "the lines add up to the total");
        assert_eq!(detail.rows().count() as u64 - 1, summary["cases"].as_u64().unwrap());

        // the CSV: the same lines, no party's name
        let csv = app.client.get(app.url("/api/v1/claims/summary.csv?quarter=2026-Q2")).bearer_auth(&bureau.token).send().await.unwrap().bytes().await.unwrap();
        let mut reader = csv::Reader::from_reader(&csv[3..]);
        let amounts: Vec<Money> = reader.records().map(|r| r.unwrap()[7].parse().unwrap()).collect();
        assert_eq!(domain::claim::sum(amounts), total);
        let staff = login(&app, JUDICIAL_OFFICE).await;
        let (_, list) = call(&app, &staff, "GET", "/api/v1/claims?quarter=2026-Q2", None).await;
        let (_, one) = call(&app, &staff, "GET", &format!("/api/v1/claims/{}", list[0]["id"].as_str().unwrap()), None).await;
        let party = one["claim"]["lines"][0]["parties"][0].as_str().unwrap().to_owned();
        assert!(!party.is_empty());
        assert!(!String::from_utf8_lossy(&csv).contains(&party), "no party's name in the file");

        // the A4 papers: the township's table and the city's page carry the
        // totals in figures and in capitals; the slip its lines and signatures
        let html = |path: String, who: &Device| {
            let req = app.client.get(app.url(&path)).bearer_auth(&who.token);
            async move {
                let res = req.send().await.unwrap();
                assert_eq!(res.status(), 200, "{path}");
                assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
                res.text().await.unwrap()
            }
        };
        let tables = html("/api/v1/claims/summary.html?quarter=2026-Q2".into(), &bureau).await;
        assert!(tables.contains(&format!("合计大写：{}", domain::claim::in_capitals(total))), "the city's total in capitals");
        for t in summary["townships"].as_array().unwrap() {
            assert!(tables.contains(&format!("{}“以案定补”补助兑现审批表", t["township_name"].as_str().unwrap())));
            assert!(tables.contains(&format!("合计大写：{}", domain::claim::in_capitals(money(&t["total"])))));
        }
        let first = list[0]["id"].as_str().unwrap();
        let for_staff = html(format!("/api/v1/claims/{first}/slip.html"), &staff).await;
        let for_finance = html(format!("/api/v1/claims/{first}/slip.html"), &bureau).await;
        assert!(for_staff.contains(&party), "the office that reads cases sees the parties");
        assert!(!for_finance.contains(&party), "finance gets the slip without them");
        let slip_total: Money = serde_json::from_value(one["total"].clone()).unwrap();
        assert!(for_finance.contains(&format!("大写：{}", domain::claim::in_capitals(slip_total))));
        for s in one["claim"]["signatures"].as_array().unwrap() {
            assert!(for_finance.contains(s["by_name"].as_str().unwrap()), "every signature is on the slip");
        }
        let outsider = login(&app, COMMUNITY_MEDIATOR).await;
        let theirs = list.as_array().unwrap().iter().find(|c| c["unit_id"] != json!(outsider.unit_id)).unwrap()["id"].as_str().unwrap().to_owned();
        let res = app.client.get(app.url(&format!("/api/v1/claims/{theirs}/slip.html"))).bearer_auth(&outsider.token).send().await.unwrap();
        assert_eq!(res.status(), 404, "another committee's slip");
        // what a person wrote is printed as text, never as markup
        let (_, waiting) = call(&app, &staff, "GET", "/api/v1/claims?quarter=2026-Q3", None).await;
        let mine = waiting.as_array().unwrap().iter().find(|c| c["my_step"] == "first_review").unwrap().clone();
        let mine = called_back(&app, &staff, mine["id"].as_str().unwrap()).await["claim"].clone();
        let mut signed = step("first_review", &mine["version"], "pass", json!([]));
        signed["opinion"] = json!("同意<script>alert(1)</script>");
        assert_eq!(call(&app, &staff, "POST", &format!("/api/v1/claims/{}/steps", mine["id"].as_str().unwrap()), Some(signed)).await.0, 200);
        let printed = html(format!("/api/v1/claims/{}/slip.html", mine["id"].as_str().unwrap()), &staff).await;
        assert!(printed.contains("同意&lt;script&gt;alert(1)&lt;/script&gt;") && !printed.contains("<script>"), "escaped");

        // a township's finance office sums its own township only
        let township = login(&app, TOWNSHIP_FINANCE).await;
        let (_, own) = call(&app, &township, "GET", "/api/v1/claims/summary?quarter=2026-Q2", None).await;
        assert_eq!(own["townships"].as_array().unwrap().len(), 1);
        let (status, _) = call(&app, &township, "GET", "/api/v1/claims/summary?quarter=2026-13", None).await;
        assert_eq!(status, 422);
        drop(app);
        db.cleanup().await;
    }
}

on_both_databases! {
    async fn an_approval_over_the_townships_fund_needs_the_approvers_note(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let head = login(&app, HEAD).await;
        let case = pushed(&app, &phone, &closed(&phone, true, "2024-05-12")).await;
        let (status, claim) = call(&app, &head, "POST", "/api/v1/claims", Some(json!({"unit_id": head.unit_id, "quarter": "2024-Q2", "cases": [case]}))).await;
        assert_eq!(status, 200, "{claim}");
        let id = claim["claim"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/claims/{id}/steps");
        let mut claim = claim;
        for (phone_no, name) in [(JUDICIAL_OFFICE, "first_review"), (DIRECTOR, "second_review"), (LEADER, "township_check"), (BUREAU, "city_summary")] {
            let who = login(&app, phone_no).await;
            if name == "first_review" {
                claim = called_back(&app, &who, &id).await;
            }
            let (status, body) = call(&app, &who, "POST", &path, Some(step(name, &claim["claim"]["version"], "pass", json!([])))).await;
            assert_eq!(status, 200, "{name}: {body}");
            claim = body;
        }
        // the township's full-time mediators left: its case fund is 0.00
        sqlx::query("UPDATE person SET active = 0 WHERE kind = 'mediator_full_time'")
            .execute(db.db.pool())
            .await
            .unwrap();
        let approver = login(&app, APPROVER).await;
        let v = claim["claim"]["version"].clone();
        let (status, body) = call(&app, &approver, "POST", &path, Some(step("approval", &v, "pass", json!([])))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("overspend_note")), "{body}");
        assert!(body["message"].as_str().unwrap().contains("超出以案定补经费 0.00 元"), "{body}");
        let mut noted = step("approval", &v, "pass", json!([]));
        noted["overspend_note"] = json!("两起重大纠纷集中在本季度，经局务会研究同意");
        let (status, body) = call(&app, &approver, "POST", &path, Some(noted)).await;
        assert_eq!(status, 200, "{body}");
        let opinion = body["claim"]["signatures"][4]["opinion"].as_str().unwrap();
        assert!(opinion.contains("超支 200.00 元") && opinion.contains("局务会"), "{opinion}");
        let (_, summary) = call(&app, &approver, "GET", "/api/v1/claims/summary?quarter=2024-Q2", None).await;
        assert_eq!((summary["fund"].as_str(), summary["overspend"].as_str()), (Some("0.00"), Some("200.00")), "{summary}");
        drop(app);
        db.cleanup().await;
    }
}

on_both_databases! {
    async fn an_especially_grave_case_waits_for_the_party_group_at_approval(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let head = login(&app, HEAD).await;
        let approver = login(&app, APPROVER).await;
        let group = login(&app, PARTY_GROUP).await;
        let unit = head.unit_id.to_string();
        let oral = pushed(&app, &phone, &closed(&phone, false, "2024-05-10")).await;
        let grave = pushed(&app, &phone, &closed(&phone, true, "2024-05-12")).await;
        let submit = |special: Value| json!({"unit_id": unit, "quarter": "2024-Q2", "cases": [oral, grave], "special": special});
        let reason = "山林权属群体性纠纷，涉及 3 个村民小组 60 户";

        // only a case of the claim that would earn tier E may be reported, with why
        for (special, field, why) in [
            (json!([{"case_id": oral, "reason": reason}]), "special[0].case_id", "独立调解"),
            (json!([{"case_id": domain::CaseId::new_v7(), "reason": reason}]), "special[0].case_id", "本次申报"),
            (json!([{"case_id": grave, "reason": " "}]), "special[0].reason", "理由"),
            (json!([{"case_id": grave, "reason": reason}, {"case_id": grave, "reason": reason}]), "special[1].case_id", "两次"),
        ] {
            let (status, body) = call(&app, &head, "POST", "/api/v1/claims", Some(submit(special))).await;
            assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{body}");
            assert!(body["message"].as_str().unwrap().contains(why), "{body}");
        }
        assert_eq!(count(&db, "claim").await, 0, "nothing stored half-way");
        let (status, claim) = call(&app, &head, "POST", "/api/v1/claims", Some(submit(json!([{"case_id": grave, "reason": reason}])))).await;
        assert_eq!(status, 200, "{claim}");
        let id = claim["claim"]["id"].as_str().unwrap().to_owned();
        let grave_line = |c: &Value| c["claim"]["lines"].as_array().unwrap().iter().find(|l| l["case_id"] == grave.as_str()).unwrap().clone();
        assert_eq!(grave_line(&claim)["special"], reason);
        assert_eq!(claim["total"], "230.00", "until decided the line earns its tier");

        // four offices pass it on to 审批
        let path = format!("/api/v1/claims/{id}/steps");
        let mut claim = claim;
        for (phone_no, name) in [(JUDICIAL_OFFICE, "first_review"), (DIRECTOR, "second_review"), (LEADER, "township_check"), (BUREAU, "city_summary")] {
            let who = login(&app, phone_no).await;
            if name == "first_review" {
                claim = called_back(&app, &who, &id).await;
            }
            let (status, next) = call(&app, &who, "POST", &path, Some(step(name, &claim["claim"]["version"], "pass", json!([])))).await;
            assert_eq!(status, 200, "{name}: {next}");
            assert!(next["special_for_me"].as_array().unwrap().is_empty(), "only the party group decides");
            claim = next;
        }
        // the approver cannot pass it before the party group decided
        let mut approve = step("approval", &claim["claim"]["version"], "pass", json!([]));
        approve["overspend_note"] = json!("重特大纠纷补助，党组已决定");
        let (status, body) = call(&app, &approver, "POST", &path, Some(approve.clone())).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("decision")), "{body}");
        assert!(body["message"].as_str().unwrap().contains("党组"), "{body}");

        // the party group sees the line waiting for it
        let (_, list) = call(&app, &group, "GET", "/api/v1/claims?quarter=2024-Q2", None).await;
        let listed = list.as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).unwrap().clone();
        assert_eq!(listed["special_waiting"], 1, "{listed}");
        let (_, seen) = call(&app, &group, "GET", &format!("/api/v1/claims/{id}"), None).await;
        assert_eq!(seen["special_for_me"], json!([grave]));
        let (_, seen) = call(&app, &approver, "GET", &format!("/api/v1/claims/{id}"), None).await;
        assert_eq!(seen["special_for_me"], json!([]));

        let decide = format!("/api/v1/claims/{id}/special-decisions");
        let version = claim["claim"]["version"].clone();
        let decision = |amount: Value| json!({"version": version, "case_id": grave, "approved": true, "amount": amount, "minutes": "市司法局党组会议纪要〔2024〕7 号"});
        for who in [&approver, &head, &phone] {
            let status = call(&app, who, "POST", &decide, Some(decision(json!("3000.00")))).await.0;
            assert!(status == 403 || status == 404, "only the party group: {status}");
        }
        for (amount, field) in [(json!("200.00"), "amount"), (Value::Null, "amount"), (json!("100001.00"), "amount")] {
            let (status, body) = call(&app, &group, "POST", &decide, Some(decision(amount))).await;
            assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{body}");
        }
        let mut forged = decision(json!("3000.00"));
        forged["tier"] = json!("E");
        assert_eq!(call(&app, &group, "POST", &decide, Some(forged)).await.0, 400, "an unknown field is refused");
        let mut old = decision(json!("3000.00"));
        old["version"] = json!(1);
        assert_eq!(call(&app, &group, "POST", &decide, Some(old)).await.0, 409);

        // decided: tier E at 3,000 yuan, appended; the case itself is special now
        let (status, decided) = call(&app, &group, "POST", &decide, Some(decision(json!("3000.00")))).await;
        assert_eq!(status, 200, "{decided}");
        assert_eq!(decided["total"], "3030.00");
        assert_eq!(decided["claimed_total"], "230.00", "what was claimed is kept");
        let now = decided["current"].as_array().unwrap().iter().find(|l| l["case_id"] == grave.as_str()).unwrap().clone();
        assert_eq!((now["tier"].as_str(), now["amount"].as_str()), (Some("E"), Some("3000.00")));
        assert!(decided["claim"]["special_decisions"][0]["by_name"].as_str().is_some());
        assert!(decided["special_for_me"].as_array().unwrap().is_empty());
        let again = json!({"version": decided["claim"]["version"], "case_id": grave, "approved": false, "minutes": "复议"});
        let (status, body) = call(&app, &group, "POST", &decide, Some(again)).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("case_id")), "decided once: {body}");
        let pulled = pull(&app, &phone, 0).await;
        let case = pulled.changes.iter().find(|c| c.entity_id.to_string() == grave).unwrap().payload.clone().unwrap();
        assert_eq!((case["special"].as_bool(), case["approved_amount"].as_str()), (Some(true), Some("3000.00")));
        assert_eq!(case["server_verdict"]["tier"], "E");
        assert_eq!(case["claim_id"], json!(id), "still locked by the claim");

        // now the approver passes it, the total as decided
        approve["version"] = decided["claim"]["version"].clone();
        let (status, approved) = call(&app, &approver, "POST", &path, Some(approve)).await;
        assert_eq!(status, 200, "{approved}");
        assert_eq!(approved["claim"]["stage"], "township_payment");
        assert_eq!(approved["claim"]["signatures"][4]["total"], "3030.00");

        // the case's money trail: claimed at C, the decision, the case made
        // special by it (its verdict E), the line raised, approved
        let bureau = login(&app, BUREAU).await;
        let (status, t) = call(&app, &bureau, "GET", &format!("/api/v1/cases/{grave}/money"), None).await;
        assert_eq!(status, 200, "{t}");
        let what: Vec<Value> = t["entries"].as_array().unwrap().iter().map(|e| e["what"].clone()).collect();
        let kinds: Vec<&str> = what.iter().map(|w| w["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["version", "claimed", "version", "special_decided", "line_changed", "approved"], "{t}");
        assert_eq!(what[2]["how"], "special_decided");
        assert_eq!(what[2]["facts"], json!([
            {"was": {"field": "special", "value": false}, "now": {"field": "special", "value": true}},
            {"was": {"field": "approved_amount", "value": null}, "now": {"field": "approved_amount", "value": "3000.00"}},
        ]));
        assert_eq!((what[2]["was"]["tier"].as_str(), what[2]["now"]["tier"].as_str(), what[2]["now"]["amount"].as_str()), (Some("C"), Some("E"), Some("3000.00")));
        assert_eq!((what[3]["approved"].as_bool(), what[3]["minutes"].as_str()), (Some(true), Some("市司法局党组会议纪要〔2024〕7 号")));
        assert_eq!((what[4]["was"].as_str(), what[4]["amount"].as_str()), (Some("200.00"), Some("3000.00")));
        assert_eq!(what[5]["amount"], "3000.00");
        drop(app);
        db.cleanup().await;
    }
}

on_both_databases! {
    async fn a_claim_waiting_too_long_reminds_its_signer_once(db: TestDb) {
        use tiaojie_server::config::RemindArgs;
        use tiaojie_server::service::reminders::Scheduler;
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let end = domain::dates::parse_iso("2026-12-05").unwrap();
        tiaojie_server::demo::load_history(&db.db, end).await.unwrap();
        tiaojie_server::demo::load_claims(&db.db, end).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let scheduler = Scheduler::new(db.db.clone(), &RemindArgs::default(), None).unwrap();
        let claims_in = |inbox: &domain::api::Inbox| -> Vec<(String, String)> {
            inbox.items.iter().filter(|i| i.kind == domain::api::InboxKind::Claim).map(|i| (i.title.clone(), i.body.clone())).collect()
        };
        let director = login(&app, DIRECTOR).await;
        let group = login(&app, PARTY_GROUP).await;

        // moved today: nobody is reminded yet
        scheduler.pass(jiff::Timestamp::now()).await.unwrap();
        assert!(claims_in(&inbox(&app, &director).await).is_empty());

        // six days on (the default is five): the director, and the party group for the grave case
        let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(6 * 24);
        scheduler.pass(later).await.unwrap();
        let told = claims_in(&inbox(&app, &director).await);
        assert_eq!(told.len(), 1, "{told:?}");
        assert!(told[0].0.contains("复审") && told[0].1.contains("已等 6 天"), "{told:?}");
        let told = claims_in(&inbox(&app, &group).await);
        assert!(told.iter().any(|(title, _)| title.contains("党组决定")), "{told:?}");
        let staff = login(&app, JUDICIAL_OFFICE).await;
        assert!(claims_in(&inbox(&app, &staff).await).iter().any(|(t, _)| t.contains("初审")));
        // a mediator waiting to confirm receipt is not an office's reminder
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        assert!(claims_in(&inbox(&app, &phone).await).is_empty());

        // once per claim and step
        scheduler.pass(later + jiff::SignedDuration::from_hours(24)).await.unwrap();
        assert_eq!(claims_in(&inbox(&app, &director).await).len(), 1);
        drop(app);
        db.cleanup().await;
    }
}

on_both_databases! {
    async fn a_signer_passes_many_claims_at_once_each_on_its_own(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let end = domain::dates::parse_iso("2026-12-05").unwrap();
        tiaojie_server::demo::load_history(&db.db, end).await.unwrap();
        tiaojie_server::demo::load_claims(&db.db, end).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let staff = login(&app, JUDICIAL_OFFICE).await;
        let (_, list) = call(&app, &staff, "GET", "/api/v1/claims?quarter=2026-Q3", None).await;
        let list = list.as_array().unwrap().clone();
        let at = |c: &Value| json!({"id": c["id"], "version": c["version"]});
        let mut waiting: Vec<Value> = list.iter().filter(|c| c["my_step"] == "first_review").map(at).collect();
        // the demo's claim with a line like another township's case is not
        // signed blind: refused with why, then signed on its own
        let mut flagged = Vec::new();
        for c in &waiting {
            let (_, lines) = call(&app, &staff, "GET", &format!("/api/v1/claims/{}/duplicates", c["id"].as_str().unwrap()), None).await;
            if !lines.as_array().unwrap().is_empty() {
                flagged.push(c.clone());
            }
        }
        assert_eq!(flagged.len(), 1, "{flagged:?}");
        waiting.retain(|c| c != &flagged[0]);
        let (_, answer) = call(&app, &staff, "POST", "/api/v1/claims/steps", Some(json!({"step": "first_review", "opinion": "同意", "claims": flagged}))).await;
        assert_eq!(answer["results"][0]["error"]["field"], "duplicates", "{answer}");
        assert!(answer["results"][0]["error"]["message"].as_str().unwrap().contains("可能重复"), "{answer}");
        let one = json!({"step": "first_review", "version": flagged[0]["version"], "decision": "pass", "opinion": "已核实：两案为不同纠纷", "lines": []});
        let (status, signed) = call(&app, &staff, "POST", &format!("/api/v1/claims/{}/steps", flagged[0]["id"].as_str().unwrap()), Some(one)).await;
        assert_eq!((status, signed["claim"]["stage"].as_str()), (200, Some("second_review")), "{signed}");
        // the demo leaves one claim without its call-backs: not signed blind
        // either, and signed once they are made (回访抽查)
        let mut undrawn = Vec::new();
        for c in &waiting {
            let (_, one) = call(&app, &staff, "GET", &format!("/api/v1/claims/{}", c["id"].as_str().unwrap()), None).await;
            if one["claim"]["spot_check"].is_null() {
                undrawn.push(c.clone());
            }
        }
        assert_eq!(undrawn.len(), 1, "{undrawn:?}");
        let (_, answer) = call(&app, &staff, "POST", "/api/v1/claims/steps", Some(json!({"step": "first_review", "opinion": "同意", "claims": undrawn}))).await;
        assert_eq!(answer["results"][0]["error"]["field"], "spot_check", "{answer}");
        assert!(answer["results"][0]["error"]["message"].as_str().unwrap().contains("还没有回访抽查"), "{answer}");
        let ready = called_back(&app, &staff, undrawn[0]["id"].as_str().unwrap()).await;
        for c in &mut waiting {
            if c["id"] == undrawn[0]["id"] {
                c["version"] = ready["claim"]["version"].clone();
            }
        }
        assert!(waiting.len() >= 2, "the demo leaves several claims at 初审: {list:?}");
        let at_second = list.iter().find(|c| c["stage"] == "second_review").map(at).unwrap();
        let url = "/api/v1/claims/steps";
        let bulk = |claims: Vec<Value>, opinion: &str| json!({"step": "first_review", "opinion": opinion, "claims": claims});

        // the request is refused whole: no opinion, a payment step, a claim twice, none
        let (status, body) = call(&app, &staff, "POST", url, Some(bulk(waiting.clone(), " "))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("opinion")));
        let mut pay = bulk(waiting.clone(), "同意");
        pay["step"] = json!("township_payment");
        assert_eq!(call(&app, &staff, "POST", url, Some(pay)).await.1["field"], "step");
        let twice = vec![waiting[0].clone(), waiting[0].clone()];
        assert_eq!(call(&app, &staff, "POST", url, Some(bulk(twice, "同意"))).await.1["field"], "claims[1]");
        assert_eq!(call(&app, &staff, "POST", url, Some(bulk(Vec::new(), "同意"))).await.1["field"], "claims");
        let mut forged = bulk(waiting.clone(), "同意");
        forged["decision"] = json!("return");
        assert_eq!(call(&app, &staff, "POST", url, Some(forged)).await.0, 400, "an unknown field is refused");
        let signatures = count(&db, "claim_signature").await;

        // each claim on its own: the waiting ones signed, one at another step
        // refused (it waits at another step), one read at an old version refused as stale
        let mut stale = waiting[1].clone();
        stale["version"] = json!(stale["version"].as_u64().unwrap() - 1);
        let mut claims = vec![waiting[0].clone(), at_second.clone(), stale];
        claims.extend(waiting[2..].iter().cloned());
        let (status, answer) = call(&app, &staff, "POST", url, Some(bulk(claims.clone(), "经审核，材料齐全，同意"))).await;
        assert_eq!(status, 200, "{answer}");
        let results = answer["results"].as_array().unwrap();
        assert_eq!(results.len(), claims.len());
        for (sent, got) in claims.iter().zip(results) {
            assert_eq!(sent["id"], got["id"], "in the request's order");
        }
        assert_eq!((results[0]["stage"].as_str(), &results[0]["error"]), (Some("second_review"), &Value::Null));
        assert_eq!((results[1]["error"]["code"].as_str(), results[1]["error"]["field"].as_str()), (Some("invalid"), Some("step")), "{answer}");
        assert_eq!(results[2]["error"]["code"], "stale", "{answer}");
        let signed = results.iter().filter(|r| r["stage"] == "second_review").count();
        assert_eq!(signed, waiting.len() - 1);
        assert_eq!(count(&db, "claim_signature").await, signatures + signed as i64, "one signature per claim signed");
        let (_, one) = call(&app, &staff, "GET", &format!("/api/v1/claims/{}", waiting[0]["id"].as_str().unwrap()), None).await;
        let first = &one["claim"]["signatures"][0];
        assert_eq!((first["step"].as_str(), first["opinion"].as_str()), (Some("first_review"), Some("经审核，材料齐全，同意")));

        // the one left is signed by two bulk requests at once: exactly once
        let (_, list) = call(&app, &staff, "GET", "/api/v1/claims?quarter=2026-Q3", None).await;
        let left: Vec<Value> = list.as_array().unwrap().iter().filter(|c| c["my_step"] == "first_review").map(at).collect();
        assert_eq!(left.len(), 1, "{list}");
        let (a, b) = tokio::join!(
            call(&app, &staff, "POST", url, Some(bulk(left.clone(), "同意"))),
            call(&app, &staff, "POST", url, Some(bulk(left.clone(), "同意"))),
        );
        let won = [a.1, b.1].iter().filter(|r| r["results"][0]["stage"] == "second_review").count();
        assert_eq!(won, 1, "exactly one wins");
        // the director finds them all at 复审, and a mediator signs nothing
        let director = login(&app, DIRECTOR).await;
        let (_, list) = call(&app, &director, "GET", "/api/v1/claims?quarter=2026-Q3", None).await;
        assert_eq!(list.as_array().unwrap().iter().filter(|c| c["my_step"] == "second_review").count(), waiting.len() + 2);
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let (status, answer) = call(&app, &phone, "POST", url, Some(bulk(vec![at_second], "同意"))).await;
        assert_eq!(status, 200);
        assert!(matches!(answer["results"][0]["error"]["code"].as_str(), Some("forbidden" | "not_found")), "{answer}");
        drop(app);
        db.cleanup().await;
    }
}
