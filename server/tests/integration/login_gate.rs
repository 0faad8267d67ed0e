//! The log-in gate against the real server, as an attacker and an owner
//! would meet it (docs/security.md, "Log-in"): password spraying from one
//! address, guessing one number, guesses from many addresses against the
//! owner's known one, a flood of parallel log-ins, and the client address
//! behind a reverse proxy. Different source addresses are different
//! loopback addresses (127.0.0.x), which Linux routes to the server.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use serde_json::json;
use std::net::IpAddr;
use std::time::Duration;
use tiaojie_server::config::ServeArgs;
use uuid::Uuid;

/// A client whose connections come from 127.0.0.`last`.
fn from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, last]))
        .build()
        .expect("a client")
}

/// One log-in: its status and `Retry-After`, if any.
async fn log_in(
    app: &TestApp,
    client: &reqwest::Client,
    phone: &str,
    password: &str,
    header: Option<(&str, &str)>,
) -> (u16, Option<u64>) {
    let mut req = client.post(app.url("/api/v1/auth/login")).json(&json!({
        "phone": phone, "password": password, "device_id": Uuid::now_v7(), "device_name": "gate test"
    }));
    if let Some((name, value)) = header {
        req = req.header(name, value);
    }
    let res = req.send().await.expect("an answer");
    let wait = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (res.status().as_u16(), wait)
}

/// An unknown number for each `i`.
fn stranger(i: usize) -> String {
    format!("137{i:08}")
}

on_both_databases! {
    async fn spraying_from_one_address_is_slowed_and_others_are_not(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let sprayer = from(2);
        // one guess each at 25 numbers: 20 are checked, then the address waits
        let mut statuses = Vec::new();
        for i in 0..25 {
            statuses.push(log_in(&app, &sprayer, &stranger(i), PASSWORD, None).await);
        }
        // (the bucket drains one every 3 s: a slow machine may see one more)
        assert_eq!(statuses[..20], [(401, None); 20]);
        let held: Vec<_> = statuses[20..].iter().filter(|(status, _)| *status == 429).collect();
        assert!(held.len() >= 4, "{statuses:?}");
        assert!(held.iter().all(|(_, wait)| matches!(wait, Some(1..=3))), "one more every 3 s: {held:?}");
        // the sprayer's address waits even with a right password
        assert_eq!(log_in(&app, &sprayer, VILLAGE_MEDIATOR, PASSWORD, None).await.0, 429);
        // everyone else logs in at once
        assert_eq!(log_in(&app, &from(3), VILLAGE_MEDIATOR, PASSWORD, None).await, (200, None));
        // and after the wait the sprayer gets one more check
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(log_in(&app, &sprayer, &stranger(99), PASSWORD, None).await, (401, None));
        assert_eq!(log_in(&app, &sprayer, &stranger(98), PASSWORD, None).await.0, 429);
        drop(app);
        db.cleanup().await;
    }

    async fn guessing_one_number_backs_off_and_never_locks_the_owner_out(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let (guesser, owner) = (from(4), from(5));
        for _ in 0..5 {
            assert_eq!(log_in(&app, &guesser, COMMUNITY_MEDIATOR, "guess-guess", None).await, (401, None));
        }
        // the sixth waits 1 s, right password or not
        assert_eq!(log_in(&app, &guesser, COMMUNITY_MEDIATOR, PASSWORD, None).await, (429, Some(1)));
        // the owner, elsewhere, is not held up
        assert_eq!(log_in(&app, &owner, COMMUNITY_MEDIATOR, PASSWORD, None).await, (200, None));
        tokio::time::sleep(Duration::from_millis(1100)).await;
        // the wait doubles with each wrong one after it
        assert_eq!(log_in(&app, &guesser, COMMUNITY_MEDIATOR, "guess-guess", None).await, (401, None));
        assert_eq!(log_in(&app, &guesser, COMMUNITY_MEDIATOR, PASSWORD, None).await, (429, Some(2)));
        tokio::time::sleep(Duration::from_millis(2100)).await;
        // after the wait the right password is let in, and ends the streak
        assert_eq!(log_in(&app, &guesser, COMMUNITY_MEDIATOR, PASSWORD, None).await, (200, None));
        assert_eq!(log_in(&app, &guesser, COMMUNITY_MEDIATOR, "guess-guess", None).await, (401, None));
        assert_eq!(log_in(&app, &guesser, COMMUNITY_MEDIATOR, PASSWORD, None).await, (200, None));
        drop(app);
        db.cleanup().await;
    }

    async fn guesses_from_many_addresses_hold_up_new_ones_but_not_the_owners(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let owner = from(10);
        assert_eq!(log_in(&app, &owner, VILLAGE_MEDIATOR, PASSWORD, None).await, (200, None));
        // 20 wrong passwords, one from each of 20 addresses: all checked
        for last in 20..40 {
            assert_eq!(log_in(&app, &from(last), VILLAGE_MEDIATOR, "guess-guess", None).await, (401, None));
        }
        // then a new address waits for the number (1 s, then 2, 4…)
        assert_eq!(log_in(&app, &from(50), VILLAGE_MEDIATOR, PASSWORD, None).await, (429, Some(1)));
        // the address the owner logged in from is not
        assert_eq!(log_in(&app, &owner, VILLAGE_MEDIATOR, PASSWORD, None).await, (200, None));
        // nor is another number
        assert_eq!(log_in(&app, &from(50), COMMUNITY_MEDIATOR, PASSWORD, None).await, (200, None));
        drop(app);
        db.cleanup().await;
    }

    async fn a_flood_of_parallel_log_ins_is_answered_and_the_server_stays_up(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        // 96 at once from 96 addresses, random numbers: each answered
        // 401 or 429, none an error of the server
        let flood: Vec<_> = (0..96u8)
            .map(|i| {
                let client = from(100 + i);
                let url = app.url("/api/v1/auth/login");
                tokio::spawn(async move {
                    client.post(url).json(&json!({
                        "phone": stranger(1000 + usize::from(i)), "password": PASSWORD,
                        "device_id": Uuid::now_v7(), "device_name": "flood"
                    })).send().await.map(|r| r.status().as_u16())
                })
            })
            .collect();
        let owner = from(7);
        // meanwhile the owner logs in and the server answers
        let (status, _) = log_in(&app, &owner, VILLAGE_MEDIATOR, PASSWORD, None).await;
        assert!(status == 200 || status == 429, "{status}");
        let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
        for f in flood {
            *statuses.entry(f.await.unwrap().expect("an answer")).or_default() += 1;
        }
        assert!(statuses.keys().all(|s| *s == 401 || *s == 429), "{statuses:?}");
        assert_eq!(statuses.values().sum::<usize>(), 96);
        let health = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        drop(app);
        db.cleanup().await;
    }

    async fn behind_a_proxy_its_header_names_the_client(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        // without the setting, the header is the client's to forge: ignored
        let app = TestApp::spawn(&db).await;
        let client = from(6);
        for i in 0..5 {
            let forged = format!("203.0.113.{i}");
            let answer = log_in(&app, &client, COMMUNITY_MEDIATOR, "guess-guess", Some(("x-forwarded-for", &forged))).await;
            assert_eq!(answer, (401, None));
        }
        let answer = log_in(&app, &client, COMMUNITY_MEDIATOR, PASSWORD, Some(("x-forwarded-for", "198.51.100.1"))).await;
        assert_eq!(answer.0, 429, "a forged header does not start afresh");
        drop(app);

        // with it, each address the proxy names is its own
        let args = ServeArgs {
            client_ip_header: Some("x-forwarded-for".parse().unwrap()),
            ..ServeArgs::default()
        };
        let app = TestApp::spawn_with_args(&db, args).await;
        for _ in 0..5 {
            let answer = log_in(&app, &client, COMMUNITY_MEDIATOR, "guess-guess", Some(("x-forwarded-for", "203.0.113.5"))).await;
            assert_eq!(answer, (401, None));
        }
        let held = log_in(&app, &client, COMMUNITY_MEDIATOR, PASSWORD, Some(("x-forwarded-for", "203.0.113.5"))).await;
        assert_eq!(held, (429, Some(1)));
        // the last address of the list is the one the proxy added
        let other = log_in(&app, &client, COMMUNITY_MEDIATOR, PASSWORD, Some(("x-forwarded-for", "203.0.113.5, 198.51.100.7"))).await;
        assert_eq!(other, (200, None));
        drop(app);
        db.cleanup().await;
    }
}
