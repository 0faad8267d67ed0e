//! Reusable widgets.

pub mod lang_switch;
