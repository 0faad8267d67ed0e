//! Applying a push and answering a pull (docs/sync.md). A push is one
//! database transaction: every mutation in it is applied, rejected or
//! merged, its answer stored under (device, seq), and the device's last
//! seq advanced, or nothing is. A replayed seq gets its stored answer, so
//! a push retried after a dropped connection or a killed server has
//! exactly-once effect.
//!
//! - `decide` — the decisions about one case mutation, pure, table-tested;
//! - `apply` — the I/O around them: what a push reads and writes;
//! - `numbers` — case numbers, unique per committee and year;
//! - `refusal` — every refusal's code, field and text;
//! - `queue` — the group commit that applies concurrent pushes together;
//! - `pull` — the pull's pages.

mod apply;
mod decide;
mod numbers;
mod pull;
mod queue;
mod refusal;

pub use apply::{Shared, push_in, push_shared};
pub(crate) use pull::raw;
pub use pull::{PullPage, PulledChange, page_limit, pull};
pub use queue::PushQueue;

use crate::store::StoreError;
use domain::sync::{MAX_PUSH_MUTATIONS, PushRequest};

/// Why a whole push or pull was refused (each mutation's own refusal is
/// its answer, not an error).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// More mutations than one push may carry.
    #[error("at most {MAX_PUSH_MUTATIONS} mutations per push")]
    BatchTooLarge,
    /// The seqs do not start at 1 and strictly increase (`field` is the
    /// first at fault).
    #[error("{field}: seq out of order")]
    SeqOrder { field: String },
    /// A number out of range.
    #[error("{field}: malformed")]
    Malformed { field: String, message: String },
    /// A query value refused (a pull's cursor or page size).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The push is not under the caller's own device id.
    #[error("not the caller's device")]
    Forbidden,
    /// The push queue stopped (the server is shutting down).
    #[error("unavailable: {0}")]
    Unavailable(&'static str),
    /// The transaction of a group of pushes failed: none of them is
    /// stored (the devices retry).
    #[error("push transaction failed: {0}")]
    Failed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks what can be checked before touching the database: batch size and
/// seq order. A bad batch is refused whole, nothing stored.
pub fn check_batch(req: &PushRequest) -> Result<(), SyncError> {
    if req.mutations.len() > MAX_PUSH_MUTATIONS {
        return Err(SyncError::BatchTooLarge);
    }
    let mut last = 0;
    for (i, m) in req.mutations.iter().enumerate() {
        if m.seq == 0 || m.seq <= last || m.seq > i64::MAX as u64 {
            return Err(SyncError::SeqOrder {
                field: format!("mutations[{i}].seq"),
            });
        }
        last = m.seq;
        if m.base_version > i64::MAX as u64 {
            return Err(SyncError::Malformed {
                field: format!("mutations[{i}].base_version"),
                message: "版本号无效 / invalid version".into(),
            });
        }
    }
    Ok(())
}
