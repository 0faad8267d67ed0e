//! Tiaojie's server as a library, so integration tests drive the same code
//! the `tiaojie` binary runs. Layers, each importing only those below it:
//!
//! - [`http`] — the router, extractors, the one error mapping, handlers;
//! - [`service`] — what the server does, one module per concern;
//! - [`store`] — every SQL statement, domain types in and out;
//! - `domain` (its own crate) — the shared rules and value types.
//!
//! Beside them: [`cli`] (the commands), [`startup`] (binding and serving),
//! [`demo`] (the demo organisation and its cases), [`config`], [`telemetry`].

// Leptos view types of whole pages are deep; release builds (without
// `erase_components`) need more room to compute their layout.
#![recursion_limit = "512"]

pub mod cli;
pub mod config;
pub mod demo;
pub mod http;
pub mod service;
pub mod startup;
pub mod store;
pub mod telemetry;
