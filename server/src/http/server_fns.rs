//! The console's server functions (`/api/{name}`, `/me/api/{name}`) as a client sees them when
//! the request itself is wrong. Leptos answers any error it meets before the function runs (a
//! body it cannot read, a missing field, text that is not UTF-8) with 500; those are the
//! client's mistakes, so they become 400, and a body over the limit is refused with 413 before
//! it is read.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Problem;

/// No console form comes near this; a note is at most 5,000 characters.
pub const MAX_BODY: usize = 256 * 1024;
/// The error bodies read back are this small; anything larger is not one of them.
const MAX_ERROR_BODY: usize = 16 * 1024;

fn is_server_fn(path: &str) -> bool {
    let name = path
        .strip_prefix("/me/api/")
        .or_else(|| path.strip_prefix("/api/"));
    name.is_some_and(|n| !n.is_empty() && !n.contains('/') && n != "openapi.json")
}

pub async fn client_errors(request: Request, next: Next) -> Response {
    if !is_server_fn(request.uri().path()) {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_BODY) {
        return Problem::payload_too_large(format!("at most {MAX_BODY} bytes")).into_response();
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    // The console's error type names what went wrong; "Unreachable" is what Leptos reports for
    // a request it could not decode. A real internal error stays a 500.
    if bytes.starts_with(br#"{"Unreachable""#) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::is_server_fn;

    #[test]
    fn only_server_function_paths_are_touched() {
        assert!(is_server_fn("/api/sign_in"));
        assert!(is_server_fn("/me/api/request_code"));
        assert!(!is_server_fn("/api/v1/events"));
        assert!(!is_server_fn("/api/openapi.json"));
        assert!(!is_server_fn("/customers"));
    }
}
