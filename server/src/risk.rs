//! A case's risk assessment (风险研判, REFERENCE.md §9) on the server: the
//! committee agrees the level (村议定), the township's judicial office
//! confirms it and names a responsible person (乡审定, 包保人), downgrades
//! it or closes it out (销号). Each step is the domain's
//! (`Case::with_risk_step`), stored as a new version of the case so the
//! devices pull it. Route → handler (`api::risk`) → here → the store.

use crate::auth::Caller;
use crate::db::{self, Db, reminders as store};
use crate::error::ApiError;
use crate::office::change_case;
use domain::case::Case;
use domain::screening::{Act, RiskAction, RiskLevels};
use domain::sync::{CaseRisk, RiskCandidate, RiskStepRequest};
use domain::{PersonId, Role};

/// People who may be named responsible: those holding an answering role
/// at the case's unit or any unit above it (its path).
async fn candidates(db: &Db, unit_path: &str) -> Result<Vec<RiskCandidate>, ApiError> {
    let units: Vec<&str> = unit_path.split('/').filter(|s| !s.is_empty()).collect();
    Ok(store::answering_at(db.pool(), &units)
        .await?
        .into_iter()
        .map(|(person_id, name, unit_name, role)| RiskCandidate {
            person_id,
            name,
            unit_name,
            role,
        })
        .collect())
}

fn view(
    case: &Case,
    version: i64,
    candidates: Vec<RiskCandidate>,
    levels: &RiskLevels,
) -> CaseRisk {
    CaseRisk {
        case_id: case.id.to_string(),
        version: version as u64,
        level: case.risk.code().to_owned(),
        assessment: case.risk_assessment.clone(),
        levels: levels.levels.clone(),
        candidates,
    }
}

/// The risk levels of the locality of the unit at `path` (its schedule's).
async fn levels_at(db: &Db, path: &str) -> Result<RiskLevels, ApiError> {
    let mut conn = db.pool().acquire().await.map_err(db::DbError::from)?;
    Ok(crate::reference::schedule_for_path(&mut conn, path)
        .await?
        .risk_levels)
}

/// The case's assessment, the locality's levels and who may be named, for
/// anyone who sees the whole case (not for a unit a referral only waits
/// at: the assessment's notes and the branch's people are not theirs).
pub async fn get(db: &Db, caller: &Caller, id: &str) -> Result<CaseRisk, ApiError> {
    let (row, case, sight) = crate::office::read_case_seen(db, caller, id).await?;
    if sight == crate::office::Sight::Pending {
        return Err(ApiError::NotFound);
    }
    let levels = levels_at(db, &row.unit_path).await?;
    Ok(view(
        &case,
        row.version,
        candidates(db, &row.unit_path).await?,
        &levels,
    ))
}

/// Whether the caller may take `action` on a case of the unit at `path`:
/// the committee's own people agree; the offices above confirm, downgrade
/// and close out (and may agree for a committee that cannot).
fn may(caller: &Caller, path: &str, action: RiskAction) -> Result<(), ApiError> {
    let field = caller.scopes.iter().any(|s| {
        path.starts_with(&s.path) && s.role.parse::<Role>().is_ok_and(Role::works_in_the_field)
    });
    let ok = match action {
        RiskAction::Agree => field || caller.supervises(path),
        RiskAction::Confirm | RiskAction::Downgrade | RiskAction::Close => caller.supervises(path),
        RiskAction::Propose => false,
    };
    if ok { Ok(()) } else { Err(ApiError::Forbidden) }
}

/// Takes one step; answers the assessment as stored. A named responsible
/// person hears of it in their inbox.
pub async fn step(
    db: &Db,
    caller: &Caller,
    id: &str,
    req: RiskStepRequest,
) -> Result<CaseRisk, ApiError> {
    if req.note.chars().count() > domain::screening::MAX_NOTE_CHARS {
        return Err(ApiError::invalid(
            "note",
            "说明不能超过 500 字 / the note is too long",
        ));
    }
    // who may be named is known only with the case: read it first (in scope)
    let current = get(db, caller, id).await?;
    let responsible = match &req.responsible {
        None => None,
        Some(p) if current.candidates.iter().any(|c| &c.person_id == p) => {
            Some(PersonId::parse(p).map_err(|_| {
                ApiError::invalid("responsible", "人员编号无效 / invalid person id")
            })?)
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "responsible",
                "包保人须为本调委会或上级单位的人员 / the responsible person must belong to the committee or an office above it",
            ));
        }
    };
    let by = PersonId::parse(&caller.person_id).map_err(|e| ApiError::Internal(e.into()))?;
    let levels = RiskLevels {
        levels: current.levels.clone(),
    };
    let action = req.action;
    let (_, version, case) = change_case(
        db,
        caller,
        id,
        "risk",
        |caller, row| may(caller, &row.unit_path, action),
        |case| {
            let act = Act {
                by,
                at: jiff::Timestamp::now(),
                note: req.note.trim(),
            };
            case.with_risk_step(&levels, action, req.level.as_deref(), responsible, act)
                .map(Some)
                .map_err(|e| ApiError::invalid(e.field(), e.to_string()))
        },
    )
    .await?;
    if let (RiskAction::Confirm, Some(person)) = (action, responsible) {
        tell_responsible(db, &case, person, &levels).await?;
    }
    Ok(view(&case, version, current.candidates, &levels))
}

/// The named person's inbox: 你被指定为包保人.
async fn tell_responsible(
    db: &Db,
    case: &Case,
    person: PersonId,
    levels: &RiskLevels,
) -> Result<(), ApiError> {
    let unit_name: String = sqlx::query_scalar("SELECT name FROM org_unit WHERE id = $1")
        .bind(case.unit_id.to_string())
        .fetch_one(db.pool())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let kind = domain::case::dispute_type_name(&case.dispute_type).unwrap_or("其他");
    let level = levels
        .get(case.risk.code())
        .map(|l| l.name_zh.clone())
        .unwrap_or_default();
    store::put_inbox(
        db.pool(),
        &person.to_string(),
        &format!("{}/responsible:{}", case.unit_id, case.id),
        "responsible",
        &format!("包保人指定 · {unit_name}"),
        &format!("你被指定为{unit_name} {kind}纠纷（{level}风险）的包保人，请跟进稳控。"),
        Some(&case.id.to_string()),
        &case.unit_id.to_string(),
        &db::now_text(),
    )
    .await?;
    Ok(())
}
