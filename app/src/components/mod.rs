//! Reusable widgets.

pub mod lang_switch;
pub mod pending_sync;
pub mod tier_preview;
