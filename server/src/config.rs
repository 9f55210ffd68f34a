//! Configuration that is more than a flag: defaults and the Leptos options.

use std::net::SocketAddr;

use leptos::prelude::LeptosOptions;

/// A SQLite file in the working folder, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://spine.db";

/// Leptos' options from our own flags, so the binary runs the same with or without cargo-leptos.
pub fn leptos_options(addr: SocketAddr, site_root: &str) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("spine")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}
