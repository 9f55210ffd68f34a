//! Scheduled work shared by every process on one database: each job runs once per period per
//! tenant. A process takes the job's lease, runs it and sets when it is due next; a process
//! that dies mid-job leaves it to another when the lease runs out.

use std::sync::LazyLock;

use chrono::{Duration, SubsecRound, Utc};

use crate::services::{ServiceResult, Tenant};
use crate::store::Store;

/// After a failed run, the job is due again this soon rather than a whole period later.
const AFTER_FAILURE: Duration = Duration::minutes(5);

/// This process, as a lease holder: its pid and a random part, so two machines with the same
/// pid never pass for one another.
pub fn holder() -> &'static str {
    static HOLDER: LazyLock<String> = LazyLock::new(|| {
        let random = uuid::Uuid::new_v4().simple().to_string();
        format!("pid{}-{}", std::process::id(), &random[..8])
    });
    &HOLDER
}

/// A scheduled job: its name, how often it runs, and how long a run may hold it.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    pub lease: Duration,
}

/// Runs `work` if `job` is due for `tenant` and no other process holds it; `None` when it was
/// not this process's turn. A failed run is due again after a few minutes.
pub async fn run_if_due<T, F>(
    store: &Store,
    tenant: &Tenant,
    job: Job,
    work: F,
) -> ServiceResult<Option<T>>
where
    F: AsyncFnOnce() -> ServiceResult<T>,
{
    let now = Utc::now().trunc_subsecs(3);
    let mut tx = store.begin().await?;
    let taken = tx
        .take_job_lease(tenant.id, job.name, holder(), now, now + job.lease)
        .await?;
    tx.commit().await?;
    if !taken {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let result = work().await;
    let finished = Utc::now().trunc_subsecs(3);
    let next = match &result {
        Ok(_) => now + job.every,
        Err(_) => finished + AFTER_FAILURE,
    };
    let mut tx = store.begin().await?;
    let kept = tx
        .finish_job_lease(tenant.id, job.name, holder(), finished, next)
        .await?;
    tx.commit().await?;
    if !kept {
        tracing::warn!(
            job = job.name,
            tenant = %tenant.slug,
            "the job outlived its lease; another process may have run it too"
        );
    }
    let outcome = if result.is_ok() { "ok" } else { "failed" };
    metrics::histogram!("spine_job_duration_seconds", "job" => job.name, "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
    tracing::debug!(job = job.name, tenant = %tenant.slug, ms = started.elapsed().as_millis() as u64, outcome, "scheduled job ran");
    result.map(Some)
}
