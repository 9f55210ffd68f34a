//! What changed in a tenant, for consoles that show it as it happens: one watch per tenant asks
//! the store every second which profiles had an interaction and how many review items wait, and
//! the server sends the answer to every open console of that tenant.
//!
//! The store is asked rather than the ingestion path told, so a change made by any process (a
//! second server, an import from the command line) reaches every console. Interaction ids are
//! UUIDv7, ordered by when they were made; a transaction can commit after one that started
//! later, so each look goes back a few seconds and leaves out what it already reported.

use std::collections::{BTreeSet, HashSet};

use chrono::Utc;
use uuid::Uuid;

use crate::services::{ServiceResult, Tenant};
use crate::store::Store;
use crate::types::LiveChange;

/// How far back each look reaches, for transactions that commit late.
const LAG_MS: i64 = 5_000;

/// At most this many interactions are read per look; more mean "everything changed".
const MAX_PER_LOOK: i64 = 2_000;

/// The smallest UUIDv7 made at `ms` (milliseconds since the epoch).
fn v7_floor(ms: i64) -> Uuid {
    let ms = u64::try_from(ms).unwrap_or(0) & 0xFFFF_FFFF_FFFF;
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    bytes[6] = 0x70;
    bytes[8] = 0x80;
    Uuid::from_bytes(bytes)
}

/// One tenant's watch: what it reported last.
#[derive(Debug)]
pub struct Watch {
    /// Nothing before this is reported (the watch's start).
    since_ms: i64,
    /// Interactions of the current window already reported.
    seen: HashSet<Uuid>,
    pending_reviews: Option<i64>,
}

impl Default for Watch {
    fn default() -> Watch {
        Watch::new()
    }
}

impl Watch {
    /// A watch that reports what happens from now on.
    pub fn new() -> Watch {
        Watch {
            since_ms: Utc::now().timestamp_millis(),
            seen: HashSet::new(),
            pending_reviews: None,
        }
    }

    /// What changed since the last look, or `None` when nothing did.
    pub async fn look(
        &mut self,
        store: &Store,
        tenant: &Tenant,
    ) -> ServiceResult<Option<LiveChange>> {
        let floor = (Utc::now().timestamp_millis() - LAG_MS).max(self.since_ms);
        let mut tx = store.read().await?;
        let rows = tx
            .interactions_after(tenant.id, v7_floor(floor), MAX_PER_LOOK)
            .await?;
        let pending = tx.count_pending_reviews(tenant.id).await?;
        drop(tx);
        let overflow = rows.len() as i64 >= MAX_PER_LOOK;
        let customers: BTreeSet<Uuid> = rows
            .iter()
            .filter(|(id, _)| !self.seen.contains(id))
            .map(|(_, customer)| *customer)
            .collect();
        self.seen = rows.into_iter().map(|(id, _)| id).collect();
        let reviews_changed = self.pending_reviews != Some(pending);
        self.pending_reviews = Some(pending);
        Ok(
            (!customers.is_empty() || reviews_changed || overflow).then(|| LiveChange {
                customers: customers.into_iter().collect(),
                pending_reviews: Some(pending),
                overflow,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::v7_floor;
    use uuid::Uuid;

    #[test]
    fn the_floor_sorts_before_every_id_of_its_millisecond_and_after_the_one_before() {
        for _ in 0..100 {
            let id = Uuid::now_v7();
            let (secs, nanos) = id.get_timestamp().expect("v7").to_unix();
            let ms = i64::try_from(secs).expect("secs") * 1000 + i64::from(nanos / 1_000_000);
            assert!(v7_floor(ms) <= id, "{id}");
            assert!(v7_floor(ms + 1) > id, "{id}");
            assert_eq!(v7_floor(ms).get_version_num(), 7);
        }
    }
}
