//! Sample values for tests, shared instead of copied: the domain's own unit
//! tests, the app's browser tests and the server's integration tests (the
//! `testing` feature, a dev-dependency of both). Never in a build that
//! ships.

use crate::case::{Case, CaseKind, CaseStatus, Party, PartyRole, Performance, RiskLevel, Source};
use crate::ids::{CaseId, PersonId, SessionId, UnitId};
use crate::org::{UnitKind, UnitRecord};
use crate::rules::{FormCode, Outcome, STANDARD_FORMS};
use crate::validate::{Phone, ResidentId};
use jiff::civil::date;
use std::collections::BTreeSet;

/// A party with a checked resident ID and a phone.
pub fn party(role: PartyRole, name: &str, resident_id: &str) -> Party {
    Party {
        role,
        name: name.into(),
        sex: None,
        ethnicity: Some("彝族".into()),
        resident_id: Some(ResidentId::parse(resident_id).expect("a sample ID is valid")),
        phone: Some(Phone::parse("13800000001").expect("a sample phone is valid")),
        address: "楚雄市鹿城镇大潭村".into(),
    }
}

/// The 30-yuan path: an oral agreement settled on the spot at the village
/// committee `532301100201` (tier A), received and closed on 2024-05-10.
pub fn oral_case() -> Case {
    Case {
        id: CaseId::stable("oral"),
        unit_id: UnitId::stable("532301100201"),
        owner_id: PersonId::stable("532301100201:mediator:0"),
        kind: CaseKind::Oral,
        status: CaseStatus::Closed,
        dispute_type: "neighbours".into(),
        source: Source::PartyApplication,
        risk: RiskLevel::Low,
        place: "大潭村委会".into(),
        received_on: date(2024, 5, 10),
        summary: "宅基地边界排水沟纠纷".into(),
        parties: vec![
            party(PartyRole::Applicant, "李建国", "11010519491231002X"),
            party(PartyRole::Respondent, "张志强", "440524188001010014"),
        ],
        sessions: vec![],
        outcome: Some(Outcome::Agreed),
        agreed_terms: "共同出资疏通排水沟".into(),
        performance: Some(Performance::Immediate),
        closed_on: Some(date(2024, 5, 10)),
        amount_involved: None,
        forms: BTreeSet::new(),
        oral_register: true,
        archived: false,
        recorded: true,
        deaths: 0,
        disability_grade: None,
        independent: true,
        special: false,
        approved_amount: None,
        claim_id: None,
        version: 0,
        mediator: "杨调解".into(),
        follow_up: None,
        attachments: vec![],
        seq: Some(12),
        updated_at: None,
        server_verdict: None,
        locked_reason: None,
        risk_assessment: None,
        major_review: None,
    }
}

/// A general dispute of the same committee settled after two sessions,
/// with the whole six-form dossier archived (tier C), closed 2024-05-12.
pub fn general_case() -> Case {
    let held = |day: i8| crate::case::Session {
        id: SessionId::stable(&format!("general:{day}")),
        held_on: date(2024, 5, day),
        place: "村委会".into(),
        record: "双方陈述，核实事实，提出调解方案".into(),
    };
    Case {
        id: CaseId::stable("general"),
        kind: CaseKind::General,
        sessions: vec![held(11), held(12)],
        closed_on: Some(date(2024, 5, 12)),
        oral_register: false,
        forms: STANDARD_FORMS.iter().map(|f| FormCode::new(f)).collect(),
        archived: true,
        seq: Some(13),
        ..oral_case()
    }
}

/// A claim of `lines` by the sample village committee for 2026-Q3, just
/// submitted (2026-10-08 10:00 China time) and waiting at 初审; tests
/// change what they are about with `Claim { .., ..claim(lines) }`.
pub fn claim(lines: Vec<crate::claim::ClaimLine>) -> crate::claim::Claim {
    use crate::claim::{Claim, Stage, Step};
    Claim {
        id: crate::ClaimId::stable("claim"),
        unit_id: UnitId::stable("v"),
        unit_name: "大潭村调委会".into(),
        township_id: UnitId::stable("t"),
        township_name: "鹿城镇".into(),
        quarter: "2026-Q3".parse().expect("a sample quarter is valid"),
        rule_set: "chuxiong-2014".into(),
        stage: Stage::At(Step::FirstReview),
        version: 1,
        submitted_by: PersonId::stable("head"),
        submitted_by_name: "主任".into(),
        submitted_at: "2026-10-08T02:00:00Z"
            .parse()
            .expect("a sample time is valid"),
        lines,
        changes: vec![],
        signatures: vec![],
        special_decisions: vec![],
        spot_check: None,
    }
}

/// A small tree as the phones keep it: the city, one township, a village
/// with one villager group, and a community (`UnitRecord`s, parents first).
pub fn unit_tree() -> Vec<UnitRecord> {
    let unit = |code: &str, name: &str, kind: UnitKind, parent: Option<&str>| UnitRecord {
        id: UnitId::stable(code),
        code: code.into(),
        name: name.into(),
        kind,
        parent_id: parent.map(UnitId::stable),
    };
    vec![
        unit("532301", "楚雄市", UnitKind::City, None),
        unit("532301100", "鹿城镇", UnitKind::Township, Some("532301")),
        unit(
            "532301100201",
            "大潭村人民调解委员会",
            UnitKind::Village,
            Some("532301100"),
        ),
        unit(
            "532301100201001",
            "大潭村一组调解小组",
            UnitKind::VillagerGroup,
            Some("532301100201"),
        ),
        unit(
            "532301100001",
            "东兴社区人民调解委员会",
            UnitKind::Community,
            Some("532301100"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::CommitteeKind;

    #[test]
    fn the_samples_are_valid_and_earn_their_tiers() {
        let today = date(2024, 5, 20);
        for (case, tier) in [(oral_case(), "A"), (general_case(), "C")] {
            assert_eq!(case.check(today), vec![], "{}", case.id);
            let verdict = case.verdict(Some(CommitteeKind::Village));
            assert_eq!(verdict.tier.as_deref(), Some(tier));
        }
        let tree = unit_tree();
        for u in &tree {
            let parent = u.parent_id.and_then(|p| tree.iter().find(|t| t.id == p));
            assert!(u.kind.may_be_child_of(parent.map(|p| p.kind)), "{}", u.name);
        }
    }
}
