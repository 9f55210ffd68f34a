//! Finding customers, and the little the placeholder profile page shows.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ConsoleError;
use crate::types::CustomerSummary;

/// One answer of the search box. `now` is the server's clock, so "3 days ago" reads the same
/// when rendered on the server and again in the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSearch {
    pub query: String,
    pub now: DateTime<Utc>,
    pub customers: Vec<CustomerSummary>,
}

/// Profiles matching a name, email, phone (any format), @handle or order number.
#[server(endpoint = "search_customers")]
pub async fn search_customers(query: String) -> Result<CustomerSearch, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            require_staff(Permission::ViewCustomers)?;
            let state = state()?;
            let customers = spine_core::services::customers::search_customers(
                &state.store,
                &state.tenant,
                &query,
                20,
            )
            .await
            .map_err(service_error)?;
            Ok(CustomerSearch {
                query,
                now: Utc::now(),
                customers,
            })
        }
        .await,
    )
}

/// A customer's display name (`None` when they have none yet).
#[server(endpoint = "get_customer_name")]
pub async fn get_customer_name(id: Uuid) -> Result<Option<String>, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            require_staff(Permission::ViewCustomers)?;
            let state = state()?;
            let profile =
                spine_core::services::customers::customer_profile(&state.store, &state.tenant, id)
                    .await
                    .map_err(service_error)?;
            Ok(profile.display_name)
        }
        .await,
    )
}
