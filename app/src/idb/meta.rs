//! Small facts about this device, kept in the `meta` store by key.

use super::{LocalStore, StoreError, stores};
use crate::records::Profile;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::{Deserialize, Serialize};

/// A `meta` record: a key and its value as JSON text.
#[derive(Serialize, Deserialize)]
pub(super) struct MetaRecord {
    pub key: String,
    pub json: String,
}

/// The `meta` key of a committee's highest case number in a year.
pub(super) fn seq_key(unit: domain::UnitId, year: i16) -> String {
    format!("seq:{unit}:{year}")
}

/// A committee's highest case number here in a year, once counted.
pub(super) async fn case_counter(
    meta: &indexed_db_futures::object_store::ObjectStore<'_>,
    unit: domain::UnitId,
    year: i16,
) -> Result<Option<u32>, StoreError> {
    let counter: Option<MetaRecord> = meta.get(seq_key(unit, year)).serde()?.await?;
    Ok(counter.and_then(|r| r.json.parse::<u32>().ok()))
}

/// Sets a committee's case-number counter.
pub(super) async fn set_case_counter(
    meta: &indexed_db_futures::object_store::ObjectStore<'_>,
    unit: domain::UnitId,
    year: i16,
    seq: u32,
) -> Result<(), StoreError> {
    meta.put(&MetaRecord {
        key: seq_key(unit, year),
        json: seq.to_string(),
    })
    .serde()?
    .await?;
    Ok(())
}

pub(super) const PROFILE: &str = "profile";
/// The last reminder counts the app computed, for the service worker
/// (public/sw.js reads it when Periodic Background Sync wakes it).
pub const REMINDER_SUMMARY: &str = "reminders";
/// The `meta` key of 我的补助 as last fetched (read offline).
pub const MY_SUBSIDY: &str = "my_subsidy";
/// The `meta` key of the claims list as last fetched (补助申报与审批,
/// read offline).
pub const CLAIMS: &str = "claims";

impl LocalStore {
    /// This device's profile; a new one (with fresh ids) is stored on first use.
    pub async fn profile(&self) -> Result<Profile, StoreError> {
        let tx = self.db.transaction(stores::META).build()?;
        let record: Option<MetaRecord> = tx
            .object_store(stores::META)?
            .get(PROFILE.to_owned())
            .serde()?
            .await?;
        drop(tx);
        if let Some(profile) = record.and_then(|r| serde_json::from_str(&r.json).ok()) {
            return Ok(profile);
        }
        let profile = Profile::default();
        self.save_profile(&profile).await?;
        Ok(profile)
    }

    /// A `meta` value by key (JSON text), if stored.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let tx = self.db.transaction(stores::META).build()?;
        let record: Option<MetaRecord> = tx
            .object_store(stores::META)?
            .get(key.to_owned())
            .serde()?
            .await?;
        drop(tx);
        Ok(record.map(|r| r.json))
    }

    /// Stores a `meta` value by key (JSON text); resolves once committed.
    pub async fn save_meta(&self, key: &str, json: String) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores::META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(stores::META)?
            .put(&MetaRecord {
                key: key.to_owned(),
                json,
            })
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores the reminder counts for the service worker (JSON text).
    pub async fn save_reminder_summary(&self, json: String) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores::META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(stores::META)?
            .put(&MetaRecord {
                key: REMINDER_SUMMARY.into(),
                json,
            })
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn save_profile(&self, profile: &Profile) -> Result<(), StoreError> {
        let record = MetaRecord {
            key: PROFILE.into(),
            json: serde_json::to_string(profile).map_err(|e| StoreError(e.to_string()))?,
        };
        let tx = self
            .db
            .transaction(stores::META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(stores::META)?.put(&record).serde()?.await?;
        tx.commit().await?;
        Ok(())
    }
}
