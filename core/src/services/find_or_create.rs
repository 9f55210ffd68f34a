//! Find-or-create-or-merge for integrations that hold a person's identifiers but no message (a
//! chatbot at sign-in, a web app at sign-up): the customer-management seed's call, with the
//! stricter data-safety rule winning: two accounts are never merged by this call, even with
//! `merge_if_found`; the conflict is answered with the accounts and a review item.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use spine_engine::resolve::Resolution;

use crate::services::customers::{customer_profile, search_summary};
use crate::services::resolution::{
    self, Origin, create_profile, link_all, normalize_sender, patch_from,
};
use crate::services::review::queue_review_item;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant, audit};
use crate::store::{NewReviewItem, Store};
use crate::types::{CustomerProfile, CustomerSummary, IdentifiersInput, OrderView};

/// The orders a found customer's answer lists.
const ORDER_HISTORY: i64 = 10;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The integration's own login id for the person (an auth user id).
    pub login_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Where the request comes from ("chatbot", "webapp"): kept in the profile's sources.
    pub source: String,
    /// When one profile matches, add what this request knows that it lacks.
    #[serde(default)]
    pub merge_if_found: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ResolveOutcome {
    Found {
        customer: CustomerProfile,
        /// The newest orders (at most ten), newest first; `customer.orders` sums them all.
        order_history: Vec<OrderView>,
        is_new_account: bool,
        updated: bool,
        matched_by: Vec<String>,
        confidence: f64,
    },
    Created {
        customer: CustomerProfile,
        is_new_account: bool,
        #[cfg_attr(feature = "openapi", schema(required))]
        review_item_id: Option<Uuid>,
    },
    Conflict {
        accounts: Vec<CustomerSummary>,
        suggested_actions: Vec<String>,
        review_item_id: Uuid,
        message: String,
    },
}

pub async fn resolve_customer(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    request: &ResolveRequest,
) -> ServiceResult<ResolveOutcome> {
    let source = request.source.trim();
    if source.is_empty() || source.chars().count() > 64 {
        return Err(ServiceError::invalid(
            "source",
            "1 to 64 characters naming where the request comes from",
        ));
    }
    let name = [request.first_name.as_deref(), request.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let ids = IdentifiersInput {
        email: request.email.clone(),
        phone: request.phone.clone(),
        login: request.login_id.clone(),
        name: (!name.is_empty()).then_some(name),
        ..IdentifiersInput::default()
    };
    if ids.email.is_none() && ids.phone.is_none() && ids.login.is_none() {
        return Err(ServiceError::invalid(
            "phone",
            "send at least a phone, an email or a login_id",
        ));
    }
    // No channel: the addresses and numbers are the integration's user's word; a login id is
    // the integration's own.
    let sender = normalize_sender(tenant, &ids, None, None)?;
    let now = Utc::now();
    let mut tx = store.begin().await?;
    tx.lock_keys(&resolution::lock_keys(tenant, &sender))
        .await?;
    let model = crate::services::matching::current_model(&mut tx, tenant).await?;
    let decided = resolution::decide(&mut tx, tenant, &model, &sender).await?;
    let resolution = decided.resolution.clone();
    let outcome = match resolution {
        Resolution::Link(best) => {
            if request.merge_if_found {
                let tie = decided.matches.tie(best.id, sender.probes());
                decided
                    .improve(&mut tx, tenant, best.id, &patch_from(&sender, source, now))
                    .await?;
                link_all(&mut tx, tenant, best.id, &sender, Some(tie), now).await?;
                tx.append_audit(
                    tenant.id,
                    &audit(actor, "customer.updated", "customer")
                        .entity(best.id)
                        .customer(best.id)
                        .after(json!({"source": source, "via": "resolve"})),
                )
                .await?;
            }
            tx.commit().await?;
            let order_history: Vec<OrderView> = store
                .read()
                .await?
                .recent_orders(tenant.id, best.id, ORDER_HISTORY)
                .await?
                .into_iter()
                .map(OrderView::from)
                .collect();
            ResolveOutcome::Found {
                customer: customer_profile(store, tenant, best.id).await?,
                order_history,
                is_new_account: false,
                updated: request.merge_if_found,
                matched_by: best.matched_kinds(),
                confidence: best.confidence,
            }
        }
        Resolution::Create | Resolution::Review(_) => {
            let id = create_profile(
                &mut tx,
                tenant,
                actor,
                &sender,
                &Origin {
                    source,
                    campaign: None,
                },
                now,
            )
            .await?;
            link_all(&mut tx, tenant, id, &sender, None, now).await?;
            let review_item_id = match &resolution {
                Resolution::Review(best) => Some(
                    tx.insert_review_item(
                        tenant.id,
                        &NewReviewItem {
                            reason:
                                "possible duplicate: one profile matched below the link threshold"
                                    .into(),
                            subject_customer_id: id,
                            candidate_ids: vec![best.id],
                            evidence: json!([best]),
                            score: best.confidence,
                            interaction_id: None,
                            created_at: now,
                        },
                    )
                    .await?,
                ),
                _ => None,
            };
            tx.commit().await?;
            ResolveOutcome::Created {
                customer: customer_profile(store, tenant, id).await?,
                is_new_account: true,
                review_item_id,
            }
        }
        Resolution::Ambiguous(all) => {
            let ids: Vec<Uuid> = all.iter().map(|c| c.id).collect();
            let review_item_id = queue_review_item(
                &mut tx,
                tenant.id,
                actor,
                &NewReviewItem {
                    reason: format!("account conflict: several profiles match ({source})"),
                    subject_customer_id: ids[0],
                    candidate_ids: ids[1..].to_vec(),
                    evidence: json!(all),
                    score: all.first().map(|c| c.confidence).unwrap_or_default(),
                    interaction_id: None,
                    created_at: now,
                },
                json!({"reason": "account conflict"}),
            )
            .await?;
            tx.commit().await?;
            let mut accounts = Vec::with_capacity(ids.len());
            for id in &ids {
                accounts.push(search_summary(store, tenant, *id).await?);
            }
            ResolveOutcome::Conflict {
                accounts,
                suggested_actions: vec![
                    "Ask the customer which account is theirs, then merge from the review queue"
                        .into(),
                    "Link the accounts: POST /api/v1/review-items/{id}/merge".into(),
                    "Contact support".into(),
                ],
                review_item_id,
                message: "Several accounts match these details; none was merged.".into(),
            }
        }
    };
    Ok(outcome)
}
