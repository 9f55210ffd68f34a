//! Shopify's customer and order webhooks, signed with the app's client secret in
//! `X-Shopify-Hmac-Sha256`, the topic in `X-Shopify-Topic`.
//!
//! `customers/create|update` carry no interaction, but ingestion is where identifiers meet
//! profiles: each becomes an internal note ("Shopify customer created") that resolves the
//! customer by Shopify id, email, phone, name and address, so their later orders, messages and
//! calls land on one profile. `orders/*` become order interactions with the order filled in.
//! Both are keyed on what they say rather than on `X-Shopify-Webhook-Id`: Shopify sends the same
//! change under several topics (orders/create and orders/paid for a paid order) and
//! `customers/update` for changes Spine does not keep (tags, marketing consent), so a note is
//! written only when the customer's identifiers change, and an order entry once per status.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::json;
use sha2::{Digest, Sha256};

use spine_core::services::webhooks::{DeliveryOutcome, WebhookProvider};
use spine_core::types::{
    AddressInput, Channel, Direction, EventInput, ExternalInput, IdentifiersInput, InteractionKind,
    OrderInput, OrderItem,
};

use super::signed_json;
use super::{RawBody, WebhookState, deliver, header_value, parse_json};
use crate::http::Problem;

const PROVIDER: WebhookProvider = WebhookProvider::Shopify;
/// Items named in an order's timeline text; the order itself keeps them all.
const ITEMS_IN_BODY: usize = 5;

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
    let events = match Topic::parse(topic) {
        Some(Topic::Customer) => vec![customer_event(topic, webhook_id, &parse_json(&body)?)?],
        Some(Topic::Order) => vec![order_event(topic, webhook_id, &parse_json(&body)?)?],
        None => {
            // A topic the shop subscribed to that Spine has no use for: acknowledged, so Shopify
            // does not retry it and eventually drop the subscription.
            tracing::debug!(tenant = %tenant.slug, topic, "shopify topic ignored");
            Vec::new()
        }
    };
    let outcome = deliver(&state, &tenant, PROVIDER, events).await?;
    Ok(Json(outcome))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Topic {
    Customer,
    Order,
}

impl Topic {
    fn parse(topic: &str) -> Option<Topic> {
        match topic {
            "customers/create" | "customers/update" => Some(Topic::Customer),
            "orders/create"
            | "orders/updated"
            | "orders/paid"
            | "orders/fulfilled"
            | "orders/partially_fulfilled"
            | "orders/cancelled" => Some(Topic::Order),
            _ => None,
        }
    }
}

/// Shopify ids are JSON numbers (64-bit); some tools resend them as strings.
fn id_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Number(u64),
        Text(String),
    }
    Ok(match Id::deserialize(deserializer)? {
        Id::Number(n) => n.to_string(),
        Id::Text(t) => t,
    })
}

#[derive(Debug, Deserialize)]
pub struct Customer {
    #[serde(deserialize_with = "id_text")]
    id: String,
    email: Option<String>,
    phone: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    default_address: Option<Address>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Address {
    first_name: Option<String>,
    last_name: Option<String>,
    name: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    city: Option<String>,
    province: Option<String>,
    province_code: Option<String>,
    zip: Option<String>,
    country: Option<String>,
    country_code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Order {
    #[serde(deserialize_with = "id_text")]
    id: String,
    /// "#1001", as the shop shows it.
    name: Option<String>,
    email: Option<String>,
    contact_email: Option<String>,
    phone: Option<String>,
    total_price: Option<String>,
    currency: Option<String>,
    financial_status: Option<String>,
    fulfillment_status: Option<String>,
    cancelled_at: Option<String>,
    created_at: Option<String>,
    processed_at: Option<String>,
    updated_at: Option<String>,
    line_items: Option<Vec<LineItem>>,
    customer: Option<Customer>,
    shipping_address: Option<Address>,
    billing_address: Option<Address>,
}

#[derive(Debug, Deserialize)]
struct LineItem {
    title: Option<String>,
    name: Option<String>,
    quantity: Option<i64>,
    price: Option<String>,
}

fn text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn full_name(first: &Option<String>, last: &Option<String>) -> Option<String> {
    let name = [text(first), text(last)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

impl Address {
    fn input(&self) -> Option<AddressInput> {
        Some(AddressInput {
            line1: text(&self.address1)?,
            line2: text(&self.address2),
            city: text(&self.city),
            region: text(&self.province_code).or_else(|| text(&self.province)),
            postal_code: text(&self.zip),
            country: text(&self.country_code).or_else(|| text(&self.country)),
        })
    }

    fn person(&self) -> Option<String> {
        full_name(&self.first_name, &self.last_name).or_else(|| text(&self.name))
    }
}

impl Customer {
    fn identifiers(&self) -> IdentifiersInput {
        IdentifiersInput {
            email: text(&self.email),
            phone: text(&self.phone),
            name: full_name(&self.first_name, &self.last_name),
            external: Some(ExternalInput {
                provider: "shopify".to_owned(),
                id: self.id.clone(),
            }),
            address: self.default_address.as_ref().and_then(Address::input),
            ..Default::default()
        }
    }
}

/// An RFC 3339 time from the payload; 422 naming the field when it is not one.
fn time(field: &str, value: &Option<String>) -> Result<Option<DateTime<Utc>>, Problem> {
    text(value)
        .map(|v| {
            DateTime::parse_from_rfc3339(&v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| Problem::invalid(Some(field.to_owned()), e.to_string()))
        })
        .transpose()
}

/// "49.99" -> 4999: amounts are decimal strings, kept in hundredths without a float.
fn cents(field: &str, amount: &Option<String>) -> Result<i64, Problem> {
    let Some(amount) = text(amount) else {
        return Ok(0);
    };
    let bad = || {
        Problem::invalid(
            Some(field.to_owned()),
            format!("{amount:?} is not an amount"),
        )
    };
    let (negative, digits) = match amount.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, amount.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let mut hundredths: i64 = 0;
    for (i, digit) in fraction.chars().take(2).enumerate() {
        hundredths += i64::from(digit.to_digit(10).unwrap_or(0)) * if i == 0 { 10 } else { 1 };
    }
    // A third decimal (three-decimal currencies) rounds half up.
    if fraction.chars().nth(2).is_some_and(|d| d >= '5') {
        hundredths += 1;
    }
    let value = whole
        .checked_mul(100)
        .and_then(|v| v.checked_add(hundredths))
        .ok_or_else(bad)?;
    Ok(if negative { -value } else { value })
}

/// A customer created or updated: an internal note that resolves the customer's identifiers.
pub fn customer_event(
    topic: &str,
    webhook_id: Option<&str>,
    customer: &Customer,
) -> Result<EventInput, Problem> {
    let identifiers = customer.identifiers();
    let occurred_at = time("updated_at", &customer.updated_at)?
        .or(time("created_at", &customer.created_at)?)
        .unwrap_or_else(Utc::now);
    // Same identifiers, same key: a retry or an update of other fields stores nothing new.
    let digest = hex::encode(Sha256::digest(
        serde_json::to_vec(&identifiers).unwrap_or_default(),
    ));
    let body = if topic == "customers/create" {
        "Shopify customer created"
    } else {
        "Shopify customer updated"
    };
    Ok(EventInput {
        sentiment: None,
        campaign: None,
        channel: Channel::Note,
        direction: Direction::Internal,
        kind: InteractionKind::Note,
        occurred_at,
        body: Some(body.to_owned()),
        external_id: Some(format!(
            "shopify-customer:{}:{}",
            customer.id,
            &digest[..16]
        )),
        identifiers,
        order: None,
        source: Some("shopify".to_owned()),
        payload: Some(json!({
            "provider": "shopify",
            "topic": topic,
            "webhook_id": webhook_id,
            "customer_id": customer.id,
        })),
    })
}

/// Where the order stands: cancelled, fulfilled, else Shopify's financial status.
fn status(order: &Order) -> String {
    if text(&order.cancelled_at).is_some() {
        "cancelled".to_owned()
    } else if text(&order.fulfillment_status).as_deref() == Some("fulfilled") {
        "fulfilled".to_owned()
    } else {
        text(&order.financial_status).unwrap_or_else(|| "placed".to_owned())
    }
}

/// An order in a given state: an order interaction, once per order and status.
pub fn order_event(
    topic: &str,
    webhook_id: Option<&str>,
    order: &Order,
) -> Result<EventInput, Problem> {
    let status = status(order);
    let mut items = Vec::new();
    for (i, item) in order.line_items.iter().flatten().enumerate() {
        items.push(OrderItem {
            name: text(&item.title)
                .or_else(|| text(&item.name))
                .unwrap_or_else(|| "item".to_owned()),
            quantity: item.quantity.unwrap_or(1),
            price_cents: cents(&format!("line_items[{i}].price"), &item.price)?,
        });
    }
    let occurred_at = match status.as_str() {
        "cancelled" => time("cancelled_at", &order.cancelled_at)?,
        _ if topic == "orders/create" => time("processed_at", &order.processed_at)?,
        _ => time("updated_at", &order.updated_at)?,
    };
    let occurred_at = match occurred_at {
        Some(at) => at,
        None => time("created_at", &order.created_at)?.unwrap_or_else(Utc::now),
    };
    let label = text(&order.name).unwrap_or_else(|| format!("#{}", order.id));
    let mut listed: Vec<String> = items
        .iter()
        .take(ITEMS_IN_BODY)
        .map(|i| format!("{} × {}", i.quantity, i.name))
        .collect();
    if items.len() > ITEMS_IN_BODY {
        listed.push(format!("and {} more", items.len() - ITEMS_IN_BODY));
    }
    let customer = order.customer.as_ref();
    let address = order
        .shipping_address
        .as_ref()
        .or(order.billing_address.as_ref());
    let identifiers = IdentifiersInput {
        // The address the buyer typed at checkout first, then the account's.
        email: text(&order.email)
            .or_else(|| text(&order.contact_email))
            .or_else(|| customer.and_then(|c| text(&c.email))),
        phone: text(&order.phone).or_else(|| customer.and_then(|c| text(&c.phone))),
        name: customer
            .and_then(|c| full_name(&c.first_name, &c.last_name))
            .or_else(|| order.billing_address.as_ref().and_then(Address::person))
            .or_else(|| order.shipping_address.as_ref().and_then(Address::person)),
        external: customer.map(|c| ExternalInput {
            provider: "shopify".to_owned(),
            id: c.id.clone(),
        }),
        address: address.and_then(Address::input),
        ..Default::default()
    };
    Ok(EventInput {
        sentiment: None,
        campaign: None,
        channel: Channel::Order,
        direction: Direction::Inbound,
        kind: InteractionKind::Order,
        occurred_at,
        body: Some(format!("Order {label} ({status}): {}", listed.join(", "))),
        external_id: Some(format!("shopify-order:{}:{status}", order.id)),
        identifiers,
        order: Some(OrderInput {
            provider: "shopify".to_owned(),
            external_id: order.id.clone(),
            total_cents: cents("total_price", &order.total_price)?,
            currency: text(&order.currency).unwrap_or_else(|| "USD".to_owned()),
            status,
            items,
        }),
        source: Some("shopify".to_owned()),
        payload: Some(json!({
            "provider": "shopify",
            "topic": topic,
            "webhook_id": webhook_id,
            "order_name": label,
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_become_hundredths_without_floats() {
        let cases = [
            ("49.99", Ok(4999)),
            ("388.00", Ok(38800)),
            ("12", Ok(1200)),
            ("0.5", Ok(50)),
            ("1.235", Ok(124)),
            ("-3.10", Ok(-310)),
            ("abc", Err(422)),
            ("1.2.3", Err(422)),
            ("", Ok(0)),
        ];
        for (amount, expected) in cases {
            let got = cents("total_price", &Some(amount.to_owned())).map_err(|p| p.status);
            assert_eq!(got, expected, "{amount:?}");
        }
    }

    fn order(json: &str) -> Order {
        serde_json::from_str(json).expect("order")
    }

    #[test]
    fn an_order_becomes_an_order_event_keyed_on_id_and_status() {
        let o = order(
            r##"{"id":820982911946154508,"name":"#1001","email":"jon@example.com","phone":null,
                "total_price":"388.00","currency":"USD","financial_status":"paid","fulfillment_status":null,
                "cancelled_at":null,"created_at":"2026-05-01T10:00:00-04:00","processed_at":"2026-05-01T10:00:00-04:00",
                "updated_at":"2026-05-01T10:05:00-04:00",
                "line_items":[{"title":"Birthday cake","quantity":2,"price":"189.00"}],
                "customer":{"id":115310627314723954,"email":"john@example.com","first_name":"John","last_name":"Smith"},
                "shipping_address":{"address1":"123 Elm St.","city":"Ottawa","province_code":"ON","zip":"K2H7A8","country_code":"CA"}}"##,
        );
        let event = order_event("orders/create", Some("wh-1"), &o).expect("event");
        assert_eq!(event.kind, InteractionKind::Order);
        assert_eq!(
            event.external_id.as_deref(),
            Some("shopify-order:820982911946154508:paid")
        );
        assert_eq!(
            event.body.as_deref(),
            Some("Order #1001 (paid): 2 × Birthday cake")
        );
        assert_eq!(event.identifiers.email.as_deref(), Some("jon@example.com"));
        assert_eq!(event.identifiers.name.as_deref(), Some("John Smith"));
        assert_eq!(
            event.identifiers.external.as_ref().map(|e| e.id.as_str()),
            Some("115310627314723954")
        );
        let order = event.order.expect("order");
        assert_eq!(order.total_cents, 38800);
        assert_eq!(order.external_id, "820982911946154508");
        assert_eq!(order.items[0].price_cents, 18900);
        assert_eq!(event.occurred_at.to_rfc3339(), "2026-05-01T14:00:00+00:00");

        let paid_again = order_event("orders/paid", Some("wh-2"), &o).expect("event");
        assert_eq!(
            paid_again.external_id, event.external_id,
            "the same order in the same state is one entry"
        );
    }

    #[test]
    fn cancelled_orders_are_their_own_entry() {
        let o = order(
            r##"{"id":1,"name":"#1002","financial_status":"voided","cancelled_at":"2026-05-02T09:00:00Z",
                "created_at":"2026-05-01T09:00:00Z","line_items":[]}"##,
        );
        let event = order_event("orders/cancelled", None, &o).expect("event");
        assert_eq!(
            event.external_id.as_deref(),
            Some("shopify-order:1:cancelled")
        );
        assert_eq!(event.occurred_at.to_rfc3339(), "2026-05-02T09:00:00+00:00");
    }

    #[test]
    fn customer_updates_that_change_no_identifier_share_a_key() {
        let parse = |json: &str| serde_json::from_str::<Customer>(json).expect("customer");
        let created = parse(
            r#"{"id":706405506930370084,"email":"bob@biller.com","first_name":"Bob","last_name":"Biller",
                "phone":null,"created_at":"2026-05-01T10:00:00-05:00","updated_at":"2026-05-01T10:00:00-05:00"}"#,
        );
        let retagged = parse(
            r#"{"id":"706405506930370084","email":"bob@biller.com","first_name":"Bob","last_name":"Biller",
                "phone":null,"tags":"vip","updated_at":"2026-05-03T10:00:00-05:00"}"#,
        );
        let moved = parse(
            r#"{"id":706405506930370084,"email":"bob@biller.com","first_name":"Bob","last_name":"Biller",
                "default_address":{"address1":"1 New St","city":"Austin","province_code":"TX","zip":"78701","country_code":"US"}}"#,
        );
        let key = |c: &Customer, topic: &str| {
            customer_event(topic, None, c)
                .expect("event")
                .external_id
                .unwrap_or_default()
        };
        assert_eq!(
            key(&created, "customers/create"),
            key(&retagged, "customers/update")
        );
        assert_ne!(
            key(&created, "customers/create"),
            key(&moved, "customers/update")
        );
        let event = customer_event("customers/create", None, &created).expect("event");
        assert_eq!(event.kind, InteractionKind::Note);
        assert_eq!(event.direction, Direction::Internal);
        assert_eq!(event.identifiers.name.as_deref(), Some("Bob Biller"));
    }

    #[test]
    fn unknown_topics_are_not_events() {
        assert_eq!(Topic::parse("products/create"), None);
        assert_eq!(Topic::parse("orders/paid"), Some(Topic::Order));
    }
}
