//! Reading customers: search, profile, timeline.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use app::state::AppState;
use spine_core::lists::CustomerFilter;
use spine_core::services::customers::ProfileUpdate;
use spine_core::services::find_or_create::{ResolveOutcome, ResolveRequest, resolve_customer};
use spine_core::services::memory::{self, CustomerContext, ThreadTranscript};
use spine_core::services::{customers, lists};
use spine_core::types::{
    Channel, CustomerProfile, CustomerSummary, InteractionKind, LifecycleStage, ListSort,
    TimelineCursor, TimelineEntry, parse_hyphenated_uuid,
};

use super::extract::{ApiJson, ApiQuery, Caller};
use super::{path_id, within};
use crate::http::Problem;
use crate::http::problem::responses::{
    Conflict, Invalid, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
};

/// The query `GET /api/v1/customers` takes: a search, a list's filters, or both. Documented
/// here; read by [`CustomerFilter`], the parser the console's list uses, so the two cannot
/// disagree. Repeat a parameter for several values (`stage=lead&stage=customer`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchQuery {
    /// A name (typos, nicknames and unfinished words tolerated), an email, a phone number in
    /// any format, an `@handle`, an external id or an order number (at most 200 characters).
    /// Alone, answers best match first; with filters, the best 200 matches that pass them.
    #[param(max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$")]
    q: Option<String>,
    /// Only these lifecycle stages.
    #[param(value_type = Option<Vec<LifecycleStage>>, style = Form, explode, max_items = 20)]
    stage: Option<Vec<String>>,
    /// Tagged with any of these tags (a value may hold several, comma-separated).
    #[param(style = Form, explode, max_items = 20, min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$")]
    tag: Option<Vec<String>>,
    /// `any` (default) or `all` of the tags.
    #[param(pattern = "^(any|all)$")]
    tags: Option<String>,
    /// Reached us through any of these sources (`shopify`, `webchat`, `import`...).
    #[param(style = Form, explode, max_items = 20, min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$")]
    source: Option<Vec<String>>,
    /// Brought by this campaign (first touch), exactly.
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
    )]
    campaign: Option<String>,
    /// Has used any of these channels.
    #[param(value_type = Option<Vec<Channel>>, style = Form, explode, max_items = 20)]
    channel: Option<Vec<String>>,
    /// Last active on or after this day (UTC).
    seen_from: Option<NaiveDate>,
    /// Last active on or before this day (UTC).
    seen_to: Option<NaiveDate>,
    /// First seen on or after this day (UTC).
    created_from: Option<NaiveDate>,
    /// First seen on or before this day (UTC).
    created_to: Option<NaiveDate>,
    /// `1`: only profiles with a conversation not yet resolved.
    open: Option<bool>,
    /// `1`: only profiles in a review item still open (subject or candidate).
    review: Option<bool>,
    /// `activity` (most recently active first, the default), `name` or `created` (newest first).
    #[param(value_type = Option<ListSort>, inline)]
    sort: Option<String>,
    /// At most this many profiles (default 25, at most 200).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// A list's next page: the `after` of the `Link: <...>; rel="next"` header of the previous
    /// one (the last profile's id). A list answer also carries `X-Total-Count` (counted up to
    /// 1,000; `X-Total-Count-Capped: true` past it). Parameters other than `q` may not be empty.
    after: Option<Uuid>,
    /// Skip this many results (0 to 1000): the next page starts at `offset + limit`.
    #[param(minimum = 0, maximum = 1000)]
    offset: Option<i64>,
}

const DEFAULT_LIMIT: i64 = 25;

fn default_limit() -> i64 {
    DEFAULT_LIMIT
}

/// Profiles answering a search, a list's filters, or both.
#[utoipa::path(
    get,
    path = "/api/v1/customers",
    tag = "customers",
    params(SearchQuery),
    responses(
        (status = 200, description = "The matching profiles.", body = Vec<CustomerSummary>,
         headers(
            ("Link" = String, description = "The next page of a list, as `<URL>; rel=\"next\"`."),
            ("X-Total-Count" = i64, description = "How many profiles the list holds (counted up to 1,000)."),
         )),
        (status = 401, response = Unauthorized),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| Problem::invalid(None, format!("query: {e}")))?;
    let mut limit = DEFAULT_LIMIT;
    let mut offset = 0;
    let mut after = None;
    let number = |name: &str, value: &str| {
        value
            .parse::<i64>()
            .map_err(|_| Problem::invalid(Some(name.to_owned()), "a whole number"))
    };
    for (key, value) in &pairs {
        // A form leaves a field empty; an API client that sends one has a bug to hear about.
        if value.is_empty() && key != "q" {
            return Err(Problem::invalid(Some(key.clone()), "empty"));
        }
        match key.as_str() {
            "limit" => limit = within("limit", number("limit", value)?, 1, customers::MAX_PAGE)?,
            "offset" => {
                offset = within("offset", number("offset", value)?, 0, customers::MAX_OFFSET)?
            }
            "after" => {
                after =
                    Some(parse_hyphenated_uuid(value).ok_or_else(|| {
                        Problem::invalid(Some("after".to_owned()), "a profile id")
                    })?)
            }
            _ => {}
        }
    }
    let filter = CustomerFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| Problem::invalid(Some(e.field), e.message))?;
    let mut others = filter.clone();
    others.q.clear();
    let listed = others != CustomerFilter::default() || after.is_some();
    if !listed && (!filter.q.is_empty() || offset > 0) {
        // A plain search, best match first, paged by offset.
        let found = customers::search_customers_page(
            &state.store,
            &caller.tenant,
            &filter.q,
            limit,
            offset,
        )
        .await?;
        return Ok(Json(found).into_response());
    }
    let page =
        lists::list_customers_from(&state.store, &caller.tenant, &filter, after, offset, limit)
            .await?;
    let mut response = Json(page.customers).into_response();
    let headers = response.headers_mut();
    if let Some(next) = page.next {
        let query = filter.to_query();
        let joint = if query.is_empty() { "" } else { "&" };
        let link =
            format!("</api/v1/customers?{query}{joint}limit={limit}&after={next}>; rel=\"next\"");
        if let Ok(value) = HeaderValue::from_str(&link) {
            headers.insert(header::LINK, value);
        }
    }
    headers.insert("x-total-count", HeaderValue::from(page.total.n));
    if page.total.more {
        headers.insert("x-total-count-capped", HeaderValue::from_static("true"));
    }
    Ok(response)
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
