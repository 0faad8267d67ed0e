//! A dispute case (纠纷案件) as a mediator records it in the field: parties,
//! sessions, the outcome and agreement, the dossier's forms, and the facts the
//! subsidy rules read. Checked as a whole before it is saved; every problem
//! names its field, in Chinese first.

use crate::attachment::{ATTACHMENT_TYPES, AttachmentRef, MAX_ATTACHMENT_BYTES, is_sha256};
use crate::ids::{CaseId, ClaimId, PersonId, SessionId, UnitId};
use crate::money::Money;
use crate::problem::{FieldError, Problem};
use crate::risk::{Act, RiskAction, RiskAssessment, RiskError, RiskLevels};
use crate::rules::{
    CaseFacts, CommitteeKind, FormCode, Method, Outcome, Verdict, builtin, evaluate,
};
use crate::time::Timestamp;
use crate::validate::{Phone, ResidentId, Sex};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The default dispute-type table (docs/domain.md §8): code, Chinese, English.
/// Localities add their own types in a versioned table under codes starting
/// `local:` (e.g. `local:migrant_wages` 拖欠农民工工资); these codes stay.
pub const DISPUTE_TYPES: [(&str, &str, &str); 15] = [
    ("marriage_family", "婚姻家庭", "marriage and family"),
    ("neighbours", "邻里", "neighbours"),
    ("housing_homestead", "房屋宅基地", "housing and homestead"),
    ("contract", "合同", "contract"),
    ("production_business", "生产经营", "production and business"),
    ("damages", "损害赔偿", "damages"),
    ("forest_land", "山林土地", "forest and land"),
    (
        "land_requisition",
        "征地拆迁",
        "land requisition and demolition",
    ),
    ("pollution", "环境污染", "pollution"),
    ("labour", "劳动争议", "labour dispute"),
    ("consumer", "消费", "consumer"),
    ("medical", "医疗", "medical"),
    ("road_traffic", "道路交通事故", "road traffic accident"),
    ("property_management", "物业", "property management"),
    ("other", "其他", "other"),
];

/// The longest name, place, ethnicity or dispute-type code, in characters.
pub const MAX_SHORT_CHARS: usize = 100;
/// The longest address, in characters.
pub const MAX_ADDRESS_CHARS: usize = 200;
/// The longest brief facts, agreed terms, session record or visit note, in
/// characters (about three printed pages).
pub const MAX_LONG_CHARS: usize = 5000;
/// The most parties of one case.
pub const MAX_PARTIES: usize = 30;
/// The most sessions of one case.
pub const MAX_SESSIONS: usize = 20;
/// The most photos and files of one case.
pub const MAX_ATTACHMENTS: usize = 60;
/// The most dossier forms one case lists.
pub const MAX_FORMS: usize = 20;
/// A case within every limit above is smaller than this as JSON, whatever
/// its characters (a test fills every field to its limit with characters
/// JSON writes six bytes for): the size a pull page and the push body
/// limit are planned around.
pub const MAX_CASE_JSON_BYTES: usize = 1024 * 1024;

/// 口头调解 (the 30-yuan path) or a general dispute with a full dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// 简易（口头）调解, recorded in the oral-agreement register.
    Oral,
    /// 一般民间纠纷.
    General,
}

/// Where the case is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 已受理 — registered, not mediated yet.
    Registered,
    /// 调解中 — sessions under way.
    Mediating,
    /// 已结案 — outcome recorded.
    Closed,
}

/// How the committee came to the dispute (受理登记表 "纠纷来源").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// 当事人申请
    PartyApplication,
    /// 调委会主动调解
    OwnInitiative,
    /// 公安机关移送
    PoliceReferral,
    /// 人民法院委托移送
    CourtReferral,
    /// 政府部门指派
    GovernmentAssignment,
}

/// Risk level (风险等级, docs/domain.md §9); display names are locality data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub fn code(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }

    /// The level of a locality level code, when it is one of the three.
    pub fn from_code(code: &str) -> Option<RiskLevel> {
        match code {
            "low" => Some(RiskLevel::Low),
            "medium" => Some(RiskLevel::Medium),
            "high" => Some(RiskLevel::High),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// 申请人 / 一方当事人
    Applicant,
    /// 被申请人 / 另一方当事人
    Respondent,
    /// 第三人
    ThirdParty,
}

/// One party to the dispute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Party {
    pub role: PartyRole,
    pub name: String,
    pub sex: Option<Sex>,
    pub ethnicity: Option<String>,
    pub resident_id: Option<ResidentId>,
    pub phone: Option<Phone>,
    pub address: String,
}

/// How the agreement is to be performed (履行方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    try_from = "PerformanceFields"
)]
pub enum Performance {
    /// 即时履行
    Immediate,
    /// 限期履行, by this date.
    ByDate {
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        #[serde(with = "crate::dates::iso")]
        due: Date,
    },
}

/// [`Performance`] as read: a plain struct, so a field it does not have
/// is refused (a tagged enum's unit variant would drop it silently).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PerformanceFields {
    kind: PerformanceKind,
    #[serde(default, with = "crate::dates::iso_opt")]
    due: Option<Date>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum PerformanceKind {
    Immediate,
    ByDate,
}

impl TryFrom<PerformanceFields> for Performance {
    type Error = &'static str;

    fn try_from(p: PerformanceFields) -> Result<Performance, &'static str> {
        match (p.kind, p.due) {
            (PerformanceKind::Immediate, None) => Ok(Performance::Immediate),
            (PerformanceKind::ByDate, Some(due)) => Ok(Performance::ByDate { due }),
            (PerformanceKind::Immediate, Some(_)) => {
                Err("即时履行没有履行期限 / immediate performance has no `due`")
            }
            (PerformanceKind::ByDate, None) => {
                Err("限期履行须有履行期限 / performance by date needs `due`")
            }
        }
    }
}

/// One mediation session (调解记录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub id: SessionId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub held_on: Date,
    pub place: String,
    /// Statements, verified facts, what was proposed.
    pub record: String,
}

/// A follow-up visit (回访) after the agreement: was it performed?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub on: Date,
    /// What the visit found (履行情况、当事人反映).
    pub note: String,
}

/// A dispute case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    pub id: CaseId,
    /// The number within the committee's year (案号 `(2024)楚人调字第 N 号`);
    /// none until one is given.
    #[serde(default)]
    pub seq: Option<u32>,
    /// The committee (or group) that registered it.
    pub unit_id: UnitId,
    /// First-mediator responsibility (首调责任制): who owns it now.
    pub owner_id: PersonId,
    /// The mediator's name as signed on the forms (调解员).
    #[serde(default)]
    pub mediator: String,
    pub kind: CaseKind,
    pub status: CaseStatus,
    /// A code of the dispute-type table, e.g. `neighbours`.
    pub dispute_type: String,
    pub source: Source,
    pub risk: RiskLevel,
    pub place: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub received_on: Date,
    /// Brief facts (简要案情).
    pub summary: String,
    pub parties: Vec<Party>,
    pub sessions: Vec<Session>,
    pub outcome: Option<Outcome>,
    /// Agreed terms (协议内容); required when agreed.
    pub agreed_terms: String,
    pub performance: Option<Performance>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    #[serde(with = "crate::dates::iso_opt")]
    pub closed_on: Option<Date>,
    /// 涉及金额, when money is at stake.
    pub amount_involved: Option<Money>,
    /// Forms of the dossier present (structured or photographed).
    pub forms: BTreeSet<FormCode>,
    /// The follow-up visit, once made (its record is the `follow_up` form).
    #[serde(default)]
    pub follow_up: Option<FollowUp>,
    /// Photos of signed paper and other files.
    #[serde(default)]
    pub attachments: Vec<AttachmentRef>,
    pub oral_register: bool,
    pub archived: bool,
    pub recorded: bool,
    pub deaths: u32,
    pub disability_grade: Option<u8>,
    pub independent: bool,
    pub special: bool,
    pub approved_amount: Option<Money>,
    /// Set when the case is in a quarterly claim: it is then locked.
    pub claim_id: Option<ClaimId>,
    /// Incremented on every change the server accepts (sync conflicts).
    pub version: u64,
    /// When it was last changed on the device or the server; written `""`
    /// before the first save.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(default, with = "crate::time::or_empty")]
    pub updated_at: Option<Timestamp>,
    /// The server's tier verdict with the shared rules, set by the server on
    /// every change it accepts (the phone compares it with its own preview).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_verdict: Option<Verdict>,
    /// Set when an office locked the case for review (the reason, shown to
    /// the mediator); the server owns it, like `claim_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_reason: Option<String>,
    /// 风险研判 (docs/domain.md §9): the group's provisional level, the
    /// village's agreement, the township's confirmation with a responsible
    /// person (包保人), downgrades and the close-out (销号), with history.
    /// The server owns it (`PUT /api/v1/cases/{id}/risk`); `risk` follows
    /// its level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_assessment: Option<RiskAssessment>,
    /// 重大纠纷核实: the judicial office's check of the deaths, disability
    /// grade and independent mediation this case records, and its evidence.
    /// The server owns it (`PUT /api/v1/cases/{id}/major-review`); until it
    /// verifies the facts the case records now, they earn nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major_review: Option<MajorReview>,
}

/// What the judicial office found of a major case's facts (重大纠纷核实):
/// who, when, their opinion (for a refusal, what is missing), and the facts
/// as they were reviewed. A review holds only while the case records the
/// same facts: a changed death count or grade needs a new review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MajorReview {
    /// Verified (核实) or not (不予核实).
    pub verified: bool,
    pub by: PersonId,
    pub by_name: String,
    pub at: Timestamp,
    pub opinion: String,
    pub deaths: u32,
    pub disability_grade: Option<u8>,
    pub independent: bool,
}

impl MajorReview {
    /// Whether this review is of the facts `case` records now.
    pub fn covers(&self, case: &Case) -> bool {
        self.deaths == case.deaths
            && self.disability_grade == case.disability_grade
            && self.independent == case.independent
    }
}

/// The attachment form of a major case's evidence: the disability
/// assessment, the death record or the police report (伤残鉴定书、死亡证明
/// 或报警回执).
pub const MAJOR_EVIDENCE: &str = "major_evidence";

/// The Chinese name of a dispute type code, if it is in the default table.
pub fn dispute_type_name(code: &str) -> Option<&'static str> {
    DISPUTE_TYPES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, _)| *zh)
}

/// The case number of the paper forms: `(2024)楚人调字第 12 号` — year,
/// committee prefix, sequence per committee per year.
pub fn case_number(year: i16, prefix: &str, seq: u32) -> String {
    format!("({year}){prefix}人调字第 {seq} 号")
}

impl Case {
    /// Every free text a mediator types, with its field and its limit in
    /// characters.
    fn texts(&self) -> Vec<(String, &str, usize)> {
        let mut texts = vec![
            (
                "mediator".to_owned(),
                self.mediator.as_str(),
                MAX_SHORT_CHARS,
            ),
            (
                "dispute_type".to_owned(),
                &self.dispute_type,
                MAX_SHORT_CHARS,
            ),
            ("place".to_owned(), &self.place, MAX_ADDRESS_CHARS),
            ("summary".to_owned(), &self.summary, MAX_LONG_CHARS),
            (
                "agreed_terms".to_owned(),
                &self.agreed_terms,
                MAX_LONG_CHARS,
            ),
        ];
        for (i, p) in self.parties.iter().enumerate() {
            texts.push((format!("parties[{i}].name"), &p.name, MAX_SHORT_CHARS));
            if let Some(e) = &p.ethnicity {
                texts.push((format!("parties[{i}].ethnicity"), e, MAX_SHORT_CHARS));
            }
            texts.push((
                format!("parties[{i}].address"),
                &p.address,
                MAX_ADDRESS_CHARS,
            ));
        }
        for (i, s) in self.sessions.iter().enumerate() {
            texts.push((format!("sessions[{i}].place"), &s.place, MAX_ADDRESS_CHARS));
            texts.push((format!("sessions[{i}].record"), &s.record, MAX_LONG_CHARS));
        }
        if let Some(v) = &self.follow_up {
            texts.push(("follow_up.note".to_owned(), &v.note, MAX_LONG_CHARS));
        }
        for (i, a) in self.attachments.iter().enumerate() {
            texts.push((
                format!("attachments[{i}].content_type"),
                &a.content_type,
                MAX_SHORT_CHARS,
            ));
        }
        texts
    }

    /// Whether the risk is still open: not closed out (销号).
    pub fn risk_open(&self) -> bool {
        self.risk_assessment
            .as_ref()
            .is_none_or(RiskAssessment::is_open)
    }

    /// The case after one step of its risk assessment. Before the first
    /// step, the level the mediator recorded on the case stands as the
    /// group's provisional one (组初定, by the case's owner), so the village
    /// can agree it at once. `risk` follows the new level.
    pub fn with_risk_step(
        &self,
        levels: &RiskLevels,
        action: RiskAction,
        level: Option<&str>,
        responsible: Option<PersonId>,
        act: Act<'_>,
    ) -> Result<Case, RiskError> {
        let level_or = |fallback: &str| level.unwrap_or(fallback).to_owned();
        let current = match &self.risk_assessment {
            Some(a) => a.clone(),
            None if action == RiskAction::Propose => {
                let next = RiskAssessment::propose(self.id, levels, &level_or(""), act)?;
                return Ok(self.with_assessment(next));
            }
            None => RiskAssessment::propose(
                self.id,
                levels,
                self.risk.code(),
                Act {
                    by: self.owner_id,
                    ..act
                },
            )?,
        };
        let next = match action {
            RiskAction::Propose => {
                return Err(RiskError::WrongStep {
                    action,
                    step: current.step,
                });
            }
            RiskAction::Agree => current.agree(levels, &level_or(&current.level), act)?,
            RiskAction::Confirm => {
                current.confirm(levels, &level_or(&current.level), responsible, act)?
            }
            RiskAction::Downgrade => current.downgrade(levels, &level_or(""), act)?,
            RiskAction::Close => current.close(levels, act)?,
        };
        Ok(self.with_assessment(next))
    }

    fn with_assessment(&self, assessment: RiskAssessment) -> Case {
        let mut case = self.clone();
        if let Some(level) = RiskLevel::from_code(&assessment.level) {
            case.risk = level;
        }
        case.risk_assessment = Some(assessment);
        case
    }

    /// Its case number, once it has one: `(2024)楚人调字第 12 号`.
    pub fn number(&self, prefix: &str) -> Option<String> {
        let year = self.received_on.year();
        self.seq.map(|seq| case_number(year, prefix, seq))
    }

    /// Records the follow-up visit; its record is the dossier's `follow_up` form.
    pub fn record_follow_up(&mut self, visit: FollowUp) {
        self.follow_up = Some(visit);
        self.forms.insert(FormCode::new("follow_up"));
    }

    /// Whether the parties' details were left out of this copy (a finance
    /// office's: [`crate::capability::amounts_only`]); a case as recorded
    /// names every party.
    pub fn parties_hidden(&self) -> bool {
        !self.parties.is_empty() && self.parties.iter().all(|p| p.name.is_empty())
    }

    /// A case in a claim batch, or locked by an office, cannot be edited.
    pub fn is_locked(&self) -> bool {
        self.claim_id.is_some() || self.locked_reason.is_some()
    }

    /// Whether the case records a major dispute's facts (重大纠纷): a death,
    /// or a disability of grade 1 or 2.
    pub fn claims_major(&self) -> bool {
        self.deaths > 0 || matches!(self.disability_grade, Some(1 | 2))
    }

    /// Whether the judicial office verified the major-case facts the case
    /// records now.
    pub fn major_verified(&self) -> bool {
        self.major_review
            .as_ref()
            .is_some_and(|r| r.verified && r.covers(self))
    }

    /// How many photos of the major case's evidence are attached.
    pub fn major_evidence(&self) -> usize {
        self.attachments
            .iter()
            .filter(|a| {
                a.form
                    .as_ref()
                    .is_some_and(|f| f.as_str() == MAJOR_EVIDENCE)
            })
            .count()
    }

    /// The facts the subsidy rules read, once the case is closed. Deaths
    /// and a disability grade count only once the judicial office verified
    /// them ([`Case::major_verified`]): a phone proposes, an office confirms.
    pub fn facts(&self, committee: CommitteeKind) -> Option<CaseFacts> {
        let mut facts = self.claimed_facts(committee)?;
        if !self.major_verified() {
            facts.deaths = 0;
            facts.disability_grade = None;
        }
        Some(facts)
    }

    /// The verdict the case would get once its major-case facts are
    /// verified, when that is more than it gets now (the preview's "pending
    /// verification").
    pub fn verdict_pending_verification(
        &self,
        committee: Option<CommitteeKind>,
    ) -> Option<Verdict> {
        if !self.claims_major() || self.major_verified() {
            return None;
        }
        let claimed = committee
            .and_then(|c| self.claimed_facts(c))
            .and_then(|facts| evaluate(&facts, builtin()).ok())?;
        let now = self.verdict(committee);
        (claimed.tier.is_some() && claimed.amount > now.amount).then_some(Verdict {
            tier: claimed.tier,
            amount: claimed.amount,
        })
    }

    /// The facts as the case records them, verified or not.
    fn claimed_facts(&self, committee: CommitteeKind) -> Option<CaseFacts> {
        let (CaseStatus::Closed, Some(outcome), Some(closed_on)) =
            (self.status, self.outcome, self.closed_on)
        else {
            return None;
        };
        let held = u32::try_from(self.sessions.len()).unwrap_or(u32::MAX);
        Some(CaseFacts {
            committee,
            closed_on,
            method: match self.kind {
                CaseKind::Oral => Method::Simple,
                CaseKind::General => Method::General,
            },
            outcome,
            // an oral mediation is itself one session, recorded or not
            sessions: if self.kind == CaseKind::Oral {
                held.max(1)
            } else {
                held
            },
            oral_register: self.oral_register,
            forms: self.forms.clone(),
            archived: self.archived,
            recorded: self.recorded,
            deaths: self.deaths,
            disability_grade: self.disability_grade,
            independent: self.independent,
            special: self.special,
            approved_amount: self.approved_amount,
        })
    }

    /// The tier and amount it earns by the built-in rules (the rule set in
    /// force on its closing date) when judged as a `committee` (none: the
    /// unit it was registered at is no committee, and nothing is earned).
    /// The server's verdict on every change it accepts.
    pub fn verdict(&self, committee: Option<CommitteeKind>) -> Verdict {
        committee
            .and_then(|c| self.facts(c))
            .and_then(|facts| evaluate(&facts, builtin()).ok())
            .map_or_else(Verdict::none, |e| Verdict {
                tier: e.tier,
                amount: e.amount,
            })
    }

    /// Every problem with the case as entered, given today's date; empty when
    /// it can be saved.
    pub fn check(&self, today: Date) -> Vec<FieldError> {
        use Problem as P;
        let mut errors = Vec::new();
        let mut err =
            |field: String, problem: Problem| errors.push(FieldError::new(field, problem));

        if dispute_type_name(&self.dispute_type).is_none()
            && !self.dispute_type.starts_with("local:")
        {
            err("dispute_type".into(), P::NoDisputeType);
        }
        for (field, text, max) in self.texts() {
            let chars = text.chars().count();
            if chars > max {
                err(field, P::TooLong { max, chars });
            }
        }
        for (field, n, max) in [
            ("parties", self.parties.len(), MAX_PARTIES),
            ("sessions", self.sessions.len(), MAX_SESSIONS),
            ("attachments", self.attachments.len(), MAX_ATTACHMENTS),
            ("forms", self.forms.len(), MAX_FORMS),
        ] {
            if n > max {
                err(field.into(), P::TooMany { max });
            }
        }
        for (i, code) in self.forms.iter().enumerate() {
            if !code.is_well_formed() {
                err(format!("forms[{i}]"), P::BadFormCode);
            }
        }
        if self.summary.trim().is_empty() {
            err("summary".into(), P::NoSummary);
        }
        if self.received_on > today {
            err("received_on".into(), P::ReceivedInFuture);
        }
        if self.parties.len() < 2 {
            err("parties".into(), P::FewerThanTwoParties);
        }
        for (i, p) in self.parties.iter().enumerate() {
            if p.name.trim().is_empty() {
                err(format!("parties[{i}].name"), P::NoPartyName);
            }
            if p.resident_id
                .as_ref()
                .zip(p.sex)
                .is_some_and(|(id, sex)| id.sex() != sex)
            {
                err(format!("parties[{i}].sex"), P::SexNotAsInId);
            }
            if p.resident_id
                .as_ref()
                .is_some_and(|id| id.birth_date() > today)
            {
                err(format!("parties[{i}].resident_id"), P::BirthInFuture);
            }
        }
        let latest_session = self
            .closed_on
            .filter(|_| self.status == CaseStatus::Closed)
            .unwrap_or(today)
            .min(today);
        for (i, s) in self.sessions.iter().enumerate() {
            if s.held_on > latest_session || s.held_on < self.received_on {
                err(format!("sessions[{i}].held_on"), P::SessionOutOfRange);
            }
        }
        let closed = self.status == CaseStatus::Closed;
        if closed && self.outcome.is_none() {
            err("outcome".into(), P::ClosedWithoutOutcome);
        }
        if !closed && self.outcome.is_some() {
            err("outcome".into(), P::OutcomeWhileOpen);
        }
        match self.closed_on {
            None if closed => err("closed_on".into(), P::ClosedWithoutDate),
            Some(_) if !closed => err("closed_on".into(), P::ClosingDateWhileOpen),
            Some(day) if day > today => err("closed_on".into(), P::ClosedInFuture),
            Some(day) if day < self.received_on => err("closed_on".into(), P::ClosedBeforeReceived),
            _ => {}
        }
        if self.outcome == Some(Outcome::Agreed) {
            if self.agreed_terms.trim().is_empty() {
                err("agreed_terms".into(), P::NoAgreedTerms);
            }
            if self.performance.is_none() {
                err("performance".into(), P::NoPerformance);
            }
        }
        let deadline_before_closing = matches!(
            (self.performance, self.closed_on),
            (Some(Performance::ByDate { due }), Some(closed)) if due < closed
        );
        if deadline_before_closing {
            err("performance".into(), P::DeadlineBeforeClosing);
        }
        if self.kind == CaseKind::General
            && self.status == CaseStatus::Closed
            && self.sessions.is_empty()
        {
            err("sessions".into(), P::NoSessions);
        }
        for (i, a) in self.attachments.iter().enumerate() {
            if a.form.as_ref().is_some_and(|f| !f.is_well_formed()) {
                err(format!("attachments[{i}].form"), P::BadFormCode);
            }
            if a.id.is_empty() || a.id.len() > 64 {
                err(format!("attachments[{i}].id"), P::BadAttachmentId);
            }
            if a.sha256.as_deref().is_some_and(|h| !is_sha256(h)) {
                err(format!("attachments[{i}].sha256"), P::AttachmentChecksum);
            }
            if a.bytes == 0 || a.bytes > MAX_ATTACHMENT_BYTES {
                err(format!("attachments[{i}].bytes"), P::AttachmentSize);
            }
            if !ATTACHMENT_TYPES.contains(&a.content_type.as_str()) {
                err(format!("attachments[{i}].content_type"), P::AttachmentType);
            }
        }
        if let Some(visit) = &self.follow_up {
            match self.closed_on {
                Some(closed) if closed <= visit.on && visit.on <= today => {}
                Some(_) => err("follow_up.on".into(), P::FollowUpOutOfRange),
                None => err("follow_up".into(), P::FollowUpWhileOpen),
            }
        }
        if self
            .disability_grade
            .is_some_and(|g| !(1..=10).contains(&g))
        {
            err("disability_grade".into(), P::DisabilityGrade);
        }
        if self.approved_amount == Some(Money::ZERO) {
            err("approved_amount".into(), P::ApprovedAmountZero);
        }
        if self.approved_amount.is_some() && !self.special {
            err("approved_amount".into(), P::ApprovedAmountNotSpecial);
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2024, 5, 20);

    use crate::testing::oral_case;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn major_facts_earn_tier_d_only_as_verified() {
        let village = Some(CommitteeKind::Village);
        let tier = |c: &Case| c.verdict(village).tier;
        let mut case = crate::testing::general_case();
        case.recorded = true;
        case.independent = true;
        assert_eq!(tier(&case).as_deref(), Some("C"));
        assert!(!case.claims_major());
        assert_eq!(case.verdict_pending_verification(village), None);
        // a death recorded on the phone: still C, D pending verification
        case.deaths = 1;
        assert!(case.claims_major() && !case.major_verified());
        assert_eq!(tier(&case).as_deref(), Some("C"));
        let pending = case.verdict_pending_verification(village).unwrap();
        assert_eq!(
            (pending.tier.as_deref(), pending.amount),
            (Some("D"), Money::yuan(1000))
        );
        // verified as it stands: D
        let review = MajorReview {
            verified: true,
            by: PersonId::stable("office"),
            by_name: "司法所".into(),
            at: "2024-05-20T02:00:00Z".parse().unwrap(),
            opinion: "已核".into(),
            deaths: 1,
            disability_grade: None,
            independent: true,
        };
        case.major_review = Some(review.clone());
        assert!(case.major_verified());
        assert_eq!(tier(&case).as_deref(), Some("D"));
        assert_eq!(case.verdict_pending_verification(village), None);
        // the facts changed since: the review no longer covers them
        case.deaths = 2;
        assert_eq!(tier(&case).as_deref(), Some("C"));
        case.deaths = 0;
        case.disability_grade = Some(1);
        assert_eq!(tier(&case).as_deref(), Some("C"));
        // a refusal earns nothing more
        case.major_review = Some(MajorReview {
            verified: false,
            deaths: 0,
            disability_grade: Some(1),
            ..review
        });
        assert_eq!(tier(&case).as_deref(), Some("C"));
        assert!(case.verdict_pending_verification(village).is_some());
        // a grade 3 disability is no major case
        case.disability_grade = Some(3);
        assert!(!case.claims_major());
    }

    #[test]
    fn a_complete_oral_agreement_is_valid_and_earns_tier_a() {
        let case = oral_case();
        assert_eq!(case.check(TODAY), vec![]);
        let facts = case.facts(CommitteeKind::Village).unwrap();
        assert_eq!(facts.sessions, 1, "an oral mediation is one session");
        let e = evaluate(&facts, builtin()).unwrap();
        assert_eq!((e.tier.as_deref(), e.amount), (Some("A"), Money::yuan(30)));
    }

    #[test]
    fn an_open_case_has_no_facts_for_the_rules_yet() {
        let case = Case {
            status: CaseStatus::Mediating,
            outcome: None,
            closed_on: None,
            ..oral_case()
        };
        assert_eq!(case.facts(CommitteeKind::Village), None);
        assert_eq!(case.check(TODAY), vec![]);
    }

    #[test]
    fn each_problem_names_its_field() {
        let mut case = oral_case();
        case.parties[1].name = " ".into();
        case.summary.clear();
        case.dispute_type = "unknown".into();
        case.closed_on = Some(date(2024, 6, 1));
        case.agreed_terms.clear();
        case.parties[0].sex = Some(Sex::Male); // the ID says female
        let errors = case.check(TODAY);
        assert_eq!(
            fields(&errors),
            [
                "dispute_type",
                "summary",
                "parties[0].sex",
                "parties[1].name",
                "closed_on",
                "agreed_terms"
            ]
        );
        assert_eq!(errors[4].problem, Problem::ClosedInFuture);
    }

    #[test]
    fn attachments_are_checked_for_checksum_size_and_kind() {
        let photo = AttachmentRef {
            id: "p1".into(),
            form: Some(FormCode("agreement".into())),
            taken_at: "2024-05-10T09:00:00+08:00".parse().unwrap(),
            position: None,
            bytes: 120_000,
            content_type: "image/jpeg".into(),
            sha256: Some("ab".repeat(32)),
        };
        let mut c = oral_case();
        c.attachments.push(photo.clone());
        c.attachments.push(AttachmentRef {
            sha256: None,
            ..photo.clone()
        });
        assert!(c.check(TODAY).is_empty(), "{:?}", c.check(TODAY));

        c.attachments = vec![AttachmentRef {
            sha256: Some("AB".repeat(32)),
            bytes: MAX_ATTACHMENT_BYTES + 1,
            content_type: "text/html".into(),
            ..photo
        }];
        assert_eq!(
            fields(&c.check(TODAY)),
            [
                "attachments[0].sha256",
                "attachments[0].bytes",
                "attachments[0].content_type"
            ]
        );
        assert!(is_sha256(&"0f".repeat(32)));
        assert!(!is_sha256(&"0f".repeat(31)));
        assert!(!is_sha256(&"0g".repeat(32)));
    }

    #[test]
    fn a_dispute_needs_two_parties() {
        let mut case = oral_case();
        case.parties.truncate(1);
        assert_eq!(fields(&case.check(TODAY)), ["parties"]);
    }

    #[test]
    fn dates_must_be_in_order() {
        let mut case = oral_case();
        case.closed_on = Some(date(2024, 5, 1));
        assert_eq!(fields(&case.check(TODAY)), ["closed_on"]);
        let mut case = oral_case();
        case.received_on = date(2024, 6, 1);
        case.closed_on = Some(date(2024, 6, 1));
        assert!(fields(&case.check(TODAY)).contains(&"received_on"));
        let mut case = oral_case();
        case.performance = Some(Performance::ByDate {
            due: date(2024, 5, 1),
        });
        assert_eq!(fields(&case.check(TODAY)), ["performance"]);
    }

    #[test]
    fn a_closed_general_case_needs_a_session_and_maps_its_count() {
        let mut case = Case {
            kind: CaseKind::General,
            ..oral_case()
        };
        assert_eq!(fields(&case.check(TODAY)), ["sessions"]);
        for day in [11, 12] {
            case.sessions.push(Session {
                id: SessionId::new_v7(),
                held_on: date(2024, 5, day),
                place: "村委会".into(),
                record: "双方陈述".into(),
            });
        }
        case.closed_on = Some(date(2024, 5, 12));
        assert_eq!(case.check(TODAY), vec![]);
        assert_eq!(case.facts(CommitteeKind::Village).unwrap().sessions, 2);
    }

    #[test]
    fn sessions_after_closing_and_outcomes_of_open_cases_are_refused() {
        let mut case = Case {
            kind: CaseKind::General,
            ..oral_case()
        };
        case.sessions.push(Session {
            id: SessionId::new_v7(),
            held_on: date(2024, 5, 15),
            place: "村委会".into(),
            record: "结案后又调解".into(),
        });
        assert_eq!(fields(&case.check(TODAY)), ["sessions[0].held_on"]);

        let open = Case {
            status: CaseStatus::Mediating,
            closed_on: None,
            ..oral_case()
        };
        assert_eq!(fields(&open.check(TODAY)), ["outcome"]);
        let bare = Case {
            outcome: None,
            closed_on: None,
            ..oral_case()
        };
        assert_eq!(fields(&bare.check(TODAY)), ["outcome", "closed_on"]);
    }

    #[test]
    fn an_approved_amount_must_be_positive() {
        let case = Case {
            special: true,
            approved_amount: Some(Money::ZERO),
            ..oral_case()
        };
        assert_eq!(fields(&case.check(TODAY)), ["approved_amount"]);
    }

    #[test]
    fn the_risk_goes_through_village_agreement_and_township_confirmation_with_a_responsible_person()
    {
        let levels = RiskLevels::default();
        let case = Case {
            risk: RiskLevel::High,
            status: CaseStatus::Mediating,
            ..oral_case()
        };
        let village = PersonId::stable("village-head");
        let township = PersonId::stable("judicial-office");
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let act = |by, t: &str, note| Act {
            by,
            at: at(t),
            note,
        };
        // the township cannot confirm what the village has not agreed
        let early = case.with_risk_step(
            &levels,
            RiskAction::Confirm,
            Some("high"),
            Some(village),
            act(township, "2026-11-25T02:00:00Z", ""),
        );
        assert!(
            matches!(early, Err(RiskError::WrongStep { .. })),
            "{early:?}"
        );
        // the level on the case is the group's proposal; the village agrees it
        let agreed = case
            .with_risk_step(
                &levels,
                RiskAction::Agree,
                None,
                None,
                act(village, "2026-11-25T02:00:00Z", ""),
            )
            .unwrap();
        let a = agreed.risk_assessment.as_ref().unwrap();
        assert_eq!(a.step, crate::risk::RiskStep::Agreed);
        assert_eq!(a.history.len(), 2);
        assert_eq!(
            a.history[0].by, case.owner_id,
            "proposed by the case's owner"
        );
        assert_eq!(a.level, "high");
        // high needs a named responsible person
        let unnamed = agreed.with_risk_step(
            &levels,
            RiskAction::Confirm,
            Some("high"),
            None,
            act(township, "2026-11-25T03:00:00Z", ""),
        );
        assert_eq!(
            unnamed.unwrap_err(),
            RiskError::ResponsibleRequired("high".into())
        );
        let confirmed = agreed
            .with_risk_step(
                &levels,
                RiskAction::Confirm,
                Some("high"),
                Some(village),
                act(township, "2026-11-25T03:00:00Z", ""),
            )
            .unwrap();
        let a = confirmed.risk_assessment.as_ref().unwrap();
        assert_eq!(a.responsible, Some(village));
        assert!(a.check(&levels).is_ok(), "the history replays");
        // a downgrade moves the case's own level; a close-out ends the risk
        let lower = confirmed
            .with_risk_step(
                &levels,
                RiskAction::Downgrade,
                Some("medium"),
                None,
                act(township, "2026-11-26T03:00:00Z", ""),
            )
            .unwrap();
        assert_eq!(lower.risk, RiskLevel::Medium);
        assert!(lower.risk_open());
        let no_reason = lower.with_risk_step(
            &levels,
            RiskAction::Close,
            None,
            None,
            act(township, "2026-11-27T03:00:00Z", ""),
        );
        assert_eq!(no_reason.unwrap_err(), RiskError::ReasonRequired);
        let closed = lower
            .with_risk_step(
                &levels,
                RiskAction::Close,
                None,
                None,
                act(township, "2026-11-27T03:00:00Z", "双方和解，隐患消除"),
            )
            .unwrap();
        assert!(!closed.risk_open());
        assert_eq!(closed.risk_assessment.as_ref().unwrap().history.len(), 5);
        // and a second proposal is never allowed
        let again = closed.with_risk_step(
            &levels,
            RiskAction::Propose,
            Some("low"),
            None,
            act(village, "2026-11-28T03:00:00Z", ""),
        );
        assert!(again.is_err());
    }

    #[test]
    fn a_claimed_case_is_locked() {
        let case = Case {
            claim_id: Some(ClaimId::new_v7()),
            ..oral_case()
        };
        assert!(case.is_locked());
        assert!(!oral_case().is_locked());
    }

    #[test]
    fn case_numbers_follow_the_paper_forms() {
        assert_eq!(case_number(2024, "楚", 12), "(2024)楚人调字第 12 号");
        assert_eq!(
            oral_case().number("楚").as_deref(),
            Some("(2024)楚人调字第 12 号")
        );
        let unnumbered = Case {
            seq: None,
            ..oral_case()
        };
        assert_eq!(unnumbered.number("楚"), None);
    }

    #[test]
    fn a_follow_up_visit_adds_its_form_and_must_come_after_closing() {
        let mut case = oral_case();
        case.record_follow_up(FollowUp {
            on: date(2024, 5, 15),
            note: "已履行".into(),
        });
        assert!(case.forms.contains(&FormCode::new("follow_up")));
        assert_eq!(case.check(TODAY), vec![]);
        case.record_follow_up(FollowUp {
            on: date(2024, 5, 9),
            note: "".into(),
        });
        assert_eq!(fields(&case.check(TODAY)), ["follow_up.on"]);
        case.record_follow_up(FollowUp {
            on: date(2024, 5, 21),
            note: "".into(),
        });
        assert_eq!(
            fields(&case.check(TODAY)),
            ["follow_up.on"],
            "not in the future"
        );
        let open = Case {
            status: CaseStatus::Mediating,
            outcome: None,
            closed_on: None,
            follow_up: Some(FollowUp {
                on: date(2024, 5, 15),
                note: "".into(),
            }),
            ..oral_case()
        };
        assert_eq!(fields(&open.check(TODAY)), ["follow_up"]);
    }

    #[test]
    fn a_case_saved_before_the_new_fields_still_reads() {
        let mut json: serde_json::Value = serde_json::to_value(oral_case()).unwrap();
        for field in ["seq", "mediator", "follow_up", "attachments", "updated_at"] {
            json.as_object_mut().unwrap().remove(field);
        }
        let old: Case = serde_json::from_value(json).unwrap();
        assert_eq!(
            (old.seq, old.mediator.as_str(), old.attachments.len()),
            (None, "", 0)
        );
    }

    #[test]
    fn a_case_survives_a_json_round_trip() {
        let mut case = oral_case();
        case.performance = Some(Performance::ByDate {
            due: date(2024, 6, 30),
        });
        let json = serde_json::to_string(&case).unwrap();
        assert!(json.contains("\"due\":\"2024-06-30\""), "{json}");
        assert_eq!(serde_json::from_str::<Case>(&json).unwrap(), case);
    }

    #[test]
    fn a_bad_resident_id_cannot_enter_a_case() {
        let json = serde_json::to_string(&oral_case())
            .unwrap()
            .replace("11010519491231002X", "110105194912310021");
        let err = serde_json::from_str::<Case>(&json).unwrap_err().to_string();
        assert!(err.contains("校验位"), "{err}");
    }

    /// Every text at its limit, every list full, in the character JSON
    /// writes longest (`\u0001`): passes the checks and stays under
    /// `MAX_CASE_JSON_BYTES`; one character more is refused by name.
    #[test]
    fn a_case_at_every_limit_is_accepted_and_stays_under_its_size() {
        use crate::attachment::AttachmentRef;
        let long = |n: usize| "\u{1}".repeat(n);
        let mut case = Case {
            status: CaseStatus::Closed,
            kind: CaseKind::General,
            mediator: long(MAX_SHORT_CHARS),
            place: long(MAX_ADDRESS_CHARS),
            summary: long(MAX_LONG_CHARS),
            agreed_terms: long(MAX_LONG_CHARS),
            follow_up: Some(FollowUp {
                on: date(2024, 5, 12),
                note: long(MAX_LONG_CHARS),
            }),
            forms: (0..MAX_FORMS)
                .map(|i| FormCode(format!("local:{i:034}")))
                .collect(),
            ..oral_case()
        };
        let party = case.parties[0].clone();
        case.parties = (0..MAX_PARTIES)
            .map(|_| Party {
                name: long(MAX_SHORT_CHARS),
                ethnicity: Some(long(MAX_SHORT_CHARS)),
                address: long(MAX_ADDRESS_CHARS),
                resident_id: None,
                ..party.clone()
            })
            .collect();
        case.sessions = (0..MAX_SESSIONS)
            .map(|i| Session {
                id: SessionId::stable(&format!("s{i}")),
                held_on: date(2024, 5, 10),
                place: long(MAX_ADDRESS_CHARS),
                record: long(MAX_LONG_CHARS),
            })
            .collect();
        case.attachments = (0..MAX_ATTACHMENTS)
            .map(|i| AttachmentRef {
                id: format!("{i:064}"),
                form: Some(FormCode(format!("local:{i:034}"))),
                taken_at: "2024-05-10T08:00:00Z".parse().unwrap(),
                position: Some(crate::attachment::Position {
                    lat_e6: -90_000_000,
                    lon_e6: -180_000_000,
                    accuracy_m: u32::MAX,
                }),
                bytes: MAX_ATTACHMENT_BYTES,
                content_type: "image/jpeg".into(),
                sha256: Some("f".repeat(64)),
            })
            .collect();
        assert_eq!(case.check(TODAY), vec![]);
        let bytes = serde_json::to_vec(&case).unwrap().len();
        assert!(bytes < MAX_CASE_JSON_BYTES, "{bytes} bytes");
        assert!(
            bytes > MAX_CASE_JSON_BYTES / 2,
            "{bytes} bytes: the bound is near"
        );

        case.sessions[3].record.push('字');
        case.parties.push(party);
        assert_eq!(
            case.check(TODAY),
            vec![
                FieldError::new(
                    "sessions[3].record",
                    Problem::TooLong {
                        max: MAX_LONG_CHARS,
                        chars: MAX_LONG_CHARS + 1
                    }
                ),
                FieldError::new("parties", Problem::TooMany { max: MAX_PARTIES }),
            ]
        );
    }

    #[test]
    fn a_form_code_is_a_short_code() {
        let mut case = oral_case();
        case.forms.insert(FormCode::new("协议书"));
        assert_eq!(fields(&case.check(TODAY)), ["forms[0]"]);
    }
}
