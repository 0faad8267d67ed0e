//! The server's verdict on a case's subsidy tier (核定档次), and which
//! committee a case is judged as.

use super::CommitteeKind;
use crate::UnitKind;
use serde::{Deserialize, Serialize};

/// The subsidy tier as the server computed it with the shared rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verdict {
    /// e.g. `"A"`; none while open or when nothing is earned.
    pub tier: Option<String>,
    /// The subsidy (补助) in yuan, a decimal string, e.g. `"30.00"`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("30.00")))]
    pub amount: crate::Money,
}

impl Verdict {
    /// No tier, nothing earned (open, or no condition met).
    pub fn none() -> Verdict {
        Verdict {
            tier: None,
            amount: crate::Money::ZERO,
        }
    }
}

impl CommitteeKind {
    /// The committee a case registered at a unit of kind `unit` is judged
    /// as: the unit's own, or — a group is no committee — its parent's
    /// (`parent`), if that is one.
    pub fn judging(unit: UnitKind, parent: Option<UnitKind>) -> Option<CommitteeKind> {
        CommitteeKind::of_unit(unit).or_else(|| parent.and_then(CommitteeKind::of_unit))
    }
}
