//! The organisation the app serves, as the UI's server-rendered pages ask
//! for it (the `app::directory::Directory` port): Home's card of the
//! city's townships, committees and full-time mediators.

use crate::store::{self, Store, StoreError};
use app::directory::{BoxFuture, Directory, OrgSummary};
use domain::{PersonKind, UnitKind};

/// The UI's directory port, answered from the store.
pub struct StoreDirectory(pub Store);

impl Directory for StoreDirectory {
    fn org_summary(&self) -> BoxFuture<'_, Result<Option<OrgSummary>, String>> {
        Box::pin(async move {
            summary(&self.0).await.map_err(|e| {
                tracing::error!(error = %e, "org summary failed");
                "store unavailable".to_owned()
            })
        })
    }
}

async fn summary(store: &Store) -> Result<Option<OrgSummary>, StoreError> {
    let Some(root) = store::org::root(store).await? else {
        return Ok(None);
    };
    let count = |kind| store::org::count_in_subtree(store, &root.path, kind);
    let townships = count(UnitKind::Township).await?;
    let villages = count(UnitKind::Village).await?;
    let communities = count(UnitKind::Community).await?;
    let mediators =
        store::people::count_in_subtree(store, &root.path, PersonKind::MediatorFullTime).await?;
    Ok(Some(OrgSummary {
        name: root.name,
        townships: townships as i64,
        committees: (villages + communities) as i64,
        full_time_mediators: mediators as i64,
    }))
}
