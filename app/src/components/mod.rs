//! Reusable widgets.

pub mod lang_switch;
pub mod tier_preview;
