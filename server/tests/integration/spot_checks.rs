//! Call-back spot checks (回访抽查): at 初审 the judicial office draws a
//! claim's sample once, from a seed the server records (an auditor redraws
//! it from the seed and the claim), and records each call; a party who
//! denies the mediation takes the case out of the claim and unlocks it on
//! the phone; 初审 passes the claim only when every sampled line still in
//! it passed. Only 初审's signer acts; the parties' words stay with the
//! roles that read cases. On SQLite and PostgreSQL.

use crate::claims::{call, closed, pushed, step};
use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::CaseId;
use serde_json::{Value, json};

const HEAD: &str = "13900000001";
const DIRECTOR: &str = "13900000003";
const LEADER: &str = "13900000004";
const TOWNSHIP_FINANCE: &str = "13900000005";

fn line_of<'a>(claim: &'a Value, case: &Value) -> &'a Value {
    claim["current"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| &l["case_id"] == case)
        .unwrap()
}

fn number_of(claim: &Value, case: &Value) -> String {
    let line = claim["claim"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| &l["case_id"] == case)
        .unwrap();
    line["number"].as_str().unwrap().to_owned()
}

/// What the claims list says 初审 still has to do for claim `id`'s call-backs.
async fn due(app: &TestApp, who: &Device, id: &str) -> Option<Value> {
    let (_, list) = call(app, who, "GET", "/api/v1/claims?quarter=2024-Q2", None).await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
        .get("call_backs")
        .cloned()
}

on_both_databases! {
    async fn a_sample_is_drawn_once_from_its_seed_and_a_denial_takes_the_case_out(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let head = login(&app, HEAD).await;
        let staff = login(&app, JUDICIAL_OFFICE).await;
        let director = login(&app, DIRECTOR).await;
        let leader = login(&app, LEADER).await;
        let finance = login(&app, TOWNSHIP_FINANCE).await;
        let bureau = login(&app, BUREAU).await;

        let mut cases = Vec::new();
        for (i, general) in [true, false, true, false, true].into_iter().enumerate() {
            cases.push(pushed(&app, &phone, &closed(&phone, general, &format!("2024-05-1{i}"))).await);
        }
        let (status, claim) = call(&app, &head, "POST", "/api/v1/claims", Some(json!({"unit_id": head.unit_id, "quarter": "2024-Q2", "cases": cases}))).await;
        assert_eq!(status, 200, "{claim}");
        let id = claim["claim"]["id"].as_str().unwrap().to_owned();
        let draw_path = format!("/api/v1/claims/{id}/spot-check");
        let call_path = format!("/api/v1/claims/{id}/spot-check/calls");
        let v1 = claim["claim"]["version"].clone();
        // the list says what 初审 still has to do for the call-backs
        assert_eq!(due(&app, &staff, &id).await, Some(json!({"state": "not_drawn"})));

        // only 初审's signer draws; a seed is the server's, not the caller's
        for who in [&director, &leader, &finance, &head, &phone, &bureau] {
            let (status, body) = call(&app, who, "POST", &draw_path, Some(json!({"version": v1}))).await;
            assert_eq!(status, 403, "{body}");
        }
        let (status, _) = call(&app, &staff, "POST", &draw_path, Some(json!({"version": v1, "seed": 1}))).await;
        assert_eq!(status, 400, "an unknown field is refused");
        let (status, body) = call(&app, &staff, "POST", &draw_path, Some(json!({"version": 0}))).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("stale")));
        assert_eq!(count(&db, "claim_spot_check").await, 0, "nothing stored half-way");

        // drawn: 10 % of 5, at least 2; redrawn from the recorded seed
        let (status, claim) = call(&app, &staff, "POST", &draw_path, Some(json!({"version": v1}))).await;
        assert_eq!(status, 200, "{claim}");
        let check = claim["claim"]["spot_check"].clone();
        let sample: Vec<Value> = check["cases"].as_array().unwrap().clone();
        assert_eq!(sample.len(), 2, "{check}");
        assert_eq!(check["rule"], json!({"percent": 10, "at_least": 2}));
        let lines: Vec<CaseId> = claim["claim"]["lines"].as_array().unwrap().iter().map(|l| l["case_id"].as_str().unwrap().parse().unwrap()).collect();
        let rule = domain::rules::builtin().iter().find(|r| r.id == "chuxiong-2014").unwrap().spot_check.unwrap();
        let redrawn = domain::spot_check::draw(check["seed"].as_u64().unwrap() as u32, &lines, &rule);
        assert_eq!(serde_json::to_value(&redrawn).unwrap(), json!(sample), "an auditor redraws it");
        assert_eq!(count(&db, "claim_spot_check_case").await, 2);
        let (status, body) = call(&app, &staff, "POST", &draw_path, Some(json!({"version": claim["claim"]["version"]}))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("version")), "drawn once: {body}");
        assert!(body["message"].as_str().unwrap().contains("已经抽取过"), "{body}");
        let (_, again) = call(&app, &staff, "GET", &format!("/api/v1/claims/{id}"), None).await;
        assert_eq!(again["claim"]["spot_check"]["seed"], check["seed"], "kept as drawn");

        // calls: only for the sample, answers that agree, nothing forged
        let (first, second) = (&sample[0], &sample[1]);
        let unsampled = lines.iter().map(|c| json!(c)).find(|c| !sample.contains(c)).unwrap();
        let req = |v: &Value, case: &Value, reached: bool, confirms: bool, notes: &str| {
            json!({"version": v, "case_id": case, "reached": reached, "confirms": confirms, "satisfied": confirms, "notes": notes})
        };
        let mut v = claim["claim"]["version"].clone();
        for (body, field) in [
            (req(&v, &unsampled, true, true, ""), "case_id"),
            (json!({"version": v, "case_id": first, "reached": false, "confirms": true, "satisfied": false}), "reached"),
            (req(&v, first, true, false, "  "), "notes"),
        ] {
            let (status, answer) = call(&app, &staff, "POST", &call_path, Some(body)).await;
            assert_eq!((status, answer["field"].as_str()), (422, Some(field)), "{answer}");
        }
        let mut forged = req(&v, first, true, true, "");
        forged["result"] = json!("passed");
        assert_eq!(call(&app, &staff, "POST", &call_path, Some(forged)).await.0, 400);
        assert_eq!(call(&app, &director, "POST", &call_path, Some(req(&v, first, true, true, ""))).await.0, 403);
        assert_eq!(count(&db, "claim_call_back").await, 0);

        // nobody answers: the check waits, and 初审 cannot pass the claim
        let (status, claim) = call(&app, &staff, "POST", &call_path, Some(req(&v, first, false, false, "关机"))).await;
        assert_eq!(status, 200, "{claim}");
        v = claim["claim"]["version"].clone();
        assert_eq!(due(&app, &head, &id).await, Some(json!({"state": "waiting", "calls": 2})), "every reader sees it");
        let (status, body) = call(&app, &staff, "POST", &format!("/api/v1/claims/{id}/steps"), Some(step("first_review", &v, "pass", json!([])))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("spot_check")), "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with("还有 2 件抽查案件没有回访结果") && message.contains(&number_of(&claim, first)), "{message}");

        // the party denies it: the case leaves the claim and is unlocked
        let before = claim["total"].as_str().unwrap().parse::<domain::Money>().unwrap();
        let earned = line_of(&claim, first)["amount"].as_str().unwrap().parse::<domain::Money>().unwrap();
        let (status, claim) = call(&app, &staff, "POST", &call_path, Some(req(&v, first, true, false, "说没有人来调解过"))).await;
        assert_eq!(status, 200, "{claim}");
        let line = line_of(&claim, first);
        assert_eq!((line["returned"].as_bool(), line["reason"].as_str()), (Some(true), Some("回访抽查未通过：当事人不认可调解")));
        assert_eq!(claim["total"].as_str().unwrap().parse::<domain::Money>().unwrap(), before.checked_sub(earned).unwrap(), "the total follows its lines");
        let pulled = pull(&app, &phone, 0).await;
        let freed = pulled.changes.iter().rev().find(|c| json!(c.entity_id.to_string()) == *first).unwrap();
        assert_eq!(freed.payload.as_ref().unwrap()["claim_id"], Value::Null, "unlocked on the phone");
        let (_, draft) = call(&app, &head, "GET", &format!("/api/v1/claims/draft?unit_id={}&quarter=2024-Q2", head.unit_id), None).await;
        assert!(draft["lines"].as_array().unwrap().iter().any(|l| &l["case_id"] == first), "claimable again once fixed: {draft}");
        v = claim["claim"]["version"].clone();
        let (status, body) = call(&app, &staff, "POST", &call_path, Some(req(&v, first, true, true, ""))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("case_id")), "decided: {body}");

        // two calls sent at once on one version: one is recorded
        let body = req(&v, second, true, true, "认可调解，很满意");
        let (a, b) = tokio::join!(
            call(&app, &staff, "POST", &call_path, Some(body.clone())),
            call(&app, &staff, "POST", &call_path, Some(body.clone())),
        );
        let mut codes = [a.0, b.0];
        codes.sort_unstable();
        assert_eq!(codes, [200, 409], "{a:?} {b:?}");
        assert_eq!(count(&db, "claim_call_back").await, 3);

        assert_eq!(due(&app, &staff, &id).await, None, "the calls are done");

        // what the parties said reaches the roles that read cases only
        let (_, seen) = call(&app, &staff, "GET", &format!("/api/v1/claims/{id}"), None).await;
        let notes = |c: &Value| c["claim"]["spot_check"]["calls"].as_array().unwrap().iter().map(|c| c["notes"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
        assert_eq!(notes(&seen), ["关机", "说没有人来调解过", "认可调解，很满意"]);
        let (status, paid_by) = call(&app, &finance, "GET", &format!("/api/v1/claims/{id}"), None).await;
        assert_eq!(status, 200);
        assert!(notes(&paid_by).iter().all(String::is_empty), "{paid_by}");

        // every sampled line passed or left: 初审 passes the rest
        let v = seen["claim"]["version"].clone();
        let (status, signed) = call(&app, &staff, "POST", &format!("/api/v1/claims/{id}/steps"), Some(step("first_review", &v, "pass", json!([])))).await;
        assert_eq!((status, signed["claim"]["stage"].as_str()), (200, Some("second_review")), "{signed}");
        assert_eq!(signed["claim"]["signatures"][0]["total"], signed["total"]);
        let (status, body) = call(&app, &staff, "POST", &call_path, Some(req(&signed["claim"]["version"], second, true, true, ""))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("version")), "past 初审: {body}");

        // the approval slip (审批单) carries the check: seed, cases, results
        let res = app.client.get(app.url(&format!("/api/v1/claims/{id}/slip.html"))).bearer_auth(&staff.token).send().await.unwrap();
        let slip = res.text().await.unwrap();
        let expected = format!("回访抽查（抽取 2 件，随机数 {}；", check["seed"]);
        assert!(slip.contains(&expected), "{slip}");
        assert!(slip.contains(&format!("{} 未通过，已退回", number_of(&signed, first))) && slip.contains(&format!("{} 通过", number_of(&signed, second))), "{slip}");
        assert!(!slip.contains("说没有人来调解过"), "the parties' words stay off the paper");

        // the freed case claimed again: a claim returned whole needs no call
        let (status, claim) = call(&app, &head, "POST", "/api/v1/claims", Some(json!({"unit_id": head.unit_id, "quarter": "2024-Q2", "cases": [first]}))).await;
        assert_eq!(status, 200, "{claim}");
        let again = claim["claim"]["id"].as_str().unwrap();
        let (status, back) = call(&app, &staff, "POST", &format!("/api/v1/claims/{again}/steps"), Some(step("first_review", &claim["claim"]["version"], "return", json!([])))).await;
        assert_eq!((status, back["claim"]["stage"].as_str()), (200, Some("returned")), "{back}");
        drop(app);
        db.cleanup().await;
    }
}
