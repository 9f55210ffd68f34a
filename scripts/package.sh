#!/usr/bin/env bash
# Builds the Debian package of Spine (target/debian/spine_VERSION-REV_ARCH.deb) from an existing
# release build, then checks it without installing it: its control data and file list, and the
# extracted binary run against a throwaway SQLite database, serving the extracted site.
#   env -u RUSTFLAGS cargo leptos build --release --precompress   # first (scripts/run.sh --release does it too)
#   scripts/package.sh
# What goes in the package: [package.metadata.deb] in server/Cargo.toml and packaging/debian/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/cargo-env.sh
say() { printf '\033[1mpackage:\033[0m %s\n' "$*" >&2; }
fail() { printf '\033[1mpackage: FAILED:\033[0m %s\n' "$*" >&2; exit 1; }

CARGO_DEB_VERSION=$(sed -n 's/^CARGO_DEB_VERSION=\([0-9.]*\).*/\1/p' scripts/setup.sh)

# --- The release build must exist: packaging never builds (it would take minutes) ----------------
[ -x target/release/spine ] \
  || fail "target/release/spine is missing: run the release build first: env -u RUSTFLAGS cargo leptos build --release --precompress"
compgen -G 'target/site/pkg/*.wasm' >/dev/null && compgen -G 'target/site/pkg/*.js' >/dev/null \
  || fail "target/site/pkg has no WASM bundle: run the release build first: env -u RUSTFLAGS cargo leptos build --release --precompress"
# A debug `cargo leptos build` writes its bundle to the same target/site, over the release one;
# only the debug bundle keeps its function names (a "name" section), wasm-opt drops them.
if python3 - target/site/pkg/*.wasm <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
def leb(i):
    value = shift = 0
    while True:
        byte = data[i]; i += 1; value |= (byte & 0x7f) << shift; shift += 7
        if byte < 0x80: return value, i
i = 8
while i < len(data):
    section = data[i]; size, i = leb(i + 1)
    if section == 0:
        length, j = leb(i)
        if data[j:j + length] == b"name": sys.exit(0)
    i += size
sys.exit(1)
PY
then
  fail "target/site/pkg holds a debug build's bundle (a later \`cargo leptos build\` replaced the release one): run the release build again: env -u RUSTFLAGS cargo leptos build --release --precompress"
fi
cargo deb --version >/dev/null 2>&1 \
  || fail "cargo-deb is missing: scripts/setup.sh installs it (cargo install cargo-deb --locked --version $CARGO_DEB_VERSION)"

# --- Build the .deb ---------------------------------------------------------------------------------
say "cargo deb -p server --no-build"
started_ms=$(( $(date +%s%N) / 1000000 ))
deb=$(cargo deb -p server --no-build | tail -n 1)
took_ms=$(( $(date +%s%N) / 1000000 - started_ms ))
[ -f "$deb" ] || fail "cargo deb did not report a package file (last line: $deb)"
deb=$(realpath --relative-to=. "$deb")
say "built $deb: $(du -h "$deb" | cut -f1) ($(stat -c %s "$deb") bytes) in $((took_ms / 1000)).$(printf %03d $((took_ms % 1000)))s"

# --- Control data and file list ---------------------------------------------------------------------
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

dpkg-deb --info "$deb" > "$work/info" || fail "dpkg-deb --info cannot read $deb"
grep -q '^ Package: spine$' "$work/info" || fail "the package is not named spine"
grep -q '^ Depends:.*adduser' "$work/info" || fail "the package does not depend on adduser (its postinst uses it)"
[ "$(dpkg-deb --info "$deb" conffiles)" = "/etc/spine/spine.env" ] \
  || fail "/etc/spine/spine.env is not the package's one conffile"

# `dpkg-deb --contents` lists like `tar -tv`; a long size can run into the name, hence the sed.
dpkg-deb --contents "$deb" > "$work/contents.long"
sed -E 's|^(\S+) \S+ +[0-9]+ [0-9-]+ [0-9:]+ ?(\./.*)$|\1 \2|' "$work/contents.long" > "$work/contents"
for path in ./usr/bin/spine ./usr/lib/systemd/system/spine.service ./etc/spine/spine.env; do
  grep -q " $path\$" "$work/contents" || fail "$path is not in the package"
done
grep -qx -- '-rw------- ./etc/spine/spine.env' "$work/contents" \
  || fail "/etc/spine/spine.env should be readable by root only (it may hold passwords)"
grep -qx -- '-rwxr-xr-x ./usr/bin/spine' "$work/contents" || fail "/usr/bin/spine is not executable"
# The whole site, as the release build left it: the bundle in pkg/ and the static files.
(cd target/site && find . -type f | sort) > "$work/site.built"
sed -n 's|^-\S* \./usr/share/spine/site/|./|p' "$work/contents" | sort > "$work/site.packaged"
diff "$work/site.built" "$work/site.packaged" >&2 \
  || fail "the packaged site differs from target/site (< only built, > only packaged)"

dpkg-deb --control "$deb" "$work/control"
for script in "$work"/control/{preinst,postinst,prerm,postrm}; do
  [ -f "$script" ] && { sh -n "$script" || fail "$(basename "$script") is not valid sh"; }
done
grep -q 'adduser --system --group' "$work/control/postinst" || fail "postinst does not create the spine user"
grep -q 'systemctl --system daemon-reload' "$work/control/postinst" || fail "postinst does not reload systemd"
# Installing must neither enable nor start the service (cargo-deb's "dont-enable" snippet, no start).
grep -q 'deb-systemd-helper debian-installed spine.service' "$work/control/postinst" \
  && ! grep -q '_dh_action=start' "$work/control/postinst" \
  || fail "postinst enables or starts the service on install"
say "control data and contents: ok ($(grep -c '^-' "$work/contents") files, $(grep ' Installed-Size:' "$work/info" | tr -s ' ' | cut -d' ' -f3) KiB installed)"

# --- Run what was packaged, from the extracted package --------------------------------------------
dpkg-deb -x "$deb" "$work/root"
spine="$work/root/usr/bin/spine"
site="$work/root/usr/share/spine/site"
# Nothing from this shell or this folder may stand in for what the package holds.
unset DATABASE_URL LEPTOS_SITE_ROOT SPINE_ADDR SPINE_TENANT SPINE_SEED_DEMO SPINE_PUBLIC_URL \
  SPINE_SMTP_URL SPINE_SMTP_FROM SPINE_MAIL_DIR SPINE_BASE_DOMAIN SPINE_TRUSTED_PROXIES \
  SPINE_METRICS_ADDR SPINE_METRICS_TOKEN LEPTOS_OUTPUT_NAME
root=$PWD
cd "$work"

version=$("$spine" --version) || fail "spine --version failed"
say "spine --version: $version"

DATABASE_URL="sqlite://$work/migrate.db" "$spine" migrate > "$work/migrate.log" 2>&1 \
  || { cat "$work/migrate.log" >&2; fail "spine migrate failed on a fresh SQLite database"; }
[ -s "$work/migrate.db" ] || fail "spine migrate did not create its SQLite database"
say "spine migrate: ok"

DATABASE_URL="sqlite://$work/serve.db" "$spine" serve --site-root "$site" --addr 127.0.0.1:0 \
  > "$work/serve.log" 2>&1 &
server_pid=$!
addr=""
for _ in $(seq 1 120); do
  addr=$(sed -n 's|^Spine is ready: open http://\([^/]*\)/$|\1|p' "$work/serve.log")
  [ -n "$addr" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
[ -n "$addr" ] || { cat "$work/serve.log" >&2; fail "spine serve did not say it was ready within 60 seconds"; }
say "spine serve: ready on $addr"

# fetch PATH TYPE: the status must be 200 and the content type match TYPE (a glob).
fetch() {
  local out status type
  out=$(curl -sS -o "$work/body" -w '%{http_code} %{content_type}' "http://$addr$1") \
    || fail "GET $1: no answer"
  status=${out%% *}
  type=${out#* }
  [ "$status" = 200 ] || fail "GET $1: status $status, expected 200"
  # shellcheck disable=SC2254
  case "$type" in $2) ;; *) fail "GET $1: content type '$type', expected $2" ;; esac
  say "GET $1: $status $type, $(stat -c %s "$work/body") bytes"
}
fetch /healthz 'application/json*'
fetch /login 'text/html*'
grep -qi '<html' "$work/body" || fail "GET /login: the page is not HTML"
grep -q '/pkg/spine' "$work/body" || fail "GET /login: the page does not load the bundle from /pkg/"
fetch /pkg/spine.wasm 'application/wasm*'
fetch /pkg/spine.js '*javascript*'
fetch /pkg/spine.css 'text/css*'
# The bundle goes out compressed: the release build wrote brotli and gzip copies beside it.
for encoding in br gzip; do
  curl -sS -D "$work/headers" -o "$work/body" -H "Accept-Encoding: $encoding" "http://$addr/pkg/spine.wasm" \
    || fail "GET /pkg/spine.wasm ($encoding): no answer"
  grep -qi "^content-encoding: $encoding" "$work/headers" \
    || fail "GET /pkg/spine.wasm with Accept-Encoding: $encoding came back without it (was the release build run with --precompress?)"
  say "GET /pkg/spine.wasm, $encoding: $(stat -c %s "$work/body") bytes of $(stat -c %s "$site/pkg/spine.wasm")"
done
# And the console hydrates in a browser: the server and the bundle render the same markup.
if [ -d "$root/end2end/node_modules/playwright-core" ] && [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  NODE_PATH="$root/end2end/node_modules" node "$root/end2end/hydrates.cjs" "http://$addr/login" >&2 \
    || fail "the packaged console does not hydrate in Chromium"
elif [ "${CI:-}" = true ]; then
  fail "Chromium or the browser tests' npm packages are missing (scripts/setup.sh installs them)"
else
  say "skipped the browser check: no Chromium or end2end/node_modules (scripts/setup.sh)"
fi

kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
say "all checks passed: $deb"
