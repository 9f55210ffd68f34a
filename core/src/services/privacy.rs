//! A person's data: export it, hide a profile (soft delete) and bring it back, erase it.
//!
//! - **Export** is everything Spine holds about the person: the profile and the profiles merged
//!   into it, identifiers, the whole timeline, orders, consents and the audit of changes.
//! - **Soft delete** hides a profile from every list and search; nothing is removed, and restore
//!   shows it again. It is an admin's tidy-up, not a privacy request.
//! - **Erasure** removes the person's data from every table of the profile graph (the profile
//!   and everything merged into it). What remains: the emptied profile rows (ids answer "gone"),
//!   audit entries that say what happened without the values, and a tombstone per identifier,
//!   a keyed hash, so a replay of the erased past (an old export imported again, a provider
//!   retrying an old delivery) is refused while the same identifiers writing afterwards make a
//!   new, empty profile.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use spine_engine::keys;

use crate::services::customers::{full_profile, timeline_entry};
use crate::services::{Actor, ServiceError, ServiceResult, Tenant, audit};
use crate::store::{CustomerRow, ErasedRows, OrderRow, Store, Tx};
use crate::types::{CustomerProfile, OrderView, Role, TimelineEntry};

/// Everything Spine holds about one person, as the export download and the API give it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerExport {
    pub exported_at: DateTime<Utc>,
    /// The profile, with its identifiers and preferences.
    pub profile: CustomerProfile,
    /// Profiles that were merged into this one (duplicates found later), as they are now.
    pub merged_profiles: Vec<MergedProfile>,
    /// Every interaction on every channel, oldest first.
    pub timeline: Vec<TimelineEntry>,
    pub orders: Vec<OrderView>,
    pub consents: Vec<ExportedConsent>,
    /// Who changed what on the profile, and when, oldest first.
    pub changes: Vec<ExportedChange>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergedProfile {
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub display_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub primary_email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub primary_phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<OrderRow> for OrderView {
    fn from(o: OrderRow) -> OrderView {
        OrderView {
            id: o.id,
            provider: o.provider,
            external_id: o.external_id,
            total_cents: o.total_cents,
            currency: o.currency,
            status: o.status,
            placed_at: o.placed_at,
            items: o.items.0,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedConsent {
    pub purpose: String,
    pub granted: bool,
    pub source: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedChange {
    pub at: DateTime<Utc>,
    pub action: String,
    /// Who did it: "the customer", a staff member's email, an API key, "spine:..." for Spine.
    pub actor: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
}

/// What an erasure did, by table (the numbers the audit entry keeps).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureReport {
    pub customer_id: Uuid,
    pub erased_at: DateTime<Utc>,
    pub profiles: u64,
    pub identities: u64,
    pub interactions: u64,
    pub orders: u64,
    pub tombstones: u64,
    pub audit_entries_scrubbed: u64,
}

/// Staff may do this when they are an admin; API keys and Spine itself may; a customer may for
/// their own profile only.
fn require_privacy_right(actor: &Actor, customer_id: Uuid) -> ServiceResult<()> {
    match actor {
        Actor::Staff {
            role: Role::Admin, ..
        }
        | Actor::ApiKey { .. }
        | Actor::System(_) => Ok(()),
        Actor::Customer { id } if *id == customer_id => Ok(()),
        _ => Err(ServiceError::Forbidden),
    }
}

/// A profile the person's data can be read from or erased: it exists and was not erased or
/// merged into another. Soft-deleted profiles count (an admin may export or erase them).
async fn person(tx: &mut Tx, tenant: &Tenant, id: Uuid) -> ServiceResult<CustomerRow> {
    tx.customer(tenant.id, id)
        .await?
        .filter(|c| c.erased_at.is_none() && c.merged_into.is_none())
        .ok_or(ServiceError::NotFound("customer"))
}

/// Everything held about the person, audited as `customer.exported`.
pub async fn export_customer(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<CustomerExport> {
    require_privacy_right(actor, id)?;
    let mut tx = store.begin().await?;
    let root = person(&mut tx, tenant, id).await?;
    let graph = tx.profile_graph(tenant.id, id).await?;
    let mut export = CustomerExport {
        exported_at: Utc::now(),
        profile: full_profile(&mut tx, tenant.id, root).await?,
        merged_profiles: Vec::new(),
        timeline: Vec::new(),
        orders: Vec::new(),
        consents: Vec::new(),
        changes: Vec::new(),
    };
    for (i, member) in graph.iter().enumerate() {
        if i > 0
            && let Some(row) = tx.customer(tenant.id, *member).await?
        {
            export.merged_profiles.push(MergedProfile {
                id: row.id,
                display_name: row.display_name,
                primary_email: row.primary_email,
                primary_phone: row.primary_phone,
                created_at: row.created_at,
            });
        }
        export.timeline.extend(
            tx.all_interactions_of(tenant.id, *member)
                .await?
                .into_iter()
                .filter_map(timeline_entry),
        );
        export.orders.extend(
            tx.orders_of(tenant.id, *member)
                .await?
                .into_iter()
                .map(OrderView::from),
        );
        export.consents.extend(
            tx.consents_of(tenant.id, *member)
                .await?
                .into_iter()
                .map(|c| ExportedConsent {
                    purpose: c.purpose,
                    granted: c.granted,
                    source: c.source,
                    at: c.at,
                }),
        );
        export.changes.extend(
            tx.audit_of_customer(tenant.id, *member)
                .await?
                .into_iter()
                .map(|a| ExportedChange {
                    at: a.at,
                    action: a.action,
                    actor: a.actor_label,
                    before: a.before.map(|j| j.0),
                    after: a.after.map(|j| j.0),
                }),
        );
    }
    // The text of archived conversations comes back from their transcripts: an export is
    // everything, however it is stored.
    let archived: std::collections::HashMap<Uuid, usize> = export
        .timeline
        .iter()
        .enumerate()
        .filter(|(_, e)| e.archived)
        .map(|(i, e)| (e.id, i))
        .collect();
    let mut archived_threads: Vec<Uuid> = export
        .timeline
        .iter()
        .filter(|e| e.archived)
        .filter_map(|e| e.thread_id)
        .collect();
    archived_threads.sort_unstable();
    archived_threads.dedup();
    for thread_id in archived_threads {
        for message in tx.thread_transcript(tenant.id, thread_id).await? {
            if let Some(&i) = archived.get(&message.id) {
                export.timeline[i].body = message.body;
                export.timeline[i].payload = message.payload;
            }
        }
    }
    export.timeline.sort_by_key(|e| (e.occurred_at, e.id));
    export.orders.sort_by_key(|o| (o.placed_at, o.id));
    export.consents.sort_by_key(|c| c.at);
    export.changes.sort_by_key(|c| c.at);
    tx.append_audit(
        tenant.id,
        &audit(actor, "customer.exported", "customer")
            .entity(id)
            .customer(id)
            .after(json!({
                "interactions": export.timeline.len(),
                "orders": export.orders.len(),
                "merged_profiles": export.merged_profiles.len(),
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(export)
}

/// Erases the person (the profile and every profile merged into it). Irreversible.
pub async fn erase_customer(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<ErasureReport> {
    require_privacy_right(actor, id)?;
    let mut tx = store.begin().await?;
    person(&mut tx, tenant, id).await?;
    let graph = tx.profile_graph(tenant.id, id).await?;
    let mut identities = Vec::new();
    for member in &graph {
        identities.extend(tx.identities_of(tenant.id, *member).await?);
    }
    // Serialised against ingestion resolving the same identifiers, so no event lands on the
    // profile halfway through.
    let keys: Vec<(Uuid, String)> = identities
        .iter()
        .flat_map(|i| keys::lock_keys(&i.kind, &i.provider, &i.value, &i.match_key))
        .map(|key| (tenant.id, key))
        .collect();
    tx.lock_keys(&keys).await?;
    let now = Utc::now();
    let mut hashes: Vec<String> = identities
        .iter()
        .map(|i| keys::tombstone_hash(tenant.id.as_bytes(), &i.kind, &i.provider, &i.value))
        .collect();
    hashes.sort();
    hashes.dedup();
    for hash in &hashes {
        tx.insert_tombstone(tenant.id, hash, now).await?;
    }
    let erased: ErasedRows = tx.erase_profiles(tenant.id, &graph, now).await?;
    // What happened and who asked; nothing of what was erased.
    tx.append_audit(
        tenant.id,
        &audit(actor, "customer.erased", "customer")
            .entity(id)
            .customer(id)
            .after(json!({ "rows": erased, "tombstones": hashes.len() })),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        tenant = %tenant.slug,
        customer = %id,
        actor = actor.kind(),
        profiles = erased.profiles,
        interactions = erased.interactions,
        "customer erased"
    );
    Ok(ErasureReport {
        customer_id: id,
        erased_at: now,
        profiles: erased.profiles,
        identities: erased.identities,
        interactions: erased.interactions,
        orders: erased.orders,
        tombstones: hashes.len() as u64,
        audit_entries_scrubbed: erased.audit_entries_scrubbed,
    })
}

/// Hides the profile from every list and search; `restore_customer` shows it again.
pub async fn soft_delete_customer(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<()> {
    set_deleted(store, tenant, actor, id, true).await
}

pub async fn restore_customer(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<()> {
    set_deleted(store, tenant, actor, id, false).await
}

async fn set_deleted(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id: Uuid,
    delete: bool,
) -> ServiceResult<()> {
    if matches!(actor, Actor::Customer { .. }) {
        return Err(ServiceError::Forbidden);
    }
    require_privacy_right(actor, id)?;
    let mut tx = store.begin().await?;
    let row = person(&mut tx, tenant, id).await?;
    match (delete, row.deleted_at) {
        (true, Some(_)) => {
            return Err(ServiceError::Conflict(
                "this profile is already deleted".into(),
            ));
        }
        (false, None) => return Err(ServiceError::Conflict("this profile is not deleted".into())),
        _ => {}
    }
    let at = delete.then(Utc::now);
    tx.set_customer_deleted(tenant.id, id, at).await?;
    tx.append_audit(
        tenant.id,
        &audit(
            actor,
            if delete {
                "customer.deleted"
            } else {
                "customer.restored"
            },
            "customer",
        )
        .entity(id)
        .customer(id)
        .before(json!({ "deleted_at": row.deleted_at }))
        .after(json!({ "deleted_at": at })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
