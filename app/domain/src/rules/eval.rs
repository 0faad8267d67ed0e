//! Evaluating one case: the rule set in force, at most one tier, and what is
//! missing for the best tier still reachable.

use super::facts::CaseFacts;
use super::text::{self, Item};
use super::{Condition, FormCode, RuleSet, Tier, TierAmount};
use crate::money::Money;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The verdict on one case (frozen: part of the CLI and sync protocol).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The tier earned, e.g. `"C"`, or `null`.
    pub tier: Option<String>,
    /// What it pays; `"0.00"` when nothing is earned.
    pub amount: Money,
    /// The rule set that judged the case.
    pub rule_set: String,
    /// Conditions met: of the tier earned, else of `next_tier`.
    pub met: Vec<Item>,
    /// What is missing for `next_tier`.
    pub missing: Vec<Item>,
    /// The best-paid tier the case can still reach by adding records, when
    /// better than the one earned.
    pub next_tier: Option<String>,
    /// Why nothing is earned, when nothing is.
    pub reason: Option<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    #[error("{} 没有生效的以案定补规则 / no rule set in force on {}", crate::dates::format_iso(*date), crate::dates::format_iso(*date))]
    NoRuleSet { date: Date },
}

/// The rule set in force on `day`; when several are, the latest to start.
pub fn in_force(rule_sets: &[RuleSet], day: Date) -> Option<&RuleSet> {
    rule_sets
        .iter()
        .filter(|rs| rs.in_force_on(day))
        .max_by_key(|rs| rs.effective_from)
}

/// Evaluates a case by the rule set in force on its closing date.
pub fn evaluate(facts: &CaseFacts, rule_sets: &[RuleSet]) -> Result<Evaluation, EvalError> {
    let rs = in_force(rule_sets, facts.closed_on).ok_or(EvalError::NoRuleSet {
        date: facts.closed_on,
    })?;
    Ok(evaluate_with(facts, rs))
}

/// How one tier fares against a case. Counting only: the texts are built
/// for the two tiers that are reported (evaluation runs a million times a
/// second, so the scan must not allocate).
struct TierCheck<'a> {
    tier: &'a Tier,
    /// An unmet condition the case cannot change (method, outcome, harm…).
    blocked: bool,
    /// Unmet conditions (each absent form counts) that records can still satisfy.
    gaps: usize,
    /// What it pays when met; `None` for an approval tier not yet approved.
    amount: Option<Money>,
}

impl TierCheck<'_> {
    fn earned(&self) -> bool {
        !self.blocked && self.gaps == 0
    }

    /// For ranking a reachable tier: an amount still to be approved ranks
    /// above any fixed amount ("raised appropriately").
    fn rank(&self) -> (bool, Money) {
        match self.amount {
            Some(m) => (false, m),
            None => (true, Money::ZERO),
        }
    }
}

/// The forms a condition asks for, if it is a forms condition.
fn forms_of<'a>(condition: &'a Condition, rs: &'a RuleSet) -> Option<&'a [FormCode]> {
    match condition {
        Condition::RequiredForms => Some(rs.required_forms.as_slice()),
        Condition::Forms { all_of } => Some(all_of.as_slice()),
        _ => None,
    }
}

fn check_tier<'a>(tier: &'a Tier, rs: &RuleSet, facts: &CaseFacts) -> TierCheck<'a> {
    let mut check = TierCheck {
        tier,
        blocked: false,
        gaps: 0,
        amount: match tier.amount {
            TierAmount::Fixed(m) => Some(m),
            TierAmount::ByApproval => facts.approved_amount,
        },
    };
    for condition in &tier.conditions {
        if let Some(forms) = forms_of(condition, rs) {
            check.gaps += forms.iter().filter(|f| !facts.forms.contains(*f)).count();
        } else if !holds(condition, facts) {
            if condition.can_be_added() {
                check.gaps += 1;
            } else {
                check.blocked = true;
            }
        }
    }
    check
}

/// The texts of a tier's conditions: those met, and those still missing.
fn describe(tier: &Tier, rs: &RuleSet, facts: &CaseFacts) -> (Vec<Item>, Vec<Item>) {
    let (mut met, mut missing) = (Vec::new(), Vec::new());
    for condition in &tier.conditions {
        if let Some(forms) = forms_of(condition, rs) {
            let before = missing.len();
            missing.extend(
                forms
                    .iter()
                    .filter(|f| !facts.forms.contains(*f))
                    .map(text::form_missing),
            );
            if missing.len() == before {
                met.push(text::met(condition));
            }
        } else if holds(condition, facts) {
            met.push(text::met(condition));
        } else {
            missing.push(text::missing(condition, facts.sessions));
        }
    }
    (met, missing)
}

fn holds(condition: &Condition, f: &CaseFacts) -> bool {
    match condition {
        Condition::Method { is } => f.method == *is,
        Condition::Outcome { is } => f.outcome == *is,
        Condition::MinSessions { n } => f.sessions >= *n,
        Condition::OralRegister => f.oral_register,
        Condition::Archived => f.archived,
        Condition::Recorded => f.recorded,
        Condition::SeriousHarm {
            min_deaths,
            max_disability_grade,
        } => {
            (*min_deaths > 0 && f.deaths >= *min_deaths)
                || f.disability_grade
                    .is_some_and(|g| g <= *max_disability_grade)
        }
        Condition::Independent => f.independent,
        Condition::Special => f.special,
        Condition::ApprovedAmount => f.approved_amount.is_some(),
        // handled form by form in check_tier
        Condition::RequiredForms | Condition::Forms { .. } => false,
    }
}

/// Evaluates a case by one rule set.
pub fn evaluate_with(facts: &CaseFacts, rs: &RuleSet) -> Evaluation {
    let nothing = |reason: Item| Evaluation {
        tier: None,
        amount: Money::ZERO,
        rule_set: rs.id.clone(),
        met: Vec::new(),
        missing: Vec::new(),
        next_tier: None,
        reason: Some(reason),
    };
    if !rs.eligible_committees.contains(&facts.committee) {
        return nothing(text::committee_not_eligible(facts.committee));
    }
    if rs.tiers.is_empty() {
        return nothing(text::no_case_tiers(&rs.id));
    }

    let checks: Vec<TierCheck> = rs.tiers.iter().map(|t| check_tier(t, rs, facts)).collect();
    // The best-paid tier earned; on a tie, the first listed.
    let earned =
        checks
            .iter()
            .filter(|c| c.earned())
            .fold(None::<&TierCheck>, |best, c| match best {
                Some(b) if b.amount.unwrap_or(Money::ZERO) >= c.amount.unwrap_or(Money::ZERO) => {
                    Some(b)
                }
                _ => Some(c),
            });
    let earned_amount = earned.and_then(|c| c.amount).unwrap_or(Money::ZERO);
    // The best-paid tier still reachable that pays more; fewer gaps on a tie.
    let next = checks
        .iter()
        .filter(|c| !c.blocked && c.gaps > 0 && c.rank() > (false, earned_amount))
        .fold(None::<&TierCheck>, |best, c| match best {
            Some(b)
                if (b.rank(), std::cmp::Reverse(b.gaps))
                    >= (c.rank(), std::cmp::Reverse(c.gaps)) =>
            {
                Some(b)
            }
            _ => Some(c),
        });

    let met = earned
        .or(next)
        .map(|c| describe(c.tier, rs, facts).0)
        .unwrap_or_default();
    let missing = next
        .map(|c| describe(c.tier, rs, facts).1)
        .unwrap_or_default();
    Evaluation {
        tier: earned.map(|c| c.tier.code.clone()),
        amount: earned_amount,
        rule_set: rs.id.clone(),
        met,
        missing,
        next_tier: next.map(|c| c.tier.code.clone()),
        reason: if earned.is_none() && next.is_none() {
            Some(text::no_tier_fits())
        } else {
            None
        },
    }
}
