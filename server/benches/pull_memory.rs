//! Pull memory (docs/perf.md, "Pull memory"): what parallel pulls of the
//! largest cases the limits allow cost the server. Not run in CI:
//! `scripts/pull-memory.sh`.
//!
//! - The server is the release `tiaojie` binary in its own process
//!   (`TIAOJIE_BIN`) with the demo organisation on a new SQLite file.
//! - A mediator pushes `PULL_CASES` (120) cases of about 300 KB each: the
//!   brief facts at 5,000 characters and 20 sessions with 5,000-character
//!   records, the most the limits allow of text a server reads back.
//! - Then `PULL_CLIENTS` (6) devices of the committee pull everything from
//!   cursor 0, page after page, `PULL_ROUNDS` (3) times each, at once,
//!   while the server's memory is read every 20 ms.

mod support;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use support::{env_or, rss_mib};
use uuid::Uuid;

const MEDIATOR: &str = "13800000001";
const PASSWORD: &str = tiaojie_server::demo::DEMO_PASSWORD;

async fn log_in(client: &reqwest::Client, base: &str) -> (String, Value) {
    let device = Uuid::now_v7();
    let answer: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"phone": MEDIATOR, "password": PASSWORD, "device_id": device, "device_name": "bench"}))
        .send()
        .await
        .expect("a log-in")
        .json()
        .await
        .expect("its answer");
    (device.to_string(), answer)
}

/// One of the largest cases: a sample case of the mediator's committee,
/// its facts and 20 sessions' records at 5,000 characters.
fn big_case(unit: &str, owner: &str, seed: u64) -> Value {
    let d = |s: &str| domain::dates::parse_iso(s).expect("a date");
    let case = domain::sample::cases(
        40,
        seed,
        unit.parse().expect("a unit id"),
        owner.parse().expect("a person id"),
        d("2024-03-01"),
        d("2024-03-31"),
    )
    .into_iter()
    .find(|c| c.status == domain::case::CaseStatus::Closed)
    .expect("a closed case");
    let mut case = serde_json::to_value(case).expect("JSON");
    let long = domain::case::MAX_LONG_CHARS;
    case["summary"] = json!("案".repeat(long));
    let received = case["received_on"].clone();
    case["sessions"] = Value::Array(
        (0..domain::case::MAX_SESSIONS)
            .map(|_| json!({"id": Uuid::now_v7(), "held_on": received, "place": "村委会", "record": "记".repeat(long)}))
            .collect(),
    );
    case
}

/// Pulls everything from cursor 0, waiting as told when the account's
/// request limit answers 429 (six phones of one account share it); the
/// pages and bytes it took, and how many times it was told to wait.
async fn pull_all(client: &reqwest::Client, base: &str, token: &str) -> (u32, u64, u32) {
    let (mut cursor, mut pages, mut bytes, mut waits) = (0i64, 0u32, 0u64, 0u32);
    loop {
        let res = client
            .get(format!(
                "{base}/api/v1/sync/pull?cursor={cursor}&limit=1000"
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("a pull");
        if res.status() == 429 {
            let secs = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1);
            waits += 1;
            tokio::time::sleep(Duration::from_secs(secs)).await;
            continue;
        }
        assert_eq!(res.status(), 200);
        let text = res.text().await.expect("a page");
        bytes += text.len() as u64;
        pages += 1;
        let page: Value = serde_json::from_str(&text).expect("JSON");
        cursor = page["cursor"].as_i64().expect("a cursor");
        if page["has_more"] != json!(true) {
            return (pages, bytes, waits);
        }
    }
}

#[tokio::main]
async fn main() {
    let cases = env_or("PULL_CASES", 120);
    let clients = env_or("PULL_CLIENTS", 6);
    let rounds = env_or("PULL_ROUNDS", 3);
    let bin = std::env::var("TIAOJIE_BIN").unwrap_or_else(|_| "target/release/tiaojie".into());
    let dir = tempfile::tempdir().expect("a folder");
    let url = format!("sqlite://{}/pull.db", dir.path().display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("an address")
        .port();
    let mut server = std::process::Command::new(&bin)
        .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{bin}: {e} (build it: cargo build --release -p server)"));
    let pid = server.id();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("a client");
    let up = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(up.elapsed() < Duration::from_secs(120), "the server starts");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // the cases, pushed one a request (a session's limit is 10 a second)
    let (device, me) = log_in(&client, &base).await;
    let token = me["token"].as_str().expect("a token").to_owned();
    let unit = me["scopes"][0]["unit_id"]
        .as_str()
        .expect("a unit")
        .to_owned();
    let owner = me["person_id"].as_str().expect("a person").to_owned();
    let mut stored = 0u64;
    for seq in 1..=cases {
        let case = big_case(&unit, &owner, seq);
        stored += case.to_string().len() as u64;
        let body = json!({"client_id": device, "mutations": [{
            "seq": seq, "mutation_id": Uuid::now_v7(), "entity": "case", "entity_id": case["id"],
            "op": "upsert", "base_version": 0, "payload": case,
        }]});
        loop {
            let res = client
                .post(format!("{base}/api/v1/sync/push"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .expect("a push");
            if res.status() == 429 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
            let answer: Value = res.json().await.expect("an answer");
            assert_eq!(answer["results"][0]["status"], "applied", "{answer}");
            break;
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = rss_mib(pid);

    // the pulls, all at once, while the memory is read
    let mut tokens = Vec::new();
    for _ in 0..clients {
        tokens.push(
            log_in(&client, &base).await.1["token"]
                .as_str()
                .expect("a token")
                .to_owned(),
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut peak = 0.0f64;
            while !stop.load(Ordering::Relaxed) {
                peak = peak.max(rss_mib(pid));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            peak
        })
    };
    let started = Instant::now();
    let mut pullers = tokio::task::JoinSet::new();
    for token in tokens {
        let (client, base) = (client.clone(), base.clone());
        pullers.spawn(async move {
            let mut took = (0u32, 0u64, 0u32);
            for _ in 0..rounds {
                let (pages, bytes, waits) = pull_all(&client, &base, &token).await;
                took = (took.0 + pages, took.1 + bytes, took.2 + waits);
            }
            took
        });
    }
    let (mut pages, mut bytes, mut waits) = (0u32, 0u64, 0u32);
    while let Some(took) = pullers.join_next().await {
        let took = took.expect("a puller");
        pages += took.0;
        bytes += took.1;
        waits += took.2;
    }
    let secs = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let peak_rss = sampler.await.expect("the sampler");
    let after_rss = rss_mib(pid);
    let _ = server.kill();
    let _ = server.wait();

    println!(
        "pull memory: {cases} cases of {:.0} KB ({:.1} MB stored)",
        stored as f64 / cases as f64 / 1024.0,
        stored as f64 / 1e6
    );
    println!(
        "  {clients} devices × {rounds} full pulls at once: {pages} pages, {:.1} MB sent in {secs:.1} s ({:.1} MB/s); told to wait (429) {waits} times",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
    println!(
        "  server memory: {idle_rss:.0} MiB before, peak {peak_rss:.0} MiB, {after_rss:.0} MiB after"
    );
}
