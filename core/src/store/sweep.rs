//! What a duplicate sweep reads: a tenant's active profiles page by page, the address hashes
//! they hold, and the pairs a person already decided or queued.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{StoreResult, Tx, on_conn};

/// An active profile as the batch engine compares people: its names and primary contacts.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SweepProfileRow {
    pub id: Uuid,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Tx {
    /// The tenant's active profiles (not merged, deleted or erased) after `after` in id order.
    pub async fn sweep_profiles(
        &mut self,
        tenant_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<SweepProfileRow>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, SweepProfileRow>(
            "select id, display_name, given_name, family_name, primary_email, primary_phone, created_at \
             from customers where tenant_id = $1 and id > $2 \
             and merged_into is null and deleted_at is null and erased_at is null \
             order by id limit $3")
            .bind(tenant_id).bind(after.unwrap_or(Uuid::nil())).bind(limit)
            .fetch_all(&mut *c).await)?)
    }

    /// The address hashes held by profiles whose id is in (`after`, `last`].
    pub async fn address_hashes_between(
        &mut self,
        tenant_id: Uuid,
        after: Option<Uuid>,
        last: Uuid,
    ) -> StoreResult<Vec<(Uuid, String)>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, (Uuid, String)>(
            "select customer_id, value from identities \
             where tenant_id = $1 and customer_id > $2 and customer_id <= $3 and kind = 'address_hash' \
             order by customer_id, last_seen_at desc")
            .bind(tenant_id).bind(after.unwrap_or(Uuid::nil())).bind(last)
            .fetch_all(&mut *c).await)?)
    }

    /// Every pair a person decided is not the same person, as (smaller id, larger id).
    pub async fn non_match_pairs(&mut self, tenant_id: Uuid) -> StoreResult<Vec<(Uuid, Uuid)>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, (Uuid, Uuid)>(
            "select left_id, right_id from non_matches where tenant_id = $1")
            .bind(tenant_id).fetch_all(&mut *c).await)?)
    }

    /// The subject and candidates of every open (pending or deferred) review item.
    pub async fn open_review_pairs(
        &mut self,
        tenant_id: Uuid,
    ) -> StoreResult<Vec<(Uuid, Json<Vec<Uuid>>)>> {
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, (Uuid, Json<Vec<Uuid>>)>(
            "select subject_customer_id, candidate_ids from review_items \
             where tenant_id = $1 and status in ('pending', 'deferred')")
            .bind(tenant_id).fetch_all(&mut *c).await)?,
        )
    }

    /// Which of `ids` are still active profiles (a merge or a deletion may have happened since
    /// they were read).
    pub async fn active_among(&mut self, tenant_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        Ok(self
            .customers_by_ids(tenant_id, ids)
            .await?
            .into_iter()
            .filter(|c| c.merged_into.is_none() && c.deleted_at.is_none() && c.erased_at.is_none())
            .map(|c| c.id)
            .collect())
    }
}
