//! What the views ask of the phone: its local store, photos, files and
//! storage, as plain async functions with errors as display text. On the
//! server (which has no IndexedDB) each one answers with [`NOT_HERE`]; the
//! views only call them from the browser (local resources, event handlers).

#![cfg_attr(not(feature = "hydrate"), allow(unused_variables))]

use crate::records::{HistoryEntry, ImportReport, OutboxEntry, Profile, StorageInfo};
use domain::case::Case;
use domain::org::UnitRecord;
use domain::problem::FieldError;
use domain::screening::{Schedule, ScreeningRecord};

/// The answer of every function here when it runs outside a browser.
pub const NOT_HERE: &str =
    "本机数据只在手机浏览器中可用 / the local store exists only in the browser";

#[cfg(feature = "hydrate")]
use crate::idb::LocalStore;

#[cfg(feature = "hydrate")]
async fn store() -> Result<LocalStore, String> {
    LocalStore::shared().await.map_err(|e| e.to_string())
}

#[cfg(feature = "hydrate")]
fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Runs `$body` (an async block using the store `$s`) in the browser; on the
/// server answers [`NOT_HERE`].
macro_rules! in_browser {
    (|$s:ident| $body:expr) => {{
        #[cfg(feature = "hydrate")]
        {
            let $s = store().await?;
            $body.await.map_err(text)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Err(NOT_HERE.to_owned())
        }
    }};
}

pub async fn profile() -> Result<Profile, String> {
    in_browser!(|s| s.profile())
}

pub async fn save_profile(profile: Profile) -> Result<(), String> {
    in_browser!(|s| async move { s.save_profile(&profile).await })
}

/// The full name of the committee of `unit` as its seal reads (none: the
/// phone does not know the unit).
pub async fn committee_name(unit: domain::UnitId) -> Result<Option<String>, String> {
    in_browser!(|s| async move {
        let units = s.units().await.map_err(text)?;
        Ok::<_, String>(
            units
                .iter()
                .find(|u| u.id == unit)
                .map(|u| domain::org::committee_name(u, &units)),
        )
    })
}

pub async fn cases() -> Result<Vec<Case>, String> {
    in_browser!(|s| s.cases())
}

/// Every case on the phone as a list line shows it (not whole).
pub async fn case_lines() -> Result<Vec<domain::case_query::CaseLine>, String> {
    in_browser!(|s| s.case_lines())
}

pub async fn case(id: String) -> Result<Option<Case>, String> {
    in_browser!(|s| async move { s.case(&id).await })
}

pub async fn history(id: String) -> Result<Vec<HistoryEntry>, String> {
    in_browser!(|s| async move { s.history(&id).await })
}

/// Saves a case new to this phone, numbered in the same transaction;
/// returns it with its number. Resolves only after IndexedDB committed.
/// The form's draft `draft_key` is deleted in the same transaction.
pub async fn save_new_case(case: Case, draft_key: String) -> Result<Case, String> {
    in_browser!(|s| async move {
        let mut case = case;
        let entry = crate::idb::case_upsert(&case);
        s.save_new_case(&mut case, &entry, Some(&draft_key))
            .await
            .map(|_| case)
    })
}

/// Changes the case as stored now (see `LocalStore::edit_case`); the inner
/// `Err` holds the problems found, and then nothing was stored.
pub async fn edit_case<F>(id: String, edit: F) -> Result<Result<Case, Vec<FieldError>>, String>
where
    F: FnOnce(&Case) -> Result<Case, Vec<FieldError>> + 'static,
{
    in_browser!(|s| async move { s.edit_case(&id, None, edit).await })
}

/// What the reminders are computed from, all read from this phone.
#[derive(Debug, Clone, Default)]
pub struct ReminderInputs {
    /// The user's unit: the session's after log-in, else none (the unit
    /// tree and the schedule come with the first sync).
    pub root: Option<domain::UnitId>,
    pub person: Option<domain::PersonId>,
    /// The session's role (an office sees its units' reminders too).
    pub role: Option<domain::Role>,
    pub units: Vec<UnitRecord>,
    pub schedules: Vec<Schedule>,
    pub screenings: Vec<ScreeningRecord>,
    pub cases: Vec<Case>,
}

pub async fn reminder_inputs() -> Result<ReminderInputs, String> {
    in_browser!(|s| async move {
        let session = s.session().await?;
        let schedules = s
            .documents(domain::sync::Entity::Schedule)
            .await?
            .into_iter()
            .filter_map(|d| serde_json::from_value::<Schedule>(d.payload).ok())
            .collect();
        Ok::<_, crate::idb::StoreError>(ReminderInputs {
            root: session.as_ref().map(|s| s.unit_id),
            person: session.as_ref().map(|s| s.person_id),
            role: session.as_ref().map(|s| s.role),
            units: s.units().await?,
            schedules,
            screenings: s.screenings().await?,
            cases: s.cases().await?,
        })
    })
}

/// The schedule of the user's locality — its duties and the names of its
/// risk levels — as the last sync brought it (`domain::screening::applying`,
/// the server's choice too); Chuxiong's built-in one before the first sync.
pub async fn locality_schedule() -> Result<Schedule, String> {
    in_browser!(|s| async move {
        let schedules: Vec<Schedule> = s
            .documents(domain::sync::Entity::Schedule)
            .await?
            .into_iter()
            .filter_map(|d| serde_json::from_value::<Schedule>(d.payload).ok())
            .collect();
        let units = s.units().await?;
        let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
        Ok::<_, crate::idb::StoreError>(
            domain::screening::applying(&schedules, &codes)
                .cloned()
                .unwrap_or_else(Schedule::five_ones),
        )
    })
}

/// Saves new screening records and queues them, dropping the form's draft,
/// in one transaction; resolves only after IndexedDB committed.
pub async fn save_screenings(
    records: Vec<ScreeningRecord>,
    draft_key: String,
) -> Result<(), String> {
    in_browser!(|s| async move { s.save_screenings(&records, Some(&draft_key)).await })
}

/// Keeps the reminder counts where the service worker reads them.
pub async fn save_reminder_summary(json: String) -> Result<(), String> {
    in_browser!(|s| async move { s.save_reminder_summary(json).await })
}

/// Keeps 我的补助 as last fetched, to read offline (JSON text).
pub async fn save_my_subsidy(json: String) -> Result<(), String> {
    in_browser!(|s| async move { s.save_meta(crate::idb::MY_SUBSIDY, json).await })
}

/// 我的补助 as last fetched (JSON text), if any.
pub async fn my_subsidy() -> Result<Option<String>, String> {
    in_browser!(|s| async move { s.meta(crate::idb::MY_SUBSIDY).await })
}

/// Keeps the claims list as last fetched, to read offline (JSON text).
pub async fn save_claims(json: String) -> Result<(), String> {
    in_browser!(|s| async move { s.save_meta(crate::idb::CLAIMS, json).await })
}

/// The claims list as last fetched (JSON text), if any.
pub async fn claims() -> Result<Option<String>, String> {
    in_browser!(|s| async move { s.meta(crate::idb::CLAIMS).await })
}

/// The screening records the server refused, with its reasons.
pub async fn refused_screenings() -> Result<Vec<OutboxEntry>, String> {
    in_browser!(|s| async move {
        let mut all = s.pending().await?;
        all.retain(|e| e.entity == "screening" && e.error.is_some());
        Ok::<_, crate::idb::StoreError>(all)
    })
}

pub async fn draft(key: String) -> Result<Option<String>, String> {
    in_browser!(|s| async move { s.draft(&key).await.map(|d| d.map(|d| d.json)) })
}

pub async fn save_draft(key: String, json: String) -> Result<(), String> {
    in_browser!(|s| async move {
        let draft = crate::idb::Draft {
            key,
            json,
            saved_at: crate::clock::now(),
        };
        s.save_draft(&draft).await
    })
}

pub async fn discard_draft(key: String) -> Result<(), String> {
    in_browser!(|s| async move { s.discard_draft(&key).await })
}

pub async fn pending_count() -> Result<u32, String> {
    in_browser!(|s| s.pending_count())
}

/// The changes to a case the server refused, with its reasons.
pub async fn refused(case_id: String) -> Result<Vec<OutboxEntry>, String> {
    in_browser!(|s| async move { s.refused(&case_id).await })
}

/// Queues a case's refused changes again (as the case is now).
pub async fn retry_refused(case_id: String) -> Result<u32, String> {
    in_browser!(|s| async move { s.retry_refused(&case_id).await })
}

/// Marks a case's conflict notices as read.
pub async fn mark_conflicts_seen(case_id: String) -> Result<(), String> {
    in_browser!(|s| async move { s.mark_conflicts_seen(&case_id).await })
}

/// The export file's text (JSON) and a file name for it.
pub async fn export_unsent() -> Result<(String, String), String> {
    in_browser!(|s| async move {
        let bundle = s.export_unsent().await?;
        let json =
            serde_json::to_string(&bundle).map_err(|e| crate::idb::StoreError(e.to_string()))?;
        // China's day and time, as the mediator's own clock reads
        let at = bundle.exported_at;
        let stamp: String = format!(
            "{}{}",
            domain::dates::format_iso(at.china_date()),
            at.china_time()
        )
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
        Ok::<_, crate::idb::StoreError>((json, format!("调解通-未同步数据-{stamp}.json")))
    })
}

/// Reads an export file's text back in.
pub async fn import(json: String) -> Result<ImportReport, String> {
    in_browser!(|s| async move {
        let bundle: crate::idb::Bundle = serde_json::from_str(&json).map_err(|e| {
            crate::idb::StoreError(format!(
                "文件无法读取（不是调解通导出的文件，或已损坏）/ the file cannot be read: {e}"
            ))
        })?;
        s.import(&bundle).await
    })
}

/// Deletes everything on this phone.
pub async fn clear_all() -> Result<(), String> {
    in_browser!(|s| s.clear_all())
}

/// Storage used and granted, and whether it is persistent.
pub async fn storage_info() -> Result<StorageInfo, String> {
    #[cfg(feature = "hydrate")]
    {
        crate::device::storage_info().await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Err(NOT_HERE.to_owned())
    }
}

/// Asks the browser not to clear this site's data under storage pressure.
pub async fn request_persistence() -> Result<bool, String> {
    #[cfg(feature = "hydrate")]
    {
        crate::device::request_persistence().await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Err(NOT_HERE.to_owned())
    }
}
