//! Connection handles: what a service holds while it asks the store
//! several questions in one transaction. They deref to the driver's
//! connection, which only the store's functions use.

use sqlx::pool::PoolConnection;
use sqlx::{Any, Transaction};
use std::ops::{Deref, DerefMut};
use tokio::sync::OwnedMutexGuard;

/// A connection, inside a transaction or not: what every store function
/// that is part of a larger unit of work takes.
pub type Conn = sqlx::AnyConnection;

/// A pooled connection, for reads.
pub struct Pooled(PoolConnection<Any>);

impl Pooled {
    pub(super) fn new(c: PoolConnection<Any>) -> Pooled {
        Pooled(c)
    }
}

impl Deref for Pooled {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.0
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.0
    }
}

/// A transaction, with the writer's turn it holds on SQLite. Rolled back
/// when dropped without [`Tx::commit`].
pub struct Tx {
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl Tx {
    pub(super) fn new(tx: Transaction<'static, Any>, turn: Option<OwnedMutexGuard<()>>) -> Tx {
        Tx { tx, _turn: turn }
    }

    pub async fn commit(self) -> Result<(), super::StoreError> {
        Ok(self.tx.commit().await?)
    }

    /// Undoes everything now (not later, when the connection goes back to
    /// the pool).
    pub async fn rollback(self) -> Result<(), super::StoreError> {
        Ok(self.tx.rollback().await?)
    }

    /// A savepoint inside this transaction: undone alone by
    /// [`Savepoint::rollback`].
    pub async fn savepoint(&mut self) -> Result<Savepoint<'_>, super::StoreError> {
        use sqlx::Acquire;
        Ok(Savepoint((&mut *self.tx).begin().await?))
    }
}

impl Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

/// A savepoint of a [`Tx`].
pub struct Savepoint<'a>(Transaction<'a, Any>);

impl Savepoint<'_> {
    pub async fn commit(self) -> Result<(), super::StoreError> {
        Ok(self.0.commit().await?)
    }

    pub async fn rollback(self) -> Result<(), super::StoreError> {
        Ok(self.0.rollback().await?)
    }
}

impl Deref for Savepoint<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.0
    }
}

impl DerefMut for Savepoint<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.0
    }
}
