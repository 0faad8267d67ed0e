#!/usr/bin/env bash
# Pull memory (docs/perf.md, "Pull memory"; docs/security.md): 6 devices
# pull 120 cases of ~300 KB each, 3 times over, at once, from the release
# server on SQLite with the demo data, while its memory is read. Prints the
# numbers. Not part of CI.
#
#   scripts/pull-memory.sh
#   PULL_CASES=300 PULL_CLIENTS=12 scripts/pull-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# the server under test is the release binary, in its own process
cargo build --release -p server --bin tiaojie
cargo bench -p server --bench pull_memory --no-run
bench=$(ls -t target/release/deps/pull_memory-* | grep -v '\.d$' | head -n 1)
LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}" TIAOJIE_BIN=target/release/tiaojie "$bench" --bench
