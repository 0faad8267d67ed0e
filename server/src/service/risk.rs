//! A case's risk assessment (风险研判, docs/domain.md §9) on the server: the
//! committee agrees the level (村议定), the township's judicial office
//! confirms it and names a responsible person (乡审定, 包保人), downgrades
//! it or closes it out (销号). Each step is the domain's
//! (`Case::with_risk_step`), stored as a new version of the case so the
//! devices pull it.

use super::caller::Caller;
use super::cases::{self, CaseError, Sight};
use super::reference;
use crate::store::{self, Store};
use domain::api::{CaseRisk, RiskCandidate, RiskStepRequest};
use domain::case::Case;
use domain::risk::{Act, RiskAction, RiskLevels};
use domain::{Capability, CaseId, Role, Timestamp, UnitId, UnitPath};

/// Roles whose holders answer for a unit ([`Capability::AnswerReferrals`]):
/// the mediators and committee heads of a committee or group, the judicial
/// office of a township, the bureau's business section for the city. Who
/// may be named responsible (包保人), who hears of a referral, who is
/// reminded of duties.
pub fn answering_roles() -> Vec<Role> {
    Role::all_that_may(Capability::AnswerReferrals)
}

/// People who may be named responsible: those holding an answering role
/// at the case's unit or any unit above it (its path).
async fn candidates(store: &Store, unit_path: &UnitPath) -> Result<Vec<RiskCandidate>, CaseError> {
    let units: Vec<UnitId> = unit_path.unit_ids().collect();
    Ok(store::people::holding_at(store, &answering_roles(), &units)
        .await?
        .into_iter()
        .map(|h| RiskCandidate {
            person_id: h.person_id,
            name: h.name,
            unit_name: h.unit_name,
            role: h.role,
        })
        .collect())
}

fn view(
    case: &Case,
    version: u64,
    candidates: Vec<RiskCandidate>,
    levels: &RiskLevels,
) -> CaseRisk {
    CaseRisk {
        case_id: case.id,
        version,
        level: case.risk.code().to_owned(),
        assessment: case.risk_assessment.clone(),
        levels: levels.levels.clone(),
        candidates,
    }
}

/// The risk levels of the locality of the unit at `path` (its schedule's).
async fn levels_at(store: &Store, path: &UnitPath) -> Result<RiskLevels, CaseError> {
    let mut c = store.read().await?;
    Ok(reference::schedule_for_path(&mut c, path)
        .await?
        .risk_levels)
}

/// The case's assessment, the locality's levels and who may be named, for
/// anyone who sees the whole case (not for a unit a referral only waits
/// at: the assessment's notes and the branch's people are not theirs).
pub async fn get(store: &Store, caller: &Caller, id: CaseId) -> Result<CaseRisk, CaseError> {
    let (stored, case, sight) = cases::read(store, caller, id).await?;
    match sight {
        Sight::Full => {}
        Sight::Pending => return Err(CaseError::NotFound),
        Sight::Amounts => return Err(CaseError::Forbidden),
    }
    let levels = levels_at(store, &stored.unit_path).await?;
    Ok(view(
        &case,
        stored.version,
        candidates(store, &stored.unit_path).await?,
        &levels,
    ))
}

/// Whether the caller may take `action` on a case of the unit at `path`:
/// the committee's own people agree; the offices above confirm, downgrade
/// and close out (and may agree for a committee that cannot).
fn may(caller: &Caller, path: &UnitPath, action: RiskAction) -> Result<(), CaseError> {
    let field = caller.may(Capability::RecordCases, path);
    let reviews = caller.may(Capability::Review, path);
    let ok = match action {
        RiskAction::Agree => field || reviews,
        RiskAction::Confirm | RiskAction::Downgrade | RiskAction::Close => reviews,
        RiskAction::Propose => false,
    };
    if ok {
        Ok(())
    } else {
        Err(CaseError::Forbidden)
    }
}

/// Takes one step; answers the assessment as stored. A named responsible
/// person hears of it in their inbox.
pub async fn step(
    store: &Store,
    caller: &Caller,
    id: CaseId,
    req: RiskStepRequest,
) -> Result<CaseRisk, CaseError> {
    if req.note.chars().count() > domain::risk::MAX_NOTE_CHARS {
        return Err(CaseError::invalid(
            "note",
            "说明不能超过 500 字 / the note is too long",
        ));
    }
    // who may be named is known only with the case: read it first (in scope)
    let current = get(store, caller, id).await?;
    let responsible = match req.responsible {
        None => None,
        Some(p) if current.candidates.iter().any(|c| c.person_id == p) => Some(p),
        Some(_) => {
            return Err(CaseError::invalid(
                "responsible",
                "包保人须为本调委会或上级单位的人员 / the responsible person must belong to the committee or an office above it",
            ));
        }
    };
    let levels = RiskLevels {
        levels: current.levels.clone(),
    };
    let action = req.action;
    let (version, case) = cases::change(
        store,
        caller,
        id,
        "risk",
        |caller, stored| may(caller, &stored.unit_path, action),
        |case| {
            let act = Act {
                by: caller.person_id,
                at: Timestamp::from(jiff::Timestamp::now()),
                note: req.note.trim(),
            };
            case.with_risk_step(&levels, action, req.level.as_deref(), responsible, act)
                .map(Some)
                .map_err(|e| CaseError::invalid(e.field(), e.to_string()))
        },
    )
    .await?;
    if let (RiskAction::Confirm, Some(person)) = (action, responsible) {
        tell_responsible(store, &case, person, &levels).await?;
    }
    Ok(view(&case, version, current.candidates, &levels))
}

/// The named person's inbox: 你被指定为包保人.
async fn tell_responsible(
    store: &Store,
    case: &Case,
    person: domain::PersonId,
    levels: &RiskLevels,
) -> Result<(), CaseError> {
    let unit_name = {
        let mut c = store.read().await?;
        store::org::one(&mut c, case.unit_id)
            .await?
            .map(|u| u.name)
            .ok_or(store::StoreError::NotFound)?
    };
    let kind = domain::case::dispute_type_name(&case.dispute_type).unwrap_or("其他");
    let level = levels
        .get(case.risk.code())
        .map(|l| l.name_zh.clone())
        .unwrap_or_default();
    store::inbox::put(
        store,
        &store::inbox::NewItem {
            person,
            subject: &format!("{}/responsible:{}", case.unit_id, case.id),
            kind: domain::api::InboxKind::Responsible,
            title: &format!("包保人指定 · {unit_name}"),
            body: &format!("你被指定为{unit_name} {kind}纠纷（{level}风险）的包保人，请跟进稳控。"),
            case_id: Some(case.id),
            unit_id: case.unit_id,
        },
        Timestamp::from(jiff::Timestamp::now()),
    )
    .await?;
    Ok(())
}
