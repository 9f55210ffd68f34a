#!/usr/bin/env bash
# Installs what building, running and testing Spine needs, skipping what is already there.
# Idempotent and quick when everything is present. Needs root (or sudo) only for Debian packages.
#   scripts/setup.sh          everything (toolchain, browser, PostgreSQL, npm packages)
#   scripts/setup.sh --run    only what `scripts/run.sh` needs (no browser, no PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10   # 0.3.11 needs a newer Rust than 1.95
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
mode=${1:-all}

say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

SUDO=""
if [ "$(id -u)" != 0 ] && have sudo; then SUDO="sudo"; fi
apt_updated=""
apt_install() {
  if ! have apt-get; then
    say "cannot install $* automatically (no apt-get): install it with your package manager"
    return 1
  fi
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    $SUDO apt-get update -qq >/dev/null
    apt_updated=1
  fi
  say "installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

export PATH="$HOME/.cargo/bin:$PATH"

# Rust's wasm target, for the browser half of the console.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# cargo-leptos builds the server and the WASM bundle together. Built with a light release
# profile: its default LTO build takes three times as long for no benefit to us.
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes, once)"
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# cargo-leptos runs the wasm-bindgen CLI from PATH; it must match the crate version exactly.
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# wasm-opt shrinks the release WASM bundle; cargo-leptos requires it for --release builds.
# npm's binaryen, not Debian's: Debian's version 108 produces a bundle that fails to hydrate.
BINARYEN_VERSION=132
BINARYEN_DIR="$HOME/.local/share/spine/binaryen"
if ! "$BINARYEN_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  if have npm; then
    say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) for release builds"
    mkdir -p "$BINARYEN_DIR"
    npm install --prefix "$BINARYEN_DIR" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION" >/dev/null
  else
    say "npm not found: release builds need wasm-opt (npm install binaryen@$BINARYEN_VERSION)"
  fi
fi

[ "$mode" = "--run" ] && exit 0

# cargo-deb builds the Debian package (scripts/package.sh) from the release build.
CARGO_DEB_VERSION=3.8.0
if ! cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION"; then
  say "installing cargo-deb $CARGO_DEB_VERSION (about 3 minutes, once)"
  cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked
fi

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# PostgreSQL, for the half of the store tests that runs on it (scripts/test.sh starts it).
if ! have pg_ctlcluster && [ -z "${SPINE_TEST_DATABASE_URL:-}" ]; then
  apt_install postgresql
fi
if ! have psql; then
  apt_install postgresql-client
fi

# schemathesis, for the API contract run (scripts/contract/run.sh), in a virtualenv of its own.
SCHEMATHESIS_VERSION=4.32.5
SCHEMATHESIS_DIR="$HOME/.local/share/spine/schemathesis"
if ! "$SCHEMATHESIS_DIR/bin/st" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION"; then
  say "installing schemathesis $SCHEMATHESIS_VERSION for the API contract run"
  python3 -m venv "$SCHEMATHESIS_DIR" || { apt_install python3-venv && python3 -m venv "$SCHEMATHESIS_DIR"; }
  "$SCHEMATHESIS_DIR/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# Playwright's npm packages (no browser download: we drive /usr/bin/chromium).
if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing the browser tests' npm packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
say "ready"
