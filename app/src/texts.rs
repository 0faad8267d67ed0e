//! The words for what the domain reports as codes: the problems of a field
//! ([`Problem`]), in Chinese and in English. One table: the forms show a
//! problem in the language the user chose; the server writes both into its
//! answers (`中文 / English`), so a refusal reads as the form would have.

use domain::problem::{DateOf, Problem};
use domain::screening::{MAX_COVERAGE_CHARS, MAX_NOTES_CHARS, RecordError};
use std::borrow::Cow;

type Words = (Cow<'static, str>, Cow<'static, str>);

/// The problem in Chinese, or in English when `en`.
pub fn problem(p: &Problem, en: bool) -> Cow<'static, str> {
    let (zh, english) = words(p);
    if en { english } else { zh }
}

/// The problem in both languages, `中文 / English`: the server's answers.
pub fn problem_both(p: &Problem) -> String {
    let (zh, en) = words(p);
    format!("{zh} / {en}")
}

/// A message written `中文 / English` (the server's answers, the sync's
/// reports) split into its two languages: each `；`-separated part at its
/// first ` / `. A part in one language only is the same in both.
pub fn both(text: &str) -> (String, String) {
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    for part in text.split('；').map(str::trim).filter(|p| !p.is_empty()) {
        let (z, e) = part.split_once(" / ").unwrap_or((part, part));
        zh.push(z.trim());
        en.push(e.trim());
    }
    (zh.join("；"), en.join("; "))
}

/// A `中文 / English` message in the user's language only.
pub fn one_language(text: &str, en: bool) -> String {
    let (zh, english) = both(text);
    if en { english } else { zh }
}

fn fixed(zh: &'static str, en: &'static str) -> Words {
    (Cow::Borrowed(zh), Cow::Borrowed(en))
}

/// What a date is called on its form.
fn date_name(of: DateOf) -> (&'static str, &'static str) {
    match of {
        DateOf::Received => ("日期", "date"),
        DateOf::Session => ("调解日期", "session date"),
        DateOf::Closing => ("结案日期", "closing date"),
        DateOf::FollowUp => ("回访日期", "follow-up date"),
        DateOf::Deadline => ("履行期限", "performance deadline"),
        DateOf::Screening => ("排查日期", "date"),
    }
}

fn words(p: &Problem) -> Words {
    use Problem as P;
    match p {
        P::NoDisputeType => fixed("请选择纠纷类型", "choose a dispute type"),
        P::NoSummary => fixed("请填写简要案情", "enter the brief facts"),
        P::NoPartyName => fixed("请填写当事人姓名", "enter the party's name"),
        P::NoMediator => fixed("请填写调解员", "enter the mediator"),
        P::NoDate(of) => {
            let (zh, en) = date_name(*of);
            (
                format!("请填写{zh}").into(),
                format!("enter the {en}").into(),
            )
        }
        P::NoSessionRecord => fixed("请填写调解记录", "enter what happened in the session"),
        P::NoOutcomeChosen => fixed("请选择调解结果", "choose the outcome"),
        P::NoFollowUpNote => fixed("请填写回访情况", "enter what the visit found"),
        P::ClosedWithoutOutcome => fixed("结案须填写调解结果", "a closed case needs its outcome"),
        P::ClosedWithoutDate => fixed("结案须填写结案日期", "a closed case needs its closing date"),
        P::NoAgreedTerms => fixed("调解成功须填写协议内容", "an agreement needs its terms"),
        P::NoPerformance => fixed("请选择履行方式", "choose how the agreement is performed"),
        P::NoSessions => fixed(
            "一般纠纷结案前至少要有一次调解记录",
            "a general case needs at least one session before closing",
        ),
        P::NoDuty => fixed("请选择工作职责", "choose the duty"),
        P::NoUnits => fixed("请至少选择一个单位", "choose at least one unit"),
        P::BadDate(DateOf::Screening) => {
            fixed("日期格式应为 年-月-日", "the date reads YYYY-MM-DD")
        }
        P::BadDate(of) => {
            let (zh, en) = date_name(*of);
            (
                format!("{zh}无效，应为“年-月-日”").into(),
                format!("the {en} is not a valid date (YYYY-MM-DD)").into(),
            )
        }
        P::BadAmount => fixed(
            "涉及金额应为不小于0的数字，如 1200 或 1200.50",
            "the amount is a number of yuan, e.g. 1200 or 1200.50",
        ),
        P::NotWholeNumber => fixed("请填写整数", "enter a whole number"),
        P::ResidentId(e) => own_words(e),
        P::Phone(e) => own_words(e),
        P::BadCaseId => fixed("关联案件编号无效", "a linked case id is not valid"),
        P::UnknownDuty => fixed("未知的工作职责", "unknown duty"),
        P::ReceivedInFuture => fixed(
            "受理日期不能晚于今天",
            "the date received cannot be in the future",
        ),
        P::FewerThanTwoParties => {
            fixed("纠纷至少有两方当事人", "a dispute has at least two parties")
        }
        P::SexNotAsInId => fixed("性别与身份证号不符", "sex does not match the resident ID"),
        P::BirthInFuture => fixed(
            "身份证号中的出生日期晚于今天",
            "the birth date in the ID is in the future",
        ),
        P::SessionOutOfRange => fixed(
            "调解日期应在受理日期与结案日期（或今天）之间",
            "a session must fall between the date received and the closing date (or today)",
        ),
        P::OutcomeWhileOpen => fixed(
            "未结案的案件不应有调解结果",
            "only a closed case has an outcome",
        ),
        P::ClosingDateWhileOpen => fixed(
            "未结案的案件不应有结案日期",
            "only a closed case has a closing date",
        ),
        P::ClosedInFuture => fixed(
            "结案日期不能是将来的日期",
            "the closing date cannot be in the future",
        ),
        P::ClosedBeforeReceived => fixed(
            "结案日期不能早于受理日期",
            "the closing date cannot be before the date received",
        ),
        P::DeadlineBeforeClosing => fixed(
            "履行期限不能早于结案日期",
            "the performance deadline cannot be before the closing date",
        ),
        P::BadFormCode => fixed("文书名称代码不对", "the form's code is malformed"),
        P::BadAttachmentId => fixed("附件编号不对", "the attachment's id is malformed"),
        P::TooLong { max, chars } => (
            format!("内容太长：最多 {max} 字，现有 {chars} 字").into(),
            format!("too long: at most {max} characters, this has {chars}").into(),
        ),
        P::TooMany { max } => (
            format!("条数太多：最多 {max} 条").into(),
            format!("too many: at most {max}").into(),
        ),
        P::AttachmentChecksum => fixed(
            "附件校验码格式不对",
            "the attachment's checksum is malformed",
        ),
        P::AttachmentSize => fixed(
            "附件为空或超过 10 MB",
            "the attachment is empty or larger than 10 MB",
        ),
        P::AttachmentType => fixed(
            "附件只能是照片（JPEG、PNG、WebP）或 PDF",
            "an attachment must be a JPEG, PNG or WebP photo or a PDF",
        ),
        P::FollowUpOutOfRange => fixed(
            "回访日期应在结案日期与今天之间",
            "the follow-up visit falls between the closing date and today",
        ),
        P::FollowUpWhileOpen => fixed(
            "结案后才能回访",
            "a follow-up visit comes after the case is closed",
        ),
        P::DisabilityGrade => fixed("伤残等级应为1至10级", "the disability grade is 1 to 10"),
        P::ApprovedAmountZero => fixed("审批金额应大于0", "an approved amount must be more than 0"),
        P::ApprovedAmountNotSpecial => fixed(
            "仅重特大纠纷有审批金额",
            "only a special case has an approved amount",
        ),
        P::UnitNotYours => fixed(
            "所选单位不在您的职责范围内",
            "a unit chosen is not yours to report for",
        ),
        P::Screening(e) => screening(e),
        P::CaseLocked => fixed(
            "此案件已锁定（审核中），暂不能修改",
            "this case is locked for review and cannot be changed for now",
        ),
    }
}

/// A value error's words: its own `中文 / English` message, which the phone
/// links anyway (reading a stored case checks its ID numbers and phones), so
/// the texts are not kept twice.
fn own_words(e: &impl std::fmt::Display) -> Words {
    let (zh, en) = both(&e.to_string());
    (Cow::Owned(zh), Cow::Owned(en))
}

fn screening(e: &RecordError) -> Words {
    use RecordError as R;
    match e {
        R::InFuture => fixed("排查日期不能晚于今天", "the date cannot be in the future"),
        R::TooEarly => fixed("排查日期不能早于 2000 年", "the date cannot be before 2000"),
        R::NoDuty => fixed("请选择工作职责", "choose the duty"),
        R::UnknownDuty(duty) => (
            format!("未知的工作职责 “{duty}”").into(),
            Cow::Borrowed("unknown duty"),
        ),
        R::DutyNotForUnit { duty, kind } => (
            format!("“{duty}” 不适用于{}", kind.name_zh()).into(),
            Cow::Borrowed("the duty does not apply to this kind of unit"),
        ),
        R::NoCases => fixed(
            "排查出纠纷时须关联至少一个案件",
            "a finding must list at least one case",
        ),
        R::CaseTwice { .. } => fixed("关联案件重复", "a case is listed twice"),
        R::NoCoverage => fixed("请填写排查范围", "enter the area covered"),
        R::CoverageTooLong => (
            format!("排查范围不能超过 {MAX_COVERAGE_CHARS} 字").into(),
            Cow::Borrowed("the coverage is too long"),
        ),
        R::NoHouseholds => fixed("走访户数至少为 1", "households visited must be at least 1"),
        R::NoAttendees => fixed("请填写参加人数", "enter how many attended"),
        R::ZeroAttendees => fixed("参加人数至少为 1", "at least one person attends"),
        R::NotesTooLong => (
            format!("备注不能超过 {MAX_NOTES_CHARS} 字").into(),
            Cow::Borrowed("the notes are too long"),
        ),
        R::PhotoChecksum => fixed("照片校验码格式不对", "the photo's checksum is malformed"),
        R::PhotoUnnamed => fixed("照片缺少校验码", "the photo has no checksum"),
        R::PhotoSize => fixed(
            "照片为空或超过 10 MB",
            "the photo is empty or larger than 10 MB",
        ),
        R::PhotoType => fixed(
            "照片只能是 JPEG、PNG、WebP 或 PDF",
            "the photo must be a JPEG, PNG, WebP or PDF",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::validate::{IdError, PhoneError};

    #[test]
    fn a_message_in_both_languages_reads_in_one() {
        let report =
            "已同步：发送 2 条，接收 3 条 / synced: 2 sent, 3 received；照片 1 张 / 1 photos";
        assert_eq!(
            one_language(report, false),
            "已同步：发送 2 条，接收 3 条；照片 1 张"
        );
        assert_eq!(
            one_language(report, true),
            "synced: 2 sent, 3 received; 1 photos"
        );
        assert_eq!(
            one_language("请先登录 / log in first", true),
            "log in first"
        );
        assert_eq!(one_language("只有中文", true), "只有中文");
    }
    use domain::UnitKind;

    #[test]
    fn each_language_alone_and_both_for_the_server() {
        let p = Problem::BadDate(DateOf::Closing);
        assert_eq!(problem(&p, false), "结案日期无效，应为“年-月-日”");
        assert_eq!(
            problem(&p, true),
            "the closing date is not a valid date (YYYY-MM-DD)"
        );
        assert_eq!(
            problem_both(&Problem::NoPartyName),
            "请填写当事人姓名 / enter the party's name"
        );
        assert_eq!(
            problem(
                &Problem::ResidentId(IdError::CheckDigit { expected: 'X' }),
                false
            ),
            "身份证号校验位不正确，应为X"
        );
    }

    #[test]
    fn a_value_error_reads_as_its_own_message() {
        // the domain's errors keep their bilingual Display for logs and the
        // API; the table says the same
        let ids = [
            IdError::Length(17),
            IdError::NotDigits,
            IdError::BadCheckChar,
            IdError::BirthDate,
            IdError::CheckDigit { expected: '7' },
        ];
        for e in ids {
            assert_eq!(problem_both(&Problem::ResidentId(e.clone())), e.to_string());
        }
        for e in [PhoneError::Format, PhoneError::Prefix] {
            assert_eq!(problem_both(&Problem::Phone(e.clone())), e.to_string());
        }
        let records = [
            RecordError::InFuture,
            RecordError::TooEarly,
            RecordError::NoDuty,
            RecordError::UnknownDuty("x".into()),
            RecordError::DutyNotForUnit {
                duty: "x".into(),
                kind: UnitKind::Village,
            },
            RecordError::NoCases,
            RecordError::CaseTwice { index: 1 },
            RecordError::NoCoverage,
            RecordError::CoverageTooLong,
            RecordError::NoHouseholds,
            RecordError::NoAttendees,
            RecordError::ZeroAttendees,
            RecordError::NotesTooLong,
            RecordError::PhotoChecksum,
            RecordError::PhotoUnnamed,
            RecordError::PhotoSize,
            RecordError::PhotoType,
        ];
        for e in records {
            assert_eq!(problem_both(&Problem::Screening(e.clone())), e.to_string());
        }
    }
}
