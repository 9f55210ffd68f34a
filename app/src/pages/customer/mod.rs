//! `/customers/{id}`: one person. The header (stage, tags, primaries, preferences), identities,
//! one timeline of every channel (filters and older pages are links in the query string, so they
//! work without JavaScript), notes, stage and tags for agents and admins, the engine's possible
//! duplicates, and merge history with undo for admins. One server call fills the page.
//!
//! This module is the page and where its data goes; each area of the page has a module of its
//! own: `profile` (header, stage and tags), `timeline`, `identities`, `merges` (duplicates, the
//! merge box, merge history), `privacy` (data and privacy, disputes) and `context`.

/// The version of an action's last success: what a form redrawn afresh after each success (and
/// kept as typed after a failure) or a reload of the page follows.
macro_rules! successes {
    ($action:expr) => {{
        let action = $action;
        Memo::new(move |previous: Option<&usize>| {
            let version = action.version().get();
            if action.value().with(|v| matches!(v, Some(Ok(_)))) {
                version
            } else {
                previous.copied().unwrap_or(0)
            }
        })
    }};
}

mod context;
mod custom;
mod identities;
mod merges;
mod privacy;
mod profile;
mod timeline;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::error::ConsoleError;
use crate::format::relative_time;
use crate::server_fns::customer::{
    AddCustomerIdentity, AddCustomerNote, ChangeThread, CustomerPageView as PageData,
    DecideCustomerDispute, EraseCustomerData, SetCustomerDeleted, UndoCustomerMerge,
    UndoIdentityEdit, UnlinkCustomerIdentity, UpdateCustomerCustom, UpdateCustomerStageTags,
    VerifyCustomerIdentity, get_customer_page,
};
use crate::types::CustomerPage;

use context::ContextPanel;
use custom::CustomFieldsPanel;
use identities::{Identities, IdentityAccess};
use merges::{Duplicates, MergeBox, Merges};
use privacy::{Disputes, PrivacyPanel};
use profile::{EditPanel, Header};
use timeline::Timeline;

pub use timeline::group_conversations;

#[component]
pub fn CustomerPage() -> AnyView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    });
    let filters = Memo::new(move |_| {
        let q = query.read();
        (
            q.get("channel"),
            q.get("kind"),
            q.get("before"),
            q.get("merge_q"),
        )
    });
    let note = ServerAction::<AddCustomerNote>::new();
    let update = ServerAction::<UpdateCustomerStageTags>::new();
    let undo = ServerAction::<UndoCustomerMerge>::new();
    let deleted = ServerAction::<SetCustomerDeleted>::new();
    let erase = ServerAction::<EraseCustomerData>::new();
    let dispute = ServerAction::<DecideCustomerDispute>::new();
    let thread = ServerAction::<ChangeThread>::new();
    let verify = ServerAction::<VerifyCustomerIdentity>::new();
    let custom = ServerAction::<UpdateCustomerCustom>::new();
    let add_identity = ServerAction::<AddCustomerIdentity>::new();
    let unlink = ServerAction::<UnlinkCustomerIdentity>::new();
    let undo_edit = ServerAction::<UndoIdentityEdit>::new();
    // Identity changes reload the page only when they succeed: a refusal keeps what was typed.
    let identity_changes = (
        successes!(verify),
        successes!(add_identity),
        successes!(unlink),
        successes!(undo_edit),
    );
    let page = Resource::new(
        move || {
            (
                id.get(),
                filters.get(),
                note.version().get(),
                update.version().get(),
                undo.version().get(),
                deleted.version().get(),
                dispute.version().get(),
                thread.version().get(),
                custom.version().get()
                    + identity_changes.0.get()
                    + identity_changes.1.get()
                    + identity_changes.2.get()
                    + identity_changes.3.get(),
            )
        },
        |(id, (channel, kind, before, merge_q), _, _, _, _, _, _, _)| async move {
            match id {
                Some(id) => get_customer_page(id, channel, kind, before, merge_q).await,
                None => Err(ConsoleError::NotFound("No such customer.".to_owned())),
            }
        },
    );
    let actions = Actions {
        note,
        update,
        undo,
        deleted,
        erase,
        dispute,
        thread,
        verify,
        custom,
        add_identity,
        unlink,
        undo_edit,
    };
    view! {
        <p class="crumbs"><a href="/customers">"← Customers"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => {
                        // Only the newest page of the timeline takes new entries as they come.
                        let first_page = filters.with_untracked(|f| f.2.is_none());
                        view! { <Profile data actions first_page /> }.into_any()
                    }
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        if let (ConsoleError::NotFound(_), Some(response)) =
                            (&e, use_context::<leptos_axum::ResponseOptions>())
                        {
                            response.set_status(axum::http::StatusCode::NOT_FOUND);
                        }
                        let title = if matches!(e, ConsoleError::NotFound(_)) {
                            "Customer not found"
                        } else {
                            "This customer cannot be shown"
                        };
                        view! {
                            <Title text=title />
                            <section class="panel empty">
                                <h1>{title}</h1>
                                <p class="error" role="alert">{e.to_string()}</p>
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
    .into_any()
}

#[derive(Clone, Copy)]
struct Actions {
    note: ServerAction<AddCustomerNote>,
    update: ServerAction<UpdateCustomerStageTags>,
    undo: ServerAction<UndoCustomerMerge>,
    deleted: ServerAction<SetCustomerDeleted>,
    erase: ServerAction<EraseCustomerData>,
    dispute: ServerAction<DecideCustomerDispute>,
    thread: ServerAction<ChangeThread>,
    verify: ServerAction<VerifyCustomerIdentity>,
    custom: ServerAction<UpdateCustomerCustom>,
    add_identity: ServerAction<AddCustomerIdentity>,
    unlink: ServerAction<UnlinkCustomerIdentity>,
    undo_edit: ServerAction<UndoIdentityEdit>,
}

/// What the live feed refreshes on the page.
#[derive(Debug, Clone)]
struct Fresh {
    timeline: Vec<crate::types::TimelineEntry>,
    threads: Vec<crate::types::ThreadBrief>,
    context: Option<crate::types::ContextView>,
}

/// A failed action's message, next to its form.
fn action_error(
    value: MappedSignal<Option<Result<(), ConsoleError>>>,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static {
    move || {
        value
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any())
    }
}

#[component]
fn Profile(data: PageData, actions: Actions, first_page: bool) -> AnyView {
    let PageData {
        now,
        page,
        csrf_token,
    } = data;
    let CustomerPage {
        profile,
        timeline,
        threads,
        next_cursor,
        channel,
        kind,
        duplicates,
        merges,
        merge_search,
        merged_into,
        can_edit,
        can_merge,
        can_manage_privacy,
        context,
        disputes,
        custom_fields,
        identity_edits,
        can_unlink,
    } = page;
    let deleted_at = profile.deleted_at;
    let id = profile.id;
    // The timeline, its conversations and the context as the live feed last brought them;
    // the rest of the page (and whatever is being typed in it) stays as it is.
    let fresh = RwSignal::new(None::<Fresh>);
    #[cfg(feature = "hydrate")]
    if first_page && let Some(live) = use_context::<crate::live::LiveFeed>() {
        let start = live.heard();
        let (channel, kind) = (
            channel.map(|c| c.as_str().to_owned()),
            kind.map(|k| k.as_str().to_owned()),
        );
        Effect::new(move |_| {
            if live.names(start, id) {
                let (channel, kind) = (channel.clone(), kind.clone());
                leptos::task::spawn_local(async move {
                    if let Ok(data) = get_customer_page(id, channel, kind, None, None).await {
                        fresh.set(Some(Fresh {
                            timeline: data.page.timeline,
                            threads: data.page.threads,
                            context: data.page.context,
                        }));
                    }
                });
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = first_page;
    let entries = Signal::derive(move || {
        fresh
            .with(|f| f.as_ref().map(|f| f.timeline.clone()))
            .unwrap_or_else(|| timeline.clone())
    });
    let threads = Signal::derive(move || {
        fresh
            .with(|f| f.as_ref().map(|f| f.threads.clone()))
            .unwrap_or_else(|| threads.clone())
    });
    let context = Signal::derive(move || {
        fresh
            .with(|f| f.as_ref().map(|f| f.context.clone()))
            .unwrap_or_else(|| context.clone())
    });
    let name = profile
        .display_name
        .clone()
        .unwrap_or_else(|| "(no name yet)".to_owned());
    view! {
        <Title text=name.clone() />
        {merged_into.map(|survivor| view! {
            <p class="notice" role="status">
                "This profile was merged into "
                <a href=format!("/customers/{survivor}")>"another profile"</a>
                ". Its identities and timeline are there until the merge is undone."
            </p>
        })}
        {deleted_at.map(|at| view! {
            <p class="notice warn" role="status" id="deleted-notice">
                "This profile was deleted " {relative_time(at, now)}
                ": it is hidden from every list and search until it is restored."
            </p>
        })}
        <div class="customer-layout">
            <div class="customer-main">
                <Header profile=profile.clone() name now />
                <Identities
                    profile=profile.clone()
                    edits=identity_edits
                    now
                    access=IdentityAccess { add: can_edit, manage: can_unlink }
                    csrf=csrf_token.clone()
                    actions
                />
                {can_edit.then(|| view! {
                    <EditPanel profile=profile.clone() csrf=csrf_token.clone() actions />
                })}
                {(!custom_fields.is_empty()).then(|| view! {
                    <CustomFieldsPanel
                        id
                        fields=custom_fields
                        values=profile.custom.clone()
                        can_edit
                        csrf=csrf_token.clone()
                        actions
                    />
                })}
                <Timeline
                    id
                    entries
                    threads
                    next_cursor
                    channel
                    kind
                    now
                    can_edit
                    csrf=csrf_token.clone()
                    actions
                />
            </div>
            <aside class="customer-side">
                {
                    let csrf = csrf_token.clone();
                    move || context.get().map(|context| view! {
                        <ContextPanel context can_edit csrf=csrf.clone() actions now />
                    })
                }
                {(!disputes.is_empty()).then(|| view! {
                    <Disputes list=disputes csrf=csrf_token.clone() actions />
                })}
                <Duplicates id list=duplicates can_merge />
                {(can_merge && merged_into.is_none()).then(|| view! {
                    <MergeBox id search=merge_search />
                })}
                {(can_manage_privacy && merged_into.is_none()).then(|| view! {
                    <PrivacyPanel id deleted=deleted_at.is_some() csrf=csrf_token.clone() actions />
                })}
                <Merges list=merges can_merge csrf=csrf_token actions now />
            </aside>
        </div>
    }
    .into_any()
}

fn when(at: DateTime<Utc>, now: DateTime<Utc>) -> impl IntoView {
    view! {
        <time datetime=at.to_rfc3339() title=at.format("%Y-%m-%d %H:%M UTC").to_string()>
            {relative_time(at, now)}
        </time>
    }
}

/// A quiet line of text where a list would be: an empty state.
fn muted(text: &'static str) -> AnyView {
    view! { <p class="muted">{text}</p> }.into_any()
}
