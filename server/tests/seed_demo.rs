//! `seed-demo` loads Chuxiong City; loading it twice changes nothing.

mod common;
use common::TestDb;
use domain::{Phone, UnitKind};
use tiaojie_server::{db, demo, password};

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
        let hash_before = db::people::account_by_phone(&db.db, &phone).await.unwrap().unwrap().password_hash;

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

        let hash_after = db::people::account_by_phone(&db.db, &phone).await.unwrap().unwrap().password_hash;
        assert_eq!(hash_before, hash_after, "a reload keeps existing passwords");
        assert!(password::verify(demo::DEMO_PASSWORD, &hash_after));
        db.cleanup().await;
    }

    async fn ids_are_the_same_in_every_database(db: TestDb) {
        demo::load(&db.db).await.unwrap();
        let lucheng = db::org::find_by_code(&db.db, "532301100").await.unwrap().unwrap();
        assert_eq!(lucheng.name, "鹿城镇");
        assert_eq!(lucheng.id, domain::UnitId::stable("532301100").to_string());
        let root = db::org::root(&db.db).await.unwrap().unwrap();
        assert_eq!(root.name, "楚雄市");
        assert_eq!(db::org::count_in_subtree(&db.db, &lucheng.path, UnitKind::Community).await.unwrap(), 14);
        db.cleanup().await;
    }

    async fn the_demo_never_lands_in_a_database_of_another_organisation(db: TestDb) {
        let id = domain::UnitId::stable("530000");
        let other = db::org::NewUnit {
            id,
            code: "530000".into(),
            name: "云南省".into(),
            kind: UnitKind::City,
            parent_id: None,
            path: db::org::NewUnit::root_path(id),
            depth: 0,
        };
        let mut tx = db.db.pool().begin().await.unwrap();
        db::org::insert_units(&mut tx, &[other], &db::now_text()).await.unwrap();
        tx.commit().await.unwrap();
        let err = demo::load(&db.db).await.unwrap_err();
        assert!(matches!(err, demo::SeedError::NotADemoDatabase(_)), "{err}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM account").await, 0, "nothing was stored");
        db.cleanup().await;
    }

    async fn every_office_role_has_a_demo_log_in(db: TestDb) {
        let report = demo::load(&db.db).await.unwrap();
        for role in domain::Role::ALL {
            let account = report.accounts.iter().find(|a| a.role == role).expect("an account per role");
            let row = db::people::account_by_phone(&db.db, &account.phone).await.unwrap().unwrap();
            let roles = db::people::roles_of(&db.db, &row.person_id).await.unwrap();
            assert!(roles.iter().any(|(r, _)| r == role.code()), "{role} granted");
        }
        db.cleanup().await;
    }
}
