//! Log-in flood (docs/perf.md, "Log-in flood"): what a flood of log-ins
//! with random numbers does to the server's memory and to everyone else's
//! requests, and how far password spraying from one address gets. Not run
//! in CI: `scripts/login-flood.sh`.
//!
//! - The server is the release `tiaojie` binary in its own process
//!   (`TIAOJIE_BIN`, default `target/release/tiaojie`) with the demo data on
//!   a new SQLite file, so its memory is its own.
//! - Idle first: its memory, and the time of `GET /api/v1/auth/me` for a
//!   logged-in mediator.
//! - Then `FLOOD_CLIENTS` (96) clients, each from its own loopback address,
//!   log in with random numbers as fast as they are answered, for
//!   `FLOOD_SECS` (20 s), while the mediator's `me` is timed every 50 ms,
//!   the server's memory is read every 100 ms, and the mediator logs in
//!   again from their known address once a second.
//! - Last, one address sprays 60 numbers with one password each.

mod support;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use support::{env_or, pct, rss_mib};
use uuid::Uuid;

const MEDIATOR: &str = "13800000001";
const PASSWORD: &str = tiaojie_server::demo::DEMO_PASSWORD;

/// A client whose connections come from 127.0.`a`.`b`.
fn from(a: u8, b: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, a, b]))
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a client")
}

async fn log_in(client: &reqwest::Client, base: &str, phone: &str) -> (u16, Duration) {
    let started = Instant::now();
    let status = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({
            "phone": phone, "password": PASSWORD, "device_id": Uuid::now_v7(), "device_name": "flood"
        }))
        .send()
        .await
        .map_or(0, |r| r.status().as_u16());
    (status, started.elapsed())
}

async fn token(client: &reqwest::Client, base: &str) -> String {
    let answer: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({
            "phone": MEDIATOR, "password": PASSWORD, "device_id": Uuid::now_v7(), "device_name": "owner"
        }))
        .send()
        .await
        .expect("a log-in")
        .json()
        .await
        .expect("JSON");
    answer["token"].as_str().expect("a token").to_owned()
}

/// Milliseconds of `me` calls, one every 50 ms until `stop`.
async fn time_me(
    client: reqwest::Client,
    base: String,
    token: String,
    stop: Arc<AtomicBool>,
) -> Vec<f64> {
    let mut ms = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        let res = client
            .get(format!("{base}/api/v1/auth/me"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("an answer");
        assert_eq!(res.status(), 200);
        ms.push(started.elapsed().as_secs_f64() * 1e3);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ms.sort_by(f64::total_cmp);
    ms
}

#[tokio::main]
async fn main() {
    let secs = env_or("FLOOD_SECS", 20);
    let clients = env_or("FLOOD_CLIENTS", 96).min(250) as u8;
    let bin = std::env::var("TIAOJIE_BIN").unwrap_or_else(|_| "target/release/tiaojie".into());
    let dir = tempfile::tempdir().expect("a folder");
    let url = format!("sqlite://{}/flood.db", dir.path().display());

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
    let owner = from(0, 1);
    let up = Instant::now();
    while owner.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(up.elapsed() < Duration::from_secs(120), "the server starts");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let token = token(&owner, &base).await;

    // idle
    let stop = Arc::new(AtomicBool::new(false));
    let idle_me = tokio::spawn(time_me(
        owner.clone(),
        base.clone(),
        token.clone(),
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let idle_me = idle_me.await.expect("timings");
    let idle_rss = rss_mib(pid);

    // the flood
    let stop = Arc::new(AtomicBool::new(false));
    let flood_me = tokio::spawn(time_me(
        owner.clone(),
        base.clone(),
        token.clone(),
        stop.clone(),
    ));
    let mut flood = tokio::task::JoinSet::new();
    let deadline = Instant::now() + Duration::from_secs(secs);
    for c in 0..clients {
        let (client, base) = (from(1, c), base.clone());
        flood.spawn(async move {
            let mut seen = BTreeMap::<u16, u64>::new();
            let mut n = u64::from(c) * 1_000_000;
            while Instant::now() < deadline {
                n += 1;
                let (status, _) =
                    log_in(&client, &base, &format!("137{:08}", n % 100_000_000)).await;
                *seen.entry(status).or_default() += 1;
            }
            seen
        });
    }
    let owner_logins = {
        let (owner, base) = (owner.clone(), base.clone());
        tokio::spawn(async move {
            let mut answers = Vec::new();
            while Instant::now() < deadline {
                answers.push(log_in(&owner, &base, MEDIATOR).await);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            answers
        })
    };
    let mut peak_rss = idle_rss;
    while Instant::now() < deadline {
        peak_rss = peak_rss.max(rss_mib(pid));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut statuses = BTreeMap::<u16, u64>::new();
    while let Some(seen) = flood.join_next().await {
        for (status, n) in seen.expect("a flood client") {
            *statuses.entry(status).or_default() += n;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let flood_me = flood_me.await.expect("timings");
    let owner_logins = owner_logins.await.expect("the owner's log-ins");
    let after_rss = rss_mib(pid);

    // spraying from one address
    let sprayer = from(2, 1);
    let mut sprayed = Vec::new();
    for i in 0..60 {
        sprayed.push(log_in(&sprayer, &base, &format!("136{i:08}")).await.0);
    }
    let checked_before_held = sprayed.iter().take_while(|s| **s == 401).count();

    server.kill().ok();
    server.wait().ok();

    let attempts: u64 = statuses.values().sum();
    println!("log-in flood: {clients} clients for {secs} s (release server, SQLite, demo data)");
    println!(
        "  attempts           {attempts} ({:.0}/s), by status {statuses:?}",
        attempts as f64 / secs as f64
    );
    println!(
        "  checked (401)      {} ({:.1}/s)",
        statuses.get(&401).copied().unwrap_or(0),
        statuses.get(&401).copied().unwrap_or(0) as f64 / secs as f64
    );
    println!(
        "  server memory      idle {idle_rss:.0} MiB, peak in the flood {peak_rss:.0} MiB, after {after_rss:.0} MiB"
    );
    println!(
        "  GET /auth/me       idle p50 {:.1} ms p99 {:.1} ms; in the flood p50 {:.1} ms p99 {:.1} ms max {:.1} ms ({} calls)",
        pct(&idle_me, 0.5),
        pct(&idle_me, 0.99),
        pct(&flood_me, 0.5),
        pct(&flood_me, 0.99),
        flood_me.last().copied().unwrap_or(0.0),
        flood_me.len()
    );
    let owner_ok = owner_logins.iter().filter(|(s, _)| *s == 200).count();
    let mut owner_ms: Vec<f64> = owner_logins
        .iter()
        .map(|(_, d)| d.as_secs_f64() * 1e3)
        .collect();
    owner_ms.sort_by(f64::total_cmp);
    println!(
        "  owner's log-ins    {owner_ok} of {} let in from the known address; p50 {:.0} ms, max {:.0} ms",
        owner_logins.len(),
        pct(&owner_ms, 0.5),
        owner_ms.last().copied().unwrap_or(0.0)
    );
    println!(
        "  spraying           one address, 60 numbers: {checked_before_held} checked before the first 429"
    );
}
