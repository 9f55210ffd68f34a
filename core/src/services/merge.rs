//! Merging two profiles (from the review queue or by hand) and undoing a merge. The engine plans
//! which values and identities move; this applies the plan in one transaction, keeps what it
//! replaced beside the merge, and audits it.

use std::collections::BTreeMap;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use spine_engine::merge::{Choice, MergeIdentity, MergePlan, MergeSide, plan_merge};

use spine_engine::search::display_name_keys;

use crate::services::audit;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::{CustomerRow, IdentityRow, MovedRows, Store, Tx};
use crate::types::{Channel, LifecycleStage, ReviewStatus, Role};

/// Scalar profile fields a merge decides between, by the names the plan and the API use.
pub const MERGE_FIELDS: [&str; 9] = [
    "display_name",
    "given_name",
    "family_name",
    "primary_email",
    "primary_phone",
    "lifecycle_stage",
    "preferred_channel",
    "timezone",
    "language",
];

/// What a value typed for a merge field (in place of either profile's) may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypedValue {
    /// Printable text, trimmed, not blank, at most this many characters.
    Text(usize),
    /// One of these names.
    OneOf(&'static [&'static str]),
    /// Nothing typed: the field takes one of the two profiles' values. A primary contact is
    /// one of the profiles' own identifiers, never an address typed at merge time.
    Refused,
}

/// The rule for a value typed for `field`, one of [`MERGE_FIELDS`].
pub fn typed_value_rule(field: &str) -> TypedValue {
    match field {
        "primary_email" | "primary_phone" => TypedValue::Refused,
        "lifecycle_stage" => TypedValue::OneOf(LifecycleStage::NAMES),
        "preferred_channel" => TypedValue::OneOf(Channel::NAMES),
        "timezone" => TypedValue::Text(64),
        "language" => TypedValue::Text(16),
        _ => TypedValue::Text(200),
    }
}

/// The choices with each typed value checked against its field's rule and trimmed.
fn checked_choices(choices: &BTreeMap<String, Choice>) -> ServiceResult<BTreeMap<String, Choice>> {
    choices
        .iter()
        .map(|(field, choice)| {
            let Choice::Value(raw) = choice else {
                return Ok((field.clone(), choice.clone()));
            };
            let value = raw.trim();
            let refusal = match typed_value_rule(field) {
                TypedValue::Refused => Some(
                    "take the survivor's or the absorbed profile's value: a primary contact is \
                     one of the profiles' own identifiers"
                        .to_owned(),
                ),
                TypedValue::OneOf(names) => {
                    (!names.contains(&value)).then(|| format!("one of {}", names.join(", ")))
                }
                TypedValue::Text(max) => (value.is_empty()
                    || value.chars().count() > max
                    || value.chars().any(char::is_control))
                .then(|| format!("1 to {max} printable characters")),
            };
            match refusal {
                Some(why) => Err(ServiceError::invalid(format!("choices.{field}"), why)),
                None => Ok((field.clone(), Choice::Value(value.to_owned()))),
            }
        })
        .collect()
}

/// Everything undo needs, stored with the merge.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Snapshot {
    survivor: CustomerRow,
    absorbed: CustomerRow,
    identities: Vec<IdentityRow>,
    plan: MergePlan,
    moved: MovedRows,
    /// Custom fields the survivor took from the absorbed profile.
    #[serde(default)]
    custom_filled: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeOutcome {
    pub merge_id: Uuid,
    pub survivor_id: Uuid,
    pub absorbed_id: Uuid,
    pub identities_moved: usize,
    pub interactions_moved: usize,
}

/// Who may merge and undo: admins, integrations with an API key, and Spine itself.
pub(crate) fn may_merge(actor: &Actor) -> ServiceResult<()> {
    match actor {
        Actor::Staff {
            role: Role::Admin, ..
        }
        | Actor::ApiKey { .. }
        | Actor::System(_) => Ok(()),
        _ => Err(ServiceError::Forbidden),
    }
}

fn side(row: &CustomerRow, identities: &[IdentityRow]) -> MergeSide {
    let values = [
        row.display_name.clone(),
        row.given_name.clone(),
        row.family_name.clone(),
        row.primary_email.clone(),
        row.primary_phone.clone(),
        Some(row.lifecycle_stage.clone()),
        row.preferred_channel.clone(),
        row.timezone.clone(),
        row.language.clone(),
    ];
    MergeSide {
        fields: MERGE_FIELDS
            .into_iter()
            .zip(values)
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        lists: [
            ("tags".to_owned(), row.tags.0.clone()),
            ("sources".to_owned(), row.sources.0.clone()),
        ]
        .into(),
        identities: identities
            .iter()
            .map(|i| MergeIdentity {
                id: i.id.to_string(),
                kind: i.kind.clone(),
                provider: i.provider.clone(),
                value: i.value.clone(),
            })
            .collect(),
    }
}

/// A live profile of the tenant (not deleted, merged or erased), or 404.
pub(crate) async fn active(tx: &mut Tx, tenant: &Tenant, id: Uuid) -> ServiceResult<CustomerRow> {
    tx.customer(tenant.id, id)
        .await?
        .filter(|c| c.deleted_at.is_none() && c.merged_into.is_none() && c.erased_at.is_none())
        .ok_or(ServiceError::NotFound("customer"))
}

/// Two profiles to merge, named so they cannot be swapped: `absorbed` goes into `survivor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergePair {
    pub survivor: Uuid,
    pub absorbed: Uuid,
}

/// What merging `absorbed` into `survivor` would do, for a person to confirm.
pub async fn preview_merge(
    store: &Store,
    tenant: &Tenant,
    pair: MergePair,
) -> ServiceResult<MergePlan> {
    let MergePair {
        survivor: survivor_id,
        absorbed: absorbed_id,
    } = pair;
    if survivor_id == absorbed_id {
        return Err(ServiceError::Conflict(
            "a profile cannot be merged into itself".into(),
        ));
    }
    let mut tx = store.read().await?;
    let survivor = active(&mut tx, tenant, survivor_id).await?;
    let absorbed = active(&mut tx, tenant, absorbed_id).await?;
    let (s_ids, a_ids) = (
        tx.identities_of(tenant.id, survivor_id).await?,
        tx.identities_of(tenant.id, absorbed_id).await?,
    );
    Ok(plan_merge(
        &side(&survivor, &s_ids),
        &side(&absorbed, &a_ids),
    ))
}

/// Merges `absorbed` into `survivor` with the given choices for conflicting fields.
pub async fn merge_customers(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    pair: MergePair,
    choices: &BTreeMap<String, Choice>,
    review_item_id: Option<Uuid>,
) -> ServiceResult<MergeOutcome> {
    let MergePair {
        survivor: survivor_id,
        absorbed: absorbed_id,
    } = pair;
    may_merge(actor)?;
    if survivor_id == absorbed_id {
        return Err(ServiceError::Conflict(
            "a profile cannot be merged into itself".into(),
        ));
    }
    let mut tx = store.begin().await?;
    let survivor = active(&mut tx, tenant, survivor_id).await?;
    let absorbed = active(&mut tx, tenant, absorbed_id).await?;
    let s_ids = tx.identities_of(tenant.id, survivor_id).await?;
    let a_ids = tx.identities_of(tenant.id, absorbed_id).await?;
    let plan = plan_merge(&side(&survivor, &s_ids), &side(&absorbed, &a_ids));
    let choices = &checked_choices(choices)?;
    let values = plan
        .resolve(choices)
        .map_err(|e| ServiceError::invalid("choices", e))?;
    let merged_side = plan
        .merged_survivor(choices)
        .map_err(|e| ServiceError::invalid("choices", e))?;

    let now = Utc::now();
    let value = |name: &str| values.get(name).cloned().flatten();
    let mut merged = survivor.clone();
    merged.display_name = value("display_name");
    merged.given_name = value("given_name");
    merged.family_name = value("family_name");
    merged.primary_email = value("primary_email");
    merged.primary_phone = value("primary_phone");
    merged.lifecycle_stage = value("lifecycle_stage").unwrap_or(survivor.lifecycle_stage.clone());
    merged.preferred_channel = value("preferred_channel");
    merged.timezone = value("timezone");
    merged.language = value("language");
    merged.tags.0 = merged_side.lists.get("tags").cloned().unwrap_or_default();
    merged.sources.0 = merged_side
        .lists
        .get("sources")
        .cloned()
        .unwrap_or_default();
    // Consent is the person's most recent explicit choice on either profile; with none on
    // record, only what both profiles agreed to.
    let mut consents = tx.consents_of(tenant.id, survivor_id).await?;
    consents.extend(tx.consents_of(tenant.id, absorbed_id).await?);
    merged.marketing_opt_in = consents
        .iter()
        .filter(|c| c.purpose == "marketing")
        .max_by_key(|c| (c.at, c.id))
        .map_or(
            survivor.marketing_opt_in && absorbed.marketing_opt_in,
            |latest| latest.granted,
        );
    merged.last_seen_at = survivor.last_seen_at.max(absorbed.last_seen_at);
    merged.updated_at = now;
    tx.write_customer(&merged, &display_name_keys(merged.display_name.as_deref()))
        .await?;

    for id in &plan.identities_to_move {
        tx.move_identity(tenant.id, parse_id(id)?, survivor_id)
            .await?;
    }
    for (absorbed_identity, _) in &plan.identities_duplicated {
        tx.delete_identity(tenant.id, parse_id(absorbed_identity)?)
            .await?;
    }
    let moved = tx
        .move_owned_rows(tenant.id, absorbed_id, survivor_id)
        .await?;
    tx.fold_customer_channels(tenant.id, absorbed_id, survivor_id)
        .await?;
    let custom_filled =
        crate::services::custom_fields::fill_from(&mut tx, tenant.id, survivor_id, absorbed_id)
            .await?;
    crate::services::memory::refresh_customer_summary(&mut tx, tenant.id, survivor_id).await?;
    let mut gone = absorbed.clone();
    gone.merged_into = Some(survivor_id);
    gone.updated_at = now;
    tx.write_customer(&gone, &display_name_keys(gone.display_name.as_deref()))
        .await?;

    let outcome_counts = (plan.identities_to_move.len(), moved.interactions.len());
    let snapshot = Snapshot {
        survivor: survivor.clone(),
        absorbed: absorbed.clone(),
        identities: a_ids,
        plan,
        moved,
        custom_filled,
    };
    let snapshot =
        serde_json::to_value(&snapshot).map_err(|e| ServiceError::invalid("snapshot", e))?;
    let choices_json = serde_json::to_value(choices).unwrap_or_default();
    let merge_id = tx
        .insert_merge(
            tenant.id,
            survivor_id,
            absorbed_id,
            review_item_id,
            &snapshot,
            &choices_json,
            &actor.label(),
        )
        .await?;
    if let Some(item) = review_item_id {
        let decided_by = staff_id(actor);
        // Decided meanwhile by someone else (rejected, merged the other way): this merge was
        // asked about a question that is closed, so it is not made.
        if !tx
            .decide_review_item(
                tenant.id,
                item,
                ReviewStatus::Merged,
                decided_by,
                &json!({"merge_id": merge_id, "survivor_id": survivor_id}),
            )
            .await?
        {
            return Err(ServiceError::Conflict(
                "this review item was decided by someone else meanwhile; nothing was merged".into(),
            ));
        }
    }
    tx.append_audit(
        tenant.id,
        &audit(actor, "customer.merged", "customer")
            .entity(survivor_id)
            .customer(survivor_id)
            .before(json!({"absorbed_id": absorbed_id}))
            .after(json!({"merge_id": merge_id, "choices": choices_json})),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(tenant = %tenant.slug, %merge_id, %survivor_id, %absorbed_id, "profiles merged");
    Ok(MergeOutcome {
        merge_id,
        survivor_id,
        absorbed_id,
        identities_moved: outcome_counts.0,
        interactions_moved: outcome_counts.1,
    })
}

/// Undoes a merge: both profiles, their identities and their timeline entries are back where
/// they were. Refused when the survivor has since been merged away (undo that first).
pub async fn undo_merge(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    merge_id: Uuid,
) -> ServiceResult<()> {
    may_merge(actor)?;
    let mut tx = store.begin().await?;
    let merge = tx
        .merge_by_id(tenant.id, merge_id)
        .await?
        .ok_or(ServiceError::NotFound("merge"))?;
    if merge.undone_at.is_some() {
        return Err(ServiceError::Conflict(
            "this merge was already undone".into(),
        ));
    }
    let current = tx
        .customer(tenant.id, merge.survivor_id)
        .await?
        .ok_or(ServiceError::NotFound("customer"))?;
    if let Some(later) = current.merged_into {
        return Err(ServiceError::Conflict(format!(
            "the surviving profile was since merged into {later}: undo that merge first"
        )));
    }
    let snapshot: Snapshot = serde_json::from_value(merge.snapshot.0.clone())
        .map_err(|e| ServiceError::Conflict(format!("this merge cannot be undone: {e}")))?;

    // The survivor gets back its own values; what it learned since the merge (last seen) stays.
    let mut survivor = snapshot.survivor.clone();
    survivor.last_seen_at = current.last_seen_at;
    survivor.updated_at = Utc::now();
    tx.write_customer(
        &survivor,
        &display_name_keys(survivor.display_name.as_deref()),
    )
    .await?;
    let mut absorbed = snapshot.absorbed.clone();
    absorbed.updated_at = Utc::now();
    tx.write_customer(
        &absorbed,
        &display_name_keys(absorbed.display_name.as_deref()),
    )
    .await?;

    // Those still on the survivor: one an admin moved elsewhere by hand since stays there.
    for id in &snapshot.plan.identities_to_move {
        tx.move_identity_from(
            tenant.id,
            parse_id(id)?,
            merge.survivor_id,
            merge.absorbed_id,
        )
        .await?;
    }
    for (absorbed_identity, _) in &snapshot.plan.identities_duplicated {
        let id = parse_id(absorbed_identity)?;
        if let Some(row) = snapshot.identities.iter().find(|i| i.id == id) {
            tx.restore_identity(row).await?;
        }
    }
    tx.return_owned_rows(tenant.id, &snapshot.moved, merge.absorbed_id)
        .await?;
    crate::services::custom_fields::unfill(
        &mut tx,
        tenant.id,
        merge.survivor_id,
        &snapshot.custom_filled,
    )
    .await?;
    for customer in [merge.survivor_id, merge.absorbed_id] {
        tx.recount_customer_channels(tenant.id, customer).await?;
        crate::services::memory::refresh_customer_summary(&mut tx, tenant.id, customer).await?;
    }
    tx.mark_merge_undone(tenant.id, merge_id, &actor.label())
        .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "customer.merge_undone", "merge")
            .entity(merge_id)
            .customer(merge.survivor_id)
            .after(json!({"absorbed_id": merge.absorbed_id})),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(tenant = %tenant.slug, %merge_id, "merge undone");
    Ok(())
}

pub(crate) fn staff_id(actor: &Actor) -> Option<Uuid> {
    match actor {
        Actor::Staff { id, .. } => Some(*id),
        _ => None,
    }
}

fn parse_id(text: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(text)
        .map_err(|_| ServiceError::Conflict(format!("corrupt identity id {text:?} in merge plan")))
}

/// The merges a profile took part in, survived or absorbed, newest first, with the other
/// profile's name: the customer page's merge history.
pub async fn merge_history(
    store: &Store,
    tenant: &Tenant,
    customer_id: Uuid,
) -> ServiceResult<Vec<crate::types::MergeRecord>> {
    let mut tx = store.read().await?;
    let merges = tx.merges_of(tenant.id, customer_id).await?;
    let mut records = Vec::with_capacity(merges.len());
    for m in merges {
        let survived = m.survivor_id == customer_id;
        let other = if survived {
            m.absorbed_id
        } else {
            m.survivor_id
        };
        let other_name = tx
            .customer(tenant.id, other)
            .await?
            .and_then(|c| c.display_name);
        records.push(crate::types::MergeRecord {
            id: m.id,
            survivor_id: m.survivor_id,
            absorbed_id: m.absorbed_id,
            survived,
            other_name,
            actor: m.actor,
            created_at: m.created_at,
            undone_at: m.undone_at,
            undone_by: m.undone_by,
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(field: &str, value: &str) -> ServiceResult<BTreeMap<String, Choice>> {
        checked_choices(&[(field.to_owned(), Choice::Value(value.to_owned()))].into())
    }

    #[test]
    fn typed_values_follow_their_fields_rules() {
        assert_eq!(
            typed("lifecycle_stage", " customer ").expect("a stage")["lifecycle_stage"],
            Choice::Value("customer".into())
        );
        assert!(typed("lifecycle_stage", "vip").is_err());
        assert!(typed("preferred_channel", "whatsapp").is_ok());
        assert!(typed("preferred_channel", "carrier pigeon").is_err());
        assert!(typed("display_name", "Ann Lee").is_ok());
        assert!(typed("display_name", "   ").is_err());
        assert!(typed("display_name", "Ann\u{7}").is_err());
        assert!(typed("display_name", &"a".repeat(201)).is_err());
        assert!(typed("language", &"a".repeat(17)).is_err());
        for field in ["primary_email", "primary_phone"] {
            let Err(ServiceError::Invalid { field: at, .. }) = typed(field, "a@example.com") else {
                panic!("{field}: a typed primary contact must be refused");
            };
            assert_eq!(at, format!("choices.{field}"));
        }
        // Taking either side's value needs no rule.
        let taken: BTreeMap<String, Choice> =
            [("primary_email".to_owned(), Choice::Absorbed)].into();
        assert_eq!(checked_choices(&taken).expect("taken"), taken);
    }
}
