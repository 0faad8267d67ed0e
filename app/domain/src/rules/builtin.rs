//! The built-in rule sets: Chuxiong 2008 and 2014, as JSON files compiled in.

use super::RuleSet;
use std::sync::OnceLock;

const FILES: [(&str, &str); 2] = [
    (
        "chuxiong-2008.json",
        include_str!("../../rules/chuxiong-2008.json"),
    ),
    (
        "chuxiong-2014.json",
        include_str!("../../rules/chuxiong-2014.json"),
    ),
];

/// The built-in rule sets, oldest first.
pub fn builtin() -> &'static [RuleSet] {
    static SETS: OnceLock<Vec<RuleSet>> = OnceLock::new();
    SETS.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, text)| {
                serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("built-in rule set {name}: {e}"))
            })
            .collect()
    })
}
