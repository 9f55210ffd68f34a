//! The analytics dashboard on both backends: counters written by ingestion (channels,
//! directions, resolutions and link methods per day, zeros on quiet days), the snapshot's
//! current-state charts, review and merge activity, and each profile's channels through a merge
//! and its undo.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, Utc};
use uuid::Uuid;

use spine_core::analytics::{BarChart, ChartId, DateRange, TimeChart};
use spine_core::services::analytics::{
    chart_table, dashboard, parse_range, refresh_snapshot, resolution_stats, review_stats,
    sentiment_trend,
};
use spine_core::services::ingest::ingest_event;
use spine_core::services::merge::undo_merge;
use spine_core::services::review::reject_review_item;
use spine_core::types::{
    Channel, Decision, Direction, EventInput, HandleInput, IdentifiersInput, InteractionKind, Role,
};
use spine_core::{ServiceError, Store, Tenant};

#[macro_use]
mod common;

use common::{SYSTEM, at, merge, tenant};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn series(chart: &TimeChart, key: &str) -> Vec<f64> {
    chart
        .series
        .iter()
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("no series {key}"))
        .values
        .clone()
}

fn bars(chart: &BarChart) -> Vec<(String, f64)> {
    chart
        .bars
        .iter()
        .map(|b| (b.key.clone(), b.value))
        .collect()
}

fn message(
    channel: Channel,
    direction: Direction,
    minutes: i64,
    ids: IdentifiersInput,
) -> EventInput {
    EventInput {
        sentiment: None,
        campaign: None,
        channel,
        direction,
        kind: InteractionKind::Message,
        occurred_at: at(minutes),
        body: Some("hello".into()),
        external_id: None,
        identifiers: ids,
        order: None,
        source: None,
        payload: None,
        custom: None,
    }
}

fn phone(p: &str) -> IdentifiersInput {
    IdentifiersInput {
        phone: Some(p.into()),
        ..Default::default()
    }
}

fn email(e: &str) -> IdentifiersInput {
    IdentifiersInput {
        email: Some(e.into()),
        ..Default::default()
    }
}

const DAY: i64 = 24 * 60;

/// Ana: SMS on March 1st (new, from the spring campaign), email and WhatsApp on the 2nd (linked
/// by phone). Bob: two emails on the 3rd (new, then linked by email). Cleo: one Instagram DM on
/// the 3rd (new).
async fn three_people(store: &Store, t: &Tenant) {
    let ana = "+1 305 555 0101";
    let mut first = message(Channel::Sms, Direction::Inbound, 0, phone(ana));
    first.source = Some("spring-ads".into());
    let both = IdentifiersInput {
        email: Some("ana@example.com".into()),
        phone: Some(ana.into()),
        ..Default::default()
    };
    let events = [
        first,
        message(Channel::Email, Direction::Inbound, DAY, both),
        message(Channel::Whatsapp, Direction::Outbound, DAY + 5, phone(ana)),
        message(
            Channel::Email,
            Direction::Inbound,
            2 * DAY,
            email("bob@example.com"),
        ),
        message(
            Channel::Email,
            Direction::Outbound,
            2 * DAY + 5,
            email("bob@example.com"),
        ),
        message(
            Channel::Instagram,
            Direction::Inbound,
            2 * DAY + 10,
            IdentifiersInput {
                handle: Some(HandleInput {
                    platform: "instagram".into(),
                    handle: "cleo.k".into(),
                }),
                ..Default::default()
            },
        ),
    ];
    let expected = [
        Decision::Created,
        Decision::Linked,
        Decision::Linked,
        Decision::Created,
        Decision::Linked,
        Decision::Created,
    ];
    for (event, decision) in events.into_iter().zip(expected) {
        let outcome = ingest_event(store, t, &SYSTEM, event)
            .await
            .expect("ingest");
        assert_eq!(outcome.decision, decision);
    }
}

fn admin() -> spine_core::Actor {
    common::staff(Role::Admin)
}

on_both!(
    ingestion_counts_channels_directions_and_resolutions_per_day,
    |store: Store| async move {
        let t = tenant(&store).await;
        three_people(&store, &t).await;
        // Feb 28th and March 4th saw nothing: zeros, not gaps.
        let range = DateRange::between(day("2026-02-28"), day("2026-03-04")).expect("range");
        let d = dashboard(&store, &t, range).await.expect("dashboard");
        let channels = &d.usage.channels;
        assert_eq!(channels.days.len(), 5);
        assert_eq!(channels.days[0], day("2026-02-28"));
        assert_eq!(series(channels, "sms"), [0.0, 1.0, 0.0, 0.0, 0.0]);
        assert_eq!(series(channels, "email"), [0.0, 0.0, 1.0, 2.0, 0.0]);
        assert_eq!(series(channels, "whatsapp"), [0.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(series(channels, "instagram"), [0.0, 0.0, 0.0, 1.0, 0.0]);
        assert_eq!(series(channels, "phone"), [0.0; 5]);
        assert_eq!(channels.total(), 6.0);
        let directions = &d.usage.directions;
        assert_eq!(series(directions, "inbound"), [0.0, 1.0, 1.0, 2.0, 0.0]);
        assert_eq!(series(directions, "outbound"), [0.0, 0.0, 1.0, 1.0, 0.0]);

        let per_day = &d.resolution.per_day;
        assert_eq!(series(per_day, "created"), [0.0, 1.0, 0.0, 2.0, 0.0]);
        assert_eq!(series(per_day, "linked"), [0.0, 0.0, 2.0, 1.0, 0.0]);
        assert_eq!(series(per_day, "review"), [0.0; 5]);
        let methods: BTreeMap<String, f64> = bars(&d.resolution.methods).into_iter().collect();
        assert_eq!(methods["phone"], 2.0);
        assert_eq!(methods["email"], 1.0);
        assert_eq!(methods["probabilistic"], 0.0);
        assert_eq!(d.resolution.auto_link_rate, Some(0.5));

        // A range holding only March 1st sees only Ana's first message.
        let first_day = DateRange::between(day("2026-03-01"), day("2026-03-01")).expect("range");
        let only = resolution_stats(&store, &t, first_day)
            .await
            .expect("stats");
        assert_eq!(series(&only.per_day, "created"), [1.0]);
        assert_eq!(only.auto_link_rate, Some(0.0));
    }
);

on_both!(
    the_snapshot_describes_active_profiles,
    |store: Store| async move {
        let t = tenant(&store).await;
        three_people(&store, &t).await;
        let snap = refresh_snapshot(&store, &t).await.expect("snapshot");
        assert_eq!(snap.profiles, 3);
        // Ana used three channels, Bob and Cleo one each.
        assert_eq!(
            bars(&snap.channel_mix),
            [
                ("1".into(), 2.0),
                ("2".into(), 0.0),
                ("3".into(), 1.0),
                ("4+".into(), 0.0)
            ]
        );
        assert_eq!(
            bars(&snap.sequences),
            [("sms>email".into(), 1.0), ("sms>whatsapp".into(), 1.0)]
        );
        assert_eq!(
            bars(&snap.completeness),
            [
                ("email_and_phone".into(), 1.0),
                ("email_only".into(), 1.0),
                ("phone_only".into(), 0.0),
                ("neither".into(), 1.0)
            ]
        );
        // Ana holds a phone and an email; Bob an email; Cleo a handle.
        assert_eq!(
            bars(&snap.identities),
            [
                ("1".into(), 2.0),
                ("2".into(), 1.0),
                ("3".into(), 0.0),
                ("4".into(), 0.0),
                ("5+".into(), 0.0)
            ]
        );
        assert_eq!(
            bars(&snap.lifecycle),
            [
                ("prospect".into(), 3.0),
                ("lead".into(), 0.0),
                ("customer".into(), 0.0),
                ("churned".into(), 0.0)
            ]
        );
        let sources: BTreeMap<String, f64> = bars(&snap.sources).into_iter().collect();
        assert_eq!(sources.get("spring-ads"), Some(&1.0));
        assert_eq!(sources.get("instagram"), Some(&1.0));
        assert_eq!(snap.pending_reviews, 0);

        // The CSV of a snapshot chart is the same rows.
        let range = parse_range(Some("7d"), None, None).expect("range");
        let table = chart_table(&store, &t, ChartId::ChannelMix, range)
            .await
            .expect("table");
        assert_eq!(table.columns, ["channels", "count"]);
        assert_eq!(table.rows[2], ["3", "1"]);
    }
);

/// An email-only and a phone-only profile, then one event with both: a review item.
async fn ambiguous_item(store: &Store, t: &Tenant) -> Uuid {
    let now = Utc::now() - Duration::minutes(10);
    let at_now = |mut e: EventInput, minutes: i64| {
        e.occurred_at = now + Duration::minutes(minutes);
        e
    };
    let ids = |e: Option<&str>, p: Option<&str>| IdentifiersInput {
        email: e.map(str::to_owned),
        phone: p.map(str::to_owned),
        ..Default::default()
    };
    let webchat = |ids| message(Channel::Webchat, Direction::Inbound, 0, ids);
    for (n, event) in [
        webchat(ids(Some("dee@gmail.com"), None)),
        webchat(ids(None, Some("+1 305 555 0199"))),
    ]
    .into_iter()
    .enumerate()
    {
        ingest_event(store, t, &SYSTEM, at_now(event, n as i64))
            .await
            .expect("ingest");
    }
    let outcome = ingest_event(
        store,
        t,
        &SYSTEM,
        at_now(
            webchat(ids(Some("dee@gmail.com"), Some("+1 305 555 0199"))),
            2,
        ),
    )
    .await
    .expect("both");
    outcome.review_item_id.expect("a review item")
}

on_both!(
    review_backlog_and_decisions_follow_the_queue,
    |store: Store| async move {
        let t = tenant(&store).await;
        let item = ambiguous_item(&store, &t).await;
        let range = parse_range(Some("7d"), None, None).expect("range");
        let snap = refresh_snapshot(&store, &t).await.expect("snapshot");
        assert_eq!(snap.pending_reviews, 1);
        assert_eq!(
            bars(&snap.review_backlog),
            [
                ("lt_1d".into(), 1.0),
                ("1d_7d".into(), 0.0),
                ("7d_30d".into(), 0.0),
                ("gt_30d".into(), 0.0)
            ]
        );
        let resolution = resolution_stats(&store, &t, range).await.expect("stats");
        assert_eq!(
            series(&resolution.per_day, "review").iter().sum::<f64>(),
            1.0
        );
        assert_eq!(
            series(&resolution.per_day, "created").iter().sum::<f64>(),
            2.0
        );
        let before = review_stats(&store, &t, range).await.expect("review");
        assert_eq!(before.decisions.total(), 0.0);
        assert_eq!(before.rejected_share, None);

        reject_review_item(&store, &t, &admin(), item)
            .await
            .expect("reject");
        let after = review_stats(&store, &t, range).await.expect("review");
        let rejected = series(&after.decisions, "rejected");
        assert_eq!(rejected.len(), 7);
        assert_eq!(rejected[6], 1.0, "decided today, the range's last day");
        assert_eq!(series(&after.decisions, "merged").iter().sum::<f64>(), 0.0);
        assert_eq!(after.rejected_share, Some(1.0));
        let snap = refresh_snapshot(&store, &t).await.expect("snapshot");
        assert_eq!(snap.pending_reviews, 0);
    }
);

on_both!(
    a_merge_folds_channels_and_its_undo_splits_them_again,
    |store: Store| async move {
        let t = tenant(&store).await;
        let a = ingest_event(
            &store,
            &t,
            &SYSTEM,
            message(
                Channel::Sms,
                Direction::Inbound,
                0,
                phone("+1 305 555 0142"),
            ),
        )
        .await
        .expect("a")
        .customer_id;
        let mut b_ids = Vec::new();
        for minutes in [10, 20] {
            let b = ingest_event(
                &store,
                &t,
                &SYSTEM,
                message(
                    Channel::Email,
                    Direction::Inbound,
                    minutes,
                    email("eve@example.com"),
                ),
            )
            .await
            .expect("b");
            b_ids.push(b.customer_id);
        }
        let b = b_ids[0];
        assert_eq!(b_ids[1], b);
        let channels = |customer: Uuid| {
            let store = store.clone();
            let tenant_id = t.id;
            async move {
                let mut tx = store.read().await.expect("read");
                tx.customer_channels(tenant_id, customer)
                    .await
                    .expect("channels")
            }
        };
        assert_eq!(channels(b).await, [("email".into(), at(10), at(20), 2)]);

        let outcome = merge(&store, &t, &admin(), a, b).await.expect("merge");
        assert_eq!(
            channels(a).await,
            [
                ("email".into(), at(10), at(20), 2),
                ("sms".into(), at(0), at(0), 1)
            ]
        );
        assert!(channels(b).await.is_empty());
        let range = parse_range(Some("7d"), None, None).expect("range");
        let resolution = resolution_stats(&store, &t, range).await.expect("stats");
        let merged = series(&resolution.per_day, "merged");
        assert_eq!(merged[6], 1.0, "merged today");
        assert_eq!(merged.iter().sum::<f64>(), 1.0);
        let snap = refresh_snapshot(&store, &t).await.expect("snapshot");
        assert_eq!(snap.profiles, 1, "the absorbed profile no longer counts");
        assert_eq!(bars(&snap.channel_mix)[1], ("2".into(), 1.0));
        assert_eq!(
            bars(&snap.identities)[..2],
            [("1".into(), 0.0), ("2".into(), 1.0)],
            "the survivor holds the phone and the email"
        );

        undo_merge(&store, &t, &admin(), outcome.merge_id)
            .await
            .expect("undo");
        assert_eq!(channels(a).await, [("sms".into(), at(0), at(0), 1)]);
        assert_eq!(channels(b).await, [("email".into(), at(10), at(20), 2)]);
        let snap = refresh_snapshot(&store, &t).await.expect("snapshot");
        assert_eq!(bars(&snap.channel_mix)[0], ("1".into(), 2.0));
    }
);

#[test]
fn bad_ranges_are_refused_with_a_readable_message() {
    for (range, from, to, message) in [
        (Some("1y"), None, None, "choose 7d, 30d or 90d"),
        (None, Some("2026-13-01"), Some("2026-12-31"), "YYYY-MM-DD"),
        (None, Some("2026-03-02"), Some("2026-03-01"), "after"),
        (
            None,
            Some("2024-01-01"),
            Some("2026-01-01"),
            "longer than 366 days",
        ),
        (None, Some("2026-03-01"), None, "both dates"),
    ] {
        match parse_range(range, from, to) {
            Err(ServiceError::Invalid { field, message: m }) => {
                assert_eq!(field, "range");
                assert!(m.contains(message), "{m}");
            }
            other => panic!("{range:?} {from:?} {to:?}: {other:?}"),
        }
    }
    let r = parse_range(None, None, None).expect("default");
    assert_eq!(r.days().len(), 30);
}

on_both!(
    sentiment_and_campaigns_come_from_the_events,
    |store: Store| async move {
        let t = tenant(&store).await;
        let scored =
            |minutes: i64, ids: IdentifiersInput, score: Option<f64>, campaign: Option<&str>| {
                let mut event = message(Channel::Webchat, Direction::Inbound, minutes, ids);
                event.sentiment = score;
                event.campaign = campaign.map(str::to_owned);
                event
            };
        let first = ingest_event(
            &store,
            &t,
            &SYSTEM,
            scored(0, email("ana@example.com"), Some(0.8), Some("spring-sale")),
        )
        .await
        .expect("first");
        // A later event carrying another campaign does not change where the person came from.
        ingest_event(
            &store,
            &t,
            &SYSTEM,
            scored(10, email("ana@example.com"), Some(-0.4), Some("newsletter")),
        )
        .await
        .expect("second");
        ingest_event(
            &store,
            &t,
            &SYSTEM,
            scored(20, email("ben@example.com"), None, None),
        )
        .await
        .expect("unscored");
        for (score, field) in [(Some(1.5), "sentiment"), (Some(f64::NAN), "sentiment")] {
            let refused = ingest_event(
                &store,
                &t,
                &SYSTEM,
                scored(30, email("cy@example.com"), score, None),
            )
            .await;
            assert!(
                matches!(refused, Err(ServiceError::Invalid { field: ref f, .. }) if f == field),
                "{refused:?}"
            );
        }
        let refused = ingest_event(
            &store,
            &t,
            &SYSTEM,
            scored(30, email("cy@example.com"), None, Some(" ")),
        )
        .await;
        assert!(
            matches!(refused, Err(ServiceError::Invalid { field: ref f, .. }) if f == "campaign"),
            "{refused:?}"
        );

        let range = parse_range(None, Some("2026-03-01"), Some("2026-03-01")).expect("range");
        let trend = sentiment_trend(&store, &t, range).await.expect("trend");
        assert_eq!(trend.rated, 2);
        let average = series(&trend.per_day, "average");
        assert!((average[0] - 0.2).abs() < 1e-9, "{average:?}");
        let mut tx = store.read().await.expect("read");
        let row = tx
            .customer(t.id, first.customer_id)
            .await
            .expect("row")
            .expect("profile");
        assert_eq!(row.source_campaign.as_deref(), Some("spring-sale"));
        let timeline = tx
            .all_interactions_of(t.id, first.customer_id)
            .await
            .expect("timeline");
        assert_eq!(
            timeline.iter().map(|i| i.sentiment).collect::<Vec<_>>(),
            [Some(0.8), Some(-0.4)]
        );
        drop(tx);
        let snap = refresh_snapshot(&store, &t).await.expect("snapshot");
        assert_eq!(bars(&snap.campaigns), [("spring-sale".to_owned(), 1.0)]);
    }
);

on_both!(
    the_topics_conversations_raise_are_counted_per_range,
    |store: Store| async move {
        let t = tenant(&store).await;
        let say = |minutes: i64, who: &str, body: &str| {
            let mut event = message(Channel::Sms, Direction::Inbound, minutes, email(who));
            event.body = Some(body.into());
            event
        };
        for (minutes, who, body) in [
            (0, "a@example.com", "I want a refund for order #1234"),
            (10, "b@example.com", "Refund please, it arrived damaged"),
            (20, "c@example.com", "Is the cake gluten free?"),
            (30, "d@example.com", "hello"),
            // The next day, outside a one-day range.
            (24 * 60 + 5, "e@example.com", "How much is the platter?"),
        ] {
            ingest_event(&store, &t, &SYSTEM, say(minutes, who, body))
                .await
                .expect("message");
        }
        let first_day = DateRange::between(day("2026-03-01"), day("2026-03-01")).expect("range");
        let chart = dashboard(&store, &t, first_day)
            .await
            .expect("dashboard")
            .topics;
        assert_eq!(
            bars(&chart),
            vec![
                ("refund".to_owned(), 2.0),
                ("complaint".to_owned(), 1.0),
                ("delivery".to_owned(), 1.0),
                ("dietary".to_owned(), 1.0),
                ("order_status".to_owned(), 1.0),
            ]
        );
        assert_eq!(chart.bars[3].label, "allergy/dietary");
        let both_days = DateRange::between(day("2026-03-01"), day("2026-03-02")).expect("range");
        let table = chart_table(&store, &t, ChartId::Topics, both_days)
            .await
            .expect("csv");
        assert_eq!(table.columns, vec!["topic", "count"]);
        assert!(
            table
                .rows
                .contains(&vec!["pricing".to_owned(), "1".to_owned()])
        );
    }
);
