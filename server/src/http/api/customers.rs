//! Reading customers: search, profile, timeline.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use app::state::AppState;
use spine_core::services::customers;
use spine_core::services::customers::ProfileUpdate;
use spine_core::services::find_or_create::{ResolveOutcome, ResolveRequest, resolve_customer};
use spine_core::types::{
    Channel, CustomerProfile, CustomerSummary, InteractionKind, TimelineEntry,
};

use super::extract::{ApiJson, Caller};
use crate::http::Problem;

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    25
}

pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<CustomerSummary>>, Problem> {
    Ok(Json(
        customers::search_customers(&state.store, &caller.tenant, &query.q, query.limit).await?,
    ))
}

fn customer_id(raw: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(raw).map_err(|_| Problem::not_found("customer not found"))
}

pub async fn profile(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CustomerProfile>, Problem> {
    Ok(Json(
        customers::customer_profile(&state.store, &caller.tenant, customer_id(&id)?).await?,
    ))
}

#[derive(Debug, Deserialize)]
pub struct TimelineQuery {
    /// Opaque cursor from the previous page's `next_cursor`.
    cursor: Option<String>,
    /// Only this channel ("sms", "email", ...).
    channel: Option<String>,
    /// Only this kind ("message", "order", "booking", "call", "note").
    kind: Option<String>,
    #[serde(default = "default_limit")]
    limit: i64,
}

#[derive(Debug, Serialize)]
pub struct TimelinePage {
    entries: Vec<TimelineEntry>,
    next_cursor: Option<String>,
}

pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<TimelineQuery>,
) -> Result<Json<TimelinePage>, Problem> {
    let before = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let limit = query.limit.clamp(1, customers::MAX_PAGE);
    let channel = query
        .channel
        .as_deref()
        .map(|c| {
            Channel::parse(c).ok_or_else(|| {
                Problem::invalid(Some("channel".into()), format!("unknown channel {c:?}"))
            })
        })
        .transpose()?;
    let kind = query
        .kind
        .as_deref()
        .map(|k| {
            InteractionKind::parse(k)
                .ok_or_else(|| Problem::invalid(Some("kind".into()), format!("unknown kind {k:?}")))
        })
        .transpose()?;
    let entries = customers::customer_timeline_filtered(
        &state.store,
        &caller.tenant,
        customer_id(&id)?,
        before,
        limit,
        channel,
        kind,
    )
    .await?;
    let next_cursor = (entries.len() as i64 == limit)
        .then(|| {
            entries
                .last()
                .map(|e| format!("{}_{}", e.occurred_at.timestamp_micros(), e.id))
        })
        .flatten();
    Ok(Json(TimelinePage {
        entries,
        next_cursor,
    }))
}

fn parse_cursor(raw: &str) -> Result<(DateTime<Utc>, Uuid), Problem> {
    let bad = || Problem::invalid(Some("cursor".into()), "not a cursor this API returned");
    let (micros, id) = raw.split_once('_').ok_or_else(bad)?;
    let at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::<Utc>::from_timestamp_micros)
        .ok_or_else(bad)?;
    Ok((at, Uuid::parse_str(id).map_err(|_| bad())?))
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<ProfileUpdate>,
) -> Result<Json<CustomerProfile>, Problem> {
    Ok(Json(
        customers::update_customer(
            &state.store,
            &caller.tenant,
            &caller.actor,
            customer_id(&id)?,
            &update,
        )
        .await?,
    ))
}

/// Find-or-create: 200 with the profile found, 201 with the profile created, 409 with the
/// conflicting accounts and suggested actions (never merged by this call).
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<ResolveRequest>,
) -> Result<(axum::http::StatusCode, Json<ResolveOutcome>), Problem> {
    let outcome = resolve_customer(&state.store, &caller.tenant, &caller.actor, &request).await?;
    let status = match outcome {
        ResolveOutcome::Found { .. } => axum::http::StatusCode::OK,
        ResolveOutcome::Created { .. } => axum::http::StatusCode::CREATED,
        ResolveOutcome::Conflict { .. } => axum::http::StatusCode::CONFLICT,
    };
    Ok((status, Json(outcome)))
}
