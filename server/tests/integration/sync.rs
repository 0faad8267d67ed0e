//! Log-in, device sessions and the sync protocol against the real server,
//! on SQLite and PostgreSQL (docs/sync.md).

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::sync::{PushResponse, Status};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases! {
    async fn log_in_once_keep_a_revocable_device_session(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let login = |phone: &str, password: &str| {
            app.client.post(app.url("/api/v1/auth/login")).json(&json!({
                "phone": phone, "password": password, "device_id": Uuid::now_v7(), "device_name": "x"
            })).send()
        };
        // wrong password and unknown phone: the same answer
        for (phone, password) in [(VILLAGE_MEDIATOR, "wrong-password"), ("13700000000", PASSWORD)] {
            let res = login(phone, password).await.unwrap();
            assert_eq!(res.status(), 401);
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["code"], "bad_credentials");
        }
        let res = login("12345", PASSWORD).await.unwrap();
        assert_eq!(res.status(), 422);
        assert_eq!(res.json::<Value>().await.unwrap()["field"], "phone");

        let device = self::login(&app, VILLAGE_MEDIATOR).await;
        // another account may not log in under a device id that is taken
        let res = app.client.post(app.url("/api/v1/auth/login")).json(&json!({
            "phone": JUDICIAL_OFFICE, "password": PASSWORD, "device_id": device.client_id, "device_name": "x"
        })).send().await.unwrap();
        assert_eq!(res.status(), 409);
        let body: Value = res.json().await.unwrap();
        assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("device_in_use"), Some("device_id")));
        let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM device_session WHERE device_id = $1")
            .bind(device.client_id.to_string()).fetch_one(db.db.pool()).await.unwrap();
        assert_eq!(sessions, 1, "nothing stored for the refused log-in");
        // guessing is slowed down (5 wrong passwords in a row are free, then
        // a wait), not locked out: after the wait the right one is let in
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(login(COMMUNITY_MEDIATOR, "guess-guess").await.unwrap().status().as_u16());
        }
        assert_eq!(statuses, [401; 5]);
        let res = login(COMMUNITY_MEDIATOR, PASSWORD).await.unwrap();
        assert_eq!(res.status(), 429, "even the right password waits");
        assert_eq!(res.headers()["retry-after"], "1");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "rate_limited");
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(login(COMMUNITY_MEDIATOR, PASSWORD).await.unwrap().status(), 200, "not locked out");
        assert!(device.token.starts_with("tj1_"));
        // only the token's hash is stored
        let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM device_session").fetch_all(db.db.pool()).await.unwrap();
        assert_eq!(stored.len(), 2, "the mediator's and the community mediator's");
        assert!(stored.iter().all(|hash| !hash.contains(&device.token[4..])));

        let me = app.client.get(app.url("/api/v1/auth/me")).bearer_auth(&device.token).send().await.unwrap();
        assert_eq!(me.status(), 200);
        let me: Value = me.json().await.unwrap();
        assert_eq!(me["scopes"][0]["role"], "mediator");
        assert!(!me["name"].as_str().unwrap().is_empty());

        let no_token = app.client.get(app.url("/api/v1/auth/me")).send().await.unwrap();
        assert_eq!(no_token.status(), 401);
        assert_eq!(no_token.json::<Value>().await.unwrap()["code"], "unauthenticated");

        // log out: the token is dead, and says so (the app wipes its data)
        let out = app.client.post(app.url("/api/v1/auth/logout")).bearer_auth(&device.token).send().await.unwrap();
        assert_eq!(out.status(), 204);
        let after = app.client.get(app.url("/api/v1/auth/me")).bearer_auth(&device.token).send().await.unwrap();
        assert_eq!(after.status(), 401);
        assert_eq!(after.json::<Value>().await.unwrap()["code"], "revoked");
        let res = push_raw(&app, &device, &json!({"client_id": device.client_id, "mutations": []})).await;
        assert_eq!(res.status(), 401);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "revoked");
        drop(app);
        db.cleanup().await;
    }

    async fn a_push_replayed_100_times_has_one_effect_and_the_same_answer(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let case = new_case(&phone, 1);
        let body = json!({"client_id": phone.client_id, "mutations": [mutation(&phone, "upsert", &case, 0)]});
        let first: PushResponse = push_raw(&app, &phone, &body).await.json().await.unwrap();
        assert_eq!(first.last_seq, 1);
        let r = &first.results[0];
        assert_eq!(r.status, Status::Applied, "{r:?}");
        assert_eq!(r.version, Some(1));
        // the server's own verdict with the shared rules: a closed oral agreement is tier A
        let verdict = r.verdict.as_ref().unwrap();
        assert_eq!(verdict.tier.as_deref(), Some("A"));
        assert_eq!(verdict.amount.to_string(), "30.00");
        for _ in 0..99 {
            let again: PushResponse = push_raw(&app, &phone, &body).await.json().await.unwrap();
            assert_eq!(again, first);
        }
        assert_eq!(count(&db, "case_record").await, 1);
        assert_eq!(count(&db, "case_history").await, 0);
        assert_eq!(count(&db, "sync_mutation").await, 1);
        let changes = pull(&app, &phone, 0).await;
        assert_eq!(changes.changes.len(), 1);
        assert_eq!(changes.changes[0].version, 1);
        assert!(!changes.has_more);
        // and nothing new after the cursor
        assert!(pull(&app, &phone, changes.cursor).await.changes.is_empty());
        drop(app);
        db.cleanup().await;
    }

    async fn seqs_are_checked_and_a_mutation_id_counts_once(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let case = new_case(&phone, 2);
        let m1 = mutation(&phone, "upsert", &case, 0);
        let m2 = mutation(&phone, "upsert", &case, 1);
        // out of order inside a batch: refused whole, nothing stored
        let res = push_raw(&app, &phone, &json!({"client_id": phone.client_id, "mutations": [m2.clone(), m1.clone()]})).await;
        assert_eq!(res.status(), 400);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "seq_order");
        assert_eq!(body["field"], "mutations[1].seq");
        assert_eq!(count(&db, "case_record").await, 0);
        // a later batch first (a gap is allowed), then the earlier one: too old
        let later = push(&app, &phone, vec![m2.clone()]).await;
        assert_eq!(later.results[0].status, Status::Rejected, "version 1 does not exist yet");
        let earlier = push(&app, &phone, vec![m1.clone()]).await;
        assert_eq!(earlier.results[0].status, Status::Rejected);
        assert_eq!(earlier.results[0].code.map(|c| c.code()), Some("stale_seq"));
        // the same mutation id under a new seq is not applied twice
        let mut again = m1.clone();
        again["seq"] = json!(3);
        let applied = push(&app, &phone, vec![again.clone()]).await;
        assert_eq!(applied.results[0].status, Status::Applied);
        let mut twice = again.clone();
        twice["seq"] = json!(4);
        let dup = push(&app, &phone, vec![twice]).await;
        assert_eq!(dup.results[0].code.map(|c| c.code()), Some("duplicate"));
        assert_eq!(count(&db, "case_record").await, 1);
        drop(app);
        db.cleanup().await;
    }

    async fn each_caller_sees_and_changes_only_their_own_subtree(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let village = login(&app, VILLAGE_MEDIATOR).await;
        let community = login(&app, COMMUNITY_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let bureau = login(&app, BUREAU).await;
        let case = new_case(&village, 3);
        let r = push(&app, &village, vec![mutation(&village, "upsert", &case, 0)]).await;
        assert_eq!(r.results[0].status, Status::Applied);

        // the village's township office and the city bureau see it; another committee does not
        assert_eq!(pull(&app, &office, 0).await.changes.len(), 1);
        assert_eq!(pull(&app, &bureau, 0).await.changes.len(), 1);
        assert!(pull(&app, &community, 0).await.changes.is_empty());

        // the other committee can neither overwrite it by id nor file a case under the village
        let mut forged = case.clone();
        forged["summary"] = json!("改写");
        let r = push(&app, &community, vec![mutation(&community, "upsert", &forged, 1)]).await;
        assert_eq!(r.results[0].status, Status::Rejected);
        assert_eq!(r.results[0].code.map(|c| c.code()), Some("scope"));
        let r = push(&app, &community, vec![mutation(&community, "delete", &case, 1)]).await;
        assert_eq!(r.results[0].code.map(|c| c.code()), Some("scope"));
        let mut elsewhere = new_case(&village, 4);
        elsewhere["owner_id"] = json!(community.person_id);
        let r = push(&app, &community, vec![mutation(&community, "upsert", &elsewhere, 0)]).await;
        assert_eq!(r.results[0].code.map(|c| c.code()), Some("scope"));
        assert_eq!(r.results[0].field.as_deref(), Some("payload.unit_id"));
        // nothing of theirs landed
        assert_eq!(count(&db, "case_record").await, 1);
        let stored: String = sqlx::query_scalar("SELECT payload FROM case_record").fetch_one(db.db.pool()).await.unwrap();
        assert!(!stored.contains("改写"));
        // a device's client id is its own account's
        let res = push_raw(&app, &community, &json!({"client_id": village.client_id, "mutations": []})).await;
        assert_eq!(res.status(), 403);
        drop(app);
        db.cleanup().await;
    }

    async fn concurrent_edits_merge_by_field_and_the_server_order_decides(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        // the committee head and the mediator of one committee, on two phones
        let head = login(&app, "13900000001").await;
        let case = new_case(&phone, 5);
        push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;

        // both start from version 1: different fields both land
        let mut by_head = case.clone();
        by_head["place"] = json!("村委会调解室");
        let r = push(&app, &head, vec![mutation(&head, "upsert", &by_head, 1)]).await;
        assert_eq!((r.results[0].status, r.results[0].version), (Status::Applied, Some(2)));
        let mut by_phone = case.clone();
        by_phone["summary"] = json!("邻里排水沟纠纷（补充）");
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &by_phone, 1)]).await;
        assert_eq!((r.results[0].status, r.results[0].version), (Status::Applied, Some(3)), "{:?}", r.results[0]);
        let now = &pull(&app, &head, 0).await.changes[0];
        let payload = now.payload.as_ref().unwrap();
        assert_eq!(payload["place"], "村委会调解室");
        assert_eq!(payload["summary"], "邻里排水沟纠纷（补充）");
        assert_eq!(payload["version"], 3);

        // the same field from version 3 on both sides: the later push wins,
        // is told so, and the replaced value is in the history
        let mut head_text = payload.clone();
        head_text["summary"] = json!("主任的版本");
        push(&app, &head, vec![mutation(&head, "upsert", &head_text, 3)]).await;
        let mut phone_text = payload.clone();
        phone_text["summary"] = json!("调解员的版本");
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &phone_text, 3)]).await;
        let result = &r.results[0];
        assert_eq!(result.status, Status::Conflict);
        assert_eq!(result.overridden, ["summary"]);
        assert_eq!(result.server.as_ref().unwrap()["summary"], "调解员的版本");
        let lost: String = sqlx::query_scalar("SELECT payload FROM case_history WHERE version = 4")
            .fetch_one(db.db.pool()).await.unwrap();
        assert!(lost.contains("主任的版本"));
        let overridden: String = sqlx::query_scalar("SELECT overridden FROM case_history WHERE version = 4")
            .fetch_one(db.db.pool()).await.unwrap();
        assert_eq!(overridden, r#"["summary"]"#);
        drop(app);
        db.cleanup().await;
    }

    async fn several_changes_to_one_case_in_one_push_apply_in_order(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let case = new_case(&phone, 8);
        let mut edited = case.clone();
        edited["summary"] = json!("第二版");
        let mut moved = case.clone();
        moved["place"] = json!("村委会");
        // created, edited, then edited again from version 1 (merged with the first edit)
        let r = push(&app, &phone, vec![
            mutation(&phone, "upsert", &case, 0),
            mutation(&phone, "upsert", &edited, 1),
            mutation(&phone, "upsert", &moved, 1),
        ]).await;
        let versions: Vec<_> = r.results.iter().map(|x| (x.status, x.version)).collect();
        assert_eq!(versions, [(Status::Applied, Some(1)), (Status::Applied, Some(2)), (Status::Applied, Some(3))]);
        let changes = pull(&app, &phone, 0).await.changes;
        assert_eq!(changes.len(), 1, "one record, its latest state");
        let payload = changes[0].payload.as_ref().unwrap();
        assert_eq!((payload["summary"].as_str(), payload["place"].as_str(), payload["version"].as_u64()), (Some("第二版"), Some("村委会"), Some(3)));
        assert_eq!(count(&db, "case_history").await, 2);
        assert_eq!(count(&db, "sync_mutation").await, 3);
        drop(app);
        db.cleanup().await;
    }

    async fn pushes_at_the_same_moment_commit_together_and_fail_alone(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let mut devices = Vec::new();
        // (log-in allows 10 attempts per phone number at once)
        for _ in 0..8 {
            devices.push(login(&app, VILLAGE_MEDIATOR).await);
        }
        let intruder = login(&app, COMMUNITY_MEDIATOR).await;
        // eight devices push at once; a ninth borrows the first one's client id
        let send = |token: String, body: Value| {
            let (client, url) = (app.client.clone(), app.url("/api/v1/sync/push"));
            tokio::spawn(async move { client.post(url).bearer_auth(token).json(&body).send().await.unwrap() })
        };
        let tasks: Vec<_> = devices
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let body = json!({"client_id": d.client_id, "mutations": [mutation(d, "upsert", &new_case(d, 100 + i as u64), 0)]});
                send(d.token.clone(), body)
            })
            .collect();
        let stolen = json!({"client_id": devices[0].client_id, "mutations": [mutation(&intruder, "upsert", &new_case(&intruder, 99), 0)]});
        let refused = send(intruder.token.clone(), stolen).await.unwrap();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.unwrap());
        }
        assert_eq!(refused.status(), 403);
        for res in answers {
            assert_eq!(res.status(), 200);
            let body: PushResponse = res.json().await.unwrap();
            assert_eq!(body.results[0].status, Status::Applied);
        }
        assert_eq!(count(&db, "case_record").await, 8);
        assert_eq!(count(&db, "sync_mutation").await, 8);
        let change_nos: Vec<i64> = sqlx::query_scalar("SELECT change_no FROM case_record ORDER BY change_no").fetch_all(db.db.pool()).await.unwrap();
        let mut unique = change_nos.clone();
        unique.dedup();
        assert_eq!(unique.len(), 8, "every change has its own number: {change_nos:?}");
        drop(app);
        db.cleanup().await;
    }

    async fn deletions_reach_other_devices_as_tombstones(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let case = new_case(&phone, 6);
        push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;
        let first = pull(&app, &office, 0).await;
        let r = push(&app, &phone, vec![mutation(&phone, "delete", &case, 1)]).await;
        assert_eq!((r.results[0].status, r.results[0].version), (Status::Applied, Some(2)));
        let next = pull(&app, &office, first.cursor).await;
        assert_eq!(next.changes.len(), 1);
        let tomb = &next.changes[0];
        assert!(tomb.deleted && tomb.payload.is_none() && tomb.verdict.is_none());
        assert_eq!(tomb.entity_id.to_string(), case["id"].as_str().unwrap());
        // a deleted case takes no more edits
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &case, 2)]).await;
        assert_eq!(r.results[0].code.map(|c| c.code()), Some("deleted"));
        drop(app);
        db.cleanup().await;
    }

    async fn bad_input_is_a_4xx_with_code_and_field_and_stores_nothing(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let case = new_case(&phone, 7);
        let good = mutation(&phone, "upsert", &case, 0);

        // unknown field at the top and inside a mutation
        let res = push_raw(&app, &phone, &json!({"client_id": phone.client_id, "mutations": [], "extra": 1})).await;
        assert_eq!(res.status(), 400);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "malformed");
        let mut odd = good.clone();
        odd["surprise"] = json!(true);
        let res = push_raw(&app, &phone, &json!({"client_id": phone.client_id, "mutations": [odd]})).await;
        assert_eq!(res.status(), 400);
        let body: Value = res.json().await.unwrap();
        assert!(body["field"].as_str().unwrap().starts_with("mutations[0]"), "{body}");
        // not JSON; a bad id; too many mutations; too big
        let res = app.client.post(app.url("/api/v1/sync/push")).bearer_auth(&phone.token).header("content-type", "application/json").body("{not json").send().await.unwrap();
        assert_eq!(res.status(), 400);
        let mut bad_id = good.clone();
        bad_id["entity_id"] = json!("not-a-uuid");
        let res = push_raw(&app, &phone, &json!({"client_id": phone.client_id, "mutations": [bad_id]})).await;
        assert_eq!(res.status(), 400);
        assert_eq!(res.json::<Value>().await.unwrap()["field"], "mutations[0].entity_id");
        let many: Vec<Value> = (1..=501).map(|i| { let mut m = good.clone(); m["seq"] = json!(i); m }).collect();
        let res = push_raw(&app, &phone, &json!({"client_id": phone.client_id, "mutations": many})).await;
        assert_eq!(res.status(), 400);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "batch_too_large");
        let huge = "字".repeat(2 * 1024 * 1024);
        let mut big = good.clone();
        big["payload"]["summary"] = json!(huge);
        let res = push_raw(&app, &phone, &json!({"client_id": phone.client_id, "mutations": [big]})).await;
        assert_eq!(res.status(), 413);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "too_large");
        // a case the rules refuse (wrong check digit): rejected with its field
        let mut wrong = case.clone();
        wrong["parties"][0]["resident_id"] = json!("110105194912310021");
        let mut m = good.clone();
        m["payload"] = wrong;
        let r = push(&app, &phone, vec![m]).await;
        assert_eq!(r.results[0].status, Status::Rejected);
        assert_eq!(r.results[0].field.as_deref(), Some("payload.parties[0].resident_id"));
        // pull parameters
        let res = app.client.get(app.url("/api/v1/sync/pull?cursor=-1")).bearer_auth(&phone.token).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let res = app.client.get(app.url("/api/v1/sync/pull?limit=5000")).bearer_auth(&phone.token).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let res = app.client.get(app.url("/api/v1/sync/pull?cursor=abc")).bearer_auth(&phone.token).send().await.unwrap();
        assert_eq!(res.status(), 400);
        assert_eq!(count(&db, "case_record").await, 0);
        drop(app);
        db.cleanup().await;
    }
}
