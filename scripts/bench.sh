#!/usr/bin/env bash
# Benchmarks (run after a release build, e.g. `make build`): first-load transfer of sign-in,
# Today and the inbox,
# "save today's entry" at 300 requests/s for 30 s, the inbox page and the quarterly pool page
# rendered on the server.
# The server runs on a fresh SQLite database with the demo township, clock at 2026-04-15.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -p loadgen --locked -q
dir=$(mktemp -d)
port=3200
addr="127.0.0.1:$port"
DATABASE_URL="sqlite://$dir/bench.db?mode=rwc" XN_LISTEN=$addr XN_SITE_ROOT=target/site \
  XN_NOW="2026-04-15T02:00:00Z" RUST_LOG=warn "$target/release/xiaoneng" serve --demo > "$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 60); do curl -fs "http://$addr/healthz" >/dev/null 2>&1 && break; sleep 1; done

echo "== first load (phone), bytes over the wire with Accept-Encoding: br (budget 200 KiB; target 150)"
cookie=$(curl -s -o /dev/null -D - -H 'Content-Type: application/json' \
  -d '{"username":"cadre07","password":"xiaoneng2026"}' "http://$addr/api/v1/auth/sign_in" \
  | awk -F'[ ;]' 'tolower($1)=="set-cookie:" && $2 ~ /^xn_session=/ {print $2}')
lead=$(curl -s -o /dev/null -D - -H 'Content-Type: application/json' \
  -d '{"username":"lead2","password":"xiaoneng2026"}' "http://$addr/api/v1/auth/sign_in" \
  | awk -F'[ ;]' 'tolower($1)=="set-cookie:" && $2 ~ /^xn_session=/ {print $2}')
# What a browser fetches for a page: the page, its CSS and /xn.js; the islands' JS and WASM
# only when the page has an island (xn.js starts the loader then).
first_load() { # label path cookie
  local html files total=0 bytes
  html=$(curl -s -H "Cookie: $3" "http://$addr$2")
  files="$2 /xn.js $(printf '%s' "$html" | grep -o '/pkg/xiaoneng[^"]*\.css' | sort -u)"
  if printf '%s' "$html" | grep -q '<leptos-island'; then
    # The glue and main WASM, the chunks of the page's lazy islands (preloaded), and the
    # split loader the glue imports.
    files="$files $(printf '%s' "$html" | grep -o '/pkg/[^"]*\.\(js\|wasm\)' | sort -u)"
    local glue
    glue=$(printf '%s' "$html" | grep -o '/pkg/xiaoneng[^"]*\.js' | head -1)
    files="$files $(curl -s "http://$addr$glue" | grep -o '__wasm_split\.[A-Za-z0-9_-]*\.js' | sort -u | sed 's|^|/pkg/|')"
    files=$(printf '%s\n' $files | sort -u | tr '\n' ' ')
  fi
  for path in $files; do
    bytes=$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: br' -H "Cookie: $3" "http://$addr$path")
    printf '    %-40s %8d bytes\n' "$path" "$bytes"
    total=$((total + bytes))
  done
  printf '  %-14s %8d bytes (%s KiB)\n' "$1" "$total" "$(awk -v t="$total" 'BEGIN { printf "%.1f", t / 1024 }')"
}
first_load "sign-in" /login ""
first_load "Today" / "$cookie"
first_load "inbox (lead2)" "/inbox?period=2026-04-1" "$lead"
wasm=$(ls -t target/site/pkg/xiaoneng*.wasm | head -1)
raw=$(stat -c %s "$wasm")
br=$(stat -c %s "$wasm.br")
echo "  WASM raw $raw bytes, brotli $br bytes"

echo "== save today's entry, 300 requests/s for 30 s (target p99 <= 25 ms)"
"$target/release/loadgen" save "$addr" 300 30
echo "== inbox page rendered on the server, lead1, 300 sequential requests (target p95 <= 50 ms)"
"$target/release/loadgen" page "$addr" "/inbox?period=2026-04-1" lead1 300
# Last on this server: the guesses use up loopback's sign-in allowance.
echo "== save today's entry again while 8 connections keep guessing passwords (target p99 <= 25 ms)"
"$target/release/loadgen" save "$addr" 300 30 2026-04-14 8

echo "== quarterly pool page rendered on the server, shuji, 2026-Q3 before the decision (clock 2026-10-10), 300 sequential requests (target p95 <= 100 ms)"
port2=3201
addr2="127.0.0.1:$port2"
DATABASE_URL="sqlite://$dir/bench-q.db?mode=rwc" XN_LISTEN=$addr2 XN_SITE_ROOT=target/site \
  XN_NOW="2026-10-10T02:00:00Z" RUST_LOG=warn "$target/release/xiaoneng" serve --demo > "$dir/server-q.log" 2>&1 &
pid2=$!
trap 'kill $pid $pid2 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do curl -fs "http://$addr2/healthz" >/dev/null 2>&1 && break; sleep 1; done
"$target/release/loadgen" page "$addr2" "/eval/quarter?quarter=2026-Q3" shuji 300

echo "== bonus ledger of an open quarter with corrections of the closed one (office1, 2026-Q3 at 2026-10-10), 100 sequential requests (no target; for reference)"
"$target/release/loadgen" page "$addr2" "/ledger?period=2026-Q3" office1 100
echo "== ledger export as XLSX for finance (office1, 2026-Q3; each export audited), 100 sequential requests"
"$target/release/loadgen" page "$addr2" "/api/v1/ledger/export?period=2026-Q3&format=xlsx" office1 100

echo "== drain: 20 lines waiting in a phone's outbox, the browser comes back online (target <= 5 s; clock 2026-04-20, cadre16 whose early-April sheet was returned: 20 writable days)"
port3=3202
addr3="127.0.0.1:$port3"
DATABASE_URL="sqlite://$dir/bench-d.db?mode=rwc" XN_LISTEN=$addr3 XN_SITE_ROOT=target/site \
  XN_NOW="2026-04-20T08:00:00Z" RUST_LOG=warn "$target/release/xiaoneng" serve --demo > "$dir/server-d.log" 2>&1 &
pid3=$!
trap 'kill $pid $pid2 $pid3 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do curl -fs "http://$addr3/healthz" >/dev/null 2>&1 && break; sleep 1; done
(cd end2end && node bench/drain.mjs "http://$addr3" cadre16)
