//! Leases on scheduled work, so a job runs once per period per tenant whatever the number of
//! processes sharing the database.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StoreResult, Tx, on_conn};

impl Tx {
    /// Takes the lease on `job` for `holder` until `lease_until` when nobody holds it and the
    /// job is due (`next_run_at` passed; a job never seen before is due). True when taken.
    pub async fn take_job_lease(
        &mut self,
        tenant_id: Uuid,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let taken = on_conn!(self, c => sqlx::query_scalar::<_, String>(
            "insert into job_leases (tenant_id, job, holder, lease_until, next_run_at) \
             values ($1, $2, $3, $4, $5) \
             on conflict (tenant_id, job) do update set holder = excluded.holder, lease_until = excluded.lease_until \
             where job_leases.lease_until <= $5 and job_leases.next_run_at <= $5 \
             returning holder")
            .bind(tenant_id).bind(job).bind(holder).bind(lease_until).bind(now)
            .fetch_optional(&mut *c).await)?;
        Ok(taken.as_deref() == Some(holder))
    }

    /// The job ran: the lease is released and the job is next due at `next_run_at`. False when
    /// `holder` no longer held it (its lease ran out and another process took the job).
    pub async fn finish_job_lease(
        &mut self,
        tenant_id: Uuid,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        next_run_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = on_conn!(self, c => sqlx::query(
            "update job_leases set lease_until = $4, last_run_at = $4, next_run_at = $5 \
             where tenant_id = $1 and job = $2 and holder = $3")
            .bind(tenant_id).bind(job).bind(holder).bind(now).bind(next_run_at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// When each of the tenant's jobs last ran, for the operator.
    pub async fn job_leases(
        &mut self,
        tenant_id: Uuid,
    ) -> StoreResult<Vec<(String, Option<DateTime<Utc>>, DateTime<Utc>)>> {
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, (String, Option<DateTime<Utc>>, DateTime<Utc>)>(
            "select job, last_run_at, next_run_at from job_leases where tenant_id = $1 order by job")
            .bind(tenant_id).fetch_all(&mut *c).await)?,
        )
    }
}
