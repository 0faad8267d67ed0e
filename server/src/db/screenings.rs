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
        "INSERT INTO screening_record (id, unit_id, unit_path, duty, done_on, version, payload, change_no, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, unit_path = excluded.unit_path, \
         duty = excluded.duty, done_on = excluded.done_on, version = excluded.version, \
         payload = excluded.payload, change_no = excluded.change_no, updated_at = excluded.updated_at",
    )
    .bind(row.id)
    .bind(row.unit_id)
    .bind(row.unit_path)
    .bind(row.duty)
    .bind(row.done_on)
    .bind(row.version)
    .bind(row.payload)
    .bind(row.change_no)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
