//! The push under arbitrary input (docs/sync.md, "Errors"): arbitrary JSON
//! as the body, as a mutation, as a case, and in place of any one field of
//! a valid case or of its parties. Whatever comes, the answer is never a
//! 5xx, and exactly the mutations answered `applied` are stored: nothing of
//! a refused one, nothing half-way. A fixed budget of generated inputs per
//! database (`FUZZ_CASES`, default 300: about 4 s), from a fixed seed
//! (`FUZZ_SEED` picks another), so CI runs the same inputs every time.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::sync::{PushResponse, Status};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};

/// Any JSON, a few levels deep, with the strings a case holds among the
/// leaves (dates, ids, a valid resident ID) so that some inputs get far.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        ".{0,24}".prop_map(Value::from),
        prop_oneof![
            Just("2024-03-01"),
            Just("2099-01-01"),
            Just("0192f0c1-0000-7000-8000-000000000001"),
            Just("11010519491231002X"),
            Just("88888.00"),
            Just("agreed"),
            Just("closed"),
            Just("neighbours"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// What to do to a valid push.
#[derive(Debug, Clone)]
enum Twist {
    /// None: the valid push as it is (the stored side of the checks).
    Intact,
    /// The whole body is this.
    Body(Value),
    /// The mutation is this.
    Mutation(Value),
    /// The case is this.
    Payload(Value),
    /// The case's field number `n` (of its fields, in order) becomes this.
    Field(usize, Value),
    /// The field is gone.
    Without(usize),
    /// The first party's field number `n` becomes this.
    PartyField(usize, Value),
    /// A field the case does not have, with this value.
    Extra(String, Value),
}

fn twist() -> impl Strategy<Value = Twist> {
    prop_oneof![
        2 => Just(Twist::Intact),
        1 => any_json().prop_map(Twist::Body),
        1 => any_json().prop_map(Twist::Mutation),
        1 => any_json().prop_map(Twist::Payload),
        5 => (0..64usize, any_json()).prop_map(|(n, v)| Twist::Field(n, v)),
        2 => (0..64usize).prop_map(Twist::Without),
        3 => (0..16usize, any_json()).prop_map(|(n, v)| Twist::PartyField(n, v)),
        1 => ("[a-z_]{1,12}", any_json()).prop_map(|(k, v)| Twist::Extra(k, v)),
    ]
}

fn nth_key(map: &Map<String, Value>, n: usize) -> String {
    map.keys()
        .nth(n % map.len().max(1))
        .cloned()
        .unwrap_or_default()
}

/// The body of a push of a new case of `phone`'s, twisted.
fn twisted_push(phone: &Device, seed: u64, t: &Twist) -> Value {
    let mut case = new_case(phone, seed);
    case["id"] = json!(uuid::Uuid::now_v7());
    let mut m = mutation(phone, "upsert", &case, 0);
    let Value::Object(c) = &mut m["payload"] else {
        unreachable!()
    };
    match t {
        Twist::Intact => {}
        Twist::Body(v) => return v.clone(),
        Twist::Mutation(v) => m = v.clone(),
        Twist::Payload(v) => m["payload"] = v.clone(),
        Twist::Field(n, v) => {
            let k = nth_key(c, *n);
            c.insert(k, v.clone());
        }
        Twist::Without(n) => {
            let k = nth_key(c, *n);
            c.remove(&k);
        }
        Twist::PartyField(n, v) => {
            if let Some(Value::Object(p)) = c.get_mut("parties").and_then(|p| p.get_mut(0)) {
                let k = nth_key(p, *n);
                p.insert(k, v.clone());
            }
        }
        Twist::Extra(k, v) => {
            c.insert(format!("x_{k}"), v.clone());
        }
    }
    json!({"client_id": phone.client_id, "mutations": [m]})
}

on_both_databases! {
    async fn arbitrary_input_is_never_a_5xx_and_never_a_partial_write(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        // three devices in turn: each stays under its rate limit
        let phones = [
            login(&app, VILLAGE_MEDIATOR).await,
            login(&app, VILLAGE_MEDIATOR).await,
            login(&app, VILLAGE_MEDIATOR).await,
        ];
        let cases: u32 = std::env::var("FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(300);
        let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(20261205);
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let mut runner = TestRunner::new_with_rng(
            Config { cases, ..Config::default() },
            TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
        );
        let strategy = twist();
        let (mut refused, mut stored) = (0u32, 0u32);
        for i in 0..cases {
            let t = strategy.new_tree(&mut runner).unwrap().current();
            let phone = &phones[i as usize % phones.len()];
            let body = twisted_push(phone, u64::from(i), &t);
            let before = count(&db, "case_record").await;
            let res = loop {
                let res = push_raw(&app, phone, &body).await;
                if res.status() != 429 {
                    break res;
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            };
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            assert!(status < 500, "{t:?} got {status}: {text}");
            let applied = if status == 200 {
                let answer: PushResponse = serde_json::from_str(&text).unwrap();
                answer.results.iter().filter(|r| r.status != Status::Rejected).count() as i64
            } else {
                let error: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} {text}: {e}"));
                assert!(error["code"].is_string() && error["message"].is_string(), "{error}");
                0
            };
            let after = count(&db, "case_record").await;
            assert_eq!(after - before, applied, "{t:?}: {text}");
            if applied == 0 { refused += 1 } else { stored += 1 }
        }
        // the generator reaches both sides of the checks
        assert!(refused > cases / 4 && stored > cases / 20, "refused {refused}, stored {stored}");
        drop(app);
        db.cleanup().await;
    }
}
