//! Rows that have served their purpose: expired sessions and codes, old outbox messages, spent
//! attempt counters.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StoreResult, Tx, on_conn};

/// How many rows each purge removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub codes: u64,
    pub messages: u64,
    pub counters: u64,
    /// Parts of list exports past their keeping.
    pub export_parts: u64,
}

impl Tx {
    /// Deletes staff and customer sessions past their expiry, codes that expired before
    /// `codes_before`, outbox messages created before `messages_before`, and attempt counters
    /// whose window started before `counters_before`.
    pub async fn purge_expired(
        &mut self,
        tenant_id: Uuid,
        now: DateTime<Utc>,
        codes_before: DateTime<Utc>,
        messages_before: DateTime<Utc>,
        counters_before: DateTime<Utc>,
        exports_before: DateTime<Utc>,
    ) -> StoreResult<Purged> {
        let statements = [
            (
                "delete from sessions where tenant_id = $1 and expires_at <= $2",
                now,
            ),
            (
                "delete from customer_sessions where tenant_id = $1 and expires_at <= $2",
                now,
            ),
            (
                "delete from otp_codes where tenant_id = $1 and expires_at <= $2",
                codes_before,
            ),
            (
                "delete from outbox where tenant_id = $1 and created_at <= $2",
                messages_before,
            ),
            (
                "delete from attempt_counters where tenant_id = $1 and window_start <= $2",
                counters_before,
            ),
            (
                "delete from export_parts where tenant_id = $1 and job_id in (select id from jobs \
                 where tenant_id = $1 and kind = 'export' and finished_at <= $2)",
                exports_before,
            ),
        ];
        let mut counts = [0u64; 6];
        for ((sql, at), count) in statements.into_iter().zip(&mut counts) {
            *count = on_conn!(self, c => sqlx::query(sql).bind(tenant_id).bind(at)
                .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        let [
            sessions,
            customer_sessions,
            codes,
            messages,
            counters,
            export_parts,
        ] = counts;
        let purged = Purged {
            sessions: sessions + customer_sessions,
            codes,
            messages,
            counters,
            export_parts,
        };
        Ok(purged)
    }
}
