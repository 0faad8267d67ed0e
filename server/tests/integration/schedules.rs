//! Schedules as data per locality (docs/screening.md, "The schedule"), on
//! SQLite and PostgreSQL: the schedule an operator publishes for 楚雄市
//! with `tiaojie schedule publish` drives the server's reminder passes, its
//! checks of pushed screening records and the compliance view, while a
//! newer schedule of another locality does not; a restart does not put
//! the built-in one back; a lower version and a bad file are refused.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::screening::{Schedule, applying};
use domain::sync::{Change, Entity, Status};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;
use tiaojie_server::config::RemindArgs;
use tiaojie_server::service::reminders::Scheduler;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_tiaojie");

/// 10:00 on Wednesday 2026-11-25 in China.
fn wednesday() -> jiff::Timestamp {
    "2026-11-25T02:00:00Z".parse().unwrap()
}

/// 楚雄市's own schedule: the built-in one's id and locality, a higher
/// version, and no weekly screening by the villager and resident groups.
fn chuxiong_v2() -> Schedule {
    let mut s = Schedule::five_ones();
    s.version = 2;
    s.name_zh = "楚雄市矛盾纠纷排查（第2版）".into();
    s.duties.retain(|d| d.code != "group_weekly_screening");
    assert_eq!(s.duties.len(), Schedule::five_ones().duties.len() - 1);
    s
}

/// 大理市's schedule: newer than 楚雄市's, with every built-in duty.
fn dali_v3() -> Schedule {
    Schedule {
        id: "dali-five-ones".into(),
        version: 3,
        locality: "532901".into(),
        ..Schedule::five_ones()
    }
}

/// Writes `schedule` as a file in `dir`.
fn file_of(dir: &Path, name: &str, schedule: &Schedule) -> String {
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_string_pretty(schedule).unwrap()).unwrap();
    file.to_str().unwrap().to_owned()
}

/// Runs `tiaojie <args>` on the test's database, as an operator would.
async fn tiaojie(db: &TestDb, args: &[&str]) -> Output {
    let mut all = vec!["--database-url".to_owned(), db.args.database_url.clone()];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(BIN).args(&all).output().unwrap()
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn publish(db: &TestDb, file: &str) -> Output {
    tiaojie(db, &["schedule", "publish", file]).await
}

/// The open (due or overdue) reminders of one scheduler pass on Wednesday.
async fn open_reminders(db: &TestDb) -> usize {
    let scheduler = Scheduler::new(db.db.clone(), &RemindArgs::default(), None).unwrap();
    scheduler.pass(wednesday()).await.unwrap().open
}

async fn stored(db: &TestDb, id: &str) -> (i64, Schedule) {
    let (version, payload): (i64, String) = sqlx::query_as(
        "SELECT version, payload FROM reference_record WHERE entity = 'schedule' AND id = $1",
    )
    .bind(id)
    .fetch_one(db.db.pool())
    .await
    .unwrap();
    (version, serde_json::from_str(&payload).unwrap())
}

async fn group_of(db: &TestDb, village: &str) -> String {
    sqlx::query_scalar("SELECT id FROM org_unit WHERE parent_id = $1 ORDER BY code LIMIT 1")
        .bind(village)
        .fetch_one(db.db.pool())
        .await
        .unwrap()
}

/// A "nothing found" screening of `unit` today, as the phone pushes it.
fn screening(device: &Device, unit: &str, duty: &str) -> Value {
    device.seq.set(device.seq.get() + 1);
    let id = Uuid::now_v7();
    let today = domain::dates::china_date(jiff::Timestamp::now());
    json!({
        "seq": device.seq.get(), "mutation_id": Uuid::now_v7(), "entity": "screening",
        "entity_id": id, "op": "upsert", "base_version": 0,
        "payload": {
            "id": id, "unit_id": unit, "duty": duty, "date": domain::dates::format_iso(today),
            "coverage": "第一村民小组 32 户", "households": 32,
            "outcome": {"kind": "nothing_found"}, "notes": "",
            "recorded_by": device.person_id, "attendees": null,
        },
    })
}

/// The duty codes of the compliance view the office gets.
async fn compliance_duties(app: &TestApp, office: &Device) -> Vec<String> {
    let res = compliance_raw(app, office, "").await;
    assert_eq!(res.status(), 200);
    let view: domain::screening::ComplianceReport = res.json().await.unwrap();
    view.duties.into_iter().map(|d| d.code).collect()
}

/// Everything the reference stream gives the device.
async fn reference_changes(app: &TestApp, device: &Device) -> Vec<Change> {
    let (mut cursor, mut all) = (0, Vec::new());
    loop {
        let page = pull_reference(app, device, cursor, 1000).await;
        all.extend(page.changes);
        cursor = page.cursor;
        if !page.has_more {
            return all;
        }
    }
}

on_both_databases! {
    async fn a_published_locality_schedule_drives_the_passes_the_checks_and_the_compliance_view(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let group = group_of(&db, &phone.unit_id.to_string()).await;
        let weekly = "group_weekly_screening".to_owned();

        // the built-in schedule: the groups owe a weekly screening
        let before = open_reminders(&db).await;
        let accepted = push(&app, &phone, vec![screening(&phone, &group, &weekly)]).await;
        assert_eq!(accepted.results[0].status, Status::Applied, "{:?}", accepted.results[0]);
        assert!(compliance_duties(&app, &office).await.contains(&weekly));

        // 楚雄市 publishes its own schedule; 大理市 a newer one of its own
        let dir = tempfile::tempdir().unwrap();
        for (name, schedule) in [("chuxiong.json", chuxiong_v2()), ("dali.json", dali_v3())] {
            let out = publish(&db, &file_of(dir.path(), name, &schedule)).await;
            assert!(out.status.success(), "{}", text(&out.stderr));
            assert!(text(&out.stdout).contains("已发布 / published"), "{}", text(&out.stdout));
        }

        // (a) a pass computes 楚雄市's units' reminders from 楚雄市's
        // schedule: every group owed last week's and this week's screening
        // (no records), and now owes neither; nothing else changed
        let groups: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM org_unit WHERE kind IN ('villager_group', 'resident_group')",
        )
        .fetch_one(db.db.pool())
        .await
        .unwrap();
        assert!(groups > 1000, "{groups}");
        let after = open_reminders(&db).await;
        assert_eq!(before, after + 2 * groups as usize, "before {before}, after {after}");

        // (b) a record of the duty 楚雄市 dropped is refused, by its field;
        // one of a duty it kept is stored
        let answer = push(&app, &phone, vec![
            screening(&phone, &group, &weekly),
            screening(&phone, &phone.unit_id.to_string(), "village_monthly_screening"),
        ]).await;
        let got = outcomes(&answer);
        assert_eq!(got, vec![
            (Status::Rejected, Some("invalid"), Some("payload.duty")),
            (Status::Applied, None, None),
        ]);
        assert!(answer.results[0].message.as_deref().is_some_and(|m| m.contains(&weekly)), "{:?}", answer.results[0]);
        assert_eq!(count(&db, "screening_record").await, 2);

        // the township's office sees its duties by 楚雄市's schedule
        let duties = compliance_duties(&app, &office).await;
        assert!(!duties.contains(&weekly), "{duties:?}");
        assert!(duties.contains(&"village_monthly_screening".to_owned()), "{duties:?}");

        // and the phone, from what it pulls, picks the same one
        let changes = reference_changes(&app, &phone).await;
        let schedules: Vec<Schedule> = changes
            .iter()
            .filter(|c| c.entity == Entity::Schedule)
            .map(|c| serde_json::from_value(c.payload.clone().unwrap()).unwrap())
            .collect();
        assert_eq!(schedules.len(), 2, "{schedules:?}");
        let codes: Vec<String> = changes
            .iter()
            .filter(|c| c.entity == Entity::Unit)
            .map(|c| serde_json::from_value::<domain::org::UnitRecord>(c.payload.clone().unwrap()).unwrap().code)
            .collect();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        assert_eq!(applying(&schedules, &codes), Some(&chuxiong_v2()));
        drop(app);
        db.cleanup().await;
    }

    async fn a_restart_keeps_the_published_schedule_and_a_lower_version_or_a_bad_file_is_refused(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let dir = tempfile::tempdir().unwrap();
        let v2 = file_of(dir.path(), "v2.json", &chuxiong_v2());
        let out = publish(&db, &v2).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let (row_version, schedule) = stored(&db, "five-ones").await;
        assert_eq!(schedule, chuxiong_v2());
        assert_eq!(row_version, 2, "the built-in one was version 1 of the row");

        // (c) a restart publishes the built-in documents again: the
        // operator's newer version of the same id stays
        drop(app);
        assert_eq!(tiaojie_server::service::reference::publish_builtin(&db.db).await.unwrap(), 0);
        let app = TestApp::spawn(&db).await;
        assert_eq!(stored(&db, "five-ones").await, (2, chuxiong_v2()));
        assert_eq!(
            tiaojie_server::service::reference::stored_schedules(&db.db).await.unwrap(),
            vec![chuxiong_v2()]
        );

        // (d) a lower version, or the same version changed, is refused
        // with its field; nothing is stored
        let mut older = chuxiong_v2();
        older.version = 1;
        older.name_zh = "旧版".into();
        let mut same = chuxiong_v2();
        same.name_en = "changed without a new version".into();
        for (name, schedule) in [("v1.json", older), ("v2-changed.json", same)] {
            let out = publish(&db, &file_of(dir.path(), name, &schedule)).await;
            assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out.stdout));
            let err = text(&out.stderr);
            assert!(err.contains("version") && err.contains("版本号") && err.contains("2"), "{err}");
        }
        assert_eq!(stored(&db, "five-ones").await, (2, chuxiong_v2()));
        // the same file again changes nothing and is not an error
        let out = publish(&db, &v2).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("未改变 / unchanged"), "{}", text(&out.stdout));
        // a higher version replaces it
        let mut v3 = chuxiong_v2();
        v3.version = 3;
        v3.follow_ups[0].every_days = 2;
        let out = publish(&db, &file_of(dir.path(), "v3.json", &v3)).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(stored(&db, "five-ones").await, (3, v3.clone()));

        // a bad file: every problem with its field, exit 1, nothing stored
        let mut bad = chuxiong_v2();
        bad.version = 0;
        bad.duties[1].code = bad.duties[0].code.clone();
        bad.follow_ups[0].every_days = 0;
        bad.follow_ups[2].level = "red".into();
        let bad = file_of(dir.path(), "bad.json", &bad);
        for command in ["check", "publish"] {
            let out = tiaojie(&db, &["schedule", command, bad.as_str()]).await;
            assert_eq!(out.status.code(), Some(1), "{command}");
            let err = text(&out.stderr);
            for field in ["version:", "duties[1].code:", "follow_ups[0].every_days:", "follow_ups[2].level:"] {
                assert!(err.contains(field), "{command}: {field} in {err}");
            }
        }
        assert_eq!(stored(&db, "five-ones").await, (3, v3));
        let out = tiaojie(&db, &["schedule", "check", v2.as_str()]).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("正确 / ok"), "{}", text(&out.stdout));
        drop(app);
        db.cleanup().await;
    }

    async fn a_locality_that_names_its_risk_levels_by_colour_gets_them_on_the_risk_card_and_in_the_inbox(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        // 楚雄市 names its levels 红/橙/黄, and its medium (橙色) items too
        // need a responsible person
        let mut colours = Schedule::five_ones();
        colours.version = 2;
        for (level, name) in colours.risk_levels.levels.iter_mut().zip(["红色", "橙色", "黄色"]) {
            level.name_zh = name.into();
            level.needs_responsible = level.code != "low";
        }
        let dir = tempfile::tempdir().unwrap();
        let out = publish(&db, &file_of(dir.path(), "colours.json", &colours)).await;
        assert!(out.status.success(), "{}", text(&out.stderr));

        let case = open_case(&phone, 31, domain::case::RiskLevel::Medium);
        let id = case["id"].as_str().unwrap().to_owned();
        push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;
        let risk_url = app.url(&format!("/api/v1/cases/{id}/risk"));
        let view: domain::api::CaseRisk = app.client.get(&risk_url).bearer_auth(&office.token).send().await.unwrap().json().await.unwrap();
        let names: Vec<&str> = view.levels.iter().map(|l| l.name_zh.as_str()).collect();
        assert_eq!(names, ["红色", "橙色", "黄色"]);
        let step = |device: &Device, body: Value| app.client.put(&risk_url).bearer_auth(&device.token).json(&body).send();
        assert_eq!(step(&phone, json!({"action": "agree"})).await.unwrap().status(), 200);
        // the built-in levels would confirm a medium item without one
        let refused = step(&office, json!({"action": "confirm", "level": "medium"})).await.unwrap();
        assert_eq!(refused.status(), 422);
        assert_eq!(refused.json::<Value>().await.unwrap()["field"], "responsible");
        let res = step(&office, json!({"action": "confirm", "level": "medium", "responsible": phone.person_id})).await.unwrap();
        assert_eq!(res.status(), 200);
        let told = inbox(&app, &phone).await;
        let item = told.items.iter().find(|i| i.kind == "responsible").expect("the responsible person is told");
        assert!(item.body.contains("橙色风险"), "{}", item.body);

        // a high (红色) dispute reaches the township by that name
        let high = open_case(&phone, 32, domain::case::RiskLevel::High);
        push(&app, &phone, vec![mutation(&phone, "upsert", &high, 0)]).await;
        let mut escalated = None;
        for _ in 0..100 {
            escalated = inbox(&app, &office).await.items.into_iter().find(|i| i.kind == "escalation");
            if escalated.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let escalated = escalated.expect("the township is told at once");
        assert_eq!(escalated.case_id.map(|c| c.to_string()).as_deref(), high["id"].as_str());
        assert!(escalated.title.starts_with("红色风险纠纷"), "{escalated:?}");
        assert!(!escalated.title.contains("高风险"), "{escalated:?}");

        // a file whose levels do not fit a case's three codes is refused
        let mut bad = colours.clone();
        bad.version = 3;
        bad.risk_levels.levels[2].code = "blue".into();
        let out = publish(&db, &file_of(dir.path(), "bad.json", &bad)).await;
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("risk_levels[2].code"), "{}", text(&out.stderr));
        drop(app);
        db.cleanup().await;
    }
}
