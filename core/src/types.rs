//! The domain vocabulary that crosses the wire: API bodies, server-function results, CLI output.
//! Plain serde types, compiled for the browser too, so nothing here touches the database.
//! Under the `openapi` feature they also describe themselves for the API document; an `Option` in
//! a response is marked `required` there because serde always writes it (as `null` when empty).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Defines a closed, string-backed enum: serde names, `as_str`, `parse` and `ALL` agree by construction.
macro_rules! string_enum {
    // `$text:tt`, not `:literal`: a `literal` fragment reaches derive macros wrapped in an
    // invisible group, which utoipa does not read as a string, so the schema lost the renames.
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The names of [`Self::ALL`], in the same order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// Where an interaction happened.
    Channel {
        Sms => "sms",
        Email => "email",
        Whatsapp => "whatsapp",
        Instagram => "instagram",
        Facebook => "facebook",
        Webchat => "webchat",
        Phone => "phone",
        Booking => "booking",
        Order => "order",
        Note => "note",
    }
);

impl Channel {
    /// Human label for the console.
    pub fn label(&self) -> &'static str {
        match self {
            Channel::Sms => "SMS",
            Channel::Email => "Email",
            Channel::Whatsapp => "WhatsApp",
            Channel::Instagram => "Instagram",
            Channel::Facebook => "Facebook",
            Channel::Webchat => "Web chat",
            Channel::Phone => "Phone",
            Channel::Booking => "Booking",
            Channel::Order => "Order",
            Channel::Note => "Note",
        }
    }
}

string_enum!(
    Direction {
        Inbound => "inbound",
        Outbound => "outbound",
        Internal => "internal",
    }
);

impl Direction {
    /// Who said it, as transcripts and the context write it: "customer", "us" or "note".
    pub fn speaker(&self) -> &'static str {
        match self {
            Direction::Inbound => "customer",
            Direction::Outbound => "us",
            Direction::Internal => "note",
        }
    }

    /// The speaker of a stored direction ("inbound"...); anything else is a note.
    pub fn speaker_of(direction: &str) -> &'static str {
        Direction::parse(direction).map_or("note", |d| d.speaker())
    }
}

string_enum!(
    InteractionKind {
        Message => "message",
        Call => "call",
        Order => "order",
        Booking => "booking",
        Note => "note",
    }
);

string_enum!(
    LifecycleStage {
        Prospect => "prospect",
        Lead => "lead",
        Customer => "customer",
        Churned => "churned",
    }
);

string_enum!(
    /// What a custom field holds.
    FieldKind {
        Text => "text",
        Number => "number",
        Date => "date",
        YesNo => "yes_no",
        Choice => "choice",
    }
);

impl FieldKind {
    pub fn label(&self) -> &'static str {
        match self {
            FieldKind::Text => "Text",
            FieldKind::Number => "Number",
            FieldKind::Date => "Date",
            FieldKind::YesNo => "Yes/no",
            FieldKind::Choice => "One of a list",
        }
    }
}

/// A tenant's own attribute of a person ("Allergies", "Loyalty tier"). Values are JSON: a
/// string (text, one of `choices`, a date as `YYYY-MM-DD`), a number, or `true`/`false`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomField {
    /// The name values are set and filtered by (`loyalty_tier`), made from the label.
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    /// For `choice`: the allowed values.
    pub choices: Vec<String>,
}

string_enum!(
    /// The order of a customer list.
    ListSort {
        Activity => "activity",
        Name => "name",
        Created => "created",
    }
);

impl Default for ListSort {
    /// Most recently active first: who a team is talking to now.
    fn default() -> ListSort {
        ListSort::Activity
    }
}

string_enum!(
    /// Staff roles; what each may do is decided in the services, not in the pages.
    Role {
        Admin => "admin",
        Manager => "manager",
        Agent => "agent",
    }
);

string_enum!(
    /// The outcome of resolving one incoming set of identifiers.
    Decision {
        Created => "created",
        Linked => "linked",
        Review => "review",
        Ambiguous => "ambiguous",
    }
);

string_enum!(
    ReviewStatus {
        Pending => "pending",
        Merged => "merged",
        Rejected => "rejected",
        Deferred => "deferred",
    }
);

string_enum!(
    Verification {
        Unverified => "unverified",
        Verified => "verified",
    }
);

string_enum!(
    /// How an identity was learned, weakest first; it decides what the identity may be used
    /// for. A sign-in code goes only to an identity that is asserted or verified.
    /// `claimed`: written in a message, or typed into a form, by whoever wrote it;
    /// `staff`: entered by a member of staff; `asserted`: the channel's own address for a
    /// message (an SMS sender, an email's From, a store's customer email) or a provider's
    /// account id; `verified`: the customer proved they receive at it (a sign-in code), or
    /// staff marked it so.
    Assurance {
        Claimed => "claimed",
        Staff => "staff",
        Asserted => "asserted",
        Verified => "verified",
    }
);

impl Assurance {
    /// For the console: how the identity was learned, in words.
    pub fn label(&self) -> &'static str {
        match self {
            Assurance::Claimed => "claimed by the sender",
            Assurance::Staff => "entered by staff",
            Assurance::Asserted => "asserted by the channel",
            Assurance::Verified => "verified by the customer",
        }
    }

    /// Whether a sign-in code may be sent to it.
    pub fn can_sign_in(&self) -> bool {
        *self >= Assurance::Asserted
    }
}

string_enum!(
    /// What an API key may do, chosen when it is created: `ingest` sends events and asks
    /// find-or-create; `read` searches and reads profiles, timelines, context and the review
    /// queue; `manage` changes profiles, conversations, merges and review decisions; `privacy`
    /// exports, deletes, restores and erases a person's data.
    ApiScope {
        Ingest => "ingest",
        Read => "read",
        Manage => "manage",
        Privacy => "privacy",
    }
);

impl ApiScope {
    /// Parses a list such as `ingest read` or `ingest,read`.
    pub fn parse_list(text: &str) -> Option<Vec<ApiScope>> {
        let mut scopes: Vec<ApiScope> = Vec::new();
        for word in text.split([' ', ',']).filter(|w| !w.is_empty()) {
            let scope = ApiScope::parse(word)?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        scopes.sort();
        Some(scopes)
    }

    /// The list as stored and shown: `ingest read`.
    pub fn join(scopes: &[ApiScope]) -> String {
        scopes
            .iter()
            .map(ApiScope::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// An email address or phone number a message mentioned that was not attached to the message's
/// profile: anyone can write anything in a message. Shown to agents with the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Claim {
    /// `email` or `phone`.
    pub kind: String,
    /// Normalized: lowercase address, E.164 number.
    pub value: String,
    /// Another active profile that holds it, when one does (a review item was queued).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required))]
    pub holder: Option<Uuid>,
}

/// A social handle as an integrator sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandleInput {
    pub platform: String,
    pub handle: String,
}

/// A provider's own id for the person (Shopify customer id, QuickBooks id...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExternalInput {
    pub provider: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressInput {
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

/// Everything an event says about who sent it. All optional: a DM may carry only a handle.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentifiersInput {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub login: Option<String>,
    #[serde(default)]
    pub handle: Option<HandleInput>,
    #[serde(default)]
    pub external: Option<ExternalInput>,
    #[serde(default)]
    pub address: Option<AddressInput>,
}

/// An order carried by an event of kind `order`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderInput {
    pub provider: String,
    pub external_id: String,
    #[serde(default)]
    pub total_cents: i64,
    #[serde(default = "default_currency")]
    pub currency: String,
    #[serde(default = "default_order_status")]
    pub status: String,
    #[serde(default)]
    pub items: Vec<OrderItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderItem {
    pub name: String,
    #[serde(default = "one")]
    pub quantity: i64,
    #[serde(default)]
    pub price_cents: i64,
}

fn default_currency() -> String {
    "USD".to_owned()
}
fn default_order_status() -> String {
    "placed".to_owned()
}
fn one() -> i64 {
    1
}

/// One interaction as it arrives (API, webhook, import, demo data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventInput {
    pub channel: Channel,
    pub direction: Direction,
    pub kind: InteractionKind,
    pub occurred_at: DateTime<Utc>,
    /// The message text (at most 64 KiB); identifiers written in it are extracted too.
    #[serde(default)]
    pub body: Option<String>,
    /// The provider's message id (1 to 255 characters): the idempotency key within the channel.
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub identifiers: IdentifiersInput,
    /// Required when `kind` is `order`.
    #[serde(default)]
    pub order: Option<OrderInput>,
    /// Where the profile came from (campaign, integration), kept in the profile's sources.
    #[serde(default)]
    pub source: Option<String>,
    /// Anything else the integration wants kept with the interaction, as it was sent.
    #[serde(default)]
    pub payload: Option<serde_json::Value>,
    /// How the customer sounded, from -1 (negative) to 1 (positive), when the integration
    /// scored the message (a chatbot's sentiment model, a survey answer). Charted per day.
    #[serde(default)]
    pub sentiment: Option<f64>,
    /// The marketing campaign that brought the person (an `utm_campaign`, at most 100
    /// characters): kept on the profile this event creates (first touch).
    #[serde(default)]
    pub campaign: Option<String>,
    /// Custom field values to set on the profile, by key (`{"allergies": "peanuts"}`; `null`
    /// clears one). An unknown field or a value of the wrong kind refuses the event.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<std::collections::BTreeMap<String, serde_json::Value>>,
}

/// What ingesting one event did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestOutcome {
    pub customer_id: Uuid,
    pub interaction_id: Uuid,
    pub decision: Decision,
    pub matched_by: Vec<String>,
    pub confidence: f64,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub review_item_id: Option<Uuid>,
    /// True when the event had been ingested before (same provider message id): nothing was written.
    pub duplicate: bool,
}

/// A row in search results and lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerSummary {
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub display_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub email_masked: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub phone_masked: Option<String>,
    pub lifecycle_stage: LifecycleStage,
    pub channels: Vec<Channel>,
    /// The profile's tags.
    #[serde(default)]
    pub tags: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub last_seen_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preferences {
    #[cfg_attr(feature = "openapi", schema(required))]
    pub preferred_channel: Option<Channel>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub timezone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub language: Option<String>,
    pub marketing_opt_in: bool,
    /// Notification settings: a JSON object, `{}` until set.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub notifications: serde_json::Value,
}

/// Which messages a person wants from the business, by kind (the customer sets them on `/me`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPrefs {
    /// Order confirmations, shipping and delivery.
    pub order_updates: bool,
    /// Reminders before a booking.
    pub appointment_reminders: bool,
    /// News and offers (marketing consent is separate: `marketing_opt_in`).
    pub product_news: bool,
}

impl NotificationPrefs {
    /// The stored JSON read leniently: a missing kind is off.
    pub fn from_json(value: &serde_json::Value) -> NotificationPrefs {
        let on = |key: &str| value.get(key).and_then(|v| v.as_bool()).unwrap_or(false);
        NotificationPrefs {
            order_updates: on("order_updates"),
            appointment_reminders: on("appointment_reminders"),
            product_news: on("product_news"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityView {
    pub id: Uuid,
    pub kind: String,
    pub provider: String,
    pub value: String,
    pub confidence: f64,
    /// `verified` when `assurance` is; kept for clients that read it.
    pub verification: Verification,
    pub assurance: Assurance,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerProfile {
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub display_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub given_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub family_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub primary_email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub primary_phone: Option<String>,
    pub lifecycle_stage: LifecycleStage,
    pub tags: Vec<String>,
    pub sources: Vec<String>,
    pub preferences: Preferences,
    pub identities: Vec<IdentityView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Set while the profile is soft-deleted (hidden from lists and search, restorable).
    #[cfg_attr(feature = "openapi", schema(required))]
    pub deleted_at: Option<DateTime<Utc>>,
    /// The source that created the profile ("chatbot", "shopify"): the first of `sources`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub created_via: Option<String>,
    /// The source of the latest event that reached it.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub last_updated_via: Option<String>,
    pub orders: OrderSummary,
    /// The tenant's custom fields this profile has a value for, by key.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: std::collections::BTreeMap<String, serde_json::Value>,
}

/// What a customer has ordered, from every store that sent orders (merged profiles' included).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderSummary {
    pub order_count: i64,
    /// Spent per currency, largest first (amounts in different currencies are not added up);
    /// cancelled, refunded and voided orders count as orders but not as spending.
    pub total_spent: Vec<MoneyTotal>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub first_order_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub last_order_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoneyTotal {
    /// ISO 4217, as the orders gave it.
    pub currency: String,
    /// In the currency's minor unit (cents).
    pub cents: i64,
    pub orders: i64,
}

/// One currency's orders of a profile: (currency, orders, cents spent, first placed, last placed).
pub type CurrencyTotals = (String, i64, i64, DateTime<Utc>, DateTime<Utc>);

impl OrderSummary {
    /// From per-currency rows.
    pub fn from_totals(rows: Vec<CurrencyTotals>) -> OrderSummary {
        let mut summary = OrderSummary::default();
        for (currency, orders, cents, first, last) in rows {
            summary.order_count += orders;
            summary.first_order_at = Some(summary.first_order_at.map_or(first, |f| f.min(first)));
            summary.last_order_at = Some(summary.last_order_at.map_or(last, |l| l.max(last)));
            summary.total_spent.push(MoneyTotal {
                currency,
                cents,
                orders,
            });
        }
        summary.total_spent.sort_by(|a, b| {
            b.cents
                .cmp(&a.cents)
                .then_with(|| a.currency.cmp(&b.currency))
        });
        summary
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub id: Uuid,
    pub channel: Channel,
    pub direction: Direction,
    pub kind: InteractionKind,
    pub occurred_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub body: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub thread_id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub payload: Option<serde_json::Value>,
    /// Its conversation was archived: the text (body and payload) is in the thread's
    /// transcript, `GET /api/v1/threads/{thread_id}/transcript`.
    #[serde(default)]
    pub archived: bool,
    /// Contact details the message mentioned that were not attached to this profile.
    #[serde(default)]
    pub claims: Vec<Claim>,
}

/// A UUID in the hyphenated form only, the one form Spine writes (the simple, braced and URN
/// forms that `Uuid::parse_str` also reads have other lengths).
pub fn parse_hyphenated_uuid(raw: &str) -> Option<Uuid> {
    (raw.len() == 36)
        .then(|| Uuid::parse_str(raw).ok())
        .flatten()
}

/// Where a page of a timeline ends: the last entry's time and id, written `{micros}_{uuid}`
/// (microseconds since 1970, then the hyphenated id). The API and the console pass it back to
/// ask for the next page; anything else is not a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineCursor {
    pub occurred_at: DateTime<Utc>,
    pub id: Uuid,
}

impl TimelineCursor {
    /// The cursor's exact form, as a regular expression (the API document states it).
    pub const PATTERN: &str = "^-?[0-9]{1,16}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

    /// The cursor that continues after this entry.
    pub fn after(entry: &TimelineEntry) -> TimelineCursor {
        TimelineCursor {
            occurred_at: entry.occurred_at,
            id: entry.id,
        }
    }

    /// Reads a cursor in exactly the form [`Display`](std::fmt::Display) writes.
    pub fn parse(raw: &str) -> Option<TimelineCursor> {
        let (micros, id) = raw.split_once('_')?;
        let digits = micros.strip_prefix('-').unwrap_or(micros);
        if digits.is_empty() || digits.len() > 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(TimelineCursor {
            occurred_at: DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?,
            id: parse_hyphenated_uuid(id)?,
        })
    }
}

impl std::fmt::Display for TimelineCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.occurred_at.timestamp_micros(), self.id)
    }
}

/// Counts shown on the console's home page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TenantStats {
    pub tenant_name: String,
    pub customers: i64,
    pub identities: i64,
    pub interactions: i64,
    pub orders: i64,
    pub pending_reviews: i64,
}

// --- The customer page: possible duplicates, merge history and the page itself ---

/// One comparison that agreed between two profiles, as the engine weighed it: an identifier
/// ("email", "exact", its confidence) or a model comparison ("first_name", "exact", its bits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub comparison: String,
    pub level: String,
    pub effect: f64,
}

/// Another active profile that may be the same person, with the engine's score and the
/// comparisons that agreed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateCandidate {
    pub customer: CustomerSummary,
    /// 0..1, as real-time resolution would score the pair.
    pub score: f64,
    pub agreed: Vec<Agreement>,
}

/// A merge this profile took part in, as its page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeRecord {
    pub id: Uuid,
    pub survivor_id: Uuid,
    pub absorbed_id: Uuid,
    /// Whether the profile whose page this is survived it (else it was absorbed).
    pub survived: bool,
    /// The other profile's name, when it has one.
    pub other_name: Option<String>,
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
    pub undone_by: Option<String>,
}

/// An identifier staff add to a profile by hand (`POST /api/v1/customers/{id}/identities`):
/// exactly one of `email`, `phone`, `handle` and `external`, as an event's `identifiers` name
/// them, and why.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewIdentifier {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub email: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub phone: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub handle: Option<HandleInput>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub external: Option<ExternalInput>,
    /// Why, for the audit log.
    pub reason: String,
}

impl NewIdentifier {
    /// From the console's form: a kind (`email`, `phone`, `handle`, `external_id`), the
    /// platform or system of a handle or an external id, and the value.
    pub fn from_form(kind: &str, provider: &str, value: String, reason: String) -> NewIdentifier {
        let provider = provider.trim().to_owned();
        let mut new = NewIdentifier {
            reason,
            ..NewIdentifier::default()
        };
        match kind {
            "email" => new.email = Some(value),
            "phone" => new.phone = Some(value),
            "handle" => {
                new.handle = Some(HandleInput {
                    platform: provider,
                    handle: value,
                })
            }
            "external_id" => {
                new.external = Some(ExternalInput {
                    provider,
                    id: value,
                })
            }
            _ => {}
        }
        new
    }
}

/// Where an unlinked identifier goes: a new profile of its own, or one staff chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnlinkTo {
    NewProfile,
    Profile(Uuid),
}

/// What an identity edit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdentityAction {
    /// Staff added it to the profile.
    Added,
    /// An admin vouched for it (they checked it with the person).
    Verified,
    /// It was taken off the profile and moved to another (`other_customer_id`).
    Unlinked,
}

impl IdentityAction {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityAction::Added => "added",
            IdentityAction::Verified => "verified",
            IdentityAction::Unlinked => "unlinked",
        }
    }

    pub fn parse(raw: &str) -> Option<IdentityAction> {
        [
            IdentityAction::Added,
            IdentityAction::Verified,
            IdentityAction::Unlinked,
        ]
        .into_iter()
        .find(|a| a.as_str() == raw)
    }
}

/// An identifier changed by hand: added, verified or unlinked, with who, when, why, and
/// whether it was undone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityEdit {
    pub id: Uuid,
    pub action: IdentityAction,
    /// The profile it was done on (an unlinked identifier left it).
    pub customer_id: Uuid,
    /// Where an unlinked identifier went.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub other_customer_id: Option<Uuid>,
    /// Whether the unlink made that profile.
    #[serde(default)]
    pub new_profile: bool,
    pub identity_id: Uuid,
    pub kind: String,
    pub provider: String,
    pub value: String,
    pub reason: String,
    pub actor: String,
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub undone_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub undone_by: Option<String>,
}

/// Everything the console's customer page shows of one profile, with what the caller may do
/// there already decided (`services::customer_page`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub profile: CustomerProfile,
    pub timeline: Vec<TimelineEntry>,
    /// The conversations the timeline's entries belong to.
    #[serde(default)]
    pub threads: Vec<ThreadBrief>,
    /// The `before` of the next (older) page, when there may be one.
    pub next_cursor: Option<String>,
    pub channel: Option<Channel>,
    pub kind: Option<InteractionKind>,
    pub duplicates: Vec<DuplicateCandidate>,
    pub merges: Vec<MergeRecord>,
    /// The "merge with another profile" box's search (`merge_q`), for those who may merge.
    pub merge_search: Option<MergeSearch>,
    /// The profile this one was merged into (and is now part of), when it was.
    pub merged_into: Option<Uuid>,
    /// What the signed-in role may do here: the page shows only these controls.
    pub can_edit: bool,
    pub can_merge: bool,
    /// Export, soft delete, restore and erase (admins).
    pub can_manage_privacy: bool,
    /// What someone answering this customer should know, as the context API renders it.
    pub context: Option<ContextView>,
    /// Identifiers the customer said are not theirs, waiting for a decision (admins).
    pub disputes: Vec<Dispute>,
    /// The tenant's custom fields (the profile's values are in `profile.custom`).
    pub custom_fields: Vec<CustomField>,
    /// Identifiers changed by hand on this profile, newest first.
    #[serde(default)]
    pub identity_edits: Vec<IdentityEdit>,
    /// Unlink an identifier and undo an unlink or a verification (admins).
    #[serde(default)]
    pub can_unlink: bool,
}

/// Other active profiles found for the merge box: the search service's answer without this
/// profile itself, or a readable reason it could not search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeSearch {
    pub query: String,
    pub customers: Vec<CustomerSummary>,
    pub error: Option<String>,
}

/// The context panel: the prompt-ready text and the conversations it was built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextView {
    pub text: String,
    pub threads: Vec<ThreadBrief>,
}

/// What changed in a tenant since the console last heard, as the live feed (`/live`) sends it:
/// which profiles had an interaction, and how many review items wait.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveChange {
    /// Profiles with a new interaction (message, call, order, booking, note), each once.
    pub customers: Vec<Uuid>,
    /// How many review items wait (none when not known: the listener missed changes).
    #[serde(default)]
    pub pending_reviews: Option<i64>,
    /// More changed than one message names: every open page should read itself again.
    #[serde(default)]
    pub overflow: bool,
}

/// One conversation thread as the context panel lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadBrief {
    pub id: Uuid,
    pub channel: String,
    pub status: String,
    pub topic: Option<String>,
    pub continues_from: Option<String>,
    pub archived: bool,
    pub last_message_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_text_round_trips_through_serde_and_parse() {
        for channel in Channel::ALL {
            let json = serde_json::to_string(channel).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", channel.as_str()));
            assert_eq!(Channel::parse(channel.as_str()), Some(*channel));
        }
        assert_eq!(Channel::parse("carrier-pigeon"), None);
    }

    #[test]
    fn minimal_event_json_is_accepted() {
        let json = r#"{"channel":"sms","direction":"inbound","kind":"message",
            "occurred_at":"2026-01-02T03:04:05Z","identifiers":{"phone":"(916) 555-1234"}}"#;
        let event: EventInput = serde_json::from_str(json).expect("valid event");
        assert_eq!(event.channel, Channel::Sms);
        assert_eq!(event.identifiers.phone.as_deref(), Some("(916) 555-1234"));
        assert!(event.order.is_none());
    }

    #[test]
    fn unknown_channel_is_rejected() {
        let json = r#"{"channel":"fax","direction":"inbound","kind":"message","occurred_at":"2026-01-02T03:04:05Z"}"#;
        assert!(serde_json::from_str::<EventInput>(json).is_err());
    }
}

/// One message as the admin's outbox page shows it: the destination masked, the text whole
/// (in development that is where a sign-in code is read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub channel: String,
    pub to: String,
    pub subject: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Failed for good: why.
    pub error: Option<String>,
    /// Tries so far.
    pub attempts: i64,
    /// When the next try is due, after a transient failure.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// What the last try met.
    pub last_error: Option<String>,
}

/// A customer said one identifier on their profile is not theirs; a person decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dispute {
    pub item_id: Uuid,
    pub kind: String,
    pub value: String,
    pub created_at: DateTime<Utc>,
}

/// An order as the export and the context show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderView {
    pub id: Uuid,
    pub provider: String,
    pub external_id: String,
    pub total_cents: i64,
    pub currency: String,
    pub status: String,
    pub placed_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::types::OrderItem>))]
    pub items: serde_json::Value,
}

/// One field an audited action changed, as a person reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field, in words ("Lifecycle stage", "Custom: loyalty tier").
    pub field: String,
    /// `None`: it had no value (or the entry has no before).
    pub before: Option<String>,
    /// `None`: it has no value now (or the entry has no after).
    pub after: Option<String>,
}
