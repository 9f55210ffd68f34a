//! Use cases. Each public function here is one thing a person or an integration can do; the
//! adapters (REST, webhooks, CLI, server functions) parse input, call one of these, map the result.

pub mod analytics;
pub mod api_keys;
pub mod audit_log;
pub mod auth;
pub mod backup;
pub mod custom_fields;
pub mod customer_page;
pub mod customers;
pub mod duplicates;
pub mod find_or_create;
pub mod housekeeping;
pub mod identities;
pub mod import;
pub mod ingest;
pub mod ingest_queue;
pub mod lists;
pub mod live;
pub mod matching;
pub mod memory;
pub mod merge;
pub mod notes;
pub mod outbox;
pub mod portal;
pub mod privacy;
pub mod resolution;
pub mod review;
pub mod schedule;
pub mod settings;
pub mod staff;
pub mod sweep;
pub mod tenants;
pub mod webhooks;

use uuid::Uuid;

use crate::store::{StoreError, TenantRow};
use crate::types::Role;
use spine_engine::normalize::phone::Region;
use spine_engine::resolve::Thresholds;

/// The tenant a request acts within, loaded once per request.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub region: Region,
    pub thresholds: Thresholds,
    pub memory: settings::MemorySettings,
}

impl Tenant {
    pub(crate) fn from_row(row: TenantRow) -> Tenant {
        Tenant {
            id: row.id,
            region: Region::parse(&row.default_region).unwrap_or_default(),
            thresholds: Thresholds {
                link: row.link_threshold,
                review: row.review_threshold,
            },
            memory: settings::MemorySettings::of(&row),
            slug: row.slug,
            name: row.name,
        }
    }
}

/// Who is acting, for permission checks and the audit log.
#[derive(Debug, Clone, PartialEq)]
pub enum Actor {
    /// Spine itself (ingestion, demo data, migrations).
    System(&'static str),
    Staff {
        id: Uuid,
        email: String,
        role: Role,
    },
    ApiKey {
        id: Uuid,
        name: String,
    },
    Customer {
        id: Uuid,
    },
    /// A provider's signed delivery ("twilio", "shopify"...): the signature is its credential.
    Webhook(&'static str),
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::System(_) => "system",
            Actor::Staff { .. } => "staff",
            Actor::ApiKey { .. } => "api_key",
            Actor::Customer { .. } => "customer",
            Actor::Webhook(_) => "webhook",
        }
    }

    pub fn id(&self) -> Option<String> {
        match self {
            Actor::System(_) | Actor::Webhook(_) => None,
            Actor::Staff { id, .. } | Actor::ApiKey { id, .. } | Actor::Customer { id } => {
                Some(id.to_string())
            }
        }
    }

    pub fn label(&self) -> String {
        match self {
            Actor::System(what) => format!("spine:{what}"),
            Actor::Staff { email, .. } => email.clone(),
            Actor::ApiKey { name, .. } => format!("api key {name}"),
            Actor::Customer { .. } => "the customer".to_owned(),
            Actor::Webhook(provider) => format!("webhook:{provider}"),
        }
    }
}

/// What a use case can refuse; each adapter maps these to its own surface (HTTP status, CLI exit).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("not allowed")]
    Forbidden,
    /// It existed and was erased on purpose; it is not coming back.
    #[error("{0}")]
    Gone(String),
    /// Asked too often; the message says when to try again.
    #[error("{detail}")]
    RateLimited {
        detail: String,
        retry_after_secs: u64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    pub fn invalid(field: impl Into<String>, message: impl std::fmt::Display) -> ServiceError {
        ServiceError::Invalid {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// A short text a person or a provider wrote (a name, a source, a timezone): trimmed, at most
/// `max` characters, no control characters (line breaks, escapes, NULs); empty is `None`.
pub(crate) fn short_text(field: &str, value: &str, max: usize) -> ServiceResult<Option<String>> {
    let value = value.trim();
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            field,
            format!("at most {max} printable characters"),
        ));
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

/// An audit entry: this actor did `action` to a thing of `entity_kind`. What it was done to, whose
/// profile it concerns and what changed are added as known:
/// `audit(actor, "customer.update", "customer").entity(id).customer(id).before(b).after(a)`.
pub(crate) fn audit(actor: &Actor, action: &str, entity_kind: &str) -> crate::store::NewAudit {
    crate::store::NewAudit {
        actor_kind: actor.kind().to_owned(),
        actor_id: actor.id(),
        actor_label: actor.label(),
        action: action.to_owned(),
        entity_kind: entity_kind.to_owned(),
        entity_id: None,
        customer_id: None,
        before: None,
        after: None,
        ip: None,
        user_agent: None,
    }
}

impl crate::store::NewAudit {
    /// The thing acted on: its id, or its name where it has no id (a tenant's slug, a provider).
    pub(crate) fn entity(self, id: impl ToString) -> Self {
        Self {
            entity_id: Some(id.to_string()),
            ..self
        }
    }

    /// The customer profile the entry concerns (it shows in that profile's history).
    pub(crate) fn customer(self, id: Uuid) -> Self {
        Self {
            customer_id: Some(id),
            ..self
        }
    }

    /// What the changed fields held before, as JSON.
    pub(crate) fn before(self, before: serde_json::Value) -> Self {
        self.before_maybe(Some(before))
    }

    pub(crate) fn before_maybe(self, before: Option<serde_json::Value>) -> Self {
        Self { before, ..self }
    }

    /// What they hold after, or what happened, as JSON.
    pub(crate) fn after(self, after: serde_json::Value) -> Self {
        Self {
            after: Some(after),
            ..self
        }
    }
}
