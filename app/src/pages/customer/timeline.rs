//! The timeline: conversations, entries (messages, orders, bookings, notes), the note form, the
//! channel and kind filters and the link to older entries.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::location::Url;
use uuid::Uuid;

use super::{Actions, action_error, muted, when};
use crate::format::ChannelIcons;
use crate::types::{Channel, Direction, InteractionKind, OrderInput, ThreadBrief, TimelineEntry};

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

/// A conversation on the timeline: the entries of one stored thread (the conversation ingestion
/// files each message in, across channels), oldest first; or one entry of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineGroup {
    pub thread_id: Option<Uuid>,
    pub entries: Vec<TimelineEntry>,
}

/// A page of the timeline (newest first) as conversations: each thread where its newest entry
/// is, its entries oldest first so it reads as it was written, however other entries fell
/// between them; an order, a booking, a note or a message without a thread stands alone.
pub fn group_conversations(entries: Vec<TimelineEntry>) -> Vec<TimelineGroup> {
    let mut groups: Vec<TimelineGroup> = Vec::new();
    let mut by_thread: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
    for entry in entries {
        match entry.thread_id {
            Some(thread) => match by_thread.get(&thread) {
                Some(&at) => groups[at].entries.push(entry),
                None => {
                    by_thread.insert(thread, groups.len());
                    groups.push(TimelineGroup {
                        thread_id: Some(thread),
                        entries: vec![entry],
                    });
                }
            },
            None => groups.push(TimelineGroup {
                thread_id: None,
                entries: vec![entry],
            }),
        }
    }
    for group in &mut groups {
        group.entries.reverse();
    }
    groups
}

/// The channels a conversation went through, in order: "SMS → WhatsApp".
fn channel_path(entries: &[TimelineEntry]) -> String {
    let mut path: Vec<&str> = Vec::new();
    for entry in entries {
        let label = entry.channel.label();
        if path.last() != Some(&label) {
            path.push(label);
        }
    }
    path.join(" → ")
}

#[component]
#[allow(clippy::too_many_arguments)]
pub(super) fn Timeline(
    id: Uuid,
    entries: Signal<Vec<TimelineEntry>>,
    threads: Signal<Vec<ThreadBrief>>,
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
    let groups = move || {
        let threads = threads.get();
        group_conversations(entries.get())
            .into_iter()
            .map(|group| {
                let header = group.thread_id.map(|thread| {
                    let brief = threads.iter().find(|t| t.id == thread);
                    let topic = brief
                        .and_then(|t| t.topic.clone())
                        .map(|t| format!(" · {}", t.replace('_', " ")));
                    let status = brief.map(|t| {
                        view! { <span class=format!("badge thread-status {}", t.status)>{t.status.clone()}</span> }
                    });
                    view! {
                        <p class="thread-label">
                            <span class="thread-title">
                                "Conversation · " {channel_path(&group.entries)} {topic}
                            </span>
                            {status}
                            <a href=format!("/threads/{thread}")>"Whole conversation"</a>
                        </p>
                    }
                });
                let threaded = group.thread_id.is_some();
                let items = group
                    .entries
                    .into_iter()
                    .map(|e| view! { <Entry entry=e now /> })
                    .collect_view();
                view! {
                    <li class="conversation" class:threaded=threaded>
                        {header}
                        <ol class="entries">{items}</ol>
                    </li>
                }
            })
            .collect_view()
    };
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
            {move || if entries.with(Vec::is_empty) {
                muted("Nothing on the timeline matches.")
            } else {
                view! { <ol class="timeline">{groups()}</ol> }.into_any()
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
    let stored = successes!(note);
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
    fn a_thread_reads_oldest_first_where_its_newest_entry_is_across_channels() {
        let (chat, whatsapp) = (Uuid::new_v4(), Uuid::new_v4());
        let threaded = |channel, minutes, thread| TimelineEntry {
            thread_id: Some(thread),
            ..entry(channel, InteractionKind::Message, minutes)
        };
        // Newest first, as the page gets them: a conversation that moved from web chat to
        // WhatsApp, another one by email between its messages, an order, and two SMS without a
        // thread a minute apart.
        let entries = vec![
            threaded(Channel::Whatsapp, 0, chat),
            threaded(Channel::Email, 5, whatsapp),
            threaded(Channel::Whatsapp, 10, chat),
            entry(Channel::Order, InteractionKind::Order, 20),
            threaded(Channel::Webchat, 30, chat),
            threaded(Channel::Email, 40, whatsapp),
            entry(Channel::Sms, InteractionKind::Message, 50),
            entry(Channel::Sms, InteractionKind::Message, 51),
        ];
        let ids: Vec<Uuid> = entries.iter().map(|e| e.id).collect();
        let groups = group_conversations(entries);
        let shape: Vec<(Option<Uuid>, Vec<Uuid>)> = groups
            .iter()
            .map(|g| (g.thread_id, g.entries.iter().map(|e| e.id).collect()))
            .collect();
        assert_eq!(
            shape,
            vec![
                (Some(chat), vec![ids[4], ids[2], ids[0]]),
                (Some(whatsapp), vec![ids[5], ids[1]]),
                (None, vec![ids[3]]),
                (None, vec![ids[6]]),
                (None, vec![ids[7]]),
            ]
        );
        assert_eq!(channel_path(&groups[0].entries), "Web chat → WhatsApp");
        assert_eq!(channel_path(&groups[1].entries), "Email");
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
