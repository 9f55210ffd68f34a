//! The customer page's use cases on both backends: possible duplicates (what the engine sees),
//! notes on the timeline, merge history with undo, paging through a timeline, and the page
//! itself with what its rules let the caller do (`customer_page`).

use uuid::Uuid;

use spine_core::access::Permission;
use spine_core::services::customer_page::{
    CURSOR_FIELD, PageAccess, PageRequest, TIMELINE_PAGE, customer_page,
};
use spine_core::services::customers::{
    TimelineRequest, customer_timeline, tenant_stats, timeline_page,
};
use spine_core::services::duplicates::possible_duplicates;
use spine_core::services::ingest::ingest_event;
use spine_core::services::merge::{merge_history, undo_merge};
use spine_core::services::notes::add_note;
use spine_core::services::review::reject_review_item;
use spine_core::types::{
    Channel, Decision, Direction, EventInput, IdentifiersInput, InteractionKind, Role,
    TimelineCursor,
};
use spine_core::{ServiceError, Store, Tenant};

#[macro_use]
mod common;

use common::{SYSTEM, ids, merge, staff, tenant};

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

        merge(&store, &t, &SYSTEM, a, b).await.expect("merge");
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
        let merged = merge(&store, &t, &admin, a, b).await.expect("merge");
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

/// What this role may do on the page, as the console's server function asks the session.
fn access(role: Role) -> PageAccess {
    PageAccess {
        can_edit: role.can(Permission::EditCustomers),
        can_merge: role.can(Permission::MergeCustomers),
        can_manage_privacy: role.can(Permission::ManagePrivacy),
    }
}

/// The page's first page, searching the merge box for `merge_query`.
fn searching(merge_query: &str) -> PageRequest {
    PageRequest {
        merge_query: Some(merge_query.to_owned()),
        ..PageRequest::default()
    }
}

on_both!(
    an_absorbed_profile_is_read_only_takes_no_merge_and_has_no_duplicates_until_the_undo,
    |store: Store| async move {
        let t = tenant(&store).await;
        let (a, b, c, _) = split_person(&store, &t).await;
        let admin = staff(Role::Admin);

        // Before the merge both are their own profiles: an admin may edit and merge here.
        let page = customer_page(&store, &t, b, &searching("Dana Reyes"), access(Role::Admin))
            .await
            .expect("b before");
        assert_eq!(page.merged_into, None);
        assert!(page.can_edit && page.can_merge && page.can_manage_privacy);
        assert!(page.merge_search.is_some());
        assert!(!page.duplicates.is_empty(), "b and c share a phone");

        let merged = merge(&store, &t, &admin, a, b).await.expect("merge");
        let page = customer_page(&store, &t, b, &searching("Dana Reyes"), access(Role::Admin))
            .await
            .expect("b absorbed");
        assert_eq!(page.profile.id, b);
        assert_eq!(page.merged_into, Some(a));
        assert!(!page.can_edit, "absorbed: read-only even for an admin");
        assert!(
            page.can_merge,
            "the permission is still reported (undo is on this page)"
        );
        assert_eq!(
            page.merge_search, None,
            "an absorbed profile takes no merge"
        );
        assert!(page.duplicates.is_empty(), "{:?}", page.duplicates);
        assert_eq!(page.merges.len(), 1);
        assert_eq!(page.merges[0].id, merged.merge_id);

        // The survivor is not absorbed: it stays editable and searchable for merges.
        let survivor = customer_page(&store, &t, a, &searching("Dana Reyes"), access(Role::Admin))
            .await
            .expect("a");
        assert_eq!(survivor.merged_into, None);
        assert!(survivor.can_edit);
        let search = survivor.merge_search.expect("an admin's search");
        assert_eq!(search.query, "Dana Reyes");
        assert_eq!(search.error, None);
        assert!(
            search.customers.iter().all(|found| found.id != a),
            "never the profile itself: {search:?}"
        );
        assert!(
            search.customers.iter().any(|found| found.id == c),
            "{search:?}"
        );

        undo_merge(&store, &t, &admin, merged.merge_id)
            .await
            .expect("undo");
        let page = customer_page(&store, &t, b, &PageRequest::default(), access(Role::Admin))
            .await
            .expect("b after the undo");
        assert_eq!(page.merged_into, None);
        assert!(page.can_edit, "its own profile again");
    }
);

on_both!(
    what_the_page_lets_each_role_do_follows_its_permissions,
    |store: Store| async move {
        let t = tenant(&store).await;
        let (a, _, _, _) = split_person(&store, &t).await;
        let request = searching("  Dana Reyes  ");

        let agent = customer_page(&store, &t, a, &request, access(Role::Agent))
            .await
            .expect("agent");
        assert!(agent.can_edit, "agents edit profiles");
        assert!(!agent.can_merge && !agent.can_manage_privacy);
        assert_eq!(agent.merge_search, None, "only those who may merge search");
        assert_eq!(agent.merged_into, None);

        let manager = customer_page(&store, &t, a, &request, access(Role::Manager))
            .await
            .expect("manager");
        assert!(!manager.can_edit && !manager.can_merge && !manager.can_manage_privacy);

        let admin = customer_page(&store, &t, a, &request, access(Role::Admin))
            .await
            .expect("admin");
        assert!(admin.can_edit && admin.can_merge && admin.can_manage_privacy);
        assert_eq!(
            admin.merge_search.as_ref().map(|s| s.query.as_str()),
            Some("Dana Reyes"),
            "trimmed"
        );

        // Each permission stands on its own: the page reports the one it was given.
        let privacy_only = PageAccess {
            can_manage_privacy: true,
            ..PageAccess::default()
        };
        let page = customer_page(&store, &t, a, &request, privacy_only)
            .await
            .expect("privacy only");
        assert!(page.can_manage_privacy && !page.can_merge && !page.can_edit);
        assert_eq!(page.merge_search, None);

        // An empty search asks nothing; one the search refuses says why, next to the box.
        let empty = customer_page(&store, &t, a, &searching("   "), access(Role::Admin))
            .await
            .expect("empty search")
            .merge_search
            .expect("the box");
        assert!(empty.query.is_empty() && empty.customers.is_empty() && empty.error.is_none());
        let refused = customer_page(
            &store,
            &t,
            a,
            &searching(&"x".repeat(201)),
            access(Role::Admin),
        )
        .await
        .expect("a refused search is still a page")
        .merge_search
        .expect("the box");
        assert!(refused.customers.is_empty());
        assert_eq!(refused.error.as_deref(), Some("q: at most 200 characters"));

        assert!(matches!(
            customer_page(&store, &t, Uuid::now_v7(), &request, access(Role::Admin)).await,
            Err(ServiceError::NotFound(_))
        ));
    }
);

on_both!(
    a_cursor_the_page_did_not_hand_out_is_refused_and_an_empty_one_is_the_first_page,
    |store: Store| async move {
        let t = tenant(&store).await;
        let (a, _, _, _) = split_person(&store, &t).await;
        for bad in [
            "not-a-cursor",
            "12_nope",
            "1_00000000-0000-0000-0000-00000000000g",
        ] {
            let request = PageRequest {
                before: Some(bad.to_owned()),
                ..PageRequest::default()
            };
            match customer_page(&store, &t, a, &request, access(Role::Admin)).await {
                Err(ServiceError::Invalid { field, message }) => {
                    assert_eq!(field, CURSOR_FIELD);
                    assert_eq!(message, "That page of the timeline does not exist.");
                }
                other => panic!("{bad:?} was not refused as invalid: {other:?}"),
            }
        }
        let first = PageRequest {
            before: Some(String::new()),
            ..PageRequest::default()
        };
        let page = customer_page(&store, &t, a, &first, access(Role::Admin))
            .await
            .expect("an empty cursor");
        assert_eq!(page.timeline.len(), 1);
    }
);

on_both!(
    next_cursor_is_given_exactly_when_the_page_is_full,
    |store: Store| async move {
        let t = tenant(&store).await;
        let (a, _, _, _) = split_person(&store, &t).await;
        let agent = staff(Role::Agent);
        // One message, then notes up to one entry short of a page.
        for n in 1..TIMELINE_PAGE - 1 {
            add_note(&store, &t, &agent, a, &format!("note {n}"))
                .await
                .expect("note");
        }
        let page = customer_page(&store, &t, a, &PageRequest::default(), access(Role::Agent))
            .await
            .expect("short page");
        assert_eq!(page.timeline.len() as i64, TIMELINE_PAGE - 1);
        assert_eq!(page.next_cursor, None, "a short page is the last");

        add_note(&store, &t, &agent, a, "the page's last")
            .await
            .expect("note");
        let page = customer_page(&store, &t, a, &PageRequest::default(), access(Role::Agent))
            .await
            .expect("full page");
        assert_eq!(page.timeline.len() as i64, TIMELINE_PAGE);
        let last = page.timeline.last().expect("entries");
        assert_eq!(
            page.next_cursor,
            Some(TimelineCursor::after(last).to_string()),
            "a full page may have more"
        );

        add_note(&store, &t, &agent, a, "one more")
            .await
            .expect("note");
        let first = customer_page(&store, &t, a, &PageRequest::default(), access(Role::Agent))
            .await
            .expect("first page");
        let older = PageRequest {
            before: first.next_cursor.clone(),
            ..PageRequest::default()
        };
        assert!(older.before.is_some());
        let second = customer_page(&store, &t, a, &older, access(Role::Agent))
            .await
            .expect("second page");
        assert_eq!(second.timeline.len(), 1);
        assert_eq!(
            second.timeline[0].kind,
            InteractionKind::Message,
            "the oldest"
        );
        assert_eq!(second.next_cursor, None);

        // The same rule for any page size, as the API pages: full, then the rest.
        let full = timeline_page(
            &store,
            &t,
            a,
            &TimelineRequest {
                limit: 3,
                ..TimelineRequest::default()
            },
        )
        .await
        .expect("three");
        assert_eq!(full.entries.len(), 3);
        assert_eq!(
            full.next_cursor,
            full.entries.last().map(TimelineCursor::after)
        );
        let messages = timeline_page(
            &store,
            &t,
            a,
            &TimelineRequest {
                limit: 3,
                channel: Some(Channel::Email),
                ..TimelineRequest::default()
            },
        )
        .await
        .expect("email only");
        assert_eq!(messages.entries.len(), 1);
        assert_eq!(messages.next_cursor, None);
    }
);
