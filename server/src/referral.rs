//! First-mediator responsibility and referral (首调责任制, REFERENCE.md
//! §10) on the server: the owner refers a case up the ladder or across to
//! a sector committee (who then sees it: `case_ownership`'s paths), the
//! receiving unit's people accept it (the case's `owner_id` becomes the
//! acceptor's: a new version devices pull) or decline it with a reason,
//! the referrer may withdraw it; the rules are `domain::referral`'s, the
//! record lives in `case_ownership` beside the case, and each side hears of
//! the other's step in their inbox. Route → handler (`api::referral`) →
//! here → the store.

use crate::auth::Caller;
use crate::db::{self, Db, reminders as store};
use crate::error::ApiError;
use crate::office::begin_change;
use domain::referral::{ACROSS_KINDS, Actor, Ownership, ReferralError, Target, UP_KINDS};
use domain::sync::{CaseOwnership, ReferralRequest, ReferralTarget};
use domain::{PersonId, UnitId, UnitKind};
use std::collections::{BTreeMap, HashMap};

fn refused(e: ReferralError) -> ApiError {
    ApiError::invalid(e.field(), e.to_string())
}

fn internal(e: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Internal(e.into())
}

/// The ownership kept beside the case, if any, and the unit path it was
/// granted to (a referral across the tree, accepted).
async fn stored(
    tx: &mut db::cases::Tx,
    case_id: &str,
) -> Result<(Option<Ownership>, Option<String>), ApiError> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT payload, grant_path FROM case_ownership WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
    let Some((payload, grant_path)) = row else {
        return Ok((None, None));
    };
    Ok((
        Some(serde_json::from_str(&payload).map_err(internal)?),
        grant_path,
    ))
}

/// Stores the ownership beside the case at `case_path`, with who else
/// sees the case: the unit a referral waits at and the owner's unit, each
/// when it is off the case's branch (a unit above already sees it).
/// Answers whether the grant changed from `before` (then the case needs a
/// new version, for the phones of the unit it now reaches to pull).
async fn save(
    tx: &mut db::cases::Tx,
    o: &Ownership,
    case_path: &str,
    before: Option<String>,
) -> Result<bool, ApiError> {
    let payload = serde_json::to_string(o).map_err(internal)?;
    let pending = o.pending().map(|h| h.to_unit.to_string());
    let owner_unit = o.owner_unit.to_string();
    let ids: Vec<String> = pending
        .iter()
        .cloned()
        .chain([owner_unit.clone()])
        .collect();
    let paths: HashMap<String, String> = db::cases::units_many(tx, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.path))
        .collect();
    let off_branch = |unit: &str| {
        paths
            .get(unit)
            .filter(|path| !case_path.starts_with(path.as_str()))
            .cloned()
    };
    let pending_path = pending.as_deref().and_then(off_branch);
    let grant_path = off_branch(&owner_unit);
    sqlx::query(
        "INSERT INTO case_ownership (case_id, payload, pending_to_unit, pending_path, grant_path, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (case_id) DO UPDATE SET payload = excluded.payload, \
         pending_to_unit = excluded.pending_to_unit, pending_path = excluded.pending_path, \
         grant_path = excluded.grant_path, updated_at = excluded.updated_at",
    )
    .bind(o.case_id.to_string())
    .bind(payload)
    .bind(pending)
    .bind(pending_path)
    .bind(&grant_path)
    .bind(db::now_text())
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    Ok(before != grant_path)
}

/// (name, kind, path) of each of `ids` that exists, in one query.
async fn units(
    db: &Db,
    ids: &[&str],
) -> Result<HashMap<String, (String, String, String)>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT id, name, kind, path FROM org_unit WHERE id IN ({list})");
    let mut q = sqlx::query_as::<_, (String, String, String, String)>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(db.pool())
        .await
        .map_err(internal)?
        .into_iter()
        .map(|(id, name, kind, path)| (id, (name, kind, path)))
        .collect())
}

fn name_of(units: &HashMap<String, (String, String, String)>, id: &str) -> String {
    units.get(id).map(|u| u.0.clone()).unwrap_or_default()
}

/// Whether a unit kind's code is one of `kinds`.
fn is_one_of(kinds: &[UnitKind], code: &str) -> bool {
    kinds.iter().any(|k| k.code() == code)
}

/// Units a case owned at `owner_unit` may be referred to: up the ladder,
/// nearest first, then across to the city's centre, sector and
/// administrative-department committees.
async fn targets(db: &Db, owner_unit: &str) -> Result<Vec<ReferralTarget>, ApiError> {
    let (_, owner_kind, path) = units(db, &[owner_unit])
        .await?
        .remove(owner_unit)
        .unwrap_or_default();
    let above: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != owner_unit)
        .collect();
    let found = units(db, &above).await?;
    let target = |id: &str, name: &str, kind: &str| ReferralTarget {
        unit_id: id.to_owned(),
        name: name.to_owned(),
        kind: kind.to_owned(),
    };
    let mut out: Vec<ReferralTarget> = above
        .iter()
        .rev()
        .filter_map(|id| {
            let (name, kind, _) = found.get(*id)?;
            is_one_of(&UP_KINDS, kind).then(|| target(id, name, kind))
        })
        .collect();
    let city = found
        .values()
        .find(|(_, kind, _)| kind == UnitKind::City.code())
        .map(|(_, _, path)| path.clone())
        .or_else(|| (owner_kind == UnitKind::City.code()).then(|| path.clone()));
    if let Some(city) = city {
        let kinds = ACROSS_KINDS.map(|k| format!("'{}'", k.code())).join(", ");
        let sql = format!(
            "SELECT id, name, kind, code FROM org_unit \
             WHERE kind IN ({kinds}) AND path LIKE $1 AND id <> $2"
        );
        let mut across = sqlx::query_as::<_, (String, String, String, String)>(&sql)
            .bind(format!("{city}%"))
            .bind(owner_unit)
            .fetch_all(db.pool())
            .await
            .map_err(internal)?;
        // the centre, then the sector and department committees by code
        across.sort_by_key(|(_, _, kind, code)| {
            (
                ACROSS_KINDS.iter().position(|k| k.code() == kind),
                code.clone(),
            )
        });
        out.extend(
            across
                .iter()
                .map(|(id, name, kind, _)| target(id, name, kind)),
        );
    }
    Ok(out)
}

async fn view(
    db: &Db,
    case: &domain::case::Case,
    version: i64,
    ownership: Option<Ownership>,
) -> Result<CaseOwnership, ApiError> {
    let owner_unit = ownership
        .as_ref()
        .map_or(case.unit_id, |o| o.owner_unit)
        .to_string();
    let mut people = vec![case.owner_id.to_string()];
    let mut units_seen = vec![owner_unit.clone()];
    for h in ownership.iter().flat_map(|o| &o.handovers) {
        people.push(h.from_person.to_string());
        people.extend(h.answered_by.map(|p| p.to_string()));
        units_seen.push(h.from_unit.to_string());
        units_seen.push(h.to_unit.to_string());
    }
    people.sort();
    people.dedup();
    units_seen.sort();
    units_seen.dedup();
    let list = (1..=people.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT id, name FROM person WHERE id IN ({list})");
    let mut q = sqlx::query_as::<_, (String, String)>(&sql);
    for p in &people {
        q = q.bind(p);
    }
    let mut names: BTreeMap<String, String> = q
        .fetch_all(db.pool())
        .await
        .map_err(internal)?
        .into_iter()
        .collect();
    let unit_refs: Vec<&str> = units_seen.iter().map(String::as_str).collect();
    let found = units(db, &unit_refs).await?;
    for u in &units_seen {
        names.insert(u.clone(), name_of(&found, u));
    }
    let pending = ownership.as_ref().is_some_and(|o| o.pending().is_some());
    Ok(CaseOwnership {
        case_id: case.id.to_string(),
        version: version as u64,
        owner_id: case.owner_id.to_string(),
        names,
        targets: if pending {
            Vec::new()
        } else {
            targets(db, &owner_unit).await?
        },
        ownership,
    })
}

/// Who owns the case and its hand-overs, for anyone who sees it.
pub async fn get(db: &Db, caller: &Caller, id: &str) -> Result<CaseOwnership, ApiError> {
    let (row, case) = crate::office::read_case(db, caller, id).await?;
    let mut conn = db.pool().acquire().await.map_err(db::DbError::from)?;
    let (ownership, _) = stored(&mut conn, &row.id).await?;
    drop(conn);
    view(db, &case, row.version, ownership).await
}

/// One step: refer, withdraw, accept or decline.
pub async fn act(
    db: &Db,
    caller: &Caller,
    id: &str,
    req: ReferralRequest,
) -> Result<CaseOwnership, ApiError> {
    let person = PersonId::parse(&caller.person_id).map_err(internal)?;
    let now = domain::dates::china_rfc3339(jiff::Timestamp::now());
    let mut changing = begin_change(db, caller, id).await?;
    let case = changing.case.clone();
    let (current, granted_before) = stored(&mut changing.tx, &changing.old.id).await?;
    let current = current.unwrap_or_else(|| Ownership::first(case.id, case.owner_id, case.unit_id));
    // the caller answers for the unit a referral waits at when they hold a
    // role there
    let pending_at = current.pending().map(|h| h.to_unit);
    let my_unit = pending_at
        .filter(|u| caller.scopes.iter().any(|s| s.unit_id == u.to_string()))
        .unwrap_or(current.owner_unit);
    let actor = Actor {
        person,
        unit: my_unit,
        at: &now,
        note: &req.note,
    };
    let next = match req.action.as_str() {
        "refer" if case.status == domain::case::CaseStatus::Closed => {
            return Err(ApiError::invalid(
                "action",
                "已结案的案件不再移交 / a closed case is not referred",
            ));
        }
        "refer" => {
            let to = req.to_unit.as_deref().ok_or_else(|| {
                ApiError::invalid("to_unit", "请选择移交单位 / choose the unit to refer to")
            })?;
            let to_id = UnitId::parse(to)
                .map_err(|_| ApiError::invalid("to_unit", "单位编号无效 / invalid unit id"))?;
            let allowed = targets(db, &current.owner_unit.to_string()).await?;
            let Some(target) = allowed.iter().find(|t| t.unit_id == to_id.to_string()) else {
                return Err(refused(ReferralError::NotOnTheLadder));
            };
            let kind = target
                .kind
                .parse::<UnitKind>()
                .map_err(|_| internal(anyhow::anyhow!("unit kind")))?;
            current
                .refer(
                    actor,
                    Target {
                        unit: to_id,
                        kind,
                        // `targets` lists ladder units above the owner's only
                        above_owner_unit: is_one_of(&UP_KINDS, &target.kind),
                    },
                )
                .map_err(refused)?
        }
        "withdraw" => current.withdraw(actor).map_err(refused)?,
        "accept" => current.accept(actor).map_err(refused)?,
        "decline" => current.decline(actor).map_err(refused)?,
        _ => {
            return Err(ApiError::invalid(
                "action",
                "操作应为 refer、withdraw、accept 或 decline / action must be refer, withdraw, accept or decline",
            ));
        }
    };
    let granted = save(
        &mut changing.tx,
        &next,
        &changing.old.unit_path,
        granted_before,
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
    tell(db, &case, &next).await?;
    view(db, &case, version, Some(next)).await
}

/// The inbox of whoever must act or hear of the last step.
async fn tell(db: &Db, case: &domain::case::Case, o: &Ownership) -> Result<(), ApiError> {
    let Some(last) = o.handovers.last() else {
        return Ok(());
    };
    let n = o.handovers.len() - 1;
    let (from, to) = (last.from_unit.to_string(), last.to_unit.to_string());
    let found = units(db, &[&from, &to]).await?;
    let (from_name, to_name) = (name_of(&found, &from), name_of(&found, &to));
    let kind = domain::case::dispute_type_name(&case.dispute_type).unwrap_or("其他");
    let subject = format!("{}/referral:{}:{n}:{:?}", case.unit_id, case.id, last.state);
    let (people, title, body) = match last.state {
        domain::referral::HandoverState::Pending => (
            store::answering_at(db.pool(), &[&last.to_unit.to_string()])
                .await?
                .into_iter()
                .map(|(p, ..)| p)
                .collect::<Vec<_>>(),
            format!("案件移交待接收 · {from_name}"),
            format!("{from_name}将一件{kind}纠纷移交{to_name}，请接收或退回。"),
        ),
        state => (
            vec![last.from_person.to_string()],
            format!("移交{} · {to_name}", state.name_zh()),
            format!(
                "{to_name}{}了你移交的{kind}纠纷。{}",
                state.name_zh(),
                last.answer_note
            ),
        ),
    };
    for person in people {
        store::put_inbox(
            db.pool(),
            &person,
            &subject,
            "referral",
            &title,
            &body,
            Some(&case.id.to_string()),
            &case.unit_id.to_string(),
            &db::now_text(),
        )
        .await?;
    }
    Ok(())
}
