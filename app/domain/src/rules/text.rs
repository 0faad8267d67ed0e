//! The words the rules speak, in Chinese first and English second.

use super::{CommitteeKind, Condition, FormCode, Method, Outcome};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Text that is usually a constant (no allocation) and sometimes built.
pub type Text = Cow<'static, str>;

/// A condition met or missing, or a reason, with a stable code for programs
/// and text for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// e.g. `form:follow_up`, `min_sessions`, `committee_not_eligible`
    pub code: Text,
    pub zh: Text,
    pub en: Text,
}

impl Item {
    pub fn new(code: impl Into<Text>, zh: impl Into<Text>, en: impl Into<Text>) -> Item {
        Item {
            code: code.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// Chinese and English names of a form code; unknown codes are shown as they are.
pub fn form_name(code: &FormCode) -> (Text, Text) {
    let (zh, en) = match code.as_str() {
        "application" => ("调解申请书", "application"),
        "acceptance" => ("受理登记表", "acceptance register"),
        "investigation" => ("调查记录", "investigation record"),
        "mediation_record" => ("调解记录", "mediation record"),
        "agreement" => ("调解协议书", "mediation agreement"),
        "follow_up" => ("回访记录", "follow-up record"),
        "oral_register" => ("口头协议登记表", "oral-agreement register"),
        "dossier_cover" => ("卷宗封面", "dossier cover"),
        "court_confirmation" => ("司法确认申请书", "application for court confirmation"),
        "major_evidence" => (
            "重大纠纷证明（伤残鉴定书、死亡证明或报警回执）",
            "major-case evidence (disability assessment, death record or police report)",
        ),
        other => return (Cow::Owned(other.to_owned()), Cow::Owned(other.to_owned())),
    };
    (Cow::Borrowed(zh), Cow::Borrowed(en))
}

pub(super) fn form_missing(code: &FormCode) -> Item {
    let (zh, en) = form_name(code);
    Item::new(
        format!("form:{}", code.as_str()),
        format!("缺少{zh}"),
        format!("{en} missing"),
    )
}

fn method_name(m: Method) -> (&'static str, &'static str) {
    match m {
        Method::Simple => ("简易（口头）调解", "simple (oral) mediation"),
        Method::General => ("一般纠纷调解", "general dispute mediation"),
    }
}

fn outcome_name(o: Outcome) -> (&'static str, &'static str) {
    match o {
        Outcome::Agreed => ("调解成功", "agreement reached"),
        Outcome::NotAgreed => ("未达成协议", "no agreement"),
    }
}

/// The item for a condition that holds.
pub(super) fn met(c: &Condition) -> Item {
    match c {
        Condition::Method { is } => {
            let (zh, en) = method_name(*is);
            Item::new("method", zh, en)
        }
        Condition::Outcome { is } => {
            let (zh, en) = outcome_name(*is);
            Item::new("outcome", zh, en)
        }
        Condition::MinSessions { n } => Item::new(
            "min_sessions",
            format!("调解{n}次以上"),
            format!("{n} or more sessions"),
        ),
        Condition::OralRegister => {
            Item::new("oral_register", "口头协议登记表", "oral-agreement register")
        }
        Condition::RequiredForms => {
            Item::new("required_forms", "一案六表齐全", "all required forms")
        }
        Condition::Forms { .. } => Item::new("forms", "所需文书齐全", "the forms required"),
        Condition::Archived => Item::new("archived", "已规范归档", "archived to the standard"),
        Condition::Recorded => Item::new(
            "recorded",
            "已录入系统/电子卷宗",
            "recorded in the system / e-dossier",
        ),
        Condition::SeriousHarm { .. } => Item::new(
            "serious_harm",
            "死亡或伤残一、二级",
            "death or disability grade 1–2",
        ),
        Condition::Independent => {
            Item::new("independent", "本调委会独立调处", "mediated independently")
        }
        Condition::Special => Item::new("special", "重特大纠纷", "especially grave dispute"),
        Condition::ApprovedAmount => {
            Item::new("approved_amount", "党组已审批金额", "amount approved")
        }
    }
}

/// The item for a condition that does not hold (forms are itemised by the caller).
pub(super) fn missing(c: &Condition, sessions: u32) -> Item {
    match c {
        Condition::Method { is } => {
            let (zh, en) = method_name(*is);
            Item::new("method", format!("须为{zh}"), format!("must be {en}"))
        }
        Condition::Outcome { is } => {
            let (zh, en) = outcome_name(*is);
            Item::new("outcome", format!("须{zh}"), format!("needs: {en}"))
        }
        Condition::MinSessions { n } => {
            let more = n.saturating_sub(sessions);
            Item::new(
                "min_sessions",
                format!("还需调解{more}次（至少{n}次）"),
                format!("{more} more session(s) needed (at least {n})"),
            )
        }
        Condition::OralRegister => Item::new(
            "oral_register",
            "缺少口头协议登记表",
            "oral-agreement register missing",
        ),
        Condition::RequiredForms | Condition::Forms { .. } => {
            Item::new("forms", "文书不全", "forms missing")
        }
        Condition::Archived => Item::new(
            "archived",
            "尚未规范归档",
            "not archived to the standard yet",
        ),
        Condition::Recorded => Item::new(
            "recorded",
            "尚未录入系统或建立电子卷宗",
            "not recorded in the system / e-dossier yet",
        ),
        Condition::SeriousHarm { .. } => Item::new(
            "serious_harm",
            "须有死亡或伤残一、二级",
            "needs a death or disability grade 1–2",
        ),
        Condition::Independent => Item::new(
            "independent",
            "须本调委会独立调处",
            "must be mediated independently",
        ),
        Condition::Special => Item::new(
            "special",
            "须为重特大纠纷",
            "must be declared especially grave",
        ),
        Condition::ApprovedAmount => Item::new(
            "approved_amount",
            "待市司法局党组审批金额",
            "awaiting the amount set by the bureau's party group",
        ),
    }
}

pub(super) fn committee_not_eligible(k: CommitteeKind) -> Item {
    Item::new(
        "committee_not_eligible",
        format!("{}调解的案件不适用以案定补", k.name_zh()),
        format!("cases of a {} earn no case subsidy", k.name_en()),
    )
}

pub(super) fn no_case_tiers(rule_set: &str) -> Item {
    Item::new(
        "no_case_tiers",
        format!("规则 {rule_set} 没有以案定补档次"),
        format!("rule set {rule_set} has no case tiers"),
    )
}

pub(super) fn no_tier_fits() -> Item {
    Item::new(
        "no_tier_fits",
        "本案不符合任何补助档次",
        "no tier fits this case",
    )
}
