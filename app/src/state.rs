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
    /// The tenant a request acts within. In the shared state it is the default tenant
    /// (`--tenant`); the session middleware puts the one the request's host names in the
    /// request's extensions, and `server_fns::ssr::state` takes that one.
    pub tenant: Tenant,
    /// `--base-domain`: `acme.BASE` serves tenant `acme`'s console; without it every request
    /// is the default tenant's.
    #[from_ref(skip)]
    pub base_domain: Option<String>,
    /// The address browsers and providers reach Spine at (`--public-url`), when a proxy stands
    /// in front: it decides `Secure` cookies and is an accepted `Origin`.
    pub public_url: Option<String>,
}

/// The client's address: the peer, or behind a trusted proxy the address it forwarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// The request's id (`X-Request-Id`), for logs and error bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// What the layers inside learn about a request for its access-log line: the tenant it acted
/// within and the kind of caller. Put in the request by the outermost layer, filled inside.
#[derive(Debug, Clone, Default)]
pub struct AccessNote(std::sync::Arc<std::sync::Mutex<(Option<String>, Option<&'static str>)>>);

impl AccessNote {
    pub fn tenant(&self, slug: &str) {
        if let Ok(mut note) = self.0.lock() {
            note.0 = Some(slug.to_owned());
        }
    }

    /// `staff`, `customer`, `api_key`, `provider`.
    pub fn actor(&self, kind: &'static str) {
        if let Ok(mut note) = self.0.lock() {
            note.1 = Some(kind);
        }
    }

    pub fn read(&self) -> (Option<String>, Option<&'static str>) {
        self.0.lock().map(|note| note.clone()).unwrap_or_default()
    }
}

impl AppState {
    /// Cookies are marked `Secure` when Spine is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }
}
