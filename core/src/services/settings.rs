//! The tenant's settings an admin changes in the console: the match thresholds (when ingestion
//! links on its own, when it asks a person), the default phone region, and the conversation
//! memory's windows (how long a thread continues, when a resolved one reopens, when it is
//! archived). Every change audited.

use std::time::Duration;

use spine_engine::conversation::ThreadPolicy;

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
    #[serde(flatten)]
    pub memory: MemorySettings,
}

/// How conversations are grouped and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemorySettings {
    /// A message continues a thread whose last message is at most this old (1 to 720 hours).
    pub thread_window_hours: i32,
    /// A resolved thread is reopened by a message naming one of its orders or bookings at
    /// most this long after its last message (0 to 720 hours; 0 never reopens).
    pub thread_reopen_hours: i32,
    /// Resolved threads are archived this many days after they were resolved: their summary
    /// is kept, their text moves to a transcript read on demand (1 to 3650; 0 never archives).
    pub archive_after_days: i32,
}

impl Default for MemorySettings {
    fn default() -> MemorySettings {
        MemorySettings {
            thread_window_hours: 72,
            thread_reopen_hours: 24,
            archive_after_days: 90,
        }
    }
}

impl MemorySettings {
    pub const MAX_WINDOW_HOURS: i32 = 720;

    /// The tenant's windows as stored.
    pub(crate) fn of(row: &crate::store::TenantRow) -> MemorySettings {
        MemorySettings {
            thread_window_hours: row.thread_window_hours,
            thread_reopen_hours: row.thread_reopen_hours,
            archive_after_days: row.archive_after_days,
        }
    }

    pub const MAX_ARCHIVE_DAYS: i32 = 3650;

    /// The engine's continuation rules for these windows.
    pub fn policy(&self) -> ThreadPolicy {
        let hours = |h: i32| Duration::from_secs(u64::try_from(h.max(0)).unwrap_or(0) * 3600);
        ThreadPolicy {
            window: hours(self.thread_window_hours),
            reopen_window: hours(self.thread_reopen_hours),
        }
    }

    /// Every rule the console and the API enforce, naming the field that breaks one.
    pub fn check(&self) -> ServiceResult<()> {
        let max = Self::MAX_WINDOW_HOURS;
        if !(1..=max).contains(&self.thread_window_hours) {
            return Err(ServiceError::invalid(
                "thread_window_hours",
                format!("must be a whole number of hours from 1 to {max}"),
            ));
        }
        if !(0..=max).contains(&self.thread_reopen_hours) {
            return Err(ServiceError::invalid(
                "thread_reopen_hours",
                format!("must be a whole number of hours from 0 (never) to {max}"),
            ));
        }
        if !(0..=Self::MAX_ARCHIVE_DAYS).contains(&self.archive_after_days) {
            return Err(ServiceError::invalid(
                "archive_after_days",
                format!(
                    "must be a whole number of days from 0 (never) to {}",
                    Self::MAX_ARCHIVE_DAYS
                ),
            ));
        }
        if self.archive_after_days > 0 && self.archive_after_days * 24 < self.thread_reopen_hours {
            return Err(ServiceError::invalid(
                "archive_after_days",
                "must be at least the reopen window, or a thread could be archived while a message could still reopen it",
            ));
        }
        Ok(())
    }
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
        memory: MemorySettings::of(&row),
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
    new.memory.check()?;

    let before = tenant_settings(store, tenant).await?;
    let after = TenantSettings {
        link_threshold: new.link_threshold,
        review_threshold: new.review_threshold,
        default_region: region,
        memory: new.memory,
    };
    let mut tx = store.begin().await?;
    tx.set_thresholds(tenant.id, after.link_threshold, after.review_threshold)
        .await?;
    tx.set_default_region(tenant.id, &after.default_region)
        .await?;
    tx.set_memory_windows(
        tenant.id,
        after.memory.thread_window_hours,
        after.memory.thread_reopen_hours,
        after.memory.archive_after_days,
    )
    .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "tenant.settings_updated", "tenant")
            .entity(tenant.slug.clone())
            .before(json!(before))
            .after(json!(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
