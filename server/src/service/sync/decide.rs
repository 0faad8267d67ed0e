//! The push's decisions about one case mutation, as pure functions: what
//! the server holds, what the device sent and how the caller sees the case
//! go in; a decision comes out. The I/O around them (`apply.rs`) reads
//! what they need and writes what they decide. Table tests below.

use super::refusal::{self, Refused};
use domain::case::{Case, MajorReview, RiskLevel};
use domain::risk::RiskAssessment;
use domain::sync::Op;
use domain::{ClaimId, Money, PersonId, UnitId};

/// What the server holds of a case, as far as the decisions need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held<'a> {
    pub version: u64,
    pub deleted: bool,
    pub locked_reason: Option<&'a str>,
    pub unit_id: UnitId,
}

/// How the caller reaches a case the server holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// It is on one of the caller's branches.
    Branch,
    /// An accepted referral across the tree gave it to a unit of theirs:
    /// they change it, it stays registered at its committee.
    Granted,
    /// They see it, but their role does not record cases (an office's
    /// review, a finance office).
    ReadOnly,
    /// None of these: to them, it does not exist.
    None,
}

/// The first decision, before the payload is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    Refuse(Refused),
    /// A delete of a case the server never had: its effect already holds.
    AlreadyGone,
    /// Delete: a tombstone as the next version.
    Delete,
    /// Create or change: read the payload; merge it with the server's
    /// record first when the device changed an older version.
    Upsert {
        merge: bool,
        granted: bool,
    },
}

/// Whether the mutation may go on, and how.
pub fn admit(held: Option<Held<'_>>, reach: Reach, op: Op, base_version: u64) -> Admission {
    let Some(held) = held else {
        return match (op, base_version) {
            (_, v) if v != 0 => Admission::Refuse(refusal::unknown_case()),
            (Op::Delete, _) => Admission::AlreadyGone,
            (Op::Upsert, _) => Admission::Upsert {
                merge: false,
                granted: false,
            },
        };
    };
    if reach == Reach::None {
        // the same answer as for a case that does not exist elsewhere:
        // ids outside the caller's scope reveal nothing
        return Admission::Refuse(refusal::out_of_scope("entity_id"));
    }
    if reach == Reach::ReadOnly {
        return Admission::Refuse(refusal::role("entity_id", "修改案件", "change cases"));
    }
    if let Some(reason) = held.locked_reason {
        return Admission::Refuse(refusal::locked(reason));
    }
    if held.deleted {
        return Admission::Refuse(refusal::deleted());
    }
    if base_version > held.version {
        return Admission::Refuse(refusal::bad_version());
    }
    let granted = reach == Reach::Granted;
    match op {
        Op::Delete if granted => Admission::Refuse(refusal::received_not_deleted()),
        Op::Delete => Admission::Delete,
        Op::Upsert => Admission::Upsert {
            merge: base_version != held.version,
            granted,
        },
    }
}

/// The fields of a case that earn money or grant ownership: the server's
/// to set, never a phone's. A phone sends back what it was given; a value
/// other than that is refused with its field, and nothing is stored.
///
/// - `owner_id` (首调责任人): the pusher of a new case; then only a referral
///   accepted on the server changes it.
/// - `special`, `approved_amount` (一案一报 and the bureau's decision).
/// - `claim_id` (the quarterly claim that holds the case).
/// - `major_review` (the judicial office's check of a major case's facts).
///
/// `version`, `updated_at`, `server_verdict`, `locked_reason` and
/// `risk_assessment` are the server's too; a phone's copy of them is
/// bookkeeping it echoes, so the server writes its own over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    pub owner_id: PersonId,
    pub special: bool,
    pub approved_amount: Option<Money>,
    pub claim_id: Option<ClaimId>,
    pub major_review: Option<MajorReview>,
}

impl Owned {
    /// A case's own values of these fields.
    pub fn of(case: &Case) -> Owned {
        Owned {
            owner_id: case.owner_id,
            special: case.special,
            approved_amount: case.approved_amount,
            claim_id: case.claim_id,
            major_review: case.major_review.clone(),
        }
    }

    /// What a new case starts with: its pusher owns it, nothing else set.
    pub fn new_case(pusher: PersonId) -> Owned {
        Owned {
            owner_id: pusher,
            special: false,
            approved_amount: None,
            claim_id: None,
            major_review: None,
        }
    }

    /// Writes these values into `case`.
    pub fn put(&self, case: &mut Case) {
        case.owner_id = self.owner_id;
        case.special = self.special;
        case.approved_amount = self.approved_amount;
        case.claim_id = self.claim_id;
        case.major_review = self.major_review.clone();
    }
}

/// Whether the case as pushed (and merged) keeps the server's values of
/// the fields it owns: `held` is the stored case's, or a new case's.
pub fn keeps_owned(case: &Case, held: &Owned) -> Result<(), Refused> {
    let sent = Owned::of(case);
    if sent.owner_id != held.owner_id {
        return Err(refusal::server_owned("owner_id"));
    }
    if sent.special != held.special {
        return Err(refusal::server_owned("special"));
    }
    if sent.approved_amount != held.approved_amount {
        return Err(refusal::server_owned("approved_amount"));
    }
    if sent.claim_id != held.claim_id {
        return Err(refusal::server_owned("claim_id"));
    }
    if sent.major_review != held.major_review {
        return Err(refusal::server_owned("major_review"));
    }
    Ok(())
}

/// Where the pushed case's unit stands, as the I/O found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitFound {
    /// It exists and is in the caller's scope.
    InScope,
    /// It exists in the caller's scope, where their role does not record
    /// cases.
    ReadOnly,
    /// It exists elsewhere.
    OutOfScope,
    Unknown,
}

/// The second decision, on the case as read (and merged): whether the
/// server takes it. `unit` is asked only for a new or owned case (a
/// received one keeps the unit that registered it).
pub fn accept(
    case: &Case,
    entity_id: uuid::Uuid,
    today: jiff::civil::Date,
    held: Option<Held<'_>>,
    granted: bool,
    unit: impl FnOnce(UnitId) -> UnitFound,
    assessment: Option<&RiskAssessment>,
) -> Result<(), Refused> {
    if case.id.0 != entity_id {
        return Err(refusal::id_differs("案件"));
    }
    if let Some(problem) = case.check(today).into_iter().next() {
        return Err(refusal::invalid(
            format!("payload.{}", problem.field),
            app::texts::problem_both(&problem.problem),
        ));
    }
    match held.filter(|_| granted) {
        Some(held) if held.unit_id != case.unit_id => return Err(refusal::received_keeps_unit()),
        Some(_) => {}
        None => match unit(case.unit_id) {
            UnitFound::InScope => {}
            UnitFound::ReadOnly => {
                return Err(refusal::role("payload.unit_id", "记录案件", "record cases"));
            }
            UnitFound::OutOfScope => return Err(refusal::out_of_scope("payload.unit_id")),
            UnitFound::Unknown => {
                return Err(refusal::unknown_unit("未知的调委会 / unknown committee"));
            }
        },
    }
    // the risk assessment is the server's (`PUT …/risk`): the level it set
    // is changed only through it
    if let Some(a) = assessment
        && RiskLevel::from_code(&a.level).is_some_and(|l| l != case.risk)
    {
        return Err(refusal::risk_under_assessment());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::sync::Refusal;

    fn held(version: u64) -> Held<'static> {
        Held {
            version,
            deleted: false,
            locked_reason: None,
            unit_id: UnitId::stable("v"),
        }
    }

    fn refusal_of(a: &Admission) -> Option<(Refusal, &str)> {
        match a {
            Admission::Refuse(r) => Some((r.code, r.field.as_str())),
            _ => None,
        }
    }

    #[test]
    fn admission_table() {
        use Admission as A;
        let upsert = |merge, granted| A::Upsert { merge, granted };
        let locked = Held {
            locked_reason: Some("季度审核中"),
            ..held(3)
        };
        let gone = Held {
            deleted: true,
            ..held(3)
        };
        let cases: Vec<(Option<Held<'_>>, Reach, Op, u64, A)> = vec![
            // new cases
            (None, Reach::None, Op::Upsert, 0, upsert(false, false)),
            (None, Reach::None, Op::Delete, 0, A::AlreadyGone),
            (
                None,
                Reach::None,
                Op::Upsert,
                2,
                A::Refuse(refusal::unknown_case()),
            ),
            // held, on the caller's branch
            (
                Some(held(3)),
                Reach::Branch,
                Op::Upsert,
                3,
                upsert(false, false),
            ),
            (
                Some(held(3)),
                Reach::Branch,
                Op::Upsert,
                1,
                upsert(true, false),
            ),
            (
                Some(held(3)),
                Reach::Branch,
                Op::Upsert,
                0,
                upsert(true, false),
            ),
            (
                Some(held(3)),
                Reach::Branch,
                Op::Upsert,
                4,
                A::Refuse(refusal::bad_version()),
            ),
            (Some(held(3)), Reach::Branch, Op::Delete, 3, A::Delete),
            (
                Some(locked),
                Reach::Branch,
                Op::Upsert,
                3,
                A::Refuse(refusal::locked("季度审核中")),
            ),
            (
                Some(gone),
                Reach::Branch,
                Op::Upsert,
                3,
                A::Refuse(refusal::deleted()),
            ),
            // received by a referral across the tree
            (
                Some(held(3)),
                Reach::Granted,
                Op::Upsert,
                3,
                upsert(false, true),
            ),
            (
                Some(held(3)),
                Reach::Granted,
                Op::Delete,
                3,
                A::Refuse(refusal::received_not_deleted()),
            ),
            // seen by a role that does not record: refused for the role,
            // whatever else holds
            (
                Some(locked),
                Reach::ReadOnly,
                Op::Upsert,
                3,
                A::Refuse(refusal::role("entity_id", "修改案件", "change cases")),
            ),
            (
                Some(held(3)),
                Reach::ReadOnly,
                Op::Delete,
                3,
                A::Refuse(refusal::role("entity_id", "修改案件", "change cases")),
            ),
            // out of reach: as if it did not exist, whatever else holds
            (
                Some(locked),
                Reach::None,
                Op::Upsert,
                3,
                A::Refuse(refusal::out_of_scope("entity_id")),
            ),
            (
                Some(held(3)),
                Reach::None,
                Op::Delete,
                3,
                A::Refuse(refusal::out_of_scope("entity_id")),
            ),
        ];
        for (i, (held, reach, op, base, want)) in cases.into_iter().enumerate() {
            assert_eq!(admit(held, reach, op, base), want, "row {i}");
        }
        assert_eq!(
            refusal_of(&admit(Some(held(1)), Reach::None, Op::Upsert, 1)),
            Some((Refusal::Scope, "entity_id"))
        );
    }

    #[test]
    fn acceptance_table() {
        let today = jiff::civil::date(2024, 6, 1);
        let case = domain::testing::oral_case();
        let id = case.id.0;
        let here = |_| UnitFound::InScope;
        assert_eq!(accept(&case, id, today, None, false, here, None), Ok(()));
        // the payload names another case
        let r = accept(&case, uuid::Uuid::nil(), today, None, false, here, None).unwrap_err();
        assert_eq!((r.code, r.field.as_str()), (Refusal::Invalid, "payload.id"));
        // a field the domain refuses, named under payload
        let mut bad = case.clone();
        bad.summary.clear();
        let r = accept(&bad, id, today, None, false, here, None).unwrap_err();
        assert_eq!(r.field, "payload.summary");
        // in the form's words, both languages (the app's one table)
        assert_eq!(r.message, "请填写简要案情 / enter the brief facts");
        // the unit: unknown, elsewhere
        let r = accept(&case, id, today, None, false, |_| UnitFound::Unknown, None).unwrap_err();
        assert_eq!(
            (r.code, r.field.as_str()),
            (Refusal::Invalid, "payload.unit_id")
        );
        let r = accept(
            &case,
            id,
            today,
            None,
            false,
            |_| UnitFound::OutOfScope,
            None,
        )
        .unwrap_err();
        assert_eq!(
            (r.code, r.field.as_str()),
            (Refusal::Scope, "payload.unit_id")
        );
        let r = accept(&case, id, today, None, false, |_| UnitFound::ReadOnly, None).unwrap_err();
        assert_eq!(
            (r.code, r.field.as_str()),
            (Refusal::Role, "payload.unit_id")
        );
        // a received case keeps its committee, and its unit is not looked up
        let held = Held {
            unit_id: case.unit_id,
            ..held(2)
        };
        let never = |_| -> UnitFound { panic!("not asked") };
        assert_eq!(
            accept(&case, id, today, Some(held), true, never, None),
            Ok(())
        );
        let moved = Held {
            unit_id: UnitId::stable("elsewhere"),
            ..held
        };
        let r = accept(&case, id, today, Some(moved), true, never, None).unwrap_err();
        assert_eq!(r.field, "payload.unit_id");
        // an assessed level is the server's
        let levels = domain::risk::RiskLevels::default();
        let act = domain::risk::Act {
            by: case.owner_id,
            at: "2024-05-10T02:00:00Z".parse().unwrap(),
            note: "",
        };
        let assessed = RiskAssessment::propose(case.id, &levels, "high", act).unwrap();
        let r = accept(&case, id, today, None, false, here, Some(&assessed)).unwrap_err();
        assert_eq!(r.field, "payload.risk");
        let mut high = case.clone();
        high.risk = RiskLevel::High;
        assert_eq!(
            accept(&high, id, today, None, false, here, Some(&assessed)),
            Ok(())
        );
    }

    #[test]
    fn the_server_owned_fields_are_kept_or_refused_by_name() {
        let case = domain::testing::oral_case();
        let pusher = case.owner_id;
        assert_eq!(keeps_owned(&case, &Owned::new_case(pusher)), Ok(()));
        type Forge = fn(&mut Case);
        let forged: [(&str, Forge); 5] = [
            ("payload.owner_id", |c| {
                c.owner_id = PersonId::stable("someone else")
            }),
            ("payload.special", |c| c.special = true),
            ("payload.approved_amount", |c| {
                c.approved_amount = Some(Money::yuan(88_888))
            }),
            ("payload.claim_id", |c| c.claim_id = Some(ClaimId::new_v7())),
            ("payload.major_review", |c| {
                c.major_review = Some(MajorReview {
                    verified: true,
                    by: c.owner_id,
                    by_name: "自己".into(),
                    at: "2024-05-10T02:00:00Z".parse().unwrap(),
                    opinion: "已核实".into(),
                    deaths: 1,
                    disability_grade: None,
                    independent: true,
                })
            }),
        ];
        for (field, forge) in forged {
            let mut f = case.clone();
            forge(&mut f);
            let refused = keeps_owned(&f, &Owned::new_case(pusher)).unwrap_err();
            assert_eq!(
                (refused.code, refused.field.as_str()),
                (Refusal::Invalid, field)
            );
            // what the server holds is what it keeps: the same values pass
            assert_eq!(keeps_owned(&f, &Owned::of(&f)), Ok(()));
            let mut back = case.clone();
            Owned::of(&f).put(&mut back);
            assert_eq!(Owned::of(&back), Owned::of(&f));
        }
    }
}
