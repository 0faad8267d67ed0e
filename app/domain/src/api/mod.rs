//! The messages of the JSON API (`/api/v1/…`) other than the sync
//! protocol's (`crate::sync`): log-in, the case as the server holds it, an
//! office's lock, the risk assessment, referral, the inbox, devices,
//! attachments' uploads, Web Push subscriptions, and the error body every
//! refusal carries. Part of the protocol: the phone and the server both
//! use these types, and `server/tests/fixtures/wire.json` pins their JSON.
//! docs/sync.md describes the endpoints.

mod attachments;
mod auth;
mod cases;
mod claims;
mod error;
mod inbox;
mod office;
mod push;
mod referral;
mod risk;

pub use attachments::{MAX_UPLOAD_PIECE, UploadStatus};
pub use auth::{Identity, LoginRequest, LoginResponse, ScopeView};
pub use cases::{
    CaseHistory, CaseLock, CaseVersion, LockRequest, MajorReviewRequest, MajorReviewed,
    OverriddenValue, ServerCase,
};
pub use claims::{
    BulkStepAnswer, BulkStepRequest, BulkStepResult, CallBacksDue, ClaimAt, ClaimDraft,
    ClaimSummary, ClaimView, MAX_BULK_CLAIMS, MediatorPaymentRequest, MyLine, MySubsidy, NewClaim,
    ReceiptRequest, StepRequest, TownshipPaymentRequest,
};
pub use error::{ErrorBody, ErrorCode};
pub use inbox::{Inbox, InboxItem, InboxKind};
pub use office::{AccountView, DeviceSession, PasswordRequest};
pub use push::{EndpointBody, PushKey, SubscriptionBody, SubscriptionKeys};
pub use referral::{CaseOwnership, ReferralAction, ReferralRequest, ReferralTarget};
pub use risk::{CaseRisk, RiskCandidate, RiskStepRequest};
