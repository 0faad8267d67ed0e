#!/usr/bin/env bash
# The log-in flood (docs/perf.md, "Log-in flood"; docs/security.md,
# "Log-in"): 96 clients from 96 loopback addresses log in with random
# numbers for 20 s against the release server on SQLite with the demo data,
# while a logged-in mediator's requests and log-ins are timed and the
# server's memory is read; then one address sprays 60 numbers. Prints the
# numbers. Not part of CI.
#
#   scripts/login-flood.sh
#   FLOOD_CLIENTS=200 FLOOD_SECS=60 scripts/login-flood.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# the server under test is the release binary, in its own process
cargo build --release -p server --bin tiaojie
cargo bench -p server --bench login_flood --no-run
bench=$(ls -t target/release/deps/login_flood-* | grep -v '\.d$' | head -n 1)
LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}" TIAOJIE_BIN=target/release/tiaojie "$bench" --bench
