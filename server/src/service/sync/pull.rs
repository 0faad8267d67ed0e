//! A pull's pages: the latest state of every record in the caller's
//! subtrees changed after a cursor, oldest change first.

use super::SyncError;
use crate::service::caller::Caller;
use crate::store::page::PageBound;
use crate::store::{self, Store, StoreError};
use domain::rules::Verdict;
use domain::sync::{DEFAULT_PULL_LIMIT, Entity, MAX_PULL_LIMIT, MAX_PULL_PAGE_BYTES};
use domain::{Capability, CaseId};
use serde::Serialize;
use serde_json::value::RawValue;

/// Checks a pull's cursor and page size; the page size to use.
pub fn page_limit(cursor: i64, limit: Option<u32>) -> Result<u32, SyncError> {
    if cursor < 0 {
        return Err(SyncError::Invalid {
            field: "cursor",
            message: "游标不能为负 / cursor cannot be negative".into(),
        });
    }
    let limit = limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if limit == 0 || limit > MAX_PULL_LIMIT {
        return Err(SyncError::Invalid {
            field: "limit",
            message: format!("每页 1–{MAX_PULL_LIMIT} 条 / limit must be 1–{MAX_PULL_LIMIT}"),
        });
    }
    Ok(limit)
}

/// A pull's answer as the server writes it: the JSON of
/// [`domain::sync::PullResponse`], with each stored record passed through
/// as stored (checked as JSON, not parsed into a tree and written again:
/// most of a pull's work before this).
#[derive(Debug, Serialize)]
pub struct PullPage {
    pub changes: Vec<PulledChange>,
    pub cursor: i64,
    pub has_more: bool,
}

/// [`domain::sync::Change`], with the stored payload as it is.
#[derive(Debug, Serialize)]
pub struct PulledChange {
    pub change_no: i64,
    pub entity: Entity,
    pub entity_id: uuid::Uuid,
    pub version: u64,
    pub deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<String>,
}

/// Stored JSON, passed on as it is.
pub(crate) fn raw(text: String) -> Result<Box<RawValue>, StoreError> {
    RawValue::from_string(text).map_err(|e| StoreError::corrupt("stored JSON", e))
}

/// Answers a pull: the latest state of every record in the caller's
/// subtrees changed after `cursor`, oldest change first.
pub async fn pull(
    store: &Store,
    caller: &Caller,
    cursor: i64,
    limit: Option<u32>,
) -> Result<PullPage, SyncError> {
    let bound = PageBound {
        limit: page_limit(cursor, limit)? as usize,
        bytes: MAX_PULL_PAGE_BYTES,
    };
    let roots = caller.roots_for(Capability::ReadAmounts);
    let mut cases = store::cases::changes_since(store, cursor, &roots, bound).await?;
    shown_to(store, caller, &mut cases.items).await?;
    // screening records go to the phones that work in the field, for
    // their reminders (an office reads the compliance view instead of
    // taking in a city's year of records)
    let field = caller.roots_for(Capability::RecordCases);
    let records = store::screenings::changes_since(store, cursor, &field, bound).await?;
    // one stream in change order. A list cut short (by count or bytes) is
    // complete only up to its last item, so the merge stops there.
    let last = |more: bool, no: Option<i64>| if more { no } else { None };
    let upto = [
        last(cases.more, cases.items.last().map(|c| c.case.change_no)),
        last(records.more, records.items.last().map(|r| r.change_no)),
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(i64::MAX);
    let mut merged: Vec<PulledChange> = Vec::with_capacity(cases.items.len() + records.items.len());
    let mut records = records.items.into_iter().peekable();
    for pulled in cases.items {
        while let Some(r) = records.next_if(|r| r.change_no < pulled.case.change_no) {
            merged.push(record_change(r)?);
        }
        merged.push(case_change(pulled)?);
    }
    for r in records {
        merged.push(record_change(r)?);
    }
    let whole = merged.len();
    let mut bytes = 0usize;
    let keep = merged
        .iter()
        .take_while(|c| c.change_no <= upto)
        .enumerate()
        .take_while(|(i, c)| {
            bytes += c.payload.as_ref().map_or(0, |p| p.get().len());
            *i == 0 || bytes <= bound.bytes
        })
        .take(bound.limit)
        .count();
    merged.truncate(keep);
    let has_more = keep < whole || upto != i64::MAX;
    let next = merged.last().map_or(cursor, |c| c.change_no);
    Ok(PullPage {
        changes: merged,
        cursor: next,
        has_more,
    })
}

/// Leaves of each pulled case what the caller reads of it: the whole case
/// where they read cases (on its branch, or at the owner's unit a referral
/// across the tree reached), its amounts only elsewhere (a finance
/// office: [`domain::capability::amounts_only`]).
async fn shown_to(
    store: &Store,
    caller: &Caller,
    cases: &mut [store::cases::PulledCase],
) -> Result<(), StoreError> {
    let partial: Vec<CaseId> = cases
        .iter()
        .filter(|p| !caller.may(Capability::ReadCases, &p.case.unit_path))
        .map(|p| p.case.id)
        .collect();
    if partial.is_empty() {
        return Ok(());
    }
    let granted = {
        let mut c = store.read().await?;
        store::ownership::grants(&mut c, &partial).await?
    };
    for pulled in cases.iter_mut() {
        let case = &mut pulled.case;
        let whole = caller.may(Capability::ReadCases, &case.unit_path)
            || granted
                .get(&case.id)
                .is_some_and(|p| caller.may(Capability::ReadCases, p));
        if whole {
            continue;
        }
        if let Some(full) = case.case()? {
            let shown = domain::capability::amounts_only(&full);
            case.payload =
                Some(serde_json::to_string(&shown).map_err(|e| StoreError::corrupt("case", e))?);
        }
    }
    Ok(())
}

fn record_change(r: store::screenings::PulledRecord) -> Result<PulledChange, StoreError> {
    Ok(PulledChange {
        change_no: r.change_no,
        entity: Entity::Screening,
        entity_id: r.id.0,
        version: r.version,
        deleted: false,
        payload: Some(raw(r.payload)?),
        verdict: None,
        overridden: Vec::new(),
    })
}

fn case_change(pulled: store::cases::PulledCase) -> Result<PulledChange, StoreError> {
    let c = pulled.case;
    Ok(PulledChange {
        change_no: c.change_no,
        entity: Entity::Case,
        entity_id: c.id.0,
        version: c.version,
        deleted: c.deleted,
        payload: c.payload.map(raw).transpose()?,
        verdict: (!c.deleted).then_some(c.verdict),
        overridden: pulled.overridden,
    })
}
