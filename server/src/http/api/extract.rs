//! Request extractors for the API: the caller (from the bearer key), JSON bodies whose errors
//! name the field at fault, and query strings whose errors are problem details too.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, LazyLock, Mutex};

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use uuid::Uuid;

use app::state::{AccessNote, AppState};
use spine_core::services::api_keys;
use spine_core::types::ApiScope;
use spine_core::{Actor, Tenant};

use crate::http::Problem;
use crate::http::openapi::check_body;

/// The tenant and actor behind `Authorization: Bearer spk_...`, checked against the scope the
/// route needs (see [`scope_of`]) and the key's rate.
pub struct Caller {
    pub tenant: Tenant,
    pub actor: Actor,
}

/// The scope each API route needs: the one table that decides.
pub fn scope_of(method: &Method, route: &str) -> ApiScope {
    let route = route.strip_prefix("/api/v1").unwrap_or(route);
    match (method.as_str(), route) {
        ("POST", "/events" | "/events/batch" | "/customers/resolve") => ApiScope::Ingest,
        (_, "/customers/{id}/export" | "/customers/{id}/restore" | "/customers/{id}/erasure")
        | ("DELETE", "/customers/{id}") => ApiScope::Privacy,
        ("GET" | "HEAD", _) => ApiScope::Read,
        _ => ApiScope::Manage,
    }
}

/// Each key's limiter in this process, by key and rate (a changed rate starts afresh).
type Limiters = HashMap<(Uuid, u32), Arc<DefaultDirectRateLimiter>>;

/// The limiter of a key at its rate, made the first time they are seen.
fn limiter(key: Uuid, per_minute: NonZeroU32) -> Arc<DefaultDirectRateLimiter> {
    static LIMITERS: LazyLock<Mutex<Limiters>> = LazyLock::new(|| Mutex::new(HashMap::new()));
    let mut limiters = LIMITERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    limiters
        .entry((key, per_minute.get()))
        .or_insert_with(|| Arc::new(RateLimiter::direct(Quota::per_minute(per_minute))))
        .clone()
}

/// 429 with `Retry-After`, as problem details.
fn too_many(retry_after_secs: u64) -> Response {
    let mut response = Problem::too_many_requests(format!(
        "this API key's rate limit is reached; retry in {retry_after_secs} s"
    ))
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| Problem::unauthorized("send an API key as `Authorization: Bearer spk_...` (create one with `spine api-key create`)").into_response())?;
        let caller = match api_keys::authenticate(&state.store, key).await {
            Ok(Some(caller)) => caller,
            Ok(None) => {
                return Err(Problem::unauthorized("unknown or revoked API key").into_response());
            }
            Err(e) => return Err(Problem::from(e).into_response()),
        };
        let route = parts
            .extensions
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| parts.uri.path().to_owned());
        let needed = scope_of(&parts.method, &route);
        if !caller.scopes.contains(&needed) {
            return Err(Problem::forbidden(format!(
                "this API key lacks the `{needed}` scope (it has: {})",
                ApiScope::join(&caller.scopes)
            ))
            .into_response());
        }
        if let Some(per_minute) = NonZeroU32::new(caller.rate_per_minute)
            && let Err(not_until) = limiter(caller.key_id, per_minute).check()
        {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            return Err(too_many(wait.as_secs().max(1)));
        }
        if let Some(note) = parts.extensions.get::<AccessNote>() {
            note.tenant(&caller.tenant.slug);
            note.actor("api_key");
        }
        Ok(Caller {
            tenant: caller.tenant,
            actor: caller.actor,
        })
    }
}

/// A JSON body, checked against its schema in the OpenAPI document and then read; malformed
/// JSON or a value the document does not allow is a 422 naming the path (`identifiers.phone`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + ToSchema, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(Problem::unsupported_media_type(
                "send the body as application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| Problem::payload_too_large(e.to_string()))?;
        let mut value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| Problem::invalid(None, format!("the body is not JSON: {e}")))?;
        check_body(&T::name(), &value)?;
        integral_numbers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." { None } else { Some(path) };
                Problem::invalid(field, e.into_inner().to_string())
            })
    }
}

/// JSON has one kind of number: `2.0` is the integer 2 (as the document's `integer` type
/// agrees), so it is written as one before the body is read into integer fields.
fn integral_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// A query string; a wrong or missing parameter is a 422 problem like a wrong body field (axum's
/// own `Query` answers a plain-text 400). The detail names the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::try_from_uri(&parts.uri)
            .map(|Query(query)| ApiQuery(query))
            .map_err(|e| Problem::invalid(None, e.body_text()))
    }
}
