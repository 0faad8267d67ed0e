use crate::ids::{CaseId, InboxItemId, UnitId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What an inbox item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InboxKind {
    /// 高风险纠纷上报: a high-risk dispute below the person, escalated at once.
    Escalation,
    /// 案件移交: a referral waits for the person's unit, or was answered.
    Referral,
    /// 包保人指定: the person was named responsible for a dispute's risk.
    Responsible,
    /// 排查提醒: a screening duty of the person's unit is due or overdue.
    Duty,
    /// 回访提醒: an open dispute is due a follow-up by its risk level.
    FollowUp,
    /// 补助未到账: a mediator says a subsidy paid to them did not arrive.
    Payment,
    /// 申报待处理: a claim has waited too long at the person's step.
    Claim,
}

impl InboxKind {
    pub const ALL: [InboxKind; 7] = [
        InboxKind::Escalation,
        InboxKind::Referral,
        InboxKind::Responsible,
        InboxKind::Duty,
        InboxKind::FollowUp,
        InboxKind::Payment,
        InboxKind::Claim,
    ];

    /// Its name on the wire and in the database.
    pub fn code(self) -> &'static str {
        match self {
            InboxKind::Escalation => "escalation",
            InboxKind::Referral => "referral",
            InboxKind::Responsible => "responsible",
            InboxKind::Duty => "duty",
            InboxKind::FollowUp => "follow_up",
            InboxKind::Payment => "payment",
            InboxKind::Claim => "claim",
        }
    }

    /// The kind of a stored code.
    pub fn of_code(code: &str) -> Option<InboxKind> {
        InboxKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl PartialEq<&str> for InboxKind {
    fn eq(&self, other: &&str) -> bool {
        self.code() == *other
    }
}

/// One item of a person's inbox (收件箱, `GET /api/v1/inbox`): what the
/// server told them in the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItem {
    pub id: InboxItemId,
    pub kind: InboxKind,
    /// e.g. `高风险纠纷 · 大潭村人民调解委员会`
    pub title: String,
    /// e.g. `大潭村人民调解委员会 邻里纠纷（11月25日受理）`: no party names.
    pub body: String,
    pub case_id: Option<CaseId>,
    pub unit_id: UnitId,
    pub created_at: Timestamp,
    pub read: bool,
}

/// The caller's newest inbox items and how many are unread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub unread: u64,
    pub items: Vec<InboxItem>,
}
