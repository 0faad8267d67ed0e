#!/usr/bin/env bash
# Installs every build and test tool this project needs on a fresh machine of
# this kind (Rust installed, nothing else). Each step is skipped when the tool
# is already there at the right version, so a warm run takes seconds.
#
#   scripts/install-tools.sh            build tools (wasm target, cargo-leptos,
#                                       wasm-bindgen-cli, npm packages incl. wasm-opt)
#   scripts/install-tools.sh --browser  also Debian's Chromium for Playwright
#
# The traps behind the pins are written up in ../shared/TOOLCHAIN.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION=0.3.11
want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

log() { printf '\033[1;34m[install]\033[0m %s\n' "$*"; }

# 1. the wasm target (rust-toolchain.toml names it too; this is for old rustups)
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Fetches a crate's source through cargo itself (the registry is all we reach)
# and prints the unpacked directory.
fetch_crate_source() {
  local name=$1 version=$2 scratch
  scratch="$(mktemp -d)"
  mkdir -p "$scratch/src"
  printf '[package]\nname = "fetch-scratch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n%s = "=%s"\n' \
    "$name" "$version" >"$scratch/Cargo.toml"
  : >"$scratch/src/lib.rs"
  (cd "$scratch" && cargo fetch -q) >&2
  local archive
  archive="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$name-$version.crate" | head -n 1)"
  tar -xzf "$archive" -C "$scratch"
  echo "$scratch/$name-$version"
}

# 2. cargo-leptos: its lockfile pins cargo-util-schemas 0.14.2 (needs Rust 1.96)
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "building cargo-leptos $CARGO_LEPTOS_VERSION (≈ 10 min cold)"
  src="$(fetch_crate_source cargo-leptos "$CARGO_LEPTOS_VERSION")"
  (cd "$src" &&
    cargo update -q -p cargo-util-schemas --precise 0.14.1 &&
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install -q --path . --locked)
fi

# 3. wasm-bindgen-cli: must match the wasm-bindgen crate in Cargo.lock exactly
wb_version="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock" 2>/dev/null || true)"
wb_version="${wb_version:-0.2.130}"
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version"; then
  log "building wasm-bindgen-cli $wb_version (≈ 2 min)"
  src="$(fetch_crate_source wasm-bindgen-cli "$wb_version")"
  (cd "$src" &&
    cargo update -q -p webpki-roots --precise 1.0.10 &&
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install -q --path . --locked)
fi

# 4. npm packages: Playwright and binaryen's wasm-opt (never Debian's binaryen)
if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] ||
  [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
  log "installing npm packages in end2end/"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# 5. OpenSSL's headers for the server's https client and the Web Push
#    encryption (openssl-sys); Debian's image of this kind has them
if ! pkg-config --exists openssl 2>/dev/null; then
  log "installing Debian's libssl-dev and pkg-config"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libssl-dev pkg-config >/dev/null
fi

# 6. Debian's Chromium (Playwright must not download its own)
if [ "$want_browser" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

log "tools ready"
