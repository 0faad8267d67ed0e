//! The facts of a case that the rules read (the CLI's and the API's input).

use super::{CommitteeKind, FormCode, Method, Outcome};
use crate::money::Money;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One case as the rules see it. Documented in `docs/rules.md`; the app's
/// case records map onto it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFacts {
    pub committee: CommitteeKind,
    #[serde(with = "crate::dates::iso")]
    pub closed_on: Date,
    pub method: Method,
    pub outcome: Outcome,
    /// Mediation sessions held.
    pub sessions: u32,
    /// 口头协议登记表 filled in.
    pub oral_register: bool,
    /// Documents present in the dossier.
    pub forms: BTreeSet<FormCode>,
    /// Dossier archived to the standard.
    pub archived: bool,
    /// Entered in the official system, or e-dossier complete.
    pub recorded: bool,
    pub deaths: u32,
    /// Worst disability grade among the parties, 1 (most severe) to 10.
    #[serde(default)]
    pub disability_grade: Option<u8>,
    /// Mediated by this committee alone.
    pub independent: bool,
    /// Declared especially grave (重特大).
    pub special: bool,
    /// Set by the bureau's party group for special cases.
    #[serde(default)]
    pub approved_amount: Option<Money>,
}

/// A bad input, with the field it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FactsError {
    /// The JSON path of the field, e.g. `committee`; `.` for the whole object.
    pub field: String,
    pub message: String,
}

impl CaseFacts {
    /// Checks what the types cannot: ranges and combinations.
    pub fn check(&self) -> Result<(), FactsError> {
        let err = |field: &str, message: &str| {
            Err(FactsError {
                field: field.to_owned(),
                message: message.to_owned(),
            })
        };
        if self
            .disability_grade
            .is_some_and(|g| !(1..=10).contains(&g))
        {
            return err(
                "disability_grade",
                "伤残等级应为1至10级 / must be a grade from 1 to 10, or null",
            );
        }
        if self.approved_amount.is_some() && !self.special {
            return err(
                "approved_amount",
                "仅重特大纠纷有审批金额 / only a special case has an approved amount",
            );
        }
        if self.approved_amount == Some(Money::ZERO) {
            return err(
                "approved_amount",
                "审批金额应大于0 / an approved amount must be more than 0",
            );
        }
        if self.outcome == Outcome::Agreed && self.sessions == 0 && self.method == Method::General {
            return err(
                "sessions",
                "调解成功的一般纠纷至少有1次调解 / an agreed general case has at least one session",
            );
        }
        if self.forms.iter().any(|f| f.as_str().trim().is_empty()) {
            return err("forms", "文书代码不能为空 / a form code must not be empty");
        }
        Ok(())
    }
}

/// Parses and checks one JSON object; the error names the field.
pub fn parse_facts(json: &str) -> Result<CaseFacts, FactsError> {
    let de = &mut serde_json::Deserializer::from_str(json);
    let facts: CaseFacts = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        FactsError {
            field,
            message: e.into_inner().to_string(),
        }
    })?;
    facts.check()?;
    Ok(facts)
}
