//! The customer page's use cases on both backends: possible duplicates (what the engine sees),
//! notes on the timeline, and merge history with undo.

use std::collections::BTreeMap;

use uuid::Uuid;

use spine_core::services::customers::{customer_timeline, tenant_stats};
use spine_core::services::duplicates::possible_duplicates;
use spine_core::services::ingest::ingest_event;
use spine_core::services::merge::{merge_customers, merge_history, undo_merge};
use spine_core::services::notes::add_note;
use spine_core::services::review::reject_review_item;
use spine_core::types::{
    Channel, Decision, Direction, EventInput, IdentifiersInput, InteractionKind, Role,
};
use spine_core::{ServiceError, Store, Tenant};

#[macro_use]
mod common;

use common::{SYSTEM, ids, staff, tenant};

fn event(channel: Channel, minutes: i64, ids: IdentifiersInput) -> EventInput {
    common::event(channel, minutes, ids, "hello")
}

/// Profiles A (email) and B (phone), then an event carrying both: a provisional profile C that
/// shares an identifier with each, and a review item.
async fn split_person(store: &Store, t: &Tenant) -> (Uuid, Uuid, Uuid, Uuid) {
    let a = ingest_event(
        store,
        t,
        &SYSTEM,
        event(
            Channel::Email,
            0,
            ids(Some("dana.reyes@example.com"), None, "Dana Reyes"),
        ),
    )
    .await
    .expect("a");
    let b = ingest_event(
        store,
        t,
        &SYSTEM,
        event(
            Channel::Sms,
            1,
            ids(None, Some("+13055550101"), "Dana Reyes"),
        ),
    )
    .await
    .expect("b");
    let c = ingest_event(
        store,
        t,
        &SYSTEM,
        event(
            Channel::Webchat,
            2,
            ids(
                Some("dana.reyes@example.com"),
                Some("(305) 555-0101"),
                "Dana Reyes",
            ),
        ),
    )
    .await
    .expect("c");
    assert_eq!(c.decision, Decision::Ambiguous);
    (
        a.customer_id,
        b.customer_id,
        c.customer_id,
        c.review_item_id.expect("a review item"),
    )
}

on_both!(
    possible_duplicates_include_the_profiles_a_review_item_pairs_with_what_agreed,
    |store: Store| async move {
        let t = tenant(&store).await;
        let (a, b, c, _) = split_person(&store, &t).await;
        let unrelated = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Email,
                3,
                ids(Some("someone.else@example.org"), None, "Quentin Blake"),
            ),
        )
        .await
        .expect("unrelated")
        .customer_id;

        let namesake = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Email,
                4,
                ids(Some("d.reyes@work.example.net"), None, "Dana Reyes"),
            ),
        )
        .await
        .expect("namesake")
        .customer_id;

        let found = possible_duplicates(&store, &t, c).await.expect("dups");
        let found_ids: Vec<Uuid> = found.iter().map(|d| d.customer.id).collect();
        assert!(
            found_ids.contains(&namesake),
            "a look-alike by name: {found:?}"
        );
        assert!(found_ids.contains(&a), "{found:?}");
        assert!(found_ids.contains(&b), "{found:?}");
        assert!(!found_ids.contains(&c), "never itself");
        assert!(!found_ids.contains(&unrelated));
        let by_email = found.iter().find(|d| d.customer.id == a).expect("a");
        assert!(by_email.score >= t.thresholds.review, "{by_email:?}");
        assert!(
            by_email.agreed.iter().any(|g| g.comparison == "email"),
            "{by_email:?}"
        );
        assert!(found.windows(2).all(|w| w[0].score >= w[1].score));

        let from_a = possible_duplicates(&store, &t, a).await.expect("from a");
        assert!(from_a.iter().any(|d| d.customer.id == c), "{from_a:?}");
    }
);

on_both!(
    a_shared_identifier_variant_is_a_possible_duplicate_after_its_review_item_is_closed,
    |store: Store| async move {
        let t = tenant(&store).await;
        let first = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Email,
                0,
                ids(Some("erin.walsh@gmail.com"), None, "Erin Walsh"),
            ),
        )
        .await
        .expect("first");
        let second = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Webchat,
                5,
                IdentifiersInput {
                    email: Some("erinwalsh@gmail.com".to_owned()),
                    ..Default::default()
                },
            ),
        )
        .await
        .expect("second");
        assert_ne!(first.customer_id, second.customer_id, "{second:?}");
        // Close the review item without a decision on the pair: only the shared identifier
        // remains for the engine to see.
        if let Some(item) = second.review_item_id {
            let mut tx = store.begin().await.expect("tx");
            tx.decide_review_item(
                t.id,
                item,
                spine_core::types::ReviewStatus::Rejected,
                None,
                &serde_json::json!({}),
            )
            .await
            .expect("close");
            tx.commit().await.expect("commit");
        }
        let found = possible_duplicates(&store, &t, second.customer_id)
            .await
            .expect("dups");
        let other = found
            .iter()
            .find(|d| d.customer.id == first.customer_id)
            .unwrap_or_else(|| panic!("{found:?}"));
        assert!(
            other
                .agreed
                .iter()
                .any(|g| g.comparison == "email" && g.level == "variant"),
            "{other:?}"
        );
        assert!(other.score >= t.thresholds.review, "{other:?}");
    }
);

on_both!(
    possible_duplicates_leave_out_pairs_a_person_said_differ_and_merged_profiles,
    |store: Store| async move {
        let t = tenant(&store).await;
        let (a, b, c, item) = split_person(&store, &t).await;
        reject_review_item(&store, &t, &SYSTEM, item)
            .await
            .expect("reject");
        let found = possible_duplicates(&store, &t, c).await.expect("dups");
        assert!(
            found
                .iter()
                .all(|d| d.customer.id != a && d.customer.id != b),
            "{found:?}"
        );

        merge_customers(&store, &t, &SYSTEM, a, b, &BTreeMap::new(), None)
            .await
            .expect("merge");
        assert!(matches!(
            possible_duplicates(&store, &t, b).await,
            Err(ServiceError::NotFound(_))
        ));
        let from_a = possible_duplicates(&store, &t, a).await.expect("from a");
        assert!(from_a.iter().all(|d| d.customer.id != b), "{from_a:?}");
    }
);

on_both!(
    a_note_lands_on_top_of_the_timeline_signed_and_audited,
    |store: Store| async move {
        let t = tenant(&store).await;
        let (a, _, _, _) = split_person(&store, &t).await;
        let agent = staff(Role::Agent);
        let note = add_note(
            &store,
            &t,
            &agent,
            a,
            "  Called back about the refund.\r\nAll good. ",
        )
        .await
        .expect("note");
        assert_eq!(note.kind, InteractionKind::Note);
        assert_eq!(note.channel, Channel::Note);
        assert_eq!(note.direction, Direction::Internal);
        assert_eq!(
            note.body.as_deref(),
            Some("Called back about the refund.\nAll good.")
        );

        let timeline = customer_timeline(&store, &t, a, None, 10)
            .await
            .expect("timeline");
        assert_eq!(timeline[0].id, note.id, "newest first");
        assert_eq!(
            timeline[0]
                .payload
                .as_ref()
                .and_then(|p| p["author"].as_str()),
            Some("agent@example.com")
        );
        let mut tx = store.read().await.expect("read");
        let audit = tx.recent_audit(t.id, 10).await.expect("audit");
        let entry = audit
            .iter()
            .find(|e| e.action == "interaction.note_added")
            .expect("audited");
        assert_eq!(entry.actor_label, "agent@example.com");
        assert_eq!(entry.customer_id, Some(a));
    }
);

on_both!(
    managers_and_empty_notes_are_refused_and_write_nothing,
    |store: Store| async move {
        let t = tenant(&store).await;
        let (a, _, _, _) = split_person(&store, &t).await;
        let before = tenant_stats(&store, &t).await.expect("stats").interactions;
        assert!(matches!(
            add_note(&store, &t, &staff(Role::Manager), a, "hello").await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            add_note(&store, &t, &staff(Role::Admin), a, "   ").await,
            Err(ServiceError::Invalid { .. })
        ));
        assert!(matches!(
            add_note(&store, &t, &staff(Role::Admin), a, &"x".repeat(5_001)).await,
            Err(ServiceError::Invalid { .. })
        ));
        assert!(matches!(
            add_note(&store, &t, &staff(Role::Admin), Uuid::now_v7(), "hi").await,
            Err(ServiceError::NotFound(_))
        ));
        let after = tenant_stats(&store, &t).await.expect("stats").interactions;
        assert_eq!(before, after);
    }
);

on_both!(
    merge_history_lists_the_merge_on_both_profiles_and_its_undo,
    |store: Store| async move {
        let t = tenant(&store).await;
        let (a, b, _, _) = split_person(&store, &t).await;
        let admin = staff(Role::Admin);
        let merged = merge_customers(&store, &t, &admin, a, b, &BTreeMap::new(), None)
            .await
            .expect("merge");
        let on_a = merge_history(&store, &t, a).await.expect("a");
        let on_b = merge_history(&store, &t, b).await.expect("b");
        assert_eq!(on_a.len(), 1);
        assert!(on_a[0].survived && !on_b[0].survived);
        assert_eq!(on_a[0].id, merged.merge_id);
        assert_eq!(on_a[0].other_name.as_deref(), Some("Dana Reyes"));
        assert_eq!(on_a[0].actor, "admin@example.com");
        assert!(on_a[0].undone_at.is_none());

        undo_merge(&store, &t, &admin, merged.merge_id)
            .await
            .expect("undo");
        let on_a = merge_history(&store, &t, a).await.expect("a");
        assert!(on_a[0].undone_at.is_some());
        assert_eq!(on_a[0].undone_by.as_deref(), Some("admin@example.com"));
        assert!(matches!(
            undo_merge(&store, &t, &admin, merged.merge_id).await,
            Err(ServiceError::Conflict(_))
        ));
    }
);
