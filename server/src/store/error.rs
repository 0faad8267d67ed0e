//! What can go wrong below the services: the store's one error type.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// What was asked for is not there.
    #[error("not found")]
    NotFound,
    /// A unique key is taken (another writer got there first).
    #[error("a unique key is taken: {0}")]
    Conflict(String),
    /// A stored value does not read as its type (a bad id, an unknown
    /// role): the database was written by something else, or edited.
    #[error("stored data does not read: {0}")]
    Corrupt(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict(d.message().to_owned())
            }
            other => StoreError::Database(other),
        }
    }
}

impl StoreError {
    /// A stored value that does not read as `what`.
    pub(crate) fn corrupt(what: &str, value: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(format!("{what}: {value}"))
    }
}
