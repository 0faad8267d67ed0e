//! Call-back spot checks (回访抽查): before a claim leaves 初审, the
//! judicial office telephones the parties of a sample of its lines to hear
//! that the mediation took place. The sample is drawn by the server from a
//! seed it records, out of the lines as claimed, so an auditor redraws the
//! same cases from the seed and the claim ([`draw`]). Its size is rule-set
//! data ([`SpotCheckRule`]: a share of the lines, at least so many, never
//! more than there are).
//!
//! Each call is appended (who, when, what the party said). A party reached
//! who confirms the mediation passes the check; one reached who denies it
//! fails it, and the failure takes the case out of the claim with the
//! reason (a [`LineChange`] returning the line). A party not reached leaves
//! the check waiting: the office calls again, or sends the line back itself
//! when it signs. 初审 cannot pass a claim while a sampled line still in it
//! waits ([`ready_to_pass`]).

pub use crate::claim::{CallBack, CheckResult, SpotCheck};
use crate::claim::{Claim, DecisionError, LineChange, Stage, Step, check_words};
use crate::mix::Mix;
use crate::money::Money;
pub use crate::rules::SpotCheckRule;
use crate::time::Timestamp;
use crate::{CaseId, PersonId};
use serde::{Deserialize, Serialize};

/// How many of `lines` lines the rule calls back.
pub fn size(rule: &SpotCheckRule, lines: usize) -> usize {
    let share = (lines * usize::from(rule.percent)).div_ceil(100);
    share.max(rule.at_least as usize).min(lines)
}

/// The lines drawn from `seed`: [`size`] of them, chosen without
/// repetition, answered in the order they stand in `lines`. The same seed
/// and lines give the same draw on every platform.
pub fn draw(seed: u32, lines: &[CaseId], rule: &SpotCheckRule) -> Vec<CaseId> {
    let n = size(rule, lines.len());
    let mut order: Vec<usize> = (0..lines.len()).collect();
    let mut mix = Mix(u64::from(seed));
    // a partial Fisher–Yates shuffle: the first `n` places are the draw
    for i in 0..n {
        let j = i + mix.below((lines.len() - i) as u64) as usize;
        order.swap(i, j);
    }
    let mut chosen = order[..n].to_vec();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| lines[i]).collect()
}

/// `POST /api/v1/claims/{id}/spot-check`: draw the sample, on the claim's
/// version as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DrawRequest {
    pub version: u64,
}

/// `POST /api/v1/claims/{id}/spot-check/calls`: one call to a party of a
/// sampled case, on the claim's version as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    pub version: u64,
    pub case_id: CaseId,
    pub reached: bool,
    pub confirms: bool,
    pub satisfied: bool,
    #[serde(default)]
    pub notes: String,
}

fn refuse(field: &str, message: impl Into<String>) -> DecisionError {
    DecisionError {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn at_first_review(claim: &Claim) -> Result<(), DecisionError> {
    if claim.stage == Stage::At(Step::FirstReview) {
        Ok(())
    } else {
        Err(refuse(
            "version",
            "回访抽查在初审环节进行，此申报已不在初审 / call-backs are made at 初审, and the claim is past it",
        ))
    }
}

/// The sample the claim's rule draws from `seed` (at 初审, once). Pure:
/// `seed`, `by`, `by_name`, `at` are the caller's.
pub fn start(
    claim: &Claim,
    rule: Option<&SpotCheckRule>,
    seed: u32,
    by: PersonId,
    by_name: &str,
    at: Timestamp,
) -> Result<SpotCheck, DecisionError> {
    at_first_review(claim)?;
    if claim.spot_check.is_some() {
        return Err(refuse(
            "version",
            "已经抽取过回访案件 / the sample is already drawn",
        ));
    }
    let Some(rule) = rule else {
        return Err(refuse(
            "version",
            "本季度的规则不要求回访抽查 / the quarter's rules ask for no call-backs",
        ));
    };
    let lines: Vec<CaseId> = claim.lines.iter().map(|l| l.case_id).collect();
    Ok(SpotCheck {
        seed,
        rule: *rule,
        cases: draw(seed, &lines, rule),
        by,
        by_name: by_name.to_owned(),
        at,
        calls: Vec::new(),
    })
}

/// The longest call note, in characters.
pub const MAX_NOTE_CHARS: usize = 200;

/// The call the request records, and the line change a failed check
/// appends (the case leaves the claim, "回访抽查未通过"), checked against
/// the claim as it stands: at 初审, the sample drawn, the case in it,
/// still in the claim and not decided; the answers consistent; what the
/// party said given when they deny it. Pure: `by`, `by_name`, `at` are the
/// caller's.
pub fn record(
    claim: &Claim,
    req: &CallRequest,
    by: PersonId,
    by_name: &str,
    at: Timestamp,
) -> Result<(CallBack, Option<LineChange>), DecisionError> {
    at_first_review(claim)?;
    let Some(check) = &claim.spot_check else {
        return Err(refuse(
            "case_id",
            "请先抽取回访案件 / draw the sample first",
        ));
    };
    if !check.cases.contains(&req.case_id) {
        return Err(refuse(
            "case_id",
            "此案件不在抽查之列 / the case is not in the sample",
        ));
    }
    let returned = claim
        .current()
        .iter()
        .any(|l| l.case_id == req.case_id && l.returned);
    if returned {
        return Err(refuse(
            "case_id",
            "此案件已退回，不再回访 / the case has left the claim",
        ));
    }
    if check.result(req.case_id) != CheckResult::Waiting {
        return Err(refuse(
            "case_id",
            "此案件已有回访结果 / the case's check is decided",
        ));
    }
    if !req.reached && (req.confirms || req.satisfied) {
        return Err(refuse(
            "reached",
            "没有接通，不能记为认可或满意 / nobody answered: they cannot have confirmed",
        ));
    }
    if !req.confirms && req.satisfied {
        return Err(refuse(
            "satisfied",
            "当事人不认可调解，不能记为满意 / a party who denies the mediation is not satisfied with it",
        ));
    }
    let notes = req.notes.trim();
    if notes.chars().count() > MAX_NOTE_CHARS {
        return Err(refuse(
            "notes",
            format!("回访情况最多 {MAX_NOTE_CHARS} 字 / at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    let fails = req.reached && !req.confirms;
    let notes = if fails {
        check_words("notes", notes, "当事人的说法")?
    } else {
        notes.to_owned()
    };
    let change = fails.then(|| LineChange {
        case_id: req.case_id,
        step: Step::FirstReview,
        tier: None,
        amount: Money::ZERO,
        // the parties' words stay in the call, which only the roles that
        // read cases see; a line's reason goes wherever the claim goes
        reason: "回访抽查未通过：当事人不认可调解".to_owned(),
        by,
        by_name: by_name.to_owned(),
        at,
    });
    Ok((
        CallBack {
            case_id: req.case_id,
            reached: req.reached,
            confirms: req.confirms,
            satisfied: req.satisfied,
            notes,
            by,
            by_name: by_name.to_owned(),
            at,
        },
        change,
    ))
}

/// The sampled cases still in the claim whose check waits.
pub fn waiting(claim: &Claim) -> Vec<CaseId> {
    let Some(check) = &claim.spot_check else {
        return Vec::new();
    };
    let current = claim.current();
    check
        .cases
        .iter()
        .copied()
        .filter(|case| {
            current.iter().any(|l| l.case_id == *case && !l.returned)
                && check.result(*case) == CheckResult::Waiting
        })
        .collect()
}

/// Whether 初审 may pass the claim (as it will stand after the signer's
/// own line changes): under a rule that asks for call-backs, the sample is
/// drawn and no sampled line still in the claim waits. The refusal names
/// the waiting cases' numbers.
pub fn ready_to_pass(claim: &Claim, rule: Option<&SpotCheckRule>) -> Result<(), DecisionError> {
    if rule.is_none() || claim.current().iter().all(|l| l.returned) {
        return Ok(());
    }
    if claim.spot_check.is_none() {
        return Err(refuse(
            "spot_check",
            format!(
                "{}的申报还没有回访抽查：请先抽取回访案件并逐一回访 / {}: draw the call-back sample and make the calls first",
                claim.unit_name, claim.unit_name
            ),
        ));
    }
    let left = waiting(claim);
    if left.is_empty() {
        return Ok(());
    }
    let numbers: Vec<&str> = claim
        .lines
        .iter()
        .filter(|l| left.contains(&l.case_id))
        .map(|l| l.number.as_str())
        .collect();
    Err(refuse(
        "spot_check",
        format!(
            "还有 {} 件抽查案件没有回访结果：{}（联系不上的，可退回此案并写明理由） / {} sampled cases have no call-back result: {}",
            left.len(),
            numbers.join("、"),
            left.len(),
            numbers.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::ClaimLine;
    use crate::rules::builtin;

    use jiff::civil::Date;
    use proptest::prelude::*;

    const RULE: SpotCheckRule = SpotCheckRule {
        percent: 10,
        at_least: 2,
    };

    fn at() -> Timestamp {
        "2026-10-08T02:00:00Z".parse().unwrap()
    }

    fn ids(n: usize) -> Vec<CaseId> {
        (0..n)
            .map(|i| CaseId::stable(&format!("case-{i}")))
            .collect()
    }

    fn claim(n: usize) -> Claim {
        let lines = ids(n)
            .into_iter()
            .enumerate()
            .map(|(i, case_id)| ClaimLine {
                case_id,
                number: format!("(2026)楚人调字第 {} 号", i + 1),
                parties: vec!["张三".into(), "李四".into()],
                dispute_type: "neighbours".into(),
                closed_on: Date::new(2026, 8, 1).unwrap(),
                mediator_id: PersonId::stable("m"),
                mediator: "王调解".into(),
                tier: "C".into(),
                amount: Money::yuan(200),
                late: false,
                special: None,
            })
            .collect();
        Claim {
            submitted_at: at(),
            ..crate::testing::claim(lines)
        }
    }

    fn drawn(n: usize, seed: u32) -> Claim {
        let mut c = claim(n);
        c.spot_check = Some(
            start(
                &c,
                Some(&RULE),
                seed,
                PersonId::stable("staff"),
                "所员",
                at(),
            )
            .unwrap(),
        );
        c
    }

    fn call(case: CaseId, reached: bool, confirms: bool, notes: &str) -> CallRequest {
        CallRequest {
            version: 1,
            case_id: case,
            reached,
            confirms,
            satisfied: confirms,
            notes: notes.into(),
        }
    }

    fn apply(c: &mut Claim, req: &CallRequest) -> Result<(), DecisionError> {
        let (made, change) = record(c, req, PersonId::stable("staff"), "所员", at())?;
        c.spot_check.as_mut().unwrap().calls.push(made);
        c.changes.extend(change);
        Ok(())
    }

    #[test]
    fn the_city_rules_call_back_a_tenth_and_at_least_two() {
        let rule = builtin()
            .iter()
            .find(|r| r.id == "chuxiong-2014")
            .and_then(|r| r.spot_check)
            .unwrap();
        assert_eq!(rule, RULE);
        let sizes: Vec<usize> = [0, 1, 2, 3, 19, 20, 21, 40, 41]
            .iter()
            .map(|&n| size(&rule, n))
            .collect();
        assert_eq!(sizes, [0, 1, 2, 2, 2, 2, 3, 4, 5]);
        let all = SpotCheckRule {
            percent: 100,
            at_least: 1,
        };
        assert_eq!(size(&all, 7), 7);
    }

    #[test]
    fn a_draw_is_the_seeds_and_the_lines_order() {
        let lines = ids(30);
        let one = draw(20261206, &lines, &RULE);
        assert_eq!(one, draw(20261206, &lines, &RULE));
        assert_eq!(one.len(), 3);
        let places: Vec<usize> = one
            .iter()
            .map(|c| lines.iter().position(|l| l == c).unwrap())
            .collect();
        assert!(places.windows(2).all(|w| w[0] < w[1]), "{places:?}");
        // another seed draws other lines (of these 4,060 possible samples)
        assert!((1..20).any(|s| draw(s, &lines, &RULE) != one));
    }

    #[test]
    fn the_sample_is_drawn_once_at_first_review_under_a_rule() {
        let c = claim(5);
        let who = PersonId::stable("staff");
        assert_eq!(
            start(&c, None, 1, who, "所员", at()).unwrap_err().field,
            "version"
        );
        let d = drawn(5, 7);
        let again = start(&d, Some(&RULE), 8, who, "所员", at()).unwrap_err();
        assert!(again.message.contains("已经抽取过"), "{again}");
        let mut later = claim(5);
        later.stage = Stage::At(Step::SecondReview);
        let late = start(&later, Some(&RULE), 1, who, "所员", at()).unwrap_err();
        assert!(late.message.contains("已不在初审"), "{late}");
    }

    #[test]
    fn a_denial_takes_the_case_out_and_a_confirmation_passes_it() {
        let mut c = drawn(12, 42);
        let sample = c.spot_check.as_ref().unwrap().cases.clone();
        assert_eq!(sample.len(), 2);
        let refused = ready_to_pass(&c, Some(&RULE)).unwrap_err();
        assert_eq!(refused.field, "spot_check");
        assert!(
            refused
                .message
                .starts_with("还有 2 件抽查案件没有回访结果："),
            "{refused}"
        );
        // nobody answered: still waiting
        apply(&mut c, &call(sample[0], false, false, "关机")).unwrap();
        assert_eq!(waiting(&c), sample);
        // the party denies it: a reason is required, then the line leaves
        let bare = record(
            &c,
            &call(sample[0], true, false, " "),
            PersonId::stable("s"),
            "s",
            at(),
        );
        assert_eq!(bare.unwrap_err().field, "notes");
        apply(&mut c, &call(sample[0], true, false, "说没有人来调解过")).unwrap();
        let line = c
            .current()
            .into_iter()
            .find(|l| l.case_id == sample[0])
            .unwrap();
        assert!(line.returned);
        assert_eq!(
            line.reason.as_deref(),
            Some("回访抽查未通过：当事人不认可调解")
        );
        assert_eq!(
            c.spot_check.as_ref().unwrap().result(sample[0]),
            CheckResult::Failed
        );
        assert_eq!(c.total(), Money::yuan(200 * 11));
        // decided: no second call
        let twice = record(
            &c,
            &call(sample[0], true, true, ""),
            PersonId::stable("s"),
            "s",
            at(),
        );
        assert!(twice.unwrap_err().message.contains("已退回"));
        apply(&mut c, &call(sample[1], true, true, "")).unwrap();
        assert_eq!(
            c.spot_check.as_ref().unwrap().result(sample[1]),
            CheckResult::Passed
        );
        assert!(waiting(&c).is_empty());
        assert_eq!(ready_to_pass(&c, Some(&RULE)), Ok(()));
        let again = record(
            &c,
            &call(sample[1], true, true, ""),
            PersonId::stable("s"),
            "s",
            at(),
        );
        assert!(again.unwrap_err().message.contains("已有回访结果"));
    }

    #[test]
    fn answers_must_agree_with_each_other() {
        let c = drawn(3, 1);
        let case = c.spot_check.as_ref().unwrap().cases[0];
        let who = PersonId::stable("s");
        let mut unreached = call(case, false, true, "");
        assert_eq!(
            record(&c, &unreached, who, "s", at()).unwrap_err().field,
            "reached"
        );
        unreached.confirms = false;
        unreached.satisfied = true;
        assert_eq!(
            record(&c, &unreached, who, "s", at()).unwrap_err().field,
            "reached"
        );
        let mut odd = call(case, true, false, "不认可");
        odd.satisfied = true;
        assert_eq!(
            record(&c, &odd, who, "s", at()).unwrap_err().field,
            "satisfied"
        );
        let long = call(case, true, true, &"很".repeat(MAX_NOTE_CHARS + 1));
        assert_eq!(
            record(&c, &long, who, "s", at()).unwrap_err().field,
            "notes"
        );
        let stranger = call(CaseId::stable("stranger"), true, true, "");
        assert!(
            record(&c, &stranger, who, "s", at())
                .unwrap_err()
                .message
                .contains("不在抽查之列")
        );
        let undrawn = claim(3);
        assert!(
            record(&undrawn, &call(case, true, true, ""), who, "s", at())
                .unwrap_err()
                .message
                .contains("请先抽取")
        );
    }

    #[test]
    fn a_claim_needs_no_draw_under_a_rule_without_one_or_once_emptied() {
        let c = claim(4);
        assert_eq!(ready_to_pass(&c, None), Ok(()));
        let refused = ready_to_pass(&c, Some(&RULE)).unwrap_err();
        assert!(
            refused
                .message
                .starts_with("大潭村调委会的申报还没有回访抽查"),
            "{refused}"
        );
        // every line sent back: nothing left to call
        let mut emptied = claim(2);
        for l in emptied.lines.clone() {
            emptied.changes.push(LineChange {
                case_id: l.case_id,
                step: Step::FirstReview,
                tier: None,
                amount: Money::ZERO,
                reason: "材料不全".into(),
                by: PersonId::stable("s"),
                by_name: "s".into(),
                at: at(),
            });
        }
        assert_eq!(ready_to_pass(&emptied, Some(&RULE)), Ok(()));
    }

    proptest! {
        #[test]
        fn a_draw_is_a_sample_of_the_lines(seed in any::<u32>(), n in 0usize..200, percent in 1u8..=100, at_least in 1u32..10) {
            let rule = SpotCheckRule { percent, at_least };
            let lines = ids(n);
            let d = draw(seed, &lines, &rule);
            prop_assert_eq!(d.len(), size(&rule, n));
            prop_assert!(d.len() <= n);
            prop_assert!(d.len() >= (at_least as usize).min(n));
            prop_assert!(d.len() * 100 >= n * usize::from(percent) || d.len() == at_least as usize);
            let mut seen = d.clone();
            seen.sort_unstable();
            seen.dedup();
            prop_assert_eq!(seen.len(), d.len());
            prop_assert!(d.iter().all(|c| lines.contains(c)));
            prop_assert_eq!(d, draw(seed, &lines, &rule));
        }
    }
}
