//! What an office reads and does besides changing cases: the device list
//! and the revocation of a lost phone, the screening compliance view
//! (排查履职情况), and every person's inbox (收件箱). Every answer is scoped:
//! outside the caller's subtree nothing is found.

use super::auth::SessionLimits;
use super::caller::Caller;
use super::reference;
use crate::store::{self, Store, StoreError};
use domain::api::{DeviceSession, Inbox};
use domain::screening::{
    Cadence, ComplianceReport, Period, RATE_PERIODS, ScreeningRecord, applying_index, report,
};
use domain::{Capability, DeviceSessionId, InboxItemId, Timestamp};
use jiff::civil::Date;

/// Why an office's request was refused.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// The caller supervises nothing (a mediator asking for an office's list).
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Devices listed at most.
pub const MAX_DEVICES: u64 = 1_000;

/// The device sessions of the people in the units the caller supervises:
/// those that can still be used, and those revoked. An expired session is
/// left out: it opens nothing, and its phone shows up again, as a new
/// session, once its user gives the password.
pub async fn devices(
    store: &Store,
    caller: &Caller,
    limits: SessionLimits,
) -> Result<Vec<DeviceSession>, OfficeError> {
    let roots = caller.roots_for(Capability::Review);
    if roots.is_empty() {
        return Err(OfficeError::Forbidden);
    }
    let now = Timestamp::from(jiff::Timestamp::now());
    let mut list = store::sessions::devices_under(store, &roots, MAX_DEVICES).await?;
    list.retain(|d| d.revoked_at.is_some() || !limits.expired(d.created_at, d.last_seen_at, now));
    Ok(list)
}

/// Revokes a device session in the caller's supervised units (a lost or
/// handed-over phone): at its next request the phone is told and wipes its
/// data. Revoking a revoked session changes nothing.
pub async fn revoke_device(
    store: &Store,
    caller: &Caller,
    id: DeviceSessionId,
) -> Result<DeviceSession, OfficeError> {
    let roots = caller.roots_for(Capability::Review);
    if roots.is_empty() {
        return Err(OfficeError::Forbidden);
    }
    let mut found = store::sessions::device_under(store, id, &roots)
        .await?
        .ok_or(OfficeError::NotFound)?;
    let now = Timestamp::from(jiff::Timestamp::now());
    if store::sessions::revoke(store, id, now).await? {
        found.revoked_at = Some(now);
    }
    Ok(found)
}

/// The first day whose records the view needs for a duty of `cadence`: the
/// start of the period [`RATE_PERIODS`] before the running one.
fn needed_from(cadence: Cadence, today: Date) -> Date {
    let mut p = Period::containing(cadence, today);
    for _ in 0..RATE_PERIODS {
        match p.prev() {
            Some(prev) => p = prev,
            None => break,
        }
    }
    p.start()
}

/// The compliance view (`domain::screening::report`) of everything the
/// caller supervises, as it stood on `today` (the China date). Offices
/// only.
pub async fn compliance(
    store: &Store,
    caller: &Caller,
    today: Date,
) -> Result<ComplianceReport, OfficeError> {
    let roots = caller.roots_for(Capability::Review);
    if roots.is_empty() {
        return Err(OfficeError::Forbidden);
    }
    // One schedule per view (`report` takes one): the one that applies
    // where the caller's supervised units are — their codes and those
    // above them, so a township's office finds its city's — as for the
    // records pushed there. An office supervises one city or county; one
    // over several localities with schedules of their own would see all
    // of them by the highest version among those (`applying`).
    let schedule = {
        let mut c = store.read().await?;
        let mut schedules = reference::schedules_in(&mut c).await?;
        let codes = store::org::codes_on_paths(&mut c, &roots).await?;
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        let index = applying_index(&schedules, &codes).unwrap_or(0);
        schedules.swap_remove(index)
    };
    let units: Vec<domain::org::UnitRecord> = store::org::under(store, &roots)
        .await?
        .iter()
        .map(store::org::Unit::record)
        .collect();
    let mut done = Vec::new();
    let mut meetings = Vec::new();
    for duty in &schedule.duties {
        let from = needed_from(duty.cadence, today);
        done.extend(store::screenings::done_since(store, &roots, &duty.code, from).await?);
        if duty.kind.has_attendees() {
            for payload in
                store::screenings::payloads_since(store, &roots, &duty.code, from).await?
            {
                meetings.push(
                    serde_json::from_str::<ScreeningRecord>(&payload)
                        .map_err(|e| StoreError::corrupt("screening record", e))?,
                );
            }
        }
    }
    let refs: Vec<_> = done.iter().map(store::screenings::Done::as_ref).collect();
    Ok(report(&schedule, &units, &refs, &meetings, today))
}

/// The most inbox items one answer lists (newest first).
pub const MAX_INBOX_ITEMS: u32 = 100;

/// The caller's newest inbox items and how many are unread.
pub async fn inbox(store: &Store, caller: &Caller) -> Result<Inbox, OfficeError> {
    let (items, unread) = store::inbox::of(store, caller.person_id, MAX_INBOX_ITEMS).await?;
    Ok(Inbox { unread, items })
}

/// Marks one of the caller's items read; `NotFound` when it is not theirs.
pub async fn mark_read(store: &Store, caller: &Caller, id: InboxItemId) -> Result<(), OfficeError> {
    let now = Timestamp::from(jiff::Timestamp::now());
    if store::inbox::mark_read(store, caller.person_id, id, now).await? {
        Ok(())
    } else {
        Err(OfficeError::NotFound)
    }
}
