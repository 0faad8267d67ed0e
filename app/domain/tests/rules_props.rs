//! Properties of the rules that must hold for every case and rule set.

use domain::Money;
use domain::rules::{
    CaseFacts, CommitteeKind, Condition, FormCode, Method, Outcome, RuleSet, STANDARD_FORMS, Tier,
    TierAmount, builtin, evaluate,
};
use jiff::civil::{Date, date};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// The standard six and one form no built-in rule set asks for.
fn all_forms() -> Vec<&'static str> {
    let mut forms = STANDARD_FORMS.to_vec();
    forms.push("dossier_cover");
    forms
}

fn committee() -> impl Strategy<Value = CommitteeKind> {
    prop::sample::select(CommitteeKind::ALL.to_vec())
}

fn day() -> impl Strategy<Value = Date> {
    (2008i16..2030, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| date(y, m, d))
}

prop_compose! {
    fn facts()(
        committee in committee(),
        closed_on in day(),
        simple in any::<bool>(),
        agreed in any::<bool>(),
        sessions in 0u32..5,
        oral_register in any::<bool>(),
        forms in prop::sample::subsequence(all_forms(), 0..=all_forms().len()),
        archived in any::<bool>(),
        recorded in any::<bool>(),
        deaths in 0u32..3,
        disability_grade in prop::option::of(1u8..=10),
        independent in any::<bool>(),
        special in any::<bool>(),
        approved_fen in prop::option::of(1i64..10_000_000),
    ) -> CaseFacts {
        CaseFacts {
            committee,
            closed_on,
            method: if simple { Method::Simple } else { Method::General },
            outcome: if agreed { Outcome::Agreed } else { Outcome::NotAgreed },
            sessions,
            oral_register,
            forms: forms.into_iter().map(FormCode::new).collect(),
            archived,
            recorded,
            deaths,
            disability_grade,
            independent,
            special,
            approved_amount: approved_fen.filter(|_| special).map(|f| Money::from_fen(f).unwrap()),
        }
    }
}

/// Every way of adding one record to a case.
fn with_one_more_record(f: &CaseFacts) -> Vec<CaseFacts> {
    let mut more = vec![
        CaseFacts {
            sessions: f.sessions + 1,
            ..f.clone()
        },
        CaseFacts {
            oral_register: true,
            ..f.clone()
        },
        CaseFacts {
            archived: true,
            ..f.clone()
        },
        CaseFacts {
            recorded: true,
            ..f.clone()
        },
    ];
    for form in all_forms() {
        let mut g = f.clone();
        g.forms.insert(FormCode::new(form));
        more.push(g);
    }
    if f.special && f.approved_amount.is_none() {
        more.push(CaseFacts {
            approved_amount: Some(Money::yuan(3000)),
            ..f.clone()
        });
    }
    more
}

fn condition() -> impl Strategy<Value = Condition> {
    prop_oneof![
        any::<bool>().prop_map(|s| Condition::Method {
            is: if s { Method::Simple } else { Method::General }
        }),
        any::<bool>().prop_map(|a| Condition::Outcome {
            is: if a {
                Outcome::Agreed
            } else {
                Outcome::NotAgreed
            }
        }),
        (1u32..5).prop_map(|n| Condition::MinSessions { n }),
        Just(Condition::OralRegister),
        Just(Condition::RequiredForms),
        prop::sample::subsequence(all_forms(), 1..3).prop_map(|f| Condition::Forms {
            all_of: f.into_iter().map(FormCode::new).collect()
        }),
        Just(Condition::Archived),
        Just(Condition::Recorded),
        (0u32..3, 1u8..=10).prop_map(|(d, g)| Condition::SeriousHarm {
            min_deaths: d,
            max_disability_grade: g
        }),
        Just(Condition::Independent),
        Just(Condition::Special),
        Just(Condition::ApprovedAmount),
    ]
}

prop_compose! {
    fn tier()(code in "[A-Z]{1,3}", fen in prop::option::of(1i64..1_000_000), conditions in prop::collection::vec(condition(), 0..6)) -> Tier {
        Tier {
            code,
            name_zh: "档".into(),
            name_en: "tier".into(),
            amount: fen.map_or(TierAmount::ByApproval, |f| TierAmount::Fixed(Money::from_fen(f).unwrap())),
            conditions,
        }
    }
}

prop_compose! {
    fn rule_set()(
        from in day(),
        until in prop::option::of(day()),
        eligible in prop::sample::subsequence(CommitteeKind::ALL.to_vec(), 0..=7),
        fixed in prop::collection::btree_map(committee(), 0i64..200_000, 0..3),
        fund in 0i64..100_000,
        forms in prop::sample::subsequence(all_forms(), 0..=all_forms().len()),
        tiers in prop::collection::vec(tier(), 0..5),
        duty in any::<bool>(),
    ) -> RuleSet {
        RuleSet {
            id: "generated".into(),
            name_zh: "生成".into(),
            name_en: "generated".into(),
            locality: "000000".into(),
            source: None,
            effective_from: from,
            effective_until: until,
            monthly_fixed: fixed.into_iter().map(|(k, f)| (k, Money::from_fen(f).unwrap())).collect::<BTreeMap<_, _>>(),
            fixed_requires_duty: duty,
            monthly_case_fund: Money::from_fen(fund).unwrap(),
            eligible_committees: eligible,
            required_forms: forms.into_iter().map(FormCode::new).collect(),
            tiers,
            spot_check: None,
        }
    }
}

fn always_in_force(mut rs: RuleSet) -> RuleSet {
    rs.effective_from = date(2000, 1, 1);
    rs.effective_until = None;
    rs
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn at_most_one_tier_and_its_amount(f in facts()) {
        let Ok(e) = evaluate(&f, builtin()) else { return Ok(()) };
        match &e.tier {
            None => prop_assert_eq!(e.amount, Money::ZERO),
            Some(code) => {
                let rs = builtin().iter().find(|r| r.id == e.rule_set).unwrap();
                let tier = rs.tiers.iter().find(|t| &t.code == code).unwrap();
                let expected = match tier.amount {
                    TierAmount::Fixed(m) => m,
                    TierAmount::ByApproval => f.approved_amount.unwrap(),
                };
                prop_assert_eq!(e.amount, expected);
            }
        }
    }

    #[test]
    fn adding_a_record_never_lowers_the_amount(f in facts()) {
        let Ok(before) = evaluate(&f, builtin()) else { return Ok(()) };
        for g in with_one_more_record(&f) {
            let after = evaluate(&g, builtin()).unwrap();
            prop_assert!(after.amount >= before.amount, "{:?} -> {:?}", before, after);
        }
    }

    #[test]
    fn adding_a_record_never_lowers_the_amount_under_any_rule_set(rs in rule_set().prop_map(always_in_force), f in facts()) {
        let sets = [rs];
        let before = evaluate(&f, &sets).unwrap();
        for g in with_one_more_record(&f) {
            prop_assert!(evaluate(&g, &sets).unwrap().amount >= before.amount);
        }
    }

    #[test]
    fn the_missing_items_reach_the_next_tier(f in facts()) {
        // adding what is missing for the next tier earns at least that tier's pay
        let Ok(e) = evaluate(&f, builtin()) else { return Ok(()) };
        let Some(next) = e.next_tier.clone() else { return Ok(()) };
        let mut g = f.clone();
        for item in &e.missing {
            match item.code.as_ref() {
                "min_sessions" => g.sessions = g.sessions.max(2),
                "oral_register" => g.oral_register = true,
                "archived" => g.archived = true,
                "recorded" => g.recorded = true,
                "approved_amount" => g.approved_amount = Some(Money::yuan(5000)),
                form => { g.forms.insert(FormCode::new(form.strip_prefix("form:").unwrap())); }
            }
        }
        let after = evaluate(&g, builtin()).unwrap();
        prop_assert_eq!(after.tier, Some(next));
        prop_assert!(after.amount > e.amount);
    }

    #[test]
    fn no_better_paid_tier_is_fully_met(f in facts()) {
        // judge the case by each tier alone: any tier it meets pays no more than the verdict
        let Ok(e) = evaluate(&f, builtin()) else { return Ok(()) };
        let rs = builtin().iter().find(|r| r.id == e.rule_set).unwrap();
        for tier in &rs.tiers {
            let alone = RuleSet { tiers: vec![tier.clone()], ..rs.clone() };
            let verdict = domain::rules::evaluate_with(&f, &alone);
            if verdict.tier.is_some() {
                prop_assert!(verdict.amount <= e.amount, "tier {} pays {} > {}", tier.code, verdict.amount, e.amount);
            }
        }
    }

    #[test]
    fn ineligible_committees_never_earn(f in facts()) {
        let Ok(e) = evaluate(&f, builtin()) else { return Ok(()) };
        if matches!(f.committee, CommitteeKind::City | CommitteeKind::Sector | CommitteeKind::AdminDept | CommitteeKind::Compound) {
            prop_assert_eq!(e.tier, None);
        }
    }

    #[test]
    fn a_rule_set_survives_a_json_round_trip(rs in rule_set()) {
        let json = serde_json::to_string(&rs).unwrap();
        let back: RuleSet = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, rs);
    }

    #[test]
    fn facts_survive_a_json_round_trip(f in facts()) {
        let json = serde_json::to_string(&f).unwrap();
        let back: CaseFacts = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, f);
    }
}
