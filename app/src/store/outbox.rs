//! The outbox: changes made on the phone that the server has not yet
//! acknowledged. Each has a client-made UUID v7 `mutation_id`, so the
//! server can apply a replayed change exactly once (the sync issue's protocol).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxOp {
    Upsert,
    Delete,
}

/// One pending change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// UUID v7: unique, and sorts by creation time.
    pub mutation_id: String,
    /// e.g. `case`
    pub entity: String,
    pub entity_id: String,
    pub op: OutboxOp,
    /// The entity's version this change was made on (conflict detection).
    pub base_version: u64,
    pub created_at: String,
}

impl OutboxEntry {
    /// A new change to `entity` `entity_id`, made on `base_version`.
    pub fn new(
        entity: &str,
        entity_id: &str,
        op: OutboxOp,
        base_version: u64,
        created_at: String,
    ) -> OutboxEntry {
        OutboxEntry {
            mutation_id: uuid::Uuid::now_v7().to_string(),
            entity: entity.to_owned(),
            entity_id: entity_id.to_owned(),
            op,
            base_version,
            created_at,
        }
    }
}
