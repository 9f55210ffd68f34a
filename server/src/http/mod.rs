//! The HTTP surface: health checks, the JSON API, provider webhooks, and the console (Leptos pages and server
//! functions), one router per module, merged here.

mod analytics;
mod api;
mod downloads;
mod headers;
mod health;
mod live;
mod observe;
pub(crate) mod openapi;
mod problem;
mod server_fns;
mod session;
mod webhooks;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use leptos_axum::{LeptosRoutes, generate_route_list};

use app::state::AppState;
use app::{App, shell};

pub use health::{MetricsAccess, metrics_page};
pub use live::stop as stop_live;
pub use observe::Proxies;
pub use problem::Problem;

/// Every route goes through the session middleware, which only looks at console paths, and
/// through `observe` (request id, client address, access log, metrics) outermost.
pub fn router(state: AppState, proxies: Proxies, metrics: MetricsAccess) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route(
            "/metrics",
            get(health::metrics_with_token).layer(axum::Extension(metrics)),
        )
        .route("/api/openapi.json", get(openapi::document))
        .route("/me/export.json", get(downloads::my_export))
        .route("/customers/{id}/export.json", get(downloads::staff_export))
        .route("/exports/{file}", get(downloads::list_export))
        .route("/api/live", get(live::feed))
        .nest("/api/v1", api::router())
        .nest(
            "/webhooks",
            webhooks::router(webhooks::WebhookState {
                store: state.store.clone(),
                // The address providers reach Spine at (`--public-url`), for webhook signatures.
                public_url: state.public_url.clone(),
            }),
        )
        .merge(analytics::router())
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(from_fn_with_state(state.clone(), session::console_session))
        .layer(axum::middleware::from_fn(server_fns::client_errors))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .layer(from_fn_with_state(proxies, observe::observe))
        .with_state(state)
}
