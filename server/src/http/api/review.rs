//! The review queue and merges over the API.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use uuid::Uuid;

use app::state::AppState;
use spine_core::services::merge::{self, MergeOutcome};
use spine_core::services::review::{self, ReviewItemView};
use spine_engine::merge::{Choice, MergePlan};

use super::extract::{ApiJson, Caller};
use crate::http::Problem;

fn id(raw: &str, what: &'static str) -> Result<Uuid, Problem> {
    Uuid::parse_str(raw).map_err(|_| Problem::not_found(format!("{what} not found")))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    50
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ReviewItemView>>, Problem> {
    Ok(Json(
        review::pending_review_items(&state.store, &caller.tenant, q.limit).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct MergeBody {
    survivor_id: Option<Uuid>,
    absorbed_id: Option<Uuid>,
    #[serde(default)]
    choices: BTreeMap<String, Choice>,
}

pub async fn merge_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(item): Path<String>,
    ApiJson(body): ApiJson<MergeBody>,
) -> Result<Json<MergeOutcome>, Problem> {
    let item = id(&item, "review item")?;
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

pub async fn reject_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(item): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    merge::reject_review_item(
        &state.store,
        &caller.tenant,
        &caller.actor,
        id(&item, "review item")?,
    )
    .await?;
    Ok(Json(serde_json::json!({"status": "rejected"})))
}

pub async fn defer_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(item): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    review::defer_review_item(
        &state.store,
        &caller.tenant,
        &caller.actor,
        id(&item, "review item")?,
    )
    .await?;
    Ok(Json(serde_json::json!({"status": "deferred"})))
}

#[derive(Debug, Deserialize)]
pub struct PreviewQuery {
    absorbed_id: Uuid,
}

pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    Path(survivor): Path<String>,
    Query(q): Query<PreviewQuery>,
) -> Result<Json<MergePlan>, Problem> {
    Ok(Json(
        merge::preview_merge(
            &state.store,
            &caller.tenant,
            id(&survivor, "customer")?,
            q.absorbed_id,
        )
        .await?,
    ))
}

pub async fn merge_customers(
    State(state): State<AppState>,
    caller: Caller,
    Path(survivor): Path<String>,
    ApiJson(body): ApiJson<MergeBody>,
) -> Result<Json<MergeOutcome>, Problem> {
    let absorbed = body
        .absorbed_id
        .ok_or_else(|| Problem::invalid(Some("absorbed_id".into()), "required"))?;
    Ok(Json(
        merge::merge_customers(
            &state.store,
            &caller.tenant,
            &caller.actor,
            id(&survivor, "customer")?,
            absorbed,
            &body.choices,
            None,
        )
        .await?,
    ))
}

pub async fn undo(
    State(state): State<AppState>,
    caller: Caller,
    Path(merge_id): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    merge::undo_merge(
        &state.store,
        &caller.tenant,
        &caller.actor,
        id(&merge_id, "merge")?,
    )
    .await?;
    Ok(Json(serde_json::json!({"status": "undone"})))
}
