//! The review queue and merges over the API.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use app::state::AppState;
use spine_core::services::merge::{self, MergeOutcome};
use spine_core::services::review::{self, ReviewItemView};
use spine_engine::merge::{Choice, MergePlan};

use super::extract::{ApiJson, ApiQuery, Caller};
use super::{path_id, within};
use crate::http::Problem;
use crate::http::problem::responses::{
    Conflict, Invalid, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// At most this many items (default 50, at most 500).
    // MAX_REVIEW_PAGE: utoipa takes only a literal here; the openapi tests check they agree.
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 500)]
    limit: i64,
}

fn default_limit() -> i64 {
    50
}

/// The review queue: possible duplicates waiting for a person, highest score first.
#[utoipa::path(
    get,
    path = "/api/v1/review-items",
    tag = "review",
    params(ListQuery),
    responses(
        (status = 200, description = "The pending items.", body = Vec<ReviewItemView>),
        (status = 401, response = Unauthorized),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<ReviewItemView>>, Problem> {
    Ok(Json(
        review::pending_review_items(
            &state.store,
            &caller.tenant,
            within("limit", q.limit, 1, review::MAX_REVIEW_PAGE)?,
        )
        .await?,
    ))
}

/// Which of a review item's profiles survives, which is absorbed, and the values chosen for
/// conflicting fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ItemMergeBody {
    /// The profile that stays (default: the item's first candidate, the older profile).
    survivor_id: Option<Uuid>,
    /// The profile merged away (default: the item's subject). A review item's profiles are the
    /// only ones it merges.
    absorbed_id: Option<Uuid>,
    /// Per conflicting field (as named by the merge preview), whose value wins:
    /// `{"take": "survivor"}`, `{"take": "absorbed"}` or `{"take": "value", "value": "..."}`.
    /// A conflict left out keeps the survivor's value.
    #[serde(default)]
    #[schema(value_type = Object, example = json!({"display_name": {"take": "absorbed"},
        "family_name": {"take": "value", "value": "Smith"}}))]
    choices: Choices,
}

/// The profile merged into the one the path names, and the values chosen for conflicting fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeBody {
    /// The profile merged away.
    absorbed_id: Uuid,
    /// Per conflicting field (as named by the merge preview), whose value wins:
    /// `{"take": "survivor"}`, `{"take": "absorbed"}` or `{"take": "value", "value": "..."}`.
    /// A conflict left out keeps the survivor's value.
    #[serde(default)]
    #[schema(value_type = Object, example = json!({"display_name": {"take": "absorbed"},
        "family_name": {"take": "value", "value": "Smith"}}))]
    choices: Choices,
}

/// A merge's choices, by field.
type Choices = BTreeMap<String, Choice>;

/// What a decision did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Decided {
    /// `rejected`, `deferred` or `undone`.
    status: &'static str,
}

/// Decide a review item: the two profiles are one person; merge them.
#[utoipa::path(
    post,
    path = "/api/v1/review-items/{id}/merge",
    tag = "review",
    params(("id" = Uuid, Path, description = "The review item's id.")),
    request_body = ItemMergeBody,
    responses(
        (status = 200, description = "Merged; undo with `POST /api/v1/merges/{merge_id}/undo`.", body = MergeOutcome),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn merge_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(item): Path<String>,
    ApiJson(body): ApiJson<ItemMergeBody>,
) -> Result<Json<MergeOutcome>, Problem> {
    let item = path_id(&item, "review item")?;
    Ok(Json(
        review::merge_review_item(
            &state.store,
            &caller.tenant,
            &caller.actor,
            item,
            body.survivor_id,
            body.absorbed_id,
            &body.choices,
        )
        .await?,
    ))
}

/// Decide a review item: not the same person; the pairs are never proposed again.
#[utoipa::path(
    post,
    path = "/api/v1/review-items/{id}/reject",
    tag = "review",
    params(("id" = Uuid, Path, description = "The review item's id.")),
    responses(
        (status = 200, description = "Rejected.", body = Decided, example = json!({"status": "rejected"})),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
    security(("bearer" = [])),
)]
pub async fn reject_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(item): Path<String>,
) -> Result<Json<Decided>, Problem> {
    review::reject_review_item(
        &state.store,
        &caller.tenant,
        &caller.actor,
        path_id(&item, "review item")?,
    )
    .await?;
    Ok(Json(Decided { status: "rejected" }))
}

/// Put a review item aside: it leaves the pending list and can still be merged later.
#[utoipa::path(
    post,
    path = "/api/v1/review-items/{id}/defer",
    tag = "review",
    params(("id" = Uuid, Path, description = "The review item's id.")),
    responses(
        (status = 200, description = "Deferred.", body = Decided, example = json!({"status": "deferred"})),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
    security(("bearer" = [])),
)]
pub async fn defer_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(item): Path<String>,
) -> Result<Json<Decided>, Problem> {
    review::defer_review_item(
        &state.store,
        &caller.tenant,
        &caller.actor,
        path_id(&item, "review item")?,
    )
    .await?;
    Ok(Json(Decided { status: "deferred" }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The profile that would be merged away.
    #[param(value_type = Uuid)]
    absorbed_id: String,
}

/// What merging `absorbed_id` into this profile would do: each field's outcome (same, taken
/// from the absorbed profile, kept, or a conflict for a person to choose), the merged lists and
/// the identities that move. Nothing is written.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/merge-preview",
    tag = "review",
    params(("id" = Uuid, Path, description = "The surviving customer's id."), PreviewQuery),
    responses(
        (status = 200, description = "The merge plan.", body = Object),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    Path(survivor): Path<String>,
    ApiQuery(q): ApiQuery<PreviewQuery>,
) -> Result<Json<MergePlan>, Problem> {
    Ok(Json(
        merge::preview_merge(
            &state.store,
            &caller.tenant,
            merge::MergePair {
                survivor: path_id(&survivor, "customer")?,
                absorbed: spine_core::types::parse_hyphenated_uuid(&q.absorbed_id).ok_or_else(
                    || Problem::invalid(Some("absorbed_id".into()), "a customer's id (a UUID)"),
                )?,
            },
        )
        .await?,
    ))
}

/// Merge `absorbed_id` into this profile, with choices for the conflicting fields.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/merge",
    tag = "review",
    params(("id" = Uuid, Path, description = "The surviving customer's id.")),
    request_body = MergeBody,
    responses(
        (status = 200, description = "Merged; undo with `POST /api/v1/merges/{merge_id}/undo`.", body = MergeOutcome),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn merge_customers(
    State(state): State<AppState>,
    caller: Caller,
    Path(survivor): Path<String>,
    ApiJson(body): ApiJson<MergeBody>,
) -> Result<Json<MergeOutcome>, Problem> {
    Ok(Json(
        merge::merge_customers(
            &state.store,
            &caller.tenant,
            &caller.actor,
            merge::MergePair {
                survivor: path_id(&survivor, "customer")?,
                absorbed: body.absorbed_id,
            },
            &body.choices,
            None,
        )
        .await?,
    ))
}

/// Put both profiles back as they were before the merge.
#[utoipa::path(
    post,
    path = "/api/v1/merges/{id}/undo",
    tag = "review",
    params(("id" = Uuid, Path, description = "The merge's id (`merge_id` in the merge's answer).")),
    responses(
        (status = 200, description = "Undone.", body = Decided, example = json!({"status": "undone"})),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
    security(("bearer" = [])),
)]
pub async fn undo(
    State(state): State<AppState>,
    caller: Caller,
    Path(merge_id): Path<String>,
) -> Result<Json<Decided>, Problem> {
    merge::undo_merge(
        &state.store,
        &caller.tenant,
        &caller.actor,
        path_id(&merge_id, "merge")?,
    )
    .await?;
    Ok(Json(Decided { status: "undone" }))
}
