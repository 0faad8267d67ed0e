#!/usr/bin/env bash
# Field-capture benchmarks (docs/perf.md, "Offline field capture"): the
# release bundle's size, the case-list filter natively, then Chromium with
# the release server: first-visit transfer, start from the service-worker
# cache with the CPU throttled 4×, saving a case and filtering 5,000 cases.
# Prints numbers; it asserts nothing. Usage: scripts/perf-field.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

cargo leptos build --release --precompress
scripts/bundle-size.sh
mkdir -p target/perf
target/release/tiaojie sample-cases --cases 5000 --seed 2023 --out target/perf/cases-5000.json
ls -l target/perf/cases-5000.json
cargo bench -p domain --bench case_list
(cd end2end && playwright test -c perf.config.ts 2>&1 | grep -E "PERF|passed|failed|Error")

# the release build replaced the debug files in target/site: put them back
cargo leptos build >/dev/null 2>&1
