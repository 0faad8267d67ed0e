//! What a supervising office (judicial office, township leader, bureau:
//! [`domain::Role::supervises`]) does to the units below it: lock a case for
//! review so that no device changes it (later: the quarterly claim locks
//! it), unlock it, and revoke the device session of a lost phone. Every
//! action is scoped: outside the caller's subtree nothing is found.

use crate::auth::Caller;
use crate::db::cases::{self, CaseRow, HistoryRow};
use crate::db::sessions;
use crate::db::{self, Db};
use crate::error::ApiError;
use domain::case::Case;
use domain::sync::{CaseLock, DeviceSession, ServerCase};

/// The longest lock reason, in characters.
pub const MAX_REASON_CHARS: usize = 200;
/// Devices listed at most.
pub const MAX_DEVICES: i64 = 1_000;

/// Checks a lock reason: said in words, not too long.
pub fn check_reason(reason: &str) -> Result<String, ApiError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::invalid(
            "reason",
            "请填写锁定原因 / give the reason for the lock",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::invalid(
            "reason",
            format!("锁定原因最多 {MAX_REASON_CHARS} 字 / at most {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(reason.to_owned())
}

/// Locks (`Some(reason)`) or unlocks (`None`) a case: a new version of the
/// case, so every device learns of it at its next pull; the replaced
/// version goes to the history. Setting the lock it already has changes
/// nothing.
pub async fn set_lock(
    db: &Db,
    caller: &Caller,
    id: &str,
    reason: Option<String>,
) -> Result<CaseLock, ApiError> {
    let label = if reason.is_some() { "lock" } else { "unlock" };
    let (id, version, _) = change_case(
        db,
        caller,
        id,
        label,
        |caller, row| {
            if caller.supervises(&row.unit_path) {
                Ok(())
            } else {
                Err(ApiError::Forbidden)
            }
        },
        |mut case| {
            if case.locked_reason == reason {
                return Ok(None);
            }
            case.locked_reason = reason.clone();
            Ok(Some(case))
        },
    )
    .await?;
    Ok(CaseLock {
        id,
        version,
        locked_reason: reason,
    })
}

/// Changes one case on the server (an office's lock, a step of its risk
/// assessment): reads it in the caller's scope, checks `allowed`, lets
/// `change` make the new case (`None`: nothing changes), and stores it as
/// a new version with the old one in the history, in one transaction —
/// so every device learns of it at its next pull. Answers the case's id,
/// its version and the case as stored.
pub async fn change_case(
    db: &Db,
    caller: &Caller,
    id: &str,
    label: &str,
    allowed: impl FnOnce(&Caller, &CaseRow) -> Result<(), ApiError>,
    change: impl FnOnce(Case) -> Result<Option<Case>, ApiError>,
) -> Result<(String, i64, Case), ApiError> {
    let changing = begin_change(db, caller, id).await?;
    allowed(caller, &changing.old)?;
    let id = changing.old.id.clone();
    match change(changing.case.clone())? {
        None => Ok((id, changing.old.version, changing.case)),
        Some(case) => {
            let (version, case) = changing.store(case, label, caller).await?;
            Ok((id, version, case))
        }
    }
}

/// A case read for a change, inside the change's transaction (dropped
/// without [`Changing::store`] or [`Changing::commit`]: nothing changes).
pub struct Changing<'a> {
    pub tx: sqlx::Transaction<'static, sqlx::Any>,
    pub old: CaseRow,
    pub case: Case,
    change_no: i64,
    _turn: Option<tokio::sync::MutexGuard<'a, ()>>,
}

/// A case id from a path, in its canonical form; 400 when it is not one.
pub fn parse_case_id(id: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(id)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::BadRequest {
            code: "malformed",
            field: Some("id".into()),
            message: "案件编号无效 / invalid case id".into(),
        })
}

/// How a caller sees a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// On their branch of the tree, or as the owner's unit after a
    /// referral across the tree was accepted: the whole case.
    Full,
    /// Only as the unit a referral across the tree waits at: to read the
    /// dispute and answer the referral.
    Pending,
}

/// The case `id` when the caller sees it: in their scope, or reached by a
/// referral across the tree that waits at or was accepted by a unit of
/// theirs ([`cases::Reach`]); 404 otherwise.
async fn visible(
    tx: &mut cases::Tx,
    caller: &Caller,
    id: &str,
) -> Result<(CaseRow, Sight), ApiError> {
    let row = cases::get_many(tx, &[id.to_owned()])
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound)?;
    if caller.sees(&row.unit_path) {
        return Ok((row, Sight::Full));
    }
    let reach = cases::reach(tx, id).await?;
    let sees = |path: &Option<String>| path.as_deref().is_some_and(|p| caller.sees(p));
    if sees(&reach.grant_path) {
        Ok((row, Sight::Full))
    } else if sees(&reach.pending_path) {
        Ok((row, Sight::Pending))
    } else {
        Err(ApiError::NotFound)
    }
}

/// Reads one case the caller sees ([`visible`]), without a transaction (a
/// GET): 404 otherwise or when deleted.
pub async fn read_case(db: &Db, caller: &Caller, id: &str) -> Result<(CaseRow, Case), ApiError> {
    let (row, case, _) = read_case_seen(db, caller, id).await?;
    Ok((row, case))
}

/// [`read_case`], and how the caller sees it.
pub async fn read_case_seen(
    db: &Db,
    caller: &Caller,
    id: &str,
) -> Result<(CaseRow, Case, Sight), ApiError> {
    let mut conn = db.pool().acquire().await.map_err(db::DbError::from)?;
    read_on(&mut conn, caller, id).await
}

/// [`read_case_seen`] on a connection the caller holds.
async fn read_on(
    conn: &mut cases::Tx,
    caller: &Caller,
    id: &str,
) -> Result<(CaseRow, Case, Sight), ApiError> {
    let id = parse_case_id(id)?;
    let (row, sight) = visible(conn, caller, &id).await?;
    if row.deleted != 0 {
        return Err(ApiError::NotFound);
    }
    let case: Case = serde_json::from_str(row.payload.as_deref().unwrap_or("null"))
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok((row, case, sight))
}

/// One case the caller sees ([`read_case`]) with its committee's name;
/// without the parties' contacts when only a referral waiting at the
/// caller's unit shows it to them ([`domain::referral::for_receiver`]).
pub async fn server_case(db: &Db, caller: &Caller, id: &str) -> Result<ServerCase, ApiError> {
    let mut conn = db.pool().acquire().await.map_err(db::DbError::from)?;
    let (row, case, sight) = read_on(&mut conn, caller, id).await?;
    let unit_name = cases::unit_names(&mut conn, &[row.unit_id])
        .await?
        .into_iter()
        .next()
        .map(|(_, name)| name)
        .unwrap_or_default();
    let pending = sight == Sight::Pending;
    Ok(ServerCase {
        case: if pending {
            domain::referral::for_receiver(&case)
        } else {
            case
        },
        unit_name,
        contacts_hidden: pending,
    })
}

/// Opens the change of one case the caller sees ([`visible`]): 404
/// otherwise, 409 when it was deleted. (Each change checks who may make
/// it: a lock or a risk step asks for the case's own branch.)
pub async fn begin_change<'a>(
    db: &'a Db,
    caller: &Caller,
    id: &str,
) -> Result<Changing<'a>, ApiError> {
    let id = parse_case_id(id)?;
    let turn = db.writer_turn().await;
    let mut tx = db.pool().begin().await.map_err(db::DbError::from)?;
    // first: the counter's row lock orders concurrent changes, so the read
    // below sees the one committed before (PostgreSQL)
    let change_no = cases::reserve_change_nos(&mut tx, 1).await?;
    let (old, _) = visible(&mut tx, caller, &id).await?;
    if old.deleted == 1 {
        return Err(ApiError::Conflict {
            code: "deleted",
            field: Some("id".into()),
            message: "案件已删除 / the case was deleted".into(),
        });
    }
    let case: Case = serde_json::from_str(old.payload.as_deref().unwrap_or("null"))
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Changing {
        tx,
        old,
        case,
        change_no,
        _turn: turn,
    })
}

impl Changing<'_> {
    /// Stores `case` as the next version (the old one to the history,
    /// `replaced_by = <label>:<session>`) and commits.
    pub async fn store(
        mut self,
        mut case: Case,
        label: &str,
        caller: &Caller,
    ) -> Result<(i64, Case), ApiError> {
        let now = db::now_text();
        let old = &self.old;
        let version = old.version + 1;
        case.version = version as u64;
        case.updated_at = now.clone();
        let payload = serde_json::to_string(&case).map_err(|e| ApiError::Internal(e.into()))?;
        let new = CaseRow {
            version,
            payload: Some(payload),
            locked_reason: case.locked_reason.clone(),
            change_no: self.change_no,
            ..old.clone()
        };
        cases::insert_history(
            &mut self.tx,
            &[HistoryRow {
                case_id: old.id.clone(),
                version: old.version,
                payload: old.payload.clone(),
                deleted: old.deleted,
                replaced_by: format!("{label}:{}", caller.session_id),
                overridden: "[]".into(),
            }],
            &now,
        )
        .await?;
        cases::upsert_many(&mut self.tx, &[&new], &now).await?;
        cases::set_locked(&mut self.tx, &old.id, case.locked_reason.as_deref()).await?;
        self.tx.commit().await.map_err(db::DbError::from)?;
        Ok((version, case))
    }

    /// Commits what was written beside the case, with no new version.
    pub async fn commit(self) -> Result<(), ApiError> {
        self.tx.commit().await.map_err(db::DbError::from)?;
        Ok(())
    }
}

/// The device sessions of the people in the units the caller supervises.
pub async fn devices(db: &Db, caller: &Caller) -> Result<Vec<DeviceSession>, ApiError> {
    let roots = caller.supervised_roots();
    if roots.is_empty() {
        return Err(ApiError::Forbidden);
    }
    Ok(sessions::devices_under(db, &roots, MAX_DEVICES).await?)
}

/// Revokes a device session in the caller's supervised units (a lost or
/// handed-over phone): at its next request the phone is told and wipes its
/// data. Revoking a revoked session changes nothing.
pub async fn revoke_device(db: &Db, caller: &Caller, id: &str) -> Result<DeviceSession, ApiError> {
    let roots = caller.supervised_roots();
    if roots.is_empty() {
        return Err(ApiError::Forbidden);
    }
    let mut found = sessions::device_under(db, id, &roots)
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = db::now_text();
    if sessions::revoke(db, id, &now).await? {
        found.revoked_at = Some(now);
    }
    Ok(found)
}
