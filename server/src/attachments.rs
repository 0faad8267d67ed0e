//! Attachments (附件: photos of signed paper, scans): kept once per content
//! under its SHA-256, uploaded in pieces that survive a dropped connection,
//! and reachable only through a case or a screening record the caller can
//! see. A case names its photos' hashes (`AttachmentRef::sha256`), a
//! screening record its photo's; the push records those references, so the
//! record must be pushed before its photos are uploaded. See docs/sync.md,
//! "Attachments".

use crate::auth::{Caller, sha256_hex};
use crate::db::{self, Db, attachments};
use crate::error::ApiError;
use domain::case::is_sha256;
use domain::sync::{MAX_UPLOAD_PIECE, UploadStatus};

/// The path's hash, checked.
pub fn parse_sha256(text: &str) -> Result<&str, ApiError> {
    if is_sha256(text) {
        Ok(text)
    } else {
        Err(ApiError::BadRequest {
            code: "malformed",
            field: Some("sha256".into()),
            message: "附件校验码应为 64 位小写十六进制 / sha256 must be 64 lowercase hex digits"
                .into(),
        })
    }
}

/// Nothing the caller can see refers to this content (whether or not
/// another's does: the answer reveals nothing outside the caller's scope).
fn not_referenced() -> ApiError {
    ApiError::NotFound
}

/// Where the upload of `sha256` stands.
pub async fn status(db: &Db, caller: &Caller, sha256: &str) -> Result<UploadStatus, ApiError> {
    let mut conn = db.pool().acquire().await.map_err(db::DbError::from)?;
    let (bytes, _) = attachments::visible_ref(&mut conn, sha256, &caller.roots())
        .await?
        .ok_or_else(not_referenced)?;
    let complete = attachments::blob_exists(&mut conn, sha256).await?;
    let received = if complete {
        bytes
    } else {
        attachments::received(&mut conn, sha256).await?
    };
    Ok(UploadStatus {
        sha256: sha256.to_owned(),
        bytes: bytes as u64,
        received: received as u64,
        complete,
    })
}

/// Takes the piece of `sha256` that starts at `offset`. The last piece
/// checks the whole content against its hash and stores it; a content the
/// server already holds is complete at once (nothing is stored twice).
pub async fn upload(
    db: &Db,
    caller: &Caller,
    sha256: &str,
    offset: u64,
    piece: &[u8],
) -> Result<UploadStatus, ApiError> {
    if piece.is_empty() || piece.len() > MAX_UPLOAD_PIECE {
        return Err(ApiError::BadRequest {
            code: "malformed",
            field: Some("body".into()),
            message: format!(
                "每段应为 1 至 {MAX_UPLOAD_PIECE} 字节 / a piece must hold 1 to {MAX_UPLOAD_PIECE} bytes"
            ),
        });
    }
    let _turn = db.writer_turn().await;
    let mut tx = db.pool().begin().await.map_err(db::DbError::from)?;
    let (bytes, content_type) = attachments::visible_ref(&mut tx, sha256, &caller.roots())
        .await?
        .ok_or_else(not_referenced)?;
    let done = |received: i64| UploadStatus {
        sha256: sha256.to_owned(),
        bytes: bytes as u64,
        received: received as u64,
        complete: received == bytes,
    };
    if attachments::blob_exists(&mut tx, sha256).await? {
        return Ok(done(bytes));
    }
    let received = attachments::received(&mut tx, sha256).await?;
    let mismatch = || ApiError::Conflict {
        code: "offset_mismatch",
        field: Some("Upload-Offset".into()),
        message: format!(
            "服务器已收到 {received} 字节，请从该处续传 / the server holds {received} bytes: resume there"
        ),
    };
    if offset != received as u64 {
        return Err(mismatch());
    }
    let end = offset + piece.len() as u64;
    if end > bytes as u64 {
        return Err(ApiError::invalid(
            "body",
            format!(
                "内容超过记录中登记的 {bytes} 字节 / more bytes than the record declares ({bytes})"
            ),
        ));
    }
    let now = db::now_text();
    let end = attachments::add_piece(&mut tx, sha256, bytes, offset as i64, piece, &now)
        .await?
        .ok_or_else(mismatch)?;
    if end == bytes {
        let whole = attachments::pieces(&mut tx, sha256).await?;
        attachments::drop_upload(&mut tx, sha256).await?;
        if sha256_hex(&whole) != sha256 {
            tx.commit().await.map_err(db::DbError::from)?;
            return Err(ApiError::invalid(
                "body",
                "内容与校验码不符，请从头重新上传 / the bytes do not match the sha256: upload again from the start",
            ));
        }
        attachments::insert_blob(&mut tx, sha256, &content_type, &whole, &now).await?;
    }
    tx.commit().await.map_err(db::DbError::from)?;
    Ok(done(end))
}

/// The stored content: (content type, bytes).
pub async fn download(
    db: &Db,
    caller: &Caller,
    sha256: &str,
) -> Result<(String, Vec<u8>), ApiError> {
    let mut conn = db.pool().acquire().await.map_err(db::DbError::from)?;
    attachments::visible_ref(&mut conn, sha256, &caller.roots())
        .await?
        .ok_or_else(not_referenced)?;
    attachments::blob(&mut conn, sha256)
        .await?
        .ok_or(ApiError::NotFound)
}
