//! The two migration folders stay in step: the same migrations by name,
//! and after they run, the same tables with the same columns in SQLite and
//! in PostgreSQL (the store's statements are written once for both).

use crate::support::{Kind, TestDb};
use std::collections::BTreeMap;

fn names(folder: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Table → its columns, sorted, as the database describes itself.
async fn schema(db: &TestDb) -> BTreeMap<String, Vec<String>> {
    let rows: Vec<(String, String)> = match db.kind() {
        Kind::Sqlite => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
        )
        .fetch_all(db.db.pool())
        .await
        .unwrap(),
        Kind::Postgres => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(db.db.pool())
        .await
        .unwrap(),
    };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (table, column) in rows {
        out.entry(table).or_default().push(column);
    }
    for columns in out.values_mut() {
        columns.sort();
    }
    out
}

#[test]
fn both_folders_hold_the_same_migrations() {
    let (sqlite, postgres) = (names("sqlite"), names("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "a migration is added to both folders");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_databases_end_with_the_same_tables_and_columns() {
    let sqlite = TestDb::migrated(Kind::Sqlite).await;
    let postgres = TestDb::migrated(Kind::Postgres).await;
    let (a, b) = (schema(&sqlite).await, schema(&postgres).await);
    assert!(a.contains_key("case_record"), "{a:?}");
    assert_eq!(a, b, "SQLite and PostgreSQL schemas differ");
    postgres.cleanup().await;
}
