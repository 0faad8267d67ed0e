//! Deterministic, realistic-looking cases for benchmarks, demos and load
//! tests: names, types, outcomes and dates spread the way a village
//! committee's year looks. Same inputs, same cases, on every platform.

use crate::case::{Case, DISPUTE_TYPES};
use crate::case_form::{CaseDraft, ClosingDraft, FollowUpDraft, NewCase, PartyDraft, SessionDraft};
use crate::dates::format_iso;
use crate::ids::{CaseId, PersonId, SessionId, UnitId};
pub use crate::mix::Mix;
use crate::validate::check_char;
use jiff::ToSpan;
use jiff::civil::Date;

const SURNAMES: [&str; 12] = [
    "李", "王", "张", "杨", "赵", "普", "罗", "起", "鲁", "施", "何", "苏",
];
const GIVEN: [&str; 12] = [
    "建国", "志强", "芳", "秀英", "德明", "桂兰", "文华", "海", "丽", "正福", "春梅", "永昌",
];

fn resident_id(mix: &mut Mix) -> String {
    let year = 1950 + mix.below(55);
    let month = 1 + mix.below(12);
    let day = 1 + mix.below(28);
    let serial = mix.below(1000);
    let first17 = format!("532301{year:04}{month:02}{day:02}{serial:03}");
    let check = check_char(first17.as_bytes());
    format!("{first17}{}", char::from(check))
}

fn party(mix: &mut Mix) -> PartyDraft {
    let name = format!(
        "{}{}",
        SURNAMES[mix.below(12) as usize],
        GIVEN[mix.below(12) as usize]
    );
    PartyDraft {
        name,
        resident_id: if mix.below(3) == 0 {
            String::new()
        } else {
            resident_id(mix)
        },
        phone: format!("13{:09}", mix.below(1_000_000_000)),
        address: format!("{}组", 1 + mix.below(12)),
        ..PartyDraft::default()
    }
}

/// `n` cases of one committee received between `from` and `to` (inclusive);
/// about half oral agreements, the rest general disputes at every stage.
pub fn cases(
    n: usize,
    seed: u64,
    unit_id: UnitId,
    owner_id: PersonId,
    from: Date,
    to: Date,
) -> Vec<Case> {
    let mut mix = Mix(seed);
    let span_days = (to - from).get_days().max(0) as u64 + 1;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let received = from + (mix.below(span_days) as i64).days();
        let (code, _, _) = DISPUTE_TYPES[mix.below(DISPUTE_TYPES.len() as u64) as usize];
        let draft = CaseDraft {
            dispute_type: code.into(),
            place: format!("{}组", 1 + mix.below(12)),
            received_on: format_iso(received),
            summary: format!(
                "因{}问题发生纠纷，双方各执一词（样例 {i}）",
                DISPUTE_TYPES[mix.below(15) as usize].1
            ),
            parties: vec![party(&mut mix), party(&mut mix)],
            agreed_terms: "双方同意按协议履行".into(),
            mediator: "样例调解员".into(),
            risk: ["low", "low", "low", "medium", "high"][mix.below(5) as usize].into(),
            ..CaseDraft::default()
        };
        let new = NewCase {
            id: CaseId::stable(&format!("sample:{seed}:{i}")),
            unit_id,
            owner_id,
            seq: Some(i as u32 + 1),
            now: format!("{}T09:00:00+08:00", format_iso(received))
                .parse()
                .expect("a sample time reads"),
        };
        let case = if mix.below(2) == 0 {
            draft.oral_case(&new, to)
        } else {
            general(&draft, &new, received, to, &mut mix)
        };
        // the generator only makes valid cases; a bug here should be loud
        let mut case = case.unwrap_or_else(|e| panic!("sample case {i}: {e:?}"));
        for (k, session) in case.sessions.iter_mut().enumerate() {
            session.id = SessionId::stable(&format!("sample:{seed}:{i}:{k}"));
        }
        out.push(case);
    }
    out
}

fn general(
    draft: &CaseDraft,
    new: &NewCase,
    received: Date,
    today: Date,
    mix: &mut Mix,
) -> Result<Case, Vec<crate::problem::FieldError>> {
    let mut case = draft.general_case(new, today)?;
    let days_left = (today - received).get_days().max(0) as u64;
    let sessions = mix.below(4);
    let mut day = received;
    for s in 0..sessions {
        day = (day + (mix.below(3) as i64).days()).min(today);
        case = SessionDraft {
            held_on: format_iso(day),
            place: "村委会".into(),
            record: format!("第{}次调解：听取双方陈述", s + 1),
        }
        .add_to(&case, today, new.now)?;
    }
    if sessions == 0 || mix.below(4) == 0 {
        return Ok(case);
    }
    let agreed = mix.below(5) != 0;
    case = ClosingDraft {
        outcome: if agreed { "agreed" } else { "not_agreed" }.into(),
        closed_on: format_iso(day),
        agreed_terms: "赔偿并赔礼道歉".into(),
        performance: "immediate".into(),
        due: String::new(),
    }
    .close(&case, today, new.now)?;
    for form in ["application", "acceptance", "investigation", "agreement"] {
        if mix.below(6) != 0 {
            case.forms.insert(crate::rules::FormCode::new(form));
        }
    }
    case.archived = mix.below(4) != 0;
    if agreed && days_left > 7 && mix.below(3) != 0 {
        case = FollowUpDraft {
            on: format_iso((day + 7.days()).min(today)),
            note: "已履行".into(),
        }
        .record(&case, today, new.now)?;
    }
    Ok(case)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn samples_are_valid_deterministic_and_varied() {
        let make = || {
            cases(
                500,
                7,
                UnitId::stable("u"),
                PersonId::stable("p"),
                date(2024, 1, 1),
                date(2024, 12, 31),
            )
        };
        let a = make();
        assert!(a == make(), "the same inputs give the same cases");
        assert_eq!(a.len(), 500);
        for c in &a {
            assert_eq!(c.check(date(2024, 12, 31)), vec![], "{c:?}");
        }
        let closed = a.iter().filter(|c| c.closed_on.is_some()).count();
        assert!((200..480).contains(&closed), "{closed} closed");
        assert!(a.iter().any(|c| c.follow_up.is_some()));
        assert!(
            a.iter()
                .any(|c| c.kind == crate::case::CaseKind::General && c.closed_on.is_none())
        );
    }
}
