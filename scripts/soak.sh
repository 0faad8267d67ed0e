#!/usr/bin/env bash
# The sync soak (docs/perf.md, "Soak"): 200 simulated phones sync for 10
# minutes through a flaky loopback proxy (drops, lost answers, requests sent
# twice, delays) against the machine's PostgreSQL; then every case is
# checked against what its phone knows. Prints the numbers; fails if a case
# was lost or a mutation applied twice. Not part of CI (it takes 12 minutes).
#
#   scripts/soak.sh                 # 200 phones, 600 s
#   SOAK_PHONES=50 SOAK_SECS=60 scripts/soak.sh
#
# PostgreSQL: TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test
# (a new schema is made and dropped).
set -euo pipefail
cd "$(dirname "$0")/.."

# the server under test is the release binary, in its own process
cargo build --release -p server --bin tiaojie
cargo bench -p server --bench soak --no-run
bench=$(ls -t target/release/deps/soak-* | grep -v '\.d$' | head -n 1)
LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}" TIAOJIE_BIN=target/release/tiaojie "$bench" --bench
