//! The IndexedDB schema and its upgrade steps. A step is never edited once
//! shipped; a new version adds a step. The browser runs one upgrade from the
//! stored version to the new one, so each step runs when `old < its version`.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;

pub const DB_NAME: &str = "tiaojie";
/// The schema version this build expects.
pub const CURRENT_VERSION: u32 = 3;

/// Object store names.
pub mod stores {
    /// Cases by `id` (domain::case::Case).
    pub const CASES: &str = "cases";
    /// Changes waiting for the server, by `mutation_id` (UUID v7).
    pub const OUTBOX: &str = "outbox";
    /// Forms being filled in, by `key`.
    pub const DRAFTS: &str = "drafts";
    /// Photos of signed paper and other files, by `id` (Blobs).
    pub const ATTACHMENTS: &str = "attachments";
    /// Dispute screenings (排查), by `id` (the reminders issue fills it).
    pub const SCREENINGS: &str = "screenings";
    /// Small facts about this device: identity, cursors, by `key`.
    pub const META: &str = "meta";
    /// v2: every earlier version of a case, kept when a change replaces it,
    /// by `id`, with the index [`BY_CASE`] on `case_id`.
    pub const HISTORY: &str = "history";
    /// Index of [`HISTORY`] by the case it belongs to.
    pub const BY_CASE: &str = "by_case";
    /// v3: the organisation units in and above the user's scope, by `id`
    /// (domain::org::UnitRecord), from the reference stream.
    pub const UNITS: &str = "units";
    /// v3: schedules and rule sets, by `id` (the entity's stable id;
    /// records::ReferenceDocument), from the reference stream.
    pub const DOCUMENTS: &str = "documents";
}

pub(super) async fn open(name: &str, version: u32) -> indexed_db_futures::OpenDbResult<Database> {
    Database::open(name)
        .with_version(version)
        .with_on_upgrade_needed(move |event, db| {
            let old = event.old_version() as u32;
            let new = event.new_version().map_or(version, |v| v as u32);
            upgrade(&db, old, new)
        })
        .await
}

fn upgrade(db: &Database, old: u32, new: u32) -> indexed_db_futures::Result<()> {
    if old < 1 && new >= 1 {
        db.create_object_store(stores::CASES)
            .with_key_path("id".into())
            .build()?;
        db.create_object_store(stores::OUTBOX)
            .with_key_path("mutation_id".into())
            .build()?;
        db.create_object_store(stores::DRAFTS)
            .with_key_path("key".into())
            .build()?;
        db.create_object_store(stores::ATTACHMENTS)
            .with_key_path("id".into())
            .build()?;
        db.create_object_store(stores::SCREENINGS)
            .with_key_path("id".into())
            .build()?;
        db.create_object_store(stores::META)
            .with_key_path("key".into())
            .build()?;
    }
    if old < 2 && new >= 2 {
        let history = db
            .create_object_store(stores::HISTORY)
            .with_key_path("id".into())
            .build()?;
        history
            .create_index(stores::BY_CASE, "case_id".into())
            .build()?;
    }
    if old < 3 && new >= 3 {
        db.create_object_store(stores::UNITS)
            .with_key_path("id".into())
            .build()?;
        db.create_object_store(stores::DOCUMENTS)
            .with_key_path("id".into())
            .build()?;
    }
    Ok(())
}
