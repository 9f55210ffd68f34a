//! Cross-channel memory: each message joins the conversation thread it continues (even on
//! another channel, recording the handoff) or starts one, and the context block an agent or an
//! AI assistant reads is assembled from the threads, their summaries and the recent orders,
//! ranked by relevance and cut to a budget. The reading of messages (entities, topics,
//! sentiment, continuation, summaries, rendering) is `spine_engine::conversation`; this module
//! keeps its state in the store.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use spine_engine::conversation::{
    CalendarDate, ContextBlock, Continuation, Entity, EntityKind, MessageFacts, Summary,
    SummaryInput, ThreadPolicy, ThreadState, ThreadStatus, Topic, TopicStats, choose_thread,
    continues, extract_entities, relevance, render_context, topics,
};

use crate::services::privacy::OrderView;
use crate::services::{ServiceError, ServiceResult, Tenant};
use crate::store::{Store, ThreadRow, Tx};
use crate::types::{Channel, Direction, EventInput, InteractionKind};

/// Threads a new message is matched against: the most recently active.
const CANDIDATE_THREADS: i64 = 10;
/// Threads, messages per thread and orders the context shows at most.
const CONTEXT_THREADS: i64 = 5;
const CONTEXT_MESSAGES: i64 = 3;
const CONTEXT_ORDERS: i64 = 5;
pub const DEFAULT_BUDGET: usize = 2000;
pub const MAX_BUDGET: usize = 20_000;

fn status_of(text: &str) -> ThreadStatus {
    match text {
        "waiting" => ThreadStatus::Waiting,
        "resolved" => ThreadStatus::Resolved,
        _ => ThreadStatus::Open,
    }
}

fn state_of(row: &ThreadRow) -> ThreadState {
    ThreadState {
        last_message_at: row.last_message_at.timestamp(),
        channel: row.channel.clone(),
        status: status_of(&row.status),
        topics: row.topics.0.clone(),
        entities: row.entities.0.clone(),
    }
}

fn day_of(at: DateTime<Utc>) -> CalendarDate {
    CalendarDate::from_unix_seconds(at.timestamp())
}

/// What a message's text names and is about.
fn read(text: &str, at: DateTime<Utc>) -> (Vec<Entity>, Vec<Topic>) {
    let entities = extract_entities(text, &[], day_of(at));
    let topics = topics(text).into_iter().map(|(t, _)| t).collect();
    (entities, topics)
}

/// The thread a conversational event (a message or a call with text) belongs to, written in
/// the caller's transaction: the thread it continues, updated (channel handoff, topics,
/// entities, summary), or a new one. Other events (orders, bookings, notes) join none.
pub(crate) async fn thread_for(
    tx: &mut Tx,
    tenant: &Tenant,
    customer_id: Uuid,
    event: &EventInput,
) -> ServiceResult<Option<Uuid>> {
    let conversational = matches!(event.kind, InteractionKind::Message | InteractionKind::Call)
        && event.channel != Channel::Note;
    let Some(text) = event
        .body
        .as_deref()
        .filter(|b| conversational && !b.trim().is_empty())
    else {
        return Ok(None);
    };
    let at = event.occurred_at;
    let (entities, message_topics) = read(text, at);
    let facts = MessageFacts {
        at: at.timestamp(),
        channel: event.channel.as_str().to_owned(),
        topics: message_topics.clone(),
        entities: entities.clone(),
    };
    let rows = tx
        .recent_threads(tenant.id, customer_id, CANDIDATE_THREADS)
        .await?;
    let states: Vec<ThreadState> = rows.iter().map(state_of).collect();
    let policy = ThreadPolicy::default();
    let status = if event.direction == Direction::Outbound {
        "waiting"
    } else {
        "open"
    };
    let mut row = match choose_thread(&states, &facts, &policy) {
        Some(i) => {
            let mut row = rows[i].clone();
            if let Continuation::Continue {
                handoff_from: Some(from),
            } = continues(&states[i], &facts, &policy)
            {
                row.handoff_from_channel = Some(from);
            }
            for topic in &message_topics {
                if !row.topics.0.contains(topic) {
                    row.topics.0.push(*topic);
                }
            }
            for entity in &entities {
                if !row.entities.0.iter().any(|e| e.same_as(entity)) {
                    row.entities.0.push(entity.clone());
                }
            }
            if row.topic.is_none() {
                row.topic = message_topics.first().map(|t| t.as_str().to_owned());
            }
            row.channel = event.channel.as_str().to_owned();
            row.last_message_at = row.last_message_at.max(at);
            row
        }
        None => ThreadRow {
            id: Uuid::now_v7(),
            customer_id,
            channel: event.channel.as_str().to_owned(),
            topic: message_topics.first().map(|t| t.as_str().to_owned()),
            status: status.to_owned(),
            handoff_from_channel: None,
            summary: None,
            opened_at: at,
            last_message_at: at,
            topics: sqlx::types::Json(message_topics),
            entities: sqlx::types::Json(entities.clone()),
        },
    };
    row.status = status.to_owned();
    // The running summary grows by this message's sentences that carry something.
    let mut summary: Summary = row
        .summary
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    summary.add(
        &SummaryInput {
            at: at.timestamp(),
            channel: event.channel.as_str(),
            text,
            entities: &entities,
        },
        &TopicStats::new(),
    );
    row.summary = serde_json::to_string(&summary).ok();
    tx.save_thread(tenant.id, &row).await?;
    Ok(Some(row.id))
}

/// The context block: what an agent or an assistant answering on `channel` should know.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerContext {
    pub customer_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub display_name: Option<String>,
    /// The channel of the newest interaction.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub last_channel: Option<String>,
    /// Topics of the threads not resolved, most recent first.
    pub active_topics: Vec<String>,
    pub threads: Vec<ThreadContext>,
    pub recent_orders: Vec<OrderView>,
    /// Everything above, ranked and cut to `budget` characters, ready for a prompt.
    pub text: String,
    pub budget: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadContext {
    pub id: Uuid,
    pub channel: String,
    /// open (the customer waits), waiting (we wait for them) or resolved.
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub topic: Option<String>,
    /// The channel the conversation moved from, when it did.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub continues_from: Option<String>,
    /// Order numbers, bookings, dates, amounts and products named in it.
    pub entities: Vec<String>,
    pub last_message_at: DateTime<Utc>,
    /// The newest messages, newest first: "2026-05-01 14:02 webchat (customer): …".
    pub last_messages: Vec<String>,
    /// Sentences that carry its topics and entities, with dates and channels.
    pub summary: Vec<String>,
    pub relevance: f64,
}

fn entity_label(e: &Entity) -> String {
    match e.kind {
        EntityKind::OrderNumber => format!("order #{}", e.value),
        EntityKind::BookingRef => format!("booking {}", e.value),
        _ => e.value.clone(),
    }
}

/// Assembles the context for a customer; `channel` is where the answer will go.
pub async fn customer_context(
    store: &Store,
    tenant: &Tenant,
    id: Uuid,
    channel: Option<Channel>,
    budget: usize,
) -> ServiceResult<CustomerContext> {
    if !(100..=MAX_BUDGET).contains(&budget) {
        return Err(ServiceError::invalid(
            "budget",
            format!("from 100 to {MAX_BUDGET} characters"),
        ));
    }
    let mut tx = store.read().await?;
    let row = tx
        .customer(tenant.id, id)
        .await?
        .filter(|c| c.erased_at.is_none() && c.merged_into.is_none())
        .ok_or(ServiceError::NotFound("customer"))?;
    // The newest thing the customer and the business said (staff notes are not a channel).
    let newest = tx
        .timeline(tenant.id, id, None, 10, &Default::default())
        .await?
        .into_iter()
        .find(|i| i.channel != Channel::Note.as_str());
    let now = Utc::now();
    let newest_topics: Vec<Topic> = newest
        .as_ref()
        .and_then(|i| i.body.as_deref())
        .map(|b| topics(b).into_iter().map(|(t, _)| t).collect())
        .unwrap_or_default();
    let mut threads = Vec::new();
    for thread in tx.recent_threads(tenant.id, id, CONTEXT_THREADS).await? {
        let open = thread.status != "resolved";
        let overlap = if newest_topics.is_empty() {
            0.0
        } else {
            let shared = newest_topics
                .iter()
                .filter(|t| thread.topics.0.contains(t))
                .count();
            shared as f64 / newest_topics.len() as f64
        };
        let hours = (now - thread.last_message_at).num_seconds().max(0) as f64 / 3600.0;
        let same_channel = channel.is_some_and(|c| c.as_str() == thread.channel);
        let last_messages = tx
            .thread_messages(tenant.id, thread.id, CONTEXT_MESSAGES)
            .await?
            .into_iter()
            .map(|m| {
                let who = match m.direction.as_str() {
                    "inbound" => "customer",
                    "outbound" => "us",
                    _ => "note",
                };
                format!(
                    "{} {} ({who}): {}",
                    m.occurred_at.format("%Y-%m-%d %H:%M"),
                    m.channel,
                    m.body.unwrap_or_default()
                )
            })
            .collect();
        let summary: Summary = thread
            .summary
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        threads.push(ThreadContext {
            id: thread.id,
            status: thread.status.clone(),
            topic: thread.topic.clone(),
            continues_from: thread.handoff_from_channel.clone(),
            entities: thread.entities.0.iter().map(entity_label).collect(),
            last_message_at: thread.last_message_at,
            last_messages,
            summary: summary.render().lines().map(str::to_owned).collect(),
            relevance: relevance(hours, open, overlap, same_channel),
            channel: thread.channel,
        });
    }
    threads.sort_by(|a, b| b.relevance.total_cmp(&a.relevance));
    let recent_orders: Vec<OrderView> = tx
        .recent_orders(tenant.id, id, CONTEXT_ORDERS)
        .await?
        .into_iter()
        .map(OrderView::from)
        .collect();
    let mut active_topics: Vec<String> = Vec::new();
    for thread in threads.iter().filter(|t| t.status != "resolved") {
        if let Some(topic) = &thread.topic
            && !active_topics.contains(topic)
        {
            active_topics.push(topic.clone());
        }
    }
    let last_channel = newest.map(|i| i.channel);

    // The rendering: the customer first, then threads by relevance, then orders.
    let name = row.display_name.clone().unwrap_or_else(|| "unknown".into());
    let mut about = vec![format!("stage: {}", row.lifecycle_stage)];
    if let Some(c) = &row.preferred_channel {
        about.push(format!("prefers: {c}"));
    }
    if let Some(l) = &row.language {
        about.push(format!("language: {l}"));
    }
    if let Some(c) = &last_channel {
        about.push(format!("last contact on: {c}"));
    }
    if !active_topics.is_empty() {
        about.push(format!("open topics: {}", active_topics.join(", ")));
    }
    let mut blocks = vec![ContextBlock {
        relevance: 2.0,
        title: format!("Customer: {name}"),
        lines: about,
    }];
    for t in &threads {
        let mut title = format!("Conversation on {} ({})", t.channel, t.status);
        if let Some(topic) = &t.topic {
            title.push_str(&format!(", about {topic}"));
        }
        if let Some(from) = &t.continues_from {
            title.push_str(&format!(", continued from {from}"));
        }
        let mut lines = Vec::new();
        if !t.entities.is_empty() {
            lines.push(format!("mentions: {}", t.entities.join(", ")));
        }
        lines.extend(t.last_messages.iter().cloned());
        // Older sentences worth remembering; those already shown as last messages are not repeated.
        lines.extend(
            t.summary
                .iter()
                .filter(|line| {
                    let said = line
                        .split_once(": ")
                        .map_or(line.as_str(), |(_, text)| text);
                    !t.last_messages.iter().any(|m| m.contains(said))
                })
                .cloned(),
        );
        blocks.push(ContextBlock {
            relevance: t.relevance,
            title,
            lines,
        });
    }
    if !recent_orders.is_empty() {
        blocks.push(ContextBlock {
            relevance: 0.3,
            title: "Recent orders".into(),
            lines: recent_orders
                .iter()
                .map(|o| {
                    format!(
                        "#{} ({}) {} {:.2} {} on {}",
                        o.external_id,
                        o.provider,
                        o.status,
                        o.total_cents as f64 / 100.0,
                        o.currency,
                        o.placed_at.format("%Y-%m-%d")
                    )
                })
                .collect(),
        });
    }
    let (text, _) = render_context(&blocks, budget);
    Ok(CustomerContext {
        customer_id: id,
        display_name: row.display_name,
        last_channel,
        active_topics,
        threads,
        recent_orders,
        text,
        budget,
    })
}

/// Marks a thread resolved (`resolved: true`) or open again; audited. Agents, admins and
/// integrations may; a resolved thread is continued only by a message naming its own order or
/// booking within a day, so the next question starts afresh.
pub async fn set_thread_resolved(
    store: &Store,
    tenant: &Tenant,
    actor: &crate::services::Actor,
    thread_id: Uuid,
    resolved: bool,
) -> ServiceResult<()> {
    crate::services::notes::may_write(actor)?;
    let mut tx = store.begin().await?;
    let thread = tx
        .thread(tenant.id, thread_id)
        .await?
        .ok_or(ServiceError::NotFound("thread"))?;
    let (status, at) = if resolved {
        ("resolved", Some(Utc::now()))
    } else {
        ("open", None)
    };
    tx.set_thread_status(tenant.id, thread_id, status, at)
        .await?;
    tx.append_audit(
        tenant.id,
        &crate::services::audit(
            actor,
            if resolved {
                "thread.resolved"
            } else {
                "thread.reopened"
            },
            "thread",
            Some(thread_id.to_string()),
            Some(thread.customer_id),
            Some(serde_json::json!({ "status": thread.status })),
            Some(serde_json::json!({ "status": status })),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
