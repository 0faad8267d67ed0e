//! The server starts on 127.0.0.1:0 against a fresh database of each kind,
//! migrations apply, `/healthz` answers, and pages and files are served.

use crate::support::{TestApp, TestDb};
use std::time::Duration;

/// A server-rendered page: its status and whole body, within 15 s. A page
/// that never finishes fails here at once (docs/perf.md, "Server-rendered
/// pages under load"; `ssr_soak.rs` asks for tens of thousands at once).
async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let res = app
        .client
        .get(app.url(path))
        .header("accept-language", "en-US,en;q=0.9")
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = res.status().as_u16();
    let body = res
        .text()
        .await
        .unwrap_or_else(|e| panic!("the server-rendered {path} did not finish: {e}"));
    (status, body)
}

on_both_databases! {
    async fn healthz_reports_the_database_it_checked(db: TestDb) {
        let app = TestApp::spawn(&db).await;
        let res = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        let expected = match db.kind() { crate::support::Kind::Sqlite => "sqlite", crate::support::Kind::Postgres => "postgres" };
        assert_eq!(body["database"], expected);
        drop(app);
        db.cleanup().await;
    }

    async fn healthz_is_503_when_the_database_is_gone(db: TestDb) {
        let app = TestApp::spawn(&db).await;
        db.db.close().await;
        let res = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(res.status(), 503);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], "unavailable");
        assert!(!body.to_string().contains("pool"), "no internal detail leaks: {body}");
        drop(app);
        db.cleanup().await;
    }

    async fn migrations_create_the_reference_tables(db: TestDb) {
        let kinds = tiaojie_server::store::org::known_kinds(&db.db).await.unwrap();
        let mut expected: Vec<&str> = domain::UnitKind::ALL.iter().map(|k| k.code()).collect();
        expected.sort();
        assert_eq!(kinds, expected, "the unit_kind table matches domain::UnitKind");
        // migrating again is a no-op
        db.db.migrate().await.unwrap();
        db.cleanup().await;
    }

    async fn the_first_page_is_server_rendered_in_chinese(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let (status, html) = page(&app, "/").await;
        assert_eq!(status, 200);
        assert!(html.contains("<html lang=\"zh-CN\""), "Chinese first, whatever the browser says");
        assert!(html.contains("调解通"));
        assert!(html.contains("楚雄市"), "the demo organisation's name is rendered");
        assert!(html.contains("/manifest.webmanifest"));
        drop(app);
        db.cleanup().await;
    }

    async fn unknown_paths_get_the_apps_404_page(db: TestDb) {
        let app = TestApp::spawn(&db).await;
        let (status, html) = page(&app, "/no/such/page").await;
        assert_eq!(status, 404);
        assert!(html.contains("页面不存在"));
        drop(app);
        db.cleanup().await;
    }
}
