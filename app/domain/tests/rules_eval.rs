//! Table tests of the 以案定补 rules at every tier boundary (docs/domain.md §3).

use domain::Money;
use domain::rules::{
    CaseFacts, CommitteeKind, EvalError, FormCode, Method, Outcome, STANDARD_FORMS, builtin, check,
    evaluate, mediator_month, parse_facts, parse_rule_set, quarter_sum,
};
use jiff::civil::date;

/// A general dispute settled with the full dossier: tier C.
fn general_agreed() -> CaseFacts {
    CaseFacts {
        committee: CommitteeKind::Village,
        closed_on: date(2024, 5, 10),
        method: Method::General,
        outcome: Outcome::Agreed,
        sessions: 1,
        oral_register: false,
        forms: STANDARD_FORMS.iter().map(|f| FormCode::new(f)).collect(),
        archived: true,
        recorded: true,
        deaths: 0,
        disability_grade: None,
        independent: true,
        special: false,
        approved_amount: None,
    }
}

/// A simple oral mediation that succeeded: tier A.
fn oral_agreed() -> CaseFacts {
    CaseFacts {
        method: Method::Simple,
        oral_register: true,
        forms: Default::default(),
        archived: false,
        ..general_agreed()
    }
}

/// A general dispute mediated twice without agreement: tier B.
fn general_failed() -> CaseFacts {
    CaseFacts {
        outcome: Outcome::NotAgreed,
        sessions: 2,
        forms: ["application", "acceptance", "mediation_record"]
            .iter()
            .map(|f| FormCode::new(f))
            .collect(),
        ..general_agreed()
    }
}

fn eval(f: &CaseFacts) -> domain::rules::Evaluation {
    evaluate(f, builtin()).expect("a rule set is in force")
}

fn codes(items: &[domain::rules::Item]) -> Vec<&str> {
    items.iter().map(|i| i.code.as_ref()).collect()
}

#[test]
fn each_tier_pays_its_amount() {
    let c = eval(&general_agreed());
    assert_eq!(
        (c.tier.as_deref(), c.amount.to_string().as_str()),
        (Some("C"), "200.00")
    );
    assert_eq!(c.rule_set, "chuxiong-2014");
    assert!(c.missing.is_empty() && c.next_tier.is_none() && c.reason.is_none());
    let a = eval(&oral_agreed());
    assert_eq!((a.tier.as_deref(), a.amount), (Some("A"), Money::yuan(30)));
    let b = eval(&general_failed());
    assert_eq!((b.tier.as_deref(), b.amount), (Some("B"), Money::yuan(100)));
    let d = eval(&CaseFacts {
        deaths: 1,
        ..general_agreed()
    });
    assert_eq!(
        (d.tier.as_deref(), d.amount),
        (Some("D"), Money::yuan(1000))
    );
}

#[test]
fn one_session_is_not_enough_for_tier_b() {
    let e = eval(&CaseFacts {
        sessions: 1,
        ..general_failed()
    });
    assert_eq!(e.tier, None);
    assert_eq!(e.amount, Money::ZERO);
    assert_eq!(e.next_tier.as_deref(), Some("B"));
    assert_eq!(codes(&e.missing), ["min_sessions"]);
    assert!(
        e.missing[0].zh.contains("还需调解1次"),
        "{}",
        e.missing[0].zh
    );
}

#[test]
fn each_missing_form_blocks_tier_c_and_is_named() {
    for form in STANDARD_FORMS {
        let mut f = general_agreed();
        f.forms.remove(&FormCode::new(form));
        let e = eval(&f);
        assert_eq!(e.tier, None, "without {form}");
        assert_eq!(e.next_tier.as_deref(), Some("C"));
        assert_eq!(codes(&e.missing), [format!("form:{form}").as_str()]);
    }
    let mut f = general_agreed();
    f.forms.remove(&FormCode::new("follow_up"));
    let e = eval(&f);
    assert_eq!(e.missing[0].zh, "缺少回访记录");
    assert_eq!(e.missing[0].en, "follow-up record missing");
}

#[test]
fn not_archived_or_not_recorded_earns_nothing_yet() {
    let e = eval(&CaseFacts {
        archived: false,
        ..general_agreed()
    });
    assert_eq!((e.tier, e.next_tier.as_deref()), (None, Some("C")));
    assert_eq!(codes(&e.missing), ["archived"]);
    let e = eval(&CaseFacts {
        recorded: false,
        ..general_agreed()
    });
    assert_eq!(codes(&e.missing), ["recorded"]);
    let e = eval(&CaseFacts {
        recorded: false,
        ..oral_agreed()
    });
    assert_eq!((e.tier, e.next_tier.as_deref()), (None, Some("A")));
    let e = eval(&CaseFacts {
        oral_register: false,
        ..oral_agreed()
    });
    assert_eq!(codes(&e.missing), ["oral_register"]);
}

#[test]
fn ineligible_committees_earn_nothing_with_the_reason() {
    for committee in [
        CommitteeKind::City,
        CommitteeKind::Sector,
        CommitteeKind::AdminDept,
        CommitteeKind::Compound,
    ] {
        let e = eval(&CaseFacts {
            committee,
            ..general_agreed()
        });
        assert_eq!((e.tier, e.amount), (None, Money::ZERO));
        assert_eq!(
            e.reason.as_ref().unwrap().code,
            "committee_not_eligible",
            "{committee:?}"
        );
        assert!(e.missing.is_empty() && e.next_tier.is_none());
    }
    for committee in [
        CommitteeKind::Township,
        CommitteeKind::Village,
        CommitteeKind::Community,
    ] {
        assert_eq!(
            eval(&CaseFacts {
                committee,
                ..general_agreed()
            })
            .tier
            .as_deref(),
            Some("C")
        );
    }
}

#[test]
fn disability_grade_two_is_major_and_grade_three_is_not() {
    let two = eval(&CaseFacts {
        disability_grade: Some(2),
        ..general_agreed()
    });
    assert_eq!(two.tier.as_deref(), Some("D"));
    let one = eval(&CaseFacts {
        disability_grade: Some(1),
        ..general_agreed()
    });
    assert_eq!(one.tier.as_deref(), Some("D"));
    let three = eval(&CaseFacts {
        disability_grade: Some(3),
        ..general_agreed()
    });
    assert_eq!(three.tier.as_deref(), Some("C"));
    assert_eq!(
        three.next_tier, None,
        "a fact of the case, not something to add"
    );
}

#[test]
fn an_oral_mediation_is_never_a_major_case() {
    let e = eval(&CaseFacts {
        deaths: 1,
        forms: general_agreed().forms,
        archived: true,
        ..oral_agreed()
    });
    assert_eq!(e.tier.as_deref(), Some("A"));
}

#[test]
fn tier_b_needs_the_mediation_records() {
    let mut f = general_failed();
    f.forms.remove(&FormCode::new("mediation_record"));
    let e = eval(&f);
    assert_eq!((e.tier, e.next_tier.as_deref()), (None, Some("B")));
    assert_eq!(codes(&e.missing), ["form:mediation_record"]);
}

#[test]
fn a_major_case_not_mediated_independently_is_tier_c() {
    let e = eval(&CaseFacts {
        deaths: 2,
        independent: false,
        ..general_agreed()
    });
    assert_eq!(e.tier.as_deref(), Some("C"));
}

#[test]
fn the_rule_set_is_chosen_by_closing_date() {
    let before = eval(&CaseFacts {
        closed_on: date(2013, 12, 31),
        ..general_agreed()
    });
    assert_eq!(before.rule_set, "chuxiong-2008");
    assert_eq!((before.tier, before.amount), (None, Money::ZERO));
    assert_eq!(before.reason.unwrap().code, "no_case_tiers");
    let after = eval(&CaseFacts {
        closed_on: date(2014, 1, 1),
        ..general_agreed()
    });
    assert_eq!(
        (after.rule_set.as_str(), after.tier.as_deref()),
        ("chuxiong-2014", Some("C"))
    );
    let too_early = evaluate(
        &CaseFacts {
            closed_on: date(2008, 5, 31),
            ..general_agreed()
        },
        builtin(),
    );
    assert_eq!(
        too_early,
        Err(EvalError::NoRuleSet {
            date: date(2008, 5, 31)
        })
    );
}

#[test]
fn special_cases_pay_the_approved_amount_and_wait_for_it() {
    let approved = eval(&CaseFacts {
        special: true,
        deaths: 1,
        approved_amount: Some("5000.00".parse().unwrap()),
        ..general_agreed()
    });
    assert_eq!(
        (
            approved.tier.as_deref(),
            approved.amount.to_string().as_str()
        ),
        (Some("E"), "5000.00")
    );

    let waiting = eval(&CaseFacts {
        special: true,
        deaths: 1,
        ..general_agreed()
    });
    assert_eq!(
        (waiting.tier.as_deref(), waiting.amount),
        (Some("D"), Money::yuan(1000))
    );
    assert_eq!(waiting.next_tier.as_deref(), Some("E"));
    assert_eq!(codes(&waiting.missing), ["approved_amount"]);

    // approved below D's amount: the case keeps the better-paid tier
    let low = eval(&CaseFacts {
        special: true,
        deaths: 1,
        approved_amount: Some("500.00".parse().unwrap()),
        ..general_agreed()
    });
    assert_eq!(
        (low.tier.as_deref(), low.amount),
        (Some("D"), Money::yuan(1000))
    );
}

#[test]
fn a_simple_case_without_agreement_fits_no_tier() {
    let e = eval(&CaseFacts {
        outcome: Outcome::NotAgreed,
        ..oral_agreed()
    });
    assert_eq!((e.tier, e.next_tier), (None, None));
    assert_eq!(e.reason.unwrap().code, "no_tier_fits");
}

#[test]
fn the_output_is_the_documented_json() {
    let mut f = general_agreed();
    f.forms.remove(&FormCode::new("follow_up"));
    let json = serde_json::to_value(eval(&f)).unwrap();
    assert_eq!(json["tier"], serde_json::Value::Null);
    assert_eq!(json["amount"], "0.00");
    assert_eq!(json["rule_set"], "chuxiong-2014");
    assert_eq!(json["next_tier"], "C");
    assert_eq!(json["missing"][0]["code"], "form:follow_up");
    assert_eq!(json["missing"][0]["zh"], "缺少回访记录");
    let earned = serde_json::to_value(eval(&general_agreed())).unwrap();
    assert_eq!(earned["tier"], "C");
    assert_eq!(earned["amount"], "200.00");
}

#[test]
fn bad_input_names_the_field() {
    let good = serde_json::to_string(&general_agreed()).unwrap();
    assert!(parse_facts(&good).is_ok(), "{good}");
    let bad = good.replace("\"village\"", "\"town\"");
    assert_eq!(parse_facts(&bad).unwrap_err().field, "committee");
    let bad = good.replace("2024-05-10", "2024-02-30");
    assert_eq!(parse_facts(&bad).unwrap_err().field, "closed_on");
    let bad = good.replace("\"sessions\":1", "\"sessions\":-1");
    assert_eq!(parse_facts(&bad).unwrap_err().field, "sessions");
    let bad = good.replace("\"disability_grade\":null", "\"disability_grade\":11");
    assert_eq!(parse_facts(&bad).unwrap_err().field, "disability_grade");
    let bad = good.replace("\"approved_amount\":null", "\"approved_amount\":\"100.00\"");
    assert_eq!(parse_facts(&bad).unwrap_err().field, "approved_amount");
    let missing = good.replace("\"archived\":true,", "");
    assert!(
        parse_facts(&missing)
            .unwrap_err()
            .message
            .contains("archived")
    );
    let extra = good.replacen('{', "{\"colour\":1,", 1);
    assert!(parse_facts(&extra).unwrap_err().message.contains("colour"));
}

#[test]
fn the_built_in_rule_sets_are_sound() {
    assert_eq!(builtin().len(), 2);
    let six: Vec<&str> = builtin()[1]
        .required_forms
        .iter()
        .map(|f| f.as_str())
        .collect();
    assert_eq!(
        six, STANDARD_FORMS,
        "Chuxiong 2014 requires the standard six forms"
    );
    for rs in builtin() {
        assert_eq!(check(rs), vec![], "{}", rs.id);
    }
}

#[test]
fn a_broken_rule_set_file_reports_every_problem() {
    let mut rs = builtin()[1].clone();
    rs.id = "bad id".into();
    rs.effective_until = Some(date(2000, 1, 1));
    rs.tiers[1].code = "E".into();
    rs.tiers[0]
        .conditions
        .retain(|c| *c != domain::rules::Condition::ApprovedAmount);
    rs.tiers[2]
        .conditions
        .push(domain::rules::Condition::Method { is: Method::Simple });
    let problems = parse_rule_set(&serde_json::to_string(&rs).unwrap()).unwrap_err();
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&"id"), "{problems:?}");
    assert!(paths.contains(&"effective_until"), "{problems:?}");
    assert!(paths.contains(&"tiers[1].code"), "{problems:?}");
    assert!(paths.contains(&"tiers[0].conditions"), "{problems:?}");
    assert!(
        paths.iter().any(|p| p.starts_with("tiers[2].conditions[")),
        "{problems:?}"
    );

    let syntax = parse_rule_set("{\"id\": \"x\", \"tiers\": [{\"amount\": \"abc\"}]}").unwrap_err();
    assert_eq!(syntax.len(), 1);
}

#[test]
fn another_locality_is_just_another_file() {
    // Lueyang-style tiers: 100/200/300 by difficulty, no code change.
    let json = r#"{
        "id": "example-county-2020", "name_zh": "示例县以案定补", "name_en": "Example county",
        "locality": "610727", "effective_from": "2020-01-01", "effective_until": null,
        "monthly_fixed": {}, "monthly_case_fund": "0.00",
        "eligible_committees": ["village", "community", "township"],
        "required_forms": ["application", "agreement"],
        "tiers": [
          {"code": "hard", "name_zh": "疑难", "name_en": "hard", "amount": "300.00",
           "conditions": [{"kind": "outcome", "is": "agreed"}, {"kind": "min_sessions", "n": 3}, {"kind": "required_forms"}]},
          {"code": "normal", "name_zh": "一般", "name_en": "normal", "amount": "200.00",
           "conditions": [{"kind": "outcome", "is": "agreed"}, {"kind": "forms", "all_of": ["agreement"]}]}
        ]}"#;
    let rs = parse_rule_set(json).unwrap();
    let e = domain::rules::evaluate_with(
        &CaseFacts {
            sessions: 2,
            ..general_agreed()
        },
        &rs,
    );
    assert_eq!(
        (e.tier.as_deref(), e.next_tier.as_deref()),
        (Some("normal"), Some("hard"))
    );
    assert_eq!(codes(&e.missing), ["min_sessions"]);
}

#[test]
fn months_pay_the_fixed_part_when_the_duty_was_done() {
    let [y2008, y2014] = [&builtin()[0], &builtin()[1]];
    assert_eq!(
        mediator_month(y2014, CommitteeKind::Village, true).fixed,
        Money::yuan(800)
    );
    let idle = mediator_month(y2014, CommitteeKind::Village, false);
    assert_eq!(idle.fixed, Money::ZERO);
    assert_eq!(idle.reason.unwrap().code, "duty_not_performed");
    assert_eq!(
        mediator_month(y2008, CommitteeKind::Village, false).fixed,
        Money::yuan(550)
    );
    assert_eq!(
        mediator_month(y2008, CommitteeKind::Community, true).fixed,
        Money::yuan(650)
    );
    assert_eq!(
        mediator_month(y2014, CommitteeKind::Sector, true)
            .reason
            .unwrap()
            .code,
        "no_fixed_subsidy"
    );
}

#[test]
fn a_quarter_sums_by_tier_and_flags_overspending() {
    let rs = &builtin()[1];
    let cases: Vec<_> = [
        general_agreed(),
        general_agreed(),
        oral_agreed(),
        general_failed(),
    ]
    .iter()
    .map(eval)
    .chain([eval(&CaseFacts {
        committee: CommitteeKind::City,
        ..general_agreed()
    })])
    .collect();
    // one village mediator: 200 × 3 = 600 available; 200+200+30+100 = 530 spent
    let q = quarter_sum(rs, 3, 1, &cases).unwrap();
    assert_eq!(q.by_tier["C"].count, 2);
    assert_eq!(q.by_tier["C"].amount, Money::yuan(400));
    assert_eq!(q.unpaid_cases, 1);
    assert_eq!(q.cases_total.to_string(), "530.00");
    assert_eq!(q.fund_available.to_string(), "600.00");
    assert!(!q.overspent);
    // a month's fund only: 200 available, 530 spent
    let q = quarter_sum(rs, 1, 1, &cases).unwrap();
    assert!(q.overspent);
    assert_eq!(q.overspend.to_string(), "330.00");
    // a case judged by the 2008 rules does not belong in a 2014 quarter
    let old = eval(&CaseFacts {
        closed_on: date(2013, 12, 31),
        ..general_agreed()
    });
    assert!(matches!(
        quarter_sum(rs, 3, 1, &[old]),
        Err(domain::rules::SumError::MixedRuleSets { .. })
    ));
}
