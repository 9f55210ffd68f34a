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
    // With a public address or a base domain set, a request for any other host is refused: a
    // page on another site whose name resolves here (DNS rebinding) must not reach the
    // console or the API. Health checks come from load balancers by address, and stay open.
    let expected = state.public_url.as_deref().and_then(authority);
    if (expected.is_some() || state.base_domain.is_some())
        && !matches!(request.uri().path(), "/healthz" | "/readyz")
    {
        let named = request
            .headers()
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| request.uri().authority().map(|a| a.as_str()))
            .unwrap_or_default();
        let ours = expected
            .as_deref()
            .is_some_and(|expected| named.eq_ignore_ascii_case(expected))
            || state
                .base_domain
                .as_deref()
                .is_some_and(|base| under_base_domain(named, base));
        if !ours {
            let answers_for = match (&expected, &state.base_domain) {
                (Some(e), Some(b)) => format!("{e} and *.{b}"),
                (Some(e), None) => e.clone(),
                (None, Some(b)) => format!("{b} and *.{b}"),
                (None, None) => String::new(),
            };
            return Problem::misdirected(format!("this server answers for {answers_for} only"))
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

/// Whether `host` (with or without a port) is the base domain or one label under it.
fn under_base_domain(host: &str, base: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    if name.eq_ignore_ascii_case(base) {
        return true;
    }
    name.len() > base.len() + 1 && {
        let cut = name.len() - base.len();
        name.is_char_boundary(cut - 1)
            && name.as_bytes()[cut - 1] == b'.'
            && name[cut..].eq_ignore_ascii_case(base)
            && !name[..cut - 1].contains('.')
    }
}

/// `host[:port]` of a URL such as `https://spine.example.com/`.
fn authority(url: &str) -> Option<String> {
    let uri = url.parse::<axum::http::Uri>().ok()?;
    uri.authority().map(|a| a.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::{authority, under_base_domain};

    #[test]
    fn the_base_domain_and_one_label_under_it_are_ours() {
        assert!(under_base_domain("spine.example", "spine.example"));
        assert!(under_base_domain("acme.spine.example:443", "spine.example"));
        assert!(under_base_domain("Acme.SPINE.example", "spine.example"));
        assert!(!under_base_domain("a.b.spine.example", "spine.example"));
        assert!(!under_base_domain("evilspine.example", "spine.example"));
        assert!(!under_base_domain("spine.example.evil", "spine.example"));
        assert!(!under_base_domain("", "spine.example"));
    }

    #[test]
    fn the_public_address_names_its_host_and_port() {
        let of = |url| authority(url).unwrap_or_default();
        assert_eq!(of("https://spine.example.com"), "spine.example.com");
        assert_eq!(of("https://spine.example.com/"), "spine.example.com");
        assert_eq!(of("http://10.0.0.5:8080/base"), "10.0.0.5:8080");
        assert_eq!(authority("https://"), None);
    }
}
