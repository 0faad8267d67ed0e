//! 履职认定 and the fixed part of the subsidy (定额补助, docs/claims.md):
//! the judicial office decides, per full-time mediator and month, whether
//! the duty of screening and resolving was performed — with what the
//! mediator's committee reported that month beside each name — and the
//! month pays the rule set's fixed amount, or nothing with the office's
//! reason. Decisions are appended; the last one holds.

use super::caller::Caller;
use crate::store::{self, Store, StoreError, duty::FullTime};
use domain::claim::check_words;
use domain::fixed_pay::{self, DutyDecision, DutyMonth, DutyRequest, DutyRow, Month};
use domain::rules::{CommitteeKind, builtin, in_force, mediator_month};
use domain::{Money, Role, Timestamp, UnitPath};

/// Why a month could not be read or decided.
#[derive(Debug, thiserror::Error)]
pub enum DutyError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &str, message: impl Into<String>) -> DutyError {
    DutyError::Invalid {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The subtrees where the caller decides: their judicial office roles'.
fn roots(caller: &Caller) -> Vec<&UnitPath> {
    let mut all: Vec<&UnitPath> = caller
        .scopes
        .iter()
        .filter(|s| matches!(s.role, Role::JudicialStaff | Role::JudicialDirector))
        .map(|s| &s.path)
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

fn check_month(month: Month) -> Result<(), DutyError> {
    let today = domain::dates::china_date(jiff::Timestamp::now());
    if month.first_day() > today {
        return Err(invalid(
            "month",
            "这个月还没有到，不能认定 / the month has not begun",
        ));
    }
    Ok(())
}

/// The month's decisions of every full-time mediator below the caller's
/// judicial office, with their committee's screening records of the month.
pub async fn month(store: &Store, caller: &Caller, month: Month) -> Result<DutyMonth, DutyError> {
    let roots = roots(caller);
    if roots.is_empty() {
        return Err(DutyError::Forbidden);
    }
    let mut c = store.read().await?;
    let people = store::duty::full_time_under(&mut c, &roots).await?;
    let screened = store::duty::screened_in(&mut c, &roots, month).await?;
    let ids: Vec<_> = people.iter().map(|p| p.person_id).collect();
    let decided = fixed_pay::latest(store::duty::of(&mut c, &ids, Some(month)).await?);
    let rows: Vec<DutyRow> = people
        .into_iter()
        .map(|p| DutyRow {
            records: screened.iter().filter(|s| p.unit_path.contains(s)).count() as u32,
            unit_reported: screened.contains(&p.unit_path),
            decision: decided.iter().find(|d| d.person_id == p.person_id).cloned(),
            person_id: p.person_id,
            name: p.name,
            unit_id: p.unit_id,
            unit_name: p.unit_name,
        })
        .collect();
    Ok(DutyMonth {
        month,
        total: domain::claim::sum(
            rows.iter()
                .filter_map(|r| r.decision.as_ref().map(|d| d.amount)),
        ),
        undecided: rows.iter().filter(|r| r.decision.is_none()).count() as u32,
        rows,
    })
}

/// What the month pays the mediator: the rule set in force on its last day,
/// by their committee's kind.
fn amount(who: &FullTime, month: Month, performed: bool) -> Money {
    let committee = CommitteeKind::of_unit(who.unit_kind);
    match (in_force(builtin(), month.last_day()), committee) {
        (Some(rules), Some(committee)) => mediator_month(rules, committee, performed).fixed,
        _ => Money::ZERO,
    }
}

/// Records the office's decision on a mediator's month: a full-time
/// mediator below the caller's judicial office (404 otherwise), a month
/// begun, a reason when the duty was not performed.
pub async fn decide(
    store: &Store,
    caller: &Caller,
    req: DutyRequest,
) -> Result<DutyRow, DutyError> {
    let roots = roots(caller);
    if roots.is_empty() {
        return Err(DutyError::Forbidden);
    }
    check_month(req.month)?;
    let reason = if req.performed {
        None
    } else {
        Some(
            check_words(
                "reason",
                req.reason.as_deref().unwrap_or(""),
                "未履职的理由",
            )
            .map_err(|e| invalid(&e.field, e.message))?,
        )
    };
    let name = store::people::name(store, caller.person_id)
        .await?
        .unwrap_or_default();
    let mut tx = store.write().await?;
    let who = store::duty::full_time_under(&mut tx, &roots)
        .await?
        .into_iter()
        .find(|p| p.person_id == req.person_id)
        .ok_or(DutyError::NotFound)?;
    if store::claims::fixed_month_paid(&mut tx, who.person_id, req.month).await? {
        return Err(invalid(
            "month",
            "这个月的定额补助已拨付，不能再改认定 / the month was paid already: its decision is final",
        ));
    }
    let decision = DutyDecision {
        person_id: who.person_id,
        month: req.month,
        performed: req.performed,
        amount: amount(&who, req.month, req.performed),
        reason,
        by: caller.person_id,
        by_name: name,
        at: Timestamp::from(jiff::Timestamp::now()),
    };
    let seq = store::duty::count(&mut tx, who.person_id, req.month).await? + 1;
    store::duty::append(&mut tx, &decision, seq).await?;
    let screened = store::duty::screened_in(&mut tx, &[&who.unit_path], req.month).await?;
    tx.commit().await?;
    Ok(DutyRow {
        person_id: who.person_id,
        name: who.name,
        unit_id: who.unit_id,
        unit_name: who.unit_name,
        records: screened.len() as u32,
        unit_reported: screened.contains(&who.unit_path),
        decision: Some(decision),
    })
}

/// A mediator's own months, the last decision of each, newest first.
pub async fn mine(store: &Store, caller: &Caller) -> Result<Vec<DutyDecision>, DutyError> {
    let mut c = store.read().await?;
    let mut all = fixed_pay::latest(store::duty::of(&mut c, &[caller.person_id], None).await?);
    all.sort_by_key(|d| std::cmp::Reverse(d.month));
    Ok(all)
}
