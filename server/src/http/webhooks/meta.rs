//! Meta's Messenger and Instagram messaging webhooks (`object` "page" or "instagram"), signed
//! with the app secret in `X-Hub-Signature-256`, and the subscription handshake every Meta
//! webhook (WhatsApp's too) starts with. The sender's page- or Instagram-scoped id is the only
//! identifier Meta sends: it becomes an external id of provider "facebook" or "instagram".

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use spine_core::services::webhooks::{DeliveryOutcome, WebhookProvider};
use spine_core::types::{
    Channel, Direction, EventInput, ExternalInput, IdentifiersInput, InteractionKind,
};

use super::signature::constant_time_eq;
use super::signed_json;
use super::{RawBody, WebhookState, deliver, endpoint, parse_json};
use crate::http::Problem;

const PROVIDER: WebhookProvider = WebhookProvider::Meta;
/// Meta's challenges are short numbers; anything longer is not a handshake.
const MAX_CHALLENGE: usize = 256;

pub async fn handshake(
    State(state): State<WebhookState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    answer_handshake(&state, &tenant, PROVIDER, query.as_deref()).await
}

/// `GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C`: C back as text when T is the
/// tenant's verification token, else 403.
pub async fn answer_handshake(
    state: &WebhookState,
    tenant: &str,
    provider: WebhookProvider,
    query: Option<&str>,
) -> Result<Response, Problem> {
    let (tenant, config) = endpoint(state, tenant, provider).await?;
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|e| Problem::bad_request(format!("unreadable query string: {e}")))?;
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (Some(mode), Some(token), Some(challenge)) = (
        get("hub.mode"),
        get("hub.verify_token"),
        get("hub.challenge"),
    ) else {
        return Err(Problem::bad_request(
            "a subscription handshake carries hub.mode, hub.verify_token and hub.challenge",
        ));
    };
    if challenge.len() > MAX_CHALLENGE {
        return Err(Problem::bad_request("hub.challenge is too long"));
    }
    let matches = config
        .verify_token
        .as_ref()
        .is_some_and(|expected| constant_time_eq(expected.expose(), token));
    if mode != "subscribe" || !matches {
        tracing::warn!(tenant = %tenant.slug, provider = provider.as_str(), "webhook handshake refused");
        return Err(Problem::forbidden(
            "the verification token does not match the one set with `spine webhook set --verify-token`",
        ));
    }
    tracing::info!(tenant = %tenant.slug, provider = provider.as_str(), "webhook subscription verified");
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        challenge.to_owned(),
    )
        .into_response())
}

pub async fn receive(
    State(state): State<WebhookState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<DeliveryOutcome>, Problem> {
    let tenant = signed_json(&state, &tenant, PROVIDER, &headers, &body).await?;
    let events = events(&parse_json(&body)?, Utc::now())?;
    let outcome = deliver(&state, &tenant, PROVIDER, events).await?;
    Ok(Json(outcome))
}

#[derive(Debug, Deserialize)]
pub struct Notification {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    /// Absent on other subscriptions (feed changes, comments), which carry `changes` instead.
    #[serde(default)]
    messaging: Vec<Messaging>,
}

#[derive(Debug, Deserialize)]
struct Messaging {
    sender: Party,
    recipient: Party,
    /// Milliseconds since the epoch.
    timestamp: Option<i64>,
    /// Absent on deliveries, reads, reactions and postbacks, which are not messages.
    message: Option<Message>,
}

#[derive(Debug, Deserialize)]
struct Party {
    id: String,
}

#[derive(Debug, Deserialize)]
struct Message {
    mid: String,
    text: Option<String>,
    /// A message the page itself sent (from the inbox or another app), echoed back.
    #[serde(default)]
    is_echo: bool,
    /// Instagram's "unsend".
    #[serde(default)]
    is_deleted: bool,
    attachments: Option<serde_json::Value>,
    reply_to: Option<serde_json::Value>,
}

/// The messages a notification carries, in order; other messaging events are skipped.
pub fn events(
    notification: &Notification,
    received_at: DateTime<Utc>,
) -> Result<Vec<EventInput>, Problem> {
    let (channel, platform) = match notification.object.as_str() {
        "page" => (Channel::Facebook, "facebook"),
        "instagram" => (Channel::Instagram, "instagram"),
        other => {
            return Err(Problem::invalid(
                Some("object".into()),
                format!(
                    "expected \"page\" or \"instagram\", not {other:?} (WhatsApp has its own webhook)"
                ),
            ));
        }
    };
    let mut events = Vec::new();
    for (e, entry) in notification.entry.iter().enumerate() {
        for (m, messaging) in entry.messaging.iter().enumerate() {
            let Some(message) = messaging.message.as_ref().filter(|m| !m.is_deleted) else {
                continue;
            };
            let at = |field: &str| format!("entry[{e}].messaging[{m}].{field}");
            let occurred_at = match messaging.timestamp {
                Some(ms) => DateTime::<Utc>::from_timestamp_millis(ms).ok_or_else(|| {
                    Problem::invalid(Some(at("timestamp")), "not a time in milliseconds")
                })?,
                None => received_at,
            };
            // An echo is the page writing to the person: the person is the recipient.
            let (direction, person) = if message.is_echo {
                (Direction::Outbound, &messaging.recipient)
            } else {
                (Direction::Inbound, &messaging.sender)
            };
            events.push(EventInput {
                sentiment: None,
                campaign: None,
                channel,
                direction,
                kind: InteractionKind::Message,
                occurred_at,
                body: message.text.clone(),
                external_id: Some(message.mid.clone()),
                identifiers: IdentifiersInput {
                    external: Some(ExternalInput {
                        provider: platform.to_owned(),
                        id: person.id.clone(),
                    }),
                    ..Default::default()
                },
                order: None,
                source: None,
                payload: Some(json!({
                    "provider": "meta",
                    "object": notification.object,
                    "attachments": message.attachments,
                    "reply_to": message.reply_to,
                })),
                custom: None,
            });
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Notification {
        serde_json::from_str(json).expect("notification")
    }

    #[test]
    fn messenger_text_becomes_an_inbound_facebook_message_keyed_on_the_psid() {
        let n = parse(
            r#"{"object":"page","entry":[{"id":"PAGE","time":1,"messaging":[
                {"sender":{"id":"6945217842194431"},"recipient":{"id":"PAGE"},"timestamp":1717000000123,
                 "message":{"mid":"m_1","text":"Is the shop open on Sunday?"}}]}]}"#,
        );
        let events = events(&n, Utc::now()).expect("events");
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.channel, Channel::Facebook);
        assert_eq!(event.direction, Direction::Inbound);
        assert_eq!(event.external_id.as_deref(), Some("m_1"));
        assert_eq!(
            event.identifiers.external,
            Some(ExternalInput {
                provider: "facebook".into(),
                id: "6945217842194431".into()
            })
        );
        assert_eq!(event.occurred_at.timestamp_millis(), 1717000000123);
    }

    #[test]
    fn echoes_are_outbound_to_the_recipient_and_non_messages_are_skipped() {
        let n = parse(
            r#"{"object":"instagram","entry":[{"id":"IG","time":1,"messaging":[
                {"sender":{"id":"IG"},"recipient":{"id":"123"},"timestamp":1717000000000,
                 "message":{"mid":"m_2","text":"Thanks!","is_echo":true}},
                {"sender":{"id":"123"},"recipient":{"id":"IG"},"timestamp":1717000000001,
                 "read":{"mid":"m_2"}},
                {"sender":{"id":"123"},"recipient":{"id":"IG"},"timestamp":1717000000002,
                 "message":{"mid":"m_3","is_deleted":true}}]}]}"#,
        );
        let events = events(&n, Utc::now()).expect("events");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].channel, Channel::Instagram);
        assert_eq!(events[0].direction, Direction::Outbound);
        assert_eq!(
            events[0]
                .identifiers
                .external
                .as_ref()
                .map(|e| e.id.as_str()),
            Some("123")
        );
    }

    #[test]
    fn other_objects_are_refused_naming_the_field() {
        let n = parse(r#"{"object":"whatsapp_business_account","entry":[]}"#);
        assert_eq!(
            events(&n, Utc::now())
                .map_err(|p| (p.status, p.field))
                .map(|e| e.len()),
            Err((422, Some("object".to_owned())))
        );
    }
}
