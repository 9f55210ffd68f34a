//! The outbox: messages Spine sends to people (sign-in codes today), written in the same
//! transaction as what caused them and delivered afterwards by a carrier: SMTP for email when
//! configured, a folder of files in development. A sign-in code stays in its row only until it
//! is handed to a carrier (or not): then the row keeps the text with the code blotted out, and
//! no page or log ever shows one.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use uuid::Uuid;

use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::{OutboxOutcome, OutboxRow, Store};
use crate::types::{OutboxMessage, Role};

/// How long a process holds the messages it claimed; one that dies mid-send leaves them to
/// another process after this.
pub const LEASE: Duration = Duration::minutes(2);
/// Messages claimed at a time, per tenant.
const BATCH: i64 = 10;
/// Tries before a message that keeps meeting transient failures is given up.
pub const MAX_ATTEMPTS: i64 = 6;

/// What became of one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// Handed to the carrier.
    Sent,
    /// Not sent, for a reason that will not change by retrying (no carrier for the channel,
    /// the carrier refused the address...).
    NotSent(String),
    /// Not sent this time (the mail server did not answer, asked to try later...).
    Retry(String),
}

/// A message as a carrier sees it.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub id: Uuid,
    pub channel: &'a str,
    pub destination: &'a str,
    pub subject: Option<&'a str>,
    pub body: &'a str,
    pub created_at: DateTime<Utc>,
}

impl<'a> From<&'a OutboxRow> for Outgoing<'a> {
    fn from(row: &'a OutboxRow) -> Outgoing<'a> {
        Outgoing {
            id: row.id,
            channel: &row.channel,
            destination: &row.destination,
            subject: row.subject.as_deref(),
            body: &row.body,
            created_at: row.created_at,
        }
    }
}

/// Something that can deliver messages: SMTP, or a folder of files.
pub trait Carrier {
    fn send(&self, message: &Outgoing<'_>) -> impl Future<Output = Delivery> + Send;
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
    pub retried: usize,
    /// Claimed here but settled by another process after this one's lease ran out.
    pub lost: usize,
}

/// The pause before try `attempts + 1`: 30 s, doubling, at most an hour.
pub fn retry_pause(attempts: i64) -> Duration {
    let doublings = attempts.clamp(1, 8) - 1;
    (Duration::seconds(30) * (1 << doublings)).min(Duration::hours(1))
}

/// Delivers what is due for every tenant; any number of processes may run this at once, each
/// message is claimed by one of them.
pub async fn deliver_due(store: &Store, carrier: &impl Carrier) -> ServiceResult<Round> {
    let tenants = store
        .read()
        .await?
        .tenants_with_due_outbox(Utc::now())
        .await?;
    let mut round = Round::default();
    for tenant_id in tenants {
        let r = deliver_tenant(store, tenant_id, carrier).await?;
        round.sent += r.sent;
        round.failed += r.failed;
        round.retried += r.retried;
        round.lost += r.lost;
    }
    Ok(round)
}

/// Delivers one tenant's due messages, a claimed batch at a time, oldest first.
pub async fn deliver_pending(
    store: &Store,
    tenant: &Tenant,
    carrier: &impl Carrier,
) -> ServiceResult<Round> {
    deliver_tenant(store, tenant.id, carrier).await
}

async fn deliver_tenant(
    store: &Store,
    tenant_id: Uuid,
    carrier: &impl Carrier,
) -> ServiceResult<Round> {
    let mut round = Round::default();
    loop {
        // Whole milliseconds, so the lease reads back equal on every database.
        let now = Utc::now().trunc_subsecs(3);
        let lease_until = now + LEASE;
        let mut tx = store.begin().await?;
        let claimed = tx.claim_outbox(tenant_id, now, lease_until, BATCH).await?;
        tx.commit().await?;
        if claimed.is_empty() {
            return Ok(round);
        }
        for message in &claimed {
            let delivery = carrier.send(&Outgoing::from(message)).await;
            let body = redact_codes(&message.body);
            let given_up;
            let outcome = match &delivery {
                Delivery::Sent => {
                    round.sent += 1;
                    OutboxOutcome::Sent {
                        at: Utc::now(),
                        body: &body,
                    }
                }
                Delivery::NotSent(reason) => {
                    round.failed += 1;
                    OutboxOutcome::Failed {
                        error: reason,
                        body: &body,
                    }
                }
                Delivery::Retry(reason) if message.attempts >= MAX_ATTEMPTS => {
                    round.failed += 1;
                    given_up = format!("gave up after {} tries: {reason}", message.attempts);
                    OutboxOutcome::Failed {
                        error: &given_up,
                        body: &body,
                    }
                }
                Delivery::Retry(reason) => {
                    round.retried += 1;
                    OutboxOutcome::Retry {
                        at: Utc::now() + retry_pause(message.attempts),
                        error: reason,
                    }
                }
            };
            let mut tx = store.begin().await?;
            if !tx
                .settle_outbox(tenant_id, message.id, lease_until, &outcome)
                .await?
            {
                round.lost += 1;
                tracing::warn!(message = %message.id, "outbox: the lease ran out before the message was settled");
            }
            tx.commit().await?;
        }
    }
}

/// Messages waiting to be sent and messages that failed for good, for metrics.
pub async fn backlog(store: &Store, tenant: &Tenant) -> ServiceResult<(i64, i64)> {
    Ok(store.read().await?.outbox_backlog(tenant.id).await?)
}

/// The newest messages, for admins.
pub async fn recent_messages(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
) -> ServiceResult<Vec<OutboxMessage>> {
    if !matches!(
        actor,
        Actor::Staff {
            role: Role::Admin,
            ..
        } | Actor::System(_)
    ) {
        return Err(ServiceError::Forbidden);
    }
    let rows = store.read().await?.recent_outbox(tenant.id, 100).await?;
    Ok(rows
        .into_iter()
        .map(|m| OutboxMessage {
            id: m.id,
            to: mask_destination(&m.channel, &m.destination),
            channel: m.channel,
            subject: m.subject,
            body: redact_codes(&m.body),
            created_at: m.created_at,
            sent_at: m.sent_at,
            error: m.error,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
        })
        .collect())
}

/// `j***@example.com`, `+1******0132`: for logs and screens.
pub fn mask_destination(channel: &str, destination: &str) -> String {
    if channel == "email" {
        spine_engine::normalize::email::mask_email(destination)
    } else {
        crate::services::customers::mask_phone(destination)
    }
}

/// The text with every one-time code (a run of exactly six digits) blotted out.
pub fn redact_codes(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() == 6 {
            out.push_str("••••••");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in body.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::{Duration, redact_codes, retry_pause};

    #[test]
    fn retries_pause_longer_each_time_up_to_an_hour() {
        assert_eq!(retry_pause(1), Duration::seconds(30));
        assert_eq!(retry_pause(2), Duration::seconds(60));
        assert_eq!(retry_pause(5), Duration::minutes(8));
        assert_eq!(retry_pause(9), Duration::hours(1));
        assert_eq!(retry_pause(i64::MAX), Duration::hours(1));
    }

    #[test]
    fn codes_are_blotted_out_and_other_numbers_kept() {
        assert_eq!(
            redact_codes("Your code for Acme is 042917. It expires in 10 minutes."),
            "Your code for Acme is ••••••. It expires in 10 minutes."
        );
        assert_eq!(redact_codes("123456"), "••••••");
        assert_eq!(
            redact_codes("order 1234567 and 12345"),
            "order 1234567 and 12345"
        );
    }
}
