//! Call-back spot checks (回访抽查): a claim's sample (`claim_spot_check`,
//! its cases in `claim_spot_check_case`) and — append-only, numbered per
//! claim — its calls (`claim_call_back`). Read back into
//! [`domain::claim::Claim::spot_check`] with the claim.

use super::claims::StoredClaim;
use super::sql::{self, ClaimCallBack as Cb, ClaimSpotCheck as Sc, ClaimSpotCheckCase as Scc};
use super::{Conn, StoreError};
use domain::ClaimId;
use domain::spot_check::{CallBack, SpotCheck, SpotCheckRule};
use sea_query::{Expr, Order, Query};
use std::collections::HashMap;

/// Stores a claim's sample (once: a second fails with
/// [`StoreError::Conflict`]).
pub async fn insert(c: &mut Conn, id: ClaimId, check: &SpotCheck) -> Result<(), StoreError> {
    let stmt = Query::insert()
        .into_table(Sc::Table)
        .columns([
            Sc::ClaimId,
            Sc::Seed,
            Sc::Percent,
            Sc::AtLeast,
            Sc::ByPerson,
            Sc::ByName,
            Sc::At,
        ])
        .values_panic([
            id.to_string().into(),
            i64::from(check.seed).into(),
            i64::from(check.rule.percent).into(),
            i64::from(check.rule.at_least).into(),
            check.by.to_string().into(),
            check.by_name.clone().into(),
            check.at.to_string().into(),
        ])
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    sqlx::query_with(&text, values).execute(&mut *c).await?;
    if check.cases.is_empty() {
        return Ok(());
    }
    let mut stmt = Query::insert()
        .into_table(Scc::Table)
        .columns([Scc::ClaimId, Scc::Ord, Scc::CaseId])
        .to_owned();
    for (i, case) in check.cases.iter().enumerate() {
        stmt.values_panic([
            id.to_string().into(),
            (i as i64).into(),
            case.to_string().into(),
        ]);
    }
    let (text, values) = sql::render(c, &stmt);
    sqlx::query_with(&text, values).execute(&mut *c).await?;
    Ok(())
}

/// Appends a call as the claim's `seq`-th (from 1); two racing for one
/// number: one fails with [`StoreError::Conflict`].
pub async fn append_call(
    c: &mut Conn,
    id: ClaimId,
    seq: usize,
    call: &CallBack,
) -> Result<(), StoreError> {
    let stmt = Query::insert()
        .into_table(Cb::Table)
        .columns([
            Cb::ClaimId,
            Cb::Seq,
            Cb::CaseId,
            Cb::Reached,
            Cb::Confirms,
            Cb::Satisfied,
            Cb::Notes,
            Cb::ByPerson,
            Cb::ByName,
            Cb::At,
        ])
        .values_panic([
            id.to_string().into(),
            (seq as i64).into(),
            call.case_id.to_string().into(),
            i64::from(call.reached).into(),
            i64::from(call.confirms).into(),
            i64::from(call.satisfied).into(),
            call.notes.clone().into(),
            call.by.to_string().into(),
            call.by_name.clone().into(),
            call.at.to_string().into(),
        ])
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    sqlx::query_with(&text, values).execute(&mut *c).await?;
    Ok(())
}

type CheckRow = (String, i64, i64, i64, String, String, String);
type CallRow = (
    String,
    String,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
);

fn number<T: TryFrom<i64>>(what: &str, n: i64) -> Result<T, StoreError> {
    T::try_from(n).map_err(|_| StoreError::corrupt(what, n.to_string()))
}

/// Fills the samples of the claims `ids` (their places in `out` by id).
pub(super) async fn read(
    c: &mut Conn,
    ids: &[String],
    at: &HashMap<String, usize>,
    out: &mut [StoredClaim],
) -> Result<(), StoreError> {
    let stmt = Query::select()
        .columns([
            Sc::ClaimId,
            Sc::Seed,
            Sc::Percent,
            Sc::AtLeast,
            Sc::ByPerson,
            Sc::ByName,
            Sc::At,
        ])
        .from(Sc::Table)
        .and_where(Expr::col(Sc::ClaimId).is_in(ids.iter().cloned()))
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    let rows: Vec<CheckRow> = sqlx::query_as_with(&text, values)
        .fetch_all(&mut *c)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    for (claim, seed, percent, at_least, by, by_name, when) in rows {
        let Some(&i) = at.get(&claim) else { continue };
        out[i].claim.spot_check = Some(SpotCheck {
            seed: number("seed", seed)?,
            rule: SpotCheckRule {
                percent: number("percent", percent)?,
                at_least: number("at_least", at_least)?,
            },
            cases: Vec::new(),
            by: sql::read("person id", &by)?,
            by_name,
            at: sql::read("at", &when)?,
            calls: Vec::new(),
        });
    }
    let stmt = Query::select()
        .columns([Scc::ClaimId, Scc::CaseId])
        .from(Scc::Table)
        .and_where(Expr::col(Scc::ClaimId).is_in(ids.iter().cloned()))
        .order_by(Scc::ClaimId, Order::Asc)
        .order_by(Scc::Ord, Order::Asc)
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    let rows: Vec<(String, String)> = sqlx::query_as_with(&text, values)
        .fetch_all(&mut *c)
        .await?;
    for (claim, case) in rows {
        let Some(check) = at
            .get(&claim)
            .and_then(|&i| out[i].claim.spot_check.as_mut())
        else {
            continue;
        };
        check.cases.push(sql::read("case id", &case)?);
    }
    let stmt = Query::select()
        .columns([
            Cb::ClaimId,
            Cb::CaseId,
            Cb::Reached,
            Cb::Confirms,
            Cb::Satisfied,
            Cb::Notes,
            Cb::ByPerson,
            Cb::ByName,
            Cb::At,
        ])
        .from(Cb::Table)
        .and_where(Expr::col(Cb::ClaimId).is_in(ids.iter().cloned()))
        .order_by(Cb::ClaimId, Order::Asc)
        .order_by(Cb::Seq, Order::Asc)
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    let rows: Vec<CallRow> = sqlx::query_as_with(&text, values)
        .fetch_all(&mut *c)
        .await?;
    for (claim, case, reached, confirms, satisfied, notes, by, by_name, when) in rows {
        let Some(check) = at
            .get(&claim)
            .and_then(|&i| out[i].claim.spot_check.as_mut())
        else {
            continue;
        };
        check.calls.push(CallBack {
            case_id: sql::read("case id", &case)?,
            reached: sql::flag(reached),
            confirms: sql::flag(confirms),
            satisfied: sql::flag(satisfied),
            notes,
            by: sql::read("person id", &by)?,
            by_name,
            at: sql::read("at", &when)?,
        });
    }
    Ok(())
}
