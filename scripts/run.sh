#!/usr/bin/env bash
# The README's first command: install what is missing, build in release mode, and start the
# server on the embedded SQLite database with the demo township created on first start.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v brotli >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get install -y brotli >/dev/null 2>&1 || true
fi
scripts/setup.sh
scripts/build.sh
bin="${CARGO_TARGET_DIR:-target}/release/xiaoneng"
export DATABASE_URL="${DATABASE_URL:-sqlite://data/xiaoneng.db?mode=rwc}"
export XN_SITE_ROOT="${XN_SITE_ROOT:-target/site}"
exec "$bin" serve --demo
