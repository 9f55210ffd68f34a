//! The host a request names, and security headers on every response. Pages carry their own Content-Security-Policy, with the
//! nonce Leptos put on its scripts (see `app::shell`); everything else (JSON, CSV, files) gets
//! one that allows nothing to run.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::state::AppState;

use super::Problem;

/// For responses that are not pages: nothing in them may run, load or be framed.
const LOCKED_DOWN: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    // With a public address set, a request for any other host is refused: a page on another
    // site whose name resolves here (DNS rebinding) must not reach the console or the API.
    // Health checks come from load balancers by address, and stay open.
    if let Some(expected) = state.public_url.as_deref().and_then(authority)
        && !matches!(request.uri().path(), "/healthz" | "/readyz")
    {
        let named = request
            .headers()
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| request.uri().authority().map(|a| a.as_str()));
        if !named.is_some_and(|host| host.eq_ignore_ascii_case(&expected)) {
            return Problem::misdirected(format!("this server answers for {expected} only"))
                .into_response();
        }
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(CONTENT_SECURITY_POLICY, LOCKED_DOWN);
    set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(X_FRAME_OPTIONS, "DENY");
    set(REFERRER_POLICY, "same-origin");
    if state.secure_cookies() {
        // Served over HTTPS (`--public-url https://...`): browsers keep to it for a year.
        set(STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    response
}

/// `host[:port]` of a URL such as `https://spine.example.com/`.
fn authority(url: &str) -> Option<String> {
    let uri = url.parse::<axum::http::Uri>().ok()?;
    uri.authority().map(|a| a.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::authority;

    #[test]
    fn the_public_address_names_its_host_and_port() {
        let of = |url| authority(url).unwrap_or_default();
        assert_eq!(of("https://spine.example.com"), "spine.example.com");
        assert_eq!(of("https://spine.example.com/"), "spine.example.com");
        assert_eq!(of("http://10.0.0.5:8080/base"), "10.0.0.5:8080");
        assert_eq!(authority("https://"), None);
    }
}
