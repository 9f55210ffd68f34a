//! Possible duplicates of an existing profile: the other active profiles that share one of its
//! identifiers, or whose name the engine finds alike, scored the way real-time resolution scores
//! an incoming sender (`spine_engine::resolve`), so the console shows what the engine sees.

use std::collections::BTreeMap;

use uuid::Uuid;

use spine_engine::identifier::IdentifierKind;
use spine_engine::record::{Field, RawRecord, Record};
use spine_engine::resolve::{
    Candidate, Contribution, MatchLevel, ProfileEvidence, ScoredCandidate, SharedIdentifier,
    score_candidates,
};
use spine_engine::search::NameQuery;

use crate::services::customers::{scored_by_name, with_channels};
use crate::services::matching::current_model;
use crate::services::{ServiceError, ServiceResult, Tenant};
use crate::store::{CustomerRow, Store, Tx};
use crate::types::{Agreement, DuplicateCandidate};

/// How many candidates the panel shows, best first.
pub const MAX_DUPLICATES: usize = 10;
/// Name look-alikes considered (profiles sharing a name search key).
const NAME_LOOKALIKES: i64 = 50;
/// A name at least this similar (per-word Jaro-Winkler, nicknames equal) is a look-alike.
const NAME_ALIKE: f64 = 0.9;
/// A look-alike by name alone is shown when the model finds it at least as likely as not: a name
/// never links on its own (with the default model an exact full name scores about 0.57, below
/// the review threshold), but it is worth a person's look.
const LOOKALIKE_MIN: f64 = 0.5;

/// The other active profiles that may be this person, best first: those sharing an identifier
/// (exactly or as a provider variant) scored from the identifiers and the match model's name
/// comparisons; those an open review item pairs it with, as the engine scored them then; and
/// those whose name alone looks alike, scored by the model. Pairs a person
/// marked "not the same person" are left out, as are those scoring below the review threshold
/// (look-alikes by name: below even odds).
pub async fn possible_duplicates(
    store: &Store,
    tenant: &Tenant,
    id: Uuid,
) -> ServiceResult<Vec<DuplicateCandidate>> {
    let mut tx = store.read().await?;
    let subject = tx
        .customer(tenant.id, id)
        .await?
        .filter(|c| c.deleted_at.is_none() && c.merged_into.is_none())
        .ok_or(ServiceError::NotFound("customer"))?;
    let model = current_model(&mut tx, tenant).await?;
    let candidates = sharing_identifiers(&mut tx, tenant, id).await?;

    let mut rows: BTreeMap<Uuid, CustomerRow> = BTreeMap::new();
    for candidate in &candidates {
        if let Some(row) = tx.customer(tenant.id, candidate.id).await? {
            rows.insert(candidate.id, row);
        }
    }
    if let Some(query) = subject.display_name.as_deref().and_then(NameQuery::parse) {
        let alike: Vec<Uuid> = scored_by_name(&mut tx, tenant, &query, NAME_LOOKALIKES)
            .await?
            .into_iter()
            .filter(|(score, other)| *other != id && *score >= NAME_ALIKE)
            .map(|(_, other)| other)
            .collect();
        for row in tx.customers_by_ids(tenant.id, &alike).await? {
            rows.entry(row.id).or_insert(row);
        }
    }

    let records: BTreeMap<Uuid, Record> = rows
        .iter()
        .filter_map(|(id, row)| Some((*id, name_record(row.display_name.as_deref()?, tenant))))
        .collect();
    let incoming = subject
        .display_name
        .as_deref()
        .map(|name| name_record(name, tenant))
        .unwrap_or_else(|| name_record("", tenant));

    let mut scored: Vec<(Uuid, f64, Vec<Contribution>)> = score_candidates(
        &candidates,
        tenant.thresholds,
        &ProfileEvidence {
            model: &model,
            incoming: &incoming,
            records: &records,
        },
    )
    .into_iter()
    .map(|s| (s.id, s.confidence, s.explanation))
    .collect();
    // Look-alikes by name only: the model's own probability for the pair of names.
    let mut lookalikes = Vec::new();
    for (other, record) in &records {
        if candidates.iter().any(|c| c.id == *other) {
            continue;
        }
        let prediction = model.score(&incoming, record, None);
        let explanation = prediction
            .explanation
            .iter()
            .filter(|c| c.level_index.is_some())
            .map(|c| Contribution {
                comparison: c.name.clone(),
                level: c.level.clone(),
                effect: c.weight,
            })
            .collect();
        if prediction.probability >= LOOKALIKE_MIN {
            lookalikes.push(*other);
            scored.push((*other, prediction.probability, explanation));
        }
    }

    // Conflicts ingestion left for a person: a provisional profile holds none of the disputed
    // identifiers, so its review items are where the engine's view of the pair lives.
    for item in tx.open_review_items_about(tenant.id, id).await? {
        let Ok(evidence) = serde_json::from_value::<Vec<ScoredCandidate<Uuid>>>(item.evidence.0)
        else {
            continue;
        };
        let seen: Vec<(Uuid, ScoredCandidate<Uuid>)> = if item.subject_customer_id == id {
            evidence.into_iter().map(|c| (c.id, c)).collect()
        } else {
            evidence
                .into_iter()
                .filter(|c| c.id == id)
                .map(|c| (item.subject_customer_id, c))
                .collect()
        };
        for (other, candidate) in seen {
            if let std::collections::btree_map::Entry::Vacant(slot) = rows.entry(other) {
                match tx.customer(tenant.id, other).await? {
                    Some(row) if row.deleted_at.is_none() && row.merged_into.is_none() => {
                        slot.insert(row);
                    }
                    _ => continue,
                }
            }
            match scored.iter_mut().find(|(o, _, _)| *o == other) {
                Some(known) if known.1 >= candidate.confidence => {}
                Some(known) => *known = (other, candidate.confidence, candidate.explanation),
                None => scored.push((other, candidate.confidence, candidate.explanation)),
            }
        }
    }

    let mut kept = Vec::new();
    for (other, score, explanation) in scored {
        let bar = if lookalikes.contains(&other) {
            LOOKALIKE_MIN
        } else {
            tenant.thresholds.review
        };
        if other == id || score < bar || tx.is_non_match(tenant.id, id, other).await? {
            continue;
        }
        kept.push((other, score, explanation));
    }
    kept.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    kept.truncate(MAX_DUPLICATES);

    let page: Vec<CustomerRow> = kept
        .iter()
        .filter_map(|(other, _, _)| rows.get(other).cloned())
        .collect();
    let summaries = with_channels(&mut tx, tenant, page).await?;
    Ok(kept
        .into_iter()
        .filter_map(|(other, score, explanation)| {
            let customer = summaries.iter().find(|s| s.id == other)?.clone();
            Some(DuplicateCandidate {
                customer,
                score,
                agreed: explanation
                    .into_iter()
                    .filter(|c| c.effect > 0.0 && c.comparison != "distinct_person")
                    .map(|c| Agreement {
                        comparison: c.comparison,
                        level: c.level,
                        effect: c.effect,
                    })
                    .collect(),
            })
        })
        .collect())
}

/// Active profiles (other than `id`) holding one of its identifiers, exactly or as a provider
/// variant (same match key), with how each identifier met: the candidates ingestion would see
/// if this profile's identifiers arrived in one event.
async fn sharing_identifiers(
    tx: &mut Tx,
    tenant: &Tenant,
    id: Uuid,
) -> ServiceResult<Vec<Candidate<Uuid>>> {
    let mut shared: BTreeMap<Uuid, Vec<SharedIdentifier>> = BTreeMap::new();
    for identity in tx.identities_of(tenant.id, id).await? {
        let Some(kind) = IdentifierKind::parse(&identity.kind) else {
            continue;
        };
        let exact = tx
            .identities_matching(
                tenant.id,
                &identity.kind,
                &identity.provider,
                &identity.value,
            )
            .await?;
        let variants = tx
            .identities_by_match_key(tenant.id, &identity.kind, &identity.match_key)
            .await?;
        let met = exact
            .into_iter()
            .map(|row| (row, MatchLevel::Exact))
            .chain(variants.into_iter().map(|row| (row, MatchLevel::Variant)));
        for (row, level) in met {
            if row.customer_id == id {
                continue;
            }
            let list = shared.entry(row.customer_id).or_default();
            // One entry per kind, the strongest level.
            match list.iter_mut().find(|s| s.kind == kind) {
                Some(s) if s.level == MatchLevel::Variant && level == MatchLevel::Exact => {
                    s.level = level
                }
                Some(_) => {}
                None => list.push(SharedIdentifier {
                    kind,
                    level,
                    source_confidence: identity.confidence.clamp(0.0, 1.0),
                }),
            }
        }
    }
    Ok(shared
        .into_iter()
        .map(|(id, shared)| Candidate { id, shared })
        .collect())
}

/// A profile as the match model compares people here: by name (identifiers are counted apart).
fn name_record(name: &str, tenant: &Tenant) -> Record {
    let fields = if name.trim().is_empty() {
        Default::default()
    } else {
        [(Field::FullName, name.to_owned())].into()
    };
    Record::from_raw(
        &RawRecord {
            id: String::new(),
            fields,
        },
        tenant.region,
    )
    .0
}
