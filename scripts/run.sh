#!/usr/bin/env bash
# Builds Spine and serves it on the embedded SQLite default, with demo data on first run.
#   scripts/run.sh                 http://127.0.0.1:3000, database ./spine.db
#   SPINE_ADDR=0.0.0.0:8080 DATABASE_URL=postgres://... scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --run
. scripts/cargo-env.sh

cargo leptos build
export LEPTOS_SITE_ROOT=target/site
exec target/debug/spine serve --seed-demo "$@"
