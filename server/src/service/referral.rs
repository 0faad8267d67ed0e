//! First-mediator responsibility and referral (首调责任制, docs/domain.md
//! §10) on the server: the owner refers a case up the ladder or across to
//! a sector committee (who then sees it: the ownership's paths), the
//! receiving unit's people accept it (the case's `owner_id` becomes the
//! acceptor's: a new version devices pull) or decline it with a reason,
//! the referrer may withdraw it; the rules are `domain::referral`'s, the
//! record lives beside the case, and each side hears of the other's step
//! in their inbox.

use super::caller::Caller;
use super::cases::{self, CaseError};
use super::risk::answering_roles;
use crate::store::org::Unit;
use crate::store::ownership::Reach;
use crate::store::{self, Conn, Store};
use domain::api::{CaseOwnership, ReferralAction, ReferralRequest, ReferralTarget};
use domain::case::Case;
use domain::referral::{
    ACROSS_KINDS, Actor, HandoverState, Ownership, ReferralError, Target, UP_KINDS,
};
use domain::{Capability, CaseId, PersonId, Timestamp, UnitId, UnitKind, UnitPath};
use std::collections::{BTreeMap, HashMap};

fn refused(e: ReferralError) -> CaseError {
    CaseError::invalid(e.field(), e.to_string())
}

/// The units of `ids` that exist, by id.
async fn units(c: &mut Conn, ids: &[UnitId]) -> Result<HashMap<UnitId, Unit>, CaseError> {
    Ok(store::org::many(c, ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

fn name_of(units: &HashMap<UnitId, Unit>, id: UnitId) -> String {
    units.get(&id).map(|u| u.name.clone()).unwrap_or_default()
}

/// Who sees the case besides its branch: the unit a referral waits at
/// and the owner's unit, each when it is off the case's branch (a unit
/// above already sees it).
async fn reach_of(c: &mut Conn, o: &Ownership, case_path: &UnitPath) -> Result<Reach, CaseError> {
    let pending = o.pending().map(|h| h.to_unit);
    let ids: Vec<UnitId> = pending.into_iter().chain([o.owner_unit]).collect();
    let found = units(c, &ids).await?;
    let off_branch = |unit: UnitId| {
        found
            .get(&unit)
            .map(|u| u.path.clone())
            .filter(|path| !path.contains(case_path))
    };
    Ok(Reach {
        pending_path: pending.and_then(off_branch),
        grant_path: off_branch(o.owner_unit),
    })
}

/// Units a case owned at `owner_unit` may be referred to: up the ladder,
/// nearest first, then across to the city's centre, sector and
/// administrative-department committees.
async fn targets(store: &Store, owner_unit: UnitId) -> Result<Vec<ReferralTarget>, CaseError> {
    let mut c = store.read().await?;
    let Some(owner) = store::org::one(&mut c, owner_unit).await? else {
        return Ok(Vec::new());
    };
    let above: Vec<UnitId> = owner
        .path
        .unit_ids()
        .filter(|id| *id != owner_unit)
        .collect();
    let found = units(&mut c, &above).await?;
    drop(c);
    let target = |u: &Unit| ReferralTarget {
        unit_id: u.id,
        name: u.name.clone(),
        kind: u.kind,
    };
    let mut out: Vec<ReferralTarget> = above
        .iter()
        .rev()
        .filter_map(|id| found.get(id))
        .filter(|u| UP_KINDS.contains(&u.kind))
        .map(target)
        .collect();
    let city = found
        .values()
        .find(|u| u.kind == UnitKind::City)
        .map(|u| u.path.clone())
        .or_else(|| (owner.kind == UnitKind::City).then(|| owner.path.clone()));
    if let Some(city) = city {
        let mut across =
            store::org::of_kinds_under(store, &ACROSS_KINDS, &city, owner_unit).await?;
        // the centre, then the sector and department committees by code
        across.sort_by_key(|u| {
            (
                ACROSS_KINDS.iter().position(|k| *k == u.kind),
                u.code.clone(),
            )
        });
        out.extend(across.iter().map(target));
    }
    Ok(out)
}

async fn view(
    store: &Store,
    case: &Case,
    version: u64,
    ownership: Option<Ownership>,
) -> Result<CaseOwnership, CaseError> {
    let owner_unit = ownership.as_ref().map_or(case.unit_id, |o| o.owner_unit);
    let mut people = vec![case.owner_id];
    let mut units_seen = vec![owner_unit];
    for h in ownership.iter().flat_map(|o| &o.handovers) {
        people.push(h.from_person);
        people.extend(h.answered_by);
        units_seen.push(h.from_unit);
        units_seen.push(h.to_unit);
    }
    people.sort();
    people.dedup();
    units_seen.sort();
    units_seen.dedup();
    let mut names: BTreeMap<String, String> = store::people::names(store, &people)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let found = {
        let mut c = store.read().await?;
        units(&mut c, &units_seen).await?
    };
    for u in &units_seen {
        names.insert(u.to_string(), name_of(&found, *u));
    }
    let pending = ownership.as_ref().is_some_and(|o| o.pending().is_some());
    Ok(CaseOwnership {
        case_id: case.id,
        version,
        owner_id: case.owner_id,
        names,
        targets: if pending {
            Vec::new()
        } else {
            targets(store, owner_unit).await?
        },
        ownership,
    })
}

/// Who owns the case and its hand-overs, for anyone who reads the case.
pub async fn get(store: &Store, caller: &Caller, id: CaseId) -> Result<CaseOwnership, CaseError> {
    let mut c = store.read().await?;
    let (stored, case, sight) = cases::read_on(&mut c, caller, id).await?;
    // the hand-overs' notes are about the parties
    if sight == cases::Sight::Amounts {
        return Err(CaseError::Forbidden);
    }
    let (ownership, _) = store::ownership::get(&mut c, stored.id).await?;
    drop(c);
    view(store, &case, stored.version, ownership).await
}

/// One step: refer, withdraw, accept or decline.
pub async fn act(
    store: &Store,
    caller: &Caller,
    id: CaseId,
    req: ReferralRequest,
) -> Result<CaseOwnership, CaseError> {
    let now = Timestamp::from(jiff::Timestamp::now());
    let mut changing = cases::begin_change(store, caller, id).await?;
    let case = changing.case.clone();
    let (current, granted_before) =
        store::ownership::get(&mut changing.tx, changing.old.id).await?;
    let current = current.unwrap_or_else(|| Ownership::first(case.id, case.owner_id, case.unit_id));
    // the caller answers for the unit a referral waits at when they hold a
    // role there that answers referrals
    let answering = current
        .pending()
        .map(|h| h.to_unit)
        .filter(|u| caller.may_at(Capability::AnswerReferrals, *u));
    // neither recording the case nor answering for where it waits (an
    // office that reviews, a finance office): not theirs to move
    if !changing.records && answering.is_none() {
        return Err(CaseError::Forbidden);
    }
    let my_unit = answering.unwrap_or(current.owner_unit);
    let actor = Actor {
        person: caller.person_id,
        unit: my_unit,
        at: now,
        note: &req.note,
    };
    let next = match req.action {
        ReferralAction::Refer if case.status == domain::case::CaseStatus::Closed => {
            return Err(CaseError::invalid(
                "action",
                "已结案的案件不再移交 / a closed case is not referred",
            ));
        }
        ReferralAction::Refer => {
            let to = req.to_unit.ok_or_else(|| {
                CaseError::invalid("to_unit", "请选择移交单位 / choose the unit to refer to")
            })?;
            let allowed = targets(store, current.owner_unit).await?;
            let Some(target) = allowed.iter().find(|t| t.unit_id == to) else {
                return Err(refused(ReferralError::NotOnTheLadder));
            };
            current
                .refer(
                    actor,
                    Target {
                        unit: to,
                        kind: target.kind,
                        // `targets` lists ladder units above the owner's only
                        above_owner_unit: UP_KINDS.contains(&target.kind),
                    },
                )
                .map_err(refused)?
        }
        ReferralAction::Withdraw => current.withdraw(actor).map_err(refused)?,
        ReferralAction::Accept => current.accept(actor).map_err(refused)?,
        ReferralAction::Decline => current.decline(actor).map_err(refused)?,
        ReferralAction::Unknown => {
            return Err(CaseError::invalid(
                "action",
                "操作应为 refer、withdraw、accept 或 decline / action must be refer, withdraw, accept or decline",
            ));
        }
    };
    let reach = reach_of(&mut changing.tx, &next, &changing.old.unit_path).await?;
    let granted = reach.grant_path != granted_before;
    store::ownership::put(
        &mut changing.tx,
        &next,
        next.pending().map(|h| h.to_unit),
        &reach,
        now,
    )
    .await?;
    // a new owner, or (the same person accepting at another unit of
    // theirs) a new unit reached: a new version, which devices pull
    let (version, case) = if next.owner != current.owner || granted {
        let mut moved = changing.case.clone();
        moved.owner_id = next.owner;
        changing.store(moved, "referral", caller).await?
    } else {
        let version = changing.old.version;
        changing.commit().await?;
        (version, case)
    };
    tell(store, &case, &next).await?;
    view(store, &case, version, Some(next)).await
}

/// The inbox of whoever must act or hear of the last step.
async fn tell(store: &Store, case: &Case, o: &Ownership) -> Result<(), CaseError> {
    let Some(last) = o.handovers.last() else {
        return Ok(());
    };
    let n = o.handovers.len() - 1;
    let found = {
        let mut c = store.read().await?;
        units(&mut c, &[last.from_unit, last.to_unit]).await?
    };
    let (from_name, to_name) = (
        name_of(&found, last.from_unit),
        name_of(&found, last.to_unit),
    );
    let kind = domain::case::dispute_type_name(&case.dispute_type).unwrap_or("其他");
    let subject = format!("{}/referral:{}:{n}:{:?}", case.unit_id, case.id, last.state);
    let (people, title, body): (Vec<PersonId>, String, String) = match last.state {
        HandoverState::Pending => (
            store::people::holding_at(store, &answering_roles(), &[last.to_unit])
                .await?
                .into_iter()
                .map(|h| h.person_id)
                .collect(),
            format!("案件移交待接收 · {from_name}"),
            format!("{from_name}将一件{kind}纠纷移交{to_name}，请接收或退回。"),
        ),
        state => (
            vec![last.from_person],
            format!("移交{} · {to_name}", state.name_zh()),
            format!(
                "{to_name}{}了你移交的{kind}纠纷。{}",
                state.name_zh(),
                last.answer_note
            ),
        ),
    };
    let now = Timestamp::from(jiff::Timestamp::now());
    for person in people {
        store::inbox::put(
            store,
            &store::inbox::NewItem {
                person,
                subject: &subject,
                kind: domain::api::InboxKind::Referral,
                title: &title,
                body: &body,
                case_id: Some(case.id),
                unit_id: case.unit_id,
            },
            now,
        )
        .await?;
    }
    Ok(())
}
