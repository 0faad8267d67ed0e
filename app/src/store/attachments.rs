//! Photos and files as Blobs, by id. The case keeps each one's description
//! (`domain::case::AttachmentRef`); this store keeps the bytes.

use super::{LocalStore, StoreError, stores};
use indexed_db_futures::prelude::*;
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

/// A photo's bytes on their way into the store.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: String,
    pub case_id: String,
    pub blob: Blob,
}

impl NewAttachment {
    /// `{id, case_id, blob}`: IndexedDB keeps the Blob itself.
    pub(super) fn to_js(&self) -> Result<JsValue, StoreError> {
        let record = Object::new();
        Reflect::set(&record, &"id".into(), &self.id.as_str().into())?;
        Reflect::set(&record, &"case_id".into(), &self.case_id.as_str().into())?;
        Reflect::set(&record, &"blob".into(), &self.blob)?;
        Ok(record.into())
    }

    pub(super) fn from_js(value: &JsValue) -> Option<NewAttachment> {
        let text = |key: &str| Reflect::get(value, &key.into()).ok()?.as_string();
        Some(NewAttachment {
            id: text("id")?,
            case_id: text("case_id")?,
            blob: Reflect::get(value, &"blob".into()).ok()?.dyn_into().ok()?,
        })
    }
}

impl LocalStore {
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
