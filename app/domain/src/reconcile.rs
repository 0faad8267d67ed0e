//! Reconciliation (对账) of a quarter's money loop: for every claim, the
//! amount at each link of the chain — its lines now, the total the
//! approver signed, what the bureau paid the township for it, what the
//! township paid the mediators, what the mediators confirmed — and every
//! place two links that should agree do not, to the fen, with the lines
//! behind the difference. Pure: the server reads claims and payments and
//! hands them here; the screen and the tests read the answer.
//!
//! A link a claim has not reached yet is not a difference (a claim at 核发
//! has paid no mediator yet); a mediator's "not arrived" is.

use crate::claim::{Claim, Payee, Payment, Quarter, Stage, Step, sum};
use crate::money::Money;
use crate::{ClaimId, PersonId, UnitId};
use serde::{Deserialize, Serialize};

/// Which two links disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// The approver's signed total against the lines now (审批 ≠ 明细).
    Approved,
    /// Paid to the township against the approved total (拨付 ≠ 审批).
    ToTownship,
    /// Paid to a mediator against what their lines earn (核发 ≠ 明细).
    ToMediator,
    /// Confirmed by a mediator against what was paid them (到账 ≠ 核发).
    Received,
    /// A payment's amount against the parts it paid (凭证 ≠ 分摊).
    PaymentParts,
}

impl Gap {
    /// The wire's name.
    pub fn code(self) -> &'static str {
        match self {
            Gap::Approved => "approved",
            Gap::ToTownship => "to_township",
            Gap::ToMediator => "to_mediator",
            Gap::Received => "received",
            Gap::PaymentParts => "payment_parts",
        }
    }

    /// `中文 / English`.
    pub fn words(self) -> String {
        format!("{} / {}", self.name_zh(), self.name_en())
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Gap::Approved => "审批金额与明细不符",
            Gap::ToTownship => "拨付乡镇与审批金额不符",
            Gap::ToMediator => "核发调解员与明细不符",
            Gap::Received => "调解员未确认到账",
            Gap::PaymentParts => "付款金额与所付申报不符",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Gap::Approved => "approved total differs from the lines",
            Gap::ToTownship => "paid to the township differs from the approved total",
            Gap::ToMediator => "paid to the mediator differs from their lines",
            Gap::Received => "not confirmed as received",
            Gap::PaymentParts => "a payment differs from the parts it paid",
        }
    }
}

/// One claim at every link of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimLinks {
    pub claim_id: ClaimId,
    pub unit_name: String,
    pub township_id: UnitId,
    pub township_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("approval")))]
    pub stage: Stage,
    /// Its lines as they stand now (申报明细).
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("430.00")))]
    pub lines: Money,
    /// The total the approver signed (审批), once approved.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, examples("430.00")))]
    pub approved: Option<Money>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("430.00")))]
    pub to_township: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("430.00")))]
    pub to_mediators: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("430.00")))]
    pub received: Money,
}

/// A line behind a difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GapLine {
    /// 案号.
    pub number: String,
    pub mediator: String,
    pub tier: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("200.00")))]
    pub amount: Money,
}

/// Two links of one claim that disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Difference {
    /// The claim (none for a payment that names no claim).
    pub claim_id: Option<ClaimId>,
    pub unit_name: String,
    pub gap: Gap,
    /// The gap in words, `中文 / English` (the screen shows one language).
    pub what: String,
    /// The mediator concerned (核发, 到账).
    pub mediator: Option<String>,
    /// What the earlier link says, and what the later one holds.
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("300.00")))]
    pub expected: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("200.00")))]
    pub found: Money,
    /// The lines behind `expected`.
    pub lines: Vec<GapLine>,
}

/// Claims summed link by link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub lines: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub approved: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub to_township: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub to_mediators: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub received: Money,
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        self.lines = sum([self.lines, other.lines]);
        self.approved = sum([self.approved, other.approved]);
        self.to_township = sum([self.to_township, other.to_township]);
        self.to_mediators = sum([self.to_mediators, other.to_mediators]);
        self.received = sum([self.received, other.received]);
    }
}

/// A township's claims summed (its 兑现审批表, link by link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TownshipLinks {
    pub township_id: UnitId,
    pub township_name: String,
    pub totals: Totals,
}

/// `GET /api/v1/claims/reconciliation`: a quarter's claims the caller
/// sees, link by link, by township and for the city, and every difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reconciliation {
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    pub claims: Vec<ClaimLinks>,
    pub townships: Vec<TownshipLinks>,
    /// The city: every township summed.
    pub city: Totals,
    /// Empty when every link agrees to the fen.
    pub differences: Vec<Difference>,
}

/// Whether the claim has gone past `step` (it was done).
fn past(stage: Stage, step: Step) -> bool {
    match stage {
        Stage::Finished => true,
        Stage::Returned => false,
        Stage::At(now) => now > step,
    }
}

fn lines_of(claim: &Claim, mediator: Option<PersonId>) -> Vec<GapLine> {
    claim
        .lines
        .iter()
        .zip(claim.current())
        .filter(|(line, now)| !now.returned && mediator.is_none_or(|m| line.mediator_id == m))
        .map(|(line, now)| GapLine {
            number: line.number.clone(),
            mediator: line.mediator.clone(),
            tier: now.tier,
            amount: now.amount,
        })
        .collect()
}

/// The part of `payment` that paid `claim`.
fn part_of(payment: &Payment, claim: ClaimId) -> Money {
    sum(payment
        .parts
        .iter()
        .filter(|p| p.claim_id == claim)
        .map(|p| p.amount))
}

/// Reconciles the quarter's claims with the payments made on them.
pub fn reconcile(quarter: Quarter, claims: &[Claim], payments: &[Payment]) -> Reconciliation {
    let mut rows = Vec::with_capacity(claims.len());
    let mut differences = Vec::new();
    // a claim sent back whole carries no money
    let live = claims
        .iter()
        .filter(|c| c.quarter == quarter && c.stage != Stage::Returned);
    for claim in live {
        let lines = claim.total();
        let approved = claim
            .signatures
            .iter()
            .rev()
            .find(|s| s.step == Step::Approval)
            .filter(|_| past(claim.stage, Step::Approval))
            .map(|s| s.total);
        let paying = |payee: Payee| payments.iter().filter(move |p| p.payee == payee);
        let to_township = sum(paying(Payee::Township).map(|p| part_of(p, claim.id)));
        let to_mediators = sum(paying(Payee::Mediator).map(|p| part_of(p, claim.id)));
        let received = sum(paying(Payee::Mediator)
            .filter(|p| p.received())
            .map(|p| part_of(p, claim.id)));
        let mut differ = |gap, mediator: Option<(PersonId, String)>, expected, found| {
            if expected != found {
                differences.push(Difference {
                    claim_id: Some(claim.id),
                    unit_name: claim.unit_name.clone(),
                    gap,
                    what: gap.words(),
                    lines: lines_of(claim, mediator.as_ref().map(|m| m.0)),
                    mediator: mediator.map(|m| m.1),
                    expected,
                    found,
                });
            }
        };
        if let Some(approved) = approved {
            differ(Gap::Approved, None, lines, approved);
        }
        if past(claim.stage, Step::TownshipPayment) {
            differ(
                Gap::ToTownship,
                None,
                approved.unwrap_or(lines),
                to_township,
            );
        }
        if past(claim.stage, Step::MediatorPayment) {
            for (mediator, name, due) in claim.due_by_mediator() {
                let paid = sum(paying(Payee::Mediator)
                    .filter(|p| p.mediator_id == Some(mediator))
                    .map(|p| part_of(p, claim.id)));
                differ(Gap::ToMediator, Some((mediator, name.clone())), due, paid);
                let confirmed = sum(paying(Payee::Mediator)
                    .filter(|p| p.mediator_id == Some(mediator) && p.received())
                    .map(|p| part_of(p, claim.id)));
                // a receipt still awaited is no difference; "not arrived" is
                let said_no = paying(Payee::Mediator).any(|p| {
                    p.mediator_id == Some(mediator)
                        && p.parts.iter().any(|part| part.claim_id == claim.id)
                        && p.receipts.last().is_some_and(|r| !r.received)
                });
                if said_no || claim.stage == Stage::Finished {
                    differ(Gap::Received, Some((mediator, name)), paid, confirmed);
                }
            }
        }
        rows.push(ClaimLinks {
            claim_id: claim.id,
            unit_name: claim.unit_name.clone(),
            township_id: claim.township_id,
            township_name: claim.township_name.clone(),
            stage: claim.stage,
            lines,
            approved,
            to_township,
            to_mediators,
            received,
        });
    }
    for p in payments.iter().filter(|p| p.quarter == quarter) {
        let parts = sum(p.parts.iter().map(|part| part.amount));
        if parts != p.amount {
            let claim = claims
                .iter()
                .find(|c| p.parts.iter().any(|part| part.claim_id == c.id));
            differences.push(Difference {
                claim_id: p.parts.first().map(|x| x.claim_id),
                unit_name: claim.map(|c| c.unit_name.clone()).unwrap_or_default(),
                gap: Gap::PaymentParts,
                what: Gap::PaymentParts.words(),
                mediator: p.mediator.clone(),
                expected: p.amount,
                found: parts,
                lines: Vec::new(),
            });
        }
    }
    let mut townships: Vec<TownshipLinks> = Vec::new();
    let mut city = Totals::default();
    for row in &rows {
        let totals = Totals {
            lines: row.lines,
            approved: row.approved.unwrap_or(Money::ZERO),
            to_township: row.to_township,
            to_mediators: row.to_mediators,
            received: row.received,
        };
        city.add(&totals);
        match townships
            .iter_mut()
            .find(|t| t.township_id == row.township_id)
        {
            Some(t) => t.totals.add(&totals),
            None => townships.push(TownshipLinks {
                township_id: row.township_id,
                township_name: row.township_name.clone(),
                totals,
            }),
        }
    }
    townships.sort_by(|a, b| a.township_name.cmp(&b.township_name));
    Reconciliation {
        quarter,
        claims: rows,
        townships,
        city,
        differences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::{
        ClaimLine, Decision, LineChange, PayMethod, PaymentPart, Receipt, Signature,
    };
    use crate::{CaseId, PaymentId};
    use jiff::civil::Date;
    use proptest::prelude::*;

    fn at() -> crate::time::Timestamp {
        "2026-10-20T02:00:00Z".parse().unwrap()
    }

    fn quarter() -> Quarter {
        "2026-Q3".parse().unwrap()
    }

    fn line(n: usize, mediator: usize, yuan: u32) -> ClaimLine {
        ClaimLine {
            case_id: CaseId::stable(&format!("case-{n}")),
            number: format!("(2026)楚人调字第 {n} 号"),
            parties: vec![],
            dispute_type: "land".into(),
            closed_on: Date::new(2026, 8, 1).unwrap(),
            mediator_id: PersonId::stable(&format!("m{mediator}")),
            mediator: format!("调解员{mediator}"),
            tier: "C".into(),
            amount: Money::yuan(yuan),
            late: false,
            special: None,
        }
    }

    fn claim(key: &str, lines: Vec<ClaimLine>) -> Claim {
        Claim {
            id: ClaimId::stable(key),
            unit_id: UnitId::stable(key),
            unit_name: format!("{key}村调委会"),
            quarter: quarter(),
            submitted_at: at(),
            ..crate::testing::claim(lines)
        }
    }

    /// The approver's signature for `total`.
    fn approval(total: Money) -> Signature {
        Signature {
            step: Step::Approval,
            decision: Decision::Pass,
            by: PersonId::stable("approver"),
            by_name: "局长".into(),
            at: at(),
            opinion: "同意".into(),
            total,
        }
    }

    /// Takes the claim through every step: approved at its total, paid to
    /// the township and to each mediator what they are due, each receipt
    /// `received`.
    fn paid(mut c: Claim, received: bool) -> (Claim, Vec<Payment>) {
        c.signatures.push(approval(c.total()));
        let payment = |payee, mediator: Option<(PersonId, String)>, amount| Payment {
            id: PaymentId::new_v7(),
            payee,
            township_id: c.township_id,
            quarter: c.quarter,
            mediator_id: mediator.as_ref().map(|m| m.0),
            mediator: mediator.map(|m| m.1),
            amount,
            paid_on: Date::new(2026, 10, 20).unwrap(),
            method: PayMethod::BankTransfer,
            reference: "记-1".into(),
            by: PersonId::stable("finance"),
            by_name: "会计".into(),
            at: at(),
            parts: vec![PaymentPart {
                claim_id: c.id,
                amount,
            }],
            fixed: Vec::new(),
            receipts: if payee == Payee::Mediator {
                vec![Receipt {
                    received,
                    note: if received {
                        String::new()
                    } else {
                        "没收到".into()
                    },
                    by: PersonId::stable("m"),
                    at: at(),
                }]
            } else {
                vec![]
            },
        };
        let mut payments = vec![payment(Payee::Township, None, c.total())];
        for (id, name, due) in c.due_by_mediator() {
            payments.push(payment(Payee::Mediator, Some((id, name)), due));
        }
        c.stage = Stage::Finished;
        (c, payments)
    }

    #[test]
    fn a_finished_claim_agrees_at_every_link() {
        let (c, payments) = paid(claim("a", vec![line(1, 1, 200), line(2, 2, 30)]), true);
        let r = reconcile(quarter(), &[c], &payments);
        assert!(r.differences.is_empty(), "{:?}", r.differences);
        let t = r.city;
        assert_eq!(t.lines, Money::yuan(230));
        assert!(
            [t.approved, t.to_township, t.to_mediators, t.received]
                .iter()
                .all(|m| *m == t.lines)
        );
        assert_eq!(r.townships[0].totals, t);
    }

    #[test]
    fn a_claim_in_progress_is_no_difference() {
        let mut c = claim("a", vec![line(1, 1, 200)]);
        c.stage = Stage::At(Step::TownshipPayment);
        c.signatures.push(approval(Money::yuan(200)));
        let r = reconcile(quarter(), &[c], &[]);
        assert!(r.differences.is_empty(), "{:?}", r.differences);
        assert_eq!(r.city.approved, Money::yuan(200));
        assert_eq!(r.city.to_township, Money::ZERO);
    }

    #[test]
    fn not_arrived_is_a_difference_with_the_mediators_lines() {
        let (c, payments) = paid(
            claim("a", vec![line(1, 1, 200), line(2, 2, 30), line(3, 1, 100)]),
            true,
        );
        let mut payments = payments;
        let to_m1 = payments
            .iter_mut()
            .find(|p| p.mediator.as_deref() == Some("调解员1"))
            .unwrap();
        to_m1.receipts[0].received = false;
        let r = reconcile(quarter(), &[c], &payments);
        assert_eq!(r.differences.len(), 1, "{:?}", r.differences);
        let d = &r.differences[0];
        assert_eq!(d.gap, Gap::Received);
        assert_eq!((d.expected, d.found), (Money::yuan(300), Money::ZERO));
        let numbers: Vec<&str> = d.lines.iter().map(|l| l.number.as_str()).collect();
        assert_eq!(numbers, ["(2026)楚人调字第 1 号", "(2026)楚人调字第 3 号"]);
        assert_eq!(r.city.received, Money::yuan(30));
    }

    #[test]
    fn a_tampered_amount_shows_where_it_breaks() {
        let (c, mut payments) = paid(claim("a", vec![line(1, 1, 200), line(2, 2, 30)]), true);
        // the township was paid one fen short, in its part only
        payments[0].parts[0].amount = Money::from_fen(22_999).unwrap();
        let r = reconcile(quarter(), std::slice::from_ref(&c), &payments);
        let gaps: Vec<Gap> = r.differences.iter().map(|d| d.gap).collect();
        assert_eq!(gaps, [Gap::ToTownship, Gap::PaymentParts]);
        assert_eq!(r.differences[0].found, Money::from_fen(22_999).unwrap());
        // a line raised after the approval
        let mut raised = c;
        raised.changes.push(LineChange {
            case_id: CaseId::stable("case-2"),
            step: Step::Approval,
            tier: Some("B".into()),
            amount: Money::yuan(100),
            reason: "改".into(),
            by: PersonId::stable("x"),
            by_name: "某".into(),
            at: at(),
        });
        let (_, ok_payments) = paid(claim("a", vec![line(1, 1, 200), line(2, 2, 30)]), true);
        let r = reconcile(quarter(), &[raised], &ok_payments);
        let gaps: Vec<Gap> = r.differences.iter().map(|d| d.gap).collect();
        assert_eq!(gaps, [Gap::Approved, Gap::ToMediator]);
    }

    proptest! {
        /// Whatever lines are reduced or sent back, a claim paid as the
        /// server pays it agrees at every link, and the township and city
        /// totals are the sums of the claims'.
        #[test]
        fn paid_claims_reconcile_after_random_send_backs(
            claims in proptest::collection::vec(
                proptest::collection::vec((0usize..4, prop_oneof![Just(30u32), Just(100), Just(200), Just(1000)], 0u8..3), 1..8),
                1..6,
            )
        ) {
            let mut all = Vec::new();
            let mut payments = Vec::new();
            let mut n = 0;
            for (k, spec) in claims.iter().enumerate() {
                let lines: Vec<ClaimLine> = spec.iter().map(|(m, yuan, _)| { n += 1; line(n, *m, *yuan) }).collect();
                let mut c = claim(&format!("c{k}"), lines);
                for (line, (_, _, fate)) in c.lines.clone().iter().zip(spec) {
                    let (tier, amount) = match fate {
                        1 => (None, Money::ZERO),
                        2 => (Some("A".to_owned()), Money::yuan(30).min(line.amount)),
                        _ => continue,
                    };
                    c.changes.push(LineChange { case_id: line.case_id, step: Step::FirstReview, tier, amount, reason: "核".into(), by: PersonId::stable("s"), by_name: "科员".into(), at: at() });
                }
                let (c, p) = paid(c, true);
                all.push(c);
                payments.extend(p);
            }
            let r = reconcile(quarter(), &all, &payments);
            prop_assert!(r.differences.is_empty(), "{:?}", r.differences);
            let lines = sum(all.iter().map(Claim::total));
            prop_assert_eq!(r.city.lines, lines);
            prop_assert_eq!(r.city.received, lines);
            prop_assert_eq!(sum(r.townships.iter().map(|t| t.totals.to_mediators)), lines);
            prop_assert_eq!(sum(r.claims.iter().map(|c| c.to_township)), lines);
        }
    }
}
