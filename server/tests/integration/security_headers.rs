//! Every answer carries the security headers (docs/security.md,
//! "Headers"), and the Content-Security-Policy allows exactly the inline
//! script the pages have: its hash is computed here from the page itself.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The inline scripts of an HTML page (those without `src`): (the `nonce`
/// attribute, the text).
fn inline_scripts(html: &str) -> Vec<(Option<String>, String)> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let tag_end = start + rest[start..].find('>').expect("a whole tag");
        let close = tag_end + rest[tag_end..].find("</script>").expect("a closed script");
        let tag = &rest[start..tag_end];
        if !tag.contains(" src=") {
            let nonce = tag
                .split(" nonce=\"")
                .nth(1)
                .and_then(|n| n.split('"').next())
                .map(str::to_owned);
            scripts.push((nonce, rest[tag_end + 1..close].to_owned()));
        }
        rest = &rest[close..];
    }
    scripts
}

fn sha256_source(script: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()))
    )
}

on_both_databases! {
    async fn every_answer_has_the_security_headers_and_the_policy_fits_the_pages(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let mut policies = std::collections::BTreeSet::new();
        let mut nonces = std::collections::BTreeSet::new();
        for (path, token) in [
            ("/", None),
            ("/cases", None),
            ("/subsidy", None),
            ("/no-such-page", None),
            (app::APP_SHELL_PATH, None),
            ("/healthz", None),
            ("/api/v1/openapi.json", None),
            ("/api/v1/auth/me", Some(&phone.token)),
            ("/api/v1/sync/pull?cursor=0", Some(&phone.token)),
            ("/api/v1/nowhere", Some(&phone.token)),
        ] {
            let mut req = app.client.get(app.url(path));
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            let res = req.send().await.unwrap();
            let h = res.headers().clone();
            let header = |name: &str| h.get(name).map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "{path}");
            assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"), "{path}");
            assert_eq!(header("x-frame-options").as_deref(), Some("DENY"), "{path}");
            let csp = header("content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP"));
            for directive in ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "style-src 'self'"] {
                assert!(csp.split("; ").any(|d| d == directive), "{path}: {directive} in {csp}");
            }
            let script_src = csp.split("; ").find(|d| d.starts_with("script-src ")).expect("script-src");
            assert!(!script_src.contains("unsafe-inline") && !script_src.contains("'unsafe-eval'"), "{script_src}");
            let nonce = script_src.split(' ').find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\'')).expect("a nonce");
            assert!(nonce.len() >= 22, "128 bits: {nonce}");
            assert!(nonces.insert(nonce.to_owned()), "a new nonce for each answer");
            let is_html = header("content-type").is_some_and(|t| t.starts_with("text/html"));
            if is_html {
                let html = res.text().await.unwrap();
                let scripts = inline_scripts(&html);
                assert!(!scripts.is_empty(), "{path}: the boot script");
                for (script_nonce, text) in scripts.iter().filter(|(_, text)| !text.is_empty()) {
                    let allowed = script_nonce.as_deref() == Some(nonce) || script_src.contains(&sha256_source(text));
                    assert!(allowed, "{path}: the policy allows {text:?} (nonce {script_nonce:?})");
                }
                if path != app::APP_SHELL_PATH {
                    assert!(scripts.iter().any(|(n, _)| n.as_deref() == Some(nonce)), "{path}: the page's streamed scripts carry the answer's nonce");
                }
                assert!(!html.contains(" style=\""), "{path}: no inline style for `style-src 'self'` to block");
            }
            policies.insert(csp.replace(nonce, "N"));
        }
        assert_eq!(policies.len(), 1, "one policy for every answer but its nonce");
        drop(app);
        db.cleanup().await;
    }
}
