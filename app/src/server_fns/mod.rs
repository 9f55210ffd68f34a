//! Server functions: the console's calls into the services. Each one asks who is calling
//! (`require_staff`, refused unless the role may do it) and, when it changes anything, whether
//! the request comes from Spine's own page (`require_csrf`); then it calls one service and maps
//! the result. Internal errors are logged here and reach the browser opaque.

pub mod admin;
pub mod analytics;
pub mod auth;
pub mod customer;
pub mod customers;
pub mod portal;
pub mod review;
pub mod sweep;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use axum::extract::ConnectInfo;
    use axum::http::request::Parts;
    use axum::http::{HeaderName, HeaderValue, StatusCode, header};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;
    use spine_core::ServiceError;
    use spine_core::access::Permission;
    use spine_core::services::auth::{ClientInfo, StaffSession};

    use crate::error::ConsoleError;
    use crate::state::AppState;

    /// The application state, with the tenant the session middleware found for this
    /// request's host, as it is now (settings changed since start-up apply at once). A
    /// request without one is refused rather than served as the default tenant.
    pub fn state() -> Result<AppState, ConsoleError> {
        let mut state = use_context::<AppState>().ok_or_else(|| {
            tracing::error!("application state is missing from the server function context");
            ConsoleError::Internal
        })?;
        state.tenant = use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<spine_core::Tenant>().cloned())
            .ok_or_else(|| {
                tracing::error!("the request's tenant is missing from the server function context");
                ConsoleError::Internal
            })?;
        Ok(state)
    }

    fn parts() -> Result<Parts, ConsoleError> {
        use_context::<Parts>().ok_or_else(|| {
            tracing::error!("request parts are missing from the server function context");
            ConsoleError::Internal
        })
    }

    fn header_str(parts: &Parts, name: HeaderName) -> Option<String> {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Something the session middleware put in the request's extensions.
    pub fn parts_session<T: Clone + Send + Sync + 'static>() -> Option<T> {
        parts().ok()?.extensions.get::<T>().cloned()
    }

    /// The signed-in staff member, as the session middleware found them from the cookie.
    pub fn require_session() -> Result<StaffSession, ConsoleError> {
        parts()?
            .extensions
            .get::<StaffSession>()
            .cloned()
            .ok_or(ConsoleError::SignedOut)
    }

    /// The signed-in staff member, provided their role may do this.
    pub fn require_staff(permission: Permission) -> Result<StaffSession, ConsoleError> {
        let session = require_session()?;
        session.authorize(permission).map_err(service_error)?;
        Ok(session)
    }

    /// For a call that changes something: it comes from a page this server served (same
    /// origin) and carries the session's CSRF token (a hidden `csrf` form field).
    pub fn require_csrf(session: &StaffSession, token: &str) -> Result<(), ConsoleError> {
        require_same_origin()?;
        if session.csrf_matches(token.trim()) {
            Ok(())
        } else {
            tracing::warn!(staff = %session.staff.id, "refused: CSRF token missing or wrong");
            Err(ConsoleError::StaleForm)
        }
    }

    /// For a server function that changes something: the signed-in staff member, provided
    /// their role may do it and the form carries their session's CSRF token, and the state.
    pub fn require_change(
        permission: Permission,
        csrf: &str,
    ) -> Result<(StaffSession, AppState), ConsoleError> {
        let session = require_staff(permission)?;
        require_csrf(&session, csrf)?;
        Ok((session, state()?))
    }

    /// Refuses a request another site's page made the browser send.
    pub fn require_same_origin() -> Result<(), ConsoleError> {
        let parts = parts()?;
        let state = state()?;
        let origin = header_str(&parts, header::ORIGIN);
        let ok = crate::session::same_origin(
            origin.as_deref(),
            header_str(&parts, HeaderName::from_static("sec-fetch-site")).as_deref(),
            header_str(&parts, header::HOST).as_deref(),
            state.public_url.as_deref(),
        );
        if ok {
            Ok(())
        } else {
            tracing::warn!(origin = ?origin, "refused: cross-site request");
            Err(ConsoleError::StaleForm)
        }
    }

    /// Where the request came from, for the audit log.
    pub fn client_info() -> ClientInfo {
        let Ok(parts) = parts() else {
            return ClientInfo::default();
        };
        ClientInfo {
            ip: parts
                .extensions
                .get::<crate::state::ClientAddr>()
                .map(|addr| addr.0)
                .or_else(|| {
                    parts
                        .extensions
                        .get::<ConnectInfo<std::net::SocketAddr>>()
                        .map(|ConnectInfo(addr)| addr.ip())
                })
                .map(|ip| ip.to_string()),
            user_agent: header_str(&parts, header::USER_AGENT)
                .map(|ua| ua.chars().take(300).collect()),
        }
    }

    /// Adds a `Set-Cookie` header to the response.
    pub fn set_cookie(value: &str) {
        match (
            use_context::<ResponseOptions>(),
            HeaderValue::from_str(value),
        ) {
            (Some(response), Ok(value)) => response.append_header(header::SET_COOKIE, value),
            _ => tracing::error!("cannot set the session cookie"),
        }
    }

    /// A readable message for what the user can fix; an opaque one (and a log line) otherwise.
    /// An id from a form or a URL; anything else names nothing.
    pub fn parse_id(raw: &str, what: &str) -> Result<uuid::Uuid, ConsoleError> {
        uuid::Uuid::parse_str(raw.trim())
            .map_err(|_| ConsoleError::NotFound(format!("No such {what}.")))
    }

    pub fn service_error(err: ServiceError) -> ConsoleError {
        match err {
            ServiceError::Invalid { .. } | ServiceError::Conflict(_) | ServiceError::Gone(_) => {
                ConsoleError::Invalid(err.to_string())
            }
            ServiceError::RateLimited {
                retry_after_secs, ..
            } => ConsoleError::TooManyAttempts { retry_after_secs },
            ServiceError::NotFound(what) => ConsoleError::NotFound(format!("No such {what}.")),
            ServiceError::Forbidden => ConsoleError::Forbidden,
            ServiceError::Store(e) => {
                tracing::error!(error = %e, "server function failed");
                ConsoleError::Internal
            }
        }
    }

    /// Gives a failed call its HTTP status (401, 403, 422...) unless it is a plain HTML form
    /// post or a page render, which Leptos answers with a redirect or the page itself.
    pub fn respond<T>(result: Result<T, ConsoleError>) -> Result<T, ConsoleError> {
        if let Err(err) = &result {
            let html = parts()
                .ok()
                .and_then(|p| header_str(&p, header::ACCEPT))
                .is_some_and(|accept| accept.contains("text/html"));
            if let (false, Some(response), Ok(status)) = (
                html,
                use_context::<ResponseOptions>(),
                StatusCode::from_u16(err.status()),
            ) {
                response.set_status(status);
            }
            if let (ConsoleError::TooManyAttempts { retry_after_secs }, Some(response)) =
                (err, use_context::<ResponseOptions>())
                && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
            {
                response.insert_header(header::RETRY_AFTER, value);
            }
        }
        result
    }
}
