//! What the server does, as plain functions over the store: each module is
//! one concern and answers its own typed error, which the HTTP layer maps
//! to a status and a body once (`crate::http::error`). Services take the
//! [`Caller`] and the [`crate::store::Store`]; they never see a request.

pub mod accounts;
pub mod attachments;
pub mod auth;
pub mod caller;
pub mod cases;
pub mod claim_files;
pub mod claim_print;
pub mod claims;
pub mod directory;
pub mod duplicates;
pub mod duty;
pub mod fixed_payroll;
pub mod money_trail;
pub mod office;
pub mod org_import;
pub mod password;
pub mod push;
pub mod reference;
pub mod referral;
pub mod reminders;
pub mod risk;
pub mod special_cases;
pub mod spot_checks;
pub mod sync;

pub use caller::{Caller, Scope};
