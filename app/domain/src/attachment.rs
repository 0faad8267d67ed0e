//! Photos and files kept with a case or a screening record (附件): the
//! reference a record carries, and what the server accepts. The bytes live
//! apart: on the phone as a Blob, on the server once per content, named by
//! its SHA-256 (docs/sync.md, "Attachments").

use crate::rules::FormCode;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A photo or file kept with the case, e.g. the signed paper agreement.
/// The bytes live apart (on the phone as a Blob; on the server by sha256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentRef {
    /// UUID v7, made on the device.
    pub id: String,
    /// The dossier form this is a picture of, if any (e.g. `agreement`).
    pub form: Option<FormCode>,
    /// When the photo was taken (evidence).
    pub taken_at: Timestamp,
    /// Where, if the user allowed the position.
    pub position: Option<Position>,
    pub bytes: u64,
    pub content_type: String,
    /// The bytes' SHA-256, lowercase hex: the server keeps each content once
    /// under this name (content-addressed). Photos taken before it was
    /// recorded get it at their first sync.
    #[serde(default)]
    pub sha256: Option<String>,
}

/// The largest photo or file the server accepts (the phone compresses
/// photos to well under this).
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;

/// The kinds of file a case may keep.
pub const ATTACHMENT_TYPES: [&str; 4] =
    ["image/jpeg", "image/png", "image/webp", "application/pdf"];

/// Whether `text` is a SHA-256 as the server names contents: 64 lowercase hex.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A position in millionths of a degree (about 0.1 m), so it compares exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Position {
    pub lat_e6: i32,
    pub lon_e6: i32,
    /// Accuracy the device reported, in metres.
    pub accuracy_m: u32,
}
