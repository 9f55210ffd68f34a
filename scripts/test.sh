#!/usr/bin/env bash
# Runs every test: formatting and lints, the engine's unit and property tests, the store
# conformance suite on SQLite and PostgreSQL, HTTP tests against the real server, and the
# browser tests in Debian's Chromium. Installs what is missing first (scripts/setup.sh).
#
# PostgreSQL is found this way: SPINE_TEST_DATABASE_URL (a server URL) when set; else a server
# answering on 127.0.0.1:5432; else the local Debian cluster, installed and started here.
# A fresh database is created for the run and dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
scripts/setup.sh
. scripts/cargo-env.sh
say() { printf '\033[1mtest:\033[0m %s\n' "$*" >&2; }

# --- PostgreSQL -----------------------------------------------------------------------------
pg_server_url() {
  if [ -n "${SPINE_TEST_DATABASE_URL:-}" ]; then
    echo "$SPINE_TEST_DATABASE_URL"; return
  fi
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo "postgres://postgres@127.0.0.1:5432/postgres"; return
  fi
  if command -v pg_ctlcluster >/dev/null && [ "$(id -u)" = 0 ]; then
    local version
    version=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1}')
    if [ -z "$version" ]; then
      version=$(ls /usr/lib/postgresql | sort -n | tail -1)
      pg_createcluster "$version" main >&2
    fi
    local hba="/etc/postgresql/$version/main/pg_hba.conf"
    # Password-less connections from this machine only, for the test role.
    if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
      sed -i 's/^host\(\s\+\)all\(\s\+\)all\(\s\+\)127.0.0.1\/32\(\s\+\)\S\+/host all all 127.0.0.1\/32 trust/' "$hba"
      grep -q '^host all all 127.0.0.1/32 trust' "$hba" || echo 'host all all 127.0.0.1/32 trust' >> "$hba"
      pg_ctlcluster --skip-systemctl-redirect "$version" main reload >&2 2>/dev/null || true
    fi
    say "starting the local PostgreSQL $version cluster"
    # pg_ctlcluster prints to stdout (e.g. "Removed stale pid file."); only the URL may go there.
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
    if pg_isready -q -h 127.0.0.1 -p 5432; then
      echo "postgres://postgres@127.0.0.1:5432/postgres"; return
    fi
  fi
  echo "test: no PostgreSQL server found. Set SPINE_TEST_DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/postgres (a role that may create databases), or run this as root on Debian so it can install and start one." >&2
  exit 1
}
PG_SERVER=$(pg_server_url)
case "$PG_SERVER" in
  postgres://* | postgresql://*) ;;
  *) echo "test: expected a postgres:// server URL, got: $PG_SERVER" >&2; exit 1 ;;
esac
PG_DB="spine_test_$(date +%s)_$$"
psql -q -v ON_ERROR_STOP=1 "$PG_SERVER" -c "create database $PG_DB" >/dev/null
# The HTTP suites' PostgreSQL pass gives each test a database of its own (spine_http_*).
drop_http_databases() {
  local db
  for db in $(psql -Atq "$PG_SERVER" -c "select datname from pg_database where datname like 'spine\_http\_%'" 2>/dev/null); do
    psql -q "$PG_SERVER" -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  done
}
cleanup() {
  drop_http_databases
  for db in "$PG_DB" "${PG_DB}_e2e" "${PG_DB}_e2e_tenants"; do
    psql -q "$PG_SERVER" -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
export SPINE_TEST_PG_URL="${PG_SERVER%/*}/$PG_DB"
say "PostgreSQL test database: $PG_DB"

# --- Rust: lints, unit, property, conformance and HTTP tests -----------------------------------
say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy"
cargo clippy --workspace --all-targets --features server/ssr -- -D warnings
# The browser half (frontend) is left out of the host build: with it, `app` would be built with
# both its server and browser features, and the server binary the browser tests run below would
# not be the one `cargo leptos` builds.
say "cargo test"
cargo test --workspace --exclude frontend --no-fail-fast
# The HTTP suites again, each test on a PostgreSQL database of its own: the production database.
# Selected from the whole workspace, as above, so the features unify the same way and the test
# binaries built above are reused rather than built a second time.
say "HTTP suites on PostgreSQL"
SPINE_TEST_DATABASE=postgres cargo test --workspace --exclude frontend --no-fail-fast \
  --test api --test webhooks --test console --test security --test openapi --test operations --test users
drop_http_databases

# --- The release build ---------------------------------------------------------------------------
# Built in full, not only checked: some errors (a view type too deep to lay out) appear only
# when the release profile generates code. The same artifact `scripts/run.sh --release` serves.
say "cargo leptos build --release --precompress"
env -u RUSTFLAGS cargo leptos build --release --precompress
# Packaged from that build before the debug build below writes its bundle over the release site.
say "Debian package (cargo deb) and its check"
scripts/package.sh

# --- Browser tests ------------------------------------------------------------------------------
# Only the WASM bundle and the site: the server binary is the one `cargo test` built above, with
# the same features and flags, so building it again would only take time and disk.
say "cargo leptos build --frontend-only"
cargo leptos build --frontend-only
say "API contract (schemathesis)"
scripts/contract/run.sh
say "browser tests (Chromium)"
(cd end2end && npx playwright test)
# The same journeys with the server on PostgreSQL, each deployment on a fresh database.
say "browser tests on PostgreSQL"
for db in "${PG_DB}_e2e" "${PG_DB}_e2e_tenants"; do
  psql -q -v ON_ERROR_STOP=1 "$PG_SERVER" -c "create database $db" >/dev/null
done
(cd end2end && E2E_DATABASE_URL="${PG_SERVER%/*}/${PG_DB}_e2e" \
  E2E_TENANTS_DATABASE_URL="${PG_SERVER%/*}/${PG_DB}_e2e_tenants" npx playwright test)

say "all tests passed in $(( $(date +%s) - started ))s"
