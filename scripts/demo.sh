#!/usr/bin/env bash
# Builds and starts Tiaojie on embedded SQLite (./data/tiaojie.db) with the
# demo organisation, Chuxiong City, and a year of its cases (about 2,800,
# ending today; loaded once). Prints the URL and the demo log-ins.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/install-tools.sh
export PATH="$ROOT/end2end/node_modules/.bin:$PATH"
# --split: every screen but Home is a lazily loaded wasm chunk (app/src/routes/lazy.rs)
cargo leptos build --release --precompress --split
node scripts/finish-site.mjs
exec target/release/tiaojie serve --demo --demo-history "$@"
