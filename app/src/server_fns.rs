//! Server functions: the console's calls into the services. Each parses its input, calls one
//! service, and maps the result; internal errors are logged here and reach the browser opaque.

use leptos::prelude::*;
use spine_core::types::{CustomerSummary, TenantStats};

#[cfg(feature = "ssr")]
mod ssr {
    use leptos::prelude::*;
    use spine_core::ServiceError;

    use crate::state::AppState;

    pub fn state() -> Result<AppState, ServerFnError> {
        use_context::<AppState>().ok_or_else(|| ServerFnError::new("application state is missing"))
    }

    /// A readable message for what the user can fix; an opaque one (and a log line) otherwise.
    pub fn to_server_error(err: ServiceError) -> ServerFnError {
        match err {
            ServiceError::Invalid { .. }
            | ServiceError::NotFound(_)
            | ServiceError::Conflict(_) => ServerFnError::new(err.to_string()),
            ServiceError::Forbidden => ServerFnError::new("You are not allowed to do that."),
            ServiceError::Store(e) => {
                tracing::error!(error = %e, "server function failed");
                ServerFnError::new("Something went wrong on our side. Please try again.")
            }
        }
    }
}

/// Counts for the home page.
#[server]
pub async fn get_tenant_stats() -> Result<TenantStats, ServerFnError> {
    let state = ssr::state()?;
    spine_core::services::customers::tenant_stats(&state.store, &state.console_tenant)
        .await
        .map_err(ssr::to_server_error)
}

/// Profiles matching a name, email or phone fragment.
#[server]
pub async fn search_customers(query: String) -> Result<Vec<CustomerSummary>, ServerFnError> {
    let state = ssr::state()?;
    spine_core::services::customers::search_customers(
        &state.store,
        &state.console_tenant,
        &query,
        20,
    )
    .await
    .map_err(ssr::to_server_error)
}
