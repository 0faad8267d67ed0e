//! A screening record (排查记录): one unit did one duty of the schedule on
//! one day — screened its area (finding disputes, or reporting "nothing
//! found" 零上报), held an analysis meeting, or trained its mediators.

use super::reminder::RecordRef;
use super::schedule::Schedule;
use crate::UnitKind;
use crate::attachment::{ATTACHMENT_TYPES, AttachmentRef, MAX_ATTACHMENT_BYTES, is_sha256};
use crate::ids::{CaseId, PersonId, ScreeningId, UnitId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The longest notes, in characters.
pub const MAX_NOTES_CHARS: usize = 2000;
/// The longest coverage text, in characters.
pub const MAX_COVERAGE_CHARS: usize = 200;
/// The earliest record date accepted.
pub const EARLIEST: Date = jiff::civil::date(2000, 1, 1);

/// What the screening found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "OutcomeFields")]
pub enum ScreeningOutcome {
    /// 零上报 — nothing found: still a record, so the period counts as done.
    NothingFound,
    /// 排查出矛盾纠纷 — disputes found, each registered as a case.
    Found { case_ids: Vec<CaseId> },
}

/// [`ScreeningOutcome`] as read: a plain struct, so a field it does not
/// have is refused (a tagged enum's unit variant would drop it silently).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeFields {
    kind: OutcomeKind,
    #[serde(default)]
    case_ids: Option<Vec<CaseId>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutcomeKind {
    NothingFound,
    Found,
}

impl TryFrom<OutcomeFields> for ScreeningOutcome {
    type Error = &'static str;

    fn try_from(o: OutcomeFields) -> Result<ScreeningOutcome, &'static str> {
        match (o.kind, o.case_ids) {
            (OutcomeKind::NothingFound, None) => Ok(ScreeningOutcome::NothingFound),
            (OutcomeKind::Found, Some(case_ids)) => Ok(ScreeningOutcome::Found { case_ids }),
            (OutcomeKind::NothingFound, Some(_)) => {
                Err("零上报没有案件 / nothing_found lists no `case_ids`")
            }
            (OutcomeKind::Found, None) => Err("须列出案件 / found needs `case_ids`"),
        }
    }
}

/// One record of a duty done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningRecord {
    pub id: ScreeningId,
    pub unit_id: UnitId,
    /// The schedule duty's code, e.g. `group_weekly_screening`.
    pub duty: String,
    /// The China calendar day it was done (排查日期): it decides the period.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub date: Date,
    /// Area covered (排查范围), e.g. `1–5组 沿河片区`.
    #[serde(default)]
    pub coverage: String,
    /// Households visited (走访户数), if counted.
    #[serde(default)]
    pub households: Option<u32>,
    pub outcome: ScreeningOutcome,
    #[serde(default)]
    pub notes: String,
    /// A photo of the meeting or the visit.
    #[serde(default)]
    pub photo: Option<AttachmentRef>,
    pub recorded_by: PersonId,
    /// People present, for analysis meetings and trainings (参加人数).
    #[serde(default)]
    pub attendees: Option<u32>,
}

/// One problem of a record, naming its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("排查日期不能晚于今天 / the date cannot be in the future")]
    InFuture,
    #[error("排查日期不能早于 2000 年 / the date cannot be before 2000")]
    TooEarly,
    #[error("请选择工作职责 / choose the duty")]
    NoDuty,
    #[error("未知的工作职责 “{0}” / unknown duty")]
    UnknownDuty(String),
    #[error("“{duty}” 不适用于{kind_zh} / the duty does not apply to this kind of unit", kind_zh = kind.name_zh())]
    DutyNotForUnit { duty: String, kind: UnitKind },
    #[error("排查出纠纷时须关联至少一个案件 / a finding must list at least one case")]
    NoCases,
    #[error("关联案件重复 / a case is listed twice")]
    CaseTwice { index: usize },
    #[error("请填写排查范围 / enter the area covered")]
    NoCoverage,
    #[error("排查范围不能超过 {MAX_COVERAGE_CHARS} 字 / the coverage is too long")]
    CoverageTooLong,
    #[error("走访户数至少为 1 / households visited must be at least 1")]
    NoHouseholds,
    #[error("请填写参加人数 / enter how many attended")]
    NoAttendees,
    #[error("参加人数至少为 1 / at least one person attends")]
    ZeroAttendees,
    #[error("备注不能超过 {MAX_NOTES_CHARS} 字 / the notes are too long")]
    NotesTooLong,
    #[error("照片校验码格式不对 / the photo's checksum is malformed")]
    PhotoChecksum,
    #[error("照片缺少校验码 / the photo has no checksum")]
    PhotoUnnamed,
    #[error("照片为空或超过 10 MB / the photo is empty or larger than 10 MB")]
    PhotoSize,
    #[error("照片只能是 JPEG、PNG、WebP 或 PDF / the photo must be a JPEG, PNG, WebP or PDF")]
    PhotoType,
}

impl RecordError {
    /// The field it is about, e.g. `date`, `outcome.case_ids[1]`.
    pub fn field(&self) -> String {
        use RecordError as E;
        match self {
            E::InFuture | E::TooEarly => "date".into(),
            E::NoDuty | E::UnknownDuty(_) | E::DutyNotForUnit { .. } => "duty".into(),
            E::NoCases => "outcome.case_ids".into(),
            E::CaseTwice { index } => format!("outcome.case_ids[{index}]"),
            E::NoCoverage | E::CoverageTooLong => "coverage".into(),
            E::NoHouseholds => "households".into(),
            E::NoAttendees | E::ZeroAttendees => "attendees".into(),
            E::NotesTooLong => "notes".into(),
            E::PhotoChecksum | E::PhotoUnnamed => "photo.sha256".into(),
            E::PhotoSize => "photo.bytes".into(),
            E::PhotoType => "photo.content_type".into(),
        }
    }
}

impl ScreeningRecord {
    /// The borrowed view the reminder index reads.
    pub fn record_ref(&self) -> RecordRef<'_> {
        RecordRef {
            unit_id: self.unit_id,
            duty: &self.duty,
            date: self.date,
        }
    }

    /// Every problem of the record on its own; empty when it is sound.
    /// `today` is the China date (see [`super::china_today`]).
    pub fn check(&self, today: Date) -> Vec<RecordError> {
        use RecordError as E;
        let mut out = Vec::new();
        if self.date > today {
            out.push(E::InFuture);
        }
        if self.date < EARLIEST {
            out.push(E::TooEarly);
        }
        if self.duty.trim().is_empty() {
            out.push(E::NoDuty);
        }
        if let ScreeningOutcome::Found { case_ids } = &self.outcome {
            if case_ids.is_empty() {
                out.push(E::NoCases);
            }
            let mut seen = HashSet::new();
            for (index, id) in case_ids.iter().enumerate() {
                if !seen.insert(id) {
                    out.push(E::CaseTwice { index });
                }
            }
        }
        if self.coverage.chars().count() > MAX_COVERAGE_CHARS {
            out.push(E::CoverageTooLong);
        }
        if self.households == Some(0) {
            out.push(E::NoHouseholds);
        }
        if self.attendees == Some(0) {
            out.push(E::ZeroAttendees);
        }
        if self.notes.chars().count() > MAX_NOTES_CHARS {
            out.push(E::NotesTooLong);
        }
        if let Some(photo) = &self.photo {
            // named when taken: the server reaches a record's photo only
            // by its SHA-256
            match photo.sha256.as_deref() {
                None => out.push(E::PhotoUnnamed),
                Some(h) if !is_sha256(h) => out.push(E::PhotoChecksum),
                Some(_) => {}
            }
            if photo.bytes == 0 || photo.bytes > MAX_ATTACHMENT_BYTES {
                out.push(E::PhotoSize);
            }
            if !ATTACHMENT_TYPES.contains(&photo.content_type.as_str()) {
                out.push(E::PhotoType);
            }
        }
        out
    }

    /// [`ScreeningRecord::check`] plus what the schedule says: the duty
    /// exists and applies to the unit's kind; a screening names its area;
    /// a meeting or training counts who attended.
    pub fn check_with(
        &self,
        schedule: &Schedule,
        unit_kind: UnitKind,
        today: Date,
    ) -> Vec<RecordError> {
        let mut out = self.check(today);
        if self.duty.trim().is_empty() {
            return out;
        }
        let Some(duty) = schedule.duty(&self.duty) else {
            out.push(RecordError::UnknownDuty(self.duty.clone()));
            return out;
        };
        if !duty.applies_to(unit_kind) {
            out.push(RecordError::DutyNotForUnit {
                duty: duty.name_zh.clone(),
                kind: unit_kind,
            });
        }
        if duty.kind.has_attendees() && self.attendees.is_none() {
            out.push(RecordError::NoAttendees);
        }
        if duty.kind == super::DutyKind::Screening && self.coverage.trim().is_empty() {
            out.push(RecordError::NoCoverage);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 6, 10);

    fn record() -> ScreeningRecord {
        ScreeningRecord {
            id: ScreeningId::stable("r1"),
            unit_id: UnitId::stable("g1"),
            duty: "group_weekly_screening".into(),
            date: date(2026, 6, 8),
            coverage: "1–3组".into(),
            households: Some(42),
            outcome: ScreeningOutcome::NothingFound,
            notes: String::new(),
            photo: None,
            recorded_by: PersonId::stable("m1"),
            attendees: None,
        }
    }

    fn fields(errors: &[RecordError]) -> Vec<String> {
        errors.iter().map(RecordError::field).collect()
    }

    #[test]
    fn a_nothing_found_report_is_a_valid_record() {
        let r = record();
        assert_eq!(r.check(TODAY), vec![]);
        assert_eq!(
            r.check_with(&Schedule::five_ones(), UnitKind::VillagerGroup, TODAY),
            vec![]
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json["outcome"],
            serde_json::json!({"kind": "nothing_found"})
        );
        assert_eq!(json["date"], "2026-06-08");
        assert_eq!(serde_json::from_value::<ScreeningRecord>(json).unwrap(), r);
    }

    #[test]
    fn dates_must_be_real_days_not_in_the_future() {
        let mut r = record();
        r.date = date(2026, 6, 11);
        assert_eq!(r.check(TODAY), [RecordError::InFuture]);
        r.date = date(1999, 12, 31);
        assert_eq!(fields(&r.check(TODAY)), ["date"]);
        assert_eq!(
            r.check(TODAY)[0].to_string(),
            "排查日期不能早于 2000 年 / the date cannot be before 2000"
        );
        r.date = TODAY;
        assert_eq!(r.check(TODAY), vec![]);
    }

    #[test]
    fn a_finding_lists_its_cases_once_each() {
        let mut r = record();
        r.outcome = ScreeningOutcome::Found { case_ids: vec![] };
        assert_eq!(fields(&r.check(TODAY)), ["outcome.case_ids"]);
        let a = CaseId::stable("a");
        r.outcome = ScreeningOutcome::Found {
            case_ids: vec![a, CaseId::stable("b"), a],
        };
        assert_eq!(fields(&r.check(TODAY)), ["outcome.case_ids[2]"]);
    }

    #[test]
    fn texts_counts_and_photo_are_bounded() {
        let mut r = record();
        r.notes = "记".repeat(MAX_NOTES_CHARS);
        r.coverage = "片".repeat(MAX_COVERAGE_CHARS);
        assert_eq!(r.check(TODAY), vec![], "limits count characters, not bytes");
        r.notes.push('。');
        r.coverage.push('区');
        r.households = Some(0);
        r.attendees = Some(0);
        r.photo = Some(AttachmentRef {
            id: "p".into(),
            form: None,
            taken_at: "2026-06-08T09:00:00+08:00".parse().unwrap(),
            position: None,
            bytes: 0,
            content_type: "image/gif".into(),
            sha256: Some("XYZ".into()),
        });
        assert_eq!(
            fields(&r.check(TODAY)),
            [
                "coverage",
                "households",
                "attendees",
                "notes",
                "photo.sha256",
                "photo.bytes",
                "photo.content_type"
            ]
        );
        // a photo is named by its SHA-256 when it is taken
        let photo = r.photo.as_mut().unwrap();
        photo.sha256 = None;
        assert!(r.check(TODAY).contains(&RecordError::PhotoUnnamed));
        let photo = r.photo.as_mut().unwrap();
        photo.sha256 = Some("ab".repeat(32));
        photo.bytes = 180_000;
        photo.content_type = "image/jpeg".into();
        assert!(
            !fields(&r.check(TODAY))
                .iter()
                .any(|f| f.starts_with("photo"))
        );
    }

    #[test]
    fn the_schedule_decides_which_duty_fits_which_unit() {
        let s = Schedule::five_ones();
        let mut r = record();
        assert_eq!(
            r.check_with(&s, UnitKind::Village, TODAY),
            [RecordError::DutyNotForUnit {
                duty: "调解小组每周排查".into(),
                kind: UnitKind::Village
            }]
        );
        assert_eq!(
            r.check_with(&s, UnitKind::Village, TODAY)[0].to_string(),
            "“调解小组每周排查” 不适用于村人民调解委员会 / the duty does not apply to this kind of unit"
        );
        r.duty = "weekly".into();
        assert_eq!(
            r.check_with(&s, UnitKind::VillagerGroup, TODAY),
            [RecordError::UnknownDuty("weekly".into())]
        );
        r.duty = "quarterly_training".into();
        r.coverage.clear();
        assert_eq!(
            r.check_with(&s, UnitKind::Township, TODAY),
            [RecordError::NoAttendees]
        );
        r.attendees = Some(35);
        assert_eq!(r.check_with(&s, UnitKind::Township, TODAY), vec![]);
        r.duty = "township_monthly_screening".into();
        assert_eq!(
            fields(&r.check_with(&s, UnitKind::Township, TODAY)),
            ["coverage"]
        );
        r.duty = " ".into();
        assert_eq!(
            fields(&r.check_with(&s, UnitKind::Township, TODAY)),
            ["duty"]
        );
    }
}
