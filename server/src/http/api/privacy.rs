//! A person's data over the API: export, soft delete and restore, erasure.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use app::state::AppState;
use spine_core::services::privacy::{self, CustomerExport, ErasureReport};

use super::extract::Caller;
use super::path_id;
use crate::http::Problem;
use crate::http::problem::responses::{Conflict, NotFound, Unauthorized};

/// Everything held about the person: profile, profiles merged into it, identifiers, timeline,
/// orders, consents and the audit of changes. Audited as `customer.exported`.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/export",
    tag = "privacy",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    responses(
        (status = 200, description = "The person's data.", body = CustomerExport),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CustomerExport>, Problem> {
    let id = path_id(&id, "customer")?;
    Ok(Json(
        privacy::export_customer(&state.store, &caller.tenant, &caller.actor, id).await?,
    ))
}

/// Soft delete: the profile disappears from every list and search; nothing is removed, and
/// `restore` brings it back. Not an erasure (see `erasure`).
#[utoipa::path(
    delete,
    path = "/api/v1/customers/{id}",
    tag = "privacy",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    responses(
        (status = 204, description = "Hidden."),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
    security(("bearer" = [])),
)]
pub async fn soft_delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = path_id(&id, "customer")?;
    privacy::soft_delete_customer(&state.store, &caller.tenant, &caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shows a soft-deleted profile again.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/restore",
    tag = "privacy",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    responses(
        (status = 204, description = "Visible again."),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
    security(("bearer" = [])),
)]
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = path_id(&id, "customer")?;
    privacy::restore_customer(&state.store, &caller.tenant, &caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Erases the person, irreversibly: their data leaves every table of the profile graph (the
/// profile and every profile merged into it). A tombstone of keyed hashes refuses replays of
/// their past; the same identifiers writing afterwards make a new profile. The audit log keeps
/// that it happened and by whom, not what was erased.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/erasure",
    tag = "privacy",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    responses(
        (status = 200, description = "Erased; what was removed, by count.", body = ErasureReport),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn erasure(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ErasureReport>, Problem> {
    let id = path_id(&id, "customer")?;
    Ok(Json(
        privacy::erase_customer(&state.store, &caller.tenant, &caller.actor, id).await?,
    ))
}
