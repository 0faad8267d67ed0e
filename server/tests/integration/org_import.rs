//! The organisation import against the real stores (SQLite and
//! PostgreSQL): written whole or not at all, repeatable, a rename pulled
//! by the phones as a new change.

use crate::support::TestDb;
use tiaojie_server::service::org_import::{self, ImportError};

const TABLE: &str = "代码,名称,类型,上级代码\n\
    532331,南华县人民调解委员会,city,\n\
    532331100,龙川镇人民调解委员会,township,532331\n\
    532331100201,岔河村人民调解委员会,village,532331100\n\
    532331100201-01,岔河村第一村民调解小组,villager_group,532331100201\n";

async fn units(db: &TestDb) -> Vec<(String, String, String, i64)> {
    sqlx::query_as("SELECT code, name, path, change_no FROM org_unit ORDER BY code")
        .fetch_all(db.db.pool())
        .await
        .unwrap()
}

on_both_databases! {
    async fn an_import_lands_whole_or_not_at_all_and_a_rename_is_a_new_change(db: TestDb) {
        // a bad row anywhere: nothing of the good ones is written
        let bad = format!("{TABLE}532331100202,某村,village,999\n");
        match org_import::import(&db.db, bad.as_bytes(), false).await {
            Err(ImportError::Rejected(problems)) => assert_eq!((problems[0].line, problems[0].column), (6, "上级代码")),
            other => panic!("{other:?}"),
        }
        assert!(units(&db).await.is_empty());

        let plan = org_import::import(&db.db, TABLE.as_bytes(), false).await.unwrap();
        assert_eq!(plan.new.len(), 4);
        let first = units(&db).await;
        assert_eq!(first.len(), 4);
        // each path is its parent's and one more id
        assert!(first[3].2.starts_with(&first[2].2) && first[2].2.starts_with(&first[1].2));

        let again = org_import::import(&db.db, TABLE.as_bytes(), false).await.unwrap();
        assert_eq!((again.new.len(), again.renamed.len(), again.unchanged), (0, 0, 4));
        assert_eq!(units(&db).await, first, "nothing changed, not even a change number");

        let renamed = TABLE.replace("龙川镇人民调解委员会", "龙川镇人民调解委员会（合并后）");
        org_import::import(&db.db, renamed.as_bytes(), false).await.unwrap();
        let now = units(&db).await;
        assert_eq!(now[1].1, "龙川镇人民调解委员会（合并后）");
        assert_eq!(now[1].2, first[1].2, "the same unit, in the same place");
        let newest = first.iter().map(|u| u.3).max().unwrap();
        assert!(now[1].3 > newest, "a new change number: the phones pull the new name");
        assert_eq!((&now[0], &now[2], &now[3]), (&first[0], &first[2], &first[3]));
        db.cleanup().await;
    }
}

on_both_databases! {
    async fn the_demo_and_a_real_organisation_never_share_a_database(db: TestDb) {
        // the real Chuxiong, whose city code is the demo's: imported, then
        // the demo loader (published passwords) is refused
        let real = "代码,名称,类型,上级代码\n532301,楚雄市人民调解委员会,city,\n";
        org_import::import(&db.db, real.as_bytes(), false).await.unwrap();
        let refused = tiaojie_server::demo::load(&db.db).await.unwrap_err().to_string();
        assert!(refused.contains("导入的真实组织"), "{refused}");
        let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account").fetch_one(db.db.pool()).await.unwrap();
        assert_eq!(accounts, 0, "no demo log-in landed");
        db.cleanup().await;
    }

    async fn a_demo_database_takes_no_import(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let before = units(&db).await.len();
        assert!(matches!(org_import::import(&db.db, TABLE.as_bytes(), true).await, Err(ImportError::DemoDatabase)));
        assert!(matches!(org_import::import(&db.db, TABLE.as_bytes(), false).await, Err(ImportError::DemoDatabase)));
        assert_eq!(units(&db).await.len(), before);
        // loading it again is still fine
        tiaojie_server::demo::load(&db.db).await.unwrap();
        db.cleanup().await;
    }
}

on_both_databases! {
    async fn a_demo_database_loaded_before_the_flag_is_marked_as_one(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        // as such a database was: no flag
        sqlx::query("DELETE FROM server_setting WHERE name = 'data_kind'").execute(db.db.pool()).await.unwrap();
        // the migration's own statement marks it
        let folder = match db.kind() {
            crate::support::Kind::Sqlite => "sqlite",
            crate::support::Kind::Postgres => "postgres",
        };
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations").join(folder).join("20261205000004_data_kind.sql");
        let text = std::fs::read_to_string(file).unwrap();
        let mark = text.split(';').find(|s| s.contains("INSERT INTO server_setting")).unwrap();
        sqlx::query(mark).execute(db.db.pool()).await.unwrap();
        assert!(matches!(org_import::import(&db.db, TABLE.as_bytes(), false).await, Err(ImportError::DemoDatabase)));
        db.cleanup().await;
    }
}
