//! Screening records (排查记录) as stored: one row per record, its latest
//! version, with the change number of its latest change.

use super::page::{self, Page, PageBound};
use super::sql::{self, ScreeningRecord as Sr};
use super::{Conn, Store, StoreError};
use domain::dates::{format_iso, parse_iso};
use domain::{PersonId, ScreeningId, Timestamp, UnitId, UnitPath};
use jiff::civil::Date;
use sea_query::{Expr, Order, Query};

/// A record to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord<'a> {
    pub id: ScreeningId,
    pub unit_id: UnitId,
    pub unit_path: &'a UnitPath,
    pub duty: &'a str,
    pub done_on: Date,
    pub version: u64,
    /// The record (`domain::screening::ScreeningRecord`) as JSON.
    pub payload: &'a str,
    pub change_no: i64,
    /// The photo's (sha256, bytes, content type), if the record has one.
    pub photo: Option<(&'a str, u64, &'a str)>,
}

/// A stored record as a correction of it needs it: its version, where its
/// unit is, and who recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub version: u64,
    pub unit_path: UnitPath,
    pub recorded_by: PersonId,
}

/// The stored record `id`, if any.
pub async fn held(c: &mut Conn, id: ScreeningId) -> Result<Option<Held>, StoreError> {
    #[derive(serde::Deserialize)]
    struct Author {
        recorded_by: PersonId,
    }
    sqlx::query_as::<_, (i64, String, String)>(
        "SELECT version, unit_path, payload FROM screening_record WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *c)
    .await?
    .map(|(v, path, payload)| {
        let author: Author =
            serde_json::from_str(&payload).map_err(|e| StoreError::corrupt("record", e))?;
        Ok(Held {
            version: sql::count("version", v)?,
            unit_path: sql::path(&path)?,
            recorded_by: author.recorded_by,
        })
    })
    .transpose()
}

pub async fn upsert(c: &mut Conn, row: &NewRecord<'_>, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO screening_record (id, unit_id, unit_path, duty, done_on, version, payload, change_no, \
         photo_sha256, photo_bytes, photo_type, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
         ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, unit_path = excluded.unit_path, \
         duty = excluded.duty, done_on = excluded.done_on, version = excluded.version, \
         payload = excluded.payload, change_no = excluded.change_no, photo_sha256 = excluded.photo_sha256, \
         photo_bytes = excluded.photo_bytes, photo_type = excluded.photo_type, updated_at = excluded.updated_at",
    )
    .bind(row.id.to_string())
    .bind(row.unit_id.to_string())
    .bind(row.unit_path.as_str())
    .bind(row.duty)
    .bind(format_iso(row.done_on))
    .bind(row.version as i64)
    .bind(row.payload)
    .bind(row.change_no)
    .bind(row.photo.map(|p| p.0))
    .bind(row.photo.map(|p| p.1 as i64))
    .bind(row.photo.map(|p| p.2))
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// A record as a pull sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledRecord {
    pub change_no: i64,
    pub id: ScreeningId,
    pub version: u64,
    /// As stored (JSON), sent on as it is.
    pub payload: String,
}

/// Records changed after `cursor` inside the subtrees at `roots`, oldest
/// first (the same change numbers as cases: a pull merges the two).
pub async fn changes_since(
    store: &Store,
    cursor: i64,
    roots: &[&UnitPath],
    bound: PageBound,
) -> Result<Page<PulledRecord>, StoreError> {
    if roots.is_empty() {
        return Ok(Page::empty());
    }
    let stmt = Query::select()
        .columns([Sr::ChangeNo, Sr::Id, Sr::Version, Sr::Payload])
        .from(Sr::Table)
        .and_where(Expr::col(Sr::ChangeNo).gt(cursor))
        .cond_where(sql::under(Sr::UnitPath, roots))
        .order_by(Sr::ChangeNo, Order::Asc)
        .limit(bound.limit as u64 + 1)
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    let rows =
        sqlx::query_as_with::<_, (i64, String, i64, String), _>(&text, values).fetch(store.pool());
    page::read(
        rows,
        bound,
        |row| row.3.len(),
        |(change_no, id, version, payload)| {
            Ok(PulledRecord {
                change_no,
                id: sql::read("screening id", &id)?,
                version: sql::count("version", version)?,
                payload,
            })
        },
    )
    .await
}

/// A record's (unit, duty, day), what the reminders and the compliance
/// view count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub unit_id: UnitId,
    pub duty: String,
    pub date: Date,
}

impl Done {
    pub fn as_ref(&self) -> domain::screening::RecordRef<'_> {
        domain::screening::RecordRef {
            unit_id: self.unit_id,
            duty: &self.duty,
            date: self.date,
        }
    }
}

fn done_rows(rows: Vec<(String, String, String)>) -> Result<Vec<Done>, StoreError> {
    rows.into_iter()
        .map(|(unit_id, duty, day)| {
            Ok(Done {
                unit_id: sql::read("unit id", &unit_id)?,
                duty,
                date: parse_iso(&day).ok_or_else(|| StoreError::corrupt("done_on", &day))?,
            })
        })
        .collect()
}

/// Every record dated on or after `from`, wherever its unit.
pub async fn done_since_anywhere(store: &Store, from: Date) -> Result<Vec<Done>, StoreError> {
    done_rows(
        sqlx::query_as("SELECT unit_id, duty, done_on FROM screening_record WHERE done_on >= $1")
            .bind(format_iso(from))
            .fetch_all(store.pool())
            .await?,
    )
}

/// The records of `duty` dated on or after `from` in the subtrees at `roots`.
pub async fn done_since(
    store: &Store,
    roots: &[&UnitPath],
    duty: &str,
    from: Date,
) -> Result<Vec<Done>, StoreError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .columns([Sr::UnitId, Sr::Duty, Sr::DoneOn])
        .from(Sr::Table)
        .and_where(Expr::col(Sr::Duty).eq(duty))
        .and_where(Expr::col(Sr::DoneOn).gte(format_iso(from)))
        .cond_where(sql::under(Sr::UnitPath, roots))
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    done_rows(
        sqlx::query_as_with(&text, values)
            .fetch_all(store.pool())
            .await?,
    )
}

/// The whole records of `duty` dated on or after `from`, as stored (for
/// meetings and trainings: who attended), newest first.
pub async fn payloads_since(
    store: &Store,
    roots: &[&UnitPath],
    duty: &str,
    from: Date,
) -> Result<Vec<String>, StoreError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .column(Sr::Payload)
        .from(Sr::Table)
        .and_where(Expr::col(Sr::Duty).eq(duty))
        .and_where(Expr::col(Sr::DoneOn).gte(format_iso(from)))
        .cond_where(sql::under(Sr::UnitPath, roots))
        .order_by(Sr::DoneOn, Order::Desc)
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    Ok(sqlx::query_scalar_with(&text, values)
        .fetch_all(store.pool())
        .await?)
}
