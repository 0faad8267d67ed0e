//! Sync load generator (docs/perf.md, "Sync"): the real server on a loopback
//! port, driven over HTTP. Prints numbers; asserts only that nothing failed.
//!
//! 1. 1,000 new cases pushed end to end, by one device (two pushes of 500)
//!    and by 8 devices at once (125 each);
//! 2. the same 1,000 rows inserted with raw sqlx in one transaction (the
//!    floor the server's ingest is compared with), alone and with the
//!    stored answer the server writes beside each;
//!
//! 1 and 2 run in 5 interleaved rounds and print medians;
//! 3. 2,000 devices, each a mediator's own account, each push one case
//!    and pull, 64 at a time: latency
//!    percentiles and errors.
//!
//! SQLite always; PostgreSQL when `TEST_DATABASE_URL` or 127.0.0.1:5432/test
//! answers. `cargo bench -p server --bench sync_push`

use domain::{PersonId, UnitId};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tiaojie_server::config::ServeArgs;
use tiaojie_server::startup::Application;
use tiaojie_server::store::Store;
use uuid::Uuid;

/// The allocator the `tiaojie` binary uses (server/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MUTATIONS: usize = 1_000;
const DEVICES: usize = 2_000;
const CONCURRENCY: usize = 64;

struct Setup {
    db: Store,
    base: String,
    unit: UnitId,
    owner: PersonId,
    account_id: String,
}

async fn setup(url: &str) -> Setup {
    let db = Store::connect(url, 8).await.expect("database");
    db.migrate().await.expect("migrations");
    tiaojie_server::demo::load(&db).await.expect("demo data");
    let args = ServeArgs {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..ServeArgs::default()
    };
    let app = Application::build(&args, db.clone()).await.expect("server");
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));
    let (unit, owner, account_id): (String, String, String) = sqlx::query_as(
        "SELECT g.unit_id, a.person_id, a.id FROM account a JOIN role_grant g ON g.person_id = a.person_id \
         WHERE a.phone = '13800000001'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    Setup {
        db,
        base,
        unit: UnitId::parse(&unit).unwrap(),
        owner: PersonId::parse(&owner).unwrap(),
        account_id,
    }
}

/// A phone of another mediator of the demo village, with an account of their own: a
/// real phone is one person's, and the server limits requests per account
/// (240 at once, then 20 a second), so 2,000 phones of one account would
/// mostly be told to wait (429).
async fn own_device(s: &Setup, i: usize) -> (String, Uuid) {
    use tiaojie_server::store::people::{self, NewAccount, NewGrant, NewPerson};
    let now: domain::Timestamp = jiff::Timestamp::now().into();
    let person = PersonId::new_v7();
    let phone = domain::validate::Phone::parse(&format!("1370{i:07}")).unwrap();
    let mut tx = s.db.begin().await.unwrap();
    people::insert_people(
        &mut tx,
        &[NewPerson {
            id: person,
            unit_id: s.unit,
            name: format!("调解员{i}"),
            kind: domain::people::PersonKind::MediatorPartTime,
            sex: None,
            phone: Some(phone.clone()),
        }],
        now,
    )
    .await
    .unwrap();
    people::insert_grants(
        &mut tx,
        &[NewGrant {
            person_id: person,
            role: domain::Role::Mediator,
            unit_id: s.unit,
        }],
        now,
    )
    .await
    .unwrap();
    let account = domain::AccountId::new_v7();
    people::insert_account(
        &mut tx,
        &NewAccount {
            id: account,
            person_id: person,
            phone,
            password_hash: "bench: no log-in".into(),
        },
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    session_of(s, &account.to_string()).await
}

/// A device session made directly in the database (the bench measures
/// sync, not 2,000 argon2 log-ins).
async fn session_of(s: &Setup, account_id: &str) -> (String, Uuid) {
    let token = tiaojie_server::service::auth::new_token();
    let device_id = Uuid::now_v7();
    tiaojie_server::store::sessions::insert(
        &s.db,
        &tiaojie_server::store::sessions::NewSession {
            id: domain::DeviceSessionId::new_v7(),
            account_id: account_id.parse().unwrap(),
            device_id: device_id.into(),
            device_name: "bench",
            token_hash: &tiaojie_server::service::auth::token_hash(&token),
        },
        jiff::Timestamp::now().into(),
    )
    .await
    .unwrap();
    (token, device_id)
}

fn cases(s: &Setup, n: usize, seed: u64) -> Vec<domain::case::Case> {
    let d = |t: &str| domain::dates::parse_iso(t).unwrap();
    domain::sample::cases(n, seed, s.unit, s.owner, d("2024-01-01"), d("2024-12-31"))
}

fn mutations(cases: &[domain::case::Case], first_seq: usize) -> Vec<Value> {
    cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({"seq": first_seq + i, "mutation_id": Uuid::now_v7(), "entity": "case",
                   "entity_id": c.id, "op": "upsert", "base_version": 0, "payload": c})
        })
        .collect()
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

const ROUNDS: usize = 5;

fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

/// "median ms (min–max)" of sorted times.
fn spread(sorted: &[Duration]) -> String {
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    format!(
        "{:.0} ms ({:.0}–{:.0})",
        ms(&sorted[sorted.len() / 2]),
        ms(&sorted[0]),
        ms(&sorted[sorted.len() - 1])
    )
}

/// 1,000 new cases pushed over HTTP by `devices` devices at once (each its
/// share, in pushes of at most 500), until every answer is in.
async fn push_from(s: &Setup, client: &reqwest::Client, devices: usize, seed: u64) -> Duration {
    let mut work = Vec::with_capacity(devices);
    for d in 0..devices {
        let (token, device_id) = session_of(s, &s.account_id).await;
        let share = cases(s, MUTATIONS / devices, seed * 100 + d as u64);
        work.push((token, device_id, mutations(&share, 1)));
    }
    let started = Instant::now();
    let tasks: Vec<_> = work
        .into_iter()
        .map(|(token, device_id, all)| {
            let (client, base) = (client.clone(), s.base.clone());
            tokio::spawn(async move {
                for chunk in all.chunks(domain::sync::MAX_PUSH_MUTATIONS) {
                    let res = client
                        .post(format!("{base}/api/v1/sync/push"))
                        .bearer_auth(&token)
                        .json(&json!({"client_id": device_id, "mutations": chunk}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), 200);
                    let body: domain::sync::PushResponse = res.json().await.unwrap();
                    assert!(
                        body.results
                            .iter()
                            .all(|r| r.status == domain::sync::Status::Applied)
                    );
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    started.elapsed()
}

/// The floor: 1,000 case rows inserted with raw sqlx, one statement each,
/// in one transaction; with `answers`, also a stored answer beside each, as
/// the server writes for an exactly-once push.
async fn raw_insert(s: &Setup, seed: u64, answers: bool) -> Duration {
    let rows = cases(s, MUTATIONS, seed);
    let client = format!("raw-{seed}");
    let started = Instant::now();
    // read before the transaction: on SQLite a transaction that reads
    // first and then writes fails (SQLITE_BUSY_SNAPSHOT) when the server's
    // own background writes land in between
    let path: String = sqlx::query_scalar("SELECT path FROM org_unit WHERE id = $1")
        .bind(s.unit.to_string())
        .fetch_one(s.db.pool())
        .await
        .unwrap();
    let mut tx = s.db.pool().begin().await.unwrap();
    for (i, c) in rows.iter().enumerate() {
        let now = domain::Timestamp::from(jiff::Timestamp::now()).to_string();
        sqlx::query(
            "INSERT INTO case_record (id, unit_id, unit_path, version, payload, deleted, tier, amount_fen, change_no, created_at, updated_at) \
             VALUES ($1, $2, $3, 1, $4, 0, NULL, 0, $5, $6, $6)",
        )
        .bind(c.id.to_string())
        .bind(s.unit.to_string())
        .bind(&path)
        .bind(serde_json::to_string(c).unwrap())
        .bind(1_000_000_000 + seed as i64 * 10_000 + i as i64)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .unwrap();
        if answers {
            sqlx::query(
                "INSERT INTO sync_mutation (client_id, seq, mutation_id, result, applied_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&client)
            .bind(i as i64 + 1)
            .bind(Uuid::now_v7().to_string())
            .bind(r#"{"seq":1,"mutation_id":"0192f0c1-0000-7000-8000-000000000001","status":"applied","version":1,"verdict":{"tier":"A","amount":"30.00"}}"#)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    started.elapsed()
}

async fn run(name: &str, url: &str) {
    let s = setup(url).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();

    // 1. 1,000 mutations, end to end (JSON encoding, HTTP, apply, answer),
    //    from one device and from 8 at once; 2. the raw inserts of the same
    //    rows: in rounds, interleaved, medians (the machine is noisy)
    let mut one_device = Vec::new();
    let mut eight_devices = Vec::new();
    let mut raw_cases = Vec::new();
    let mut raw_both = Vec::new();
    for round in 0..ROUNDS as u64 {
        one_device.push(push_from(&s, &client, 1, 100 + round).await);
        eight_devices.push(push_from(&s, &client, 8, 200 + round).await);
        raw_cases.push(raw_insert(&s, 300 + round, false).await);
        raw_both.push(raw_insert(&s, 400 + round, true).await);
    }
    let batch = cases(&s, MUTATIONS, 1);

    // 1a. the same work without HTTP: push_in on a transaction, 2 × 500
    let direct_cases = cases(&s, MUTATIONS, 4);
    let direct_device = Uuid::now_v7();
    let caller = tiaojie_server::service::Caller {
        session_id: domain::DeviceSessionId::new_v7(),
        account_id: s.account_id.parse().unwrap(),
        person_id: s.owner,
        device_id: direct_device.into(),
        scopes: tiaojie_server::service::auth::scopes_of(&s.db, s.owner)
            .await
            .unwrap(),
    };
    let reqs: Vec<domain::sync::PushRequest> = mutations(&direct_cases, 1)
        .chunks(domain::sync::MAX_PUSH_MUTATIONS)
        .map(|chunk| {
            serde_json::from_value(json!({"client_id": direct_device, "mutations": chunk})).unwrap()
        })
        .collect();
    let started = Instant::now();
    for req in &reqs {
        let mut tx = s.db.write().await.unwrap();
        let answer = tiaojie_server::service::sync::push_in(&mut tx, &caller, req)
            .await
            .unwrap();
        assert!(
            answer
                .results
                .iter()
                .all(|r| r.status == domain::sync::Status::Applied)
        );
        tx.commit().await.unwrap();
    }
    let direct_time = started.elapsed();

    // 1b. the server's CPU work per case alone (read, check, rules, write JSON)
    let texts: Vec<String> = batch
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    let started = Instant::now();
    for text in &texts {
        let value: Value = serde_json::from_str(text).unwrap();
        let case: domain::case::Case = serde_json::from_value(value).unwrap();
        std::hint::black_box(case.check(domain::dates::china_date(jiff::Timestamp::now())));
        if let Some(facts) = case.facts(domain::rules::CommitteeKind::Village) {
            std::hint::black_box(domain::rules::evaluate(&facts, domain::rules::builtin()).ok());
        }
        std::hint::black_box(serde_json::to_string(&case).unwrap());
    }
    let cpu_time = started.elapsed();

    // 3. 2,000 devices: each pushes one case and pulls its committee's changes
    let mut devices = Vec::with_capacity(DEVICES);
    for i in 0..DEVICES {
        devices.push(own_device(&s, i).await);
    }
    let one_each = cases(&s, DEVICES, 3);
    // after the bulk writes above, the planner's statistics as autovacuum
    // would have them by now on a running server (without, PostgreSQL's
    // first pulls took 300–390 ms, all in the load's first 0.3 s: p99 ≈ 300 ms)
    s.db.analyze().await.unwrap();
    let gate = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(DEVICES);
    for ((token, device_id), case) in devices.into_iter().zip(one_each) {
        let (client, base, gate) = (client.clone(), s.base.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            let mut times = Vec::with_capacity(2);
            let mut errors = 0;
            let t = Instant::now();
            let push = client
                .post(format!("{base}/api/v1/sync/push"))
                .bearer_auth(&token)
                .json(&json!({"client_id": device_id, "mutations": mutations(std::slice::from_ref(&case), 1)}))
                .send()
                .await;
            times.push(t.elapsed());
            if !push.is_ok_and(|r| r.status() == 200) {
                errors += 1;
            }
            let t = Instant::now();
            let pull = client.get(format!("{base}/api/v1/sync/pull?cursor=0&limit=100")).bearer_auth(&token).send().await;
            let ok = match pull {
                Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                _ => false,
            };
            times.push(t.elapsed());
            if !ok {
                errors += 1;
            }
            (times, errors)
        }));
    }
    let mut times = Vec::new();
    let (mut pushes, mut pulls) = (Vec::new(), Vec::new());
    let mut errors = 0;
    for t in tasks {
        let (ts, e) = t.await.unwrap();
        pushes.push(ts[0]);
        pulls.push(ts[1]);
        times.extend(ts);
        errors += e;
    }
    let wall = started.elapsed();
    times.sort_unstable();
    pushes.sort_unstable();
    pulls.sort_unstable();

    let (one, eight, raw, both) = (
        median(&mut one_device),
        median(&mut eight_devices),
        median(&mut raw_cases),
        median(&mut raw_both),
    );
    let rate = |t: Duration| MUTATIONS as f64 / t.as_secs_f64();
    println!("[{name}] medians of {ROUNDS} rounds (min–max):");
    println!(
        "[{name}] push {MUTATIONS} mutations end to end, one device (2 × 500): {} ({:.0}/s)",
        spread(&one_device),
        rate(one)
    );
    println!(
        "[{name}] push {MUTATIONS} mutations end to end, 8 devices at once (125 each): {} ({:.0}/s)",
        spread(&eight_devices),
        rate(eight)
    );
    println!(
        "[{name}]   of which applying 2 × 500 in the database without HTTP (push_in): {:.0} ms",
        direct_time.as_secs_f64() * 1000.0
    );
    println!(
        "[{name}]   of which JSON + checks + rules per case, no I/O: {:.0} µs each",
        cpu_time.as_secs_f64() * 1e6 / MUTATIONS as f64
    );
    println!(
        "[{name}] raw sqlx insert of the {MUTATIONS} case rows, one transaction: {} ({:.0}/s); ingest ratio: one device {:.0} %, 8 devices {:.0} %",
        spread(&raw_cases),
        rate(raw),
        100.0 * rate(one) / rate(raw),
        100.0 * rate(eight) / rate(raw),
    );
    println!(
        "[{name}] raw sqlx insert of every row the server writes for them (case + stored answer), one transaction: {} ({:.0}/s); ingest ratio: one device {:.0} %, 8 devices {:.0} %",
        spread(&raw_both),
        rate(both),
        100.0 * rate(one) / rate(both),
        100.0 * rate(eight) / rate(both),
    );
    println!(
        "[{name}] {DEVICES} devices (push 1 + pull), {CONCURRENCY} at a time: {} requests in {:.1} s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms, errors {errors}",
        times.len(),
        wall.as_secs_f64(),
        pct(&times, 0.50),
        pct(&times, 0.95),
        pct(&times, 0.99),
        pct(&times, 1.0),
    );
    println!(
        "[{name}]   of which pushes p50 {:.1} / p99 {:.1} ms, pulls p50 {:.1} / p99 {:.1} ms",
        pct(&pushes, 0.50),
        pct(&pushes, 0.99),
        pct(&pulls, 0.50),
        pct(&pulls, 0.99),
    );
    s.db.close().await;
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    run(
        "sqlite",
        &format!("sqlite://{}", dir.path().join("bench.db").display()),
    )
    .await;

    let base = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("bench_{}", Uuid::now_v7().simple());
    let Ok(admin) = Store::connect(&base, 1).await else {
        println!("[postgres] not reachable at {base}: skipped");
        return;
    };
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(admin.pool())
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    run(
        "postgres",
        &format!("{base}{sep}options=-c%20search_path%3D{schema}"),
    )
    .await;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(admin.pool())
        .await
        .unwrap();
}
