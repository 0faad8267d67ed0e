//! Many server-rendered pages at once, to catch a page that never
//! finishes (docs/perf.md, "Server-rendered pages under load"). Not part of
//! the suite (`#[ignore]`): run it with
//! `cargo test -p server --test integration ssr_soak -- --ignored --nocapture`
//! (`SSR_SOAK_PAGES`, default 3000; `SSR_SOAK_AT_ONCE`, default 32).

use crate::support::{Kind, TestApp, TestDb};
use std::time::{Duration, Instant};

async fn soak(app: &TestApp) -> (usize, usize, Duration) {
    let pages: usize = std::env::var("SSR_SOAK_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let at_once: usize = std::env::var("SSR_SOAK_AT_ONCE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let paths = ["/", "/cases", "/data", "/subsidy", "/no/such/page"];
    let started = Instant::now();
    let mut hung = 0;
    let mut done = 0;
    let mut next = 0;
    let mut running = tokio::task::JoinSet::new();
    while done < pages {
        while running.len() < at_once && next < pages {
            let url = app.url(paths[next % paths.len()]);
            let client = app.client.clone();
            running.spawn(async move {
                let res = client
                    .get(url)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await?;
                res.text().await.map(|body| body.contains("</html>"))
            });
            next += 1;
        }
        match running.join_next().await.expect("a request runs") {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => panic!("a page without </html>"),
            Ok(Err(e)) if e.is_timeout() => hung += 1,
            Ok(Err(e)) => panic!("{e}"),
            Err(e) => panic!("{e}"),
        }
        done += 1;
    }
    (pages, hung, started.elapsed())
}

async fn run(kind: Kind) {
    let db = TestDb::migrated(kind).await;
    tiaojie_server::demo::load(&db.db).await.unwrap();
    let app = TestApp::spawn(&db).await;
    let (pages, hung, took) = soak(&app).await;
    println!(
        "ssr_soak {kind:?}: {pages} pages, {hung} unfinished, {:.1} s",
        took.as_secs_f64()
    );
    assert_eq!(hung, 0, "every page finishes");
    drop(app);
    db.cleanup().await;
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "a soak: run on its own"]
async fn ssr_soak_one_thread() {
    run(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a soak: run on its own"]
async fn ssr_soak_two_threads() {
    run(Kind::Postgres).await;
}
