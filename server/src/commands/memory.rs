//! `spine archive`: archive a tenant's old resolved conversations now, with a progress bar.
//! `spine context-bench`: time the context block for one customer with a long history.

use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use spine_core::services::ingest::ingest_events;
use spine_core::services::memory::{self, ArchiveReport};
use spine_core::services::tenants::{ensure_tenant, tenant_by_slug};
use spine_core::types::{
    Channel, Direction, EventInput, IdentifiersInput, InteractionKind, OrderInput, OrderItem,
};
use spine_core::{Actor, Store, Tenant};

use crate::cli::{ArchiveArgs, ContextBenchArgs};

async fn archive_now(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    as_of: DateTime<Utc>,
) -> anyhow::Result<ArchiveReport> {
    let progress = super::progress_bar(0, "archiving", "threads");
    let report = memory::archive_threads(store, tenant, actor, as_of, |done, total| {
        progress.set_length(total);
        progress.set_position(done);
    })
    .await?;
    progress.finish_and_clear();
    Ok(report)
}

pub async fn archive(database_url: &str, args: ArchiveArgs) -> anyhow::Result<()> {
    let store = super::open(database_url).await?;
    let tenant = tenant_by_slug(&store, &args.tenant).await?;
    let started = Instant::now();
    let report = archive_now(&store, &tenant, &Actor::System("cli"), Utc::now()).await?;
    eprintln!(
        "Archived {} resolved conversations ({} messages) of '{}' resolved more than {} days ago, in {:.1}s.",
        report.threads,
        report.messages,
        tenant.slug,
        tenant.memory.archive_after_days,
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}

const CONVERSATION: usize = 8;
const PRODUCTS: [&str; 6] = [
    "fruit platter",
    "birthday cake",
    "sourdough loaf",
    "cheese board",
    "croissant box",
    "gift basket",
];
const CHANNELS: [Channel; 5] = [
    Channel::Webchat,
    Channel::Email,
    Channel::Sms,
    Channel::Instagram,
    Channel::Whatsapp,
];

/// The `m`th message of conversation `c`: the customer and the business take turns; the
/// conversation is about one order (or a booking, or opening hours) and moves to WhatsApp
/// halfway.
fn message(c: usize, m: usize) -> (Channel, Direction, String) {
    let order = 10_000 + c;
    let product = PRODUCTS[c % PRODUCTS.len()];
    let channel = if m >= CONVERSATION / 2 {
        Channel::Whatsapp
    } else {
        CHANNELS[c % CHANNELS.len()]
    };
    let inbound = m.is_multiple_of(2);
    let text = match (c % 3, m) {
        (_, 7) => "Thanks, that's perfect!".to_owned(),
        (0, 0) => format!("Hi, I need help with my order #{order}, the {product}."),
        (0, 2) => "Is my order ready? It was due yesterday.".to_owned(),
        (0, 4) => format!("The {product} arrived damaged, I want a refund of $24.50."),
        (0, 6) => "Ok, when will the refund arrive?".to_owned(),
        (1, 0) => format!(
            "Can I book a table for 6 on May {}? Booking ref R-{order}.",
            1 + c % 28
        ),
        (1, 2) => "My daughter is allergic to nuts, is that a problem?".to_owned(),
        (1, 4) => "Could we move the booking to 7pm?".to_owned(),
        (1, 6) => "Great, see you then.".to_owned(),
        (_, 0) => "What time do you open on Sunday?".to_owned(),
        (_, 2) => format!("And how much is the {product}?"),
        (_, 4) => format!("Please cancel order #{order}, I moved to a new address."),
        (_, 6) => "Will you confirm by email?".to_owned(),
        (_, _) => format!("Thank you for writing: we are on it (order #{order})."),
    };
    let direction = if inbound {
        Direction::Inbound
    } else {
        Direction::Outbound
    };
    (channel, direction, text)
}

fn customer() -> IdentifiersInput {
    IdentifiersInput {
        email: Some("bench.customer@example.com".into()),
        phone: Some("+1 212 555 0100".into()),
        name: Some("Bench Customer".into()),
        ..Default::default()
    }
}

/// One conversation's events (an order first, every third conversation).
fn conversation(c: usize, start: DateTime<Utc>) -> Vec<EventInput> {
    let mut events = Vec::with_capacity(CONVERSATION + 1);
    if c.is_multiple_of(3) {
        events.push(EventInput {
            channel: Channel::Order,
            direction: Direction::Inbound,
            kind: InteractionKind::Order,
            occurred_at: start - chrono::Duration::hours(1),
            body: None,
            external_id: Some(format!("order-{c}")),
            identifiers: customer(),
            order: Some(OrderInput {
                provider: "shopify".into(),
                external_id: (10_000 + c).to_string(),
                total_cents: 2_450,
                currency: "USD".into(),
                status: "paid".into(),
                items: vec![OrderItem {
                    name: PRODUCTS[c % PRODUCTS.len()].into(),
                    quantity: 1,
                    price_cents: 2_450,
                }],
            }),
            source: None,
            payload: None,
            sentiment: None,
            campaign: None,
            custom: None,
        });
    }
    for m in 0..CONVERSATION {
        let (channel, direction, text) = message(c, m);
        events.push(EventInput {
            channel,
            direction,
            kind: InteractionKind::Message,
            occurred_at: start + chrono::Duration::minutes(10 * m as i64),
            body: Some(text),
            external_id: Some(format!("msg-{c}-{m}")),
            identifiers: customer(),
            order: None,
            source: None,
            payload: None,
            sentiment: None,
            campaign: None,
            custom: None,
        });
    }
    events
}

async fn time_context(
    store: &Store,
    tenant: &Tenant,
    customer_id: Uuid,
    rounds: usize,
    budget: usize,
) -> anyhow::Result<String> {
    let mut times = Vec::with_capacity(rounds);
    let mut longest = 0;
    let mut threads = 0;
    for i in 0..rounds {
        let channel = CHANNELS[i % CHANNELS.len()];
        let started = Instant::now();
        let context =
            memory::customer_context(store, tenant, customer_id, Some(channel), budget).await?;
        times.push(started.elapsed());
        let chars = context.text.chars().count();
        if chars > budget {
            bail!("the context has {chars} characters, over its budget of {budget}");
        }
        longest = longest.max(chars);
        threads = context.threads.len();
    }
    let times = super::Latencies::from_durations(&times);
    Ok(format!(
        "budget {budget:>5}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms; text up to {longest} chars, {threads} threads shown",
        times.percentile(50.0),
        times.percentile(95.0),
        times.percentile(99.0),
        times.percentile(100.0),
    ))
}

pub async fn context_bench(database_url: &str, args: ContextBenchArgs) -> anyhow::Result<()> {
    let store = super::open(database_url).await?;
    let now = Utc::now();
    let slug = format!("context-bench-{}", now.timestamp_millis());
    let tenant = ensure_tenant(&store, &slug, "Context bench", "US").await?;
    let actor = Actor::System("context-bench");
    let conversations = args.interactions.div_ceil(CONVERSATION).max(1);
    // Conversations a day apart, the newest ending now; all but the newest three resolved.
    let first = now - chrono::Duration::days(conversations as i64);
    let progress = super::progress_bar(args.interactions as u64, "ingesting", "interactions");
    let started = Instant::now();
    let mut written = 0usize;
    let mut customer_id = None;
    for c in 0..conversations {
        let events = conversation(c, first + chrono::Duration::days(c as i64));
        written += events.len();
        for outcome in ingest_events(&store, &tenant, &actor, events).await {
            customer_id = Some(outcome.context("ingesting the history")?.customer_id);
        }
        let id = customer_id.context("no customer")?;
        if c + 3 < conversations {
            let mut tx = store.read().await?;
            let newest = tx.recent_threads(tenant.id, id, false, 1).await?;
            drop(tx);
            for thread in newest {
                memory::set_thread_resolved(&store, &tenant, &actor, thread.id, true).await?;
            }
        }
        progress.set_position(written as u64);
    }
    progress.finish_and_clear();
    let customer_id = customer_id.context("no customer")?;
    let mut tx = store.read().await?;
    let open = tx
        .recent_threads(tenant.id, customer_id, false, i64::MAX)
        .await?;
    drop(tx);
    println!(
        "{} ({}): 1 customer, {written} interactions in {conversations} conversations, {} threads, loaded in {:.1}s",
        store.backend().as_str(),
        tenant.slug,
        open.len(),
        started.elapsed().as_secs_f64()
    );
    for budget in [memory::DEFAULT_BUDGET, memory::MAX_BUDGET] {
        println!(
            "before archival, {}",
            time_context(&store, &tenant, customer_id, args.rounds, budget).await?
        );
    }
    // As if the archive age had passed since everything was resolved.
    let as_of =
        Utc::now() + chrono::Duration::days(i64::from(tenant.memory.archive_after_days) + 1);
    let archiving = Instant::now();
    let report = archive_now(&store, &tenant, &actor, as_of).await?;
    println!(
        "archived {} threads ({} messages) in {:.1}s",
        report.threads,
        report.messages,
        archiving.elapsed().as_secs_f64()
    );
    for budget in [memory::DEFAULT_BUDGET, memory::MAX_BUDGET] {
        println!(
            "after archival,  {}",
            time_context(&store, &tenant, customer_id, args.rounds, budget).await?
        );
    }
    store.close().await;
    Ok(())
}
