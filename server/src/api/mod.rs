//! HTTP handlers, one module per resource. Versioned JSON API under `/api/v1`.

pub mod attachments;
pub mod auth;
pub mod body;
pub mod cases;
pub mod health;
pub mod inbox;
pub mod office;
pub mod openapi;
pub mod push;
pub mod query;
pub mod referral;
pub mod risk;
pub mod sync;
