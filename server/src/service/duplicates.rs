//! The duplicate check (重复申报核查): the cases that look like the same
//! dispute as a case, or as each line of a claim, shown to the offices
//! that review them (docs/claims.md, "Duplicates"). The store finds the
//! cases that share a mark; `domain::duplicate::alike` weighs each pair.
//! A flag names the other case's committee, number, kind and day; the
//! other case's id only when the caller may open it.

use super::caller::Caller;
use super::cases::CaseError;
use super::claims::{ClaimError, NUMBER_PREFIX};
use crate::store::{self, Conn, Store, StoreError};
use domain::case::case_number;
use domain::duplicate::{CaseDuplicates, DuplicateFlag};
use domain::{Capability, CaseId, ClaimId, UnitId};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The flags of the cases `ids` (those with none are left out), in the
/// order of `ids`.
pub async fn flags(
    c: &mut Conn,
    caller: &Caller,
    ids: &[CaseId],
) -> Result<Vec<CaseDuplicates>, StoreError> {
    let pairs: Vec<store::marks::Shared> = store::marks::shared(c, ids)
        .await?
        .into_iter()
        .filter(store::marks::Shared::alike)
        .collect();
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let unit_ids: BTreeSet<UnitId> = pairs.iter().map(|p| p.other.unit_id).collect();
    let unit_ids: Vec<UnitId> = unit_ids.into_iter().collect();
    let names: HashMap<UnitId, String> = store::org::many(c, &unit_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut by_case: BTreeMap<CaseId, BTreeMap<_, DuplicateFlag>> = BTreeMap::new();
    for p in pairs {
        let other = &p.other;
        let number = other
            .seq
            .map(|seq| case_number(other.seen.received_on.year(), NUMBER_PREFIX, seq))
            .unwrap_or_else(|| "（未编号）".into());
        let opens = caller.may(Capability::ReadCases, &other.unit_path);
        let flag = DuplicateFlag::new(
            p.likeness,
            opens.then_some(other.seen.case_id),
            names.get(&other.unit_id).cloned().unwrap_or_default(),
            number,
            &other.seen,
        );
        by_case
            .entry(p.this.seen.case_id)
            .or_default()
            .entry((other.seen.received_on, other.seen.case_id, p.likeness))
            .or_insert(flag);
    }
    Ok(ids
        .iter()
        .filter_map(|id| {
            by_case.remove(id).map(|flags| CaseDuplicates {
                case_id: *id,
                flags: flags.into_values().collect(),
            })
        })
        .collect())
}

/// The flags of one case, for the offices that review it: the case with
/// its flags, or nothing (the same shape as a claim's).
pub async fn of_case(
    store: &Store,
    caller: &Caller,
    id: CaseId,
) -> Result<Vec<CaseDuplicates>, CaseError> {
    let mut c = store.read().await?;
    let stored = store::cases::get(&mut c, id)
        .await?
        .ok_or(CaseError::NotFound)?;
    if !caller.may(Capability::Review, &stored.unit_path) {
        let sees = caller.may(Capability::ReadCases, &stored.unit_path)
            || caller.may(Capability::ReadAmounts, &stored.unit_path);
        return Err(if sees {
            CaseError::Forbidden
        } else {
            CaseError::NotFound
        });
    }
    if stored.deleted {
        return Err(CaseError::Deleted);
    }
    Ok(flags(&mut c, caller, &[id]).await?)
}

/// The flags of each line of a claim, for the offices that review it.
pub async fn of_claim(
    store: &Store,
    caller: &Caller,
    id: ClaimId,
) -> Result<Vec<CaseDuplicates>, ClaimError> {
    let mut c = store.read().await?;
    let stored = super::claims::visible_claim(&mut c, caller, id).await?;
    if !caller.may(Capability::Review, &stored.unit_path) {
        return Err(ClaimError::Forbidden);
    }
    let ids: Vec<CaseId> = stored.claim.lines.iter().map(|l| l.case_id).collect();
    Ok(flags(&mut c, caller, &ids).await?)
}
