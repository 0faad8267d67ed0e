//! HTTP handlers, one module per resource. Versioned JSON API under `/api/v1`.

pub mod auth;
pub mod body;
pub mod health;
pub mod sync;
