//! Screening records (排查记录) pushed by devices: checked against the
//! schedule and the caller's scope, stored once, corrected by a later push;
//! on SQLite and PostgreSQL.

mod common;
use common::device::*;
use common::{TestApp, TestDb};
use domain::screening::{ScreeningOutcome, ScreeningRecord};
use domain::sync::Status;
use domain::{PersonId, ScreeningId, UnitId};
use serde_json::{Value, json};
use uuid::Uuid;

fn record(device: &Device, unit: &str, duty: &str, key: &str) -> ScreeningRecord {
    ScreeningRecord {
        id: ScreeningId::stable(key),
        unit_id: UnitId::parse(unit).unwrap(),
        duty: duty.into(),
        date: domain::dates::china_date(jiff::Timestamp::now()),
        coverage: "第一村民小组 32 户".into(),
        households: Some(32),
        outcome: ScreeningOutcome::NothingFound,
        notes: String::new(),
        photo: None,
        recorded_by: PersonId::parse(&device.person_id).unwrap(),
        attendees: None,
    }
}

fn mutation_of(device: &Device, op: &str, r: &ScreeningRecord) -> Value {
    device.seq.set(device.seq.get() + 1);
    json!({
        "seq": device.seq.get(), "mutation_id": Uuid::now_v7(), "entity": "screening",
        "entity_id": r.id, "op": op, "base_version": 0,
        "payload": if op == "delete" { Value::Null } else { serde_json::to_value(r).unwrap() },
    })
}

async fn group_of(db: &TestDb, village: &str) -> String {
    sqlx::query_scalar("SELECT id FROM org_unit WHERE parent_id = $1 ORDER BY code LIMIT 1")
        .bind(village)
        .fetch_one(db.db.pool())
        .await
        .unwrap()
}

on_both_databases! {
    async fn a_nothing_found_report_is_stored_once_and_corrected_by_a_later_push(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let group = group_of(&db, &phone.unit_id).await;
        let mut r = record(&phone, &group, "group_weekly_screening", "weekly-1");
        let body = json!({"client_id": phone.client_id, "mutations": [mutation_of(&phone, "upsert", &r)]});
        let first: domain::sync::PushResponse = push_raw(&app, &phone, &body).await.json().await.unwrap();
        assert_eq!(first.results[0].status, Status::Applied, "{:?}", first.results[0]);
        assert_eq!(first.results[0].version, Some(1));
        // the same push again: the same answer, nothing more
        let again: domain::sync::PushResponse = push_raw(&app, &phone, &body).await.json().await.unwrap();
        assert_eq!(again, first);
        let stored: (String, String, String, i64) = sqlx::query_as(
            "SELECT unit_id, duty, done_on, version FROM screening_record WHERE id = $1",
        )
        .bind(r.id.to_string())
        .fetch_one(db.db.pool())
        .await
        .unwrap();
        assert_eq!(stored, (group.clone(), "group_weekly_screening".into(), domain::dates::format_iso(r.date), 1));

        // corrected: the households counted were 35
        r.households = Some(35);
        let fixed = push(&app, &phone, vec![mutation_of(&phone, "upsert", &r)]).await;
        assert_eq!(fixed.results[0].version, Some(2));
        let payload: String = sqlx::query_scalar("SELECT payload FROM screening_record WHERE id = $1")
            .bind(r.id.to_string())
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        assert_eq!(serde_json::from_str::<ScreeningRecord>(&payload).unwrap(), r);
        assert_eq!(count(&db, "screening_record").await, 1);
        drop(app);
        db.cleanup().await;
    }

    async fn bad_or_foreign_records_are_refused_with_their_field_and_nothing_stored(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let other = login(&app, COMMUNITY_MEDIATOR).await;
        let group = group_of(&db, &phone.unit_id).await;
        let ok = record(&phone, &group, "group_weekly_screening", "ok");

        let mut found_nothing_listed = record(&phone, &group, "group_weekly_screening", "found-empty");
        found_nothing_listed.outcome = ScreeningOutcome::Found { case_ids: vec![] };
        let mut tomorrow = record(&phone, &group, "group_weekly_screening", "tomorrow");
        tomorrow.date = tomorrow.date.tomorrow().unwrap();
        // a group does not owe the village's monthly screening
        let wrong_duty = record(&phone, &group, "village_monthly_screening", "wrong-duty");
        // another community's unit
        let foreign = record(&phone, &other.unit_id, "village_monthly_screening", "foreign");
        let answer = push(&app, &phone, vec![
            mutation_of(&phone, "upsert", &found_nothing_listed),
            mutation_of(&phone, "upsert", &tomorrow),
            mutation_of(&phone, "upsert", &wrong_duty),
            mutation_of(&phone, "upsert", &foreign),
            mutation_of(&phone, "delete", &ok),
        ]).await;
        let got: Vec<(Status, Option<&str>, Option<&str>)> = answer
            .results
            .iter()
            .map(|r| (r.status, r.code.as_deref(), r.field.as_deref()))
            .collect();
        assert_eq!(got, vec![
            (Status::Rejected, Some("invalid"), Some("payload.outcome.case_ids")),
            (Status::Rejected, Some("invalid"), Some("payload.date")),
            (Status::Rejected, Some("invalid"), Some("payload.duty")),
            (Status::Rejected, Some("scope"), Some("payload.unit_id")),
            (Status::Rejected, Some("not_deletable"), Some("op")),
        ]);
        for r in &answer.results {
            assert!(r.message.as_deref().is_some_and(|m| m.contains(" / ")), "bilingual: {r:?}");
        }
        assert_eq!(count(&db, "screening_record").await, 0);

        // the community's own mediator may record for it
        let theirs = record(&other, &other.unit_id, "village_monthly_screening", "theirs");
        let answer = push(&app, &other, vec![mutation_of(&other, "upsert", &theirs)]).await;
        assert_eq!(answer.results[0].status, Status::Applied, "{:?}", answer.results[0]);
        // and the village mediator cannot overwrite it by its id
        let mut taken = record(&phone, &group, "group_weekly_screening", "theirs");
        taken.id = theirs.id;
        let answer = push(&app, &phone, vec![mutation_of(&phone, "upsert", &taken)]).await;
        assert_eq!(answer.results[0].code.as_deref(), Some("scope"));
        assert_eq!(count(&db, "screening_record").await, 1);
        drop(app);
        db.cleanup().await;
    }
}
