//! The live feed's watch on both backends: it reports each profile with a new interaction once,
//! the review queue's size when it changes, and nothing when nothing changed.

use spine_core::services::ingest::ingest_event;
use spine_core::services::live::Watch;
use spine_core::types::Channel;
use spine_core::{Store, Tenant};

#[macro_use]
mod common;

use common::{SYSTEM, event, ids, tenant};

async fn send(store: &Store, t: &Tenant, email: &str, name: &str, minutes: i64) -> uuid::Uuid {
    ingest_event(
        store,
        t,
        &SYSTEM,
        event(
            Channel::Email,
            minutes,
            ids(Some(email), None, name),
            "hello",
        ),
    )
    .await
    .expect("ingest")
    .customer_id
}

on_both!(
    a_watch_reports_each_change_once,
    |store: Store| async move {
        let t = tenant(&store).await;
        let other = tenant(&store).await;
        // What happened before the watch began is not news.
        send(&store, &t, "old@example.com", "Old Timer", 0).await;
        let mut watch = Watch::new();
        let first = watch
            .look(&store, &t)
            .await
            .expect("look")
            .expect("the queue's size");
        assert!(first.customers.is_empty(), "{first:?}");
        assert_eq!(first.pending_reviews, Some(0));
        assert_eq!(watch.look(&store, &t).await.expect("look"), None);

        let ana = send(&store, &t, "ana@example.com", "Ana Lopez", 1).await;
        let bo = send(&store, &t, "bo@example.com", "Bo Chen", 2).await;
        send(&store, &t, "ana@example.com", "Ana Lopez", 3).await;
        // Another tenant's news is not this tenant's.
        send(&store, &other, "cy@example.com", "Cy Young", 1).await;
        let change = watch.look(&store, &t).await.expect("look").expect("news");
        let mut expected = vec![ana, bo];
        expected.sort();
        assert_eq!(change.customers, expected);
        assert!(!change.overflow);
        assert_eq!(
            watch.look(&store, &t).await.expect("look"),
            None,
            "reported once"
        );

        // A relative sharing Ana's number waits in review: the queue's size changes.
        for (name, minutes) in [("Mary Smith", 4), ("John Smith", 5)] {
            ingest_event(
                &store,
                &t,
                &SYSTEM,
                event(
                    Channel::Sms,
                    minutes,
                    ids(None, Some("+19165550199"), name),
                    "hi",
                ),
            )
            .await
            .expect("sms");
        }
        let change = watch.look(&store, &t).await.expect("look").expect("news");
        assert_eq!(change.customers.len(), 2, "{change:?}");
        assert_eq!(change.pending_reviews, Some(1), "{change:?}");
    }
);
