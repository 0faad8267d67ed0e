//! A mediator's month and a committee's or township's quarter.

use super::eval::Evaluation;
use super::text::Item;
use super::{CommitteeKind, RuleSet};
use crate::money::Money;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SumError {
    #[error("金额超出范围 / amount out of range")]
    Overflow,
    /// A quarter is summed against one rule set's fund; split it by rule set first.
    #[error(
        "案件按规则 {found} 评定，不能计入规则 {expected} 的季度 / a case judged by {found} cannot be summed under {expected}"
    )]
    MixedRuleSets { expected: String, found: String },
}

/// The fixed part of one full-time mediator's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthPay {
    pub fixed: Money,
    /// Why it is zero, when it is.
    pub reason: Option<Item>,
}

/// The fixed monthly subsidy: paid when the duty was performed (where the
/// rule set requires it), zero with the reason otherwise.
pub fn mediator_month(rs: &RuleSet, committee: CommitteeKind, duty_performed: bool) -> MonthPay {
    let Some(&amount) = rs.monthly_fixed.get(&committee) else {
        return MonthPay {
            fixed: Money::ZERO,
            reason: Some(Item::new(
                "no_fixed_subsidy",
                format!("{}专职调解员无定额补助", committee.name_zh()),
                format!(
                    "no fixed subsidy for full-time mediators of a {}",
                    committee.name_en()
                ),
            )),
        };
    };
    if rs.fixed_requires_duty && !duty_performed {
        return MonthPay {
            fixed: Money::ZERO,
            reason: Some(Item::new(
                "duty_not_performed",
                "本月未履行排查化解职责，不予兑现定额补助",
                "duty of screening and resolving not performed this month: no fixed subsidy",
            )),
        };
    }
    MonthPay {
        fixed: amount,
        reason: None,
    }
}

/// Cases and money of one tier in a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TierTotal {
    pub count: u32,
    pub amount: Money,
}

/// A committee's or township's quarter of case subsidies against its fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarterSum {
    pub by_tier: BTreeMap<String, TierTotal>,
    /// Cases that earned nothing.
    pub unpaid_cases: u32,
    pub cases_total: Money,
    /// Fund = monthly case fund × months × full-time mediators.
    pub fund_available: Money,
    pub overspent: bool,
    /// How much the case subsidies exceed the fund (0.00 when within it).
    pub overspend: Money,
}

/// Sums evaluated cases of a quarter against the fund of `full_time_mediators`
/// over `months` months. Exact decimal arithmetic; no rounding happens.
pub fn quarter_sum(
    rs: &RuleSet,
    months: u32,
    full_time_mediators: u32,
    evaluations: &[Evaluation],
) -> Result<QuarterSum, SumError> {
    let mut by_tier: BTreeMap<String, TierTotal> = BTreeMap::new();
    let mut unpaid_cases = 0;
    let mut cases_total = Money::ZERO;
    for e in evaluations {
        if e.rule_set != rs.id {
            return Err(SumError::MixedRuleSets {
                expected: rs.id.clone(),
                found: e.rule_set.clone(),
            });
        }
        match &e.tier {
            Some(code) => {
                let total = by_tier.entry(code.clone()).or_default();
                total.count += 1;
                total.amount = total
                    .amount
                    .checked_add(e.amount)
                    .ok_or(SumError::Overflow)?;
                cases_total = cases_total
                    .checked_add(e.amount)
                    .ok_or(SumError::Overflow)?;
            }
            None => unpaid_cases += 1,
        }
    }
    let fund_available = months
        .checked_mul(full_time_mediators)
        .and_then(|n| rs.monthly_case_fund.checked_mul(n))
        .ok_or(SumError::Overflow)?;
    let overspend = cases_total
        .checked_sub(fund_available)
        .unwrap_or(Money::ZERO);
    Ok(QuarterSum {
        by_tier,
        unpaid_cases,
        cases_total,
        fund_available,
        overspent: overspend > Money::ZERO,
        overspend,
    })
}
