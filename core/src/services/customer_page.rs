//! The console's customer page: one profile, a page of its timeline, its possible duplicates,
//! merge history, context and disputes in one answer, with what the caller may do there decided
//! by the page's rules. A profile absorbed by a merge is part of its survivor until the merge is
//! undone: it cannot be edited, takes no further merge and has no duplicates or context of its
//! own.

use uuid::Uuid;

use crate::services::{ServiceError, ServiceResult, Tenant};
use crate::services::{customers, duplicates, memory, merge, portal};
use crate::store::Store;
use crate::types::{
    Channel, ContextView, CustomerPage, InteractionKind, MergeSearch, ThreadBrief, TimelineCursor,
};

/// Timeline entries per page.
pub const TIMELINE_PAGE: i64 = 50;
/// Results shown in the merge box.
pub const MERGE_SEARCH_LIMIT: i64 = 8;
/// The field a cursor the page did not hand out is refused on; its message is a whole sentence.
pub const CURSOR_FIELD: &str = "before";

/// What the caller's role allows on the page, as their permissions say; the page's rules narrow
/// it further (an absorbed profile cannot be edited, whoever asks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageAccess {
    /// Notes, stage and tags, conversation status.
    pub can_edit: bool,
    /// Merges, their undo, verified identities and disputes.
    pub can_merge: bool,
    /// Export, soft delete, restore and erase.
    pub can_manage_privacy: bool,
}

/// What the page asks for: the timeline's filters and page, and the merge box's search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageRequest {
    pub channel: Option<Channel>,
    pub kind: Option<InteractionKind>,
    /// The `next_cursor` of the page before, as the page handed it out; empty is the first page.
    pub before: Option<String>,
    /// The merge box's search (`merge_q`); answered only for those who may merge.
    pub merge_query: Option<String>,
}

/// The customer page's data for `id`. A cursor the page did not hand out is refused
/// ([`CURSOR_FIELD`]); an unknown profile is not found.
pub async fn customer_page(
    store: &Store,
    tenant: &Tenant,
    id: Uuid,
    request: &PageRequest,
    access: PageAccess,
) -> ServiceResult<CustomerPage> {
    let before = match request.before.as_deref().filter(|b| !b.is_empty()) {
        Some(raw) => Some(TimelineCursor::parse(raw).ok_or_else(|| {
            ServiceError::invalid(CURSOR_FIELD, "That page of the timeline does not exist.")
        })?),
        None => None,
    };
    let profile = customers::customer_profile(store, tenant, id).await?;
    let timeline = customers::timeline_page(
        store,
        tenant,
        id,
        &customers::TimelineRequest {
            before,
            limit: TIMELINE_PAGE,
            channel: request.channel,
            kind: request.kind,
        },
    )
    .await?;
    let merges = merge::merge_history(store, tenant, id).await?;
    let merged_into = merges
        .iter()
        .find(|m| !m.survived && m.undone_at.is_none())
        .map(|m| m.survivor_id);
    // An absorbed profile has no duplicates of its own: it is part of its survivor.
    let duplicates = match duplicates::possible_duplicates(store, tenant, id).await {
        Ok(list) => list,
        Err(ServiceError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    // An absorbed profile takes no further merges until its own is undone.
    let merge_search = match &request.merge_query {
        Some(query) if access.can_merge && merged_into.is_none() => {
            Some(merge_search(store, tenant, id, query).await?)
        }
        _ => None,
    };
    let context =
        match memory::customer_context(store, tenant, id, None, memory::DEFAULT_BUDGET).await {
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
            Err(e) => return Err(e),
        };
    let disputes = if access.can_merge {
        portal::open_disputes(store, tenant, id).await?
    } else {
        Vec::new()
    };
    let threads = timeline_threads(store, tenant, &timeline.entries).await?;
    Ok(CustomerPage {
        profile,
        threads,
        timeline: timeline.entries,
        next_cursor: timeline.next_cursor.map(|c| c.to_string()),
        channel: request.channel,
        kind: request.kind,
        duplicates,
        merges,
        merge_search,
        merged_into,
        can_edit: access.can_edit && merged_into.is_none(),
        can_merge: access.can_merge,
        can_manage_privacy: access.can_manage_privacy,
        context,
        disputes,
        custom_fields: crate::services::custom_fields::custom_fields(store, tenant).await?,
        identity_edits: crate::services::identities::identity_edits(store, tenant, id).await?,
        can_unlink: access.can_merge && merged_into.is_none(),
    })
}

/// The conversations these timeline entries belong to, each once.
async fn timeline_threads(
    store: &Store,
    tenant: &Tenant,
    entries: &[crate::types::TimelineEntry],
) -> ServiceResult<Vec<ThreadBrief>> {
    let mut ids: Vec<Uuid> = entries.iter().filter_map(|e| e.thread_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = store.read().await?;
    let mut threads = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = tx.thread(tenant.id, id).await? {
            threads.push(ThreadBrief {
                id: row.id,
                channel: row.channel,
                status: row.status,
                topic: row.topic,
                continues_from: row.handoff_from_channel,
                archived: row.archived_at.is_some(),
                last_message_at: row.last_message_at,
            });
        }
    }
    Ok(threads)
}

/// Other active profiles for the merge box: never `id` itself; a query the search refuses is
/// answered with its reason, to show next to the box.
async fn merge_search(
    store: &Store,
    tenant: &Tenant,
    id: Uuid,
    query: &str,
) -> ServiceResult<MergeSearch> {
    let query = query.trim().to_owned();
    if query.is_empty() {
        return Ok(MergeSearch {
            query,
            customers: Vec::new(),
            error: None,
        });
    }
    // One more than shown, since this profile may be among them.
    match customers::search_customers(store, tenant, &query, MERGE_SEARCH_LIMIT + 1).await {
        Ok(list) => Ok(MergeSearch {
            query,
            customers: list
                .into_iter()
                .filter(|c| c.id != id)
                .take(MERGE_SEARCH_LIMIT as usize)
                .collect(),
            error: None,
        }),
        Err(e @ ServiceError::Invalid { .. }) => Ok(MergeSearch {
            query,
            customers: Vec::new(),
            error: Some(e.to_string()),
        }),
        Err(e) => Err(e),
    }
}
