//! The JSON API's handlers, one module per resource, under `/api/v1`:
//! each reads the request into checked types, calls one service function
//! and answers its result; errors map once, in `crate::http::error`.

pub mod accounts;
pub mod attachments;
pub mod auth;
pub mod cases;
pub mod claims;
pub mod duty;
pub mod health;
pub mod inbox;
pub mod office;
pub mod openapi;
pub mod push;
pub mod referral;
pub mod risk;
pub mod sync;
