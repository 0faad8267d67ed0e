//! Risk levels (风险等级, docs/domain.md §9) as locality data, and the
//! three-step assessment of a dispute's risk: the group sets a provisional
//! level (组初定) → the village agrees it (村议定) → the township confirms it
//! (乡审定). A confirmed item may be downgraded (降级); any open item may be
//! closed out (销号). Every step is kept in the item's history. Pure
//! functions: each returns the next assessment or says why it may not.

use crate::ids::{CaseId, PersonId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One risk level of a locality, e.g. `high` 高. Some places use colours
/// (红/橙/黄/蓝): the codes and names are data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RiskLevelDef {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Higher is more serious; unique within the locality.
    pub rank: u8,
    /// Confirmation needs a named responsible person (包保人).
    #[serde(default)]
    pub needs_responsible: bool,
}

/// A locality's risk levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RiskLevels {
    pub levels: Vec<RiskLevelDef>,
}

/// Chuxiong's 高/中/低; high needs a responsible person.
impl Default for RiskLevels {
    fn default() -> RiskLevels {
        let level = |code: &str, zh: &str, en: &str, rank, needs_responsible| RiskLevelDef {
            code: code.into(),
            name_zh: zh.into(),
            name_en: en.into(),
            rank,
            needs_responsible,
        };
        RiskLevels {
            levels: vec![
                level("high", "高", "high", 3, true),
                level("medium", "中", "medium", 2, false),
                level("low", "低", "low", 1, false),
            ],
        }
    }
}

impl RiskLevels {
    pub fn get(&self, code: &str) -> Option<&RiskLevelDef> {
        self.levels.iter().find(|l| l.code == code)
    }

    /// Every problem of the list; empty when it is sound.
    pub fn check(&self) -> Vec<RiskError> {
        let mut out = Vec::new();
        if self.levels.is_empty() {
            out.push(RiskError::NoLevels);
        }
        let (mut codes, mut ranks) = (HashSet::new(), HashSet::new());
        for (index, l) in self.levels.iter().enumerate() {
            if l.code.trim().is_empty() || l.name_zh.trim().is_empty() {
                out.push(RiskError::BlankLevel { index });
            } else if !codes.insert(l.code.as_str()) {
                out.push(RiskError::DuplicateLevel {
                    index,
                    code: l.code.clone(),
                });
            }
            if !ranks.insert(l.rank) {
                out.push(RiskError::DuplicateRank {
                    index,
                    rank: l.rank,
                });
            }
        }
        out
    }
}

/// Where an assessment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RiskStep {
    /// 组初定 — the group set a provisional level.
    Proposed,
    /// 村议定 — the village agreed a level.
    Agreed,
    /// 乡审定 — the township confirmed it (and later downgrades).
    Confirmed,
    /// 销号 — closed out: the risk is gone.
    Closed,
}

impl RiskStep {
    pub fn name_zh(self) -> &'static str {
        match self {
            RiskStep::Proposed => "组初定",
            RiskStep::Agreed => "村议定",
            RiskStep::Confirmed => "乡审定",
            RiskStep::Closed => "已销号",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            RiskStep::Proposed => "proposed by the group",
            RiskStep::Agreed => "agreed by the village",
            RiskStep::Confirmed => "confirmed by the township",
            RiskStep::Closed => "closed out",
        }
    }
}

/// What a history entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RiskAction {
    /// 初定
    Propose,
    /// 议定
    Agree,
    /// 审定
    Confirm,
    /// 降级
    Downgrade,
    /// 销号
    Close,
}

impl RiskAction {
    pub fn name_zh(self) -> &'static str {
        match self {
            RiskAction::Propose => "初定",
            RiskAction::Agree => "议定",
            RiskAction::Confirm => "审定",
            RiskAction::Downgrade => "降级",
            RiskAction::Close => "销号",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            RiskAction::Propose => "propose",
            RiskAction::Agree => "agree",
            RiskAction::Confirm => "confirm",
            RiskAction::Downgrade => "downgrade",
            RiskAction::Close => "close out",
        }
    }
}

/// Who acts, when, and why (the note may be empty except to close out).
#[derive(Debug, Clone, Copy)]
pub struct Act<'a> {
    pub by: PersonId,
    pub at: Timestamp,
    pub note: &'a str,
}

/// One step of an assessment's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskEntry {
    pub action: RiskAction,
    pub by: PersonId,
    pub at: Timestamp,
    /// The level before; none for the first proposal.
    pub from: Option<String>,
    /// The level after; none when closed out.
    pub to: Option<String>,
    /// The step reached.
    pub step: RiskStep,
    /// 包保人 named by this step (a confirmation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<PersonId>,
    #[serde(default)]
    pub note: String,
}

/// The risk assessment of one dispute case (矛盾纠纷风险等级评估).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskAssessment {
    pub case_id: CaseId,
    /// The current level's code (the last one, once closed out).
    pub level: String,
    pub step: RiskStep,
    /// 包保人 — named at confirmation when the level needs one.
    pub responsible: Option<PersonId>,
    pub history: Vec<RiskEntry>,
}

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// Why a risk step may not be taken, or what is wrong with the levels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RiskError {
    #[error("未知的风险等级 “{0}” / unknown risk level")]
    UnknownLevel(String),
    #[error("当前为“{}”，不能{} / cannot {} while {}", step.name_zh(), action.name_zh(), action.name_en(), step.name_en())]
    WrongStep { action: RiskAction, step: RiskStep },
    #[error("已销号，不能再修改 / closed out: it cannot be changed")]
    Closed,
    #[error("降级后的等级应低于 “{from}” / a downgrade must go to a lower level than {from}")]
    NotLower { from: String, to: String },
    #[error("“{0}” 风险须确定包保人 / this level needs a named responsible person")]
    ResponsibleRequired(String),
    #[error("销号须写明理由 / give the reason for closing out")]
    ReasonRequired,
    #[error("说明不能超过 {MAX_NOTE_CHARS} 字 / the note is too long")]
    NoteTooLong,
    #[error("时间早于上一步 / earlier than the previous step")]
    BeforeLastStep,
    #[error("记录与当前状态不符 / the history does not lead to the stated level and step")]
    Inconsistent,
    #[error("至少要有一个风险等级 / at least one risk level is needed")]
    NoLevels,
    #[error("风险等级代码和名称不能为空 / a level needs a code and a name")]
    BlankLevel { index: usize },
    #[error("风险等级 “{code}” 重复 / risk level listed twice")]
    DuplicateLevel { index: usize, code: String },
    #[error("风险等级顺序 {rank} 重复 / two levels share a rank")]
    DuplicateRank { index: usize, rank: u8 },
}

impl RiskError {
    /// The field it is about: `level`, `step`, `responsible`, `note`, `at`,
    /// or `levels[i].code` / `levels[i].rank` for the levels' list.
    pub fn field(&self) -> String {
        use RiskError as E;
        match self {
            E::UnknownLevel(_) | E::NotLower { .. } => "level".into(),
            E::WrongStep { .. } | E::Closed => "step".into(),
            E::ResponsibleRequired(_) => "responsible".into(),
            E::ReasonRequired | E::NoteTooLong => "note".into(),
            E::BeforeLastStep => "at".into(),
            E::Inconsistent => "history".into(),
            E::NoLevels => "levels".into(),
            E::BlankLevel { index } | E::DuplicateLevel { index, .. } => {
                format!("levels[{index}].code")
            }
            E::DuplicateRank { index, .. } => format!("levels[{index}].rank"),
        }
    }
}

fn known<'l>(levels: &'l RiskLevels, code: &str) -> Result<&'l RiskLevelDef, RiskError> {
    levels
        .get(code)
        .ok_or_else(|| RiskError::UnknownLevel(code.to_owned()))
}

impl RiskAssessment {
    /// 组初定: the group sets a provisional level.
    pub fn propose(
        case_id: CaseId,
        levels: &RiskLevels,
        level: &str,
        act: Act<'_>,
    ) -> Result<RiskAssessment, RiskError> {
        let start = RiskAssessment::start(case_id);
        start.apply(
            levels,
            start.entry(RiskAction::Propose, Some(level), None, act),
        )
    }

    /// 村议定: the village agrees a level, the proposed one or another.
    pub fn agree(
        &self,
        levels: &RiskLevels,
        level: &str,
        act: Act<'_>,
    ) -> Result<RiskAssessment, RiskError> {
        self.apply(
            levels,
            self.entry(RiskAction::Agree, Some(level), None, act),
        )
    }

    /// 乡审定: the township confirms a level after the village agreed one.
    /// A level that needs a responsible person (高) gets one here.
    pub fn confirm(
        &self,
        levels: &RiskLevels,
        level: &str,
        responsible: Option<PersonId>,
        act: Act<'_>,
    ) -> Result<RiskAssessment, RiskError> {
        self.apply(
            levels,
            self.entry(RiskAction::Confirm, Some(level), responsible, act),
        )
    }

    /// 降级: a confirmed item goes down to a lower level. The responsible
    /// person, if any, stays named.
    pub fn downgrade(
        &self,
        levels: &RiskLevels,
        to: &str,
        act: Act<'_>,
    ) -> Result<RiskAssessment, RiskError> {
        self.apply(
            levels,
            self.entry(RiskAction::Downgrade, Some(to), None, act),
        )
    }

    /// 销号: the risk is gone. Any open item may be closed out, with a reason.
    pub fn close(&self, levels: &RiskLevels, act: Act<'_>) -> Result<RiskAssessment, RiskError> {
        self.apply(levels, self.entry(RiskAction::Close, None, None, act))
    }

    pub fn is_open(&self) -> bool {
        self.step != RiskStep::Closed
    }

    /// Whether an assessment as received (from a device, or stored) is one
    /// the steps above can make: its history replayed from the start, step
    /// by step under the same rules, must lead to its level, step and
    /// responsible person. The server checks every pushed assessment so.
    pub fn check(&self, levels: &RiskLevels) -> Result<(), RiskError> {
        if self.history.is_empty() {
            return Err(RiskError::Inconsistent);
        }
        let mut replay = RiskAssessment::start(self.case_id);
        for e in &self.history {
            replay = replay.apply(levels, e.clone())?;
        }
        if replay.level != self.level
            || replay.step != self.step
            || replay.responsible != self.responsible
        {
            return Err(RiskError::Inconsistent);
        }
        Ok(())
    }

    /// Before the first proposal.
    fn start(case_id: CaseId) -> RiskAssessment {
        RiskAssessment {
            case_id,
            level: String::new(),
            step: RiskStep::Proposed,
            responsible: None,
            history: Vec::new(),
        }
    }

    /// Takes one step, if the rules allow it from here: the one place those
    /// rules live (the steps and [`RiskAssessment::check`] both come here).
    fn apply(&self, levels: &RiskLevels, e: RiskEntry) -> Result<RiskAssessment, RiskError> {
        use RiskAction as A;
        let expect = |step: RiskStep| match self.step {
            RiskStep::Closed => Err(RiskError::Closed),
            s if s == step && !self.history.is_empty() => Ok(()),
            s => Err(RiskError::WrongStep {
                action: e.action,
                step: s,
            }),
        };
        let to = |e: &RiskEntry| -> Result<&RiskLevelDef, RiskError> {
            known(levels, e.to.as_deref().unwrap_or_default())
        };
        let reached = match e.action {
            A::Propose => {
                if !self.history.is_empty() {
                    return Err(if self.step == RiskStep::Closed {
                        RiskError::Closed
                    } else {
                        RiskError::WrongStep {
                            action: e.action,
                            step: self.step,
                        }
                    });
                }
                to(&e)?;
                RiskStep::Proposed
            }
            A::Agree => {
                expect(RiskStep::Proposed)?;
                to(&e)?;
                RiskStep::Agreed
            }
            A::Confirm => {
                expect(RiskStep::Agreed)?;
                let def = to(&e)?;
                if def.needs_responsible && e.responsible.is_none() {
                    return Err(RiskError::ResponsibleRequired(def.code.clone()));
                }
                RiskStep::Confirmed
            }
            A::Downgrade => {
                expect(RiskStep::Confirmed)?;
                let new = to(&e)?;
                let old = known(levels, &self.level)?;
                if new.rank >= old.rank {
                    return Err(RiskError::NotLower {
                        from: self.level.clone(),
                        to: new.code.clone(),
                    });
                }
                RiskStep::Confirmed
            }
            A::Close => {
                if self.step == RiskStep::Closed {
                    return Err(RiskError::Closed);
                }
                if self.history.is_empty() {
                    return Err(RiskError::WrongStep {
                        action: e.action,
                        step: self.step,
                    });
                }
                if e.note.trim().is_empty() {
                    return Err(RiskError::ReasonRequired);
                }
                if e.to.is_some() {
                    return Err(RiskError::Inconsistent);
                }
                RiskStep::Closed
            }
        };
        if e.note.chars().count() > MAX_NOTE_CHARS {
            return Err(RiskError::NoteTooLong);
        }
        if self.history.last().is_some_and(|last| e.at < last.at) {
            return Err(RiskError::BeforeLastStep);
        }
        let from = (!self.history.is_empty()).then(|| self.level.clone());
        if e.step != reached
            || e.from != from
            || (e.responsible.is_some() && e.action != A::Confirm)
        {
            return Err(RiskError::Inconsistent);
        }
        let mut next = self.clone();
        next.step = reached;
        if let Some(level) = &e.to {
            next.level = level.clone();
        }
        if e.action == A::Confirm {
            next.responsible = e.responsible;
        }
        next.history.push(e);
        Ok(next)
    }
}

impl RiskAssessment {
    /// The history entry of a step taken now from here.
    fn entry(
        &self,
        action: RiskAction,
        to: Option<&str>,
        responsible: Option<PersonId>,
        act: Act<'_>,
    ) -> RiskEntry {
        let step = match action {
            RiskAction::Propose => RiskStep::Proposed,
            RiskAction::Agree => RiskStep::Agreed,
            RiskAction::Confirm | RiskAction::Downgrade => RiskStep::Confirmed,
            RiskAction::Close => RiskStep::Closed,
        };
        RiskEntry {
            action,
            by: act.by,
            at: act.at,
            from: (!self.history.is_empty()).then(|| self.level.clone()),
            to: to.map(str::to_owned),
            step,
            responsible,
            note: act.note.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(minute: i64) -> Act<'static> {
        Act {
            by: PersonId::stable(&format!("p{minute}")),
            at: "2026-05-10T01:00:00Z"
                .parse::<Timestamp>()
                .unwrap()
                .plus_seconds(minute * 60),
            note: "",
        }
    }

    fn confirmed_high() -> RiskAssessment {
        let levels = RiskLevels::default();
        RiskAssessment::propose(CaseId::stable("c"), &levels, "medium", act(0))
            .unwrap()
            .agree(&levels, "high", act(1))
            .unwrap()
            .confirm(&levels, "high", Some(PersonId::stable("boss")), act(2))
            .unwrap()
    }

    #[test]
    fn the_three_steps_keep_their_history() {
        let a = confirmed_high();
        assert_eq!((a.level.as_str(), a.step), ("high", RiskStep::Confirmed));
        assert_eq!(a.responsible, Some(PersonId::stable("boss")));
        let steps: Vec<_> = a
            .history
            .iter()
            .map(|e| (e.action, e.from.as_deref(), e.to.as_deref(), e.step))
            .collect();
        assert_eq!(
            steps,
            [
                (
                    RiskAction::Propose,
                    None,
                    Some("medium"),
                    RiskStep::Proposed
                ),
                (
                    RiskAction::Agree,
                    Some("medium"),
                    Some("high"),
                    RiskStep::Agreed
                ),
                (
                    RiskAction::Confirm,
                    Some("high"),
                    Some("high"),
                    RiskStep::Confirmed
                ),
            ]
        );
        assert_eq!(a.history[0].at.to_string(), "2026-05-10T01:00:00.000000Z");
        assert_eq!(a.history[2].by, PersonId::stable("p2"));
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<RiskAssessment>(&json).unwrap(), a);
    }

    #[test]
    fn steps_come_in_order() {
        let levels = RiskLevels::default();
        let proposed =
            RiskAssessment::propose(CaseId::stable("c"), &levels, "low", act(0)).unwrap();
        let e = proposed.confirm(&levels, "low", None, act(1)).unwrap_err();
        assert_eq!(
            e,
            RiskError::WrongStep {
                action: RiskAction::Confirm,
                step: RiskStep::Proposed
            }
        );
        assert_eq!(
            e.to_string(),
            "当前为“组初定”，不能审定 / cannot confirm while proposed by the group"
        );
        assert_eq!(e.field(), "step");
        assert!(matches!(
            proposed.downgrade(&levels, "low", act(1)),
            Err(RiskError::WrongStep { .. })
        ));
        let agreed = proposed.agree(&levels, "low", act(1)).unwrap();
        assert!(matches!(
            agreed.agree(&levels, "low", act(2)),
            Err(RiskError::WrongStep { .. })
        ));
        assert_eq!(
            RiskAssessment::propose(CaseId::stable("c"), &levels, "red", act(0)),
            Err(RiskError::UnknownLevel("red".into()))
        );
        assert_eq!(
            agreed.confirm(&levels, "low", None, act(0)),
            Err(RiskError::BeforeLastStep),
            "time does not run backwards"
        );
    }

    #[test]
    fn high_risk_needs_a_responsible_person_at_confirmation() {
        let levels = RiskLevels::default();
        let agreed = RiskAssessment::propose(CaseId::stable("c"), &levels, "high", act(0))
            .unwrap()
            .agree(&levels, "high", act(1))
            .unwrap();
        let e = agreed.confirm(&levels, "high", None, act(2)).unwrap_err();
        assert_eq!(e, RiskError::ResponsibleRequired("high".into()));
        assert_eq!(e.field(), "responsible");
        // the township may confirm a lower level without one
        let medium = agreed.confirm(&levels, "medium", None, act(2)).unwrap();
        assert_eq!(medium.responsible, None);
    }

    #[test]
    fn downgrades_only_go_down() {
        let levels = RiskLevels::default();
        let a = confirmed_high();
        let medium = a.downgrade(&levels, "medium", act(3)).unwrap();
        assert_eq!(medium.level, "medium");
        assert_eq!(medium.step, RiskStep::Confirmed);
        assert_eq!(medium.responsible, Some(PersonId::stable("boss")));
        let last = medium.history.last().unwrap();
        assert_eq!(
            (last.action, last.from.as_deref(), last.to.as_deref()),
            (RiskAction::Downgrade, Some("high"), Some("medium"))
        );
        assert_eq!(
            medium.downgrade(&levels, "medium", act(4)),
            Err(RiskError::NotLower {
                from: "medium".into(),
                to: "medium".into()
            })
        );
        assert!(matches!(
            medium.downgrade(&levels, "high", act(4)),
            Err(RiskError::NotLower { .. })
        ));
        assert!(medium.downgrade(&levels, "low", act(4)).is_ok());
    }

    #[test]
    fn a_closed_out_item_cannot_change() {
        let levels = RiskLevels::default();
        let a = confirmed_high();
        assert_eq!(
            a.close(&RiskLevels::default(), act(3)),
            Err(RiskError::ReasonRequired)
        );
        let closed = a
            .close(
                &RiskLevels::default(),
                Act {
                    note: "双方已履行协议，隐患消除",
                    ..act(3)
                },
            )
            .unwrap();
        assert!(!closed.is_open());
        let last = closed.history.last().unwrap();
        assert_eq!(
            (last.from.as_deref(), last.to.as_deref()),
            (Some("high"), None)
        );
        assert_eq!(closed.level, "high");
        let reason = Act {
            note: "再次销号",
            ..act(4)
        };
        assert_eq!(
            closed.close(&RiskLevels::default(), reason),
            Err(RiskError::Closed)
        );
        assert_eq!(
            closed.downgrade(&levels, "low", act(4)),
            Err(RiskError::Closed)
        );
        assert_eq!(closed.agree(&levels, "low", act(4)), Err(RiskError::Closed));
        // an item closed before the township confirmed it
        let early = RiskAssessment::propose(CaseId::stable("d"), &levels, "low", act(0))
            .unwrap()
            .close(
                &RiskLevels::default(),
                Act {
                    note: "当场化解",
                    ..act(1)
                },
            )
            .unwrap();
        assert_eq!(early.step, RiskStep::Closed);
    }

    #[test]
    fn levels_are_checked_data() {
        assert_eq!(RiskLevels::default().check(), vec![]);
        let mut levels = RiskLevels::default();
        levels.levels[1].code = "high".into();
        levels.levels[2].rank = 3;
        let problems = levels.check();
        let fields: Vec<_> = problems.iter().map(RiskError::field).collect();
        assert_eq!(fields, ["levels[1].code", "levels[2].rank"]);
        assert_eq!(RiskLevels { levels: vec![] }.check(), [RiskError::NoLevels]);
        let colours: RiskLevels = serde_json::from_str(
            r#"[{"code":"red","name_zh":"红","name_en":"red","rank":4,"needs_responsible":true},
                {"code":"yellow","name_zh":"黄","name_en":"yellow","rank":2}]"#,
        )
        .unwrap();
        assert_eq!(colours.check(), vec![]);
        assert!(!colours.get("yellow").unwrap().needs_responsible);
    }
}

#[cfg(test)]
mod check_tests {
    use super::*;

    fn act(minute: i64, note: &'static str) -> Act<'static> {
        Act {
            by: PersonId::stable(&format!("p{minute}")),
            at: "2026-05-10T01:00:00Z"
                .parse::<Timestamp>()
                .unwrap()
                .plus_seconds(minute * 60),
            note,
        }
    }

    fn lived() -> RiskAssessment {
        let levels = RiskLevels::default();
        RiskAssessment::propose(CaseId::stable("c"), &levels, "medium", act(0, ""))
            .and_then(|a| a.agree(&levels, "high", act(1, "")))
            .and_then(|a| a.confirm(&levels, "high", Some(PersonId::stable("boss")), act(2, "")))
            .and_then(|a| a.downgrade(&levels, "low", act(3, "")))
            .and_then(|a| a.close(&levels, act(4, "已和解")))
            .unwrap()
    }

    #[test]
    fn what_the_steps_make_passes_the_check_also_after_a_round_trip() {
        let levels = RiskLevels::default();
        let a = lived();
        assert_eq!(a.history[2].responsible, Some(PersonId::stable("boss")));
        assert_eq!(a.history[3].from.as_deref(), Some("high"));
        assert_eq!(a.check(&levels), Ok(()));
        let back: RiskAssessment =
            serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(back.check(&levels), Ok(()));
        // every prefix of a lived history is a state the steps can make
        for n in 1..a.history.len() {
            let mut prefix = RiskAssessment::start(a.case_id);
            for e in &a.history[..n] {
                prefix = prefix.apply(&levels, e.clone()).unwrap();
            }
            assert_eq!(prefix.check(&levels), Ok(()));
        }
    }

    #[test]
    fn a_forged_assessment_is_refused() {
        let levels = RiskLevels::default();
        let confirmed = {
            let mut a = lived();
            a.history.truncate(3);
            a.step = RiskStep::Confirmed;
            a.level = "high".into();
            a
        };
        assert_eq!(confirmed.check(&levels), Ok(()));

        // a high risk without its responsible person
        let mut no_boss = confirmed.clone();
        no_boss.responsible = None;
        no_boss.history[2].responsible = None;
        assert_eq!(
            no_boss.check(&levels),
            Err(RiskError::ResponsibleRequired("high".into()))
        );

        // a state the history does not reach
        let mut skipped = confirmed.clone();
        skipped.history.truncate(2);
        assert_eq!(skipped.check(&levels), Err(RiskError::Inconsistent));
        let mut relabelled = confirmed.clone();
        relabelled.level = "low".into();
        assert_eq!(relabelled.check(&levels), Err(RiskError::Inconsistent));

        // the township's step before the village's
        let mut swapped = confirmed.clone();
        swapped.history.swap(1, 2);
        assert!(matches!(
            swapped.check(&levels),
            Err(RiskError::WrongStep { .. })
        ));

        // times that go back (a time that is not one does not read)
        let mut back_in_time = confirmed.clone();
        back_in_time.history[2].at = "2026-05-10T08:59:00+08:00".parse().unwrap();
        assert_eq!(back_in_time.check(&levels), Err(RiskError::BeforeLastStep));

        // a level the locality does not have
        let mut unknown = confirmed.clone();
        unknown.history[0].to = Some("purple".into());
        assert_eq!(
            unknown.check(&levels),
            Err(RiskError::UnknownLevel("purple".into()))
        );

        // nothing at all
        let mut empty = confirmed;
        empty.history.clear();
        assert_eq!(empty.check(&levels), Err(RiskError::Inconsistent));
    }
}
