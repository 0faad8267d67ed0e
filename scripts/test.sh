#!/usr/bin/env bash
# Runs every test on a fresh machine of this kind: installs what is missing,
# builds the release site once (what `scripts/demo.sh` builds for a newcomer:
# a release-only failure stops here) and checks its first-load budget, runs
# the Rust tests (SQLite and PostgreSQL), the browser-side Rust tests, the
# Playwright suite against the release build in Debian's Chromium, and lints.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS
step() { printf '\n\033[1;32m==> [%4ss] %s\033[0m\n' "$((SECONDS - started))" "$*"; }

step "tools"
scripts/install-tools.sh --browser
export PATH="$ROOT/end2end/node_modules/.bin:$PATH"

step "PostgreSQL on 127.0.0.1:5432"
if ! command -v pg_isready >/dev/null || [ ! -d /etc/postgresql ]; then
  echo "PostgreSQL is needed on 127.0.0.1:5432 (trust auth, database 'test'); this machine has none." >&2
  exit 1
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
# schemas left behind by tests that failed before their clean-up
psql -h 127.0.0.1 -U postgres -d test -Atqc \
  "SELECT 'DROP SCHEMA ' || nspname || ' CASCADE;' FROM pg_namespace WHERE nspname LIKE 't\_%'" |
  psql -h 127.0.0.1 -U postgres -d test -q

step "format"
cargo fmt --all -- --check

step "build the release site (cargo leptos build --release --precompress --split)"
# the build scripts/demo.sh makes; --split: every screen but Home is a
# lazily loaded wasm chunk (app/src/routes/lazy.rs)
cargo leptos build --release --precompress --split
node scripts/finish-site.mjs

step "first-load budget (scripts/bundle-size.sh)"
scripts/bundle-size.sh

# Plain cargo's flags come from .cargo/config.toml (those of cargo-leptos'
# debug build); the wasm tests' build links with relocations kept, as
# cargo-leptos' --split build does.
WASM_RUSTFLAGS="-Clink-args=--emit-relocs --cfg erase_components"

step "Rust tests (SQLite and PostgreSQL)"
mkdir -p target
cargo test --workspace 2>&1 | tee target/test-rust.log
rust_passed=$(grep -oE 'test result: ok\. [0-9]+ passed' target/test-rust.log | awk '{n += $4} END {print n + 0}')

step "browser-side Rust tests (IndexedDB store, wasm-bindgen-test in headless Chromium)"
(
  CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    RUSTFLAGS="$WASM_RUSTFLAGS" cargo test -p app --target wasm32-unknown-unknown --no-default-features --features hydrate \
    --target-dir target/front --tests
) 2>&1 | tee target/test-wasm.log
wasm_passed=$(grep -oE 'test result: ok\. [0-9]+ passed' target/test-wasm.log | awk '{n += $4} END {print n + 0}')

step "Playwright (Chromium, Pixel 5) against the release build"
(cd end2end && CI=1 TIAOJIE_BIN=./target/release/tiaojie npx playwright test) 2>&1 | tee target/test-e2e.log
e2e_passed=$(grep -oE '^ +[0-9]+ passed' target/test-e2e.log | awk '{n += $1} END {print n + 0}')

step "clippy (server side and browser side, -D warnings)"
cargo clippy --workspace --all-targets -- -D warnings
RUSTFLAGS="$WASM_RUSTFLAGS" cargo clippy -p app --no-default-features --features entry --target wasm32-unknown-unknown \
  --target-dir target/front -- -D warnings

step "all tests passed in $((SECONDS - started)) s: $rust_passed Rust, $wasm_passed Rust in the browser, $e2e_passed Playwright"
# any failure has stopped the script above (set -e, pipefail)
echo "tests: $((rust_passed + wasm_passed + e2e_passed)) passed, 0 failed"
