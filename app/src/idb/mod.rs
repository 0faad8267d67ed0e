//! The phone's local store: IndexedDB through `indexed_db_futures`.
//!
//! Everything a mediator enters is written here first and only then called
//! "saved"; the outbox holds what still has to reach the server (the sync
//! issue drains it). Browser-only: the module exists with the `hydrate`
//! feature. Transactions never wait on anything but IndexedDB requests
//! (IndexedDB commits a transaction by itself when it has nothing pending).

mod attachments;
mod bundle;
mod cases;
mod drafts;
mod meta;
mod outbox;
mod schema;
mod screenings;
mod sync;

pub use crate::records::{Bundle, BundleAttachment};
pub use attachments::{NewAttachment, PhotoOwner};
pub use drafts::Draft;
pub use meta::{CLAIMS, MY_SUBSIDY};
pub use outbox::{OutboxEntry, OutboxOp, case_upsert};
pub use schema::{CURRENT_VERSION, DB_NAME, stores};
pub use screenings::screening_upsert;
pub use sync::PushOutcome;

use indexed_db_futures::database::Database;
use std::cell::RefCell;

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

impl From<wasm_bindgen::JsValue> for StoreError {
    fn from(e: wasm_bindgen::JsValue) -> Self {
        StoreError(format!("{e:?}"))
    }
}

/// An open local database.
#[derive(Clone)]
pub struct LocalStore {
    db: Database,
}

thread_local! {
    /// The page's one connection, opened on first use.
    static SHARED: RefCell<Option<LocalStore>> = const { RefCell::new(None) };
}

impl LocalStore {
    /// Opens (creating or upgrading) the app's database.
    pub async fn open() -> Result<LocalStore, StoreError> {
        Self::open_named(DB_NAME, CURRENT_VERSION).await
    }

    /// The page's shared connection to the app's database.
    pub async fn shared() -> Result<LocalStore, StoreError> {
        if let Some(store) = SHARED.with_borrow(Clone::clone) {
            return Ok(store);
        }
        let store = Self::open().await?;
        // two callers may race to open: keep the first, close the spare
        Ok(SHARED.with_borrow_mut(|slot| match slot {
            Some(first) => {
                store.close();
                first.clone()
            }
            None => {
                *slot = Some(store.clone());
                store
            }
        }))
    }

    /// Drops the shared connection (before deleting the database).
    pub fn forget_shared() {
        if let Some(store) = SHARED.with_borrow_mut(Option::take) {
            store.close();
        }
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

    /// Deletes a database (after its connections are closed).
    pub async fn delete_named(name: &str) -> Result<(), StoreError> {
        Database::delete_by_name(name)?.await?;
        Ok(())
    }
}
