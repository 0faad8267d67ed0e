//! Tiaojie's shared domain: the rules and value types that the phone (wasm32)
//! and the server both use. Pure Rust: no I/O, no framework, no clock — callers
//! pass "now" in. Every value is checked once, when its type is built.

pub mod case;
pub mod case_form;
pub mod case_query;
pub mod dates;
pub mod ids;
pub mod money;
pub mod org;
pub mod people;
pub mod referral;
pub mod rules;
pub mod sample;
pub mod screening;
pub mod sync;
pub mod validate;

pub use ids::{AccountId, CaseId, ClaimId, PersonId, ScreeningId, SessionId, UnitId};
pub use money::Money;
pub use org::UnitKind;
pub use people::{PersonKind, Role};
pub use validate::{Phone, ResidentId};
