//! What a phone needs to start offline: the app shell and the service
//! worker generated for this build (server/src/offline.rs).

use crate::support::{TestApp, TestDb};

/// A built site as cargo-leptos leaves it: hashed names in hash.txt and the
/// worker template from public/.
fn site(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(
        dir.join("hash.txt"),
        "js: Js0123456789abcdefghij\nwasm: Wasm123456789abcdefghi\ncss: Css0123456789abcdefghi\n\
         manifest: Man0123456789abcdefghi\nsplit: Split123456789abcdefgh\n",
    )
    .unwrap();
    // `cargo leptos build --split`: each lazy screen's chunks, one shared
    std::fs::write(
        dir.join("pkg/__wasm_split_manifest.Man0123456789abcdefghi.json"),
        r#"{"__CaseDetail_View_1": ["case_detail_1.Ch1aaaaaaaaaaaaaaaaaaa", "shared_2.Ch2aaaaaaaaaaaaaaaaaaa"],
            "__Data_View_3": ["data_3.Ch3aaaaaaaaaaaaaaaaaaa", "shared_2.Ch2aaaaaaaaaaaaaaaaaaa"]}"#,
    )
    .unwrap();
    std::fs::write(dir.join("sw.js"), "/* the worker template */\n").unwrap();
}

on_both_databases! {
    async fn the_worker_names_this_build_and_precaches_the_shell_and_bundle(db: TestDb) {
        let dir = tempfile::tempdir().unwrap();
        site(dir.path());
        let app = TestApp::spawn_with_site(&db, dir.path()).await;
        let res = app.client.get(app.url("/sw.js")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-cache", "a new build must be found at once");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
        let js = res.text().await.unwrap();
        assert!(
            js.contains(r#"const BUILD = "Js0123456789abcdefghij-Wasm123456789abcdefghi-Css0123456789abcdefghi-Split123456789abcdefgh";"#),
            "{js}"
        );
        let precache = js.lines().find(|l| l.starts_with("const PRECACHE = ")).unwrap();
        let list: Vec<String> = serde_json::from_str(precache.trim_start_matches("const PRECACHE = ").trim_end_matches(';')).unwrap();
        assert_eq!(list[0], "/app-shell", "the shell comes first: the worker serves it for pages");
        for file in [
            "/pkg/tiaojie.Js0123456789abcdefghij.js",
            "/pkg/tiaojie.Wasm123456789abcdefghi.wasm",
            "/pkg/tiaojie.Css0123456789abcdefghi.css",
            "/manifest.webmanifest",
            // every lazily loaded screen, so each opens offline
            "/pkg/__wasm_split.Split123456789abcdefgh.js",
            "/pkg/case_detail_1.Ch1aaaaaaaaaaaaaaaaaaa.wasm",
            "/pkg/data_3.Ch3aaaaaaaaaaaaaaaaaaa.wasm",
            "/pkg/shared_2.Ch2aaaaaaaaaaaaaaaaaaa.wasm",
        ] {
            assert!(list.iter().any(|f| f == file), "{file} is precached: {list:?}");
        }
        assert_eq!(list.iter().filter(|f| f.contains("shared_2")).count(), 1, "a shared chunk once: {list:?}");
        assert!(js.ends_with("/* the worker template */\n"), "the template follows the constants");
        drop(app);
        db.cleanup().await;
    }

    async fn the_shell_has_no_page_in_it_and_links_the_hashed_bundle(db: TestDb) {
        let dir = tempfile::tempdir().unwrap();
        site(dir.path());
        let app = TestApp::spawn_with_site(&db, dir.path()).await;
        let res = app.client.get(app.url("/app-shell")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-cache");
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"<body data-shell="csr"></body>"#), "the app renders the page: {html}");
        assert!(html.contains(r#"href="/pkg/tiaojie.Css0123456789abcdefghi.css""#), "{html}");
        assert!(html.contains("/manifest.webmanifest"));
        // no server-rendered page, so nothing for a cached copy to contradict
        assert!(!html.contains("楚雄市"));
        drop(app);
        db.cleanup().await;
    }
}
