//! Store conformance: every behaviour below runs on SQLite (a real file) and on PostgreSQL (the
//! fresh database `scripts/test.sh` creates, named by SPINE_TEST_PG_URL). Tests isolate
//! themselves by tenant, which also exercises tenant scoping.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use spine_core::services::customers::{
    customer_profile, customer_timeline, search_customers, tenant_stats,
};
use spine_core::services::ingest::{ingest_event, ingest_events};
use spine_core::services::ingest_queue::IngestQueue;
use spine_core::services::staff::{create_user, verify_password};
use spine_core::services::tenants::ensure_tenant;
use spine_core::types::{
    AddressInput, Channel, Decision, EventInput, ExternalInput, HandleInput, IdentifiersInput,
    InteractionKind, OrderInput, Role,
};
use spine_core::{Actor, ServiceError, Store, Tenant};

#[macro_use]
mod common;

use common::{SYSTEM, at, event, merge, tenant};

fn phone(p: &str) -> IdentifiersInput {
    IdentifiersInput {
        phone: Some(p.to_owned()),
        ..Default::default()
    }
}

fn email(e: &str) -> IdentifiersInput {
    IdentifiersInput {
        email: Some(e.to_owned()),
        ..Default::default()
    }
}

/// The display names a search's first ten results show, best first.
async fn names_found(store: &Store, t: &Tenant, q: &str) -> Vec<String> {
    search_customers(store, t, q, 10)
        .await
        .expect("search")
        .into_iter()
        .map(|c| c.display_name.unwrap_or_default())
        .collect()
}

on_both!(migrations_are_idempotent, |store: Store| async move {
    store.migrate().await.expect("second migrate is a no-op");
    store.ping().await.expect("ping");
});

on_both!(
    tenant_slugs_are_unique_and_found_again,
    |store: Store| async move {
        let t = tenant(&store).await;
        let again = ensure_tenant(&store, &t.slug, "Other name", "US")
            .await
            .expect("ensure");
        assert_eq!(t.id, again.id);
        assert!(matches!(
            ensure_tenant(&store, "Bad Slug!", "x", "US").await,
            Err(ServiceError::Invalid { .. })
        ));
    }
);

on_both!(
    staff_emails_are_unique_per_tenant_not_globally,
    |store: Store| async move {
        let (a, b) = (tenant(&store).await, tenant(&store).await);
        let user = create_user(
            &store,
            &a,
            "Ada@Example.com",
            "Ada",
            Role::Admin,
            "correct horse battery",
        )
        .await
        .expect("user");
        assert_eq!(user.email, "ada@example.com");
        assert!(verify_password(
            "correct horse battery",
            &user.password_hash
        ));
        assert!(!verify_password("wrong", &user.password_hash));
        let dup = create_user(
            &store,
            &a,
            "ada@example.com",
            "Ada 2",
            Role::Agent,
            "another password",
        )
        .await;
        assert!(matches!(dup, Err(ServiceError::Conflict(_))), "{dup:?}");
        create_user(
            &store,
            &b,
            "ada@example.com",
            "Ada",
            Role::Agent,
            "another password",
        )
        .await
        .expect("other tenant may reuse the email");
        let short = create_user(&store, &a, "bob@example.com", "Bob", Role::Agent, "short").await;
        assert!(matches!(short, Err(ServiceError::Invalid { .. })));
    }
);

on_both!(
    phone_in_any_format_links_to_one_profile,
    |store: Store| async move {
        let t = tenant(&store).await;
        let first = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Sms,
                0,
                phone("(916) 555-1234"),
                "Do you do birthdays?",
            ),
        )
        .await
        .expect("ingest");
        assert_eq!(first.decision, Decision::Created);
        for (i, format) in ["916-555-1234", "+1 916 555 1234", "9165551234"]
            .iter()
            .enumerate()
        {
            let next = ingest_event(
                &store,
                &t,
                &SYSTEM,
                event(Channel::Whatsapp, i as i64 + 1, phone(format), "hi"),
            )
            .await
            .expect("ingest");
            assert_eq!(next.decision, Decision::Linked, "{format}");
            assert_eq!(next.customer_id, first.customer_id);
            assert!(next.matched_by.contains(&"phone".to_owned()));
        }
        let profile = customer_profile(&store, &t, first.customer_id)
            .await
            .expect("profile");
        assert_eq!(profile.primary_phone.as_deref(), Some("+19165551234"));
        assert_eq!(
            profile
                .identities
                .iter()
                .filter(|i| i.kind == "phone")
                .count(),
            1
        );
    }
);

on_both!(
    fifty_simultaneous_first_contacts_make_one_profile,
    |store: Store| async move {
        let t = tenant(&store).await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..50 {
            let (store, t) = (store.clone(), t.clone());
            // Every spelling of one new number, each on its own connection where the backend has
            // several: none of them exists when they all start.
            let spelling = ["(916) 555-0199", "+1 916 555 0199", "916.555.0199"][i % 3];
            tasks.spawn(async move {
                ingest_event(
                    &store,
                    &t,
                    &SYSTEM,
                    event(Channel::Sms, i as i64, phone(spelling), "hello"),
                )
                .await
            });
        }
        let mut customers = std::collections::BTreeSet::new();
        let mut created = 0;
        while let Some(done) = tasks.join_next().await {
            let outcome = done.expect("task").expect("ingest");
            created += usize::from(outcome.decision == Decision::Created);
            customers.insert(outcome.customer_id);
        }
        assert_eq!(customers.len(), 1, "one person, one profile");
        assert_eq!(created, 1);
        let stats = tenant_stats(&store, &t).await.expect("stats");
        assert_eq!(stats.customers, 1);
        assert_eq!(stats.interactions, 50);
        assert_eq!(stats.identities, 1);
    }
);

on_both!(
    grouped_events_see_each_other_in_order,
    |store: Store| async move {
        let t = tenant(&store).await;
        let mut bad = event(Channel::Sms, 1, phone("not a phone"), "?");
        bad.external_id = Some("bad".into());
        let results = ingest_events(
            &store,
            &t,
            &SYSTEM,
            vec![
                event(Channel::Sms, 0, phone("+1 916 555 0101"), "first"),
                bad,
                event(Channel::Whatsapp, 2, phone("916-555-0101"), "second"),
            ],
        )
        .await;
        let first = results[0].as_ref().expect("first");
        assert_eq!(first.decision, Decision::Created);
        assert!(matches!(
            &results[1],
            Err(ServiceError::Invalid { field, .. }) if field == "identifiers.phone"
        ));
        let second = results[2].as_ref().expect("second");
        assert_eq!(second.decision, Decision::Linked);
        assert_eq!(second.customer_id, first.customer_id);

        // The same through the group-commit queue, from many tasks at once.
        let queue = IngestQueue::start(store.clone());
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..40 {
            let (queue, t) = (queue.clone(), t.clone());
            tasks.spawn(async move {
                queue
                    .ingest(
                        &t,
                        &SYSTEM,
                        event(Channel::Sms, i, phone("+1 916 555 0177"), "hi"),
                    )
                    .await
            });
        }
        let mut customers = std::collections::BTreeSet::new();
        while let Some(done) = tasks.join_next().await {
            customers.insert(done.expect("task").expect("ingest").customer_id);
        }
        assert_eq!(customers.len(), 1);
        let stats = tenant_stats(&store, &t).await.expect("stats");
        assert_eq!((stats.customers, stats.interactions), (2, 42));
    }
);

on_both!(
    imports_record_a_job_with_the_sync_metrics_and_run_once,
    |store: Store| async move {
        use spine_core::exports::{Provider, read_export};
        use spine_core::services::import::{OnBadEvent, import_rows};
        let t = tenant(&store).await;
        let csv = "Customer ID,First Name,Last Name,Email,Phone\n\
                   1,Ana,Souza,ana@example.com,+15125550101\n\
                   2,Bo,Li,,\n\
                   3,Cy,Ng,cy@example.com,\n";
        let import = |csv: &str| {
            let rows = read_export(Provider::Shopify, csv.as_bytes(), at(0)).expect("rows");
            let (store, t) = (store.clone(), t.clone());
            async move {
                import_rows(
                    &store,
                    &t,
                    &SYSTEM,
                    "shopify",
                    rows,
                    OnBadEvent::Skip,
                    |_| {},
                )
                .await
                .expect("import")
            }
        };
        let first = import(csv).await;
        assert_eq!(
            (
                first.fetched,
                first.created,
                first.updated,
                first.linked,
                first.errors
            ),
            (3, 3, 0, 0, 0)
        );
        let job_id = first.job_id.expect("job");
        let job = store
            .read()
            .await
            .expect("read")
            .job(t.id, job_id)
            .await
            .expect("job query")
            .expect("job row");
        assert_eq!(
            (job.kind.as_str(), job.status.as_str()),
            ("import", "succeeded")
        );
        assert_eq!((job.total, job.done), (3, 3));
        assert_eq!(job.metrics.0["created"], 3);
        assert_eq!(job.metrics.0["source"], "shopify");

        // The same file again changes nothing; an edited row updates the profile it names.
        let again = import(csv).await;
        assert_eq!((again.already_there, again.created), (3, 0));
        let edited =
            import("Customer ID,First Name,Last Name,Email\n2,Bo,Li,bo.li@example.com\n").await;
        assert_eq!((edited.updated, edited.created), (1, 0));
        let stats = tenant_stats(&store, &t).await.expect("stats");
        assert_eq!(stats.customers, 3);
    }
);

on_both!(
    one_message_delivered_ten_times_at_once_is_stored_once,
    |store: Store| async move {
        let t = tenant(&store).await;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let (store, t) = (store.clone(), t.clone());
            tasks.spawn(async move {
                let mut e = event(Channel::Sms, 0, phone("+19165550142"), "hi");
                e.external_id = Some("SM-redelivered".to_owned());
                ingest_event(&store, &t, &SYSTEM, e).await
            });
        }
        let mut interactions = std::collections::BTreeSet::new();
        let mut duplicates = 0;
        while let Some(done) = tasks.join_next().await {
            let outcome = done.expect("task").expect("ingest");
            duplicates += usize::from(outcome.duplicate);
            interactions.insert(outcome.interaction_id);
        }
        assert_eq!(interactions.len(), 1);
        assert_eq!(duplicates, 9);
        let stats = tenant_stats(&store, &t).await.expect("stats");
        assert_eq!((stats.customers, stats.interactions), (1, 1));
    }
);

on_both!(
    timeline_is_newest_first_across_channels_with_a_cursor,
    |store: Store| async move {
        let t = tenant(&store).await;
        let ids = IdentifiersInput {
            email: Some("ann@example.com".into()),
            phone: Some("+1 212 555 0100".into()),
            ..Default::default()
        };
        let created = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Webchat, 0, ids, "hello"),
        )
        .await
        .expect("ingest");
        for m in 1..=5 {
            let channel = if m % 2 == 0 {
                Channel::Email
            } else {
                Channel::Sms
            };
            let ids = if m % 2 == 0 {
                email("ANN@example.com")
            } else {
                phone("212-555-0100")
            };
            ingest_event(
                &store,
                &t,
                &SYSTEM,
                event(channel, m * 10, ids, &format!("message {m}")),
            )
            .await
            .expect("ingest");
        }
        let page1 = customer_timeline(&store, &t, created.customer_id, None, 4)
            .await
            .expect("timeline");
        assert_eq!(page1.len(), 4);
        assert!(
            page1
                .windows(2)
                .all(|w| w[0].occurred_at >= w[1].occurred_at)
        );
        assert_eq!(page1[0].body.as_deref(), Some("message 5"));
        let last = page1.last().expect("entry");
        let page2 = customer_timeline(
            &store,
            &t,
            created.customer_id,
            Some(spine_core::types::TimelineCursor::after(last)),
            4,
        )
        .await
        .expect("timeline");
        assert_eq!(page2.len(), 2);
        assert_eq!(page2[1].body.as_deref(), Some("hello"));
        let channels: std::collections::BTreeSet<_> =
            page1.iter().chain(&page2).map(|e| e.channel).collect();
        assert_eq!(channels.len(), 3);
    }
);

on_both!(
    same_provider_message_id_is_ingested_once,
    |store: Store| async move {
        let t = tenant(&store).await;
        let mut e = event(Channel::Sms, 0, phone("+19165550111"), "once");
        e.external_id = Some("SM123".into());
        let first = ingest_event(&store, &t, &SYSTEM, e.clone())
            .await
            .expect("ingest");
        let second = ingest_event(&store, &t, &SYSTEM, e)
            .await
            .expect("ingest again");
        assert!(!first.duplicate);
        assert!(second.duplicate);
        assert_eq!(first.interaction_id, second.interaction_id);
        assert_eq!(
            tenant_stats(&store, &t).await.expect("stats").interactions,
            1
        );
    }
);

on_both!(tenants_never_see_each_other, |store: Store| async move {
    let (a, b) = (tenant(&store).await, tenant(&store).await);
    let ids = IdentifiersInput {
        name: Some("Zed Quill".into()),
        email: Some("zed@example.com".into()),
        ..Default::default()
    };
    let in_a = ingest_event(
        &store,
        &a,
        &SYSTEM,
        event(Channel::Email, 0, ids.clone(), "a"),
    )
    .await
    .expect("a");
    let in_b = ingest_event(&store, &b, &SYSTEM, event(Channel::Email, 0, ids, "b"))
        .await
        .expect("b");
    assert_eq!(
        in_b.decision,
        Decision::Created,
        "tenant b must not link to tenant a's profile"
    );
    assert_ne!(in_a.customer_id, in_b.customer_id);
    let found = search_customers(&store, &a, "quill", 10)
        .await
        .expect("search");
    assert_eq!(
        found.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![in_a.customer_id]
    );
    assert!(matches!(
        customer_profile(&store, &b, in_a.customer_id).await,
        Err(ServiceError::NotFound(_))
    ));
});

on_both!(
    email_says_one_profile_phone_another_is_never_merged,
    |store: Store| async move {
        let t = tenant(&store).await;
        let by_email = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Webchat, 0, email("charlie@gmail.com"), "hi"),
        )
        .await
        .expect("a");
        let by_phone = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Sms, 1, phone("+13055559999"), "hi"),
        )
        .await
        .expect("b");
        let both = IdentifiersInput {
            email: Some("charlie@gmail.com".into()),
            phone: Some("305-555-9999".into()),
            ..Default::default()
        };
        let conflict = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Booking, 2, both, "booking"),
        )
        .await
        .expect("c");
        assert_eq!(conflict.decision, Decision::Ambiguous);
        assert!(conflict.review_item_id.is_some());
        assert_ne!(conflict.customer_id, by_email.customer_id);
        assert_ne!(conflict.customer_id, by_phone.customer_id);
        let stats = tenant_stats(&store, &t).await.expect("stats");
        assert_eq!(stats.pending_reviews, 1);
        // Both original profiles are intact, each with its own identifier only.
        let a = customer_profile(&store, &t, by_email.customer_id)
            .await
            .expect("a");
        assert!(a.identities.iter().all(|i| i.kind != "phone"));
        // The provisional profile's contact details are among its identities: what stayed
        // with the other profiles is not shown as its email or phone.
        let c = customer_profile(&store, &t, conflict.customer_id)
            .await
            .expect("c");
        for (kind, primary) in [("email", &c.primary_email), ("phone", &c.primary_phone)] {
            if let Some(value) = primary {
                assert!(
                    c.identities
                        .iter()
                        .any(|i| i.kind == kind && &i.value == value),
                    "{kind} {value} is shown but not held: {c:?}"
                );
            }
        }
    }
);

on_both!(
    gmail_dot_variant_is_reviewed_alone_and_linked_when_the_person_agrees,
    |store: Store| async move {
        let t = tenant(&store).await;
        let ids = |e: &str, name: Option<&str>| IdentifiersInput {
            email: Some(e.into()),
            name: name.map(Into::into),
            ..Default::default()
        };
        let first = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Email,
                0,
                ids("john.doe@gmail.com", Some("John Doe")),
                "a",
            ),
        )
        .await
        .expect("a");
        // The same Gmail inbox written another way, and nothing else: a person decides.
        let bare = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Email, 1, ids("johndoe+shop@gmail.com", None), "b"),
        )
        .await
        .expect("b");
        assert_eq!(bare.decision, Decision::Review);
        assert_ne!(bare.customer_id, first.customer_id);
        assert!(
            bare.matched_by.iter().any(|m| m == "email_variant"),
            "{:?}",
            bare.matched_by
        );
        // With the same name the model's name weights make it a confident link.
        let named = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Email,
                2,
                ids("JohnDoe@googlemail.com", Some("John Doe")),
                "c",
            ),
        )
        .await
        .expect("c");
        assert_eq!(
            named.decision,
            Decision::Ambiguous,
            "two profiles now hold that inbox: {named:?}"
        );
        let other = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Email,
                3,
                ids("j.o.h.n.doe@gmail.com", Some("Jane Roe")),
                "d",
            ),
        )
        .await
        .expect("d");
        assert_ne!(
            other.decision,
            Decision::Linked,
            "a different name on a variant is not the same person"
        );
    }
);

on_both!(
    relative_sharing_a_phone_is_proposed_for_review_not_linked,
    |store: Store| async move {
        let t = tenant(&store).await;
        let ids = |name: &str| IdentifiersInput {
            phone: Some("+19165550199".into()),
            name: Some(name.into()),
            ..Default::default()
        };
        let john = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Sms, 0, ids("John Smith"), "a"),
        )
        .await
        .expect("a");
        let jon = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Sms, 1, ids("Jon Smtih"), "typo"),
        )
        .await
        .expect("b");
        assert_eq!(jon.decision, Decision::Linked, "a typo is the same person");
        assert_eq!(jon.customer_id, john.customer_id);
        let mary = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Whatsapp, 2, ids("Mary Smith"), "c"),
        )
        .await
        .expect("c");
        assert_eq!(mary.decision, Decision::Review);
        assert_ne!(mary.customer_id, john.customer_id);
        assert!(mary.review_item_id.is_some());
    }
);

on_both!(
    phone_written_in_a_dm_links_the_handle_to_the_profile,
    |store: Store| async move {
        let t = tenant(&store).await;
        let sms = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Sms,
                0,
                phone("+19165551234"),
                "Do you do birthdays?",
            ),
        )
        .await
        .expect("sms");
        let dm_ids = IdentifiersInput {
            handle: Some(HandleInput {
                platform: "instagram".into(),
                handle: "@JohnDoe".into(),
            }),
            ..Default::default()
        };
        let dm = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Instagram,
                5,
                dm_ids,
                "Hi! I asked about birthdays. My number is 916-555-1234",
            ),
        )
        .await
        .expect("dm");
        assert_eq!(dm.customer_id, sms.customer_id);
        let profile = customer_profile(&store, &t, sms.customer_id)
            .await
            .expect("profile");
        let handle = profile
            .identities
            .iter()
            .find(|i| i.kind == "handle")
            .expect("handle linked");
        assert_eq!(
            (handle.provider.as_str(), handle.value.as_str()),
            ("instagram", "johndoe")
        );
    }
);

on_both!(
    malformed_identifiers_are_refused_and_nothing_is_written,
    |store: Store| async move {
        let t = tenant(&store).await;
        let bad = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Email, 0, email("not an email"), "x"),
        )
        .await;
        match bad {
            Err(ServiceError::Invalid { field, .. }) => assert_eq!(field, "identifiers.email"),
            other => panic!("expected invalid email, got {other:?}"),
        }
        let bad_phone = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Sms, 0, phone("12"), "x"),
        )
        .await;
        assert!(matches!(bad_phone, Err(ServiceError::Invalid { .. })));
        let stats = tenant_stats(&store, &t).await.expect("stats");
        assert_eq!((stats.customers, stats.interactions), (0, 0));
    }
);

on_both!(
    orders_link_by_external_id_and_are_stored_once,
    |store: Store| async move {
        let t = tenant(&store).await;
        let ids = IdentifiersInput {
            external: Some(ExternalInput {
                provider: "shopify".into(),
                id: "cust_1".into(),
            }),
            email: Some("buyer@example.com".into()),
            address: Some(AddressInput {
                line1: "123 Main St".into(),
                line2: Some("Apt 4B".into()),
                city: Some("Austin".into()),
                region: Some("TX".into()),
                postal_code: Some("78701".into()),
                country: Some("US".into()),
            }),
            ..Default::default()
        };
        let mut order = event(Channel::Order, 0, ids.clone(), "Order #1001");
        order.kind = InteractionKind::Order;
        order.order = Some(OrderInput {
            provider: "shopify".into(),
            external_id: "1001".into(),
            total_cents: 4999,
            currency: "USD".into(),
            status: "placed".into(),
            items: vec![],
        });
        let first = ingest_event(&store, &t, &SYSTEM, order.clone())
            .await
            .expect("order");
        order.occurred_at = at(60);
        order.order.as_mut().expect("order").external_id = "1002".into();
        order.identifiers.email = None;
        let second = ingest_event(&store, &t, &SYSTEM, order)
            .await
            .expect("second order");
        assert_eq!(second.decision, Decision::Linked);
        assert_eq!(second.customer_id, first.customer_id);
        assert!(second.matched_by.contains(&"external_id".to_owned()));
        assert_eq!(tenant_stats(&store, &t).await.expect("stats").orders, 2);
    }
);

on_both!(
    demo_seed_fills_timelines_and_the_review_queue,
    |store: Store| async move {
        let now = at(90 * 24 * 60);
        let (tenant, report) = spine_core::demo::seed_demo(&store, 3, 60, now, |_, _| {})
            .await
            .expect("seed");
        assert!(report.created > 0 && report.linked > 0, "{report:?}");
        assert!(report.review + report.ambiguous > 0, "{report:?}");
        let again = spine_core::demo::seed_demo(&store, 3, 60, now, |_, _| {})
            .await
            .expect("seed twice");
        assert_eq!(
            again.1.duplicates, again.1.events,
            "re-seeding ingests nothing new"
        );
        let stats = tenant_stats(&store, &tenant).await.expect("stats");
        assert!(stats.pending_reviews > 0);
        assert!(stats.orders > 0);
        // Old conversations were resolved and those resolved over 60 days ago archived.
        assert_eq!(
            tenant.memory.archive_after_days,
            spine_core::demo::DEMO_ARCHIVE_DAYS
        );
        let archived = spine_core::services::audit_log::search_audit(
            &store,
            &tenant,
            &spine_core::services::audit_log::AuditSearch {
                action: Some("threads.archived".into()),
                ..Default::default()
            },
            0,
        )
        .await
        .expect("audit");
        // Other suites may seed the demo tenant of the shared PostgreSQL database: this
        // seed's runs are the ones as of its `now`.
        let cutoff = now - chrono::Duration::days(spine_core::demo::DEMO_ARCHIVE_DAYS.into());
        let ours: Vec<u64> = archived
            .entries
            .iter()
            .filter_map(|e| e.after.as_ref())
            .filter(|a| a.0["resolved_before"] == serde_json::json!(cutoff))
            .filter_map(|a| a.0["threads"].as_u64())
            .collect();
        assert_eq!(
            ours.len(),
            1,
            "archived once, not again: {:?}",
            archived.entries
        );
        assert!(ours[0] > 0, "{ours:?}");
    }
);

mod merging {
    use super::*;
    use spine_core::services::merge::{MergePair, merge_customers, preview_merge, undo_merge};
    use spine_core::services::review::reject_review_item;
    use spine_engine::merge::Choice;
    use std::collections::BTreeMap;

    async fn two_profiles(store: &Store, t: &Tenant) -> (Uuid, Uuid) {
        let a_ids = IdentifiersInput {
            email: Some("ann@example.com".into()),
            name: Some("Ann Lee".into()),
            ..Default::default()
        };
        let a = ingest_event(store, t, &SYSTEM, event(Channel::Email, 0, a_ids, "a1"))
            .await
            .expect("a");
        ingest_event(
            store,
            t,
            &SYSTEM,
            event(Channel::Email, 1, email("ann@example.com"), "a2"),
        )
        .await
        .expect("a2");
        let b_ids = IdentifiersInput {
            phone: Some("+12125550100".into()),
            name: Some("Anne Lee".into()),
            ..Default::default()
        };
        let b = ingest_event(store, t, &SYSTEM, event(Channel::Sms, 2, b_ids, "b1"))
            .await
            .expect("b");
        assert_ne!(a.customer_id, b.customer_id);
        (a.customer_id, b.customer_id)
    }

    async fn state(
        store: &Store,
        t: &Tenant,
        id: Uuid,
    ) -> (spine_core::types::CustomerProfile, Vec<Uuid>) {
        let mut profile = customer_profile(store, t, id).await.expect("profile");
        profile.identities.sort_by_key(|x| x.id);
        profile.updated_at = DateTime::<Utc>::MIN_UTC;
        // Last seen moves forward with new traffic, merged or not; everything else must round-trip.
        for identity in &mut profile.identities {
            identity.last_seen_at = DateTime::<Utc>::MIN_UTC;
        }
        let timeline = customer_timeline(store, t, id, None, 200)
            .await
            .expect("timeline")
            .into_iter()
            .map(|e| e.id)
            .collect();
        (profile, timeline)
    }

    on_both!(
        merge_then_undo_restores_profiles_identities_and_timelines,
        |store: Store| async move {
            let t = tenant(&store).await;
            let (a, b) = two_profiles(&store, &t).await;
            let (before_a, before_b) = (state(&store, &t, a).await, state(&store, &t, b).await);

            let plan = preview_merge(
                &store,
                &t,
                MergePair {
                    survivor: a,
                    absorbed: b,
                },
            )
            .await
            .expect("preview");
            assert!(
                plan.conflicts().any(|f| f.name == "display_name"),
                "Ann Lee vs Anne Lee is a choice"
            );
            let choices: BTreeMap<String, Choice> =
                [("display_name".to_owned(), Choice::Absorbed)].into();
            let outcome = merge_customers(
                &store,
                &t,
                &SYSTEM,
                MergePair {
                    survivor: a,
                    absorbed: b,
                },
                &choices,
                None,
            )
            .await
            .expect("merge");
            assert_eq!(outcome.interactions_moved, 1);

            let merged = customer_profile(&store, &t, a).await.expect("survivor");
            assert_eq!(
                merged.display_name.as_deref(),
                Some("Anne Lee"),
                "the choice applied"
            );
            assert_eq!(
                merged.primary_phone.as_deref(),
                Some("+12125550100"),
                "the gap was filled"
            );
            assert_eq!(
                merged.identities.len(),
                before_a.0.identities.len() + before_b.0.identities.len()
            );
            assert_eq!(
                customer_timeline(&store, &t, a, None, 200)
                    .await
                    .expect("timeline")
                    .len(),
                3
            );
            assert_eq!(
                search_customers(&store, &t, "lee", 10)
                    .await
                    .expect("search")
                    .len(),
                1,
                "the absorbed profile is gone from search"
            );
            // New traffic for the absorbed phone now lands on the survivor.
            let later = ingest_event(
                &store,
                &t,
                &SYSTEM,
                event(Channel::Sms, 9, phone("212-555-0100"), "after"),
            )
            .await
            .expect("later");
            assert_eq!(later.customer_id, a);

            undo_merge(&store, &t, &SYSTEM, outcome.merge_id)
                .await
                .expect("undo");
            let (after_a, after_b) = (state(&store, &t, a).await, state(&store, &t, b).await);
            assert_eq!(after_b, before_b, "the absorbed profile is back exactly");
            assert_eq!(after_a.0.display_name, before_a.0.display_name);
            assert_eq!(after_a.0.identities, before_a.0.identities);
            // The event that arrived after the merge stays where it landed; the rest is as before.
            assert_eq!(after_a.1.len(), before_a.1.len() + 1);
            assert!(matches!(
                undo_merge(&store, &t, &SYSTEM, outcome.merge_id).await,
                Err(ServiceError::Conflict(_))
            ));
        }
    );

    on_both!(only_admins_merge, |store: Store| async move {
        let t = tenant(&store).await;
        let (a, b) = two_profiles(&store, &t).await;
        let agent = Actor::Staff {
            id: Uuid::new_v4(),
            email: "agent@x.com".into(),
            role: Role::Agent,
        };
        let refused = merge(&store, &t, &agent, a, b).await;
        assert!(matches!(refused, Err(ServiceError::Forbidden)));
        assert!(matches!(
            merge_customers(
                &store,
                &t,
                &SYSTEM,
                MergePair {
                    survivor: a,
                    absorbed: a
                },
                &BTreeMap::new(),
                None
            )
            .await,
            Err(ServiceError::Conflict(_))
        ));
    });

    on_both!(rejected_pairs_are_remembered, |store: Store| async move {
        let t = tenant(&store).await;
        let by_email = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Webchat, 0, email("dan@gmail.com"), "hi"),
        )
        .await
        .expect("a");
        ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Sms, 1, phone("+13055550111"), "hi"),
        )
        .await
        .expect("b");
        let both = IdentifiersInput {
            email: Some("dan@gmail.com".into()),
            phone: Some("+13055550111".into()),
            ..Default::default()
        };
        let conflict = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Booking, 2, both, "booking"),
        )
        .await
        .expect("c");
        let item = conflict.review_item_id.expect("review item");
        reject_review_item(&store, &t, &SYSTEM, item)
            .await
            .expect("reject");
        assert!(matches!(
            reject_review_item(&store, &t, &SYSTEM, item).await,
            Err(ServiceError::Conflict(_))
        ));
        // A merge asked from the same item by someone who had it open: refused, nothing merged.
        assert!(matches!(
            merge_customers(
                &store,
                &t,
                &SYSTEM,
                MergePair {
                    survivor: by_email.customer_id,
                    absorbed: conflict.customer_id,
                },
                &Default::default(),
                Some(item),
            )
            .await,
            Err(ServiceError::Conflict(_))
        ));
        let mut tx = store.read().await.expect("tx");
        assert!(
            tx.customer(t.id, conflict.customer_id)
                .await
                .expect("read")
                .is_some_and(|c| c.merged_into.is_none()),
            "not merged"
        );
        assert!(
            tx.is_non_match(t.id, conflict.customer_id, by_email.customer_id)
                .await
                .expect("lookup")
        );
        assert_eq!(
            tenant_stats(&store, &t)
                .await
                .expect("stats")
                .pending_reviews,
            0
        );
    });
}

on_both!(
    the_tenant_model_is_trained_on_its_own_profiles_and_scores_its_decisions,
    |store: Store| async move {
        use spine_core::services::matching::{current_model, train_match_model};
        let now = at(90 * 24 * 60);
        // Its own tenant, fed the demo's events (the demo tenant itself is shared by other tests).
        let tenant = tenant(&store).await;
        for e in spine_core::demo::demo_events(5, 80, now) {
            ingest_event(&store, &tenant, &SYSTEM, e)
                .await
                .expect("ingest");
        }
        let default = spine_engine::model::Model::default_for_people();
        let mut tx = store.read().await.expect("tx");
        assert_eq!(
            current_model(&mut tx, &tenant).await.expect("model"),
            default,
            "defaults before any training"
        );
        drop(tx);

        let report = train_match_model(&store, &tenant, &SYSTEM)
            .await
            .expect("train");
        assert!(report.profiles > 80, "{report:?}");
        let mut tx = store.read().await.expect("tx");
        let trained = current_model(&mut tx, &tenant).await.expect("model");
        drop(tx);
        assert_ne!(
            trained, default,
            "the tenant's own value frequencies changed u"
        );
        // The same person written again in both tenants (one trained, one on the defaults), then
        // the same borderline sender in both: same name and home, another email. The trained
        // tenant scores that sender with its own weights.
        let untrained = super::tenant(&store).await;
        for e in spine_core::demo::demo_events(5, 80, now) {
            ingest_event(&store, &untrained, &SYSTEM, e)
                .await
                .expect("ingest");
        }
        let home = spine_core::types::AddressInput {
            line1: "41 Juniper Row".into(),
            city: Some("Austin".into()),
            region: Some("TX".into()),
            postal_code: Some("78701".into()),
            country: Some("US".into()),
            ..Default::default()
        };
        let person = IdentifiersInput {
            email: Some("pat.quinn@example.com".into()),
            name: Some("Pat Quinn".into()),
            address: Some(home.clone()),
            ..Default::default()
        };
        let sender = IdentifiersInput {
            email: Some("p.q.travels@example.net".into()),
            name: Some("Pat Quinn".into()),
            address: Some(home),
            ..Default::default()
        };
        let mut outcomes = Vec::new();
        for t in [&tenant, &untrained] {
            ingest_event(
                &store,
                t,
                &SYSTEM,
                event(Channel::Email, 1, person.clone(), "hi"),
            )
            .await
            .expect("ingest");
            outcomes.push(
                ingest_event(
                    &store,
                    t,
                    &SYSTEM,
                    event(Channel::Webchat, 2, sender.clone(), "hello"),
                )
                .await
                .expect("ingest"),
            );
        }
        let (with_model, with_defaults) = (&outcomes[0], &outcomes[1]);
        assert!(
            with_model.confidence > 0.0 && with_defaults.confidence > 0.0,
            "both found the person as a candidate: {outcomes:?}"
        );
        assert!(
            (with_model.confidence - with_defaults.confidence).abs() > 1e-6,
            "the trained model decides with its own weights: {outcomes:?}"
        );
        let other = super::tenant(&store).await;
        assert!(
            matches!(
                train_match_model(&store, &other, &SYSTEM).await,
                Err(ServiceError::Invalid { .. })
            ),
            "nothing to learn from yet"
        );
    }
);

on_both!(
    timeline_filters_by_channel_and_kind,
    |store: Store| async move {
        use spine_core::services::customers::{TimelineRequest, timeline_page};
        let t = tenant(&store).await;
        let ids = IdentifiersInput {
            email: Some("kim@example.com".into()),
            phone: Some("+13125550188".into()),
            ..Default::default()
        };
        let first = ingest_event(&store, &t, &SYSTEM, event(Channel::Webchat, 0, ids, "chat"))
            .await
            .expect("chat");
        ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Sms, 1, phone("312-555-0188"), "sms"),
        )
        .await
        .expect("sms");
        let mut call = event(Channel::Phone, 2, phone("312-555-0188"), "call");
        call.kind = InteractionKind::Call;
        ingest_event(&store, &t, &SYSTEM, call).await.expect("call");
        let id = first.customer_id;
        let sms = timeline_page(
            &store,
            &t,
            id,
            &TimelineRequest {
                limit: 50,
                channel: Some(Channel::Sms),
                kind: None,
                ..TimelineRequest::default()
            },
        )
        .await
        .expect("sms")
        .entries;
        assert_eq!(
            sms.iter().map(|e| e.channel).collect::<Vec<_>>(),
            vec![Channel::Sms]
        );
        let calls = timeline_page(
            &store,
            &t,
            id,
            &TimelineRequest {
                limit: 50,
                channel: None,
                kind: Some(InteractionKind::Call),
                ..TimelineRequest::default()
            },
        )
        .await
        .expect("calls")
        .entries;
        assert_eq!(calls.len(), 1);
        let none = timeline_page(
            &store,
            &t,
            id,
            &TimelineRequest {
                limit: 50,
                channel: Some(Channel::Sms),
                kind: Some(InteractionKind::Call),
                ..TimelineRequest::default()
            },
        )
        .await
        .expect("none");
        assert!(none.entries.is_empty());
        assert_eq!(
            customer_timeline(&store, &t, id, None, 50)
                .await
                .expect("all")
                .len(),
            3
        );
        // Search results carry the channels each profile used, looked up for the whole page at once.
        let found = search_customers(&store, &t, "kim@example.com", 10)
            .await
            .expect("search");
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].channels,
            vec![Channel::Phone, Channel::Sms, Channel::Webchat]
        );
    }
);

on_both!(
    search_finds_identifiers_however_they_are_written,
    |store: Store| async move {
        let t = tenant(&store).await;
        let ids = IdentifiersInput {
            name: Some("Wanda Okafor".into()),
            email: Some("wanda.okafor@gmail.com".into()),
            phone: Some("+1 415 555 0134".into()),
            handle: Some(HandleInput {
                platform: "instagram".into(),
                handle: "@WandaBakes".into(),
            }),
            external: Some(ExternalInput {
                provider: "shopify".into(),
                id: "cus_88123".into(),
            }),
            ..Default::default()
        };
        let mut order = event(Channel::Order, 0, ids, "order");
        order.kind = InteractionKind::Order;
        order.order = Some(OrderInput {
            provider: "shopify".into(),
            external_id: "#1042".into(),
            total_cents: 1200,
            currency: "USD".into(),
            status: "paid".into(),
            items: vec![],
        });
        let wanda = ingest_event(&store, &t, &SYSTEM, order)
            .await
            .expect("ingest")
            .customer_id;
        // Someone else, so a query that matched everyone would be caught.
        ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(Channel::Sms, 1, phone("+1 415 555 0199"), "hi"),
        )
        .await
        .expect("other");
        for q in [
            "(415) 555-0134",
            "415.555.0134",
            "+14155550134",
            "Wanda.Okafor@GMAIL.com",
            "wandaokafor+cakes@gmail.com",
            "@wandabakes",
            "cus_88123",
            "#1042",
            "okafor",
        ] {
            let found = search_customers(&store, &t, q, 10).await.expect("search");
            let ids: Vec<Uuid> = found.iter().map(|c| c.id).collect();
            assert_eq!(ids, vec![wanda], "{q}");
        }
        for q in [
            "(415) 555-0100",
            "nobody@example.com",
            "@someoneelse",
            "#9999",
        ] {
            let found = search_customers(&store, &t, q, 10).await.expect("search");
            assert!(found.is_empty(), "{q}");
        }
    }
);

on_both!(
    names_are_found_by_prefix_typo_accent_and_nickname_best_first,
    |store: Store| async move {
        use spine_core::services::customers::{
            ProfileUpdate, index_missing_names, search_customers_page, update_customer,
        };
        let t = tenant(&store).await;
        let named = |name: &str, phone: &str| IdentifiersInput {
            name: Some(name.to_owned()),
            phone: Some(phone.to_owned()),
            ..Default::default()
        };
        let mut ids = std::collections::HashMap::new();
        for (i, (name, phone)) in [
            ("Jonathan Smith", "+1 415 555 0101"),
            ("Jon Smyth", "+1 415 555 0102"),
            ("María García", "+1 415 555 0103"),
            ("Robert Tables", "+1 415 555 0104"),
            ("Mark Twain", "+1 415 555 0105"),
            ("Ann Smith-Jones", "+1 415 555 0106"),
        ]
        .into_iter()
        .enumerate()
        {
            let outcome = ingest_event(
                &store,
                &t,
                &SYSTEM,
                event(Channel::Sms, i as i64, named(name, phone), "hi"),
            )
            .await
            .expect("ingest");
            ids.insert(name, outcome.customer_id);
        }
        let search = |q: &'static str| names_found(&store, &t, q);
        // A typo in the family name; the closer spelling ranks first, and Jon (a nickname of
        // Jonathan) with a near family name comes after.
        assert_eq!(
            search("jonathan smiht").await,
            vec!["Jonathan Smith", "Jon Smyth"]
        );
        // Equal matches (both hold the word "smith") come most recently active first.
        assert_eq!(
            search("smith").await,
            vec!["Ann Smith-Jones", "Jonathan Smith", "Jon Smyth"]
        );
        // Accents, a nickname, a first letter wrong but the same sound, an unfinished word.
        assert_eq!(search("garcia").await, vec!["María García"]);
        assert_eq!(search("bob tables").await, vec!["Robert Tables"]);
        // Part of a hyphenated name; "Jon" shares the first three letters and comes after.
        assert_eq!(search("jones").await, vec!["Ann Smith-Jones", "Jon Smyth"]);
        let mar = search("mar").await;
        assert_eq!(mar.len(), 2, "{mar:?}");
        assert!(mar.contains(&"María García".to_owned()) && mar.contains(&"Mark Twain".to_owned()));
        assert!(search("zebulon").await.is_empty());
        // A slip in a short word that changes its prefix, its sound and its first three
        // letters: a dropped letter meets the stored word's deletions; a changed one, found by
        // nothing else, is looked up again by the query's own deletions.
        assert_eq!(search("twin").await, vec!["Mark Twain"]);
        assert_eq!(search("tavles").await, vec!["Robert Tables"]);

        // Pages: the second page continues the first.
        let page = |offset| {
            let (store, t) = (store.clone(), t.clone());
            async move {
                search_customers_page(&store, &t, "smith", 2, offset)
                    .await
                    .expect("page")
                    .into_iter()
                    .map(|c| c.display_name.unwrap_or_default())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(page(0).await, vec!["Ann Smith-Jones", "Jonathan Smith"]);
        assert_eq!(page(2).await, vec!["Jon Smyth"]);
        assert!(matches!(
            search_customers_page(&store, &t, "smith", 2, -1).await,
            Err(ServiceError::Invalid { .. })
        ));
        // An empty query lists the most recently active profiles.
        let recent = search_customers_page(&store, &t, "", 2, 0)
            .await
            .expect("recent");
        assert_eq!(recent.len(), 2);
        assert_eq!(recent[0].display_name.as_deref(), Some("Ann Smith-Jones"));

        // A renamed profile is found by its new name only.
        let admin = Actor::Staff {
            id: Uuid::now_v7(),
            email: "admin@example.com".into(),
            role: Role::Admin,
        };
        update_customer(
            &store,
            &t,
            &admin,
            ids["Mark Twain"],
            &ProfileUpdate {
                display_name: Some("Samuel Clemens".into()),
                ..Default::default()
            },
        )
        .await
        .expect("rename");
        assert_eq!(search("mar").await, vec!["María García"]);
        assert_eq!(search("samuel clemens").await, vec!["Samuel Clemens"]);

        // A migration that rebuilds the keys empties them and marks the tenants; the start-up
        // backfill indexes a marked tenant's profiles and leaves the others unread.
        let mut tx = store.begin().await.expect("tx");
        tx.reindex_name(t.id, ids["Robert Tables"], &[])
            .await
            .expect("clear");
        tx.commit().await.expect("commit");
        assert!(search("tables").await.is_empty());
        let backfill = || index_missing_names(&store, &|_| ());
        assert_eq!(backfill().await.expect("unmarked"), 0);
        assert!(search("tables").await.is_empty());
        let mut tx = store.begin().await.expect("tx");
        tx.set_names_indexed(t.id, false).await.expect("mark");
        tx.commit().await.expect("commit");
        let progress = std::sync::atomic::AtomicU64::new(0);
        let indexed = index_missing_names(&store, &|done| {
            progress.store(done, std::sync::atomic::Ordering::Relaxed)
        })
        .await
        .expect("backfill");
        assert!(indexed >= 1);
        assert_eq!(progress.into_inner(), indexed);
        assert_eq!(search("tables").await, vec!["Robert Tables"]);
        // Done: the tenant's mark is cleared, and the next start reads nothing.
        assert_eq!(backfill().await.expect("again"), 0);
    }
);

on_both!(
    webhook_configs_are_per_tenant_and_deliveries_are_stored_whole_or_not_at_all,
    |store: Store| async move {
        use spine_core::services::webhooks::{
            WebhookProvider, list_webhooks, receive_delivery, remove_webhook, set_webhook,
            webhook_endpoint,
        };
        let t = tenant(&store).await;
        let other = tenant(&store).await;
        let secret = "0123456789abcdef0123456789abcdef";
        set_webhook(&store, &t, &SYSTEM, WebhookProvider::Shopify, secret, None)
            .await
            .expect("set");
        // Replacing the secret keeps one row; a token is only for Meta's handshakes.
        set_webhook(
            &store,
            &t,
            &SYSTEM,
            WebhookProvider::Shopify,
            &secret.to_uppercase(),
            None,
        )
        .await
        .expect("replace");
        assert!(matches!(
            set_webhook(
                &store,
                &t,
                &SYSTEM,
                WebhookProvider::Shopify,
                secret,
                Some("token")
            )
            .await,
            Err(ServiceError::Invalid { .. })
        ));
        set_webhook(
            &store,
            &t,
            &SYSTEM,
            WebhookProvider::Meta,
            secret,
            Some("verify-me"),
        )
        .await
        .expect("meta");
        let listed = list_webhooks(&store, &t).await.expect("list");
        assert_eq!(
            listed.iter().map(|c| c.provider).collect::<Vec<_>>(),
            vec![WebhookProvider::Meta, WebhookProvider::Shopify]
        );
        let (found, config) = webhook_endpoint(&store, &t.slug, WebhookProvider::Shopify)
            .await
            .expect("endpoint");
        assert_eq!(found.id, t.id);
        assert_eq!(config.secret.expose(), secret.to_uppercase());
        assert!(matches!(
            webhook_endpoint(&store, &other.slug, WebhookProvider::Shopify).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            webhook_endpoint(&store, "no-such-tenant", WebhookProvider::Shopify).await,
            Err(ServiceError::NotFound(_))
        ));

        // A delivery with one unreadable event stores nothing, not even the good event.
        let mut good = event(Channel::Order, 0, email("lee@example.com"), "note");
        good.external_id = Some("d-1".into());
        let mut bad = event(Channel::Order, 1, phone("12"), "note");
        bad.external_id = Some("d-2".into());
        // The generic webhook's events are the integrator's own: read as strictly as the API.
        let refused = receive_delivery(
            &store,
            &t,
            WebhookProvider::Generic,
            vec![good.clone(), bad.clone()],
        )
        .await;
        assert!(
            matches!(&refused, Err(ServiceError::Invalid { field, .. }) if field == "events[1].identifiers.phone"),
            "{refused:?}"
        );
        assert_eq!(
            tenant_stats(&store, &t).await.expect("stats").interactions,
            0
        );

        // From a provider, the unreadable phone is left out and both events are stored, once.
        let outcome = receive_delivery(
            &store,
            &t,
            WebhookProvider::Shopify,
            vec![good.clone(), bad.clone()],
        )
        .await
        .expect("delivered");
        assert_eq!(
            (outcome.received, outcome.stored, outcome.duplicates),
            (2, 2, 0)
        );
        let again = receive_delivery(&store, &t, WebhookProvider::Shopify, vec![good, bad])
            .await
            .expect("redelivered");
        assert_eq!((again.stored, again.duplicates), (0, 2));
        assert_eq!(
            tenant_stats(&store, &t).await.expect("stats").interactions,
            2
        );
        let audit = store
            .read()
            .await
            .expect("tx")
            .recent_audit(t.id, 50)
            .await
            .expect("audit");
        let ingested: Vec<_> = audit
            .iter()
            .filter(|a| a.action == "interaction.ingested")
            .collect();
        assert_eq!(ingested.len(), 2);
        assert!(
            ingested
                .iter()
                .all(|a| a.actor_kind == "webhook" && a.actor_label == "webhook:shopify")
        );

        remove_webhook(&store, &t, &SYSTEM, WebhookProvider::Shopify)
            .await
            .expect("remove");
        assert!(matches!(
            remove_webhook(&store, &t, &SYSTEM, WebhookProvider::Shopify).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            webhook_endpoint(&store, &t.slug, WebhookProvider::Shopify).await,
            Err(ServiceError::NotFound(_))
        ));
    }
);

/// A street address in Sacramento.
fn sacramento(line1: String) -> AddressInput {
    AddressInput {
        line1,
        line2: None,
        city: Some("Sacramento".into()),
        region: Some("CA".into()),
        postal_code: Some("95814".into()),
        country: Some("US".into()),
    }
}

/// A mix of what ingestion meets: new and known senders in several spellings, senders known by
/// name and address only, orders, a message naming someone else's number, a sender whose email
/// and phone belong to two profiles, replays of one message id, a refused event.
fn mixed_events() -> Vec<EventInput> {
    let mut events = Vec::new();
    for i in 0..12i64 {
        let phone_number = format!("+1 916 555 {:04}", 200 + i);
        let mail = format!("person{i}@example.com");
        let name = format!("Person{} Family{}", i, i % 4);
        let mut first = event(
            Channel::Sms,
            i * 10,
            IdentifiersInput {
                phone: Some(phone_number.clone()),
                name: Some(name.clone()),
                ..Default::default()
            },
            "Is my refund on its way? Order 1234",
        );
        first.external_id = Some(format!("m-{i}"));
        events.push(first.clone());
        // The same message again, then the same person by email and by another spelling.
        events.push(first);
        events.push(event(
            Channel::Email,
            i * 10 + 1,
            IdentifiersInput {
                email: Some(mail.clone()),
                phone: Some(format!("(916) 555-{:04}", 200 + i)),
                ..Default::default()
            },
            "Following up on my delivery",
        ));
        let mut order = event(
            Channel::Order,
            i * 10 + 2,
            IdentifiersInput {
                email: Some(mail.to_uppercase()),
                name: Some(name.clone()),
                address: Some(sacramento(format!("{} Main Street", 10 + i))),
                ..Default::default()
            },
            "",
        );
        order.kind = InteractionKind::Order;
        order.order = Some(OrderInput {
            provider: "shop".into(),
            external_id: format!("o-{i}"),
            total_cents: 1999 + i,
            currency: "USD".into(),
            status: "paid".into(),
            items: vec![spine_core::types::OrderItem {
                name: "Birthday cake".into(),
                quantity: 1,
                price_cents: 1999 + i,
            }],
        });
        events.push(order);
        // Known by name and postal address only.
        events.push(event(
            Channel::Webchat,
            i * 10 + 3,
            IdentifiersInput {
                name: Some(name),
                address: Some(sacramento(format!("{} Main St.", 10 + i))),
                ..Default::default()
            },
            "Can I change the delivery address?",
        ));
    }
    // Someone else's number in a message; an email of one profile with the phone of another.
    events.push(event(
        Channel::Email,
        500,
        IdentifiersInput {
            email: Some("person1@example.com".into()),
            ..Default::default()
        },
        "My husband's number is (916) 555-0202",
    ));
    events.push(event(
        Channel::Email,
        501,
        IdentifiersInput {
            email: Some("person2@example.com".into()),
            phone: Some("+1 916 555 0203".into()),
            ..Default::default()
        },
        "Who am I?",
    ));
    events.push(event(
        Channel::Sms,
        502,
        IdentifiersInput {
            phone: Some("not a phone".into()),
            ..Default::default()
        },
        "?",
    ));
    events
}

/// What an outcome says, with profiles named by the order they first appeared in.
fn outcome_shape(
    outcome: &Result<spine_core::types::IngestOutcome, ServiceError>,
    seen: &mut Vec<Uuid>,
) -> String {
    match outcome {
        Ok(o) => {
            let profile = match seen.iter().position(|id| *id == o.customer_id) {
                Some(at) => at,
                None => {
                    seen.push(o.customer_id);
                    seen.len() - 1
                }
            };
            format!(
                "profile {profile} {:?} {:?} {:.4} duplicate={} review={}",
                o.decision,
                o.matched_by,
                o.confidence,
                o.duplicate,
                o.review_item_id.is_some()
            )
        }
        Err(e) => format!("refused: {e}"),
    }
}

/// SQLite ingestion runs on the writer's own connection (no thread hand-off per statement); the
/// same events through sqlx's connection decide the same, store the same and read back the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sqlite_writers_own_connection_ingests_as_sqlx_does() {
    let mut shapes = Vec::new();
    for direct in [true, false] {
        let (store, _dir) = common::sqlite().await;
        let store = if direct {
            store
        } else {
            store.without_direct_writer()
        };
        assert_eq!(store.has_direct_writer(), direct);
        let t = tenant(&store).await;
        let mut seen = Vec::new();
        let mut lines = Vec::new();
        // Half one event at a time, half in one group.
        let mut events = mixed_events();
        let grouped = events.split_off(events.len() / 2);
        for e in events {
            let outcome = ingest_event(&store, &t, &SYSTEM, e).await;
            lines.push(outcome_shape(&outcome, &mut seen));
        }
        for outcome in ingest_events(&store, &t, &SYSTEM, grouped).await {
            lines.push(outcome_shape(&outcome, &mut seen));
        }
        for id in &seen {
            let profile = customer_profile(&store, &t, *id).await.expect("profile");
            let page = customer_timeline(&store, &t, *id, None, 100)
                .await
                .expect("timeline");
            let mut identities: Vec<String> = profile
                .identities
                .iter()
                .map(|i| format!("{}:{}:{:?}", i.kind, i.value, i.assurance))
                .collect();
            identities.sort();
            lines.push(format!(
                "{:?} {:?} {:?} {:?} {identities:?} {:?}",
                profile.display_name,
                profile.primary_email,
                profile.primary_phone,
                profile.sources,
                page.iter()
                    .map(|i| (
                        i.channel,
                        i.body.clone(),
                        i.thread_id.is_some(),
                        i.payload.clone()
                    ))
                    .collect::<Vec<_>>()
            ));
        }
        let stats = tenant_stats(&store, &t).await.expect("stats");
        lines.push(format!("{stats:?}"));
        shapes.push(lines);
    }
    assert!(
        shapes[0]
            .iter()
            .any(|l| l.contains("Review") || l.contains("Ambiguous")),
        "the mix queues a review: {:#?}",
        shapes[0]
    );
    assert_eq!(shapes[0], shapes[1]);
    assert_eq!(
        spine_core::services::ingest::direct_fallbacks(),
        0,
        "every statement ingestion made ran on the writer's own connection"
    );
}

on_both!(
    a_name_of_two_common_words_is_found_among_their_many_holders,
    |store: Store| async move {
        use spine_core::services::ingest::ingest_events;
        let t = tenant(&store).await;
        // Made-up words of three syllables, none near "james" or "smith".
        let word = |i: usize| {
            const SYLLABLES: [&str; 10] =
                ["ka", "lo", "bu", "ru", "fe", "go", "vo", "ne", "di", "pa"];
            let mut w = String::new();
            for n in [i / 100, (i / 10) % 10, i % 10] {
                w.push_str(SYLLABLES[n]);
            }
            let mut chars = w.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_uppercase().chain(chars).collect()
            })
        };
        let named = |name: String, n: usize| IdentifiersInput {
            name: Some(name),
            email: Some(format!("person{n}@example.com")),
            ..Default::default()
        };
        // 800 Jameses and 800 Smiths: each word's own keys are held by thousands of rows, so
        // neither is rare, and the search counts only the profiles holding both (their pair).
        let mut events = Vec::new();
        for i in 0..800 {
            events.push(event(
                Channel::Email,
                i as i64,
                named(format!("James {}", word(i)), i),
                "hi",
            ));
            events.push(event(
                Channel::Email,
                i as i64,
                named(format!("{} Smith", word(i)), 1_000 + i),
                "hi",
            ));
        }
        // Ana sounds as Ian and Ina do: the word "ian" is held more often than its pair with
        // Smith, which drives the search below.
        for i in 0..10 {
            events.push(event(
                Channel::Email,
                i as i64,
                named(format!("Ana {}", word(i)), 2_000 + i),
                "hi",
            ));
        }
        for (n, name) in [
            "James Smith",
            "Jim Smith",
            "James Smithson",
            "Ivan Smith",
            "Ina Smith",
        ]
        .into_iter()
        .enumerate()
        {
            events.push(event(
                Channel::Email,
                900,
                named(name.to_owned(), 5_000 + n),
                "hi",
            ));
        }
        for chunk in events.chunks(200) {
            for outcome in ingest_events(&store, &t, &SYSTEM, chunk.to_vec()).await {
                outcome.expect("ingest");
            }
        }
        let search = |q: &'static str| names_found(&store, &t, q);
        for q in ["James Smith", "smith james", "jim smith"] {
            let found = search(q).await;
            let mut sorted = found.clone();
            sorted.sort();
            // The nickname counts as the name; a longer family name being typed comes last.
            assert_eq!(
                sorted,
                vec!["James Smith", "James Smithson", "Jim Smith"],
                "{q}"
            );
            assert_eq!(
                found.last().map(String::as_str),
                Some("James Smithson"),
                "{q}"
            );
        }
        // A slip in one of the words.
        assert_eq!(
            search("Jmaes Smith").await.first().map(String::as_str),
            Some("James Smith")
        );
        assert_eq!(
            search("James Smiht").await.first().map(String::as_str),
            Some("James Smith")
        );
        // One common word alone still finds its holders.
        assert_eq!(search("smith").await.len(), 10);
        // A slip that changes a word's sound: "Ian Smith" typed for Ivan Smith pairs with Ina
        // Smith (Ian and Ina sound alike) and with no Ian Smith, so the words are looked up too.
        let ian = search("Ian Smith").await;
        assert!(ian.iter().any(|n| n == "Ivan Smith"), "{ian:?}");
        assert!(ian.iter().any(|n| n == "Ina Smith"), "{ian:?}");
    }
);
