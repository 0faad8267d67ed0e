//! The reference stream (`GET /api/v1/sync/reference`, docs/sync.md): the
//! units in and above a caller's scope, the schedules and the rule sets,
//! pulled by change number like cases, read-only on the phone; on SQLite
//! and PostgreSQL.

use crate::support::device::*;
use crate::support::{Kind, TestApp, TestDb};
use domain::sync::{Change, Entity, Status};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use tiaojie_server::store::org::{self, NewUnit};
use uuid::Uuid;

/// Everything the stream has for a device after `cursor`, page by page.
async fn pull_all(
    app: &TestApp,
    device: &Device,
    mut cursor: i64,
    limit: u32,
) -> (Vec<Change>, i64) {
    let mut all = Vec::new();
    loop {
        let page = pull_reference(app, device, cursor, limit).await;
        assert!(page.changes.len() <= limit as usize);
        for c in &page.changes {
            assert!(c.change_no > cursor, "oldest first, after the cursor");
            cursor = c.change_no;
        }
        assert_eq!(page.cursor, cursor);
        all.extend(page.changes);
        if !page.has_more {
            return (all, cursor);
        }
    }
}

/// (id, parent id, path) of every unit, read straight from the table.
async fn tree(db: &TestDb) -> Vec<(String, Option<String>, String)> {
    sqlx::query_as("SELECT id, parent_id, path FROM org_unit")
        .fetch_all(db.db.pool())
        .await
        .unwrap()
}

/// The units a caller whose grant is at `unit` should get: the unit, every
/// unit below it, and every unit above it (walked by parent ids).
fn expected_units(tree: &[(String, Option<String>, String)], unit: &str) -> BTreeSet<String> {
    let by_id: HashMap<&str, &(String, Option<String>, String)> =
        tree.iter().map(|u| (u.0.as_str(), u)).collect();
    let mut out = BTreeSet::new();
    // below, by walking up from every unit
    for u in tree {
        let mut at = Some(u);
        while let Some(x) = at {
            if x.0 == unit {
                out.insert(u.0.clone());
                break;
            }
            at = x.1.as_deref().and_then(|p| by_id.get(p).copied());
        }
    }
    // above
    let mut at = by_id.get(unit).copied();
    while let Some(x) = at {
        out.insert(x.0.clone());
        at = x.1.as_deref().and_then(|p| by_id.get(p).copied());
    }
    out
}

fn unit_ids(changes: &[Change]) -> BTreeSet<String> {
    changes
        .iter()
        .filter(|c| c.entity == Entity::Unit)
        .map(|c| {
            let unit: domain::org::UnitRecord =
                serde_json::from_value(c.payload.clone().unwrap()).unwrap();
            assert_eq!(unit.id.0, c.entity_id);
            unit.id.to_string()
        })
        .collect()
}

on_both_databases! {
    async fn each_caller_gets_the_units_in_and_above_its_scope_and_every_document(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let tree = tree(&db).await;
        for phone in [VILLAGE_MEDIATOR, JUDICIAL_OFFICE, BUREAU] {
            let device = login(&app, phone).await;
            let (all, cursor) = pull_all(&app, &device, 0, 1000).await;
            let expected = expected_units(&tree, &device.unit_id.to_string());
            assert!(expected.len() >= 3, "{phone}: the unit, something below or above it");
            assert_eq!(unit_ids(&all), expected, "{phone}");

            // the documents this build ships with, whole
            let schedules: Vec<&Change> = all.iter().filter(|c| c.entity == Entity::Schedule).collect();
            assert_eq!(schedules.len(), 1);
            let schedule: domain::screening::Schedule = serde_json::from_value(schedules[0].payload.clone().unwrap()).unwrap();
            assert_eq!(schedule, domain::screening::Schedule::five_ones());
            assert_eq!(schedules[0].entity_id, Entity::Schedule.document_id("five-ones"));
            let rule_sets: Vec<domain::rules::RuleSet> = all
                .iter()
                .filter(|c| c.entity == Entity::RuleSet)
                .map(|c| serde_json::from_value(c.payload.clone().unwrap()).unwrap())
                .collect();
            assert_eq!(rule_sets, domain::rules::builtin().to_vec());

            // small pages give the same, and nothing is left after the last
            // (pages of 7 for the village; the city has 3,487 units, and a
            // device may make only so many requests at once)
            let page = if phone == VILLAGE_MEDIATOR { 7 } else { 400 };
            let (paged, paged_cursor) = pull_all(&app, &device, 0, page).await;
            assert_eq!(paged, all);
            assert_eq!(paged_cursor, cursor);
            assert!(pull_reference(&app, &device, cursor, 1000).await.changes.is_empty());
        }
        // a village mediator sees none of another village's groups
        let community = login(&app, COMMUNITY_MEDIATOR).await;
        let mediator = login(&app, VILLAGE_MEDIATOR).await;
        let theirs = unit_ids(&pull_all(&app, &community, 0, 1000).await.0);
        let mine = unit_ids(&pull_all(&app, &mediator, 0, 1000).await.0);
        let theirs_id = community.unit_id.to_string();
        assert!(theirs.contains(&theirs_id) && !mine.contains(&theirs_id));
        drop(app);
        db.cleanup().await;
    }

    async fn a_new_unit_and_a_changed_document_reach_the_devices_once(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let mediator = login(&app, VILLAGE_MEDIATOR).await;
        let community = login(&app, COMMUNITY_MEDIATOR).await;
        let (_, mine) = pull_all(&app, &mediator, 0, 1000).await;
        let (_, theirs) = pull_all(&app, &community, 0, 1000).await;

        // the same documents again: nothing new
        assert_eq!(tiaojie_server::service::reference::publish_builtin(&db.db).await.unwrap(), 0);

        // a new villager group under the mediator's village
        let village: (String, String) = sqlx::query_as("SELECT id, path FROM org_unit WHERE id = $1")
            .bind(mediator.unit_id.to_string())
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        let id = domain::UnitId::stable("test:new-group");
        let mut tx = db.db.begin().await.unwrap();
        org::insert_units(&mut tx, &[NewUnit {
            id,
            code: "test-new-group".into(),
            name: "新建村民小组".into(),
            kind: domain::UnitKind::VillagerGroup,
            parent_id: Some(domain::UnitId::parse(&village.0).unwrap()),
            path: domain::UnitPath::parse(&village.1).unwrap().child(id),
        }], "2026-11-29T00:00:00.000000Z".parse().unwrap()).await.unwrap();
        tx.commit().await.unwrap();
        // and a schedule that changed since (the stored one edited)
        sqlx::query("UPDATE reference_record SET payload = '{}' WHERE entity = 'schedule'")
            .execute(db.db.pool())
            .await
            .unwrap();
        assert_eq!(tiaojie_server::service::reference::publish_builtin(&db.db).await.unwrap(), 1);

        let (news, _) = pull_all(&app, &mediator, mine, 1000).await;
        assert_eq!(news.len(), 2, "{news:?}");
        assert_eq!(news[0].entity, Entity::Unit);
        assert_eq!(news[0].entity_id, id.0);
        assert_eq!((news[1].entity, news[1].version), (Entity::Schedule, 2));
        let (others, _) = pull_all(&app, &community, theirs, 1000).await;
        assert_eq!(others.len(), 1, "the other village gets the schedule, not the group");
        assert_eq!(others[0].entity, Entity::Schedule);
        drop(app);
        db.cleanup().await;
    }

    async fn reference_data_is_read_only_for_devices(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let mediator = login(&app, VILLAGE_MEDIATOR).await;
        let units = count(&db, "org_unit").await;
        let name_before: String = sqlx::query_scalar("SELECT name FROM org_unit WHERE id = $1")
            .bind(mediator.unit_id.to_string())
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        let answer = push(&app, &mediator, vec![json!({
            "seq": 1, "mutation_id": Uuid::now_v7(), "entity": "unit", "entity_id": mediator.unit_id,
            "op": "upsert", "base_version": 1,
            "payload": {"id": mediator.unit_id, "code": "x", "name": "改名", "kind": "village"},
        })]).await;
        assert_eq!(answer.results[0].status, Status::Rejected);
        assert_eq!(answer.results[0].code.map(|c| c.code()), Some("read_only"));
        assert_eq!(answer.results[0].field.as_deref(), Some("entity"));
        assert_eq!(count(&db, "org_unit").await, units);
        let name_after: String = sqlx::query_scalar("SELECT name FROM org_unit WHERE id = $1")
            .bind(mediator.unit_id.to_string())
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        assert_eq!(name_after, name_before);
        drop(app);
        db.cleanup().await;
    }
}

/// A database made before the reference stream: its units get change
/// numbers in path order, after every number handed out, and reach devices.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn units_of_an_older_database_get_change_numbers() {
    for kind in [Kind::Sqlite, Kind::Postgres] {
        let db = TestDb::new(kind).await;
        let dir = tempfile::tempdir().unwrap();
        let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(match kind {
            Kind::Sqlite => "migrations/sqlite",
            Kind::Postgres => "migrations/postgres",
        });
        for entry in std::fs::read_dir(&source).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if name.as_str() < "20261129000003" {
                std::fs::copy(entry.path(), dir.path().join(&name)).unwrap();
            }
        }
        let older = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
        older.run(db.db.pool()).await.unwrap();
        // units and a case's change number, as the older version wrote them
        for (id, parent, path) in [
            ("u-root", None, "/u-root/"),
            ("u-child", Some("u-root"), "/u-root/u-child/"),
        ] {
            sqlx::query("INSERT INTO org_unit (id, code, name, kind, parent_id, path, depth, created_at, updated_at) VALUES ($1, $1, $1, 'city', $2, $3, 0, 'x', 'x')")
                .bind(id).bind(parent).bind(path)
                .execute(db.db.pool()).await.unwrap();
        }
        sqlx::query("UPDATE change_counter SET value = 41 WHERE id = 1")
            .execute(db.db.pool())
            .await
            .unwrap();

        db.db.migrate().await.unwrap();
        let numbers: Vec<(String, i64)> =
            sqlx::query_as("SELECT id, change_no FROM org_unit ORDER BY path")
                .fetch_all(db.db.pool())
                .await
                .unwrap();
        assert_eq!(numbers, vec![("u-root".into(), 42), ("u-child".into(), 43)]);
        let counter: i64 = sqlx::query_scalar("SELECT value FROM change_counter")
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        assert_eq!(counter, 43, "the next change gets a later number");
        db.cleanup().await;
    }
}
