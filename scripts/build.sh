#!/usr/bin/env bash
# Release build of the server and the WASM islands, then precompresses the static files
# (brotli and gzip) so the server can send them as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH"
cargo leptos build --release --split
site=target/site
for f in "$site"/pkg/*.js "$site"/pkg/*.wasm "$site"/pkg/*.css "$site"/*.svg "$site"/*.js "$site"/*.webmanifest; do
  [ -f "$f" ] || continue
  gzip -kf -9 "$f"
  if command -v brotli >/dev/null; then brotli -kf -q 11 "$f"; fi
done
