//! POST /api/v1/events and /api/v1/events/batch.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

use app::state::AppState;
use spine_core::services::ingest::ingest_events;
use spine_core::types::{EventInput, IngestOutcome};

use super::extract::{ApiJson, Caller};
use crate::http::Problem;

/// A batch is at most this many events: larger loads are imports (`spine import`).
const MAX_BATCH: usize = 1000;

pub async fn ingest_one(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(mut event): ApiJson<EventInput>,
) -> Result<(StatusCode, Json<IngestOutcome>), Problem> {
    // An Idempotency-Key header stands in for a missing provider message id.
    if event.external_id.is_none() {
        event.external_id = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
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

#[derive(Debug, Deserialize)]
pub struct Batch {
    events: Vec<EventInput>,
}

/// One result per event, in order: the outcome or the problem. Events are independent: one bad
/// event does not stop the others.
#[derive(Debug, Serialize)]
pub struct BatchResult {
    results: Vec<BatchItem>,
    accepted: usize,
    rejected: usize,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum BatchItem {
    Ok(IngestOutcome),
    Err { error: Problem },
}

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
