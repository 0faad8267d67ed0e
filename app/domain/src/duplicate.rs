//! Cases that look like the same dispute (重复申报核查): what an office is
//! shown on a case's page and beside each line of a claim, so that one
//! dispute is not paid twice. A flag is a fact for a person to weigh, never
//! a refusal: two disputes of one family in a season are real too.
//!
//! Three likenesses, in any committee of the city:
//! - the same party (by resident ID) in another case of the same dispute
//!   type received within [`SAME_PARTY_WITHIN_DAYS`] days;
//! - the same photo (its SHA-256) in another case;
//! - another oral case with the same parties received the same day.
//!
//! The server compares resident IDs and oral parties by a keyed hash of the
//! [`Mark`]s a case makes, so the index holds no ID number or name.

use crate::case::{Case, CaseKind, dispute_type_name};
use crate::dates::format_iso;
use crate::ids::CaseId;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// How far apart two cases of one party and one dispute type may be
/// received and still look like the same dispute.
pub const SAME_PARTY_WITHIN_DAYS: i32 = 90;

/// Why two cases look alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Likeness {
    /// 同一当事人（身份证号）同类纠纷.
    SameParty,
    /// 同一张照片.
    SamePhoto,
    /// 同一批当事人同一天的口头调解.
    SameOral,
}

impl Likeness {
    /// The code the index stores a mark under.
    pub fn code(self) -> &'static str {
        match self {
            Likeness::SameParty => "party",
            Likeness::SamePhoto => "photo",
            Likeness::SameOral => "oral",
        }
    }

    pub fn from_code(code: &str) -> Option<Likeness> {
        [Likeness::SameParty, Likeness::SamePhoto, Likeness::SameOral]
            .into_iter()
            .find(|l| l.code() == code)
    }
}

/// What a case is indexed by, before the server hashes it: a party's
/// resident ID, or an oral case's parties and day. (Photos are indexed by
/// their SHA-256 already.)
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    pub likeness: Likeness,
    pub text: String,
}

/// The marks a live case makes, each once.
pub fn marks(case: &Case) -> Vec<Mark> {
    let mut out: Vec<Mark> = case
        .parties
        .iter()
        .filter_map(|p| p.resident_id.as_ref())
        .map(|id| Mark {
            likeness: Likeness::SameParty,
            text: id.as_str().to_owned(),
        })
        .collect();
    if case.kind == CaseKind::Oral && !case.parties.is_empty() {
        let mut names: Vec<String> = case
            .parties
            .iter()
            .map(|p| p.name.split_whitespace().collect::<String>())
            .collect();
        names.sort();
        out.push(Mark {
            likeness: Likeness::SameOral,
            text: format!("{}|{}", format_iso(case.received_on), names.join("、")),
        });
    }
    out.sort();
    out.dedup();
    out
}

/// What the check reads of a case to weigh a likeness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub case_id: CaseId,
    pub dispute_type: String,
    pub received_on: Date,
}

impl Seen {
    pub fn of(case: &Case) -> Seen {
        Seen {
            case_id: case.id,
            dispute_type: case.dispute_type.clone(),
            received_on: case.received_on,
        }
    }
}

/// Whether `other`, sharing a mark of `likeness` with `this`, looks like
/// the same dispute.
pub fn alike(likeness: Likeness, this: &Seen, other: &Seen) -> bool {
    if this.case_id == other.case_id {
        return false;
    }
    match likeness {
        Likeness::SameParty => {
            let days = (this.received_on - other.received_on).get_days().abs();
            this.dispute_type == other.dispute_type && days <= SAME_PARTY_WITHIN_DAYS
        }
        Likeness::SamePhoto => true,
        Likeness::SameOral => this.received_on == other.received_on,
    }
}

/// A case that looks like the one it is shown beside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DuplicateFlag {
    pub likeness: Likeness,
    /// The other case, when the caller may open it (its committee is in the
    /// caller's scope); otherwise only its committee, number and day are
    /// told, never its parties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<CaseId>,
    /// The other case's committee.
    pub committee: String,
    /// Its case number (numbers repeat across committees).
    pub number: String,
    pub dispute_type: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub received_on: Date,
    /// The flag in words, `中文 / English` (the screen shows one half).
    pub words: String,
}

impl DuplicateFlag {
    pub fn new(
        likeness: Likeness,
        case_id: Option<CaseId>,
        committee: String,
        number: String,
        other: &Seen,
    ) -> DuplicateFlag {
        let kind = dispute_type_name(&other.dispute_type).unwrap_or("其他");
        let day = format_iso(other.received_on);
        let (zh, en) = match likeness {
            Likeness::SameParty => (
                format!(
                    "可能重复：同一当事人（身份证号相同）在{committee}{number}也有{kind}纠纷，{day}受理"
                ),
                format!(
                    "Possible duplicate: the same party (same ID number) is in {committee}'s {number}, a dispute of the same kind received {day}"
                ),
            ),
            Likeness::SamePhoto => (
                format!("可能重复：同一张照片也在{committee}{number}中（{day}受理）"),
                format!(
                    "Possible duplicate: the same photo is in {committee}'s {number} (received {day})"
                ),
            ),
            Likeness::SameOral => (
                format!("可能重复：同一批当事人同一天在{committee}{number}也登记了口头调解"),
                format!(
                    "Possible duplicate: the same parties have an oral case the same day in {committee}'s {number}"
                ),
            ),
        };
        DuplicateFlag {
            likeness,
            case_id,
            committee,
            number,
            dispute_type: other.dispute_type.clone(),
            received_on: other.received_on,
            words: format!("{zh} / {en}"),
        }
    }
}

/// A case with its flags: `GET /api/v1/cases/{id}/duplicates` answers a
/// list of none or one, `GET /api/v1/claims/{id}/duplicates` one per
/// flagged line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseDuplicates {
    pub case_id: CaseId,
    pub flags: Vec<DuplicateFlag>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::PartyRole;
    use crate::testing::{general_case, oral_case, party};
    use proptest::prelude::*;

    fn seen(id: u128, kind: &str, day: Date) -> Seen {
        Seen {
            case_id: CaseId::stable(&id.to_string()),
            dispute_type: kind.into(),
            received_on: day,
        }
    }

    #[test]
    fn a_case_is_marked_by_its_parties_ids_and_an_oral_case_by_its_parties_and_day() {
        let general = general_case();
        let m = marks(&general);
        let with_id = general
            .parties
            .iter()
            .filter(|p| p.resident_id.is_some())
            .count();
        assert!(with_id > 0);
        assert_eq!(
            m.iter()
                .filter(|m| m.likeness == Likeness::SameParty)
                .count(),
            with_id
        );
        assert!(m.iter().all(|m| m.likeness != Likeness::SameOral));

        let mut oral = oral_case();
        oral.parties = vec![
            party(PartyRole::Applicant, "李 建国", "11010519491231002X"),
            party(PartyRole::Respondent, "王芳", "440524188001010014"),
        ];
        let mut swapped = oral.clone();
        swapped.parties.reverse();
        swapped.parties[1].name = "李建国".into();
        let m = marks(&oral);
        assert_eq!(
            m,
            marks(&swapped),
            "the parties' order and spaces do not matter"
        );
        assert_eq!(
            m.iter()
                .filter(|m| m.likeness == Likeness::SameParty)
                .count(),
            2
        );
        assert!(
            m.iter()
                .any(|m| m.likeness == Likeness::SameOral && m.text.contains("李建国、王芳"))
        );
        let mut later = oral.clone();
        later.received_on = later.received_on.tomorrow().unwrap();
        assert_ne!(marks(&later), m, "another day is another oral case");
    }

    #[test]
    fn the_same_party_counts_only_for_the_same_kind_within_90_days() {
        let day = jiff::civil::date(2026, 3, 1);
        let this = seen(1, "neighbours", day);
        let near = seen(
            2,
            "neighbours",
            day.checked_add(jiff::Span::new().days(90)).unwrap(),
        );
        let far = seen(
            3,
            "neighbours",
            day.checked_add(jiff::Span::new().days(91)).unwrap(),
        );
        let before = seen(
            4,
            "neighbours",
            day.checked_sub(jiff::Span::new().days(90)).unwrap(),
        );
        let other_kind = seen(5, "contract", day);
        assert!(alike(Likeness::SameParty, &this, &near));
        assert!(alike(Likeness::SameParty, &this, &before));
        assert!(!alike(Likeness::SameParty, &this, &far));
        assert!(!alike(Likeness::SameParty, &this, &other_kind));
        assert!(alike(Likeness::SamePhoto, &this, &far));
        assert!(
            !alike(Likeness::SamePhoto, &this, &this),
            "a case is not its own duplicate"
        );
        assert!(!alike(Likeness::SameOral, &this, &near));
    }

    #[test]
    fn a_flag_names_the_committee_and_number_in_both_languages() {
        let other = seen(2, "neighbours", jiff::civil::date(2026, 3, 1));
        let f = DuplicateFlag::new(
            Likeness::SameParty,
            None,
            "大潭村人民调解委员会".into(),
            "(2026)楚人调字第 6 号".into(),
            &other,
        );
        assert_eq!(
            f.words,
            "可能重复：同一当事人（身份证号相同）在大潭村人民调解委员会(2026)楚人调字第 6 号也有邻里纠纷，2026-03-01受理 / Possible duplicate: the same party (same ID number) is in 大潭村人民调解委员会's (2026)楚人调字第 6 号, a dispute of the same kind received 2026-03-01"
        );
        let json = serde_json::to_value(&f).unwrap();
        assert!(json.get("case_id").is_none(), "out of scope: no id");
        assert_eq!(json["likeness"], "same_party");
        assert_eq!(serde_json::from_value::<DuplicateFlag>(json).unwrap(), f);
    }

    proptest! {
        #[test]
        fn likeness_is_symmetric(a in 0i32..400, b in 0i32..400, same_kind in any::<bool>(), l in 0usize..3) {
            let base = jiff::civil::date(2026, 1, 1);
            let x = seen(1, "neighbours", base.checked_add(jiff::Span::new().days(a)).unwrap());
            let y = seen(2, if same_kind { "neighbours" } else { "contract" }, base.checked_add(jiff::Span::new().days(b)).unwrap());
            let likeness = [Likeness::SameParty, Likeness::SamePhoto, Likeness::SameOral][l];
            prop_assert_eq!(alike(likeness, &x, &y), alike(likeness, &y, &x));
            prop_assert_eq!(Likeness::from_code(likeness.code()), Some(likeness));
        }
    }
}
