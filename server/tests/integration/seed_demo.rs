//! `seed-demo` loads Chuxiong City and a year of its cases; loading twice
//! changes nothing.

use crate::support::{TestApp, TestDb, device};
use domain::case::Case;
use domain::{Phone, Role, UnitKind};
use std::collections::{HashMap, HashSet};
use tiaojie_server::service::password;
use tiaojie_server::{demo, store};

async fn count(db: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(db.db.pool())
        .await
        .unwrap()
}

on_both_databases! {
    async fn seeding_twice_leaves_the_articles_figures(db: TestDb) {
        let first = demo::load(&db.db).await.unwrap();
        assert!(first.units_added > 3000);
        assert_eq!(first.accounts_added as usize, first.accounts.len());
        let phone = Phone::parse("13900000002").unwrap();
        let hash_before = store::people::account_by_phone(&db.db, &phone).await.unwrap().unwrap().password_hash;

        let second = demo::load(&db.db).await.unwrap();
        assert_eq!((second.units_added, second.people_added, second.accounts_added), (0, 0, 0));

        assert_eq!(count(&db, "SELECT COUNT(*) FROM org_unit WHERE kind = 'township'").await, 15);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM org_unit WHERE kind IN ('village', 'community')").await, 154);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM person WHERE kind = 'mediator_full_time'").await, 186);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM org_unit WHERE kind = 'villager_group'").await, 2878);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM org_unit WHERE kind = 'resident_group'").await, 231);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM org_unit WHERE kind = 'sector'").await, 11);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM org_unit").await as u64, first.units_added);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM account").await as usize, first.accounts.len());

        let hash_after = store::people::account_by_phone(&db.db, &phone).await.unwrap().unwrap().password_hash;
        assert_eq!(hash_before, hash_after, "a reload keeps existing passwords");
        assert!(password::verify(demo::DEMO_PASSWORD, &hash_after));
        db.cleanup().await;
    }

    async fn ids_are_the_same_in_every_database(db: TestDb) {
        demo::load(&db.db).await.unwrap();
        let lucheng = store::org::by_code(&db.db, "532301100").await.unwrap().unwrap();
        assert_eq!(lucheng.name, "鹿城镇");
        assert_eq!(lucheng.id, domain::UnitId::stable("532301100"));
        let root = store::org::root(&db.db).await.unwrap().unwrap();
        assert_eq!(root.name, "楚雄市");
        assert_eq!(store::org::count_in_subtree(&db.db, &lucheng.path, UnitKind::Community).await.unwrap(), 14);
        db.cleanup().await;
    }

    async fn the_demo_never_lands_in_a_database_of_another_organisation(db: TestDb) {
        let id = domain::UnitId::stable("530000");
        let other = store::org::NewUnit {
            id,
            code: "530000".into(),
            name: "云南省".into(),
            kind: UnitKind::City,
            parent_id: None,
            path: domain::UnitPath::root(id),
        };
        let mut tx = db.db.begin().await.unwrap();
        store::org::insert_units(&mut tx, &[other], jiff::Timestamp::now().into()).await.unwrap();
        tx.commit().await.unwrap();
        let err = demo::load(&db.db).await.unwrap_err();
        assert!(matches!(err, demo::SeedError::NotADemoDatabase(_)), "{err}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM account").await, 0, "nothing was stored");
        db.cleanup().await;
    }

    async fn the_demo_never_lands_beside_a_real_account(db: TestDb) {
        // the city's own database: its organisation, then a real clerk's account
        demo::load(&db.db).await.unwrap();
        let unit: String = sqlx::query_scalar("SELECT id FROM org_unit WHERE parent_id IS NULL").fetch_one(db.db.pool()).await.unwrap();
        let person = domain::PersonId::new_v7();
        let now: domain::Timestamp = jiff::Timestamp::now().into();
        let mut tx = db.db.begin().await.unwrap();
        store::people::insert_people(&mut tx, &[store::people::NewPerson {
            id: person, unit_id: unit.parse().unwrap(), name: "真实职员".into(),
            kind: domain::PersonKind::OfficeStaff, sex: None, phone: None,
        }], now).await.unwrap();
        store::people::insert_account(&mut tx, &store::people::NewAccount {
            id: domain::AccountId::new_v7(), person_id: person,
            phone: domain::Phone::parse("13612345678").unwrap(), password_hash: "x".into(),
        }, now).await.unwrap();
        tx.commit().await.unwrap();
        // a demo account removed by the operator is not put back
        sqlx::query("DELETE FROM account WHERE phone = '13900000006'").execute(db.db.pool()).await.unwrap();
        let err = demo::load(&db.db).await.unwrap_err();
        assert!(matches!(&err, demo::SeedError::NotADemoDatabase(what) if what.contains("13612345678")), "{err}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM account WHERE phone = '13900000006'").await, 0, "nothing was stored");
        db.cleanup().await;
    }

    async fn every_office_role_has_a_demo_log_in(db: TestDb) {
        let report = demo::load(&db.db).await.unwrap();
        for role in domain::Role::ALL {
            let account = report.accounts.iter().find(|a| a.role == role).expect("an account per role");
            let row = store::people::account_by_phone(&db.db, &account.phone).await.unwrap().unwrap();
            let roles = store::people::roles_of(&db.db, row.person_id).await.unwrap();
            assert!(roles.iter().any(|(r, _)| *r == role), "{role} granted");
        }
        db.cleanup().await;
    }
}

// The demo case history (`demo::load_history`, run by `seed-demo` and
// `serve --demo-history`): a year at Chuxiong's rate, valid, deterministic,
// loaded once, and synced by the mediators it belongs to.

const END: jiff::civil::Date = jiff::civil::date(2023, 8, 31);

type StoredCase = (String, String, String, String, Option<String>, i64, i64);

async fn stored_cases(db: &TestDb) -> Vec<StoredCase> {
    sqlx::query_as::<_, StoredCase>(
        "SELECT id, unit_id, unit_path, payload, tier, amount_fen, version FROM case_record ORDER BY id",
    )
    .fetch_all(db.db.pool())
    .await
    .unwrap()
}

/// SHA-256 of every stored case (id, payload, tier, amount) in id order.
async fn checksum(db: &TestDb) -> (usize, String) {
    use sha2::{Digest, Sha256};
    let rows = stored_cases(db).await;
    let mut hash = Sha256::new();
    for (id, _, _, payload, tier, amount_fen, _) in &rows {
        hash.update(format!("{id}\n{payload}\n{tier:?} {amount_fen}\n").as_bytes());
    }
    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    (rows.len(), hex)
}

on_both_databases! {
    async fn the_history_is_a_year_of_valid_cases_at_chuxiongs_rate(db: TestDb) {
        demo::load(&db.db).await.unwrap();
        let report = demo::load_history(&db.db, END).await.unwrap();
        assert!((2600..=3000).contains(&report.added), "{report:?}");
        assert_eq!(report.added as usize, report.cases);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM case_record").await as u64, report.added);

        let org = demo::chuxiong();
        let units: HashMap<String, &store::org::NewUnit> =
            org.units.iter().map(|u| (u.id.to_string(), u)).collect();
        let mediators: HashSet<(String, String)> = org
            .grants
            .iter()
            .filter(|g| g.role == Role::Mediator)
            .map(|g| (g.person_id.to_string(), g.unit_id.to_string()))
            .collect();
        let start = demo::history_start(END);
        assert_eq!(start, jiff::civil::date(2022, 9, 1));
        let mut tiers: HashMap<Option<String>, usize> = HashMap::new();
        let mut jan_aug = 0;
        for (id, unit_id, unit_path, payload, tier, amount_fen, version) in stored_cases(&db).await {
            let case: Case = serde_json::from_str(&payload).unwrap();
            assert_eq!(case.id.to_string(), id);
            assert_eq!(case.check(END), vec![], "{id} passes the case's own check");
            assert!((start..=END).contains(&case.received_on), "{id}");
            assert!(case.closed_on.is_none_or(|d| d <= END), "{id}");
            let unit = units[&unit_id];
            assert!(
                matches!(unit.kind, UnitKind::Village | UnitKind::Community),
                "{id} at {}",
                unit.name
            );
            assert_eq!(case.unit_id.to_string(), unit_id);
            assert_eq!(unit_path, unit.path.as_str(), "unit_path is the unit's path");
            assert!(
                mediators.contains(&(case.owner_id.to_string(), unit_id.clone())),
                "{id} is owned by a mediator of its committee"
            );
            let verdict = case.server_verdict.clone().expect("the server's verdict");
            assert_eq!((verdict.tier, verdict.amount.to_fen()), (tier.clone(), amount_fen));
            assert_eq!((version, case.version), (1, 1));
            if case.received_on >= jiff::civil::date(2023, 1, 1) {
                jan_aug += 1;
            }
            *tiers.entry(tier).or_default() += 1;
        }
        assert_eq!(jan_aug, 1854, "the article's figure for January–August 2023");
        let n = |t: &str| tiers.get(&Some(t.to_owned())).copied().unwrap_or(0);
        assert!(n("A") > n("B") && n("B") > n("C") && n("C") >= 1, "{tiers:?}");
        assert!(n("D") < n("C"), "{tiers:?}");

        let again = demo::load_history(&db.db, END).await.unwrap();
        assert_eq!((again.added, again.cases), (0, report.cases));
        let later = demo::load_history(&db.db, jiff::civil::date(2023, 9, 30)).await.unwrap();
        assert_eq!(later.added, 0, "another day finds the same ids");
        demo::load(&db.db).await.unwrap();
        assert_eq!(count(&db, "SELECT COUNT(*) FROM case_record").await as u64, report.added);
        db.cleanup().await;
    }

    async fn the_organisation_alone_has_no_cases_and_the_history_needs_it(db: TestDb) {
        let err = demo::load_history(&db.db, END).await.unwrap_err();
        assert!(matches!(err, demo::SeedError::NoDemoOrganisation), "{err}");
        demo::load(&db.db).await.unwrap();
        assert_eq!(count(&db, "SELECT COUNT(*) FROM case_record").await, 0);
        db.cleanup().await;
    }

    async fn the_same_end_gives_the_same_cases_in_a_fresh_database(db: TestDb) {
        demo::load(&db.db).await.unwrap();
        demo::load_history(&db.db, END).await.unwrap();
        let other = TestDb::migrated(db.kind()).await;
        demo::load(&other.db).await.unwrap();
        demo::load_history(&other.db, END).await.unwrap();
        let (a, b) = (checksum(&db).await, checksum(&other).await);
        assert_eq!(a.0, demo::CASES_PER_YEAR);
        assert_eq!(a, b);
        other.cleanup().await;
        db.cleanup().await;
    }

    async fn a_village_mediator_pulls_exactly_their_villages_history(db: TestDb) {
        demo::load(&db.db).await.unwrap();
        demo::load_history(&db.db, END).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let mediator = device::login(&app, device::VILLAGE_MEDIATOR).await;
        let expected: HashSet<String> =
            sqlx::query_scalar::<_, String>("SELECT id FROM case_record WHERE unit_id = $1")
                .bind(mediator.unit_id.to_string())
                .fetch_all(db.db.pool())
                .await
                .unwrap()
                .into_iter()
                .collect();
        assert!(expected.len() >= 10, "{} cases in the village", expected.len());

        let (mut cursor, mut pages, mut pulled) = (0, 0, Vec::new());
        loop {
            let page = device::pull_page(&app, &mediator, cursor, 4).await;
            assert!(page.changes.len() <= 4);
            pages += 1;
            cursor = page.cursor;
            pulled.extend(page.changes);
            if !page.has_more {
                break;
            }
        }
        assert!(pages >= 3, "{pages} pages");
        let ids: HashSet<String> = pulled.iter().map(|c| c.entity_id.to_string()).collect();
        assert_eq!(pulled.len(), ids.len(), "each case once");
        assert_eq!(ids, expected, "exactly the village's cases");
        for change in &pulled {
            let case: Case = serde_json::from_value(change.payload.clone().unwrap()).unwrap();
            assert_eq!(case.unit_id, mediator.unit_id);
            assert_eq!(change.version, 1);
            assert_eq!(change.verdict, case.server_verdict);
        }
        assert!(device::pull_page(&app, &mediator, cursor, 4).await.changes.is_empty());

        // the bureau reaches the whole city, 500 a page
        let bureau = device::login(&app, device::BUREAU).await;
        let (mut cursor, mut pages, mut seen) = (0, 0, 0);
        loop {
            let page = device::pull(&app, &bureau, cursor).await;
            pages += 1;
            seen += page.changes.len();
            cursor = page.cursor;
            if !page.has_more {
                break;
            }
        }
        assert_eq!(seen, demo::CASES_PER_YEAR);
        assert!(pages >= 6, "{pages} pages");
        db.cleanup().await;
    }
}
