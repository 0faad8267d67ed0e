//! 账号管理 (docs/security.md "Accounts"): the judicial office gives a
//! mediator who forgot the password a new one, stops an account and lets it
//! in again — for the people strictly below it only. On both databases.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use serde_json::{Value, json};

const DIRECTOR: &str = "13900000003";
const TOWNSHIP_FINANCE: &str = "13900000005";

async fn account_id(db: &TestDb, phone: &str) -> String {
    sqlx::query_scalar("SELECT id FROM account WHERE phone = $1")
        .bind(phone)
        .fetch_one(db.db.pool())
        .await
        .unwrap()
}

async fn post(app: &TestApp, who: &Device, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = app.client.post(app.url(path)).bearer_auth(&who.token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn login_status(app: &TestApp, phone: &str, password: &str) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"phone": phone, "password": password, "device_id": uuid::Uuid::now_v7(), "device_name": "t"}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

on_both_databases! {
    async fn the_judicial_office_resets_a_password_and_stops_an_account_below_it(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let village = login(&app, VILLAGE_MEDIATOR).await;

        // the list: the township's committees' people, not the office's own
        // colleagues, not the city, not another township
        let list: Vec<Value> = app.client.get(app.url("/api/v1/accounts")).bearer_auth(&office.token)
            .send().await.unwrap().json().await.unwrap();
        let phones: Vec<&str> = list.iter().filter_map(|a| a["phone"].as_str()).collect();
        assert!(phones.contains(&VILLAGE_MEDIATOR), "{phones:?}");
        for not_here in [JUDICIAL_OFFICE, DIRECTOR, BUREAU, SECTOR_MEDIATOR, TOWNSHIP_FINANCE] {
            assert!(!phones.contains(&not_here), "{not_here} in {phones:?}");
        }
        let row = list.iter().find(|a| a["phone"] == VILLAGE_MEDIATOR).unwrap();
        assert_eq!(row["roles"], json!(["mediator"]));
        assert!(row["last_seen_at"].is_string(), "the mediator's phone reached the server");
        let id = row["id"].as_str().unwrap().to_owned();

        // a new password: too short is named; an unknown field is refused
        let path = format!("/api/v1/accounts/{id}/password");
        let (status, body) = post(&app, &office, &path, Some(json!({"password": "1234567"}))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("password")), "{body}");
        let (status, _) = post(&app, &office, &path, Some(json!({"password": "新密码2026abc", "notify": true}))).await;
        assert_eq!(status, 400);
        assert_eq!(login_status(&app, VILLAGE_MEDIATOR, PASSWORD).await.0, 200, "nothing changed yet");
        let (status, body) = post(&app, &office, &path, Some(json!({"password": "新密码2026abc"}))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(login_status(&app, VILLAGE_MEDIATOR, PASSWORD).await.0, 401);
        assert_eq!(login_status(&app, VILLAGE_MEDIATOR, "新密码2026abc").await.0, 200);
        // the phone stays logged in
        let pull = app.client.get(app.url("/api/v1/sync/pull?cursor=0&limit=1")).bearer_auth(&village.token)
            .send().await.unwrap();
        assert_eq!(pull.status(), 200);

        // stopped: no log-in, the phone is told at its next request
        let (status, body) = post(&app, &office, &format!("/api/v1/accounts/{id}/disable"), None).await;
        assert_eq!(status, 200);
        let stopped_at = body["disabled_at"].as_str().unwrap().to_owned();
        let (_, again) = post(&app, &office, &format!("/api/v1/accounts/{id}/disable"), None).await;
        assert_eq!(again["disabled_at"], stopped_at, "stopping again keeps the first date");
        let (status, body) = login_status(&app, VILLAGE_MEDIATOR, "新密码2026abc").await;
        assert_eq!((status, body["code"].as_str()), (401, Some("disabled")));
        let pull = app.client.get(app.url("/api/v1/sync/pull?cursor=0&limit=1")).bearer_auth(&village.token)
            .send().await.unwrap();
        assert_eq!(pull.status(), 401);
        assert_eq!(pull.json::<Value>().await.unwrap()["code"], "disabled");
        // in again
        let (status, body) = post(&app, &office, &format!("/api/v1/accounts/{id}/enable"), None).await;
        assert_eq!((status, body["disabled_at"].is_null()), (200, true));
        assert_eq!(login_status(&app, VILLAGE_MEDIATOR, "新密码2026abc").await.0, 200);

        // a colleague, a superior, the office's own account, another
        // township's or the city's: not found; not an id: not found
        for phone in [DIRECTOR, JUDICIAL_OFFICE, BUREAU, SECTOR_MEDIATOR] {
            let other = account_id(&db, phone).await;
            let (status, _) = post(&app, &office, &format!("/api/v1/accounts/{other}/password"), Some(json!({"password": "takeover-2026"}))).await;
            assert_eq!(status, 404, "{phone}");
            assert_eq!(login_status(&app, phone, "takeover-2026").await.0, 401, "{phone} kept its password");
        }
        assert_eq!(post(&app, &office, "/api/v1/accounts/nope/disable", None).await.0, 404);

        // the bureau's business section manages the township's office; a
        // finance office and a mediator manage nobody
        let bureau = login(&app, BUREAU).await;
        let office_id = account_id(&db, JUDICIAL_OFFICE).await;
        assert_eq!(post(&app, &bureau, &format!("/api/v1/accounts/{office_id}/enable"), None).await.0, 200);
        let finance = login(&app, TOWNSHIP_FINANCE).await;
        assert_eq!(post(&app, &finance, &format!("/api/v1/accounts/{id}/disable"), None).await.0, 403);
        // (the phone's session outlived the stop: it had not asked meanwhile)
        let res = app.client.get(app.url("/api/v1/accounts")).bearer_auth(&village.token).send().await.unwrap();
        assert_eq!(res.status(), 403);
        drop(app);
        db.cleanup().await;
    }
}
