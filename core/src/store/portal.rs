//! The customer's own page: one-time sign-in codes (stored hashed), the outbox that delivers
//! them, customer sessions (stored as the token's hash), and consent records.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StoreResult, Tx, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OtpCodeRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub destination_hash: String,
    pub code_hash: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

pub struct NewOtpCode<'a> {
    pub customer_id: Uuid,
    pub destination_hash: &'a str,
    pub code_hash: &'a str,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: Uuid,
    pub customer_id: Option<Uuid>,
    pub channel: String,
    pub destination: String,
    pub subject: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// Tries so far, the one in hand included once claimed.
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// What became of a claimed outbox message.
pub enum OutboxOutcome<'a> {
    /// Handed to the carrier; `body` is the text to keep (codes blotted out).
    Sent { at: DateTime<Utc>, body: &'a str },
    /// Not sent, for good.
    Failed { error: &'a str, body: &'a str },
    /// Not sent this time; tried again from `at`.
    Retry { at: DateTime<Utc>, error: &'a str },
}

pub struct NewOutboxMessage<'a> {
    pub customer_id: Option<Uuid>,
    pub channel: &'a str,
    pub destination: &'a str,
    pub subject: Option<&'a str>,
    pub body: &'a str,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, sqlx::FromRow)]
pub struct CustomerSessionRow {
    pub id: String,
    pub customer_id: Uuid,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for CustomerSessionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerSessionRow")
            .field("customer_id", &self.customer_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ConsentRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub purpose: String,
    pub granted: bool,
    pub source: String,
    pub at: DateTime<Utc>,
}

const OUTBOX_COLUMNS: &str = "id, customer_id, channel, destination, subject, body, created_at, \
     sent_at, error, attempts, next_attempt_at, last_error";

impl Tx {
    pub async fn insert_otp_code(
        &mut self,
        tenant_id: Uuid,
        new: &NewOtpCode<'_>,
    ) -> StoreResult<Uuid> {
        let id = Uuid::now_v7();
        on_conn!(self, c => sqlx::query(
            "insert into otp_codes (tenant_id, id, customer_id, destination_hash, code_hash, created_at, expires_at) \
             values ($1, $2, $3, $4, $5, $6, $7)")
            .bind(tenant_id)
            .bind(id)
            .bind(new.customer_id)
            .bind(new.destination_hash)
            .bind(new.code_hash)
            .bind(new.created_at)
            .bind(new.expires_at)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(id)
    }

    /// How many codes were issued for this destination since `since` (the rate limit).
    pub async fn count_otp_codes_since(
        &mut self,
        tenant_id: Uuid,
        destination_hash: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, i64>(
            "select count(*) from otp_codes where tenant_id = $1 and destination_hash = $2 and created_at >= $3")
            .bind(tenant_id)
            .bind(destination_hash)
            .bind(since)
            .fetch_one(&mut *c)
            .await)?)
    }

    /// The newest code issued for this destination, used or not (the caller decides).
    pub async fn latest_otp_code(
        &mut self,
        tenant_id: Uuid,
        destination_hash: &str,
    ) -> StoreResult<Option<OtpCodeRow>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, OtpCodeRow>(
            "select id, customer_id, destination_hash, code_hash, attempts, created_at, expires_at, used_at from otp_codes \
             where tenant_id = $1 and destination_hash = $2 order by created_at desc limit 1")
            .bind(tenant_id)
            .bind(destination_hash)
            .fetch_optional(&mut *c)
            .await)?)
    }

    pub async fn otp_code(&mut self, tenant_id: Uuid, id: Uuid) -> StoreResult<Option<OtpCodeRow>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, OtpCodeRow>(
            "select id, customer_id, destination_hash, code_hash, attempts, created_at, expires_at, used_at \
             from otp_codes where tenant_id = $1 and id = $2")
            .bind(tenant_id)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// Every code issued to a profile, newest first.
    pub async fn otp_codes_of(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<Vec<OtpCodeRow>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, OtpCodeRow>(
            "select id, customer_id, destination_hash, code_hash, attempts, created_at, expires_at, used_at from otp_codes \
             where tenant_id = $1 and customer_id = $2 order by created_at desc")
            .bind(tenant_id)
            .bind(customer_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    pub async fn count_otp_attempt(&mut self, tenant_id: Uuid, id: Uuid) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "update otp_codes set attempts = attempts + 1 where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Marks a code used; false when it already was (a second use loses the race).
    pub async fn use_otp_code(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = on_conn!(self, c => sqlx::query(
            "update otp_codes set used_at = $3 where tenant_id = $1 and id = $2 and used_at is null")
            .bind(tenant_id).bind(id).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn insert_outbox(
        &mut self,
        tenant_id: Uuid,
        new: &NewOutboxMessage<'_>,
    ) -> StoreResult<Uuid> {
        let id = Uuid::now_v7();
        on_conn!(self, c => sqlx::query(
            "insert into outbox (tenant_id, id, customer_id, channel, destination, subject, body, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(tenant_id)
            .bind(id)
            .bind(new.customer_id)
            .bind(new.channel)
            .bind(new.destination)
            .bind(new.subject)
            .bind(new.body)
            .bind(new.created_at)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(id)
    }

    /// Messages to this destination since `since`.
    pub async fn count_outbox_to(
        &mut self,
        tenant_id: Uuid,
        destination: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, i64>(
            "select count(*) from outbox where tenant_id = $1 and destination = $2 and created_at >= $3")
            .bind(tenant_id).bind(destination).bind(since).fetch_one(&mut *c).await)?)
    }

    /// The newest messages first.
    pub async fn recent_outbox(
        &mut self,
        tenant_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<OutboxRow>> {
        let sql = format!(
            "select {OUTBOX_COLUMNS} from outbox where tenant_id = $1 order by created_at desc, id desc limit $2"
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, OutboxRow>(&sql)
            .bind(tenant_id).bind(limit).fetch_all(&mut *c).await)?)
    }

    /// Takes up to `limit` of the tenant's messages that are due (not sent, not failed for good,
    /// past their retry pause, not held by another process's lease) and holds them until
    /// `lease_until`, oldest first. On PostgreSQL rows another transaction is claiming are
    /// skipped, so processes share the work without waiting on each other; SQLite runs one
    /// writer at a time. The statement stays on one tenant, so it routes to one shard on an
    /// engine that distributes tables by tenant.
    pub async fn claim_outbox(
        &mut self,
        tenant_id: Uuid,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxRow>> {
        let lock = match self.backend() {
            super::Backend::Postgres => "for update skip locked",
            super::Backend::Sqlite => "",
        };
        let sql = format!(
            "update outbox set claimed_until = $3, attempts = attempts + 1 \
             where tenant_id = $1 and id in (\
               select id from outbox where tenant_id = $1 and sent_at is null and error is null \
               and (next_attempt_at is null or next_attempt_at <= $2) \
               and (claimed_until is null or claimed_until <= $2) \
               order by created_at, id limit $4 {lock}) \
             returning {OUTBOX_COLUMNS}"
        );
        let mut rows = on_conn!(self, c => sqlx::query_as::<_, OutboxRow>(&sql)
            .bind(tenant_id).bind(now).bind(lease_until).bind(limit)
            .fetch_all(&mut *c).await)?;
        rows.sort_by_key(|r| (r.created_at, r.id));
        Ok(rows)
    }

    /// Tenants with a message due now, across the database: the dispatcher's round.
    pub async fn tenants_with_due_outbox(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<Uuid>> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, Uuid>(
            "select distinct tenant_id from outbox where sent_at is null and error is null \
             and (next_attempt_at is null or next_attempt_at <= $1) \
             and (claimed_until is null or claimed_until <= $1)")
            .bind(now).fetch_all(&mut *c).await)?)
    }

    /// Records what became of a claimed message, if this process still holds it (`claimed_until`
    /// is the claim's own lease): sent (`sent_at`), failed for good (`error`), or to be tried
    /// again at `retry_at` after `last_error`. The lease is released. False when the lease had
    /// run out and another process took the message meanwhile.
    pub async fn settle_outbox(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        claimed_until: DateTime<Utc>,
        outcome: &OutboxOutcome<'_>,
    ) -> StoreResult<bool> {
        let (sent_at, error, retry_at, last_error, body) = match outcome {
            OutboxOutcome::Sent { at, body } => (Some(*at), None, None, None, Some(*body)),
            OutboxOutcome::Failed { error, body } => {
                (None, Some(*error), None, Some(*error), Some(*body))
            }
            OutboxOutcome::Retry { at, error } => (None, None, Some(*at), Some(*error), None),
        };
        let n = on_conn!(self, c => sqlx::query(
            "update outbox set sent_at = $4, error = $5, next_attempt_at = $6, last_error = $7, \
             body = coalesce($8, body), claimed_until = null \
             where tenant_id = $1 and id = $2 and claimed_until = $3")
            .bind(tenant_id).bind(id).bind(claimed_until)
            .bind(sent_at).bind(error).bind(retry_at).bind(last_error).bind(body)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Messages waiting to be sent and messages that failed for good, for metrics.
    pub async fn outbox_backlog(&mut self, tenant_id: Uuid) -> StoreResult<(i64, i64)> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, (i64, i64)>(
            "select coalesce(sum(case when sent_at is null and error is null then 1 else 0 end), 0), \
             coalesce(sum(case when error is not null then 1 else 0 end), 0) from outbox where tenant_id = $1")
            .bind(tenant_id).fetch_one(&mut *c).await)?)
    }

    pub async fn insert_customer_session(
        &mut self,
        tenant_id: Uuid,
        row: &CustomerSessionRow,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "insert into customer_sessions (tenant_id, id, customer_id, csrf_token, created_at, expires_at) \
             values ($1, $2, $3, $4, $5, $6)")
            .bind(tenant_id)
            .bind(&row.id)
            .bind(row.customer_id)
            .bind(&row.csrf_token)
            .bind(row.created_at)
            .bind(row.expires_at)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn customer_session(
        &mut self,
        tenant_id: Uuid,
        id: &str,
    ) -> StoreResult<Option<CustomerSessionRow>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, CustomerSessionRow>(
            "select id, customer_id, csrf_token, created_at, expires_at from customer_sessions \
             where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).fetch_optional(&mut *c).await)?)
    }

    pub async fn delete_customer_session(&mut self, tenant_id: Uuid, id: &str) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query("delete from customer_sessions where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Marks the profile's identifier verified (the person proved they receive at it).
    pub async fn verify_identity(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        kind: &str,
        value: &str,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "update identities set assurance = 'verified' \
             where tenant_id = $1 and customer_id = $2 and kind = $3 and value = $4")
            .bind(tenant_id).bind(customer_id).bind(kind).bind(value)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn insert_consent(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        purpose: &str,
        granted: bool,
        source: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "insert into consents (tenant_id, id, customer_id, purpose, granted, source, at) \
             values ($1, $2, $3, $4, $5, $6, $7)")
            .bind(tenant_id).bind(Uuid::now_v7()).bind(customer_id).bind(purpose).bind(granted)
            .bind(source).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
