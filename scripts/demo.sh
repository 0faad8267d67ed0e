#!/usr/bin/env bash
# Builds and starts Tiaojie on embedded SQLite (./data/tiaojie.db) with the
# demo organisation, Chuxiong City. Prints the URL and the demo log-ins.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/install-tools.sh
export PATH="$ROOT/end2end/node_modules/.bin:$PATH"
# Leptos' `erase_components` makes every component return a type-erased
# view: the release wasm is a quarter smaller (docs/perf.md). Debug builds
# use it already (cargo-leptos); the server is built the same way.
export RUSTFLAGS="--cfg erase_components"
cargo leptos build --release --precompress
exec target/release/tiaojie serve --demo "$@"
