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
    /// The console is single-tenant until staff sign-in names the tenant per session.
    pub console_tenant: Tenant,
}
