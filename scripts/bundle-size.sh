#!/usr/bin/env bash
# Prints what a phone downloads, from a release build made with
# `cargo leptos build --release --precompress --split` (brotli sizes of the
# precompressed files, this build's files only, named by hash.txt and the
# split manifest):
#   - first load: main wasm + its JS + the chunk loader JS + CSS (Home);
#   - each lazy screen: the extra chunks it needs on top of the first load;
#   - everything the service worker precaches in the background.
# The page's HTML is measured separately (docs/perf.md has the curl command).
# Exits 1 when the first load is over its budget (TIAOJIE_FIRST_LOAD_BUDGET_KB,
# brotli KB, default 350): CI runs it, so no change grows it unnoticed.
# Usage: scripts/bundle-size.sh [SITE_ROOT]
set -euo pipefail
SITE="${1:-target/site}"
HASHES="$(dirname "$0")/../target/release/hash.txt"
[ -f "$HASHES" ] || HASHES="$SITE/hash.txt"
python3 - "$SITE/pkg" "$HASHES" "${TIAOJIE_FIRST_LOAD_BUDGET_KB:-350}" <<'PY'
import json, os, sys
pkg, hashes, budget_kb = sys.argv[1], sys.argv[2], float(sys.argv[3])
h = dict(line.split(":", 1) for line in open(hashes).read().split("\n") if ":" in line)
h = {k.strip(): v.strip() for k, v in h.items()}
def size(name):
    path = os.path.join(pkg, name)
    br = path + ".br"
    return os.path.getsize(path), (os.path.getsize(br) if os.path.exists(br) else None)
def kb(n):
    return "-" if n is None else f"{n / 1024:.1f} KB"
first = [f"tiaojie.{h['wasm']}.wasm", f"tiaojie.{h['js']}.js", f"tiaojie.{h['css']}.css"]
manifest = {}
if "manifest" in h:
    first.append(f"__wasm_split.{h['split']}.js")
    manifest = json.load(open(os.path.join(pkg, f"__wasm_split_manifest.{h['manifest']}.json")))
print(f"{'file':64} {'raw':>10} {'brotli':>10}")
tot_raw = tot_br = 0
for f in first:
    raw, br = size(f)
    tot_raw += raw
    tot_br += br or 0
    print(f"{f:64} {kb(raw):>10} {kb(br):>10}")
print(f"{'FIRST LOAD (Home): wasm + JS + CSS':64} {kb(tot_raw):>10} {kb(tot_br):>10}")
all_chunks = set()
for key, chunks in sorted(manifest.items()):
    all_chunks.update(chunks)
    raw = sum(size(c + ".wasm")[0] for c in chunks)
    br = sum(size(c + ".wasm")[1] or 0 for c in chunks)
    screen = key.strip("_").rsplit("_", 1)[0].removesuffix("_view")
    print(f"{'  + screen ' + screen + f' ({len(chunks)} chunks)':64} {kb(raw):>10} {kb(br):>10}   first load + screen: {kb(tot_br + br)}")
raw = sum(size(c + ".wasm")[0] for c in all_chunks)
br = sum(size(c + ".wasm")[1] or 0 for c in all_chunks)
print(f"{f'all {len(all_chunks)} chunks (precached by the worker after the first load)':64} {kb(raw):>10} {kb(br):>10}")
print(f"{'WHOLE APP (first load + all chunks)':64} {kb(tot_raw + raw):>10} {kb(tot_br + br):>10}")
first_kb = tot_br / 1024
if first_kb > budget_kb:
    print(f"first load {first_kb:.1f} KB is over its budget of {budget_kb:.0f} KB (brotli)")
    sys.exit(1)
print(f"first load {first_kb:.1f} KB, within its budget of {budget_kb:.0f} KB (brotli)")
PY
