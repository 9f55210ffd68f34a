//! What every request handler and server function can reach.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use spine_core::services::ingest_queue::IngestQueue;
use spine_core::{Store, Tenant};

/// Shared state: the Leptos options, the store, and the tenant the console serves.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    /// Real-time ingestion with group commit (API events and webhooks).
    pub ingest: IngestQueue,
    /// The tenant the console serves; staff sign in to it.
    pub console_tenant: Tenant,
    /// The address browsers and providers reach Spine at (`--public-url`), when a proxy stands
    /// in front: it decides `Secure` cookies and is an accepted `Origin`.
    pub public_url: Option<String>,
}

impl AppState {
    /// Cookies are marked `Secure` when Spine is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }
}
