//! Case numbers (案号), unique per committee and year: `case_number`.

use super::sql::{self, CaseNumber as Cn, IDS_PER_STATEMENT, ROWS_PER_STATEMENT};
use super::{Conn, StoreError};
use domain::{CaseId, UnitId};
use sea_query::{Expr, OnConflict, Query};

/// One case's number: `seq` of the committee `unit_id` in `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number {
    pub unit_id: UnitId,
    pub year: i16,
    pub seq: u32,
}

/// The numbers of these cases, where they have one.
pub async fn of_cases(c: &mut Conn, ids: &[CaseId]) -> Result<Vec<(CaseId, Number)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::select()
            .columns([Cn::CaseId, Cn::UnitId, Cn::Year, Cn::Seq])
            .from(Cn::Table)
            .and_where(Expr::col(Cn::CaseId).is_in(chunk.iter().map(|id| id.to_string())))
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as_with(&text, values)
            .fetch_all(&mut *c)
            .await?;
        for (case_id, unit_id, year, seq) in rows {
            out.push((
                sql::read("case id", &case_id)?,
                number(&unit_id, year, seq)?,
            ));
        }
    }
    Ok(out)
}

/// Which cases hold the numbers from `lo` to `hi` of a committee's year
/// (those held). A range, not a list: one probe of the primary key's
/// order, and cheap even where the planner has no statistics yet (a list
/// of hundreds was checked row by row against every number of the year).
pub async fn holders(
    c: &mut Conn,
    unit_id: UnitId,
    year: i16,
    lo: u32,
    hi: u32,
) -> Result<Vec<(u32, CaseId)>, StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT seq, case_id FROM case_number \
         WHERE unit_id = $1 AND year = $2 AND seq BETWEEN $3 AND $4",
    )
    .bind(unit_id.to_string())
    .bind(i64::from(year))
    .bind(i64::from(lo))
    .bind(i64::from(hi))
    .fetch_all(&mut *c)
    .await?;
    rows.into_iter()
        .map(|(seq, case_id)| Ok((seq_of(seq)?, sql::read("case id", &case_id)?)))
        .collect()
}

/// The highest number given in a committee's year (the primary key's
/// order: one index probe).
pub async fn highest(c: &mut Conn, unit_id: UnitId, year: i16) -> Result<u32, StoreError> {
    let top: Option<i64> =
        sqlx::query_scalar("SELECT MAX(seq) FROM case_number WHERE unit_id = $1 AND year = $2")
            .bind(unit_id.to_string())
            .bind(i64::from(year))
            .fetch_one(&mut *c)
            .await?;
    top.map_or(Ok(0), seq_of)
}

/// Drops the numbers these cases held, then gives the new ones. A number
/// already held by another case fails the statement (the push that gave it
/// holds the writers' lock, so it would be a bug, not a race).
pub async fn replace(
    c: &mut Conn,
    dropped: &[CaseId],
    given: &[(CaseId, Number)],
) -> Result<(), StoreError> {
    for chunk in dropped.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::delete()
            .from_table(Cn::Table)
            .and_where(Expr::col(Cn::CaseId).is_in(chunk.iter().map(|id| id.to_string())))
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    insert(c, given, false).await
}

/// Gives numbers to cases loaded in bulk (the demo history), leaving a
/// number or a case that already has one alone.
pub async fn insert_loaded(c: &mut Conn, given: &[(CaseId, Number)]) -> Result<(), StoreError> {
    insert(c, given, true).await
}

async fn insert(c: &mut Conn, given: &[(CaseId, Number)], skip: bool) -> Result<(), StoreError> {
    for chunk in given.chunks(ROWS_PER_STATEMENT) {
        let mut stmt = Query::insert()
            .into_table(Cn::Table)
            .columns([Cn::UnitId, Cn::Year, Cn::Seq, Cn::CaseId])
            .to_owned();
        for (case_id, n) in chunk {
            stmt.values_panic([
                n.unit_id.to_string().into(),
                i64::from(n.year).into(),
                i64::from(n.seq).into(),
                case_id.to_string().into(),
            ]);
        }
        if skip {
            stmt.on_conflict(OnConflict::new().do_nothing().to_owned());
        }
        let (text, values) = sql::render(c, &stmt);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    Ok(())
}

fn seq_of(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::corrupt("case number", n))
}

fn number(unit_id: &str, year: i64, seq: i64) -> Result<Number, StoreError> {
    Ok(Number {
        unit_id: sql::read("unit id", unit_id)?,
        year: i16::try_from(year).map_err(|_| StoreError::corrupt("case number year", year))?,
        seq: seq_of(seq)?,
    })
}
