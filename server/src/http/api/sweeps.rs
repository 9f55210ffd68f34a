//! The duplicate sweep and the tenant's custom fields over the API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use app::state::AppState;
use spine_core::services::custom_fields;
use spine_core::services::sweep::{self, SweepStatus};
use spine_core::types::CustomField;

use super::extract::Caller;
use crate::http::Problem;
use crate::http::problem::responses::{Conflict, NotFound, Unauthorized};

/// Starts a sweep of the tenant's stored profiles for duplicates, in the background: likely pairs
/// join the review queue (never merged); pairs waiting or decided are skipped. One runs at a
/// time: a second answers 409. Follow it with `GET /api/v1/sweeps/latest`.
#[utoipa::path(
    post,
    path = "/api/v1/sweeps",
    tag = "review",
    responses(
        (status = 202, description = "Started; its state as it begins.", body = SweepStatus),
        (status = 401, response = Unauthorized),
        (status = 409, response = Conflict),
    ),
    security(("bearer" = [])),
)]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<(StatusCode, Json<SweepStatus>), Problem> {
    sweep::start_sweep_in_background(&state.store, &caller.tenant, &caller.actor).await?;
    let status = sweep::latest_sweep(&state.store, &caller.tenant)
        .await?
        .ok_or_else(|| Problem::not_found("no sweep"))?;
    Ok((StatusCode::ACCEPTED, Json(status)))
}

/// The newest sweep: its stage and progress while it runs, what it found when done.
#[utoipa::path(
    get,
    path = "/api/v1/sweeps/latest",
    tag = "review",
    responses(
        (status = 200, description = "The newest sweep.", body = SweepStatus),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn latest(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SweepStatus>, Problem> {
    sweep::latest_sweep(&state.store, &caller.tenant)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found("no sweep has run yet"))
}

/// The tenant's custom fields (defined by its admins on /settings): the keys `custom` values
/// are set and filtered by, and what each holds.
#[utoipa::path(
    get,
    path = "/api/v1/custom-fields",
    tag = "customers",
    responses(
        (status = 200, description = "The fields, in the order they were defined.", body = Vec<CustomField>),
        (status = 401, response = Unauthorized),
    ),
    security(("bearer" = [])),
)]
pub async fn fields(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<CustomField>>, Problem> {
    Ok(Json(
        custom_fields::custom_fields(&state.store, &caller.tenant).await?,
    ))
}
