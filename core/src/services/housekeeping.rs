//! Housekeeping, run on a schedule: expired sessions and sign-in codes go as soon as they can no
//! longer be used, outbox messages after [`OUTBOX_RETENTION`], attempt counters after a day, a
//! list export's file a day after it was written.

use chrono::{DateTime, Duration, Utc};

use crate::services::portal::CODE_WINDOW;
use crate::services::{ServiceResult, Tenant};
use crate::store::{Purged, Store};

/// How long admins can look back at what Spine sent on `/outbox`.
pub const OUTBOX_RETENTION: Duration = Duration::days(30);

pub async fn purge_expired(
    store: &Store,
    tenant: &Tenant,
    now: DateTime<Utc>,
) -> ServiceResult<Purged> {
    let mut tx = store.begin().await?;
    // A code past its expiry still counts towards its address's limit for one window.
    let purged = tx
        .purge_expired(
            tenant.id,
            now,
            now - CODE_WINDOW,
            now - OUTBOX_RETENTION,
            now - Duration::days(1),
            now - crate::services::lists::EXPORT_KEPT,
        )
        .await?;
    tx.commit().await?;
    Ok(purged)
}
