//! The outbox: messages Spine sends to people (sign-in codes today), written in the same
//! transaction as what caused them and delivered afterwards by a carrier: SMTP for email when
//! configured. Without a carrier (development, or SMS, which has none yet) a message is written
//! to the server log and marked "not sent", so a developer can read the code there or on the
//! admin's outbox page.

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
        let mut tx = store.begin().await?;
        match &delivery {
            Delivery::Sent => {
                tx.mark_outbox(tenant.id, message.id, Some(Utc::now()), None)
                    .await?
            }
            Delivery::NotSent(reason) => {
                tx.mark_outbox(tenant.id, message.id, None, Some(reason))
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
            body: m.body,
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
