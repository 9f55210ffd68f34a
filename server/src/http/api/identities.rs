//! Identifiers by hand over the API: add one to a profile, move one that was linked wrongly to
//! another profile, list what was changed by hand, and undo a change.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use app::state::AppState;
use spine_core::services::identities;
use spine_core::types::{IdentityEdit, NewIdentifier, UnlinkTo, parse_hyphenated_uuid};

use super::extract::{ApiJson, Caller};
use super::path_id;
use crate::http::Problem;
use crate::http::problem::responses::{
    Conflict, Forbidden, Invalid, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
};

/// Where the identifier goes, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlinkBody {
    /// `new` for a new profile of its own, or the id of an active profile to move it to.
    #[schema(
        pattern = "^(new|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$",
        example = "new"
    )]
    to: String,
    /// Why, for the audit log.
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
}

/// Adds an identifier to a profile (exactly one of `email`, `phone`, `handle` and `external`,
/// as an event names it), normalized as ingestion normalizes one (an E.164 phone, a lower-case
/// email). It is recorded as entered by staff: no sign-in code goes to it unless an admin marks
/// it verified in the console. Refused (409) when the profile or another profile already holds
/// it.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/identities",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    request_body = NewIdentifier,
    responses(
        (status = 201, description = "Added; undo with `POST /api/v1/identity-edits/{id}/undo`.", body = IdentityEdit),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewIdentifier>,
) -> Result<(StatusCode, Json<IdentityEdit>), Problem> {
    let edit = identities::add_identity(
        &state.store,
        &caller.tenant,
        &caller.actor,
        path_id(&id, "customer")?,
        &body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(edit)))
}

/// Takes an identifier off a profile it was linked to wrongly and moves it to a new profile of
/// its own or to the profile named. The profile's messages stay where they are.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/identities/{identity_id}/unlink",
    tag = "customers",
    params(
        ("id" = Uuid, Path, description = "The customer's id."),
        ("identity_id" = Uuid, Path, description = "The identity's id, as the profile lists it."),
    ),
    request_body = UnlinkBody,
    responses(
        (status = 200, description = "Moved; `other_customer_id` is where it went.", body = IdentityEdit),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn unlink(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, identity_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<UnlinkBody>,
) -> Result<Json<IdentityEdit>, Problem> {
    let customer = path_id(&id, "customer")?;
    let identity = path_id(&identity_id, "identity")?;
    let to = match body.to.trim() {
        "new" => UnlinkTo::NewProfile,
        other => UnlinkTo::Profile(parse_hyphenated_uuid(other).ok_or_else(|| {
            Problem::invalid(
                Some("to".to_owned()),
                "`new`, or the id of the profile to move it to",
            )
        })?),
    };
    Ok(Json(
        identities::unlink_identity(
            &state.store,
            &caller.tenant,
            &caller.actor,
            customer,
            identity,
            to,
            &body.reason,
        )
        .await?,
    ))
}

/// Identifiers changed by hand on this profile, or moved to it, newest first (the last 20).
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/identity-edits",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    responses(
        (status = 200, description = "The changes, newest first.", body = Vec<IdentityEdit>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<IdentityEdit>>, Problem> {
    let id = path_id(&id, "customer")?;
    // An unknown profile is a 404, not an empty list.
    spine_core::services::customers::customer_profile(&state.store, &caller.tenant, id).await?;
    Ok(Json(
        identities::identity_edits(&state.store, &caller.tenant, id).await?,
    ))
}

/// Puts an identifier back as it was before a change by hand. Only the newest standing change
/// of an identifier undoes, and only while nothing moved it since (409 otherwise).
#[utoipa::path(
    post,
    path = "/api/v1/identity-edits/{id}/undo",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The change's id.")),
    responses(
        (status = 200, description = "Undone.", body = IdentityEdit),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
    security(("bearer" = [])),
)]
pub async fn undo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<IdentityEdit>, Problem> {
    Ok(Json(
        identities::undo_identity_edit(
            &state.store,
            &caller.tenant,
            &caller.actor,
            path_id(&id, "identity edit")?,
        )
        .await?,
    ))
}
