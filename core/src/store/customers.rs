//! Customer profiles: the row, creation, the primaries learned over time, search and counts.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::direct::{DirectRow, column};
use super::stmt::{Stmt, json};
use super::{StoreResult, Tx, on_conn};

/// Up to this many key rows, a word of a name query is rare enough to drive the search: probing
/// its holders for the other words' keys then costs less than counting every holder of every
/// word (measured at 100k profiles: "James Wang", 5,500 rows for "wang", 24 ms against 41).
const RARE_WORD_HOLDERS: i64 = 6_000;

/// A name search's candidates, as (id, display name), and which group of the query's anchors
/// drove it (`None`: every holder of every key was counted).
#[derive(Debug, Default)]
pub struct NameCandidates {
    pub names: Vec<(Uuid, String)>,
    pub driven_by: Option<usize>,
}

/// Candidates a name search ranks at most: enough for any page a person reads, and a bound on
/// the work a one-letter-common prefix ("ma") can cause at a million profiles.
pub const NAME_CANDIDATES: i64 = 500;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct CustomerRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub lifecycle_stage: String,
    pub tags: Json<Vec<String>>,
    pub preferred_channel: Option<String>,
    pub timezone: Option<String>,
    pub language: Option<String>,
    pub marketing_opt_in: bool,
    pub notification_prefs: Json<serde_json::Value>,
    pub sources: Json<Vec<String>>,
    pub source_campaign: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub merged_into: Option<Uuid>,
    pub erased_at: Option<DateTime<Utc>>,
    /// The source of the latest event that reached the profile.
    pub last_source: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub lifecycle_stage: Option<String>,
    pub preferred_channel: Option<String>,
    pub sources: Vec<String>,
    /// The marketing campaign that brought the person (first touch).
    pub source_campaign: Option<String>,
    pub seen_at: DateTime<Utc>,
    /// The display name's search keys (`spine_engine::search::display_name_keys`).
    pub name_keys: Vec<String>,
}

/// What an interaction taught us about a profile we already had: filled in only where empty.
#[derive(Debug, Clone, Default)]
pub struct CustomerPatch {
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub source: Option<String>,
    pub seen_at: Option<DateTime<Utc>>,
    /// The search keys of `display_name`, written if the profile had no name yet.
    pub name_keys: Vec<String>,
}

impl DirectRow for CustomerRow {
    fn from_direct(row: &rusqlite::Row<'_>) -> StoreResult<CustomerRow> {
        Ok(CustomerRow {
            tenant_id: column(row, 0)?,
            id: column(row, 1)?,
            display_name: column(row, 2)?,
            given_name: column(row, 3)?,
            family_name: column(row, 4)?,
            primary_email: column(row, 5)?,
            primary_phone: column(row, 6)?,
            lifecycle_stage: column(row, 7)?,
            tags: column(row, 8)?,
            preferred_channel: column(row, 9)?,
            timezone: column(row, 10)?,
            language: column(row, 11)?,
            marketing_opt_in: column(row, 12)?,
            notification_prefs: column(row, 13)?,
            sources: column(row, 14)?,
            source_campaign: column(row, 15)?,
            created_at: column(row, 16)?,
            updated_at: column(row, 17)?,
            last_seen_at: column(row, 18)?,
            deleted_at: column(row, 19)?,
            merged_into: column(row, 20)?,
            erased_at: column(row, 21)?,
            last_source: column(row, 22)?,
        })
    }
}

/// The columns of [`CustomerRow`], in its order.
pub(crate) const COLUMNS: &str = "tenant_id, id, display_name, given_name, family_name, primary_email, \
    primary_phone, lifecycle_stage, tags, preferred_channel, timezone, language, marketing_opt_in, \
    notification_prefs, sources, source_campaign, created_at, updated_at, last_seen_at, deleted_at, \
    merged_into, erased_at, last_source";

impl Tx {
    pub async fn insert_customer(
        &mut self,
        tenant_id: Uuid,
        new: &NewCustomer,
    ) -> StoreResult<CustomerRow> {
        let sql = format!(
            "insert into customers (tenant_id, id, display_name, given_name, family_name, primary_email, \
             primary_phone, lifecycle_stage, preferred_channel, sources, created_at, updated_at, last_seen_at, \
             source_campaign, last_source) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11, $12, $13) returning {COLUMNS}"
        );
        let row: CustomerRow = self
            .fetch_one(
                Stmt::new(sql)
                    .bind(tenant_id)
                    .bind(Uuid::now_v7())
                    .bind(&new.display_name)
                    .bind(&new.given_name)
                    .bind(&new.family_name)
                    .bind(&new.primary_email)
                    .bind(&new.primary_phone)
                    .bind(new.lifecycle_stage.as_deref().unwrap_or("prospect"))
                    .bind(&new.preferred_channel)
                    .bind(json(&new.sources)?)
                    .bind(new.seen_at)
                    .bind(&new.source_campaign)
                    .bind(new.sources.last().cloned()),
            )
            .await?;
        self.insert_name_keys(tenant_id, row.id, &new.name_keys)
            .await?;
        self.add_labels(tenant_id, row.id, "source", &new.sources)
            .await?;
        Ok(row)
    }

    pub async fn customer(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
    ) -> StoreResult<Option<CustomerRow>> {
        let sql = format!("select {COLUMNS} from customers where tenant_id = $1 and id = $2");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, CustomerRow>(&sql).bind(tenant_id).bind(id).fetch_optional(&mut *c).await)?,
        )
    }

    /// The demo's lifecycle stages, from what each profile did: an order makes a customer, a
    /// booking a lead, and a customer not seen since `churned_before` has churned.
    pub async fn apply_demo_lifecycle(
        &mut self,
        tenant_id: Uuid,
        churned_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        for (stage, rule) in [
            (
                "customer",
                "exists (select 1 from orders o where o.tenant_id = customers.tenant_id and o.customer_id = customers.id)",
            ),
            (
                "lead",
                "lifecycle_stage = 'prospect' and exists (select 1 from interactions i \
                 where i.tenant_id = customers.tenant_id and i.customer_id = customers.id and i.kind = 'booking')",
            ),
            (
                "churned",
                "lifecycle_stage = 'customer' and last_seen_at < $3",
            ),
        ] {
            let sql = format!(
                "update customers set lifecycle_stage = $2 where tenant_id = $1 and {rule}"
            );
            // Each statement binds only the parameters it names (PostgreSQL refuses others).
            on_conn!(self, c => {
                let query = sqlx::query(&sql).bind(tenant_id).bind(stage);
                let query = if sql.contains("$3") { query.bind(churned_before) } else { query };
                query.execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    /// Fills the profile's empty primaries from what we just learned, adds the source, bumps last seen.
    /// `current` is the profile as read in this transaction.
    pub async fn improve_customer(
        &mut self,
        tenant_id: Uuid,
        current: &CustomerRow,
        patch: &CustomerPatch,
    ) -> StoreResult<()> {
        let id = current.id;
        let mut sources = current.sources.0.clone();
        let mut new_source = None;
        if let Some(source) = &patch.source
            && !sources.iter().any(|s| s == source)
        {
            sources.push(source.clone());
            new_source = Some(source.clone());
        }
        let last_seen = match (current.last_seen_at, patch.seen_at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.exec(
            Stmt::new(
                "update customers set \
                   display_name = coalesce(display_name, $3), given_name = coalesce(given_name, $4), \
                   family_name = coalesce(family_name, $5), primary_email = coalesce(primary_email, $6), \
                   primary_phone = coalesce(primary_phone, $7), sources = $8, last_seen_at = $9, updated_at = $10, \
                   last_source = coalesce($11, last_source) \
                 where tenant_id = $1 and id = $2",
            )
            .bind(tenant_id)
            .bind(id)
            .bind(&patch.display_name)
            .bind(&patch.given_name)
            .bind(&patch.family_name)
            .bind(&patch.primary_email)
            .bind(&patch.primary_phone)
            .bind(json(&sources)?)
            .bind(last_seen)
            .bind(Utc::now())
            .bind(&patch.source),
        )
        .await?;
        if current.display_name.is_none() && patch.display_name.is_some() {
            self.insert_name_keys(tenant_id, id, &patch.name_keys)
                .await?;
        }
        if let Some(source) = new_source {
            self.add_labels(tenant_id, id, "source", &[source]).await?;
        }
        Ok(())
    }

    /// Writes a profile's name search keys (the services compute them with
    /// `spine_engine::search::display_name_keys`).
    async fn insert_name_keys(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        keys: &[String],
    ) -> StoreResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let values = (0..keys.len())
            .map(|i| format!("($1, ${}, $2)", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "insert into customer_name_keys (tenant_id, key, customer_id) values {values} \
             on conflict do nothing"
        );
        self.exec(Stmt::new(sql).bind(tenant_id).bind(id).bind_all(keys))
            .await?;
        Ok(())
    }

    /// Replaces a profile's name search keys with these.
    pub async fn reindex_name(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        keys: &[String],
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "delete from customer_name_keys where tenant_id = $1 and customer_id = $2")
            .bind(tenant_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        self.insert_name_keys(tenant_id, id, keys).await
    }

    /// Active profiles holding any of these name search keys (given word by word), as (id,
    /// display name), those holding the most first (then the most recently seen), at most
    /// `limit`: the candidates a name search ranks. Only the `2 × limit` holding the most are
    /// looked up; among equals at that cut, the most recently created (ids are UUIDv7).
    ///
    /// When the query has several words and one group of its `anchors` is rare (a word's own
    /// keys, or the words' pair keys, held by at most [`RARE_WORD_HOLDERS`] rows and by some),
    /// only holders of that group are counted: a name matching the query matches each of its
    /// words. Otherwise a common given name ("James Fesaka": thousands hold the keys of
    /// "james") made SQLite count and look up every holder of every word; and two common words
    /// ("Fatima Lopez") still do when no one holds their pair (a slip changed a sound). A group
    /// nobody holds (two slips in a word) never drives the search.
    pub async fn names_with_name_keys(
        &mut self,
        tenant_id: Uuid,
        (word_keys, anchors): (&[Vec<String>], &[Vec<String>]),
        limit: i64,
    ) -> StoreResult<NameCandidates> {
        let mut keys: Vec<&String> = word_keys.iter().flatten().collect();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Ok(NameCandidates::default());
        }
        let driven_by = if word_keys.len() > 1 {
            self.rarest_word(tenant_id, anchors).await?
        } else {
            None
        };
        let rarest = driven_by.map(|group| anchors[group].as_slice());
        // Each key as its own index range, joined with UNION ALL: with `key in (...)` and a
        // single tenant, SQLite prefers the by-customer index (it saves the group-by sort) and
        // reads every key of the tenant.
        let ranges = |first: usize, count: usize| {
            (first..first + count)
                .map(|i| {
                    format!(
                        "select customer_id from customer_name_keys where tenant_id = $1 and key = ${i}"
                    )
                })
                .collect::<Vec<_>>()
                .join(" union all ")
        };
        let counted = match rarest {
            // Probing (tenant, key, customer) for each holder of the rare word.
            Some(rare) => format!(
                "select customer_id, count(*) as hits from customer_name_keys \
                 where tenant_id = $1 and key in ({}) and customer_id in ({}) \
                 group by customer_id order by hits desc, customer_id desc limit $2 * 2",
                (3..3 + keys.len())
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                ranges(3 + keys.len(), rare.len())
            ),
            None => format!(
                "select customer_id, count(*) as hits from ({}) h \
                 group by customer_id order by hits desc, customer_id desc limit $2 * 2",
                ranges(3, keys.len())
            ),
        };
        let sql = format!(
            "select c.id, c.display_name from ({counted}) k \
             join customers c on c.tenant_id = $1 and c.id = k.customer_id \
             where c.deleted_at is null and c.merged_into is null and c.display_name is not null \
             order by k.hits desc, c.last_seen_at desc, c.id limit $2"
        );
        let names = on_conn!(self, c => {
            let mut q = sqlx::query_as::<_, (Uuid, String)>(&sql).bind(tenant_id).bind(limit);
            for key in keys.iter().copied().chain(rarest.into_iter().flatten()) {
                q = q.bind(key);
            }
            q.fetch_all(&mut *c).await
        })?;
        Ok(NameCandidates { names, driven_by })
    }

    /// The group of anchor keys fewest profiles hold (its index), when some and at most
    /// [`RARE_WORD_HOLDERS`] do. Each group's holders are counted only up to that bound, so a
    /// common word costs no more than a rare one.
    async fn rarest_word(
        &mut self,
        tenant_id: Uuid,
        word_keys: &[Vec<String>],
    ) -> StoreResult<Option<usize>> {
        let mut rarest: Option<(i64, usize)> = None;
        for (group, keys) in word_keys.iter().enumerate().filter(|(_, k)| !k.is_empty()) {
            let ranges = (0..keys.len())
                .map(|i| {
                    format!(
                        "select 1 from customer_name_keys where tenant_id = $1 and key = ${}",
                        i + 3
                    )
                })
                .collect::<Vec<_>>()
                .join(" union all ");
            let sql = format!("select count(*) from ({ranges} limit $2) h");
            let held: i64 = on_conn!(self, c => {
                let mut q = sqlx::query_scalar::<_, i64>(&sql)
                    .bind(tenant_id)
                    .bind(RARE_WORD_HOLDERS + 1);
                for key in keys {
                    q = q.bind(key);
                }
                q.fetch_one(&mut *c).await
            })?;
            if (1..=RARE_WORD_HOLDERS).contains(&held)
                && rarest.is_none_or(|(fewest, _)| held < fewest)
            {
                rarest = Some((held, group));
            }
        }
        Ok(rarest.map(|(_, group)| group))
    }

    /// Clears a primary email or phone the profile does not hold as an identity (one a sender
    /// brought that was kept as a claim, or withheld): a profile's contact details are always
    /// among its identities.
    pub async fn drop_unheld_primaries(&mut self, tenant_id: Uuid, id: Uuid) -> StoreResult<()> {
        let held = |kind: &str, column: &str| {
            format!(
                "case when {column} is not null and not exists (select 1 from identities i \
                 where i.tenant_id = customers.tenant_id and i.customer_id = customers.id \
                 and i.kind = '{kind}' and i.value = customers.{column}) then null else {column} end"
            )
        };
        self.exec(
            Stmt::new(format!(
                "update customers set primary_email = {}, primary_phone = {} \
                 where tenant_id = $1 and id = $2",
                held("email", "primary_email"),
                held("phone", "primary_phone")
            ))
            .bind(tenant_id)
            .bind(id),
        )
        .await?;
        Ok(())
    }

    /// These profiles, in the order of `ids` (those not found left out).
    pub async fn customers_by_ids(
        &mut self,
        tenant_id: Uuid,
        ids: &[Uuid],
    ) -> StoreResult<Vec<CustomerRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = (0..ids.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "select {COLUMNS} from customers where tenant_id = $1 and id in ({placeholders})"
        );
        let mut rows: Vec<CustomerRow> = self
            .fetch_all(Stmt::new(sql).bind(tenant_id).bind_all(ids.iter().copied()))
            .await?;
        rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
        Ok(rows)
    }

    /// A tenant's named profiles without name search keys, after `after` in id order: the
    /// start-up backfill's pages (for a tenant marked by a migration that rebuilds the keys).
    pub async fn customers_missing_name_keys(
        &mut self,
        tenant_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<(Uuid, String)>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, (Uuid, String)>(
            "select c.id, c.display_name from customers c \
             where c.tenant_id = $1 and c.id > $2 \
             and c.display_name is not null and c.merged_into is null and c.deleted_at is null \
             and not exists (select 1 from customer_name_keys k where k.tenant_id = c.tenant_id and k.customer_id = c.id) \
             order by c.id limit $3")
            .bind(tenant_id).bind(after.unwrap_or(Uuid::nil())).bind(limit).fetch_all(&mut *c).await)?)
    }

    /// Tenants whose profiles' name keys a migration emptied, to be written again.
    pub async fn tenants_with_unindexed_names(&mut self) -> StoreResult<Vec<Uuid>> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, Uuid>(
            "select id from tenants where not names_indexed order by id")
            .fetch_all(&mut *c).await)?)
    }

    /// Marks whether every named profile of the tenant holds its name keys (new profiles are
    /// written with theirs).
    pub async fn set_names_indexed(&mut self, tenant_id: Uuid, indexed: bool) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query("update tenants set names_indexed = $2 where id = $1")
            .bind(tenant_id).bind(indexed).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// Active profiles holding an identifier of this kind with this value or match key (the
    /// provider-canonical form: Gmail without dots and +tags), from any provider
    /// (a handle on any platform, an external id from any system), most recently seen first.
    pub async fn customers_with_identifier(
        &mut self,
        tenant_id: Uuid,
        kind: &str,
        values: &[String],
        limit: i64,
    ) -> StoreResult<Vec<CustomerRow>> {
        let mut rows: Vec<CustomerRow> = Vec::new();
        // From the identity indexes to the profiles (one lookup per column, each on its index),
        // never a scan of the tenant's profiles.
        for column in ["value", "match_key"] {
            let sql = format!(
                "select {} from identities i join customers c on c.tenant_id = i.tenant_id and c.id = i.customer_id \
                 where i.tenant_id = $1 and i.kind = $2 and i.{column} = $3 \
                 and c.deleted_at is null and c.merged_into is null limit $4",
                qualified("c")
            );
            for value in values {
                let found = on_conn!(self, c => sqlx::query_as::<_, CustomerRow>(&sql)
                    .bind(tenant_id).bind(kind).bind(value).bind(limit).fetch_all(&mut *c).await)?;
                for row in found {
                    if !rows.iter().any(|r| r.id == row.id) {
                        rows.push(row);
                    }
                }
            }
        }
        rows.sort_by(|a, b| b.last_seen_at.cmp(&a.last_seen_at).then(a.id.cmp(&b.id)));
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(rows)
    }

    /// Active profiles that placed an order with this order number, from any provider.
    pub async fn customers_with_order(
        &mut self,
        tenant_id: Uuid,
        order_number: &str,
        limit: i64,
    ) -> StoreResult<Vec<CustomerRow>> {
        // From the order-number index to the profiles' primary key, as identifiers are found.
        // Written as `c.id in (orders...) order by c.last_seen_at`, SQLite's plan walked the
        // tenant's profiles in last-seen order, testing each against the list.
        let sql = format!(
            "select {} from orders o join customers c on c.tenant_id = o.tenant_id and c.id = o.customer_id \
             where o.tenant_id = $1 and o.external_id = $2 \
             and c.deleted_at is null and c.merged_into is null limit $3",
            qualified("c")
        );
        let mut rows = on_conn!(self, c => sqlx::query_as::<_, CustomerRow>(&sql)
            .bind(tenant_id).bind(order_number).bind(limit).fetch_all(&mut *c).await)?;
        // One profile can hold the same number from two providers.
        rows.sort_by(|a, b| b.last_seen_at.cmp(&a.last_seen_at).then(a.id.cmp(&b.id)));
        rows.dedup_by(|a, b| a.id == b.id);
        Ok(rows)
    }

    /// Active profiles (not deleted, not merged away), most recently seen first, a page at a time.
    pub async fn recent_customers(
        &mut self,
        tenant_id: Uuid,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<CustomerRow>> {
        let sql = format!(
            "select {COLUMNS} from customers where tenant_id = $1 and deleted_at is null and merged_into is null \
             order by last_seen_at desc, id limit $2 offset $3"
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, CustomerRow>(&sql)
            .bind(tenant_id).bind(limit).bind(offset).fetch_all(&mut *c).await)?)
    }

    pub async fn count_active_customers(&mut self, tenant_id: Uuid) -> StoreResult<i64> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, i64>(
            "select count(*) from customers where tenant_id = $1 and deleted_at is null and merged_into is null")
            .bind(tenant_id).fetch_one(&mut *c).await)?)
    }

    /// Distinct channels each of these customers has used, for result badges: one query for a
    /// whole page of results.
    pub async fn channels_of(
        &mut self,
        tenant_id: Uuid,
        customer_ids: &[Uuid],
    ) -> StoreResult<Vec<(Uuid, String)>> {
        if customer_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = (2..customer_ids.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "select distinct customer_id, channel from interactions where tenant_id = $1 \
             and customer_id in ({placeholders}) order by customer_id, channel"
        );
        Ok(on_conn!(self, c => {
            let mut q = sqlx::query_as::<_, (Uuid, String)>(&sql).bind(tenant_id);
            for id in customer_ids {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await
        })?)
    }
}

/// `COLUMNS` with each column qualified by a table alias.
pub(super) fn qualified(alias: &str) -> String {
    COLUMNS
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}
