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
