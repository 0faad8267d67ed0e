//! What each role may do (权限), over the subtree of the unit where it is
//! held: one table, [`Role::may`], that the server checks on every
//! endpoint and the phone reads to show only what its user may do. The
//! table in docs/security.md ("Roles") is this one.

use crate::case::{Case, Party};
use crate::people::Role;

/// One thing a role may do, over the subtree where the role is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    /// 查看案件 — read a case whole: the parties' names, ID numbers, phones
    /// and addresses, the facts, the sessions, the photos, the history.
    ReadCases,
    /// 查看案号和金额 — a case's number, unit, mediator, dates, status,
    /// the facts its tier is decided on and its amounts; not the parties'
    /// details, the facts' text or the photos (what a finance office pays
    /// on).
    ReadAmounts,
    /// 记录案件 — create and change cases, refer them, answer a referral,
    /// upload their photos (the committee's mediators and head).
    RecordCases,
    /// 五个一排查 — record the screenings, analysis meetings and trainings
    /// of the units (whoever answers for a unit: the committee's people,
    /// the judicial office, the bureau's business section).
    RecordScreenings,
    /// 接收移交 — answer for a unit: accept or decline a referral made to
    /// it, then record the case as its owner; be named responsible for a
    /// risk (包保人); hear of its reminders (the committee's mediators and
    /// head, the judicial office, the bureau's business section).
    AnswerReferrals,
    /// 审核 — lock a case for review, confirm, downgrade and close a risk,
    /// read the screening compliance view, manage the phones of the
    /// people below (the judicial office, the township leader, the
    /// bureau's reviewers).
    Review,
    /// 账号管理 — give a new password to, stop or let in again the accounts
    /// of the people of the units below (never of the office's own unit:
    /// nobody takes over a colleague's or a superior's account): the
    /// judicial office for its committees, the bureau's business section
    /// for the townships.
    ManageAccounts,
}

impl Capability {
    pub const ALL: [Capability; 7] = [
        Capability::ReadCases,
        Capability::ReadAmounts,
        Capability::RecordCases,
        Capability::RecordScreenings,
        Capability::AnswerReferrals,
        Capability::Review,
        Capability::ManageAccounts,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Capability::ReadCases => "read_cases",
            Capability::ReadAmounts => "read_amounts",
            Capability::RecordCases => "record_cases",
            Capability::RecordScreenings => "record_screenings",
            Capability::AnswerReferrals => "answer_referrals",
            Capability::Review => "review",
            Capability::ManageAccounts => "manage_accounts",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Capability::ReadCases => "查看案件",
            Capability::ReadAmounts => "查看案号和金额",
            Capability::RecordCases => "记录案件",
            Capability::RecordScreenings => "五个一排查",
            Capability::AnswerReferrals => "接收移交",
            Capability::Review => "审核",
            Capability::ManageAccounts => "账号管理",
        }
    }
}

impl Role {
    /// Whether the role may do `what` over its subtree.
    ///
    ///
    /// | role | read cases | amounts | record cases | screenings, answer referrals | review | accounts |
    /// |---|---|---|---|---|---|---|
    /// | mediator, committee head | ✓ | ✓ | ✓ | ✓ | | |
    /// | judicial office staff and director, bureau business section | ✓ | ✓ | | ✓ | ✓ | ✓ |
    /// | township leader, bureau approver and party group | ✓ | ✓ | | | ✓ | |
    /// | township and bureau finance | | ✓ | | | | |
    pub fn may(self, what: Capability) -> bool {
        use Capability as C;
        match self {
            Role::Mediator | Role::CommitteeHead => matches!(
                what,
                C::ReadCases
                    | C::ReadAmounts
                    | C::RecordCases
                    | C::RecordScreenings
                    | C::AnswerReferrals
            ),
            Role::JudicialStaff | Role::JudicialDirector | Role::BureauSection => matches!(
                what,
                C::ReadCases
                    | C::ReadAmounts
                    | C::RecordScreenings
                    | C::AnswerReferrals
                    | C::Review
                    | C::ManageAccounts
            ),
            Role::TownshipLeader | Role::BureauApprover | Role::BureauPartyGroup => {
                matches!(what, C::ReadCases | C::ReadAmounts | C::Review)
            }
            Role::TownshipFinance | Role::BureauFinance => what == C::ReadAmounts,
        }
    }

    /// The roles that may do `what`.
    pub fn all_that_may(what: Capability) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| r.may(what)).collect()
    }
}

/// A case as shown to a role that only [reads amounts](Capability::ReadAmounts):
/// what its tier and amount are decided on, and whose it is — its number,
/// unit, mediator, kind, status, dates, the count and roles of its parties
/// and sessions, its forms, flags and amounts — with every party's name,
/// sex, ethnicity, ID number, phone and address, the place, the facts, the
/// sessions' records, the agreed terms, the follow-up's note, the photos,
/// the risk assessment and the major-case review's opinion left out.
pub fn amounts_only(case: &Case) -> Case {
    let mut shown = case.clone();
    for p in &mut shown.parties {
        *p = Party {
            role: p.role,
            name: String::new(),
            sex: None,
            ethnicity: None,
            resident_id: None,
            phone: None,
            address: String::new(),
        };
    }
    shown.place.clear();
    shown.summary.clear();
    for s in &mut shown.sessions {
        s.place.clear();
        s.record.clear();
    }
    shown.agreed_terms.clear();
    if let Some(f) = &mut shown.follow_up {
        f.note.clear();
    }
    shown.attachments.clear();
    shown.risk_assessment = None;
    // the major-case review's facts and verdict stay; its opinion may name
    // the dead or the injured
    if let Some(review) = &mut shown.major_review {
        review.opinion.clear();
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_only_keeps_what_the_tier_is_decided_on_and_nothing_personal() {
        let d = |s: &str| crate::dates::parse_iso(s).unwrap();
        let cases = crate::sample::cases(
            200,
            7,
            crate::UnitId::stable("u"),
            crate::PersonId::stable("p"),
            d("2024-01-01"),
            d("2024-12-31"),
        );
        let rules = crate::rules::builtin();
        let tier = |c: &Case| {
            c.facts(crate::rules::CommitteeKind::Village)
                .map(|f| crate::rules::evaluate(&f, rules).ok())
        };
        for case in &cases {
            let shown = amounts_only(case);
            assert_eq!(
                tier(&shown),
                tier(case),
                "the tier of {} is the same",
                case.id
            );
            let text = serde_json::to_string(&shown).unwrap();
            for p in &case.parties {
                assert!(!text.contains(&p.name), "{} shows a party's name", case.id);
                if let Some(id) = &p.resident_id {
                    assert!(
                        !text.contains(id.as_str()),
                        "{} shows an ID number",
                        case.id
                    );
                }
                if let Some(phone) = &p.phone {
                    assert!(!text.contains(phone.as_str()), "{} shows a phone", case.id);
                }
            }
            assert_eq!(shown.parties.len(), case.parties.len());
            assert_eq!(shown.sessions.len(), case.sessions.len());
            assert_eq!(
                (
                    shown.seq,
                    shown.approved_amount,
                    shown.amount_involved,
                    shown.closed_on
                ),
                (
                    case.seq,
                    case.approved_amount,
                    case.amount_involved,
                    case.closed_on
                )
            );
        }
    }

    #[test]
    fn every_role_reads_amounts_and_whoever_reads_or_records_reads_amounts() {
        for role in Role::ALL {
            assert!(role.may(Capability::ReadAmounts), "{role}");
            if role.may(Capability::RecordCases) || role.may(Capability::Review) {
                assert!(role.may(Capability::ReadCases), "{role}");
            }
            // who answers for a unit records its duties, and the reverse
            assert_eq!(
                role.may(Capability::AnswerReferrals),
                role.may(Capability::RecordScreenings),
                "{role}"
            );
        }
    }

    #[test]
    fn nobody_both_records_and_reviews_and_finance_only_reads_amounts() {
        for role in Role::ALL {
            assert!(
                !(role.may(Capability::RecordCases) && role.may(Capability::Review)),
                "{role}: a reviewer does not review their own records"
            );
        }
        for role in [Role::TownshipFinance, Role::BureauFinance] {
            let granted: Vec<Capability> = Capability::ALL
                .into_iter()
                .filter(|c| role.may(*c))
                .collect();
            assert_eq!(granted, [Capability::ReadAmounts], "{role}");
        }
    }

    #[test]
    fn the_old_predicates_are_the_table() {
        for role in Role::ALL {
            assert_eq!(role.supervises(), role.may(Capability::Review));
            assert_eq!(role.works_in_the_field(), role.may(Capability::RecordCases));
        }
    }
}
