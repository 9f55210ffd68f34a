//! Tenants: one business each; everything else hangs off a tenant id.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StoreError, StoreResult, Tx, on_conn};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TenantRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub default_region: String,
    pub link_threshold: f64,
    pub review_threshold: f64,
    pub created_at: DateTime<Utc>,
    pub thread_window_hours: i32,
    pub thread_reopen_hours: i32,
    pub archive_after_days: i32,
}

pub struct NewTenant<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub default_region: &'a str,
}

const COLUMNS: &str = "id, slug, name, default_region, link_threshold, review_threshold, created_at, \
    thread_window_hours, thread_reopen_hours, archive_after_days";

impl Tx {
    pub async fn insert_tenant(&mut self, new: &NewTenant<'_>) -> StoreResult<TenantRow> {
        let sql = format!(
            "insert into tenants (id, slug, name, default_region, created_at) values ($1, $2, $3, $4, $5) returning {COLUMNS}"
        );
        on_conn!(self, c => sqlx::query_as::<_, TenantRow>(&sql)
            .bind(Uuid::now_v7())
            .bind(new.slug)
            .bind(new.name)
            .bind(new.default_region)
            .bind(Utc::now())
            .fetch_one(&mut *c)
            .await)
        .map_err(|e| StoreError::conflict_or(e, "tenant"))
    }

    pub async fn tenant_by_slug(&mut self, slug: &str) -> StoreResult<Option<TenantRow>> {
        let sql = format!("select {COLUMNS} from tenants where slug = $1");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, TenantRow>(&sql).bind(slug).fetch_optional(&mut *c).await)?,
        )
    }

    pub async fn tenant_by_id(&mut self, id: Uuid) -> StoreResult<Option<TenantRow>> {
        let sql = format!("select {COLUMNS} from tenants where id = $1");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, TenantRow>(&sql).bind(id).fetch_optional(&mut *c).await)?,
        )
    }

    pub async fn list_tenants(&mut self) -> StoreResult<Vec<TenantRow>> {
        let sql = format!("select {COLUMNS} from tenants order by slug");
        Ok(on_conn!(self, c => sqlx::query_as::<_, TenantRow>(&sql).fetch_all(&mut *c).await)?)
    }

    pub async fn set_thresholds(
        &mut self,
        tenant_id: Uuid,
        link: f64,
        review: f64,
    ) -> StoreResult<bool> {
        let done = on_conn!(self, c => sqlx::query(
            "update tenants set link_threshold = $2, review_threshold = $3 where id = $1")
            .bind(tenant_id).bind(link).bind(review).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// The conversation windows (see `spine_engine::conversation::ThreadPolicy`) and the age
    /// at which resolved threads are archived.
    pub async fn set_memory_windows(
        &mut self,
        tenant_id: Uuid,
        window_hours: i32,
        reopen_hours: i32,
        archive_after_days: i32,
    ) -> StoreResult<bool> {
        let done = on_conn!(self, c => sqlx::query(
            "update tenants set thread_window_hours = $2, thread_reopen_hours = $3, archive_after_days = $4 \
             where id = $1")
            .bind(tenant_id).bind(window_hours).bind(reopen_hours).bind(archive_after_days)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    pub async fn set_default_region(&mut self, tenant_id: Uuid, region: &str) -> StoreResult<bool> {
        let done = on_conn!(self, c => sqlx::query(
            "update tenants set default_region = $2 where id = $1")
            .bind(tenant_id).bind(region).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }
}
