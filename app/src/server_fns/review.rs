//! The review queue and merges: listing the queue, one item side by side with the engine's
//! explanation, and the decisions (merge with chosen values, not the same person, defer), plus
//! the manual merge of two customers. Admin only (`ReviewMatches`, `MergeCustomers`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ConsoleError;

/// One row of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: Uuid,
    /// Where the item is decided: its review page, or for a customer's dispute (no second
    /// profile), the customer's page.
    pub href: String,
    pub subject_name: String,
    pub candidate_name: String,
    pub score: f64,
    pub reason: String,
    /// Why it waits, in one sentence.
    pub why: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewQueue {
    /// "confidence" or "age".
    pub order: String,
    /// For the form that decides several items at once.
    pub csrf: String,
    /// The latest duplicate sweep, shown above the queue (one request for both keeps the page
    /// to one resource).
    pub sweep: Option<crate::server_fns::sweep::SweepView>,
    pub now: DateTime<Utc>,
    pub items: Vec<QueueRow>,
}

/// How the two profiles' values for one field relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Agreement {
    /// The same value.
    Equal,
    /// The same once case, spacing and punctuation are ignored.
    Variant,
    /// A name the match model reads as the same one: a nickname, a slip, an initial.
    Alike,
    Different,
    /// One side (or both) has no value.
    Missing,
}

impl Agreement {
    pub fn as_str(self) -> &'static str {
        match self {
            Agreement::Equal => "equal",
            Agreement::Variant => "variant",
            Agreement::Alike => "alike",
            Agreement::Different => "different",
            Agreement::Missing => "missing",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldRow {
    /// The field's name in the merge (`display_name`...), used by the choice radios.
    pub name: String,
    pub label: String,
    pub survivor: Option<String>,
    pub absorbed: Option<String>,
    pub agreement: Agreement,
    /// Both sides hold a different value: a person chooses.
    pub conflict: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityLine {
    pub kind: String,
    pub provider: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideView {
    pub id: Uuid,
    pub name: String,
    pub identities: Vec<IdentityLine>,
    pub tags: Vec<String>,
}

/// Two profiles side by side, as a merge would treat them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub survivor: SideView,
    pub absorbed: SideView,
    pub fields: Vec<FieldRow>,
}

/// One line of the engine's explanation: a comparison, the level it reached, its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplanationLine {
    pub comparison: String,
    pub level: String,
    pub effect: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewCaseView {
    pub id: Uuid,
    pub status: spine_core::types::ReviewStatus,
    pub reason: String,
    /// Why it waits, in one sentence.
    pub why: String,
    pub score: f64,
    pub created_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub comparison: Comparison,
    /// How the first candidate was scored against the subject.
    pub explanation: Vec<ExplanationLine>,
    /// More than one profile claimed the sender; the others are reviewed from their own pages.
    pub other_candidates: usize,
    pub previous: Option<Uuid>,
    pub next: Option<Uuid>,
    pub csrf: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManualMergeView {
    pub comparison: Comparison,
    pub csrf: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use spine_engine::merge::{Choice, FieldOutcome, MergePlan, MergeSide};

    const LABELS: [(&str, &str); 9] = [
        ("display_name", "Name"),
        ("given_name", "Given name"),
        ("family_name", "Family name"),
        ("primary_email", "Email"),
        ("primary_phone", "Phone"),
        ("lifecycle_stage", "Stage"),
        ("preferred_channel", "Preferred channel"),
        ("timezone", "Time zone"),
        ("language", "Language"),
    ];

    fn folded(v: &str) -> String {
        v.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    }

    fn side(id: Uuid, side: &MergeSide) -> SideView {
        SideView {
            id,
            name: side
                .fields
                .get("display_name")
                .cloned()
                .flatten()
                .unwrap_or_else(|| "(no name yet)".to_owned()),
            identities: side
                .identities
                .iter()
                .map(|i| IdentityLine {
                    kind: i.kind.clone(),
                    provider: i.provider.clone(),
                    value: i.value.clone(),
                })
                .collect(),
            tags: side.lists.get("tags").cloned().unwrap_or_default(),
        }
    }

    /// The plan as the page shows it: fields in a person's order, each with its agreement.
    pub fn comparison(survivor_id: Uuid, absorbed_id: Uuid, plan: &MergePlan) -> Comparison {
        let fields = LABELS
            .iter()
            .filter_map(|(name, label)| {
                let f = plan.fields.iter().find(|f| f.name == *name)?;
                let agreement = match (f.outcome, &f.survivor, &f.absorbed) {
                    (FieldOutcome::Same, Some(_), Some(_)) => Agreement::Equal,
                    (FieldOutcome::Conflict, Some(a), Some(b)) if folded(a) == folded(b) => {
                        Agreement::Variant
                    }
                    (FieldOutcome::Conflict, Some(a), Some(b))
                        if spine_engine::merge::names_alike(name, a, b) =>
                    {
                        Agreement::Alike
                    }
                    (FieldOutcome::Conflict, _, _) => Agreement::Different,
                    _ => Agreement::Missing,
                };
                Some(FieldRow {
                    name: f.name.clone(),
                    label: (*label).to_owned(),
                    survivor: f.survivor.clone(),
                    absorbed: f.absorbed.clone(),
                    agreement,
                    conflict: f.outcome == FieldOutcome::Conflict,
                })
            })
            .collect();
        Comparison {
            survivor: side(survivor_id, &plan.undo.survivor),
            absorbed: side(absorbed_id, &plan.undo.absorbed),
            fields,
        }
    }

    /// The form's radios (`choices[field]=survivor|absorbed`) as the merge's choices.
    pub fn parse_choices(
        raw: Option<BTreeMap<String, String>>,
    ) -> Result<BTreeMap<String, Choice>, ConsoleError> {
        raw.unwrap_or_default()
            .into_iter()
            .map(|(field, take)| match take.as_str() {
                "survivor" => Ok((field, Choice::Survivor)),
                "absorbed" => Ok((field, Choice::Absorbed)),
                _ => Err(ConsoleError::Invalid(format!(
                    "Choose one of the two values for {field}."
                ))),
            })
            .collect()
    }

    /// Where to go once an item is decided: the next pending item, else the (empty) queue.
    pub async fn go_to_next_item() -> Result<(), ConsoleError> {
        use crate::server_fns::ssr::{service_error, state};
        let state = state()?;
        let next =
            spine_core::services::review::pending_review_items(&state.store, &state.tenant, 1)
                .await
                .map_err(service_error)?;
        let url = next
            .first()
            .map_or_else(|| "/review".to_owned(), |i| format!("/review/{}", i.id));
        leptos_axum::redirect(&url);
        Ok(())
    }
}

/// The pending items, by confidence (default) or age.
#[server(endpoint = "list_review_items")]
pub async fn list_review_items(order: String) -> Result<ReviewQueue, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::review::{QueueOrder, review_queue};

    respond(
        async move {
            let session = require_staff(Permission::ReviewMatches)?;
            let state = state()?;
            let (order, by) = match order.as_str() {
                "age" => ("age", QueueOrder::Age),
                _ => ("confidence", QueueOrder::Confidence),
            };
            let entries = review_queue(&state.store, &state.tenant, by, 200)
                .await
                .map_err(service_error)?;
            let sweep = spine_core::services::sweep::latest_sweep(&state.store, &state.tenant)
                .await
                .map_err(service_error)?
                .map(crate::server_fns::sweep::view_of);
            let unnamed = || "(no name yet)".to_owned();
            Ok(ReviewQueue {
                order: order.to_owned(),
                csrf: session.csrf_token().to_owned(),
                sweep,
                now: Utc::now(),
                items: entries
                    .into_iter()
                    .map(|e| QueueRow {
                        id: e.item.id,
                        href: if e.item.candidate_ids.is_empty() {
                            format!("/customers/{}#disputes", e.item.subject_customer_id)
                        } else {
                            format!("/review/{}", e.item.id)
                        },
                        subject_name: e.subject_name.unwrap_or_else(unnamed),
                        // A dispute has no second profile: the row names the customer alone.
                        candidate_name: if e.item.candidate_ids.is_empty() {
                            String::new()
                        } else {
                            e.candidate_name.unwrap_or_else(unnamed)
                        },
                        score: e.item.score,
                        reason: e.item.reason,
                        why: e.why,
                        created_at: e.item.created_at,
                    })
                    .collect(),
            })
        }
        .await,
    )
}

/// How many items wait, for the navigation's badge (`None` for roles that do not review).
#[server(endpoint = "count_review_items")]
pub async fn count_review_items() -> Result<Option<i64>, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let session = require_session()?;
            if !session.staff.can(Permission::ReviewMatches) {
                return Ok(None);
            }
            let state = state()?;
            spine_core::services::review::count_pending_review_items(&state.store, &state.tenant)
                .await
                .map(Some)
                .map_err(service_error)
        }
        .await,
    )
}

/// One item, side by side, with the engine's explanation and its neighbours in the queue.
#[server(endpoint = "get_review_item")]
pub async fn get_review_item(id: String) -> Result<ReviewCaseView, ConsoleError> {
    use self::ssr::*;
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::review::{pending_review_items, review_case};

    respond(
        async move {
            let session = require_staff(Permission::ReviewMatches)?;
            let state = state()?;
            let id = parse_id(&id, "review item")?;
            let case = review_case(&state.store, &state.tenant, id)
                .await
                .map_err(service_error)?;
            let queue: Vec<Uuid> = pending_review_items(&state.store, &state.tenant, 500)
                .await
                .map_err(service_error)?
                .into_iter()
                .map(|i| i.id)
                .collect();
            let at = queue.iter().position(|q| *q == id);
            let (previous, next) = match at {
                Some(i) => (
                    i.checked_sub(1).and_then(|p| queue.get(p).copied()),
                    queue.get(i + 1).copied(),
                ),
                None => (None, queue.first().copied()),
            };
            // The evidence is the scored candidates (`ScoredCandidate`): the first one's lines.
            let explanation = case
                .item
                .evidence
                .as_array()
                .and_then(|all| {
                    all.iter()
                        .find(|c| c["id"].as_str() == Some(case.survivor_id.to_string().as_str()))
                        .or_else(|| all.first())
                })
                .and_then(|c| c["explanation"].as_array())
                .map(|lines| {
                    lines
                        .iter()
                        .map(|l| ExplanationLine {
                            comparison: l["comparison"].as_str().unwrap_or_default().to_owned(),
                            level: l["level"].as_str().unwrap_or_default().to_owned(),
                            effect: l["effect"].as_f64().unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(ReviewCaseView {
                id,
                status: case.item.status,
                reason: case.item.reason.clone(),
                why: case.why.clone(),
                score: case.item.score,
                created_at: case.item.created_at,
                now: Utc::now(),
                comparison: comparison(case.survivor_id, case.absorbed_id, &case.plan),
                explanation,
                other_candidates: case.item.candidate_ids.len().saturating_sub(1),
                previous,
                next,
                csrf: session.csrf_token().to_owned(),
            })
        }
        .await,
    )
}

/// "The same person": merges the item with the chosen values, then opens the next item.
#[server(endpoint = "merge_review")]
pub async fn merge_review(
    csrf: String,
    id: String,
    choices: Option<BTreeMap<String, String>>,
) -> Result<(), ConsoleError> {
    use self::ssr::*;
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::ReviewMatches, &csrf)?;
            let id = parse_id(&id, "review item")?;
            let choices = parse_choices(choices)?;
            spine_core::services::review::merge_review_item(
                &state.store,
                &state.tenant,
                &session.actor(),
                id,
                None,
                None,
                &choices,
            )
            .await
            .map_err(service_error)?;
            go_to_next_item().await
        }
        .await,
    )
}

/// What deciding several items did, as the queue says it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecidedView {
    pub decided: usize,
    /// Each refused item's reason.
    pub refused: Vec<String>,
}

/// The queue's checked items (`ids[item-ID]=on`) all decided one way: `merge`, `reject` or `defer`.
#[server(endpoint = "decide_review_items")]
pub async fn decide_review_items(
    csrf: String,
    decision: String,
    ids: Option<BTreeMap<String, String>>,
) -> Result<DecidedView, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::review::ItemDecision;

    respond(
        async move {
            let (session, state) = require_change(Permission::ReviewMatches, &csrf)?;
            let decision = match decision.as_str() {
                "merge" => ItemDecision::Merge,
                "reject" => ItemDecision::Reject,
                "defer" => ItemDecision::Defer,
                _ => {
                    return Err(ConsoleError::Invalid(
                        "Choose merge, not the same person or decide later.".into(),
                    ));
                }
            };
            let ids = ids
                .unwrap_or_default()
                .keys()
                // `item-` first: a key that starts with a digit would read as a list index.
                .map(|raw| parse_id(raw.strip_prefix("item-").unwrap_or(raw), "review item"))
                .collect::<Result<Vec<_>, _>>()?;
            if ids.is_empty() {
                return Err(ConsoleError::Invalid(
                    "Tick the items to decide first.".into(),
                ));
            }
            let outcome = spine_core::services::review::decide_review_items(
                &state.store,
                &state.tenant,
                &session.actor(),
                &ids,
                decision,
            )
            .await
            .map_err(service_error)?;
            // Without JavaScript the form posts here: back to the queue.
            leptos_axum::redirect("/review");
            Ok(DecidedView {
                decided: outcome.decided,
                refused: outcome.refused.into_iter().map(|(_, why)| why).collect(),
            })
        }
        .await,
    )
}

/// "Not the same person" (remembered) or "decide later", then the next item.
#[server(endpoint = "decide_review")]
pub async fn decide_review(csrf: String, id: String, decision: String) -> Result<(), ConsoleError> {
    use self::ssr::*;
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::ReviewMatches, &csrf)?;
            let id = parse_id(&id, "review item")?;
            let (store, tenant, actor) = (&state.store, &state.tenant, session.actor());
            match decision.as_str() {
                "reject" => {
                    spine_core::services::review::reject_review_item(store, tenant, &actor, id)
                        .await
                }
                "defer" => {
                    spine_core::services::review::defer_review_item(store, tenant, &actor, id).await
                }
                _ => {
                    return Err(ConsoleError::Invalid(
                        "Choose merge, not the same person or defer.".into(),
                    ));
                }
            }
            .map_err(service_error)?;
            go_to_next_item().await
        }
        .await,
    )
}

/// Two customers side by side before merging `absorbed` into `survivor` by hand.
#[server(endpoint = "get_manual_merge")]
pub async fn get_manual_merge(
    survivor: String,
    absorbed: String,
) -> Result<ManualMergeView, ConsoleError> {
    use self::ssr::*;
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let session = require_staff(Permission::MergeCustomers)?;
            let state = state()?;
            let (survivor, absorbed) = (
                parse_id(&survivor, "customer")?,
                parse_id(&absorbed, "customer")?,
            );
            let plan = spine_core::services::merge::preview_merge(
                &state.store,
                &state.tenant,
                spine_core::services::merge::MergePair { survivor, absorbed },
            )
            .await
            .map_err(service_error)?;
            Ok(ManualMergeView {
                comparison: comparison(survivor, absorbed, &plan),
                csrf: session.csrf_token().to_owned(),
            })
        }
        .await,
    )
}

/// Merges two customers by hand with the chosen values, then opens the survivor.
#[server(endpoint = "merge_pair")]
pub async fn merge_pair(
    csrf: String,
    survivor: String,
    absorbed: String,
    choices: Option<BTreeMap<String, String>>,
) -> Result<(), ConsoleError> {
    use self::ssr::*;
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::MergeCustomers, &csrf)?;
            let (survivor, absorbed) = (
                parse_id(&survivor, "customer")?,
                parse_id(&absorbed, "customer")?,
            );
            let choices = parse_choices(choices)?;
            let outcome = spine_core::services::merge::merge_customers(
                &state.store,
                &state.tenant,
                &session.actor(),
                spine_core::services::merge::MergePair { survivor, absorbed },
                &choices,
                None,
            )
            .await
            .map_err(service_error)?;
            leptos_axum::redirect(&format!("/customers/{}", outcome.survivor_id));
            Ok(())
        }
        .await,
    )
}
