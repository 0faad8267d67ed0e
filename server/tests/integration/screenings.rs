//! Screening records (排查记录) pushed by devices: checked against the
//! schedule and the caller's scope, stored once, corrected by a later push;
//! on SQLite and PostgreSQL.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::screening::{ScreeningOutcome, ScreeningRecord};
use domain::sync::Status;
use domain::{ScreeningId, UnitId};
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
        recorded_by: device.person_id,
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

on_both_databases! {
    async fn who_recorded_a_screening_is_the_servers_to_say(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let head = login(&app, "13900000001").await;
        let group = group_of(&db, &phone.unit_id.to_string()).await;
        // a record in someone else's name (back-dated or not) is refused
        let mut forged = record(&phone, &group, "group_weekly_screening", "forged");
        forged.recorded_by = head.person_id;
        let r = push(&app, &phone, vec![mutation_of(&phone, "upsert", &forged)]).await;
        assert_eq!(outcomes(&r), [(Status::Rejected, Some("invalid"), Some("payload.recorded_by"))]);
        assert_eq!(count(&db, "screening_record").await, 0);
        // the mediator's own record; the committee head corrects its notes:
        // it stays the mediator's, and cannot be made the head's
        let mut own = record(&phone, &group, "group_weekly_screening", "own");
        let r = push(&app, &phone, vec![mutation_of(&phone, "upsert", &own)]).await;
        assert_eq!(outcomes(&r), [(Status::Applied, None, None)]);
        own.notes = "主任补充：已电话核实".into();
        let r = push(&app, &head, vec![mutation_of(&head, "upsert", &own)]).await;
        assert_eq!(outcomes(&r), [(Status::Applied, None, None)]);
        own.recorded_by = head.person_id;
        let r = push(&app, &head, vec![mutation_of(&head, "upsert", &own)]).await;
        assert_eq!(outcomes(&r), [(Status::Rejected, Some("invalid"), Some("payload.recorded_by"))]);
        let stored: String = sqlx::query_scalar("SELECT payload FROM screening_record WHERE id = $1")
            .bind(own.id.to_string()).fetch_one(db.db.pool()).await.unwrap();
        let stored: ScreeningRecord = serde_json::from_str(&stored).unwrap();
        assert_eq!((stored.recorded_by, stored.notes.as_str()), (phone.person_id, "主任补充：已电话核实"));
        drop(app);
        db.cleanup().await;
    }
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
        let group = group_of(&db, &phone.unit_id.to_string()).await;
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
        let group = group_of(&db, &phone.unit_id.to_string()).await;
        let ok = record(&phone, &group, "group_weekly_screening", "ok");

        let mut found_nothing_listed = record(&phone, &group, "group_weekly_screening", "found-empty");
        found_nothing_listed.outcome = ScreeningOutcome::Found { case_ids: vec![] };
        let mut tomorrow = record(&phone, &group, "group_weekly_screening", "tomorrow");
        tomorrow.date = tomorrow.date.tomorrow().unwrap();
        // a group does not owe the village's monthly screening
        let wrong_duty = record(&phone, &group, "village_monthly_screening", "wrong-duty");
        // another community's unit
        let foreign = record(&phone, &other.unit_id.to_string(), "village_monthly_screening", "foreign");
        let answer = push(&app, &phone, vec![
            mutation_of(&phone, "upsert", &found_nothing_listed),
            mutation_of(&phone, "upsert", &tomorrow),
            mutation_of(&phone, "upsert", &wrong_duty),
            mutation_of(&phone, "upsert", &foreign),
            mutation_of(&phone, "delete", &ok),
        ]).await;
        let got = outcomes(&answer);
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
        let theirs = record(&other, &other.unit_id.to_string(), "village_monthly_screening", "theirs");
        let answer = push(&app, &other, vec![mutation_of(&other, "upsert", &theirs)]).await;
        assert_eq!(answer.results[0].status, Status::Applied, "{:?}", answer.results[0]);
        // and the village mediator cannot overwrite it by its id
        let mut taken = record(&phone, &group, "group_weekly_screening", "theirs");
        taken.id = theirs.id;
        let answer = push(&app, &phone, vec![mutation_of(&phone, "upsert", &taken)]).await;
        assert_eq!(answer.results[0].code.map(|c| c.code()), Some("scope"));
        assert_eq!(count(&db, "screening_record").await, 1);
        drop(app);
        db.cleanup().await;
    }

    async fn a_screening_photo_is_uploaded_after_its_record_and_read_only_in_scope(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let other = login(&app, COMMUNITY_MEDIATOR).await;
        let group = group_of(&db, &phone.unit_id.to_string()).await;
        let bytes: Vec<u8> = (0..70_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let sha = tiaojie_server::service::auth::sha256_hex(&bytes);
        let status_url = format!("/api/v1/attachments/{sha}/upload");
        let get = |device: &Device, path: String| {
            app.client.get(app.url(&path)).bearer_auth(&device.token).send()
        };
        // before its record arrives, nobody may upload it
        assert_eq!(get(&phone, status_url.clone()).await.unwrap().status(), 404);

        let mut r = record(&phone, &group, "group_weekly_screening", "with-photo");
        let mut photo = domain::attachment::AttachmentRef {
            id: Uuid::now_v7().to_string(),
            form: None,
            taken_at: "2026-11-27T10:00:00+08:00".parse().unwrap(),
            position: None,
            bytes: bytes.len() as u64,
            content_type: "image/jpeg".into(),
            sha256: None,
        };
        // a photo not named by its SHA-256 could never be uploaded: refused
        r.photo = Some(photo.clone());
        let answer = push(&app, &phone, vec![mutation_of(&phone, "upsert", &r)]).await;
        assert_eq!(answer.results[0].field.as_deref(), Some("payload.photo.sha256"), "{:?}", answer.results[0]);
        assert_eq!(count(&db, "screening_record").await, 0);
        photo.sha256 = Some(sha.clone());
        r.photo = Some(photo);
        let answer = push(&app, &phone, vec![mutation_of(&phone, "upsert", &r)]).await;
        assert_eq!(answer.results[0].status, Status::Applied, "{:?}", answer.results[0]);

        // another committee's mediator neither uploads nor reads it
        let put = |device: &Device, body: Vec<u8>| {
            app.client
                .put(app.url(&format!("/api/v1/attachments/{sha}")))
                .bearer_auth(&device.token)
                .header("Upload-Offset", "0")
                .body(body)
                .send()
        };
        assert_eq!(put(&other, bytes.clone()).await.unwrap().status(), 404);
        let at: domain::api::UploadStatus = get(&phone, status_url.clone()).await.unwrap().json().await.unwrap();
        assert_eq!((at.bytes, at.received, at.complete), (bytes.len() as u64, 0, false));
        let done: domain::api::UploadStatus = put(&phone, bytes.clone()).await.unwrap().json().await.unwrap();
        assert!(done.complete, "{done:?}");
        // the township office reads it; the other committee does not
        let download = get(&office, format!("/api/v1/attachments/{sha}")).await.unwrap();
        assert_eq!(download.status(), 200);
        assert_eq!(download.headers()["content-type"], "image/jpeg");
        assert_eq!(download.bytes().await.unwrap().as_ref(), &bytes[..]);
        assert_eq!(get(&other, format!("/api/v1/attachments/{sha}")).await.unwrap().status(), 404);

        // corrected without the photo: nothing refers to it any more
        r.photo = None;
        let answer = push(&app, &phone, vec![mutation_of(&phone, "upsert", &r)]).await;
        assert_eq!(answer.results[0].version, Some(2));
        assert_eq!(get(&office, format!("/api/v1/attachments/{sha}")).await.unwrap().status(), 404);
        drop(app);
        db.cleanup().await;
    }

    async fn records_come_back_in_the_pull_between_cases_in_change_order_and_in_scope(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let other = login(&app, COMMUNITY_MEDIATOR).await;
        // where each device's pull stands now (the demo's cases)
        async fn caught_up(app: &TestApp, device: &Device) -> i64 {
            let mut cursor = 0;
            loop {
                let page = pull_page(app, device, cursor, 1000).await;
                cursor = page.cursor;
                if !page.has_more {
                    return cursor;
                }
            }
        }
        let (from_phone, from_office, from_other) =
            (caught_up(&app, &phone).await, caught_up(&app, &office).await, caught_up(&app, &other).await);
        let group = group_of(&db, &phone.unit_id.to_string()).await;
        // record, case, record, case: one push, four change numbers in order
        let r1 = record(&phone, &group, "group_weekly_screening", "pull-1");
        let r2 = record(&phone, &phone.unit_id.to_string(), "village_monthly_screening", "pull-2");
        let (c1, c2) = (new_case(&phone, 71), new_case(&phone, 72));
        let answer = push(&app, &phone, vec![
            mutation_of(&phone, "upsert", &r1),
            mutation(&phone, "upsert", &c1, 0),
            mutation_of(&phone, "upsert", &r2),
            mutation(&phone, "upsert", &c2, 0),
        ]).await;
        assert!(answer.results.iter().all(|r| r.status == Status::Applied), "{answer:?}");
        let want = vec![
            ("screening".to_owned(), r1.id.to_string()),
            ("case".to_owned(), c1["id"].as_str().unwrap().to_owned()),
            ("screening".to_owned(), r2.id.to_string()),
            ("case".to_owned(), c2["id"].as_str().unwrap().to_owned()),
        ];
        // page by page, one change at a time: each once, in order; the
        // township office gets the cases only (it reads the compliance view)
        let cases_only: Vec<_> = want.iter().filter(|(e, _)| e == "case").cloned().collect();
        for (device, from, want) in [(&phone, from_phone, &want), (&office, from_office, &cases_only)] {
            let (mut cursor, mut got) = (from, Vec::new());
            loop {
                let page = pull_page(&app, device, cursor, 1).await;
                assert!(page.changes.len() <= 1);
                for c in &page.changes {
                    assert!(c.change_no > cursor);
                    got.push((c.entity.code().to_owned(), c.entity_id.to_string()));
                    if c.entity == domain::sync::Entity::Screening {
                        let back: ScreeningRecord =
                            serde_json::from_value(c.payload.clone().unwrap()).unwrap();
                        assert!(back == r1 || back == r2);
                        assert_eq!(c.version, 1);
                    }
                }
                cursor = page.cursor;
                if !page.has_more {
                    break;
                }
            }
            assert_eq!(&got, want);
        }
        // a whole page holds them all the same
        let page = pull(&app, &phone, from_phone).await;
        assert_eq!(page.changes.len(), 4);
        // another committee sees none of it
        let theirs = pull(&app, &other, from_other).await;
        assert!(theirs.changes.is_empty(), "{:?}", theirs.changes);
        drop(app);
        db.cleanup().await;
    }

    async fn the_compliance_view_counts_each_townships_reports_for_offices_only(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let bureau = login(&app, BUREAU).await;
        let group = group_of(&db, &phone.unit_id.to_string()).await;
        let today = domain::dates::china_date(jiff::Timestamp::now());
        // a group reports for last week, the village for this month; the
        // township office records its quarterly analysis meeting
        let mut weekly = record(&phone, &group, "group_weekly_screening", "c-weekly");
        weekly.date = today.checked_sub(jiff::Span::new().days(7)).unwrap();
        let mut monthly = record(&phone, &phone.unit_id.to_string(), "village_monthly_screening", "c-monthly");
        monthly.date = today;
        let mut meeting = record(&office, &office.unit_id.to_string(), "quarterly_analysis", "c-meeting");
        meeting.date = today;
        meeting.coverage.clear();
        meeting.households = None;
        meeting.attendees = Some(14);
        meeting.notes = "第四季度矛盾纠纷形势分析".into();
        let sign_in_sheet = "ab".repeat(32);
        meeting.photo = Some(domain::attachment::AttachmentRef {
            id: Uuid::now_v7().to_string(),
            form: None,
            taken_at: "2026-11-20T15:00:00+08:00".parse().unwrap(),
            position: None,
            bytes: 90_000,
            content_type: "image/jpeg".into(),
            sha256: Some(sign_in_sheet.clone()),
        });
        let a = push(&app, &phone, vec![mutation_of(&phone, "upsert", &weekly), mutation_of(&phone, "upsert", &monthly)]).await;
        let b = push(&app, &office, vec![mutation_of(&office, "upsert", &meeting)]).await;
        assert!(a.results.iter().chain(&b.results).all(|r| r.status == Status::Applied), "{a:?} {b:?}");

        // pinned to the day the records were made, so a run across
        // midnight in China asks about the same periods
        let on_today = format!("on={}", domain::dates::format_iso(today));
        let get = |device| compliance_raw(&app, device, &on_today);
        // a mediator does not get it
        let refused = get(&phone).await;
        assert_eq!(refused.status(), 403);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["code"], "forbidden");

        let res = get(&office).await;
        assert_eq!(res.status(), 200);
        let view: domain::screening::ComplianceReport = res.json().await.unwrap();
        assert_eq!(view.today, today);
        assert_eq!(view.townships.len(), 1, "its own township only");
        let row = &view.townships[0];
        assert_eq!(row.unit_id, office.unit_id);
        let at = |code: &str| view.duties.iter().position(|d| d.code == code).unwrap();
        let groups: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM org_unit WHERE kind IN ('villager_group', 'resident_group') AND path LIKE \
             (SELECT path FROM org_unit WHERE id = $1) || '%'",
        )
        .bind(office.unit_id.to_string())
        .fetch_one(db.db.pool())
        .await
        .unwrap();
        let w = &row.duties[at("group_weekly_screening")];
        assert_eq!((i64::from(w.units), w.done_previous), (groups, 1));
        assert_eq!(w.overdue, w.units - 1);
        assert_eq!(row.duties[at("village_monthly_screening")].done_current, 1);
        assert_eq!(row.duties[at("quarterly_analysis")].done_current, 1);
        assert!(view.overdue.iter().all(|o| !(o.unit_id.to_string() == group && o.duty == "group_weekly_screening")));
        let counted: u32 = row.duties.iter().map(|d| d.overdue).sum();
        assert_eq!(counted, view.overdue_total);
        assert_eq!(view.meetings.len(), 1);
        assert_eq!((view.meetings[0].attendees, view.meetings[0].notes.as_str()), (Some(14), "第四季度矛盾纠纷形势分析"));
        assert_eq!(view.meetings[0].photo_sha256.as_deref(), Some(sign_in_sheet.as_str()));

        // the bureau sees every township, this one with the same numbers
        let city: domain::screening::ComplianceReport = get(&bureau).await.json().await.unwrap();
        assert!(city.townships.len() >= 15, "{}", city.townships.len());
        let same = city.townships.iter().find(|t| t.unit_id == office.unit_id).unwrap();
        assert_eq!(same.duties[at("group_weekly_screening")], *w);

        // the view as it stood a week ago: last week was running then, and
        // the meeting recorded today is not in it yet
        let week_ago = domain::dates::format_iso(weekly.date);
        let then: domain::screening::ComplianceReport =
            compliance_raw(&app, &office, &format!("on={week_ago}")).await.json().await.unwrap();
        assert_eq!(then.today, weekly.date);
        assert_eq!(then.duties[at("group_weekly_screening")].current, view.duties[at("group_weekly_screening")].previous);
        assert_eq!(then.townships[0].duties[at("group_weekly_screening")].done_current, 1);
        assert!(then.meetings.is_empty(), "{:?}", then.meetings);

        // a day that is not a date, or after today, is named; so is an unknown parameter
        let tomorrow = domain::dates::format_iso(today.tomorrow().unwrap());
        for (query, status, code, field) in [
            (format!("on={tomorrow}"), 422, "invalid", Some("on")),
            ("on=2026-13-01".to_owned(), 422, "invalid", Some("on")),
            ("on=1999-12-31".to_owned(), 422, "invalid", Some("on")),
            ("day=2026-11-01".to_owned(), 400, "malformed", None),
        ] {
            let res = compliance_raw(&app, &office, &query).await;
            assert_eq!(res.status(), status, "{query}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["code"], code, "{query}: {body}");
            assert_eq!(body["field"].as_str(), field, "{query}: {body}");
            assert!(body["message"].as_str().unwrap().contains("查"), "{query}: {body}");
        }
        drop(app);
        db.cleanup().await;
    }
}
