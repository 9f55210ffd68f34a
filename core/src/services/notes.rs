//! Notes staff write on a customer's timeline: an interaction of kind `note` on the `note`
//! channel, `internal` direction, with its author, audited.

use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use crate::services::audit;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::{NewInteraction, Store};
use crate::types::{Channel, Direction, InteractionKind, Role, TimelineEntry};

/// Longer notes are refused (with the limit named) rather than cut.
pub const MAX_NOTE_CHARS: usize = 5_000;

/// Who may write on a profile: agents and admins, integrations and Spine; not managers.
pub(crate) fn may_write(actor: &Actor) -> ServiceResult<()> {
    match actor {
        Actor::Staff {
            role: Role::Admin | Role::Agent,
            ..
        }
        | Actor::ApiKey { .. }
        | Actor::System(_) => Ok(()),
        _ => Err(ServiceError::Forbidden),
    }
}

/// Adds a note to an active profile's timeline, now, signed by the actor.
pub async fn add_note(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    customer_id: Uuid,
    body: &str,
) -> ServiceResult<TimelineEntry> {
    may_write(actor)?;
    let body = body.trim();
    if body.is_empty() {
        return Err(ServiceError::invalid("body", "write something first"));
    }
    if body.chars().count() > MAX_NOTE_CHARS {
        return Err(ServiceError::invalid(
            "body",
            format!("at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ServiceError::invalid(
            "body",
            "contains characters that cannot be shown",
        ));
    }
    let body = body.replace("\r\n", "\n");
    let mut tx = store.begin().await?;
    tx.customer(tenant.id, customer_id)
        .await?
        .filter(|c| c.deleted_at.is_none() && c.merged_into.is_none())
        .ok_or(ServiceError::NotFound("customer"))?;
    let now = Utc::now();
    let payload = json!({"author": actor.label()});
    let id = tx
        .insert_interaction(
            tenant.id,
            &NewInteraction {
                customer_id,
                channel: Channel::Note.as_str().to_owned(),
                direction: Direction::Internal.as_str().to_owned(),
                kind: InteractionKind::Note.as_str().to_owned(),
                occurred_at: now,
                body: Some(body.clone()),
                payload: Some(payload.clone()),
                provider_message_id: None,
                sentiment: None,
                thread_id: None,
                claims: Vec::new(),
            },
        )
        .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "interaction.note_added", "interaction")
            .entity(id)
            .customer(customer_id)
            .after(json!({"chars": body.chars().count()})),
    )
    .await?;
    tx.commit().await?;
    Ok(TimelineEntry {
        id,
        channel: Channel::Note,
        direction: Direction::Internal,
        kind: InteractionKind::Note,
        occurred_at: now,
        body: Some(body),
        thread_id: None,
        payload: Some(payload),
        archived: false,
        claims: Vec::new(),
    })
}
