//! A case's money trail (补助变动记录, `GET /api/v1/cases/{id}/money`):
//! every change that moved what the case earns or is paid — its versions'
//! facts and the server's verdict on them, its claims' lines, reductions,
//! returns, the party group's decision, the approval, the payments and
//! the mediator's receipt — put in one order by
//! [`domain::money_trail::trail`]. For whoever reads the case's amounts:
//! the bureau, the offices over the committee, their finance offices, the
//! committee itself; nothing in it names a party.

use super::caller::Caller;
use super::cases::{self, CaseError, Sight};
use crate::store::{self, Store, StoreError};
use domain::CaseId;
use domain::case::Case;
use domain::money_trail::{self, MadeVersion, MoneyTrail};

/// The trail of case `id`, if the caller reads its amounts.
pub async fn money_trail(
    store: &Store,
    caller: &Caller,
    id: CaseId,
) -> Result<MoneyTrail, CaseError> {
    let mut c = store.read().await?;
    let (stored, sight) = cases::visible(&mut c, caller, id).await?;
    if sight == Sight::Pending {
        return Err(CaseError::NotFound);
    }
    let claims: Vec<domain::claim::Claim> = store::claims::with_line_of_case(&mut c, id)
        .await?
        .into_iter()
        .map(|s| s.claim)
        .collect();
    let claim_ids: Vec<domain::ClaimId> = claims.iter().map(|c| c.id).collect();
    let payments = store::claims::payments_of(&mut c, &claim_ids).await?;
    drop(c);
    let versions = cases::made_versions(store, &stored)
        .await?
        .into_iter()
        .map(|m| {
            // a version the server wrote itself reads back; one it cannot
            // read any more is a fault, not a gap to skip quietly
            let case = m
                .record
                .map(|r| serde_json::from_value::<Case>(r.into()))
                .transpose()
                .map_err(|e| StoreError::corrupt("a case's version", e))?;
            Ok(MadeVersion {
                version: m.version,
                at: m.at,
                by: m.by,
                how: m.how,
                case,
            })
        })
        .collect::<Result<Vec<_>, CaseError>>()?;
    Ok(money_trail::trail(
        id,
        stored.verdict.clone(),
        &versions,
        &claims,
        &payments,
    ))
}
