//! Provider exports read as events: Shopify customers and orders (CSV export or API JSON),
//! QuickBooks Online customers (API JSON or CSV), Amazon order reports (tab-separated), ShipStation
//! orders (API JSON or CSV), a generic CSV, and Spine's own JSONL. Pure: bytes in, events out.
//!
//! Every row becomes one `EventInput`, so imports go through the same resolution as the API:
//! - an **order** row becomes an `order` event carrying the order (its id is the idempotency key,
//!   so a re-import stores nothing twice), with the buyer's email, phone, name and shipping
//!   address; Amazon rows usually lack an email and match by the address hash;
//! - a **customer** row becomes an internal `note` event ("customer record imported from
//!   QuickBooks Online") with the provider's customer id as an external identity. Its
//!   idempotency key includes a hash of the row, so importing the same file twice changes nothing
//!   while an edited row (a new email) is ingested again and improves the profile.
//!
//! Shopify, which also sends webhooks, is read by `providers::shopify`, the module its webhooks
//! use, so an order or customer means the same event whichever way it came. For the others,
//! columns are found by name through alias lists (`ship-postal-code`, `shipTo.postalCode`...);
//! JSON objects are flattened to dotted paths first, so one reader serves CSV and JSON alike.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::providers::{cents, customer_record, order_record, shopify, time};
use crate::types::{
    AddressInput, EventInput, ExternalInput, IdentifiersInput, OrderInput, OrderItem,
};

/// Where an export comes from. The order of the variants is the order of authority: when several
/// are imported together, the more authoritative source runs first, so it creates the profiles
/// and sets their primaries, and later sources link to them and only fill what is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provider {
    Qbo,
    Shopify,
    Amazon,
    Shipstation,
    Csv,
    /// Spine's own format: one API event object per line.
    Jsonl,
}

impl Provider {
    pub const ALL: [Provider; 6] = [
        Provider::Qbo,
        Provider::Shopify,
        Provider::Amazon,
        Provider::Shipstation,
        Provider::Csv,
        Provider::Jsonl,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Provider::Qbo => "qbo",
            Provider::Shopify => "shopify",
            Provider::Amazon => "amazon",
            Provider::Shipstation => "shipstation",
            Provider::Csv => "csv",
            Provider::Jsonl => "jsonl",
        }
    }

    pub fn parse(text: &str) -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(text.trim()))
    }

    fn label(&self) -> &'static str {
        match self {
            Provider::Qbo => "QuickBooks Online",
            Provider::Shopify => "Shopify",
            Provider::Amazon => "Amazon",
            Provider::Shipstation => "ShipStation",
            Provider::Csv | Provider::Jsonl => "a CSV import",
        }
    }
}

/// One row of an export: its line number and the event, or why it cannot be read.
pub type ExportRow = (usize, Result<EventInput, String>);

/// Reads a whole export. Fails as a whole only when the file cannot be read as this provider's
/// format at all (no header, not UTF-8); a bad row is reported in place.
pub fn read_export(
    provider: Provider,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<ExportRow>, String> {
    read_export_mapped(provider, bytes, now, &[])
}

/// The prefix of a column that holds a custom field's value (`custom:allergies`).
pub const CUSTOM_COLUMN: &str = "custom:";

/// [`read_export`], with columns renamed first (`(column, name)`, e.g. `("Allergy notes",
/// "custom:allergies")`). A column named `custom:KEY` (after renaming, or in the file) sets the
/// custom field `KEY` on the profile its row reaches; its empty cells set nothing.
pub fn read_export_mapped(
    provider: Provider,
    bytes: &[u8],
    now: DateTime<Utc>,
    renames: &[(String, String)],
) -> Result<Vec<ExportRow>, String> {
    if provider == Provider::Jsonl {
        return Ok(read_jsonl_events(bytes));
    }
    if provider == Provider::Shopify {
        return read_shopify(bytes, now);
    }
    let records = if looks_like_json(bytes) {
        read_json_records(bytes)
    } else {
        read_csv_records(bytes)?
    };
    let mut rows = Vec::new();
    let mut order_rows: Vec<(usize, Flat)> = Vec::new();
    for (line, record) in records {
        match record {
            Err(e) => rows.push((line, Err(e))),
            Ok(mut flat) => {
                for (column, name) in renames {
                    if let Some(value) = flat.remove(&key(column)) {
                        flat.insert(key(name), value);
                    }
                }
                if order_id(provider, &flat).is_some() {
                    order_rows.push((line, flat));
                } else {
                    let event = customer_event(provider, &flat, now);
                    rows.push((line, event.map(|e| with_custom(e, &flat))));
                }
            }
        }
    }
    for (line, id, flats) in gather_orders(order_rows, |flat| order_id(provider, flat)) {
        let event = order_event(provider, &id, &flats, now);
        rows.push((line, event.map(|e| with_custom(e, &flats[0]))));
    }
    rows.sort_by_key(|(line, _)| *line);
    Ok(rows)
}

/// The row's `custom:KEY` columns as the event's custom field values.
fn with_custom(mut event: EventInput, flat: &Flat) -> EventInput {
    let custom: std::collections::BTreeMap<String, serde_json::Value> = flat
        .iter()
        .filter_map(|(column, value)| {
            let key = column.strip_prefix(CUSTOM_COLUMN)?.trim();
            (!key.is_empty()).then(|| (key.to_owned(), serde_json::Value::String(value.clone())))
        })
        .collect();
    if !custom.is_empty() {
        event.custom = Some(custom);
    }
    event
}

/// Order exports repeat an order on one row per line item: its rows gathered under its key, at
/// the line of its first row.
fn gather_orders(
    order_rows: Vec<(usize, Flat)>,
    key: impl Fn(&Flat) -> Option<String>,
) -> Vec<(usize, String, Vec<Flat>)> {
    let mut orders: Vec<(usize, String, Vec<Flat>)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (line, flat) in order_rows {
        let id = key(&flat).unwrap_or_default();
        match at.get(&id) {
            Some(&i) => orders[i].2.push(flat),
            None => {
                at.insert(id.clone(), orders.len());
                orders.push((line, id, vec![flat]));
            }
        }
    }
    orders
}

/// Shopify's exports, read by the same module as its webhooks: the API's JSON objects as they
/// are, the CSV exports (customers; orders, one row per line item) column by column.
fn read_shopify(bytes: &[u8], now: DateTime<Utc>) -> Result<Vec<ExportRow>, String> {
    if looks_like_json(bytes) {
        return Ok(lines(bytes)
            .map(|(line, text)| {
                let event = serde_json::from_slice::<serde_json::Value>(text)
                    .map_err(|e| format!("not JSON: {e}"))
                    .and_then(|value| {
                        shopify::json_record_event(value, now).map_err(|e| e.to_string())
                    });
                (line, event)
            })
            .collect());
    }
    let mut rows = Vec::new();
    let mut order_rows = Vec::new();
    for (line, record) in read_csv_records(bytes)? {
        match record {
            Err(e) => rows.push((line, Err(e))),
            Ok(row) if shopify::is_order_row(&row) => order_rows.push((line, row)),
            Ok(row) => {
                let customer = shopify::customer_from_row(&row);
                let event = shopify::customer_event(&customer, &shopify::Delivery::import(now));
                rows.push((line, event.map_err(|e| e.to_string())));
            }
        }
    }
    for (line, _, order) in gather_orders(order_rows, shopify::order_row_key) {
        let order = shopify::order_from_rows(&order);
        let event = shopify::order_event(&order, &shopify::Delivery::import(now));
        rows.push((line, event.map_err(|e| e.to_string())));
    }
    rows.sort_by_key(|(line, _)| *line);
    Ok(rows)
}

/// Spine's JSONL: one API event per line, errors naming the field.
pub fn read_jsonl_events(bytes: &[u8]) -> Vec<ExportRow> {
    lines(bytes)
        .map(|(line, text)| {
            let mut de = serde_json::Deserializer::from_slice(text);
            let parsed = serde_path_to_error::deserialize::<_, EventInput>(&mut de).map_err(|e| {
                match e.path().to_string().as_str() {
                    "." => e.into_inner().to_string(),
                    path => format!("{path}: {}", e.into_inner()),
                }
            });
            (line, parsed)
        })
        .collect()
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
}

fn looks_like_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
}

/// A record with lower-cased keys: CSV headers as they are, JSON as dotted paths.
type Flat = HashMap<String, String>;
/// A record read from the input, or why its line could not be read; with its line number.
type FlatRow = (usize, Result<Flat, String>);

fn key(text: &str) -> String {
    text.trim().trim_start_matches('\u{feff}').to_lowercase()
}

/// How many lines the csv crate's record positions lag behind in this text: one when its first
/// line ends in CRLF (the parser counts a CRLF's line only when the next record starts,
/// rust-csv#395), else none. `start` is the text's beginning; a file's line endings are one kind.
pub fn csv_line_lag(start: &[u8]) -> u64 {
    let first_line = start.split(|b| *b == b'\n').next().unwrap_or_default();
    u64::from(first_line.len() < start.len() && first_line.ends_with(b"\r"))
}

fn read_csv_records(bytes: &[u8]) -> Result<Vec<FlatRow>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let lag = csv_line_lag(bytes) as usize;
    let header_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let tabs = header_line.iter().filter(|b| **b == b'\t').count();
    let commas = header_line.iter().filter(|b| **b == b',').count();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if tabs > commas { b'\t' } else { b',' })
        .flexible(true)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("cannot read the header line: {e}"))?
        .iter()
        .map(key)
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err("the file has no header line".into());
    }
    let mut records = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line() as usize + lag);
                let flat: Flat = headers
                    .iter()
                    .zip(record.iter())
                    .filter(|(_, v)| !v.trim().is_empty())
                    .map(|(h, v)| (h.clone(), v.trim().to_owned()))
                    .collect();
                records.push((line, Ok(flat)));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize + lag);
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { err, .. } => format!(
                        "column {:?} is not valid UTF-8: the file is in another encoding; name it when importing (a CSV saved by Excel on Windows is windows-1252)",
                        headers.get(err.field()).map_or("?", String::as_str)
                    ),
                    _ => format!("unreadable row: {e}"),
                };
                records.push((line, Err(message)));
            }
        }
    }
    Ok(records)
}

fn read_json_records(bytes: &[u8]) -> Vec<FlatRow> {
    lines(bytes)
        .map(|(line, text)| {
            let record = serde_json::from_slice::<serde_json::Value>(text)
                .map_err(|e| format!("not JSON: {e}"))
                .and_then(|value| match value {
                    serde_json::Value::Object(_) => {
                        let mut flat = Flat::new();
                        flatten("", &value, &mut flat);
                        Ok(flat)
                    }
                    _ => Err("expected one JSON object per line".into()),
                });
            (line, record)
        })
        .collect()
}

/// `{"billTo": {"name": "A"}}` → `billto.name = A`; arrays keep their index (`line_items.0.title`);
/// a single wrapping object such as QuickBooks' `{"Customer": {...}}` is unwrapped.
fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Flat) {
    use serde_json::Value;
    match value {
        Value::Object(map) if prefix.is_empty() && map.len() == 1 => {
            if let Some((_, inner @ Value::Object(_))) = map.iter().next() {
                return flatten("", inner, out);
            }
            for (k, v) in map {
                flatten(&key(k), v, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    key(k)
                } else {
                    format!("{prefix}.{}", key(k))
                };
                flatten(&path, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}.{i}"), v, out);
            }
        }
        Value::Null => {}
        Value::String(s) if s.trim().is_empty() => {}
        Value::String(s) => {
            out.insert(prefix.to_owned(), s.trim().to_owned());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

fn get<'a>(flat: &'a Flat, aliases: &[&str]) -> Option<&'a str> {
    get_where(flat, |_| true, aliases)
}

/// The first alias present with a value `keep` accepts.
fn get_where<'a>(flat: &'a Flat, keep: impl Fn(&str) -> bool, aliases: &[&str]) -> Option<&'a str> {
    aliases
        .iter()
        .filter_map(|a| flat.get(*a).map(String::as_str))
        .find(|v| !v.is_empty() && keep(v))
}

fn order_id(provider: Provider, flat: &Flat) -> Option<String> {
    let aliases: &[&str] = match provider {
        // Shopify's exports are read by `providers::shopify`.
        Provider::Shopify | Provider::Qbo => &[],
        Provider::Amazon => &["order-id", "amazon-order-id", "amazonorderid", "order id"],
        Provider::Shipstation => &["ordernumber", "order - number", "order number", "orderid"],
        Provider::Csv => &["order_id", "order id", "order_number", "order number"],
        Provider::Jsonl => &[],
    };
    get(flat, aliases).map(str::to_owned)
}

struct Who {
    email: Option<String>,
    phone: Option<String>,
    name: Option<String>,
    external: Option<String>,
    address: Option<AddressInput>,
}

fn who(provider: Provider, flat: &Flat) -> Who {
    let email = get(
        flat,
        &[
            "email",
            "e-mail",
            "email address",
            "buyer-email",
            "customer email",
            "customeremail",
            "primaryemailaddr.address",
            "customer.email",
            "contact_email",
        ],
    );
    let phone = get(
        flat,
        &[
            "phone",
            "phone number",
            "default address phone",
            "buyer-phone-number",
            "primaryphone.freeformnumber",
            "mobile.freeformnumber",
            "customer.phone",
            "billing phone",
            "shipping phone",
            "ship-phone-number",
            "shipto.phone",
            "billto.phone",
            "shipping_address.phone",
            "billing_address.phone",
            "default_address.phone",
        ],
    );
    let first = get(
        flat,
        &[
            "first name",
            "first_name",
            "givenname",
            "customer.first_name",
            "firstname",
        ],
    );
    let last = get(
        flat,
        &[
            "last name",
            "last_name",
            "familyname",
            "customer.last_name",
            "lastname",
        ],
    );
    let full = match (first, last) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        // For an order, `name` is the order number (Shopify's "#1001"): not a person.
        (None, None) => get_where(
            flat,
            |v| !v.starts_with('#'),
            &[
                "name",
                "full name",
                "full_name",
                "displayname",
                "customer",
                "buyer-name",
                "billing name",
                "shipping name",
                "recipient-name",
                "shipto.name",
                "billto.name",
                "ship to - name",
                "shipping_address.name",
                "billing_address.name",
            ],
        )
        .map(str::to_owned),
    };
    let external = match provider {
        Provider::Qbo => get(flat, &["id", "customer id"]),
        Provider::Shipstation => get(flat, &["customerid", "customer id", "customerusername"]),
        Provider::Csv => get(flat, &["external_id", "customer_id", "customer id", "id"]),
        Provider::Shopify | Provider::Amazon | Provider::Jsonl => None,
    }
    .map(str::to_owned);
    Who {
        email: email.map(str::to_owned),
        phone: phone.map(str::to_owned),
        name: full,
        external,
        address: address(flat),
    }
}

/// The shipping address when there is one (what the address hash of a delivery is about), else
/// the default or billing address.
fn address(flat: &Flat) -> Option<AddressInput> {
    const SETS: [[&str; 6]; 8] = [
        [
            "shipping address1",
            "shipping address2",
            "shipping city",
            "shipping province",
            "shipping zip",
            "shipping country",
        ],
        [
            "ship-address-1",
            "ship-address-2",
            "ship-city",
            "ship-state",
            "ship-postal-code",
            "ship-country",
        ],
        [
            "shipto.street1",
            "shipto.street2",
            "shipto.city",
            "shipto.state",
            "shipto.postalcode",
            "shipto.country",
        ],
        [
            "shipping_address.address1",
            "shipping_address.address2",
            "shipping_address.city",
            "shipping_address.province_code",
            "shipping_address.zip",
            "shipping_address.country_code",
        ],
        [
            "default address address1",
            "default address address2",
            "default address city",
            "default address province code",
            "default address zip",
            "default address country code",
        ],
        [
            "default_address.address1",
            "default_address.address2",
            "default_address.city",
            "default_address.province_code",
            "default_address.zip",
            "default_address.country_code",
        ],
        [
            "billaddr.line1",
            "billaddr.line2",
            "billaddr.city",
            "billaddr.countrysubdivisioncode",
            "billaddr.postalcode",
            "billaddr.country",
        ],
        [
            "address1",
            "address2",
            "city",
            "province code",
            "zip",
            "country code",
        ],
    ];
    SETS.iter()
        .find_map(|[l1, l2, city, region, postal, country]| {
            let line1 = flat.get(*l1)?;
            Some(AddressInput {
                line1: line1.clone(),
                line2: flat.get(*l2).cloned(),
                city: flat.get(*city).cloned(),
                region: flat.get(*region).cloned(),
                postal_code: flat.get(*postal).cloned(),
                country: flat.get(*country).cloned(),
            })
        })
}

fn identifiers(provider: Provider, who: Who) -> IdentifiersInput {
    IdentifiersInput {
        email: who.email,
        phone: who.phone,
        name: who.name,
        external: who.external.map(|id| ExternalInput {
            provider: provider.as_str().to_owned(),
            id,
        }),
        address: who.address,
        ..IdentifiersInput::default()
    }
}

fn customer_event(
    provider: Provider,
    flat: &Flat,
    now: DateTime<Utc>,
) -> Result<EventInput, String> {
    let who = who(provider, flat);
    if who.email.is_none() && who.phone.is_none() && who.external.is_none() && who.address.is_none()
    {
        return Err("no email, phone, customer id or address in this row".into());
    }
    // The row's content, in a stable order: the same row twice is one event.
    let mut fields: Vec<(&String, &String)> = flat.iter().collect();
    fields.sort();
    let mut digest = Sha256::new();
    for (k, v) in fields {
        digest.update(k.as_bytes());
        digest.update([0]);
        digest.update(v.as_bytes());
        digest.update([0]);
    }
    let digest = hex::encode(&digest.finalize()[..8]);
    let id = who.external.clone().unwrap_or_else(|| "row".into());
    let occurred_at = get(
        flat,
        &[
            "created_at",
            "created at",
            "metadata.createtime",
            "createdate",
            "created",
        ],
    )
    .and_then(time)
    .unwrap_or(now);
    Ok(customer_record(
        provider.as_str(),
        occurred_at,
        format!("Customer record imported from {}", provider.label()),
        format!("{}:customer:{id}:{digest}", provider.as_str()),
        identifiers(provider, who),
        None,
    ))
}

fn order_event(
    provider: Provider,
    id: &str,
    flats: &[Flat],
    now: DateTime<Utc>,
) -> Result<EventInput, String> {
    let first = &flats[0];
    let who = who(provider, first);
    let occurred_at = get(
        first,
        &[
            "created at",
            "created_at",
            "purchase-date",
            "purchasedate",
            "orderdate",
            "date - order date",
            "order date",
            "paid at",
            "processed_at",
        ],
    )
    .map(|t| time(t).ok_or_else(|| format!("order date {t:?} is not a date")))
    .transpose()?
    .unwrap_or(now);
    let mut items = Vec::new();
    for flat in flats {
        if let Some(name) = get(
            flat,
            &["lineitem name", "product-name", "item name", "item - name"],
        ) {
            items.push(OrderItem {
                name: name.to_owned(),
                quantity: get(
                    flat,
                    &[
                        "lineitem quantity",
                        "quantity-purchased",
                        "quantity",
                        "item - qty",
                    ],
                )
                .and_then(|q| q.parse().ok())
                .unwrap_or(1),
                price_cents: get(
                    flat,
                    &["lineitem price", "item-price", "item price", "item - price"],
                )
                .and_then(cents)
                .unwrap_or(0),
            });
        }
    }
    // JSON orders list their items as `line_items.N.*` / `items.N.*`.
    for prefix in ["line_items", "items"] {
        for n in 0.. {
            let Some(name) = first
                .get(&format!("{prefix}.{n}.title"))
                .or_else(|| first.get(&format!("{prefix}.{n}.name")))
            else {
                break;
            };
            items.push(OrderItem {
                name: name.clone(),
                quantity: first
                    .get(&format!("{prefix}.{n}.quantity"))
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(1),
                price_cents: first
                    .get(&format!("{prefix}.{n}.price"))
                    .or_else(|| first.get(&format!("{prefix}.{n}.unitprice")))
                    .and_then(|p| cents(p))
                    .unwrap_or(0),
            });
        }
    }
    let total_cents = get(
        first,
        &[
            "total",
            "total_price",
            "ordertotal",
            "order total",
            "amount - order total",
        ],
    )
    .and_then(cents)
    .unwrap_or_else(|| {
        // Amazon reports price per item row.
        flats
            .iter()
            .filter_map(|f| get(f, &["item-price"]).and_then(cents))
            .sum()
    });
    Ok(order_record(
        occurred_at,
        format!("Order {id} from {}", provider.label()),
        format!("{}:order:{id}", provider.as_str()),
        identifiers(provider, who),
        OrderInput {
            provider: provider.as_str().to_owned(),
            external_id: id.to_owned(),
            total_cents,
            currency: get(first, &["currency", "currencyref.value"])
                .unwrap_or("USD")
                .to_uppercase(),
            status: get(
                first,
                &[
                    "financial status",
                    "financial_status",
                    "orderstatus",
                    "order-status",
                    "order status",
                    "status",
                ],
            )
            .unwrap_or("placed")
            .to_lowercase(),
            items,
        },
        None,
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::types::InteractionKind;

    pub(crate) fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .expect("date")
            .with_timezone(&Utc)
    }

    pub(crate) fn events(provider: Provider, text: &str) -> Vec<EventInput> {
        read_export(provider, text.as_bytes(), now())
            .expect("readable")
            .into_iter()
            .map(|(line, e)| e.unwrap_or_else(|err| panic!("line {line}: {err}")))
            .collect()
    }

    /// Windows line endings must not shift the line numbers a bad row is reported at.
    #[test]
    fn rows_keep_their_line_numbers_whatever_the_line_endings() {
        for end in [&b"\n"[..], b"\r\n"] {
            let lines: [&[u8]; 4] = [
                b"Customer ID,First Name,Email",
                b"1,Ana,ana@example.com",
                b"2,Bo\xff,bo@example.com",
                b"3,Cy,cy@example.com",
            ];
            let bytes: Vec<u8> = lines.iter().flat_map(|l| [*l, end].concat()).collect();
            let rows = read_export(Provider::Shopify, &bytes, now()).expect("readable");
            let lines: Vec<(usize, bool)> = rows.iter().map(|(l, r)| (*l, r.is_ok())).collect();
            assert_eq!(lines, [(2, true), (3, false), (4, true)], "{end:?}");
            let Err(message) = &rows[1].1 else {
                unreachable!()
            };
            assert!(
                message.starts_with("column \"first name\" is not valid UTF-8"),
                "{message}"
            );
        }
        assert_eq!(csv_line_lag(b"a,b\r\n1,2"), 1);
        assert_eq!(csv_line_lag(b"a,b\n1,2\r\n"), 0);
        assert_eq!(csv_line_lag(b"a,b\r"), 0);
    }

    #[test]
    fn shopify_customer_csv_rows_are_notes_with_the_customer_id() {
        let csv = "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags\n\
            '7012345678901,Ana,Souza,ana.souza@example.com,yes,,12 Rua Augusta,Apt 3,Austin,TX,US,78701,,+15125550101,no,120.00,2,,no,vip\n";
        let e = events(Provider::Shopify, csv);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind, InteractionKind::Note);
        let ids = &e[0].identifiers;
        assert_eq!(ids.name.as_deref(), Some("Ana Souza"));
        assert_eq!(ids.email.as_deref(), Some("ana.souza@example.com"));
        assert_eq!(ids.phone.as_deref(), Some("+15125550101"));
        let ext = ids.external.as_ref().expect("customer id");
        assert_eq!(
            (ext.provider.as_str(), ext.id.as_str()),
            ("shopify", "7012345678901"),
            "the export's apostrophe (for spreadsheets) is not part of the id"
        );
        let address = ids.address.as_ref().expect("address");
        assert_eq!(address.line2.as_deref(), Some("Apt 3"));
        assert_eq!(address.postal_code.as_deref(), Some("78701"));
    }

    #[test]
    fn the_same_row_is_the_same_event_and_an_edited_row_is_another() {
        let header = "Customer ID,First Name,Last Name,Email\n";
        let a = events(
            Provider::Shopify,
            &format!("{header}1,Ana,Souza,ana@example.com\n"),
        );
        let again = events(
            Provider::Shopify,
            &format!("{header}1,Ana,Souza,ana@example.com\n"),
        );
        let edited = events(
            Provider::Shopify,
            &format!("{header}1,Ana,Souza,ana.s@example.com\n"),
        );
        assert_eq!(a[0].external_id, again[0].external_id);
        assert_ne!(a[0].external_id, edited[0].external_id);
    }

    #[test]
    fn shopify_order_csv_gathers_line_item_rows_into_one_order() {
        let csv = "Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Billing Name,Shipping Name,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Phone\n\
            #1001,ana@example.com,paid,2026-03-01 10:00:00 -0500,USD,30.00,32.50,2026-03-01 09:58:00 -0500,2,Mango box,10.00,Ana Souza,Ana Souza,12 Rua Augusta,Apt 3,Austin,78701,TX,US,\n\
            #1001,ana@example.com,,,,,,,1,Lime bag,10.00,,,,,,,,,\n\
            #1002,bo@example.com,pending,,USD,5.00,5.00,2026-03-02 11:00:00 -0500,1,Kiwi,5.00,Bo Li,Bo Li,1 Main St,,Austin,78701,TX,US,\n";
        let e = events(Provider::Shopify, csv);
        assert_eq!(e.len(), 2);
        let order = e[0].order.as_ref().expect("order");
        assert_eq!(order.external_id, "#1001");
        assert_eq!(order.total_cents, 3250);
        assert_eq!(order.status, "paid");
        assert_eq!(order.items.len(), 2);
        assert_eq!(order.items[0].quantity, 2);
        assert_eq!(e[0].identifiers.name.as_deref(), Some("Ana Souza"));
        assert_eq!(e[0].occurred_at.to_rfc3339(), "2026-03-01T14:58:00+00:00");
        assert_eq!(
            e[0].external_id.as_deref(),
            Some("shopify:order:#1001:paid")
        );
        assert_eq!(
            e[0].body.as_deref(),
            Some("Order #1001 (paid): 2 × Mango box, 1 × Lime bag")
        );
        assert!(
            e[0].identifiers.external.is_none(),
            "an order number is not a person"
        );
    }

    #[test]
    fn amazon_reports_are_tab_separated_and_match_by_address_without_email() {
        let tsv = "order-id\torder-item-id\tpurchase-date\tbuyer-email\tbuyer-name\tproduct-name\tquantity-purchased\tcurrency\titem-price\trecipient-name\tship-address-1\tship-address-2\tship-city\tship-state\tship-postal-code\tship-country\n\
            112-1234567-7654321\t1\t2026-03-03T10:00:00+00:00\t\tAna Souza\tMango box\t1\tUSD\t12.00\tAna Souza\t12 Rua Augusta\tApt 3\tAustin\tTX\t78701\tUS\n\
            112-1234567-7654321\t2\t2026-03-03T10:00:00+00:00\t\tAna Souza\tLime bag\t1\tUSD\t8.00\tAna Souza\t12 Rua Augusta\tApt 3\tAustin\tTX\t78701\tUS\n";
        let e = events(Provider::Amazon, tsv);
        assert_eq!(e.len(), 1);
        assert!(e[0].identifiers.email.is_none());
        assert_eq!(
            e[0].identifiers.address.as_ref().map(|a| a.line1.as_str()),
            Some("12 Rua Augusta")
        );
        let order = e[0].order.as_ref().expect("order");
        assert_eq!((order.total_cents, order.items.len()), (2000, 2));
    }

    #[test]
    fn qbo_api_customers_unwrap_and_flatten() {
        let jsonl = r#"{"Customer": {"Id": "58", "DisplayName": "Ana Souza", "GivenName": "Ana", "FamilyName": "Souza", "PrimaryEmailAddr": {"Address": "ana@example.com"}, "PrimaryPhone": {"FreeFormNumber": "(512) 555-0101"}, "BillAddr": {"Line1": "12 Rua Augusta", "City": "Austin", "CountrySubDivisionCode": "TX", "PostalCode": "78701"}, "MetaData": {"CreateTime": "2025-01-05T10:00:00-08:00"}}}"#;
        let e = events(Provider::Qbo, jsonl);
        let ids = &e[0].identifiers;
        assert_eq!(ids.external.as_ref().map(|x| x.id.as_str()), Some("58"));
        assert_eq!(ids.phone.as_deref(), Some("(512) 555-0101"));
        assert_eq!(ids.name.as_deref(), Some("Ana Souza"));
        assert_eq!(e[0].occurred_at.to_rfc3339(), "2025-01-05T18:00:00+00:00");
    }

    #[test]
    fn shipstation_api_orders_carry_items_and_ship_to() {
        let jsonl = r#"{"orderId": 94113592, "orderNumber": "TEST-ORDER-1", "orderDate": "2026-03-04T08:46:27.0000000", "orderStatus": "awaiting_shipment", "customerEmail": "ana@example.com", "customerId": 37701499, "orderTotal": 194.43, "shipTo": {"name": "Ana Souza", "street1": "12 Rua Augusta", "street2": "Apt 3", "city": "Austin", "state": "TX", "postalCode": "78701", "country": "US", "phone": "512-555-0101"}, "items": [{"sku": "M1", "name": "Mango box", "quantity": 2, "unitPrice": 80.0}]}"#;
        let e = events(Provider::Shipstation, jsonl);
        let order = e[0].order.as_ref().expect("order");
        assert_eq!(order.external_id, "TEST-ORDER-1");
        assert_eq!(order.total_cents, 19443);
        assert_eq!(order.items[0].price_cents, 8000);
        assert_eq!(e[0].identifiers.email.as_deref(), Some("ana@example.com"));
        assert_eq!(
            e[0].identifiers.external.as_ref().map(|x| x.id.as_str()),
            Some("37701499")
        );
    }

    #[test]
    fn unreadable_rows_are_reported_by_line_and_the_rest_read() {
        let csv = "Customer ID,Email\n1,a@example.com\n,\n3,c@example.com\n";
        let rows = read_export(Provider::Shopify, csv.as_bytes(), now()).expect("readable");
        // The empty row has no identifier; it is reported, the others are read.
        let bad: Vec<usize> = rows
            .iter()
            .filter(|(_, r)| r.is_err())
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(bad, vec![3]);
        let dates = read_export(
            Provider::Amazon,
            b"order-id\tpurchase-date\n1\tyesterday\n",
            now(),
        )
        .expect("readable");
        assert!(dates[0].1.as_ref().is_err_and(|e| e.contains("not a date")));
    }

    #[test]
    fn authority_orders_qbo_before_shopify_before_amazon_before_shipstation() {
        let mut p = vec![
            Provider::Shipstation,
            Provider::Amazon,
            Provider::Qbo,
            Provider::Shopify,
        ];
        p.sort();
        assert_eq!(
            p,
            vec![
                Provider::Qbo,
                Provider::Shopify,
                Provider::Amazon,
                Provider::Shipstation
            ]
        );
    }
}
