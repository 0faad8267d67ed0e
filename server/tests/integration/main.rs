//! The server's integration tests, one binary: the real server on a
//! loopback port over a fresh SQLite file or a fresh PostgreSQL schema
//! (`support`), driven over HTTP as a phone or an office would.

#[macro_use]
mod support;

mod accounts;
mod api_health;
mod attachments;
mod capabilities;
mod case_numbers;
mod claims;
mod cli;
mod duplicates;
mod duty;
mod fuzz_push;
mod history;
mod login_gate;
mod major_cases;
mod migrations;
mod money_trail;
mod office;
mod offline_shell;
mod openapi;
mod openapi_samples;
mod org_import;
mod push_queue;
mod reference;
mod referral;
mod reminders;
mod request_limits;
mod risk;
mod schedules;
mod screenings;
mod security_headers;
mod seed_demo;
mod server_owned;
mod sessions;
mod spot_checks;
mod ssr_soak;
mod strict_wire;
mod sync;
mod sync_crash;
mod timeouts;
mod wire_golden;
