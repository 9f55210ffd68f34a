//! Conversation threads: a customer's messages grouped by what they are about, each thread
//! keeping its topics, entities and running summary so the next message is matched to it
//! without reading its history again.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use uuid::Uuid;

use spine_engine::conversation::{Entity, Topic, TopicStats};

use super::direct::{DirectRow, column};
use super::stmt::{Stmt, json};
use super::{InteractionRow, StatKey, StoreResult, Tx, on_conn};

/// What a tenant's messages are read against: the names of the products its customers order
/// (most ordered first) and how often each topic came up in what they wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vocabulary {
    pub products: Vec<String>,
    pub topic_stats: TopicStats,
}

/// Products a message is matched against at most: the most ordered in the last
/// `VOCABULARY_PRODUCT_DAYS` (what the shop sells now, read from a bounded number of counters).
const VOCABULARY_PRODUCTS: i64 = 500;
const VOCABULARY_PRODUCT_DAYS: i64 = 365;
/// A tenant's vocabulary is read again after this long (topic counts drift slowly); an order
/// committed by this process forgets it at once, so a new product is known to the next message.
const VOCABULARY_TTL: Duration = Duration::from_secs(300);

/// The counters that make up a vocabulary.
pub(crate) const PRODUCT_ORDERED: &str = "product_ordered";
pub(crate) const MESSAGES_READ: &str = "messages_read";
pub(crate) const TOPIC_RAISED: &str = "topic";

/// Reads that change slowly, kept per store (per process).
#[derive(Default)]
pub(crate) struct Memo {
    vocabularies: Mutex<HashMap<Uuid, (Instant, Arc<Vocabulary>)>>,
}

impl Memo {
    fn fresh(&self, tenant_id: Uuid) -> Option<Arc<Vocabulary>> {
        let memo = self.vocabularies.lock().ok()?;
        memo.get(&tenant_id)
            .filter(|(at, _)| at.elapsed() < VOCABULARY_TTL)
            .map(|(_, v)| v.clone())
    }

    fn keep(&self, tenant_id: Uuid, vocabulary: Arc<Vocabulary>) {
        if let Ok(mut memo) = self.vocabularies.lock() {
            memo.insert(tenant_id, (Instant::now(), vocabulary));
        }
    }

    /// A transaction's counter deltas were committed: a tenant whose orders named products
    /// reads its vocabulary again; messages read and topics raised are added to the
    /// vocabularies held, so this process's own writes are never stale (other processes'
    /// arrive within the TTL).
    pub(crate) fn committed(&self, stats: &BTreeMap<StatKey, (i64, f64)>) {
        let Ok(mut memo) = self.vocabularies.lock() else {
            return;
        };
        for key in stats.keys().filter(|k| k.metric == PRODUCT_ORDERED) {
            memo.remove(&key.tenant_id);
        }
        for (tenant_id, (_, vocabulary)) in memo.iter_mut() {
            let mut documents = 0u64;
            let mut topics = Vec::new();
            for (key, (n, _)) in stats.iter().filter(|(k, _)| k.tenant_id == *tenant_id) {
                let n = u64::try_from(*n).unwrap_or(0);
                if key.metric == MESSAGES_READ {
                    documents += n;
                } else if key.metric == TOPIC_RAISED
                    && let Some(topic) = Topic::from_key(&key.dim1)
                {
                    topics.push((topic, n));
                }
            }
            if documents > 0 || !topics.is_empty() {
                Arc::make_mut(vocabulary)
                    .topic_stats
                    .add_counts(documents, topics);
            }
        }
    }
}

/// One message of a thread with its text, archived or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TranscriptMessage {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub channel: String,
    pub direction: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub body: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub payload: Option<serde_json::Value>,
}

/// What an archived thread's transcript keeps of each message.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ArchivedText {
    id: Uuid,
    body: Option<String>,
    payload: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ThreadRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    /// The channel of the thread's last message.
    pub channel: String,
    /// What the thread is mainly about (its first topic), when it has one.
    pub topic: Option<String>,
    pub status: String,
    /// The channel the customer switched from, when the conversation moved.
    pub handoff_from_channel: Option<String>,
    /// The running extractive summary (`spine_engine::conversation::Summary`), as JSON.
    pub summary: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    #[sqlx(json)]
    pub topics: Vec<Topic>,
    #[sqlx(json)]
    pub entities: Vec<Entity>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Archived: compacted, its messages' text in its transcript.
    pub archived_at: Option<DateTime<Utc>>,
}

impl DirectRow for ThreadRow {
    fn from_direct(row: &rusqlite::Row<'_>) -> StoreResult<ThreadRow> {
        let topics: Json<Vec<Topic>> = column(row, 9)?;
        let entities: Json<Vec<Entity>> = column(row, 10)?;
        Ok(ThreadRow {
            id: column(row, 0)?,
            customer_id: column(row, 1)?,
            channel: column(row, 2)?,
            topic: column(row, 3)?,
            status: column(row, 4)?,
            handoff_from_channel: column(row, 5)?,
            summary: column(row, 6)?,
            opened_at: column(row, 7)?,
            last_message_at: column(row, 8)?,
            topics: topics.0,
            entities: entities.0,
            resolved_at: column(row, 11)?,
            archived_at: column(row, 12)?,
        })
    }
}

/// The columns of [`ThreadRow`], in its order.
const COLUMNS: &str = "id, customer_id, channel, topic, status, handoff_from_channel, summary, opened_at, \
    last_message_at, topics, entities, resolved_at, archived_at";

impl Tx {
    /// A profile's threads, archived or not as asked, most recently active first.
    pub async fn recent_threads(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        archived: bool,
        limit: i64,
    ) -> StoreResult<Vec<ThreadRow>> {
        let which = if archived { "is not null" } else { "is null" };
        let sql = format!(
            "select {COLUMNS} from threads where tenant_id = $1 and customer_id = $2 and archived_at {which} \
             order by last_message_at desc, id desc limit $3"
        );
        self.fetch_all(Stmt::new(sql).bind(tenant_id).bind(customer_id).bind(limit))
            .await
    }

    /// The tenant's vocabulary, from the memo when fresh.
    pub async fn vocabulary(&mut self, tenant_id: Uuid) -> StoreResult<Arc<Vocabulary>> {
        if let Some(known) = self.memo.fresh(tenant_id) {
            return Ok(known);
        }
        let since = (Utc::now() - chrono::Duration::days(VOCABULARY_PRODUCT_DAYS))
            .date_naive()
            .to_string();
        let products: Vec<(String,)> = self
            .fetch_all(
                Stmt::new(
                    "select dim1 from daily_stats where tenant_id = $1 and metric = $2 and day >= $4 \
                     group by dim1 order by sum(n) desc, dim1 limit $3",
                )
                .bind(tenant_id)
                .bind(PRODUCT_ORDERED)
                .bind(VOCABULARY_PRODUCTS)
                .bind(since),
            )
            .await?;
        let products = products.into_iter().map(|(p,)| p).collect();
        let counts: Vec<(String, String, i64)> = self
            .fetch_all(
                Stmt::new(
                    "select metric, dim1, cast(sum(n) as bigint) from daily_stats \
                     where tenant_id = $1 and metric in ($2, $3) group by metric, dim1",
                )
                .bind(tenant_id)
                .bind(MESSAGES_READ)
                .bind(TOPIC_RAISED),
            )
            .await?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let documents = counts
            .iter()
            .filter(|(metric, _, _)| metric == MESSAGES_READ)
            .map(|(_, _, n)| count(*n))
            .sum();
        let frequencies = counts.iter().filter_map(|(metric, key, n)| {
            (metric == TOPIC_RAISED)
                .then(|| Topic::from_key(key))
                .flatten()
                .map(|t| (t, count(*n)))
        });
        let vocabulary = Arc::new(Vocabulary {
            products,
            topic_stats: TopicStats::from_counts(documents, frequencies),
        });
        self.memo.keep(tenant_id, vocabulary.clone());
        Ok(vocabulary)
    }

    /// A profile's rolling summary (JSON), when one was written.
    pub async fn customer_summary(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<Option<String>> {
        let summary: Option<(String,)> = self
            .fetch_optional(
                Stmt::new(
                    "select summary from customer_memory where tenant_id = $1 and customer_id = $2",
                )
                .bind(tenant_id)
                .bind(customer_id),
            )
            .await?;
        Ok(summary.map(|(s,)| s))
    }

    pub async fn save_customer_summary(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        summary: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.exec(
            Stmt::new(
                "insert into customer_memory (tenant_id, customer_id, summary, updated_at) values ($1, $2, $3, $4) \
                 on conflict (tenant_id, customer_id) do update set summary = excluded.summary, updated_at = excluded.updated_at",
            )
            .bind(tenant_id)
            .bind(customer_id)
            .bind(summary)
            .bind(at),
        )
        .await?;
        Ok(())
    }

    /// Resolves the threads whose last message is older than `idle_before`, as of that last
    /// message (the demo's history: old conversations were answered and closed).
    pub async fn resolve_idle_threads(
        &mut self,
        tenant_id: Uuid,
        idle_before: DateTime<Utc>,
    ) -> StoreResult<u64> {
        Ok(on_conn!(self, c => sqlx::query(
            "update threads set status = 'resolved', resolved_at = last_message_at \
             where tenant_id = $1 and status <> 'resolved' and archived_at is null and last_message_at < $2")
            .bind(tenant_id).bind(idle_before).execute(&mut *c).await.map(|r| r.rows_affected()))?)
    }

    /// Resolved threads not yet archived that were resolved before `before`, oldest first.
    pub async fn archivable_threads(
        &mut self,
        tenant_id: Uuid,
        before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<ThreadRow>> {
        let sql = format!(
            "select {COLUMNS} from threads where tenant_id = $1 and status = 'resolved' and archived_at is null \
             and resolved_at < $2 order by resolved_at, id limit $3"
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, ThreadRow>(&sql)
            .bind(tenant_id).bind(before).bind(limit).fetch_all(&mut *c).await)?)
    }

    pub async fn count_archivable_threads(
        &mut self,
        tenant_id: Uuid,
        before: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let n = on_conn!(self, c => sqlx::query_scalar::<_, i64>(
            "select count(*) from threads where tenant_id = $1 and status = 'resolved' and archived_at is null \
             and resolved_at < $2")
            .bind(tenant_id).bind(before).fetch_one(&mut *c).await)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Archives a thread: its messages' text (body and payload) moves to the thread's
    /// transcript, the messages stay on the timeline marked archived, and the thread keeps the
    /// compacted `summary` and `entities` given. Returns how many messages were archived.
    pub async fn archive_thread(
        &mut self,
        tenant_id: Uuid,
        thread: &ThreadRow,
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let texts = on_conn!(self, c => sqlx::query_as::<_, (Uuid, Option<String>, Option<Json<serde_json::Value>>)>(
            "select id, body, payload from interactions where tenant_id = $1 and thread_id = $2 and not archived \
             order by occurred_at, id")
            .bind(tenant_id).bind(thread.id).fetch_all(&mut *c).await)?;
        let messages: Vec<ArchivedText> = texts
            .into_iter()
            .map(|(id, body, payload)| ArchivedText {
                id,
                body,
                payload: payload.map(|p| p.0),
            })
            .collect();
        on_conn!(self, c => sqlx::query(
            "insert into thread_transcripts (tenant_id, thread_id, messages, archived_at) values ($1, $2, $3, $4)")
            .bind(tenant_id).bind(thread.id).bind(Json(&messages)).bind(at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        let archived = on_conn!(self, c => sqlx::query(
            "update interactions set body = null, payload = null, archived = true \
             where tenant_id = $1 and thread_id = $2 and not archived")
            .bind(tenant_id).bind(thread.id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        on_conn!(self, c => sqlx::query(
            "update threads set archived_at = $3, summary = $4, entities = $5 where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(thread.id).bind(at).bind(&thread.summary).bind(Json(&thread.entities))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(archived)
    }

    /// A thread's messages with their text, oldest first: from the transcript when archived.
    pub async fn thread_transcript(
        &mut self,
        tenant_id: Uuid,
        thread_id: Uuid,
    ) -> StoreResult<Vec<TranscriptMessage>> {
        let sql = format!(
            "select {} from interactions where tenant_id = $1 and thread_id = $2 order by occurred_at, id",
            super::interactions::COLUMNS
        );
        let rows = on_conn!(self, c => sqlx::query_as::<_, InteractionRow>(&sql)
            .bind(tenant_id).bind(thread_id).fetch_all(&mut *c).await)?;
        let mut archived: HashMap<Uuid, ArchivedText> = HashMap::new();
        if rows.iter().any(|r| r.archived) {
            let stored = on_conn!(self, c => sqlx::query_scalar::<_, Json<Vec<ArchivedText>>>(
                "select messages from thread_transcripts where tenant_id = $1 and thread_id = $2")
                .bind(tenant_id).bind(thread_id).fetch_optional(&mut *c).await)?;
            archived = stored
                .map(|m| m.0)
                .unwrap_or_default()
                .into_iter()
                .map(|m| (m.id, m))
                .collect();
        }
        Ok(rows
            .into_iter()
            .map(|row| {
                let (body, payload) = match archived.remove(&row.id) {
                    Some(text) if row.archived => (text.body, text.payload),
                    _ => (row.body, row.payload.map(|p| p.0)),
                };
                TranscriptMessage {
                    id: row.id,
                    occurred_at: row.occurred_at,
                    channel: row.channel,
                    direction: row.direction,
                    body,
                    payload,
                }
            })
            .collect())
    }

    /// Writes a thread: inserted when new, every column replaced otherwise.
    pub async fn save_thread(&mut self, tenant_id: Uuid, row: &ThreadRow) -> StoreResult<()> {
        self.exec(
            Stmt::new(
                "insert into threads (tenant_id, id, customer_id, channel, topic, status, handoff_from_channel, \
                   summary, opened_at, last_message_at, topics, entities) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 on conflict (tenant_id, id) do update set channel = excluded.channel, topic = excluded.topic, \
                   status = excluded.status, handoff_from_channel = excluded.handoff_from_channel, \
                   summary = excluded.summary, last_message_at = excluded.last_message_at, \
                   topics = excluded.topics, entities = excluded.entities",
            )
            .bind(tenant_id)
            .bind(row.id)
            .bind(row.customer_id)
            .bind(&row.channel)
            .bind(&row.topic)
            .bind(&row.status)
            .bind(&row.handoff_from_channel)
            .bind(&row.summary)
            .bind(row.opened_at)
            .bind(row.last_message_at)
            .bind(json(&row.topics)?)
            .bind(json(&row.entities)?),
        )
        .await?;
        Ok(())
    }

    pub async fn thread(&mut self, tenant_id: Uuid, id: Uuid) -> StoreResult<Option<ThreadRow>> {
        let sql = format!("select {COLUMNS} from threads where tenant_id = $1 and id = $2");
        Ok(on_conn!(self, c => sqlx::query_as::<_, ThreadRow>(&sql)
            .bind(tenant_id).bind(id).fetch_optional(&mut *c).await)?)
    }

    /// Sets a thread's status; `resolved_at` is when it was resolved (none when reopened).
    pub async fn set_thread_status(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        status: &str,
        resolved_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "update threads set status = $3, resolved_at = $4 where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).bind(status).bind(resolved_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A thread's newest messages, newest first.
    pub async fn thread_messages(
        &mut self,
        tenant_id: Uuid,
        thread_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<InteractionRow>> {
        let sql = format!(
            "select {} from interactions where tenant_id = $1 and thread_id = $2 \
             order by occurred_at desc, id desc limit $3",
            super::interactions::COLUMNS
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, InteractionRow>(&sql)
            .bind(tenant_id).bind(thread_id).bind(limit).fetch_all(&mut *c).await)?,
        )
    }

    /// The sentiment scores of a profile's newest inbound messages, newest first.
    pub async fn recent_sentiments(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<f64>> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, f64>(
            "select sentiment from interactions where tenant_id = $1 and customer_id = $2 \
             and direction = 'inbound' and sentiment is not null order by occurred_at desc, id desc limit $3")
            .bind(tenant_id).bind(customer_id).bind(limit).fetch_all(&mut *c).await)?)
    }

    /// A profile's newest orders, newest first.
    pub async fn recent_orders(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<super::OrderRow>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, super::OrderRow>(
            "select id, customer_id, provider, external_id, total_cents, currency, status, placed_at, items \
             from orders where tenant_id = $1 and customer_id = $2 order by placed_at desc, id desc limit $3")
            .bind(tenant_id).bind(customer_id).bind(limit).fetch_all(&mut *c).await)?)
    }
}
