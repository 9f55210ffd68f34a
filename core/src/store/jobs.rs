//! Long-running work (imports, dedupe runs): status, progress and the metrics at the end, so a
//! run can be followed while it goes and audited after.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{StoreResult, Tx, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub kind: String,
    pub status: String,
    pub total: i64,
    pub done: i64,
    pub metrics: Json<serde_json::Value>,
    pub error: Option<String>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "tenant_id, id, kind, status, total, done, metrics, error, created_by, \
     created_at, started_at, finished_at";

impl Tx {
    /// A job that starts now.
    pub async fn insert_running_job(
        &mut self,
        tenant_id: Uuid,
        kind: &str,
        total: i64,
        created_by: &str,
        metrics: &serde_json::Value,
    ) -> StoreResult<Uuid> {
        let id = Uuid::now_v7();
        let now = Utc::now();
        on_conn!(self, c => sqlx::query(
            "insert into jobs (tenant_id, id, kind, status, total, metrics, created_by, created_at, started_at) \
             values ($1, $2, $3, 'running', $4, $5, $6, $7, $7)")
            .bind(tenant_id).bind(id).bind(kind).bind(total).bind(Json(metrics)).bind(created_by).bind(now)
            .execute(&mut *c).await.map(drop))?;
        Ok(id)
    }

    /// A running job with a known id and no total yet (a sweep learns its size as it reads).
    pub async fn insert_job_with_id(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        kind: &str,
        created_by: &str,
        metrics: &serde_json::Value,
    ) -> StoreResult<()> {
        let now = Utc::now();
        on_conn!(self, c => sqlx::query(
            "insert into jobs (tenant_id, id, kind, status, total, metrics, created_by, created_at, started_at) \
             values ($1, $2, $3, 'running', 0, $4, $5, $6, $6)")
            .bind(tenant_id).bind(id).bind(kind).bind(Json(metrics)).bind(created_by).bind(now)
            .execute(&mut *c).await.map(drop))?;
        Ok(())
    }

    /// Progress within a stage whose size is its own (`done` of `total`).
    pub async fn update_job_stage(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        done: i64,
        total: i64,
        metrics: &serde_json::Value,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "update jobs set done = $3, total = $4, metrics = $5 where tenant_id = $1 and id = $2 and status = 'running'")
            .bind(tenant_id).bind(id).bind(done).bind(total).bind(Json(metrics))
            .execute(&mut *c).await.map(drop))?;
        Ok(())
    }

    pub async fn update_job_progress(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        done: i64,
        metrics: &serde_json::Value,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query("update jobs set done = $3, metrics = $4 where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).bind(done).bind(Json(metrics))
            .execute(&mut *c).await.map(drop))?;
        Ok(())
    }

    /// Ends a job: `error` None means it succeeded.
    pub async fn finish_job(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        metrics: &serde_json::Value,
        error: Option<&str>,
    ) -> StoreResult<()> {
        let status = if error.is_some() {
            "failed"
        } else {
            "succeeded"
        };
        on_conn!(self, c => sqlx::query(
            "update jobs set status = $3, metrics = $4, error = $5, finished_at = $6, \
             done = case when $3 = 'succeeded' then total else done end \
             where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).bind(status).bind(Json(metrics)).bind(error).bind(Utc::now())
            .execute(&mut *c).await.map(drop))?;
        Ok(())
    }

    pub async fn job(&mut self, tenant_id: Uuid, id: Uuid) -> StoreResult<Option<JobRow>> {
        let sql = format!("select {COLUMNS} from jobs where tenant_id = $1 and id = $2");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, JobRow>(&sql).bind(tenant_id).bind(id).fetch_optional(&mut *c).await)?,
        )
    }

    /// The newest jobs first.
    pub async fn recent_jobs(&mut self, tenant_id: Uuid, limit: i64) -> StoreResult<Vec<JobRow>> {
        let sql = format!(
            "select {COLUMNS} from jobs where tenant_id = $1 order by created_at desc, id desc limit $2"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, JobRow>(&sql).bind(tenant_id).bind(limit).fetch_all(&mut *c).await)?,
        )
    }

    /// The running jobs of `kind`, newest first.
    pub async fn running_jobs(&mut self, tenant_id: Uuid, kind: &str) -> StoreResult<Vec<Uuid>> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, Uuid>(
            "select id from jobs where tenant_id = $1 and kind = $2 and status = 'running' \
             order by created_at desc")
            .bind(tenant_id).bind(kind).fetch_all(&mut *c).await)?)
    }

    /// The newest job of `kind`.
    pub async fn latest_job(&mut self, tenant_id: Uuid, kind: &str) -> StoreResult<Option<JobRow>> {
        Ok(self
            .jobs_of_kind(tenant_id, kind, 1)
            .await?
            .into_iter()
            .next())
    }

    /// The newest jobs of `kind`, newest first.
    pub async fn jobs_of_kind(
        &mut self,
        tenant_id: Uuid,
        kind: &str,
        limit: i64,
    ) -> StoreResult<Vec<JobRow>> {
        let sql = format!(
            "select {COLUMNS} from jobs where tenant_id = $1 and kind = $2 \
             order by created_at desc, id desc limit $3"
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, JobRow>(&sql)
            .bind(tenant_id).bind(kind).bind(limit).fetch_all(&mut *c).await)?)
    }
}
