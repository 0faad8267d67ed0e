//! Screening records (排查记录) as stored: one row per record, its latest
//! version, with the change number of its latest change.

use super::DbError;
use super::cases::Tx;

/// A screening record's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningRow<'a> {
    pub id: &'a str,
    pub unit_id: &'a str,
    pub unit_path: &'a str,
    pub duty: &'a str,
    pub done_on: &'a str,
    pub version: i64,
    pub payload: &'a str,
    pub change_no: i64,
    /// The photo's (sha256, bytes, content type), if the record has one.
    pub photo: Option<(&'a str, i64, &'a str)>,
}

/// The stored version of a record, if any.
pub async fn version_of(tx: &mut Tx, id: &str) -> Result<Option<(i64, String)>, DbError> {
    Ok(
        sqlx::query_as("SELECT version, unit_path FROM screening_record WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?,
    )
}

pub async fn upsert(tx: &mut Tx, row: &ScreeningRow<'_>, now: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO screening_record (id, unit_id, unit_path, duty, done_on, version, payload, change_no, \
         photo_sha256, photo_bytes, photo_type, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
         ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, unit_path = excluded.unit_path, \
         duty = excluded.duty, done_on = excluded.done_on, version = excluded.version, \
         payload = excluded.payload, change_no = excluded.change_no, photo_sha256 = excluded.photo_sha256, \
         photo_bytes = excluded.photo_bytes, photo_type = excluded.photo_type, updated_at = excluded.updated_at",
    )
    .bind(row.id)
    .bind(row.unit_id)
    .bind(row.unit_path)
    .bind(row.duty)
    .bind(row.done_on)
    .bind(row.version)
    .bind(row.payload)
    .bind(row.change_no)
    .bind(row.photo.map(|p| p.0))
    .bind(row.photo.map(|p| p.1))
    .bind(row.photo.map(|p| p.2))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A record as a pull sends it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PulledScreening {
    pub change_no: i64,
    pub id: String,
    pub version: i64,
    pub payload: String,
}

/// Records changed after `cursor` inside the subtrees at `roots`, oldest
/// first (the same change numbers as cases: a pull merges the two).
pub async fn changes_since(
    pool: &sqlx::AnyPool,
    cursor: i64,
    roots: &[&str],
    limit: i64,
) -> Result<Vec<PulledScreening>, DbError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let scope = (0..roots.len())
        .map(|i| format!("unit_path LIKE ${}", i + 2))
        .collect::<Vec<_>>()
        .join(" OR ");
    let sql = format!(
        "SELECT change_no, id, version, payload FROM screening_record \
         WHERE change_no > $1 AND ({scope}) ORDER BY change_no LIMIT ${}",
        roots.len() + 2
    );
    let mut q = sqlx::query_as::<_, PulledScreening>(&sql).bind(cursor);
    for root in roots {
        q = q.bind(format!("{root}%"));
    }
    Ok(q.bind(limit).fetch_all(pool).await?)
}

/// One record as the compliance view reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DoneRow {
    pub unit_id: String,
    pub duty: String,
    pub done_on: String,
}

/// The rows as the reminders read them (rows with a bad id or day are
/// left out: the push checked both).
pub fn record_refs(rows: &[DoneRow]) -> Vec<domain::screening::RecordRef<'_>> {
    rows.iter()
        .filter_map(|row| {
            Some(domain::screening::RecordRef {
                unit_id: domain::UnitId::parse(&row.unit_id).ok()?,
                duty: &row.duty,
                date: domain::dates::parse_iso(&row.done_on)?,
            })
        })
        .collect()
}

fn scope_sql(roots: &[&str], first: usize) -> String {
    (0..roots.len())
        .map(|i| format!("unit_path LIKE ${}", i + first))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The records of `duty` dated on or after `from` (`YYYY-MM-DD`) in the
/// subtrees at `roots`.
pub async fn done_since(
    pool: &sqlx::AnyPool,
    roots: &[&str],
    duty: &str,
    from: &str,
) -> Result<Vec<DoneRow>, DbError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT unit_id, duty, done_on FROM screening_record \
         WHERE duty = $1 AND done_on >= $2 AND ({})",
        scope_sql(roots, 3)
    );
    let mut q = sqlx::query_as::<_, DoneRow>(&sql).bind(duty).bind(from);
    for root in roots {
        q = q.bind(format!("{root}%"));
    }
    Ok(q.fetch_all(pool).await?)
}

/// The whole records of `duty` dated on or after `from`, as stored (for
/// meetings and trainings: who attended).
pub async fn payloads_since(
    pool: &sqlx::AnyPool,
    roots: &[&str],
    duty: &str,
    from: &str,
) -> Result<Vec<String>, DbError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT payload FROM screening_record WHERE duty = $1 AND done_on >= $2 AND ({}) \
         ORDER BY done_on DESC",
        scope_sql(roots, 3)
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(duty).bind(from);
    for root in roots {
        q = q.bind(format!("{root}%"));
    }
    Ok(q.fetch_all(pool).await?)
}
