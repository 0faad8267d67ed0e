//! The organisation directory as the UI sees it, and the server function that
//! reads it. The server plugs its database in through [`Directory`], provided
//! as context, so this crate never talks to a database itself.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The root of the organisation tree with its headline figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    /// e.g. 楚雄市
    pub name: String,
    pub townships: i64,
    /// Village and community committees.
    pub committees: i64,
    pub full_time_mediators: i64,
}

#[cfg(feature = "ssr")]
pub use port::{BoxFuture, Directory, DirectoryHandle};

#[cfg(feature = "ssr")]
mod port {
    use super::OrgSummary;
    use std::{future::Future, pin::Pin, sync::Arc};

    pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    /// What the UI needs from the server's store. Implemented by the server.
    pub trait Directory: Send + Sync + 'static {
        /// `Err` carries a short reason; the server logs the detail itself.
        fn org_summary(&self) -> BoxFuture<'_, Result<Option<OrgSummary>, String>>;
    }

    /// Shared handle put in the Leptos context for server functions.
    pub type DirectoryHandle = Arc<dyn Directory>;
}

/// Reads the organisation summary (root unit and its counts).
#[server(prefix = "/api/fn")]
pub async fn load_org_summary() -> Result<Option<OrgSummary>, ServerFnError> {
    let directory = use_context::<DirectoryHandle>()
        .ok_or_else(|| ServerFnError::new("directory not provided"))?;
    directory
        .org_summary()
        .await
        .map_err(|_| ServerFnError::new("store unavailable"))
}
