//! What providers send, read as events. Pure: a payload or an export's record in, events out.
//! A provider that reaches Spine by more than one path (Shopify: its webhooks, its CSV export,
//! its API's JSON) is read by one module, so the same order or customer means the same event,
//! under the same key, whichever way it came.

pub mod shopify;

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::types::{Channel, Direction, EventInput, IdentifiersInput, InteractionKind, OrderInput};

/// A field of a payload that cannot be read: which one (as the payload names it), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for Invalid {}

/// A provider's customer record as an event: an internal note that resolves the customer's
/// identifiers, keyed so that the same record twice is one note.
pub fn customer_record(
    provider: &str,
    occurred_at: DateTime<Utc>,
    body: String,
    key: String,
    identifiers: IdentifiersInput,
    payload: Option<serde_json::Value>,
) -> EventInput {
    EventInput {
        sentiment: None,
        campaign: None,
        channel: Channel::Note,
        direction: Direction::Internal,
        kind: InteractionKind::Note,
        occurred_at,
        body: Some(body),
        external_id: Some(key),
        identifiers,
        order: None,
        source: Some(provider.to_owned()),
        payload,
        custom: None,
    }
}

/// An order as an event: an order interaction of the order's provider, carrying the order.
pub fn order_record(
    occurred_at: DateTime<Utc>,
    body: String,
    key: String,
    identifiers: IdentifiersInput,
    order: OrderInput,
    payload: Option<serde_json::Value>,
) -> EventInput {
    EventInput {
        sentiment: None,
        campaign: None,
        channel: Channel::Order,
        direction: Direction::Inbound,
        kind: InteractionKind::Order,
        occurred_at,
        body: Some(body),
        external_id: Some(key),
        identifiers,
        source: Some(order.provider.clone()),
        order: Some(order),
        payload,
        custom: None,
    }
}

/// A decimal amount in hundredths, without a float: "49.99" → 4999, "$1,234.50" → 123450,
/// "-3.10" → -310, "12" → 1200. A third decimal (three-decimal currencies) rounds half up; a
/// leading currency sign and thousands commas are allowed. `None` when the text is not an amount
/// (a decimal comma such as "12,50" included: it would be read a hundred times too large).
pub fn cents(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let text = text.trim_start_matches(['$', '€', '£', '¥']).trim_start();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) if !negative => (true, rest),
        Some(_) => return None,
        None => (negative, text),
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    // Thousands commas sit between groups of three digits, never at either end.
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped = groups.len() > 1;
    if groups.iter().enumerate().any(|(i, group)| {
        group.is_empty()
            || !group.chars().all(|c| c.is_ascii_digit())
            || (grouped && i > 0 && group.len() != 3)
            || (grouped && i == 0 && group.len() > 3)
    }) {
        return None;
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = groups.concat().parse().ok()?;
    let mut digits = fraction.chars().filter_map(|c| c.to_digit(10));
    let tenths = i64::from(digits.next().unwrap_or(0));
    let hundredths = i64::from(digits.next().unwrap_or(0));
    let round_up = digits.next().is_some_and(|d| d >= 5);
    let value = whole
        .checked_mul(100)?
        .checked_add(tenths * 10 + hundredths + i64::from(round_up))?;
    Some(if negative { -value } else { value })
}

/// A time as providers write them: RFC 3339, Shopify's export "2024-01-05 10:00:00 -0500", a
/// naive "2024-01-05 10:00:00" (taken as UTC), or a date alone ("2024-01-05", "01/05/2024").
pub fn time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .ok()
        .or_else(|| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %z").ok())
        .map(|t| t.with_timezone(&Utc))
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
                .ok()
                .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok())
                .map(|t| t.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .or_else(|| NaiveDate::parse_from_str(text, "%m/%d/%Y").ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_become_hundredths_without_floats() {
        let cases = [
            ("49.99", Some(4999)),
            ("388.00", Some(38800)),
            ("12", Some(1200)),
            ("0.5", Some(50)),
            ("1.235", Some(124)),
            ("1.234", Some(123)),
            ("-3.10", Some(-310)),
            ("$1,234.00", Some(123_400)),
            ("-$5", Some(-500)),
            ("$-5", Some(-500)),
            (" 7.25 ", Some(725)),
            ("0.29", Some(29)),
            ("1,234,567.89", Some(123_456_789)),
            ("abc", None),
            ("1.2.3", None),
            ("12,50", None),
            ("1,23", None),
            (",123", None),
            ("", None),
            ("-", None),
            ("--5", None),
            ("92233720368547758.07", Some(i64::MAX)),
            ("92233720368547758.08", None),
        ];
        for (amount, expected) in cases {
            assert_eq!(cents(amount), expected, "{amount:?}");
        }
    }
}
