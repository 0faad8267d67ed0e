//! The party group's decisions on especially grave disputes (重特大纠纷,
//! docs/claims.md): while a claim waits at 审批, whoever speaks for the
//! bureau's party group (市司法局党组) over the committee records, line by
//! line, whether a reported case is one and what it pays. An approval
//! appends a line change to the special tier and makes the case itself
//! special with that amount (a new version every phone pulls, its verdict
//! now the special tier); a refusal leaves the line as claimed.

use super::caller::Caller;
use super::cases as case_service;
use super::claims::{self, ClaimError};
use crate::store::{self, Store, claims::StoredClaim};
use domain::api::ClaimView;
use domain::claim::Claim;
use domain::rules::CommitteeKind;
use domain::special::{self, SpecialDecision, SpecialRequest};
use domain::{ClaimId, Role, Timestamp};

/// Records the party group's decision on one reported line of the claim,
/// on the version the caller read (two decisions racing: one wins, the
/// other is 409 `stale`).
pub async fn decide(
    store: &Store,
    caller: &Caller,
    id: ClaimId,
    req: SpecialRequest,
) -> Result<ClaimView, ClaimError> {
    let name = store::people::name(store, caller.person_id)
        .await?
        .unwrap_or_default();
    let at = claims::now();
    let mut tx = store.write().await?;
    store::cases::reserve_change_nos(&mut tx, 1).await?;
    let stored = claims::visible_claim(&mut tx, caller, id).await?;
    if !caller.holds(Role::BureauPartyGroup, &stored.unit_path) {
        return Err(ClaimError::Forbidden);
    }
    if stored.claim.version != req.version {
        return Err(ClaimError::Stale);
    }
    let mut claim = stored.claim;
    let rules = claims::rules_named(&claim.rule_set)?;
    let (decision, change) = special::decide(&claim, rules, &req, caller.person_id, &name, at)?;
    if !store::claims::advance(&mut tx, id, claim.version, claim.stage, at).await? {
        return Err(ClaimError::Stale);
    }
    store::claims::append_special_decision(&mut tx, id, &decision)
        .await
        .map_err(claims::stale_on_conflict)?;
    if let Some(change) = &change {
        store::claims::append_changes(
            &mut tx,
            id,
            claim.changes.len(),
            std::slice::from_ref(change),
        )
        .await?;
        make_special(&mut tx, caller, &claim, &decision, at).await?;
        claim.changes.push(change.clone());
    }
    claim.special_decisions.push(decision);
    claim.version += 1;
    tx.commit().await?;
    tracing::info!(claim = %id, case = %req.case_id, approved = req.approved, "special case decided");
    Ok(claims::shown(
        caller,
        StoredClaim {
            claim,
            unit_path: stored.unit_path,
        },
        Vec::new(),
    ))
}

/// The case itself becomes special with the decided amount: a new version
/// (still locked by the claim) whose verdict is the special tier.
async fn make_special(
    tx: &mut store::Tx,
    caller: &Caller,
    claim: &Claim,
    decision: &SpecialDecision,
    at: Timestamp,
) -> Result<(), ClaimError> {
    let Some(mut stored) = store::cases::get(tx, decision.case_id).await? else {
        return Err(ClaimError::NotFound);
    };
    let Some(mut case) = stored.case()? else {
        return Err(ClaimError::NotFound);
    };
    let kind = store::org::many(tx, &[claim.unit_id])
        .await?
        .first()
        .and_then(|u| CommitteeKind::of_unit(u.kind));
    case.special = true;
    case.approved_amount = decision.amount;
    stored.verdict = case.verdict(kind);
    case_service::rewrite_in(tx, vec![(stored, case)], "special_decided", caller, at).await?;
    Ok(())
}
