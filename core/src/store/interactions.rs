//! Interactions (timeline entries) and orders.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::direct::{DirectRow, column};
use super::stmt::{Stmt, json, opt_json};
use super::{StoreResult, Tx, on_conn};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InteractionRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub customer_id: Uuid,
    pub origin_customer_id: Uuid,
    pub thread_id: Option<Uuid>,
    pub channel: String,
    pub direction: String,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub body: Option<String>,
    pub payload: Option<Json<serde_json::Value>>,
    pub provider_message_id: Option<String>,
    pub sentiment: Option<f64>,
    pub created_at: DateTime<Utc>,
    /// Its thread was archived: `body` and `payload` are in the thread's transcript.
    pub archived: bool,
    /// Contact details the message mentioned that were not attached to its profile.
    pub claims: Option<Json<Vec<crate::types::Claim>>>,
}

/// Which timeline entries to show; `None` means any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimelineFilter {
    pub channel: Option<String>,
    pub kind: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewInteraction {
    pub customer_id: Uuid,
    pub channel: String,
    pub direction: String,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub body: Option<String>,
    pub payload: Option<serde_json::Value>,
    pub provider_message_id: Option<String>,
    /// -1 (negative) to 1 (positive), when the integration scored the message.
    pub sentiment: Option<f64>,
    /// The conversation thread it joined (messages and calls).
    pub thread_id: Option<Uuid>,
    /// Contact details the message mentioned that were not attached to its profile.
    pub claims: Vec<crate::types::Claim>,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub customer_id: Uuid,
    pub provider: String,
    pub external_id: String,
    pub total_cents: i64,
    pub currency: String,
    pub status: String,
    pub placed_at: DateTime<Utc>,
    pub shipping_address_hash: Option<String>,
    pub items: serde_json::Value,
}

impl DirectRow for InteractionRow {
    fn from_direct(row: &rusqlite::Row<'_>) -> StoreResult<InteractionRow> {
        Ok(InteractionRow {
            tenant_id: column(row, 0)?,
            id: column(row, 1)?,
            customer_id: column(row, 2)?,
            origin_customer_id: column(row, 3)?,
            thread_id: column(row, 4)?,
            channel: column(row, 5)?,
            direction: column(row, 6)?,
            kind: column(row, 7)?,
            occurred_at: column(row, 8)?,
            body: column(row, 9)?,
            payload: column(row, 10)?,
            provider_message_id: column(row, 11)?,
            sentiment: column(row, 12)?,
            created_at: column(row, 13)?,
            archived: column(row, 14)?,
            claims: column(row, 15)?,
        })
    }
}

/// The columns of [`InteractionRow`], in its order.
pub(crate) const COLUMNS: &str = "tenant_id, id, customer_id, origin_customer_id, thread_id, channel, direction, kind, \
    occurred_at, body, payload, provider_message_id, sentiment, created_at, archived, claims";

impl Tx {
    pub async fn insert_interaction(
        &mut self,
        tenant_id: Uuid,
        new: &NewInteraction,
    ) -> StoreResult<Uuid> {
        let id = Uuid::now_v7();
        self.exec_unique(
            Stmt::new(
                "insert into interactions (tenant_id, id, customer_id, origin_customer_id, channel, direction, kind, \
                   occurred_at, body, payload, provider_message_id, created_at, sentiment, thread_id, claims) \
                 values ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(tenant_id)
            .bind(id)
            .bind(new.customer_id)
            .bind(&new.channel)
            .bind(&new.direction)
            .bind(&new.kind)
            .bind(new.occurred_at)
            .bind(&new.body)
            .bind(opt_json(new.payload.as_ref())?)
            .bind(&new.provider_message_id)
            .bind(Utc::now())
            .bind(new.sentiment)
            .bind(new.thread_id)
            .bind(opt_json((!new.claims.is_empty()).then_some(&new.claims))?),
            "interaction",
        )
        .await?;
        Ok(id)
    }

    /// The interaction already stored under this provider message id, if any (idempotent ingestion).
    pub async fn interaction_by_provider_id(
        &mut self,
        tenant_id: Uuid,
        channel: &str,
        provider_message_id: &str,
    ) -> StoreResult<Option<InteractionRow>> {
        let sql = format!(
            "select {COLUMNS} from interactions where tenant_id = $1 and channel = $2 and provider_message_id = $3"
        );
        self.fetch_optional(
            Stmt::new(sql)
                .bind(tenant_id)
                .bind(channel)
                .bind(provider_message_id),
        )
        .await
    }

    /// A page of a profile's timeline, newest first, strictly before the `(occurred_at, id)` cursor.
    pub async fn timeline(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        before: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
        filter: &TimelineFilter,
    ) -> StoreResult<Vec<InteractionRow>> {
        // No cursor means "before the end of time"; one statement shape for every case.
        let (at, id) = before.unwrap_or_else(|| (end_of_time(), Uuid::max()));
        let sql = format!(
            "select {COLUMNS} from interactions where tenant_id = $1 and customer_id = $2 \
             and (occurred_at < $3 or (occurred_at = $3 and id < $4)) \
             and ($6 is null or channel = $6) and ($7 is null or kind = $7) \
             order by occurred_at desc, id desc limit $5"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, InteractionRow>(&sql)
            .bind(tenant_id).bind(customer_id).bind(at).bind(id).bind(limit)
            .bind(&filter.channel).bind(&filter.kind)
            .fetch_all(&mut *c).await)?,
        )
    }

    /// Interactions written after `after`, oldest first, at most `limit`: their ids and
    /// profiles. Ids are UUIDv7, ordered by when they were made, so this reads the primary key.
    pub async fn interactions_after(
        &mut self,
        tenant_id: Uuid,
        after: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<(Uuid, Uuid)>> {
        self.fetch_all(
            Stmt::new(
                "select id, customer_id from interactions where tenant_id = $1 and id > $2 \
                 order by id limit $3",
            )
            .bind(tenant_id)
            .bind(after)
            .bind(limit),
        )
        .await
    }

    pub async fn count_interactions(&mut self, tenant_id: Uuid) -> StoreResult<i64> {
        Ok(
            on_conn!(self, c => sqlx::query_scalar::<_, i64>("select count(*) from interactions where tenant_id = $1")
            .bind(tenant_id).fetch_one(&mut *c).await)?,
        )
    }

    /// Stores an order; an order already known under (provider, external id) is left as it is.
    /// Returns whether it was new.
    pub async fn insert_order(&mut self, tenant_id: Uuid, new: &NewOrder) -> StoreResult<bool> {
        let (exists,): (i64,) = self
            .fetch_one(
                Stmt::new(
                    "select count(*) from orders where tenant_id = $1 and provider = $2 and external_id = $3",
                )
                .bind(tenant_id)
                .bind(&new.provider)
                .bind(&new.external_id),
            )
            .await?;
        if exists > 0 {
            return Ok(false);
        }
        self.exec_unique(
            Stmt::new(
                "insert into orders (tenant_id, id, customer_id, origin_customer_id, provider, external_id, total_cents, \
                   currency, status, placed_at, shipping_address_hash, items) \
                 values ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(tenant_id)
            .bind(Uuid::now_v7())
            .bind(new.customer_id)
            .bind(&new.provider)
            .bind(&new.external_id)
            .bind(new.total_cents)
            .bind(&new.currency)
            .bind(&new.status)
            .bind(new.placed_at)
            .bind(&new.shipping_address_hash)
            .bind(json(&new.items)?),
            "order",
        )
        .await?;
        Ok(true)
    }

    /// A profile's orders per currency: (currency, orders, cents spent on those not cancelled,
    /// refunded or voided, first placed, last placed).
    pub async fn order_totals(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<Vec<crate::types::CurrencyTotals>> {
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, crate::types::CurrencyTotals>(
            "select currency, count(*), cast(coalesce(sum(case when lower(status) in \
               ('cancelled', 'canceled', 'refunded', 'voided') then 0 else total_cents end), 0) as bigint), \
               min(placed_at), max(placed_at) \
             from orders where tenant_id = $1 and customer_id = $2 group by currency order by currency")
            .bind(tenant_id).bind(customer_id).fetch_all(&mut *c).await)?,
        )
    }

    pub async fn count_orders(&mut self, tenant_id: Uuid) -> StoreResult<i64> {
        Ok(
            on_conn!(self, c => sqlx::query_scalar::<_, i64>("select count(*) from orders where tenant_id = $1")
            .bind(tenant_id).fetch_one(&mut *c).await)?,
        )
    }
}

/// A date later than any real event that still sorts correctly as SQLite text (year 9999).
fn end_of_time() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(253_402_300_799, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}
