//! First-mediator responsibility and referral (首调责任制, the "4+2" ladder,
//! docs/domain.md §10): whoever first takes a dispute owns it until it is
//! resolved or handed on *and accepted*. A case is referred up the ladder
//! (group → village or community → township → city) or across to a sector,
//! administrative-department committee or the city's resolution centre;
//! the receiving unit's people accept it (and its owner becomes the one who
//! accepted) or decline it with a reason (the owner keeps it); the referrer
//! may withdraw a referral not yet answered. One referral is open at a
//! time. Every hand-over stays in the history. Pure functions: each returns
//! the next ownership or says why it may not.
//!
//! The server keeps the [`Ownership`] beside the case and answers the
//! steps online (`server/src/referral.rs`); the case's `owner_id` follows
//! an acceptance (docs/screening.md, "Ownership and referral").

use crate::UnitKind;
use crate::case::Case;
use crate::ids::{CaseId, PersonId, UnitId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Where a hand-over stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HandoverState {
    /// 待接收 — sent, not answered yet.
    Pending,
    /// 已接收 — the receiver owns the case.
    Accepted,
    /// 已退回 — declined with a reason; the owner keeps it.
    Declined,
    /// 已撤回 — withdrawn by the referrer before an answer.
    Withdrawn,
}

impl HandoverState {
    pub fn name_zh(self) -> &'static str {
        match self {
            HandoverState::Pending => "待接收",
            HandoverState::Accepted => "已接收",
            HandoverState::Declined => "已退回",
            HandoverState::Withdrawn => "已撤回",
        }
    }
}

/// One referral (移交) and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Handover {
    pub from_person: PersonId,
    pub from_unit: UnitId,
    pub to_unit: UnitId,
    pub sent_at: Timestamp,
    pub note: String,
    pub state: HandoverState,
    /// Who answered (accepted, declined or withdrew), when and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<PersonId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<Timestamp>,
    #[serde(default)]
    pub answer_note: String,
}

/// Who owns a case and every hand-over so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ownership {
    pub case_id: CaseId,
    pub owner: PersonId,
    pub owner_unit: UnitId,
    pub handovers: Vec<Handover>,
}

/// The unit a case is referred to, as the caller knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub unit: UnitId,
    pub kind: UnitKind,
    /// Whether it is above the owner's unit in the tree (an ancestor).
    pub above_owner_unit: bool,
}

/// Who acts: a person of a unit, at a time, with a note.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub person: PersonId,
    pub unit: UnitId,
    pub at: Timestamp,
    pub note: &'a str,
}

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralError {
    #[error("只有案件的负责人可以移交 / only the case's owner refers it")]
    NotOwner,
    #[error("已有一件待接收的移交 / a referral is already waiting for an answer")]
    AlreadyPending,
    #[error("没有待接收的移交 / no referral is waiting")]
    NothingPending,
    #[error("只有接收单位的人员可以接收或退回 / only the receiving unit answers")]
    NotReceiver,
    #[error("只有移交人可以撤回 / only the referrer withdraws")]
    NotReferrer,
    #[error(
        "只能向上级（村、社区、乡镇、市）或行业性专业性调委会移交 / refer up the ladder or to a sector committee"
    )]
    NotOnTheLadder,
    #[error("退回须写明理由 / give the reason for declining")]
    ReasonRequired,
    #[error("说明不能超过 {MAX_NOTE_CHARS} 字 / the note is too long")]
    NoteTooLong,
}

impl ReferralError {
    /// The field it is about: `to_unit`, `note`, `action` (nothing to
    /// answer, or one already waiting) or `by` (not the caller's step).
    pub fn field(&self) -> &'static str {
        match self {
            ReferralError::NotOnTheLadder => "to_unit",
            ReferralError::ReasonRequired | ReferralError::NoteTooLong => "note",
            ReferralError::AlreadyPending | ReferralError::NothingPending => "action",
            ReferralError::NotOwner | ReferralError::NotReceiver | ReferralError::NotReferrer => {
                "by"
            }
        }
    }
}

/// Kinds of unit a case goes up to: an ancestor of the owner's unit.
pub const UP_KINDS: [UnitKind; 4] = [
    UnitKind::Village,
    UnitKind::Community,
    UnitKind::Township,
    UnitKind::City,
];

/// Kinds of unit a case goes across to, anywhere under its city: the
/// resolution centre, the sector and the administrative-department
/// committees, in the order a list shows them.
pub const ACROSS_KINDS: [UnitKind; 3] = [UnitKind::Centre, UnitKind::Sector, UnitKind::AdminDept];

/// Units a case may go up to (an ancestor of these kinds) or across to.
fn on_the_ladder(t: &Target) -> bool {
    (UP_KINDS.contains(&t.kind) && t.above_owner_unit) || ACROSS_KINDS.contains(&t.kind)
}

fn checked_note(note: &str) -> Result<String, ReferralError> {
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(ReferralError::NoteTooLong);
    }
    Ok(note.trim().to_owned())
}

impl Ownership {
    /// The first mediator to take the dispute owns it.
    pub fn first(case_id: CaseId, owner: PersonId, owner_unit: UnitId) -> Ownership {
        Ownership {
            case_id,
            owner,
            owner_unit,
            handovers: Vec::new(),
        }
    }

    /// The referral waiting for an answer, if any.
    pub fn pending(&self) -> Option<&Handover> {
        self.handovers
            .last()
            .filter(|h| h.state == HandoverState::Pending)
    }

    /// 移交: the owner refers the case to `to`.
    pub fn refer(&self, by: Actor<'_>, to: Target) -> Result<Ownership, ReferralError> {
        if by.person != self.owner {
            return Err(ReferralError::NotOwner);
        }
        if self.pending().is_some() {
            return Err(ReferralError::AlreadyPending);
        }
        if !on_the_ladder(&to) || to.unit == self.owner_unit {
            return Err(ReferralError::NotOnTheLadder);
        }
        let mut next = self.clone();
        next.handovers.push(Handover {
            from_person: by.person,
            from_unit: self.owner_unit,
            to_unit: to.unit,
            sent_at: by.at,
            note: checked_note(by.note)?,
            state: HandoverState::Pending,
            answered_by: None,
            answered_at: None,
            answer_note: String::new(),
        });
        Ok(next)
    }

    fn answer(
        &self,
        by: Actor<'_>,
        state: HandoverState,
        may: impl FnOnce(&Handover) -> Result<(), ReferralError>,
    ) -> Result<Ownership, ReferralError> {
        let pending = self.pending().ok_or(ReferralError::NothingPending)?;
        may(pending)?;
        let note = checked_note(by.note)?;
        if state == HandoverState::Declined && note.is_empty() {
            return Err(ReferralError::ReasonRequired);
        }
        let mut next = self.clone();
        let last = next.handovers.last_mut().expect("a pending hand-over");
        last.state = state;
        last.answered_by = Some(by.person);
        last.answered_at = Some(by.at);
        last.answer_note = note;
        if state == HandoverState::Accepted {
            next.owner = by.person;
            next.owner_unit = last.to_unit;
        }
        Ok(next)
    }

    /// 接收: someone of the receiving unit takes the case; they own it now.
    pub fn accept(&self, by: Actor<'_>) -> Result<Ownership, ReferralError> {
        self.answer(by, HandoverState::Accepted, |h| {
            (h.to_unit == by.unit)
                .then_some(())
                .ok_or(ReferralError::NotReceiver)
        })
    }

    /// 退回: the receiving unit declines, with a reason; the owner keeps it.
    pub fn decline(&self, by: Actor<'_>) -> Result<Ownership, ReferralError> {
        self.answer(by, HandoverState::Declined, |h| {
            (h.to_unit == by.unit)
                .then_some(())
                .ok_or(ReferralError::NotReceiver)
        })
    }

    /// 撤回: the referrer takes a referral back before it is answered.
    pub fn withdraw(&self, by: Actor<'_>) -> Result<Ownership, ReferralError> {
        self.answer(by, HandoverState::Withdrawn, |h| {
            (h.from_person == by.person)
                .then_some(())
                .ok_or(ReferralError::NotReferrer)
        })
    }
}

/// The case as the people of a unit a referral waits at read it before
/// they accept it: the parties' resident ID numbers, phones and addresses
/// stay with the units that own or see the case (they come with the case
/// once accepted), and so do the photos and the risk assessment (its
/// notes may tell of a party's health or family; its people are the
/// branch's). The risk level itself is shown.
pub fn for_receiver(case: &Case) -> Case {
    let mut shown = case.clone();
    for p in &mut shown.parties {
        p.resident_id = None;
        p.phone = None;
        p.address.clear();
    }
    shown.attachments.clear();
    shown.risk_assessment = None;
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(k: &str) -> PersonId {
        PersonId::stable(k)
    }
    fn unit(k: &str) -> UnitId {
        UnitId::stable(k)
    }
    fn actor<'a>(p: &str, u: &str, note: &'a str) -> Actor<'a> {
        Actor {
            person: person(p),
            unit: unit(u),
            at: "2026-11-29T10:00:00+08:00".parse().unwrap(),
            note,
        }
    }
    fn above(u: &str, kind: UnitKind) -> Target {
        Target {
            unit: unit(u),
            kind,
            above_owner_unit: true,
        }
    }

    #[test]
    fn the_first_mediator_owns_it_until_the_township_accepts_it() {
        let first = Ownership::first(CaseId::stable("c"), person("group-m"), unit("group"));
        // only the owner refers, only up the ladder or across to a sector committee
        let stranger = first.refer(
            actor("other", "group", ""),
            above("village", UnitKind::Village),
        );
        assert_eq!(stranger.unwrap_err(), ReferralError::NotOwner);
        let sideways = first.refer(
            actor("group-m", "group", ""),
            Target {
                unit: unit("other-village"),
                kind: UnitKind::Village,
                above_owner_unit: false,
            },
        );
        assert_eq!(sideways.unwrap_err(), ReferralError::NotOnTheLadder);
        let sent = first
            .refer(
                actor("group-m", "group", "涉及多村，需乡镇协调"),
                above("town", UnitKind::Township),
            )
            .unwrap();
        // still the first mediator's until accepted; one referral at a time
        assert_eq!(sent.owner, person("group-m"));
        assert_eq!(
            sent.refer(actor("group-m", "group", ""), above("city", UnitKind::City))
                .unwrap_err(),
            ReferralError::AlreadyPending
        );
        // only the receiving unit answers; declining needs a reason
        assert_eq!(
            sent.accept(actor("village-m", "village", "")).unwrap_err(),
            ReferralError::NotReceiver
        );
        assert_eq!(
            sent.decline(actor("town-j", "town", "")).unwrap_err(),
            ReferralError::ReasonRequired
        );
        let accepted = sent.accept(actor("town-j", "town", "")).unwrap();
        assert_eq!(
            (accepted.owner, accepted.owner_unit),
            (person("town-j"), unit("town"))
        );
        assert_eq!(accepted.handovers.len(), 1);
        assert_eq!(accepted.handovers[0].state, HandoverState::Accepted);
        assert!(accepted.pending().is_none());
        // the new owner may refer it on, to a sector committee across the tree
        let across = accepted
            .refer(
                actor("town-j", "town", ""),
                Target {
                    unit: unit("medical"),
                    kind: UnitKind::Sector,
                    above_owner_unit: false,
                },
            )
            .unwrap();
        let declined = across
            .decline(actor("medical-m", "medical", "不属于医疗纠纷"))
            .unwrap();
        assert_eq!(
            declined.owner,
            person("town-j"),
            "a decline leaves the owner"
        );
        assert_eq!(declined.handovers.len(), 2, "every hand-over is kept");
    }

    #[test]
    fn a_receiver_reads_the_dispute_but_not_the_parties_contacts() {
        let case = crate::testing::oral_case();
        assert!(case.parties.iter().all(|p| p.resident_id.is_some()));
        let shown = for_receiver(&case);
        for (p, q) in case.parties.iter().zip(&shown.parties) {
            assert_eq!((&p.name, p.role), (&q.name, q.role));
            assert_eq!((q.resident_id.as_ref(), q.phone.as_ref()), (None, None));
            assert!(q.address.is_empty());
        }
        assert_eq!(
            (&shown.summary, shown.dispute_type.as_str(), shown.status),
            (&case.summary, "neighbours", case.status)
        );
    }

    #[test]
    fn only_the_referrer_withdraws_and_only_what_is_pending() {
        let first = Ownership::first(CaseId::stable("c"), person("m"), unit("village"));
        assert_eq!(
            first.withdraw(actor("m", "village", "")).unwrap_err(),
            ReferralError::NothingPending
        );
        let sent = first
            .refer(actor("m", "village", ""), above("town", UnitKind::Township))
            .unwrap();
        assert_eq!(
            sent.withdraw(actor("x", "village", "")).unwrap_err(),
            ReferralError::NotReferrer
        );
        let back = sent
            .withdraw(actor("m", "village", "当事人已和解"))
            .unwrap();
        assert_eq!(back.handovers[0].state, HandoverState::Withdrawn);
        assert_eq!(back.owner, person("m"));
        let long = "字".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(
            back.refer(
                actor("m", "village", &long),
                above("town", UnitKind::Township)
            )
            .unwrap_err(),
            ReferralError::NoteTooLong
        );
    }
}
