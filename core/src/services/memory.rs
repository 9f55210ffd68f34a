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
    CalendarDate, ContextBlock, Entity, EntityKind, MessageFacts, Summary, SummaryInput,
    ThreadState, ThreadStatus, Topic, choose_thread, extract_entities, relevance, render_context,
    sentiment_trend, topics,
};

use crate::services::{Actor, ServiceError, ServiceResult, Tenant, audit};
use crate::store::{
    MESSAGES_READ, PRODUCT_ORDERED, Store, TOPIC_RAISED, ThreadRow, TranscriptMessage, Tx,
    Vocabulary,
};
use crate::types::OrderView;
use crate::types::{Channel, Direction, EventInput, InteractionKind, OrderInput};

/// Where the recent orders and the customer's key sentences rank among the threads (see
/// `spine_engine::conversation::relevance`): an open thread scores at least 0.25, so both come
/// after every open conversation and before resolved ones older than a day or so.
const ORDERS_RELEVANCE: f64 = 0.24;
const HISTORY_RELEVANCE: f64 = 0.2;

/// The blocks in the order they will be rendered (most relevant first), each line left out
/// when a line rendered before it already says the same sentence: the customer's summary, a
/// thread's summary and its last messages often quote the same words.
fn without_repeats(mut blocks: Vec<ContextBlock>) -> Vec<ContextBlock> {
    blocks.sort_by(|a, b| b.relevance.total_cmp(&a.relevance));
    let mut said: Vec<String> = Vec::new();
    for block in &mut blocks {
        block.lines.retain(|line| {
            // Quotes start with their date: "2026-05-01 14:02 webchat (customer): text" and
            // "2026-05-01 webchat: text" both say "text". Other lines are facts, kept.
            let quote = line.starts_with(|c: char| c.is_ascii_digit());
            let Some((_, sentence)) = line.split_once(": ").filter(|_| quote) else {
                return true;
            };
            let repeat = said.iter().any(|earlier| earlier.contains(sentence));
            if !repeat {
                said.push(line.clone());
            }
            !repeat
        });
    }
    blocks
}

/// Threads a new message is matched against: the most recently active.
const CANDIDATE_THREADS: i64 = 10;
/// Threads, messages per thread and orders the context shows at most.
const CONTEXT_THREADS: i64 = 5;
const CONTEXT_MESSAGES: i64 = 3;
const CONTEXT_ORDERS: i64 = 5;
/// Archived threads the context recalls at most (their summaries only).
const CONTEXT_ARCHIVED: i64 = 3;
pub const DEFAULT_BUDGET: usize = 2000;
pub const MAX_BUDGET: usize = 20_000;
/// Sentences a customer's own summary keeps, across all their conversations.
const CUSTOMER_SUMMARY_CAPACITY: usize = 8;
/// Sentences an archived thread keeps of its summary.
const ARCHIVED_SUMMARY_CAPACITY: usize = 2;
/// Threads whose summaries a customer summary is rebuilt from (merge, undo, first use).
const REBUILD_THREADS: i64 = 50;
/// Scored messages the sentiment trend reads, and how many of them count as recent.
const SENTIMENT_MESSAGES: i64 = 20;
const SENTIMENT_RECENT: usize = 5;
/// Threads archived per transaction.
const ARCHIVE_BATCH: i64 = 100;

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
        topics: row.topics.clone(),
        entities: row.entities.clone(),
    }
}

fn day_of(at: DateTime<Utc>) -> CalendarDate {
    CalendarDate::from_unix_seconds(at.timestamp())
}

/// What a message's text names (with the tenant's product names) and is about.
fn read(text: &str, at: DateTime<Utc>, vocabulary: &Vocabulary) -> (Vec<Entity>, Vec<Topic>) {
    let products: Vec<&str> = vocabulary.products.iter().map(String::as_str).collect();
    let entities = extract_entities(text, &products, day_of(at));
    let topics = topics(text).into_iter().map(|(t, _)| t).collect();
    (entities, topics)
}

fn summary_of(json: Option<&str>, capacity: usize) -> Summary {
    json.and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_else(|| Summary::new(capacity))
}

/// A customer's summary folded from their threads' summaries, newest threads first.
async fn rebuilt_customer_summary(
    tx: &mut Tx,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> ServiceResult<Summary> {
    let mut summary = Summary::new(CUSTOMER_SUMMARY_CAPACITY);
    for archived in [false, true] {
        for thread in tx
            .recent_threads(tenant_id, customer_id, archived, REBUILD_THREADS)
            .await?
        {
            summary.absorb(&summary_of(thread.summary.as_deref(), 0));
        }
    }
    Ok(summary)
}

/// Rebuilds and stores a customer's summary from their threads: after a merge brought the
/// absorbed profile's threads, or its undo took them back.
pub(crate) async fn refresh_customer_summary(
    tx: &mut Tx,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> ServiceResult<()> {
    let summary = rebuilt_customer_summary(tx, tenant_id, customer_id).await?;
    let json = serde_json::to_string(&summary).unwrap_or_default();
    tx.save_customer_summary(tenant_id, customer_id, &json, Utc::now())
        .await?;
    Ok(())
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
    let vocabulary = tx.vocabulary(tenant.id).await?;
    let (entities, message_topics) = read(text, at, &vocabulary);
    // The tenant's corpus statistics: how many messages were read, and which topics they raised.
    let day = at.date_naive();
    tx.count_stat(tenant.id, day, MESSAGES_READ, "", "", 1, 0.0);
    for topic in &message_topics {
        tx.count_stat(tenant.id, day, TOPIC_RAISED, topic.key(), "", 1, 0.0);
    }
    let facts = MessageFacts {
        reply: event.direction == Direction::Outbound,
        at: at.timestamp(),
        channel: event.channel.as_str().to_owned(),
        topics: message_topics.clone(),
        entities: entities.clone(),
    };
    let rows = tx
        .recent_threads(tenant.id, customer_id, false, CANDIDATE_THREADS)
        .await?;
    let states: Vec<ThreadState> = rows.iter().map(state_of).collect();
    let policy = tenant.memory.policy();
    let status = if event.direction == Direction::Outbound {
        "waiting"
    } else {
        "open"
    };
    let mut row = match choose_thread(&states, &facts, &policy) {
        Some(i) => {
            let mut row = rows[i].clone();
            // The customer switched channels: the thread remembers where it came from.
            if row.channel != facts.channel {
                row.handoff_from_channel = Some(row.channel.clone());
            }
            for topic in &message_topics {
                if !row.topics.contains(topic) {
                    row.topics.push(*topic);
                }
            }
            for entity in &entities {
                if !row.entities.iter().any(|e| e.same_as(entity)) {
                    row.entities.push(entity.clone());
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
            topics: message_topics,
            entities: entities.clone(),
            resolved_at: None,
            archived_at: None,
        },
    };
    row.status = status.to_owned();
    // The running summaries, the thread's and the customer's, grow by this message's sentences
    // that carry something; rare topics (by the tenant's statistics) weigh more.
    let input = SummaryInput {
        at: at.timestamp(),
        channel: event.channel.as_str(),
        text,
        entities: &entities,
    };
    let mut summary = summary_of(
        row.summary.as_deref(),
        spine_engine::conversation::DEFAULT_CAPACITY,
    );
    summary.add(&input, &vocabulary.topic_stats);
    row.summary = serde_json::to_string(&summary).ok();
    tx.save_thread(tenant.id, &row).await?;

    let (mut about_customer, stored) = match tx.customer_summary(tenant.id, customer_id).await? {
        Some(json) => (summary_of(Some(&json), CUSTOMER_SUMMARY_CAPACITY), true),
        // Profiles from before customer summaries start from their threads' summaries.
        None => (
            rebuilt_customer_summary(tx, tenant.id, customer_id).await?,
            false,
        ),
    };
    // Small talk changes nothing worth a write.
    if about_customer.add(&input, &vocabulary.topic_stats) || !stored {
        let json = serde_json::to_string(&about_customer).unwrap_or_default();
        tx.save_customer_summary(tenant.id, customer_id, &json, Utc::now())
            .await?;
    }
    Ok(Some(row.id))
}

/// Counts the products an order names, the tenant's product vocabulary (written in the
/// caller's transaction; names over 100 characters are not product names).
pub(crate) fn count_products(tx: &mut Tx, tenant: &Tenant, order: &OrderInput, at: DateTime<Utc>) {
    for item in &order.items {
        let name = item.name.trim().to_lowercase();
        if !name.is_empty() && name.chars().count() <= 100 {
            tx.count_stat(
                tenant.id,
                at.date_naive(),
                PRODUCT_ORDERED,
                &name,
                "",
                1,
                0.0,
            );
        }
    }
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
    /// Open and recent threads, then archived ones (summaries only), by relevance.
    pub threads: Vec<ThreadContext>,
    pub recent_orders: Vec<OrderView>,
    /// The customer's history in their own sentences, across all conversations (archived ones
    /// too), oldest first: "2026-05-01 webchat: I need help with my order #1234."
    pub summary: Vec<String>,
    /// How their newest messages sound against the ones before.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub sentiment: Option<SentimentView>,
    /// Everything above, ranked and cut to `budget` characters, ready for a prompt.
    pub text: String,
    pub budget: usize,
}

/// The mood of a customer's messages (lexicon scores, −1 to 1).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentimentView {
    /// Mean of their newest scored messages.
    pub recent: f64,
    /// Mean of the scored messages before those.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub earlier: Option<f64>,
    /// improving, worsening or steady.
    pub direction: String,
    pub messages: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadContext {
    pub id: Uuid,
    pub channel: String,
    /// open (the customer waits), waiting (we wait for them) or resolved.
    pub status: String,
    /// Archived: compacted to its summary; its text is at `/api/v1/threads/{id}/transcript`.
    pub archived: bool,
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
    let mut rows = tx
        .recent_threads(tenant.id, id, false, CONTEXT_THREADS)
        .await?;
    rows.extend(
        tx.recent_threads(tenant.id, id, true, CONTEXT_ARCHIVED)
            .await?,
    );
    for thread in rows {
        let open = thread.status != "resolved";
        let overlap = if newest_topics.is_empty() {
            0.0
        } else {
            let shared = newest_topics
                .iter()
                .filter(|t| thread.topics.contains(t))
                .count();
            shared as f64 / newest_topics.len() as f64
        };
        let hours = (now - thread.last_message_at).num_seconds().max(0) as f64 / 3600.0;
        let same_channel = channel.is_some_and(|c| c.as_str() == thread.channel);
        let archived = thread.archived_at.is_some();
        let last_messages = if archived {
            Vec::new()
        } else {
            tx.thread_messages(tenant.id, thread.id, CONTEXT_MESSAGES)
                .await?
        };
        let last_messages = last_messages
            .into_iter()
            .map(|m| {
                let who = Direction::speaker_of(&m.direction);
                format!(
                    "{} {} ({who}): {}",
                    m.occurred_at.format("%Y-%m-%d %H:%M"),
                    m.channel,
                    m.body.unwrap_or_default()
                )
            })
            .collect();
        let summary = summary_of(thread.summary.as_deref(), 0);
        threads.push(ThreadContext {
            id: thread.id,
            status: thread.status.clone(),
            archived,
            topic: thread.topic.clone(),
            continues_from: thread.handoff_from_channel.clone(),
            entities: thread.entities.iter().map(entity_label).collect(),
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
    let about_customer = match tx.customer_summary(tenant.id, id).await? {
        Some(json) => summary_of(Some(&json), CUSTOMER_SUMMARY_CAPACITY),
        None => rebuilt_customer_summary(&mut tx, tenant.id, id).await?,
    };
    let summary: Vec<String> = about_customer.render().lines().map(str::to_owned).collect();
    let scores = tx
        .recent_sentiments(tenant.id, id, SENTIMENT_MESSAGES)
        .await?;
    let sentiment = sentiment_trend(&scores, SENTIMENT_RECENT).map(|t| SentimentView {
        recent: t.recent,
        earlier: t.earlier,
        direction: t.direction.as_str().to_owned(),
        messages: t.messages,
    });

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
    if let Some(mood) = &sentiment {
        let earlier = mood
            .earlier
            .map(|e| format!(", before {e:+.2}"))
            .unwrap_or_default();
        about.push(format!(
            "mood: {} (recent {:+.2}{earlier})",
            mood.direction, mood.recent
        ));
    }
    let mut blocks = vec![ContextBlock {
        relevance: 2.0,
        title: format!("Customer: {name}"),
        lines: about,
    }];
    // Key sentences across all conversations, archived ones too: below the open threads and
    // the orders, above old resolved threads.
    if !summary.is_empty() {
        blocks.push(ContextBlock {
            relevance: HISTORY_RELEVANCE,
            title: "Earlier, key sentences".into(),
            lines: summary.clone(),
        });
    }
    for t in &threads {
        let mut title = if t.archived {
            format!("Archived conversation on {} (resolved)", t.channel)
        } else {
            format!("Conversation on {} ({})", t.channel, t.status)
        };
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
        // Older sentences worth remembering.
        lines.extend(t.summary.iter().cloned());
        blocks.push(ContextBlock {
            relevance: t.relevance,
            title,
            lines,
        });
    }
    if !recent_orders.is_empty() {
        blocks.push(ContextBlock {
            relevance: ORDERS_RELEVANCE,
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
    let (text, _) = render_context(&without_repeats(blocks), budget);
    Ok(CustomerContext {
        customer_id: id,
        display_name: row.display_name,
        last_channel,
        active_topics,
        threads,
        recent_orders,
        summary,
        sentiment,
        text,
        budget,
    })
}

/// A thread a person may change (agents, admins, integrations), in a transaction; an archived
/// one is a conflict, said by `when_archived`.
async fn thread_to_change(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    thread_id: Uuid,
    when_archived: &str,
) -> ServiceResult<(Tx, ThreadRow)> {
    crate::services::notes::may_write(actor)?;
    let mut tx = store.begin().await?;
    let thread = tx
        .thread(tenant.id, thread_id)
        .await?
        .ok_or(ServiceError::NotFound("thread"))?;
    if thread.archived_at.is_some() {
        return Err(ServiceError::Conflict(when_archived.to_owned()));
    }
    Ok((tx, thread))
}

/// Marks a thread resolved (`resolved: true`) or open again; audited. Agents, admins and
/// integrations may; a resolved thread is continued only by a message naming its own order or
/// booking within a day, so the next question starts afresh.
pub async fn set_thread_resolved(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    thread_id: Uuid,
    resolved: bool,
) -> ServiceResult<()> {
    let (mut tx, thread) = thread_to_change(
        store,
        tenant,
        actor,
        thread_id,
        "the conversation is archived; its transcript can be read but it cannot be reopened — a new message starts a new conversation",
    )
    .await?;
    let (status, at) = if resolved {
        ("resolved", Some(Utc::now()))
    } else {
        ("open", None)
    };
    tx.set_thread_status(tenant.id, thread_id, status, at)
        .await?;
    tx.append_audit(
        tenant.id,
        &audit(
            actor,
            if resolved {
                "thread.resolved"
            } else {
                "thread.reopened"
            },
            "thread",
        )
        .entity(thread_id)
        .customer(thread.customer_id)
        .before(serde_json::json!({ "status": thread.status }))
        .after(serde_json::json!({ "status": status })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A thread's messages with their full text, oldest first, archived or not. Anyone who may
/// read profiles may read it.
pub async fn thread_transcript(
    store: &Store,
    tenant: &Tenant,
    thread_id: Uuid,
) -> ServiceResult<ThreadTranscript> {
    let mut tx = store.read().await?;
    let thread = tx
        .thread(tenant.id, thread_id)
        .await?
        .ok_or(ServiceError::NotFound("thread"))?;
    let messages = tx.thread_transcript(tenant.id, thread_id).await?;
    Ok(ThreadTranscript {
        id: thread.id,
        customer_id: thread.customer_id,
        topic: thread.topic,
        status: thread.status,
        archived_at: thread.archived_at,
        messages,
    })
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadTranscript {
    pub id: Uuid,
    pub customer_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub topic: Option<String>,
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub archived_at: Option<DateTime<Utc>>,
    pub messages: Vec<TranscriptMessage>,
}

/// Archives one thread in the caller's transaction: it keeps its best summary sentences and
/// the orders, bookings and products it named; its messages' text moves to its transcript.
/// Returns how many messages were archived.
async fn archive_one(
    tx: &mut Tx,
    tenant_id: Uuid,
    thread: &ThreadRow,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    let mut compact = thread.clone();
    let summary = summary_of(thread.summary.as_deref(), 0);
    compact.summary = serde_json::to_string(&summary.compacted(ARCHIVED_SUMMARY_CAPACITY)).ok();
    compact.entities.retain(|e| {
        matches!(
            e.kind,
            EntityKind::OrderNumber | EntityKind::BookingRef | EntityKind::Product
        )
    });
    Ok(tx.archive_thread(tenant_id, &compact, now).await?)
}

/// Archives one resolved thread now, whatever its age (agents and admins); audited. Returns
/// how many messages were archived.
pub async fn archive_thread(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    thread_id: Uuid,
) -> ServiceResult<u64> {
    let (mut tx, thread) = thread_to_change(
        store,
        tenant,
        actor,
        thread_id,
        "the conversation is already archived",
    )
    .await?;
    if thread.status != "resolved" {
        return Err(ServiceError::Conflict(
            "only a resolved conversation can be archived: resolve it first".into(),
        ));
    }
    let messages = archive_one(&mut tx, tenant.id, &thread, Utc::now()).await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "thread.archived", "thread")
            .entity(thread_id)
            .customer(thread.customer_id)
            .after(serde_json::json!({ "messages": messages })),
    )
    .await?;
    tx.commit().await?;
    Ok(messages)
}

/// What an archival run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchiveReport {
    pub threads: u64,
    pub messages: u64,
}

/// Archives the tenant's threads resolved more than its `archive_after_days` before `now`
/// (none when the setting is 0): each keeps its two best summary sentences and the orders,
/// bookings and products it named; its messages' text moves to its transcript. Runs in
/// batches, one transaction each, calling `progress(done, total)` after each; one audit entry
/// records the run.
pub async fn archive_threads(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    now: DateTime<Utc>,
    mut progress: impl FnMut(u64, u64),
) -> ServiceResult<ArchiveReport> {
    let mut report = ArchiveReport::default();
    let days = tenant.memory.archive_after_days;
    if days <= 0 {
        return Ok(report);
    }
    let before = now - chrono::Duration::days(i64::from(days));
    let total = store
        .read()
        .await?
        .count_archivable_threads(tenant.id, before)
        .await?;
    progress(0, total);
    loop {
        let mut tx = store.begin().await?;
        let batch = tx
            .archivable_threads(tenant.id, before, ARCHIVE_BATCH)
            .await?;
        for thread in &batch {
            report.messages += archive_one(&mut tx, tenant.id, thread, now).await?;
            report.threads += 1;
        }
        if batch.is_empty() || report.threads >= total {
            if report.threads > 0 {
                tx.append_audit(
                    tenant.id,
                    &audit(actor, "threads.archived", "tenant")
                        .entity(tenant.slug.clone())
                        .after(serde_json::json!({
                            "threads": report.threads,
                            "messages": report.messages,
                            "resolved_before": before,
                        })),
                )
                .await?;
            }
            tx.commit().await?;
            progress(report.threads, total.max(report.threads));
            return Ok(report);
        }
        tx.commit().await?;
        progress(report.threads, total.max(report.threads));
    }
}
