//! Provider webhooks: each tenant's per-provider signing secret (and Meta's verification token),
//! and the delivery use case: the events a provider sent, all checked before the first write,
//! ingested under the webhook's name and audited.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::services::audit;
use crate::services::ingest::{IngestJob, ingest_all, prepare_event};
use crate::services::resolution::normalize_sender;
use crate::services::tenants::tenant_by_slug;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::{Store, WebhookConfigRow};
use crate::types::{EventInput, IdentifiersInput, IngestOutcome};

/// The most events one delivery may carry (the API's batch limit).
pub const MAX_EVENTS: usize = 1000;
const MIN_SECRET: usize = 16;
const MAX_SECRET: usize = 512;

/// Who can deliver to a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WebhookProvider {
    Twilio,
    Whatsapp,
    Meta,
    Shopify,
    Generic,
}

impl WebhookProvider {
    pub const ALL: &'static [WebhookProvider] = &[
        WebhookProvider::Twilio,
        WebhookProvider::Whatsapp,
        WebhookProvider::Meta,
        WebhookProvider::Shopify,
        WebhookProvider::Generic,
    ];

    /// How strictly a delivery's identifiers are read: the generic webhook's events are the
    /// integrator's own, every other provider sends its own payloads.
    pub fn identifier_policy(self) -> IdentifierPolicy {
        match self {
            WebhookProvider::Generic => IdentifierPolicy::Strict,
            _ => IdentifierPolicy::DropUnreadable,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            WebhookProvider::Twilio => "twilio",
            WebhookProvider::Whatsapp => "whatsapp",
            WebhookProvider::Meta => "meta",
            WebhookProvider::Shopify => "shopify",
            WebhookProvider::Generic => "generic",
        }
    }

    pub fn parse(text: &str) -> Option<WebhookProvider> {
        WebhookProvider::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == text.trim().to_ascii_lowercase())
    }

    /// Meta's platforms (WhatsApp Cloud API, Messenger, Instagram) verify a subscription with a
    /// GET that must echo a token the tenant chose.
    pub fn has_handshake(&self) -> bool {
        matches!(self, WebhookProvider::Whatsapp | WebhookProvider::Meta)
    }
}

impl std::fmt::Display for WebhookProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signing secret or verification token: never printed, logged or serialized whole.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// The secret itself, for computing a signature.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Enough to tell two secrets apart: "shps…" (the first four characters).
    pub fn masked(&self) -> String {
        let head: String = self.0.chars().take(4).collect();
        format!("{head}…")
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebhookSecret({})", self.masked())
    }
}

/// One provider's configuration in a tenant.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub provider: WebhookProvider,
    pub secret: WebhookSecret,
    pub verify_token: Option<WebhookSecret>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WebhookConfig {
    fn from_row(row: WebhookConfigRow) -> ServiceResult<WebhookConfig> {
        let provider = WebhookProvider::parse(&row.provider).ok_or_else(|| {
            ServiceError::invalid("provider", format!("unknown provider {:?}", row.provider))
        })?;
        Ok(WebhookConfig {
            provider,
            secret: WebhookSecret(row.secret),
            verify_token: row.verify_token.map(WebhookSecret),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn check_secret(field: &str, value: &str, min: usize) -> ServiceResult<()> {
    let length = value.chars().count();
    if length < min || length > MAX_SECRET {
        return Err(ServiceError::invalid(
            field,
            format!("{min} to {MAX_SECRET} characters"),
        ));
    }
    if !value.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ServiceError::invalid(
            field,
            "printable ASCII without spaces (as the provider shows it)",
        ));
    }
    Ok(())
}

/// Sets (or replaces) a provider's secret and, for Meta's platforms, the verification token.
pub async fn set_webhook(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    provider: WebhookProvider,
    secret: &str,
    verify_token: Option<&str>,
) -> ServiceResult<WebhookConfig> {
    let secret = secret.trim();
    check_secret("secret", secret, MIN_SECRET)?;
    let verify_token = verify_token.map(str::trim).filter(|t| !t.is_empty());
    if let Some(token) = verify_token {
        if !provider.has_handshake() {
            return Err(ServiceError::invalid(
                "verify_token",
                format!(
                    "{provider} has no subscription handshake; only whatsapp and meta use a verification token"
                ),
            ));
        }
        check_secret("verify_token", token, 1)?;
    }
    let mut tx = store.begin().await?;
    let before = tx.webhook_config(tenant.id, provider.as_str()).await?;
    let row = tx
        .upsert_webhook_config(tenant.id, provider.as_str(), secret, verify_token)
        .await?;
    let config = WebhookConfig::from_row(row)?;
    tx.append_audit(
        tenant.id,
        &audit(
            actor,
            if before.is_some() {
                "webhook.updated"
            } else {
                "webhook.configured"
            },
            "webhook",
        )
        .entity(provider.as_str().to_owned())
        .after(json!({
            "provider": provider.as_str(),
            "secret": config.secret.masked(),
            "verify_token": config.verify_token.is_some(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(config)
}

pub async fn list_webhooks(store: &Store, tenant: &Tenant) -> ServiceResult<Vec<WebhookConfig>> {
    let rows = store.read().await?.list_webhook_configs(tenant.id).await?;
    rows.into_iter().map(WebhookConfig::from_row).collect()
}

/// Removes a provider's configuration: its deliveries are refused from then on.
pub async fn remove_webhook(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    provider: WebhookProvider,
) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    if !tx
        .delete_webhook_config(tenant.id, provider.as_str())
        .await?
    {
        return Err(ServiceError::NotFound("webhook"));
    }
    tx.append_audit(
        tenant.id,
        &audit(actor, "webhook.removed", "webhook").entity(provider.as_str().to_owned()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The tenant a webhook URL names and its configuration for the provider. An unknown tenant and
/// an unconfigured provider are the same `NotFound("webhook")`, so URLs reveal no tenant names.
pub async fn webhook_endpoint(
    store: &Store,
    tenant_slug: &str,
    provider: WebhookProvider,
) -> ServiceResult<(Tenant, WebhookConfig)> {
    let tenant = match tenant_by_slug(store, tenant_slug).await {
        Ok(tenant) => tenant,
        Err(ServiceError::NotFound(_)) => return Err(ServiceError::NotFound("webhook")),
        Err(e) => return Err(e),
    };
    let row = store
        .read()
        .await?
        .webhook_config(tenant.id, provider.as_str())
        .await?
        .ok_or(ServiceError::NotFound("webhook"))?;
    Ok((tenant, WebhookConfig::from_row(row)?))
}

/// How a delivery's identifiers are held to account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierPolicy {
    /// The integrator wrote the event (the generic webhook): an unreadable identifier refuses
    /// the delivery, as the API does.
    Strict,
    /// A provider's own payload (a checkout phone typed as "555-555-SHIP"): an identifier Spine
    /// cannot read is left out with a warning, rather than refusing, and so losing, the message
    /// or order the provider will otherwise retry until it gives up.
    DropUnreadable,
}

/// What one delivery did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryOutcome {
    /// Events the delivery carried (status updates and other notifications are not events).
    pub received: usize,
    /// Events stored now.
    pub stored: usize,
    /// Events stored by an earlier delivery of the same message (a provider's retry).
    pub duplicates: usize,
    pub outcomes: Vec<IngestOutcome>,
}

/// Ingests a delivery's events under the webhook's name, all or none: every event is checked
/// before the first write and the events are stored in one transaction, so a refused delivery
/// (one event malformed, or about a person who was erased) stores nothing and the provider's
/// retry finds nothing half done. Each event is idempotent on its provider message id (a generic
/// event without one, on a hash of its content), and every stored interaction gets an audit
/// entry naming the webhook.
pub async fn receive_delivery(
    store: &Store,
    tenant: &Tenant,
    provider: WebhookProvider,
    events: Vec<EventInput>,
) -> ServiceResult<DeliveryOutcome> {
    if events.len() > MAX_EVENTS {
        return Err(ServiceError::invalid(
            "events",
            format!("at most {MAX_EVENTS} events per delivery"),
        ));
    }
    let actor = Actor::Webhook(provider.as_str());
    let policy = provider.identifier_policy();
    let numbered = events.len() > 1;
    let mut jobs = Vec::with_capacity(events.len());
    for (index, mut event) in events.into_iter().enumerate() {
        if policy == IdentifierPolicy::DropUnreadable {
            drop_unreadable(tenant, provider, &mut event.identifiers);
        }
        if event.external_id.is_none() {
            event.external_id = Some(content_id(&event));
        }
        let prepared = prepare_event(tenant, event).map_err(|e| match e {
            ServiceError::Invalid { field, message } if numbered => ServiceError::Invalid {
                field: format!("events[{index}].{field}"),
                message,
            },
            other => other,
        })?;
        jobs.push(IngestJob {
            tenant: tenant.clone(),
            actor: actor.clone(),
            event: prepared,
        });
    }
    let outcomes = ingest_all(store, &jobs).await?;

    // Ingestion audits each stored interaction against the webhook's actor, in its transaction.
    let stored: Vec<_> = outcomes.iter().filter(|o| !o.duplicate).collect();
    let stored = stored.len();
    Ok(DeliveryOutcome {
        received: outcomes.len(),
        stored,
        duplicates: outcomes.len() - stored,
        outcomes,
    })
}

/// An id for an event its sender gave none: a hash of what it says, so the same delivery sent
/// again is recognised as the same event.
fn content_id(event: &EventInput) -> String {
    let canonical = serde_json::to_vec(event).unwrap_or_default();
    format!("sha256:{}", hex::encode(Sha256::digest(&canonical)))
}

/// Leaves out each identifier ingestion would refuse, one field at a time, with the same
/// normalizers; the log names the field, never the value.
fn drop_unreadable(tenant: &Tenant, provider: WebhookProvider, ids: &mut IdentifiersInput) {
    let readable = |probe: IdentifiersInput| normalize_sender(tenant, &probe, None, None).is_ok();
    let mut dropped = Vec::new();
    macro_rules! check {
        ($field:ident) => {
            if let Some(value) = ids.$field.take() {
                let probe = IdentifiersInput {
                    $field: Some(value.clone()),
                    ..Default::default()
                };
                if readable(probe) {
                    ids.$field = Some(value);
                } else {
                    dropped.push(stringify!($field));
                }
            }
        };
    }
    check!(email);
    check!(phone);
    check!(name);
    check!(login);
    check!(handle);
    check!(external);
    check!(address);
    if !dropped.is_empty() {
        tracing::warn!(
            tenant = %tenant.slug,
            provider = provider.as_str(),
            fields = ?dropped,
            "webhook identifiers left out: not readable"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_round_trip() {
        for provider in WebhookProvider::ALL {
            assert_eq!(WebhookProvider::parse(provider.as_str()), Some(*provider));
        }
        assert_eq!(
            WebhookProvider::parse(" Shopify "),
            Some(WebhookProvider::Shopify)
        );
        assert_eq!(WebhookProvider::parse("stripe"), None);
    }

    #[test]
    fn secrets_are_masked_in_debug_output() {
        let secret = WebhookSecret("shpss_0123456789abcdef".into());
        assert_eq!(format!("{secret:?}"), "WebhookSecret(shps…)");
        assert!(!format!("{secret:?}").contains("0123456789"));
    }

    #[test]
    fn short_or_spaced_secrets_are_refused() {
        assert!(check_secret("secret", "short", MIN_SECRET).is_err());
        assert!(check_secret("secret", "has a space in it ok", MIN_SECRET).is_err());
        assert!(check_secret("secret", "0123456789abcdef0123", MIN_SECRET).is_ok());
    }
}
