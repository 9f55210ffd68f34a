//! The customers list: search, filters, saved views, bulk changes and exports.

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use spine_core::lists::{BulkOutcome, CustomerList, ExportStatus, SavedView};
use uuid::Uuid;

use crate::error::ConsoleError;

/// The customers page: one page of the list, the person's views, what they may do with it.
/// One answer, so the page waits on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListPage {
    pub list: CustomerList,
    pub views: Vec<SavedView>,
    /// The newest export this person started, while its file is kept.
    pub export: Option<ExportStatus>,
    pub csrf: String,
    /// Agents and admins change tags and stages in bulk and export; managers read.
    pub can_change: bool,
    /// Admins share views with the team.
    pub can_share: bool,
    /// The tenant's custom fields, for the filters.
    pub fields: Vec<crate::types::CustomField>,
}

/// One page of the customer list the URL's query describes (`stage=lead&tag=vip&after=ID`).
#[server(endpoint = "list_customers")]
pub async fn list_customers(query: String) -> Result<ListPage, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::lists;

    respond(
        async move {
            let session = require_staff(Permission::ViewCustomers)?;
            let state = state()?;
            let filter = lists::parse_filter(&query).map_err(service_error)?;
            let after = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("after="))
                .map(|raw| parse_id(raw, "page"))
                .transpose()?;
            let actor = session.actor();
            let list =
                lists::list_customers(&state.store, &state.tenant, &filter, after, lists::PAGE)
                    .await
                    .map_err(service_error)?;
            let views = lists::saved_views(&state.store, &state.tenant, &actor)
                .await
                .map_err(service_error)?;
            let export = lists::latest_export(&state.store, &state.tenant, &actor)
                .await
                .map_err(service_error)?;
            let fields =
                spine_core::services::custom_fields::custom_fields(&state.store, &state.tenant)
                    .await
                    .map_err(service_error)?;
            Ok(ListPage {
                fields,
                list,
                views,
                export,
                csrf: session.csrf_token().to_owned(),
                can_change: session.staff.can(Permission::EditCustomers),
                can_share: session.staff.role == crate::types::Role::Admin,
            })
        }
        .await,
    )
}

/// Saves the list (`query`) as a view, the person's own or (`shared`, admins) the team's, and
/// opens it.
#[server(endpoint = "save_view")]
pub async fn save_view(
    csrf: String,
    name: String,
    query: String,
    shared: Option<String>,
) -> Result<SavedView, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::ViewCustomers, &csrf)?;
            let view = spine_core::services::lists::save_view(
                &state.store,
                &state.tenant,
                &session.actor(),
                &name,
                &query,
                shared.is_some(),
            )
            .await
            .map_err(service_error)?;
            leptos_axum::redirect(&view.url());
            Ok(view)
        }
        .await,
    )
}

/// Deletes a view and goes back to the list it held.
#[server(endpoint = "delete_view")]
pub async fn delete_view(csrf: String, id: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::ViewCustomers, &csrf)?;
            let id = parse_id(&id, "view")?;
            spine_core::services::lists::delete_view(
                &state.store,
                &state.tenant,
                &session.actor(),
                id,
            )
            .await
            .map_err(service_error)?;
            Ok(())
        }
        .await,
    )
}

/// A bulk change: `action` (`add_tags`, `remove_tags`, `set_stage`) with its `tags` (comma
/// separated) or `stage`, on the ticked profiles (`ids[c-ID]=on`) or, with `scope=list`, on
/// every profile of the list `query` describes.
#[server(endpoint = "bulk_update_customers")]
pub async fn bulk_update_customers(
    csrf: String,
    query: String,
    scope: String,
    action: String,
    tags: Option<String>,
    stage: Option<String>,
    ids: Option<BTreeMap<String, String>>,
) -> Result<BulkOutcome, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::lists::BulkAction;
    use spine_core::services::lists::{self, BulkTarget};

    respond(
        async move {
            let (session, state) = require_change(Permission::EditCustomers, &csrf)?;
            let tags: Vec<String> = tags
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
            let action = match action.as_str() {
                "add_tags" => BulkAction::AddTags { tags },
                "remove_tags" => BulkAction::RemoveTags { tags },
                "set_stage" => BulkAction::SetStage {
                    stage: stage
                        .as_deref()
                        .and_then(crate::types::LifecycleStage::parse)
                        .ok_or_else(|| ConsoleError::Invalid("Choose a stage.".into()))?,
                },
                _ => {
                    return Err(ConsoleError::Invalid(
                        "Choose what to do: add tags, remove tags or set the stage.".into(),
                    ));
                }
            };
            let target = if scope == "list" {
                BulkTarget::List(lists::parse_filter(&query).map_err(service_error)?)
            } else {
                let ids = ids
                    .unwrap_or_default()
                    .keys()
                    // `c-` first: a key that starts with a digit would read as a list index.
                    .map(|raw| parse_id(raw.strip_prefix("c-").unwrap_or(raw), "customer"))
                    .collect::<Result<Vec<_>, _>>()?;
                BulkTarget::Selected(ids)
            };
            lists::bulk_update(
                &state.store,
                &state.tenant,
                &session.actor(),
                &target,
                &action,
            )
            .await
            .map_err(service_error)
        }
        .await,
    )
}

/// Starts exporting the list `query` describes as CSV; the page follows it.
#[server(endpoint = "export_customers")]
pub async fn export_customers(csrf: String, query: String) -> Result<ExportStatus, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::lists;

    respond(
        async move {
            let (session, state) = require_change(Permission::EditCustomers, &csrf)?;
            let filter = lists::parse_filter(&query).map_err(service_error)?;
            let status =
                lists::start_export(&state.store, &state.tenant, &session.actor(), &filter)
                    .await
                    .map_err(service_error)?;
            leptos_axum::redirect(&filter.url());
            Ok(status)
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

/// The person's saved views (their own and the team's) with their counts, for the navigation.
#[server(endpoint = "nav_views")]
pub async fn nav_views() -> Result<Vec<SavedView>, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::lists;

    respond(
        async move {
            let session = require_staff(Permission::ViewCustomers)?;
            let state = state()?;
            lists::saved_views(&state.store, &state.tenant, &session.actor())
                .await
                .map_err(service_error)
        }
        .await,
    )
}
