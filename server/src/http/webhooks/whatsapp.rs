//! The WhatsApp Cloud API's `messages` webhook: `entry[].changes[].value.messages[]`, with the
//! sender's WhatsApp id (their phone number's digits) and profile name in `contacts[]`. Status
//! updates on messages the business sent (`statuses[]`) are acknowledged and not stored.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use spine_core::services::webhooks::{DeliveryOutcome, WebhookProvider};
use spine_core::types::{Channel, Direction, EventInput, IdentifiersInput, InteractionKind};

use super::meta::answer_handshake;
use super::signed_json;
use super::{RawBody, WebhookState, deliver, parse_json};
use crate::http::Problem;

const PROVIDER: WebhookProvider = WebhookProvider::Whatsapp;

pub async fn handshake(
    State(state): State<WebhookState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    answer_handshake(&state, &tenant, PROVIDER, query.as_deref()).await
}

pub async fn receive(
    State(state): State<WebhookState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<DeliveryOutcome>, Problem> {
    let tenant = signed_json(&state, &tenant, PROVIDER, &headers, &body).await?;
    let events = events(&parse_json(&body)?)?;
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
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Debug, Deserialize)]
struct Change {
    field: String,
    /// Every field's value reads as this (all optional); only `messages` is used.
    #[serde(default)]
    value: Value,
}

#[derive(Debug, Default, Deserialize)]
struct Value {
    metadata: Option<Metadata>,
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<Message>,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    display_phone_number: Option<String>,
    phone_number_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Contact {
    wa_id: String,
    profile: Option<Profile>,
}

#[derive(Debug, Deserialize)]
struct Profile {
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Message {
    from: String,
    id: String,
    /// Seconds since the epoch, as a string.
    timestamp: String,
    #[serde(rename = "type")]
    kind: String,
    text: Option<Text>,
    image: Option<Media>,
    video: Option<Media>,
    document: Option<Media>,
    button: Option<Text>,
    reaction: Option<Reaction>,
    interactive: Option<serde_json::Value>,
    context: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Text {
    #[serde(alias = "text")]
    body: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Media {
    caption: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Reaction {
    emoji: Option<String>,
}

impl Message {
    /// What the person wrote: the text, a caption, a button's label, a reaction.
    fn body(&self) -> Option<String> {
        let caption = [&self.image, &self.video, &self.document]
            .into_iter()
            .flatten()
            .find_map(|m| m.caption.clone());
        let interactive = self.interactive.as_ref().and_then(|i| {
            ["button_reply", "list_reply"]
                .iter()
                .find_map(|kind| i[kind]["title"].as_str().map(str::to_owned))
        });
        self.text
            .as_ref()
            .and_then(|t| t.body.clone())
            .or(caption)
            .or_else(|| self.button.as_ref().and_then(|b| b.body.clone()))
            .or(interactive)
            .or_else(|| self.reaction.as_ref().and_then(|r| r.emoji.clone()))
    }
}

/// The messages a notification carries, in order.
pub fn events(notification: &Notification) -> Result<Vec<EventInput>, Problem> {
    if notification.object != "whatsapp_business_account" {
        return Err(Problem::invalid(
            Some("object".into()),
            format!(
                "expected \"whatsapp_business_account\", not {:?}",
                notification.object
            ),
        ));
    }
    let mut events = Vec::new();
    for (e, entry) in notification.entry.iter().enumerate() {
        for (c, change) in entry.changes.iter().enumerate() {
            if change.field != "messages" {
                continue;
            }
            let value = &change.value;
            for (m, message) in value.messages.iter().enumerate() {
                let at =
                    |field: &str| format!("entry[{e}].changes[{c}].value.messages[{m}].{field}");
                let occurred_at = message
                    .timestamp
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
                    .ok_or_else(|| {
                        Problem::invalid(Some(at("timestamp")), "not a time in seconds")
                    })?;
                let name = value
                    .contacts
                    .iter()
                    .find(|contact| contact.wa_id == message.from)
                    .and_then(|contact| contact.profile.as_ref())
                    .and_then(|profile| profile.name.clone());
                events.push(EventInput {
                    sentiment: None,
                    campaign: None,
                    channel: Channel::Whatsapp,
                    direction: Direction::Inbound,
                    kind: InteractionKind::Message,
                    occurred_at,
                    body: message.body(),
                    external_id: Some(message.id.clone()),
                    identifiers: IdentifiersInput {
                        // A WhatsApp id is the number's digits with the country code.
                        phone: Some(format!("+{}", message.from.trim_start_matches('+'))),
                        name,
                        ..Default::default()
                    },
                    order: None,
                    source: Some("whatsapp".to_owned()),
                    payload: Some(json!({
                        "provider": "whatsapp",
                        "type": message.kind,
                        "business_number": value.metadata.as_ref().and_then(|m| m.display_phone_number.clone()),
                        "phone_number_id": value.metadata.as_ref().and_then(|m| m.phone_number_id.clone()),
                        "context": message.context,
                    })),
                    custom: None,
                });
            }
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
    fn a_text_message_becomes_an_inbound_whatsapp_message_from_the_number() {
        let n = parse(
            r#"{"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages",
               "value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"1"},
               "contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],
               "messages":[{"from":"16505551234","id":"wamid.A","timestamp":"1749416383","type":"text",
                            "text":{"body":"Does it come in another color?"}}]}}]}]}"#,
        );
        let events = events(&n).expect("events");
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.identifiers.phone.as_deref(), Some("+16505551234"));
        assert_eq!(event.identifiers.name.as_deref(), Some("Sheena Nelson"));
        assert_eq!(event.external_id.as_deref(), Some("wamid.A"));
        assert_eq!(
            event.body.as_deref(),
            Some("Does it come in another color?")
        );
        assert_eq!(event.occurred_at.timestamp(), 1749416383);
    }

    #[test]
    fn status_updates_and_other_fields_carry_no_events() {
        let n = parse(
            r#"{"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[
               {"field":"messages","value":{"messaging_product":"whatsapp","statuses":[{"id":"wamid.B","status":"read"}]}},
               {"field":"account_update","value":{"event":"VERIFIED_ACCOUNT"}}]}]}"#,
        );
        assert_eq!(events(&n).map(|e| e.len()).map_err(|p| p.status), Ok(0));
    }

    #[test]
    fn captions_and_button_labels_are_the_body() {
        let n = parse(
            r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
               "messages":[
                 {"from":"1","id":"a","timestamp":"1","type":"image","image":{"caption":"My receipt","id":"m"}},
                 {"from":"1","id":"b","timestamp":"1","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"y","title":"Yes"}}}]}}]}]}"#,
        );
        let bodies: Vec<_> = events(&n)
            .expect("events")
            .into_iter()
            .map(|e| e.body)
            .collect();
        assert_eq!(bodies, vec![Some("My receipt".into()), Some("Yes".into())]);
    }

    #[test]
    fn a_bad_timestamp_is_422_naming_its_path() {
        let n = parse(
            r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
               "messages":[{"from":"1","id":"a","timestamp":"yesterday","type":"text","text":{"body":"x"}}]}}]}]}"#,
        );
        assert_eq!(
            events(&n).map(|e| e.len()).map_err(|p| p.field),
            Err(Some(
                "entry[0].changes[0].value.messages[0].timestamp".to_owned()
            ))
        );
    }
}
