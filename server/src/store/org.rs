//! Organisation units (`org_unit`): the tree every scoped question hangs on.

use super::sql::{self, IDS_PER_STATEMENT, OrgUnit, ROWS_PER_STATEMENT};
use super::{Conn, Store, StoreError, cases};
use domain::org::UnitRecord;
use domain::{Timestamp, UnitId, UnitKind, UnitPath};
use sea_query::{Expr, OnConflict, Query};

/// A unit to insert; its path is built from the parent's
/// ([`UnitPath::child`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub id: UnitId,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<UnitId>,
    pub path: UnitPath,
}

/// A unit as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    /// Administrative or internal code, e.g. `532301`.
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<UnitId>,
    pub path: UnitPath,
}

impl Unit {
    /// The unit as the phones keep it.
    pub fn record(&self) -> UnitRecord {
        UnitRecord {
            id: self.id,
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind,
            parent_id: self.parent_id,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct UnitRow {
    pub(super) id: String,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) parent_id: Option<String>,
    pub(super) path: String,
}

impl TryFrom<UnitRow> for Unit {
    type Error = StoreError;
    fn try_from(r: UnitRow) -> Result<Unit, StoreError> {
        Ok(Unit {
            id: sql::read("unit id", &r.id)?,
            code: r.code,
            name: r.name,
            kind: sql::read("unit kind", &r.kind)?,
            parent_id: sql::read_opt("unit id", r.parent_id.as_deref())?,
            path: sql::path(&r.path)?,
        })
    }
}

const COLUMNS: [OrgUnit; 6] = [
    OrgUnit::Id,
    OrgUnit::Code,
    OrgUnit::Name,
    OrgUnit::Kind,
    OrgUnit::ParentId,
    OrgUnit::Path,
];

fn units(rows: Vec<UnitRow>) -> Result<Vec<Unit>, StoreError> {
    rows.into_iter().map(Unit::try_from).collect()
}

/// Inserts units, skipping ids that exist (idempotent loads); each new unit
/// gets a change number, so devices pull it. Returns how many were new.
pub async fn insert_units(
    c: &mut Conn,
    new: &[NewUnit],
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mut inserted = 0;
    for chunk in new.chunks(ROWS_PER_STATEMENT) {
        // (gaps for units that exist are harmless)
        let first = cases::reserve_change_nos(c, chunk.len()).await?;
        let mut stmt = Query::insert()
            .into_table(OrgUnit::Table)
            .columns([
                OrgUnit::Id,
                OrgUnit::Code,
                OrgUnit::Name,
                OrgUnit::Kind,
                OrgUnit::ParentId,
                OrgUnit::Path,
                OrgUnit::Depth,
                OrgUnit::CreatedAt,
                OrgUnit::UpdatedAt,
                OrgUnit::ChangeNo,
            ])
            .on_conflict(OnConflict::column(OrgUnit::Id).do_nothing().to_owned())
            .to_owned();
        for (i, u) in chunk.iter().enumerate() {
            stmt.values_panic([
                u.id.to_string().into(),
                u.code.clone().into(),
                u.name.clone().into(),
                u.kind.code().into(),
                u.parent_id.map(|p| p.to_string()).into(),
                u.path.as_str().into(),
                (u.path.depth() as i64).into(),
                now.to_string().into(),
                now.to_string().into(),
                (first + i as i64).into(),
            ]);
        }
        let (text, values) = sql::render(c, &stmt);
        inserted += sqlx::query_with(&text, values)
            .execute(&mut *c)
            .await?
            .rows_affected();
    }
    Ok(inserted)
}

/// Gives units new names, each with a new change number so the phones
/// pull it (an import's renames). Returns how many changed.
pub async fn rename_units(
    c: &mut Conn,
    renamed: &[(UnitId, String)],
    now: Timestamp,
) -> Result<u64, StoreError> {
    if renamed.is_empty() {
        return Ok(0);
    }
    let first = cases::reserve_change_nos(c, renamed.len()).await?;
    let mut changed = 0;
    for (i, (id, name)) in renamed.iter().enumerate() {
        let stmt = Query::update()
            .table(OrgUnit::Table)
            .values([
                (OrgUnit::Name, name.clone().into()),
                (OrgUnit::UpdatedAt, now.to_string().into()),
                (OrgUnit::ChangeNo, (first + i as i64).into()),
            ])
            .and_where(Expr::col(OrgUnit::Id).eq(id.to_string()))
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        changed += sqlx::query_with(&text, values)
            .execute(&mut *c)
            .await?
            .rows_affected();
    }
    Ok(changed)
}

pub async fn by_code(store: &Store, code: &str) -> Result<Option<Unit>, StoreError> {
    sqlx::query_as::<_, UnitRow>(
        "SELECT id, code, name, kind, parent_id, path FROM org_unit WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(store.pool())
    .await?
    .map(Unit::try_from)
    .transpose()
}

/// The root of the tree (the city), if any.
pub async fn root(store: &Store) -> Result<Option<Unit>, StoreError> {
    sqlx::query_as::<_, UnitRow>(
        "SELECT id, code, name, kind, parent_id, path FROM org_unit \
         WHERE parent_id IS NULL ORDER BY code LIMIT 1",
    )
    .fetch_optional(store.pool())
    .await?
    .map(Unit::try_from)
    .transpose()
}

/// Number of units of a kind inside the subtree at `path` (inclusive).
pub async fn count_in_subtree(
    store: &Store,
    path: &UnitPath,
    kind: UnitKind,
) -> Result<u64, StoreError> {
    let n = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM org_unit WHERE kind = $1 AND path LIKE $2",
    )
    .bind(kind.code())
    .bind(format!("{path}%"))
    .fetch_one(store.pool())
    .await?;
    sql::count("count", n)
}

/// Number of units of each kind.
pub async fn count_by_kind(store: &Store) -> Result<Vec<(UnitKind, u64)>, StoreError> {
    sqlx::query_as::<_, (String, i64)>(
        "SELECT kind, COUNT(*) FROM org_unit GROUP BY kind ORDER BY kind",
    )
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(|(kind, n)| Ok((sql::read("unit kind", &kind)?, sql::count("count", n)?)))
    .collect()
}

/// The unit kind codes the database knows (its reference table; a test
/// checks it matches [`UnitKind::ALL`]).
pub async fn known_kinds(store: &Store) -> Result<Vec<String>, StoreError> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT code FROM unit_kind ORDER BY code")
            .fetch_all(store.pool())
            .await?,
    )
}

/// Every unit in the subtrees at `roots`, the roots included, by path.
pub async fn under(store: &Store, roots: &[&UnitPath]) -> Result<Vec<Unit>, StoreError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(OrgUnit::Table)
        .cond_where(sql::under(OrgUnit::Path, roots))
        .order_by(OrgUnit::Path, sea_query::Order::Asc)
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    units(
        sqlx::query_as_with::<_, UnitRow, _>(&text, values)
            .fetch_all(store.pool())
            .await?,
    )
}

/// Every unit of the whole tree, by path.
pub async fn all(store: &Store) -> Result<Vec<Unit>, StoreError> {
    units(
        sqlx::query_as::<_, UnitRow>(
            "SELECT id, code, name, kind, parent_id, path FROM org_unit ORDER BY path",
        )
        .fetch_all(store.pool())
        .await?,
    )
}

/// Those of `ids` that exist.
pub async fn many(c: &mut Conn, ids: &[UnitId]) -> Result<Vec<Unit>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::select()
            .columns(COLUMNS)
            .from(OrgUnit::Table)
            .and_where(Expr::col(OrgUnit::Id).is_in(chunk.iter().map(|id| id.to_string())))
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        out.extend(units(
            sqlx::query_as_with::<_, UnitRow, _>(&text, values)
                .fetch_all(&mut *c)
                .await?,
        )?);
    }
    Ok(out)
}

/// One unit.
pub async fn one(c: &mut Conn, id: UnitId) -> Result<Option<Unit>, StoreError> {
    Ok(many(c, &[id]).await?.into_iter().next())
}

/// The units of `kinds` inside the subtree at `root`, but `except`.
pub async fn of_kinds_under(
    store: &Store,
    kinds: &[UnitKind],
    root: &UnitPath,
    except: UnitId,
) -> Result<Vec<Unit>, StoreError> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(OrgUnit::Table)
        .and_where(Expr::col(OrgUnit::Kind).is_in(kinds.iter().map(|k| k.code())))
        .cond_where(sql::under(OrgUnit::Path, &[root]))
        .and_where(Expr::col(OrgUnit::Id).ne(except.to_string()))
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    units(
        sqlx::query_as_with::<_, UnitRow, _>(&text, values)
            .fetch_all(store.pool())
            .await?,
    )
}

/// The codes of the units on these paths: each unit and every unit above
/// it, which decide the schedule that applies
/// (`domain::screening::applying`). One query, by primary key.
pub async fn codes_on_paths(c: &mut Conn, paths: &[&UnitPath]) -> Result<Vec<String>, StoreError> {
    let mut ids: Vec<UnitId> = paths.iter().flat_map(|p| p.unit_ids()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::select()
            .column(OrgUnit::Code)
            .from(OrgUnit::Table)
            .and_where(Expr::col(OrgUnit::Id).is_in(chunk.iter().map(|id| id.to_string())))
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        out.extend(
            sqlx::query_scalar_with::<_, String, _>(&text, values)
                .fetch_all(&mut *c)
                .await?,
        );
    }
    Ok(out)
}

/// The units whose parent is `id`.
pub async fn children(c: &mut Conn, id: UnitId) -> Result<Vec<Unit>, StoreError> {
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(OrgUnit::Table)
        .and_where(Expr::col(OrgUnit::ParentId).eq(id.to_string()))
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    units(
        sqlx::query_as_with::<_, UnitRow, _>(&text, values)
            .fetch_all(&mut *c)
            .await?,
    )
}
