//! The outbox: changes made on the phone that the server has not yet
//! acknowledged. Each has a client-made UUID v7 `mutation_id`, so the
//! server can apply a replayed change exactly once (the sync issue's protocol).

use super::{LocalStore, StoreError, stores};
pub use crate::records::{OutboxEntry, OutboxOp};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;

/// An upsert of a case as it now is, made now.
pub fn case_upsert(case: &domain::case::Case) -> OutboxEntry {
    OutboxEntry::new(
        "case",
        &case.id.to_string(),
        OutboxOp::Upsert,
        case.version,
        crate::clock::now(),
    )
}

impl LocalStore {
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
}
