//! Call-back spot checks (回访抽查, docs/claims.md): while a claim waits at
//! 初审, whoever signs 初审 over the committee (the judicial office's
//! staff) draws the claim's sample once, from a seed the server makes and
//! records, and records each call to a party. A call where the party
//! denies the mediation takes the case out of the claim (a line change
//! returning it; the case is unlocked on every phone). 初审 passes the
//! claim only when every sampled line still in it has passed
//! ([`domain::spot_check::ready_to_pass`], checked by the signature).

use super::caller::Caller;
use super::claims::{self, ClaimError};
use crate::store::{self, Store, claims::StoredClaim};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use domain::ClaimId;
use domain::api::ClaimView;
use domain::claim::Step;
use domain::spot_check::{self, CallRequest, DrawRequest};

/// The claim as read for a 初审 action: visible to the caller, who holds
/// 初审's role over the committee, at the version they read.
async fn for_first_review(
    tx: &mut store::Tx,
    caller: &Caller,
    id: ClaimId,
    version: u64,
) -> Result<StoredClaim, ClaimError> {
    let stored = claims::visible_claim(tx, caller, id).await?;
    if !caller.holds(Step::FirstReview.role(), &stored.unit_path) {
        return Err(ClaimError::Forbidden);
    }
    if stored.claim.version != version {
        return Err(ClaimError::Stale);
    }
    Ok(stored)
}

/// Draws the claim's sample by its rule set's share, from a fresh seed.
pub async fn draw(
    store: &Store,
    caller: &Caller,
    id: ClaimId,
    req: DrawRequest,
) -> Result<ClaimView, ClaimError> {
    let name = store::people::name(store, caller.person_id)
        .await?
        .unwrap_or_default();
    let at = claims::now();
    let mut tx = store.write().await?;
    let mut stored = for_first_review(&mut tx, caller, id, req.version).await?;
    let rules = claims::rules_named(&stored.claim.rule_set)?;
    let seed = OsRng.next_u32();
    let check = spot_check::start(
        &stored.claim,
        rules.spot_check.as_ref(),
        seed,
        caller.person_id,
        &name,
        at,
    )?;
    if !store::claims::advance(&mut tx, id, req.version, stored.claim.stage, at).await? {
        return Err(ClaimError::Stale);
    }
    store::spot_checks::insert(&mut tx, id, &check)
        .await
        .map_err(claims::stale_on_conflict)?;
    tx.commit().await?;
    tracing::info!(claim = %id, seed, drawn = check.cases.len(), "call-back sample drawn");
    stored.claim.spot_check = Some(check);
    stored.claim.version += 1;
    Ok(claims::shown(caller, stored, Vec::new()))
}

/// Records one call; a denial returns the line and unlocks its case.
pub async fn call(
    store: &Store,
    caller: &Caller,
    id: ClaimId,
    req: CallRequest,
) -> Result<ClaimView, ClaimError> {
    let name = store::people::name(store, caller.person_id)
        .await?
        .unwrap_or_default();
    let at = claims::now();
    let mut tx = store.write().await?;
    store::cases::reserve_change_nos(&mut tx, 1).await?;
    let mut stored = for_first_review(&mut tx, caller, id, req.version).await?;
    let (made, change) = spot_check::record(&stored.claim, &req, caller.person_id, &name, at)?;
    if !store::claims::advance(&mut tx, id, req.version, stored.claim.stage, at).await? {
        return Err(ClaimError::Stale);
    }
    let claim = &mut stored.claim;
    let calls = claim.spot_check.as_ref().map_or(0, |c| c.calls.len());
    store::spot_checks::append_call(&mut tx, id, calls + 1, &made)
        .await
        .map_err(claims::stale_on_conflict)?;
    if let Some(change) = change {
        store::claims::append_changes(
            &mut tx,
            id,
            claim.changes.len(),
            std::slice::from_ref(&change),
        )
        .await?;
        claims::free_cases(&mut tx, caller, id, &[change.case_id], at).await?;
        claim.changes.push(change);
    }
    if let Some(check) = claim.spot_check.as_mut() {
        check.calls.push(made);
    }
    claim.version += 1;
    tx.commit().await?;
    tracing::info!(claim = %id, case = %req.case_id, reached = req.reached, confirms = req.confirms, "call-back recorded");
    Ok(claims::shown(caller, stored, Vec::new()))
}
