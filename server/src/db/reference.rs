//! Reference data the phones keep a copy of (docs/sync.md, "Reference
//! stream"): the organisation units, each with the change number of its
//! latest change, and versioned documents (screening schedules, subsidy
//! rule sets) kept whole as JSON.

use super::cases::{self, Tx};
use super::{Db, DbError};

/// A document as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentRow {
    /// `schedule` or `rule_set` (the wire's entity name).
    pub entity: String,
    pub id: String,
    pub version: i64,
    pub payload: String,
    pub change_no: i64,
}

/// A unit as the reference stream sends it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitChangeRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub change_no: i64,
}

/// How [`publish`] treats a stored document of the same id, by the
/// documents' own `version` (a schedule's; a rule set has none: 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Unless the stored one's version is higher: the documents a build
    /// ships with, published at every start-up, do not undo an operator's
    /// newer version of the same id.
    UnlessNewer,
    /// Only with a higher version than the stored one's: an operator's
    /// `tiaojie schedule publish`.
    OnlyHigher,
}

/// What [`publish`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// Stored, new or replacing the stored one: devices pull it.
    Stored,
    /// The same text was stored already.
    Unchanged,
    /// Not stored: the stored document of the same id has this version,
    /// which the [`Replace`] rule keeps.
    Kept { stored_version: u64 },
}

/// A document's own `version` field; 0 when it has none or does not read.
fn document_version(payload: &str) -> u64 {
    #[derive(serde::Deserialize)]
    struct Versioned {
        #[serde(default)]
        version: u64,
    }
    serde_json::from_str::<Versioned>(payload).map_or(0, |v| v.version)
}

/// Stores a document when it is new, replaces it (next row version, a new
/// change number, so devices pull it again) when its text differs and
/// `replace` allows it, and leaves it alone when it is the same.
pub async fn publish(
    db: &Db,
    entity: &str,
    id: &str,
    payload: &str,
    now: &str,
    replace: Replace,
) -> Result<Published, DbError> {
    let _turn = db.writer_turn().await;
    let mut tx = db.pool().begin().await?;
    // the counter's lock first: two servers starting at once publish in turn
    // (an unchanged document gives its number back with the rollback)
    let change_no = cases::reserve_change_nos(&mut tx, 1).await?;
    let stored: Option<(i64, String)> = sqlx::query_as(
        "SELECT version, payload FROM reference_record WHERE entity = $1 AND id = $2",
    )
    .bind(entity)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((_, text)) = &stored {
        if text == payload {
            tx.rollback().await?;
            return Ok(Published::Unchanged);
        }
        let (stored_version, version) = (document_version(text), document_version(payload));
        let keep = match replace {
            Replace::UnlessNewer => stored_version > version,
            Replace::OnlyHigher => stored_version >= version,
        };
        if keep {
            tx.rollback().await?;
            return Ok(Published::Kept { stored_version });
        }
    }
    sqlx::query(
        "INSERT INTO reference_record (entity, id, version, payload, change_no, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (entity, id) DO UPDATE SET version = excluded.version, payload = excluded.payload, \
         change_no = excluded.change_no, updated_at = excluded.updated_at",
    )
    .bind(entity)
    .bind(id)
    .bind(stored.map_or(1, |(version, _)| version + 1))
    .bind(payload)
    .bind(change_no)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Published::Stored)
}

/// The stored documents of one kind (`schedule`, `rule_set`), as text, by id.
pub async fn payloads_of(tx: &mut Tx, entity: &str) -> Result<Vec<String>, DbError> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT payload FROM reference_record WHERE entity = $1 ORDER BY id",
    )
    .bind(entity)
    .fetch_all(&mut *tx)
    .await?)
}

/// The last change number handed out by a committed transaction. Writers
/// take numbers under the counter's lock and commit in that order, so every
/// change numbered up to it is visible to any query that starts after this
/// read: reading two tables up to it misses nothing between the reads.
pub async fn committed_change_no(pool: &sqlx::AnyPool) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT value FROM change_counter WHERE id = 1")
            .fetch_one(pool)
            .await?,
    )
}

/// Documents changed after `cursor` and up to `upto`, oldest first.
pub async fn documents_since(
    pool: &sqlx::AnyPool,
    cursor: i64,
    upto: i64,
    limit: i64,
) -> Result<Vec<DocumentRow>, DbError> {
    Ok(sqlx::query_as::<_, DocumentRow>(
        "SELECT entity, id, version, payload, change_no FROM reference_record \
         WHERE change_no > $1 AND change_no <= $2 ORDER BY change_no LIMIT $3",
    )
    .bind(cursor)
    .bind(upto)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Units changed after `cursor` and up to `upto` that lie inside one of
/// the subtrees at `roots` or on the way up to one (a village mediator gets
/// the village, its groups, its township and the city), oldest first.
pub async fn units_since(
    pool: &sqlx::AnyPool,
    cursor: i64,
    upto: i64,
    roots: &[&str],
    limit: i64,
) -> Result<Vec<UnitChangeRow>, DbError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let scope = (0..roots.len())
        .map(|i| {
            format!(
                "path LIKE ${} OR ${} LIKE path || '%'",
                2 * i + 3,
                2 * i + 4
            )
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    let sql = format!(
        "SELECT id, code, name, kind, parent_id, change_no FROM org_unit \
         WHERE change_no > $1 AND change_no <= $2 AND ({scope}) ORDER BY change_no LIMIT ${}",
        2 * roots.len() + 3
    );
    let mut q = sqlx::query_as::<_, UnitChangeRow>(&sql)
        .bind(cursor)
        .bind(upto);
    for root in roots {
        q = q.bind(format!("{root}%")).bind((*root).to_owned());
    }
    Ok(q.bind(limit).fetch_all(pool).await?)
}
