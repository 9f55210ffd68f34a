//! The admin console's use cases on both backends: the review queue's orders and one item as a
//! person decides it, the audit log's filters and pages, and settings changes (validated, audited).

use chrono::{Duration, Utc};
use uuid::Uuid;

use spine_core::services::audit_log::{AuditSearch, PAGE_SIZE, audit_actions, search_audit};
use spine_core::services::ingest::ingest_event;
use spine_core::services::review::{
    QueueOrder, count_pending_review_items, review_case, review_queue,
};
use spine_core::services::settings::{
    MemorySettings, TenantSettings, tenant_settings, update_tenant_settings,
};
use spine_core::services::staff::{create_user_as, disable_user_as};
use spine_core::types::{Channel, Direction, EventInput, IdentifiersInput, InteractionKind, Role};
use spine_core::{Actor, ServiceError, Store, Tenant};

#[macro_use]
mod common;

use common::{SYSTEM, tenant};

fn admin() -> Actor {
    Actor::Staff {
        id: Uuid::now_v7(),
        email: "ada@example.com".into(),
        role: Role::Admin,
    }
}

fn event(minutes: i64, ids: IdentifiersInput) -> EventInput {
    EventInput {
        sentiment: None,
        campaign: None,
        channel: Channel::Webchat,
        direction: Direction::Inbound,
        kind: InteractionKind::Message,
        occurred_at: Utc::now() - Duration::days(1) + Duration::minutes(minutes),
        body: Some("hi".into()),
        external_id: None,
        identifiers: ids,
        order: None,
        source: None,
        payload: None,
        custom: None,
    }
}

/// An email-only profile, a phone-only profile, then one event carrying both: ambiguous.
async fn ambiguous_item(store: &Store, t: &Tenant, n: u32) -> Uuid {
    let email = format!("charlie{n}@gmail.com");
    let phone = format!("+1 305 555 {:04}", 1000 + n);
    let ids = |email: Option<&str>, phone: Option<&str>, name: Option<&str>| IdentifiersInput {
        email: email.map(str::to_owned),
        phone: phone.map(str::to_owned),
        name: name.map(str::to_owned),
        ..Default::default()
    };
    ingest_event(
        store,
        t,
        &SYSTEM,
        event(0, ids(Some(&email), None, Some("Charlie Day"))),
    )
    .await
    .expect("by email");
    ingest_event(
        store,
        t,
        &SYSTEM,
        event(1, ids(None, Some(&phone), Some("Charles Day"))),
    )
    .await
    .expect("by phone");
    let outcome = ingest_event(
        store,
        t,
        &SYSTEM,
        event(2, ids(Some(&email), Some(&phone), None)),
    )
    .await
    .expect("both");
    outcome.review_item_id.expect("a review item")
}

on_both!(
    the_queue_sorts_by_confidence_or_age_and_an_item_opens_side_by_side,
    |store: Store| async move {
        let t = tenant(&store).await;
        let first = ambiguous_item(&store, &t, 1).await;
        let second = ambiguous_item(&store, &t, 2).await;
        assert_eq!(
            count_pending_review_items(&store, &t).await.expect("count"),
            2
        );
        let by_age = review_queue(&store, &t, QueueOrder::Age, 50)
            .await
            .expect("age");
        assert_eq!(
            by_age.iter().map(|e| e.item.id).collect::<Vec<_>>(),
            [first, second]
        );
        assert!(by_age[0].subject_name.is_some() || by_age[0].candidate_name.is_some());
        let by_score = review_queue(&store, &t, QueueOrder::Confidence, 50)
            .await
            .expect("score");
        assert!(
            by_score
                .windows(2)
                .all(|w| w[0].item.score >= w[1].item.score)
        );

        let case = review_case(&store, &t, first).await.expect("case");
        assert_eq!(case.absorbed_id, case.item.subject_customer_id);
        assert_eq!(Some(&case.survivor_id), case.item.candidate_ids.first());
        assert!(!case.plan.fields.is_empty());
        assert!(matches!(
            review_case(&store, &t, Uuid::now_v7()).await,
            Err(ServiceError::NotFound(_))
        ));
    }
);

on_both!(
    the_audit_log_filters_by_actor_action_customer_and_date_and_pages,
    |store: Store| async move {
        let t = tenant(&store).await;
        ambiguous_item(&store, &t, 3).await;
        let ada = admin();
        let user = create_user_as(
            &store,
            &t,
            &ada,
            "bob@example.com",
            "Bob",
            Role::Agent,
            "long enough password",
        )
        .await
        .expect("user");
        disable_user_as(&store, &t, &ada, "BOB@example.com")
            .await
            .expect("disable");

        let all = search_audit(&store, &t, &AuditSearch::default(), 0)
            .await
            .expect("all");
        assert!(
            all.entries.windows(2).all(|w| w[0].at >= w[1].at),
            "newest first"
        );
        assert_eq!(all.entries[0].action, "staff.disabled");

        let by_actor = AuditSearch {
            actor: Some("ada@example.com".into()),
            ..Default::default()
        };
        let page = search_audit(&store, &t, &by_actor, 0).await.expect("actor");
        assert_eq!(
            page.entries
                .iter()
                .map(|e| e.action.as_str())
                .collect::<Vec<_>>(),
            ["staff.disabled", "staff.created"]
        );
        assert_eq!(page.entries[1].entity_id, Some(user.id.to_string()));

        let by_action = AuditSearch {
            action: Some("review.queued".into()),
            ..Default::default()
        };
        let queued = search_audit(&store, &t, &by_action, 0)
            .await
            .expect("action");
        assert_eq!(queued.entries.len(), 1);
        let customer = queued.entries[0].customer_id.expect("customer");
        let by_customer = AuditSearch {
            customer_id: Some(customer),
            ..Default::default()
        };
        let about = search_audit(&store, &t, &by_customer, 0)
            .await
            .expect("customer");
        assert!(
            about
                .entries
                .iter()
                .all(|e| e.customer_id == Some(customer))
        );
        assert!(about.entries.iter().any(|e| e.action == "review.queued"));

        let today = Utc::now().date_naive();
        let future = AuditSearch {
            from: Some(today + Duration::days(1)),
            ..Default::default()
        };
        assert!(
            search_audit(&store, &t, &future, 0)
                .await
                .expect("future")
                .entries
                .is_empty()
        );
        let past = AuditSearch {
            to: Some(today - Duration::days(1)),
            ..Default::default()
        };
        assert!(
            search_audit(&store, &t, &past, 0)
                .await
                .expect("past")
                .entries
                .is_empty()
        );
        let on_today = AuditSearch {
            from: Some(today),
            to: Some(today),
            actor: Some("ada@example.com".into()),
            ..Default::default()
        };
        assert_eq!(
            search_audit(&store, &t, &on_today, 0)
                .await
                .expect("today")
                .entries
                .len(),
            2
        );
        // A range that ends before it starts is a mistake to point out, not an empty page.
        let backwards = AuditSearch {
            from: Some(today),
            to: Some(today - Duration::days(1)),
            ..Default::default()
        };
        assert!(matches!(
            search_audit(&store, &t, &backwards, 0).await,
            Err(ServiceError::Invalid { field, .. }) if field == "from"
        ));

        // Pages: PAGE_SIZE a page, and the next page starts where the first ended.
        for n in 0..PAGE_SIZE {
            create_user_as(
                &store,
                &t,
                &ada,
                &format!("u{n}@example.com"),
                "U",
                Role::Agent,
                "long enough password",
            )
            .await
            .expect("user");
        }
        let first = search_audit(&store, &t, &by_actor, 0)
            .await
            .expect("page 0");
        assert_eq!(first.entries.len() as i64, PAGE_SIZE);
        assert!(first.has_more);
        let second = search_audit(&store, &t, &by_actor, 1)
            .await
            .expect("page 1");
        assert_eq!(second.entries.len(), 2);
        assert!(!second.has_more);
        assert!(
            second
                .entries
                .iter()
                .all(|e| first.entries.iter().all(|f| f.id != e.id))
        );

        let actions = audit_actions(&store, &t).await.expect("actions");
        assert!(actions.contains(&"staff.created".to_owned()));
        let other = tenant(&store).await;
        assert!(
            search_audit(&store, &other, &AuditSearch::default(), 0)
                .await
                .expect("other")
                .entries
                .is_empty()
        );
    }
);

on_both!(
    settings_changes_are_validated_stored_and_audited,
    |store: Store| async move {
        let t = tenant(&store).await;
        let ada = admin();
        let before = tenant_settings(&store, &t).await.expect("settings");
        let set = |link: f64, review: f64, region: &str| TenantSettings {
            link_threshold: link,
            review_threshold: review,
            default_region: region.to_owned(),
            memory: MemorySettings::default(),
        };
        let windows = |window: i32, reopen: i32, archive: i32| TenantSettings {
            memory: MemorySettings {
                thread_window_hours: window,
                thread_reopen_hours: reopen,
                archive_after_days: archive,
            },
            ..set(0.9, 0.6, "US")
        };
        for (bad, field) in [
            (windows(0, 24, 90), "thread_window_hours"),
            (windows(721, 24, 90), "thread_window_hours"),
            (windows(72, -1, 90), "thread_reopen_hours"),
            (windows(72, 721, 90), "thread_reopen_hours"),
            (windows(72, 24, 3651), "archive_after_days"),
            (windows(72, 48, 1), "archive_after_days"),
            (set(1.5, 0.6, "US"), "link_threshold"),
            (set(0.9, 0.0, "US"), "review_threshold"),
            (set(0.7, 0.8, "US"), "review_threshold"),
            (set(f64::NAN, 0.6, "US"), "link_threshold"),
            (set(0.9, 0.6, "ZZ"), "default_region"),
        ] {
            match update_tenant_settings(&store, &t, &ada, &bad).await {
                Err(ServiceError::Invalid { field: f, .. }) => assert_eq!(f, field, "{bad:?}"),
                other => panic!("{bad:?} accepted: {other:?}"),
            }
        }
        assert_eq!(
            tenant_settings(&store, &t).await.expect("unchanged"),
            before
        );
        let none = AuditSearch {
            action: Some("tenant.settings_updated".into()),
            ..Default::default()
        };
        assert!(
            search_audit(&store, &t, &none, 0)
                .await
                .expect("audit")
                .entries
                .is_empty()
        );

        let saved = update_tenant_settings(&store, &t, &ada, &set(0.95, 0.5, "gb"))
            .await
            .expect("valid");
        assert_eq!(saved, set(0.95, 0.5, "GB"));
        assert_eq!(tenant_settings(&store, &t).await.expect("stored"), saved);
        // Windows at their edges are accepted; 0 turns reopening and archival off.
        let edges = TenantSettings {
            link_threshold: 0.95,
            review_threshold: 0.5,
            default_region: "GB".into(),
            ..windows(720, 0, 0)
        };
        let saved_edges = update_tenant_settings(&store, &t, &ada, &edges)
            .await
            .expect("edges are valid");
        assert_eq!(saved_edges.memory.thread_window_hours, 720);
        let reloaded = spine_core::services::tenants::tenant_by_slug(&store, &t.slug)
            .await
            .expect("tenant");
        assert_eq!(reloaded.memory, edges.memory, "the next request sees them");
        assert_eq!(
            reloaded.memory.policy().window,
            std::time::Duration::from_secs(720 * 3600)
        );
        let audit = search_audit(&store, &t, &none, 0).await.expect("audit");
        assert_eq!(audit.entries.len(), 2);
        let back = update_tenant_settings(&store, &t, &ada, &set(0.95, 0.5, "gb"))
            .await
            .expect("back");
        assert_eq!(back.memory, MemorySettings::default());
        let audit = search_audit(&store, &t, &none, 0).await.expect("audit");
        assert_eq!(audit.entries.len(), 3);
        let entry = audit
            .entries
            .iter()
            .find(|e| {
                e.before
                    .as_ref()
                    .is_some_and(|b| b.0["default_region"] == "US")
            })
            .expect("the first change");
        assert_eq!(entry.actor_label, "ada@example.com");
        assert_eq!(
            entry.before.as_ref().map(|b| b.0["default_region"].clone()),
            Some("US".into())
        );
        assert_eq!(
            entry.after.as_ref().map(|a| a.0["link_threshold"].clone()),
            Some(0.95.into())
        );
    }
);

on_both!(
    nobody_disables_their_own_account,
    |store: Store| async move {
        let t = tenant(&store).await;
        let ada = admin();
        create_user_as(
            &store,
            &t,
            &ada,
            "ada@example.com",
            "Ada",
            Role::Admin,
            "long enough password",
        )
        .await
        .expect("user");
        assert!(matches!(
            disable_user_as(&store, &t, &ada, "Ada@Example.com").await,
            Err(ServiceError::Invalid { .. })
        ));
    }
);

on_both!(
    several_items_are_decided_at_once_each_alone,
    |store: Store| async move {
        use spine_core::services::review::{
            ItemDecision, MAX_DECIDED_AT_ONCE, decide_review_items, reject_review_item,
        };
        let t = tenant(&store).await;
        let items: Vec<Uuid> = {
            let mut v = Vec::new();
            for n in 10..15 {
                v.push(ambiguous_item(&store, &t, n).await);
            }
            v
        };
        let ada = admin();
        // One of them decided already, in another tab.
        reject_review_item(&store, &t, &ada, items[0])
            .await
            .expect("reject one");

        let outcome = decide_review_items(
            &store,
            &t,
            &ada,
            &[items[0], items[1], items[2], items[1]],
            ItemDecision::Reject,
        )
        .await
        .expect("reject several");
        assert_eq!(outcome.decided, 2, "{outcome:?}");
        assert_eq!(outcome.refused.len(), 1);
        assert_eq!(outcome.refused[0].0, items[0]);
        let waiting: Vec<Uuid> = review_queue(&store, &t, QueueOrder::Age, 50)
            .await
            .expect("queue")
            .into_iter()
            .map(|e| e.item.id)
            .collect();
        assert_eq!(waiting, items[3..].to_vec());

        let deferred = decide_review_items(&store, &t, &ada, &[items[3]], ItemDecision::Defer)
            .await
            .expect("defer");
        assert_eq!(deferred.decided, 1);
        let merged = decide_review_items(&store, &t, &ada, &[items[4]], ItemDecision::Merge)
            .await
            .expect("merge");
        assert_eq!(merged.decided, 1, "{merged:?}");
        assert_eq!(
            count_pending_review_items(&store, &t).await.expect("count"),
            0
        );

        // Refused outright: nobody chosen, too many, or not an admin; nothing decided.
        for (ids, actor) in [
            (Vec::new(), ada.clone()),
            (vec![items[3]; MAX_DECIDED_AT_ONCE + 1], ada.clone()),
            (vec![items[3]], common::staff(Role::Agent)),
        ] {
            assert!(
                decide_review_items(&store, &t, &actor, &ids, ItemDecision::Reject)
                    .await
                    .is_err()
            );
        }
        let deferred_still = store
            .read()
            .await
            .expect("read")
            .review_item(t.id, items[3])
            .await
            .expect("item")
            .expect("exists");
        assert_eq!(deferred_still.status, "deferred");
    }
);
