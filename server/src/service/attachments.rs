//! Attachments (附件: photos of signed paper, scans): kept once per content
//! under its SHA-256, uploaded in pieces that survive a dropped connection,
//! and reachable only through a case or a screening record the caller can
//! see. A case names its photos' hashes (`AttachmentRef::sha256`), a
//! screening record its photo's; the push records those references, so the
//! record must be pushed before its photos are uploaded. A stored content
//! is read only through a record whose unit its bytes were sent for
//! (`attachment_holder`), so knowing a hash is not enough. See
//! docs/sync.md, "Attachments".

use super::auth::sha256_hex;
use super::caller::Caller;
use crate::store::{Conn, Store, StoreError, attachments};
use domain::api::{MAX_UPLOAD_PIECE, UploadStatus};
use domain::attachment::is_sha256;
use domain::{Capability, Timestamp};

#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    /// The request does not read (a bad hash, a piece of the wrong size).
    #[error("{field}: {message}")]
    Malformed {
        field: &'static str,
        message: String,
    },
    /// Nothing the caller can see refers to this content (whether or not
    /// another's does: the answer reveals nothing outside their scope).
    #[error("not found")]
    NotFound,
    /// The piece does not start where the server's copy ends.
    #[error("the server holds {received} bytes")]
    OffsetMismatch { received: u64 },
    /// The account's photo storage would go over its quota.
    #[error("photo storage: {used} of {quota} bytes used")]
    Quota { used: u64, quota: u64 },
    /// The bytes do not fit what the record declares.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A content's name from a path, checked.
pub fn parse_sha256(text: &str) -> Result<&str, AttachmentError> {
    if is_sha256(text) {
        Ok(text)
    } else {
        Err(AttachmentError::Malformed {
            field: "sha256",
            message: "附件校验码应为 64 位小写十六进制 / sha256 must be 64 lowercase hex digits"
                .into(),
        })
    }
}

/// Where the upload of `sha256` stands.
pub async fn status(
    store: &Store,
    caller: &Caller,
    sha256: &str,
) -> Result<UploadStatus, AttachmentError> {
    let mut c = store.read().await?;
    let declared = attachments::visible(&mut c, sha256, &caller.roots_for(Capability::ReadCases))
        .await?
        .ok_or(AttachmentError::NotFound)?;
    let complete = readable(&mut c, caller, sha256).await?;
    let received = if complete {
        declared.bytes
    } else {
        attachments::received(&mut c, sha256, caller.account_id).await?
    };
    Ok(UploadStatus {
        sha256: sha256.to_owned(),
        bytes: declared.bytes,
        received,
        complete,
    })
}

/// Whether the caller may read the stored content: it is stored, and its
/// bytes were sent for a record the caller sees (by somebody who saw that
/// record). A hash alone, named in one's own record, reads nothing.
async fn readable(c: &mut Conn, caller: &Caller, sha256: &str) -> Result<bool, AttachmentError> {
    let roots = caller.roots_for(Capability::ReadCases);
    let paths = attachments::declaring_paths(c, sha256, &roots).await?;
    Ok(attachments::blob_exists(c, sha256).await?
        && attachments::held_for(c, sha256, &paths).await?)
}

/// Takes the caller's piece of `sha256` that starts at `offset` (each
/// uploader's pieces are their own until complete). The last piece checks
/// the whole content against its hash and stores it, once; the units of
/// the records the uploader sees that name it may read it from then on. A
/// content already readable through the caller's records is complete at
/// once; one stored for others' records only must be sent again (it is
/// checked, not stored twice). What an account sends counts against its
/// `quota` of bytes: the contents it stored first and its uploads under
/// way.
pub async fn upload(
    store: &Store,
    caller: &Caller,
    sha256: &str,
    offset: u64,
    piece: &[u8],
    quota: u64,
) -> Result<UploadStatus, AttachmentError> {
    if piece.is_empty() || piece.len() > MAX_UPLOAD_PIECE {
        return Err(AttachmentError::Malformed {
            field: "body",
            message: format!(
                "每段应为 1 至 {MAX_UPLOAD_PIECE} 字节 / a piece must hold 1 to {MAX_UPLOAD_PIECE} bytes"
            ),
        });
    }
    // only who records cases and screenings sends their photos
    let roots = caller.roots_for(Capability::RecordCases);
    let mut tx = store.write().await?;
    let declared = attachments::visible(&mut tx, sha256, &roots)
        .await?
        .ok_or(AttachmentError::NotFound)?;
    let bytes = declared.bytes;
    let done = |received: u64| UploadStatus {
        sha256: sha256.to_owned(),
        bytes,
        received,
        complete: received == bytes,
    };
    let paths = attachments::declaring_paths(&mut tx, sha256, &roots).await?;
    let stored = attachments::blob_exists(&mut tx, sha256).await?;
    if stored && attachments::held_for(&mut tx, sha256, &paths).await? {
        return Ok(done(bytes));
    }
    let uploader = caller.account_id;
    let received = attachments::received(&mut tx, sha256, uploader).await?;
    if offset != received {
        return Err(AttachmentError::OffsetMismatch { received });
    }
    // the account's storage, this piece included, within its quota
    let used = attachments::stored_by(&mut tx, uploader).await?;
    if used + piece.len() as u64 > quota {
        return Err(AttachmentError::Quota { used, quota });
    }
    let end = offset + piece.len() as u64;
    if end > bytes {
        return Err(AttachmentError::Invalid {
            field: "body",
            message: format!(
                "内容超过记录中登记的 {bytes} 字节 / more bytes than the record declares ({bytes})"
            ),
        });
    }
    let now = Timestamp::from(jiff::Timestamp::now());
    let end = attachments::add_piece(&mut tx, sha256, uploader, bytes, offset, piece, now)
        .await?
        .ok_or(AttachmentError::OffsetMismatch { received })?;
    if end == bytes {
        let whole = attachments::pieces(&mut tx, sha256, uploader).await?;
        attachments::drop_upload(&mut tx, sha256, uploader).await?;
        if sha256_hex(&whole) != sha256 {
            tx.commit().await?;
            return Err(AttachmentError::Invalid {
                field: "body",
                message: "内容与校验码不符，请从头重新上传 / the bytes do not match the sha256: upload again from the start".into(),
            });
        }
        if !stored {
            attachments::insert_blob(
                &mut tx,
                sha256,
                &declared.content_type,
                &whole,
                uploader,
                now,
            )
            .await?;
        }
        attachments::add_holders(&mut tx, sha256, &paths, now).await?;
    }
    tx.commit().await?;
    Ok(done(end))
}

/// The stored content: (content type, bytes).
pub async fn download(
    store: &Store,
    caller: &Caller,
    sha256: &str,
) -> Result<(String, Vec<u8>), AttachmentError> {
    let mut c = store.read().await?;
    if !readable(&mut c, caller, sha256).await? {
        return Err(AttachmentError::NotFound);
    }
    attachments::blob(&mut c, sha256)
        .await?
        .ok_or(AttachmentError::NotFound)
}
