//! Who owns a case beside the case itself (`case_ownership`, 首调责任制):
//! the hand-overs, and the paths of units off the case's branch that see
//! it because of a referral across the tree.

use super::sql::{self, CaseOwnership, IDS_PER_STATEMENT};
use super::{Conn, StoreError};
use domain::referral::Ownership;
use domain::{CaseId, Timestamp, UnitId, UnitPath};
use sea_query::{Expr, Query};
use std::collections::HashMap;

/// Who sees a case besides its unit's branch (a referral across the
/// tree): the unit path a pending referral waits at, and the owner's unit
/// path once such a referral was accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub pending_path: Option<UnitPath>,
    pub grant_path: Option<UnitPath>,
}

/// The case's [`Reach`] (none without an ownership row).
pub async fn reach(c: &mut Conn, id: CaseId) -> Result<Reach, StoreError> {
    let row = sqlx::query_as::<_, (Option<String>, Option<String>)>(
        "SELECT pending_path, grant_path FROM case_ownership WHERE case_id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *c)
    .await?;
    let Some((pending, grant)) = row else {
        return Ok(Reach::default());
    };
    Ok(Reach {
        pending_path: pending.as_deref().map(sql::path).transpose()?,
        grant_path: grant.as_deref().map(sql::path).transpose()?,
    })
}

/// The granted paths (the owner's unit off the case's branch) of those of
/// `ids` that have one.
pub async fn grants(c: &mut Conn, ids: &[CaseId]) -> Result<HashMap<CaseId, UnitPath>, StoreError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::select()
            .columns([CaseOwnership::CaseId, CaseOwnership::GrantPath])
            .from(CaseOwnership::Table)
            .and_where(
                Expr::col(CaseOwnership::CaseId).is_in(chunk.iter().map(|id| id.to_string())),
            )
            .and_where(Expr::col(CaseOwnership::GrantPath).is_not_null())
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        for (id, path) in sqlx::query_as_with::<_, (String, String), _>(&text, values)
            .fetch_all(&mut *c)
            .await?
        {
            out.insert(sql::read("case id", &id)?, sql::path(&path)?);
        }
    }
    Ok(out)
}

/// The ownership kept beside the case, if any, and the path it was granted
/// to (a referral across the tree, accepted).
pub async fn get(
    c: &mut Conn,
    id: CaseId,
) -> Result<(Option<Ownership>, Option<UnitPath>), StoreError> {
    let row = sqlx::query_as::<_, (String, Option<String>)>(
        "SELECT payload, grant_path FROM case_ownership WHERE case_id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *c)
    .await?;
    let Some((payload, grant)) = row else {
        return Ok((None, None));
    };
    let ownership =
        serde_json::from_str(&payload).map_err(|e| StoreError::corrupt("ownership", e))?;
    Ok((
        Some(ownership),
        grant.as_deref().map(sql::path).transpose()?,
    ))
}

/// Stores the ownership, with the unit a referral waits at and who else
/// sees the case (each path only when off the case's branch).
pub async fn put(
    c: &mut Conn,
    o: &Ownership,
    pending_to: Option<UnitId>,
    reach: &Reach,
    now: Timestamp,
) -> Result<(), StoreError> {
    let payload = serde_json::to_string(o).map_err(|e| StoreError::corrupt("ownership", e))?;
    sqlx::query(
        "INSERT INTO case_ownership (case_id, payload, pending_to_unit, pending_path, grant_path, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (case_id) DO UPDATE SET payload = excluded.payload, \
         pending_to_unit = excluded.pending_to_unit, pending_path = excluded.pending_path, \
         grant_path = excluded.grant_path, updated_at = excluded.updated_at",
    )
    .bind(o.case_id.to_string())
    .bind(payload)
    .bind(pending_to.map(|u| u.to_string()))
    .bind(reach.pending_path.as_ref().map(|p| p.as_str().to_owned()))
    .bind(reach.grant_path.as_ref().map(|p| p.as_str().to_owned()))
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    Ok(())
}
