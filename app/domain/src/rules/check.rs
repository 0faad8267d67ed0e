//! Checking a rule set file: every problem, each with where it is.

use super::{Condition, RuleSet, TierAmount};
use crate::money::Money;
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;

/// One problem in a rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where: `tiers[2].conditions[0]`, `effective_until`, or `.` for the file.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Parses a rule set file and checks it. A file that does not parse reports
/// the first syntax or type error; one that parses reports every rule problem.
pub fn parse_rule_set(json: &str) -> Result<RuleSet, Vec<Problem>> {
    let de = &mut serde_json::Deserializer::from_str(json);
    let rs: RuleSet = serde_path_to_error::deserialize(de).map_err(|e| {
        vec![Problem {
            path: e.path().to_string(),
            message: e.into_inner().to_string(),
        }]
    })?;
    let problems = check(&rs);
    if problems.is_empty() {
        Ok(rs)
    } else {
        Err(problems)
    }
}

/// Every problem of a parsed rule set; empty when it is sound.
pub fn check(rs: &RuleSet) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut problem = |path: String, message: &str| {
        out.push(Problem {
            path,
            message: message.to_owned(),
        })
    };

    if rs.id.trim().is_empty() || rs.id.contains(char::is_whitespace) {
        problem(
            "id".into(),
            "不能为空或含空格 / must be non-empty without spaces",
        );
    }
    if rs.name_zh.trim().is_empty() {
        problem("name_zh".into(), "不能为空 / must not be empty");
    }
    if rs.name_en.trim().is_empty() {
        problem("name_en".into(), "不能为空 / must not be empty");
    }
    if rs.locality.trim().is_empty() {
        problem("locality".into(), "不能为空 / must not be empty");
    }
    if rs
        .effective_until
        .is_some_and(|until| until < rs.effective_from)
    {
        problem(
            "effective_until".into(),
            "早于 effective_from / is before effective_from",
        );
    }
    let mut seen = HashSet::new();
    for (i, c) in rs.eligible_committees.iter().enumerate() {
        if !seen.insert(c) {
            problem(format!("eligible_committees[{i}]"), "重复 / listed twice");
        }
    }
    if !rs.tiers.is_empty() && rs.eligible_committees.is_empty() {
        problem(
            "eligible_committees".into(),
            "有档次却没有适用的调委会 / tiers but no eligible committee",
        );
    }
    if rs.spot_check.is_some_and(|r| !r.is_sound()) {
        problem(
            "spot_check".into(),
            "抽查比例应为 1–100，每件申报至少抽 1 件 / percent 1–100, at least 1",
        );
    }
    let mut forms = HashSet::new();
    for (i, f) in rs.required_forms.iter().enumerate() {
        if f.as_str().trim().is_empty() {
            problem(
                format!("required_forms[{i}]"),
                "文书代码不能为空 / empty form code",
            );
        } else if !forms.insert(f) {
            problem(format!("required_forms[{i}]"), "重复 / listed twice");
        }
    }

    let mut codes = HashSet::new();
    for (t, tier) in rs.tiers.iter().enumerate() {
        let at = |rest: &str| format!("tiers[{t}]{rest}");
        if tier.code.trim().is_empty() {
            problem(at(".code"), "不能为空 / must not be empty");
        } else if !codes.insert(tier.code.as_str()) {
            problem(at(".code"), "档次代码重复 / tier code used twice");
        }
        if tier.name_zh.trim().is_empty() || tier.name_en.trim().is_empty() {
            problem(
                at(".name_zh"),
                "档次须有中英文名称 / a tier needs a Chinese and an English name",
            );
        }
        if tier.amount == TierAmount::Fixed(Money::ZERO) {
            problem(
                at(".amount"),
                "金额为0的档次没有意义 / a tier paying 0.00 means nothing",
            );
        }
        if tier.conditions.is_empty() {
            problem(
                at(".conditions"),
                "没有条件的档次会补助所有案件 / a tier without conditions pays every case",
            );
        }
        let needs_approval = tier.amount == TierAmount::ByApproval;
        if needs_approval && !tier.conditions.contains(&Condition::ApprovedAmount) {
            problem(
                at(".conditions"),
                "\"by_approval\" 档次须含 approved_amount 条件 / a \"by_approval\" tier needs the approved_amount condition",
            );
        }
        let mut method = None;
        let mut outcome = None;
        let mut kinds = HashSet::new();
        for (c, condition) in tier.conditions.iter().enumerate() {
            let at = |msg: &str| (format!("tiers[{t}].conditions[{c}]"), msg.to_owned());
            let mut report = |(path, msg): (String, String)| problem(path, &msg);
            if !kinds.insert(std::mem::discriminant(condition))
                && !matches!(condition, Condition::Forms { .. })
            {
                report(at("同一条件重复 / condition repeated"));
            }
            match condition {
                Condition::Method { is } => {
                    let before = method.replace(*is);
                    if before.is_some_and(|m| m != *is) {
                        report(at(
                            "method 条件相互矛盾 / contradicts another method condition",
                        ));
                    }
                }
                Condition::Outcome { is } => {
                    let before = outcome.replace(*is);
                    if before.is_some_and(|o| o != *is) {
                        report(at(
                            "outcome 条件相互矛盾 / contradicts another outcome condition",
                        ));
                    }
                }
                Condition::MinSessions { n: 0 } => {
                    report(at("n 为0的条件总是成立 / n = 0 always holds"))
                }
                Condition::SeriousHarm {
                    min_deaths,
                    max_disability_grade,
                } => {
                    if !(1..=10).contains(max_disability_grade) {
                        report(at("max_disability_grade 应为1至10 / must be 1 to 10"));
                    }
                    if *min_deaths == 0 && *max_disability_grade == 10 {
                        report(at("该条件几乎总是成立 / this almost always holds"));
                    }
                }
                Condition::RequiredForms if rs.required_forms.is_empty() => report(at(
                    "required_forms 为空 / the rule set's required_forms is empty",
                )),
                Condition::Forms { all_of } if all_of.is_empty() => {
                    report(at("all_of 为空 / all_of is empty"))
                }
                Condition::ApprovedAmount if !needs_approval => report(at(
                    "approved_amount 只用于 \"by_approval\" 档次 / only for a \"by_approval\" tier",
                )),
                _ => {}
            }
        }
    }
    out
}
