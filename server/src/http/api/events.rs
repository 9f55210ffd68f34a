//! POST /api/v1/events and /api/v1/events/batch.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::state::AppState;
use spine_core::services::ingest::{self, ingest_events};
use spine_core::types::{EventInput, IngestOutcome};

use super::extract::{ApiJson, Caller};
use crate::http::Problem;
use crate::http::problem::responses::{
    Conflict, Invalid, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
};

/// A batch is at most this many events: larger loads are imports (`spine import`).
const MAX_BATCH: usize = 1000;

/// Ingest one interaction and resolve its sender to a profile in real time.
///
/// A replay (the same `external_id`, or the same `Idempotency-Key` when the event has none)
/// answers 200 with the original outcome and writes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "events",
    params(
        ("Idempotency-Key" = Option<String>, Header, nullable = false,
            description = "Stands in for a missing `external_id`: a replay with the same key writes nothing."),
    ),
    request_body = EventInput,
    responses(
        (status = 201, description = "Ingested: the sender was resolved to a profile.", body = IngestOutcome),
        (status = 200, description = "A replay of an event ingested before: nothing was written.", body = IngestOutcome),
        (status = 401, response = Unauthorized),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn ingest_one(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(mut event): ApiJson<EventInput>,
) -> Result<(StatusCode, Json<IngestOutcome>), Problem> {
    // An Idempotency-Key header stands in for a missing provider message id. A key that is
    // present is checked whether or not it is used, so a client learns of a bad key at once.
    let key = idempotency_key(&headers)?;
    if event.external_id.is_none() {
        event.external_id = key;
    }
    let outcome = state
        .ingest
        .ingest(&caller.tenant, &caller.actor, event)
        .await?;
    let status = if outcome.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(outcome)))
}

/// The `Idempotency-Key` header: 1 to 255 visible characters, not only spaces (an event's
/// `external_id` follows the same rule).
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key)
            if !key.trim().is_empty()
                && key.len() <= ingest::MAX_EXTERNAL_ID_CHARS
                && !key.contains('\t') =>
        {
            Ok(Some(key.to_owned()))
        }
        _ => Err(Problem::invalid(
            Some("Idempotency-Key".to_owned()),
            format!(
                "must be 1 to {} visible characters",
                ingest::MAX_EXTERNAL_ID_CHARS
            ),
        )),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Batch {
    // MAX_BATCH: utoipa takes only a literal here; the openapi test checks they agree.
    #[schema(max_items = 1000)]
    events: Vec<EventInput>,
}

/// One result per event, in order: the outcome or the problem. Events are independent: one bad
/// event does not stop the others.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    results: Vec<BatchItem>,
    accepted: usize,
    rejected: usize,
}

/// The event's outcome, or the problem that refused it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
enum BatchItem {
    Ok(IngestOutcome),
    Err { error: Problem },
}

/// Ingest up to 1000 interactions; each succeeds or fails on its own.
#[utoipa::path(
    post,
    path = "/api/v1/events/batch",
    tag = "events",
    request_body = Batch,
    responses(
        (status = 200, description = "One result per event, in order.", body = BatchResult),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = [])),
)]
pub async fn ingest_batch(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(batch): ApiJson<Batch>,
) -> Result<Json<BatchResult>, Problem> {
    if batch.events.len() > MAX_BATCH {
        return Err(Problem::invalid(
            Some("events".into()),
            format!("at most {MAX_BATCH} events per batch"),
        ));
    }
    let mut results = Vec::with_capacity(batch.events.len());
    let (mut accepted, mut rejected) = (0, 0);
    let outcomes = ingest_events(&state.store, &caller.tenant, &caller.actor, batch.events).await;
    for outcome in outcomes {
        match outcome {
            Ok(outcome) => {
                accepted += 1;
                results.push(BatchItem::Ok(outcome));
            }
            Err(e) => {
                rejected += 1;
                results.push(BatchItem::Err { error: e.into() });
            }
        }
    }
    Ok(Json(BatchResult {
        results,
        accepted,
        rejected,
    }))
}
