//! What a page that an office opens online (设备管理, 排查履职, 收件箱)
//! can show: the session must be a supervising office's and the browser
//! online before the server is asked.

use crate::components::office_actions::supervises;
use crate::records::Session;
use crate::sync_client::{self, ActionError};
use std::future::Future;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficeScreen<T> {
    Loading,
    /// No session on this device: nothing is asked of the server.
    LoggedOut,
    /// A mediator's (or finance's) session: nothing is asked either.
    NotOffice,
    Offline,
    Failed(String),
    Ready(T),
}

/// Checks the session and the network, then asks the server with `fetch`.
pub async fn load_office<T, F, Fut>(fetch: F) -> OfficeScreen<T>
where
    F: FnOnce(Session) -> Fut,
    Fut: Future<Output = Result<T, ActionError>>,
{
    let session = match sync_client::session().await {
        Ok(Some(s)) => s,
        Ok(None) => return OfficeScreen::LoggedOut,
        Err(e) => return OfficeScreen::Failed(e),
    };
    if !supervises(&session.role) {
        return OfficeScreen::NotOffice;
    }
    if !sync_client::online() {
        return OfficeScreen::Offline;
    }
    match fetch(session).await {
        Ok(value) => OfficeScreen::Ready(value),
        Err(e) => OfficeScreen::Failed(e.message),
    }
}
