//! The case list's search: a row per case with what the list shows and a
//! lower-cased text to search, built once when cases load, then filtered on
//! every keystroke (5,000 cases on a cheap phone must stay smooth).

use crate::case::{Case, CaseStatus, dispute_type_name};
use crate::money::Money;
use crate::rules::{self, CommitteeKind, RuleSet};
use jiff::civil::Date;

/// What the list shows of one case, and its search text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: String,
    pub seq: Option<u32>,
    /// The parties' names, `李建国 / 张志强`; empty on a copy without them
    /// (`domain::capability::amounts_only`).
    pub title: String,
    pub dispute_type: String,
    pub status: CaseStatus,
    pub received_on: Date,
    /// Tier earned under the shared rules, when closed.
    pub tier: Option<String>,
    pub amount: Money,
    pub updated_at: Option<crate::time::Timestamp>,
    /// Names, resident IDs, phones, place, summary, terms; lower case.
    haystack: String,
}

impl CaseRow {
    pub fn of(case: &Case, committee: CommitteeKind, rule_sets: &[RuleSet]) -> CaseRow {
        let evaluation = case
            .facts(committee)
            .and_then(|facts| rules::evaluate(&facts, rule_sets).ok());
        let mut haystack = String::with_capacity(256);
        for p in &case.parties {
            haystack.push_str(&p.name);
            haystack.push('\n');
            if let Some(id) = &p.resident_id {
                haystack.push_str(id.as_str());
                haystack.push('\n');
            }
            if let Some(phone) = &p.phone {
                haystack.push_str(phone.as_str());
                haystack.push('\n');
            }
        }
        for text in [
            &case.place,
            &case.summary,
            &case.agreed_terms,
            &case.mediator,
        ] {
            haystack.push_str(text);
            haystack.push('\n');
        }
        if let Some(name) = dispute_type_name(&case.dispute_type) {
            haystack.push_str(name);
        }
        CaseRow {
            id: case.id.to_string(),
            seq: case.seq,
            // empty when the names were left out (a finance office's copy)
            title: case
                .parties
                .iter()
                .map(|p| p.name.as_str())
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
                .join(" / "),
            dispute_type: case.dispute_type.clone(),
            status: case.status,
            received_on: case.received_on,
            tier: evaluation.as_ref().and_then(|e| e.tier.clone()),
            amount: evaluation.map_or(Money::ZERO, |e| e.amount),
            updated_at: case.updated_at,
            haystack: haystack.to_lowercase(),
        }
    }
}

/// Which tier a filter wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TierFilter {
    /// Closed without any tier, or still open.
    NoTier,
    Code(String),
}

/// The list's filters; empty means everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseQuery {
    /// Words that must all appear (name, ID, phone, place, facts…).
    pub text: String,
    pub status: Option<CaseStatus>,
    pub dispute_type: Option<String>,
    pub tier: Option<TierFilter>,
    /// Received in this year and month.
    pub month: Option<(i16, i8)>,
}

impl CaseQuery {
    pub fn matches(&self, row: &CaseRow, words: &[String]) -> bool {
        self.status.is_none_or(|s| s == row.status)
            && self
                .dispute_type
                .as_ref()
                .is_none_or(|t| *t == row.dispute_type)
            && self
                .month
                .is_none_or(|(y, m)| row.received_on.year() == y && row.received_on.month() == m)
            && match &self.tier {
                None => true,
                Some(TierFilter::NoTier) => row.tier.is_none(),
                Some(TierFilter::Code(code)) => row.tier.as_deref() == Some(code),
            }
            && words.iter().all(|w| row.haystack.contains(w.as_str()))
    }

    /// The rows that match, newest first (date received, then most recently changed).
    pub fn filter<'a>(&self, rows: &'a [CaseRow]) -> Vec<&'a CaseRow> {
        let words: Vec<String> = self
            .text
            .to_lowercase()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let mut hits: Vec<&CaseRow> = rows.iter().filter(|r| self.matches(r, &words)).collect();
        hits.sort_unstable_by(|a, b| {
            b.received_on
                .cmp(&a.received_on)
                .then_with(|| b.updated_at.cmp(&a.updated_at))
                .then_with(|| b.id.cmp(&a.id))
        });
        hits
    }
}

/// Cases most recently changed first (Home's latest cases): by the moment
/// of the last change, wherever it was made, then by id.
pub fn newest_first(cases: &mut [Case]) {
    cases.sort_by(|a, b| newer((a.updated_at, &a.id), (b.updated_at, &b.id)));
}

/// The order of "last changed first" (then by id, so it is total).
fn newer(
    a: (Option<crate::time::Timestamp>, &crate::CaseId),
    b: (Option<crate::time::Timestamp>, &crate::CaseId),
) -> std::cmp::Ordering {
    b.cmp(&a)
}

/// A party as a list line names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct PartyName {
    pub name: String,
}

/// What a short list of cases shows of each (Home's recent cases), read
/// from a stored case without the rest of it: the other fields are
/// skipped, so a screen that lists cases needs no reader of the whole case
/// (on the phone, that reader stays out of the first load).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct CaseLine {
    pub id: crate::CaseId,
    pub status: CaseStatus,
    pub dispute_type: String,
    #[serde(with = "crate::dates::iso")]
    pub received_on: Date,
    pub parties: Vec<PartyName>,
    #[serde(default, with = "crate::time::or_empty")]
    pub updated_at: Option<crate::time::Timestamp>,
}

impl CaseLine {
    /// The `n` last changed first, as [`newest_first`] orders cases.
    pub fn newest(mut lines: Vec<CaseLine>, n: usize) -> Vec<CaseLine> {
        lines.sort_by(|a, b| newer((a.updated_at, &a.id), (b.updated_at, &b.id)));
        lines.truncate(n);
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_case_reads_as_its_list_line_in_the_same_order() {
        let mut cases: Vec<Case> = (0..4u32)
            .map(|n| case(n, "李建国", "", &format!("2024-05-0{}", n + 1), n % 2 == 0))
            .collect();
        for (n, c) in cases.iter_mut().enumerate() {
            c.updated_at = Some(format!("2026-11-0{}T0{n}:00:00Z", 4 - n).parse().unwrap());
        }
        let lines: Vec<CaseLine> = cases
            .iter()
            .map(|c| serde_json::from_value(serde_json::to_value(c).unwrap()).unwrap())
            .collect();
        let newest = CaseLine::newest(lines, 3);
        newest_first(&mut cases);
        for (line, case) in newest.iter().zip(&cases) {
            assert_eq!(line.id, case.id);
            assert_eq!(
                (line.status, &line.dispute_type, line.received_on),
                (case.status, &case.dispute_type, case.received_on)
            );
            let names: Vec<&str> = line.parties.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(
                names,
                case.parties
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
            );
        }
        assert_eq!(newest.len(), 3);
    }
    use crate::case_form::{CaseDraft, NewCase, PartyDraft};
    use crate::ids::{CaseId, PersonId, UnitId};
    use jiff::civil::date;

    fn case(n: u32, name: &str, id_number: &str, received: &str, oral: bool) -> Case {
        let draft = CaseDraft {
            received_on: received.into(),
            summary: format!("第{n}号 纠纷"),
            place: "大潭村".into(),
            parties: vec![
                PartyDraft {
                    name: name.into(),
                    resident_id: id_number.into(),
                    ..PartyDraft::default()
                },
                PartyDraft {
                    name: "对方".into(),
                    ..PartyDraft::default()
                },
            ],
            agreed_terms: "赔偿".into(),
            mediator: "杨调解".into(),
            ..CaseDraft::default()
        };
        let new = NewCase {
            id: CaseId::stable(&n.to_string()),
            unit_id: UnitId::stable("u"),
            owner_id: PersonId::stable("p"),
            seq: Some(n),
            now: format!("2024-05-20T10:00:{n:02}+08:00").parse().unwrap(),
        };
        let today = date(2024, 12, 31);
        if oral {
            draft.oral_case(&new, today).unwrap()
        } else {
            draft.general_case(&new, today).unwrap()
        }
    }

    fn rows() -> Vec<CaseRow> {
        [
            case(1, "李建国", "11010519491231002X", "2024-05-10", true),
            case(2, "张志强", "", "2024-05-12", false),
            case(3, "王芳", "", "2024-06-01", true),
        ]
        .iter()
        .map(|c| CaseRow::of(c, CommitteeKind::Village, rules::builtin()))
        .collect()
    }

    fn ids(hits: &[&CaseRow]) -> Vec<Option<u32>> {
        hits.iter().map(|r| r.seq).collect()
    }

    #[test]
    fn a_phone_written_and_a_server_written_case_sort_by_the_moment() {
        // the phone wrote 10:00 China time (02:00 UTC) as +08:00; the
        // server wrote 03:00 UTC: the server's change is the later one
        let mut phone = case(1, "甲", "11010519491231002X", "2024-05-01", true);
        phone.updated_at = Some("2026-11-25T10:00:00+08:00".parse().unwrap());
        let mut server = case(2, "乙", "440524188001010014", "2024-05-01", true);
        server.updated_at = Some("2026-11-25T03:00:00.000000Z".parse().unwrap());
        let mut cases = vec![phone.clone(), server.clone()];
        newest_first(&mut cases);
        assert_eq!(cases, [server.clone(), phone.clone()]);
        let rows = [
            CaseRow::of(&phone, CommitteeKind::Village, rules::builtin()),
            CaseRow::of(&server, CommitteeKind::Village, rules::builtin()),
        ];
        let hits = CaseQuery::default().filter(&rows);
        assert_eq!(
            ids(&hits),
            [Some(2), Some(1)],
            "same day received: the later change first"
        );
    }

    #[test]
    fn everything_newest_first_without_filters() {
        let rows = rows();
        assert_eq!(
            ids(&CaseQuery::default().filter(&rows)),
            [Some(3), Some(2), Some(1)]
        );
        assert_eq!(rows[0].title, "李建国 / 对方");
        assert_eq!(
            (rows[0].tier.as_deref(), rows[0].amount),
            (Some("A"), Money::yuan(30))
        );
        assert_eq!(rows[1].tier, None);
    }

    #[test]
    fn text_matches_names_ids_in_any_case_and_all_words() {
        let rows = rows();
        let q = |text: &str| CaseQuery {
            text: text.into(),
            ..CaseQuery::default()
        };
        assert_eq!(ids(&q("王芳").filter(&rows)), [Some(3)]);
        assert_eq!(ids(&q("002x").filter(&rows)), [Some(1)], "x matches X");
        assert_eq!(ids(&q("大潭 第2号").filter(&rows)), [Some(2)]);
        assert_eq!(ids(&q("邻里").filter(&rows)).len(), 3, "type name");
        assert!(q("不存在").filter(&rows).is_empty());
    }

    #[test]
    fn filters_combine() {
        let rows = rows();
        let q = CaseQuery {
            status: Some(CaseStatus::Closed),
            month: Some((2024, 5)),
            ..CaseQuery::default()
        };
        assert_eq!(ids(&q.filter(&rows)), [Some(1)]);
        let q = CaseQuery {
            tier: Some(TierFilter::NoTier),
            ..CaseQuery::default()
        };
        assert_eq!(ids(&q.filter(&rows)), [Some(2)]);
        let q = CaseQuery {
            tier: Some(TierFilter::Code("A".into())),
            dispute_type: Some("neighbours".into()),
            ..CaseQuery::default()
        };
        assert_eq!(ids(&q.filter(&rows)), [Some(3), Some(1)]);
        let q = CaseQuery {
            dispute_type: Some("contract".into()),
            ..CaseQuery::default()
        };
        assert!(q.filter(&rows).is_empty());
    }
}
