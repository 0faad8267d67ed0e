//! Evaluating one case: the rule set in force, at most one tier, and what is
//! missing for the best tier still reachable.

use super::facts::CaseFacts;
use super::text::{self, Item};
use super::{Condition, RuleSet, Tier, TierAmount};
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
    #[error("{date} 没有生效的以案定补规则 / no rule set in force on {date}")]
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

/// How one tier fares against a case.
struct TierCheck<'a> {
    tier: &'a Tier,
    met: Vec<Item>,
    /// Unmet conditions the case cannot change (method, outcome, harm…).
    blocked: bool,
    /// Unmet conditions that records can still satisfy.
    addable: Vec<Item>,
    /// What it pays when met; `None` for an approval tier not yet approved.
    amount: Option<Money>,
}

impl TierCheck<'_> {
    fn earned(&self) -> bool {
        !self.blocked && self.addable.is_empty()
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

fn check_tier<'a>(tier: &'a Tier, rs: &RuleSet, facts: &CaseFacts) -> TierCheck<'a> {
    let mut check = TierCheck {
        tier,
        met: Vec::new(),
        blocked: false,
        addable: Vec::new(),
        amount: match tier.amount {
            TierAmount::Fixed(m) => Some(m),
            TierAmount::ByApproval => facts.approved_amount,
        },
    };
    for condition in &tier.conditions {
        let forms = match condition {
            Condition::RequiredForms => Some(rs.required_forms.as_slice()),
            Condition::Forms { all_of } => Some(all_of.as_slice()),
            _ => None,
        };
        if let Some(forms) = forms {
            let absent: Vec<_> = forms.iter().filter(|f| !facts.forms.contains(*f)).collect();
            if absent.is_empty() {
                check.met.push(text::met(condition));
            } else {
                check
                    .addable
                    .extend(absent.into_iter().map(text::form_missing));
            }
            continue;
        }
        if holds(condition, facts) {
            check.met.push(text::met(condition));
        } else if condition.can_be_added() {
            check.addable.push(text::missing(condition, facts.sessions));
        } else {
            check.blocked = true;
        }
    }
    check
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
        .filter(|c| !c.blocked && !c.addable.is_empty())
        .filter(|c| c.rank() > (false, earned_amount))
        .fold(None::<&TierCheck>, |best, c| match best {
            Some(b)
                if (b.rank(), std::cmp::Reverse(b.addable.len()))
                    >= (c.rank(), std::cmp::Reverse(c.addable.len())) =>
            {
                Some(b)
            }
            _ => Some(c),
        });

    let met = earned.or(next).map(|c| c.met.clone()).unwrap_or_default();
    Evaluation {
        tier: earned.map(|c| c.tier.code.clone()),
        amount: earned_amount,
        rule_set: rs.id.clone(),
        met,
        missing: next.map(|c| c.addable.clone()).unwrap_or_default(),
        next_tier: next.map(|c| c.tier.code.clone()),
        reason: if earned.is_none() && next.is_none() {
            Some(text::no_tier_fits())
        } else {
            None
        },
    }
}
