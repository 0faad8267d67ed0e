//! What every handler can reach.

use crate::db::{self, Db};
use crate::offline::Offline;
use app::AssetPaths;
use app::directory::{Directory, DirectoryHandle, OrgSummary};
use axum::extract::FromRef;
use domain::{PersonKind, UnitKind};
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub leptos_options: LeptosOptions,
    pub assets: AssetPaths,
    /// The store as the UI's server functions see it.
    pub directory: DirectoryHandle,
    /// The app shell and service worker of this build.
    pub offline: Offline,
    /// Log-in and per-device request limits.
    pub limits: Arc<crate::limits::Limits>,
    /// Sync pushes, applied in group commits.
    pub pushes: crate::push_queue::PushQueue,
    /// The Web Push channel, when on: its public key and endpoint check.
    pub web_push: Option<Arc<crate::reminders::web_push::WebPush>>,
    /// Wakes the reminder scheduler to escalate a high-risk case at once.
    pub escalate: Option<Arc<tokio::sync::Notify>>,
}

impl AppState {
    pub fn new(
        db: Db,
        leptos_options: LeptosOptions,
        assets: AssetPaths,
        offline: Offline,
    ) -> AppState {
        let directory: DirectoryHandle = Arc::new(DbDirectory(db.clone()));
        AppState {
            db: db.clone(),
            leptos_options,
            assets,
            directory,
            offline,
            limits: Arc::new(crate::limits::Limits::new()),
            pushes: crate::push_queue::PushQueue::start(db.clone()),
            web_push: None,
            escalate: None,
        }
    }
}

impl FromRef<AppState> for Offline {
    fn from_ref(state: &AppState) -> Self {
        state.offline.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The UI's directory port, answered from the database.
struct DbDirectory(Db);

impl Directory for DbDirectory {
    fn org_summary(&self) -> app::directory::BoxFuture<'_, Result<Option<OrgSummary>, String>> {
        Box::pin(async move {
            load_summary(&self.0).await.map_err(|e| {
                tracing::error!(error = %e, "org summary failed");
                "store unavailable".to_owned()
            })
        })
    }
}

async fn load_summary(db: &Db) -> Result<Option<OrgSummary>, db::DbError> {
    let Some(root) = db::org::root(db).await? else {
        return Ok(None);
    };
    let townships = db::org::count_in_subtree(db, &root.path, UnitKind::Township).await?;
    let villages = db::org::count_in_subtree(db, &root.path, UnitKind::Village).await?;
    let communities = db::org::count_in_subtree(db, &root.path, UnitKind::Community).await?;
    let mediators =
        db::people::count_in_subtree(db, &root.path, PersonKind::MediatorFullTime).await?;
    Ok(Some(OrgSummary {
        name: root.name,
        townships,
        committees: villages + communities,
        full_time_mediators: mediators,
    }))
}
