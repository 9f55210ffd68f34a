//! The customer's own page (`/me`): sign-in with a one-time code, their profile and
//! preferences, "this is not me", erasure. Served under `/me/api/`, where the customer cookie
//! goes; a staff session plays no part here.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use spine_core::types::CustomerProfile;

use crate::error::ConsoleError;

/// What the signed-in customer's page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeView {
    pub business: String,
    pub profile: CustomerProfile,
    /// Sent back by every form that changes something.
    pub csrf: String,
}

/// The page's state: signed in (the profile) or not (the business's name for the sign-in form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MeState {
    SignedOut { business: String },
    SignedIn(Box<MeView>),
}

#[cfg(feature = "ssr")]
mod ssr {
    use spine_core::services::portal::CustomerSession;

    use super::super::ssr::{parts_session, require_same_origin};
    use crate::error::ConsoleError;

    pub fn require_customer() -> Result<CustomerSession, ConsoleError> {
        parts_session::<CustomerSession>().ok_or(ConsoleError::SignedOut)
    }

    /// A change: the signed-in customer, from this site's page, with their form's token.
    pub fn require_customer_change(csrf: &str) -> Result<CustomerSession, ConsoleError> {
        let session = require_customer()?;
        require_same_origin()?;
        if session.csrf_matches(csrf.trim()) {
            Ok(session)
        } else {
            tracing::warn!(customer = %session.customer_id, "refused: CSRF token missing or wrong");
            Err(ConsoleError::StaleForm)
        }
    }
}

#[server(prefix = "/me/api", endpoint = "state")]
pub async fn get_me() -> Result<MeState, ConsoleError> {
    use super::ssr::*;
    use spine_core::services::portal;

    let state = state()?;
    let tenant = state.tenant;
    let Ok(session) = ssr::require_customer() else {
        return Ok(MeState::SignedOut {
            business: tenant.name,
        });
    };
    let profile = portal::my_profile(&state.store, &tenant, &session)
        .await
        .map_err(service_error)?;
    Ok(MeState::SignedIn(Box::new(MeView {
        business: tenant.name,
        profile,
        csrf: session.csrf_token().to_owned(),
    })))
}

/// Sends a code when the address or number is one we know; goes on to the code form either way.
#[server(prefix = "/me/api", endpoint = "request_code")]
pub async fn request_code(destination: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::services::portal;

    respond(
        async move {
            require_same_origin()?;
            let state = state()?;
            let client = client_info().ip.unwrap_or_else(|| "unknown".to_owned());
            let challenge =
                portal::request_code_from(&state.store, &state.tenant, &destination, &client)
                    .await
                    .map_err(service_error)?;
            leptos_axum::redirect(&format!("/me?challenge={}", challenge.0));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/me/api", endpoint = "verify_code")]
pub async fn verify_code(challenge: String, code: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::services::portal::{self, Challenge};

    respond(
        async move {
            require_same_origin()?;
            let state = state()?;
            let challenge = uuid::Uuid::parse_str(challenge.trim())
                .map(Challenge)
                .map_err(|_| ConsoleError::Invalid("Ask for a new code.".into()))?;
            let signed_in = portal::verify_code(&state.store, &state.tenant, challenge, &code)
                .await
                .map_err(service_error)?;
            set_cookie(&crate::session::customer_cookie(
                signed_in.token.as_str(),
                state.secure_cookies(),
            ));
            leptos_axum::redirect("/me");
            Ok(())
        }
        .await,
    )
}

/// The customer's name and preferences; checkboxes arrive only when ticked.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/me/api", endpoint = "update")]
pub async fn update_me(
    csrf: String,
    display_name: String,
    preferred_channel: String,
    timezone: String,
    language: String,
    #[server(default)] marketing_opt_in: Option<String>,
    #[server(default)] order_updates: Option<String>,
    #[server(default)] appointment_reminders: Option<String>,
    #[server(default)] product_news: Option<String>,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::services::customers::ProfileUpdate;
    use spine_core::services::portal;
    use spine_core::types::{Channel, NotificationPrefs};

    respond(
        async move {
            let session = ssr::require_customer_change(&csrf)?;
            let state = state()?;
            let preferred_channel = match preferred_channel.trim() {
                "" => None,
                name => Some(Channel::parse(name).ok_or_else(|| {
                    ConsoleError::Invalid("Choose a channel from the list.".into())
                })?),
            };
            if display_name.trim().is_empty() {
                return Err(ConsoleError::Invalid("Your name cannot be empty.".into()));
            }
            let update = ProfileUpdate {
                display_name: Some(display_name),
                preferred_channel,
                timezone: Some(timezone),
                language: Some(language),
                marketing_opt_in: Some(marketing_opt_in.is_some()),
                notifications: Some(NotificationPrefs {
                    order_updates: order_updates.is_some(),
                    appointment_reminders: appointment_reminders.is_some(),
                    product_news: product_news.is_some(),
                }),
                ..ProfileUpdate::default()
            };
            portal::update_my_profile(&state.store, &state.tenant, &session, &update)
                .await
                .map_err(service_error)?;
            Ok(())
        }
        .await,
    )
}

/// "This is not me" for one identifier: a person at the business looks at it.
#[server(prefix = "/me/api", endpoint = "dispute")]
pub async fn dispute(csrf: String, identity: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::services::portal;

    respond(
        async move {
            let session = ssr::require_customer_change(&csrf)?;
            let state = state()?;
            let id = uuid::Uuid::parse_str(identity.trim())
                .map_err(|_| ConsoleError::NotFound("No such identifier.".into()))?;
            portal::dispute_identity(&state.store, &state.tenant, &session, id)
                .await
                .map_err(service_error)?;
            Ok(())
        }
        .await,
    )
}

/// Erases everything about the customer, after they typed the confirmation word.
#[server(prefix = "/me/api", endpoint = "erase")]
pub async fn erase_me(csrf: String, confirm: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::services::privacy;

    respond(
        async move {
            let session = ssr::require_customer_change(&csrf)?;
            if !confirm.trim().eq_ignore_ascii_case("erase") {
                return Err(ConsoleError::Invalid(
                    "Type ERASE in the box to confirm.".into(),
                ));
            }
            let state = state()?;
            privacy::erase_customer(
                &state.store,
                &state.tenant,
                &session.actor(),
                session.customer_id,
            )
            .await
            .map_err(service_error)?;
            set_cookie(&crate::session::clear_customer_cookie(
                state.secure_cookies(),
            ));
            leptos_axum::redirect("/me?erased=1");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/me/api", endpoint = "sign_out")]
pub async fn sign_out_me(csrf: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::services::portal;

    respond(
        async move {
            let session = ssr::require_customer_change(&csrf)?;
            let state = state()?;
            portal::sign_out(&state.store, &state.tenant, &session)
                .await
                .map_err(service_error)?;
            set_cookie(&crate::session::clear_customer_cookie(
                state.secure_cookies(),
            ));
            leptos_axum::redirect("/me?signed_out=1");
            Ok(())
        }
        .await,
    )
}
