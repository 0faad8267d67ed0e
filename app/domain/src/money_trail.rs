//! A case's money trail (补助变动记录): every change that moved what the
//! case earns or is paid, oldest first, each with who, when, what it was
//! before and what after — for the bureau (and every office over the
//! committee) to read on the case page.
//!
//! It is read, not written: the case's versions (each holds the facts the
//! rules read and the server's verdict on them) and the claims, line
//! changes, signatures and payments are all kept append-only where they
//! happen, in the same transaction as the change; the trail puts them in
//! one order. Pure, so the same answer comes from any replica.

use crate::case::{Case, CaseKind};
use crate::claim::{Claim, Decision, PayMethod, Payee, Payment, Quarter, Step};
use crate::rules::{FormCode, Outcome, Verdict};
use crate::{CaseId, ClaimId, Money, PaymentId, Timestamp};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A calendar day on the wire: `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Day(#[serde(with = "crate::dates::iso")] pub Date);

/// One fact of a case that the subsidy rules read (or that decides whether
/// they count): `{"field": "deaths", "value": 1}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum Fact {
    /// 调解方式: oral (简易) or general.
    Kind(CaseKind),
    /// 调解结果; none while the case is open.
    Outcome(Option<Outcome>),
    /// 结案日期.
    ClosedOn(Option<Day>),
    /// 调解次数 (sessions recorded).
    Sessions(u32),
    /// 口头协议登记表 filled in.
    OralRegister(bool),
    /// 卷宗文书: the dossier's forms.
    Forms(BTreeSet<FormCode>),
    /// 已立卷归档.
    Archived(bool),
    /// 已录入信息系统.
    Recorded(bool),
    /// 死亡人数 (counts once verified).
    Deaths(u32),
    /// 伤残等级, 1–10 (counts once verified).
    DisabilityGrade(Option<u8>),
    /// 独立调解.
    Independent(bool),
    /// 重大纠纷已核实: the judicial office verified the deaths and
    /// disability the case records now.
    MajorVerified(bool),
    /// 重特大纠纷 (the party group's decision).
    Special(bool),
    /// 党组核定金额.
    ApprovedAmount(Option<Money>),
}

impl Fact {
    /// Every fact of `case`, in a fixed order.
    pub fn all_of(case: &Case) -> [Fact; 14] {
        [
            Fact::Kind(case.kind),
            Fact::Outcome(case.outcome),
            Fact::ClosedOn(case.closed_on.map(Day)),
            Fact::Sessions(u32::try_from(case.sessions.len()).unwrap_or(u32::MAX)),
            Fact::OralRegister(case.oral_register),
            Fact::Forms(case.forms.clone()),
            Fact::Archived(case.archived),
            Fact::Recorded(case.recorded),
            Fact::Deaths(case.deaths),
            Fact::DisabilityGrade(case.disability_grade),
            Fact::Independent(case.independent),
            Fact::MajorVerified(case.major_verified()),
            Fact::Special(case.special),
            Fact::ApprovedAmount(case.approved_amount),
        ]
    }

    /// Whether it holds nothing yet (none, zero, false, no forms): a
    /// registration names only the facts it sets.
    pub fn is_blank(&self) -> bool {
        match self {
            Fact::Kind(_) => false,
            Fact::Outcome(o) => o.is_none(),
            Fact::ClosedOn(d) => d.is_none(),
            Fact::Sessions(n) | Fact::Deaths(n) => *n == 0,
            Fact::Forms(f) => f.is_empty(),
            Fact::DisabilityGrade(g) => g.is_none(),
            Fact::ApprovedAmount(a) => a.is_none(),
            Fact::OralRegister(b)
            | Fact::Archived(b)
            | Fact::Recorded(b)
            | Fact::Independent(b)
            | Fact::MajorVerified(b)
            | Fact::Special(b) => !b,
        }
    }
}

/// A fact before and after a version (none before: the first version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FactChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was: Option<Fact>,
    pub now: Fact,
}

/// What happened to the money (see each variant), tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MoneyEvent {
    /// A version of the case changed the facts the rules read, or the
    /// server's verdict (核定档次) on them. `how` as in the case's history
    /// (`sync`, `major_verified`, `special_decided`, `referral`…).
    Version {
        version: u64,
        how: String,
        facts: Vec<FactChange>,
        /// The verdict before (none: the first version, or one the
        /// server kept without its verdict).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        was: Option<Verdict>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        now: Option<Verdict>,
    },
    /// 申报: the committee claimed the case in its quarter's claim.
    Claimed {
        claim_id: ClaimId,
        #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
        quarter: Quarter,
        tier: String,
        amount: Money,
        /// 补报: claimed in a later quarter than it closed in.
        late: bool,
    },
    /// A reviewer reduced the line (核减) or sent it back (退回: no
    /// tier, nothing paid), at `step`, for `reason`.
    LineChanged {
        claim_id: ClaimId,
        step: Step,
        was: Money,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tier: Option<String>,
        amount: Money,
        reason: String,
    },
    /// The party group's decision (党组决定) on the case reported as
    /// especially grave: approved with `amount`, or not.
    SpecialDecided {
        claim_id: ClaimId,
        approved: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<Money>,
        /// The minutes' reference (会议纪要).
        minutes: String,
    },
    /// The whole claim was sent back at `step`: the case earns nothing by it.
    ClaimReturned {
        claim_id: ClaimId,
        step: Step,
        was: Money,
        opinion: String,
    },
    /// 审批: the bureau approved the spend; `amount` is what the case earns by it.
    Approved { claim_id: ClaimId, amount: Money },
    /// 拨付 (to the township) or 核发 (to the mediator): the payment that
    /// carried the case's `amount`, the whole payment being `paid`.
    Paid {
        claim_id: ClaimId,
        payment_id: PaymentId,
        payee: Payee,
        amount: Money,
        paid: Money,
        #[serde(with = "crate::dates::iso")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        paid_on: Date,
        method: PayMethod,
        reference: String,
    },
    /// 到账确认: the mediator's word on the payment to them.
    Receipt {
        claim_id: ClaimId,
        payment_id: PaymentId,
        received: bool,
    },
}

impl MoneyEvent {
    /// Its `kind` on the wire.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyEvent::Version { .. } => "version",
            MoneyEvent::Claimed { .. } => "claimed",
            MoneyEvent::LineChanged { .. } => "line_changed",
            MoneyEvent::SpecialDecided { .. } => "special_decided",
            MoneyEvent::ClaimReturned { .. } => "claim_returned",
            MoneyEvent::Approved { .. } => "approved",
            MoneyEvent::Paid { .. } => "paid",
            MoneyEvent::Receipt { .. } => "receipt",
        }
    }
}

/// One line of the trail: when, by whom (a name), what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoneyEntry {
    /// None where the server did not keep the time of a version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub what: MoneyEvent,
}

/// A case's money trail (`GET /api/v1/cases/{id}/money`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoneyTrail {
    pub case_id: CaseId,
    /// The server's verdict now.
    pub verdict: Verdict,
    /// Oldest first.
    pub entries: Vec<MoneyEntry>,
}

/// One version of the case as kept: its number, when and by whom it was
/// made and how, and the case it holds (none: a deletion, or a version
/// the server cannot read any more).
#[derive(Debug, Clone, PartialEq)]
pub struct MadeVersion {
    pub version: u64,
    pub at: Option<Timestamp>,
    pub by: Option<String>,
    pub how: String,
    pub case: Option<Case>,
}

/// The facts that differ between `before` and `after` (every set fact of
/// `after` when there is no `before`).
pub fn fact_changes(before: Option<&Case>, after: &Case) -> Vec<FactChange> {
    let now = Fact::all_of(after);
    match before {
        None => now
            .into_iter()
            .filter(|f| !f.is_blank())
            .map(|now| FactChange { was: None, now })
            .collect(),
        Some(before) => Fact::all_of(before)
            .into_iter()
            .zip(now)
            .filter(|(was, now)| was != now)
            .map(|(was, now)| FactChange {
                was: Some(was),
                now,
            })
            .collect(),
    }
}

/// The trail of case `id` from its versions (oldest first), the claims
/// holding a line of it and the payments of those claims. `verdict` is
/// the server's verdict now.
pub fn trail(
    id: CaseId,
    verdict: Verdict,
    versions: &[MadeVersion],
    claims: &[Claim],
    payments: &[Payment],
) -> MoneyTrail {
    // (when it sorts, entry): a version without a time sorts as the one before
    let mut entries: Vec<(Option<Timestamp>, MoneyEntry)> = Vec::new();
    let mut last_case: Option<&Case> = None;
    let mut last_verdict: Option<&Verdict> = None;
    let mut last_at: Option<Timestamp> = None;
    for v in versions {
        let sort_at = v.at.or(last_at);
        last_at = sort_at;
        let Some(case) = &v.case else {
            continue;
        };
        let facts = fact_changes(last_case, case);
        let now = case.server_verdict.as_ref();
        if !facts.is_empty() || (last_case.is_some() && now != last_verdict) {
            entries.push((
                sort_at,
                MoneyEntry {
                    at: v.at,
                    by: v.by.clone(),
                    what: MoneyEvent::Version {
                        version: v.version,
                        how: v.how.clone(),
                        facts,
                        was: last_verdict.cloned(),
                        now: now.cloned(),
                    },
                },
            ));
        }
        last_case = Some(case);
        last_verdict = now;
    }
    for claim in claims {
        claim_entries(id, claim, payments, &mut entries);
    }
    // stable: at one moment, the case's version comes before the claim's
    // record of the same act
    entries.sort_by_key(|(at, _)| *at);
    MoneyTrail {
        case_id: id,
        verdict,
        entries: entries.into_iter().map(|(_, e)| e).collect(),
    }
}

/// What `claim` did to case `id`'s money, in its own order.
fn claim_entries(
    id: CaseId,
    claim: &Claim,
    payments: &[Payment],
    out: &mut Vec<(Option<Timestamp>, MoneyEntry)>,
) {
    let Some(line) = claim.lines.iter().find(|l| l.case_id == id) else {
        return;
    };
    let mut push = |at: Timestamp, by: &str, what: MoneyEvent| {
        out.push((
            Some(at),
            MoneyEntry {
                at: Some(at),
                by: Some(by.to_owned()),
                what,
            },
        ));
    };
    push(
        claim.submitted_at,
        &claim.submitted_by_name,
        MoneyEvent::Claimed {
            claim_id: claim.id,
            quarter: claim.quarter,
            tier: line.tier.clone(),
            amount: line.amount,
            late: line.late,
        },
    );
    // the line as it stands after each event, in the claim's order
    let mut amount = line.amount;
    let mut returned = false;
    for d in claim.special_decisions.iter().filter(|d| d.case_id == id) {
        push(
            d.at,
            &d.by_name,
            MoneyEvent::SpecialDecided {
                claim_id: claim.id,
                approved: d.approved,
                amount: d.amount,
                minutes: d.minutes.clone(),
            },
        );
    }
    for c in claim.changes.iter().filter(|c| c.case_id == id) {
        push(
            c.at,
            &c.by_name,
            MoneyEvent::LineChanged {
                claim_id: claim.id,
                step: c.step,
                was: amount,
                tier: c.tier.clone(),
                amount: c.amount,
                reason: c.reason.clone(),
            },
        );
        amount = c.amount;
        returned = c.tier.is_none();
    }
    if returned {
        return;
    }
    for s in &claim.signatures {
        match (s.step, s.decision) {
            (step, Decision::Return) => push(
                s.at,
                &s.by_name,
                MoneyEvent::ClaimReturned {
                    claim_id: claim.id,
                    step,
                    was: amount,
                    opinion: s.opinion.clone(),
                },
            ),
            (Step::Approval, Decision::Pass) => push(
                s.at,
                &s.by_name,
                MoneyEvent::Approved {
                    claim_id: claim.id,
                    amount,
                },
            ),
            _ => {}
        }
    }
    let paying = payments.iter().filter(|p| {
        p.parts.iter().any(|part| part.claim_id == claim.id)
            && match p.payee {
                Payee::Township => true,
                Payee::Mediator => p.mediator_id == Some(line.mediator_id),
            }
    });
    for p in paying {
        push(
            p.at,
            &p.by_name,
            MoneyEvent::Paid {
                claim_id: claim.id,
                payment_id: p.id,
                payee: p.payee,
                amount,
                paid: p.amount,
                paid_on: p.paid_on,
                method: p.method,
                reference: p.reference.clone(),
            },
        );
        if p.payee == Payee::Mediator {
            let by = p.mediator.clone().unwrap_or_default();
            for r in &p.receipts {
                push(
                    r.at,
                    &by,
                    MoneyEvent::Receipt {
                        claim_id: claim.id,
                        payment_id: p.id,
                        received: r.received,
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::{ClaimLine, LineChange, PaymentPart, Receipt, Signature, SpecialDecision};
    use crate::testing::{general_case, oral_case};
    use crate::{PersonId, UnitId};
    use proptest::prelude::*;

    fn at(minute: i64) -> Timestamp {
        "2026-10-08T02:00:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .plus_seconds(minute * 60)
    }

    fn verdict(tier: &str, yuan: u32) -> Verdict {
        Verdict {
            tier: Some(tier.into()),
            amount: Money::yuan(yuan),
        }
    }

    fn made(version: u64, minute: i64, case: &Case, v: Verdict) -> MadeVersion {
        let mut case = case.clone();
        case.server_verdict = Some(v);
        MadeVersion {
            version,
            at: Some(at(minute)),
            by: Some("杨调解".into()),
            how: "sync".into(),
            case: Some(case),
        }
    }

    fn claim_of(case: &Case, tier: &str, yuan: u32) -> Claim {
        Claim {
            submitted_at: at(100),
            ..crate::testing::claim(vec![ClaimLine {
                case_id: case.id,
                number: "(2026)楚人调字第 1 号".into(),
                parties: vec!["张三".into(), "李四".into()],
                dispute_type: "neighbours".into(),
                closed_on: Date::new(2026, 8, 1).unwrap(),
                mediator_id: case.owner_id,
                mediator: "杨调解".into(),
                tier: tier.into(),
                amount: Money::yuan(yuan),
                late: false,
                special: None,
            }])
        }
    }

    fn signature(step: Step, decision: Decision, minute: i64) -> Signature {
        Signature {
            step,
            decision,
            by: PersonId::stable(step.code()),
            by_name: step.name_zh().into(),
            at: at(minute),
            opinion: "同意".into(),
            total: Money::ZERO,
        }
    }

    fn payment(payee: Payee, mediator: Option<PersonId>, yuan: u32, minute: i64) -> Payment {
        Payment {
            id: PaymentId::stable(&format!("{payee:?}{mediator:?}")),
            payee,
            township_id: UnitId::stable("t"),
            quarter: "2026-Q3".parse().unwrap(),
            mediator_id: mediator,
            mediator: mediator.map(|_| "杨调解".into()),
            amount: Money::yuan(yuan),
            paid_on: Date::new(2026, 10, 20).unwrap(),
            method: PayMethod::BankTransfer,
            reference: "转账 0001".into(),
            by: PersonId::stable("finance"),
            by_name: "财政所".into(),
            at: at(minute),
            parts: vec![PaymentPart {
                claim_id: ClaimId::stable("claim"),
                amount: Money::yuan(yuan),
            }],
            fixed: vec![],
            receipts: vec![],
        }
    }

    fn kinds(t: &MoneyTrail) -> Vec<&'static str> {
        t.entries.iter().map(|e| e.what.code()).collect()
    }

    #[test]
    fn a_registration_names_only_the_facts_it_sets() {
        let changes = fact_changes(None, &oral_case());
        let fields: Vec<Fact> = changes.iter().map(|c| c.now.clone()).collect();
        assert!(changes.iter().all(|c| c.was.is_none()));
        assert!(fields.contains(&Fact::Kind(CaseKind::Oral)));
        assert!(fields.contains(&Fact::OralRegister(true)));
        assert!(
            !fields
                .iter()
                .any(|f| matches!(f, Fact::Deaths(_) | Fact::Forms(_)))
        );
    }

    #[test]
    fn a_change_of_words_is_no_money_change_but_forms_are() {
        let case = general_case();
        let mut worded = case.clone();
        worded.summary = "另一段描述".into();
        assert!(fact_changes(Some(&case), &worded).is_empty());
        let mut fewer = case.clone();
        fewer.forms.remove(&FormCode::new("follow_up"));
        fewer.archived = false;
        let changes = fact_changes(Some(&case), &fewer);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(changes[0].was, Some(Fact::Forms(case.forms.clone())));
        assert_eq!(changes[1].now, Fact::Archived(false));
    }

    #[test]
    fn versions_show_what_moved_the_verdict_and_skip_the_rest() {
        let case = general_case();
        let mut worded = case.clone();
        worded.summary = "补记".into();
        let mut closed = worded.clone();
        closed.deaths = 1;
        let versions = [
            made(1, 0, &case, verdict("C", 200)),
            made(2, 5, &worded, verdict("C", 200)),
            made(3, 9, &closed, verdict("C", 200)),
            MadeVersion {
                how: "major_verified".into(),
                ..made(4, 12, &closed, verdict("D", 1000))
            },
        ];
        let t = trail(case.id, verdict("D", 1000), &versions, &[], &[]);
        let shown: Vec<(u64, usize, Option<Verdict>)> = t
            .entries
            .iter()
            .map(|e| match &e.what {
                MoneyEvent::Version {
                    version,
                    facts,
                    was,
                    ..
                } => (*version, facts.len(), was.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            shown,
            [
                (1, shown[0].1, None),
                (3, 1, Some(verdict("C", 200))),
                (4, 0, Some(verdict("C", 200))),
            ]
        );
    }

    #[test]
    fn a_claimed_line_is_followed_through_reduction_approval_and_payment() {
        let case = general_case();
        let mut claim = claim_of(&case, "C", 200);
        claim.changes.push(LineChange {
            case_id: case.id,
            step: Step::FirstReview,
            tier: Some("B".into()),
            amount: Money::yuan(100),
            reason: "回访记录缺当事人签字".into(),
            by: PersonId::stable("staff"),
            by_name: "司法所".into(),
            at: at(200),
        });
        claim.signatures = vec![
            signature(Step::FirstReview, Decision::Pass, 200),
            signature(Step::Approval, Decision::Pass, 300),
        ];
        let other = PersonId::stable("someone else");
        let mut to_mediator = payment(Payee::Mediator, Some(case.owner_id), 130, 500);
        to_mediator.receipts.push(Receipt {
            received: true,
            note: String::new(),
            by: case.owner_id,
            at: at(600),
        });
        let payments = [
            payment(Payee::Mediator, Some(other), 400, 450),
            to_mediator,
            payment(Payee::Township, None, 530, 400),
        ];
        let versions = [made(1, 0, &case, verdict("C", 200))];
        let t = trail(case.id, verdict("C", 200), &versions, &[claim], &payments);
        assert_eq!(
            kinds(&t),
            [
                "version",
                "claimed",
                "line_changed",
                "approved",
                "paid",
                "paid",
                "receipt"
            ]
        );
        let MoneyEvent::LineChanged { was, amount, .. } = &t.entries[2].what else {
            unreachable!()
        };
        assert_eq!((*was, *amount), (Money::yuan(200), Money::yuan(100)));
        for e in &t.entries[3..6] {
            match &e.what {
                MoneyEvent::Approved { amount, .. } | MoneyEvent::Paid { amount, .. } => {
                    assert_eq!(*amount, Money::yuan(100), "{e:?}")
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(t.entries[4].by.as_deref(), Some("财政所"));
        assert_eq!(t.entries[6].by.as_deref(), Some("杨调解"));
    }

    #[test]
    fn a_returned_line_is_neither_approved_nor_paid() {
        let case = oral_case();
        let mut claim = claim_of(&case, "A", 30);
        claim.changes.push(LineChange {
            case_id: case.id,
            step: Step::FirstReview,
            tier: None,
            amount: Money::ZERO,
            reason: "回访抽查未通过：当事人不认可调解".into(),
            by: PersonId::stable("staff"),
            by_name: "司法所".into(),
            at: at(200),
        });
        claim.signatures = vec![signature(Step::Approval, Decision::Pass, 300)];
        let payments = [payment(Payee::Township, None, 0, 400)];
        let t = trail(case.id, Verdict::none(), &[], &[claim], &payments);
        assert_eq!(kinds(&t), ["claimed", "line_changed"]);
    }

    #[test]
    fn a_whole_claim_sent_back_and_a_special_decision_are_shown() {
        let case = general_case();
        let mut first = claim_of(&case, "C", 200);
        first.signatures = vec![signature(Step::SecondReview, Decision::Return, 150)];
        let mut second = claim_of(&case, "C", 200);
        second.id = ClaimId::stable("second");
        second.submitted_at = at(700);
        second.special_decisions.push(SpecialDecision {
            case_id: case.id,
            approved: true,
            amount: Some(Money::yuan(5000)),
            minutes: "党组会议纪要〔2026〕3号".into(),
            by: PersonId::stable("party"),
            by_name: "党组".into(),
            at: at(800),
        });
        second.changes.push(LineChange {
            case_id: case.id,
            step: Step::Approval,
            tier: Some("E".into()),
            amount: Money::yuan(5000),
            reason: "党组决定".into(),
            by: PersonId::stable("party"),
            by_name: "党组".into(),
            at: at(800),
        });
        let t = trail(case.id, Verdict::none(), &[], &[second, first], &[]);
        assert_eq!(
            kinds(&t),
            [
                "claimed",
                "claim_returned",
                "claimed",
                "special_decided",
                "line_changed"
            ]
        );
        let MoneyEvent::LineChanged { was, amount, .. } = &t.entries[4].what else {
            unreachable!()
        };
        assert_eq!((*was, *amount), (Money::yuan(200), Money::yuan(5000)));
    }

    #[test]
    fn the_wire_names_each_fact_and_event() {
        let entry = MoneyEntry {
            at: Some(at(0)),
            by: None,
            what: MoneyEvent::Version {
                version: 2,
                how: "sync".into(),
                facts: vec![FactChange {
                    was: Some(Fact::ClosedOn(None)),
                    now: Fact::ClosedOn(Date::new(2026, 8, 1).ok().map(Day)),
                }],
                was: None,
                now: Some(verdict("A", 30)),
            },
        };
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["what"]["kind"], entry.what.code());
        assert_eq!(json["what"]["facts"][0]["now"]["field"], "closed_on");
        assert_eq!(json["what"]["facts"][0]["now"]["value"], "2026-08-01");
        assert_eq!(json["what"]["now"]["amount"], "30.00");
        let back: MoneyEntry = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, entry);
        let mut extra = json;
        extra["what"]["sneaky"] = serde_json::json!(1);
        assert!(serde_json::from_value::<MoneyEntry>(extra).is_err());
    }

    proptest! {
        /// The trail reconciles: every version entry starts from the
        /// verdict the one before ended on, the last ends on the last
        /// version's, and the entries run in time.
        #[test]
        fn verdicts_chain_without_a_gap(
            steps in proptest::collection::vec((0u8..4, 0u8..3, 0i64..30), 1..30)
        ) {
            let mut case = general_case();
            let tiers = [("A", 30), ("B", 100), ("C", 200)];
            let mut minute = 0;
            let mut versions = Vec::new();
            for (i, (what, tier, gap)) in steps.iter().enumerate() {
                match what {
                    0 => case.summary = format!("第{i}次"),
                    1 => case.archived = !case.archived,
                    2 => case.deaths = u32::from(*tier),
                    _ => {}
                }
                minute += gap;
                let (code, yuan) = tiers[usize::from(*tier)];
                versions.push(made(i as u64 + 1, minute, &case, verdict(code, yuan)));
            }
            let last = versions.last().unwrap().case.as_ref().unwrap().server_verdict.clone();
            let t = trail(case.id, last.clone().unwrap(), &versions, &[], &[]);
            let mut before: Option<Verdict> = None;
            for e in &t.entries {
                let MoneyEvent::Version { was, now, facts, .. } = &e.what else { unreachable!() };
                prop_assert_eq!(was, &before);
                prop_assert!(!facts.is_empty() || was != now);
                before = now.clone();
            }
            prop_assert_eq!(before, last);
            prop_assert!(t.entries.windows(2).all(|w| w[0].at <= w[1].at));
        }
    }
}
