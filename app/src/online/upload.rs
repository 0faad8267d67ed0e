//! Photos of signed paper on their way to the server: named by their
//! SHA-256 before the push that carries their reference, then uploaded in
//! pieces that resume where the server stands (a dropped connection costs
//! one piece). docs/sync.md, "Attachments".

use super::agent::SyncStatus;
use super::client::{self, ApiError};
use crate::idb::{LocalStore, PhotoOwner};
use crate::sync_plan::UPLOAD_PIECE;
use leptos::prelude::*;

/// Photos taken before the app named them by their SHA-256 get their name
/// now (a change to their case, pushed with the rest).
pub async fn name_photos(store: &LocalStore) -> Result<(), String> {
    for photo in store
        .unsent_attachments()
        .await
        .map_err(|e| e.to_string())?
    {
        // a screening photo is named when it is taken
        let PhotoOwner::Case(case_id) = &photo.owner else {
            continue;
        };
        let Some(case) = store.case(case_id).await.map_err(|e| e.to_string())? else {
            continue;
        };
        let unnamed = case
            .attachments
            .iter()
            .any(|a| a.id == photo.id && a.sha256.is_none());
        if !unnamed {
            continue;
        }
        let sha256 = crate::device::sha256_of(&photo.blob).await?;
        let id = photo.id.clone();
        let edited = store
            .edit_case(case_id, None, move |current| {
                let mut next = current.clone();
                for a in next.attachments.iter_mut().filter(|a| a.id == id) {
                    a.sha256 = Some(sha256.clone());
                }
                Ok(next)
            })
            .await
            .map_err(|e| e.to_string())?;
        if let Err(problems) = edited {
            return Err(problems
                .into_iter()
                .map(|p| crate::texts::problem(&p.problem, false))
                .collect::<Vec<_>>()
                .join("；"));
        }
    }
    Ok(())
}

/// Uploads the photos the server lacks, in pieces, resuming where the
/// server stands. A photo whose record the server does not hold yet (its
/// change waits or was refused) waits for a later sync. A photo the server
/// refuses (say, over its size limit) is reported and does not hold up the
/// others or the pull. Returns how many photos arrived whole, and the
/// refusals' messages.
pub async fn upload_photos(
    store: &LocalStore,
    token: &str,
    status: RwSignal<SyncStatus>,
) -> Result<(u32, Vec<String>), ApiError> {
    let local = |e: crate::idb::StoreError| ApiError::Offline(e.to_string());
    let pending = store.unsent_attachments().await.map_err(local)?;
    let waiting = store.pending().await.map_err(local)?;
    let mut todo = Vec::new();
    for photo in pending {
        let owner = match &photo.owner {
            PhotoOwner::Case(id) | PhotoOwner::Screening(id) => id,
        };
        // the server learns of a photo with its owner's change (a screening
        // form not saved yet owns nothing)
        if owner.is_empty()
            || waiting
                .iter()
                .any(|e| e.entity_id == *owner && e.error.is_none())
        {
            continue;
        }
        let named = match &photo.owner {
            PhotoOwner::Case(id) => store.case(id).await.map_err(local)?.and_then(|c| {
                c.attachments
                    .into_iter()
                    .find(|a| a.id == photo.id)
                    .and_then(|a| a.sha256)
            }),
            // named when it was taken (the screening records are not read
            // here: their decoding would join the first load)
            PhotoOwner::Screening(_) => photo.sha256.clone(),
        };
        if let Some(sha256) = named {
            todo.push((photo, sha256));
        }
    }
    let total: u64 = todo.iter().map(|(p, _)| p.blob.size() as u64).sum();
    status.try_update(|s| s.bytes_total = total);
    let (mut done_bytes, mut done, mut refused) = (0u64, 0u32, Vec::new());
    'photos: for (photo, sha256) in todo {
        let size = photo.blob.size() as u64;
        let mut at = match client::upload_status(token, &sha256).await {
            Ok(at) => at,
            // the server does not know the record yet: a later sync
            Err(ApiError::Refused { status: 404, .. }) => continue,
            Err(ApiError::Refused { message, .. }) => {
                refused.push(message);
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut restarts = 0;
        while !at.complete {
            status.try_update(|s| s.bytes_sent = done_bytes + at.received.min(size));
            let from = at.received;
            let to = (from + UPLOAD_PIECE).min(size);
            let piece = photo
                .blob
                .slice_with_f64_and_f64(from as f64, to as f64)
                .map_err(|e| ApiError::Offline(format!("{e:?}")))?;
            at = match client::upload_piece(token, &sha256, from, &piece).await {
                Ok(at) => at,
                // the answer to an earlier piece was lost, or the bytes did
                // not match and the server started over: ask where it stands
                Err(ApiError::Refused {
                    status: 409 | 422, ..
                }) if restarts < 3 => {
                    restarts += 1;
                    client::upload_status(token, &sha256).await?
                }
                Err(ApiError::Refused { message, .. }) => {
                    done_bytes += size;
                    refused.push(message);
                    continue 'photos;
                }
                Err(e) => return Err(e),
            };
        }
        store.mark_attachment_sent(&photo.id).await.map_err(local)?;
        done_bytes += size;
        done += 1;
        status.try_update(|s| s.bytes_sent = done_bytes);
    }
    Ok((done, refused))
}
