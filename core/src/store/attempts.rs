//! Attempt counters: failures per key (an account, a client address) in a fixed window,
//! counted in one statement so that processes sharing the database never lose a count.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{StoreResult, Tx, on_conn};

impl Tx {
    /// Counts one more attempt under `key`; a window older than `window` starts again at one.
    /// Returns the count and when its window started.
    pub async fn count_attempt(
        &mut self,
        tenant_id: Uuid,
        scope: &str,
        key: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<(i64, DateTime<Utc>)> {
        let row: (i32, DateTime<Utc>) = on_conn!(self, c => sqlx::query_as(
            "insert into attempt_counters (tenant_id, scope, key, window_start, count) \
             values ($1, $2, $3, $4, 1) \
             on conflict (tenant_id, scope, key) do update set \
               count = case when attempt_counters.window_start < $5 then 1 \
                 else attempt_counters.count + 1 end, \
               window_start = case when attempt_counters.window_start < $5 then $4 \
                 else attempt_counters.window_start end \
             returning count, window_start")
            .bind(tenant_id).bind(scope).bind(key).bind(now).bind(now - window)
            .fetch_one(&mut *c).await)?;
        Ok((i64::from(row.0), row.1))
    }

    /// The attempts counted under `key` in the current window (none when it has passed).
    pub async fn attempts(
        &mut self,
        tenant_id: Uuid,
        scope: &str,
        key: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(i64, DateTime<Utc>)>> {
        let row: Option<(i32, DateTime<Utc>)> = on_conn!(self, c => sqlx::query_as(
            "select count, window_start from attempt_counters \
             where tenant_id = $1 and scope = $2 and key = $3 and window_start >= $4")
            .bind(tenant_id).bind(scope).bind(key).bind(now - window)
            .fetch_optional(&mut *c).await)?;
        Ok(row.map(|(n, at)| (i64::from(n), at)))
    }

    pub async fn clear_attempts(
        &mut self,
        tenant_id: Uuid,
        scope: &str,
        key: &str,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "delete from attempt_counters where tenant_id = $1 and scope = $2 and key = $3")
            .bind(tenant_id).bind(scope).bind(key).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
