//! Liveness and readiness, for load balancers and orchestrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use app::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    status: &'static str,
    /// The running `spine` version.
    version: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`, or `unavailable` when the database does not answer.
    status: &'static str,
    /// The database backend: `sqlite` or `postgres`.
    database: &'static str,
}

/// The process is up and answering.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, description = "Up.", body = Health,
        example = json!({"status": "ok", "version": "0.1.0"}))),
)]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// The database answers too; 503 when it does not.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve.", body = Readiness,
            example = json!({"status": "ready", "database": "sqlite"})),
        (status = 503, description = "The database does not answer.", body = Readiness,
            example = json!({"status": "unavailable", "database": "postgres"})),
    ),
)]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let database = state.store.backend().as_str();
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Readiness {
                status: "ready",
                database,
            }),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Readiness {
                    status: "unavailable",
                    database,
                }),
            )
        }
    }
}

/// Who may read `/metrics` on the main address: holders of `--metrics-token`. Without a token
/// the page is only on `--metrics-addr`, if that is set.
#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    pub token: Option<String>,
}

/// `GET /metrics` on the main address, with `Authorization: Bearer <token>`.
pub async fn metrics_with_token(
    State(state): State<AppState>,
    axum::Extension(access): axum::Extension<MetricsAccess>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some(expected) = access.token.as_deref() else {
        return super::Problem::not_found(
            "metrics are served on --metrics-addr, or here with --metrics-token",
        )
        .into_response();
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same_secret(given, expected) {
        return super::Problem::unauthorized(
            "send the metrics token as `Authorization: Bearer ...`",
        )
        .into_response();
    }
    metrics_page(State(state)).await.into_response()
}

/// The Prometheus page itself (on `--metrics-addr`, open to whoever reaches that address).
pub async fn metrics_page(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::render(&state.store, &state.ingest).await,
    )
}

/// Compares digests, so the time taken says nothing about how much of a guess was right.
fn same_secret(given: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes())
}
