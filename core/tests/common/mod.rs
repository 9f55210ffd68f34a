//! Shared by the store test suites: a fresh SQLite file or the run's PostgreSQL database, and
//! the test data every suite makes (a tenant, a timestamp, a message), and
//! `on_both!`, which runs one async test body against both backends as two tests.
// Each test binary uses a part of these.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use spine_core::services::tenants::ensure_tenant;
use spine_core::types::{Channel, Direction, EventInput, IdentifiersInput, InteractionKind, Role};
use spine_core::{Actor, Store, Tenant};

/// Merges `absorbed` into `survivor` as `actor`, with no field chosen by hand and no review item.
pub async fn merge(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    survivor: Uuid,
    absorbed: Uuid,
) -> spine_core::services::ServiceResult<spine_core::services::merge::MergeOutcome> {
    spine_core::services::merge::merge_customers(
        store,
        tenant,
        actor,
        spine_core::services::merge::MergePair { survivor, absorbed },
        &std::collections::BTreeMap::new(),
        None,
    )
    .await
}

/// Spine itself, for setup writes.
pub const SYSTEM: Actor = Actor::System("test");

/// A fresh tenant (US region): tests isolate themselves by tenant.
pub async fn tenant(store: &Store) -> Tenant {
    let slug = format!("t-{}", Uuid::new_v4().simple());
    ensure_tenant(store, &slug, "Test Co", "US")
        .await
        .expect("tenant")
}

/// A staff member of this role (`admin@example.com`...), for the audit log.
pub fn staff(role: Role) -> Actor {
    Actor::Staff {
        id: Uuid::new_v4(),
        email: format!("{}@example.com", role.as_str()),
        role,
    }
}

/// What a message says of its sender: an email, a phone, a name.
pub fn ids(email: Option<&str>, phone: Option<&str>, name: &str) -> IdentifiersInput {
    IdentifiersInput {
        email: email.map(str::to_owned),
        phone: phone.map(str::to_owned),
        name: Some(name.to_owned()),
        ..Default::default()
    }
}

/// A fixed instant plus `minutes`, so timelines order the same on every run.
pub fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
        .expect("date")
        .with_timezone(&Utc)
        + Duration::minutes(minutes)
}

/// An inbound message on `channel` at `at(minutes)`.
pub fn event(channel: Channel, minutes: i64, ids: IdentifiersInput, body: &str) -> EventInput {
    EventInput {
        sentiment: None,
        campaign: None,
        channel,
        direction: Direction::Inbound,
        kind: InteractionKind::Message,
        occurred_at: at(minutes),
        body: Some(body.to_owned()),
        external_id: None,
        identifiers: ids,
        order: None,
        source: None,
        payload: None,
        custom: None,
    }
}

/// A fresh SQLite file; the directory lives as long as the store is used.
pub async fn sqlite() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("spine.db").display());
    let store = Store::connect(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    (store, dir)
}

/// The fresh PostgreSQL database `scripts/test.sh` creates for the run (SPINE_TEST_PG_URL).
pub async fn postgres() -> Store {
    let url = std::env::var("SPINE_TEST_PG_URL").unwrap_or_else(|_| {
        panic!("SPINE_TEST_PG_URL is not set: run scripts/test.sh, which creates a fresh PostgreSQL database for the run, or set it to one")
    });
    let store = Store::connect(&url).await.expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    store
}

/// Runs one async test body (a closure taking the `Store`) against both backends, as the tests
/// `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let (store, _dir) = $crate::common::sqlite().await;
                ($body)(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let store = $crate::common::postgres().await;
                ($body)(store).await;
            }
        }
    };
}

/// How many messages the tenant's outbox holds (sign-in codes sent), up to 100.
pub async fn outbox_len(store: &Store, t: &Tenant) -> usize {
    store
        .read()
        .await
        .expect("read")
        .recent_outbox(t.id, 100)
        .await
        .expect("outbox")
        .len()
}
