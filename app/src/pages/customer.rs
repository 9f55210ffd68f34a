//! `/customers/{id}`: one person. The header (stage, tags, primaries, preferences), identities,
//! one timeline of every channel (filters and older pages are links in the query string, so they
//! work without JavaScript), notes, stage and tags for agents and admins, the engine's possible
//! duplicates, and merge history with undo for admins. One server call fills the page.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::location::Url;
use uuid::Uuid;

use crate::error::ConsoleError;
use crate::format::{ChannelIcons, relative_time};
use crate::server_fns::customer::{
    AddCustomerNote, ChangeThread, ContextView, CustomerPage as PageData, DecideCustomerDispute,
    EraseCustomerData, MergeSearch, SetCustomerDeleted, UndoCustomerMerge, UpdateCustomerStageTags,
    VerifyCustomerIdentity, get_customer_page,
};
use crate::types::{
    Channel, CustomerProfile, Direction, DuplicateCandidate, InteractionKind, LifecycleStage,
    MergeRecord, OrderInput, TimelineEntry,
};

/// Consecutive messages of one channel this close together read as one conversation.
const THREAD_GAP_MINUTES: i64 = 30;

/// The page's URL with these filters (and cursor); `None` drops a parameter.
fn page_url(id: Uuid, channel: Option<&str>, kind: Option<&str>, before: Option<&str>) -> String {
    let params: Vec<String> = [("channel", channel), ("kind", kind), ("before", before)]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={}", Url::escape(v))))
        .collect();
    if params.is_empty() {
        format!("/customers/{id}")
    } else {
        format!("/customers/{id}?{}", params.join("&"))
    }
}

/// Timeline entries grouped into conversations, newest first. Interactions carry a thread id
/// column, but ingestion does not fill it yet: until it does, consecutive messages and calls of
/// the same channel less than 30 minutes apart are taken as one conversation. Orders, bookings
/// and notes stand alone.
pub fn group_conversations(entries: Vec<TimelineEntry>) -> Vec<Vec<TimelineEntry>> {
    let mut groups: Vec<Vec<TimelineEntry>> = Vec::new();
    for entry in entries {
        let joins = groups
            .last()
            .and_then(|g| g.last())
            .is_some_and(|prev| same_conversation(prev, &entry));
        match groups.last_mut() {
            Some(group) if joins => group.push(entry),
            _ => groups.push(vec![entry]),
        }
    }
    groups
}

fn same_conversation(newer: &TimelineEntry, older: &TimelineEntry) -> bool {
    let talk =
        |e: &TimelineEntry| matches!(e.kind, InteractionKind::Message | InteractionKind::Call);
    if let (Some(a), Some(b)) = (newer.thread_id, older.thread_id) {
        return a == b;
    }
    talk(newer)
        && talk(older)
        && newer.channel == older.channel
        && (newer.occurred_at - older.occurred_at).num_minutes() < THREAD_GAP_MINUTES
}

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
                verify.version().get(),
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
    };
    view! {
        <p class="crumbs"><a href="/customers">"← Customers"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => view! { <Profile data actions /> }.into_any(),
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
fn Profile(data: PageData, actions: Actions) -> AnyView {
    let PageData {
        now,
        profile,
        timeline,
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
        csrf_token,
    } = data;
    let deleted_at = profile.deleted_at;
    let id = profile.id;
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
                    now
                    can_verify=can_merge
                    csrf=csrf_token.clone()
                    actions
                />
                {can_edit.then(|| view! {
                    <EditPanel profile=profile.clone() csrf=csrf_token.clone() actions />
                })}
                <Timeline
                    id
                    entries=timeline
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
                {context.map(|context| view! {
                    <ContextPanel context can_edit csrf=csrf_token.clone() actions now />
                })}
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

#[component]
fn Header(profile: CustomerProfile, name: String, now: DateTime<Utc>) -> AnyView {
    let prefs = profile.preferences;
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    view! {
        <section class="panel customer-header" aria-labelledby="customer-name">
            <div class="customer-title">
                <h1 id="customer-name" class="customer-name">{name}</h1>
                <span class="badge stage" data-stage=profile.lifecycle_stage.as_str()>
                    {profile.lifecycle_stage.to_string()}
                </span>
            </div>
            <ul class="tags" aria-label="Profile tags">
                {profile
                    .tags
                    .into_iter()
                    .map(|t| view! { <li class="tag">{t}</li> })
                    .collect_view()}
            </ul>
            <dl class="facts">
                <div class="wide"><dt>"Email"</dt><dd class="primary-email">{or_dash(profile.primary_email)}</dd></div>
                <div><dt>"Phone"</dt><dd class="primary-phone">{or_dash(profile.primary_phone)}</dd></div>
                <div>
                    <dt>"Preferred channel"</dt>
                    <dd>{or_dash(prefs.preferred_channel.map(|c| c.label().to_owned()))}</dd>
                </div>
                <div><dt>"Timezone"</dt><dd>{or_dash(prefs.timezone)}</dd></div>
                <div><dt>"Language"</dt><dd>{or_dash(prefs.language)}</dd></div>
                <div>
                    <dt>"Marketing"</dt>
                    <dd>{if prefs.marketing_opt_in { "opted in" } else { "not opted in" }}</dd>
                </div>
                <div>
                    <dt>"Sources"</dt>
                    <dd>{if profile.sources.is_empty() { "—".to_owned() } else { profile.sources.join(", ") }}</dd>
                </div>
                <div><dt>"First seen"</dt><dd>{when(profile.created_at, now)}</dd></div>
                <div>
                    <dt>"Last seen"</dt>
                    <dd>{profile.last_seen_at.map(|at| when(at, now).into_any()).unwrap_or_else(|| "—".into_any())}</dd>
                </div>
            </dl>
        </section>
    }
    .into_any()
}

#[component]
fn EditPanel(profile: CustomerProfile, csrf: String, actions: Actions) -> AnyView {
    let current = profile.lifecycle_stage;
    let tags = profile.tags.join(", ");
    let pending = actions.update.pending();
    view! {
        <section class="panel edit-panel" aria-labelledby="edit-title">
            <h2 id="edit-title" class="visually-hidden">"Stage and tags"</h2>
            <ActionForm action=actions.update attr:class="edit-form">
                <input type="hidden" name="id" value=profile.id.to_string() />
                <input type="hidden" name="csrf" value=csrf />
                <div class="field inline">
                    <label for="stage">"Stage"</label>
                    <select name="stage" id="stage">
                        {LifecycleStage::ALL
                            .iter()
                            .map(|s| view! {
                                <option value=s.as_str() selected=*s == current>{s.to_string()}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field inline grow">
                    <label for="tags">"Tags (separated by commas)"</label>
                    <input type="text" name="tags" id="tags" value=tags placeholder="vip, wholesale" />
                </div>
                <button type="submit" disabled=pending>"Save"</button>
            </ActionForm>
            {action_error(actions.update.value())}
        </section>
    }
    .into_any()
}

#[component]
#[allow(clippy::too_many_arguments)]
fn Timeline(
    id: Uuid,
    entries: Vec<TimelineEntry>,
    next_cursor: Option<String>,
    channel: Option<Channel>,
    kind: Option<InteractionKind>,
    now: DateTime<Utc>,
    can_edit: bool,
    csrf: String,
    actions: Actions,
) -> AnyView {
    let kind_str = kind.map(|k| k.as_str());
    let channel_str = channel.map(|c| c.as_str());
    let channel_links = std::iter::once((None, "All channels".to_owned()))
        .chain(
            Channel::ALL
                .iter()
                .map(|c| (Some(*c), c.label().to_owned())),
        )
        .map(|(c, label)| {
            let current = c == channel;
            view! {
                <li>
                    <a
                        href=page_url(id, c.map(|c| c.as_str()), kind_str, None)
                        aria-current=current.then_some("page")
                        class:active=current
                    >
                        {label}
                    </a>
                </li>
            }
        })
        .collect_view();
    let kind_links = std::iter::once((None, "All kinds"))
        .chain(
            InteractionKind::ALL
                .iter()
                .map(|k| (Some(*k), kind_label(*k))),
        )
        .map(|(k, label)| {
            let current = k == kind;
            view! {
                <li>
                    <a
                        href=page_url(id, channel_str, k.map(|k| k.as_str()), None)
                        aria-current=current.then_some("page")
                        class:active=current
                    >
                        {label}
                    </a>
                </li>
            }
        })
        .collect_view();
    let empty = entries.is_empty();
    let groups = group_conversations(entries)
        .into_iter()
        .map(|group| {
            let threaded = group.len() > 1;
            let items = group
                .into_iter()
                .map(|e| view! { <Entry entry=e now /> })
                .collect_view();
            view! {
                <li class="conversation" class:threaded=threaded>
                    {threaded.then(|| view! { <p class="thread-label">"Conversation"</p> })}
                    <ol class="entries">{items}</ol>
                </li>
            }
        })
        .collect_view();
    let older = next_cursor.map(|cursor| {
        view! {
            <a class="button older" href=page_url(id, channel_str, kind_str, Some(&cursor))>
                "Older"
            </a>
        }
    });
    view! {
        <section class="panel timeline-panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">"Timeline"</h2>
            {can_edit.then(|| view! { <NoteForm id csrf actions /> })}
            <nav class="filters" aria-label="Filter the timeline">
                <ul class="filter-channels">{channel_links}</ul>
                <ul class="filter-kinds">{kind_links}</ul>
            </nav>
            {if empty {
                muted("Nothing on the timeline matches.")
            } else {
                view! { <ol class="timeline">{groups}</ol> }.into_any()
            }}
            {older}
        </section>
    }
    .into_any()
}

#[component]
fn NoteForm(id: Uuid, csrf: String, actions: Actions) -> AnyView {
    let note = actions.note;
    // The version of the last note stored: the form is drawn afresh (empty) after each one, and
    // keeps what was typed when adding it failed.
    let stored = Memo::new(move |previous: Option<&usize>| {
        let version = note.version().get();
        if note.value().with(|v| matches!(v, Some(Ok(_)))) {
            version
        } else {
            previous.copied().unwrap_or(0)
        }
    });
    let pending = note.pending();
    view! {
        {move || {
            stored.track();
            let csrf = csrf.clone();
            view! {
                <ActionForm action=note attr:class="note-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="csrf" value=csrf />
                    <label class="field">
                        <span>"Add a note"</span>
                        <textarea name="body" id="note-body" rows="2" required maxlength="5000"></textarea>
                    </label>
                    <button type="submit" class="primary" disabled=pending>"Add note"</button>
                </ActionForm>
            }
        }}
        {action_error(note.value())}
    }
    .into_any()
}

fn kind_label(kind: InteractionKind) -> &'static str {
    match kind {
        InteractionKind::Message => "Messages",
        InteractionKind::Call => "Calls",
        InteractionKind::Order => "Orders",
        InteractionKind::Booking => "Bookings",
        InteractionKind::Note => "Notes",
    }
}

fn direction_label(direction: Direction) -> &'static str {
    match direction {
        Direction::Inbound => "↓ in",
        Direction::Outbound => "↑ out",
        Direction::Internal => "internal",
    }
}

#[component]
fn Entry(entry: TimelineEntry, now: DateTime<Utc>) -> AnyView {
    let content = match entry.kind {
        _ if entry.archived => Some(
            view! {
                <p class="entry-body archived">
                    "Archived with its conversation. "
                    {entry.thread_id.map(|t| view! {
                        <a href=format!("/threads/{t}")>"Read the conversation"</a>
                    })}
                </p>
            }
            .into_any(),
        ),
        InteractionKind::Order => order_view(&entry),
        InteractionKind::Booking => booking_view(&entry),
        _ => None,
    }
    .unwrap_or_else(|| {
        view! { <p class="entry-body">{entry.body.clone().unwrap_or_default()}</p> }.into_any()
    });
    let author = entry
        .payload
        .as_ref()
        .filter(|_| entry.kind == InteractionKind::Note)
        .and_then(|p| p.get("author"))
        .and_then(|a| a.as_str())
        .map(|a| view! { <span class="author">{format!("by {a}")}</span> });
    let claims = (!entry.claims.is_empty()).then(|| {
        let items = entry
            .claims
            .iter()
            .map(|c| {
                let holder = c.holder.map(|h| {
                    view! { " (held by " <a href=format!("/customers/{h}")>"another profile"</a> ")" }
                });
                view! { <li><span class="claim-kind">{c.kind.clone()}</span> " " {c.value.clone()} {holder}</li> }
            })
            .collect_view();
        view! {
            <div class="claims" title="Written in the message; not added to this profile. Anyone can write anything in a message.">
                <span class="claims-title">"Mentioned, not added:"</span>
                <ul>{items}</ul>
            </div>
        }
    });
    view! {
        <li class=format!("entry kind-{}", entry.kind.as_str()) data-channel=entry.channel.as_str()>
            <div class="entry-meta">
                <ChannelIcons channels=vec![entry.channel] />
                <span class="channel-name">{entry.channel.label()}</span>
                <span class=format!("direction dir-{}", entry.direction.as_str())>
                    {direction_label(entry.direction)}
                </span>
                {author}
                <span class="entry-time">{when(entry.occurred_at, now)}</span>
            </div>
            {content}
            {claims}
        </li>
    }
    .into_any()
}

fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", cents / 100, cents % 100)
}

fn order_view(entry: &TimelineEntry) -> Option<AnyView> {
    let order: OrderInput =
        serde_json::from_value(entry.payload.as_ref()?.get("order")?.clone()).ok()?;
    let items = order
        .items
        .iter()
        .map(|i| {
            view! {
                <li>
                    {format!("{} × {}", i.quantity, i.name)}
                    <span class="muted">{format!(" {}", money(i.price_cents, &order.currency))}</span>
                </li>
            }
        })
        .collect_view();
    Some(
        view! {
            <div class="order">
                <p class="order-line">
                    <strong>{format!("Order {}", order.external_id)}</strong>
                    <span class="order-total">{money(order.total_cents, &order.currency)}</span>
                    <span class="badge order-status">{order.status.clone()}</span>
                    <span class="muted">{order.provider.clone()}</span>
                </p>
                <ul class="order-items">{items}</ul>
            </div>
        }
        .into_any(),
    )
}

fn booking_view(entry: &TimelineEntry) -> Option<AnyView> {
    let payload = entry.payload.as_ref()?.as_object()?;
    let text = |key: &str| {
        payload.get(key).and_then(|v| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let facts = [
        ("Date", text("date")),
        ("Time", text("time")),
        ("Guests", text("guests")),
        ("Service", text("service")),
        ("Status", text("status")),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.map(|v| view! { <div><dt>{label}</dt><dd>{v}</dd></div> }))
    .collect_view();
    Some(
        view! {
            <div class="booking">
                <p class="booking-line"><strong>"Booking"</strong> " " {entry.body.clone().unwrap_or_default()}</p>
                <dl class="booking-facts">{facts}</dl>
            </div>
        }
        .into_any(),
    )
}

#[component]
fn Identities(
    profile: CustomerProfile,
    now: DateTime<Utc>,
    can_verify: bool,
    csrf: String,
    actions: Actions,
) -> AnyView {
    let customer = profile.id;
    let rows = profile
        .identities
        .into_iter()
        .map(|i| {
            let assurance = i.assurance;
            // Admins can vouch for an address or number that cannot sign in yet.
            let verify = (can_verify
                && matches!(i.kind.as_str(), "email" | "phone")
                && !assurance.can_sign_in())
            .then(|| {
                let label = format!("Mark {} verified", i.value);
                let asks = format!("How you checked {}", i.value);
                let csrf = csrf.clone();
                view! {
                    <ActionForm action=actions.verify attr:class="inline verify-form">
                        <input type="hidden" name="id" value=customer.to_string() />
                        <input type="hidden" name="identity" value=i.id.to_string() />
                        <input type="hidden" name="csrf" value=csrf.clone() />
                        <input type="text" name="reason" required maxlength="500" placeholder="How you checked" aria-label=asks />
                        <button type="submit" class="quiet" aria-label=label>"Mark verified"</button>
                    </ActionForm>
                }
            });
            view! {
                <tr>
                    <td>{i.kind}</td>
                    <td>{if i.provider.is_empty() { "—".to_owned() } else { i.provider }}</td>
                    <td class="identity-value">{i.value}</td>
                    <td>{format!("{:.0}%", i.confidence * 100.0)}</td>
                    <td class=format!("assurance {}", assurance.as_str()) title=assurance.label()>
                        {assurance.as_str()}
                        {verify}
                    </td>
                    <td>{when(i.first_seen_at, now)}</td>
                    <td>{when(i.last_seen_at, now)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel identities" aria-labelledby="identities-title">
            <h2 id="identities-title">"Identities"</h2>
            <div class="table-scroll">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Provider"</th>
                            <th scope="col">"Value"</th>
                            <th scope="col">"Confidence"</th>
                            <th scope="col" title="How Spine learned it: claimed by the sender, entered by staff, asserted by the channel, or verified by the customer. Only asserted and verified addresses and numbers can receive a sign-in code.">"Learned"</th>
                            <th scope="col">"First seen"</th>
                            <th scope="col">"Last seen"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {action_error(actions.verify.value())}
        </section>
    }
    .into_any()
}

#[component]
fn Duplicates(id: Uuid, list: Vec<DuplicateCandidate>, can_merge: bool) -> AnyView {
    let empty = list.is_empty();
    let items = list
        .into_iter()
        .map(|d| {
            let other = d.customer.id;
            let name = d
                .customer
                .display_name
                .clone()
                .unwrap_or_else(|| "(no name yet)".to_owned());
            let agreed = d
                .agreed
                .iter()
                .map(|a| format!("{} {}", a.comparison.replace('_', " "), a.level))
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <li class="duplicate">
                    <a href=format!("/customers/{other}") class="dup-name">{name}</a>
                    <span class="score" title="The engine's confidence that these are one person">
                        {format!("{:.0}%", d.score * 100.0)}
                    </span>
                    <span class="dup-ids">
                        {d.customer.email_masked.clone()} " " {d.customer.phone_masked.clone()}
                    </span>
                    <span class="agreed">{if agreed.is_empty() { String::new() } else { format!("Agreed: {agreed}") }}</span>
                    {can_merge.then(|| view! {
                        <a class="button small" href=format!("/customers/{id}/merge/{other}")>
                            "Compare and merge"
                        </a>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel duplicates" aria-labelledby="duplicates-title">
            <h2 id="duplicates-title">"Possible duplicates"</h2>
            {if empty {
                muted("The engine sees no other profile for this person.")
            } else {
                view! { <ul class="duplicate-list">{items}</ul> }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// Admins pick any other active profile to merge into this one: a plain GET form (`merge_q`),
/// answered by the page's own data call, each result opening the side-by-side merge page.
#[component]
fn MergeBox(id: Uuid, search: Option<MergeSearch>) -> AnyView {
    let query = search.as_ref().map(|s| s.query.clone()).unwrap_or_default();
    let results = search.map(|s| {
        if let Some(error) = s.error {
            return view! { <p class="error" role="alert">{error}</p> }.into_any();
        }
        if s.query.is_empty() {
            return muted("Type a name, email, phone or order number.");
        }
        if s.customers.is_empty() {
            return muted("No other profile matches.");
        }
        let items = s
            .customers
            .into_iter()
            .map(|c| {
                let other = c.id;
                let name = c
                    .display_name
                    .clone()
                    .unwrap_or_else(|| "(no name yet)".to_owned());
                view! {
                    <li class="merge-candidate">
                        <a href=format!("/customers/{other}") class="dup-name">{name}</a>
                        <span class="dup-ids">
                            {c.email_masked.clone()} " " {c.phone_masked.clone()}
                        </span>
                        <a class="button small" href=format!("/customers/{id}/merge/{other}")>
                            "Compare and merge"
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="duplicate-list merge-results">{items}</ul> }.into_any()
    });
    view! {
        <section class="panel merge-box" aria-labelledby="merge-box-title">
            <h2 id="merge-box-title">"Merge with another profile"</h2>
            <form method="get" action=format!("/customers/{id}") role="search" class="merge-search">
                <label for="merge-q" class="visually-hidden">"Find the other profile"</label>
                <input
                    type="search"
                    id="merge-q"
                    name="merge_q"
                    value=query
                    autocomplete="off"
                    maxlength="200"
                    placeholder="Name, email, phone…"
                />
                <button type="submit" class="small">"Find"</button>
            </form>
            {results}
        </section>
    }
    .into_any()
}

#[component]
fn Merges(
    list: Vec<MergeRecord>,
    can_merge: bool,
    csrf: String,
    actions: Actions,
    now: DateTime<Utc>,
) -> AnyView {
    let empty = list.is_empty();
    let undo = actions.undo;
    let items = list
        .into_iter()
        .map(|m| {
            let other = if m.survived {
                m.absorbed_id
            } else {
                m.survivor_id
            };
            let other_name = m
                .other_name
                .clone()
                .unwrap_or_else(|| "a profile without a name".to_owned());
            let what = if m.survived {
                "Absorbed "
            } else {
                "Merged into "
            };
            let state = match (&m.undone_at, &m.undone_by) {
                (Some(at), by) => view! {
                    <span class="undone">
                        "Undone " {when(*at, now)} {by.clone().map(|b| format!(" by {b}"))}
                    </span>
                }
                .into_any(),
                (None, _) if can_merge => {
                    let csrf = csrf.clone();
                    view! {
                        <ActionForm action=undo attr:class="undo-form">
                            <input type="hidden" name="merge_id" value=m.id.to_string() />
                            <input type="hidden" name="csrf" value=csrf />
                            <button type="submit" class="danger small">"Undo merge"</button>
                        </ActionForm>
                    }
                    .into_any()
                }
                (None, _) => ().into_any(),
            };
            view! {
                <li class="merge" class:is-undone=m.undone_at.is_some()>
                    <p>
                        {what}
                        <a href=format!("/customers/{other}")>{other_name}</a>
                    </p>
                    <p class="muted">"by " {m.actor.clone()} ", " {when(m.created_at, now)}</p>
                    {state}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel merges" aria-labelledby="merges-title">
            <h2 id="merges-title">"Merge history"</h2>
            {if empty {
                muted("No merges.")
            } else {
                view! { <ul class="merge-list">{items}</ul> }.into_any()
            }}
            {action_error(undo.value())}
        </section>
    }
    .into_any()
}

/// A quiet line of text where a list would be: an empty state.
fn muted(text: &'static str) -> AnyView {
    view! { <p class="muted">{text}</p> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn entry(channel: Channel, kind: InteractionKind, minutes_ago: i64) -> TimelineEntry {
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        TimelineEntry {
            id: Uuid::new_v4(),
            channel,
            direction: Direction::Inbound,
            kind,
            occurred_at: now - Duration::minutes(minutes_ago),
            body: None,
            thread_id: None,
            payload: None,
            archived: false,
            claims: Vec::new(),
        }
    }

    #[test]
    fn consecutive_messages_of_one_channel_within_half_an_hour_are_one_conversation() {
        let (sms, email, message) = (Channel::Sms, Channel::Email, InteractionKind::Message);
        let entries = vec![
            entry(sms, message, 0),
            entry(sms, message, 10),
            entry(sms, message, 35),
            entry(email, message, 36),
            entry(sms, message, 90),
            entry(Channel::Order, InteractionKind::Order, 91),
            entry(Channel::Order, InteractionKind::Order, 92),
        ];
        let sizes: Vec<usize> = group_conversations(entries).iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![3, 1, 1, 1, 1]);
    }

    #[test]
    fn filter_links_keep_the_other_filter_and_drop_the_cursor() {
        let id = Uuid::nil();
        assert_eq!(page_url(id, None, None, None), format!("/customers/{id}"));
        assert_eq!(
            page_url(id, Some("sms"), Some("message"), Some("1_x")),
            format!("/customers/{id}?channel=sms&kind=message&before=1%5Fx")
        );
    }
}

/// The person's data (admins): download it, hide the profile or show it again, erase it.
#[component]
fn PrivacyPanel(id: Uuid, deleted: bool, csrf: String, actions: Actions) -> AnyView {
    let csrf_erase = csrf.clone();
    view! {
        <section class="panel privacy" aria-labelledby="privacy-title">
            <h2 id="privacy-title">"Data and privacy"</h2>
            <p>
                <a class="button" href=format!("/customers/{id}/export.json") download="" id="staff-export">
                    "Export data (JSON)"
                </a>
            </p>
            <ActionForm action=actions.deleted>
                <input type="hidden" name="csrf" value=csrf />
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="deleted" value=(!deleted).to_string() />
                <button type="submit" class="quiet">
                    {if deleted { "Restore profile" } else { "Delete profile (restorable)" }}
                </button>
            </ActionForm>
            {action_error(actions.deleted.value())}
            <details class="danger-zone">
                <summary>"Erase this person's data"</summary>
                <p class="muted">
                    "Removes their data from every table, including profiles merged into this one. Irreversible; the audit log keeps that it happened."
                </p>
                <ActionForm action=actions.erase>
                    <input type="hidden" name="csrf" value=csrf_erase />
                    <input type="hidden" name="id" value=id.to_string() />
                    <label class="field">
                        <span>"Type ERASE to confirm"</span>
                        <input type="text" name="confirm" autocomplete="off" required />
                    </label>
                    <button type="submit" class="danger">"Erase"</button>
                </ActionForm>
                {action_error(actions.erase.value())}
            </details>
        </section>
    }
    .into_any()
}

/// "This is not me": identifiers the customer disputed on their own page, with the decision.
#[component]
fn Disputes(list: Vec<crate::types::Dispute>, csrf: String, actions: Actions) -> AnyView {
    let rows = list
        .into_iter()
        .map(|d| {
            let item = d.item_id.to_string();
            let (csrf_unlink, csrf_keep, item_keep) = (csrf.clone(), csrf.clone(), item.clone());
            view! {
                <li class="dispute">
                    <p>
                        "The customer says the " {d.kind} " " <strong>{d.value}</strong> " is not theirs."
                    </p>
                    <div class="actions">
                        <ActionForm action=actions.dispute attr:class="inline">
                            <input type="hidden" name="csrf" value=csrf_unlink />
                            <input type="hidden" name="item" value=item />
                            <input type="hidden" name="unlink" value="true" />
                            <button type="submit" class="small">"Unlink it"</button>
                        </ActionForm>
                        <ActionForm action=actions.dispute attr:class="inline">
                            <input type="hidden" name="csrf" value=csrf_keep />
                            <input type="hidden" name="item" value=item_keep />
                            <input type="hidden" name="unlink" value="false" />
                            <button type="submit" class="small quiet">"Keep it"</button>
                        </ActionForm>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel disputes" id="disputes" aria-labelledby="disputes-title">
            <h2 id="disputes-title">"Disputed by the customer"</h2>
            <ul class="dispute-list">{rows}</ul>
            {action_error(actions.dispute.value())}
        </section>
    }
    .into_any()
}

/// What an agent (or the assistant they paste it into) should know before answering: the same
/// text `GET /api/v1/customers/{id}/context` renders. Copy works without the WASM.
#[component]
fn ContextPanel(
    context: ContextView,
    can_edit: bool,
    csrf: String,
    actions: Actions,
    now: DateTime<Utc>,
) -> AnyView {
    let ContextView { text, threads } = context;
    let rows = threads
        .into_iter()
        .map(|t| {
            let mut about = t.topic.clone().unwrap_or_else(|| "no topic yet".to_owned());
            if let Some(from) = &t.continues_from {
                about.push_str(&format!(", from {from}"));
            }
            let status = if t.archived {
                "archived".to_owned()
            } else {
                t.status.clone()
            };
            let resolved = t.status == "resolved";
            let (csrf, id) = (csrf.clone(), t.id);
            let button = move |action: &'static str, label: &'static str| {
                let csrf = csrf.clone();
                view! {
                    <ActionForm action=actions.thread attr:class="thread-action">
                        <input type="hidden" name="csrf" value=csrf />
                        <input type="hidden" name="thread_id" value=id.to_string() />
                        <input type="hidden" name="action" value=action />
                        <button type="submit" class="small quiet">{label}</button>
                    </ActionForm>
                }
            };
            let control = (can_edit && !t.archived).then(|| {
                if resolved {
                    view! { {button("reopen", "Reopen")} {button("archive", "Archive")} }.into_any()
                } else {
                    button("resolve", "Resolve").into_any()
                }
            });
            view! {
                <li class="thread" data-status=status.clone()>
                    <a href=format!("/threads/{}", t.id)>{format!("{} · {about}", t.channel)}</a>
                    <div class="thread-meta">
                        <span class=format!("thread-status status-{status}")>{status.clone()}</span>
                        <span class="muted">{relative_time(t.last_message_at, now)}</span>
                        {control}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel context" aria-labelledby="context-title">
            <div class="panel-head">
                <h2 id="context-title">"Context for a reply"</h2>
                <button
                    type="button"
                    class="small quiet"
                    onclick="navigator.clipboard.writeText(document.getElementById('context-text').innerText); this.textContent = 'Copied';"
                >
                    "Copy"
                </button>
            </div>
            <pre id="context-text" class="context-text">{text}</pre>
            <h3>"Conversations"</h3>
            <ul class="threads" id="threads">{rows}</ul>
            {action_error(actions.thread.value())}
        </section>
    }
    .into_any()
}
