use serde::{Deserialize, Serialize};

/// The largest piece of an attachment one request may carry.
pub const MAX_UPLOAD_PIECE: usize = 1024 * 1024;

/// Where an attachment's upload stands (`GET /api/v1/attachments/{sha256}/upload`
/// and the answer to each uploaded piece): send the bytes from `received`
/// on, until `complete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadStatus {
    pub sha256: String,
    /// The whole content's size, as the case's attachment declares it.
    pub bytes: u64,
    /// Bytes the server holds so far (the offset of the next piece).
    pub received: u64,
    /// All bytes arrived and matched the SHA-256 (or the server had them).
    pub complete: bool,
}
