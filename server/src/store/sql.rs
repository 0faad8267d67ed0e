//! Statements whose shape depends on their input, built with `sea-query`
//! and rendered for the connection's dialect; and the readers that turn a
//! stored text back into its domain type.
//!
//! SQLite gets `?` placeholders, bound by position: sqlx binds a numbered
//! parameter (`$1`) by asking SQLite its name, which SQLite finds by a
//! linear scan, quadratic in the parameter count — a third of a 500-case
//! push's time when it was measured (docs/perf.md).

use super::{Backend, Conn, StoreError};
use sea_query::{Iden, PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_binder::{SqlxBinder, SqlxValues};

/// Rows per multi-row statement: 200 rows of up to 13 values stay far
/// under either database's parameter limit.
pub(super) const ROWS_PER_STATEMENT: usize = 200;
/// Ids per `IN (…)` list.
pub(super) const IDS_PER_STATEMENT: usize = 1_000;

/// The statement's text for `conn`'s dialect and its values, in order.
pub(super) fn render<S: SqlxBinder>(conn: &Conn, stmt: &S) -> (String, SqlxValues) {
    render_for(Backend::of(conn), stmt)
}

pub(super) fn render_for<S: SqlxBinder>(backend: Backend, stmt: &S) -> (String, SqlxValues) {
    match backend {
        Backend::Sqlite => stmt.build_sqlx(SqliteQueryBuilder),
        Backend::Postgres => stmt.build_sqlx(PostgresQueryBuilder),
    }
}

/// `path LIKE 'root%'` for each root: inside one of these subtrees.
pub(super) fn under<C>(column: C, roots: &[&domain::UnitPath]) -> sea_query::Condition
where
    C: sea_query::IntoColumnRef + Clone,
{
    roots.iter().fold(sea_query::Cond::any(), |any, root| {
        any.add(sea_query::Expr::col(column.clone()).like(format!("{root}%")))
    })
}

/// Reads a stored text as its type (an id, a role, a kind, a moment).
pub(super) fn read<T>(what: &str, text: &str) -> Result<T, StoreError>
where
    T: std::str::FromStr,
{
    text.parse()
        .map_err(|_| StoreError::corrupt(what, format_args!("{text:?}")))
}

/// [`read`] of an optional text.
pub(super) fn read_opt<T>(what: &str, text: Option<&str>) -> Result<Option<T>, StoreError>
where
    T: std::str::FromStr,
{
    text.map(|t| read(what, t)).transpose()
}

/// A stored unit path.
pub(super) fn path(text: &str) -> Result<domain::UnitPath, StoreError> {
    domain::UnitPath::parse(text).map_err(|e| StoreError::corrupt("unit path", e))
}

/// A stored count or version (never negative).
pub(super) fn count(what: &str, n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::corrupt(what, n))
}

/// A flag stored as 0/1.
pub(super) fn flag(n: i64) -> bool {
    n != 0
}

/// The tables and columns the built statements name.
#[derive(Iden, Clone, Copy)]
pub(super) enum CaseRecord {
    Table,
    Id,
    UnitId,
    UnitPath,
    Version,
    Payload,
    Deleted,
    Tier,
    AmountFen,
    LockedReason,
    ChangeNo,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum CaseNumber {
    Table,
    UnitId,
    Year,
    Seq,
    CaseId,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum CaseHistory {
    Table,
    CaseId,
    Version,
    Payload,
    Deleted,
    ReplacedAt,
    ReplacedBy,
    Overridden,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum CaseOwnership {
    Table,
    CaseId,
    GrantPath,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum OrgUnit {
    Table,
    Id,
    Code,
    Name,
    Kind,
    ParentId,
    Path,
    Depth,
    CreatedAt,
    UpdatedAt,
    ChangeNo,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum Person {
    Table,
    Id,
    UnitId,
    Name,
    Kind,
    Sex,
    Phone,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum RoleGrant {
    Table,
    PersonId,
    Role,
    UnitId,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum Account {
    Table,
    Id,
    PersonId,
    Phone,
    DisabledAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum DeviceSession {
    Table,
    Id,
    AccountId,
    DeviceName,
    CreatedAt,
    LastSeenAt,
    RevokedAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum SyncMutation {
    Table,
    ClientId,
    Seq,
    MutationId,
    Result,
    AppliedAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum CaseAttachment {
    Table,
    CaseId,
    AttachmentId,
    Sha256,
    UnitPath,
    Bytes,
    ContentType,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum ScreeningRecord {
    Table,
    Id,
    UnitId,
    UnitPath,
    Duty,
    DoneOn,
    Version,
    Payload,
    ChangeNo,
    PhotoSha256,
    PhotoBytes,
    PhotoType,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum ReminderNotice {
    Table,
    ReminderKey,
    Channel,
    RecipientId,
    UnitId,
    State,
    DueOn,
    ClaimedBy,
    ClaimedAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum Claim {
    Table,
    Id,
    UnitId,
    UnitPath,
    TownshipId,
    Quarter,
    RuleSet,
    Stage,
    Version,
    SubmittedBy,
    SubmittedByName,
    SubmittedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum ClaimLine {
    Table,
    ClaimId,
    CaseId,
    Ord,
    Number,
    Parties,
    DisputeType,
    ClosedOn,
    MediatorId,
    Mediator,
    Tier,
    AmountFen,
    Late,
    SpecialReason,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum ClaimSpecialDecision {
    Table,
    ClaimId,
    CaseId,
    Approved,
    AmountFen,
    Minutes,
    ByPerson,
    ByName,
    At,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum ClaimSpotCheck {
    Table,
    ClaimId,
    Seed,
    Percent,
    AtLeast,
    ByPerson,
    ByName,
    At,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum ClaimSpotCheckCase {
    Table,
    ClaimId,
    Ord,
    CaseId,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum ClaimCallBack {
    Table,
    ClaimId,
    Seq,
    CaseId,
    Reached,
    Confirms,
    Satisfied,
    Notes,
    ByPerson,
    ByName,
    At,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum CaseClaim {
    Table,
    CaseId,
    ClaimId,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum ClaimLineChange {
    Table,
    ClaimId,
    Seq,
    CaseId,
    Step,
    Tier,
    AmountFen,
    Reason,
    ByPerson,
    ByName,
    At,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum ClaimSignature {
    Table,
    ClaimId,
    Seq,
    Step,
    Decision,
    ByPerson,
    ByName,
    At,
    Opinion,
    TotalFen,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum ClaimPayment {
    Table,
    Id,
    Payee,
    TownshipId,
    Quarter,
    MediatorId,
    Mediator,
    AmountFen,
    PaidOn,
    Method,
    Reference,
    ByPerson,
    ByName,
    At,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum ClaimPaymentPart {
    Table,
    PaymentId,
    ClaimId,
    Payee,
    MediatorId,
    AmountFen,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum FixedPaymentPart {
    Table,
    PaymentId,
    Payee,
    PersonId,
    Month,
    AmountFen,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum PaymentReceipt {
    Table,
    PaymentId,
    Seq,
    Received,
    Note,
    ByPerson,
    At,
}

#[derive(Iden, Clone, Copy)]
pub(super) enum DutyDecision {
    Table,
    PersonId,
    Month,
    Seq,
    Performed,
    AmountFen,
    Reason,
    ByPerson,
    ByName,
    At,
}
