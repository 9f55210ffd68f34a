//! Signing in and out, and who is signed in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use spine_core::access::StaffMember;

use crate::error::ConsoleError;

/// What every console page knows about the person using it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleSession {
    pub staff: StaffMember,
    /// The business whose console this is (one deployment may serve several).
    pub tenant_name: String,
    /// Sent back by every form that changes something.
    pub csrf_token: String,
}

/// Checks the email and password, sets the session cookie and goes to `next` (a local path).
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::services::auth;

    respond(
        async move {
            require_same_origin()?;
            let state = state()?;
            let signed_in = auth::sign_in(
                &state.store,
                &state.tenant,
                &email,
                &password,
                &client_info(),
            )
            .await
            .map_err(service_error)?
            .ok_or(ConsoleError::BadCredentials)?;
            set_cookie(&crate::session::session_cookie(
                signed_in.token.as_str(),
                state.secure_cookies(),
            ));
            leptos_axum::redirect(crate::session::safe_next(&next));
            Ok(())
        }
        .await,
    )
}

/// Ends the session, clears the cookie and goes to the sign-in page.
#[server(endpoint = "sign_out")]
pub async fn sign_out(#[server(default)] csrf: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::services::auth;

    respond(
        async move {
            let session = require_session()?;
            require_csrf(&session, &csrf)?;
            let state = state()?;
            auth::sign_out(&state.store, &state.tenant, &session, &client_info())
                .await
                .map_err(service_error)?;
            set_cookie(&crate::session::clear_session_cookie(
                state.secure_cookies(),
            ));
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

/// Who is signed in, and the token their forms send back.
#[server(endpoint = "get_console_session")]
pub async fn get_console_session() -> Result<ConsoleSession, ConsoleError> {
    use super::ssr::*;

    respond(require_session().and_then(|session| {
        Ok(ConsoleSession {
            csrf_token: session.csrf_token().to_owned(),
            tenant_name: state()?.tenant.name.clone(),
            staff: session.staff,
        })
    }))
}
