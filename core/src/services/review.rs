//! The review queue: what is pending, and deciding an item (merge, reject, defer).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use spine_engine::merge::{Choice, MergePlan};

use spine_engine::search::display_name_keys;

use crate::services::audit;
use crate::services::merge::{
    MergeOutcome, MergePair, may_merge, merge_customers, preview_merge, staff_id,
};
use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::{NewReviewItem, ReviewItemRow, Store, Tx};
use crate::types::ReviewStatus;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewItemView {
    pub id: Uuid,
    pub status: ReviewStatus,
    pub reason: String,
    pub subject_customer_id: Uuid,
    pub candidate_ids: Vec<Uuid>,
    pub score: f64,
    pub evidence: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Puts a pair (or group) of profiles in the review queue and audits it as `review.queued` by
/// `actor`, with `summary` as what the audit entry shows; returns the item's id.
pub(crate) async fn queue_review_item(
    tx: &mut Tx,
    tenant_id: Uuid,
    actor: &Actor,
    item: &NewReviewItem,
    summary: serde_json::Value,
) -> ServiceResult<Uuid> {
    let id = tx.insert_review_item(tenant_id, item).await?;
    tx.append_audit(
        tenant_id,
        &audit(actor, "review.queued", "review_item")
            .entity(id)
            .customer(item.subject_customer_id)
            .after(summary),
    )
    .await?;
    Ok(id)
}

impl From<ReviewItemRow> for ReviewItemView {
    fn from(row: ReviewItemRow) -> Self {
        ReviewItemView {
            id: row.id,
            // The table's check constraint allows only the four statuses.
            status: ReviewStatus::parse(&row.status).unwrap_or(ReviewStatus::Pending),
            reason: row.reason,
            subject_customer_id: row.subject_customer_id,
            candidate_ids: row.candidate_ids.0,
            score: row.score,
            evidence: row.evidence.0,
            created_at: row.created_at,
        }
    }
}

/// The most review items one page holds.
pub const MAX_REVIEW_PAGE: i64 = 500;

pub async fn pending_review_items(
    store: &Store,
    tenant: &Tenant,
    limit: i64,
) -> ServiceResult<Vec<ReviewItemView>> {
    let mut tx = store.read().await?;
    Ok(tx
        .pending_review_items(tenant.id, limit.clamp(1, MAX_REVIEW_PAGE))
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The order the console lists the queue in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueOrder {
    /// Highest score first: the likeliest duplicates.
    #[default]
    Confidence,
    /// Oldest first: nothing waits forever.
    Age,
}

/// A queue row: the item and the display names of its two profiles (subject, first candidate).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    pub item: ReviewItemView,
    pub subject_name: Option<String>,
    pub candidate_name: Option<String>,
    /// Why it waits, in one sentence ([`why`]).
    pub why: String,
}

pub async fn review_queue(
    store: &Store,
    tenant: &Tenant,
    order: QueueOrder,
    limit: i64,
) -> ServiceResult<Vec<QueueEntry>> {
    let mut tx = store.read().await?;
    let rows = tx
        .review_queue(
            tenant.id,
            order == QueueOrder::Age,
            limit.clamp(1, MAX_REVIEW_PAGE),
        )
        .await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let item = ReviewItemView::from(row);
        let subject_name = tx
            .customer(tenant.id, item.subject_customer_id)
            .await?
            .and_then(|c| c.display_name);
        let names = candidate_names(&mut tx, tenant, &item).await?;
        let candidate_name = item
            .candidate_ids
            .first()
            .and_then(|id| names.get(id).cloned());
        let why = why_or_reason(&item, &names);
        entries.push(QueueEntry {
            item,
            subject_name,
            candidate_name,
            why,
        });
    }
    Ok(entries)
}

/// The display names of an item's candidates.
async fn candidate_names(
    tx: &mut Tx,
    tenant: &Tenant,
    item: &ReviewItemView,
) -> ServiceResult<BTreeMap<Uuid, String>> {
    Ok(tx
        .customers_by_ids(tenant.id, &item.candidate_ids)
        .await?
        .into_iter()
        .filter_map(|c| Some((c.id, c.display_name?)))
        .collect())
}

/// [`why`], or the item's reason where its evidence says nothing a sentence can use.
fn why_or_reason(item: &ReviewItemView, names: &BTreeMap<Uuid, String>) -> String {
    let sentence = why(&item.evidence, &|id| names.get(&id).cloned());
    if sentence.is_empty() {
        item.reason.clone()
    } else {
        sentence
    }
}

/// A comparison's or identifier's name as a sentence says it.
fn spoken(comparison: &str) -> String {
    match comparison.strip_prefix("other:").unwrap_or(comparison) {
        "first_name" => "first name".into(),
        "last_name" => "family name".into(),
        "external_id" => "external id".into(),
        "address_hash" | "address" => "address".into(),
        "date_of_birth" => "date of birth".into(),
        "postcode_city" => "postcode or city".into(),
        other => other.replace('_', " "),
    }
}

/// "a", "a and b", "a, b and c".
fn listed(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Why an item waits, in one sentence a person reads before the details. Several profiles
/// matched: which identifiers point to which ("The email points to Ana Lopez; the phone to
/// Ana López."). One profile: what is the same, what is alike and what differs ("Same family
/// name and email; first name alike; phone different."). A disputed contact detail: said so.
/// `name_of` gives a candidate's display name.
pub fn why(evidence: &serde_json::Value, name_of: &dyn Fn(Uuid) -> Option<String>) -> String {
    use spine_engine::identifier::IdentifierKind;
    use spine_engine::resolve::ScoredCandidate;

    if evidence.get("claims").is_some() {
        return "A message gave contact details another profile holds.".into();
    }
    let Ok(candidates) = serde_json::from_value::<Vec<ScoredCandidate<Uuid>>>(evidence.clone())
    else {
        return String::new();
    };
    let name = |id: Uuid| name_of(id).unwrap_or_else(|| "a profile with no name".into());
    match candidates.as_slice() {
        [] => String::new(),
        [one] => {
            let (mut same, mut alike, mut different) = (Vec::new(), Vec::new(), Vec::new());
            for c in &one.explanation {
                if c.comparison == "distinct_person" {
                    continue;
                }
                let word = spoken(&c.comparison);
                // An identifier both share counts as the same (or alike, in another form)
                // however weak its evidence: one read from a message weighs little.
                let shared = IdentifierKind::parse(&c.comparison).is_some();
                if c.level == "exact" {
                    same.push(word);
                } else if shared && c.level == "variant" {
                    alike.push(word);
                } else if c.effect < 0.0 {
                    different.push(word);
                } else if c.effect > 0.0 {
                    alike.push(word);
                }
            }
            let mut parts = Vec::new();
            if !same.is_empty() {
                parts.push(format!("same {}", listed(&same)));
            }
            if !alike.is_empty() {
                parts.push(format!("{} alike", listed(&alike)));
            }
            if !different.is_empty() {
                parts.push(format!("{} different", listed(&different)));
            }
            let mut sentence = parts.join("; ");
            if let Some(first) = sentence.get(..1) {
                sentence = format!("{}{}.", first.to_uppercase(), &sentence[1..]);
            }
            sentence
        }
        several => {
            let clauses: Vec<String> = several
                .iter()
                .enumerate()
                .map(|(i, candidate)| {
                    let mut kinds: Vec<String> = candidate
                        .explanation
                        .iter()
                        .filter(|c| {
                            IdentifierKind::parse(&c.comparison).is_some()
                                && matches!(c.level.as_str(), "exact" | "variant")
                        })
                        .map(|c| spoken(&c.comparison))
                        .collect();
                    kinds.dedup();
                    if kinds.is_empty() {
                        kinds.push("name".into());
                    }
                    let verb = if kinds.len() == 1 { "points" } else { "point" };
                    if i == 0 {
                        format!("The {} {verb} to {}", listed(&kinds), name(candidate.id))
                    } else {
                        format!("the {} to {}", listed(&kinds), name(candidate.id))
                    }
                })
                .collect();
            format!("{}.", clauses.join("; "))
        }
    }
}

/// What a person decides about review items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemDecision {
    /// The same person: merged with no value chosen by hand (the older profile's where both
    /// have one).
    Merge,
    /// Not the same person, remembered.
    Reject,
    /// Decide later.
    Defer,
}

/// The most items one decision takes at once.
pub const MAX_DECIDED_AT_ONCE: usize = 100;

/// What deciding several items did: how many were decided, and each refused one with why.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DecidedItems {
    pub decided: usize,
    pub refused: Vec<(Uuid, String)>,
}

/// Decides several items the same way, each in a transaction of its own and audited as if
/// decided one by one: an item decided meanwhile, or a dispute (decided on the customer's
/// page), is refused alone and the others go on.
pub async fn decide_review_items(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    ids: &[Uuid],
    decision: ItemDecision,
) -> ServiceResult<DecidedItems> {
    may_merge(actor)?;
    if ids.is_empty() {
        return Err(ServiceError::invalid("ids", "choose at least one item"));
    }
    if ids.len() > MAX_DECIDED_AT_ONCE {
        return Err(ServiceError::invalid(
            "ids",
            format!("at most {MAX_DECIDED_AT_ONCE} items at once"),
        ));
    }
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    let mut outcome = DecidedItems::default();
    for id in unique {
        let result = match decision {
            ItemDecision::Merge => {
                merge_review_item(store, tenant, actor, id, None, None, &BTreeMap::new())
                    .await
                    .map(drop)
            }
            ItemDecision::Reject => reject_review_item(store, tenant, actor, id).await,
            ItemDecision::Defer => defer_review_item(store, tenant, actor, id).await,
        };
        match result {
            Ok(()) => outcome.decided += 1,
            Err(ServiceError::Store(e)) => return Err(ServiceError::Store(e)),
            Err(e) => outcome.refused.push((id, e.to_string())),
        }
    }
    Ok(outcome)
}

pub async fn count_pending_review_items(store: &Store, tenant: &Tenant) -> ServiceResult<i64> {
    Ok(store.read().await?.count_pending_reviews(tenant.id).await?)
}

/// One review item as a person decides it: the item, which profile would survive (the first
/// candidate, the older profile) and which be absorbed (the subject), and the merge's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewCase {
    pub item: ReviewItemView,
    /// Why it waits, in one sentence ([`why`]).
    pub why: String,
    pub survivor_id: Uuid,
    pub absorbed_id: Uuid,
    pub plan: MergePlan,
}

pub async fn review_case(
    store: &Store,
    tenant: &Tenant,
    item_id: Uuid,
) -> ServiceResult<ReviewCase> {
    let mut tx = store.read().await?;
    let item: ReviewItemView = tx
        .review_item(tenant.id, item_id)
        .await?
        .ok_or(ServiceError::NotFound("review item"))?
        .into();
    let names = candidate_names(&mut tx, tenant, &item).await?;
    drop(tx);
    let why = why_or_reason(&item, &names);
    let survivor_id = item.candidate_ids.first().copied().ok_or_else(|| {
        ServiceError::invalid(
            "item",
            "this item is a customer's dispute about one identifier: decide it on their profile page",
        )
    })?;
    let absorbed_id = item.subject_customer_id;
    let plan = preview_merge(
        store,
        tenant,
        MergePair {
            survivor: survivor_id,
            absorbed: absorbed_id,
        },
    )
    .await?;
    Ok(ReviewCase {
        item,
        why,
        survivor_id,
        absorbed_id,
        plan,
    })
}

/// Merges the item's profiles: `absorbed` into `survivor`, both among the item's subject and
/// candidates. By default the candidate (the older profile) survives and the subject is absorbed.
pub async fn merge_review_item(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    item_id: Uuid,
    survivor: Option<Uuid>,
    absorbed: Option<Uuid>,
    choices: &BTreeMap<String, Choice>,
) -> ServiceResult<MergeOutcome> {
    let item = store
        .read()
        .await?
        .review_item(tenant.id, item_id)
        .await?
        .ok_or(ServiceError::NotFound("review item"))?;
    if !matches!(
        ReviewStatus::parse(&item.status),
        Some(ReviewStatus::Pending | ReviewStatus::Deferred)
    ) {
        return Err(ServiceError::Conflict(format!(
            "this review item is already {}",
            item.status
        )));
    }
    let involved: Vec<Uuid> = std::iter::once(item.subject_customer_id)
        .chain(item.candidate_ids.0.iter().copied())
        .collect();
    let survivor = survivor
        .or_else(|| item.candidate_ids.0.first().copied())
        .ok_or(ServiceError::invalid("survivor_id", "required"))?;
    let absorbed = absorbed.unwrap_or(item.subject_customer_id);
    for (field, id) in [("survivor_id", survivor), ("absorbed_id", absorbed)] {
        if !involved.contains(&id) {
            // The item's profiles are its state (a merge elsewhere changes them): a conflict.
            return Err(ServiceError::Conflict(format!(
                "{field}: not one of this review item's profiles"
            )));
        }
    }
    merge_customers(
        store,
        tenant,
        actor,
        MergePair { survivor, absorbed },
        choices,
        Some(item_id),
    )
    .await
}

/// The review item, read in the transaction that decides it.
async fn open_item(tx: &mut Tx, tenant: &Tenant, item_id: Uuid) -> ServiceResult<ReviewItemRow> {
    tx.review_item(tenant.id, item_id)
        .await?
        .ok_or(ServiceError::NotFound("review item"))
}

/// Records the decision on an item still pending or deferred; one decided meanwhile (by
/// someone else, in another tab) is a conflict, and the caller's transaction is not committed.
async fn decide(
    tx: &mut Tx,
    tenant: &Tenant,
    item: &ReviewItemRow,
    status: ReviewStatus,
    actor: &Actor,
    decision: &serde_json::Value,
) -> ServiceResult<()> {
    if tx
        .decide_review_item(tenant.id, item.id, status, staff_id(actor), decision)
        .await?
    {
        Ok(())
    } else {
        Err(ServiceError::Conflict(
            "this review item was already decided".into(),
        ))
    }
}

/// Puts the item aside; it stays in the queue's deferred list.
pub async fn defer_review_item(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    item_id: Uuid,
) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    let item = open_item(&mut tx, tenant, item_id).await?;
    let deferred = json!({"deferred": true});
    decide(
        &mut tx,
        tenant,
        &item,
        ReviewStatus::Deferred,
        actor,
        &deferred,
    )
    .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "review.deferred", "review_item")
            .entity(item_id)
            .customer(item.subject_customer_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// "Not the same person": the item is closed and the pairs are never proposed again.
pub async fn reject_review_item(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    item_id: Uuid,
) -> ServiceResult<()> {
    may_merge(actor)?;
    let mut tx = store.begin().await?;
    let item = open_item(&mut tx, tenant, item_id).await?;
    for candidate in &item.candidate_ids.0 {
        tx.insert_non_match(
            tenant.id,
            item.subject_customer_id,
            *candidate,
            staff_id(actor),
        )
        .await?;
    }
    let rejected = json!({"not_the_same_person": true});
    decide(
        &mut tx,
        tenant,
        &item,
        ReviewStatus::Rejected,
        actor,
        &rejected,
    )
    .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "review.rejected", "review_item")
            .entity(item_id)
            .customer(item.subject_customer_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Decides a customer's dispute ("this is not me" about one identifier): `unlink` removes the
/// identifier from the profile (and from its primaries), otherwise it stays. Either way the
/// item is closed: accepted (`merged`, the proposal taken) or `rejected`, with the decision.
pub async fn decide_dispute(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    item_id: Uuid,
    unlink: bool,
) -> ServiceResult<()> {
    may_merge(actor)?;
    let mut tx = store.begin().await?;
    let item = open_item(&mut tx, tenant, item_id).await?;
    let identity_id = item
        .evidence
        .0
        .pointer("/disputed/identity_id")
        .and_then(|v| v.as_str())
        .and_then(|v| Uuid::parse_str(v).ok())
        .ok_or_else(|| ServiceError::invalid("item", "this review item is not a dispute"))?;
    let (status, decision) = if unlink {
        (ReviewStatus::Merged, json!({ "dispute": "unlinked" }))
    } else {
        (ReviewStatus::Rejected, json!({ "dispute": "kept" }))
    };
    decide(&mut tx, tenant, &item, status, actor, &decision).await?;
    let customer_id = item.subject_customer_id;
    let identity = tx
        .identities_of(tenant.id, customer_id)
        .await?
        .into_iter()
        .find(|i| i.id == identity_id);
    if unlink && let Some(identity) = &identity {
        tx.delete_identity(tenant.id, identity.id).await?;
        if let Some(mut row) = tx.customer(tenant.id, customer_id).await? {
            let value = Some(identity.value.clone());
            let mut changed = false;
            if identity.kind == "email" && row.primary_email == value {
                row.primary_email = None;
                changed = true;
            }
            if identity.kind == "phone" && row.primary_phone == value {
                row.primary_phone = None;
                changed = true;
            }
            if changed {
                row.updated_at = chrono::Utc::now();
                tx.write_customer(&row, &display_name_keys(row.display_name.as_deref()))
                    .await?;
            }
        }
    }
    tx.append_audit(
        tenant.id,
        &audit(
            actor,
            if unlink {
                "identity.unlinked"
            } else {
                "review.dispute_kept"
            },
            "review_item",
        )
        .entity(item_id)
        .customer(customer_id)
        .before_maybe(
            identity
                .as_ref()
                .map(|i| json!({ "kind": i.kind, "provider": i.provider, "value": i.value })),
        )
        .after(decision),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::why;
    use serde_json::json;
    use uuid::Uuid;

    #[test]
    fn several_profiles_say_which_identifier_points_where() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let evidence = json!([
            {"id": a, "confidence": 0.99, "explanation": [
                {"comparison": "email", "level": "exact", "effect": 0.97},
                {"comparison": "last_name", "level": "exact", "effect": 7.4}]},
            {"id": b, "confidence": 0.98, "explanation": [
                {"comparison": "phone", "level": "exact", "effect": 0.95},
                {"comparison": "handle", "level": "variant", "effect": 0.6}]},
        ]);
        let names = |id: Uuid| {
            Some(if id == a {
                "Ana Lopez".to_owned()
            } else {
                "Ana López".to_owned()
            })
        };
        assert_eq!(
            why(&evidence, &names),
            "The email points to Ana Lopez; the phone and handle to Ana López."
        );
    }

    #[test]
    fn one_profile_says_what_is_the_same_alike_and_different() {
        let a = Uuid::now_v7();
        let evidence = json!([{"id": a, "confidence": 0.7, "explanation": [
            {"comparison": "last_name", "level": "exact", "effect": 7.7},
            {"comparison": "email", "level": "exact", "effect": 0.9},
            {"comparison": "first_name", "level": "jaro_winkler >= 0.92", "effect": 1.4},
            {"comparison": "other:address_hash", "level": "one_slip", "effect": 2.0},
            {"comparison": "phone", "level": "else", "effect": -2.3},
            {"comparison": "distinct_person", "level": "capped", "effect": 0.5}]}]);
        assert_eq!(
            why(&evidence, &|_| None),
            "Same family name and email; first name and address alike; phone different."
        );
    }

    #[test]
    fn disputes_and_unreadable_evidence_say_what_they_can() {
        assert_eq!(
            why(&json!({"claims": []}), &|_| None),
            "A message gave contact details another profile holds."
        );
        assert_eq!(why(&json!({"odd": 1}), &|_| None), "");
        assert_eq!(why(&json!([]), &|_| None), "");
        let lone = json!([{"id": Uuid::now_v7(), "confidence": 0.9, "explanation": []},
                          {"id": Uuid::now_v7(), "confidence": 0.9, "explanation": []}]);
        assert_eq!(
            why(&lone, &|_| None),
            "The name points to a profile with no name; the name to a profile with no name."
        );
    }
}
