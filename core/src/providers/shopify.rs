//! Shopify, however it arrives: its webhooks (`customers/*`, `orders/*`), the admin's CSV
//! exports, or its API's JSON. Each shape is read into [`Customer`] or [`Order`] (Shopify's own
//! field names), and one mapper turns those into events, with one money parser and one key
//! scheme, so an order imported from a file and received by webhook is one order.
//!
//! - A **customer** becomes an internal note ("Shopify customer created") that resolves the
//!   customer by Shopify id, email, phone, name and address, so their later orders, messages and
//!   calls land on one profile. Its key is the customer id and a digest of those identifiers: a
//!   retry, or a change Spine does not keep (tags, marketing consent), stores nothing; a new
//!   email or address is ingested again and improves the profile.
//! - An **order** becomes an order interaction with the order filled in, once per order and
//!   status (`shopify:order:#1001:paid`), keyed on the order's name, which every shape carries
//!   (the CSV export has no numeric id). Shopify sends one change under several topics
//!   (`orders/create` and `orders/paid` for a paid order): one entry.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Invalid, cents};
use crate::types::{
    AddressInput, EventInput, ExternalInput, IdentifiersInput, OrderInput, OrderItem,
};

pub const PROVIDER: &str = "shopify";
/// Items named in an order's timeline text; the order itself keeps them all.
const ITEMS_IN_BODY: usize = 5;

/// The webhook topics Spine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Customer,
    Order,
}

impl Topic {
    pub fn parse(topic: &str) -> Option<Topic> {
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

/// A webhook delivery's events: none for a topic Spine has no use for (acknowledged all the
/// same, so Shopify neither retries it nor drops the subscription).
pub fn webhook_events(
    topic: &str,
    webhook_id: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<EventInput>, Invalid> {
    let delivery = Delivery {
        topic: Some(topic),
        webhook_id,
        now,
    };
    Ok(match Topic::parse(topic) {
        Some(Topic::Customer) => {
            let customer: Customer = from_json(body)?;
            if customer.id.is_none() {
                return Err(Invalid::new("id", "a customer delivery names its customer"));
            }
            vec![customer_event(&customer, &delivery)?]
        }
        Some(Topic::Order) => {
            let order: Order = from_json(body)?;
            if order.id.is_none() {
                return Err(Invalid::new("id", "an order delivery names its order"));
            }
            vec![order_event(&order, &delivery)?]
        }
        None => Vec::new(),
    })
}

fn from_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Invalid> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = match e.path().to_string() {
            path if path == "." => "body".to_owned(),
            path => path,
        };
        Invalid::new(field, e.into_inner().to_string())
    })
}

/// One object of the API's JSON (an import line): an order when it has line items or an order
/// number, else a customer. A single wrapping object (`{"order": {...}}`) is unwrapped.
pub fn json_record_event(
    value: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<EventInput, Invalid> {
    let value = match value {
        serde_json::Value::Object(map) if map.len() == 1 && map.values().all(|v| v.is_object()) => {
            map.into_iter()
                .next()
                .map(|(_, inner)| inner)
                .unwrap_or_default()
        }
        other => other,
    };
    let is_order = ["line_items", "order_number", "financial_status"]
        .iter()
        .any(|key| value.get(key).is_some());
    let delivery = Delivery::import(now);
    let read = |e: serde_json::Error| Invalid::new("record", e.to_string());
    if is_order {
        order_event(&serde_json::from_value(value).map_err(read)?, &delivery)
    } else {
        customer_event(&serde_json::from_value(value).map_err(read)?, &delivery)
    }
}

/// How a payload arrived: a webhook's topic and id, or none for an import.
pub struct Delivery<'a> {
    pub topic: Option<&'a str>,
    pub webhook_id: Option<&'a str>,
    /// When a payload says nothing of its time.
    pub now: DateTime<Utc>,
}

impl Delivery<'_> {
    pub fn import(now: DateTime<Utc>) -> Delivery<'static> {
        Delivery {
            topic: None,
            webhook_id: None,
            now,
        }
    }

    fn payload(&self, fields: serde_json::Value) -> Option<serde_json::Value> {
        let topic = self.topic?;
        let mut payload =
            json!({"provider": PROVIDER, "topic": topic, "webhook_id": self.webhook_id});
        if let (Some(all), serde_json::Value::Object(more)) = (payload.as_object_mut(), fields) {
            all.extend(more);
        }
        Some(payload)
    }
}

/// Shopify ids are JSON numbers (64-bit); some tools resend them as strings; its CSV exports
/// write them with a leading apostrophe (to keep spreadsheets from rounding them), dropped here.
fn id_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Number(u64),
        Text(String),
    }
    Ok(match Option::<Id>::deserialize(deserializer)? {
        Some(Id::Number(n)) => Some(n.to_string()),
        Some(Id::Text(t)) => clean_id(&t),
        None => None,
    })
}

fn clean_id(text: &str) -> Option<String> {
    let id = text.trim().trim_start_matches('\'').trim();
    (!id.is_empty()).then(|| id.to_owned())
}

#[derive(Debug, Default, Deserialize)]
pub struct Customer {
    #[serde(default, deserialize_with = "id_text")]
    pub id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub default_address: Option<Address>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Address {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Order {
    #[serde(default, deserialize_with = "id_text")]
    pub id: Option<String>,
    /// "#1001", as the shop shows it.
    pub name: Option<String>,
    #[serde(default, deserialize_with = "id_text")]
    pub order_number: Option<String>,
    pub email: Option<String>,
    pub contact_email: Option<String>,
    pub phone: Option<String>,
    pub total_price: Option<String>,
    pub currency: Option<String>,
    pub financial_status: Option<String>,
    pub fulfillment_status: Option<String>,
    pub cancelled_at: Option<String>,
    pub created_at: Option<String>,
    pub processed_at: Option<String>,
    pub updated_at: Option<String>,
    pub line_items: Option<Vec<LineItem>>,
    pub customer: Option<Customer>,
    pub shipping_address: Option<Address>,
    pub billing_address: Option<Address>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LineItem {
    pub title: Option<String>,
    pub name: Option<String>,
    pub quantity: Option<i64>,
    pub price: Option<String>,
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
            phone: text(&self.phone)
                .or_else(|| self.default_address.as_ref().and_then(|a| text(&a.phone))),
            name: full_name(&self.first_name, &self.last_name),
            external: self.id.as_ref().map(|id| ExternalInput {
                provider: PROVIDER.to_owned(),
                id: id.clone(),
            }),
            address: self.default_address.as_ref().and_then(Address::input),
            ..Default::default()
        }
    }
}

/// A time from the payload: RFC 3339 or the export's "2024-01-05 10:00:00 -0500"; an error
/// naming the field when it is neither.
fn time(field: &str, value: &Option<String>) -> Result<Option<DateTime<Utc>>, Invalid> {
    text(value)
        .map(|v| super::time(&v).ok_or_else(|| Invalid::new(field, format!("{v:?} is not a time"))))
        .transpose()
}

/// An amount in hundredths; none is 0.
fn amount(field: &str, value: &Option<String>) -> Result<i64, Invalid> {
    match text(value) {
        None => Ok(0),
        Some(v) => cents(&v).ok_or_else(|| Invalid::new(field, format!("{v:?} is not an amount"))),
    }
}

/// A customer created, updated or exported: an internal note that resolves their identifiers.
pub fn customer_event(customer: &Customer, delivery: &Delivery) -> Result<EventInput, Invalid> {
    let identifiers = customer.identifiers();
    if identifiers.email.is_none()
        && identifiers.phone.is_none()
        && identifiers.external.is_none()
        && identifiers.address.is_none()
    {
        return Err(Invalid::new(
            "customer",
            "no email, phone, customer id or address",
        ));
    }
    let occurred_at = time("updated_at", &customer.updated_at)?
        .or(time("created_at", &customer.created_at)?)
        .unwrap_or(delivery.now);
    // Same identifiers, same key: a retry or an update of other fields stores nothing new.
    let digest = hex::encode(Sha256::digest(
        serde_json::to_vec(&identifiers).unwrap_or_default(),
    ));
    let body = match delivery.topic {
        Some("customers/create") => "Shopify customer created",
        Some(_) => "Shopify customer updated",
        None => "Customer record imported from Shopify",
    };
    Ok(super::customer_record(
        PROVIDER,
        occurred_at,
        body.to_owned(),
        format!(
            "{PROVIDER}:customer:{}:{}",
            customer.id.as_deref().unwrap_or("row"),
            &digest[..16]
        ),
        identifiers,
        delivery.payload(json!({"customer_id": customer.id})),
    ))
}

/// Where the order stands: cancelled, fulfilled, else Shopify's financial status.
fn status(order: &Order) -> String {
    if text(&order.cancelled_at).is_some() {
        "cancelled".to_owned()
    } else if text(&order.fulfillment_status).is_some_and(|s| s.eq_ignore_ascii_case("fulfilled")) {
        "fulfilled".to_owned()
    } else {
        text(&order.financial_status)
            .map(|s| s.to_lowercase())
            .unwrap_or_else(|| "placed".to_owned())
    }
}

/// The order's key in the shop: its name ("#1001"), which the webhooks, the API and the CSV
/// export all carry, else its number, else its id.
fn order_key(order: &Order) -> Option<String> {
    text(&order.name)
        .or_else(|| text(&order.order_number).map(|n| format!("#{n}")))
        .or_else(|| text(&order.id))
}

/// An order in a given state: an order interaction, once per order and status.
pub fn order_event(order: &Order, delivery: &Delivery) -> Result<EventInput, Invalid> {
    let key = order_key(order)
        .ok_or_else(|| Invalid::new("name", "an order has a name, a number or an id"))?;
    let status = status(order);
    let mut items = Vec::new();
    for (i, item) in order.line_items.iter().flatten().enumerate() {
        items.push(OrderItem {
            name: text(&item.title)
                .or_else(|| text(&item.name))
                .unwrap_or_else(|| "item".to_owned()),
            quantity: item.quantity.unwrap_or(1),
            price_cents: amount(&format!("line_items[{i}].price"), &item.price)?,
        });
    }
    let occurred_at = match status.as_str() {
        "cancelled" => time("cancelled_at", &order.cancelled_at)?,
        _ if matches!(delivery.topic, None | Some("orders/create")) => {
            time("processed_at", &order.processed_at)?
        }
        _ => time("updated_at", &order.updated_at)?,
    };
    let occurred_at = match occurred_at {
        Some(at) => at,
        None => time("created_at", &order.created_at)?.unwrap_or(delivery.now),
    };
    let mut listed: Vec<String> = items
        .iter()
        .take(ITEMS_IN_BODY)
        .map(|i| format!("{} × {}", i.quantity, i.name))
        .collect();
    if items.len() > ITEMS_IN_BODY {
        listed.push(format!("and {} more", items.len() - ITEMS_IN_BODY));
    }
    let customer = order.customer.as_ref();
    // The shipping address when there is one (what the address hash of a delivery is about).
    let addresses = [&order.shipping_address, &order.billing_address];
    let address = addresses
        .iter()
        .find_map(|a| a.as_ref().and_then(Address::input));
    let address_phone = addresses
        .iter()
        .find_map(|a| a.as_ref().and_then(|a| text(&a.phone)));
    let identifiers = IdentifiersInput {
        // The address the buyer typed at checkout first, then the account's.
        email: text(&order.email)
            .or_else(|| text(&order.contact_email))
            .or_else(|| customer.and_then(|c| text(&c.email))),
        phone: text(&order.phone)
            .or_else(|| customer.and_then(|c| text(&c.phone)))
            .or(address_phone),
        name: customer
            .and_then(|c| full_name(&c.first_name, &c.last_name))
            .or_else(|| order.billing_address.as_ref().and_then(Address::person))
            .or_else(|| order.shipping_address.as_ref().and_then(Address::person)),
        external: customer.and_then(|c| c.id.clone()).map(|id| ExternalInput {
            provider: PROVIDER.to_owned(),
            id,
        }),
        address,
        ..Default::default()
    };
    let body = if listed.is_empty() {
        format!("Order {key} ({status})")
    } else {
        format!("Order {key} ({status}): {}", listed.join(", "))
    };
    Ok(super::order_record(
        occurred_at,
        body,
        format!("{PROVIDER}:order:{key}:{status}"),
        identifiers,
        OrderInput {
            provider: PROVIDER.to_owned(),
            external_id: key.clone(),
            total_cents: amount("total_price", &order.total_price)?,
            currency: text(&order.currency)
                .map(|c| c.to_uppercase())
                .unwrap_or_else(|| "USD".to_owned()),
            status,
            items,
        },
        delivery.payload(json!({"order_id": order.id, "order_name": key})),
    ))
}

/// A row of an export, its headers lower-cased.
pub type Row = HashMap<String, String>;

fn column(row: &Row, names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|name| row.get(*name))
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Whether an export's row is an order line (the orders export has a "Lineitem name" column).
pub fn is_order_row(row: &Row) -> bool {
    row.contains_key("lineitem name") && row.contains_key("name")
}

/// An order's name in the orders export: the rows of one order share it.
pub fn order_row_key(row: &Row) -> Option<String> {
    column(row, &["name"])
}

/// A row of the customers export ("Customer ID" in recent exports, "Default Address ..." or
/// plain "Address1 ..." columns).
pub fn customer_from_row(row: &Row) -> Customer {
    let default = |field: &str| column(row, &[&format!("default address {field}"), field]);
    Customer {
        id: column(row, &["customer id", "id"]).and_then(|id| clean_id(&id)),
        email: column(row, &["email"]),
        phone: column(row, &["phone"]),
        first_name: column(row, &["first name"]),
        last_name: column(row, &["last name"]),
        default_address: Some(Address {
            address1: default("address1"),
            address2: default("address2"),
            city: default("city"),
            province: default("province"),
            province_code: default("province code"),
            zip: default("zip"),
            country: default("country"),
            country_code: default("country code"),
            phone: column(row, &["default address phone"]),
            ..Address::default()
        }),
        created_at: column(row, &["created at"]),
        updated_at: column(row, &["updated at"]),
    }
}

/// An order of the orders export: one row per line item, the order's fields on the first.
pub fn order_from_rows(rows: &[Row]) -> Order {
    let first = rows.first().cloned().unwrap_or_default();
    let get = |name: &str| column(&first, &[name]);
    let address = |prefix: &str| {
        let field = |name: &str| column(&first, &[&format!("{prefix} {name}")]);
        let address = Address {
            name: field("name"),
            address1: field("address1"),
            address2: field("address2"),
            city: field("city"),
            province: field("province"),
            province_code: field("province code"),
            zip: field("zip"),
            country: field("country"),
            country_code: field("country code"),
            phone: field("phone"),
            ..Address::default()
        };
        (address.address1.is_some() || address.name.is_some() || address.phone.is_some())
            .then_some(address)
    };
    Order {
        id: get("id").and_then(|id| clean_id(&id)),
        name: get("name"),
        email: get("email"),
        phone: get("phone"),
        total_price: get("total"),
        currency: get("currency"),
        financial_status: get("financial status"),
        fulfillment_status: get("fulfillment status"),
        cancelled_at: get("cancelled at"),
        created_at: get("created at"),
        line_items: Some(
            rows.iter()
                .filter_map(|row| {
                    Some(LineItem {
                        title: Some(column(row, &["lineitem name"])?),
                        name: None,
                        quantity: column(row, &["lineitem quantity"]).and_then(|q| q.parse().ok()),
                        price: column(row, &["lineitem price"]),
                    })
                })
                .collect(),
        ),
        shipping_address: address("shipping"),
        billing_address: address("billing"),
        ..Order::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::Provider;
    use crate::exports::tests::{events, now};
    use crate::types::{Direction, InteractionKind};

    fn webhook(topic: &str, json: &str) -> EventInput {
        let mut events = webhook_events(topic, Some("wh-1"), json.as_bytes(), now()).expect("read");
        assert_eq!(events.len(), 1, "{topic}");
        events.remove(0)
    }

    fn import(text: &str) -> Vec<EventInput> {
        events(Provider::Shopify, text)
    }

    const ORDER: &str = r##"{"id":820982911946154508,"name":"#1001","email":"jon@example.com","phone":null,
        "total_price":"388.00","currency":"USD","financial_status":"paid","fulfillment_status":null,
        "cancelled_at":null,"created_at":"2026-05-01T10:00:00-04:00","processed_at":"2026-05-01T10:00:00-04:00",
        "updated_at":"2026-05-01T10:05:00-04:00",
        "line_items":[{"title":"Birthday cake","quantity":2,"price":"189.00"},{"title":"Candles","quantity":1,"price":"10.00"}],
        "customer":{"id":115310627314723954,"email":"john@example.com","first_name":"John","last_name":"Smith"},
        "shipping_address":{"address1":"123 Elm St.","city":"Ottawa","province_code":"ON","zip":"K2H7A8","country_code":"CA"}}"##;

    #[test]
    fn an_order_becomes_an_order_event_keyed_on_its_name_and_status() {
        let event = webhook("orders/create", ORDER);
        assert_eq!(event.kind, InteractionKind::Order);
        assert_eq!(
            event.external_id.as_deref(),
            Some("shopify:order:#1001:paid")
        );
        assert_eq!(
            event.body.as_deref(),
            Some("Order #1001 (paid): 2 × Birthday cake, 1 × Candles")
        );
        assert_eq!(event.identifiers.email.as_deref(), Some("jon@example.com"));
        assert_eq!(event.identifiers.name.as_deref(), Some("John Smith"));
        assert_eq!(
            event.identifiers.external.as_ref().map(|e| e.id.as_str()),
            Some("115310627314723954")
        );
        let order = event.order.expect("order");
        assert_eq!(order.total_cents, 38800);
        assert_eq!(order.external_id, "#1001");
        assert_eq!(order.items[0].price_cents, 18900);
        assert_eq!(event.occurred_at.to_rfc3339(), "2026-05-01T14:00:00+00:00");
        let payload = event.payload.expect("payload");
        assert_eq!(payload["order_id"], "820982911946154508");
        assert_eq!(payload["webhook_id"], "wh-1");

        let paid_again = webhook("orders/paid", ORDER);
        assert_eq!(
            paid_again.external_id.as_deref(),
            Some("shopify:order:#1001:paid"),
            "the same order in the same state is one entry"
        );
    }

    #[test]
    fn the_same_order_from_the_export_the_api_and_a_webhook_is_one_entry_and_one_order() {
        let hook = webhook("orders/create", ORDER);
        let api = import(&ORDER.replace('\n', " "));
        let csv = import(
            "Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Billing Name,Shipping Name,Shipping Address1,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Phone,Id\n\
             #1001,jon@example.com,paid,2026-05-01 10:05:00 -0400,,USD,388.00,388.00,2026-05-01 10:00:00 -0400,2,Birthday cake,189.00,John Smith,John Smith,123 Elm St.,Ottawa,K2H7A8,ON,CA,,'820982911946154508\n\
             #1001,jon@example.com,,,,,,,,1,Candles,10.00,,,,,,,,,'820982911946154508\n",
        );
        assert_eq!((api.len(), csv.len()), (1, 1));
        for other in [&api[0], &csv[0]] {
            assert_eq!(other.external_id, hook.external_id);
            let (a, b) = (
                other.order.as_ref().expect("order"),
                hook.order.as_ref().expect("order"),
            );
            assert_eq!(
                (&a.external_id, a.total_cents, &a.status, &a.items),
                (&b.external_id, b.total_cents, &b.status, &b.items)
            );
            assert_eq!(other.identifiers.email, hook.identifiers.email);
            assert_eq!(other.identifiers.address, hook.identifiers.address);
            assert_eq!(other.occurred_at, hook.occurred_at);
        }
    }

    #[test]
    fn cancelled_and_fulfilled_orders_are_their_own_entries() {
        let cancelled = webhook(
            "orders/cancelled",
            r##"{"id":1,"name":"#1002","financial_status":"voided","cancelled_at":"2026-05-02T09:00:00Z",
                "created_at":"2026-05-01T09:00:00Z","line_items":[]}"##,
        );
        assert_eq!(
            cancelled.external_id.as_deref(),
            Some("shopify:order:#1002:cancelled")
        );
        assert_eq!(
            cancelled.occurred_at.to_rfc3339(),
            "2026-05-02T09:00:00+00:00"
        );
        assert_eq!(cancelled.body.as_deref(), Some("Order #1002 (cancelled)"));
        let fulfilled = webhook(
            "orders/fulfilled",
            r#"{"id":2,"order_number":1003,"financial_status":"paid","fulfillment_status":"fulfilled",
                "updated_at":"2026-05-03T09:00:00Z"}"#,
        );
        assert_eq!(
            fulfilled.external_id.as_deref(),
            Some("shopify:order:#1003:fulfilled"),
            "without a name, the order number names the order"
        );
    }

    #[test]
    fn the_same_customer_from_the_export_and_a_webhook_is_one_note() {
        let parse = |topic: &str, json: &str| webhook(topic, json).external_id.unwrap_or_default();
        let created = parse(
            "customers/create",
            r#"{"id":706405506930370084,"email":"bob@biller.com","first_name":"Bob","last_name":"Biller",
                "phone":null,"created_at":"2026-05-01T10:00:00-05:00","updated_at":"2026-05-01T10:00:00-05:00"}"#,
        );
        let retagged = parse(
            "customers/update",
            r#"{"id":"706405506930370084","email":"bob@biller.com","first_name":"Bob","last_name":"Biller",
                "phone":null,"tags":"vip","updated_at":"2026-05-03T10:00:00-05:00"}"#,
        );
        let moved = parse(
            "customers/update",
            r#"{"id":706405506930370084,"email":"bob@biller.com","first_name":"Bob","last_name":"Biller",
                "default_address":{"address1":"1 New St","city":"Austin","province_code":"TX","zip":"78701","country_code":"US"}}"#,
        );
        assert_eq!(
            created, retagged,
            "a change Spine does not keep stores nothing"
        );
        assert_ne!(created, moved, "a new address is ingested");
        let exported = import(
            "Customer ID,First Name,Last Name,Email,Phone,Tags\n'706405506930370084,Bob,Biller,bob@biller.com,,vip\n",
        );
        assert_eq!(exported[0].external_id.as_deref(), Some(created.as_str()));
        assert_eq!(exported[0].kind, InteractionKind::Note);
        assert_eq!(exported[0].direction, Direction::Internal);
    }

    #[test]
    fn what_cannot_be_read_is_named() {
        let bad = |topic: &str, json: &str| {
            webhook_events(topic, None, json.as_bytes(), now()).expect_err(json)
        };
        assert_eq!(
            bad(
                "orders/paid",
                r##"{"id":1,"name":"#1","total_price":"12,50"}"##
            )
            .field,
            "total_price"
        );
        assert_eq!(
            bad(
                "orders/paid",
                r#"{"id":1,"line_items":[{"title":"a","price":"x"}]}"#
            )
            .field,
            "line_items[0].price"
        );
        assert_eq!(
            bad("orders/paid", r#"{"id":1,"created_at":"yesterday"}"#).field,
            "created_at"
        );
        assert_eq!(bad("orders/paid", r#"{"email":"a@b.c"}"#).field, "id");
        let unnamed = json_record_event(
            json!({"order": {"email": "a@b.c", "line_items": []}}),
            now(),
        );
        assert_eq!(unnamed.map_err(|e| e.field), Err("name".to_owned()));
        assert_eq!(bad("customers/create", r#"{"email":"a@b.c"}"#).field, "id");
        assert_eq!(bad("customers/create", r#"{"id":[1]}"#).field, "id");
        assert!(
            webhook_events("products/create", None, b"{}", now())
                .expect("read")
                .is_empty(),
            "a topic Spine has no use for is acknowledged with no events"
        );
    }
}
