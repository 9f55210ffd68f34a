//! The console's session middleware. It reads the `spine_session` cookie, puts the signed-in
//! staff member (a `StaffSession`) in the request's extensions for pages and server functions,
//! and sends anyone without a session from a page to `/login?next=<page>` (303). Health checks,
//! the JSON API (API keys), webhooks (signatures) and the WASM bundle are not its business.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use app::session::{
    CUSTOMER_COOKIE, HOME, clear_session_cookie, cookie, is_portal, safe_next, token_from_cookies,
};
use app::state::{AccessNote, AppState};
use spine_core::services::{auth, portal, tenants};
use spine_core::{ServiceError, Tenant};

/// Paths that never look at the session.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/healthz"
            | "/readyz"
            | "/metrics"
            | "/api/openapi.json"
            | "/favicon.ico"
            | "/favicon.svg"
            | "/robots.txt"
    ) || ["/api/v1/", "/webhooks/", "/pkg/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// Server functions (`/api/<name>`) answer for themselves: they refuse a call without a
/// session with 401, rather than being redirected to a page.
fn is_server_fn(path: &str) -> bool {
    path.starts_with("/api/")
}

pub async fn console_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    if is_public(&path) {
        return next.run(req).await;
    }
    // The tenant the host names, as it is now (an admin may have changed the region or the
    // thresholds since the server started): every page, server function and download of
    // this request acts within it, signed in or not.
    let host = host_of(&req);
    let tenant = match request_tenant(&state, &host).await {
        Ok(tenant) => tenant,
        Err(response) => return *response,
    };
    let note = req.extensions().get::<AccessNote>().cloned();
    if let Some(note) = &note {
        note.tenant(&tenant.slug);
    }
    req.extensions_mut().insert(tenant.clone());
    if is_portal(&path) {
        return customer_session(state, tenant, req, next).await;
    }
    let token = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|cookies| token_from_cookies(cookies).map(str::to_owned));
    let session = match &token {
        // A session belongs to one tenant: another tenant's cookie finds nothing here.
        Some(token) => match auth::authenticate(&state.store, &tenant, token).await {
            Ok(session) => session,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the session");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Spine cannot reach its database. Please try again shortly.",
                )
                    .into_response();
            }
        },
        None => None,
    };

    match session {
        Some(session) => {
            // Signed in already: the sign-in page and `/` lead to the console.
            if path == "/" {
                return Redirect::to(HOME).into_response();
            }
            if path == "/login" {
                let next = req
                    .uri()
                    .query()
                    .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
                    .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "next"))
                    .map(|(_, v)| v)
                    .unwrap_or_default();
                return Redirect::to(safe_next(&next)).into_response();
            }
            if let Some(note) = &note {
                note.actor("staff");
            }
            req.extensions_mut().insert(session);
            next.run(req).await
        }
        None if path == "/login" || is_server_fn(&path) => {
            let mut response = next.run(req).await;
            if token.is_some() {
                forget_cookie(&mut response, state.secure_cookies());
            }
            response
        }
        None => {
            let wanted = req
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str().to_owned())
                .unwrap_or_default();
            let target = if path == "/" {
                "/login".to_owned()
            } else {
                let query =
                    serde_urlencoded::to_string([("next", wanted.as_str())]).unwrap_or_default();
                format!("/login?{query}")
            };
            let mut response = Redirect::to(&target).into_response();
            if token.is_some() {
                forget_cookie(&mut response, state.secure_cookies());
            }
            response
        }
    }
}

/// The customer's page: a staff session plays no part. A live customer session (the
/// `spine_me` cookie) goes in the extensions; without one the page shows the sign-in form.
async fn customer_session(
    state: AppState,
    tenant: Tenant,
    mut req: Request,
    next: Next,
) -> Response {
    let token = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|cookies| cookie(cookies, CUSTOMER_COOKIE).map(str::to_owned));
    if let Some(token) = token {
        match portal::authenticate(&state.store, &tenant, &token).await {
            Ok(Some(session)) => {
                if let Some(note) = req.extensions().get::<AccessNote>() {
                    note.actor("customer");
                }
                req.extensions_mut().insert(session);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "cannot read the customer session");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "We cannot reach our database. Please try again shortly.",
                )
                    .into_response();
            }
        }
    }
    next.run(req).await
}

/// The tenant a console request is for: `acme` for `acme.BASE` when `--base-domain BASE` is
/// set, the default tenant (`--tenant`) for any other host. A name under the base domain that
/// no tenant has is answered 404, never served as another tenant.
async fn request_tenant(state: &AppState, host: &str) -> Result<Tenant, Box<Response>> {
    let slug = match tenant_label(host, state.base_domain.as_deref()) {
        Some(Ok(label)) => label,
        Some(Err(())) => return Err(Box::new(no_workspace())),
        None => state.tenant.slug.as_str(),
    };
    match tenants::tenant_by_slug(&state.store, slug).await {
        Ok(tenant) => Ok(tenant),
        Err(ServiceError::NotFound(_)) => Err(Box::new(no_workspace())),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the tenant");
            Err(Box::new(
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Spine cannot reach its database. Please try again shortly.",
                )
                    .into_response(),
            ))
        }
    }
}

/// The host a request names, lowercase.
fn host_of(req: &Request) -> String {
    req.headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// `Some(Ok(label))` when `host` (lowercase) is one label under `base`, `Some(Err)` when it is under
/// `base` but not a single label (`a.b.BASE`), `None` for the base itself and other hosts.
fn tenant_label<'h>(host: &'h str, base: Option<&str>) -> Option<Result<&'h str, ()>> {
    let base = base?;
    let name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    let sub = name
        .len()
        .checked_sub(base.len() + 1)
        .filter(|&cut| name.as_bytes()[cut] == b'.' && name[cut + 1..].eq_ignore_ascii_case(base))
        .map(|cut| &name[..cut])?;
    if sub.is_empty() || sub.contains('.') {
        return Some(Err(()));
    }
    Some(Ok(sub))
}

fn no_workspace() -> Response {
    (
        StatusCode::NOT_FOUND,
        "There is no Spine workspace at this address.",
    )
        .into_response()
}

/// A cookie that no longer names a session is removed, so the browser stops sending it.
fn forget_cookie(response: &mut Response, secure: bool) {
    if let Ok(value) = HeaderValue::from_str(&clear_session_cookie(secure)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_api_webhooks_and_assets_skip_the_session() {
        for path in [
            "/healthz",
            "/readyz",
            "/api/openapi.json",
            "/api/v1/customers",
            "/webhooks/demo/twilio",
            "/pkg/spine.js",
        ] {
            assert!(is_public(path), "{path}");
        }
        for path in [
            "/",
            "/login",
            "/customers",
            "/customers/1",
            "/api/sign_out",
            "/pkgs",
        ] {
            assert!(!is_public(path), "{path}");
        }
        assert!(is_server_fn("/api/search_customers"));
    }

    #[test]
    fn a_host_under_the_base_domain_names_its_tenant() {
        let base = Some("spine.example");
        assert_eq!(tenant_label("acme.spine.example", base), Some(Ok("acme")));
        assert_eq!(
            tenant_label("acme.spine.example:8443", base),
            Some(Ok("acme"))
        );
        assert_eq!(tenant_label("acme.spine.example.", base), None);
        assert_eq!(tenant_label("a.b.spine.example", base), Some(Err(())));
        assert_eq!(tenant_label(".spine.example", base), Some(Err(())));
        assert_eq!(tenant_label("spine.example", base), None);
        assert_eq!(tenant_label("evilspine.example", base), None);
        assert_eq!(tenant_label("acme.spine.example.evil", base), None);
        assert_eq!(tenant_label("acme.spine.example", None), None);
        assert!(!is_server_fn("/customers"));
    }
}
