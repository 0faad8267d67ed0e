use crate::Role;
use crate::ids::{CaseId, PersonId};
use crate::risk::{RiskAction, RiskAssessment, RiskLevelDef};
use serde::{Deserialize, Serialize};

/// Someone who may be named responsible (包保人) for a case's risk: a
/// mediator or committee head of its committee or an office above it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskCandidate {
    pub person_id: PersonId,
    pub name: String,
    pub unit_name: String,
    /// e.g. `mediator`, `judicial_staff`.
    pub role: Role,
}

/// A case's risk assessment as the case page shows it (`GET` and `PUT
/// /api/v1/cases/{id}/risk`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRisk {
    pub case_id: CaseId,
    /// The case's version after the step (devices pull it).
    pub version: u64,
    /// The level recorded on the case (`high`…).
    pub level: String,
    /// None before the first step: the level on the case is the group's
    /// provisional one.
    pub assessment: Option<RiskAssessment>,
    pub levels: Vec<RiskLevelDef>,
    pub candidates: Vec<RiskCandidate>,
}

/// `PUT /api/v1/cases/{id}/risk`: one step of the assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RiskStepRequest {
    /// `agree` (村议定, the committee), `confirm` (乡审定), `downgrade`
    /// (降级) or `close` (销号) (the township's judicial office).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub action: RiskAction,
    /// The level agreed, confirmed or downgraded to.
    #[serde(default)]
    pub level: Option<String>,
    /// The responsible person (包保人), one of the candidates; needed to
    /// confirm a high level.
    #[serde(default)]
    pub responsible: Option<PersonId>,
    /// Why (needed to close out).
    #[serde(default)]
    pub note: String,
}
