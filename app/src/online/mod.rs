//! The phone's online side (docs/sync.md, "The app's side"):
//!
//! - `client` — the typed API client: one function per endpoint, a typed
//!   error (offline, revoked, refused with code and field);
//! - `account` — log-in, the session, log-out;
//! - `actions` — what the online screens do on the server (offices' locks,
//!   risk steps, referral, devices, the compliance view, the inbox);
//! - `engine` — the sync loop: push the outbox, upload photos, pull, with
//!   back-off; its decisions are `crate::sync_plan`'s, pure and tested;
//! - `upload` — photos in resumable pieces;
//! - `web_push` — the device's Web Push subscription;
//! - `agent` — the status signal and the component that starts syncs.
//!
//! The network is reached only from lazily loaded code (`engine::run_sync`,
//! `account::end_session`, `web_push::register_push`, the online screens),
//! so the HTTP client stays out of Home's first load.

mod account;
mod actions;
mod agent;
#[cfg(feature = "hydrate")]
mod client;
#[cfg(feature = "hydrate")]
mod engine;
#[cfg(feature = "hydrate")]
mod upload;
#[cfg(feature = "hydrate")]
mod web_push;

pub use account::{login, logout, session, use_may};
pub use actions::{
    AccountView, ActionError, CaseLock, DeviceSession, NEEDS_NETWORK, accounts, case_history,
    case_referral, case_risk, claim, claim_draft, claim_slip, claims, claims_file, compliance,
    confirm_receipt, decide_duty, decide_special, devices, draw_spot_check, duplicates, duty_month,
    inbox, mark_inbox_read, money_trail, my_subsidy, online, pay_fixed_mediator,
    pay_fixed_township, pay_mediator, pay_township, payroll, reconciliation, record_call,
    referral_step, review_major, revoke_device, risk_step, server_case, set_account_disabled,
    set_case_lock, set_password, sign_claim, sign_many, submit_claim,
};
pub use agent::{SyncAgent, SyncStatus, sync_now, use_sync_status};
#[cfg(feature = "hydrate")]
pub use web_push::register_push;
