//! A list of customers, as a filter: what `/customers`, `GET /api/v1/customers` and saved views
//! share. It is read from and written to a URL query string, so a list can be bookmarked, shared,
//! saved as a view and opened without JavaScript, and the API takes the very same parameters.
//!
//! Every value a caller sends is checked here (known stages and channels, dates as `YYYY-MM-DD`,
//! bounded lengths and counts) before any of it reaches the store, which binds each one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::types::{Channel, LifecycleStage, ListSort};

/// At most this many values per filter (tags, stages, sources, channels).
pub const MAX_VALUES: usize = 20;
/// At most this many characters per value.
pub const MAX_VALUE_CHARS: usize = 200;

/// Which customers a list holds and in what order. The default is every active profile, most
/// recently active first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFilter {
    /// A search-box query (name, email, phone, handle, order number); empty lists everyone.
    pub q: String,
    /// Any of these stages.
    pub stages: Vec<LifecycleStage>,
    /// Tagged with any of these (or all of them, with `all_tags`).
    pub tags: Vec<String>,
    pub all_tags: bool,
    /// Reached us through any of these sources (`shopify`, `webchat`, `import`...).
    pub sources: Vec<String>,
    /// Brought by this campaign (first touch).
    pub campaign: Option<String>,
    /// Has used any of these channels.
    pub channels: Vec<Channel>,
    /// Last active on or after / on or before these days (UTC).
    pub seen_from: Option<NaiveDate>,
    pub seen_to: Option<NaiveDate>,
    /// First seen (created) on or after / on or before these days (UTC).
    pub created_from: Option<NaiveDate>,
    pub created_to: Option<NaiveDate>,
    /// Has a conversation not yet resolved.
    pub open_conversation: bool,
    /// Is the subject or a candidate of a review item still open.
    pub pending_review: bool,
    /// Conditions on custom fields.
    pub custom: Vec<FieldFilter>,
    pub sort: ListSort,
}

/// A condition on a custom field: `cf.KEY=value` (equal), `cf.KEY.min=` and `cf.KEY.max=` (a
/// number or a day, inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldFilter {
    pub key: String,
    pub op: FieldOp,
    pub value: String,
    /// Compared as a number (the field is one); set by the server from the field's kind.
    #[serde(default)]
    pub numeric: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldOp {
    Eq,
    Min,
    Max,
}

impl FieldFilter {
    /// The query parameter's name.
    pub fn param(&self) -> String {
        match self.op {
            FieldOp::Eq => format!("cf.{}", self.key),
            FieldOp::Min => format!("cf.{}.min", self.key),
            FieldOp::Max => format!("cf.{}.max", self.key),
        }
    }
}

/// A custom field's key as a parameter names it: 1 to 40 of `a-z`, `0-9`, `_`.
fn field_key(text: &str) -> Option<&str> {
    (!text.is_empty()
        && text.len() <= 40
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
    .then_some(text)
}

/// Counted up to a cap: `n` exactly, or "more than `n`" when `more`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListCount {
    pub n: u64,
    pub more: bool,
}

impl ListCount {
    /// From a count taken with `limit cap + 1`.
    pub fn capped(counted: i64, cap: i64) -> ListCount {
        let counted = counted.max(0);
        ListCount {
            n: u64::try_from(counted.min(cap)).unwrap_or(0),
            more: counted > cap,
        }
    }

    /// "1 customer", "2,345 customers", "more than 10,000 customers".
    pub fn label(&self, one: &str, many: &str) -> String {
        let noun = if self.n == 1 && !self.more { one } else { many };
        let n = thousands(self.n);
        if self.more {
            format!("more than {n} {noun}")
        } else {
            format!("{n} {noun}")
        }
    }

    /// "2,345", or "10,000+".
    pub fn short(&self) -> String {
        let n = thousands(self.n);
        if self.more { format!("{n}+") } else { n }
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One page of a customer list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerList {
    pub filter: CustomerFilter,
    /// The server's clock, so "3 days ago" reads the same rendered on either side.
    pub now: chrono::DateTime<chrono::Utc>,
    pub customers: Vec<crate::types::CustomerSummary>,
    pub total: ListCount,
    /// The id the next page starts after; `None` on the last page.
    pub next: Option<uuid::Uuid>,
    /// This page starts after a previous one.
    pub continued: bool,
}

/// A list someone saved, with how many it holds now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedView {
    pub id: uuid::Uuid,
    pub name: String,
    /// The list's query string (`stage=lead&tag=vip`).
    pub query: String,
    /// Shared with the whole team (else the person's own).
    pub shared: bool,
    /// The person reading may delete it.
    pub deletable: bool,
    pub count: ListCount,
}

impl SavedView {
    pub fn url(&self) -> String {
        if self.query.is_empty() {
            "/customers".to_owned()
        } else {
            format!("/customers?{}", self.query)
        }
    }
}

/// What a bulk action does to each profile of a list or a selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BulkAction {
    AddTags { tags: Vec<String> },
    RemoveTags { tags: Vec<String> },
    SetStage { stage: LifecycleStage },
}

/// What a bulk action did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub changed: u64,
    /// Already as asked.
    pub unchanged: u64,
    /// Left alone: the change would pass the limit of tags a profile holds.
    pub skipped: u64,
}

/// A list export's progress, and where to download it when done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportStatus {
    pub id: uuid::Uuid,
    /// "running", "succeeded" or "failed".
    pub status: String,
    pub done: u64,
    pub total: u64,
    pub description: String,
    pub error: Option<String>,
    /// The CSV's address, once it is written.
    pub download: Option<String>,
}

/// A parameter a list does not accept, named for the error a person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FilterError {}

fn invalid(field: &str, message: impl Into<String>) -> FilterError {
    FilterError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The parameters a list takes besides its filter (paging), which the parser leaves alone.
const PAGING: [&str; 3] = ["after", "limit", "offset"];

impl CustomerFilter {
    /// Reads a filter from query parameters (repeated keys for several values). Empty values are
    /// absent (a form sends its empty fields); unknown keys are refused, so a misspelt filter
    /// never silently lists everyone.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<CustomerFilter, FilterError> {
        let mut filter = CustomerFilter::default();
        let mut tag_params = 0;
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() || PAGING.contains(&key) {
                continue;
            }
            if value.chars().count() > MAX_VALUE_CHARS || value.chars().any(char::is_control) {
                return Err(invalid(
                    key,
                    format!("at most {MAX_VALUE_CHARS} printable characters"),
                ));
            }
            match key {
                "q" => filter.q = value.to_owned(),
                "stage" => {
                    let stage = LifecycleStage::parse(value).ok_or_else(|| {
                        invalid(
                            "stage",
                            format!("one of {}", LifecycleStage::NAMES.join(", ")),
                        )
                    })?;
                    push_unique(&mut filter.stages, stage, "stage")?;
                }
                "tag" => {
                    tag_params += 1;
                    if tag_params > MAX_VALUES {
                        return Err(invalid("tag", format!("at most {MAX_VALUES} values")));
                    }
                    // Several tags in one value, separated by commas, as a person types them
                    // (bounded by the value's length).
                    for tag in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                        let tag = tag.to_lowercase();
                        if !filter.tags.contains(&tag) {
                            filter.tags.push(tag);
                        }
                    }
                }
                "tags" => {
                    filter.all_tags = match value {
                        "any" => false,
                        "all" => true,
                        _ => return Err(invalid("tags", "any or all")),
                    }
                }
                "source" => push_unique(&mut filter.sources, value.to_lowercase(), "source")?,
                "campaign" => filter.campaign = Some(value.to_owned()),
                "channel" => {
                    let channel = Channel::parse(value).ok_or_else(|| {
                        invalid("channel", format!("one of {}", Channel::NAMES.join(", ")))
                    })?;
                    push_unique(&mut filter.channels, channel, "channel")?;
                }
                "seen_from" => filter.seen_from = Some(date(key, value)?),
                "seen_to" => filter.seen_to = Some(date(key, value)?),
                "created_from" => filter.created_from = Some(date(key, value)?),
                "created_to" => filter.created_to = Some(date(key, value)?),
                "open" => filter.open_conversation = yes(key, value)?,
                "review" => filter.pending_review = yes(key, value)?,
                "sort" => {
                    filter.sort = ListSort::parse(value).ok_or_else(|| {
                        invalid("sort", format!("one of {}", ListSort::NAMES.join(", ")))
                    })?
                }
                _ if key.starts_with("cf.") => {
                    let name = &key[3..];
                    let (name, op) = if let Some(k) = name.strip_suffix(".min") {
                        (k, FieldOp::Min)
                    } else if let Some(k) = name.strip_suffix(".max") {
                        (k, FieldOp::Max)
                    } else {
                        (name, FieldOp::Eq)
                    };
                    let name = field_key(name)
                        .ok_or_else(|| invalid(key, "a custom field's key (a-z, 0-9, _)"))?;
                    let condition = FieldFilter {
                        key: name.to_owned(),
                        op,
                        value: value.to_owned(),
                        numeric: false,
                    };
                    filter.custom.retain(|c| c.param() != condition.param());
                    push_unique(&mut filter.custom, condition, "cf")?;
                }
                _ => return Err(invalid(key, "not a filter a list knows")),
            }
        }
        // A range that ends before it starts holds nobody: an empty list, not an error.
        Ok(filter)
    }

    /// Reads a filter from a query string (`stage=lead&tag=vip`), with or without its `?`.
    pub fn from_query(query: &str) -> Result<CustomerFilter, FilterError> {
        let pairs = parse_query(query.strip_prefix('?').unwrap_or(query))?;
        CustomerFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The filter as query parameters, in one canonical order, defaults left out.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(&'static str, String)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        pairs.extend(self.stages.iter().map(|s| ("stage", s.as_str().to_owned())));
        pairs.extend(self.tags.iter().map(|t| ("tag", t.clone())));
        if self.all_tags && self.tags.len() > 1 {
            pairs.push(("tags", "all".to_owned()));
        }
        pairs.extend(self.sources.iter().map(|s| ("source", s.clone())));
        if let Some(campaign) = &self.campaign {
            pairs.push(("campaign", campaign.clone()));
        }
        pairs.extend(
            self.channels
                .iter()
                .map(|c| ("channel", c.as_str().to_owned())),
        );
        for (key, day) in [
            ("seen_from", self.seen_from),
            ("seen_to", self.seen_to),
            ("created_from", self.created_from),
            ("created_to", self.created_to),
        ] {
            if let Some(day) = day {
                pairs.push((key, day.format("%Y-%m-%d").to_string()));
            }
        }
        if self.open_conversation {
            pairs.push(("open", "1".to_owned()));
        }
        if self.pending_review {
            pairs.push(("review", "1".to_owned()));
        }
        let mut pairs: Vec<(String, String)> =
            pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        pairs.extend(self.custom.iter().map(|c| (c.param(), c.value.clone())));
        if self.sort != ListSort::default() {
            pairs.push(("sort".to_owned(), self.sort.as_str().to_owned()));
        }
        pairs
    }

    /// The filter as a query string (without `?`), percent-encoded; empty for the default list.
    pub fn to_query(&self) -> String {
        self.to_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The `/customers` address of this list.
    pub fn url(&self) -> String {
        let query = self.to_query();
        if query.is_empty() {
            "/customers".to_owned()
        } else {
            format!("/customers?{query}")
        }
    }

    /// Whether anything narrows the list (the search query included); the order does not.
    pub fn narrows(&self) -> bool {
        let mut plain = self.clone();
        plain.sort = ListSort::default();
        plain != CustomerFilter::default()
    }

    /// The filter in words, for a heading or an audit entry: "stage lead; tagged vip or gold".
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("matching “{}”", self.q));
        }
        if !self.stages.is_empty() {
            let stages: Vec<&str> = self.stages.iter().map(LifecycleStage::as_str).collect();
            parts.push(format!("stage {}", stages.join(" or ")));
        }
        if !self.tags.is_empty() {
            let joint = if self.all_tags { " and " } else { " or " };
            parts.push(format!("tagged {}", self.tags.join(joint)));
        }
        if !self.sources.is_empty() {
            parts.push(format!("from {}", self.sources.join(" or ")));
        }
        if let Some(campaign) = &self.campaign {
            parts.push(format!("campaign {campaign}"));
        }
        if !self.channels.is_empty() {
            let channels: Vec<&str> = self.channels.iter().map(Channel::label).collect();
            parts.push(format!("used {}", channels.join(" or ")));
        }
        for (label, from, to) in [
            ("active", self.seen_from, self.seen_to),
            ("first seen", self.created_from, self.created_to),
        ] {
            match (from, to) {
                (Some(from), Some(to)) => parts.push(format!("{label} {from} to {to}")),
                (Some(from), None) => parts.push(format!("{label} since {from}")),
                (None, Some(to)) => parts.push(format!("{label} until {to}")),
                (None, None) => {}
            }
        }
        if self.open_conversation {
            parts.push("with an open conversation".to_owned());
        }
        if self.pending_review {
            parts.push("waiting in review".to_owned());
        }
        for c in &self.custom {
            let op = match c.op {
                FieldOp::Eq => "is",
                FieldOp::Min => "≥",
                FieldOp::Max => "≤",
            };
            parts.push(format!("{} {op} {}", c.key, c.value));
        }
        if parts.is_empty() {
            "everyone".to_owned()
        } else {
            parts.join("; ")
        }
    }
}

fn push_unique<T: PartialEq>(
    values: &mut Vec<T>,
    value: T,
    field: &str,
) -> Result<(), FilterError> {
    if !values.contains(&value) {
        if values.len() >= MAX_VALUES {
            return Err(invalid(field, format!("at most {MAX_VALUES} values")));
        }
        values.push(value);
    }
    Ok(())
}

fn date(field: &str, value: &str) -> Result<NaiveDate, FilterError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| invalid(field, "a day as YYYY-MM-DD"))
}

fn yes(field: &str, value: &str) -> Result<bool, FilterError> {
    match value {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(invalid(field, "1 or 0")),
    }
}

/// `application/x-www-form-urlencoded` pairs, decoded (`+` is a space).
fn parse_query(query: &str) -> Result<Vec<(String, String)>, FilterError> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            Ok((decode(key)?, decode(value)?))
        })
        .collect()
}

fn decode(text: &str) -> Result<String, FilterError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| invalid("query", "a broken %-escape"))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| invalid("query", "not UTF-8"))
}

fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_reads_back_from_its_own_query() {
        let query = "q=Ana+L%C3%B3pez&stage=lead&stage=customer&tag=vip&tag=gold+tier&tags=all\
                     &source=shopify&campaign=spring%2Fsale&channel=whatsapp&seen_from=2026-01-01\
                     &seen_to=2026-02-01&created_to=2025-12-31&open=1&review=1&sort=name";
        let filter = CustomerFilter::from_query(query).expect("valid");
        assert_eq!(filter.q, "Ana López");
        assert_eq!(
            filter.stages,
            [LifecycleStage::Lead, LifecycleStage::Customer]
        );
        assert_eq!(filter.tags, ["vip", "gold tier"]);
        assert!(filter.all_tags && filter.open_conversation && filter.pending_review);
        assert_eq!(filter.campaign.as_deref(), Some("spring/sale"));
        assert_eq!(filter.sort, ListSort::Name);
        assert_eq!(CustomerFilter::from_query(&filter.to_query()), Ok(filter));
    }

    #[test]
    fn empty_form_fields_are_absent_and_the_default_list_has_no_query() {
        let filter =
            CustomerFilter::from_query("q=&stage=&campaign=&seen_from=&after=x").expect("valid");
        assert_eq!(filter, CustomerFilter::default());
        assert!(!filter.narrows());
        assert_eq!(filter.url(), "/customers");
        assert_eq!(filter.describe(), "everyone");
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        for (query, field) in [
            ("stage=vip", "stage"),
            ("channel=pigeon", "channel"),
            ("seen_from=01/02/2026", "seen_from"),
            ("tags=some", "tags"),
            ("sort=random", "sort"),
            ("open=maybe", "open"),
            ("stages=lead", "stages"),
            ("tag=%ZZ", "query"),
            ("tag=a%0Ab", "tag"),
        ] {
            let err = CustomerFilter::from_query(query).expect_err(query);
            assert_eq!(err.field, field, "{query}");
        }
        let many = (0..=MAX_VALUES)
            .map(|i| format!("tag=t{i}"))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(
            CustomerFilter::from_query(&many)
                .expect_err("too many")
                .field,
            "tag"
        );
        let long = format!("campaign={}", "x".repeat(MAX_VALUE_CHARS + 1));
        assert!(CustomerFilter::from_query(&long).is_err());
    }

    #[test]
    fn custom_field_conditions_read_back_and_refuse_bad_keys() {
        let filter =
            CustomerFilter::from_query("cf.loyalty_tier=gold&cf.spend.min=100&cf.spend.max=500")
                .expect("valid");
        assert_eq!(filter.custom.len(), 3);
        assert_eq!(filter.custom[1].op, FieldOp::Min);
        assert_eq!(
            filter.describe(),
            "loyalty_tier is gold; spend ≥ 100; spend ≤ 500"
        );
        assert_eq!(CustomerFilter::from_query(&filter.to_query()), Ok(filter));
        // The same parameter twice: the last one counts.
        let twice = CustomerFilter::from_query("cf.tier=a&cf.tier=b").expect("valid");
        assert_eq!(twice.custom.len(), 1);
        assert_eq!(twice.custom[0].value, "b");
        for bad in ["cf.=x", "cf.Tier=x", "cf.a%20b=x", "cf.x.avg=1"] {
            assert!(CustomerFilter::from_query(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags_are_lowercased_split_on_commas_and_deduplicated() {
        let filter = CustomerFilter::from_query("tag=VIP,%20Gold&tag=vip").expect("valid");
        assert_eq!(filter.tags, ["vip", "gold"]);
        assert_eq!(filter.describe(), "tagged vip or gold");
    }
}
