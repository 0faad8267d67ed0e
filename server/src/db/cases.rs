//! The server's cases (`case_record`), their history and the change
//! counter. Writers bump the counter first, so concurrent pushes are
//! serialised on its row and change numbers follow commit order.

use super::DbError;
use sqlx::{Any, Transaction};

pub type Tx = Transaction<'static, Any>;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: String,
    pub unit_id: String,
    pub unit_path: String,
    pub version: i64,
    pub payload: Option<String>,
    pub deleted: i64,
    pub tier: Option<String>,
    pub amount_fen: i64,
    pub locked_reason: Option<String>,
    pub change_no: i64,
}

/// The next change number (and, on PostgreSQL, the row lock that orders
/// this transaction after every other writer).
pub async fn next_change_no(tx: &mut Tx) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "UPDATE change_counter SET value = value + 1 WHERE id = 1 RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?)
}

pub async fn get(tx: &mut Tx, id: &str) -> Result<Option<CaseRow>, DbError> {
    Ok(sqlx::query_as::<_, CaseRow>(
        "SELECT id, unit_id, unit_path, version, payload, deleted, tier, amount_fen, locked_reason, change_no \
         FROM case_record WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// A version a later change replaced, when it is kept.
pub async fn history_payload(
    tx: &mut Tx,
    id: &str,
    version: i64,
) -> Result<Option<Option<String>>, DbError> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "SELECT payload FROM case_history WHERE case_id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Keeps the version being replaced, with the mutation replacing it and
/// the fields decided by the server's order.
pub async fn keep_history(
    tx: &mut Tx,
    old: &CaseRow,
    replaced_by: &str,
    overridden: &[String],
    now: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO case_history (case_id, version, payload, deleted, replaced_at, replaced_by, overridden) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&old.id)
    .bind(old.version)
    .bind(old.payload.clone())
    .bind(old.deleted)
    .bind(now)
    .bind(replaced_by)
    .bind(serde_json::to_string(overridden).unwrap_or_else(|_| "[]".into()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub struct Write<'a> {
    pub id: &'a str,
    pub unit_id: &'a str,
    pub unit_path: &'a str,
    pub version: i64,
    pub payload: Option<&'a str>,
    pub tier: Option<&'a str>,
    pub amount_fen: i64,
    pub change_no: i64,
}

pub async fn upsert(tx: &mut Tx, w: &Write<'_>, now: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO case_record (id, unit_id, unit_path, version, payload, deleted, tier, amount_fen, change_no, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
         ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, unit_path = excluded.unit_path, \
         version = excluded.version, payload = excluded.payload, deleted = excluded.deleted, tier = excluded.tier, \
         amount_fen = excluded.amount_fen, change_no = excluded.change_no, updated_at = excluded.updated_at",
    )
    .bind(w.id)
    .bind(w.unit_id)
    .bind(w.unit_path)
    .bind(w.version)
    .bind(w.payload)
    .bind(i64::from(w.payload.is_none()))
    .bind(w.tier)
    .bind(w.amount_fen)
    .bind(w.change_no)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Changes after `cursor` inside the subtrees at `roots`, oldest first.
pub async fn changes_since(
    pool: &sqlx::AnyPool,
    cursor: i64,
    roots: &[&str],
    limit: i64,
) -> Result<Vec<CaseRow>, DbError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let scope = (0..roots.len())
        .map(|i| format!("unit_path LIKE ${}", i + 2))
        .collect::<Vec<_>>()
        .join(" OR ");
    let sql = format!(
        "SELECT id, unit_id, unit_path, version, payload, deleted, tier, amount_fen, locked_reason, change_no \
         FROM case_record WHERE change_no > $1 AND ({scope}) ORDER BY change_no LIMIT ${}",
        roots.len() + 2
    );
    let mut q = sqlx::query_as::<_, CaseRow>(&sql).bind(cursor);
    for root in roots {
        q = q.bind(format!("{root}%"));
    }
    Ok(q.bind(limit).fetch_all(pool).await?)
}

/// A unit's path and kind, for scoping and for the rules.
pub async fn unit(
    tx: &mut Tx,
    id: &str,
) -> Result<Option<(String, String, Option<String>)>, DbError> {
    Ok(sqlx::query_as::<_, (String, String, Option<String>)>(
        "SELECT path, kind, parent_id FROM org_unit WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?)
}

pub async fn unit_kind(tx: &mut Tx, id: &str) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT kind FROM org_unit WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// The device's push state: the last seq applied, creating the row (owned
/// by `account_id`) on first use. Returns the owner too.
pub async fn client_state(
    tx: &mut Tx,
    client_id: &str,
    account_id: &str,
    now: &str,
) -> Result<(i64, String), DbError> {
    sqlx::query(
        "INSERT INTO sync_client (client_id, account_id, last_seq, updated_at) VALUES ($1, $2, 0, $3) \
         ON CONFLICT (client_id) DO NOTHING",
    )
    .bind(client_id)
    .bind(account_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(sqlx::query_as::<_, (i64, String)>(
        "SELECT last_seq, account_id FROM sync_client WHERE client_id = $1",
    )
    .bind(client_id)
    .fetch_one(&mut **tx)
    .await?)
}

pub async fn set_last_seq(
    tx: &mut Tx,
    client_id: &str,
    seq: i64,
    now: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE sync_client SET last_seq = $1, updated_at = $2 WHERE client_id = $3")
        .bind(seq)
        .bind(now)
        .bind(client_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The stored answer to (client, seq) and the mutation id it was for.
pub async fn stored_result(
    tx: &mut Tx,
    client_id: &str,
    seq: i64,
) -> Result<Option<(String, String)>, DbError> {
    Ok(sqlx::query_as::<_, (String, String)>(
        "SELECT mutation_id, result FROM sync_mutation WHERE client_id = $1 AND seq = $2",
    )
    .bind(client_id)
    .bind(seq)
    .fetch_optional(&mut **tx)
    .await?)
}

pub async fn mutation_seen(tx: &mut Tx, mutation_id: &str) -> Result<bool, DbError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sync_mutation WHERE mutation_id = $1")
            .bind(mutation_id)
            .fetch_one(&mut **tx)
            .await?
            > 0,
    )
}

pub async fn store_result(
    tx: &mut Tx,
    client_id: &str,
    seq: i64,
    mutation_id: &str,
    result: &str,
    now: &str,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO sync_mutation (client_id, seq, mutation_id, result, applied_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(client_id)
        .bind(seq)
        .bind(mutation_id)
        .bind(result)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
