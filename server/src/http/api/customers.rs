//! Reading customers: search, profile, timeline.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use app::state::AppState;
use spine_core::services::customers;
use spine_core::services::customers::ProfileUpdate;
use spine_core::services::find_or_create::{ResolveOutcome, ResolveRequest, resolve_customer};
use spine_core::services::memory::{self, CustomerContext, ThreadTranscript};
use spine_core::types::{
    Channel, CustomerProfile, CustomerSummary, InteractionKind, TimelineCursor, TimelineEntry,
};

use super::extract::{ApiJson, ApiQuery, Caller};
use super::{path_id, within};
use crate::http::Problem;
use crate::http::problem::responses::{
    Conflict, Invalid, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// A name (typos, nicknames and unfinished words tolerated), an email, a phone number in
    /// any format, an `@handle`, an external id or an order number (at most 200 characters).
    /// Empty lists the most recently active profiles.
    #[serde(default)]
    #[param(max_length = 200)]
    q: String,
    /// At most this many profiles (default 25, at most 200).
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 200)]
    limit: i64,
    /// Skip this many results (0 to 1000): the next page starts at `offset + limit`; a page
    /// shorter than `limit` is the last.
    #[serde(default)]
    #[param(minimum = 0, maximum = 1000)]
    offset: i64,
}

fn default_limit() -> i64 {
    25
}

/// Profiles answering a search query, best match first.
#[utoipa::path(
    get,
    path = "/api/v1/customers",
    tag = "customers",
    params(SearchQuery),
    responses(
        (status = 200, description = "The matching profiles.", body = Vec<CustomerSummary>),
        (status = 401, response = Unauthorized),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<Vec<CustomerSummary>>, Problem> {
    Ok(Json(
        customers::search_customers_page(
            &state.store,
            &caller.tenant,
            &query.q,
            within("limit", query.limit, 1, customers::MAX_PAGE)?,
            within("offset", query.offset, 0, customers::MAX_OFFSET)?,
        )
        .await?,
    ))
}

/// One profile with its identities and preferences. A deleted profile is not found here (nor
/// in lists and search); its export answers until it is erased, and restore brings it back.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    responses(
        (status = 200, description = "The profile.", body = CustomerProfile),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn profile(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CustomerProfile>, Problem> {
    Ok(Json(
        listed(&state, &caller, path_id(&id, "customer")?).await?,
    ))
}

/// The profile, when it is listed. Deleted is deleted to the API (its profile, timeline and
/// context), as to lists and search; the data is still held, so its export answers and
/// `POST .../restore` brings it back.
async fn listed(
    state: &AppState,
    caller: &Caller,
    id: uuid::Uuid,
) -> Result<CustomerProfile, Problem> {
    let profile = customers::customer_profile(&state.store, &caller.tenant, id).await?;
    if profile.deleted_at.is_some() {
        return Err(Problem::not_found(
            "customer not found (deleted: POST /api/v1/customers/{id}/restore brings it back)",
        ));
    }
    Ok(profile)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
    /// Only this channel ("sms", "email", ...).
    #[param(value_type = Option<Channel>)]
    channel: Option<String>,
    /// Only this kind ("message", "order", "booking", "call", "note").
    #[param(value_type = Option<InteractionKind>)]
    kind: Option<String>,
    /// At most this many entries (default 25, at most 200).
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 200)]
    limit: i64,
}

/// One page of a timeline, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelinePage {
    entries: Vec<TimelineEntry>,
    /// Pass as `cursor` for the next page; null on the last one.
    #[schema(required)]
    next_cursor: Option<String>,
}

/// A profile's interactions, newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/timeline",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The customer's id."), TimelineQuery),
    responses(
        (status = 200, description = "One page of the timeline.", body = TimelinePage),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TimelineQuery>,
) -> Result<Json<TimelinePage>, Problem> {
    let before = query
        .cursor
        .as_deref()
        .map(|raw| {
            TimelineCursor::parse(raw).ok_or_else(|| {
                Problem::invalid(Some("cursor".into()), "not a cursor this API returned")
            })
        })
        .transpose()?;
    let limit = within("limit", query.limit, 1, customers::MAX_PAGE)?;
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
    let id = listed(&state, &caller, path_id(&id, "customer")?).await?.id;
    let request = customers::TimelineRequest {
        before,
        limit,
        channel,
        kind,
    };
    let page = customers::timeline_page(&state.store, &caller.tenant, id, &request).await?;
    Ok(Json(TimelinePage {
        entries: page.entries,
        next_cursor: page.next_cursor.map(|c| c.to_string()),
    }))
}

/// Change what a person may change on a profile; absent fields stay as they are.
#[utoipa::path(
    patch,
    path = "/api/v1/customers/{id}",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    request_body = ProfileUpdate,
    responses(
        (status = 200, description = "The profile after the change.", body = CustomerProfile),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
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
            path_id(&id, "customer")?,
            &update,
        )
        .await?,
    ))
}

/// Find-or-create: 200 with the profile found, 201 with the profile created, 409 with the
/// conflicting accounts and suggested actions (never merged by this call).
#[utoipa::path(
    post,
    path = "/api/v1/customers/resolve",
    tag = "customers",
    request_body = ResolveRequest,
    responses(
        (status = 200, description = "One profile matched (`outcome: found`).", body = ResolveOutcome),
        (status = 201, description = "No profile matched: one was created (`outcome: created`).", body = ResolveOutcome),
        (status = 409, description = "Several profiles claim these identifiers (`outcome: conflict`): nothing was merged; a review item was opened.", body = ResolveOutcome),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContextQuery {
    /// The channel the answer will go to ("whatsapp", "email"...): its thread ranks higher.
    #[param(value_type = Option<Channel>)]
    channel: Option<String>,
    /// At most this many characters of rendered `text` (100 to 20000, default 2000).
    #[param(minimum = 100, maximum = 20000)]
    budget: Option<usize>,
}

/// What an agent or an AI assistant answering this customer should know: profile, active
/// topics, open threads with their last messages (a thread that moved channels says where it
/// came from), recent orders, and all of it as prompt-ready `text` within the budget.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/context",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The customer's id."), ContextQuery),
    responses(
        (status = 200, description = "The context block.", body = CustomerContext),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn context(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ContextQuery>,
) -> Result<Json<CustomerContext>, Problem> {
    let id = listed(&state, &caller, path_id(&id, "customer")?).await?.id;
    let channel = match query.channel.as_deref() {
        Some(name) => Some(Channel::parse(name).ok_or_else(|| {
            Problem::from(spine_core::ServiceError::invalid(
                "channel",
                "not a channel Spine knows",
            ))
        })?),
        None => None,
    };
    Ok(Json(
        memory::customer_context(
            &state.store,
            &caller.tenant,
            id,
            channel,
            query.budget.unwrap_or(memory::DEFAULT_BUDGET),
        )
        .await?,
    ))
}

/// Marks a conversation thread resolved: the next question starts a thread of its own (a
/// message about the same order within a day reopens it). Audited.
#[utoipa::path(
    post,
    path = "/api/v1/threads/{id}/resolve",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The thread's id (from the context).")),
    responses(
        (status = 204, description = "Resolved."),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
    security(("bearer" = [])),
)]
pub async fn resolve_thread(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::http::StatusCode, Problem> {
    let id = path_id(&id, "thread")?;
    memory::set_thread_resolved(&state.store, &caller.tenant, &caller.actor, id, true).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Opens a resolved thread again. Audited. An archived thread cannot be reopened (409).
#[utoipa::path(
    post,
    path = "/api/v1/threads/{id}/reopen",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The thread's id (from the context).")),
    responses(
        (status = 204, description = "Open again."),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
    security(("bearer" = [])),
)]
pub async fn reopen_thread(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::http::StatusCode, Problem> {
    let id = path_id(&id, "thread")?;
    memory::set_thread_resolved(&state.store, &caller.tenant, &caller.actor, id, false).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Archives a resolved conversation now, whatever its age (the server also archives those
/// resolved longer ago than the tenant's archive age, every hour): its summary stays in the
/// context, its text moves to the transcript. Audited.
#[utoipa::path(
    post,
    path = "/api/v1/threads/{id}/archive",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The thread's id (from the context).")),
    responses(
        (status = 204, description = "Archived."),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
    security(("bearer" = [])),
)]
pub async fn archive_thread(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::http::StatusCode, Problem> {
    let id = path_id(&id, "thread")?;
    memory::archive_thread(&state.store, &caller.tenant, &caller.actor, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// A conversation's messages with their full text, oldest first, whether or not the thread
/// was archived (an archived thread's text is read from its transcript).
#[utoipa::path(
    get,
    path = "/api/v1/threads/{id}/transcript",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The thread's id (from the context or a timeline entry).")),
    responses(
        (status = 200, description = "The transcript.", body = ThreadTranscript),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ),
    security(("bearer" = [])),
)]
pub async fn transcript(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ThreadTranscript>, Problem> {
    let id = path_id(&id, "thread")?;
    Ok(Json(
        memory::thread_transcript(&state.store, &caller.tenant, id).await?,
    ))
}
