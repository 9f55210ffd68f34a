//! The merge review queue: matches the engine would not decide alone.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::stmt::{Stmt, json};
use super::{StoreResult, Tx, on_conn};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ReviewItemRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub status: String,
    pub reason: String,
    pub subject_customer_id: Uuid,
    pub candidate_ids: Json<Vec<Uuid>>,
    pub evidence: Json<serde_json::Value>,
    pub score: f64,
    pub interaction_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision: Option<Json<serde_json::Value>>,
}

#[derive(Debug, Clone)]
pub struct NewReviewItem {
    pub reason: String,
    pub subject_customer_id: Uuid,
    pub candidate_ids: Vec<Uuid>,
    pub evidence: serde_json::Value,
    pub score: f64,
    pub interaction_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "tenant_id, id, status, reason, subject_customer_id, candidate_ids, evidence, score, \
    interaction_id, created_at, decided_by, decided_at, decision";

impl Tx {
    pub async fn insert_review_item(
        &mut self,
        tenant_id: Uuid,
        new: &NewReviewItem,
    ) -> StoreResult<Uuid> {
        let id = Uuid::now_v7();
        self.exec(
            Stmt::new(
                "insert into review_items (tenant_id, id, reason, subject_customer_id, candidate_ids, evidence, score, \
                   interaction_id, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(tenant_id)
            .bind(id)
            .bind(&new.reason)
            .bind(new.subject_customer_id)
            .bind(json(&new.candidate_ids)?)
            .bind(json(&new.evidence)?)
            .bind(new.score)
            .bind(new.interaction_id)
            .bind(new.created_at),
        )
        .await?;
        let mut members = vec![new.subject_customer_id];
        members.extend(new.candidate_ids.iter().copied());
        let rows = (0..members.len())
            .map(|i| format!("($1, ${}, $2)", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        self.exec(
            Stmt::new(format!(
                "insert into review_members (tenant_id, customer_id, item_id) values {rows} \
                 on conflict do nothing"
            ))
            .bind(tenant_id)
            .bind(id)
            .bind_all(members),
        )
        .await?;
        Ok(id)
    }

    /// Pending items, most confident first.
    pub async fn pending_review_items(
        &mut self,
        tenant_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<ReviewItemRow>> {
        let sql = format!(
            "select {COLUMNS} from review_items where tenant_id = $1 and status = 'pending' \
             order by score desc, created_at limit $2"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, ReviewItemRow>(&sql).bind(tenant_id).bind(limit).fetch_all(&mut *c).await)?,
        )
    }

    /// Pending items, most confident first or oldest first (the console's two orders).
    pub async fn review_queue(
        &mut self,
        tenant_id: Uuid,
        oldest_first: bool,
        limit: i64,
    ) -> StoreResult<Vec<ReviewItemRow>> {
        let order = if oldest_first {
            "created_at, id"
        } else {
            "score desc, created_at, id"
        };
        let sql = format!(
            "select {COLUMNS} from review_items where tenant_id = $1 and status = 'pending' \
             order by {order} limit $2"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, ReviewItemRow>(&sql).bind(tenant_id).bind(limit).fetch_all(&mut *c).await)?,
        )
    }

    pub async fn count_pending_reviews(&mut self, tenant_id: Uuid) -> StoreResult<i64> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, i64>(
            "select count(*) from review_items where tenant_id = $1 and status = 'pending'")
            .bind(tenant_id).fetch_one(&mut *c).await)?)
    }

    /// Whether a person decided these two profiles are not the same person.
    pub async fn is_non_match(&mut self, tenant_id: Uuid, a: Uuid, b: Uuid) -> StoreResult<bool> {
        let (left, right) = if a < b { (a, b) } else { (b, a) };
        let n = on_conn!(self, c => sqlx::query_scalar::<_, i64>(
            "select count(*) from non_matches where tenant_id = $1 and left_id = $2 and right_id = $3")
            .bind(tenant_id).bind(left).bind(right).fetch_one(&mut *c).await)?;
        Ok(n > 0)
    }
}

impl Tx {
    /// Open (pending or deferred) items in which this profile is the subject or a candidate:
    /// the conflicts the engine left for a person, seen from either side.
    pub async fn open_review_items_about(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<Vec<ReviewItemRow>> {
        // Candidate ids are a JSON array of id strings; the dialects search one differently.
        let candidate = match self.backend() {
            super::Backend::Sqlite => {
                "exists (select 1 from json_each(candidate_ids) j where j.value = $3)"
            }
            super::Backend::Postgres => "candidate_ids @> jsonb_build_array($3::text)",
        };
        let sql = format!(
            "select {COLUMNS} from review_items where tenant_id = $1 and status in ('pending', 'deferred') \
             and (subject_customer_id = $2 or {candidate}) order by score desc limit 50"
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, ReviewItemRow>(&sql)
            .bind(tenant_id).bind(customer_id).bind(customer_id.to_string())
            .fetch_all(&mut *c).await)?)
    }
}
