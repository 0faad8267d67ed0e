//! A case as typed into a form — every field the text the user left in it —
//! and its conversion into a checked [`Case`]. Drafts are what the phone
//! autosaves while the mediator types; a draft becomes a case only when every
//! field reads and [`Case::check`] finds nothing, so nothing is half-saved.

use crate::case::{
    Case, CaseKind, CaseStatus, FollowUp, Party, PartyRole, Performance, RiskLevel, Session, Source,
};
use crate::dates::parse_iso;
use crate::ids::{CaseId, PersonId, SessionId, UnitId};
use crate::money::Money;
use crate::problem::{DateOf, FieldError, Problem};
use crate::rules::Outcome;
use crate::time::Timestamp;
use crate::validate::{Phone, ResidentId, Sex};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One party as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartyDraft {
    pub name: String,
    /// `male`, `female` or empty.
    pub sex: String,
    pub ethnicity: String,
    pub resident_id: String,
    pub phone: String,
    pub address: String,
}

impl PartyDraft {
    fn is_blank(&self) -> bool {
        [
            &self.name,
            &self.sex,
            &self.ethnicity,
            &self.resident_id,
            &self.phone,
            &self.address,
        ]
        .iter()
        .all(|f| f.trim().is_empty())
    }
}

/// The fields shared by the oral-agreement and the general-dispute forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseDraft {
    pub dispute_type: String,
    /// A [`Source`] code; empty means the parties applied.
    pub source: String,
    /// `low`, `medium`, `high`.
    pub risk: String,
    pub place: String,
    /// `YYYY-MM-DD`: the day received (for an oral agreement, the day settled).
    pub received_on: String,
    pub summary: String,
    pub parties: Vec<PartyDraft>,
    pub agreed_terms: String,
    /// `immediate` or `by_date`.
    pub performance: String,
    /// `YYYY-MM-DD`, for `by_date`.
    pub due: String,
    pub mediator: String,
    /// Yuan, e.g. `1200` or `1200.50`; empty when no money is at stake.
    pub amount_involved: String,
}

impl Default for CaseDraft {
    fn default() -> Self {
        CaseDraft {
            dispute_type: "neighbours".into(),
            source: String::new(),
            risk: "low".into(),
            place: String::new(),
            received_on: String::new(),
            summary: String::new(),
            parties: vec![PartyDraft::default(), PartyDraft::default()],
            agreed_terms: String::new(),
            performance: "immediate".into(),
            due: String::new(),
            mediator: String::new(),
            amount_involved: String::new(),
        }
    }
}

/// Who and where a new case belongs, decided by the device, not the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub id: CaseId,
    pub unit_id: UnitId,
    pub owner_id: PersonId,
    pub seq: Option<u32>,
    pub now: Timestamp,
}

/// A session as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionDraft {
    pub held_on: String,
    pub place: String,
    pub record: String,
}

/// Closing a general case as typed: outcome, date, terms and performance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClosingDraft {
    /// `agreed` or `not_agreed`.
    pub outcome: String,
    pub closed_on: String,
    pub agreed_terms: String,
    pub performance: String,
    pub due: String,
}

/// A follow-up visit as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowUpDraft {
    pub on: String,
    pub note: String,
}

/// Collects the problems of reading a form.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, problem: Problem) {
        self.0.push(FieldError::new(field, problem));
    }

    fn date(&mut self, field: &str, input: &str, of: DateOf) -> Option<Date> {
        let input = input.trim();
        if input.is_empty() {
            self.add(field, Problem::NoDate(of));
            return None;
        }
        let date = parse_iso(input);
        if date.is_none() {
            self.add(field, Problem::BadDate(of));
        }
        date
    }

    fn performance(&mut self, kind: &str, due: &str) -> Option<Performance> {
        match kind {
            "immediate" => Some(Performance::Immediate),
            "by_date" => self
                .date("due", due, DateOf::Deadline)
                .map(|due| Performance::ByDate { due }),
            _ => None,
        }
    }

    /// The form's problems first, then the case's own (field order kept).
    fn finish(mut self, case: Case, today: Date) -> Result<Case, Vec<FieldError>> {
        // a field the form could not read already has its message; the
        // case's check would only repeat it (an unreadable deadline leaves
        // no performance, an unreadable date no ordering)
        let covers =
            |mine: &str, theirs: &str| mine == theirs || (mine == "due" && theirs == "performance");
        for e in case.check(today) {
            if !self.0.iter().any(|mine| covers(&mine.field, &e.field)) {
                self.0.push(e);
            }
        }
        if self.0.is_empty() {
            Ok(case)
        } else {
            Err(self.0)
        }
    }
}

fn source(code: &str) -> Source {
    match code {
        "own_initiative" => Source::OwnInitiative,
        "police_referral" => Source::PoliceReferral,
        "court_referral" => Source::CourtReferral,
        "government_assignment" => Source::GovernmentAssignment,
        _ => Source::PartyApplication,
    }
}

fn risk(code: &str) -> RiskLevel {
    match code {
        "high" => RiskLevel::High,
        "medium" => RiskLevel::Medium,
        _ => RiskLevel::Low,
    }
}

fn parties(drafts: &[PartyDraft], problems: &mut Problems) -> Vec<Party> {
    let mut out = Vec::with_capacity(drafts.len());
    for (i, p) in drafts.iter().enumerate() {
        // a third row added and left empty is not a party
        if i >= 2 && p.is_blank() {
            continue;
        }
        let resident_id = match p.resident_id.trim() {
            "" => None,
            text => match ResidentId::parse(text) {
                Ok(id) => Some(id),
                Err(e) => {
                    problems.add(format!("parties[{i}].resident_id"), Problem::ResidentId(e));
                    None
                }
            },
        };
        let phone = match p.phone.trim() {
            "" => None,
            text => match Phone::parse(text) {
                Ok(phone) => Some(phone),
                Err(e) => {
                    problems.add(format!("parties[{i}].phone"), Problem::Phone(e));
                    None
                }
            },
        };
        let sex = match p.sex.as_str() {
            "male" => Some(Sex::Male),
            "female" => Some(Sex::Female),
            // unset: the resident ID knows
            _ => resident_id.as_ref().map(ResidentId::sex),
        };
        let ethnicity = Some(p.ethnicity.trim().to_owned()).filter(|e| !e.is_empty());
        out.push(Party {
            role: match i {
                0 => PartyRole::Applicant,
                1 => PartyRole::Respondent,
                _ => PartyRole::ThirdParty,
            },
            name: p.name.trim().to_owned(),
            sex,
            ethnicity,
            resident_id,
            phone,
            address: p.address.trim().to_owned(),
        });
    }
    out
}

impl CaseDraft {
    fn common(&self, new: &NewCase, kind: CaseKind, problems: &mut Problems) -> Case {
        let received_on = problems.date("received_on", &self.received_on, DateOf::Received);
        if self.mediator.trim().is_empty() {
            problems.add("mediator", Problem::NoMediator);
        }
        let amount_involved = match self.amount_involved.trim() {
            "" => None,
            text => match text.parse::<Money>() {
                Ok(m) if m >= Money::ZERO => Some(m),
                _ => {
                    problems.add("amount_involved", Problem::BadAmount);
                    None
                }
            },
        };
        Case {
            id: new.id,
            seq: new.seq,
            unit_id: new.unit_id,
            owner_id: new.owner_id,
            mediator: self.mediator.trim().to_owned(),
            kind,
            status: CaseStatus::Registered,
            dispute_type: self.dispute_type.clone(),
            source: source(&self.source),
            risk: risk(&self.risk),
            place: self.place.trim().to_owned(),
            // a placeholder only while the form has problems: never saved
            received_on: received_on.unwrap_or(Date::MIN),
            summary: self.summary.trim().to_owned(),
            parties: parties(&self.parties, problems),
            sessions: Vec::new(),
            outcome: None,
            agreed_terms: String::new(),
            performance: None,
            closed_on: None,
            amount_involved,
            forms: BTreeSet::new(),
            follow_up: None,
            attachments: Vec::new(),
            oral_register: false,
            archived: false,
            // the app is the electronic register: a case kept here is recorded
            recorded: true,
            deaths: 0,
            disability_grade: None,
            independent: true,
            special: false,
            approved_amount: None,
            claim_id: None,
            version: 0,
            updated_at: Some(new.now),
            server_verdict: None,
            locked_reason: None,
            risk_assessment: None,
            major_review: None,
        }
    }

    /// 口头调解登记: settled on the spot the day it was received, entered in
    /// the oral-agreement register.
    pub fn oral_case(&self, new: &NewCase, today: Date) -> Result<Case, Vec<FieldError>> {
        let mut problems = Problems::default();
        let mut case = self.common(new, CaseKind::Oral, &mut problems);
        case.status = CaseStatus::Closed;
        case.outcome = Some(Outcome::Agreed);
        case.closed_on = Some(case.received_on);
        case.agreed_terms = self.agreed_terms.trim().to_owned();
        case.performance = problems.performance(&self.performance, &self.due);
        case.oral_register = true;
        // settled the day it was received: the closing date is the form's
        // date, and a problem with it is that field's problem
        problems.finish(case, today).map_err(|mut errors| {
            errors.retain(|e| e.field != "closed_on");
            errors
        })
    }

    /// 新增纠纷: a general dispute, registered; sessions and the outcome follow.
    pub fn general_case(&self, new: &NewCase, today: Date) -> Result<Case, Vec<FieldError>> {
        let mut problems = Problems::default();
        let case = self.common(new, CaseKind::General, &mut problems);
        problems.finish(case, today)
    }
}

impl SessionDraft {
    /// The case with this session added; it is then being mediated.
    pub fn add_to(
        &self,
        case: &Case,
        today: Date,
        now: Timestamp,
    ) -> Result<Case, Vec<FieldError>> {
        let mut problems = Problems::default();
        let held_on = problems.date("session.held_on", &self.held_on, DateOf::Session);
        if self.record.trim().is_empty() {
            problems.add("session.record", Problem::NoSessionRecord);
        }
        let mut next = case.clone();
        let id = SessionId::new_v7();
        if let Some(held_on) = held_on {
            next.sessions.push(Session {
                id,
                held_on,
                place: self.place.trim().to_owned(),
                record: self.record.trim().to_owned(),
            });
            next.sessions.sort_by_key(|s| s.held_on);
        }
        if next.status == CaseStatus::Registered {
            next.status = CaseStatus::Mediating;
        }
        next.forms
            .insert(crate::rules::FormCode::new("mediation_record"));
        next.updated_at = Some(now);
        // the case names this session by its place in the list; the form
        // names its own fields (`session.record`)
        let this = next.sessions.iter().position(|s| s.id == id);
        problems.finish(next, today).map_err(|errors| {
            errors
                .into_iter()
                .map(|mut e| {
                    let own = this.and_then(|i| e.field.strip_prefix(&format!("sessions[{i}].")));
                    if let Some(rest) = own {
                        e.field = format!("session.{rest}");
                    } else if e.field == "sessions" {
                        e.field = "session.record".into();
                    }
                    e
                })
                .collect()
        })
    }
}

impl ClosingDraft {
    /// The case closed with this outcome.
    pub fn close(&self, case: &Case, today: Date, now: Timestamp) -> Result<Case, Vec<FieldError>> {
        let mut problems = Problems::default();
        let outcome = match self.outcome.as_str() {
            "agreed" => Some(Outcome::Agreed),
            "not_agreed" => Some(Outcome::NotAgreed),
            _ => {
                problems.add("outcome", Problem::NoOutcomeChosen);
                None
            }
        };
        let closed_on = problems.date("closed_on", &self.closed_on, DateOf::Closing);
        let mut next = case.clone();
        next.status = CaseStatus::Closed;
        next.outcome = outcome;
        next.closed_on = closed_on;
        if outcome == Some(Outcome::Agreed) {
            next.agreed_terms = self.agreed_terms.trim().to_owned();
            next.performance = problems.performance(&self.performance, &self.due);
        } else {
            next.agreed_terms.clear();
            next.performance = None;
        }
        next.updated_at = Some(now);
        if outcome.is_none() || closed_on.is_none() {
            // the case's own check would repeat what the form already said
            return Err(problems.0);
        }
        problems.finish(next, today)
    }
}

impl FollowUpDraft {
    /// The case with this follow-up visit recorded.
    pub fn record(
        &self,
        case: &Case,
        today: Date,
        now: Timestamp,
    ) -> Result<Case, Vec<FieldError>> {
        let mut problems = Problems::default();
        let Some(on) = problems.date("follow_up.on", &self.on, DateOf::FollowUp) else {
            return Err(problems.0);
        };
        if self.note.trim().is_empty() {
            problems.add("follow_up.note", Problem::NoFollowUpNote);
        }
        let mut next = case.clone();
        next.record_follow_up(FollowUp {
            on,
            note: self.note.trim().to_owned(),
        });
        next.updated_at = Some(now);
        problems.finish(next, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{CommitteeKind, builtin, evaluate};
    use crate::validate::IdError;
    use jiff::civil::date;

    const TODAY: Date = date(2024, 5, 20);

    fn now() -> Timestamp {
        "2024-05-20T02:00:00Z".parse().unwrap()
    }

    fn new_case() -> NewCase {
        NewCase {
            id: CaseId::stable("draft"),
            unit_id: UnitId::stable("532301100201"),
            owner_id: PersonId::stable("532301100201:mediator:0"),
            seq: Some(3),
            now: "2024-05-20T10:00:00+08:00".parse().unwrap(),
        }
    }

    fn oral_draft() -> CaseDraft {
        CaseDraft {
            place: "大潭村委会".into(),
            received_on: "2024-05-10".into(),
            summary: "排水沟纠纷".into(),
            parties: vec![
                PartyDraft {
                    name: "李建国".into(),
                    resident_id: "11010519491231002x".into(),
                    phone: "138 0000 0001".into(),
                    ..PartyDraft::default()
                },
                PartyDraft {
                    name: "张志强".into(),
                    ..PartyDraft::default()
                },
            ],
            agreed_terms: "共同疏通排水沟".into(),
            mediator: "杨调解".into(),
            ..CaseDraft::default()
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn an_oral_draft_becomes_a_closed_tier_a_case() {
        let case = oral_draft().oral_case(&new_case(), TODAY).unwrap();
        assert_eq!(case.status, CaseStatus::Closed);
        assert_eq!(case.closed_on, Some(date(2024, 5, 10)));
        assert_eq!(
            case.parties[0].resident_id.as_ref().unwrap().as_str(),
            "11010519491231002X"
        );
        assert_eq!(case.parties[0].sex, Some(Sex::Female), "read from the ID");
        assert_eq!(
            case.parties[0].phone.as_ref().unwrap().as_str(),
            "13800000001"
        );
        let e = evaluate(&case.facts(CommitteeKind::Village).unwrap(), builtin()).unwrap();
        assert_eq!((e.tier.as_deref(), e.amount), (Some("A"), Money::yuan(30)));
    }

    #[test]
    fn a_wrong_check_digit_is_named_on_its_field_in_chinese() {
        let mut draft = oral_draft();
        draft.parties[1].resident_id = "110105194912310021".into();
        let errors = draft.oral_case(&new_case(), TODAY).unwrap_err();
        assert_eq!(fields(&errors), ["parties[1].resident_id"]);
        assert_eq!(
            errors[0].problem,
            Problem::ResidentId(IdError::CheckDigit { expected: 'X' })
        );
    }

    #[test]
    fn every_unreadable_field_is_reported_at_once() {
        let mut draft = oral_draft();
        draft.received_on = "2024-02-30".into();
        draft.mediator = " ".into();
        draft.parties[0].phone = "12345".into();
        draft.parties[1].name.clear();
        draft.performance = "by_date".into();
        draft.amount_involved = "-5".into();
        let errors = draft.oral_case(&new_case(), TODAY).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "received_on",
                "mediator",
                "amount_involved",
                "parties[0].phone",
                "due",
                "parties[1].name"
            ]
        );
        assert_eq!(errors[0].problem, Problem::BadDate(DateOf::Received));
    }

    #[test]
    fn future_dates_and_missing_parties_are_refused() {
        let mut draft = oral_draft();
        draft.received_on = "2024-05-21".into();
        let errors = draft.oral_case(&new_case(), TODAY).unwrap_err();
        assert_eq!(
            fields(&errors),
            ["received_on"],
            "one message, on the field shown"
        );

        let mut draft = oral_draft();
        draft.parties.truncate(1);
        let errors = draft.oral_case(&new_case(), TODAY).unwrap_err();
        assert_eq!(fields(&errors), ["parties"]);
    }

    #[test]
    fn a_blank_third_row_is_not_a_party_but_a_half_filled_one_is() {
        let mut draft = oral_draft();
        draft.parties.push(PartyDraft::default());
        assert_eq!(
            draft.oral_case(&new_case(), TODAY).unwrap().parties.len(),
            2
        );
        draft.parties[2].phone = "13900000002".into();
        let errors = draft.oral_case(&new_case(), TODAY).unwrap_err();
        assert_eq!(fields(&errors), ["parties[2].name"]);
    }

    #[test]
    fn a_general_case_goes_from_registered_to_closed_and_earns_c_with_its_follow_up() {
        let general = CaseDraft {
            risk: "medium".into(),
            source: "police_referral".into(),
            ..oral_draft()
        }
        .general_case(&new_case(), TODAY)
        .unwrap();
        assert_eq!(
            (general.status, general.risk),
            (CaseStatus::Registered, RiskLevel::Medium)
        );
        assert_eq!(general.source, Source::PoliceReferral);
        assert_eq!(general.facts(CommitteeKind::Village), None);

        let now: Timestamp = "2024-05-20T10:00:00+08:00".parse().unwrap();
        let session = SessionDraft {
            held_on: "2024-05-12".into(),
            place: "村委会".into(),
            record: "双方陈述，核实排水沟走向".into(),
        };
        let mediating = session.add_to(&general, TODAY, now).unwrap();
        assert_eq!(mediating.status, CaseStatus::Mediating);
        assert_eq!(mediating.sessions.len(), 1);

        let closing = ClosingDraft {
            outcome: "agreed".into(),
            closed_on: "2024-05-13".into(),
            agreed_terms: "共同疏通".into(),
            performance: "immediate".into(),
            due: String::new(),
        };
        let mut closed = closing.close(&mediating, TODAY, now).unwrap();
        for form in ["application", "acceptance", "investigation", "agreement"] {
            closed.forms.insert(crate::rules::FormCode::new(form));
        }
        closed.archived = true;
        let tier = |c: &Case| {
            evaluate(&c.facts(CommitteeKind::Village).unwrap(), builtin())
                .unwrap()
                .tier
        };
        assert_eq!(tier(&closed), None, "the follow-up record is still missing");

        let visit = FollowUpDraft {
            on: "2024-05-18".into(),
            note: "已履行完毕".into(),
        };
        let visited = visit.record(&closed, TODAY, now).unwrap();
        assert_eq!(tier(&visited).as_deref(), Some("C"));
    }

    #[test]
    fn closing_needs_an_outcome_and_a_date_and_a_session_before_it() {
        let general = oral_draft().general_case(&new_case(), TODAY).unwrap();
        let errors = ClosingDraft::default()
            .close(&general, TODAY, now())
            .unwrap_err();
        assert_eq!(fields(&errors), ["outcome", "closed_on"]);
        let errors = ClosingDraft {
            outcome: "not_agreed".into(),
            closed_on: "2024-05-12".into(),
            ..ClosingDraft::default()
        }
        .close(&general, TODAY, now())
        .unwrap_err();
        assert_eq!(fields(&errors), ["sessions"]);
    }

    #[test]
    fn a_session_too_long_or_one_too_many_is_named_on_the_session_form() {
        let case = crate::testing::oral_case();
        let draft = SessionDraft {
            held_on: "2024-05-10".into(),
            place: "村委会".into(),
            record: "记".repeat(crate::case::MAX_LONG_CHARS + 1),
        };
        let today = jiff::civil::date(2024, 5, 20);
        let now = now();
        let errors = draft.add_to(&case, today, now).unwrap_err();
        assert_eq!(fields(&errors), ["session.record"]);
        assert!(matches!(errors[0].problem, Problem::TooLong { .. }));
        let mut full = case.clone();
        let short = SessionDraft {
            record: "记".into(),
            ..draft
        };
        for _ in 0..crate::case::MAX_SESSIONS {
            full = short.add_to(&full, today, now).unwrap();
        }
        let errors = short.add_to(&full, today, now).unwrap_err();
        assert_eq!(fields(&errors), ["session.record"]);
        assert_eq!(
            errors[0].problem,
            Problem::TooMany {
                max: crate::case::MAX_SESSIONS
            }
        );
    }

    #[test]
    fn a_session_needs_its_record_and_a_date_in_range() {
        let general = oral_draft().general_case(&new_case(), TODAY).unwrap();
        let errors = SessionDraft {
            held_on: "2024-05-01".into(),
            ..SessionDraft::default()
        }
        .add_to(&general, TODAY, now())
        .unwrap_err();
        // the new session's date, checked against the case, is named on this form
        assert_eq!(fields(&errors), ["session.record", "session.held_on"]);
    }

    #[test]
    fn a_draft_survives_json_and_old_drafts_fill_in_defaults() {
        let draft = oral_draft();
        let json = serde_json::to_string(&draft).unwrap();
        assert_eq!(serde_json::from_str::<CaseDraft>(&json).unwrap(), draft);
        let partial: CaseDraft = serde_json::from_str(r#"{"summary":"x"}"#).unwrap();
        assert_eq!(partial.parties.len(), 2);
        assert_eq!(partial.performance, "immediate");
    }
}
