//! 导出未同步数据: every unsent record and its photos in one JSON file that
//! can be imported back on this or another phone. Importing is idempotent:
//! records are keyed by their ids, so the same file twice adds nothing, and
//! a case changed on the phone since the export is not overwritten.

use super::meta::{MetaRecord, seq_key};
use super::{LocalStore, NewAttachment, OutboxEntry, PhotoOwner, StoreError, stores};
use crate::records::{
    BUNDLE_FORMAT as FORMAT, Bundle, BundleAttachment, HistoryEntry, ImportReport,
};
use domain::case::Case;
use domain::screening::ScreeningRecord;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use std::collections::BTreeSet;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

async fn data_url(blob: &web_sys::Blob) -> Result<String, StoreError> {
    let blob = gloo_file::Blob::from(blob.clone());
    gloo_file::futures::read_as_data_url(&blob)
        .await
        .map_err(|e| StoreError(e.to_string()))
}

async fn blob_of(data_url: &str) -> Result<web_sys::Blob, StoreError> {
    if !data_url.starts_with("data:") {
        return Err(StoreError(
            "照片数据无效 / a photo is not a data: URL".into(),
        ));
    }
    let window = web_sys::window().ok_or_else(|| StoreError("no window".into()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(data_url))
        .await?
        .dyn_into()?;
    Ok(JsFuture::from(response.blob()?).await?.dyn_into()?)
}

/// A stored photo as an export file carries it.
async fn bundled(stored: NewAttachment) -> Result<BundleAttachment, StoreError> {
    let (case_id, screening_id) = match stored.owner {
        PhotoOwner::Case(id) => (id, None),
        PhotoOwner::Screening(id) => (String::new(), Some(id)),
    };
    Ok(BundleAttachment {
        id: stored.id,
        case_id,
        screening_id,
        data_url: data_url(&stored.blob).await?,
    })
}

impl LocalStore {
    /// Everything not yet acknowledged by the server, with its photos.
    pub async fn export_unsent(&self) -> Result<Bundle, StoreError> {
        let outbox = self.pending().await?;
        let ids: BTreeSet<&str> = outbox
            .iter()
            .filter(|e| e.entity == "case")
            .map(|e| e.entity_id.as_str())
            .collect();
        let mut cases = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(case) = self.case(id).await? {
                cases.push(case);
            }
        }
        let mut attachments = Vec::new();
        for case in &cases {
            for photo in &case.attachments {
                if let Some(stored) = self.attachment(&photo.id).await? {
                    attachments.push(bundled(stored).await?);
                }
            }
        }
        let mut screenings = Vec::new();
        let unsent: BTreeSet<&str> = outbox
            .iter()
            .filter(|e| e.entity == "screening")
            .map(|e| e.entity_id.as_str())
            .collect();
        for record in self.screenings().await? {
            if unsent.contains(record.id.to_string().as_str()) {
                if let Some(photo) = &record.photo
                    && !attachments.iter().any(|a| a.id == photo.id)
                    && let Some(stored) = self.attachment(&photo.id).await?
                {
                    attachments.push(bundled(stored).await?);
                }
                screenings.push(record);
            }
        }
        Ok(Bundle {
            format: FORMAT.into(),
            version: 1,
            exported_at: crate::clock::now(),
            profile: Some(self.profile().await?),
            cases,
            outbox,
            attachments,
            screenings,
        })
    }

    /// Reads an export file back in; see the module notes.
    pub async fn import(&self, bundle: &Bundle) -> Result<ImportReport, StoreError> {
        if bundle.format != FORMAT || bundle.version != 1 {
            return Err(StoreError(
                "不是调解通导出的未同步数据文件 / not a Tiaojie unsent-data file".into(),
            ));
        }
        // decode the photos first: a transaction must not wait on anything else
        let mut photos = Vec::with_capacity(bundle.attachments.len());
        for a in &bundle.attachments {
            let owner = match &a.screening_id {
                Some(id) => PhotoOwner::Screening(id.clone()),
                None => PhotoOwner::Case(a.case_id.clone()),
            };
            let blob = blob_of(&a.data_url).await?;
            // a screening photo is named in the file's record
            let sha256 = match &owner {
                PhotoOwner::Screening(id) => bundle
                    .screenings
                    .iter()
                    .find(|r| r.id.to_string() == *id)
                    .and_then(|r| r.photo.as_ref()?.sha256.clone()),
                PhotoOwner::Case(_) => None,
            };
            photos.push(NewAttachment {
                id: a.id.clone(),
                owner,
                blob,
                sha256,
            });
        }
        let mut report = ImportReport::default();
        let tx = self
            .db
            .transaction([
                stores::CASES,
                stores::OUTBOX,
                stores::ATTACHMENTS,
                stores::HISTORY,
                stores::META,
                stores::SCREENINGS,
            ])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let screenings = tx.object_store(stores::SCREENINGS)?;
        for record in &bundle.screenings {
            let here: Option<ScreeningRecord> =
                screenings.get(record.id.to_string()).serde()?.await?;
            if here.is_none() {
                screenings.put(record).serde()?.await?;
                report.screenings_added += 1;
            }
        }
        drop(screenings);
        let cases = tx.object_store(stores::CASES)?;
        for case in &bundle.cases {
            let here: Option<Case> = cases.get(case.id.to_string()).serde()?.await?;
            match here {
                None => {
                    cases.put(case).serde()?.await?;
                    report.cases_added += 1;
                }
                Some(here) if here.updated_at < case.updated_at => {
                    let kept = HistoryEntry::replaced(
                        &case.id.to_string(),
                        crate::clock::now(),
                        "import".into(),
                        here,
                    );
                    tx.object_store(stores::HISTORY)?
                        .add(&kept)
                        .serde()?
                        .await?;
                    cases.put(case).serde()?.await?;
                    report.cases_updated += 1;
                }
                Some(_) => report.cases_kept += 1,
            }
        }
        drop(cases);
        // numbers given elsewhere are taken: new cases here continue after them
        let mut highest: std::collections::BTreeMap<String, u32> = Default::default();
        for case in &bundle.cases {
            if let Some(seq) = case.seq {
                let key = seq_key(case.unit_id, case.received_on.year());
                let n = highest.entry(key).or_default();
                *n = (*n).max(seq);
            }
        }
        let meta = tx.object_store(stores::META)?;
        for (key, seq) in highest {
            let here: Option<MetaRecord> = meta.get(key.clone()).serde()?.await?;
            if here
                .and_then(|r| r.json.parse::<u32>().ok())
                .is_none_or(|n| n < seq)
            {
                meta.put(&MetaRecord {
                    key,
                    json: seq.to_string(),
                })
                .serde()?
                .await?;
            }
        }
        // a phone reset or new since the export takes the exported profile
        // back: the same committee, the same mediator, numbering continues
        if let Some(profile) = &bundle.profile {
            let here: Option<MetaRecord> =
                meta.get(super::meta::PROFILE.to_owned()).serde()?.await?;
            let fresh = here
                .and_then(|r| serde_json::from_str::<crate::records::Profile>(&r.json).ok())
                .is_none_or(|p| p.mediator_name.is_empty());
            if fresh {
                let json = serde_json::to_string(profile).map_err(|e| StoreError(e.to_string()))?;
                meta.put(&MetaRecord {
                    key: super::meta::PROFILE.into(),
                    json,
                })
                .serde()?
                .await?;
            }
        }
        drop(meta);
        let outbox = tx.object_store(stores::OUTBOX)?;
        for entry in &bundle.outbox {
            let here: Option<OutboxEntry> = outbox.get(entry.mutation_id.clone()).serde()?.await?;
            if here.is_none() {
                outbox.add(entry).serde()?.await?;
                report.changes_added += 1;
            }
        }
        drop(outbox);
        let store = tx.object_store(stores::ATTACHMENTS)?;
        for photo in &photos {
            let here: Option<wasm_bindgen::JsValue> =
                store.get(photo.id.clone()).primitive()?.await?;
            if here.is_none() {
                store.put(photo.to_js()?).primitive()?.await?;
                report.photos_added += 1;
            }
        }
        drop(store);
        tx.commit().await?;
        Ok(report)
    }

    /// Removes everything on this phone (reset, log-out, a lost phone).
    /// Callers warn first when changes are unsent.
    pub async fn clear_all(&self) -> Result<(), StoreError> {
        let names = [
            stores::CASES,
            stores::OUTBOX,
            stores::DRAFTS,
            stores::ATTACHMENTS,
            stores::SCREENINGS,
            stores::META,
            stores::HISTORY,
            stores::UNITS,
            stores::DOCUMENTS,
        ];
        let tx = self
            .db
            .transaction(names)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        for name in names {
            tx.object_store(name)?.clear()?.await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
