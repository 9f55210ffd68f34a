# Sourced by the scripts: the environment cargo-leptos gives its debug builds, so `cargo test`,
# `cargo clippy` and `cargo leptos build` share one set of artifacts in target/ instead of
# rebuilding each other's (leptos reads LEPTOS_OUTPUT_NAME at compile time; RUSTFLAGS is part of
# every fingerprint).
export PATH="$HOME/.local/share/spine/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export LEPTOS_OUTPUT_NAME=spine
export RUSTFLAGS="--cfg erase_components"
# A CI run starts from a clean clone and builds once: the incremental cache would only take disk.
if [ "${CI:-}" = true ]; then
  export CARGO_INCREMENTAL=0
fi
