//! The store: every SQL statement of the server, behind methods that speak
//! the domain's types (`CaseId`, `UnitPath`, `Role`, `Timestamp`, `Money`)
//! and answer [`StoreError`]. Services ask it questions; nothing above it
//! sees a statement, a row or a driver type but the connection handles
//! ([`Conn`], [`Tx`]).
//!
//! Both databases are served by one `sqlx::AnyPool`: SQLite (the embedded
//! default) and PostgreSQL. A statement whose text never changes is a
//! constant written in the dialect both accept (`$1` placeholders, `ON
//! CONFLICT`, TEXT ids and timestamps, BIGINT numbers). A statement whose
//! shape depends on its input (a list of ids, a batch of rows, a set of
//! subtrees) is built with `sea-query` and rendered for the connection's
//! dialect (`sql::render`). No value is ever written into SQL text: every
//! value is bound. docs/data-model.md says why.

mod conn;
mod error;
mod sql;

pub mod accounts;
pub mod attachments;
pub mod cases;
pub mod claims;
pub mod duty;
pub mod history;
pub mod inbox;
pub mod marks;
pub mod numbers;
pub mod org;
pub mod ownership;
pub mod page;
pub mod people;
pub mod reference;
pub mod reminders;
pub mod screenings;
pub mod sessions;
pub mod settings;
pub mod spot_checks;
pub mod sync_state;

pub use conn::{Conn, Pooled, Savepoint, Tx};
pub use error::StoreError;

use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use std::path::Path;
use std::sync::{Arc, Once};
use std::time::Duration;

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a connection talks to.
    pub(crate) fn of(conn: &Conn) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer: writing transactions take turns here instead
    /// of colliding in the file lock and sleeping in its busy handler.
    writer: Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    /// Connects to `url` (`sqlite://PATH` or `postgres://…`), creating the
    /// SQLite file and its folder when missing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store, StoreError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(install_default_drivers);

        let (backend, url) = normalise_url(url)?;
        if backend == Backend::Sqlite {
            // Write-ahead logging lets readers and the writer work at once; it
            // is stored in the file, so setting it once, alone, is enough.
            use sqlx::Connection;
            let mut conn = sqlx::AnyConnection::connect(&url).await?;
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&mut conn)
                .await?;
            conn.close().await?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect(&url)
            .await?;
        tracing::info!(backend = backend.name(), "database connected");
        Ok(Store {
            pool,
            backend,
            writer: Default::default(),
        })
    }

    /// Applies the embedded migrations that have not run yet.
    #[tracing::instrument(skip_all, fields(backend = self.backend.name()), err)]
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator.run(&self.pool).await?;
        marks::index_all(self).await
    }

    /// Refreshes the query planner's statistics (after a bulk load).
    pub async fn analyze(&self) -> Result<(), StoreError> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    /// A round trip to the database, for `/healthz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(())
    }

    /// A connection for reads (or single-statement writes), back to the
    /// pool when dropped.
    pub async fn read(&self) -> Result<Pooled, StoreError> {
        Ok(Pooled::new(self.pool.acquire().await?))
    }

    /// A writing transaction that may run often and concurrently (a push,
    /// an office's change, a photo piece): on SQLite it first waits for the
    /// writers of this process before it, in turn; PostgreSQL needs no turn
    /// (its row locks order writers). Dropped without `commit`, it rolls
    /// back.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        let turn = match self.backend {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        Ok(Tx::new(self.pool.begin().await?, turn))
    }

    /// A transaction without a writer's turn: for a bulk load or a rare
    /// write that may wait in SQLite's busy handler.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(Tx::new(self.pool.begin().await?, None))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool itself: for tests and benches that look at the database
    /// directly. The server's own code asks the store's functions.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Recognises the backend and, for SQLite, makes sure the file can be created:
/// its folder exists and the open mode is read-write-create.
fn normalise_url(url: &str) -> Result<(Backend, String), StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_owned()));
    }
    let scheme = || url.split_once(':').map_or("", |(s, _)| s).to_owned();
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Err(StoreError::UnsupportedUrl(scheme()));
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(StoreError::UnsupportedUrl(scheme()));
    }
    let folder = Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = folder.filter(|_| path != ":memory:") {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_owned(),
            source,
        })?;
    }
    let query = if query.split('&').any(|kv| kv.starts_with("mode=")) {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok((Backend::Sqlite, format!("sqlite://{path}?{query}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode_and_postgres_passes_through() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nested/tiaojie.db");
        let (b, url) = normalise_url(&format!("sqlite://{}", file.display())).unwrap();
        assert_eq!(b, Backend::Sqlite);
        assert!(url.ends_with("?mode=rwc"), "{url}");
        assert!(file.parent().unwrap().is_dir(), "folder is created");
        let (_, url) = normalise_url("sqlite://x.db?mode=ro").unwrap();
        assert_eq!(url, "sqlite://x.db?mode=ro");
        let (b, _) = normalise_url("postgres://127.0.0.1/test").unwrap();
        assert_eq!(b, Backend::Postgres);
        assert!(matches!(
            normalise_url("mysql://x"),
            Err(StoreError::UnsupportedUrl(_))
        ));
    }
}
