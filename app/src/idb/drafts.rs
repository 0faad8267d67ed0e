//! Forms being filled in, kept as the user types so a reload, a killed tab or
//! a flat battery loses nothing.

use super::{LocalStore, StoreError, stores};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::{Deserialize, Serialize};

/// A form being filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// e.g. `case-form:oral`, `case:<id>:session`
    pub key: String,
    /// The form's fields as JSON text.
    pub json: String,
    pub saved_at: domain::Timestamp,
}

impl LocalStore {
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
