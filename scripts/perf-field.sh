#!/usr/bin/env bash
# Field-capture benchmarks (docs/perf.md, "Offline field capture"): the
# release bundle's size, the case-list filter natively, then Chromium with
# the release server: first-visit transfer, start from the service-worker
# cache with the CPU throttled 4×, saving a case and filtering 5,000 cases,
# the screening reminders on Home (perf/reminders.perf.ts).
# Prints numbers; it asserts nothing. Usage: scripts/perf-field.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

# --split: every screen but Home is a lazily loaded wasm chunk (app/src/routes/lazy.rs);
# `always-erase-components` (Cargo.toml) makes release views type-erased too
cargo leptos build --release --precompress --split
node scripts/finish-site.mjs
scripts/bundle-size.sh
mkdir -p target/perf
target/release/tiaojie sample-cases --cases 5000 --seed 2023 --out target/perf/cases-5000.json
ls -l target/perf/cases-5000.json
cargo bench -p domain --bench case_list
(cd end2end && playwright test -c perf.config.ts 2>&1 | grep -E "PERF|passed|failed|Error")

# Lighthouse (mobile defaults: simulated slow 4G, 4× CPU) on a fresh profile,
# against the release server with the demo data
LH_DIR=target/perf-tools
[ -x "$LH_DIR/node_modules/.bin/lighthouse" ] || npm install --prefix "$LH_DIR" --no-audit --no-fund lighthouse@13.5.0 >/dev/null
rm -rf target/perf/lh-db && mkdir -p target/perf/lh-db
DATABASE_URL=sqlite://target/perf/lh-db/tiaojie.db target/release/tiaojie serve --demo --addr 127.0.0.1:3118 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:3118/healthz >/dev/null && break; sleep 0.2; done
for page in / /cases/new/oral; do
  out="target/perf/lighthouse$(echo "$page" | tr / _).json"
  CHROME_PATH=/usr/bin/chromium "$LH_DIR/node_modules/.bin/lighthouse" "http://127.0.0.1:3118$page" \
    --only-categories=performance,accessibility --output=json --output-path="$out" --quiet \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu"
  node -e '
    const r = require(process.argv[1]);
    const a = r.audits;
    console.log(`PERF lighthouse ${process.argv[2]}: performance ${Math.round(r.categories.performance.score * 100)}, accessibility ${Math.round(r.categories.accessibility.score * 100)}; FCP ${a["first-contentful-paint"].displayValue}, LCP ${a["largest-contentful-paint"].displayValue}, TBT ${a["total-blocking-time"].displayValue}, CLS ${a["cumulative-layout-shift"].displayValue}`);
    for (const [id, audit] of Object.entries(a)) if (audit.score !== null && audit.score < 1 && r.categories.accessibility.auditRefs.some((x) => x.id === id)) console.log(`  accessibility: ${id}: ${audit.title}`);
  ' "$PWD/$out" "$page"
done
kill $server

# the release build replaced the debug files in target/site: put them back
cargo leptos build --split >/dev/null 2>&1
