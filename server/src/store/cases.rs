//! The server's cases (`case_record`), the versions later changes replaced
//! (`case_history`) and the change counter. A push reads what it needs in
//! a few batched queries and writes with multi-row statements; writers
//! bump the change counter first, so concurrent pushes are serialised on
//! its row and change numbers follow commit order.

use super::page::{self, Page, PageBound};
use super::sql::{
    self, CaseHistory, CaseOwnership, CaseRecord, IDS_PER_STATEMENT, ROWS_PER_STATEMENT,
};
use super::{Conn, Store, StoreError};
use domain::rules::Verdict;
use domain::{CaseId, Money, Timestamp, UnitId, UnitPath};
use sea_query::{Expr, OnConflict, Query};

/// A case as stored: its latest version, with the server's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCase {
    pub id: CaseId,
    /// The committee (or group) that registered it, and where that sits.
    pub unit_id: UnitId,
    pub unit_path: UnitPath,
    pub version: u64,
    /// The case (`domain::case::Case`) as the server wrote it, JSON; none
    /// for a tombstone. Kept as text: a pull sends it on as it is.
    pub payload: Option<String>,
    pub deleted: bool,
    pub verdict: Verdict,
    /// An office's lock (the payload carries the same reason).
    pub locked_reason: Option<String>,
    pub change_no: i64,
}

impl StoredCase {
    /// The stored case, read into its type (none for a tombstone).
    pub fn case(&self) -> Result<Option<domain::case::Case>, StoreError> {
        self.payload
            .as_deref()
            .map(|p| serde_json::from_str(p).map_err(|e| StoreError::corrupt("case", e)))
            .transpose()
    }
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: String,
    unit_id: String,
    unit_path: String,
    version: i64,
    payload: Option<String>,
    deleted: i64,
    tier: Option<String>,
    amount_fen: i64,
    locked_reason: Option<String>,
    change_no: i64,
}

const COLUMNS: [CaseRecord; 10] = [
    CaseRecord::Id,
    CaseRecord::UnitId,
    CaseRecord::UnitPath,
    CaseRecord::Version,
    CaseRecord::Payload,
    CaseRecord::Deleted,
    CaseRecord::Tier,
    CaseRecord::AmountFen,
    CaseRecord::LockedReason,
    CaseRecord::ChangeNo,
];

impl TryFrom<CaseRow> for StoredCase {
    type Error = StoreError;
    fn try_from(r: CaseRow) -> Result<Self, StoreError> {
        Ok(StoredCase {
            id: sql::read("case id", &r.id)?,
            unit_id: sql::read("unit id", &r.unit_id)?,
            unit_path: sql::path(&r.unit_path)?,
            version: sql::count("version", r.version)?,
            payload: r.payload,
            deleted: sql::flag(r.deleted),
            verdict: Verdict {
                tier: r.tier,
                amount: Money::from_fen(r.amount_fen)
                    .map_err(|_| StoreError::corrupt("amount_fen", r.amount_fen))?,
            },
            locked_reason: r.locked_reason,
            change_no: r.change_no,
        })
    }
}

/// Reserves `n` change numbers; returns the first. (It also takes, on
/// PostgreSQL, the row lock that orders this transaction after every other
/// writer.) Numbers left unused are gaps, which pulls do not mind.
pub async fn reserve_change_nos(c: &mut Conn, n: usize) -> Result<i64, StoreError> {
    let n = n.max(1) as i64;
    let last = sqlx::query_scalar::<_, i64>(
        "UPDATE change_counter SET value = value + $1 WHERE id = 1 RETURNING value",
    )
    .bind(n)
    .fetch_one(&mut *c)
    .await?;
    Ok(last - n + 1)
}

/// The last change number handed out by a committed transaction. Writers
/// take numbers under the counter's lock and commit in that order, so every
/// change numbered up to it is visible to any query that starts after this
/// read: reading two tables up to it misses nothing between the reads.
pub async fn committed_change_no(store: &Store) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT value FROM change_counter WHERE id = 1")
            .fetch_one(store.pool())
            .await?,
    )
}

/// The stored cases of those of `ids` that exist.
pub async fn get_many(c: &mut Conn, ids: &[CaseId]) -> Result<Vec<StoredCase>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::select()
            .columns(COLUMNS)
            .from(CaseRecord::Table)
            .and_where(Expr::col(CaseRecord::Id).is_in(chunk.iter().map(|id| id.to_string())))
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        for row in sqlx::query_as_with::<_, CaseRow, _>(&text, values)
            .fetch_all(&mut *c)
            .await?
        {
            out.push(row.try_into()?);
        }
    }
    Ok(out)
}

/// The live cases registered at these units that earn a tier by the
/// server's verdict, are not locked by an office and are in no claim:
/// what a committee may claim (the caller checks each one's status and
/// closing date in its payload).
pub async fn claimable(c: &mut Conn, units: &[UnitId]) -> Result<Vec<StoredCase>, StoreError> {
    let mut out = Vec::new();
    for chunk in units.chunks(IDS_PER_STATEMENT) {
        let in_claims = Query::select()
            .column(sql::CaseClaim::CaseId)
            .from(sql::CaseClaim::Table)
            .to_owned();
        let stmt = Query::select()
            .columns(COLUMNS)
            .from(CaseRecord::Table)
            .and_where(Expr::col(CaseRecord::UnitId).is_in(chunk.iter().map(|id| id.to_string())))
            .and_where(Expr::col(CaseRecord::Deleted).eq(0))
            .and_where(Expr::col(CaseRecord::Tier).is_not_null())
            .and_where(Expr::col(CaseRecord::AmountFen).gt(0))
            .and_where(Expr::col(CaseRecord::LockedReason).is_null())
            .and_where(Expr::col(CaseRecord::Id).not_in_subquery(in_claims))
            .order_by(CaseRecord::ChangeNo, sea_query::Order::Asc)
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        for row in sqlx::query_as_with::<_, CaseRow, _>(&text, values)
            .fetch_all(&mut *c)
            .await?
        {
            out.push(row.try_into()?);
        }
    }
    Ok(out)
}

/// One stored case (a tombstone too).
pub async fn get(c: &mut Conn, id: CaseId) -> Result<Option<StoredCase>, StoreError> {
    Ok(get_many(c, &[id]).await?.into_iter().next())
}

/// Which of `ids` are stored (for a bulk load that leaves them alone).
pub async fn existing(c: &mut Conn, ids: &[CaseId]) -> Result<Vec<CaseId>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::select()
            .column(CaseRecord::Id)
            .from(CaseRecord::Table)
            .and_where(Expr::col(CaseRecord::Id).is_in(chunk.iter().map(|id| id.to_string())))
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        for id in sqlx::query_scalar_with::<_, String, _>(&text, values)
            .fetch_all(&mut *c)
            .await?
        {
            out.push(sql::read("case id", &id)?);
        }
    }
    Ok(out)
}

/// A version a later change replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct Replaced {
    pub case_id: CaseId,
    pub version: u64,
    pub payload: Option<String>,
    pub deleted: bool,
    /// The mutation id that replaced it, or `<action>:<device session>`
    /// for an office's change on the server.
    pub replaced_by: String,
    /// The fields whose value the later change overrode (a conflict).
    pub overridden: Vec<String>,
}

/// A replaced version's payload, when it is kept (`Some(None)`: a tombstone).
pub async fn replaced_payload(
    c: &mut Conn,
    id: CaseId,
    version: u64,
) -> Result<Option<Option<String>>, StoreError> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "SELECT payload FROM case_history WHERE case_id = $1 AND version = $2",
    )
    .bind(id.to_string())
    .bind(version as i64)
    .fetch_optional(&mut *c)
    .await?)
}

/// Keeps replaced versions.
pub async fn insert_replaced(
    c: &mut Conn,
    rows: &[Replaced],
    now: Timestamp,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut stmt = Query::insert()
            .into_table(CaseHistory::Table)
            .columns([
                CaseHistory::CaseId,
                CaseHistory::Version,
                CaseHistory::Payload,
                CaseHistory::Deleted,
                CaseHistory::ReplacedAt,
                CaseHistory::ReplacedBy,
                CaseHistory::Overridden,
            ])
            .to_owned();
        for r in chunk {
            let overridden = serde_json::to_string(&r.overridden)
                .map_err(|e| StoreError::corrupt("overridden", e))?;
            stmt.values_panic([
                r.case_id.to_string().into(),
                (r.version as i64).into(),
                r.payload.clone().into(),
                i64::from(r.deleted).into(),
                now.to_string().into(),
                r.replaced_by.clone().into(),
                overridden.into(),
            ]);
        }
        let (text, values) = sql::render(c, &stmt);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    Ok(())
}

/// A case row to write, with when it was first and last written.
struct Written<'a> {
    case: &'a StoredCase,
    created_at: Timestamp,
    updated_at: Timestamp,
}

async fn write_rows(c: &mut Conn, rows: &[Written<'_>], replace: bool) -> Result<u64, StoreError> {
    let mut written = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut stmt = Query::insert()
            .into_table(CaseRecord::Table)
            .columns([
                CaseRecord::Id,
                CaseRecord::UnitId,
                CaseRecord::UnitPath,
                CaseRecord::Version,
                CaseRecord::Payload,
                CaseRecord::Deleted,
                CaseRecord::Tier,
                CaseRecord::AmountFen,
                CaseRecord::ChangeNo,
                CaseRecord::CreatedAt,
                CaseRecord::UpdatedAt,
            ])
            .to_owned();
        for Written {
            case: r,
            created_at,
            updated_at,
        } in chunk
        {
            stmt.values_panic([
                r.id.to_string().into(),
                r.unit_id.to_string().into(),
                r.unit_path.as_str().into(),
                (r.version as i64).into(),
                r.payload.clone().into(),
                i64::from(r.deleted).into(),
                r.verdict.tier.clone().into(),
                r.verdict.amount.to_fen().into(),
                r.change_no.into(),
                created_at.to_string().into(),
                updated_at.to_string().into(),
            ]);
        }
        stmt.on_conflict(if replace {
            OnConflict::column(CaseRecord::Id)
                .update_columns([
                    CaseRecord::UnitId,
                    CaseRecord::UnitPath,
                    CaseRecord::Version,
                    CaseRecord::Payload,
                    CaseRecord::Deleted,
                    CaseRecord::Tier,
                    CaseRecord::AmountFen,
                    CaseRecord::ChangeNo,
                    CaseRecord::UpdatedAt,
                ])
                .to_owned()
        } else {
            OnConflict::column(CaseRecord::Id).do_nothing().to_owned()
        });
        let (text, values) = sql::render(c, &stmt);
        written += sqlx::query_with(&text, values)
            .execute(&mut *c)
            .await?
            .rows_affected();
    }
    Ok(written)
}

/// Writes the latest state of each case (one row per id).
pub async fn upsert_many(
    c: &mut Conn,
    rows: &[&StoredCase],
    now: Timestamp,
) -> Result<(), StoreError> {
    let rows: Vec<Written<'_>> = rows
        .iter()
        .map(|case| Written {
            case,
            created_at: now,
            updated_at: now,
        })
        .collect();
    write_rows(c, &rows, true).await?;
    super::marks::rewrite(
        c,
        rows.iter().map(|r| r.case).collect::<Vec<_>>().as_slice(),
    )
    .await
}

/// Stores cases made elsewhere (the demo history) with their own times,
/// leaving any of the same id alone; answers how many were new.
pub async fn insert_loaded(
    c: &mut Conn,
    rows: &[(StoredCase, Timestamp, Timestamp)],
) -> Result<u64, StoreError> {
    let ids: Vec<CaseId> = rows.iter().map(|(case, _, _)| case.id).collect();
    let held: std::collections::HashSet<CaseId> = existing(c, &ids).await?.into_iter().collect();
    let rows: Vec<Written<'_>> = rows
        .iter()
        .map(|(case, created_at, updated_at)| Written {
            case,
            created_at: *created_at,
            updated_at: *updated_at,
        })
        .collect();
    let written = write_rows(c, &rows, false).await?;
    let fresh: Vec<&StoredCase> = rows
        .iter()
        .map(|r| r.case)
        .filter(|case| !held.contains(&case.id))
        .collect();
    super::marks::rewrite(c, &fresh).await?;
    Ok(written)
}

/// Sets or clears an office's lock on a case (the column scoped queries and
/// pushes read; the payload carries the same reason for the devices).
pub async fn set_locked(c: &mut Conn, id: CaseId, reason: Option<&str>) -> Result<(), StoreError> {
    sqlx::query("UPDATE case_record SET locked_reason = $1 WHERE id = $2")
        .bind(reason)
        .bind(id.to_string())
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// A case as a pull returns it, with the conflict that made this version.
#[derive(Debug, Clone, PartialEq)]
pub struct PulledCase {
    pub case: StoredCase,
    /// The fields whose earlier values this version replaced (from the
    /// history row of the version before), if any.
    pub overridden: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct PullRow {
    #[sqlx(flatten)]
    case: CaseRow,
    overridden: Option<String>,
}

/// Changes after `cursor` of the cases in the subtrees at `roots` (or whose
/// owner's unit there accepted a referral across the tree), oldest first.
pub async fn changes_since(
    store: &Store,
    cursor: i64,
    roots: &[&UnitPath],
    bound: PageBound,
) -> Result<Page<PulledCase>, StoreError> {
    if roots.is_empty() {
        return Ok(Page::empty());
    }
    let (c, h, o) = (
        sea_query::Alias::new("c"),
        sea_query::Alias::new("h"),
        sea_query::Alias::new("o"),
    );
    let stmt = Query::select()
        .columns(COLUMNS.map(|col| (c.clone(), col)))
        .column((h.clone(), CaseHistory::Overridden))
        .from_as(CaseRecord::Table, c.clone())
        .join_as(
            sea_query::JoinType::LeftJoin,
            CaseHistory::Table,
            h.clone(),
            Expr::col((h.clone(), CaseHistory::CaseId))
                .equals((c.clone(), CaseRecord::Id))
                .and(
                    Expr::col((h.clone(), CaseHistory::Version)).eq(Expr::col((
                        c.clone(),
                        CaseRecord::Version,
                    ))
                    .sub(1)),
                ),
        )
        .join_as(
            sea_query::JoinType::LeftJoin,
            CaseOwnership::Table,
            o.clone(),
            Expr::col((o.clone(), CaseOwnership::CaseId)).equals((c.clone(), CaseRecord::Id)),
        )
        .and_where(Expr::col((c.clone(), CaseRecord::ChangeNo)).gt(cursor))
        .cond_where(
            sql::under((c.clone(), CaseRecord::UnitPath), roots)
                .add(sql::under((o.clone(), CaseOwnership::GrantPath), roots)),
        )
        .order_by((c.clone(), CaseRecord::ChangeNo), sea_query::Order::Asc)
        .limit(bound.limit as u64 + 1)
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    let rows = sqlx::query_as_with::<_, PullRow, _>(&text, values).fetch(store.pool());
    page::read(
        rows,
        bound,
        |row| row.case.payload.as_ref().map_or(0, String::len),
        |row| {
            Ok(PulledCase {
                case: row.case.try_into()?,
                overridden: row
                    .overridden
                    .as_deref()
                    .and_then(|o| serde_json::from_str(o).ok())
                    .unwrap_or_default(),
            })
        },
    )
    .await
}

/// The stored cases that are not deleted, as JSON (the reminders read
/// their risk follow-ups).
pub async fn live_payloads(store: &Store) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT payload FROM case_record WHERE deleted = 0 AND payload IS NOT NULL",
    )
    .fetch_all(store.pool())
    .await?)
}

/// The stored cases that may be open high-risk disputes (the JSON is
/// compact, as the server writes it): the caller parses and checks them.
pub async fn high_risk_payloads(store: &Store) -> Result<Vec<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT payload FROM case_record WHERE deleted = 0 AND payload LIKE $1")
            .bind("%\"risk\":\"high\"%")
            .fetch_all(store.pool())
            .await?,
    )
}
