//! The outbox: messages Spine sends to people (sign-in codes today), written in the same
//! transaction as what caused them and delivered afterwards by a carrier: SMTP for email when
//! configured, a folder of files in development. A sign-in code stays in its row only until it
//! is handed to a carrier (or not): then the row keeps the text with the code blotted out, and
//! no page or log ever shows one.

use chrono::Utc;

use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::{OutboxRow, Store};
use crate::types::{OutboxMessage, Role};

/// What became of one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// Handed to the carrier.
    Sent,
    /// Not sent, for a reason that will not change by retrying (no carrier for the channel,
    /// the carrier refused the address...).
    NotSent(String),
}

/// Something that can deliver messages: SMTP, or the log.
pub trait Carrier {
    fn send(&self, message: &OutboxRow) -> impl Future<Output = Delivery> + Send;
}

/// Delivers the tenant's pending messages, oldest first; returns how many it handled.
pub async fn deliver_pending(
    store: &Store,
    tenant: &Tenant,
    carrier: &impl Carrier,
) -> ServiceResult<usize> {
    let pending = store.read().await?.pending_outbox(tenant.id, 50).await?;
    for message in &pending {
        let delivery = carrier.send(message).await;
        let body = redact_codes(&message.body);
        let mut tx = store.begin().await?;
        match &delivery {
            Delivery::Sent => {
                tx.mark_outbox(tenant.id, message.id, Some(Utc::now()), None, &body)
                    .await?
            }
            Delivery::NotSent(reason) => {
                tx.mark_outbox(tenant.id, message.id, None, Some(reason), &body)
                    .await?
            }
        }
        tx.commit().await?;
    }
    Ok(pending.len())
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
    use super::redact_codes;

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
