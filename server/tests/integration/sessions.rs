//! Device sessions end: unused for `--session-idle-secs`, or
//! `--session-max-secs` after the log-in, a token gets 401 `expired`. The
//! phone logs in again with the same device id and carries on: its push
//! numbering continues, nothing was lost, and only its own account may.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::sync::Status;
use serde_json::{Value, json};
use std::time::Duration;
use tiaojie_server::config::ServeArgs;

async fn pull_status(app: &TestApp, who: &Device) -> (u16, Value) {
    let res = app
        .client
        .get(app.url("/api/v1/sync/pull?cursor=0&limit=1"))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn device_phones(app: &TestApp, office: &Device) -> Vec<String> {
    let list: Vec<Value> = app
        .client
        .get(app.url("/api/v1/devices"))
        .bearer_auth(&office.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.iter()
        .filter_map(|d| d["phone"].as_str().map(str::to_owned))
        .collect()
}

on_both_databases! {
    async fn an_unused_session_expires_and_the_phone_carries_on_after_the_password(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let args = ServeArgs { session_idle_secs: 2, ..Default::default() };
        let app = TestApp::spawn_with_args(&db, args).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let phone_id = uuid::Uuid::now_v7();
        let village = login_as_device(&app, VILLAGE_MEDIATOR, phone_id).await;
        let before = count(&db, "case_record").await;
        let first = new_case(&village, 1);
        let first_push = mutation(&village, "upsert", &first, 0);
        let answer = push(&app, &village, vec![first_push.clone()]).await;
        assert_eq!(answer.results[0].status, Status::Applied);

        // in use, a session lives on past its idle time
        for _ in 0..8 {
            assert_eq!(pull_status(&app, &village).await.0, 200);
            assert_eq!(pull_status(&app, &office).await.0, 200);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        // unused, it expires: 401 `expired` (not `revoked`: the phone keeps its data)
        tokio::time::sleep(Duration::from_secs(4)).await;
        let (status, body) = pull_status(&app, &village).await;
        assert_eq!((status, body["code"].as_str()), (401, Some("expired")), "{body}");
        let res = push_raw(&app, &village, &json!({"client_id": phone_id, "mutations": []})).await;
        assert_eq!(res.status(), 401);
        // the office's own session expired too; its new one does not list the dead one
        assert_eq!(pull_status(&app, &office).await.1["code"], "expired");
        let office = login(&app, JUDICIAL_OFFICE).await;
        assert!(!device_phones(&app, &office).await.contains(&VILLAGE_MEDIATOR.to_owned()));

        // another account cannot take the phone's id over
        let taken = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"phone": COMMUNITY_MEDIATOR, "password": PASSWORD, "device_id": phone_id, "device_name": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(taken.status(), 409);

        // the password again, same phone: the numbering carries on
        let again = login_as_device(&app, VILLAGE_MEDIATOR, phone_id).await;
        again.seq.set(village.seq.get());
        assert_eq!(pull_status(&app, &again).await.0, 200);
        assert!(device_phones(&app, &office).await.contains(&VILLAGE_MEDIATOR.to_owned()));
        let second = new_case(&again, 2);
        let answer = push(&app, &again, vec![mutation(&again, "upsert", &second, 0)]).await;
        assert_eq!(answer.results[0].status, Status::Applied, "seq 2 after seq 1");
        // a replay of the first push (sent before the expiry, answer lost) is answered from the log
        let replay = json!({"client_id": phone_id, "mutations": [first_push]});
        let res = push_raw(&app, &again, &replay).await;
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["results"][0]["status"], "applied", "{body}");
        assert_eq!(count(&db, "case_record").await, before + 2, "each case once");
        // the old token stays dead
        assert_eq!(pull_status(&app, &village).await.1["code"], "expired");
        drop(app);
        db.cleanup().await;
    }

    async fn a_session_in_use_still_ends_at_its_longest(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let args = ServeArgs { session_max_secs: 3, ..Default::default() };
        let app = TestApp::spawn_with_args(&db, args).await;
        let village = login(&app, VILLAGE_MEDIATOR).await;
        let started = std::time::Instant::now();
        loop {
            let (status, body) = pull_status(&app, &village).await;
            if status != 200 {
                assert_eq!((status, body["code"].as_str()), (401, Some("expired")), "{body}");
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "still open after 10 s");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        assert!(started.elapsed() >= Duration::from_secs(2), "ended early: {:?}", started.elapsed());
        // a new log-in opens a new session
        let again = login(&app, VILLAGE_MEDIATOR).await;
        assert_eq!(pull_status(&app, &again).await.0, 200);
        drop(app);
        db.cleanup().await;
    }
}
