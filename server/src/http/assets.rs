//! The built site (cargo-leptos output) as static files: content-hashed
//! names, precompressed variants and cache headers.
//!
//! cargo-leptos (`hash-files = true`) names the bundle `pkg/tiaojie.<hash>.js`
//! (and `.wasm`, `.css`) and writes the hashes to `hash.txt` beside the server
//! binary. Hashed files never change, so they are cached for a year;
//! everything else is revalidated. A release build made with `--precompress`
//! leaves `.br`/`.gz` files next to each asset, served as they are; anything
//! else is compressed on the fly by the router's compression layer.

use app::AssetPaths;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::config::{Env, LeptosOptions};
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The bundle's output name (`[[workspace.metadata.leptos]] output-name`).
pub const OUTPUT_NAME: &str = match option_env!("LEPTOS_OUTPUT_NAME") {
    Some(name) => name,
    None => "tiaojie",
};

/// The site as found on disk at start-up.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    /// `hash.txt`, when the build hashed file names.
    pub hash_file: Option<PathBuf>,
    pub paths: AssetPaths,
    /// The split build's chunks (`cargo leptos build --split`), when there are any.
    pub split: Option<SplitBuild>,
}

impl Site {
    /// Looks for `hash.txt` beside the running binary, then in the site root.
    pub fn discover(root: &Path) -> Site {
        let beside_exe = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")));
        let candidates = beside_exe.into_iter().chain([root.join("hash.txt")]);
        let hash_file = candidates
            .into_iter()
            .find(|p| p.is_file())
            .map(|p| std::path::absolute(&p).unwrap_or(p));
        let css_hash = hash_file.as_deref().and_then(|p| read_hash(p, "css"));
        let bundle_file = |kind: &str| match hash_file.as_deref().and_then(|p| read_hash(p, kind)) {
            Some(hash) => format!("/pkg/{OUTPUT_NAME}.{hash}.{kind}"),
            None => format!("/pkg/{OUTPUT_NAME}.{kind}"),
        };
        let (stylesheet, script, wasm) =
            (bundle_file("css"), bundle_file("js"), bundle_file("wasm"));
        if !root.join("pkg").is_dir() {
            tracing::warn!(site_root = %root.display(), "no built site here: build it with `cargo leptos build` or set LEPTOS_SITE_ROOT");
        }
        let split = SplitBuild::read(&root.join("pkg"), hash_file.as_deref());
        Site {
            root: root.to_owned(),
            split,
            hash_file: hash_file.filter(|_| css_hash.is_some()),
            paths: AssetPaths {
                stylesheet,
                script,
                wasm,
            },
        }
    }

    /// Leptos' own options, built from ours (no LEPTOS_* variables needed at run time).
    pub fn leptos_options(&self, addr: SocketAddr) -> LeptosOptions {
        let mut options = LeptosOptions::builder()
            .output_name(OUTPUT_NAME)
            .site_root(self.root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .env(if cfg!(debug_assertions) {
                Env::DEV
            } else {
                Env::PROD
            })
            .build();
        options.hash_files = self.hash_file.is_some();
        if let Some(file) = &self.hash_file {
            // Leptos joins this onto the binary's folder; an absolute path wins.
            options.hash_file = file.to_string_lossy().into_owned().into();
        }
        options
    }
}

/// The hash of one kind of file (`js`, `wasm`, `css`) from `hash.txt`.
pub(crate) fn read_hash(file: &Path, kind: &str) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k.trim() == kind).then(|| v.trim().to_owned())
    })
}

/// What `cargo leptos build --split` wrote: the loader script and, for each
/// lazy function, the wasm chunks it needs (`__wasm_split_manifest.<hash>.json`).
#[derive(Debug, Clone)]
pub struct SplitBuild {
    /// e.g. `__wasm_split.<hash>.js`
    pub loader: String,
    /// lazy function name → chunk names (without `.wasm`)
    pub chunks: HashMap<String, Vec<String>>,
}

impl SplitBuild {
    fn read(pkg: &Path, hash_file: Option<&Path>) -> Option<SplitBuild> {
        let hashed = |kind: &str| hash_file.and_then(|f| read_hash(f, kind));
        let manifest = match hashed("manifest") {
            Some(hash) => format!("__wasm_split_manifest.{hash}.json"),
            None => "__wasm_split_manifest.json".to_owned(),
        };
        let loader = match hashed("split") {
            Some(hash) => format!("__wasm_split.{hash}.js"),
            None => "__wasm_split.______________________.js".to_owned(),
        };
        let text = std::fs::read_to_string(pkg.join(&manifest)).ok()?;
        match serde_json::from_str(&text) {
            Ok(chunks) => Some(SplitBuild { loader, chunks }),
            Err(e) => {
                tracing::warn!(error = %e, %manifest, "unreadable wasm split manifest: lazy screens will not be precached");
                None
            }
        }
    }

    /// The loader and every chunk once, as URL paths (the worker precaches them).
    pub fn files(&self) -> Vec<String> {
        let modules: BTreeSet<&String> = self.chunks.values().flatten().collect();
        std::iter::once(format!("/pkg/{}", self.loader))
            .chain(modules.into_iter().map(|m| format!("/pkg/{m}.wasm")))
            .collect()
    }

    /// For Leptos' server rendering: a page whose screen is a lazy route
    /// then links that screen's chunks (`<link rel="preload">`), so the
    /// browser fetches them beside the main wasm instead of after it.
    pub fn leptos_manifest(&self) -> leptos::WasmSplitManifest {
        leptos::WasmSplitManifest(leptos::prelude::ArcStoredValue::new((
            "/pkg".to_owned(),
            self.chunks.clone(),
            self.loader.clone(),
        )))
    }
}

/// Whether a request path names a content-hashed bundle file, e.g.
/// `/pkg/tiaojie.AbCdEfGhIjKlMnOpQrStUv.wasm`.
pub fn is_hashed_asset(path: &str) -> bool {
    let Some(file) = path.strip_prefix("/pkg/") else {
        return false;
    };
    let parts: Vec<&str> = file.split('.').collect();
    parts.len() >= 3
        && parts[1].len() >= 16
        && parts[1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Sets `Cache-Control` on static files by what they are.
pub async fn cache_control(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if !res.status().is_success() {
        return res;
    }
    let value = if is_hashed_asset(&path) {
        "public, max-age=31536000, immutable"
    } else if path == "/sw.js" || path.ends_with(".webmanifest") || path.starts_with("/pkg/") {
        // must be re-checked so a new version is found
        "no-cache"
    } else {
        "public, max-age=86400"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_assets_are_recognised() {
        assert!(is_hashed_asset("/pkg/tiaojie.AbCdEfGhIjKlMnOpQrStUv.wasm"));
        assert!(is_hashed_asset("/pkg/tiaojie.Ab-dEfGhIjKlMn_pQrStUv.js.br"));
        assert!(!is_hashed_asset("/pkg/tiaojie.wasm"));
        assert!(!is_hashed_asset("/pkg/tiaojie.css"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/icons/icon-192.png"));
    }

    #[test]
    fn hash_file_lines_are_read_by_kind() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hash.txt");
        std::fs::write(&file, "js: AAAA\nwasm: BBBB\ncss: CCCC\n").unwrap();
        assert_eq!(read_hash(&file, "css").as_deref(), Some("CCCC"));
        assert_eq!(read_hash(&file, "wasm").as_deref(), Some("BBBB"));
        assert_eq!(read_hash(&file, "split"), None);
    }
}
