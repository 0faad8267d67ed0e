//! Photos and files as Blobs, by id. The case (or the screening record)
//! keeps each one's description (`domain::case::AttachmentRef`); this store
//! keeps the bytes.

use super::{LocalStore, StoreError, stores};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

/// Whose photo it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoOwner {
    /// A case's: its `attachments` describe it.
    Case(String),
    /// Screening records': each names it as its `photo`. The id of the
    /// first record saved with it; empty while its form is not saved.
    Screening(String),
}

/// A photo's bytes on their way into the store.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: String,
    pub owner: PhotoOwner,
    pub blob: Blob,
    /// Its SHA-256 when it was named as it was stored (a screening photo;
    /// a case's photos are named in the case).
    pub sha256: Option<String>,
}

impl NewAttachment {
    /// `{id, case_id | screening_id, blob, sha256?}`: IndexedDB keeps the
    /// Blob itself.
    pub(super) fn to_js(&self) -> Result<JsValue, StoreError> {
        let record = Object::new();
        Reflect::set(&record, &"id".into(), &self.id.as_str().into())?;
        let (key, owner) = match &self.owner {
            PhotoOwner::Case(id) => ("case_id", id),
            PhotoOwner::Screening(id) => ("screening_id", id),
        };
        Reflect::set(&record, &key.into(), &owner.as_str().into())?;
        Reflect::set(&record, &"blob".into(), &self.blob)?;
        if let Some(sha256) = &self.sha256 {
            Reflect::set(&record, &"sha256".into(), &sha256.as_str().into())?;
        }
        Ok(record.into())
    }

    pub(super) fn from_js(value: &JsValue) -> Option<NewAttachment> {
        let text = |key: &str| Reflect::get(value, &key.into()).ok()?.as_string();
        let owner = match text("screening_id") {
            Some(id) => PhotoOwner::Screening(id),
            None => PhotoOwner::Case(text("case_id")?),
        };
        Some(NewAttachment {
            id: text("id")?,
            owner,
            blob: Reflect::get(value, &"blob".into()).ok()?.dyn_into().ok()?,
            sha256: text("sha256"),
        })
    }
}

/// Set on a stored photo once the server holds its bytes (the bytes stay
/// here for the screens).
const SENT: &str = "sent";

fn is_sent(record: &JsValue) -> bool {
    Reflect::get(record, &SENT.into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

impl LocalStore {
    /// Photos whose bytes the server does not hold yet, oldest first.
    pub async fn unsent_attachments(&self) -> Result<Vec<NewAttachment>, StoreError> {
        let tx = self.db.transaction(stores::ATTACHMENTS).build()?;
        let all = tx
            .object_store(stores::ATTACHMENTS)?
            .get_all::<JsValue>()
            .primitive()?
            .await?;
        let mut out = Vec::new();
        for record in all {
            let record = record?;
            if !is_sent(&record)
                && let Some(photo) = NewAttachment::from_js(&record)
            {
                out.push(photo);
            }
        }
        Ok(out)
    }

    /// Records that the server holds this photo's bytes.
    pub async fn mark_attachment_sent(&self, id: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores::ATTACHMENTS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(stores::ATTACHMENTS)?;
        let record: Option<JsValue> = store.get(id.to_owned()).primitive()?.await?;
        if let Some(record) = record {
            Reflect::set(&record, &SENT.into(), &JsValue::TRUE)?;
            store.put(record).primitive()?.await?;
        }
        drop(store);
        tx.commit().await?;
        Ok(())
    }

    /// Keeps a photo taken for a form not saved yet (a screening report's),
    /// so that a reload keeps it with the form's draft.
    pub async fn put_attachment(&self, photo: &NewAttachment) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores::ATTACHMENTS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(stores::ATTACHMENTS)?
            .put(photo.to_js()?)
            .primitive()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets a photo taken for a form and then removed from it.
    pub async fn delete_attachment(&self, id: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores::ATTACHMENTS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(stores::ATTACHMENTS)?
            .delete(id.to_owned())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A photo's bytes.
    pub async fn attachment(&self, id: &str) -> Result<Option<NewAttachment>, StoreError> {
        let tx = self.db.transaction(stores::ATTACHMENTS).build()?;
        let value: Option<JsValue> = tx
            .object_store(stores::ATTACHMENTS)?
            .get(id.to_owned())
            .primitive()?
            .await?;
        Ok(value.as_ref().and_then(NewAttachment::from_js))
    }
}
