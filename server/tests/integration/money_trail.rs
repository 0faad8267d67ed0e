//! A case's money trail (补助变动记录, `GET /api/v1/cases/{id}/money`): a
//! case's facts and the server's verdict as each version changed them,
//! then its claim line from claiming through a reduction, the approval,
//! both payments and the mediator's receipt — each with who and when and
//! the amounts before and after, adding up to what was paid. Read by the
//! bureau, the finance offices and the committee; nobody outside the
//! committee's branch. On SQLite and PostgreSQL, with the demo's log-ins.

use crate::claims::{
    APPROVER, BUREAU_FINANCE, DIRECTOR, HEAD, LEADER, TOWNSHIP_FINANCE, call, called_back, closed,
    step,
};
use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::sync::Status;
use serde_json::{Value, json};

fn today() -> String {
    domain::dates::format_iso(domain::dates::china_date(jiff::Timestamp::now()))
}

/// Pushes `case` on `base`; answers the server's verdict on it.
async fn pushed(app: &TestApp, phone: &Device, case: &Value, base: u64) -> Value {
    let r = push(app, phone, vec![mutation(phone, "upsert", case, base)]).await;
    assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
    serde_json::to_value(r.results[0].verdict.clone().unwrap()).unwrap()
}

async fn trail(app: &TestApp, who: &Device, id: &str) -> (u16, Value) {
    call(app, who, "GET", &format!("/api/v1/cases/{id}/money"), None).await
}

fn kinds(trail: &Value) -> Vec<String> {
    trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"]["kind"].as_str().unwrap().to_owned())
        .collect()
}

on_both_databases! {
    async fn the_trail_follows_a_case_from_its_facts_to_the_mediators_receipt(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let head = login(&app, HEAD).await;
        let staff = login(&app, JUDICIAL_OFFICE).await;
        let bureau = login(&app, BUREAU).await;
        let finance = login(&app, TOWNSHIP_FINANCE).await;
        let bureau_finance = login(&app, BUREAU_FINANCE).await;
        let community = login(&app, COMMUNITY_MEDIATOR).await;

        // v1: a general case, not yet archived; v2: only its words; v3: archived
        let mut case = closed(&phone, true, "2024-05-12");
        case["archived"] = json!(false);
        let id = case["id"].as_str().unwrap().to_owned();
        let first = pushed(&app, &phone, &case, 0).await;
        case["summary"] = json!("补记：双方当面确认");
        assert_eq!(pushed(&app, &phone, &case, 1).await, first);
        case["archived"] = json!(true);
        let archived = pushed(&app, &phone, &case, 2).await;
        assert_ne!(archived, first, "archiving moves the tier");
        assert_eq!(archived["tier"], "C");

        let (status, t) = trail(&app, &bureau, &id).await;
        assert_eq!(status, 200, "{t}");
        assert_eq!(kinds(&t), ["version", "version"], "the change of words is no money change: {t}");
        let v1 = &t["entries"][0];
        assert_eq!((v1["what"]["version"].as_u64(), v1["what"]["how"].as_str()), (Some(1), Some("sync")));
        assert_eq!(v1["what"]["now"], first);
        assert!(v1["what"].get("was").is_none());
        assert!(v1["what"]["facts"].as_array().unwrap().contains(&json!({"now": {"field": "kind", "value": "general"}})), "{v1}");
        assert!(!v1["by"].as_str().unwrap_or_default().is_empty(), "who registered it: {v1}");
        let v3 = &t["entries"][1]["what"];
        assert_eq!(v3["version"], 3);
        assert_eq!(v3["facts"], json!([{"was": {"field": "archived", "value": false}, "now": {"field": "archived", "value": true}}]));
        assert_eq!((&v3["was"], &v3["now"]), (&first, &archived));
        assert_eq!(t["verdict"], archived);

        // claimed at C, reduced to B at 初审, passed on, paid, received
        let unit = head.unit_id.to_string();
        let submit = json!({"unit_id": unit, "quarter": "2024-Q2", "cases": [id]});
        let (status, claim) = call(&app, &head, "POST", "/api/v1/claims", Some(submit)).await;
        assert_eq!(status, 200, "{claim}");
        let claim_id = claim["claim"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/claims/{claim_id}/steps");
        let claim = called_back(&app, &staff, &claim_id).await;
        let reduce = json!([{"case_id": id, "action": "reduce", "tier": "B", "reason": "回访记录缺当事人签字"}]);
        let (status, mut claim) = call(&app, &staff, "POST", &path, Some(step("first_review", &claim["claim"]["version"], "pass", reduce))).await;
        assert_eq!(status, 200, "{claim}");
        let reduced = claim["total"].as_str().unwrap().to_owned();
        for (phone_no, name) in [(DIRECTOR, "second_review"), (LEADER, "township_check"), (BUREAU, "city_summary"), (APPROVER, "approval")] {
            let who = login(&app, phone_no).await;
            let (status, next) = call(&app, &who, "POST", &path, Some(step(name, &claim["claim"]["version"], "pass", json!([])))).await;
            assert_eq!(status, 200, "{name}: {next}");
            claim = next;
        }
        let pay = json!({"township_id": claim["claim"]["township_id"], "quarter": "2024-Q2", "claims": [claim_id], "amount": reduced, "paid_on": today(), "voucher": "记-2024-0720"});
        let (status, body) = call(&app, &bureau_finance, "POST", "/api/v1/claims/township-payments", Some(pay)).await;
        assert_eq!(status, 200, "{body}");
        let to_mediator = json!({"mediator_id": phone.person_id, "amount": reduced, "paid_on": today(), "method": "bank_transfer", "reference": "农信社流水 000456"});
        let (status, paid) = call(&app, &finance, "POST", &format!("/api/v1/claims/{claim_id}/mediator-payments"), Some(to_mediator)).await;
        assert_eq!(status, 200, "{paid}");
        let payment = paid["payments"].as_array().unwrap().iter().find(|p| p["payee"] == "mediator").unwrap()["id"].as_str().unwrap().to_owned();
        let (status, _) = call(&app, &phone, "POST", &format!("/api/v1/payments/{payment}/receipt"), Some(json!({"received": true}))).await;
        assert_eq!(status, 200);

        let (status, t) = trail(&app, &bureau, &id).await;
        assert_eq!(status, 200, "{t}");
        assert_eq!(kinds(&t), ["version", "version", "claimed", "line_changed", "approved", "paid", "paid", "receipt"], "{t}");
        let what = |i: usize| t["entries"][i]["what"].clone();
        assert_eq!((what(2)["tier"].as_str(), what(2)["amount"].as_str(), what(2)["quarter"].as_str()), (Some("C"), Some("200.00"), Some("2024-Q2")));
        assert_eq!(what(2)["claim_id"], json!(claim_id));
        let changed = what(3);
        assert_eq!((changed["step"].as_str(), changed["was"].as_str(), changed["tier"].as_str(), changed["amount"].as_str()), (Some("first_review"), Some("200.00"), Some("B"), Some(reduced.as_str())));
        assert_eq!(changed["reason"], "回访记录缺当事人签字");
        // the amount the approval and both payments carry is the line after the reduction
        for i in 4..7 {
            assert_eq!(what(i)["amount"], json!(reduced), "{}", t["entries"][i]);
        }
        assert_eq!((what(5)["payee"].as_str(), what(5)["reference"].as_str()), (Some("township"), Some("记-2024-0720")));
        assert_eq!((what(6)["payee"].as_str(), what(6)["paid_on"].as_str()), (Some("mediator"), Some(today().as_str())));
        assert_eq!(what(7)["received"], true);
        // each by a name, and in time order
        let entries = t["entries"].as_array().unwrap();
        assert!(entries.iter().all(|e| e["by"].as_str().is_some_and(|b| !b.is_empty())), "{t}");
        let times: Vec<&str> = entries.iter().map(|e| e["at"].as_str().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
        // the claim's lock is a new version, but no money change
        assert!(!entries.iter().any(|e| e["what"]["how"] == "claimed"), "{t}");
        assert_eq!(t["verdict"], archived, "the rules' verdict stays; the reviewers' reduction is the claim's");

        // the finance offices and the committee read it too; the same trail
        for who in [&finance, &bureau_finance, &phone, &head] {
            let (status, seen) = trail(&app, who, &id).await;
            assert_eq!(status, 200, "{seen}");
            assert_eq!(seen, t);
        }
        // nobody outside the committee's branch; no such case; no log-in
        assert_eq!(trail(&app, &community, &id).await.0, 404);
        assert_eq!(trail(&app, &bureau, &domain::CaseId::new_v7().to_string()).await.0, 404);
        assert_eq!(trail(&app, &bureau, "not-an-id").await.0, 400);
        let anonymous = app.client.get(app.url(&format!("/api/v1/cases/{id}/money"))).send().await.unwrap();
        assert_eq!(anonymous.status().as_u16(), 401);
        drop(app);
        db.cleanup().await;
    }
}
