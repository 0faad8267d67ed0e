//! The judicial office's decisions on full-time mediators' months
//! (`duty_decision`, 定额补助, append-only), and what the offices read
//! beside them: the full-time mediators below a unit, and the screening
//! records of a month.

use super::sql::{self, DutyDecision as Dd, IDS_PER_STATEMENT, OrgUnit, Person, ScreeningRecord};
use super::{Conn, StoreError};
use domain::fixed_pay::{DutyDecision, Month};
use domain::{Money, PersonId, UnitId, UnitKind, UnitPath};
use sea_query::{Alias, Expr, JoinType, Order, Query, SimpleExpr};

/// A full-time mediator and their committee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullTime {
    pub person_id: PersonId,
    pub name: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub unit_path: UnitPath,
}

/// The full-time mediators inside one of `roots` that `filter` keeps, by
/// unit then name, with their committees.
async fn full_time(
    c: &mut Conn,
    roots: &[&UnitPath],
    filter: SimpleExpr,
) -> Result<Vec<FullTime>, StoreError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let (p, u) = (Alias::new("p"), Alias::new("u"));
    let stmt = Query::select()
        .column((p.clone(), Person::Id))
        .column((p.clone(), Person::Name))
        .column((u.clone(), OrgUnit::Id))
        .column((u.clone(), OrgUnit::Name))
        .column((u.clone(), OrgUnit::Kind))
        .column((u.clone(), OrgUnit::Path))
        .from_as(Person::Table, p.clone())
        .join_as(
            JoinType::InnerJoin,
            OrgUnit::Table,
            u.clone(),
            Expr::col((u.clone(), OrgUnit::Id)).equals((p.clone(), Person::UnitId)),
        )
        .and_where(
            Expr::col((p.clone(), Person::Kind)).eq(domain::PersonKind::MediatorFullTime.code()),
        )
        .and_where(filter)
        .cond_where(sql::under((u.clone(), OrgUnit::Path), roots))
        .order_by((u, OrgUnit::Path), Order::Asc)
        .order_by((p, Person::Name), Order::Asc)
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    let rows: Vec<(String, String, String, String, String, String)> =
        sqlx::query_as_with(&text, values)
            .fetch_all(&mut *c)
            .await?;
    rows.into_iter()
        .map(|(id, name, unit, unit_name, kind, path)| {
            Ok(FullTime {
                person_id: sql::read("person id", &id)?,
                name,
                unit_id: sql::read("unit id", &unit)?,
                unit_name,
                unit_kind: sql::read("unit kind", &kind)?,
                unit_path: sql::path(&path)?,
            })
        })
        .collect()
}

/// The active full-time mediators whose unit is inside one of `roots`, by
/// unit then name.
pub async fn full_time_under(
    c: &mut Conn,
    roots: &[&UnitPath],
) -> Result<Vec<FullTime>, StoreError> {
    let active = Expr::col((Alias::new("p"), Person::Active)).eq(1);
    full_time(c, roots, active).await
}

/// The full-time mediators inside one of `roots` — active or not any
/// more — who have a decision on one of `months`: one who left during a
/// quarter is still owed the months decided before.
pub async fn decided_under(
    c: &mut Conn,
    roots: &[&UnitPath],
    months: &[Month],
) -> Result<Vec<FullTime>, StoreError> {
    if months.is_empty() {
        return Ok(Vec::new());
    }
    let decided = Query::select()
        .column(Dd::PersonId)
        .from(Dd::Table)
        .and_where(Expr::col(Dd::Month).is_in(months.iter().map(|m| m.to_string())))
        .to_owned();
    let filter = Expr::col((Alias::new("p"), Person::Id)).in_subquery(decided);
    full_time(c, roots, filter).await
}

/// The units (their paths) of the screening records done in `month` inside
/// one of `roots`, one per record.
pub async fn screened_in(
    c: &mut Conn,
    roots: &[&UnitPath],
    month: Month,
) -> Result<Vec<UnitPath>, StoreError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .column(ScreeningRecord::UnitPath)
        .from(ScreeningRecord::Table)
        .cond_where(sql::under(ScreeningRecord::UnitPath, roots))
        .and_where(
            Expr::col(ScreeningRecord::DoneOn).gte(domain::dates::format_iso(month.first_day())),
        )
        .and_where(
            Expr::col(ScreeningRecord::DoneOn).lte(domain::dates::format_iso(month.last_day())),
        )
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    let rows: Vec<String> = sqlx::query_scalar_with(&text, values)
        .fetch_all(&mut *c)
        .await?;
    rows.iter().map(|p| sql::path(p)).collect()
}

/// Appends a decision as the `seq`-th of its person and month.
pub async fn append(c: &mut Conn, d: &DutyDecision, seq: u32) -> Result<(), StoreError> {
    let stmt = Query::insert()
        .into_table(Dd::Table)
        .columns([
            Dd::PersonId,
            Dd::Month,
            Dd::Seq,
            Dd::Performed,
            Dd::AmountFen,
            Dd::Reason,
            Dd::ByPerson,
            Dd::ByName,
            Dd::At,
        ])
        .values_panic([
            d.person_id.to_string().into(),
            d.month.to_string().into(),
            i64::from(seq).into(),
            i64::from(d.performed).into(),
            d.amount.to_fen().into(),
            d.reason.clone().into(),
            d.by.to_string().into(),
            d.by_name.clone().into(),
            d.at.to_string().into(),
        ])
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    sqlx::query_with(&text, values).execute(&mut *c).await?;
    Ok(())
}

type Row = (
    String,
    String,
    i64,
    i64,
    Option<String>,
    String,
    String,
    String,
);

/// Every decision on these people (of one month, or all), oldest first.
pub async fn of(
    c: &mut Conn,
    people: &[PersonId],
    month: Option<Month>,
) -> Result<Vec<DutyDecision>, StoreError> {
    let mut out = Vec::new();
    for chunk in people.chunks(IDS_PER_STATEMENT) {
        let mut stmt = Query::select()
            .columns([
                Dd::PersonId,
                Dd::Month,
                Dd::Performed,
                Dd::AmountFen,
                Dd::Reason,
                Dd::ByPerson,
                Dd::ByName,
                Dd::At,
            ])
            .from(Dd::Table)
            .and_where(Expr::col(Dd::PersonId).is_in(chunk.iter().map(|p| p.to_string())))
            .order_by(Dd::Month, Order::Asc)
            .order_by(Dd::Seq, Order::Asc)
            .to_owned();
        if let Some(m) = month {
            stmt.and_where(Expr::col(Dd::Month).eq(m.to_string()));
        }
        let (text, values) = sql::render(c, &stmt);
        let rows: Vec<Row> = sqlx::query_as_with(&text, values)
            .fetch_all(&mut *c)
            .await?;
        for (person, m, performed, fen, reason, by, by_name, at) in rows {
            out.push(DutyDecision {
                person_id: sql::read("person id", &person)?,
                month: sql::read::<Month>("month", &m)?,
                performed: sql::flag(performed),
                amount: Money::from_fen(fen).map_err(|_| StoreError::corrupt("amount_fen", fen))?,
                reason,
                by: sql::read("person id", &by)?,
                by_name,
                at: sql::read("at", &at)?,
            });
        }
    }
    Ok(out)
}

/// How many decisions a person's month has.
pub async fn count(c: &mut Conn, person: PersonId, month: Month) -> Result<u32, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM duty_decision WHERE person_id = $1 AND month = $2",
    )
    .bind(person.to_string())
    .bind(month.to_string())
    .fetch_one(&mut *c)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}
