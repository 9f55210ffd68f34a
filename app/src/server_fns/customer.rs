//! One customer's page: the profile, a page of its timeline, possible duplicates and merge
//! history in one call; and what agents and admins change there (notes, stage, tags, undo).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ConsoleError;
use crate::types::{
    Channel, CustomerProfile, CustomerSummary, DuplicateCandidate, InteractionKind, MergeRecord,
    TimelineEntry,
};

/// Timeline entries per page.
pub const TIMELINE_PAGE: i64 = 50;

/// Everything the customer page shows, in one round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPage {
    /// The server's clock, so relative times read the same on the server and in the browser.
    pub now: DateTime<Utc>,
    pub profile: CustomerProfile,
    pub timeline: Vec<TimelineEntry>,
    /// The `before` of the next (older) page, when there may be one.
    pub next_cursor: Option<String>,
    pub channel: Option<Channel>,
    pub kind: Option<InteractionKind>,
    pub duplicates: Vec<DuplicateCandidate>,
    pub merges: Vec<MergeRecord>,
    /// The "merge with another profile" box's search (`merge_q`), for those who may merge.
    pub merge_search: Option<MergeSearch>,
    /// The profile this one was merged into (and is now part of), when it was.
    pub merged_into: Option<Uuid>,
    /// What the signed-in role may do here: the page shows only these controls.
    pub can_edit: bool,
    pub can_merge: bool,
    /// Export, soft delete, restore and erase (admins).
    pub can_manage_privacy: bool,
    /// What someone answering this customer should know, as the context API renders it.
    pub context: Option<ContextView>,
    /// Identifiers the customer said are not theirs, waiting for a decision (admins).
    pub disputes: Vec<spine_core::types::Dispute>,
    pub csrf_token: String,
}

/// The context panel: the prompt-ready text and the conversations it was built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextView {
    pub text: String,
    pub threads: Vec<ThreadBrief>,
}

/// One conversation thread as the context panel lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadBrief {
    pub id: Uuid,
    pub channel: String,
    pub status: String,
    pub topic: Option<String>,
    pub continues_from: Option<String>,
    pub archived: bool,
    pub last_message_at: DateTime<Utc>,
}

/// A conversation's full text, for `/threads/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptView {
    pub id: Uuid,
    pub customer_id: Uuid,
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

/// Other active profiles found for the merge box: the search service's answer without this
/// profile itself, or a readable reason it could not search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeSearch {
    pub query: String,
    pub customers: Vec<CustomerSummary>,
    pub error: Option<String>,
}

/// Results shown in the merge box.
pub const MERGE_SEARCH_LIMIT: i64 = 8;

/// The customer page's data. Unknown filter values are ignored (they come from the URL).
/// `merge_q` searches for another profile to merge into this one (admins only).
#[server(endpoint = "get_customer_page")]
pub async fn get_customer_page(
    id: Uuid,
    channel: Option<String>,
    kind: Option<String>,
    before: Option<String>,
    merge_q: Option<String>,
) -> Result<CustomerPage, ConsoleError> {
    use super::ssr::*;
    use spine_core::ServiceError;
    use spine_core::access::Permission;
    use spine_core::services::{customers, duplicates, merge};

    respond(
        async move {
            let session = require_staff(Permission::ViewCustomers)?;
            let state = state()?;
            let (store, tenant) = (&state.store, &state.tenant);
            let channel = channel.as_deref().and_then(Channel::parse);
            let kind = kind.as_deref().and_then(InteractionKind::parse);
            let before = match before.as_deref().filter(|b| !b.is_empty()) {
                Some(raw) => Some(crate::types::TimelineCursor::parse(raw).ok_or_else(|| {
                    ConsoleError::Invalid("That page of the timeline does not exist.".to_owned())
                })?),
                None => None,
            };
            let profile = customers::customer_profile(store, tenant, id)
                .await
                .map_err(service_error)?;
            let timeline = customers::customer_timeline_filtered(
                store,
                tenant,
                id,
                before,
                TIMELINE_PAGE,
                channel,
                kind,
            )
            .await
            .map_err(service_error)?;
            let next_cursor = (timeline.len() as i64 == TIMELINE_PAGE)
                .then(|| {
                    timeline
                        .last()
                        .map(|e| crate::types::TimelineCursor::after(e).to_string())
                })
                .flatten();
            let merges = merge::merge_history(store, tenant, id)
                .await
                .map_err(service_error)?;
            let merged_into = merges
                .iter()
                .find(|m| !m.survived && m.undone_at.is_none())
                .map(|m| m.survivor_id);
            // An absorbed profile has no duplicates of its own: it is part of its survivor.
            let duplicates = match duplicates::possible_duplicates(store, tenant, id).await {
                Ok(list) => list,
                Err(ServiceError::NotFound(_)) => Vec::new(),
                Err(e) => return Err(service_error(e)),
            };
            let can_merge = session.staff.can(Permission::MergeCustomers);
            // An absorbed profile takes no further merges until its own is undone.
            let merge_search = match merge_q {
                Some(query) if can_merge && merged_into.is_none() => {
                    let query = query.trim().to_owned();
                    if query.is_empty() {
                        Some(MergeSearch {
                            query,
                            customers: Vec::new(),
                            error: None,
                        })
                    } else {
                        // One more than shown, since this profile may be among them.
                        let found = customers::search_customers(
                            store,
                            tenant,
                            &query,
                            MERGE_SEARCH_LIMIT + 1,
                        )
                        .await;
                        Some(match found {
                            Ok(list) => MergeSearch {
                                query,
                                customers: list
                                    .into_iter()
                                    .filter(|c| c.id != id)
                                    .take(MERGE_SEARCH_LIMIT as usize)
                                    .collect(),
                                error: None,
                            },
                            Err(e @ ServiceError::Invalid { .. }) => MergeSearch {
                                query,
                                customers: Vec::new(),
                                error: Some(service_error(e).to_string()),
                            },
                            Err(e) => return Err(service_error(e)),
                        })
                    }
                }
                _ => None,
            };
            Ok(CustomerPage {
                now: Utc::now(),
                profile,
                timeline,
                next_cursor,
                channel,
                kind,
                duplicates,
                merges,
                merge_search,
                merged_into,
                can_edit: session.staff.can(Permission::EditCustomers) && merged_into.is_none(),
                can_merge,
                can_manage_privacy: session.staff.can(Permission::ManagePrivacy),
                context: match spine_core::services::memory::customer_context(
                    store,
                    tenant,
                    id,
                    None,
                    spine_core::services::memory::DEFAULT_BUDGET,
                )
                .await
                {
                    Ok(context) => Some(ContextView {
                        threads: context
                            .threads
                            .into_iter()
                            .map(|t| ThreadBrief {
                                id: t.id,
                                channel: t.channel,
                                status: t.status,
                                topic: t.topic,
                                continues_from: t.continues_from,
                                archived: t.archived,
                                last_message_at: t.last_message_at,
                            })
                            .collect(),
                        text: context.text,
                    }),
                    // An absorbed or erased profile has no context of its own.
                    Err(ServiceError::NotFound(_)) => None,
                    Err(e) => return Err(service_error(e)),
                },
                disputes: if can_merge {
                    spine_core::services::portal::open_disputes(store, tenant, id)
                        .await
                        .map_err(service_error)?
                } else {
                    Vec::new()
                },
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
            spine_core::services::customers::verify_identity(
                &state.store,
                &state.tenant,
                &session.actor(),
                id,
                identity,
                &reason,
            )
            .await
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
            Ok(TranscriptView {
                id: t.id,
                customer_id: t.customer_id,
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
