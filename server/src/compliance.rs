//! The compliance view (排查履职情况) of an office: `domain::screening::report`
//! over the units it supervises and their screening records
//! (docs/screening.md). Route → handler (`api::office::compliance`) → here →
//! the store (`db::org`, `db::screenings`).

use crate::auth::Caller;
use crate::db::{Db, org, screenings};
use crate::error::ApiError;
use crate::reference;
use domain::org::UnitRecord;
use domain::screening::{
    Cadence, ComplianceReport, Period, RATE_PERIODS, ScreeningRecord, applying_index, report,
};
use jiff::civil::Date;

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

fn internal(e: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Internal(e.into())
}

/// The view of everything the caller supervises on `today` (the China
/// date). Offices only: others get 403.
pub async fn view(db: &Db, caller: &Caller, today: Date) -> Result<ComplianceReport, ApiError> {
    let roots = caller.supervised_roots();
    if roots.is_empty() {
        return Err(ApiError::Forbidden);
    }
    // One schedule per view (`report` takes one): the one that applies
    // where the caller's supervised units are — their codes and those
    // above them, so a township's office finds its city's — as for the
    // records pushed there. An office supervises one city or county; one
    // over several localities with schedules of their own would see all
    // of them by the highest version among those (`applying`).
    let schedule = {
        let mut conn = db.pool().acquire().await.map_err(internal)?;
        let mut schedules = reference::schedules_in(&mut conn).await?;
        let codes = org::codes_on_paths(&mut conn, &roots).await?;
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        let index = applying_index(&schedules, &codes).unwrap_or(0);
        schedules.swap_remove(index)
    };
    let units = org::units_under(db.pool(), &roots)
        .await?
        .into_iter()
        .map(org::SubtreeUnit::into_record)
        .collect::<anyhow::Result<Vec<UnitRecord>>>()
        .map_err(internal)?;
    let mut done = Vec::new();
    let mut meetings = Vec::new();
    for duty in &schedule.duties {
        let from = domain::dates::format_iso(needed_from(duty.cadence, today));
        done.extend(screenings::done_since(db.pool(), &roots, &duty.code, &from).await?);
        if duty.kind.has_attendees() {
            for payload in screenings::payloads_since(db.pool(), &roots, &duty.code, &from).await? {
                meetings.push(serde_json::from_str::<ScreeningRecord>(&payload).map_err(internal)?);
            }
        }
    }
    let refs = crate::db::screenings::record_refs(&done);
    Ok(report(&schedule, &units, &refs, &meetings, today))
}
