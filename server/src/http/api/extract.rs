//! Request extractors for the API: the caller (from the bearer key), JSON bodies whose errors
//! name the field at fault, and query strings whose errors are problem details too.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use app::state::AppState;
use spine_core::services::api_keys;
use spine_core::{Actor, Tenant};

use crate::http::Problem;

/// The tenant and actor behind `Authorization: Bearer spk_...`.
pub struct Caller {
    pub tenant: Tenant,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

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
            .ok_or_else(|| Problem::unauthorized("send an API key as `Authorization: Bearer spk_...` (create one with `spine api-key create`)"))?;
        match api_keys::authenticate(&state.store, key).await {
            Ok(Some((tenant, actor))) => Ok(Caller { tenant, actor }),
            Ok(None) => Err(Problem::unauthorized("unknown or revoked API key")),
            Err(e) => Err(e.into()),
        }
    }
}

/// A JSON body; malformed JSON or a wrong field is a 422 naming the path (`identifiers.phone`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
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
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(&mut deserializer)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." { None } else { Some(path) };
                Problem::invalid(field, e.into_inner().to_string())
            })
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
