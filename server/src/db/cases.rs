//! The server's cases (`case_record`), their history, the change counter
//! and the per-device push state. A push reads what it needs in a few
//! batched queries and writes with multi-row statements; writers bump the
//! change counter first, so concurrent pushes are serialised on its row and
//! change numbers follow commit order.

use super::{Backend, DbError, list_placeholders, values_placeholders};

/// A connection inside a transaction (or a savepoint of one).
pub type Tx = sqlx::AnyConnection;

/// Rows per multi-row statement (PostgreSQL allows 65,535 parameters).
const CHUNK: usize = 200;

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

const CASE_COLUMNS: &str =
    "id, unit_id, unit_path, version, payload, deleted, tier, amount_fen, locked_reason, change_no";

/// A unit as the sync needs it: where it is (scope) and what it is (rules).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitRow {
    pub id: String,
    pub path: String,
    pub kind: String,
    pub parent_id: Option<String>,
}

/// A replaced version, kept with the mutation that replaced it.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub case_id: String,
    pub version: i64,
    pub payload: Option<String>,
    pub deleted: i64,
    pub replaced_by: String,
    /// JSON array of field names
    pub overridden: String,
}

/// Reserves `n` change numbers; returns the first. (It also takes, on
/// PostgreSQL, the row lock that orders this transaction after every other
/// writer.) Numbers left unused are gaps, which pulls do not mind.
pub async fn reserve_change_nos(tx: &mut Tx, n: i64) -> Result<i64, DbError> {
    let last = sqlx::query_scalar::<_, i64>(
        "UPDATE change_counter SET value = value + $1 WHERE id = 1 RETURNING value",
    )
    .bind(n)
    .fetch_one(&mut *tx)
    .await?;
    Ok(last - n + 1)
}

/// `SELECT … WHERE <column> IN (ids)`, in chunks.
async fn select_in<T>(
    tx: &mut Tx,
    select: &str,
    column: &str,
    ids: &[String],
) -> Result<Vec<T>, DbError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK * 5) {
        let sql = format!(
            "{select} WHERE {column} IN ({})",
            list_placeholders(Backend::of(tx), chunk.len())
        );
        let mut q = sqlx::query_as::<_, T>(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        out.extend(q.fetch_all(&mut *tx).await?);
    }
    Ok(out)
}

pub async fn get_many(tx: &mut Tx, ids: &[String]) -> Result<Vec<CaseRow>, DbError> {
    select_in(
        tx,
        &format!("SELECT {CASE_COLUMNS} FROM case_record"),
        "id",
        ids,
    )
    .await
}

pub async fn units_many(tx: &mut Tx, ids: &[String]) -> Result<Vec<UnitRow>, DbError> {
    select_in(
        tx,
        "SELECT id, path, kind, parent_id FROM org_unit",
        "id",
        ids,
    )
    .await
}

/// Who sees a case besides its unit's branch (a referral across the
/// tree): the unit path a pending referral waits at, and the owner's unit
/// path once such a referral was accepted (`case_ownership`).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Reach {
    pub pending_path: Option<String>,
    pub grant_path: Option<String>,
}

/// The case's [`Reach`] (none without an ownership row).
pub async fn reach(tx: &mut Tx, id: &str) -> Result<Reach, DbError> {
    Ok(sqlx::query_as::<_, Reach>(
        "SELECT pending_path, grant_path FROM case_ownership WHERE case_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .unwrap_or_default())
}

/// The granted paths (owner's unit off the case's branch) of those of
/// `ids` that have one: case id → path.
pub async fn grants_many(
    tx: &mut Tx,
    ids: &[String],
) -> Result<std::collections::HashMap<String, String>, DbError> {
    let rows: Vec<(String, Option<String>)> = select_in(
        tx,
        "SELECT case_id, grant_path FROM case_ownership",
        "case_id",
        ids,
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, path)| Some((id, path?)))
        .collect())
}

/// (id, name) of those of `ids` that exist.
pub async fn unit_names(tx: &mut Tx, ids: &[String]) -> Result<Vec<(String, String)>, DbError> {
    select_in(tx, "SELECT id, name FROM org_unit", "id", ids).await
}

/// Which of these mutation ids were applied before (by any device).
pub async fn seen_many(tx: &mut Tx, mutation_ids: &[String]) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> = select_in(
        tx,
        "SELECT mutation_id FROM sync_mutation",
        "mutation_id",
        mutation_ids,
    )
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
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
    .fetch_optional(&mut *tx)
    .await?)
}

pub async fn insert_history(tx: &mut Tx, rows: &[HistoryRow], now: &str) -> Result<(), DbError> {
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO case_history (case_id, version, payload, deleted, replaced_at, replaced_by, overridden) VALUES {}",
            values_placeholders(Backend::of(tx), chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(&r.case_id)
                .bind(r.version)
                .bind(r.payload.clone())
                .bind(r.deleted)
                .bind(now)
                .bind(&r.replaced_by)
                .bind(&r.overridden);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Writes the latest state of each case (one row per id).
pub async fn upsert_many(tx: &mut Tx, rows: &[&CaseRow], now: &str) -> Result<(), DbError> {
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO case_record (id, unit_id, unit_path, version, payload, deleted, tier, amount_fen, change_no, created_at, updated_at) \
             VALUES {} \
             ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, unit_path = excluded.unit_path, \
             version = excluded.version, payload = excluded.payload, deleted = excluded.deleted, tier = excluded.tier, \
             amount_fen = excluded.amount_fen, change_no = excluded.change_no, updated_at = excluded.updated_at",
            values_placeholders(Backend::of(tx), chunk.len(), 11)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(&r.id)
                .bind(&r.unit_id)
                .bind(&r.unit_path)
                .bind(r.version)
                .bind(r.payload.clone())
                .bind(r.deleted)
                .bind(r.tier.clone())
                .bind(r.amount_fen)
                .bind(r.change_no)
                .bind(now)
                .bind(now);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// A case as a pull returns it, with the conflict that made this version.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PullRow {
    #[sqlx(flatten)]
    pub case: CaseRow,
    /// JSON array of the fields whose earlier values this version replaced
    /// (from the history row of the version before), if any.
    pub overridden: Option<String>,
}

/// Changes after `cursor` inside the subtrees at `roots`, oldest first.
pub async fn changes_since(
    pool: &sqlx::AnyPool,
    cursor: i64,
    roots: &[&str],
    limit: i64,
) -> Result<Vec<PullRow>, DbError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    // a case's branch, or the branch its owner's unit is on after a
    // referral across the tree was accepted
    let scope = (0..roots.len())
        .map(|i| format!("c.unit_path LIKE ${0} OR o.grant_path LIKE ${0}", i + 2))
        .collect::<Vec<_>>()
        .join(" OR ");
    let columns = CASE_COLUMNS
        .split(", ")
        .map(|c| format!("c.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns}, h.overridden FROM case_record c \
         LEFT JOIN case_history h ON h.case_id = c.id AND h.version = c.version - 1 \
         LEFT JOIN case_ownership o ON o.case_id = c.id \
         WHERE c.change_no > $1 AND ({scope}) ORDER BY c.change_no LIMIT ${}",
        roots.len() + 2
    );
    let mut q = sqlx::query_as::<_, PullRow>(&sql).bind(cursor);
    for root in roots {
        q = q.bind(format!("{root}%"));
    }
    Ok(q.bind(limit).fetch_all(pool).await?)
}

/// The device's push state: the last seq applied, creating the row (owned
/// by `account_id`) on first use. Returns the owner too.
pub async fn client_state(
    tx: &mut Tx,
    client_id: &str,
    account_id: &str,
    now: &str,
) -> Result<(i64, String), DbError> {
    async fn read(tx: &mut Tx, client_id: &str) -> Result<Option<(i64, String)>, DbError> {
        Ok(sqlx::query_as::<_, (i64, String)>(
            "SELECT last_seq, account_id FROM sync_client WHERE client_id = $1",
        )
        .bind(client_id)
        .fetch_optional(&mut *tx)
        .await?)
    }
    // one round trip for every push but a device's first
    if let Some(state) = read(tx, client_id).await? {
        return Ok(state);
    }
    sqlx::query(
        "INSERT INTO sync_client (client_id, account_id, last_seq, updated_at) VALUES ($1, $2, 0, $3) \
         ON CONFLICT (client_id) DO NOTHING",
    )
    .bind(client_id)
    .bind(account_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    read(tx, client_id)
        .await?
        .ok_or(DbError::Sqlx(sqlx::Error::RowNotFound))
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
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The stored answers of this client for seqs in `from..=to`: (seq,
/// mutation id, answer JSON).
pub async fn stored_results(
    tx: &mut Tx,
    client_id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, String, String)>, DbError> {
    Ok(sqlx::query_as::<_, (i64, String, String)>(
        "SELECT seq, mutation_id, result FROM sync_mutation WHERE client_id = $1 AND seq >= $2 AND seq <= $3",
    )
    .bind(client_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *tx)
    .await?)
}

/// Stores answers: (seq, mutation id, answer JSON).
pub async fn store_results(
    tx: &mut Tx,
    client_id: &str,
    rows: &[(i64, String, String)],
    now: &str,
) -> Result<(), DbError> {
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO sync_mutation (client_id, seq, mutation_id, result, applied_at) VALUES {}",
            values_placeholders(Backend::of(tx), chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for (seq, mutation_id, result) in chunk {
            q = q
                .bind(client_id)
                .bind(*seq)
                .bind(mutation_id)
                .bind(result)
                .bind(now);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Sets or clears an office's lock on a case (the column scoped queries and
/// pushes read; the payload carries the same reason for the devices).
pub async fn set_locked(tx: &mut Tx, id: &str, reason: Option<&str>) -> Result<(), DbError> {
    sqlx::query("UPDATE case_record SET locked_reason = $1 WHERE id = $2")
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
