//! The store: one `sqlx::AnyPool` over SQLite (embedded default) or
//! PostgreSQL. Queries are written once in the dialect both accept (`$1`
//! placeholders, `ON CONFLICT`, TEXT ids and timestamps, BIGINT numbers);
//! each database has its own migration folder, kept in step.

pub mod attachments;
pub mod cases;
pub mod org;
pub mod people;
pub mod reference;
pub mod reminders;
pub mod screenings;
pub mod sessions;

use crate::config::DatabaseArgs;
use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use std::path::PathBuf;
use std::sync::Once;
use std::time::Duration;

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a connection talks to.
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
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

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "不支持的数据库地址 / unsupported database URL {0:?}: use sqlite://PATH or postgres://…"
    )]
    UnsupportedUrl(String),
    #[error("无法创建数据库目录 / cannot create the database folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("数据库迁移失败 / migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("数据库错误 / database error: {0}")]
    Sqlx(#[from] sqlx::Error),
}

/// A handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer: writing transactions take turns here instead
    /// of colliding in the file lock and sleeping in its busy handler.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Db {
    /// Connects, creating the SQLite file (and its folder) when missing.
    pub async fn connect(args: &DatabaseArgs) -> Result<Db, DbError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(install_default_drivers);

        let (backend, url) = normalise_url(&args.database_url)?;
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
            .max_connections(args.db_max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect(&url)
            .await?;
        tracing::info!(backend = backend.name(), "database connected");
        Ok(Db {
            pool,
            backend,
            writer: Default::default(),
        })
    }

    /// Applies the embedded migrations that have not run yet.
    #[tracing::instrument(skip_all, fields(backend = self.backend.name()), err)]
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Refreshes the query planner's statistics (after a bulk load).
    pub async fn analyze(&self) -> Result<(), DbError> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    /// A round trip to the database, for `/healthz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(())
    }

    /// Held for the length of a writing transaction that may run often and
    /// concurrently (sync pushes). On SQLite it queues the writers in this
    /// process; PostgreSQL needs no turn (its row locks order writers).
    pub async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.writer.lock().await),
            Backend::Postgres => None,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Recognises the backend and, for SQLite, makes sure the file can be created:
/// its folder exists and the open mode is read-write-create.
fn normalise_url(url: &str) -> Result<(Backend, String), DbError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_owned()));
    }
    let scheme = || url.split_once(':').map_or("", |(s, _)| s).to_owned();
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Err(DbError::UnsupportedUrl(scheme()));
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(DbError::UnsupportedUrl(scheme()));
    }
    let folder = std::path::Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = folder.filter(|_| path != ":memory:") {
        std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
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

/// Now, as stored: RFC 3339 UTC with exactly six fractional digits, so that
/// text order is time order.
pub fn now_text() -> String {
    timestamp_text(jiff::Timestamp::now())
}

pub fn timestamp_text(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The bind parameters of a multi-row INSERT of `rows` rows of `cols`
/// columns, bound in order: `($1, $2, …), ($k, …)` on PostgreSQL, `(?, ?,
/// …)` on SQLite. (sqlx binds a numbered parameter by asking SQLite its
/// name, which SQLite finds by a linear scan: quadratic in the parameter
/// count, a third of a 500-case push's time. `?` binds by position.)
pub(crate) fn values_placeholders(backend: Backend, rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        out.push_str(&list_placeholders_from(backend, r * cols + 1, cols));
        out.push(')');
    }
    out
}

/// `$1, $2, …, $n` (PostgreSQL) or `?, ?, …` (SQLite): a list of `n`
/// parameters that are the statement's only ones, bound in order.
pub(crate) fn list_placeholders(backend: Backend, n: usize) -> String {
    list_placeholders_from(backend, 1, n)
}

fn list_placeholders_from(backend: Backend, first: usize, n: usize) -> String {
    let mut out = String::with_capacity(n * 5);
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        match backend {
            Backend::Sqlite => out.push('?'),
            Backend::Postgres => {
                out.push('$');
                out.push_str(&(first + i).to_string());
            }
        }
    }
    out
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
            Err(DbError::UnsupportedUrl(_))
        ));
    }

    #[test]
    fn timestamps_sort_as_text() {
        let a = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let b = a + jiff::SignedDuration::from_millis(500);
        let (ta, tb) = (timestamp_text(a), timestamp_text(b));
        assert_eq!(ta, "2023-11-14T22:13:20.000000Z");
        assert!(ta < tb, "{ta} < {tb}");
    }

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(
            values_placeholders(Backend::Postgres, 2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(values_placeholders(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(list_placeholders(Backend::Postgres, 3), "$1, $2, $3");
        assert_eq!(list_placeholders(Backend::Sqlite, 2), "?, ?");
    }
}
