//! Merges and their undo: moving rows between profiles, the merge log, review decisions.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{CustomerRow, StoreResult, Tx, on_conn};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MergeRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub survivor_id: Uuid,
    pub absorbed_id: Uuid,
    pub review_item_id: Option<Uuid>,
    pub snapshot: Json<serde_json::Value>,
    pub field_choices: Json<serde_json::Value>,
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
    pub undone_by: Option<String>,
}

/// Rows of the customer-owned tables that a merge moves, by id, so undo moves exactly these back.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MovedRows {
    pub interactions: Vec<Uuid>,
    pub orders: Vec<Uuid>,
    pub threads: Vec<Uuid>,
}

const MERGE_COLUMNS: &str = "tenant_id, id, survivor_id, absorbed_id, review_item_id, snapshot, field_choices, actor, \
    created_at, undone_at, undone_by";

/// The customer-owned tables whose rows follow their profile into a merge.
const OWNED_TABLES: [&str; 3] = ["interactions", "orders", "threads"];

impl Tx {
    /// Writes every profile column from `row` (a merge result, or a snapshot being restored).
    pub async fn write_customer(
        &mut self,
        row: &CustomerRow,
        name_keys: &[String],
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "update customers set display_name = $3, given_name = $4, family_name = $5, primary_email = $6, \
               primary_phone = $7, lifecycle_stage = $8, tags = $9, preferred_channel = $10, timezone = $11, \
               language = $12, marketing_opt_in = $13, notification_prefs = $14, sources = $15, \
               source_campaign = $16, updated_at = $17, last_seen_at = $18, deleted_at = $19, merged_into = $20 \
             where tenant_id = $1 and id = $2")
            .bind(row.tenant_id)
            .bind(row.id)
            .bind(&row.display_name)
            .bind(&row.given_name)
            .bind(&row.family_name)
            .bind(&row.primary_email)
            .bind(&row.primary_phone)
            .bind(&row.lifecycle_stage)
            .bind(&row.tags)
            .bind(&row.preferred_channel)
            .bind(&row.timezone)
            .bind(&row.language)
            .bind(row.marketing_opt_in)
            .bind(&row.notification_prefs)
            .bind(&row.sources)
            .bind(&row.source_campaign)
            .bind(row.updated_at)
            .bind(row.last_seen_at)
            .bind(row.deleted_at)
            .bind(row.merged_into)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        self.write_labels(row.tenant_id, row.id, &row.tags.0, &row.sources.0)
            .await?;
        self.reindex_name(row.tenant_id, row.id, name_keys).await
    }

    /// Moves every interaction, order and thread of `from` to `to`; returns what moved.
    pub async fn move_owned_rows(
        &mut self,
        tenant_id: Uuid,
        from: Uuid,
        to: Uuid,
    ) -> StoreResult<MovedRows> {
        let mut moved = MovedRows::default();
        for table in OWNED_TABLES {
            let select =
                format!("select id from {table} where tenant_id = $1 and customer_id = $2");
            let ids = on_conn!(self, c => sqlx::query_scalar::<_, Uuid>(&select).bind(tenant_id).bind(from).fetch_all(&mut *c).await)?;
            let update = format!(
                "update {table} set customer_id = $3 where tenant_id = $1 and customer_id = $2"
            );
            on_conn!(self, c => sqlx::query(&update).bind(tenant_id).bind(from).bind(to).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            match table {
                "interactions" => moved.interactions = ids,
                "orders" => moved.orders = ids,
                _ => moved.threads = ids,
            }
        }
        Ok(moved)
    }

    /// Moves exactly these rows back to `to` (undo).
    pub async fn return_owned_rows(
        &mut self,
        tenant_id: Uuid,
        moved: &MovedRows,
        to: Uuid,
    ) -> StoreResult<()> {
        for (table, ids) in [
            ("interactions", &moved.interactions),
            ("orders", &moved.orders),
            ("threads", &moved.threads),
        ] {
            let update =
                format!("update {table} set customer_id = $3 where tenant_id = $1 and id = $2");
            for id in ids {
                on_conn!(self, c => sqlx::query(&update).bind(tenant_id).bind(*id).bind(to).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            }
        }
        Ok(())
    }

    pub async fn move_identity(&mut self, tenant_id: Uuid, id: Uuid, to: Uuid) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query("update identities set customer_id = $3 where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).bind(to).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn delete_identity(&mut self, tenant_id: Uuid, id: Uuid) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query("delete from identities where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Puts back an identity row exactly as it was (undo of a merge that retired it).
    pub async fn restore_identity(&mut self, row: &super::IdentityRow) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "insert into identities (tenant_id, id, customer_id, kind, provider, value, raw_value, match_key, \
               confidence, assurance, first_seen_at, last_seen_at, origin_customer_id) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
            .bind(row.tenant_id).bind(row.id).bind(row.customer_id).bind(&row.kind).bind(&row.provider)
            .bind(&row.value).bind(&row.raw_value).bind(&row.match_key).bind(row.confidence)
            .bind(&row.assurance).bind(row.first_seen_at).bind(row.last_seen_at).bind(row.origin_customer_id)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_merge(
        &mut self,
        tenant_id: Uuid,
        survivor: Uuid,
        absorbed: Uuid,
        review_item_id: Option<Uuid>,
        snapshot: &serde_json::Value,
        choices: &serde_json::Value,
        actor: &str,
    ) -> StoreResult<Uuid> {
        let id = Uuid::now_v7();
        on_conn!(self, c => sqlx::query(
            "insert into merges (tenant_id, id, survivor_id, absorbed_id, review_item_id, snapshot, field_choices, actor, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(tenant_id).bind(id).bind(survivor).bind(absorbed).bind(review_item_id)
            .bind(Json(snapshot)).bind(Json(choices)).bind(actor).bind(Utc::now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(id)
    }

    pub async fn merge_by_id(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
    ) -> StoreResult<Option<MergeRow>> {
        let sql = format!("select {MERGE_COLUMNS} from merges where tenant_id = $1 and id = $2");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, MergeRow>(&sql).bind(tenant_id).bind(id).fetch_optional(&mut *c).await)?,
        )
    }

    /// Merges in which this profile took part, newest first.
    pub async fn merges_of(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<Vec<MergeRow>> {
        let sql = format!(
            "select {MERGE_COLUMNS} from merges where tenant_id = $1 and (survivor_id = $2 or absorbed_id = $2) order by created_at desc"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, MergeRow>(&sql).bind(tenant_id).bind(customer_id).fetch_all(&mut *c).await)?,
        )
    }

    pub async fn mark_merge_undone(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        by: &str,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query("update merges set undone_at = $3, undone_by = $4 where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).bind(Utc::now()).bind(by).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn decide_review_item(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        status: crate::types::ReviewStatus,
        decided_by: Option<Uuid>,
        decision: &serde_json::Value,
    ) -> StoreResult<bool> {
        let n = on_conn!(self, c => sqlx::query(
            "update review_items set status = $3, decided_by = $4, decided_at = $5, decision = $6 \
             where tenant_id = $1 and id = $2 and status in ('pending', 'deferred')")
            .bind(tenant_id).bind(id).bind(status.as_str()).bind(decided_by).bind(Utc::now()).bind(Json(decision))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        // Decided for good: its profiles no longer wait on it (a deferred item still does).
        if status != crate::types::ReviewStatus::Deferred {
            on_conn!(self, c => sqlx::query("delete from review_members where tenant_id = $1 and item_id = $2")
                .bind(tenant_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(n > 0)
    }

    pub async fn review_item(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
    ) -> StoreResult<Option<super::ReviewItemRow>> {
        let sql = "select tenant_id, id, status, reason, subject_customer_id, candidate_ids, evidence, score, \
            interaction_id, created_at, decided_by, decided_at, decision from review_items where tenant_id = $1 and id = $2";
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, super::ReviewItemRow>(sql).bind(tenant_id).bind(id).fetch_optional(&mut *c).await)?,
        )
    }

    /// Remembers that two profiles are not the same person.
    pub async fn insert_non_match(
        &mut self,
        tenant_id: Uuid,
        a: Uuid,
        b: Uuid,
        decided_by: Option<Uuid>,
    ) -> StoreResult<()> {
        let (left, right) = if a < b { (a, b) } else { (b, a) };
        on_conn!(self, c => sqlx::query(
            "insert into non_matches (tenant_id, left_id, right_id, decided_by, created_at) values ($1, $2, $3, $4, $5) \
             on conflict (tenant_id, left_id, right_id) do nothing")
            .bind(tenant_id).bind(left).bind(right).bind(decided_by).bind(Utc::now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
