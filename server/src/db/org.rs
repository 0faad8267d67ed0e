//! Organisation units: the tree every scoped query hangs on.

use super::{Backend, Db, DbError, list_placeholders, values_placeholders};
use domain::{UnitId, UnitKind};
use sqlx::{Any, Transaction};

/// A unit to insert. `path` is built from the parent's path by [`NewUnit::child_path`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub id: UnitId,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<UnitId>,
    pub path: String,
    pub depth: i64,
}

impl NewUnit {
    /// The path of a root unit: `/id/`.
    pub fn root_path(id: UnitId) -> String {
        format!("/{id}/")
    }

    /// The path of a child: the parent's path and the child's id.
    pub fn child_path(parent_path: &str, id: UnitId) -> String {
        format!("{parent_path}{id}/")
    }
}

/// A unit as read back.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub path: String,
    pub depth: i64,
}

const COLUMNS: usize = 10;
const BATCH_ROWS: usize = 200;

/// Inserts units in batches, skipping ids that exist (idempotent loads).
/// Returns how many rows were new.
pub async fn insert_units(
    tx: &mut Transaction<'static, Any>,
    units: &[NewUnit],
    now: &str,
) -> Result<u64, DbError> {
    let mut inserted = 0;
    for chunk in units.chunks(BATCH_ROWS) {
        // change numbers: devices pull new units like any change (gaps for
        // units that exist are harmless)
        let first = super::cases::reserve_change_nos(tx, chunk.len() as i64).await?;
        let sql = format!(
            "INSERT INTO org_unit (id, code, name, kind, parent_id, path, depth, created_at, updated_at, change_no) \
             VALUES {} ON CONFLICT (id) DO NOTHING",
            values_placeholders(Backend::of(tx), chunk.len(), COLUMNS)
        );
        let mut q = sqlx::query(&sql);
        for (i, u) in chunk.iter().enumerate() {
            q = q
                .bind(u.id.to_string())
                .bind(u.code.clone())
                .bind(u.name.clone())
                .bind(u.kind.code())
                .bind(u.parent_id.map(|p| p.to_string()))
                .bind(u.path.clone())
                .bind(u.depth)
                .bind(now.to_owned())
                .bind(now.to_owned())
                .bind(first + i as i64);
        }
        inserted += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(inserted)
}

pub async fn find_by_code(db: &Db, code: &str) -> Result<Option<UnitRow>, DbError> {
    Ok(sqlx::query_as::<_, UnitRow>(
        "SELECT id, code, name, kind, parent_id, path, depth FROM org_unit WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(db.pool())
    .await?)
}

/// The root of the tree (the city), if any.
pub async fn root(db: &Db) -> Result<Option<UnitRow>, DbError> {
    Ok(sqlx::query_as::<_, UnitRow>(
        "SELECT id, code, name, kind, parent_id, path, depth FROM org_unit \
         WHERE parent_id IS NULL ORDER BY code LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?)
}

/// Number of units of a kind inside the subtree at `path` (inclusive).
pub async fn count_in_subtree(db: &Db, path: &str, kind: UnitKind) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM org_unit WHERE kind = $1 AND path LIKE $2",
    )
    .bind(kind.code())
    .bind(format!("{path}%"))
    .fetch_one(db.pool())
    .await?)
}

/// Number of units of each kind, for reports and tests.
pub async fn count_by_kind(db: &Db) -> Result<Vec<(String, i64)>, DbError> {
    Ok(sqlx::query_as::<_, (String, i64)>(
        "SELECT kind, COUNT(*) FROM org_unit GROUP BY kind ORDER BY kind",
    )
    .fetch_all(db.pool())
    .await?)
}

/// The unit kinds the database knows (its reference table).
pub async fn known_kinds(db: &Db) -> Result<Vec<String>, DbError> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT code FROM unit_kind ORDER BY code")
            .fetch_all(db.pool())
            .await?,
    )
}

/// A unit of a subtree, as the compliance view reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SubtreeUnit {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<String>,
}

impl SubtreeUnit {
    /// The unit as the domain knows it (the reference stream sends it so;
    /// the compliance view reads it so).
    pub fn into_record(self) -> anyhow::Result<domain::org::UnitRecord> {
        Ok(domain::org::UnitRecord {
            id: UnitId::parse(&self.id)?,
            code: self.code,
            name: self.name,
            kind: self
                .kind
                .parse::<UnitKind>()
                .map_err(|e| anyhow::anyhow!("unit kind {:?}: {e:?}", self.kind))?,
            parent_id: self.parent_id.as_deref().map(UnitId::parse).transpose()?,
        })
    }
}

/// Every unit in the subtrees at `roots` (paths), the roots included.
pub async fn units_under(
    pool: &sqlx::AnyPool,
    roots: &[&str],
) -> Result<Vec<SubtreeUnit>, DbError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let scope = (0..roots.len())
        .map(|i| format!("path LIKE ${}", i + 1))
        .collect::<Vec<_>>()
        .join(" OR ");
    let sql =
        format!("SELECT id, code, name, kind, parent_id FROM org_unit WHERE {scope} ORDER BY path");
    let mut q = sqlx::query_as::<_, SubtreeUnit>(&sql);
    for root in roots {
        q = q.bind(format!("{root}%"));
    }
    Ok(q.fetch_all(pool).await?)
}

/// The codes of the units on these paths (`/city/township/village/`): each
/// unit and every unit above it, which decide the schedule that applies
/// (`domain::screening::applying`). One query, by primary key.
pub async fn codes_on_paths(
    tx: &mut super::cases::Tx,
    paths: &[&str],
) -> Result<Vec<String>, DbError> {
    let mut ids: Vec<&str> = paths
        .iter()
        .flat_map(|p| p.split('/'))
        .filter(|id| !id.is_empty())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT code FROM org_unit WHERE id IN ({})",
        list_placeholders(Backend::of(tx), ids.len())
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(&mut *tx).await?)
}
