//! Conversation threads: a customer's messages grouped by what they are about, each thread
//! keeping its topics, entities and running summary so the next message is matched to it
//! without reading its history again.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use spine_engine::conversation::{Entity, Topic};

use super::{InteractionRow, StoreResult, Tx, on_conn};

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
    pub topics: Json<Vec<Topic>>,
    pub entities: Json<Vec<Entity>>,
}

const COLUMNS: &str = "id, customer_id, channel, topic, status, handoff_from_channel, summary, opened_at, \
    last_message_at, topics, entities";

impl Tx {
    /// A profile's threads, most recently active first.
    pub async fn recent_threads(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<ThreadRow>> {
        let sql = format!(
            "select {COLUMNS} from threads where tenant_id = $1 and customer_id = $2 \
             order by last_message_at desc, id desc limit $3"
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, ThreadRow>(&sql)
            .bind(tenant_id).bind(customer_id).bind(limit).fetch_all(&mut *c).await)?)
    }

    /// Writes a thread: inserted when new, every column replaced otherwise.
    pub async fn save_thread(&mut self, tenant_id: Uuid, row: &ThreadRow) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "insert into threads (tenant_id, id, customer_id, channel, topic, status, handoff_from_channel, \
               summary, opened_at, last_message_at, topics, entities) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             on conflict (tenant_id, id) do update set channel = excluded.channel, topic = excluded.topic, \
               status = excluded.status, handoff_from_channel = excluded.handoff_from_channel, \
               summary = excluded.summary, last_message_at = excluded.last_message_at, \
               topics = excluded.topics, entities = excluded.entities")
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
            .bind(&row.topics)
            .bind(&row.entities)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
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
