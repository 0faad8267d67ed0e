//! The phone's local store: IndexedDB through `indexed_db_futures`.
//!
//! Everything a mediator enters is written here first and only then called
//! "saved"; the outbox holds what still has to reach the server (the sync
//! issue drains it). Browser-only: the module exists with the `hydrate`
//! feature. Transactions never wait on anything but IndexedDB requests
//! (IndexedDB commits a transaction by itself when it has nothing pending).

mod outbox;
mod schema;

pub use outbox::{OutboxEntry, OutboxOp};
pub use schema::{CURRENT_VERSION, DB_NAME, stores};

use domain::case::Case;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::{Deserialize, Serialize};

/// A store failure, as text (IndexedDB errors hold JS values and are not `Send`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("本地存储出错 / local store error: {0}")]
pub struct StoreError(pub String);

impl From<indexed_db_futures::error::Error> for StoreError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StoreError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        StoreError(e.to_string())
    }
}

/// A form being filled in, kept as the user types (reload-safe).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// e.g. `oral-agreement:new`, `case:<id>:session`
    pub key: String,
    /// The form's fields as JSON text.
    pub json: String,
    pub saved_at: String,
}

/// An open local database.
#[derive(Clone)]
pub struct LocalStore {
    db: Database,
}

impl LocalStore {
    /// Opens (creating or upgrading) the app's database.
    pub async fn open() -> Result<LocalStore, StoreError> {
        Self::open_named(DB_NAME, CURRENT_VERSION).await
    }

    /// Opens a database of any name at a schema version (tests open older
    /// versions to check upgrades keep data).
    pub async fn open_named(name: &str, version: u32) -> Result<LocalStore, StoreError> {
        let db = schema::open(name, version).await?;
        Ok(LocalStore { db })
    }

    pub fn version(&self) -> u32 {
        self.db.version() as u32
    }

    pub fn close(self) {
        self.db.close();
    }

    /// Saves a case and queues it for the server, in one transaction: both
    /// are stored, or neither is.
    pub async fn save_case(&self, case: &Case, entry: &OutboxEntry) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([stores::CASES, stores::OUTBOX])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(stores::CASES)?.put(case).serde()?.await?;
        // `add`, not `put`: a mutation id is used once; a repeat aborts the transaction
        tx.object_store(stores::OUTBOX)?.add(entry).serde()?.await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn case(&self, id: &str) -> Result<Option<Case>, StoreError> {
        let tx = self.db.transaction(stores::CASES).build()?;
        let case: Option<Case> = tx
            .object_store(stores::CASES)?
            .get(id.to_owned())
            .serde()?
            .await?;
        Ok(case)
    }

    pub async fn cases(&self) -> Result<Vec<Case>, StoreError> {
        let tx = self.db.transaction(stores::CASES).build()?;
        let all = tx
            .object_store(stores::CASES)?
            .get_all::<Case>()
            .serde()?
            .await?;
        Ok(all.collect::<indexed_db_futures::Result<Vec<Case>>>()?)
    }

    /// How many changes wait to be sent.
    pub async fn pending_count(&self) -> Result<u32, StoreError> {
        let tx = self.db.transaction(stores::OUTBOX).build()?;
        Ok(tx.object_store(stores::OUTBOX)?.count().await?)
    }

    /// The changes waiting to be sent, oldest first (v7 ids sort by time).
    pub async fn pending(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let tx = self.db.transaction(stores::OUTBOX).build()?;
        let all = tx
            .object_store(stores::OUTBOX)?
            .get_all::<OutboxEntry>()
            .serde()?
            .await?;
        Ok(all.collect::<indexed_db_futures::Result<Vec<OutboxEntry>>>()?)
    }

    /// Removes entries the server has acknowledged.
    pub async fn acknowledge(&self, mutation_ids: &[String]) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores::OUTBOX)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let outbox = tx.object_store(stores::OUTBOX)?;
        for id in mutation_ids {
            outbox.delete(id.clone()).await?;
        }
        drop(outbox);
        tx.commit().await?;
        Ok(())
    }

    pub async fn save_draft(&self, draft: &Draft) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores::DRAFTS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(stores::DRAFTS)?.put(draft).serde()?.await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn draft(&self, key: &str) -> Result<Option<Draft>, StoreError> {
        let tx = self.db.transaction(stores::DRAFTS).build()?;
        let draft: Option<Draft> = tx
            .object_store(stores::DRAFTS)?
            .get(key.to_owned())
            .serde()?
            .await?;
        Ok(draft)
    }

    pub async fn discard_draft(&self, key: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores::DRAFTS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(stores::DRAFTS)?
            .delete(key.to_owned())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
