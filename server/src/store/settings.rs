//! Settings shared by every server instance (`server_setting`), made once
//! by the first instance that needs one (the VAPID key).

use super::{Conn, Store, StoreError};
use domain::Timestamp;

/// Whether the database holds the demo organisation (`"demo"`, written by
/// the demo loader) or a real one (`"real"`, written by the organisation
/// import); each refuses the other's database.
pub const DATA_KIND: &str = "data_kind";

/// The stored value of `name`, if any.
pub async fn get(store: &Store, name: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT value FROM server_setting WHERE name = $1")
            .bind(name)
            .fetch_optional(store.pool())
            .await?,
    )
}

/// The stored value of `name`, storing `make()`'s value first when there
/// is none: every instance reads the same one.
pub async fn shared(
    store: &Store,
    name: &str,
    make: impl FnOnce() -> String,
    now: Timestamp,
) -> Result<String, StoreError> {
    let mut c = store.read().await?;
    shared_on(&mut c, name, make, now).await
}

/// [`shared`] on the caller's connection (inside a writer's transaction).
pub async fn shared_on(
    c: &mut Conn,
    name: &str,
    make: impl FnOnce() -> String,
    now: Timestamp,
) -> Result<String, StoreError> {
    let read = || {
        sqlx::query_scalar::<_, String>("SELECT value FROM server_setting WHERE name = $1")
            .bind(name)
    };
    if let Some(v) = read().fetch_optional(&mut *c).await? {
        return Ok(v);
    }
    sqlx::query(
        "INSERT INTO server_setting (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(make())
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    Ok(read().fetch_one(&mut *c).await?)
}
