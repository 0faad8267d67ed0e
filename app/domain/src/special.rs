//! Especially grave disputes (重特大纠纷, tier E): a committee reports such
//! a case one at a time (一案一报) when it claims it, with why; the
//! bureau's party group (市司法局党组) decides collectively, while the claim
//! waits at 审批, whether it is one and what it pays ("raised
//! appropriately"). Until then the line earns what the case's verdict
//! gives it (its fixed tier), and the approver cannot pass the claim.
//!
//! A decision is appended, never changed: an approved one also appends a
//! [`LineChange`] to tier E with the amount, so the claim's totals fold it
//! like any other change.

pub use crate::claim::SpecialDecision;
use crate::claim::{Claim, DecisionError, LineChange, Stage, Step, check_words};
use crate::money::Money;
use crate::rules::{CaseFacts, RuleSet, TierAmount, evaluate_with};
use crate::time::Timestamp;
use crate::{CaseId, PersonId};
use serde::{Deserialize, Serialize};

/// The most one special case may be decided to pay, in yuan: a guard
/// against a slipped digit, not a rule of the article (which says only
/// "raised appropriately"); a larger sum needs a rule set that says so.
pub const MAX_SPECIAL_YUAN: u32 = 100_000;

/// A line the committee reports as especially grave, with why (一案一报).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SpecialReport {
    pub case_id: CaseId,
    /// What makes it especially grave (its impact, the harm, the people).
    pub reason: String,
}

/// `POST /api/v1/claims/{id}/special-decisions`: the party group's
/// decision on one reported line, on the claim's version as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SpecialRequest {
    pub version: u64,
    pub case_id: CaseId,
    pub approved: bool,
    /// Required when approved, refused when not.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, examples("3000.00")))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    pub minutes: String,
}

fn refuse(field: &str, message: impl Into<String>) -> DecisionError {
    DecisionError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The tier a party group's decision puts a line in (the rule set's tier
/// paid "by approval").
pub fn special_tier(rules: &RuleSet) -> Option<&str> {
    rules
        .tiers
        .iter()
        .find(|t| t.amount == TierAmount::ByApproval)
        .map(|t| t.code.as_str())
}

/// Whether a case with these facts may be reported as especially grave:
/// it would earn the approval tier once declared and decided (a grave
/// dispute still has to be mediated independently, agreed, with its
/// forms and archived).
pub fn may_be_reported(facts: &CaseFacts, rules: &RuleSet) -> bool {
    let Some(code) = special_tier(rules) else {
        return false;
    };
    let mut declared = facts.clone();
    declared.special = true;
    // an amount above every fixed tier, so the approval tier is the best
    declared.approved_amount = Some(Money::yuan(MAX_SPECIAL_YUAN));
    evaluate_with(&declared, rules).tier.as_deref() == Some(code)
}

/// The reported lines of the claim still waiting for the party group:
/// reported, not returned, not decided.
pub fn awaiting(claim: &Claim) -> Vec<CaseId> {
    let current = claim.current();
    claim
        .lines
        .iter()
        .filter(|l| l.special.is_some())
        .filter(|l| {
            current
                .iter()
                .any(|c| c.case_id == l.case_id && !c.returned)
        })
        .filter(|l| {
            !claim
                .special_decisions
                .iter()
                .any(|d| d.case_id == l.case_id)
        })
        .map(|l| l.case_id)
        .collect()
}

/// The decision the request makes, and the line change an approval
/// appends, checked against the claim as it stands: it waits at 审批, the
/// line was reported and is undecided and not returned; minutes given; an
/// approved amount pays more than the line earns now, at most
/// [`MAX_SPECIAL_YUAN`]. Pure: `by`, `by_name`, `at` are the caller's.
pub fn decide(
    claim: &Claim,
    rules: &RuleSet,
    req: &SpecialRequest,
    by: PersonId,
    by_name: &str,
    at: Timestamp,
) -> Result<(SpecialDecision, Option<LineChange>), DecisionError> {
    if claim.stage != Stage::At(Step::Approval) {
        return Err(refuse(
            "case_id",
            "党组在审批环节决定重特大纠纷，此申报现在不在审批 / the party group decides while the claim waits for approval",
        ));
    }
    if !awaiting(claim).contains(&req.case_id) {
        let reported = claim
            .lines
            .iter()
            .any(|l| l.case_id == req.case_id && l.special.is_some());
        return Err(refuse(
            "case_id",
            if reported {
                "此案件已有决定或已退回 / the case is decided or sent back"
            } else {
                "此案件没有按重特大纠纷上报 / the case was not reported as especially grave"
            },
        ));
    }
    let minutes = check_words("minutes", &req.minutes, "会议纪要或决定文号")?;
    let Some(tier) = special_tier(rules) else {
        return Err(refuse(
            "approved",
            "本季度的规则没有重特大纠纷档次 / the quarter's rules have no special tier",
        ));
    };
    let now = claim
        .current()
        .into_iter()
        .find(|l| l.case_id == req.case_id)
        .map_or(Money::ZERO, |l| l.amount);
    let change = match (req.approved, req.amount) {
        (false, None) => None,
        (false, Some(_)) => {
            return Err(refuse(
                "amount",
                "不认定为重特大纠纷时不填金额 / no amount when not recognised",
            ));
        }
        (true, None) => {
            return Err(refuse(
                "amount",
                "请填写党组决定的金额 / give the amount the party group decided",
            ));
        }
        (true, Some(amount)) => {
            if amount <= now || amount > Money::yuan(MAX_SPECIAL_YUAN) {
                return Err(refuse(
                    "amount",
                    format!(
                        "金额应多于此案现在的 {now} 元、不超过 {MAX_SPECIAL_YUAN} 元 / more than the {now} it earns now, at most {MAX_SPECIAL_YUAN}"
                    ),
                ));
            }
            Some(LineChange {
                case_id: req.case_id,
                step: Step::Approval,
                tier: Some(tier.to_owned()),
                amount,
                reason: format!("党组决定：{minutes}"),
                by,
                by_name: by_name.to_owned(),
                at,
            })
        }
    };
    Ok((
        SpecialDecision {
            case_id: req.case_id,
            approved: req.approved,
            amount: change.as_ref().map(|c| c.amount),
            minutes,
            by,
            by_name: by_name.to_owned(),
            at,
        },
        change,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::{ClaimLine, Decision, Signature};
    use crate::rules::{CommitteeKind, FormCode, Method, Outcome, builtin};

    use jiff::civil::Date;

    fn rules() -> &'static RuleSet {
        builtin()
            .iter()
            .find(|r| r.id == "chuxiong-2014")
            .expect("the 2014 rules")
    }

    fn at() -> Timestamp {
        "2026-10-20T02:00:00Z".parse().unwrap()
    }

    fn line(n: u32, special: bool) -> ClaimLine {
        ClaimLine {
            case_id: CaseId::stable(&format!("case-{n}")),
            number: format!("(2026)楚人调字第 {n} 号"),
            parties: vec!["张三".into()],
            dispute_type: "land".into(),
            closed_on: Date::new(2026, 8, 1).unwrap(),
            mediator_id: PersonId::stable("m"),
            mediator: "王调解".into(),
            tier: "C".into(),
            amount: Money::yuan(200),
            late: false,
            special: special.then(|| "群体性土地纠纷，涉及 60 户".into()),
        }
    }

    fn at_approval() -> Claim {
        Claim {
            unit_name: "村调委会".into(),
            township_name: "镇".into(),
            rule_set: rules().id.clone(),
            stage: Stage::At(Step::Approval),
            version: 5,
            submitted_at: at(),
            ..crate::testing::claim(vec![line(1, true), line(2, false)])
        }
    }

    fn request(approved: bool, yuan: Option<u32>) -> SpecialRequest {
        SpecialRequest {
            version: 5,
            case_id: CaseId::stable("case-1"),
            approved,
            amount: yuan.map(Money::yuan),
            minutes: "党组会议纪要〔2026〕9 号".into(),
        }
    }

    fn decide_as_group(
        claim: &Claim,
        req: &SpecialRequest,
    ) -> Result<(SpecialDecision, Option<LineChange>), DecisionError> {
        decide(
            claim,
            rules(),
            req,
            PersonId::stable("group"),
            "党组成员",
            at(),
        )
    }

    #[test]
    fn an_approved_decision_moves_the_line_to_tier_e_with_its_amount() {
        let mut claim = at_approval();
        assert_eq!(awaiting(&claim), vec![CaseId::stable("case-1")]);
        let (decision, change) = decide_as_group(&claim, &request(true, Some(3000))).unwrap();
        let change = change.expect("an approval changes the line");
        assert_eq!(change.tier.as_deref(), Some("E"));
        assert_eq!(decision.amount, Some(Money::yuan(3000)));
        claim.changes.push(change);
        claim.special_decisions.push(decision);
        assert!(awaiting(&claim).is_empty());
        assert_eq!(claim.total(), Money::yuan(3200));
        // decided once
        let again = decide_as_group(&claim, &request(false, None)).unwrap_err();
        assert_eq!(again.field, "case_id");
    }

    #[test]
    fn a_refusal_keeps_the_lines_tier_and_amount() {
        let mut claim = at_approval();
        let (decision, change) = decide_as_group(&claim, &request(false, None)).unwrap();
        assert!(change.is_none());
        assert!(!decision.approved);
        claim.special_decisions.push(decision);
        assert!(awaiting(&claim).is_empty());
        assert_eq!(claim.total(), Money::yuan(400));
    }

    #[test]
    fn amounts_minutes_lines_and_the_stage_are_checked() {
        let claim = at_approval();
        let field = |r: SpecialRequest| decide_as_group(&claim, &r).unwrap_err().field;
        assert_eq!(field(request(true, None)), "amount");
        assert_eq!(field(request(false, Some(500))), "amount");
        assert_eq!(
            field(request(true, Some(200))),
            "amount",
            "not more than now"
        );
        assert_eq!(field(request(true, Some(MAX_SPECIAL_YUAN + 1))), "amount");
        let mut blank = request(true, Some(3000));
        blank.minutes = "  ".into();
        assert_eq!(field(blank), "minutes");
        let mut other = request(true, Some(3000));
        other.case_id = CaseId::stable("case-2");
        let err = decide_as_group(&claim, &other).unwrap_err();
        assert!(err.message.contains("没有按重特大纠纷上报"), "{err}");
        let mut early = at_approval();
        early.stage = Stage::At(Step::CitySummary);
        assert!(decide_as_group(&early, &request(true, Some(3000))).is_err());
    }

    #[test]
    fn a_returned_line_waits_for_nobody() {
        let mut claim = at_approval();
        claim.changes.push(LineChange {
            case_id: CaseId::stable("case-1"),
            step: Step::FirstReview,
            tier: None,
            amount: Money::ZERO,
            reason: "材料不全".into(),
            by: PersonId::stable("staff"),
            by_name: "科员".into(),
            at: at(),
        });
        claim.signatures.push(Signature {
            step: Step::FirstReview,
            decision: Decision::Pass,
            by: PersonId::stable("staff"),
            by_name: "科员".into(),
            at: at(),
            opinion: "同意".into(),
            total: Money::yuan(200),
        });
        assert!(awaiting(&claim).is_empty());
    }

    fn grave_facts() -> CaseFacts {
        CaseFacts {
            committee: CommitteeKind::Village,
            closed_on: Date::new(2026, 8, 1).unwrap(),
            method: Method::General,
            outcome: Outcome::Agreed,
            sessions: 3,
            oral_register: false,
            forms: rules().required_forms.iter().cloned().collect(),
            archived: true,
            recorded: true,
            deaths: 0,
            disability_grade: None,
            independent: true,
            special: false,
            approved_amount: None,
        }
    }

    #[test]
    fn only_a_case_that_would_earn_tier_e_may_be_reported() {
        assert!(may_be_reported(&grave_facts(), rules()));
        let mut helped = grave_facts();
        helped.independent = false;
        assert!(!may_be_reported(&helped, rules()), "not mediated alone");
        let mut failed = grave_facts();
        failed.outcome = Outcome::NotAgreed;
        assert!(!may_be_reported(&failed, rules()));
        let mut thin = grave_facts();
        thin.forms.remove(&FormCode::new("follow_up"));
        assert!(!may_be_reported(&thin, rules()), "a form missing");
        assert_eq!(special_tier(rules()), Some("E"));
    }
}
