#!/usr/bin/env bash
# The API contract run: schemathesis generates valid and invalid requests for every operation
# of /api/openapi.json and checks each answer against the document (status codes, bodies,
# headers, refusal of invalid input, no server errors). Runs the debug build of `spine` on a
# fresh SQLite file with the demo data. Called by scripts/test.sh after `cargo leptos build`.
#   scripts/contract/run.sh [extra schemathesis options, e.g. --seed 7]
set -euo pipefail
cd "$(dirname "$0")/../.."
ST=${SPINE_SCHEMATHESIS:-$HOME/.local/share/spine/schemathesis/bin/st}
SPINE=target/debug/spine

work=$(mktemp -d)
server_pid=""
finish() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap finish EXIT

export DATABASE_URL="sqlite://$work/spine.db"
export LEPTOS_SITE_ROOT=target/site
"$SPINE" seed --demo >/dev/null 2>&1
key=$("$SPINE" api-key create --tenant demo --name contract --rate-per-minute 0 2>/dev/null | tail -1)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$SPINE" serve --tenant demo --addr "127.0.0.1:$port" --mail-dir "$work/mail" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

# A fixed seed keeps the run repeatable; pass --seed to explore others. The stateful phase
# still varies with the demo data's ids. `use_after_free` is left out: the API's one DELETE
# hides a profile (soft delete), and by design its export and restore keep answering (the
# person's rights outlast the hiding; server/tests/api.rs and openapi.rs check what a hidden
# profile answers, endpoint by endpoint).
PYTHONPATH=scripts/contract SCHEMATHESIS_HOOKS=hooks "$ST" \
  --config-file scripts/contract/schemathesis.toml \
  run "http://127.0.0.1:$port/api/openapi.json" \
  -H "Authorization: Bearer $key" --checks all --exclude-checks use_after_free --seed 1 "$@" \
  || { echo "contract: the server's log is below" >&2; tail -50 "$work/server.log" >&2; exit 1; }
