//! Twilio Programmable Messaging: an incoming SMS (or WhatsApp message through Twilio) arrives
//! as a form POST signed with the account's auth token; Twilio expects TwiML back.

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::json;

use spine_core::services::webhooks::WebhookProvider;
use spine_core::types::{Channel, Direction, EventInput, IdentifiersInput, InteractionKind};

use super::signature::verify_twilio;
use super::{RawBody, WebhookState, bad_signature, deliver, endpoint, header_value};
use crate::http::Problem;

const PROVIDER: WebhookProvider = WebhookProvider::Twilio;
/// Twilio allows at most 10 media per message.
const MAX_MEDIA: usize = 10;
/// An empty TwiML answer: received, no reply.
const EMPTY_TWIML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#;

pub async fn receive(
    State(state): State<WebhookState>,
    Path(tenant): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, Problem> {
    let (tenant, config) = endpoint(&state, &tenant, PROVIDER).await?;
    // Twilio signs the form's fields, not its bytes: the form is decoded first, nothing more.
    let params: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|e| {
        Problem::bad_request(format!(
            "the body is not a form (x-www-form-urlencoded): {e}"
        ))
    })?;
    let url = called_url(state.public_url.as_deref(), &headers, &uri);
    let signature = header_value(&headers, "x-twilio-signature");
    if !verify_twilio(config.secret.expose(), &url, &params, signature) {
        return Err(bad_signature(&tenant, PROVIDER, "X-Twilio-Signature"));
    }
    let events = events(&params, Utc::now())?;
    deliver(&state, &tenant, PROVIDER, events).await?;
    Ok(([(header::CONTENT_TYPE, "text/xml")], EMPTY_TWIML).into_response())
}

/// The URL Twilio called: the public base URL when one is configured (behind a proxy Spine
/// cannot see it), else http and the Host header.
pub fn called_url(public_url: Option<&str>, headers: &HeaderMap, uri: &Uri) -> String {
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    match public_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => format!(
            "http://{}{path}",
            header_value(headers, header::HOST.as_str()).unwrap_or_default()
        ),
    }
}

/// The message a Twilio form describes: none for a delivery-status callback.
pub fn events(
    params: &[(String, String)],
    received_at: DateTime<Utc>,
) -> Result<Vec<EventInput>, Problem> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    };
    if get("MessageStatus").is_some_and(|status| status != "received") {
        return Ok(Vec::new());
    }
    let sid = get("MessageSid")
        .or_else(|| get("SmsMessageSid"))
        .or_else(|| get("SmsSid"))
        .ok_or_else(|| Problem::invalid(Some("MessageSid".into()), "required"))?;
    let from = get("From").ok_or_else(|| Problem::invalid(Some("From".into()), "required"))?;
    // WhatsApp through Twilio: "whatsapp:+14155238886".
    let (channel, from) = match from.strip_prefix("whatsapp:") {
        Some(number) => (Channel::Whatsapp, number),
        None => (Channel::Sms, from),
    };
    let media_count = get("NumMedia")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_MEDIA);
    let media: Vec<_> = (0..media_count)
        .filter_map(|i| {
            let url = get(&format!("MediaUrl{i}"))?;
            Some(json!({"url": url, "content_type": get(&format!("MediaContentType{i}"))}))
        })
        .collect();
    Ok(vec![EventInput {
        sentiment: None,
        campaign: None,
        channel,
        direction: Direction::Inbound,
        kind: InteractionKind::Message,
        // Twilio's request carries no timestamp: it calls as the message arrives.
        occurred_at: received_at,
        body: get("Body").map(str::to_owned),
        external_id: Some(sid.to_owned()),
        identifiers: IdentifiersInput {
            phone: Some(from.to_owned()),
            name: get("ProfileName").map(str::to_owned),
            ..Default::default()
        },
        order: None,
        source: Some("twilio".to_owned()),
        payload: Some(json!({
            "provider": "twilio",
            "to": get("To").map(|to| to.trim_start_matches("whatsapp:")),
            "account_sid": get("AccountSid"),
            "num_segments": get("NumSegments"),
            "media": media,
        })),
        custom: None,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(text: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(text).expect("form")
    }

    #[test]
    fn incoming_sms_becomes_one_inbound_message() {
        let params = form(
            "ToCountry=US&SmsMessageSid=SM1&NumMedia=1&Body=Do+you+do+birthdays%3F&To=%2B15017122661\
             &MessageSid=SM1&AccountSid=AC1&From=%2B19165551234&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm\
             &MediaContentType0=image%2Fjpeg&ApiVersion=2010-04-01",
        );
        let now = Utc::now();
        let events = events(&params, now).expect("events");
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.channel, Channel::Sms);
        assert_eq!(event.direction, Direction::Inbound);
        assert_eq!(event.body.as_deref(), Some("Do you do birthdays?"));
        assert_eq!(event.external_id.as_deref(), Some("SM1"));
        assert_eq!(event.identifiers.phone.as_deref(), Some("+19165551234"));
        assert_eq!(event.occurred_at, now);
        let payload = event.payload.clone().unwrap_or_default();
        assert_eq!(payload["media"][0]["content_type"], "image/jpeg");
        assert_eq!(payload["to"], "+15017122661");
    }

    #[test]
    fn whatsapp_through_twilio_is_the_whatsapp_channel_with_the_profile_name() {
        let params = form(
            "MessageSid=SM2&From=whatsapp%3A%2B14155238886&To=whatsapp%3A%2B15005550006\
             &Body=Hello&ProfileName=Ana+Lima&WaId=14155238886",
        );
        let events = events(&params, Utc::now()).expect("events");
        assert_eq!(events[0].channel, Channel::Whatsapp);
        assert_eq!(events[0].identifiers.phone.as_deref(), Some("+14155238886"));
        assert_eq!(events[0].identifiers.name.as_deref(), Some("Ana Lima"));
    }

    #[test]
    fn status_callbacks_carry_no_message() {
        let params = form("MessageSid=SM3&MessageStatus=delivered&From=%2B15005550006");
        assert_eq!(
            events(&params, Utc::now())
                .map(|e| e.len())
                .map_err(|p| p.status),
            Ok(0)
        );
    }

    #[test]
    fn a_form_without_sender_or_sid_is_422_naming_the_field() {
        let missing_from = events(&form("MessageSid=SM4&Body=hi"), Utc::now());
        assert_eq!(
            missing_from.map_err(|p| (p.status, p.field)),
            Err((422, Some("From".to_owned())))
        );
        let missing_sid = events(&form("From=%2B19165551234"), Utc::now());
        assert_eq!(
            missing_sid.map_err(|p| (p.status, p.field)),
            Err((422, Some("MessageSid".to_owned())))
        );
    }

    #[test]
    fn called_url_prefers_the_public_url_and_keeps_the_query() {
        let uri: Uri = "/webhooks/demo/twilio?x=1".parse().expect("uri");
        let mut headers = HeaderMap::new();
        headers.insert(
            header::HOST,
            "127.0.0.1:3000".parse().expect("header value"),
        );
        assert_eq!(
            called_url(Some("https://spine.example.com/"), &headers, &uri),
            "https://spine.example.com/webhooks/demo/twilio?x=1"
        );
        assert_eq!(
            called_url(None, &headers, &uri),
            "http://127.0.0.1:3000/webhooks/demo/twilio?x=1"
        );
    }
}
