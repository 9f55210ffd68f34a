//! `spine analytics-bench`: a fresh tenant bulk-loaded with generated profiles, identities,
//! channels, interactions over the past year, counters, review items and merges; then each
//! dashboard chart's service call is timed (median of 5) for 7, 30 and 90 days, and the snapshot.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use spine_core::analytics::DateRange;
use spine_core::services::analytics::{
    channel_usage, current_snapshot, refresh_snapshot, resolution_stats, review_stats,
    sentiment_trend,
};
use spine_core::services::tenants::{ensure_tenant, tenant_by_slug};
use spine_core::store::{BulkCustomer, BulkInteraction, BulkMerge, BulkReviewItem};
use spine_core::{Store, Tenant};

use crate::cli::AnalyticsBenchArgs;

/// Profiles written per transaction.
const BATCH: usize = 50_000;
pub(super) const CHANNELS: [(&str, u32); 7] = [
    ("email", 30),
    ("sms", 20),
    ("whatsapp", 20),
    ("webchat", 10),
    ("instagram", 8),
    ("phone", 7),
    ("facebook", 5),
];
const METHODS: [(&str, u32); 6] = [
    ("email", 40),
    ("phone", 30),
    ("external_id", 15),
    ("handle", 8),
    ("login", 4),
    ("probabilistic", 3),
];
pub(super) const STAGES: [(&str, u32); 4] = [
    ("prospect", 50),
    ("lead", 25),
    ("customer", 20),
    ("churned", 5),
];
pub(super) const SOURCES: [&str; 6] = ["web", "instagram", "referral", "shopify", "sms", "import"];

/// One of `table`'s items, drawn by its weight.
pub(super) fn weighted<T: Copy>(rng: &mut SmallRng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut pick = rng.gen_range(0..total);
    for (item, w) in table {
        if pick < *w {
            return *item;
        }
        pick -= w;
    }
    table[0].0
}

/// Counter deltas gathered over the whole load, written once at the end.
type Counters = BTreeMap<(String, &'static str, String, String), (i64, f64)>;

pub async fn run(database_url: &str, args: AnalyticsBenchArgs) -> anyhow::Result<()> {
    let store = super::open(database_url).await?;
    let tenant = match &args.tenant {
        Some(slug) => tenant_by_slug(&store, slug).await?,
        None => {
            let slug = format!("bench-{}", Uuid::now_v7().simple());
            let tenant = ensure_tenant(&store, &slug, "Analytics bench", "US").await?;
            eprintln!(
                "Loading {} profiles and {} interactions into tenant '{slug}' ({})…",
                args.customers,
                args.interactions,
                store.backend().as_str()
            );
            let started = Instant::now();
            load(&store, &tenant, &args).await?;
            eprintln!("Loaded in {:.1}s.", started.elapsed().as_secs_f64());
            tenant
        }
    };

    let refresh = time(3, || async {
        refresh_snapshot(&store, &tenant).await.map(drop)
    })
    .await?;
    println!("backend: {}", store.backend().as_str());
    println!(
        "snapshot refresh (current-state charts, median of 3): {}",
        ms(refresh)
    );
    println!(
        "{:<36} {:>9} {:>9} {:>9}",
        "chart (median of 5)", "7d", "30d", "90d"
    );
    let today = Utc::now().date_naive();
    let ranges = [7, 30, 90].map(|days| DateRange::last_days(days, today));
    macro_rules! row {
        ($label:expr, $call:expr) => {{
            let mut cells = Vec::new();
            for range in ranges {
                let t = time(5, || async {
                    $call(&store, &tenant, range).await.map(drop)
                })
                .await?;
                cells.push(ms(t));
            }
            println!(
                "{:<36} {:>9} {:>9} {:>9}",
                $label, cells[0], cells[1], cells[2]
            );
        }};
    }
    row!("1 channel usage + directions", channel_usage);
    row!("3 profiles/links/merges + methods", resolution_stats);
    row!("4 review decisions", review_stats);
    row!("7 sentiment", sentiment_trend);
    row!(
        "2,4,5,6 snapshot charts (stored)",
        |store: &Store, tenant: &Tenant, _range: DateRange| {
            let (store, tenant) = (store.clone(), tenant.clone());
            async move { current_snapshot(&store, &tenant).await }
        }
    );
    store.close().await;
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The median duration of `runs` calls.
async fn time<F, Fut>(runs: usize, mut call: F) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), spine_core::ServiceError>>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        call().await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

async fn load(store: &Store, tenant: &Tenant, args: &AnalyticsBenchArgs) -> anyhow::Result<()> {
    let mut rng = SmallRng::seed_from_u64(args.seed);
    let now = Utc::now();
    let bar = super::progress_bar(args.interactions as u64, "loading", "interactions");
    let per_customer = args.interactions as f64 / args.customers.max(1) as f64;
    let mut counters: Counters = BTreeMap::new();
    let mut count = |day: String, metric: &'static str, d1: &str, d2: &str, total: f64| {
        let e = counters
            .entry((day, metric, d1.to_owned(), d2.to_owned()))
            .or_insert((0, 0.0));
        e.0 += 1;
        e.1 += total;
    };
    let mut ids: Vec<Uuid> = Vec::with_capacity(args.customers);
    let mut written = 0usize;
    let mut first = 0usize;
    while first < args.customers {
        let last = (first + BATCH).min(args.customers);
        let mut customers = Vec::with_capacity(last - first);
        let mut interactions = Vec::new();
        let mut channels = Vec::new();
        for i in first..last {
            let id = Uuid::now_v7();
            ids.push(id);
            // Interactions for this profile: spread so the total comes out as asked.
            let target = ((i + 1) as f64 * per_customer).round() as usize;
            let n = target.saturating_sub(written).max(1);
            written += n;
            let k = weighted(&mut rng, &[(1usize, 55), (2, 25), (3, 13), (4, 7)]);
            let mut used: Vec<&'static str> = Vec::with_capacity(k);
            while used.len() < k {
                let c = weighted(&mut rng, &CHANNELS);
                if !used.contains(&c) {
                    used.push(c);
                }
            }
            let mut times: Vec<DateTime<Utc>> = (0..n)
                .map(|_| now - chrono::Duration::seconds(rng.gen_range(0..365 * 86_400)))
                .collect();
            times.sort();
            let mut per_channel: BTreeMap<&'static str, (DateTime<Utc>, DateTime<Utc>, i64)> =
                BTreeMap::new();
            for (j, at) in times.iter().enumerate() {
                // The first channel is the first contact; the others follow.
                let channel = if j == 0 {
                    used[0]
                } else {
                    used[rng.gen_range(0..used.len())]
                };
                let direction = if rng.gen_bool(0.6) {
                    "inbound"
                } else {
                    "outbound"
                };
                let sentiment = rng.gen_bool(0.3).then(|| rng.gen_range(-1.0..1.0));
                let day = at.date_naive().to_string();
                count(day.clone(), "interactions", channel, direction, 0.0);
                if let Some(s) = sentiment {
                    count(day.clone(), "sentiment", channel, "", s);
                }
                if j == 0 {
                    let outcome = if rng.gen_bool(0.03) {
                        "review"
                    } else {
                        "created"
                    };
                    count(day, "resolution", outcome, "", 0.0);
                } else {
                    count(
                        day,
                        "resolution",
                        "linked",
                        weighted(&mut rng, &METHODS),
                        0.0,
                    );
                }
                let e = per_channel.entry(channel).or_insert((*at, *at, 0));
                e.1 = *at;
                e.2 += 1;
                interactions.push(BulkInteraction {
                    id: Uuid::now_v7(),
                    customer_id: id,
                    channel,
                    direction,
                    occurred_at: *at,
                    sentiment,
                });
            }
            for (channel, (f, l, n)) in per_channel {
                channels.push((id, channel, f, l, n));
            }
            let has_email = rng.gen_bool(0.8);
            let has_phone = rng.gen_bool(0.6);
            let mut identities = Vec::new();
            let email = has_email.then(|| format!("p{i}@bench.example"));
            let phone = has_phone.then(|| format!("+1555{:07}", i % 10_000_000));
            if let Some(e) = &email {
                identities.push(("email", e.clone()));
            }
            if let Some(p) = &phone {
                identities.push(("phone", p.clone()));
            }
            if rng.gen_bool(0.2) {
                identities.push(("external_id", format!("shop-{i}")));
            }
            let mut sources = vec![SOURCES[rng.gen_range(0..SOURCES.len())].to_owned()];
            if rng.gen_bool(0.2) {
                sources.push("import".to_owned());
                sources.dedup();
            }
            customers.push(BulkCustomer {
                id,
                display_name: None,
                given_name: None,
                family_name: None,
                primary_email: email,
                primary_phone: phone,
                lifecycle_stage: weighted(&mut rng, &STAGES),
                sources,
                tags: Vec::new(),
                source_campaign: rng
                    .gen_bool(0.3)
                    .then(|| format!("campaign-{:02}", rng.gen_range(1..=12))),
                created_at: times[0],
                last_seen_at: times[times.len() - 1],
                identities,
            });
        }
        let mut tx = store.begin().await?;
        tx.bulk_customers(tenant.id, &customers).await?;
        tx.bulk_interactions(tenant.id, &interactions).await?;
        tx.bulk_customer_channels(tenant.id, &channels).await?;
        tx.commit().await.context("writing a batch")?;
        bar.inc(interactions.len() as u64);
        first = last;
    }
    bar.set_message("review items, merges, counters");
    let mut tx = store.begin().await?;
    let pick = |rng: &mut SmallRng| ids[rng.gen_range(0..ids.len())];
    let ago = |rng: &mut SmallRng| now - chrono::Duration::seconds(rng.gen_range(0..365 * 86_400));
    let reviews: Vec<BulkReviewItem> = (0..(args.customers / 100).max(1))
        .map(|_| {
            let created_at = ago(&mut rng);
            let status = weighted(
                &mut rng,
                &[
                    ("pending", 30),
                    ("merged", 40),
                    ("rejected", 20),
                    ("deferred", 10),
                ],
            );
            let decided_at = (status != "pending")
                .then(|| created_at + (now - created_at) / rng.gen_range(2..10));
            BulkReviewItem {
                subject_customer_id: pick(&mut rng),
                candidate_id: pick(&mut rng),
                status,
                created_at,
                decided_at,
            }
        })
        .collect();
    tx.bulk_review_items(tenant.id, &reviews).await?;
    let merges: Vec<BulkMerge> = (0..(args.customers / 200).max(1))
        .map(|_| BulkMerge {
            survivor_id: pick(&mut rng),
            absorbed_id: pick(&mut rng),
            created_at: ago(&mut rng),
        })
        .collect();
    tx.bulk_merges(tenant.id, &merges).await?;
    for ((day, metric, d1, d2), (n, total)) in counters {
        let day = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")?;
        tx.count_stat(tenant.id, day, metric, &d1, &d2, n, total);
    }
    tx.commit().await?;
    bar.finish_and_clear();
    Ok(())
}
