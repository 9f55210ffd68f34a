#!/usr/bin/env bash
# Builds Spine and serves it on the embedded SQLite default, with demo data on first run.
#   scripts/run.sh                 a debug build: quick to build, for trying Spine and developing
#   scripts/run.sh --release       an optimized build (smaller, faster pages and API): for real use
#   SPINE_ADDR=0.0.0.0:8080 DATABASE_URL=postgres://... scripts/run.sh
# Without SMTP, messages Spine sends (sign-in codes) are written to ./spine-mail/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --run
. scripts/cargo-env.sh

profile=debug
if [ "${1:-}" = "--release" ]; then
  shift
  profile=release
  # The release build is its own profile, kept apart from the debug artifacts the tests share;
  # `--precompress` writes the brotli and gzip copies of the bundle the server sends.
  env -u RUSTFLAGS cargo leptos build --release --precompress
else
  cargo leptos build
fi
export LEPTOS_SITE_ROOT=target/site
exec "target/$profile/spine" serve --seed-demo --mail-dir "${SPINE_MAIL_DIR:-spine-mail}" "$@"
