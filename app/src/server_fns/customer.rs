//! One customer's page: the profile, a page of its timeline, possible duplicates and merge
//! history in one call; and what agents and admins change there (notes, stage, tags, undo).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ConsoleError;
use crate::types::CustomerPage;

/// Everything the customer page shows, in one round trip: the customer page's data (the same
/// fields at the top level) with the server's clock and the session's form token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPageView {
    /// The server's clock, so relative times read the same on the server and in the browser.
    pub now: DateTime<Utc>,
    #[serde(flatten)]
    pub page: CustomerPage,
    pub csrf_token: String,
}

/// A conversation's full text, for `/threads/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptView {
    pub id: Uuid,
    pub customer_id: Uuid,
    /// The customer's display name, when the profile has one.
    pub customer_name: Option<String>,
    pub topic: Option<String>,
    pub status: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub messages: Vec<TranscriptLine>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptLine {
    pub occurred_at: DateTime<Utc>,
    pub channel: String,
    pub direction: String,
    pub body: Option<String>,
}

/// The customer page's data. Unknown filter values are ignored (they come from the URL).
/// `merge_q` searches for another profile to merge into this one (admins only).
#[server(endpoint = "get_customer_page")]
pub async fn get_customer_page(
    id: Uuid,
    channel: Option<String>,
    kind: Option<String>,
    before: Option<String>,
    merge_q: Option<String>,
) -> Result<CustomerPageView, ConsoleError> {
    use super::ssr::*;
    use crate::types::{Channel, InteractionKind};
    use spine_core::ServiceError;
    use spine_core::access::Permission;
    use spine_core::services::customer_page::{self, PageAccess, PageRequest};

    respond(
        async move {
            let session = require_staff(Permission::ViewCustomers)?;
            let state = state()?;
            let request = PageRequest {
                channel: channel.as_deref().and_then(Channel::parse),
                kind: kind.as_deref().and_then(InteractionKind::parse),
                before,
                merge_query: merge_q,
            };
            let access = PageAccess {
                can_edit: session.staff.can(Permission::EditCustomers),
                can_merge: session.staff.can(Permission::MergeCustomers),
                can_manage_privacy: session.staff.can(Permission::ManagePrivacy),
            };
            let page =
                customer_page::customer_page(&state.store, &state.tenant, id, &request, access)
                    .await
                    .map_err(|e| match e {
                        // The refusal is a whole sentence: the page has no field to name.
                        ServiceError::Invalid { field, message }
                            if field == customer_page::CURSOR_FIELD =>
                        {
                            ConsoleError::Invalid(message)
                        }
                        e => service_error(e),
                    })?;
            Ok(CustomerPageView {
                now: Utc::now(),
                page,
                csrf_token: session.csrf_token().to_owned(),
            })
        }
        .await,
    )
}

/// Adds a note to the customer's timeline (agents and admins).
#[server(endpoint = "add_customer_note")]
pub async fn add_customer_note(
    id: Uuid,
    #[server(default)] csrf: String,
    #[server(default)] body: String,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::EditCustomers, &csrf)?;
            spine_core::services::notes::add_note(
                &state.store,
                &state.tenant,
                &session.actor(),
                id,
                &body,
            )
            .await
            .map_err(service_error)?;
            Ok(())
        }
        .await,
    )
}

/// Sets the customer's lifecycle stage and tags (comma-separated) (agents and admins).
#[server(endpoint = "update_customer_stage_tags")]
pub async fn update_customer_stage_tags(
    id: Uuid,
    #[server(default)] csrf: String,
    #[server(default)] stage: String,
    #[server(default)] tags: String,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use crate::types::LifecycleStage;
    use spine_core::access::Permission;
    use spine_core::services::customers::{ProfileUpdate, update_customer};

    respond(
        async move {
            let (session, state) = require_change(Permission::EditCustomers, &csrf)?;
            let stage = LifecycleStage::parse(stage.trim()).ok_or_else(|| {
                ConsoleError::Invalid("Choose a lifecycle stage from the list.".to_owned())
            })?;
            let tags: Vec<String> = tags
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
            update_customer(
                &state.store,
                &state.tenant,
                &session.actor(),
                id,
                &ProfileUpdate {
                    lifecycle_stage: Some(stage),
                    tags: Some(tags),
                    ..ProfileUpdate::default()
                },
            )
            .await
            .map_err(service_error)?;
            Ok(())
        }
        .await,
    )
}

/// Sets the customer's custom field values (`f[k-KEY]=value`; empty clears) (agents and admins).
#[server(endpoint = "update_customer_custom")]
pub async fn update_customer_custom(
    id: Uuid,
    #[server(default)] csrf: String,
    #[server(default)] f: Option<std::collections::BTreeMap<String, String>>,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::customers::{ProfileUpdate, update_customer};

    respond(
        async move {
            let (session, state) = require_change(Permission::EditCustomers, &csrf)?;
            let custom = f
                .unwrap_or_default()
                .into_iter()
                // `k-` first: a key that starts with a digit would read as a list index.
                .map(|(key, value)| {
                    let key = key.strip_prefix("k-").unwrap_or(&key).to_owned();
                    let value = if value.trim().is_empty() {
                        serde_json::Value::Null
                    } else {
                        serde_json::Value::String(value)
                    };
                    (key, value)
                })
                .collect();
            update_customer(
                &state.store,
                &state.tenant,
                &session.actor(),
                id,
                &ProfileUpdate {
                    custom: Some(custom),
                    ..ProfileUpdate::default()
                },
            )
            .await
            .map_err(service_error)?;
            Ok(())
        }
        .await,
    )
}

/// Undoes a merge (admins).
/// An admin marks an address or number verified (sign-in codes may go to it), with a reason.
#[server(endpoint = "verify_customer_identity")]
pub async fn verify_customer_identity(
    id: Uuid,
    identity: Uuid,
    #[server(default)] reason: String,
    #[server(default)] csrf: String,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::MergeCustomers, &csrf)?;
            spine_core::services::identities::verify_identity(
                &state.store,
                &state.tenant,
                &session.actor(),
                id,
                identity,
                &reason,
            )
            .await
            .map(|_| ())
            .map_err(service_error)
        }
        .await,
    )
}

#[server(endpoint = "undo_customer_merge")]
pub async fn undo_customer_merge(
    merge_id: Uuid,
    #[server(default)] csrf: String,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::MergeCustomers, &csrf)?;
            spine_core::services::merge::undo_merge(
                &state.store,
                &state.tenant,
                &session.actor(),
                merge_id,
            )
            .await
            .map_err(service_error)?;
            Ok(())
        }
        .await,
    )
}

/// Resolves, reopens or archives a conversation (`action`: resolve, reopen or archive;
/// agents and admins); audited.
#[server(endpoint = "change_thread")]
pub async fn change_thread(
    #[server(default)] csrf: String,
    thread_id: Uuid,
    #[server(default)] action: String,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::memory;

    respond(
        async move {
            let (session, state) = require_change(Permission::EditCustomers, &csrf)?;
            let (store, tenant, actor) = (&state.store, &state.tenant, session.actor());
            match action.as_str() {
                "resolve" | "reopen" => {
                    memory::set_thread_resolved(
                        store,
                        tenant,
                        &actor,
                        thread_id,
                        action == "resolve",
                    )
                    .await
                }
                "archive" => memory::archive_thread(store, tenant, &actor, thread_id)
                    .await
                    .map(|_| ()),
                _ => {
                    return Err(ConsoleError::Invalid(
                        "Choose resolve, reopen or archive.".to_owned(),
                    ));
                }
            }
            .map_err(service_error)
        }
        .await,
    )
}

/// A conversation's messages with their full text (archived or not), for any staff member.
#[server(endpoint = "get_thread_transcript")]
pub async fn get_thread_transcript(id: Uuid) -> Result<TranscriptView, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::memory;

    respond(
        async move {
            require_staff(Permission::ViewCustomers)?;
            let state = state()?;
            let t = memory::thread_transcript(&state.store, &state.tenant, id)
                .await
                .map_err(service_error)?;
            let customer_name = spine_core::services::customers::customer_profile(
                &state.store,
                &state.tenant,
                t.customer_id,
            )
            .await
            .ok()
            .and_then(|p| p.display_name);
            Ok(TranscriptView {
                id: t.id,
                customer_id: t.customer_id,
                customer_name,
                topic: t.topic,
                status: t.status,
                archived_at: t.archived_at,
                messages: t
                    .messages
                    .into_iter()
                    .map(|m| TranscriptLine {
                        occurred_at: m.occurred_at,
                        channel: m.channel,
                        direction: m.direction,
                        body: m.body,
                    })
                    .collect(),
                now: Utc::now(),
            })
        }
        .await,
    )
}

/// Soft-deletes (hides from every list and search) or restores a profile (admins).
#[server(endpoint = "set_customer_deleted")]
pub async fn set_customer_deleted(
    #[server(default)] csrf: String,
    id: Uuid,
    #[server(default)] deleted: bool,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::privacy;

    respond(
        async move {
            let (session, state) = require_change(Permission::ManagePrivacy, &csrf)?;
            let (store, tenant, actor) = (&state.store, &state.tenant, session.actor());
            if deleted {
                privacy::soft_delete_customer(store, tenant, &actor, id).await
            } else {
                privacy::restore_customer(store, tenant, &actor, id).await
            }
            .map_err(service_error)?;
            Ok(())
        }
        .await,
    )
}

/// Erases the person's data for good (admins), after the confirmation word; then back to search.
#[server(endpoint = "erase_customer_data")]
pub async fn erase_customer_data(
    #[server(default)] csrf: String,
    id: Uuid,
    #[server(default)] confirm: String,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::privacy;

    respond(
        async move {
            let (session, state) = require_change(Permission::ManagePrivacy, &csrf)?;
            if !confirm.trim().eq_ignore_ascii_case("erase") {
                return Err(ConsoleError::Invalid(
                    "Type ERASE in the box to confirm.".into(),
                ));
            }
            privacy::erase_customer(&state.store, &state.tenant, &session.actor(), id)
                .await
                .map_err(service_error)?;
            leptos_axum::redirect("/customers");
            Ok(())
        }
        .await,
    )
}

/// Decides a customer's "this is not me": unlink the identifier, or keep it (admins).
#[server(endpoint = "decide_customer_dispute")]
pub async fn decide_customer_dispute(
    #[server(default)] csrf: String,
    item: Uuid,
    #[server(default)] unlink: bool,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::review;

    respond(
        async move {
            let (session, state) = require_change(Permission::ReviewMatches, &csrf)?;
            review::decide_dispute(&state.store, &state.tenant, &session.actor(), item, unlink)
                .await
                .map_err(service_error)?;
            Ok(())
        }
        .await,
    )
}

/// Adds an identifier to the profile by hand, with a reason (agents and admins).
#[server(endpoint = "add_customer_identity")]
pub async fn add_customer_identity(
    id: Uuid,
    #[server(default)] kind: String,
    #[server(default)] provider: String,
    #[server(default)] value: String,
    #[server(default)] reason: String,
    #[server(default)] csrf: String,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::types::NewIdentifier;

    respond(
        async move {
            let (session, state) = require_change(Permission::EditCustomers, &csrf)?;
            spine_core::services::identities::add_identity(
                &state.store,
                &state.tenant,
                &session.actor(),
                id,
                &NewIdentifier::from_form(&kind, &provider, value, reason),
            )
            .await
            .map(|_| ())
            .map_err(service_error)
        }
        .await,
    )
}

/// Moves an identifier to a new profile (`to=new`) or to the profile `other` names (its id or
/// its page's address), with a reason (admins).
#[server(endpoint = "unlink_customer_identity")]
pub async fn unlink_customer_identity(
    id: Uuid,
    identity: Uuid,
    #[server(default)] to: String,
    #[server(default)] other: String,
    #[server(default)] reason: String,
    #[server(default)] csrf: String,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::types::UnlinkTo;

    respond(
        async move {
            let (session, state) = require_change(Permission::MergeCustomers, &csrf)?;
            let to = if to == "new" {
                UnlinkTo::NewProfile
            } else {
                // The id alone, or the profile's address as copied from the browser.
                let last = other
                    .trim()
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or_default();
                let last = last.split(['?', '#']).next().unwrap_or_default();
                UnlinkTo::Profile(spine_core::types::parse_hyphenated_uuid(last).ok_or_else(
                    || {
                        ConsoleError::Invalid(
                            "Give the other profile's id, or paste its page's address.".to_owned(),
                        )
                    },
                )?)
            };
            spine_core::services::identities::unlink_identity(
                &state.store,
                &state.tenant,
                &session.actor(),
                id,
                identity,
                to,
                &reason,
            )
            .await
            .map(|_| ())
            .map_err(service_error)
        }
        .await,
    )
}

/// Undoes an identifier change made by hand (who may depends on the change).
#[server(endpoint = "undo_identity_edit")]
pub async fn undo_identity_edit(
    edit: Uuid,
    #[server(default)] csrf: String,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::EditCustomers, &csrf)?;
            spine_core::services::identities::undo_identity_edit(
                &state.store,
                &state.tenant,
                &session.actor(),
                edit,
            )
            .await
            .map(|_| ())
            .map_err(service_error)
        }
        .await,
    )
}
