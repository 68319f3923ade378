#!/usr/bin/env bash
# The README's second command: every test. Installs what is missing (Chromium, PostgreSQL,
# brotli from Debian; the build tools), then: format, clippy (server, ssr, hydrate/wasm32),
# unit and integration tests on SQLite and on PostgreSQL, the release build and the
# Playwright end-to-end tests in headless Chromium at a phone viewport.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$HOME/.cargo/bin:$root/tools/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR=never
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# Test output is also kept here to print one closing count at the end.
results=$(mktemp)

# --- system packages -------------------------------------------------------------------
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
command -v brotli >/dev/null || missing+=(brotli)
# Chinese text in the end-to-end screenshots (without it every character is a box).
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
scripts/setup.sh
# The OpenAPI document's validity is checked by a real validator (server/tests/pages.rs).
python3 -c 'import openapi_spec_validator' 2>/dev/null \
  || { say "installing openapi-spec-validator (PyPI)"; pip install -q "openapi-spec-validator==0.9.0"; }
if [ ! -d end2end/node_modules/@playwright/test ]; then
  (cd end2end && npm ci --no-audit --no-fund)
fi

# --- PostgreSQL ----------------------------------------------------------------------------
pgver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q online; then
  say "starting PostgreSQL $pgver"
  pg_lsclusters -h | grep -q "^$pgver main" || pg_createcluster "$pgver" main >/dev/null
  pg_ctlcluster --skip-systemctl-redirect "$pgver" main start
fi
for _ in $(seq 1 30); do su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break; sleep 1; done
su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
export XN_TEST_PG_BASE="postgres://postgres:postgres@127.0.0.1:5432"

# --- static checks -------------------------------------------------------------------------
say "cargo fmt --check"
cargo fmt --all --check
say "clippy: server build (app with ssr) and tests"
cargo clippy --workspace --all-targets --locked -- -D warnings
say "clippy: hydrate build on wasm32"
cargo clippy -p app --lib --no-default-features --features hydrate --target wasm32-unknown-unknown --locked -- -D warnings

# --- tests on SQLite, then PostgreSQL -------------------------------------------------------
say "tests (SQLite)"
cargo test --workspace --locked 2>&1 | tee -a "$results"
say "tests (PostgreSQL)"
# The same package set as the SQLite pass, so nothing is compiled again (selecting fewer
# packages would unify features differently and rebuild the server's test binaries). The
# database-free unit tests simply run a second time.
XN_TEST_PG="$XN_TEST_PG_BASE" cargo test --workspace --locked -- --test-threads 4 2>&1 | tee -a "$results"
su postgres -c "psql -qtAc \"select datname from pg_database where datname like 'xn_test_%'\"" | while read -r db; do
  [ -n "$db" ] && su postgres -c "psql -qc 'DROP DATABASE IF EXISTS $db WITH (FORCE)'" >/dev/null
done

# --- release build and end-to-end tests -----------------------------------------------------
say "release build"
scripts/build.sh
# Two servers on fresh demo databases: the record flow at 2026-04-15, the evaluation flow at
# 2026-07-03 (after the second quarter). Each on a port nobody answers on.
free_port() {
  local port=$1
  while curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
server_pids=()
trap 'kill "${server_pids[@]}" 2>/dev/null || true' EXIT
start_server() { # port clock log
  local db
  db=$(mktemp -d)/e2e.db
  DATABASE_URL="sqlite://$db?mode=rwc" XN_LISTEN="127.0.0.1:$1" XN_SITE_ROOT=target/site \
    XN_NOW="$2" RUST_LOG=warn \
    "${CARGO_TARGET_DIR:-target}/release/xiaoneng" serve --demo > "$3" 2>&1 &
  server_pids+=($!)
  for _ in $(seq 1 120); do
    kill -0 "${server_pids[-1]}" 2>/dev/null || { cat "$3"; echo "the server exited"; exit 1; }
    curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    sleep 1
  done
  cat "$3"; echo "the server did not start"; exit 1
}
port=$(free_port 3100)
say "starting the end-to-end servers (ports $port and $((port + 1)) or later)"
start_server "$port" "2026-04-15T02:00:00Z" /tmp/xiaoneng-e2e.log
eval_port=$(free_port $((port + 1)))
start_server "$eval_port" "2026-07-03T02:00:00Z" /tmp/xiaoneng-e2e-eval.log
say "Playwright (headless Chromium, 360 px phone, zh-CN)"
# The outbox and update tests start (and kill) servers of their own on two more ports.
outbox_port=$(free_port $((eval_port + 1)))
update_port=$(free_port $((outbox_port + 1)))
(cd end2end && XN_E2E_URL="http://127.0.0.1:$port" XN_E2E_EVAL_URL="http://127.0.0.1:$eval_port" \
  XN_E2E_OUTBOX_PORT="$outbox_port" XN_E2E_UPDATE_PORT="$update_port" XN_E2E_BIN="$(realpath "${CARGO_TARGET_DIR:-target}")/release/xiaoneng" \
  npx playwright test) 2>&1 | tee -a "$results"

# --- schema-driven fuzzing of the API --------------------------------------------------------
# schemathesis generates requests from /api/v1/openapi.json, as four roles in turn on a third
# server with its own demo database (the fuzzer changes data), 40 s each: no 5xx, and every
# answer's status, content type and body as documented.
command -v st >/dev/null || { say "installing schemathesis (PyPI)"; pip install -q "schemathesis==4.32.5"; }
fuzz_port=$(free_port $((eval_port + 1)))
say "fuzzing the API with schemathesis (port $fuzz_port)"
start_server "$fuzz_port" "2026-07-03T02:00:00Z" /tmp/xiaoneng-fuzz.log
fuzz_cases=0
# Everyone signs in first: the fuzzer's own failed sign-ins soon use up this address's
# allowance. The office goes last (its calls can end the others' sessions).
declare -A fuzz_cookie
for user in cadre07 lead1 shuji office1; do
  fuzz_cookie[$user]=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"xiaoneng2026\"}" "http://127.0.0.1:$fuzz_port/api/v1/auth/sign_in" \
    | awk -F'[ ;]' 'tolower($1)=="set-cookie:" && $2 ~ /^xn_session=/ {print $2}')
  [ -n "${fuzz_cookie[$user]}" ] || { echo "fuzz: sign-in of $user failed"; exit 1; }
done
for user in cadre07 lead1 shuji office1; do
  cookie=${fuzz_cookie[$user]}
  log=/tmp/xiaoneng-fuzz-$user.log
  if ! st run "http://127.0.0.1:$fuzz_port/api/v1/openapi.json" --url "http://127.0.0.1:$fuzz_port" \
      -H "Cookie: $cookie" -H "Sec-Fetch-Site: same-origin" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
      --exclude-path /api/v1/auth/sign_out --phases coverage,fuzzing --max-time 40 -w 2 > "$log" 2>&1; then
    tail -80 "$log"; echo "fuzz: schemathesis found failures as $user"; exit 1
  fi
  n=$(grep -oE '[0-9]+ generated' "$log" | awk '{s += $1} END {print s + 0}')
  echo "  $user: $n cases, all passed"
  fuzz_cases=$((fuzz_cases + n))
done
echo "fuzz: $fuzz_cases cases as 4 roles, 0 failures" | tee -a "$results"
kill "${server_pids[@]}" 2>/dev/null || true
wait "${server_pids[@]}" 2>/dev/null || true
trap - EXIT
cargo_passed=$(grep -o 'test result: ok\. [0-9]* passed' "$results" | awk '{s += $4} END {print s + 0}')
e2e_passed=$(grep -oE '^ +[0-9]+ passed' "$results" | awk '{s += $1} END {print s + 0}')
say "all tests passed"
echo "$((cargo_passed + e2e_passed)) passed, 0 failed"
