//! Conversation memory on both backends: threads across channels, unrelated topics apart, a
//! resolved thread that neither takes the next question nor crowds out the open one, and the
//! context's budget.

use chrono::{Duration, Utc};

use spine_core::services::ingest::ingest_event;
use spine_core::services::memory::{customer_context, set_thread_resolved};
use spine_core::types::{Channel, Role};
use spine_core::{ServiceError, Store};

#[macro_use]
mod common;

use common::{SYSTEM, event, ids, staff, tenant};

on_both!(threads_follow_the_conversation, |store: Store| async move {
    let t = tenant(&store).await;
    let now = Utc::now();
    let say = |channel: Channel, hours_ago: i64, body: &'static str| {
        let mut e = event(
            channel,
            0,
            ids(
                Some("lena@example.com"),
                Some("+1 212 555 0177"),
                "Lena Park",
            ),
            body,
        );
        e.occurred_at = now - Duration::hours(hours_ago);
        e
    };
    let chat = ingest_event(
        &store,
        &t,
        &SYSTEM,
        say(Channel::Webchat, 30, "Where is my order #5521?"),
    )
    .await
    .expect("chat");
    let id = chat.customer_id;
    ingest_event(
        &store,
        &t,
        &SYSTEM,
        say(Channel::Email, 29, "Do you have vegan options for a party?"),
    )
    .await
    .expect("email");
    ingest_event(
        &store,
        &t,
        &SYSTEM,
        say(Channel::Sms, 28, "Any news on order #5521?"),
    )
    .await
    .expect("sms");

    let context = customer_context(&store, &t, id, Some(Channel::Sms), 4000)
        .await
        .expect("context");
    assert_eq!(
        context.threads.len(),
        2,
        "the order and the party: {:?}",
        context.threads
    );
    let order = context
        .threads
        .iter()
        .find(|th| th.entities.contains(&"order #5521".to_owned()))
        .expect("order thread");
    assert_eq!(order.channel, "sms");
    assert_eq!(order.continues_from.as_deref(), Some("webchat"));
    assert_eq!(order.last_messages.len(), 2);
    assert_eq!(
        context.threads[0].id, order.id,
        "the answering channel's thread ranks first"
    );

    // Resolved: the next question starts a thread of its own, which ranks above the old one.
    let agent = staff(Role::Agent);
    assert!(matches!(
        set_thread_resolved(&store, &t, &staff(Role::Manager), order.id, true).await,
        Err(ServiceError::Forbidden)
    ));
    set_thread_resolved(&store, &t, &agent, order.id, true)
        .await
        .expect("resolve");
    ingest_event(
        &store,
        &t,
        &SYSTEM,
        say(Channel::Whatsapp, 1, "Is it ready?"),
    )
    .await
    .expect("whatsapp");
    let context = customer_context(&store, &t, id, Some(Channel::Whatsapp), 4000)
        .await
        .expect("context");
    assert_eq!(context.threads.len(), 3);
    let first = &context.threads[0];
    assert_eq!(first.channel, "whatsapp");
    assert_eq!(first.status, "open");
    assert!(first.continues_from.is_none());
    let resolved = context
        .threads
        .iter()
        .find(|th| th.id == order.id)
        .expect("still listed");
    assert_eq!(resolved.status, "resolved");
    assert!(resolved.relevance < first.relevance);
    // In the text too, the open conversation comes before the resolved one.
    let position = |title: &str| {
        context
            .text
            .find(title)
            .unwrap_or_else(|| panic!("{title:?} not in {}", context.text))
    };
    assert!(
        position("Conversation on whatsapp (open)") < position("Conversation on sms (resolved)")
    );

    // The budget holds however small; bad budgets are refused.
    for budget in [100, 250, 1000] {
        let small = customer_context(&store, &t, id, None, budget)
            .await
            .expect("context");
        assert!(
            small.text.chars().count() <= budget,
            "{budget}: {}",
            small.text
        );
    }
    assert!(matches!(
        customer_context(&store, &t, id, None, 10).await,
        Err(ServiceError::Invalid { .. })
    ));
});

fn order_event(
    minutes: i64,
    who: spine_core::types::IdentifiersInput,
    number: &str,
    item: &str,
) -> spine_core::types::EventInput {
    use spine_core::types::{InteractionKind, OrderInput, OrderItem};
    let mut e = event(Channel::Order, minutes, who, "");
    e.kind = InteractionKind::Order;
    e.body = None;
    e.order = Some(OrderInput {
        provider: "shopify".into(),
        external_id: number.into(),
        total_cents: 4_500,
        currency: "USD".into(),
        status: "paid".into(),
        items: vec![OrderItem {
            name: item.into(),
            quantity: 1,
            price_cents: 4_500,
        }],
    });
    e
}

on_both!(
    the_tenants_windows_decide_what_continues,
    |store: Store| async move {
        use spine_core::services::settings::{tenant_settings, update_tenant_settings};
        use spine_core::services::tenants::tenant_by_slug;

        let strict = tenant(&store).await;
        let mut settings = tenant_settings(&store, &strict).await.expect("settings");
        settings.memory.thread_window_hours = 1;
        update_tenant_settings(&store, &strict, &staff(Role::Admin), &settings)
            .await
            .expect("a one-hour window");
        let strict = tenant_by_slug(&store, &strict.slug)
            .await
            .expect("reloaded");
        let relaxed = tenant(&store).await;

        for (t, expected) in [(&strict, 2), (&relaxed, 1)] {
            let who = || ids(Some("omar@example.com"), None, "Omar Haddad");
            let first = ingest_event(
                &store,
                t,
                &SYSTEM,
                event(Channel::Webchat, 0, who(), "Where is my order?"),
            )
            .await
            .expect("first");
            ingest_event(
                &store,
                t,
                &SYSTEM,
                event(Channel::Whatsapp, 120, who(), "Is my order ready?"),
            )
            .await
            .expect("two hours later");
            let context = customer_context(&store, t, first.customer_id, None, 4000)
                .await
                .expect("context");
            assert_eq!(context.threads.len(), expected, "window {:?}", t.memory);
        }
    }
);

on_both!(
    products_ordered_and_topics_raised_are_the_tenants_vocabulary,
    |store: Store| async move {
        let t = tenant(&store).await;
        let who = || {
            ids(
                Some("ines@example.com"),
                Some("+1 212 555 0144"),
                "Ines Costa",
            )
        };
        // The vocabulary holds the products of the last year: this order is recent.
        let mut order = order_event(0, who(), "8812", "Fruit Platter");
        order.occurred_at = Utc::now() - Duration::hours(2);
        ingest_event(&store, &t, &SYSTEM, order)
            .await
            .expect("order");
        // Known only from the order: no product list was configured anywhere.
        let mut message = event(
            Channel::Sms,
            0,
            who(),
            "The fruit platters arrived squashed",
        );
        message.occurred_at = Utc::now() - Duration::hours(1);
        let message = ingest_event(&store, &t, &SYSTEM, message)
            .await
            .expect("message");
        let context = customer_context(&store, &t, message.customer_id, None, 4000)
            .await
            .expect("context");
        assert_eq!(context.threads.len(), 1);
        assert!(
            context.threads[0]
                .entities
                .contains(&"fruit platter".to_owned()),
            "{:?}",
            context.threads[0].entities
        );
        let vocabulary = store
            .read()
            .await
            .expect("read")
            .vocabulary(t.id)
            .await
            .expect("vocabulary");
        assert_eq!(vocabulary.products, vec!["fruit platter".to_owned()]);
        assert_eq!(vocabulary.topic_stats.documents(), 1, "one message read");
        assert_eq!(
            vocabulary
                .topic_stats
                .frequency(spine_engine::conversation::Topic::Delivery),
            1
        );
        assert_eq!(
            vocabulary
                .topic_stats
                .frequency(spine_engine::conversation::Topic::Refund),
            0
        );
    }
);

on_both!(
    the_customer_summary_spans_threads_and_follows_merges,
    |store: Store| async move {
        use spine_core::services::merge::{MergePair, merge_customers, undo_merge};

        let t = tenant(&store).await;
        let a = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Webchat,
                0,
                ids(Some("maya@example.com"), None, "Maya Stone"),
                "I need help with my order #1234.",
            ),
        )
        .await
        .expect("a")
        .customer_id;
        ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Email,
                60 * 24 * 5,
                ids(Some("maya@example.com"), None, "Maya Stone"),
                "Can I book a table for my birthday party?",
            ),
        )
        .await
        .expect("a again");
        let b = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Sms,
                60,
                ids(None, Some("+1 212 555 0199"), "Maya Stone"),
                "My daughter is allergic to nuts.",
            ),
        )
        .await
        .expect("b")
        .customer_id;
        assert_ne!(a, b, "nothing links them yet");

        let said = |context: &spine_core::services::memory::CustomerContext, text: &str| {
            context.summary.iter().any(|line| line.ends_with(text))
        };
        let before = customer_context(&store, &t, a, None, 4000)
            .await
            .expect("a");
        assert_eq!(before.threads.len(), 2);
        assert!(
            said(&before, "I need help with my order #1234."),
            "{:?}",
            before.summary
        );
        assert!(said(&before, "Can I book a table for my birthday party?"));
        assert!(!said(&before, "My daughter is allergic to nuts."));

        let merged = merge_customers(
            &store,
            &t,
            &staff(Role::Admin),
            MergePair {
                survivor: a,
                absorbed: b,
            },
            &Default::default(),
            None,
        )
        .await
        .expect("merged");
        let after = customer_context(&store, &t, a, None, 4000)
            .await
            .expect("merged context");
        assert!(
            said(&after, "My daughter is allergic to nuts."),
            "{:?}",
            after.summary
        );
        assert!(said(&after, "I need help with my order #1234."));
        assert!(after.text.contains("allergic to nuts"));

        undo_merge(&store, &t, &staff(Role::Admin), merged.merge_id)
            .await
            .expect("undone");
        let a_again = customer_context(&store, &t, a, None, 4000)
            .await
            .expect("a");
        let b_again = customer_context(&store, &t, b, None, 4000)
            .await
            .expect("b");
        assert!(
            !said(&a_again, "My daughter is allergic to nuts."),
            "{:?}",
            a_again.summary
        );
        assert!(said(&b_again, "My daughter is allergic to nuts."));
        assert!(!said(&b_again, "I need help with my order #1234."));
    }
);

on_both!(
    resolved_threads_are_archived_and_their_text_read_on_demand,
    |store: Store| async move {
        use spine_core::services::customers::customer_timeline;
        use spine_core::services::memory::{archive_thread, archive_threads, thread_transcript};
        use spine_core::services::privacy::{erase_customer, export_customer};

        let t = tenant(&store).await;
        let who = || {
            ids(
                Some("ravi@example.com"),
                Some("+1 212 555 0123"),
                "Ravi Menon",
            )
        };
        let first = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Webchat,
                0,
                who(),
                "Order #7788 arrived damaged, I want a refund.",
            ),
        )
        .await
        .expect("first");
        let id = first.customer_id;
        for (minutes, body) in [
            (5, "It was the big cake."),
            (10, "Any news on the refund for order #7788?"),
        ] {
            ingest_event(
                &store,
                &t,
                &SYSTEM,
                event(Channel::Webchat, minutes, who(), body),
            )
            .await
            .expect("message");
        }
        ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Sms,
                60 * 24 * 10,
                who(),
                "What time do you open on Sunday?",
            ),
        )
        .await
        .expect("a later question");
        let context = customer_context(&store, &t, id, None, 4000)
            .await
            .expect("context");
        let refund = context
            .threads
            .iter()
            .find(|th| th.entities.contains(&"order #7788".to_owned()))
            .expect("the refund thread")
            .id;
        let open_question = context
            .threads
            .iter()
            .find(|th| th.id != refund)
            .expect("the later question")
            .id;
        let admin = staff(Role::Admin);
        assert!(
            matches!(
                archive_thread(&store, &t, &admin, open_question).await,
                Err(ServiceError::Conflict(_))
            ),
            "an open conversation is not archived"
        );
        assert!(matches!(
            archive_thread(&store, &t, &staff(Role::Manager), open_question).await,
            Err(ServiceError::Forbidden)
        ));
        set_thread_resolved(&store, &t, &admin, refund, true)
            .await
            .expect("resolved");

        // Resolved just now: younger than the archive age.
        let none = archive_threads(&store, &t, &admin, Utc::now(), |_, _| {})
            .await
            .expect("nothing to archive");
        assert_eq!(none.threads, 0);
        let mut calls = Vec::new();
        let later = Utc::now() + Duration::days(91);
        let report = archive_threads(&store, &t, &admin, later, |done, total| {
            calls.push((done, total))
        })
        .await
        .expect("archived");
        assert_eq!((report.threads, report.messages), (1, 3));
        assert_eq!(calls.first(), Some(&(0, 1)));
        assert_eq!(calls.last(), Some(&(1, 1)));

        // The timeline keeps the messages, without their text.
        let timeline = customer_timeline(&store, &t, id, None, 50)
            .await
            .expect("timeline");
        let archived: Vec<_> = timeline.iter().filter(|e| e.archived).collect();
        assert_eq!(archived.len(), 3);
        assert!(
            archived
                .iter()
                .all(|e| e.body.is_none() && e.thread_id == Some(refund))
        );
        assert!(
            timeline
                .iter()
                .any(|e| !e.archived
                    && e.body.as_deref() == Some("What time do you open on Sunday?"))
        );
        // The full text, on demand.
        let transcript = thread_transcript(&store, &t, refund)
            .await
            .expect("transcript");
        assert!(transcript.archived_at.is_some());
        let bodies: Vec<_> = transcript
            .messages
            .iter()
            .map(|m| m.body.as_deref())
            .collect();
        assert_eq!(
            bodies,
            vec![
                Some("Order #7788 arrived damaged, I want a refund."),
                Some("It was the big cake."),
                Some("Any news on the refund for order #7788?"),
            ]
        );
        // The context recalls it by its summary.
        let context = customer_context(&store, &t, id, None, 4000)
            .await
            .expect("context");
        let old = context
            .threads
            .iter()
            .find(|th| th.id == refund)
            .expect("recalled");
        assert!(old.archived && old.last_messages.is_empty());
        assert!((1..=2).contains(&old.summary.len()), "{:?}", old.summary);
        assert!(old.entities.contains(&"order #7788".to_owned()));
        assert!(
            context.text.contains("Archived conversation on webchat"),
            "{}",
            context.text
        );
        assert!(context.text.contains("order #7788"));
        // Archived is final: a new message about the order starts a new thread.
        assert!(matches!(
            set_thread_resolved(&store, &t, &admin, refund, false).await,
            Err(ServiceError::Conflict(_))
        ));
        assert!(matches!(
            archive_thread(&store, &t, &admin, refund).await,
            Err(ServiceError::Conflict(_))
        ));
        let mut again = event(
            Channel::Sms,
            0,
            who(),
            "Did the refund for order #7788 go through?",
        );
        again.occurred_at = Utc::now();
        ingest_event(&store, &t, &SYSTEM, again)
            .await
            .expect("again");
        assert_eq!(
            thread_transcript(&store, &t, refund)
                .await
                .expect("transcript")
                .messages
                .len(),
            3,
            "the archived thread took nothing new"
        );
        // An export is everything, archived text included.
        let export = export_customer(&store, &t, &admin, id)
            .await
            .expect("export");
        assert!(
            export
                .timeline
                .iter()
                .any(|e| e.archived && e.body.as_deref() == Some("It was the big cake."))
        );
        // Erasure takes the transcript too.
        erase_customer(&store, &t, &admin, id)
            .await
            .expect("erased");
        assert!(matches!(
            thread_transcript(&store, &t, refund).await,
            Err(ServiceError::NotFound(_))
        ));
    }
);

on_both!(
    the_context_says_which_way_the_mood_goes,
    |store: Store| async move {
        let t = tenant(&store).await;
        let who = || ids(Some("june@example.com"), None, "June Lee");
        let mut id = None;
        let messages = [
            "I love your bread, perfect as always!",
            "Great service, thanks!",
            "The cake was amazing.",
            "Wonderful, thank you!",
            "Lovely, happy with it.",
            "The delivery was late and the box was damaged.",
            "This is terrible, I am very disappointed.",
            "Awful. Worst order ever.",
            "Still no answer, unacceptable.",
            "I am angry, this is a bad experience.",
        ];
        for (i, body) in messages.iter().enumerate() {
            let outcome = ingest_event(
                &store,
                &t,
                &SYSTEM,
                event(Channel::Email, i as i64 * 60, who(), body),
            )
            .await
            .expect("message");
            id = Some(outcome.customer_id);
        }
        let context = customer_context(&store, &t, id.expect("customer"), None, 4000)
            .await
            .expect("context");
        let mood = context.sentiment.expect("scored messages");
        assert_eq!(mood.direction, "worsening");
        assert!(
            mood.recent < 0.0 && mood.earlier.is_some_and(|e| e > 0.0),
            "{mood:?}"
        );
        assert_eq!(mood.messages, 10);
        assert!(context.text.contains("mood: worsening"), "{}", context.text);
    }
);
