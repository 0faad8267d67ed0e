//! Reference data the phones keep a copy of (docs/sync.md, "Reference
//! stream"): the organisation units, each with the change number of its
//! latest change, and versioned documents (`reference_record`: screening
//! schedules, subsidy rule sets) kept whole as JSON.

use super::org::{Unit, UnitRow};
use super::sql::{self, OrgUnit};
use super::{Conn, Store, StoreError, cases};
use domain::sync::Entity;
use domain::{Timestamp, UnitPath};
use sea_query::{BinOper, Cond, Expr, Order, Query};

/// A document as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub entity: Entity,
    /// Its own text id (`five-ones`).
    pub id: String,
    pub version: u64,
    pub payload: String,
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
    store: &Store,
    entity: Entity,
    id: &str,
    payload: &str,
    now: Timestamp,
    replace: Replace,
) -> Result<Published, StoreError> {
    let mut tx = store.write().await?;
    // the counter's lock first: two servers starting at once publish in turn
    // (an unchanged document gives its number back with the rollback)
    let change_no = cases::reserve_change_nos(&mut tx, 1).await?;
    let stored: Option<(i64, String)> = sqlx::query_as(
        "SELECT version, payload FROM reference_record WHERE entity = $1 AND id = $2",
    )
    .bind(entity.code())
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
    .bind(entity.code())
    .bind(id)
    .bind(stored.map_or(1, |(version, _)| version + 1))
    .bind(payload)
    .bind(change_no)
    .bind(now.to_string())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Published::Stored)
}

/// The stored documents of one kind, as text, by id.
pub async fn payloads_of(c: &mut Conn, entity: Entity) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT payload FROM reference_record WHERE entity = $1 ORDER BY id",
    )
    .bind(entity.code())
    .fetch_all(&mut *c)
    .await?)
}

/// Documents changed after `cursor` and up to `upto`, oldest first.
pub async fn documents_since(
    store: &Store,
    cursor: i64,
    upto: i64,
    limit: u32,
) -> Result<Vec<Document>, StoreError> {
    sqlx::query_as::<_, (String, String, i64, String, i64)>(
        "SELECT entity, id, version, payload, change_no FROM reference_record \
         WHERE change_no > $1 AND change_no <= $2 ORDER BY change_no LIMIT $3",
    )
    .bind(cursor)
    .bind(upto)
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(|(entity, id, version, payload, change_no)| {
        let entity = [Entity::Schedule, Entity::RuleSet]
            .into_iter()
            .find(|e| e.code() == entity)
            .ok_or_else(|| StoreError::corrupt("reference entity", &entity))?;
        Ok(Document {
            entity,
            id,
            version: sql::count("version", version)?,
            payload,
            change_no,
        })
    })
    .collect()
}

/// Units changed after `cursor` and up to `upto` that lie inside one of
/// the subtrees at `roots` or on the way up to one (a village mediator gets
/// the village, its groups, its township and the city), oldest first, with
/// their change numbers.
pub async fn units_since(
    store: &Store,
    cursor: i64,
    upto: i64,
    roots: &[&UnitPath],
    limit: u32,
) -> Result<Vec<(Unit, i64)>, StoreError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    // below a root (`path LIKE 'root%'`), or above it (`'root' LIKE path || '%'`)
    let scope = roots.iter().fold(Cond::any(), |any, root| {
        any.add(Expr::col(OrgUnit::Path).like(format!("{root}%")))
            .add(Expr::val(root.as_str()).binary(
                BinOper::Like,
                Expr::col(OrgUnit::Path).binary(BinOper::Custom("||"), Expr::val("%")),
            ))
    });
    let stmt = Query::select()
        .columns([
            OrgUnit::Id,
            OrgUnit::Code,
            OrgUnit::Name,
            OrgUnit::Kind,
            OrgUnit::ParentId,
            OrgUnit::Path,
            OrgUnit::ChangeNo,
        ])
        .from(OrgUnit::Table)
        .and_where(Expr::col(OrgUnit::ChangeNo).gt(cursor))
        .and_where(Expr::col(OrgUnit::ChangeNo).lte(upto))
        .cond_where(scope)
        .order_by(OrgUnit::ChangeNo, Order::Asc)
        .limit(u64::from(limit))
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        unit: UnitRow,
        change_no: i64,
    }
    sqlx::query_as_with::<_, Row, _>(&text, values)
        .fetch_all(store.pool())
        .await?
        .into_iter()
        .map(|r| Ok((Unit::try_from(r.unit)?, r.change_no)))
        .collect()
}
