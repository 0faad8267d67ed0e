//! What is wrong with one field of a case or a form (问题): a code per check
//! of the shared rules and of the forms, with the facts the words need.
//! The domain says what is wrong; the words people read, in the language
//! they chose, are the app's (`app::texts`), and the server writes the same
//! words into its answers.

use crate::screening::RecordError;
use crate::validate::{IdError, PhoneError};

/// A problem with one field, for the form to show next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// e.g. `parties[1].name`, `closed_on`
    pub field: String,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: Problem) -> FieldError {
        FieldError {
            field: field.into(),
            problem,
        }
    }
}

/// Which date of a form a date problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateOf {
    /// 受理日期 (the form calls it 日期)
    Received,
    /// 调解日期
    Session,
    /// 结案日期
    Closing,
    /// 回访日期
    FollowUp,
    /// 履行期限
    Deadline,
    /// 排查日期
    Screening,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    // ---- a field left empty, or not chosen
    /// 纠纷类型 not chosen.
    NoDisputeType,
    /// 简要案情 empty.
    NoSummary,
    /// A party's name empty.
    NoPartyName,
    /// 调解员 empty.
    NoMediator,
    /// A date left empty.
    NoDate(DateOf),
    /// 调解记录 empty.
    NoSessionRecord,
    /// 调解结果 not chosen on the closing form.
    NoOutcomeChosen,
    /// 回访情况 empty.
    NoFollowUpNote,
    /// A closed case without its outcome.
    ClosedWithoutOutcome,
    /// A closed case without its closing date.
    ClosedWithoutDate,
    /// An agreement without its terms.
    NoAgreedTerms,
    /// An agreement without how it is performed.
    NoPerformance,
    /// A general case closed without any session.
    NoSessions,
    /// 工作职责 not chosen (screening form).
    NoDuty,
    /// No unit chosen (screening form).
    NoUnits,

    // ---- a value that cannot be read
    /// A date not written `YYYY-MM-DD`.
    BadDate(DateOf),
    /// 涉及金额 not a non-negative amount of yuan.
    BadAmount,
    /// Not a whole number.
    NotWholeNumber,
    /// A resident ID that is not one.
    ResidentId(IdError),
    /// A mobile number that is not one.
    Phone(PhoneError),
    /// A linked case id that is not one.
    BadCaseId,
    /// A duty the schedule does not have.
    UnknownDuty,
    /// A dossier form code that is not one (`a-z`, `0-9`, `_`, `:`).
    BadFormCode,
    /// An attachment's id empty or over 64 characters.
    BadAttachmentId,

    // ---- sizes
    /// A text over its limit (`chars` typed, `max` allowed).
    TooLong { max: usize, chars: usize },
    /// A list with more items than allowed.
    TooMany { max: usize },

    // ---- values that do not fit together
    /// 受理日期 after today.
    ReceivedInFuture,
    /// Fewer than two parties.
    FewerThanTwoParties,
    /// A party's sex differs from the one in the resident ID.
    SexNotAsInId,
    /// The birth date inside a resident ID is after today.
    BirthInFuture,
    /// A session outside the date received and the closing date (or today).
    SessionOutOfRange,
    /// An open case with an outcome.
    OutcomeWhileOpen,
    /// An open case with a closing date.
    ClosingDateWhileOpen,
    /// A closing date after today.
    ClosedInFuture,
    /// A closing date before the date received.
    ClosedBeforeReceived,
    /// A performance deadline before the closing date.
    DeadlineBeforeClosing,
    /// An attachment's checksum is not a SHA-256.
    AttachmentChecksum,
    /// An attachment empty or over 10 MB.
    AttachmentSize,
    /// An attachment neither a photo nor a PDF.
    AttachmentType,
    /// A follow-up visit outside the closing date and today.
    FollowUpOutOfRange,
    /// A follow-up visit on an open case.
    FollowUpWhileOpen,
    /// A disability grade outside 1–10.
    DisabilityGrade,
    /// An approved amount of zero.
    ApprovedAmountZero,
    /// An approved amount on a case that is not special.
    ApprovedAmountNotSpecial,
    /// A unit the user may not report for (screening form).
    UnitNotYours,
    /// A screening record's own check.
    Screening(RecordError),

    // ---- the case as a whole
    /// The case is locked (an office's review or a subsidy claim): no
    /// change until it is unlocked.
    CaseLocked,
}
