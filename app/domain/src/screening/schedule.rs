//! Screening schedules as data: which unit kinds owe which recurring duty
//! (排查、分析研判、培训) how often, and how often a risk item is followed up
//! by level. Synced to the phone like the subsidy rule sets, versioned, and
//! checked before use. [`Schedule::five_ones`] is the "五个一" default of
//! docs/domain.md §5.

use super::period::Cadence;
use crate::case::RiskLevel;
use crate::org::UnitRecord;
use crate::risk::{RiskError, RiskLevels};
use crate::{UnitId, UnitKind};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// One locality's screening schedule, version by version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// e.g. `chuxiong-five-ones`
    pub id: String,
    /// Goes up by one with every change; the phone keeps the highest it has seen.
    pub version: u32,
    /// Administrative code of the locality it belongs to, e.g. `532301`
    /// (楚雄市), as in a rule set.
    pub locality: String,
    pub name_zh: String,
    pub name_en: String,
    /// Periods that end before this day are owed nothing: never due, overdue
    /// nor counted as missed (the day the schedule was introduced, which may
    /// be ahead of the day it is synced); `null` counts every period.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    #[serde(default, with = "crate::dates::iso_opt")]
    pub effective_from: Option<Date>,
    pub duties: Vec<Duty>,
    /// How often an open risk item is followed up, by risk level code.
    pub follow_ups: Vec<RiskFollowUp>,
    /// The locality's risk levels (风险等级): their names — 高/中/低, or
    /// colours such as 红/橙/黄 — and which needs a responsible person. The
    /// codes are those of a case's `risk`: `high`, `medium`, `low`. A
    /// schedule without them has Chuxiong's.
    #[serde(default)]
    pub risk_levels: RiskLevels,
}

/// What kind of work a duty is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DutyKind {
    /// 矛盾纠纷排查 — screening for disputes (a "nothing found" report counts).
    Screening,
    /// 矛盾纠纷形势分析研判 — meeting to analyse the dispute situation.
    AnalysisMeeting,
    /// 调解员培训 — training of mediators.
    Training,
}

impl DutyKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            DutyKind::Screening => "排查",
            DutyKind::AnalysisMeeting => "分析研判",
            DutyKind::Training => "培训",
        }
    }

    /// Meetings and trainings record how many attended.
    pub fn has_attendees(self) -> bool {
        matches!(self, DutyKind::AnalysisMeeting | DutyKind::Training)
    }
}

/// A recurring duty of some kinds of unit.
///
/// **Due and overdue.** A period's duty is done when a record of it is
/// *dated* inside the period (the day of the screening, not the day it was
/// entered or synced, since phones work offline). While a period runs and
/// has no record it is *due*. Once it has ended without a record it is
/// still *due* for `grace_days` more days (a late entry dated inside it
/// still counts), then *overdue*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Duty {
    /// e.g. `group_weekly_screening`: lowercase letters, digits and `_`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: DutyKind,
    pub cadence: Cadence,
    /// The unit kinds that owe it.
    pub applies_to: Vec<UnitKind>,
    /// Days after a period's end before a missing record is overdue; less
    /// than the shortest period of the cadence (7, 28 or 90 days).
    #[serde(default)]
    pub grace_days: u8,
    /// Remind of the running period only in its last `lead_days` days;
    /// `null` reminds from its first day.
    #[serde(default)]
    pub lead_days: Option<u16>,
}

impl Duty {
    pub fn applies_to(&self, kind: UnitKind) -> bool {
        self.applies_to.contains(&kind)
    }
}

/// How often an open risk item (风险隐患) of one level is followed up (回访、
/// 稳控): every `every_days` days after the last follow-up; it is due from
/// `lead_days` days before that day and overdue after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RiskFollowUp {
    /// A risk level code of the locality's [`RiskLevels`], e.g. `high`.
    pub level: String,
    pub every_days: u16,
    #[serde(default)]
    pub lead_days: u16,
}

/// One problem in a schedule, naming its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error("不能为空 / must not be empty")]
    Blank { field: String },
    #[error("日程编号不能含空格 / the schedule id must have no spaces")]
    BadId,
    #[error("版本号从 1 开始 / the version starts at 1")]
    ZeroVersion,
    #[error("至少要有一项工作职责 / a schedule needs at least one duty")]
    NoDuties,
    #[error("职责代码只能用小写字母、数字和下划线 / a duty code uses a–z, 0–9 and _ only")]
    BadDutyCode { index: usize },
    #[error("职责代码 “{code}” 重复 / duty code listed twice")]
    DuplicateDuty { index: usize, code: String },
    #[error("请选择适用的组织类型 / choose the unit kinds the duty applies to")]
    NoUnitKinds { index: usize },
    #[error("组织类型 “{kind}” 重复 / unit kind listed twice")]
    DuplicateUnitKind { index: usize, kind: UnitKind },
    #[error("宽限天数应少于 {max} 天 / the grace must be shorter than {max} days")]
    GraceTooLong { index: usize, max: u8 },
    #[error("提前提醒天数至少为 1 / remind at least 1 day ahead, or leave it empty")]
    ZeroLead { index: usize },
    #[error("风险等级 “{code}” 重复 / risk level listed twice")]
    DuplicateLevel { index: usize, code: String },
    #[error("回访间隔天数至少为 1 / follow up at least every 1 day")]
    ZeroFollowUpDays { index: usize },
    #[error("提前提醒天数应少于回访间隔 / the lead must be shorter than the interval")]
    LeadNotShorter { index: usize },
    #[error("未知的风险等级 “{code}” / unknown risk level")]
    UnknownLevel { index: usize, code: String },
    #[error("风险等级 “{code}” 没有回访间隔 / the risk level has no follow-up interval")]
    NoFollowUp { code: String },
    #[error("{0}")]
    RiskLevel(RiskError),
    #[error("风险等级代码只能是 high、medium 或 low / a risk level code is high, medium or low")]
    RiskCode { index: usize },
    #[error("缺少风险等级 “{code}” / the risk level is missing")]
    MissingRiskLevel { code: String },
}

impl ScheduleError {
    /// Where: `duties[2].code`, `follow_ups[0].every_days`, `.` for the file.
    pub fn field(&self) -> String {
        use ScheduleError as E;
        match self {
            E::Syntax { path, .. } => path.clone(),
            E::Blank { field } => field.clone(),
            E::BadId => "id".into(),
            E::ZeroVersion => "version".into(),
            E::NoDuties => "duties".into(),
            E::BadDutyCode { index } | E::DuplicateDuty { index, .. } => {
                format!("duties[{index}].code")
            }
            E::NoUnitKinds { index } | E::DuplicateUnitKind { index, .. } => {
                format!("duties[{index}].applies_to")
            }
            E::GraceTooLong { index, .. } => format!("duties[{index}].grace_days"),
            E::ZeroLead { index } => format!("duties[{index}].lead_days"),
            E::DuplicateLevel { index, .. } | E::UnknownLevel { index, .. } => {
                format!("follow_ups[{index}].level")
            }
            E::ZeroFollowUpDays { index } => format!("follow_ups[{index}].every_days"),
            E::LeadNotShorter { index } => format!("follow_ups[{index}].lead_days"),
            E::NoFollowUp { .. } => "follow_ups".into(),
            E::RiskLevel(e) => format!("risk_{}", e.field()),
            E::RiskCode { index } => format!("risk_levels[{index}].code"),
            E::MissingRiskLevel { .. } => "risk_levels".into(),
        }
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Schedule {
    /// The "五个一" defaults of docs/domain.md §5: villager/resident groups
    /// screen weekly; village/community committees and townships screen
    /// monthly; townships and the city hold a quarterly analysis meeting;
    /// the judicial office (township) trains mediators quarterly. Risk
    /// items are followed up every 3 (high), 7 (medium) or 30 (low) days.
    pub fn five_ones() -> Schedule {
        use UnitKind as U;
        let duty = |code: &str, zh: &str, en: &str, kind, cadence, applies_to: &[UnitKind]| Duty {
            code: code.into(),
            name_zh: zh.into(),
            name_en: en.into(),
            kind,
            cadence,
            applies_to: applies_to.to_vec(),
            grace_days: 0,
            lead_days: None,
        };
        let follow_up = |level: &str, every_days, lead_days| RiskFollowUp {
            level: level.into(),
            every_days,
            lead_days,
        };
        Schedule {
            id: "five-ones".into(),
            version: 1,
            locality: "532301".into(),
            name_zh: "矛盾纠纷排查“五个一”".into(),
            name_en: "the \"five ones\" of dispute screening".into(),
            effective_from: None,
            duties: vec![
                duty(
                    "group_weekly_screening",
                    "调解小组每周排查",
                    "weekly screening by the villager or resident group",
                    DutyKind::Screening,
                    Cadence::Weekly,
                    &[U::VillagerGroup, U::ResidentGroup],
                ),
                duty(
                    "village_monthly_screening",
                    "村(社区)每月排查",
                    "monthly screening by the village or community committee",
                    DutyKind::Screening,
                    Cadence::Monthly,
                    &[U::Village, U::Community],
                ),
                duty(
                    "township_monthly_screening",
                    "乡(镇)每月排查",
                    "monthly screening by the township",
                    DutyKind::Screening,
                    Cadence::Monthly,
                    &[U::Township],
                ),
                duty(
                    "quarterly_analysis",
                    "每季度矛盾纠纷形势分析研判",
                    "quarterly analysis of the dispute situation",
                    DutyKind::AnalysisMeeting,
                    Cadence::Quarterly,
                    &[U::Township, U::City],
                ),
                duty(
                    "quarterly_training",
                    "司法所每季度培训调解员",
                    "quarterly training of mediators by the judicial office",
                    DutyKind::Training,
                    Cadence::Quarterly,
                    &[U::Township],
                ),
            ],
            follow_ups: vec![
                follow_up("high", 3, 0),
                follow_up("medium", 7, 1),
                follow_up("low", 30, 7),
            ],
            risk_levels: RiskLevels::default(),
        }
    }

    /// The duty with this code.
    pub fn duty(&self, code: &str) -> Option<&Duty> {
        self.duties.iter().find(|d| d.code == code)
    }

    /// The follow-up interval of a risk level.
    pub fn follow_up(&self, level: &str) -> Option<&RiskFollowUp> {
        self.follow_ups.iter().find(|f| f.level == level)
    }

    /// Every problem of the schedule on its own; empty when it is sound.
    pub fn check(&self) -> Vec<ScheduleError> {
        use ScheduleError as E;
        let mut out = Vec::new();
        let blank = |field: &str| E::Blank {
            field: field.into(),
        };
        if self.id.trim().is_empty() {
            out.push(blank("id"));
        } else if self.id.contains(char::is_whitespace) {
            out.push(E::BadId);
        }
        if self.version == 0 {
            out.push(E::ZeroVersion);
        }
        if self.locality.trim().is_empty() {
            out.push(blank("locality"));
        }
        if self.name_zh.trim().is_empty() {
            out.push(blank("name_zh"));
        }
        if self.name_en.trim().is_empty() {
            out.push(blank("name_en"));
        }
        if self.duties.is_empty() {
            out.push(E::NoDuties);
        }
        let mut codes = HashSet::new();
        for (index, d) in self.duties.iter().enumerate() {
            if !is_code(&d.code) {
                out.push(E::BadDutyCode { index });
            } else if !codes.insert(d.code.as_str()) {
                out.push(E::DuplicateDuty {
                    index,
                    code: d.code.clone(),
                });
            }
            if d.name_zh.trim().is_empty() {
                out.push(blank(&format!("duties[{index}].name_zh")));
            }
            if d.name_en.trim().is_empty() {
                out.push(blank(&format!("duties[{index}].name_en")));
            }
            if d.applies_to.is_empty() {
                out.push(E::NoUnitKinds { index });
            }
            let mut kinds = HashSet::new();
            for &kind in &d.applies_to {
                if !kinds.insert(kind) {
                    out.push(E::DuplicateUnitKind { index, kind });
                }
            }
            let max = d.cadence.min_days();
            if d.grace_days >= max {
                out.push(E::GraceTooLong { index, max });
            }
            if d.lead_days == Some(0) {
                out.push(E::ZeroLead { index });
            }
        }
        let mut levels = HashSet::new();
        for (index, f) in self.follow_ups.iter().enumerate() {
            if f.level.trim().is_empty() {
                out.push(blank(&format!("follow_ups[{index}].level")));
            } else if !levels.insert(f.level.as_str()) {
                out.push(E::DuplicateLevel {
                    index,
                    code: f.level.clone(),
                });
            }
            if f.every_days == 0 {
                out.push(E::ZeroFollowUpDays { index });
            } else if f.lead_days >= f.every_days {
                out.push(E::LeadNotShorter { index });
            }
        }
        // the levels name a case's three: each once, no other
        out.extend(self.risk_levels.check().into_iter().map(E::RiskLevel));
        for (index, l) in self.risk_levels.levels.iter().enumerate() {
            if RiskLevel::from_code(&l.code).is_none() {
                out.push(E::RiskCode { index });
            }
        }
        for level in [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low] {
            if self.risk_levels.get(level.code()).is_none() {
                out.push(E::MissingRiskLevel {
                    code: level.code().into(),
                });
            }
        }
        out.extend(self.check_levels(&self.risk_levels));
        out
    }

    /// A risk level's name in the locality's words: `高风险`, `红色风险`;
    /// `high risk` in English. The code itself when the level is unknown.
    pub fn risk_name(&self, code: &str, en: bool) -> String {
        match self.risk_levels.get(code) {
            Some(l) if en => format!("{} risk", l.name_en),
            Some(l) => format!("{}风险", l.name_zh),
            None => code.to_owned(),
        }
    }

    /// Problems between the schedule and the locality's risk levels: every
    /// follow-up names a known level and every level has a follow-up.
    pub fn check_levels(&self, levels: &RiskLevels) -> Vec<ScheduleError> {
        let mut out = Vec::new();
        for (index, f) in self.follow_ups.iter().enumerate() {
            if levels.get(&f.level).is_none() {
                out.push(ScheduleError::UnknownLevel {
                    index,
                    code: f.level.clone(),
                });
            }
        }
        for level in &levels.levels {
            if self.follow_up(&level.code).is_none() {
                out.push(ScheduleError::NoFollowUp {
                    code: level.code.clone(),
                });
            }
        }
        out
    }
}

/// The schedule that applies where `locality_codes` are — a unit's own code
/// and the codes of the units above it (the phone passes every unit it
/// knows): of the schedules whose `locality` is one of them, the highest
/// version; when none is, the highest version of all. Ties go to the
/// greater id, so the answer does not depend on the order of `schedules`
/// (the phone's store and the server's table list them differently).
/// `None` only when there is no schedule.
///
/// Localities are meant not to nest (one schedule per city or county): a
/// township's own schedule beside its city's wins only by a higher version.
pub fn applying<'a>(schedules: &'a [Schedule], locality_codes: &[&str]) -> Option<&'a Schedule> {
    applying_index(schedules, locality_codes).map(|i| &schedules[i])
}

/// [`applying`], as the schedule's index in `schedules`.
pub fn applying_index(schedules: &[Schedule], locality_codes: &[&str]) -> Option<usize> {
    let key = |s: &Schedule| (locality_codes.contains(&s.locality.as_str()), s.version);
    schedules
        .iter()
        .enumerate()
        .max_by(|x, y| key(x.1).cmp(&key(y.1)).then_with(|| x.1.id.cmp(&y.1.id)))
        .map(|(i, _)| i)
}

/// For every unit of `units`, the index in `schedules` of the schedule
/// that applies to it: [`applying`] with the codes of the unit and of every
/// unit above it that `units` holds (a unit whose parent is missing has
/// its own code and those found so far). Empty when there is no schedule.
pub fn applying_by_unit(schedules: &[Schedule], units: &[UnitRecord]) -> HashMap<UnitId, usize> {
    let mut out = HashMap::with_capacity(units.len());
    if schedules.is_empty() {
        return out;
    }
    let by_id: HashMap<UnitId, &UnitRecord> = units.iter().map(|u| (u.id, u)).collect();
    let mut codes: Vec<&str> = Vec::new();
    for unit in units {
        codes.clear();
        let mut next = Some(unit);
        // a cycle in bad data must not loop for ever
        while let Some(u) = next.filter(|_| codes.len() <= units.len()) {
            codes.push(u.code.as_str());
            next = u.parent_id.and_then(|p| by_id.get(&p).copied());
        }
        if let Some(i) = applying_index(schedules, &codes) {
            out.insert(unit.id, i);
        }
    }
    out
}

/// Reads a schedule file and checks it. A file that does not parse reports
/// the first syntax or type error; one that parses reports every problem.
pub fn parse_schedule(json: &str) -> Result<Schedule, Vec<ScheduleError>> {
    let de = &mut serde_json::Deserializer::from_str(json);
    let schedule: Schedule = serde_path_to_error::deserialize(de).map_err(|e| {
        vec![ScheduleError::Syntax {
            path: e.path().to_string(),
            message: e.into_inner().to_string(),
        }]
    })?;
    let problems = schedule.check();
    if problems.is_empty() {
        Ok(schedule)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[ScheduleError]) -> Vec<String> {
        errors.iter().map(ScheduleError::field).collect()
    }

    #[test]
    fn the_five_ones_are_sound_and_cover_every_level_of_the_tree() {
        let s = Schedule::five_ones();
        assert_eq!(s.check(), vec![]);
        assert_eq!(s.check_levels(&RiskLevels::default()), vec![]);
        let owed = |kind| {
            s.duties
                .iter()
                .filter(|d| d.applies_to(kind))
                .map(|d| (d.kind, d.cadence))
                .collect::<Vec<_>>()
        };
        use {Cadence as C, DutyKind as K, UnitKind as U};
        assert_eq!(owed(U::VillagerGroup), [(K::Screening, C::Weekly)]);
        assert_eq!(owed(U::ResidentGroup), [(K::Screening, C::Weekly)]);
        assert_eq!(owed(U::Village), [(K::Screening, C::Monthly)]);
        assert_eq!(owed(U::Community), [(K::Screening, C::Monthly)]);
        assert_eq!(
            owed(U::Township),
            [
                (K::Screening, C::Monthly),
                (K::AnalysisMeeting, C::Quarterly),
                (K::Training, C::Quarterly)
            ]
        );
        assert_eq!(owed(U::City), [(K::AnalysisMeeting, C::Quarterly)]);
        assert_eq!(owed(U::Sector), []);
        assert_eq!(s.follow_up("high").unwrap().every_days, 3);
        assert_eq!(s.follow_up("medium").unwrap().every_days, 7);
        assert_eq!(s.follow_up("low").unwrap().every_days, 30);
    }

    #[test]
    fn a_schedule_round_trips_through_json() {
        let s = Schedule::five_ones();
        let json = serde_json::to_string_pretty(&s).unwrap();
        assert!(json.contains("\"cadence\": \"weekly\""), "{json}");
        assert!(json.contains("\"applies_to\": [\n        \"villager_group\""));
        assert_eq!(parse_schedule(&json), Ok(s));
    }

    #[test]
    fn problems_name_their_fields() {
        let mut s = Schedule::five_ones();
        s.id = "five ones".into();
        s.version = 0;
        s.duties[1].code = "group_weekly_screening".into();
        s.duties[2].code = "Township".into();
        s.duties[3].applies_to = vec![UnitKind::City, UnitKind::City];
        s.duties[4].applies_to.clear();
        s.duties[0].grace_days = 7;
        s.duties[1].grace_days = 27;
        s.duties[1].lead_days = Some(0);
        s.follow_ups[1].level = "high".into();
        s.follow_ups[2].every_days = 0;
        s.follow_ups[0].lead_days = 3;
        assert_eq!(
            fields(&s.check()),
            [
                "id",
                "version",
                "duties[0].grace_days",
                "duties[1].code",
                "duties[1].lead_days",
                "duties[2].code",
                "duties[3].applies_to",
                "duties[4].applies_to",
                "follow_ups[0].lead_days",
                "follow_ups[1].level",
                "follow_ups[2].every_days",
                // medium has no follow-up left (the levels are checked too)
                "follow_ups"
            ]
        );
        let e = &s.check()[3];
        assert_eq!(
            e.to_string(),
            "职责代码 “group_weekly_screening” 重复 / duty code listed twice"
        );
        s.duties.clear();
        assert!(s.check().contains(&ScheduleError::NoDuties));
    }

    #[test]
    fn follow_ups_must_match_the_risk_levels() {
        let mut s = Schedule::five_ones();
        s.follow_ups.pop();
        s.follow_ups[0].level = "red".into();
        assert_eq!(
            s.check_levels(&RiskLevels::default()),
            [
                ScheduleError::UnknownLevel {
                    index: 0,
                    code: "red".into()
                },
                ScheduleError::NoFollowUp {
                    code: "high".into()
                },
                ScheduleError::NoFollowUp { code: "low".into() },
            ]
        );
    }

    #[test]
    fn a_locality_names_its_risk_levels_and_keeps_a_cases_three_codes() {
        let mut s = Schedule::five_ones();
        assert_eq!(s.risk_name("high", false), "高风险");
        assert_eq!(s.risk_name("medium", true), "medium risk");
        // a file without levels has Chuxiong's
        let mut json = serde_json::to_value(&s).unwrap();
        json.as_object_mut().unwrap().remove("risk_levels");
        let read: Schedule = serde_json::from_value(json).unwrap();
        assert_eq!(read.risk_levels, RiskLevels::default());
        // colours instead: 红/橙/黄
        for (l, name) in s
            .risk_levels
            .levels
            .iter_mut()
            .zip(["红色", "橙色", "黄色"])
        {
            l.name_zh = name.into();
        }
        assert_eq!(s.check(), vec![]);
        assert_eq!(s.risk_name("high", false), "红色风险");
        assert_eq!(s.risk_name("severe", false), "severe");
        // a fourth colour has no case code to stand for; a missing level,
        // a level without follow-ups and a repeated rank are named
        let mut bad = s.clone();
        bad.risk_levels.levels[2].code = "blue".into();
        bad.risk_levels.levels[1].rank = 3;
        assert_eq!(
            fields(&bad.check()),
            [
                "risk_levels[1].rank",
                "risk_levels[2].code",
                "risk_levels",
                "follow_ups[2].level",
                "follow_ups"
            ]
        );
    }

    fn schedule(id: &str, locality: &str, version: u32) -> Schedule {
        Schedule {
            id: id.into(),
            locality: locality.into(),
            version,
            ..Schedule::five_ones()
        }
    }

    fn ids(picked: Option<&Schedule>) -> Option<(&str, u32)> {
        picked.map(|s| (s.id.as_str(), s.version))
    }

    #[test]
    fn the_schedule_of_a_locality_above_wins_over_a_newer_one_elsewhere() {
        let all = [
            schedule("five-ones", "532301", 1),
            schedule("chuxiong-2027", "532301", 3),
            schedule("dali", "532901", 7),
        ];
        // a group of 楚雄市: its own code, its village's, township's, city's
        let chuxiong = ["532301100001001", "532301100001", "532301100", "532301"];
        assert_eq!(ids(applying(&all, &chuxiong)), Some(("chuxiong-2027", 3)));
        assert_eq!(applying_index(&all, &chuxiong), Some(1));
        assert_eq!(ids(applying(&all, &["532901"])), Some(("dali", 7)));
        // nowhere known: the newest there is
        assert_eq!(ids(applying(&all, &["110101"])), Some(("dali", 7)));
        assert_eq!(ids(applying(&all, &[])), Some(("dali", 7)));
        assert_eq!(applying(&[], &chuxiong), None);
        // the order they are listed in does not matter, ties included
        let mut reversed = all.to_vec();
        reversed.reverse();
        assert_eq!(
            ids(applying(&reversed, &chuxiong)),
            Some(("chuxiong-2027", 3))
        );
        let tie = [schedule("b", "532301", 2), schedule("a", "532301", 2)];
        let tie_reversed = [tie[1].clone(), tie[0].clone()];
        assert_eq!(ids(applying(&tie, &["532301"])), Some(("b", 2)));
        assert_eq!(ids(applying(&tie_reversed, &["532301"])), Some(("b", 2)));
    }

    #[test]
    fn each_unit_gets_the_schedule_of_the_locality_above_it() {
        let unit = |key: &str, code: &str, kind, parent: Option<&str>| UnitRecord {
            id: UnitId::stable(key),
            code: code.into(),
            name: key.into(),
            kind,
            parent_id: parent.map(UnitId::stable),
        };
        use UnitKind as U;
        let units = [
            unit("chuxiong", "532301", U::City, None),
            unit("lucheng", "532301100", U::Township, Some("chuxiong")),
            unit("datan", "532301100001", U::Village, Some("lucheng")),
            unit(
                "group-3",
                "532301100001003",
                U::VillagerGroup,
                Some("datan"),
            ),
            unit("dali", "532901", U::City, None),
            unit("xiaguan", "532901100", U::Township, Some("dali")),
            // its parent is not in the list: only its own code counts
            unit("stray", "532301999", U::Township, Some("nowhere")),
        ];
        let schedules = [
            schedule("five-ones", "532301", 1),
            schedule("chuxiong-2027", "532301", 2),
            schedule("dali", "532901", 1),
        ];
        let picked = applying_by_unit(&schedules, &units);
        let of = |key: &str| picked.get(&UnitId::stable(key)).copied();
        for key in ["chuxiong", "lucheng", "datan", "group-3"] {
            assert_eq!(of(key), Some(1), "{key}");
        }
        assert_eq!(of("dali"), Some(2));
        assert_eq!(of("xiaguan"), Some(2));
        assert_eq!(of("stray"), Some(1), "no locality of its own: the newest");
        assert_eq!(picked.len(), units.len());
        assert!(applying_by_unit(&[], &units).is_empty());

        // a parent loop in bad data ends
        let looped = [
            unit("a", "1", U::Township, Some("b")),
            unit("b", "2", U::Township, Some("a")),
        ];
        assert_eq!(applying_by_unit(&schedules, &looped).len(), 2);
    }

    #[test]
    fn a_file_with_a_wrong_type_says_where() {
        let json = serde_json::to_string(&Schedule::five_ones())
            .unwrap()
            .replace("\"monthly\"", "\"fortnightly\"");
        let errors = parse_schedule(&json).unwrap_err();
        assert_eq!(fields(&errors), ["duties[1].cadence"]);
    }
}
