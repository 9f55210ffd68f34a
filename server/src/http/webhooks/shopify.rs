//! Shopify's customer and order webhooks, signed with the app's client secret in
//! `X-Shopify-Hmac-Sha256`, the topic in `X-Shopify-Topic`. What a delivery means is read by
//! `spine_core::providers::shopify`, the module Shopify's exports are imported with, so an order
//! or customer arriving both ways is stored once.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use chrono::Utc;

use spine_core::providers::shopify;
use spine_core::services::webhooks::{DeliveryOutcome, WebhookProvider};

use super::signed_json;
use super::{RawBody, WebhookState, deliver, header_value, parse_json};
use crate::http::Problem;

const PROVIDER: WebhookProvider = WebhookProvider::Shopify;

pub async fn receive(
    State(state): State<WebhookState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<DeliveryOutcome>, Problem> {
    let tenant = signed_json(&state, &tenant, PROVIDER, &headers, &body).await?;
    let topic = header_value(&headers, "x-shopify-topic")
        .ok_or_else(|| Problem::bad_request("X-Shopify-Topic is missing"))?;
    let webhook_id = header_value(&headers, "x-shopify-webhook-id");
    // Not JSON at all is a bad request (400); JSON that is not a customer or an order, 422.
    parse_json::<serde::de::IgnoredAny>(&body)?;
    let events = shopify::webhook_events(topic, webhook_id, &body, Utc::now())
        .map_err(|e| Problem::invalid(Some(e.field), e.message))?;
    if events.is_empty() {
        // A topic the shop subscribed to that Spine has no use for: acknowledged, so Shopify
        // does not retry it and eventually drop the subscription.
        tracing::debug!(tenant = %tenant.slug, topic, "shopify topic ignored");
    }
    let outcome = deliver(&state, &tenant, PROVIDER, events).await?;
    Ok(Json(outcome))
}
