//! The tenant's match model: trained on its own profiles (u from random pairs, m and λ by EM on
//! candidate pairs), stored, and loaded by real-time resolution. Defaults until then.

use serde::Serialize;
use serde_json::json;

use spine_engine::blocking::{BlockingRule, candidate_pairs_sampled};
use spine_engine::dedupe::{DedupeOptions, SESSION_RULES, is_plausible, train};
use spine_engine::model::Model;
use spine_engine::normalize::phone::Region;
use spine_engine::record::{Field, RawRecord, normalize_all};

use crate::services::audit;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::{Store, Tx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainReport {
    pub profiles: usize,
    pub candidate_pairs: usize,
    pub em_iterations: u32,
    pub em_converged: bool,
    /// False when EM's answer was implausible and only u (the tenant's own value frequencies) was kept.
    pub em_used: bool,
    pub prior: f64,
}

/// The model real-time resolution uses for this tenant: its newest trained one, else the defaults.
pub async fn current_model(tx: &mut Tx, tenant: &Tenant) -> ServiceResult<Model> {
    match tx.latest_match_model(tenant.id).await? {
        Some((json, _)) => match serde_json::from_value::<Model>(json) {
            Ok(model) => Ok(model),
            Err(e) => {
                tracing::warn!(tenant = %tenant.slug, error = %e, "stored match model is unreadable; using the defaults");
                Ok(Model::default_for_people())
            }
        },
        None => Ok(Model::default_for_people()),
    }
}

/// Trains the tenant's model on its active profiles and stores it.
pub async fn train_match_model(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
) -> ServiceResult<TrainReport> {
    let profiles = store.read().await?.profile_features(tenant.id).await?;
    if profiles.len() < 2 {
        return Err(ServiceError::invalid(
            "profiles",
            "at least two profiles are needed to learn from",
        ));
    }
    let raws: Vec<RawRecord> = profiles
        .into_iter()
        .map(|(id, name, email, phone)| {
            let fields = [
                (Field::FullName, name),
                (Field::Email, email),
                (Field::Phone, phone),
            ]
            .into_iter()
            .filter_map(|(field, value)| value.map(|v| (field, v)))
            .collect();
            RawRecord {
                id: id.to_string(),
                fields,
            }
        })
        .collect();
    let (report, model) = tokio::task::spawn_blocking(move || {
        // Primaries are stored in E.164, so the default region never has to guess a country.
        let records: Vec<_> = normalize_all(&raws, Region::default())
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        let options = DedupeOptions::default();
        let blocks = candidate_pairs_sampled(
            &records,
            BlockingRule::DEFAULT,
            options.max_block,
            SESSION_RULES,
            options.training_sample,
        );
        let mut model = Model::default_for_people();
        let em = train(
            &records,
            &blocks.pairs,
            &blocks.samples,
            &mut model,
            &options,
            &|_, _, _| {},
        );
        let em_used = is_plausible(&model);
        if !em_used {
            // Keep the tenant's u (how often values collide here) and the default m.
            let mut fallback = Model::default_for_people();
            fallback.estimate_u_from_random_pairs(
                &records,
                options.training_sample as u64,
                options.seed,
            );
            model = fallback;
        }
        let report = TrainReport {
            profiles: records.len(),
            candidate_pairs: blocks.pairs.len(),
            em_iterations: em.iterations,
            em_converged: em.converged,
            em_used,
            prior: model.prior,
        };
        (report, model)
    })
    .await
    .map_err(|e| ServiceError::Conflict(format!("training stopped: {e}")))?;

    let json = serde_json::to_value(&model)
        .map_err(|e| ServiceError::Conflict(format!("cannot store the model: {e}")))?;
    let mut tx = store.begin().await?;
    let id = tx.insert_match_model(tenant.id, &json).await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "match_model.trained", "match_model")
            .entity(id)
            .after(json!(report)),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(tenant = %tenant.slug, profiles = report.profiles, em_used = report.em_used, "match model trained");
    Ok(report)
}
