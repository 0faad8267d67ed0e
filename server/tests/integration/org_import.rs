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
