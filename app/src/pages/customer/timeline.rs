//! The timeline: conversations, entries (messages, orders, bookings, notes), the note form, the
//! channel and kind filters and the link to older entries.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::location::Url;
use uuid::Uuid;

use super::{Actions, action_error, muted, when};
use crate::format::ChannelIcons;
use crate::types::{Channel, Direction, InteractionKind, OrderInput, TimelineEntry};

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
#[allow(clippy::too_many_arguments)]
pub(super) fn Timeline(
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
