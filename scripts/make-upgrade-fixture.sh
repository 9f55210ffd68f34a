#!/usr/bin/env bash
# Makes the upgrade fixtures of this release: a small demo database made by the current code,
# as SQLite (server/tests/fixtures/upgrade-DATE.sqlite, compacted by `spine backup`) and as a
# plain PostgreSQL dump (upgrade-DATE.sql). server/tests/upgrade.rs migrates every fixture in
# that folder forward, so each release's fixture keeps proving that its users can upgrade.
#   scripts/make-upgrade-fixture.sh [DATE]     DATE defaults to today (UTC), e.g. 2026-12-05
# PostgreSQL: SPINE_TEST_DATABASE_URL (a server URL whose role may create databases), else
# postgres://postgres@127.0.0.1:5432/postgres. Run it with the pg_dump of the oldest PostgreSQL
# version Spine supports: a newer pg_dump may write settings an older server refuses.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/cargo-env.sh
say() { printf '\033[1mfixture:\033[0m %s\n' "$*" >&2; }

date=${1:-$(date -u +%F)}
out=server/tests/fixtures
sqlite_fixture="$out/upgrade-$date.sqlite"
pg_fixture="$out/upgrade-$date.sql"
# A fixture records the migrations it was made with (their checksums too): one still being
# written would make every later `spine migrate` of the fixture fail.
if [ -d .git ] && [ -n "$(git status --porcelain -- migrations)" ]; then
  echo "fixture: migrations/ has uncommitted changes; make fixtures from a release commit" >&2
  exit 1
fi
for f in "$sqlite_fixture" "$pg_fixture"; do
  if [ -e "$f" ]; then echo "fixture: $f exists; remove it first to make it again" >&2; exit 1; fi
done

# Small on purpose: the fixtures are committed. Fixed seed, so a rerun makes the same crowd.
PEOPLE=25
SEED=7
say "building spine"
cargo build -q -p server --bin spine
spine=target/debug/spine

work=$(mktemp -d)
pg_server=${SPINE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_db="spine_fixture_$(date +%s)_$$"
cleanup() {
  rm -rf "$work"
  psql -q -X "$pg_server" -c "drop database if exists $pg_db with (force)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The customer tests/upgrade.rs looks for (KNOWN_EMAIL, KNOWN_NAME, KNOWN_MESSAGE), added to
# the demo crowd whatever the demo generator makes in this release.
cat >"$work/known.jsonl" <<'EOF'
{"channel":"email","direction":"inbound","kind":"message","occurred_at":"2026-01-15T10:00:00Z","body":"Checking in before the upgrade.","external_id":"upgrade-fixture-1","identifiers":{"email":"ursula.upgrade@example.com","name":"Ursula Upgrade"}}
EOF

fill() {
  SPINE_LOG=warn DATABASE_URL="$1" "$spine" seed --demo --people "$PEOPLE" --seed "$SEED"
  SPINE_LOG=warn DATABASE_URL="$1" "$spine" import --tenant demo "$work/known.jsonl"
}

say "SQLite: $sqlite_fixture"
fill "sqlite://$work/spine.db"
SPINE_LOG=warn DATABASE_URL="sqlite://$work/spine.db" "$spine" backup --output "$sqlite_fixture"

say "PostgreSQL: $pg_fixture"
psql -q -X -v ON_ERROR_STOP=1 "$pg_server" -c "create database $pg_db" >/dev/null
pg_url="${pg_server%/*}/$pg_db"
fill "$pg_url"
pg_dump --no-owner --no-privileges --file "$pg_fixture" "$pg_url"
# pg_dump's \restrict guard against a hostile dump is unknown to psql before 15.14/16.10/17.6,
# which then refuses the whole file; this dump is our own.
sed -i '/^\\\(un\)\?restrict /d' "$pg_fixture"

ls -l "$sqlite_fixture" "$pg_fixture" >&2
say "done: commit both files; tests/upgrade.rs picks them up (cargo test -p server --test upgrade)"
