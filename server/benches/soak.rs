//! Soak (docs/perf.md, "Soak"): phones sync for minutes through a flaky
//! loopback proxy against PostgreSQL, and afterwards every case is checked
//! against what its phone knows. Not run in CI: `scripts/soak.sh`.
//!
//! - The server is the release `tiaojie` binary in its own process
//!   (`TIAOJIE_BIN`, default `target/release/tiaojie`), on a new schema of
//!   the machine's PostgreSQL with the demo data, so its memory is its own.
//! - The proxy, in this process, passes each request on, or: drops it
//!   before the server sees it; passes it and loses the answer (502); sends
//!   it twice at once and answers with one of the two; holds it up to
//!   1.5 s. The shares are printed.
//! - Each phone (a device session of one of two demo mediators, so the
//!   committees' case numbers clash) registers cases and edits its own,
//!   keeps an outbox, pushes it whole, retries what failed with the same
//!   mutations (same seq and id), waits out a 429, takes the number the
//!   server gives, and pulls its committee now and then.
//! - At the end every phone empties its outbox, and each case must be on
//!   the server once, at the version its phone was last answered with
//!   (one version per mutation: a mutation applied twice shows), with the
//!   summary of its last edit. Lost or duplicated fails the run.
//!
//! `SOAK_SECS` (600), `SOAK_PHONES` (200); PostgreSQL at
//! `TEST_DATABASE_URL` or 127.0.0.1:5432/test.

mod support;
use domain::sample::Mix;
use domain::{PersonId, UnitId};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::{env_or, pct, rss_mib};
use tiaojie_server::store::Store;
use uuid::Uuid;

/// What the proxy did, by kind.
#[derive(Default)]
struct Faults {
    passed: AtomicU64,
    dropped: AtomicU64,
    answer_lost: AtomicU64,
    doubled: AtomicU64,
    delayed: AtomicU64,
}

struct Proxy {
    upstream: String,
    client: reqwest::Client,
    faults: Faults,
    mix: std::sync::Mutex<Mix>,
}

impl Proxy {
    fn roll(&self) -> u64 {
        self.mix.lock().expect("the proxy's dice").below(100)
    }

    async fn forward(
        &self,
        method: &reqwest::Method,
        path: &str,
        auth: Option<&str>,
        body: &axum::body::Bytes,
    ) -> Result<(u16, Option<String>, axum::body::Bytes), reqwest::Error> {
        let mut req = self
            .client
            .request(method.clone(), format!("{}{path}", self.upstream));
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        if !body.is_empty() {
            req = req
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let res = req.send().await?;
        let status = res.status().as_u16();
        let retry = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok((status, retry, res.bytes().await?))
    }
}

async fn proxy_handler(
    axum::extract::State(proxy): axum::extract::State<Arc<Proxy>>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let method = req.method().clone();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = axum::body::to_bytes(req.into_body(), 8 << 20)
        .await
        .unwrap_or_default();
    let bad_gateway = || (axum::http::StatusCode::BAD_GATEWAY, "proxy").into_response();
    let roll = proxy.roll();
    let answer = match roll {
        0..5 => {
            proxy.faults.dropped.fetch_add(1, Ordering::Relaxed);
            return bad_gateway();
        }
        5..10 => {
            proxy.faults.answer_lost.fetch_add(1, Ordering::Relaxed);
            let _ = proxy.forward(&method, &path, auth.as_deref(), &body).await;
            return bad_gateway();
        }
        10..15 => {
            proxy.faults.doubled.fetch_add(1, Ordering::Relaxed);
            let (a, b) = tokio::join!(
                proxy.forward(&method, &path, auth.as_deref(), &body),
                proxy.forward(&method, &path, auth.as_deref(), &body)
            );
            if roll % 2 == 0 { a } else { b }
        }
        15..30 => {
            proxy.faults.delayed.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(100 + roll * 50)).await;
            proxy.forward(&method, &path, auth.as_deref(), &body).await
        }
        _ => {
            proxy.faults.passed.fetch_add(1, Ordering::Relaxed);
            proxy.forward(&method, &path, auth.as_deref(), &body).await
        }
    };
    match answer {
        Ok((status, retry, bytes)) => {
            let mut res = (
                axum::http::StatusCode::from_u16(status).expect("a status"),
                bytes,
            )
                .into_response();
            if let Some(retry) = retry {
                res.headers_mut()
                    .insert("retry-after", retry.parse().expect("a header"));
            }
            res
        }
        Err(_) => bad_gateway(),
    }
}

/// One case as its phone knows it.
struct Known {
    case: Value,
    /// The version the server last answered with (0: not yet answered).
    version: u64,
    /// A mutation of it waits in the outbox.
    pending: bool,
}

/// What a phone did and saw.
#[derive(Default)]
struct Tally {
    created: u64,
    edits: u64,
    pushes_ok: u64,
    pushes_failed: u64,
    rate_limited: u64,
    renumbered: u64,
    refused: Vec<String>,
    pulls: u64,
    push_ms: Vec<f64>,
}

struct Phone {
    index: usize,
    token: String,
    client_id: Uuid,
    unit: UnitId,
    owner: PersonId,
    mix: Mix,
    seq: u64,
    outbox: Vec<Value>,
    cases: HashMap<String, Known>,
    cursor: i64,
    tally: Tally,
}

impl Phone {
    fn new_case(&mut self) {
        let d = |s: &str| domain::dates::parse_iso(s).expect("a date");
        let seed = self.mix.next_u64();
        let mut case = serde_json::to_value(
            &domain::sample::cases(
                1,
                seed,
                self.unit,
                self.owner,
                d("2026-10-01"),
                d("2026-11-30"),
            )[0],
        )
        .expect("a case");
        case["id"] = json!(Uuid::now_v7());
        case["seq"] = json!(self.cases.len() + 1);
        let id = case["id"].as_str().expect("an id").to_owned();
        self.queue(&case, 0);
        self.cases.insert(
            id,
            Known {
                case,
                version: 0,
                pending: true,
            },
        );
        self.tally.created += 1;
    }

    fn edit(&mut self) -> bool {
        let Some(id) = self
            .cases
            .iter()
            .filter(|(_, k)| !k.pending && k.version > 0)
            .map(|(id, _)| id.clone())
            .next()
        else {
            return false;
        };
        let n = self.tally.edits + 1;
        let known = self.cases.get_mut(&id).expect("the case");
        known.case["summary"] = json!(format!("第 {n} 次修改（手机 {}）", self.index));
        known.pending = true;
        let (case, version) = (known.case.clone(), known.version);
        self.queue(&case, version);
        self.tally.edits += 1;
        true
    }

    fn queue(&mut self, case: &Value, base_version: u64) {
        self.seq += 1;
        self.outbox.push(json!({
            "seq": self.seq, "mutation_id": Uuid::now_v7(), "entity": "case",
            "entity_id": case["id"], "op": "upsert", "base_version": base_version, "payload": case,
        }));
    }

    /// Pushes the outbox once; how long to wait before the next request.
    async fn push(&mut self, client: &reqwest::Client, base: &str) -> Duration {
        if self.outbox.is_empty() {
            return Duration::ZERO;
        }
        let started = Instant::now();
        let res = client
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(&self.token)
            .json(&json!({"client_id": self.client_id, "mutations": self.outbox}))
            .send()
            .await;
        let res = match res {
            Ok(res) => res,
            Err(_) => {
                self.tally.pushes_failed += 1;
                return Duration::from_millis(200 + self.mix.below(800));
            }
        };
        match res.status().as_u16() {
            200 => {}
            429 => {
                self.tally.rate_limited += 1;
                let secs = res
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok()?.parse().ok())
                    .unwrap_or(1);
                return Duration::from_secs(secs);
            }
            _ => {
                self.tally.pushes_failed += 1;
                return Duration::from_millis(200 + self.mix.below(800));
            }
        }
        let Ok(answer) = res.json::<domain::sync::PushResponse>().await else {
            self.tally.pushes_failed += 1;
            return Duration::from_millis(200);
        };
        self.tally
            .push_ms
            .push(started.elapsed().as_secs_f64() * 1000.0);
        self.tally.pushes_ok += 1;
        for (sent, result) in self.outbox.iter().zip(&answer.results) {
            let id = sent["entity_id"].as_str().expect("an id");
            let known = self.cases.get_mut(id).expect("a case of this phone");
            known.pending = false;
            match result.status {
                domain::sync::Status::Applied => {
                    known.version = result.version.expect("an applied version");
                    if let Some(n) = result.renumbered {
                        known.case["seq"] = json!(n);
                        self.tally.renumbered += 1;
                    }
                }
                other => self
                    .tally
                    .refused
                    .push(format!("{other:?} {:?} {:?}", result.code, result.message)),
            }
        }
        self.outbox.clear();
        Duration::ZERO
    }

    async fn pull(&mut self, client: &reqwest::Client, base: &str) {
        for _ in 0..20 {
            let Ok(res) = client
                .get(format!(
                    "{base}/api/v1/sync/pull?cursor={}&limit=500",
                    self.cursor
                ))
                .bearer_auth(&self.token)
                .send()
                .await
            else {
                return;
            };
            if res.status() != 200 {
                return;
            }
            let Ok(page) = res.json::<domain::sync::PullResponse>().await else {
                return;
            };
            self.tally.pulls += 1;
            self.cursor = page.cursor;
            if !page.has_more {
                return;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let secs = env_or("SOAK_SECS", 600);
    let phones = env_or("SOAK_PHONES", 200) as usize;
    let base_url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let bin = std::env::var("TIAOJIE_BIN").unwrap_or_else(|_| "target/release/tiaojie".into());

    // a schema of its own, with the demo data
    let schema = format!("soak_{}", Uuid::now_v7().simple());
    let admin = Store::connect(&base_url, 1).await.expect("PostgreSQL");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(admin.pool())
        .await
        .expect("schema");
    let url = format!("{base_url}?options=-c%20search_path%3D{schema}");
    let db = Store::connect(&url, 4).await.expect("database");
    db.migrate().await.expect("migrations");
    tiaojie_server::demo::load(&db).await.expect("demo data");

    // the server, in its own process
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("an address")
        .port();
    let mut server = std::process::Command::new(&bin)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{bin}: {e} (build it: cargo build --release -p server)"));
    let upstream = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client");
    let up = Instant::now();
    while client
        .get(format!("{upstream}/healthz"))
        .send()
        .await
        .is_err()
    {
        assert!(up.elapsed() < Duration::from_secs(60), "the server starts");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // the proxy
    let proxy = Arc::new(Proxy {
        upstream,
        client: client.clone(),
        faults: Faults::default(),
        mix: std::sync::Mutex::new(Mix(7)),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("the proxy's port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let router = axum::Router::new()
        .fallback(proxy_handler)
        .with_state(proxy.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });

    // the phones: device sessions of two committees' mediators
    let mut accounts = Vec::new();
    for phone in ["13800000001", "13800000002"] {
        let row: (String, String, String) = sqlx::query_as(
            "SELECT g.unit_id, a.person_id, a.id FROM account a JOIN role_grant g ON g.person_id = a.person_id WHERE a.phone = $1",
        )
        .bind(phone)
        .fetch_one(db.pool())
        .await
        .expect("a demo mediator");
        accounts.push(row);
    }
    let mut tasks = tokio::task::JoinSet::new();
    let deadline = Instant::now() + Duration::from_secs(secs);
    for index in 0..phones {
        let (unit, owner, account) = accounts[index % accounts.len()].clone();
        let token = tiaojie_server::service::auth::new_token();
        let client_id = Uuid::now_v7();
        tiaojie_server::store::sessions::insert(
            &db,
            &tiaojie_server::store::sessions::NewSession {
                id: domain::DeviceSessionId::new_v7(),
                account_id: account.parse().expect("an account id"),
                device_id: client_id.into(),
                device_name: "soak",
                token_hash: &tiaojie_server::service::auth::token_hash(&token),
            },
            jiff::Timestamp::now().into(),
        )
        .await
        .expect("a session");
        let mut phone = Phone {
            index,
            token,
            client_id,
            unit: UnitId::parse(&unit).expect("a unit"),
            owner: PersonId::parse(&owner).expect("a person"),
            mix: Mix(index as u64 + 1),
            seq: 0,
            outbox: Vec::new(),
            cases: HashMap::new(),
            cursor: 0,
            tally: Tally::default(),
        };
        let (client, base) = (client.clone(), base.clone());
        tasks.spawn(async move {
            let mut round = 0u64;
            while Instant::now() < deadline {
                if phone.outbox.is_empty()
                    && (phone.cases.len() < 3 || phone.mix.chance(40) || !phone.edit())
                {
                    phone.new_case();
                }
                let wait = phone.push(&client, &base).await;
                round += 1;
                if round.is_multiple_of(5) {
                    phone.pull(&client, &base).await;
                }
                tokio::time::sleep(wait + Duration::from_millis(500 + phone.mix.below(1000))).await;
            }
            // signal returns: the outbox empties
            let drain = Instant::now();
            while !phone.outbox.is_empty() && drain.elapsed() < Duration::from_secs(120) {
                let wait = phone.push(&client, &base).await;
                tokio::time::sleep(wait + Duration::from_millis(100)).await;
            }
            phone
        });
    }

    // memory while it runs
    let started = Instant::now();
    let mut memory = vec![(0u64, rss_mib(server.id()))];
    while !tasks.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(10)).await;
        memory.push((started.elapsed().as_secs(), rss_mib(server.id())));
    }
    let mut done = Vec::new();
    while let Some(phone) = tasks.join_next().await {
        done.push(phone.expect("a phone ran"));
    }
    let took = started.elapsed();

    // every case once, at its phone's version, with its last edit
    let mut lost = Vec::new();
    let mut doubled = Vec::new();
    let mut stale = Vec::new();
    let mut unsent = 0;
    let mut checked = 0;
    for phone in &done {
        unsent += phone.outbox.len();
        for (id, known) in &phone.cases {
            if known.pending {
                continue;
            }
            let row: Option<(i64, String)> =
                sqlx::query_as("SELECT version, payload FROM case_record WHERE id = $1")
                    .bind(id)
                    .fetch_optional(db.pool())
                    .await
                    .expect("a read");
            checked += 1;
            match row {
                None => lost.push(id.clone()),
                Some((version, _)) if version as u64 > known.version => {
                    doubled.push(format!("{id}: {version} > {}", known.version))
                }
                Some((version, payload)) => {
                    let stored: Value = serde_json::from_str(&payload).expect("a payload");
                    if version as u64 != known.version || stored["summary"] != known.case["summary"]
                    {
                        stale.push(format!("{id}: v{version} vs v{}", known.version));
                    }
                }
            }
        }
    }
    let mutations: u64 = done.iter().map(|p| p.tally.created + p.tally.edits).sum();
    let versions: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(h.n), 0)::BIGINT FROM (SELECT COUNT(*) AS n FROM case_history GROUP BY case_id) h")
        .fetch_one(db.pool())
        .await
        .unwrap_or(-1);
    let sum = |f: fn(&Tally) -> u64| done.iter().map(|p| f(&p.tally)).sum::<u64>();
    let mut push_ms: Vec<f64> = done
        .iter()
        .flat_map(|p| p.tally.push_ms.iter().copied())
        .collect();
    push_ms.sort_by(f64::total_cmp);
    let refused: Vec<&String> = done.iter().flat_map(|p| &p.tally.refused).collect();
    let f = &proxy.faults;
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);

    println!(
        "soak: {phones} phones, {:.0} s, PostgreSQL, server {bin}",
        took.as_secs_f64()
    );
    println!(
        "proxy: {} passed, {} dropped before the server, {} answers lost, {} sent twice, {} held up",
        load(&f.passed),
        load(&f.dropped),
        load(&f.answer_lost),
        load(&f.doubled),
        load(&f.delayed)
    );
    println!(
        "phones: {} cases registered, {} edits ({mutations} mutations); {} pushes answered, {} failed and retried, {} waited out a 429; {} renumbered; {} pull pages",
        sum(|t| t.created),
        sum(|t| t.edits),
        sum(|t| t.pushes_ok),
        sum(|t| t.pushes_failed),
        sum(|t| t.rate_limited),
        sum(|t| t.renumbered),
        sum(|t| t.pulls)
    );
    println!(
        "push through the proxy, answered: p50 {:.0} ms, p90 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        pct(&push_ms, 0.5),
        pct(&push_ms, 0.9),
        pct(&push_ms, 0.99),
        push_ms.last().copied().unwrap_or(0.0)
    );
    let mem: Vec<String> = memory
        .iter()
        .filter(|(t, _)| t % 60 < 10)
        .map(|(t, m)| format!("{t}s {m:.0}"))
        .collect();
    let peak = memory.iter().map(|(_, m)| *m).fold(0.0, f64::max);
    println!("server memory (MiB): {}; peak {peak:.0}", mem.join(", "));
    println!(
        "checked {checked} cases: {} lost, {} applied twice, {} not as their phone last saw them; {unsent} mutations never answered; {} refused; {versions} replaced versions kept for {} edits",
        lost.len(),
        doubled.len(),
        stale.len(),
        refused.len(),
        sum(|t| t.edits)
    );
    for line in lost.iter().chain(&doubled).chain(&stale).take(10) {
        println!("  {line}");
    }
    for line in refused.iter().take(10) {
        println!("  refused: {line}");
    }

    let _ = server.kill();
    let _ = server.wait();
    db.close().await;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(admin.pool())
        .await
        .expect("drop the schema");
    let edits = sum(|t| t.edits);
    assert_eq!(
        versions as u64, edits,
        "one replaced version kept per edit: none applied twice"
    );
    assert!(
        lost.is_empty()
            && doubled.is_empty()
            && stale.is_empty()
            && refused.is_empty()
            && unsent == 0,
        "the soak lost, doubled or refused"
    );
}
