//! 以案定补 — the per-case subsidy rules. Rule sets are data (JSON files, the
//! built-in ones in `app/domain/rules/`); this module reads them, checks them,
//! picks the one in force on a case's closing date, evaluates a case to at
//! most one tier, says what is missing for the best tier still reachable, and
//! sums months and quarters. The phone (offline preview) and the server
//! (authoritative) run this same code.

mod builtin;
mod check;
mod eval;
mod facts;
mod sums;
mod text;
mod verdict;

pub use builtin::builtin;
pub use check::{Problem, check, parse_rule_set};
pub use eval::{EvalError, Evaluation, evaluate, evaluate_with, in_force};
pub use facts::{CaseFacts, FactsError, parse_facts};
pub use sums::{MonthPay, QuarterSum, SumError, TierTotal, mediator_month, quarter_sum};
pub use text::{Item, form_name};
pub use verdict::Verdict;

use crate::money::{Money, MoneyError};
use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// The kind of committee that mediated a case (rules input `committee`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CommitteeKind {
    /// 村人民调解委员会
    Village,
    /// 社区人民调解委员会
    Community,
    /// 乡(镇)人民调解委员会
    Township,
    /// 市人民调解委员会
    City,
    /// 行业性、专业性人民调解委员会
    Sector,
    /// 行政主管部门人民调解委员会
    AdminDept,
    /// 小区调解委员会
    Compound,
}

impl CommitteeKind {
    pub const ALL: [CommitteeKind; 7] = [
        CommitteeKind::Village,
        CommitteeKind::Community,
        CommitteeKind::Township,
        CommitteeKind::City,
        CommitteeKind::Sector,
        CommitteeKind::AdminDept,
        CommitteeKind::Compound,
    ];

    /// The committee a unit of the organisation tree is (groups mediate
    /// under their village or community, so they have none of their own).
    pub fn of_unit(kind: crate::UnitKind) -> Option<CommitteeKind> {
        use crate::UnitKind as U;
        match kind {
            U::Village => Some(CommitteeKind::Village),
            U::Community => Some(CommitteeKind::Community),
            U::Township => Some(CommitteeKind::Township),
            U::City => Some(CommitteeKind::City),
            U::Sector => Some(CommitteeKind::Sector),
            U::AdminDept => Some(CommitteeKind::AdminDept),
            U::Compound => Some(CommitteeKind::Compound),
            U::Centre | U::VillagerGroup | U::ResidentGroup => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            CommitteeKind::Village => "village",
            CommitteeKind::Community => "community",
            CommitteeKind::Township => "township",
            CommitteeKind::City => "city",
            CommitteeKind::Sector => "sector",
            CommitteeKind::AdminDept => "admin_dept",
            CommitteeKind::Compound => "compound",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CommitteeKind::Village => "村调委会",
            CommitteeKind::Community => "社区调委会",
            CommitteeKind::Township => "乡(镇)调委会",
            CommitteeKind::City => "市调委会",
            CommitteeKind::Sector => "行业性专业性调委会",
            CommitteeKind::AdminDept => "行政主管部门调委会",
            CommitteeKind::Compound => "小区调委会",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            CommitteeKind::Village => "village committee",
            CommitteeKind::Community => "community committee",
            CommitteeKind::Township => "township committee",
            CommitteeKind::City => "city committee",
            CommitteeKind::Sector => "sector committee",
            CommitteeKind::AdminDept => "administrative-department committee",
            CommitteeKind::Compound => "compound committee",
        }
    }
}

/// How the dispute was mediated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 简易方式（口头调解）
    Simple,
    /// 一般民间纠纷
    General,
}

/// Whether an agreement was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 调解成功
    Agreed,
    /// 未达成协议
    NotAgreed,
}

/// "一案六表": the six standard forms of a mediation dossier (人民调解文书格式),
/// in dossier order. A rule set names its own `required_forms`; this is the
/// common list the UI offers.
pub const STANDARD_FORMS: [&str; 6] = [
    "application",
    "acceptance",
    "investigation",
    "mediation_record",
    "agreement",
    "follow_up",
];

/// A document of the dossier by its code, e.g. `follow_up`. The six of
/// "一案六表" are known by name; a locality may require others.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FormCode(pub String);

impl FormCode {
    pub fn new(code: &str) -> FormCode {
        FormCode(code.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A code as the rule sets write them: 1–40 of `a-z`, `0-9`, `_`, `:`.
    pub fn is_well_formed(&self) -> bool {
        (1..=40).contains(&self.0.len())
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b':')
    }
}

/// How many lines of a claim are called back (抽查比例), as a rule set
/// says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SpotCheckRule {
    /// The share of the claim's lines, in percent (1–100), rounded up.
    pub percent: u8,
    /// At least this many lines of each claim (每个调委会至少), or all of
    /// them when it has fewer.
    pub at_least: u32,
}

impl SpotCheckRule {
    /// Whether the numbers make sense (a rule set's check).
    pub fn is_sound(&self) -> bool {
        (1..=100).contains(&self.percent) && self.at_least >= 1
    }
}

/// One versioned rule set of a locality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// e.g. `chuxiong-2014`
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Administrative code of the locality, e.g. `532301` (楚雄市).
    pub locality: String,
    /// The document the rules come from.
    #[serde(default)]
    pub source: Option<String>,
    /// First day in force (by the case's closing date).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub effective_from: Date,
    /// Last day in force, inclusive; `null` while in force.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    #[serde(with = "crate::dates::iso_opt")]
    pub effective_until: Option<Date>,
    /// Fixed monthly subsidy of a full-time mediator by committee kind.
    pub monthly_fixed: BTreeMap<CommitteeKind, Money>,
    /// Whether the fixed part is paid only when the mediator performed the duty (履职好).
    #[serde(default)]
    pub fixed_requires_duty: bool,
    /// Monthly case-subsidy fund per full-time mediator (以案定补经费).
    pub monthly_case_fund: Money,
    /// Committee kinds whose cases can earn a tier.
    pub eligible_committees: Vec<CommitteeKind>,
    /// The documents of a complete dossier ("一案六表" where it is six).
    pub required_forms: Vec<FormCode>,
    /// Tiers; a case earns the best-paid one whose conditions all hold.
    pub tiers: Vec<Tier>,
    /// The call-back sample 初审 draws of each claim (回访抽查); none
    /// asked for when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spot_check: Option<SpotCheckRule>,
}

impl RuleSet {
    /// Whether the rule set is in force on `day`.
    pub fn in_force_on(&self, day: Date) -> bool {
        self.effective_from <= day && self.effective_until.is_none_or(|until| day <= until)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// e.g. `C`
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub amount: TierAmount,
    /// All must hold.
    pub conditions: Vec<Condition>,
}

/// What a tier pays: a fixed amount, or an amount set by approval
/// (written `"by_approval"`), taken from the case's `approved_amount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierAmount {
    Fixed(Money),
    ByApproval,
}

impl Serialize for TierAmount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TierAmount::Fixed(m) => m.serialize(s),
            TierAmount::ByApproval => s.serialize_str("by_approval"),
        }
    }
}

impl<'de> Deserialize<'de> for TierAmount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == "by_approval" {
            return Ok(TierAmount::ByApproval);
        }
        s.parse::<Money>()
            .map(TierAmount::Fixed)
            .map_err(|e: MoneyError| serde::de::Error::custom(format!("{e}; or \"by_approval\"")))
    }
}

/// One condition of a tier. The fact it reads is named in each variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// `method` is this.
    Method { is: Method },
    /// `outcome` is this.
    Outcome { is: Outcome },
    /// At least `n` mediation sessions.
    MinSessions { n: u32 },
    /// The oral-agreement register (口头协议登记表) is filled in.
    OralRegister,
    /// Every form of the rule set's `required_forms` is present.
    RequiredForms,
    /// These forms are present.
    Forms { all_of: Vec<FormCode> },
    /// The dossier is archived to the standard.
    Archived,
    /// Entered in the official system, or the e-dossier is complete.
    Recorded,
    /// A death (`deaths ≥ min_deaths`) or a disability of grade
    /// `max_disability_grade` or worse (1 is the worst).
    SeriousHarm {
        min_deaths: u32,
        max_disability_grade: u8,
    },
    /// Mediated by this committee alone.
    Independent,
    /// Declared especially grave (重特大).
    Special,
    /// The bureau's party group has set the amount.
    ApprovedAmount,
}

impl Condition {
    /// Whether the mediator (or the bureau) can still make it hold by adding
    /// a record; the other conditions are facts of the case.
    pub fn can_be_added(&self) -> bool {
        match self {
            Condition::MinSessions { .. }
            | Condition::OralRegister
            | Condition::RequiredForms
            | Condition::Forms { .. }
            | Condition::Archived
            | Condition::Recorded
            | Condition::ApprovedAmount => true,
            Condition::Method { .. }
            | Condition::Outcome { .. }
            | Condition::SeriousHarm { .. }
            | Condition::Independent
            | Condition::Special => false,
        }
    }
}
