//! The demo's fixed part (定额补助), made through the same services the
//! offices use, as the demo's people: 鹿城镇's judicial office decides every
//! full-time mediator's months of the last three full quarters (履职, but
//! for one mediator's month in each quarter, not performed with a reason);
//! the two earlier quarters are paid to the township, by the township to
//! each mediator and confirmed received; the last full quarter waits for
//! the bureau's finance (拨付). The months since are left for the office
//! to decide.
//!
//! Loaded once: a township whose mediators have any decision is left alone.

use super::chuxiong;
use super::load::SeedError;
use crate::service::auth::acting_as;
use crate::service::{Caller, claims, duty, fixed_payroll};
use crate::store::{Store, StoreError};
use domain::api::ReceiptRequest;
use domain::claim::{PayMethod, Quarter};
use domain::fixed_pay::DutyRequest;
use domain::fixed_payroll::{FixedMediatorPayment, FixedTownshipPayment, months};
use domain::{Money, PersonId, Role, UnitId};
use jiff::civil::Date;

/// What the fixed part's load did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FixedPayReport {
    pub decisions: usize,
    pub payments: usize,
}

fn failed(e: impl std::fmt::Display) -> SeedError {
    SeedError::Store(StoreError::Corrupt(format!("demo fixed pay: {e}")))
}

async fn as_holder(db: &Store, role: Role) -> Result<Option<(Caller, UnitId)>, SeedError> {
    let Some((person, unit)) = chuxiong()
        .grants
        .iter()
        .find(|g| g.role == role)
        .map(|g| (g.person_id, g.unit_id))
    else {
        return Ok(None);
    };
    Ok(Some((acting_as(db, person).await?, unit)))
}

/// Loads the demo's fixed part as of `end` (the history's last day).
#[tracing::instrument(skip(db), err)]
pub async fn load_fixed_pay(db: &Store, end: Date) -> Result<FixedPayReport, SeedError> {
    let mut report = FixedPayReport::default();
    let (Some((office, _)), Some((bureau, _)), Some((township_finance, township))) = (
        as_holder(db, Role::JudicialStaff).await?,
        as_holder(db, Role::BureauFinance).await?,
        as_holder(db, Role::TownshipFinance).await?,
    ) else {
        return Ok(report);
    };
    let Some(last) = Quarter::containing(end).prev() else {
        return Ok(report);
    };
    let quarters: Vec<Quarter> = std::iter::successors(Some(last), |q| q.prev())
        .take(3)
        .collect();
    let first = months(quarters[quarters.len() - 1])[0];
    if duty::month(db, &office, first)
        .await
        .map_err(failed)?
        .rows
        .iter()
        .any(|r| r.decision.is_some())
    {
        return Ok(report);
    }
    // the demo's own mediator (13800000001) is paid in full every month
    let demo_mediator = chuxiong()
        .accounts
        .iter()
        .find(|a| a.role == Role::Mediator)
        .map(|a| a.person_id);
    for (qi, &quarter) in quarters.iter().rev().enumerate() {
        for (mi, month) in months(quarter).into_iter().enumerate() {
            let rows = duty::month(db, &office, month).await.map_err(failed)?.rows;
            let skipped = (qi * 7 + 3) % rows.len().max(1);
            for (i, row) in rows.iter().enumerate() {
                let performed = !(mi == 1 && i == skipped && Some(row.person_id) != demo_mediator);
                let req = DutyRequest {
                    person_id: row.person_id,
                    month,
                    performed,
                    reason: (!performed)
                        .then(|| "本月未开展矛盾纠纷排查，也未按时上报排查表".into()),
                };
                duty::decide(db, &office, req).await.map_err(failed)?;
                report.decisions += 1;
            }
        }
        if quarter == last {
            continue;
        }
        let payroll = fixed_payroll::payroll(db, &bureau, quarter)
            .await
            .map_err(failed)?;
        let Some(ours) = payroll.townships.iter().find(|t| t.township_id == township) else {
            continue;
        };
        let today = domain::dates::china_date(jiff::Timestamp::now());
        let req = FixedTownshipPayment {
            township_id: township,
            quarter,
            amount: ours.amount,
            paid_on: today,
            voucher: format!("记-{quarter}-定额"),
        };
        fixed_payroll::pay_township(db, &bureau, req)
            .await
            .map_err(failed)?;
        report.payments += 1;
        for person in ours.people.iter().filter(|p| p.amount > Money::ZERO) {
            let req = FixedMediatorPayment {
                mediator_id: person.person_id,
                quarter,
                amount: person.amount,
                paid_on: today,
                method: PayMethod::BankTransfer,
                reference: format!("农信社代发 {}", short(person.person_id)),
            };
            let paid = fixed_payroll::pay_mediator(db, &township_finance, req)
                .await
                .map_err(failed)?;
            report.payments += 1;
            let mediator = acting_as(db, person.person_id).await?;
            let req = ReceiptRequest {
                received: true,
                note: "已到账".into(),
            };
            claims::confirm_receipt(db, &mediator, paid.id, req)
                .await
                .map_err(failed)?;
        }
    }
    tracing::info!(
        decisions = report.decisions,
        payments = report.payments,
        "demo fixed pay loaded"
    );
    Ok(report)
}

fn short(person: PersonId) -> String {
    person.to_string()[..8].to_owned()
}
