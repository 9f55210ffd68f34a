//! The tenant's settings an admin changes in the console: the match thresholds (when ingestion
//! links on its own, when it asks a person) and the default phone region. Every change audited.

use serde::{Deserialize, Serialize};
use serde_json::json;

use spine_engine::normalize::phone::Region;

use crate::services::audit;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantSettings {
    /// At or above: link automatically (0..1).
    pub link_threshold: f64,
    /// At or above (and below the link threshold): a person reviews.
    pub review_threshold: f64,
    /// Where a phone number written without a country code is assumed to be (ISO 3166 code).
    pub default_region: String,
}

/// The tenant's settings as stored now (the `Tenant` a process loaded may be older).
pub async fn tenant_settings(store: &Store, tenant: &Tenant) -> ServiceResult<TenantSettings> {
    let row = store
        .read()
        .await?
        .tenant_by_id(tenant.id)
        .await?
        .ok_or(ServiceError::NotFound("tenant"))?;
    Ok(TenantSettings {
        link_threshold: row.link_threshold,
        review_threshold: row.review_threshold,
        default_region: row.default_region,
    })
}

/// Checks and stores new settings; returns them as stored.
pub async fn update_tenant_settings(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    new: &TenantSettings,
) -> ServiceResult<TenantSettings> {
    let in_range = |v: f64| v.is_finite() && v > 0.0 && v <= 1.0;
    if !in_range(new.link_threshold) {
        return Err(ServiceError::invalid(
            "link_threshold",
            "must be a number above 0 and at most 1",
        ));
    }
    if !in_range(new.review_threshold) {
        return Err(ServiceError::invalid(
            "review_threshold",
            "must be a number above 0 and at most 1",
        ));
    }
    if new.review_threshold >= new.link_threshold {
        return Err(ServiceError::invalid(
            "review_threshold",
            "must be below the link threshold",
        ));
    }
    let region = new.default_region.trim().to_uppercase();
    Region::parse(&region).map_err(|e| ServiceError::invalid("default_region", e))?;

    let before = tenant_settings(store, tenant).await?;
    let after = TenantSettings {
        link_threshold: new.link_threshold,
        review_threshold: new.review_threshold,
        default_region: region,
    };
    let mut tx = store.begin().await?;
    tx.set_thresholds(tenant.id, after.link_threshold, after.review_threshold)
        .await?;
    tx.set_default_region(tenant.id, &after.default_region)
        .await?;
    tx.append_audit(
        tenant.id,
        &audit(
            actor,
            "tenant.settings_updated",
            "tenant",
            Some(tenant.slug.clone()),
            None,
            Some(json!(before)),
            Some(json!(after)),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
