//! The generic webhook, for systems Spine has no adapter for: the body is one event as
//! `POST /api/v1/events` takes it, or `{"events": [...]}`, signed like GitHub's webhooks:
//! `X-Spine-Signature: sha256=<hex HMAC-SHA256(secret, body)>`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::Deserialize;

use spine_core::services::webhooks::{DeliveryOutcome, WebhookProvider};
use spine_core::types::EventInput;

use super::signed_json;
use super::{RawBody, WebhookState, deliver, parse_json};
use crate::http::Problem;

const PROVIDER: WebhookProvider = WebhookProvider::Generic;

pub async fn receive(
    State(state): State<WebhookState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<DeliveryOutcome>, Problem> {
    let tenant = signed_json(&state, &tenant, PROVIDER, &headers, &body).await?;
    let events = events(&body)?;
    // The integrator wrote these events: an identifier it got wrong is refused, as by the API.
    let outcome = deliver(&state, &tenant, PROVIDER, events).await?;
    Ok(Json(outcome))
}

#[derive(Debug, Deserialize)]
struct Batch {
    events: Vec<EventInput>,
}

/// One event or a batch; which one is told by an `events` key at the top.
pub fn events(body: &[u8]) -> Result<Vec<EventInput>, Problem> {
    let value: serde_json::Value = parse_json(body)?;
    let read = |e: serde_path_to_error::Error<serde_json::Error>| {
        let path = e.path().to_string();
        Problem::invalid((path != ".").then_some(path), e.into_inner().to_string())
    };
    if value.get("events").is_some() {
        let batch: Batch = serde_path_to_error::deserialize(value).map_err(read)?;
        Ok(batch.events)
    } else {
        let event: EventInput = serde_path_to_error::deserialize(value).map_err(read)?;
        Ok(vec![event])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_event_or_a_batch() {
        let one = br#"{"channel":"webchat","direction":"inbound","kind":"message",
            "occurred_at":"2026-05-01T10:00:00Z","external_id":"chat-1","identifiers":{"email":"a@example.com"}}"#;
        assert_eq!(events(one).map(|e| e.len()).map_err(|p| p.status), Ok(1));
        let batch = br#"{"events":[
            {"channel":"webchat","direction":"inbound","kind":"message","occurred_at":"2026-05-01T10:00:00Z"},
            {"channel":"booking","direction":"inbound","kind":"booking","occurred_at":"2026-05-01T11:00:00Z"}]}"#;
        assert_eq!(events(batch).map(|e| e.len()).map_err(|p| p.status), Ok(2));
    }

    #[test]
    fn garbage_is_400_and_a_wrong_field_is_422_with_its_path() {
        assert_eq!(
            events(b"{not json").map(|e| e.len()).map_err(|p| p.status),
            Err(400)
        );
        let wrong = br#"{"events":[{"channel":"fax","direction":"inbound","kind":"message","occurred_at":"2026-05-01T10:00:00Z"}]}"#;
        assert_eq!(
            events(wrong)
                .map(|e| e.len())
                .map_err(|p| (p.status, p.field)),
            Err((422, Some("events[0].channel".to_owned())))
        );
    }
}
