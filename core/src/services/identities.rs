//! Identifiers by hand: staff add one to a profile, an admin vouches for one or moves one that
//! was linked wrongly to another profile (a new one, or one they choose). Each edit is kept with
//! what it changed, so it shows on the profile and can be undone, and each is audited with the
//! reason given.
//!
//! What an identifier brings with it decides who may do what. An address or number an agent adds
//! is recorded as entered by staff, which never receives a sign-in code: a caller who talks an
//! agent into adding their address does not get the profile. Verifying and moving one (which
//! moves who can sign in to what) are for admins, like merges.

use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::services::merge::{active, may_merge};
use crate::services::resolution::normalize_sender;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant, audit, short_text};
use crate::store::{
    CustomerRow, IdentityEditRow, IdentityRow, NewCustomer, NewIdentity, NewIdentityEdit, Store, Tx,
};
use crate::types::{
    Assurance, ExternalInput, HandleInput, IdentifiersInput, IdentityAction, IdentityEdit,
    NewIdentifier, Role, UnlinkTo,
};

/// How many identifiers a profile may hold before staff can add no more by hand.
pub const MAX_IDENTITIES: usize = 100;

/// Edits shown on a profile, newest first.
const SHOWN_EDITS: i64 = 20;

/// What an edit changed, enough to put it back.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Snapshot {
    /// The identity as it was before (added: as it was written).
    identity: IdentityRow,
    /// The primary email and phone of the profile it was on, before.
    primaries: Primaries,
    /// Unlinked: the profile it went to was made for it.
    #[serde(default)]
    created_profile: bool,
    /// Unlinked: the other profile already held it, so it was removed here rather than moved.
    #[serde(default)]
    removed: bool,
}

impl Snapshot {
    /// An edit that leaves the identity on its profile (an addition, a verification).
    fn in_place(identity: IdentityRow, customer: &CustomerRow) -> Snapshot {
        Snapshot {
            identity,
            primaries: Primaries::of(customer),
            created_profile: false,
            removed: false,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Primaries {
    email: Option<String>,
    phone: Option<String>,
}

impl Primaries {
    fn of(row: &CustomerRow) -> Primaries {
        Primaries {
            email: row.primary_email.clone(),
            phone: row.primary_phone.clone(),
        }
    }
}

/// Agents, admins, integrations and Spine itself add identifiers; managers only read.
fn may_add(actor: &Actor) -> ServiceResult<()> {
    match actor {
        Actor::Staff {
            role: Role::Agent | Role::Admin,
            ..
        }
        | Actor::ApiKey { .. }
        | Actor::System(_) => Ok(()),
        _ => Err(ServiceError::Forbidden),
    }
}

/// Only an admin (or Spine itself) vouches for an address or number: an agent talked into it by
/// a caller would hand the profile to them, and an integration cannot have checked.
fn may_verify(actor: &Actor) -> ServiceResult<()> {
    match actor {
        Actor::Staff {
            role: Role::Admin, ..
        }
        | Actor::System(_) => Ok(()),
        _ => Err(ServiceError::Forbidden),
    }
}

fn reason_of(reason: &str) -> ServiceResult<String> {
    short_text("reason", reason, 500)?
        .ok_or_else(|| ServiceError::invalid("reason", "say why, for the audit log"))
}

/// The identifier staff gave, normalized as ingestion normalizes one: exactly one, well formed,
/// or refused naming the field.
fn normalized(tenant: &Tenant, new: &NewIdentifier) -> ServiceResult<spine_engine::sender::Probe> {
    let given = [
        new.email.is_some(),
        new.phone.is_some(),
        new.handle.is_some(),
        new.external.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(ServiceError::invalid(
            "email",
            "give exactly one of email, phone, handle and external",
        ));
    }
    let required = |field: &str, value: &str, max: usize| -> ServiceResult<String> {
        short_text(field, value, max)?.ok_or_else(|| ServiceError::invalid(field, "required"))
    };
    let mut ids = IdentifiersInput::default();
    let (kind, field) = if let Some(email) = &new.email {
        ids.email = Some(required("email", email, 320)?);
        ("email", "email")
    } else if let Some(phone) = &new.phone {
        ids.phone = Some(required("phone", phone, 64)?);
        ("phone", "phone")
    } else if let Some(handle) = &new.handle {
        ids.handle = Some(HandleInput {
            platform: required("handle.platform", &handle.platform, 64)?,
            handle: required("handle.handle", &handle.handle, 100)?,
        });
        ("handle", "handle.handle")
    } else if let Some(external) = &new.external {
        ids.external = Some(ExternalInput {
            provider: required("external.provider", &external.provider, 64)?,
            id: required("external.id", &external.id, 255)?,
        });
        ("external_id", "external.id")
    } else {
        unreachable!("one of the four was counted");
    };
    let sender = normalize_sender(tenant, &ids, None, None).map_err(|e| match e {
        ServiceError::Invalid { message, .. } => ServiceError::invalid(field, message),
        other => other,
    })?;
    sender
        .probes()
        .iter()
        .find(|p| p.kind.as_str() == kind)
        .cloned()
        .ok_or_else(|| ServiceError::invalid(field, "not a usable identifier"))
}

/// Points a profile's primary email and phone at identities it holds: `wanted` first when it
/// still holds them, else the current ones, else its best remaining (verified, then most
/// recently seen), else none.
async fn settle_primaries(
    tx: &mut Tx,
    tenant: &Tenant,
    customer_id: Uuid,
    wanted: Option<&Primaries>,
) -> ServiceResult<()> {
    let Some(row) = tx.customer(tenant.id, customer_id).await? else {
        return Ok(());
    };
    let held = tx.identities_of(tenant.id, customer_id).await?;
    let pick = |kind: &str, wanted: Option<&String>, current: Option<&String>| {
        let holds = |v: &&String| held.iter().any(|i| i.kind == kind && &i.value == *v);
        wanted
            .filter(holds)
            .or(current.filter(holds))
            .cloned()
            .or_else(|| {
                held.iter()
                    .filter(|i| i.kind == kind)
                    .max_by_key(|i| (i.assurance() == Assurance::Verified, i.last_seen_at))
                    .map(|i| i.value.clone())
            })
    };
    let email = pick(
        "email",
        wanted.and_then(|w| w.email.as_ref()),
        row.primary_email.as_ref(),
    );
    let phone = pick(
        "phone",
        wanted.and_then(|w| w.phone.as_ref()),
        row.primary_phone.as_ref(),
    );
    if email != row.primary_email || phone != row.primary_phone {
        tx.set_primaries(tenant.id, customer_id, email.as_deref(), phone.as_deref())
            .await?;
    }
    Ok(())
}

fn view(row: IdentityEditRow) -> ServiceResult<IdentityEdit> {
    let snapshot: Snapshot = serde_json::from_value(row.snapshot.0)
        .map_err(|e| ServiceError::Conflict(format!("an identity edit is unreadable: {e}")))?;
    Ok(IdentityEdit {
        id: row.id,
        // The column's check constraint admits only the three names.
        action: IdentityAction::parse(&row.action).unwrap_or(IdentityAction::Added),
        customer_id: row.customer_id,
        other_customer_id: row.other_customer_id,
        new_profile: snapshot.created_profile,
        identity_id: row.identity_id,
        kind: snapshot.identity.kind,
        provider: snapshot.identity.provider,
        value: snapshot.identity.value,
        reason: row.reason,
        actor: row.actor,
        created_at: row.created_at,
        undone_at: row.undone_at,
        undone_by: row.undone_by,
    })
}

async fn record(
    tx: &mut Tx,
    tenant: &Tenant,
    actor: &Actor,
    action: IdentityAction,
    edit: (Uuid, Option<Uuid>, &str),
    snapshot: &Snapshot,
) -> ServiceResult<IdentityEdit> {
    let (customer_id, other_customer_id, reason) = edit;
    let snapshot_json = serde_json::to_value(snapshot)
        .map_err(|e| ServiceError::Conflict(format!("cannot record the edit: {e}")))?;
    let row = tx
        .insert_identity_edit(
            tenant.id,
            &NewIdentityEdit {
                customer_id,
                other_customer_id,
                identity_id: snapshot.identity.id,
                action: action.as_str(),
                reason,
                snapshot: &snapshot_json,
                actor: &actor.label(),
            },
        )
        .await?;
    view(row)
}

/// What an audit entry says of an identifier.
fn described(identity: &IdentityRow) -> serde_json::Value {
    json!({ "kind": identity.kind, "provider": identity.provider, "value": identity.value })
}

/// Adds an identifier to a profile. It is recorded as entered by staff (no sign-in code goes
/// to it unless an admin verifies it). Refused when the profile holds it already, or when
/// another profile does: then the two may be one person (merge them), or it was linked wrongly
/// there (unlink it to this profile).
pub async fn add_identity(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    customer_id: Uuid,
    new: &NewIdentifier,
) -> ServiceResult<IdentityEdit> {
    may_add(actor)?;
    let reason = reason_of(&new.reason)?;
    let probe = normalized(tenant, new)?;
    let kind = probe.kind.as_str();
    let mut tx = store.begin().await?;
    let customer = active(&mut tx, tenant, customer_id).await?;
    let held = tx.identities_of(tenant.id, customer_id).await?;
    if held
        .iter()
        .any(|i| i.kind == kind && i.provider == probe.provider && i.value == probe.value)
    {
        return Err(ServiceError::Conflict(format!(
            "this profile already has {}",
            probe.value
        )));
    }
    if held.len() >= MAX_IDENTITIES {
        return Err(ServiceError::invalid(
            "value",
            format!("a profile holds at most {MAX_IDENTITIES} identifiers"),
        ));
    }
    let holders = tx
        .identity_holders(tenant.id, kind, &probe.provider, &probe.value)
        .await?;
    let mut others = Vec::new();
    for holder in holders.into_iter().filter(|h| *h != customer_id) {
        if let Some(row) = tx.customer(tenant.id, holder).await? {
            let live = row.deleted_at.is_none() && row.merged_into.is_none();
            // A provider's id or a login belongs to one account, wherever it is.
            if live || probe.exclusive() {
                others.push(holder);
            }
        }
    }
    if let Some(other) = others.first() {
        return Err(ServiceError::Conflict(format!(
            "another profile ({other}) holds {}: merge the two if they are one person, or unlink it there",
            probe.value
        )));
    }
    let now = chrono::Utc::now();
    tx.upsert_identities(
        tenant.id,
        &[NewIdentity {
            customer_id,
            kind: kind.to_owned(),
            provider: probe.provider.clone(),
            value: probe.value.clone(),
            raw_value: probe.raw.clone().filter(|r| *r != probe.value),
            match_key: probe.match_key.clone(),
            confidence: 1.0,
            assurance: Assurance::Staff,
            seen_at: now,
        }],
    )
    .await?;
    let identity = tx
        .identities_of(tenant.id, customer_id)
        .await?
        .into_iter()
        .find(|i| i.kind == kind && i.provider == probe.provider && i.value == probe.value)
        .ok_or(ServiceError::NotFound("identity"))?;
    settle_primaries(&mut tx, tenant, customer_id, None).await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "identity.added", "identity")
            .entity(identity.id)
            .customer(customer_id)
            .after(json!({ "identity": described(&identity), "reason": reason })),
    )
    .await?;
    let snapshot = Snapshot::in_place(identity, &customer);
    let edit = record(
        &mut tx,
        tenant,
        actor,
        IdentityAction::Added,
        (customer_id, None, &reason),
        &snapshot,
    )
    .await?;
    tx.commit().await?;
    Ok(edit)
}

/// An admin vouches for an address or number (they checked it with the person, say by calling
/// them back): it becomes verified, so it can receive sign-in codes.
pub async fn verify_identity(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    customer_id: Uuid,
    identity_id: Uuid,
    reason: &str,
) -> ServiceResult<IdentityEdit> {
    may_verify(actor)?;
    let reason = short_text("reason", reason, 500)?
        .ok_or_else(|| ServiceError::invalid("reason", "say how you checked it"))?;
    let mut tx = store.begin().await?;
    let customer = active(&mut tx, tenant, customer_id).await?;
    let identity = tx
        .identities_of(tenant.id, customer_id)
        .await?
        .into_iter()
        .find(|i| i.id == identity_id)
        .ok_or(ServiceError::NotFound("identity"))?;
    if !matches!(identity.kind.as_str(), "email" | "phone") {
        return Err(ServiceError::invalid(
            "identity",
            "only an email address or a phone number receives sign-in codes",
        ));
    }
    if identity.assurance() == Assurance::Verified {
        return Err(ServiceError::Conflict(format!(
            "{} is verified already",
            identity.value
        )));
    }
    tx.set_identity_assurance(tenant.id, identity.id, Assurance::Verified.as_str())
        .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "identity.verified", "identity")
            .entity(identity_id)
            .customer(customer_id)
            .before(json!({ "assurance": identity.assurance }))
            .after(json!({ "assurance": "verified", "reason": reason })),
    )
    .await?;
    let snapshot = Snapshot::in_place(identity, &customer);
    let edit = record(
        &mut tx,
        tenant,
        actor,
        IdentityAction::Verified,
        (customer_id, None, &reason),
        &snapshot,
    )
    .await?;
    tx.commit().await?;
    Ok(edit)
}

/// Takes an identifier off a profile it was linked to wrongly and gives it to the person it
/// belongs to: a new profile of its own, or one the admin chose. The messages stay where they
/// are (a message does not record which identifier it came by); merging or splitting histories
/// is a merge's work.
pub async fn unlink_identity(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    customer_id: Uuid,
    identity_id: Uuid,
    to: UnlinkTo,
    reason: &str,
) -> ServiceResult<IdentityEdit> {
    may_merge(actor)?;
    let reason = reason_of(reason)?;
    let mut tx = store.begin().await?;
    let source = active(&mut tx, tenant, customer_id).await?;
    let identity = tx
        .identities_of(tenant.id, customer_id)
        .await?
        .into_iter()
        .find(|i| i.id == identity_id)
        .ok_or(ServiceError::NotFound("identity"))?;
    let now = chrono::Utc::now();
    let (target, created_profile) = match to {
        UnlinkTo::Profile(other) if other == customer_id => {
            return Err(ServiceError::Conflict(
                "it is on that profile already: choose another one".into(),
            ));
        }
        UnlinkTo::Profile(other) => {
            let row = active(&mut tx, tenant, other).await.map_err(|e| match e {
                ServiceError::NotFound(_) => ServiceError::NotFound("profile to move it to"),
                other => other,
            })?;
            (row, false)
        }
        UnlinkTo::NewProfile => {
            let row = tx
                .insert_customer(
                    tenant.id,
                    &NewCustomer {
                        display_name: None,
                        given_name: None,
                        family_name: None,
                        primary_email: None,
                        primary_phone: None,
                        lifecycle_stage: None,
                        preferred_channel: None,
                        sources: vec!["manual".to_owned()],
                        source_campaign: None,
                        seen_at: now,
                        name_keys: Vec::new(),
                    },
                )
                .await?;
            tx.append_audit(
                tenant.id,
                &audit(actor, "customer.created", "customer")
                    .entity(row.id)
                    .customer(row.id)
                    .after(json!({ "source": "manual", "unlinked_from": customer_id })),
            )
            .await?;
            (row, true)
        }
    };
    let already = tx
        .identities_of(tenant.id, target.id)
        .await?
        .into_iter()
        .any(|i| {
            i.kind == identity.kind && i.provider == identity.provider && i.value == identity.value
        });
    if already {
        tx.delete_identity(tenant.id, identity.id).await?;
    } else if !tx
        .move_identity_from(tenant.id, identity.id, customer_id, target.id)
        .await?
    {
        return Err(ServiceError::Conflict(
            "the identifier moved while you decided; reload".into(),
        ));
    }
    settle_primaries(&mut tx, tenant, customer_id, None).await?;
    settle_primaries(&mut tx, tenant, target.id, None).await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "identity.unlinked", "identity")
            .entity(identity.id)
            .customer(customer_id)
            .before(json!({ "identity": described(&identity), "customer_id": customer_id }))
            .after(json!({ "customer_id": target.id, "new_profile": created_profile, "reason": reason })),
    )
    .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "identity.received", "identity")
            .entity(identity.id)
            .customer(target.id)
            .after(
                json!({ "identity": described(&identity), "from": customer_id, "reason": reason }),
            ),
    )
    .await?;
    let snapshot = Snapshot {
        identity,
        primaries: Primaries::of(&source),
        created_profile,
        removed: already,
    };
    let edit = record(
        &mut tx,
        tenant,
        actor,
        IdentityAction::Unlinked,
        (customer_id, Some(target.id), &reason),
        &snapshot,
    )
    .await?;
    tx.commit().await?;
    Ok(edit)
}

/// Puts an identifier back as it was before an edit. Only the newest standing edit of an
/// identifier can be undone, and only while nothing else moved it: otherwise undo would
/// overwrite a later decision.
pub async fn undo_identity_edit(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    edit_id: Uuid,
) -> ServiceResult<IdentityEdit> {
    let mut tx = store.begin().await?;
    let row = tx
        .identity_edit(tenant.id, edit_id)
        .await?
        .ok_or(ServiceError::NotFound("identity edit"))?;
    let edit = view(row.clone())?;
    match edit.action {
        IdentityAction::Added => may_add(actor)?,
        IdentityAction::Verified => may_verify(actor)?,
        IdentityAction::Unlinked => may_merge(actor)?,
    }
    if row.undone_at.is_some() {
        return Err(ServiceError::Conflict(
            "this change was undone already".into(),
        ));
    }
    let latest = tx.latest_identity_edit(tenant.id, row.identity_id).await?;
    if latest.is_some_and(|l| l.id != row.id) {
        return Err(ServiceError::Conflict(
            "a later change to this identifier stands; undo that first".into(),
        ));
    }
    let snapshot: Snapshot = serde_json::from_value(row.snapshot.0.clone())
        .map_err(|e| ServiceError::Conflict(format!("this edit is unreadable: {e}")))?;
    let moved_since =
        || ServiceError::Conflict("the identifier changed since; it cannot be put back".into());
    let current = tx.identity_by_id(tenant.id, row.identity_id).await?;
    match edit.action {
        IdentityAction::Added => {
            // Verified since (the customer signed in with it): it is theirs, it stays.
            let current = current
                .filter(|c| {
                    c.customer_id == row.customer_id && c.assurance == snapshot.identity.assurance
                })
                .ok_or_else(moved_since)?;
            tx.delete_identity(tenant.id, current.id).await?;
            settle_primaries(&mut tx, tenant, row.customer_id, Some(&snapshot.primaries)).await?;
        }
        IdentityAction::Verified => {
            let current = current
                .filter(|c| {
                    c.customer_id == row.customer_id && c.assurance() == Assurance::Verified
                })
                .ok_or_else(moved_since)?;
            tx.set_identity_assurance(tenant.id, current.id, &snapshot.identity.assurance)
                .await?;
        }
        IdentityAction::Unlinked => {
            let target = row.other_customer_id.ok_or_else(moved_since)?;
            active(&mut tx, tenant, row.customer_id)
                .await
                .map_err(|_| {
                    ServiceError::Conflict(
                        "the profile it came from was merged or deleted since".into(),
                    )
                })?;
            let identity = &snapshot.identity;
            let source_holds = tx
                .identities_of(tenant.id, row.customer_id)
                .await?
                .into_iter()
                .any(|i| {
                    i.kind == identity.kind
                        && i.provider == identity.provider
                        && i.value == identity.value
                });
            if snapshot.removed {
                // The other profile kept its own row; this profile gets its row back.
                if current.is_some() {
                    return Err(moved_since());
                }
                if !source_holds {
                    tx.restore_identity(identity).await?;
                }
            } else {
                let current = current
                    .filter(|c| c.customer_id == target)
                    .ok_or_else(moved_since)?;
                if source_holds {
                    // Ingestion linked it to the profile again since: one row is enough.
                    tx.delete_identity(tenant.id, current.id).await?;
                } else if !tx
                    .move_identity_from(tenant.id, current.id, target, row.customer_id)
                    .await?
                {
                    return Err(moved_since());
                }
            }
            settle_primaries(&mut tx, tenant, row.customer_id, Some(&snapshot.primaries)).await?;
            settle_primaries(&mut tx, tenant, target, None).await?;
            // A profile made only to hold it is deleted again (soft: an admin can restore it),
            // when nothing else came to it since.
            if snapshot.created_profile && !tx.holds_anything(tenant.id, target).await? {
                tx.set_customer_deleted(tenant.id, target, Some(chrono::Utc::now()))
                    .await?;
            }
        }
    }
    if !tx
        .mark_identity_edit_undone(tenant.id, row.id, &actor.label())
        .await?
    {
        return Err(ServiceError::Conflict(
            "this change was undone already".into(),
        ));
    }
    tx.append_audit(
        tenant.id,
        &audit(
            actor,
            &format!("identity.{}_undone", edit.action.as_str()),
            "identity",
        )
        .entity(row.identity_id)
        .customer(row.customer_id)
        .after(json!({ "edit": row.id, "identity": described(&snapshot.identity) })),
    )
    .await?;
    let done = tx
        .identity_edit(tenant.id, row.id)
        .await?
        .ok_or(ServiceError::NotFound("identity edit"))?;
    tx.commit().await?;
    view(done)
}

/// Identifiers changed by hand on a profile (or moved to it), newest first.
pub async fn identity_edits(
    store: &Store,
    tenant: &Tenant,
    customer_id: Uuid,
) -> ServiceResult<Vec<IdentityEdit>> {
    let mut tx = store.read().await?;
    edits_of(&mut tx, tenant, customer_id).await
}

pub(crate) async fn edits_of(
    tx: &mut Tx,
    tenant: &Tenant,
    customer_id: Uuid,
) -> ServiceResult<Vec<IdentityEdit>> {
    tx.identity_edits_of(tenant.id, customer_id, SHOWN_EDITS)
        .await?
        .into_iter()
        .map(view)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> Tenant {
        Tenant {
            id: Uuid::now_v7(),
            slug: "test".into(),
            name: "Test".into(),
            region: spine_engine::normalize::phone::Region::parse("US").unwrap_or_default(),
            thresholds: spine_engine::resolve::Thresholds {
                link: 0.9,
                review: 0.5,
            },
            memory: crate::services::settings::MemorySettings::default(),
        }
    }

    fn new(kind: &str, provider: Option<&str>, value: &str) -> NewIdentifier {
        NewIdentifier::from_form(
            kind,
            provider.unwrap_or(""),
            value.into(),
            "called them".into(),
        )
    }

    #[test]
    fn typed_identifiers_are_normalized_as_ingestion_does() {
        let t = tenant();
        let email = normalized(&t, &new("email", None, "  Ana.Lopez@Example.COM ")).unwrap();
        assert_eq!(email.value, "ana.lopez@example.com");
        let handle = normalized(&t, &new("handle", Some("Instagram"), "@Ana_L")).unwrap();
        assert_eq!(handle.kind.as_str(), "handle");
        assert!(!handle.value.starts_with('@'));
    }

    #[test]
    fn unusable_identifiers_name_their_field() {
        let t = tenant();
        let field = |n: NewIdentifier| match normalized(&t, &n) {
            Err(ServiceError::Invalid { field, .. }) => field,
            other => panic!("expected invalid, got {other:?}"),
        };
        assert_eq!(field(new("login", None, "ana")), "email");
        assert_eq!(field(new("address_hash", None, "abc")), "email");
        assert_eq!(field(new("email", None, "not an address")), "email");
        assert_eq!(field(new("phone", None, "12")), "phone");
        assert_eq!(field(new("email", None, "   ")), "email");
        assert_eq!(field(new("handle", None, "ana")), "handle.platform");
        assert_eq!(
            field(new("external_id", Some(" "), "42")),
            "external.provider"
        );
        assert_eq!(field(new("email", None, "a\u{7}@example.com")), "email");
        let both = NewIdentifier {
            phone: Some("+12015550123".into()),
            ..new("email", None, "ana@example.com")
        };
        assert_eq!(field(both), "email");
    }
}
