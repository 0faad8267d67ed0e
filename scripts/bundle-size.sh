#!/usr/bin/env bash
# Prints the bundle a phone downloads: each wasm/JS/CSS file raw, brotli and
# gzip (the precompressed files of a release build made with
# `cargo leptos build --release --precompress`) and the brotli total. The
# page's HTML is measured separately (docs/perf.md has the curl command).
# Usage: scripts/bundle-size.sh [SITE_ROOT]
set -euo pipefail
SITE="${1:-target/site}"
printf '%-48s %10s %10s %10s\n' file raw brotli gzip
total_raw=0 total_br=0
for f in "$SITE"/pkg/*.wasm "$SITE"/pkg/*.js "$SITE"/pkg/*.css; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f")
  br=$( [ -f "$f.br" ] && stat -c %s "$f.br" || echo -)
  gz=$( [ -f "$f.gz" ] && stat -c %s "$f.gz" || echo -)
  printf '%-48s %10s %10s %10s\n' "${f#"$SITE"/}" "$raw" "$br" "$gz"
  total_raw=$((total_raw + raw))
  [ "$br" != - ] && total_br=$((total_br + br))
done
printf '%-48s %10s %10s\n' "bundle total (bytes)" "$total_raw" "$total_br"
