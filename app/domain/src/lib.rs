//! Tiaojie's shared domain: the rules and value types that the phone (wasm32)
//! and the server both use. Pure Rust: no I/O, no framework, no clock — callers
//! pass "now" in. Every value is checked once, when its type is built.

pub mod api;
pub mod attachment;
pub mod capability;
pub mod case;
pub mod case_form;
pub mod case_query;
pub mod claim;
pub mod dates;
pub mod duplicate;
pub mod fixed_pay;
pub mod fixed_payroll;
pub mod ids;
pub mod mix;
pub mod money;
pub mod money_trail;
pub mod org;
pub mod people;
pub mod problem;
pub mod reconcile;
pub mod referral;
pub mod risk;
pub mod rules;
pub mod sample;
pub mod screening;
pub mod special;
pub mod spot_check;
pub mod strict;
pub mod sync;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod time;
pub mod validate;
#[cfg(feature = "openapi")]
pub mod wire_schema;

pub use capability::Capability;
pub use ids::{
    AccountId, CaseId, ClaimId, DeviceId, DeviceSessionId, InboxItemId, MutationId, PaymentId,
    PersonId, ScreeningId, SessionId, UnitId,
};
pub use money::Money;
pub use org::{UnitKind, UnitPath};
pub use people::{PersonKind, Role};
pub use time::Timestamp;
pub use validate::{Phone, ResidentId};
