//! The quarterly money loop (以案定补兑现): a committee's claim (补助申报)
//! of the subsidies its closed cases earned in a quarter, and the steps of
//! its approval (兑现审批) — 初审, 复审, 复核, 复核汇总, 审批, 拨付, 核发,
//! 到账确认 — each signed by the role the article names.
//!
//! A claim's lines are what was claimed, once and for all; a reviewer's
//! reduction of a line's tier or its return to the committee is a
//! [`LineChange`] appended after it, and a step's signature a
//! [`Signature`]: the past is never rewritten. What a line earns now is
//! folded from the two ([`Claim::current`]), and a claim's total is the sum
//! of its current lines, to the fen.

use crate::money::Money;
use crate::people::Role;
use crate::rules::{RuleSet, TierAmount};
use crate::screening::{Cadence, Period};
use crate::time::Timestamp;
use crate::{CaseId, ClaimId, PersonId, UnitId};
use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar quarter on China's calendar (季度), written `2026-Q3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter(Period);

/// A text that is not a quarter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("季度格式无效 “{0}”，应如 2026-Q3 / not a quarter, e.g. 2026-Q3")]
pub struct QuarterError(pub String);

impl Quarter {
    /// The quarter holding `day`.
    pub fn containing(day: Date) -> Quarter {
        Quarter(Period::containing(Cadence::Quarterly, day))
    }

    /// Quarter `q` (1–4) of `year`.
    pub fn new(year: i16, q: i8) -> Option<Quarter> {
        Period::quarter(year, q).map(Quarter)
    }

    pub fn year(self) -> i16 {
        self.0.year()
    }

    /// 1–4.
    pub fn number(self) -> i8 {
        self.0.number()
    }

    pub fn first_day(self) -> Date {
        self.0.start()
    }

    pub fn last_day(self) -> Date {
        self.0.end()
    }

    pub fn prev(self) -> Option<Quarter> {
        self.0.prev().map(Quarter)
    }

    /// `2026年第3季度`.
    pub fn label_zh(self) -> String {
        self.0.label_zh()
    }

    /// `Q3 2026`.
    pub fn label_en(self) -> String {
        self.0.label_en()
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.key())
    }
}

impl FromStr for Quarter {
    type Err = QuarterError;
    fn from_str(s: &str) -> Result<Quarter, QuarterError> {
        match Period::parse(s) {
            Ok(p) if p.cadence() == Cadence::Quarterly => Ok(Quarter(p)),
            _ => Err(QuarterError(s.to_owned())),
        }
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Quarter, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// One step of the approval (兑现审批), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 初审 — the judicial office's staff fill the approval slip.
    FirstReview,
    /// 复审 — the judicial office's director.
    SecondReview,
    /// 复核 — the township leader; the township's table (兑现审批表) is formed.
    TownshipCheck,
    /// 复核汇总 — the bureau's business section checks and totals all townships.
    CitySummary,
    /// 审批 — the bureau approves the spend.
    Approval,
    /// 拨付 — the bureau's finance pays each township's finance office.
    TownshipPayment,
    /// 核发 — the township's finance office pays each mediator.
    MediatorPayment,
    /// 到账确认 — the mediator confirms the money arrived.
    Receipt,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::FirstReview,
        Step::SecondReview,
        Step::TownshipCheck,
        Step::CitySummary,
        Step::Approval,
        Step::TownshipPayment,
        Step::MediatorPayment,
        Step::Receipt,
    ];

    /// The steps where a reviewer reads the lines and may reduce or return
    /// them (the rest move money).
    pub const REVIEWS: [Step; 5] = [
        Step::FirstReview,
        Step::SecondReview,
        Step::TownshipCheck,
        Step::CitySummary,
        Step::Approval,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::FirstReview => "first_review",
            Step::SecondReview => "second_review",
            Step::TownshipCheck => "township_check",
            Step::CitySummary => "city_summary",
            Step::Approval => "approval",
            Step::TownshipPayment => "township_payment",
            Step::MediatorPayment => "mediator_payment",
            Step::Receipt => "receipt",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Step::FirstReview => "初审",
            Step::SecondReview => "复审",
            Step::TownshipCheck => "复核",
            Step::CitySummary => "复核汇总",
            Step::Approval => "审批",
            Step::TownshipPayment => "拨付",
            Step::MediatorPayment => "核发",
            Step::Receipt => "到账确认",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Step::FirstReview => "first review",
            Step::SecondReview => "second review",
            Step::TownshipCheck => "township check",
            Step::CitySummary => "city summary",
            Step::Approval => "approval",
            Step::TownshipPayment => "payment to the township",
            Step::MediatorPayment => "payment to the mediators",
            Step::Receipt => "receipt",
        }
    }

    /// Who signs it (REFERENCE.md §4), over the claiming committee.
    pub fn role(self) -> Role {
        match self {
            Step::FirstReview => Role::JudicialStaff,
            Step::SecondReview => Role::JudicialDirector,
            Step::TownshipCheck => Role::TownshipLeader,
            Step::CitySummary => Role::BureauSection,
            Step::Approval => Role::BureauApprover,
            Step::TownshipPayment => Role::BureauFinance,
            Step::MediatorPayment => Role::TownshipFinance,
            Step::Receipt => Role::Mediator,
        }
    }

    pub fn next(self) -> Option<Step> {
        let i = Step::ALL.iter().position(|s| *s == self)?;
        Step::ALL.get(i + 1).copied()
    }

    pub fn is_review(self) -> bool {
        Step::REVIEWS.contains(&self)
    }
}

impl FromStr for Step {
    type Err = ();
    fn from_str(s: &str) -> Result<Step, ()> {
        Step::ALL.into_iter().find(|x| x.code() == s).ok_or(())
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Waiting for this step.
    At(Step),
    /// Sent back whole to the committee (退回): its cases are free again.
    Returned,
    /// Every step done.
    Finished,
}

impl Stage {
    pub fn code(self) -> &'static str {
        match self {
            Stage::At(step) => step.code(),
            Stage::Returned => "returned",
            Stage::Finished => "finished",
        }
    }

    pub fn name_zh(self) -> String {
        match self {
            Stage::At(step) => format!("待{}", step.name_zh()),
            Stage::Returned => "已退回".into(),
            Stage::Finished => "已完成".into(),
        }
    }

    pub fn name_en(self) -> String {
        match self {
            Stage::At(step) => format!("waiting for {}", step.name_en()),
            Stage::Returned => "sent back".into(),
            Stage::Finished => "finished".into(),
        }
    }

    /// The step it waits for, if any.
    pub fn step(self) -> Option<Step> {
        match self {
            Stage::At(step) => Some(step),
            _ => None,
        }
    }

    /// After `step` is passed.
    pub fn after(step: Step) -> Stage {
        step.next().map_or(Stage::Finished, Stage::At)
    }
}

impl FromStr for Stage {
    type Err = ();
    fn from_str(s: &str) -> Result<Stage, ()> {
        match s {
            "returned" => Ok(Stage::Returned),
            "finished" => Ok(Stage::Finished),
            _ => s.parse().map(Stage::At),
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Stage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Stage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Stage, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|_| serde::de::Error::custom(format!("unknown stage {s:?}")))
    }
}

/// One case as claimed (申报明细), fixed when the claim was submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimLine {
    pub case_id: CaseId,
    /// 案号, e.g. `(2026)楚人调字第 12 号`.
    pub number: String,
    /// The parties' names; empty to a finance office.
    pub parties: Vec<String>,
    /// A code of the dispute-type table.
    pub dispute_type: String,
    /// 结案日期.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub closed_on: Date,
    /// Who did the work (首调责任人 at the claim).
    pub mediator_id: PersonId,
    pub mediator: String,
    /// The tier and amount claimed: the server's verdict at submission.
    pub tier: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("200.00")))]
    pub amount: Money,
    /// Closed in an earlier quarter and claimed now (补报).
    pub late: bool,
    /// Reported as especially grave (重特大, 一案一报): the committee's
    /// reason; the party group decides at 审批 (its decision a
    /// [`SpecialDecision`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special: Option<String>,
}

/// What a reviewer did to one line (核减 or 退回), appended after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineChange {
    pub case_id: CaseId,
    pub step: Step,
    /// The tier the line now earns (a reduction), or none (returned to
    /// the committee: it earns nothing in this claim).
    pub tier: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("100.00")))]
    pub amount: Money,
    pub reason: String,
    pub by: PersonId,
    pub by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// What a signer did at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// 同意: on to the next step.
    Pass,
    /// 退回: the whole claim back to the committee.
    Return,
}

/// A step's signature (签署): who, when, their opinion and the total they
/// signed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub step: Step,
    pub decision: Decision,
    pub by: PersonId,
    pub by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub opinion: String,
    /// The claim's total after this step's line changes.
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("330.00")))]
    pub total: Money,
}

/// The party group's decision on a line reported as especially grave
/// (党组决定; what it may be is decided by the special-case rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SpecialDecision {
    pub case_id: CaseId,
    /// Recognised as especially grave (tier E), or not (the line keeps
    /// its tier).
    pub approved: bool,
    /// What it pays, when approved.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, examples("3000.00")))]
    pub amount: Option<Money>,
    /// The meeting's minutes or the decision's document number (会议纪要).
    pub minutes: String,
    /// Who recorded it for the party group.
    pub by: PersonId,
    pub by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// One call to a party of a sampled case (回访记录), appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallBack {
    pub case_id: CaseId,
    /// 已接通: a party answered.
    pub reached: bool,
    /// 认可调解: the party says the committee mediated the dispute.
    pub confirms: bool,
    /// 满意: the party is satisfied with the mediation.
    pub satisfied: bool,
    /// What the party said, or why nobody answered (may be empty when
    /// the check passes).
    pub notes: String,
    pub by: PersonId,
    pub by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// A claim's sample and its calls (回访抽查).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SpotCheck {
    /// The recorded seed: [`crate::spot_check::draw`] of it over the claim's lines gives
    /// `cases`.
    pub seed: u32,
    /// The rule the sample was drawn by.
    pub rule: crate::rules::SpotCheckRule,
    /// The sampled cases, in the claim's order.
    pub cases: Vec<CaseId>,
    /// Who drew it, and when.
    pub by: PersonId,
    pub by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Every call made, in order.
    pub calls: Vec<CallBack>,
}

/// Where a sampled case's check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    /// Not called yet, or nobody answered (待回访).
    Waiting,
    /// A party confirmed the mediation (通过).
    Passed,
    /// A party denied it (未通过): the case left the claim.
    Failed,
}

impl SpotCheck {
    /// Where the check of `case` stands: its first call that reached a
    /// party decides it.
    pub fn result(&self, case: CaseId) -> CheckResult {
        match self.calls.iter().find(|c| c.case_id == case && c.reached) {
            None => CheckResult::Waiting,
            Some(c) if c.confirms => CheckResult::Passed,
            Some(_) => CheckResult::Failed,
        }
    }
}

/// A line as it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CurrentLine {
    pub case_id: CaseId,
    /// None once returned.
    pub tier: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("200.00")))]
    pub amount: Money,
    pub returned: bool,
    /// The last change's reason, if any.
    pub reason: Option<String>,
}

/// A committee's claim of a quarter, whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub id: ClaimId,
    /// The claiming committee.
    pub unit_id: UnitId,
    pub unit_name: String,
    /// Its township (乡镇), whose table the claim joins.
    pub township_id: UnitId,
    pub township_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    /// The rule set of the quarter's last day (its tiers and fund).
    pub rule_set: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("first_review")))]
    pub stage: Stage,
    /// Bumped by every signature: a step is signed on the version read.
    pub version: u64,
    pub submitted_by: PersonId,
    pub submitted_by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub submitted_at: Timestamp,
    pub lines: Vec<ClaimLine>,
    pub changes: Vec<LineChange>,
    pub signatures: Vec<Signature>,
    /// The party group's decisions on the lines reported as especially
    /// grave (an approved one is also a change to tier E). Left out when
    /// none, so an app of the version before reads such a claim still.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub special_decisions: Vec<SpecialDecision>,
    /// The call-back sample drawn at 初审 and its calls (回访抽查); left
    /// out until drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spot_check: Option<SpotCheck>,
}

impl Claim {
    /// Every line as it stands now: its last change, else as claimed.
    pub fn current(&self) -> Vec<CurrentLine> {
        self.lines
            .iter()
            .map(|line| {
                let last = self
                    .changes
                    .iter()
                    .rev()
                    .find(|c| c.case_id == line.case_id);
                match last {
                    Some(c) => CurrentLine {
                        case_id: line.case_id,
                        tier: c.tier.clone(),
                        amount: c.amount,
                        returned: c.tier.is_none(),
                        reason: Some(c.reason.clone()),
                    },
                    None => CurrentLine {
                        case_id: line.case_id,
                        tier: Some(line.tier.clone()),
                        amount: line.amount,
                        returned: false,
                        reason: None,
                    },
                }
            })
            .collect()
    }

    /// What was claimed, summed.
    pub fn claimed_total(&self) -> Money {
        sum(self.lines.iter().map(|l| l.amount))
    }

    /// What the lines earn now, summed.
    pub fn total(&self) -> Money {
        sum(self.current().iter().map(|l| l.amount))
    }

    /// The step this person signed on this claim, if any.
    pub fn signed_by(&self, person: PersonId) -> Option<Step> {
        self.signatures
            .iter()
            .find(|s| s.by == person)
            .map(|s| s.step)
    }
}

/// An exact sum of amounts. Amounts are whole fen and a quarter's claims
/// are far below `i64` fen, so this cannot overflow in practice; if it did,
/// it saturates rather than wrap.
pub fn sum(amounts: impl IntoIterator<Item = Money>) -> Money {
    amounts
        .into_iter()
        .try_fold(Money::ZERO, Money::checked_add)
        .unwrap_or(Money::from_fen(i64::MAX / 100).unwrap_or(Money::ZERO))
}

/// What a reviewer asks for a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineDecision {
    pub case_id: CaseId,
    /// `reduce` (核减: to `tier`, a lower-paid tier) or `return` (退回 this
    /// one case to the committee).
    pub action: LineAction,
    /// The tier to reduce to (`reduce` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LineAction {
    Reduce,
    Return,
}

/// Why a step's decision is refused: the field at fault and what to say.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DecisionError {
    pub field: String,
    pub message: String,
}

fn refuse(field: impl Into<String>, message: impl Into<String>) -> DecisionError {
    DecisionError {
        field: field.into(),
        message: message.into(),
    }
}

/// The longest opinion or reason, in characters.
pub const MAX_OPINION_CHARS: usize = 500;

/// An opinion or reason: said in words, not too long.
pub fn check_words(field: &str, text: &str, what_zh: &str) -> Result<String, DecisionError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(refuse(
            field,
            format!("请填写{what_zh} / {field} is required"),
        ));
    }
    if text.chars().count() > MAX_OPINION_CHARS {
        return Err(refuse(
            field,
            format!(
                "{what_zh}最多 {MAX_OPINION_CHARS} 字 / at most {MAX_OPINION_CHARS} characters"
            ),
        ));
    }
    Ok(text.to_owned())
}

/// The line changes a reviewer's decisions make, checked against the claim
/// as it stands and the rule set's tiers: each names a line of the claim
/// once, not yet returned; a reduction goes to a fixed-amount tier that
/// pays less than the line earns now; every reason is given. Pure: `by`,
/// `by_name` and `at` are the caller's.
pub fn line_changes(
    claim: &Claim,
    rules: &RuleSet,
    step: Step,
    decisions: &[LineDecision],
    by: PersonId,
    by_name: &str,
    at: Timestamp,
) -> Result<Vec<LineChange>, DecisionError> {
    let current = claim.current();
    let mut seen = Vec::new();
    let mut out = Vec::with_capacity(decisions.len());
    for (i, d) in decisions.iter().enumerate() {
        let field = |f: &str| format!("lines[{i}].{f}");
        let Some(line) = current.iter().find(|l| l.case_id == d.case_id) else {
            return Err(refuse(
                field("case_id"),
                "此案件不在本申报中 / the case is not a line of this claim",
            ));
        };
        if seen.contains(&d.case_id) {
            return Err(refuse(
                field("case_id"),
                "同一案件只能处理一次 / one decision per case",
            ));
        }
        seen.push(d.case_id);
        if line.returned {
            return Err(refuse(
                field("case_id"),
                "此案件已退回 / the case was already sent back",
            ));
        }
        let reason = check_words(&field("reason"), &d.reason, "理由")?;
        let (tier, amount) = match d.action {
            LineAction::Return => {
                if d.tier.is_some() {
                    return Err(refuse(
                        field("tier"),
                        "退回不需要档次 / a return takes no tier",
                    ));
                }
                (None, Money::ZERO)
            }
            LineAction::Reduce => {
                let Some(code) = d.tier.as_deref() else {
                    return Err(refuse(
                        field("tier"),
                        "请选择核减后的档次 / choose the tier to reduce to",
                    ));
                };
                let Some(tier) = rules.tiers.iter().find(|t| t.code == code) else {
                    return Err(refuse(
                        field("tier"),
                        format!("没有档次 {code} / no tier {code}"),
                    ));
                };
                let TierAmount::Fixed(amount) = tier.amount else {
                    return Err(refuse(
                        field("tier"),
                        "特殊案件的金额由党组决定，不能核减到此档 / a special tier's amount is set by approval",
                    ));
                };
                if amount >= line.amount {
                    return Err(refuse(
                        field("tier"),
                        format!(
                            "核减后的金额应少于现在的 {} 元 / a reduction must pay less than {} now",
                            line.amount, line.amount
                        ),
                    ));
                }
                (Some(tier.code.clone()), amount)
            }
        };
        out.push(LineChange {
            case_id: d.case_id,
            step,
            tier,
            amount,
            reason,
            by,
            by_name: by_name.to_owned(),
            at,
        });
    }
    Ok(out)
}

/// Whether `person` may sign `step` of `claim` now: the claim waits for
/// it and they signed no other step of it (nobody signs two steps of one
/// batch). The role and the scope are the caller's to check.
pub fn may_sign(claim: &Claim, step: Step, person: PersonId) -> Result<(), DecisionError> {
    if claim.stage != Stage::At(step) {
        return Err(refuse(
            "step",
            format!(
                "此申报现在{}，不在{} / the claim is {}, not at {}",
                claim.stage.name_zh(),
                step.name_zh(),
                claim.stage.name_en(),
                step.name_en()
            ),
        ));
    }
    if let Some(signed) = claim.signed_by(person) {
        return Err(refuse(
            "step",
            format!(
                "您已签署本申报的{}，同一人不能签署两个环节 / you signed its {}: nobody signs two steps of one claim",
                signed.name_zh(),
                signed.name_en()
            ),
        ));
    }
    Ok(())
}

/// The stage after a signature: the next step, or back to the committee
/// when the signer returned it or every line is returned.
pub fn stage_after(step: Step, decision: Decision, lines_left: usize) -> Stage {
    if decision == Decision::Return || lines_left == 0 {
        Stage::Returned
    } else {
        Stage::after(step)
    }
}

/// Who a payment went to: a township's finance office (拨付) or a mediator (核发).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Payee {
    Township,
    Mediator,
}

/// How a township's finance office paid a mediator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PayMethod {
    /// 银行转账 (to the mediator's account, the usual way).
    BankTransfer,
    /// 现金.
    Cash,
}

impl PayMethod {
    pub fn name_zh(self) -> &'static str {
        match self {
            PayMethod::BankTransfer => "银行转账",
            PayMethod::Cash => "现金",
        }
    }
}

/// What a mediator said of a payment (到账确认): it arrived, or not (the
/// judicial office hears of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub received: bool,
    pub note: String,
    pub by: PersonId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// A payment (拨付 or 核发), with the part of each claim it paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Payment {
    pub id: crate::ids::PaymentId,
    pub payee: Payee,
    pub township_id: UnitId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    /// The mediator paid (核发 only).
    pub mediator_id: Option<PersonId>,
    pub mediator: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("300.00")))]
    pub amount: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub paid_on: Date,
    pub method: PayMethod,
    /// The voucher number (凭证号) or the bank's reference.
    pub reference: String,
    pub by: PersonId,
    pub by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Each claim it paid, and how much of it.
    pub parts: Vec<PaymentPart>,
    /// The fixed subsidy's months it paid (定额补助), by mediator; left out
    /// of a payment of case subsidies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<crate::fixed_pay::FixedPart>,
    /// The mediator's confirmations, oldest first; the last one holds.
    pub receipts: Vec<Receipt>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentPart {
    pub claim_id: ClaimId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("300.00")))]
    pub amount: Money,
}

impl Payment {
    /// Whether the mediator's last word is that it arrived.
    pub fn received(&self) -> bool {
        self.receipts.last().is_some_and(|r| r.received)
    }
}

impl Claim {
    /// What each mediator earns in this claim now (their lines not
    /// returned), by mediator in the order of their first line.
    pub fn due_by_mediator(&self) -> Vec<(PersonId, String, Money)> {
        let current = self.current();
        let mut out: Vec<(PersonId, String, Money)> = Vec::new();
        for (line, now) in self.lines.iter().zip(&current) {
            if now.returned {
                continue;
            }
            match out.iter_mut().find(|(id, _, _)| *id == line.mediator_id) {
                Some(entry) => entry.2 = sum([entry.2, now.amount]),
                None => out.push((line.mediator_id, line.mediator.clone(), now.amount)),
            }
        }
        out
    }
}

/// Checks a payment's amount against what it pays, to the fen.
pub fn check_amount(paid: Money, due: Money) -> Result<(), DecisionError> {
    if paid != due {
        return Err(refuse(
            "amount",
            format!("金额 {paid} 元与应付 {due} 元不符 / the amount {paid} is not the {due} due"),
        ));
    }
    Ok(())
}

/// The amount in Chinese capitals (大写金额) as finance writes it on a
/// voucher or an approval slip: `叁佰叁拾元整`, `壹万零叁拾元伍角整`,
/// `壹仟零壹元零壹分`. "整" follows 元 or 角, never 分; one 零 stands for
/// any run of zeros inside the number; a leading ten is written 壹拾.
pub fn in_capitals(m: Money) -> String {
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const PLACES: [&str; 4] = ["", "拾", "佰", "仟"];
    const GROUPS: [&str; 4] = ["", "万", "亿", "万亿"];
    let fen = m.to_fen();
    let (yuan, jiao, cents) = (fen / 100, (fen / 10) % 10, fen % 10);
    let mut out = String::new();
    if yuan > 0 {
        let text = yuan.to_string();
        let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
        let n = digits.len();
        let mut zero = false;
        let mut group_has = false;
        for (i, &d) in digits.iter().enumerate() {
            let pos = n - 1 - i;
            if d == 0 {
                zero = !out.is_empty();
            } else {
                if zero {
                    out.push('零');
                    zero = false;
                }
                out.push(DIGITS[d as usize]);
                out.push_str(PLACES[pos % 4]);
                group_has = true;
            }
            if pos.is_multiple_of(4) {
                if group_has {
                    out.push_str(GROUPS[(pos / 4).min(3)]);
                }
                group_has = false;
            }
        }
        out.push('元');
    }
    if jiao == 0 && cents == 0 {
        if out.is_empty() {
            out.push_str("零元");
        }
        out.push('整');
        return out;
    }
    if jiao > 0 {
        out.push(DIGITS[jiao as usize]);
        out.push('角');
    } else if yuan > 0 {
        out.push('零');
    }
    if cents > 0 {
        out.push(DIGITS[cents as usize]);
        out.push('分');
    } else {
        out.push('整');
    }
    out
}

/// One tier's cases and money in a summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierCount {
    pub tier: String,
    pub cases: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("300.00")))]
    pub amount: Money,
}

/// A committee's claim in a township's table (兑现审批表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitteeRow {
    pub claim_id: ClaimId,
    pub unit_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("approval")))]
    pub stage: Stage,
    /// Lines not returned.
    pub cases: u32,
    pub by_tier: Vec<TierCount>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("330.00")))]
    pub total: Money,
}

/// A township's table: its committees' claims and their sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TownshipTable {
    pub township_id: UnitId,
    pub township_name: String,
    pub committees: Vec<CommitteeRow>,
    pub cases: u32,
    pub by_tier: Vec<TierCount>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("3300.00")))]
    pub total: Money,
    /// The township's case fund for the quarter (以案定补经费: the monthly
    /// case fund × 3 × its full-time mediators).
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("13200.00")))]
    pub fund: Money,
    /// How much the claims exceed the fund (0.00 within it).
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("0.00")))]
    pub overspend: Money,
}

/// The summary of a quarter's claims (复核汇总表): each township's table
/// and the sum of them all. Returned claims are left out; every total is
/// the sum of the lines behind it as they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    pub townships: Vec<TownshipTable>,
    pub cases: u32,
    pub by_tier: Vec<TierCount>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("33000.00")))]
    pub total: Money,
    /// The total in Chinese capitals (大写金额).
    pub total_in_capitals: String,
    /// The townships' funds, summed, and how much the claims exceed them
    /// (each township's overspend, summed: one township's spare fund does
    /// not pay for another's).
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("111600.00")))]
    pub fund: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("0.00")))]
    pub overspend: Money,
}

/// A township's case fund for a quarter (以案定补经费): the rule set's
/// monthly case fund × 3 months × its full-time mediators.
pub fn quarter_fund(rules: &RuleSet, full_time_mediators: u32) -> Money {
    full_time_mediators
        .checked_mul(3)
        .and_then(|n| rules.monthly_case_fund.checked_mul(n))
        .unwrap_or(Money::ZERO)
}

/// How much `spent` exceeds `fund` (0.00 within it).
pub fn overspend(spent: Money, fund: Money) -> Money {
    spent.checked_sub(fund).unwrap_or(Money::ZERO)
}

fn add_tier(tiers: &mut Vec<TierCount>, tier: &str, cases: u32, amount: Money) {
    match tiers.iter_mut().find(|t| t.tier == tier) {
        Some(t) => {
            t.cases += cases;
            t.amount = sum([t.amount, amount]);
        }
        None => {
            tiers.push(TierCount {
                tier: tier.to_owned(),
                cases,
                amount,
            });
            tiers.sort_by(|a, b| a.tier.cmp(&b.tier));
        }
    }
}

/// Sums a quarter's claims into townships' tables and the city's summary,
/// in the order given (the store's: by committee path), each township
/// against its fund (`funds`; none: 0.00). Pure.
pub fn summarise(quarter: Quarter, claims: &[Claim], funds: &[(UnitId, Money)]) -> Summary {
    let mut townships: Vec<TownshipTable> = Vec::new();
    for claim in claims
        .iter()
        .filter(|c| c.quarter == quarter && c.stage != Stage::Returned)
    {
        let mut row = CommitteeRow {
            claim_id: claim.id,
            unit_name: claim.unit_name.clone(),
            stage: claim.stage,
            cases: 0,
            by_tier: Vec::new(),
            total: Money::ZERO,
        };
        for line in claim.current().iter().filter(|l| !l.returned) {
            row.cases += 1;
            add_tier(
                &mut row.by_tier,
                line.tier.as_deref().unwrap_or(""),
                1,
                line.amount,
            );
            row.total = sum([row.total, line.amount]);
        }
        let table = match townships
            .iter_mut()
            .position(|t| t.township_id == claim.township_id)
        {
            Some(i) => &mut townships[i],
            None => {
                townships.push(TownshipTable {
                    township_id: claim.township_id,
                    township_name: claim.township_name.clone(),
                    committees: Vec::new(),
                    cases: 0,
                    by_tier: Vec::new(),
                    total: Money::ZERO,
                    fund: funds
                        .iter()
                        .find(|(t, _)| *t == claim.township_id)
                        .map_or(Money::ZERO, |(_, f)| *f),
                    overspend: Money::ZERO,
                });
                let last = townships.len() - 1;
                &mut townships[last]
            }
        };
        table.cases += row.cases;
        for t in &row.by_tier {
            add_tier(&mut table.by_tier, &t.tier, t.cases, t.amount);
        }
        table.total = sum([table.total, row.total]);
        table.committees.push(row);
    }
    for t in &mut townships {
        t.overspend = overspend(t.total, t.fund);
    }
    let mut by_tier = Vec::new();
    for t in &townships {
        for tier in &t.by_tier {
            add_tier(&mut by_tier, &tier.tier, tier.cases, tier.amount);
        }
    }
    let total = sum(townships.iter().map(|t| t.total));
    Summary {
        quarter,
        fund: sum(townships.iter().map(|t| t.fund)),
        overspend: sum(townships.iter().map(|t| t.overspend)),
        cases: townships.iter().map(|t| t.cases).sum(),
        by_tier,
        total_in_capitals: in_capitals(total),
        total,
        townships,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::builtin;
    use proptest::prelude::*;

    fn rules() -> &'static RuleSet {
        builtin()
            .iter()
            .find(|r| r.id == "chuxiong-2014")
            .expect("the 2014 rules")
    }

    fn at() -> Timestamp {
        "2026-10-08T02:00:00Z".parse().unwrap()
    }

    fn line(n: u32, tier: &str, yuan: u32) -> ClaimLine {
        ClaimLine {
            case_id: CaseId::stable(&format!("case-{n}")),
            number: format!("(2026)楚人调字第 {n} 号"),
            parties: vec!["张三".into(), "李四".into()],
            dispute_type: "neighbours".into(),
            closed_on: Date::new(2026, 8, 1).unwrap(),
            mediator_id: PersonId::stable("m"),
            mediator: "王调解".into(),
            tier: tier.into(),
            amount: Money::yuan(yuan),
            late: false,
            special: None,
        }
    }

    fn claim(lines: Vec<ClaimLine>) -> Claim {
        Claim {
            unit_name: "村调委会".into(),
            township_name: "镇".into(),
            rule_set: rules().id.clone(),
            submitted_at: at(),
            ..crate::testing::claim(lines)
        }
    }

    #[test]
    fn quarters_read_and_write_their_key() {
        let q: Quarter = "2026-Q3".parse().unwrap();
        assert_eq!(q.first_day(), Date::new(2026, 7, 1).unwrap());
        assert_eq!(q.last_day(), Date::new(2026, 9, 30).unwrap());
        assert_eq!(q.to_string(), "2026-Q3");
        assert_eq!(q.label_zh(), "2026年第3季度");
        assert!(
            "2026-07".parse::<Quarter>().is_err(),
            "a month is no quarter"
        );
        assert!("2026-Q5".parse::<Quarter>().is_err());
        assert_eq!(
            Quarter::containing(Date::new(2026, 12, 31).unwrap()).number(),
            4
        );
    }

    #[test]
    fn the_steps_run_in_the_articles_order_with_its_roles() {
        let codes: Vec<_> = Step::ALL.iter().map(|s| s.name_zh()).collect();
        assert_eq!(
            codes,
            [
                "初审",
                "复审",
                "复核",
                "复核汇总",
                "审批",
                "拨付",
                "核发",
                "到账确认"
            ]
        );
        assert_eq!(Step::FirstReview.role(), Role::JudicialStaff);
        assert_eq!(Step::Approval.next(), Some(Step::TownshipPayment));
        assert_eq!(Stage::after(Step::Receipt), Stage::Finished);
        for s in Step::ALL {
            assert_eq!(s.code().parse::<Step>(), Ok(s));
            assert_eq!(Stage::At(s).code().parse::<Stage>(), Ok(Stage::At(s)));
        }
        assert_eq!("returned".parse::<Stage>(), Ok(Stage::Returned));
    }

    #[test]
    fn a_reduction_goes_to_a_lower_paid_tier_with_a_reason() {
        let c = claim(vec![line(1, "C", 200), line(2, "A", 30)]);
        let by = PersonId::stable("staff");
        let reduce = |case: u32, tier: &str, reason: &str| LineDecision {
            case_id: CaseId::stable(&format!("case-{case}")),
            action: LineAction::Reduce,
            tier: Some(tier.into()),
            reason: reason.into(),
        };
        let ok = line_changes(
            &c,
            rules(),
            Step::FirstReview,
            &[reduce(1, "B", "缺回访记录")],
            by,
            "所员",
            at(),
        )
        .unwrap();
        assert_eq!(ok[0].amount, Money::yuan(100));
        let mut reduced = c.clone();
        reduced.changes = ok;
        assert_eq!(reduced.total(), Money::yuan(130));
        assert_eq!(
            reduced.claimed_total(),
            Money::yuan(230),
            "what was claimed stays"
        );

        let up = line_changes(
            &c,
            rules(),
            Step::FirstReview,
            &[reduce(2, "C", "多报")],
            by,
            "x",
            at(),
        );
        assert_eq!(up.unwrap_err().field, "lines[0].tier");
        let blank = line_changes(
            &c,
            rules(),
            Step::FirstReview,
            &[reduce(1, "A", "  ")],
            by,
            "x",
            at(),
        );
        assert_eq!(blank.unwrap_err().field, "lines[0].reason");
        let stranger = line_changes(
            &c,
            rules(),
            Step::FirstReview,
            &[reduce(9, "A", "x")],
            by,
            "x",
            at(),
        );
        assert_eq!(stranger.unwrap_err().field, "lines[0].case_id");
        let twice = line_changes(
            &c,
            rules(),
            Step::FirstReview,
            &[reduce(1, "B", "x"), reduce(1, "A", "y")],
            by,
            "x",
            at(),
        );
        assert_eq!(twice.unwrap_err().field, "lines[1].case_id");
    }

    #[test]
    fn nobody_signs_two_steps_of_one_claim() {
        let mut c = claim(vec![line(1, "C", 200)]);
        let staff = PersonId::stable("staff");
        assert!(may_sign(&c, Step::FirstReview, staff).is_ok());
        assert!(
            may_sign(&c, Step::SecondReview, staff).is_err(),
            "not its turn"
        );
        c.signatures.push(Signature {
            step: Step::FirstReview,
            decision: Decision::Pass,
            by: staff,
            by_name: "所员".into(),
            at: at(),
            opinion: "同意".into(),
            total: Money::yuan(200),
        });
        c.stage = Stage::At(Step::SecondReview);
        let err = may_sign(&c, Step::SecondReview, staff).unwrap_err();
        assert!(err.message.contains("初审"), "{err}");
        assert!(may_sign(&c, Step::SecondReview, PersonId::stable("director")).is_ok());
    }

    #[test]
    fn returning_every_line_returns_the_claim() {
        assert_eq!(
            stage_after(Step::FirstReview, Decision::Pass, 0),
            Stage::Returned
        );
        assert_eq!(
            stage_after(Step::FirstReview, Decision::Return, 3),
            Stage::Returned
        );
        assert_eq!(
            stage_after(Step::FirstReview, Decision::Pass, 3),
            Stage::At(Step::SecondReview)
        );
    }

    #[test]
    fn amounts_read_in_capitals_as_finance_writes_them() {
        let cap = |s: &str| in_capitals(s.parse().unwrap());
        assert_eq!(cap("300.00"), "叁佰元整");
        assert_eq!(cap("1000.00"), "壹仟元整");
        assert_eq!(cap("10.00"), "壹拾元整");
        assert_eq!(cap("10030.50"), "壹万零叁拾元伍角整");
        assert_eq!(cap("1001.01"), "壹仟零壹元零壹分");
        assert_eq!(cap("1000500.00"), "壹佰万零伍佰元整");
        assert_eq!(cap("100000000.00"), "壹亿元整");
        assert_eq!(cap("2232000.00"), "贰佰贰拾叁万贰仟元整");
        assert_eq!(cap("0.05"), "伍分");
        assert_eq!(cap("0.00"), "零元整");
        // a zero in the 万 place before a thousand: one 零 (《支付结算办法》 allows it or none)
        assert_eq!(cap("105000.00"), "壹拾万零伍仟元整");
        assert_eq!(cap("1680.32"), "壹仟陆佰捌拾元叁角贰分");
    }

    #[test]
    fn a_summary_sums_townships_and_leaves_returned_claims_out() {
        let mut a = claim(vec![line(1, "C", 200), line(2, "A", 30)]);
        a.changes.push(LineChange {
            case_id: CaseId::stable("case-2"),
            step: Step::FirstReview,
            tier: None,
            amount: Money::ZERO,
            reason: "退回".into(),
            by: PersonId::stable("s"),
            by_name: "s".into(),
            at: at(),
        });
        let mut b = claim(vec![line(3, "A", 30)]);
        b.id = ClaimId::stable("b");
        b.township_id = UnitId::stable("t2");
        b.township_name = "镇二".into();
        let mut gone = claim(vec![line(4, "C", 200)]);
        gone.id = ClaimId::stable("gone");
        gone.stage = Stage::Returned;
        let funds = [
            (UnitId::stable("t"), Money::yuan(150)),
            (UnitId::stable("t2"), Money::yuan(600)),
        ];
        let s = summarise("2026-Q3".parse().unwrap(), &[a, b, gone], &funds);
        assert_eq!(
            s.townships[0].overspend,
            Money::yuan(50),
            "200 claimed against 150"
        );
        assert_eq!(s.townships[1].overspend, Money::ZERO);
        assert_eq!(
            (s.fund, s.overspend),
            (Money::yuan(750), Money::yuan(50)),
            "one's spare fund does not cover another's"
        );
        assert_eq!(
            quarter_fund(rules(), 2),
            Money::yuan(1200),
            "200 × 3 months × 2 mediators"
        );
        assert_eq!(s.townships.len(), 2);
        assert_eq!(s.townships[0].total, Money::yuan(200));
        assert_eq!(s.townships[0].cases, 1, "the returned line is out");
        assert_eq!(s.total, Money::yuan(230));
        assert_eq!(s.cases, 2);
        assert_eq!(s.total_in_capitals, "贰佰叁拾元整");
        let a_tier = s.by_tier.iter().find(|t| t.tier == "A").unwrap();
        assert_eq!((a_tier.cases, a_tier.amount), (1, Money::yuan(30)));
    }

    proptest! {
        /// Whatever the reviewers reduce or return, in any order, the
        /// claim's total is the sum of its current lines, never more than
        /// was claimed, and each line earns what its last change says.
        #[test]
        fn totals_reconcile_after_any_reductions_and_returns(
            tiers in prop::collection::vec(0usize..3, 1..30),
            moves in prop::collection::vec((0usize..30, 0usize..3), 0..40),
        ) {
            let table = [("A", 30u32), ("B", 100), ("C", 200)];
            let lines: Vec<ClaimLine> = tiers
                .iter()
                .enumerate()
                .map(|(n, &t)| line(n as u32, table[t].0, table[t].1))
                .collect();
            let mut c = claim(lines);
            for (n, what) in moves {
                let Some(l) = c.lines.get(n % c.lines.len()) else { continue };
                let d = LineDecision {
                    case_id: l.case_id,
                    action: if what == 0 { LineAction::Return } else { LineAction::Reduce },
                    tier: (what != 0).then(|| table[what - 1].0.to_owned()),
                    reason: "核查".into(),
                };
                if let Ok(mut changes) = line_changes(&c, rules(), Step::FirstReview, &[d], PersonId::stable("s"), "s", at()) {
                    c.changes.append(&mut changes);
                }
            }
            let current = c.current();
            let fen: i64 = current.iter().map(|l| l.amount.to_fen()).sum();
            prop_assert_eq!(c.total().to_fen(), fen);
            prop_assert!(c.total() <= c.claimed_total());
            for l in &current {
                prop_assert_eq!(l.returned, l.tier.is_none());
                if l.returned { prop_assert_eq!(l.amount, Money::ZERO); }
            }
        }
    }
}
