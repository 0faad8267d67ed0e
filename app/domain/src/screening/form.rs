//! A screening report as typed into the phone's form (排查登记) — one duty,
//! one day, for one or more of the user's units at once (a village
//! mediator reports "nothing found" for the groups that told them so) — and
//! its conversion into checked [`ScreeningRecord`]s: all of them, or
//! none and every problem named by its field.

use super::record::{ScreeningOutcome, ScreeningRecord};
use super::schedule::Schedule;
use crate::UnitKind;
use crate::attachment::AttachmentRef;
use crate::dates::parse_iso;
use crate::ids::{CaseId, PersonId, ScreeningId, UnitId};
use crate::problem::{DateOf, FieldError, Problem};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What the form holds, every field as the text left in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScreeningDraft {
    /// The duty's code.
    pub duty: String,
    /// The units reported for (ids).
    pub units: Vec<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub coverage: String,
    /// Households visited, or empty.
    pub households: String,
    /// `nothing_found` (零上报) or `found`.
    pub outcome: String,
    /// For `found`: the cases registered for the disputes found (ids).
    pub case_ids: Vec<String>,
    /// People present at a meeting or training, or empty.
    pub attendees: String,
    pub notes: String,
    /// A photo taken for the report (the visit, the meeting's sign-in
    /// sheet), kept on the phone until the report is saved.
    pub photo: Option<AttachmentRef>,
}

/// The outcome codes of the form.
pub const NOTHING_FOUND: &str = "nothing_found";
pub const FOUND: &str = "found";

fn problem(field: &str, problem: Problem) -> FieldError {
    FieldError::new(field, problem)
}

/// A count as typed: empty is none; anything else must be a whole number.
fn count(text: &str, field: &str, out: &mut Vec<FieldError>) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            out.push(problem(field, Problem::NotWholeNumber));
            None
        }
    }
}

impl ScreeningDraft {
    /// The records the draft makes, one per unit, each with an id from
    /// `new_id`; or every problem, and then no record. `units` gives the
    /// kinds of the units the user may report for; `today` is the China date.
    pub fn records(
        &self,
        schedule: &Schedule,
        units: &[(UnitId, UnitKind)],
        recorded_by: PersonId,
        today: Date,
        mut new_id: impl FnMut() -> ScreeningId,
    ) -> Result<Vec<ScreeningRecord>, Vec<FieldError>> {
        let mut out = Vec::new();
        let date = match self.date.trim() {
            "" => {
                out.push(problem("date", Problem::NoDate(DateOf::Screening)));
                None
            }
            text => {
                let date = parse_iso(text);
                if date.is_none() {
                    out.push(problem("date", Problem::BadDate(DateOf::Screening)));
                }
                date
            }
        };
        let duty = schedule.duty(self.duty.trim());
        if self.duty.trim().is_empty() {
            out.push(problem("duty", Problem::NoDuty));
        } else if duty.is_none() {
            out.push(problem("duty", Problem::UnknownDuty));
        }
        let mut chosen = Vec::new();
        for id in &self.units {
            match units.iter().find(|(u, _)| u.to_string() == *id) {
                Some(&(u, kind)) => chosen.push((u, kind)),
                None => out.push(problem("units", Problem::UnitNotYours)),
            }
        }
        if self.units.is_empty() {
            out.push(problem("units", Problem::NoUnits));
        }
        let households = count(&self.households, "households", &mut out);
        let attendees = count(&self.attendees, "attendees", &mut out);
        let outcome = match self.outcome.as_str() {
            FOUND => {
                let mut case_ids = Vec::new();
                for id in &self.case_ids {
                    match CaseId::parse(id) {
                        Ok(id) => case_ids.push(id),
                        Err(_) => out.push(problem("outcome.case_ids", Problem::BadCaseId)),
                    }
                }
                ScreeningOutcome::Found { case_ids }
            }
            _ => ScreeningOutcome::NothingFound,
        };
        let (Some(date), Some(_)) = (date, duty) else {
            return Err(out);
        };
        let mut records = Vec::with_capacity(chosen.len());
        for (unit_id, kind) in chosen {
            let record = ScreeningRecord {
                id: new_id(),
                unit_id,
                duty: self.duty.trim().to_owned(),
                date,
                coverage: self.coverage.trim().to_owned(),
                households,
                outcome: outcome.clone(),
                notes: self.notes.trim().to_owned(),
                photo: self.photo.clone(),
                recorded_by,
                attendees,
            };
            for e in record.check_with(schedule, kind, today) {
                // the form's field: the duty is not for a unit chosen; the
                // photo is one field of the form
                let field = match e.field() {
                    f if f == "duty" => "units".to_owned(),
                    f if f.starts_with("photo") => "photo".to_owned(),
                    f => f,
                };
                if out.iter().any(|p| p.field == field) {
                    continue; // one message per field, not one per unit
                }
                out.push(FieldError::new(field, Problem::Screening(e)));
            }
            records.push(record);
        }
        if out.is_empty() {
            Ok(records)
        } else {
            Err(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 29);

    fn units() -> Vec<(UnitId, UnitKind)> {
        vec![
            (UnitId::stable("v"), UnitKind::Village),
            (UnitId::stable("g1"), UnitKind::VillagerGroup),
            (UnitId::stable("g2"), UnitKind::VillagerGroup),
        ]
    }

    fn draft() -> ScreeningDraft {
        ScreeningDraft {
            duty: "group_weekly_screening".into(),
            units: vec![
                UnitId::stable("g1").to_string(),
                UnitId::stable("g2").to_string(),
            ],
            date: "2026-11-27".into(),
            coverage: "全组".into(),
            households: "32".into(),
            outcome: NOTHING_FOUND.into(),
            ..ScreeningDraft::default()
        }
    }

    fn build(d: &ScreeningDraft) -> Result<Vec<ScreeningRecord>, Vec<FieldError>> {
        let mut n = 0;
        d.records(
            &Schedule::five_ones(),
            &units(),
            PersonId::stable("m"),
            TODAY,
            || {
                n += 1;
                ScreeningId::stable(&format!("r{n}"))
            },
        )
    }

    fn fields(e: Vec<FieldError>) -> Vec<String> {
        e.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_nothing_found_report_makes_one_record_per_unit() {
        let records = build(&draft()).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].unit_id, UnitId::stable("g1"));
        assert_eq!(records[1].unit_id, UnitId::stable("g2"));
        assert_ne!(records[0].id, records[1].id);
        assert!(
            records
                .iter()
                .all(|r| r.outcome == ScreeningOutcome::NothingFound
                    && r.households == Some(32)
                    && r.date == date(2026, 11, 27))
        );
    }

    #[test]
    fn every_problem_is_named_once_and_nothing_is_made() {
        let mut d = draft();
        d.date = "2026-13-01".into();
        d.households = "三十".into();
        assert_eq!(fields(build(&d).unwrap_err()), ["date", "households"]);

        let mut d = draft();
        d.date = "2026-11-30".into(); // tomorrow
        d.coverage.clear();
        assert_eq!(fields(build(&d).unwrap_err()), ["date", "coverage"]);

        let mut d = draft();
        d.units.clear();
        assert_eq!(fields(build(&d).unwrap_err()), ["units"]);

        // the village does not owe the groups' weekly screening
        let mut d = draft();
        d.units.push(UnitId::stable("v").to_string());
        assert_eq!(fields(build(&d).unwrap_err()), ["units"]);

        // a unit that is not the user's
        let mut d = draft();
        d.units = vec![UnitId::stable("elsewhere").to_string()];
        assert_eq!(fields(build(&d).unwrap_err()), ["units"]);

        let mut d = draft();
        d.outcome = FOUND.into();
        assert_eq!(fields(build(&d).unwrap_err()), ["outcome.case_ids"]);
        d.case_ids = vec![CaseId::stable("c").to_string()];
        assert!(build(&d).is_ok());
    }

    #[test]
    fn every_record_of_a_report_names_its_photo_and_a_bad_one_is_the_photos_problem() {
        let mut d = draft();
        let photo = AttachmentRef {
            id: "p1".into(),
            form: None,
            taken_at: "2026-11-27T09:30:00+08:00".parse().unwrap(),
            position: None,
            bytes: 120_000,
            content_type: "image/jpeg".into(),
            sha256: Some("0f".repeat(32)),
        };
        d.photo = Some(photo.clone());
        let records = build(&d).unwrap();
        assert_eq!(records.len(), 2);
        assert!(records.iter().all(|r| r.photo.as_ref() == Some(&photo)));
        // a draft kept before photos existed still reads
        let old: ScreeningDraft =
            serde_json::from_str(r#"{"duty":"group_weekly_screening"}"#).unwrap();
        assert_eq!(old.photo, None);
        d.photo = Some(AttachmentRef {
            sha256: None,
            bytes: 0,
            ..photo
        });
        assert_eq!(fields(build(&d).unwrap_err()), ["photo"]);
    }

    #[test]
    fn a_meeting_counts_who_attended() {
        let mut d = draft();
        d.duty = "village_monthly_screening".into();
        d.units = vec![UnitId::stable("v").to_string()];
        assert!(build(&d).is_ok());
        let schedule = Schedule::five_ones();
        let township = [(UnitId::stable("t"), UnitKind::Township)];
        let meeting = ScreeningDraft {
            duty: "quarterly_analysis".into(),
            units: vec![UnitId::stable("t").to_string()],
            date: "2026-11-20".into(),
            ..ScreeningDraft::default()
        };
        let got = meeting.records(&schedule, &township, PersonId::stable("m"), TODAY, || {
            ScreeningId::stable("meeting")
        });
        assert_eq!(fields(got.unwrap_err()), ["attendees"]);
        let meeting = ScreeningDraft {
            attendees: "12".into(),
            ..meeting
        };
        assert!(
            meeting
                .records(&schedule, &township, PersonId::stable("m"), TODAY, || {
                    ScreeningId::stable("meeting")
                })
                .is_ok()
        );
    }
}
