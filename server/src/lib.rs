//! Tiaojie's server as a library, so integration tests drive the same code
//! the `tiaojie` binary runs.

// Leptos view types of whole pages are deep; release builds (without
// `erase_components`) need more room to compute their layout.
#![recursion_limit = "512"]

pub mod api;
pub mod assets;
pub mod attachments;
pub mod auth;
pub mod cli;
pub mod compliance;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod limits;
pub mod office;
pub mod offline;
pub mod password;
pub mod push_queue;
pub mod reference;
pub mod referral;
pub mod reminders;
pub mod risk;
pub mod rules_cli;
pub mod sample_cli;
pub mod schedule_cli;
pub mod startup;
pub mod state;
pub mod sync;
pub mod telemetry;
