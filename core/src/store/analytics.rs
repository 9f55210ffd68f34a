//! Analytics: the daily counters (`daily_stats`, written at commit from the deltas a transaction
//! gathered), each profile's channels (`customer_channels`), the current-state aggregates the
//! snapshot is made of, and bulk loading for the analytics benchmark.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::stmt::Stmt;
use super::{Backend, StoreResult, Tx, on_conn};

/// One counter row of `daily_stats`. Ordered, so a transaction flushes its counters in one
/// global order and two PostgreSQL transactions never wait on each other's rows in a cycle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StatKey {
    pub tenant_id: Uuid,
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub metric: String,
    pub dim1: String,
    pub dim2: String,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StatRow {
    pub day: String,
    pub dim1: String,
    pub dim2: String,
    pub n: i64,
    pub total: f64,
}

/// A generated profile (benchmark).
#[derive(Debug, Clone)]
pub struct BulkCustomer {
    pub id: Uuid,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub lifecycle_stage: &'static str,
    pub sources: Vec<String>,
    pub tags: Vec<String>,
    pub source_campaign: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// (kind, value) of each identity.
    pub identities: Vec<(&'static str, String)>,
}

/// A generated interaction (benchmark).
#[derive(Debug, Clone)]
pub struct BulkInteraction {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub channel: &'static str,
    pub direction: &'static str,
    pub occurred_at: DateTime<Utc>,
    pub sentiment: Option<f64>,
}

/// A generated `customer_channels` row (benchmark): customer, channel, first and last use, count.
pub type BulkChannel = (Uuid, &'static str, DateTime<Utc>, DateTime<Utc>, i64);

/// A generated review item (benchmark).
#[derive(Debug, Clone)]
pub struct BulkReviewItem {
    pub subject_customer_id: Uuid,
    pub candidate_id: Uuid,
    pub status: &'static str,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A generated merge (benchmark).
#[derive(Debug, Clone)]
pub struct BulkMerge {
    pub survivor_id: Uuid,
    pub absorbed_id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// Profiles counted in current-state analytics: not merged away, deleted or erased.
const ACTIVE: &str = "c.merged_into is null and c.deleted_at is null and c.erased_at is null";

/// The day of a timestamp column, `YYYY-MM-DD` in UTC: the one place the dialects differ here.
fn day_of(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("substr({column}, 1, 10)"),
        Backend::Postgres => format!("to_char({column} at time zone 'UTC', 'YYYY-MM-DD')"),
    }
}

impl Tx {
    /// Adds `n` (and `total`) to a daily counter when this transaction commits.
    #[allow(clippy::too_many_arguments)]
    pub fn count_stat(
        &mut self,
        tenant_id: Uuid,
        day: NaiveDate,
        metric: &str,
        dim1: &str,
        dim2: &str,
        n: i64,
        total: f64,
    ) {
        let key = StatKey {
            tenant_id,
            day: day.to_string(),
            metric: metric.to_owned(),
            dim1: dim1.to_owned(),
            dim2: dim2.to_owned(),
        };
        let entry = self.stats.entry(key).or_insert((0, 0.0));
        entry.0 += n;
        entry.1 += total;
    }

    /// Writes the gathered counter deltas, in key order (see [`StatKey`]).
    pub(super) async fn flush_stats(
        &mut self,
        stats: &std::collections::BTreeMap<StatKey, (i64, f64)>,
    ) -> StoreResult<()> {
        // A few rows per statement rather than one statement per row: a group of events
        // touches a handful of counters, written in one round trip.
        let rows: Vec<_> = stats.iter().collect();
        for chunk in rows.chunks(64) {
            let values = (0..chunk.len())
                .map(|i| {
                    let at = i * 7;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                        at + 1,
                        at + 2,
                        at + 3,
                        at + 4,
                        at + 5,
                        at + 6,
                        at + 7
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "insert into daily_stats (tenant_id, day, metric, dim1, dim2, n, total) values {values} \
                 on conflict (tenant_id, day, metric, dim1, dim2) \
                 do update set n = daily_stats.n + excluded.n, total = daily_stats.total + excluded.total"
            );
            let mut stmt = Stmt::new(sql);
            for &(key, &(n, total)) in chunk {
                stmt = stmt
                    .bind(key.tenant_id)
                    .bind(&key.day)
                    .bind(&key.metric)
                    .bind(&key.dim1)
                    .bind(&key.dim2)
                    .bind(n)
                    .bind(total);
            }
            self.exec(stmt).await?;
        }
        Ok(())
    }

    /// A metric's counters for the days `from..=to` (`YYYY-MM-DD`).
    pub async fn daily_stats(
        &mut self,
        tenant_id: Uuid,
        metric: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<StatRow>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, StatRow>(
            "select day, dim1, dim2, n, total from daily_stats \
             where tenant_id = $1 and day >= $2 and day <= $3 and metric = $4")
            .bind(tenant_id).bind(from.to_string()).bind(to.to_string()).bind(metric)
            .fetch_all(&mut *c).await)?)
    }

    /// Merges made per day in `[from, until)`: (day, count).
    pub async fn merges_per_day(
        &mut self,
        tenant_id: Uuid,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, i64)>> {
        let day = day_of(self.backend(), "created_at");
        let sql = format!(
            "select {day} as day, count(*) from merges \
             where tenant_id = $1 and created_at >= $2 and created_at < $3 group by 1"
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, (String, i64)>(&sql)
            .bind(tenant_id).bind(from).bind(until).fetch_all(&mut *c).await)?)
    }

    /// Review items decided per day in `[from, until)`: (day, status, count).
    pub async fn review_decisions_per_day(
        &mut self,
        tenant_id: Uuid,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, String, i64)>> {
        let day = day_of(self.backend(), "decided_at");
        let sql = format!(
            "select {day} as day, status, count(*) from review_items \
             where tenant_id = $1 and decided_at >= $2 and decided_at < $3 group by 1, 2"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, (String, String, i64)>(&sql)
            .bind(tenant_id).bind(from).bind(until).fetch_all(&mut *c).await)?,
        )
    }

    /// Records that a profile used a channel at `at`.
    pub async fn touch_customer_channel(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        channel: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.exec(
            Stmt::new(
                "insert into customer_channels (tenant_id, customer_id, channel, first_at, last_at, n) \
                 values ($1, $2, $3, $4, $4, 1) \
                 on conflict (tenant_id, customer_id, channel) do update set \
                   first_at = case when excluded.first_at < customer_channels.first_at then excluded.first_at else customer_channels.first_at end, \
                   last_at = case when excluded.last_at > customer_channels.last_at then excluded.last_at else customer_channels.last_at end, \
                   n = customer_channels.n + 1",
            )
            .bind(tenant_id)
            .bind(customer_id)
            .bind(channel)
            .bind(at),
        )
        .await?;
        Ok(())
    }

    /// A merge: the absorbed profile's channels become the survivor's.
    pub async fn fold_customer_channels(
        &mut self,
        tenant_id: Uuid,
        from: Uuid,
        to: Uuid,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "insert into customer_channels (tenant_id, customer_id, channel, first_at, last_at, n) \
             select tenant_id, $3, channel, first_at, last_at, n from customer_channels \
             where tenant_id = $1 and customer_id = $2 \
             on conflict (tenant_id, customer_id, channel) do update set \
               first_at = case when excluded.first_at < customer_channels.first_at then excluded.first_at else customer_channels.first_at end, \
               last_at = case when excluded.last_at > customer_channels.last_at then excluded.last_at else customer_channels.last_at end, \
               n = customer_channels.n + excluded.n")
            .bind(tenant_id).bind(from).bind(to)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        on_conn!(self, c => sqlx::query("delete from customer_channels where tenant_id = $1 and customer_id = $2")
            .bind(tenant_id).bind(from).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Rebuilds a profile's channels from its timeline (after an undo moved entries back).
    pub async fn recount_customer_channels(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query("delete from customer_channels where tenant_id = $1 and customer_id = $2")
            .bind(tenant_id).bind(customer_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        on_conn!(self, c => sqlx::query(
            "insert into customer_channels (tenant_id, customer_id, channel, first_at, last_at, n) \
             select tenant_id, customer_id, channel, min(occurred_at), max(occurred_at), count(*) \
             from interactions where tenant_id = $1 and customer_id = $2 and channel <> 'note' \
             group by tenant_id, customer_id, channel")
            .bind(tenant_id).bind(customer_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A profile's channels: (channel, first used, last used, interactions), by channel.
    pub async fn customer_channels(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<Vec<(String, DateTime<Utc>, DateTime<Utc>, i64)>> {
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, (String, DateTime<Utc>, DateTime<Utc>, i64)>(
            "select channel, first_at, last_at, n from customer_channels \
             where tenant_id = $1 and customer_id = $2 order by channel")
            .bind(tenant_id).bind(customer_id).fetch_all(&mut *c).await)?,
        )
    }
}

/// Current-state aggregates (the snapshot's parts). Profiles' channels and identities are read
/// a page at a time in key order without joining `customers`: joining cost a lookup per row
/// (2.5 s of 4 at 1M profiles on SQLite); the few inactive profiles are listed once instead.
impl Tx {
    /// Profiles not counted in current-state analytics: merged away, deleted or erased.
    pub async fn inactive_customers(&mut self, tenant_id: Uuid) -> StoreResult<Vec<Uuid>> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, Uuid>(
            "select id from customers where tenant_id = $1 \
             and (merged_into is not null or deleted_at is not null or erased_at is not null)")
            .bind(tenant_id).fetch_all(&mut *c).await)?)
    }

    /// Up to `limit` rows of `customer_channels` after the profile `after`, in profile order:
    /// (profile, channel, first used). The last profile of a full page may be cut short; the
    /// caller reads it again from the next page.
    pub async fn customer_channel_page(
        &mut self,
        tenant_id: Uuid,
        after: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<(Uuid, String, DateTime<Utc>)>> {
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, (Uuid, String, DateTime<Utc>)>(
            "select customer_id, channel, first_at from customer_channels \
             where tenant_id = $1 and customer_id > $2 order by customer_id, channel limit $3")
            .bind(tenant_id).bind(after).bind(limit).fetch_all(&mut *c).await)?,
        )
    }

    /// (identities held, profiles) over every profile of the tenant when `inactive_only` is
    /// false, or over its inactive profiles only (to subtract: cheaper than joining every row).
    pub async fn identity_count_distribution(
        &mut self,
        tenant_id: Uuid,
        inactive_only: bool,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let sql = if inactive_only {
            format!(
                "select k, count(*) from (select i.customer_id, count(*) as k from customers c \
                   join identities i on i.tenant_id = c.tenant_id and i.customer_id = c.id \
                   where c.tenant_id = $1 and not ({ACTIVE}) group by i.customer_id) x group by k"
            )
        } else {
            "select k, count(*) from (select customer_id, count(*) as k from identities \
               where tenant_id = $1 group by customer_id) x group by k"
                .to_owned()
        };
        Ok(on_conn!(self, c => sqlx::query_as::<_, (i64, i64)>(&sql)
            .bind(tenant_id).fetch_all(&mut *c).await)?)
    }

    /// Active profiles by (lifecycle stage, has email 0/1, has phone 0/1, campaign).
    #[allow(clippy::type_complexity)]
    pub async fn profile_shapes(
        &mut self,
        tenant_id: Uuid,
    ) -> StoreResult<Vec<(String, i32, i32, Option<String>, i64)>> {
        let sql = format!(
            "select c.lifecycle_stage, \
               case when c.primary_email is not null then 1 else 0 end as e, \
               case when c.primary_phone is not null then 1 else 0 end as p, c.source_campaign, count(*) \
             from customers c where c.tenant_id = $1 and {ACTIVE} group by 1, 2, 3, 4"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, (String, i32, i32, Option<String>, i64)>(&sql)
            .bind(tenant_id).fetch_all(&mut *c).await)?,
        )
    }

    /// The most common sources (each profile's `sources` list): (source, profiles).
    pub async fn top_sources(
        &mut self,
        tenant_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<(String, i64)>> {
        let each = match self.backend() {
            Backend::Sqlite => "json_each(c.sources) j",
            Backend::Postgres => "lateral jsonb_array_elements_text(c.sources) as j(value)",
        };
        let sql = format!(
            "select j.value, count(*) as n from customers c cross join {each} \
             where c.tenant_id = $1 and {ACTIVE} group by j.value order by n desc, j.value limit $2"
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, (String, i64)>(&sql)
            .bind(tenant_id).bind(limit).fetch_all(&mut *c).await)?)
    }

    /// Pending review items created at or after each cut-off, newest cut-off first, and all of
    /// them: `cutoffs.len() + 1` counts.
    pub async fn pending_reviews_since(
        &mut self,
        tenant_id: Uuid,
        cutoffs: [DateTime<Utc>; 3],
    ) -> StoreResult<[i64; 4]> {
        let (a, b, c3, all) = on_conn!(self, c => sqlx::query_as::<_, (i64, i64, i64, i64)>(
            "select coalesce(sum(case when created_at >= $2 then 1 else 0 end), 0), \
               coalesce(sum(case when created_at >= $3 then 1 else 0 end), 0), \
               coalesce(sum(case when created_at >= $4 then 1 else 0 end), 0), count(*) \
             from review_items where tenant_id = $1 and status = 'pending'")
            .bind(tenant_id).bind(cutoffs[0]).bind(cutoffs[1]).bind(cutoffs[2])
            .fetch_one(&mut *c).await)?;
        Ok([a, b, c3, all])
    }

    /// The stored snapshot (when computed, and its JSON), if any.
    pub async fn analytics_snapshot(
        &mut self,
        tenant_id: Uuid,
    ) -> StoreResult<Option<(DateTime<Utc>, Json<serde_json::Value>)>> {
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, (DateTime<Utc>, Json<serde_json::Value>)>(
            "select computed_at, data from analytics_snapshots where tenant_id = $1")
            .bind(tenant_id).fetch_optional(&mut *c).await)?,
        )
    }

    pub async fn save_analytics_snapshot(
        &mut self,
        tenant_id: Uuid,
        computed_at: DateTime<Utc>,
        data: &serde_json::Value,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "insert into analytics_snapshots (tenant_id, computed_at, data) values ($1, $2, $3) \
             on conflict (tenant_id) do update set computed_at = excluded.computed_at, data = excluded.data")
            .bind(tenant_id).bind(computed_at).bind(Json(data))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

/// Rows per multi-row INSERT: under SQLite's 32,766 bound parameters for the widest row.
const BULK_ROWS: usize = 2_000;

/// Bulk loading of generated data, for `spine analytics-bench` only: multi-row INSERTs, no
/// audit, no name index. Customer channels and counters are written by the caller.
impl Tx {
    pub async fn bulk_customers(
        &mut self,
        tenant_id: Uuid,
        rows: &[BulkCustomer],
    ) -> StoreResult<()> {
        for chunk in rows.chunks(BULK_ROWS) {
            on_conn!(self, c => {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into customers (tenant_id, id, display_name, given_name, family_name, \
                       primary_email, primary_phone, lifecycle_stage, sources, tags, source_campaign, created_at, \
                       updated_at, last_seen_at) ");
                q.push_values(chunk, |mut b, r| {
                    b.push_bind(tenant_id).push_bind(r.id).push_bind(&r.display_name)
                        .push_bind(&r.given_name).push_bind(&r.family_name).push_bind(&r.primary_email)
                        .push_bind(&r.primary_phone).push_bind(r.lifecycle_stage)
                        .push_bind(Json(&r.sources)).push_bind(Json(&r.tags)).push_bind(&r.source_campaign)
                        .push_bind(r.created_at).push_bind(r.created_at).push_bind(r.last_seen_at);
                });
                q.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        let labels: Vec<(Uuid, &str, &str)> = rows
            .iter()
            .flat_map(|r| {
                let sources = r.sources.iter().map(move |s| (r.id, "source", s.as_str()));
                sources.chain(r.tags.iter().map(move |t| (r.id, "tag", t.as_str())))
            })
            .collect();
        for chunk in labels.chunks(BULK_ROWS) {
            on_conn!(self, c => {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into customer_labels (tenant_id, kind, value, customer_id) ");
                q.push_values(chunk, |mut b, (customer, kind, value)| {
                    b.push_bind(tenant_id).push_bind(*kind).push_bind(*value).push_bind(*customer);
                });
                q.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        let identities: Vec<(Uuid, &str, &str, DateTime<Utc>)> = rows
            .iter()
            .flat_map(|r| {
                r.identities
                    .iter()
                    .map(move |(kind, value)| (r.id, *kind, value.as_str(), r.created_at))
            })
            .collect();
        for chunk in identities.chunks(BULK_ROWS) {
            on_conn!(self, c => {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into identities (tenant_id, id, customer_id, kind, value, match_key, \
                       first_seen_at, last_seen_at, origin_customer_id) ");
                q.push_values(chunk, |mut b, (customer, kind, value, at)| {
                    b.push_bind(tenant_id).push_bind(Uuid::now_v7()).push_bind(*customer)
                        .push_bind(*kind).push_bind(*value).push_bind(*value)
                        .push_bind(*at).push_bind(*at).push_bind(*customer);
                });
                q.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    pub async fn bulk_interactions(
        &mut self,
        tenant_id: Uuid,
        rows: &[BulkInteraction],
    ) -> StoreResult<()> {
        let now = Utc::now();
        for chunk in rows.chunks(BULK_ROWS) {
            on_conn!(self, c => {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into interactions (tenant_id, id, customer_id, origin_customer_id, channel, \
                       direction, kind, occurred_at, sentiment, created_at) ");
                q.push_values(chunk, |mut b, r| {
                    b.push_bind(tenant_id).push_bind(r.id).push_bind(r.customer_id)
                        .push_bind(r.customer_id).push_bind(r.channel).push_bind(r.direction)
                        .push_bind("message").push_bind(r.occurred_at).push_bind(r.sentiment)
                        .push_bind(now);
                });
                q.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    /// Conversations (benchmark): (customer, channel, last message, status).
    pub async fn bulk_threads(
        &mut self,
        tenant_id: Uuid,
        rows: &[(Uuid, &'static str, DateTime<Utc>, &'static str)],
    ) -> StoreResult<()> {
        for chunk in rows.chunks(BULK_ROWS) {
            on_conn!(self, c => {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into threads (tenant_id, id, customer_id, channel, status, opened_at, last_message_at) ");
                q.push_values(chunk, |mut b, (customer, channel, at, status)| {
                    b.push_bind(tenant_id).push_bind(Uuid::now_v7()).push_bind(*customer)
                        .push_bind(*channel).push_bind(*status).push_bind(*at).push_bind(*at);
                });
                q.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    pub async fn bulk_customer_channels(
        &mut self,
        tenant_id: Uuid,
        rows: &[BulkChannel],
    ) -> StoreResult<()> {
        for chunk in rows.chunks(BULK_ROWS) {
            on_conn!(self, c => {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into customer_channels (tenant_id, customer_id, channel, first_at, last_at, n) ");
                q.push_values(chunk, |mut b, (customer, channel, first, last, n)| {
                    b.push_bind(tenant_id).push_bind(*customer).push_bind(*channel)
                        .push_bind(*first).push_bind(*last).push_bind(*n);
                });
                q.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    pub async fn bulk_review_items(
        &mut self,
        tenant_id: Uuid,
        rows: &[BulkReviewItem],
    ) -> StoreResult<()> {
        let ids: Vec<Uuid> = rows.iter().map(|_| Uuid::now_v7()).collect();
        let rows: Vec<(Uuid, &BulkReviewItem)> = ids.into_iter().zip(rows).collect();
        let members: Vec<(Uuid, Uuid)> = rows
            .iter()
            .filter(|(_, r)| matches!(r.status, "pending" | "deferred"))
            .flat_map(|(id, r)| {
                let mut m = vec![(*id, r.subject_customer_id)];
                if r.candidate_id != r.subject_customer_id {
                    m.push((*id, r.candidate_id));
                }
                m
            })
            .collect();
        for chunk in members.chunks(BULK_ROWS) {
            on_conn!(self, c => {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into review_members (tenant_id, item_id, customer_id) ");
                q.push_values(chunk, |mut b, (item, customer)| {
                    b.push_bind(tenant_id).push_bind(*item).push_bind(*customer);
                });
                q.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        for chunk in rows.chunks(BULK_ROWS) {
            on_conn!(self, c => {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into review_items (tenant_id, id, status, reason, subject_customer_id, \
                       candidate_ids, evidence, score, created_at, decided_at) ");
                q.push_values(chunk, |mut b, (id, r)| {
                    b.push_bind(tenant_id).push_bind(*id).push_bind(r.status)
                        .push_bind("generated").push_bind(r.subject_customer_id)
                        .push_bind(Json(vec![r.candidate_id])).push_bind(Json(serde_json::json!([])))
                        .push_bind(0.75).push_bind(r.created_at).push_bind(r.decided_at);
                });
                q.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    pub async fn bulk_merges(&mut self, tenant_id: Uuid, rows: &[BulkMerge]) -> StoreResult<()> {
        for chunk in rows.chunks(BULK_ROWS) {
            on_conn!(self, c => {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into merges (tenant_id, id, survivor_id, absorbed_id, snapshot, actor, created_at) ");
                q.push_values(chunk, |mut b, r| {
                    b.push_bind(tenant_id).push_bind(Uuid::now_v7()).push_bind(r.survivor_id)
                        .push_bind(r.absorbed_id).push_bind(Json(serde_json::json!({})))
                        .push_bind("spine:bench").push_bind(r.created_at);
                });
                q.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }
}
