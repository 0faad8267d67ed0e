//! The duplicate check (重复申报核查): the offices that review a case or a
//! claim are shown the cases that look like the same dispute — the same
//! party in another case of the same kind within 90 days, the same photo,
//! two oral cases of the same parties the same day — in any committee,
//! across townships. On SQLite and PostgreSQL.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::case::Case;
use domain::org::UnitKind;
use domain::sync::Status;
use serde_json::{Value, json};
use tiaojie_server::store::{self, cases::StoredCase};

const HEAD: &str = "13900000001";
const TOWNSHIP_FINANCE: &str = "13900000005";
/// The ID number every case of this test's party carries.
const PARTY_ID: &str = "11010519491231002X";

async fn get(app: &TestApp, who: &Device, path: &str) -> (u16, Value) {
    let res = app
        .client
        .get(app.url(path))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A closed general case of `unit` with the test's party, of `kind`,
/// received and closed on `day`.
fn case_of(unit: domain::UnitId, owner: domain::PersonId, kind: &str, day: &str) -> Case {
    let mut case = domain::testing::general_case();
    case.id = domain::CaseId::new_v7();
    case.seq = None;
    case.unit_id = unit;
    case.owner_id = owner;
    case.dispute_type = kind.into();
    let day = domain::dates::parse_iso(day).unwrap();
    case.received_on = day;
    case.closed_on = Some(day);
    for s in &mut case.sessions {
        s.held_on = day;
    }
    // the test's party, and no other party with an ID number
    for p in &mut case.parties {
        p.resident_id = None;
    }
    case.parties[0].resident_id = Some(domain::validate::ResidentId::parse(PARTY_ID).unwrap());
    case
}

/// Stores cases of another township's committee the way the demo history
/// does (the store's write path, which keeps the index).
async fn stored_elsewhere(db: &TestDb, unit: &store::org::Unit, cases: &[Case]) {
    let mut tx = db.db.write().await.unwrap();
    let first = store::cases::reserve_change_nos(&mut tx, cases.len())
        .await
        .unwrap();
    let now = domain::Timestamp::from(jiff::Timestamp::now());
    let rows: Vec<(StoredCase, domain::Timestamp, domain::Timestamp)> = cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            // what it earns does not matter to the check
            let verdict = domain::rules::Verdict::none();
            (
                StoredCase {
                    id: case.id,
                    unit_id: unit.id,
                    unit_path: unit.path.clone(),
                    version: 1,
                    payload: Some(serde_json::to_string(case).unwrap()),
                    deleted: false,
                    verdict,
                    locked_reason: None,
                    change_no: first + i as i64,
                },
                now,
                now,
            )
        })
        .collect();
    store::cases::insert_loaded(&mut tx, &rows).await.unwrap();
    tx.commit().await.unwrap();
}

/// The flags of a case's answer (a list of none or one case).
fn flags(body: &Value) -> Vec<(String, Option<String>, String)> {
    let cases = body.as_array().expect("a list");
    assert!(cases.len() <= 1, "{body}");
    cases
        .iter()
        .flat_map(|c| c["flags"].as_array().unwrap().iter())
        .map(|f| {
            (
                f["likeness"].as_str().unwrap().to_owned(),
                f["case_id"].as_str().map(str::to_owned),
                f["words"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

on_both_databases! {
    async fn cases_that_look_like_one_dispute_are_shown_to_the_reviewing_offices(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let sector = login(&app, SECTOR_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let bureau = login(&app, BUREAU).await;
        let finance = login(&app, TOWNSHIP_FINANCE).await;

        // a village committee of another township than the phone's
        let units = store::org::all(&db.db).await.unwrap();
        let mine = units.iter().find(|u| u.id == phone.unit_id).unwrap();
        let township = mine.parent_id.unwrap();
        let elsewhere = units
            .iter()
            .find(|u| u.kind == UnitKind::Village && u.parent_id != Some(township))
            .expect("the demo has a second township")
            .clone();

        // A: the phone's case with the party and a photo
        let photo = photo_bytes(2_000, 11);
        let mut a = serde_json::to_value(case_of(phone.unit_id, phone.person_id, "neighbours", "2024-05-10")).unwrap();
        a["attachments"] = case_with_photo(&phone, 1, &photo)["attachments"].clone();
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &a, 0)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        let a_id = a["id"].as_str().unwrap().to_owned();

        // elsewhere: the same party and kind 60 days later (flagged), half a
        // year later (not), another kind the same day (not)
        let owner = domain::PersonId::new_v7();
        let near = case_of(elsewhere.id, owner, "neighbours", "2024-07-09");
        let far = case_of(elsewhere.id, owner, "neighbours", "2024-12-01");
        let other_kind = case_of(elsewhere.id, owner, "contract", "2024-05-10");
        stored_elsewhere(&db, &elsewhere, &[near.clone(), far.clone(), other_kind.clone()]).await;
        // the city's sector committee: another party, the same photo
        let mut s = case_with_photo(&sector, 5, &photo);
        s["parties"][0]["resident_id"] = json!("440524188001010014");
        let r = push(&app, &sector, vec![mutation(&sector, "upsert", &s, 0)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        let s_id = s["id"].as_str().unwrap().to_owned();

        // the township's judicial office sees both flags, without the ids
        // of cases outside its township
        let path = format!("/api/v1/cases/{a_id}/duplicates");
        let (status, body) = get(&app, &office, &path).await;
        assert_eq!(status, 200, "{body}");
        let got = flags(&body);
        assert_eq!(got.len(), 2, "{body}");
        assert!(got.iter().any(|(l, id, words)| l == "same_party" && id.is_none() && words.contains(&elsewhere.name) && words.contains("2024-07-09")), "{body}");
        assert!(got.iter().any(|(l, id, _)| l == "same_photo" && id.is_none()), "{body}");
        assert!(!body.to_string().contains(PARTY_ID), "no ID number in a flag");
        // the bureau sees the whole city: the ids to open them
        let (_, body) = get(&app, &bureau, &path).await;
        let ids: Vec<Option<String>> = flags(&body).into_iter().map(|(_, id, _)| id).collect();
        assert!(ids.contains(&Some(near.id.to_string())) && ids.contains(&Some(s_id.clone())), "{body}");
        assert!(!ids.contains(&Some(far.id.to_string())) && !ids.contains(&Some(other_kind.id.to_string())));
        // both ways: the other township's case shows the phone's
        let (_, body) = get(&app, &bureau, &format!("/api/v1/cases/{}/duplicates", near.id)).await;
        assert_eq!(flags(&body).iter().map(|f| f.1.clone()).collect::<Vec<_>>(), vec![Some(a_id.clone())]);
        // the case's committee and the finance office do not review: 403;
        // an office of another township does not see the case: 404
        assert_eq!(get(&app, &phone, &path).await.0, 403);
        assert_eq!(get(&app, &finance, &path).await.0, 403);
        assert_eq!(get(&app, &office, &format!("/api/v1/cases/{}/duplicates", near.id)).await.0, 404);

        // a later change that drops the party's ID drops the flag
        let mut changed = a.clone();
        changed["parties"][0]["resident_id"] = Value::Null;
        changed["version"] = json!(1);
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &changed, 1)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        let (_, body) = get(&app, &office, &path).await;
        assert_eq!(flags(&body).iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), vec!["same_photo"]);

        // two oral cases of the same parties the same day; a third a day later
        let mut oral = domain::testing::oral_case();
        oral.id = domain::CaseId::new_v7();
        oral.seq = None;
        oral.unit_id = phone.unit_id;
        oral.owner_id = phone.person_id;
        let mut twin = oral.clone();
        twin.id = domain::CaseId::new_v7();
        twin.parties.reverse();
        let mut next_day = oral.clone();
        next_day.id = domain::CaseId::new_v7();
        next_day.received_on = next_day.received_on.tomorrow().unwrap();
        next_day.closed_on = Some(next_day.received_on);
        for c in [&oral, &twin, &next_day] {
            let v = serde_json::to_value(c).unwrap();
            let r = push(&app, &phone, vec![mutation(&phone, "upsert", &v, 0)]).await;
            assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        }
        let (_, body) = get(&app, &office, &format!("/api/v1/cases/{}/duplicates", oral.id)).await;
        let oral_flags: Vec<(String, Option<String>)> = flags(&body)
            .into_iter()
            .filter(|f| f.0 == "same_oral")
            .map(|f| (f.0, f.1))
            .collect();
        assert_eq!(oral_flags, vec![("same_oral".to_owned(), Some(twin.id.to_string()))], "{body}");
        // deleted, the twin is no longer a duplicate
        let r = push(&app, &phone, vec![mutation(&phone, "delete", &serde_json::to_value(&twin).unwrap(), 1)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        let (_, body) = get(&app, &office, &format!("/api/v1/cases/{}/duplicates", oral.id)).await;
        assert!(flags(&body).iter().all(|f| f.0 != "same_oral"), "{body}");

        // the index holds hashes, not ID numbers or names
        let marks: Vec<String> = sqlx::query_scalar("SELECT mark FROM case_mark").fetch_all(db.db.pool()).await.unwrap();
        assert!(!marks.is_empty());
        assert!(marks.iter().all(|m| m.len() == 32 && !m.contains(&PARTY_ID[..6])));
    }

    async fn a_claims_lines_carry_their_flags_for_the_reviewers(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let head = login(&app, HEAD).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let finance = login(&app, TOWNSHIP_FINANCE).await;

        // two cases of the same party and kind a month apart, one without
        let first = serde_json::to_value(case_of(phone.unit_id, phone.person_id, "neighbours", "2024-05-10")).unwrap();
        let second = serde_json::to_value(case_of(phone.unit_id, phone.person_id, "neighbours", "2024-06-10")).unwrap();
        let mut alone = serde_json::to_value(case_of(phone.unit_id, phone.person_id, "contract", "2024-06-12")).unwrap();
        alone["parties"][0]["resident_id"] = json!("440524188001010014");
        for c in [&first, &second, &alone] {
            let r = push(&app, &phone, vec![mutation(&phone, "upsert", c, 0)]).await;
            assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
        }
        let ids: Vec<&str> = [&first, &second, &alone].iter().map(|c| c["id"].as_str().unwrap()).collect();
        let res = app
            .client
            .post(app.url("/api/v1/claims"))
            .bearer_auth(&head.token)
            .json(&json!({"unit_id": head.unit_id, "quarter": "2024-Q2", "cases": ids}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let claim: Value = res.json().await.unwrap();
        let path = format!("/api/v1/claims/{}/duplicates", claim["claim"]["id"].as_str().unwrap());

        let (status, body) = get(&app, &office, &path).await;
        assert_eq!(status, 200, "{body}");
        let lines = body.as_array().unwrap();
        assert_eq!(
            lines.iter().map(|l| l["case_id"].as_str().unwrap()).collect::<Vec<_>>(),
            vec![ids[0], ids[1]],
            "the flagged lines in the claim's order: {body}"
        );
        assert_eq!(lines[0]["flags"][0]["case_id"], json!(ids[1]));
        assert_eq!(lines[1]["flags"][0]["likeness"], "same_party");
        // the committee that claims and the finance office that pays do not review
        assert_eq!(get(&app, &head, &path).await.0, 403);
        assert_eq!(get(&app, &finance, &path).await.0, 403);
    }

    async fn cases_stored_before_the_index_are_indexed_at_the_next_migrate(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let one = serde_json::to_value(case_of(phone.unit_id, phone.person_id, "neighbours", "2024-05-10")).unwrap();
        let two = serde_json::to_value(case_of(phone.unit_id, phone.person_id, "neighbours", "2024-05-20")).unwrap();
        push(&app, &phone, vec![mutation(&phone, "upsert", &one, 0), mutation(&phone, "upsert", &two, 0)]).await;
        let marks = || async {
            let mut m: Vec<(String, String)> = sqlx::query_as("SELECT case_id, mark FROM case_mark")
                .fetch_all(db.db.pool())
                .await
                .unwrap();
            m.sort();
            m
        };
        let before = marks().await;
        assert_eq!(before.len(), 2, "one party with an ID number each: {before:?}");
        // as a database of the version before the index
        sqlx::query("DELETE FROM case_mark").execute(db.db.pool()).await.unwrap();
        sqlx::query("DELETE FROM server_setting WHERE name = 'case_marks_indexed'")
            .execute(db.db.pool())
            .await
            .unwrap();
        db.db.migrate().await.unwrap();
        assert_eq!(marks().await, before, "the same marks, under the same key");
        // once: a second migrate does not read the cases again
        sqlx::query("DELETE FROM case_mark").execute(db.db.pool()).await.unwrap();
        db.db.migrate().await.unwrap();
        assert!(marks().await.is_empty());
    }
}
