//! Provider webhooks under /webhooks/{tenant}/{provider}. Each handler finds the tenant's
//! configuration, checks the provider's signature over the raw body before reading anything in
//! it, turns the payload into events (one module per provider, pure functions) and hands them to
//! the delivery service. Refusals are problem+json; nothing is stored for a refused delivery.

mod generic;
mod meta;
mod shopify;
mod signature;
mod twilio;
mod whatsapp;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request};
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;

use app::state::AccessNote;
use spine_core::services::webhooks::{self, DeliveryOutcome, WebhookConfig, WebhookProvider};
use spine_core::types::EventInput;
use spine_core::{ServiceError, Store, Tenant};

use crate::http::Problem;

/// The largest delivery accepted (a Shopify order with hundreds of line items fits easily).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the webhook handlers need: the store, and the address providers call Spine at.
#[derive(Clone)]
pub struct WebhookState {
    pub store: Store,
    /// The public base URL (`SPINE_PUBLIC_URL`, e.g. "https://spine.example.com"), without a
    /// trailing '/': Twilio signs the URL it called, which a proxy in front of Spine hides.
    pub public_url: Option<String>,
}

pub fn router<S: Clone + Send + Sync + 'static>(state: WebhookState) -> Router<S> {
    Router::new()
        .route("/{tenant}/twilio", post(twilio::receive))
        .route(
            "/{tenant}/whatsapp",
            get(whatsapp::handshake).post(whatsapp::receive),
        )
        .route("/{tenant}/meta", get(meta::handshake).post(meta::receive))
        .route("/{tenant}/shopify", post(shopify::receive))
        .route("/{tenant}/generic", post(generic::receive))
        .route_layer(axum::middleware::from_fn(note_access))
        .method_not_allowed_fallback(|| async {
            Problem::method_not_allowed("webhooks take POST (and GET for Meta's handshake)")
        })
        .fallback(|| async { Problem::not_found("no such webhook") })
        .with_state(state)
}

/// The access log's tenant and caller kind for a delivery. The tenant is noted only once it
/// answered (a 2xx): a refused delivery's URL may name no tenant, or one it was not signed for.
async fn note_access(
    Path(params): Path<Vec<(String, String)>>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let note = req.extensions().get::<AccessNote>().cloned();
    let response = next.run(req).await;
    if let Some(note) = note {
        note.actor("provider");
        if response.status().is_success()
            && let Some((_, slug)) = params.iter().find(|(name, _)| name == "tenant")
        {
            note.tenant(slug);
        }
    }
    response
}

/// The tenant and configuration a webhook URL names. An unknown tenant and an unconfigured
/// provider answer alike, so the URL space reveals no tenant names.
async fn endpoint(
    state: &WebhookState,
    tenant_slug: &str,
    provider: WebhookProvider,
) -> Result<(Tenant, WebhookConfig), Problem> {
    webhooks::webhook_endpoint(&state.store, tenant_slug, provider)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound(_) => Problem::not_found(format!(
                "no {provider} webhook is configured at this address"
            )),
            other => other.into(),
        })
}

/// How a provider signs a JSON delivery: HMAC-SHA256 of the raw body, in this header, encoded so.
#[derive(Clone, Copy)]
enum Signature {
    /// `sha256=<hex>` (Meta, WhatsApp, the generic webhook).
    HexSha256(&'static str),
    /// `<base64>` (Shopify).
    Base64Sha256(&'static str),
}

impl Signature {
    /// The provider's scheme. Twilio signs its form posts over the URL and parameters instead
    /// (see `twilio.rs`), so it has none here.
    fn of(provider: WebhookProvider) -> Option<Signature> {
        match provider {
            WebhookProvider::Whatsapp | WebhookProvider::Meta => {
                Some(Signature::HexSha256("x-hub-signature-256"))
            }
            WebhookProvider::Generic => Some(Signature::HexSha256("x-spine-signature")),
            WebhookProvider::Shopify => Some(Signature::Base64Sha256("x-shopify-hmac-sha256")),
            WebhookProvider::Twilio => None,
        }
    }
}

/// The tenant of a signed JSON delivery: the endpoint is configured, the signature over the raw
/// body checks out with the tenant's secret, and the body says it is JSON. Nothing is parsed
/// before the signature is checked.
async fn signed_json(
    state: &WebhookState,
    tenant_slug: &str,
    provider: WebhookProvider,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Tenant, Problem> {
    let (tenant, config) = endpoint(state, tenant_slug, provider).await?;
    let Some(signature) = Signature::of(provider) else {
        tracing::error!(provider = provider.as_str(), "no JSON signature scheme");
        return Err(Problem::not_found(format!(
            "no {provider} webhook takes JSON at this address"
        )));
    };
    let (valid, header_name) = match signature {
        Signature::HexSha256(name) => (
            signature::verify_sha256_hex(config.secret.expose(), body, header_value(headers, name)),
            name,
        ),
        Signature::Base64Sha256(name) => (
            signature::verify_sha256_base64(
                config.secret.expose(),
                body,
                header_value(headers, name),
            ),
            name,
        ),
    };
    if !valid {
        return Err(bad_signature(&tenant, provider, header_name));
    }
    require_json(headers)?;
    Ok(tenant)
}

/// The request body exactly as received, at most `MAX_BODY_BYTES`: signatures are computed over
/// these bytes, so nothing may parse or re-encode them first.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = Problem;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let too_large =
            || Problem::payload_too_large(format!("a delivery is at most {MAX_BODY_BYTES} bytes"));
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(too_large());
        }
        axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map(RawBody)
            .map_err(|_| too_large())
    }
}

fn header_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A 401 for a delivery whose signature is missing or wrong; logged without the payload.
fn bad_signature(tenant: &Tenant, provider: WebhookProvider, header_name: &str) -> Problem {
    tracing::warn!(
        tenant = %tenant.slug,
        provider = provider.as_str(),
        "webhook refused: missing or bad signature"
    );
    Problem::unauthorized(format!(
        "missing or bad {header_name} header; check the secret set with `spine webhook set`"
    ))
}

fn require_json(headers: &HeaderMap) -> Result<(), Problem> {
    let json = header_value(headers, header::CONTENT_TYPE.as_str())
        .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
    if json {
        Ok(())
    } else {
        Err(Problem::unsupported_media_type(
            "send the body as application/json",
        ))
    }
}

/// A JSON body: 400 when it is not JSON at all, 422 naming the path when a field is wrong.
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                Problem::invalid((path != ".").then_some(path), inner.to_string())
            }
            _ => Problem::bad_request(format!("the body is not JSON: {inner}")),
        }
    })?;
    deserializer
        .end()
        .map_err(|e| Problem::bad_request(format!("the body is not JSON: {e}")))?;
    Ok(value)
}

/// Hands the events to the delivery service and logs what became of them (counts only).
async fn deliver(
    state: &WebhookState,
    tenant: &Tenant,
    provider: WebhookProvider,
    events: Vec<EventInput>,
) -> Result<DeliveryOutcome, Problem> {
    let outcome = webhooks::receive_delivery(&state.store, tenant, provider, events).await?;
    tracing::info!(
        tenant = %tenant.slug,
        provider = provider.as_str(),
        received = outcome.received,
        stored = outcome.stored,
        duplicates = outcome.duplicates,
        "webhook delivery"
    );
    Ok(outcome)
}
