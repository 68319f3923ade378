#!/usr/bin/env bash
# Installs what building Xiaoneng needs, skipping what is already there: the wasm32 target,
# cargo-leptos (built to use tools from PATH), the wasm-bindgen CLI matching Cargo.lock,
# wasm-opt (npm package binaryen) and the end-to-end test packages. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (takes 10-25 minutes once)"
  cargo install cargo-leptos@0.3.10 --locked --features no_downloads
fi

wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$"; then
  say "installing wasm-bindgen-cli $wb"
  # Without --locked: a locked dependency of the CLI is missing from the registry.
  cargo install wasm-bindgen-cli --version "$wb" --force
fi

if [ ! -x tools/node_modules/.bin/wasm-opt ]; then
  say "installing wasm-opt (binaryen from npm)"
  (cd tools && npm install --no-audit --no-fund)
fi
