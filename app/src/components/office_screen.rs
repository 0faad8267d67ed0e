//! What a page opened online (设备管理, 排查履职 for offices; 收件箱 for
//! everyone logged in) can show: the session must be there (an office's
//! where the page is an office's) and the browser online before the
//! server is asked.

use crate::components::office_actions::supervises;
use crate::online::{self, ActionError};
use crate::records::Session;
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

/// Checks the session (a supervising office's) and the network, then
/// asks the server with `fetch`.
pub async fn load_office<T, F, Fut>(fetch: F) -> OfficeScreen<T>
where
    F: FnOnce(Session) -> Fut,
    Fut: Future<Output = Result<T, ActionError>>,
{
    load(fetch, true).await
}

/// [`load_office`] for a page everyone logged in opens (the inbox).
pub async fn load_signed_in<T, F, Fut>(fetch: F) -> OfficeScreen<T>
where
    F: FnOnce(Session) -> Fut,
    Fut: Future<Output = Result<T, ActionError>>,
{
    load(fetch, false).await
}

async fn load<T, F, Fut>(fetch: F, offices_only: bool) -> OfficeScreen<T>
where
    F: FnOnce(Session) -> Fut,
    Fut: Future<Output = Result<T, ActionError>>,
{
    let session = match online::session().await {
        Ok(Some(s)) => s,
        Ok(None) => return OfficeScreen::LoggedOut,
        Err(e) => return OfficeScreen::Failed(e.message),
    };
    if offices_only && !supervises(&session.role) {
        return OfficeScreen::NotOffice;
    }
    if !online::online() {
        return OfficeScreen::Offline;
    }
    match fetch(session).await {
        Ok(value) => OfficeScreen::Ready(value),
        Err(e) => OfficeScreen::Failed(e.message),
    }
}
