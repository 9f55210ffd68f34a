//! The JSON API under /api/v1: bearer API keys, problem-details errors, thin handlers over the
//! services.

// Visible to the OpenAPI document (`super::openapi`), which lists their handlers.
pub(super) mod customers;
pub(super) mod events;
mod extract;
pub(super) mod identities;
pub(super) mod privacy;
pub(super) mod review;
pub(super) mod sweeps;

use axum::Router;
use axum::routing::{get, post};
use spine_core::types::parse_hyphenated_uuid;
use uuid::Uuid;

use app::state::AppState;

use super::Problem;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/events", post(events::ingest_one))
        .route("/events/batch", post(events::ingest_batch))
        .route("/customers", get(customers::search))
        .route("/customers/resolve", post(customers::resolve))
        .route(
            "/customers/{id}",
            get(customers::profile)
                .patch(customers::update)
                .delete(privacy::soft_delete),
        )
        .route("/customers/{id}/export", get(privacy::export))
        .route("/customers/{id}/restore", post(privacy::restore))
        .route("/customers/{id}/erasure", post(privacy::erasure))
        .route("/customers/{id}/timeline", get(customers::timeline))
        .route("/customers/{id}/context", get(customers::context))
        .route("/threads/{id}/resolve", post(customers::resolve_thread))
        .route("/threads/{id}/reopen", post(customers::reopen_thread))
        .route("/threads/{id}/transcript", get(customers::transcript))
        .route("/threads/{id}/archive", post(customers::archive_thread))
        .route("/customers/{id}/merge", post(review::merge_customers))
        .route("/customers/{id}/merge-preview", get(review::preview))
        .route("/review-items", get(review::list))
        .route("/review-items/{id}/merge", post(review::merge_item))
        .route("/review-items/{id}/reject", post(review::reject_item))
        .route("/review-items/{id}/defer", post(review::defer_item))
        .route("/merges/{id}/undo", post(review::undo))
        .route("/sweeps", post(sweeps::start))
        .route("/sweeps/latest", get(sweeps::latest))
        .route("/custom-fields", get(sweeps::fields))
        .route("/customers/{id}/identities", post(identities::add))
        .route(
            "/customers/{id}/identities/{identity_id}/unlink",
            post(identities::unlink),
        )
        .route("/customers/{id}/identity-edits", get(identities::list))
        .route("/identity-edits/{id}/undo", post(identities::undo))
        .fallback(|| async { Problem::not_found("no such API endpoint") })
}

/// The id in a path: what is not a hyphenated UUID (the only form the API writes) names
/// nothing, so it is a 404 like an unknown id.
fn path_id(raw: &str, what: &'static str) -> Result<Uuid, Problem> {
    parse_hyphenated_uuid(raw).ok_or_else(|| Problem::not_found(format!("{what} not found")))
}

/// A number from the query string within its documented range, or a 422 naming it.
fn within<T: PartialOrd + std::fmt::Display>(
    name: &str,
    value: T,
    min: T,
    max: T,
) -> Result<T, Problem> {
    if value < min || value > max {
        return Err(Problem::invalid(
            Some(name.to_owned()),
            format!("from {min} to {max}"),
        ));
    }
    Ok(value)
}
