//! Privacy: a person's profile graph (the profile and every profile merged into it), what an
//! export reads, erasure (personal data removed from every table, a tombstone of hashes kept),
//! and soft delete.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::stmt::Stmt;
use super::{AuditRecord, InteractionRow, StoreResult, Tx, on_conn};
use crate::store::portal::ConsentRow;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OrderRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub provider: String,
    pub external_id: String,
    pub total_cents: i64,
    pub currency: String,
    pub status: String,
    pub placed_at: DateTime<Utc>,
    pub items: Json<serde_json::Value>,
}

/// How many rows an erasure removed or scrubbed, by table: what the audit log keeps of it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ErasedRows {
    pub profiles: u64,
    pub identities: u64,
    pub interactions: u64,
    pub orders: u64,
    pub threads: u64,
    pub consents: u64,
    pub review_items: u64,
    pub merges: u64,
    pub messages: u64,
    pub audit_entries_scrubbed: u64,
}

/// Tables whose rows belong to one profile and go with it, by `customer_id`.
const OWNED: [&str; 13] = [
    "interactions",
    "customer_labels",
    "customer_field_values",
    "customer_memory",
    "customer_channels",
    "orders",
    "threads",
    "identities",
    "consents",
    "customer_name_keys",
    "otp_codes",
    "customer_sessions",
    "outbox",
];

impl Tx {
    /// The profile and every profile merged into it, directly or through another (root first).
    pub async fn profile_graph(&mut self, tenant_id: Uuid, root: Uuid) -> StoreResult<Vec<Uuid>> {
        let mut graph = vec![root];
        let mut next = 0;
        while next < graph.len() {
            let id = graph[next];
            next += 1;
            let absorbed = on_conn!(self, c => sqlx::query_scalar::<_, Uuid>(
                "select id from customers where tenant_id = $1 and merged_into = $2 order by id")
                .bind(tenant_id).bind(id).fetch_all(&mut *c).await)?;
            for a in absorbed {
                if !graph.contains(&a) {
                    graph.push(a);
                }
            }
        }
        Ok(graph)
    }

    /// Every timeline entry of a profile, oldest first (an export; pages are for screens).
    pub async fn all_interactions_of(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<Vec<InteractionRow>> {
        let sql = format!(
            "select {} from interactions where tenant_id = $1 and customer_id = $2 order by occurred_at, id",
            super::interactions::COLUMNS
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, InteractionRow>(&sql)
            .bind(tenant_id).bind(customer_id).fetch_all(&mut *c).await)?,
        )
    }

    pub async fn orders_of(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<Vec<OrderRow>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, OrderRow>(
            "select id, customer_id, provider, external_id, total_cents, currency, status, placed_at, items \
             from orders where tenant_id = $1 and customer_id = $2 order by placed_at, id")
            .bind(tenant_id).bind(customer_id).fetch_all(&mut *c).await)?)
    }

    pub async fn consents_of(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<Vec<ConsentRow>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, ConsentRow>(
            "select id, customer_id, purpose, granted, source, at from consents \
             where tenant_id = $1 and customer_id = $2 order by at, id")
            .bind(tenant_id).bind(customer_id).fetch_all(&mut *c).await)?)
    }

    /// The changes made to a profile, oldest first: its audit entries but those recording an
    /// ingested interaction (the interactions themselves are the timeline).
    pub async fn audit_of_customer(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<Vec<AuditRecord>> {
        let sql = format!(
            "select {} from audit_log where tenant_id = $1 and customer_id = $2 \
             and action <> 'interaction.ingested' order by at, id",
            super::audit::COLUMNS
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, AuditRecord>(&sql)
            .bind(tenant_id).bind(customer_id).fetch_all(&mut *c).await)?)
    }

    /// Hides a profile from every list and search (`deleted_at`), or shows it again (`None`).
    pub async fn set_customer_deleted(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        deleted_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "update customers set deleted_at = $3, updated_at = $4 where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).bind(deleted_at).bind(Utc::now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Removes the personal data of these profiles from every table. Rows that only belong to
    /// them are deleted; the profile rows stay, emptied, with `erased_at`, so their ids answer
    /// "gone" rather than dangling. Audit entries about them keep what happened and who did it,
    /// but not the values (before and after, and the person's own IP and browser).
    pub async fn erase_profiles(
        &mut self,
        tenant_id: Uuid,
        ids: &[Uuid],
        at: DateTime<Utc>,
    ) -> StoreResult<ErasedRows> {
        let mut erased = ErasedRows::default();
        for &id in ids {
            // Archived text lives in its thread's transcript, found through the thread.
            on_conn!(self, c => sqlx::query(
                "delete from thread_transcripts where tenant_id = $1 and thread_id in \
                 (select id from threads where tenant_id = $1 and customer_id = $2)")
                .bind(tenant_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            // Notices sent to an address or number several profiles share name no profile,
            // but they went to this person's address: they go too.
            erased.messages += on_conn!(self, c => sqlx::query(
                "delete from outbox where tenant_id = $1 and customer_id is null and destination in \
                 (select value from identities where tenant_id = $1 and customer_id = $2 \
                  and kind in ('email', 'phone'))")
                .bind(tenant_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            for table in OWNED {
                let sql = format!("delete from {table} where tenant_id = $1 and customer_id = $2");
                let n = on_conn!(self, c => sqlx::query(&sql).bind(tenant_id).bind(id)
                    .execute(&mut *c).await.map(|r| r.rows_affected()))?;
                match table {
                    "interactions" => erased.interactions += n,
                    "orders" => erased.orders += n,
                    "threads" => erased.threads += n,
                    "identities" => erased.identities += n,
                    "consents" => erased.consents += n,
                    "outbox" => erased.messages += n,
                    _ => {}
                }
            }
            // Review items about them, or naming them as a candidate: the evidence quotes
            // their identifiers, and the question no longer has two sides.
            let candidate = match self.backend() {
                super::Backend::Sqlite => {
                    "exists (select 1 from json_each(candidate_ids) j where j.value = $3)"
                }
                super::Backend::Postgres => "candidate_ids @> jsonb_build_array($3::text)",
            };
            let members = format!(
                "delete from review_members where tenant_id = $1 and item_id in (select id from review_items \
                 where tenant_id = $1 and (subject_customer_id = $2 or {candidate}))"
            );
            on_conn!(self, c => sqlx::query(&members)
                .bind(tenant_id).bind(id).bind(id.to_string())
                .execute(&mut *c).await.map(|r| r.rows_affected()))?;
            let sql = format!(
                "delete from review_items where tenant_id = $1 and (subject_customer_id = $2 or {candidate})"
            );
            erased.review_items += on_conn!(self, c => sqlx::query(&sql)
                .bind(tenant_id).bind(id).bind(id.to_string())
                .execute(&mut *c).await.map(|r| r.rows_affected()))?;
            on_conn!(self, c => sqlx::query(
                "delete from non_matches where tenant_id = $1 and (left_id = $2 or right_id = $2)")
                .bind(tenant_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            // A merge's snapshot holds both profiles as they were.
            erased.merges += on_conn!(self, c => sqlx::query(
                "delete from merges where tenant_id = $1 and (survivor_id = $2 or absorbed_id = $2)")
                .bind(tenant_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            // So does an identity edit's: the identifier and both profiles' primaries.
            on_conn!(self, c => sqlx::query(
                "delete from identity_edits where tenant_id = $1 and (customer_id = $2 or other_customer_id = $2)")
                .bind(tenant_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            erased.audit_entries_scrubbed += on_conn!(self, c => sqlx::query(
                "update audit_log set before = null, after = null, \
                   ip = case when actor_kind = 'customer' then null else ip end, \
                   user_agent = case when actor_kind = 'customer' then null else user_agent end \
                 where tenant_id = $1 and customer_id = $2")
                .bind(tenant_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            erased.profiles += on_conn!(self, c => sqlx::query(
                "update customers set display_name = null, given_name = null, family_name = null, \
                   primary_email = null, primary_phone = null, tags = '[]', preferred_channel = null, \
                   timezone = null, language = null, marketing_opt_in = false, notification_prefs = '{}', \
                   sources = '[]', source_campaign = null, last_seen_at = null, \
                   updated_at = $3, erased_at = $3, deleted_at = coalesce(deleted_at, $3) \
                 where tenant_id = $1 and id = $2")
                .bind(tenant_id).bind(id).bind(at)
                .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(erased)
    }

    /// Remembers that an identifier (as a keyed hash) belonged to an erased person.
    pub async fn insert_tombstone(
        &mut self,
        tenant_id: Uuid,
        identifier_hash: &str,
        erased_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "insert into tombstones (tenant_id, identifier_hash, erased_at) values ($1, $2, $3) \
             on conflict (tenant_id, identifier_hash) do update set erased_at = excluded.erased_at")
            .bind(tenant_id).bind(identifier_hash).bind(erased_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// When the latest person holding any of these identifier hashes was erased, if ever.
    pub async fn tombstoned_at(
        &mut self,
        tenant_id: Uuid,
        hashes: &[String],
    ) -> StoreResult<Option<DateTime<Utc>>> {
        if hashes.is_empty() {
            return Ok(None);
        }
        let placeholders = (0..hashes.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "select erased_at from tombstones where tenant_id = $1 and identifier_hash in ({placeholders})"
        );
        let found: Vec<(DateTime<Utc>,)> = self
            .fetch_all(Stmt::new(sql).bind(tenant_id).bind_all(hashes))
            .await?;
        Ok(found.into_iter().map(|(at,)| at).max())
    }
}
