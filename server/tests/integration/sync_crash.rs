//! A server killed with SIGKILL in the middle of a push loses nothing and
//! duplicates nothing: the client sends the same batch again to the
//! restarted server and every mutation is applied exactly once. The real
//! `tiaojie` binary, on SQLite and PostgreSQL.

use crate::support::TestDb;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use uuid::Uuid;

const BATCH: usize = 400;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(db: &TestDb, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tiaojie"))
        .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &db.args.database_url)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the tiaojie binary starts");
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not come up on port {port}");
}

async fn count(db: &TestDb, table: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db.db.pool())
        .await
        .unwrap()
}

on_both_databases! {
    async fn a_push_cut_by_kill_9_is_applied_exactly_once_after_a_retry(db: TestDb) {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let port = free_port();
        let mut server = start(&db, port).await;
        let base = format!("http://127.0.0.1:{port}");
        let device_id = Uuid::now_v7();
        let login: Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"phone": "13800000001", "password": tiaojie_server::demo::DEMO_PASSWORD, "device_id": device_id}))
            .send().await.unwrap().json().await.unwrap();
        let token = login["token"].as_str().unwrap().to_owned();
        let unit = domain::UnitId::parse(login["scopes"][0]["unit_id"].as_str().unwrap()).unwrap();
        let owner = domain::PersonId::parse(login["person_id"].as_str().unwrap()).unwrap();
        let d = |s: &str| domain::dates::parse_iso(s).unwrap();
        let cases = domain::sample::cases(BATCH, 9, unit, owner, d("2024-01-01"), d("2024-06-30"));
        let mutations: Vec<Value> = cases.iter().enumerate().map(|(i, c)| json!({
            "seq": i + 1, "mutation_id": Uuid::now_v7(), "entity": "case", "entity_id": c.id,
            "op": "upsert", "base_version": 0, "payload": c,
        })).collect();
        let body = json!({"client_id": device_id, "mutations": mutations});

        // kill the server while the batch is in flight, at several moments
        let mut cut = 0;
        for delay_ms in [5u64, 20, 60, 150] {
            let push = tokio::spawn({
                let (client, url, token, body) = (client.clone(), format!("{base}/api/v1/sync/push"), token.clone(), body.clone());
                async move { client.post(url).bearer_auth(token).json(&body).send().await }
            });
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            server.kill().unwrap(); // SIGKILL
            server.wait().unwrap();
            let outcome = push.await.unwrap();
            if outcome.as_ref().map_or(true, |r| r.status() != 200) {
                cut += 1;
            }
            // whatever happened, the database holds all of the batch or none of it
            let stored = count(&db, "case_record").await;
            assert!(stored == 0 || stored == BATCH as i64, "half a push stored: {stored}");
            server = start(&db, port).await;
        }
        eprintln!("{cut} of 4 pushes were cut before an answer");

        // the client never got (or never trusted) an answer: it sends the same batch
        for attempt in 0..2 {
            let started = std::time::Instant::now();
            let res = client.post(format!("{base}/api/v1/sync/push")).bearer_auth(&token).json(&body).send().await.unwrap();
            // (the kills above fell inside a whole push when it takes longer than they waited)
            eprintln!("retry {attempt}: {} ms", started.elapsed().as_millis());
            assert_eq!(res.status(), 200);
            let answer: domain::sync::PushResponse = res.json().await.unwrap();
            assert_eq!(answer.last_seq, BATCH as u64);
            assert!(answer.results.iter().all(|r| r.status != domain::sync::Status::Rejected), "{:?}", answer.results.iter().find(|r| r.status == domain::sync::Status::Rejected));
        }
        assert_eq!(count(&db, "case_record").await, BATCH as i64);
        assert_eq!(count(&db, "sync_mutation").await, BATCH as i64);
        assert_eq!(count(&db, "case_history").await, 0, "no case was written twice");
        let max_version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM case_record").fetch_one(db.db.pool()).await.unwrap();
        assert_eq!(max_version, 1);
        server.kill().unwrap();
        server.wait().unwrap();
        db.cleanup().await;
    }
}
