//! Screening records (排查记录) on the phone: the records of the user's
//! units, made here or pulled, by `id`. A save writes the records and their
//! outbox entries in one transaction and drops the form's draft with them.

use super::{LocalStore, NewAttachment, OutboxEntry, OutboxOp, PhotoOwner, StoreError, stores};
use domain::screening::ScreeningRecord;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use wasm_bindgen::JsValue;

/// An upsert of a screening record as it now is, made now: a record made
/// on this phone is new to the server (version 0); a correction names the
/// version it was made on.
pub fn screening_upsert(record: &ScreeningRecord, base_version: u64) -> OutboxEntry {
    OutboxEntry::new(
        "screening",
        &record.id.to_string(),
        OutboxOp::Upsert,
        base_version,
        crate::clock::now(),
    )
}

impl LocalStore {
    /// Saves new records (one per unit screened) and queues each for the
    /// server, gives their photo (taken for the form, kept meanwhile) to the
    /// first of them, and deletes the form's draft — all in one
    /// transaction, or nothing. A record id already here aborts it (a
    /// double tap saves once).
    pub async fn save_screenings(
        &self,
        records: &[ScreeningRecord],
        draft_key: Option<&str>,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([
                stores::SCREENINGS,
                stores::OUTBOX,
                stores::DRAFTS,
                stores::ATTACHMENTS,
            ])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        if let Some(first) = records.first()
            && let Some(photo) = &first.photo
        {
            let photos = tx.object_store(stores::ATTACHMENTS)?;
            let stored: Option<JsValue> = photos.get(photo.id.clone()).primitive()?.await?;
            let Some(mut stored) = stored.as_ref().and_then(NewAttachment::from_js) else {
                return Err(StoreError(
                    "照片已不在本机，请重新拍摄 / the photo is no longer on this phone: take it again"
                        .into(),
                ));
            };
            stored.owner = PhotoOwner::Screening(first.id.to_string());
            photos.put(stored.to_js()?).primitive()?.await?;
        }
        let screenings = tx.object_store(stores::SCREENINGS)?;
        let outbox = tx.object_store(stores::OUTBOX)?;
        for record in records {
            // `add`: the same record twice fails the whole save
            screenings.add(record).serde()?.await?;
            outbox.add(&screening_upsert(record, 0)).serde()?.await?;
        }
        drop(screenings);
        drop(outbox);
        if let Some(key) = draft_key {
            tx.object_store(stores::DRAFTS)?
                .delete(key.to_owned())
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every screening record on this phone.
    pub async fn screenings(&self) -> Result<Vec<ScreeningRecord>, StoreError> {
        let tx = self.db.transaction(stores::SCREENINGS).build()?;
        let all = tx
            .object_store(stores::SCREENINGS)?
            .get_all::<ScreeningRecord>()
            .serde()?
            .await?;
        Ok(all.collect::<indexed_db_futures::Result<Vec<_>>>()?)
    }
}
