//! Orders on the profile, on both backends: the count, what was spent per currency (cancelled
//! and refunded orders counted as orders, not as spending), the first and last order, the
//! sources that created and last updated the profile, and the order history in the
//! find-or-create answer; a currency that is not an ISO code is refused and nothing is written.

use spine_core::services::customers::customer_profile;
use spine_core::services::find_or_create::{ResolveOutcome, ResolveRequest, resolve_customer};
use spine_core::services::ingest::ingest_event;
use spine_core::types::{Channel, InteractionKind, OrderInput};
use spine_core::{ServiceError, Store};

#[macro_use]
mod common;

use common::{SYSTEM, event, ids, tenant};

fn order(external_id: &str, cents: i64, currency: &str, status: &str) -> OrderInput {
    OrderInput {
        provider: "shopify".into(),
        external_id: external_id.into(),
        total_cents: cents,
        currency: currency.into(),
        status: status.into(),
        items: Vec::new(),
    }
}

on_both!(
    a_profile_sums_its_orders_per_currency,
    |store: Store| async move {
        let t = tenant(&store).await;
        let who = || ids(Some("mara.lindqvist@example.com"), None, "Mara Lindqvist");
        let mut placed = Vec::new();
        for (minutes, (external, cents, currency, status)) in [
            ("1001", 12_050, "usd", "paid"),
            ("1002", 3_000, "USD", "refunded"),
            ("1003", 45_000, "SEK", "paid"),
            ("1004", 999, "USD", "placed"),
        ]
        .into_iter()
        .enumerate()
        {
            let mut e = event(Channel::Email, minutes as i64 * 60, who(), "order");
            e.kind = InteractionKind::Order;
            e.order = Some(order(external, cents, currency, status));
            e.source = Some("shopify".into());
            placed.push(e.occurred_at);
            ingest_event(&store, &t, &SYSTEM, e).await.expect("order");
        }
        let mut chat = event(Channel::Webchat, 500, who(), "is my parcel coming?");
        chat.source = Some("chatbot".into());
        let id = ingest_event(&store, &t, &SYSTEM, chat)
            .await
            .expect("chat")
            .customer_id;

        let profile = customer_profile(&store, &t, id).await.expect("profile");
        assert_eq!(profile.orders.order_count, 4);
        let spent: Vec<(&str, i64, i64)> = profile
            .orders
            .total_spent
            .iter()
            .map(|m| (m.currency.as_str(), m.cents, m.orders))
            .collect();
        // Largest amount first; "usd" and "USD" are one currency; the refund counts no money.
        assert_eq!(spent, vec![("SEK", 45_000, 1), ("USD", 13_049, 3)]);
        assert_eq!(profile.orders.first_order_at, placed.first().copied());
        assert_eq!(profile.orders.last_order_at, placed.last().copied());
        assert_eq!(profile.created_via.as_deref(), Some("shopify"));
        assert_eq!(profile.last_updated_via.as_deref(), Some("chatbot"));

        let found = resolve_customer(
            &store,
            &t,
            &SYSTEM,
            &ResolveRequest {
                email: Some("mara.lindqvist@example.com".into()),
                source: "webapp".into(),
                ..Default::default()
            },
        )
        .await
        .expect("resolve");
        match found {
            ResolveOutcome::Found {
                customer,
                order_history,
                ..
            } => {
                assert_eq!(customer.id, id);
                let numbers: Vec<&str> = order_history
                    .iter()
                    .map(|o| o.external_id.as_str())
                    .collect();
                assert_eq!(
                    numbers,
                    vec!["1004", "1003", "1002", "1001"],
                    "newest first"
                );
                assert_eq!(order_history[1].currency, "SEK");
            }
            other => panic!("expected the customer: {other:?}"),
        }
    }
);

on_both!(
    a_profile_without_orders_says_so,
    |store: Store| async move {
        let t = tenant(&store).await;
        let id = ingest_event(
            &store,
            &t,
            &SYSTEM,
            event(
                Channel::Sms,
                0,
                ids(None, Some("+1 415 555 0142"), "Ola"),
                "hi",
            ),
        )
        .await
        .expect("event")
        .customer_id;
        let profile = customer_profile(&store, &t, id).await.expect("profile");
        assert_eq!(profile.orders.order_count, 0);
        assert!(profile.orders.total_spent.is_empty());
        assert_eq!(profile.orders.first_order_at, None);
        // Without a source an event counts its channel as one.
        assert_eq!(profile.created_via.as_deref(), Some("sms"));
    }
);

on_both!(
    an_order_in_no_known_currency_is_refused_and_nothing_written,
    |store: Store| async move {
        let t = tenant(&store).await;
        for currency in ["US", "dollars", "<b>", "U$D", ""] {
            let mut e = event(
                Channel::Email,
                0,
                ids(Some("eve@example.com"), None, "Eve"),
                "order",
            );
            e.kind = InteractionKind::Order;
            e.order = Some(order("9", 100, currency, "paid"));
            match ingest_event(&store, &t, &SYSTEM, e).await {
                Err(ServiceError::Invalid { field, .. }) => assert_eq!(field, "order.currency"),
                other => panic!("{currency:?} accepted: {other:?}"),
            }
        }
        let mut e = event(
            Channel::Email,
            0,
            ids(Some("eve@example.com"), None, "Eve"),
            "order",
        );
        e.kind = InteractionKind::Order;
        e.order = Some(order("9", 100, "USD", &"x".repeat(33)));
        assert!(matches!(
            ingest_event(&store, &t, &SYSTEM, e).await,
            Err(ServiceError::Invalid { .. })
        ));
        assert_eq!(
            store
                .read()
                .await
                .expect("read")
                .count_orders(t.id)
                .await
                .expect("count"),
            0
        );
    }
);
