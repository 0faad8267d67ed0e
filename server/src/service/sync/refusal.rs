//! Why a mutation is refused: its code, the field at fault, and a message
//! for people (Chinese, then English). Every refusal of the push is made
//! here, so the texts stay one list.

use domain::strict::Unreadable;
use domain::sync::Refusal;

/// A mutation's refusal, before it becomes its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: Refusal,
    pub field: String,
    pub message: String,
}

fn refused(code: Refusal, field: impl Into<String>, message: impl Into<String>) -> Refused {
    Refused {
        code,
        field: field.into(),
        message: message.into(),
    }
}

/// A field of the record is refused.
pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Refused {
    refused(Refusal::Invalid, field, message)
}

/// The same answer whether the record exists elsewhere or not: ids outside
/// the caller's scope reveal nothing.
pub fn out_of_scope(field: &str) -> Refused {
    refused(
        Refusal::Scope,
        field,
        "超出您的管辖范围 / outside your organisation",
    )
}

pub fn locked(reason: &str) -> Refused {
    refused(
        Refusal::Locked,
        "entity_id",
        format!("案件已锁定，不能修改：{reason} / the case is locked: {reason}"),
    )
}

pub fn deleted() -> Refused {
    refused(
        Refusal::Deleted,
        "entity_id",
        "案件已删除 / the case was deleted",
    )
}

pub fn bad_version() -> Refused {
    refused(
        Refusal::BadVersion,
        "base_version",
        "基础版本号高于服务器版本 / base_version is newer than the server's",
    )
}

pub fn unknown_case() -> Refused {
    refused(
        Refusal::Unknown,
        "entity_id",
        "服务器上没有此案件 / no such case on the server",
    )
}

pub fn received_not_deleted() -> Refused {
    invalid(
        "op",
        "移交接收的案件不能删除，它仍属于登记的调委会 / a case received by referral is not deleted: it stays its committee's",
    )
}

pub fn received_keeps_unit() -> Refused {
    invalid(
        "payload.unit_id",
        "移交接收的案件不能更改登记的调委会 / a case received by referral keeps the committee that registered it",
    )
}

pub fn unknown_unit(message: &str) -> Refused {
    invalid("payload.unit_id", message)
}

/// A field the server sets (`decide::Owned`) sent with another value.
pub fn server_owned(field: &str) -> Refused {
    let (zh, en) = match field {
        "owner_id" => (
            "案件负责人由系统确定：新案件为提交人，之后只能经移交变更",
            "the owner is set by the server: the pusher of a new case, then only a referral changes it",
        ),
        "claim_id" => (
            "案件所在的季度申报由系统填写",
            "the quarterly claim a case is in is set by the server",
        ),
        "major_review" => (
            "重大纠纷由司法所在案件页核实，手机不能填写核实结果",
            "a major case's facts are verified by the judicial office on the case page, not by a phone",
        ),
        "recorded_by" => (
            "记录人由系统确定：新记录为提交人，更正时不变",
            "the recorder is set by the server: the pusher of a new record, kept through corrections",
        ),
        _ => (
            "特殊案件及其核定金额由市司法局决定后由系统填写，手机不能设置",
            "a special case and its approved amount are set by the server after the bureau's decision, not by a phone",
        ),
    };
    invalid(format!("payload.{field}"), format!("{zh} / {en}"))
}

pub fn risk_under_assessment() -> Refused {
    invalid(
        "payload.risk",
        "风险等级已进入研判流程，请在案件页“风险研判”中调整 / the risk level is under assessment: change it with the case page's risk steps",
    )
}

pub fn id_differs(what_zh: &str) -> Refused {
    invalid(
        "payload.id",
        format!("{what_zh}编号与 entity_id 不一致 / payload.id differs from entity_id"),
    )
}

pub fn missing_payload(what: &str) -> Refused {
    invalid("payload", what)
}

/// A payload that does not read as its type: the path of the field at fault.
pub fn unreadable(e: Unreadable, what_zh: &str, what_en: &str) -> Refused {
    let field = match e.path() {
        Some(path) => format!("payload.{path}"),
        None => "payload".to_owned(),
    };
    match e {
        Unreadable::UnknownField { .. } => invalid(field, e.to_string()),
        Unreadable::Bad { reason, .. } => invalid(
            field,
            format!("{what_zh}无法读取 / unreadable {what_en}: {reason}"),
        ),
    }
}

pub fn duplicate() -> Refused {
    refused(
        Refusal::Duplicate,
        "mutation_id",
        "此变更已用另一序号提交过 / this mutation was already pushed under another seq",
    )
}

pub fn seq_reused() -> Refused {
    refused(
        Refusal::SeqReused,
        "seq",
        "此序号已用于另一变更 / this seq was used by another mutation",
    )
}

pub fn stale_seq() -> Refused {
    refused(
        Refusal::StaleSeq,
        "seq",
        "序号已过期 / this seq is older than the last one applied",
    )
}

pub fn read_only() -> Refused {
    refused(
        Refusal::ReadOnly,
        "entity",
        "组织、日程和规则只能在服务器上修改 / units, schedules and rule sets are changed on the server only",
    )
}

pub fn not_deletable() -> Refused {
    refused(
        Refusal::NotDeletable,
        "op",
        "排查记录不能删除，请更正 / a screening record is corrected, not deleted",
    )
}

/// Seen, but not the caller's to record: their role reads (an office's
/// review, a finance office's amounts) and does not write.
pub fn role(field: &str, what_zh: &str, what_en: &str) -> Refused {
    refused(
        Refusal::Role,
        field,
        format!("您的岗位不能{what_zh} / your role does not {what_en}"),
    )
}
