//! `spine list-bench`: a fresh tenant bulk-loaded with generated profiles (names, stages, tags,
//! sources, campaigns, channels used, open and resolved conversations, review items, a spread of
//! first-seen and last-active times), then each kind of filtered list timed as the console and
//! the API run it (one page of 50 and its count), p50 and p95 over a number of runs after two
//! untimed ones.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use spine_core::services::lists::{PAGE, list_customers, parse_filter};
use spine_core::services::tenants::{ensure_tenant, tenant_by_slug};
use spine_core::store::{BulkCustomer, BulkReviewItem};
use spine_core::{Store, Tenant};
use spine_engine::record::Field;
use spine_engine::synth::{SynthOptions, generate_iter};

use super::analytics_bench::{CHANNELS, SOURCES, STAGES, weighted};
use crate::cli::ListBenchArgs;

/// Profiles written per transaction.
const BATCH: usize = 50_000;
/// Tags and the share of profiles holding each.
const TAGS: [(&str, f64); 4] = [
    ("newsletter", 0.35),
    ("wholesale", 0.08),
    ("vip", 0.05),
    ("allergy-nuts", 0.02),
];

pub async fn run(database_url: &str, args: ListBenchArgs) -> anyhow::Result<()> {
    let store = super::open(database_url).await?;
    let tenant = match &args.tenant {
        Some(slug) => tenant_by_slug(&store, slug).await?,
        None => {
            let slug = format!("list-bench-{}", Uuid::now_v7().simple());
            let tenant = ensure_tenant(&store, &slug, "List bench", "US").await?;
            eprintln!(
                "Loading {} profiles into tenant '{slug}' ({})…",
                args.profiles,
                store.backend().as_str()
            );
            let started = Instant::now();
            load(&store, &tenant, &args).await?;
            eprintln!("Loaded in {:.1}s.", started.elapsed().as_secs_f64());
            tenant
        }
    };
    let today = Utc::now().date_naive();
    let ago = |days: i64| (today - chrono::Duration::days(days)).to_string();
    let lists: Vec<(String, String)> = vec![
        ("everyone, last activity".into(), String::new()),
        ("stage=customer".into(), "stage=customer".into()),
        ("tag=vip (5%)".into(), "tag=vip".into()),
        (
            "tag=vip AND wholesale".into(),
            "tag=vip&tag=wholesale&tags=all".into(),
        ),
        ("channel=whatsapp".into(), "channel=whatsapp".into()),
        ("source=shopify".into(), "source=shopify".into()),
        ("campaign=campaign-07".into(), "campaign=campaign-07".into()),
        (
            "active in the last 30 days".into(),
            format!("seen_from={}", ago(30)),
        ),
        (
            "lead + sms + active 90 days".into(),
            format!("stage=lead&channel=sms&seen_from={}", ago(90)),
        ),
        (
            "tag=newsletter + open conversation".into(),
            "tag=newsletter&open=1".into(),
        ),
        ("waiting in review".into(), "review=1".into()),
        ("everyone by name".into(), "sort=name".into()),
        (
            "churned, newest first".into(),
            "stage=churned&sort=created".into(),
        ),
        (
            "first seen in the last 7 days".into(),
            format!("created_from={}&sort=created", ago(7)),
        ),
        (
            "allergy-nuts + vip, any".into(),
            "tag=allergy-nuts&tag=vip".into(),
        ),
    ];
    println!(
        "backend: {}, runs per list: {}, page: {PAGE}",
        store.backend().as_str(),
        args.runs
    );
    println!(
        "{:<38} {:>14} {:>10} {:>10} {:>10}",
        "list (page + count)", "holds", "p50", "p95", "page 2 p50"
    );
    let mut worst = Duration::ZERO;
    for (label, query) in &lists {
        let filter = parse_filter(query)?;
        // Two untimed runs first, as a console in use has its pages in memory.
        for _ in 0..2 {
            list_customers(&store, &tenant, &filter, None, PAGE).await?;
        }
        let mut times = Vec::with_capacity(args.runs);
        let mut page = None;
        for _ in 0..args.runs {
            let started = Instant::now();
            page = Some(list_customers(&store, &tenant, &filter, None, PAGE).await?);
            times.push(started.elapsed());
        }
        let page = page.context("no run")?;
        let next = match page.next {
            Some(after) => {
                let mut second = Vec::with_capacity(args.runs);
                for _ in 0..args.runs {
                    let started = Instant::now();
                    list_customers(&store, &tenant, &filter, Some(after), PAGE).await?;
                    second.push(started.elapsed());
                }
                ms(percentile(&mut second, 0.5))
            }
            None => "-".to_owned(),
        };
        let p95 = percentile(&mut times, 0.95);
        worst = worst.max(p95);
        println!(
            "{:<38} {:>14} {:>10} {:>10} {:>10}",
            label,
            page.total.short(),
            ms(percentile(&mut times, 0.5)),
            ms(p95),
            next
        );
    }
    println!("slowest p95: {}", ms(worst));
    store.close().await;
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times.get(i).copied().unwrap_or_default()
}

async fn load(store: &Store, tenant: &Tenant, args: &ListBenchArgs) -> anyhow::Result<()> {
    let mut rng = SmallRng::seed_from_u64(args.seed);
    let now = Utc::now();
    let bar = super::progress_bar(args.profiles as u64, "loading", "profiles");
    let mut names = generate_iter(&SynthOptions::new(args.profiles, args.seed));
    let mut ids: Vec<Uuid> = Vec::with_capacity(args.profiles);
    let mut first = 0usize;
    while first < args.profiles {
        let last = (first + BATCH).min(args.profiles);
        let mut customers = Vec::with_capacity(last - first);
        let mut channels = Vec::new();
        let mut threads = Vec::new();
        for i in first..last {
            let id = Uuid::now_v7();
            ids.push(id);
            let record = names.next();
            let field = |f: Field| {
                record
                    .as_ref()
                    .and_then(|r| r.raw.get(&f).map(str::to_owned))
            };
            let (given, family) = (field(Field::FirstName), field(Field::LastName));
            let display_name = match (&given, &family) {
                (Some(g), Some(f)) => Some(format!("{g} {f}")),
                (g, f) => g.clone().or_else(|| f.clone()),
            };
            let created_at: DateTime<Utc> =
                now - chrono::Duration::seconds(rng.gen_range(0..2 * 365 * 86_400));
            let last_seen_at = created_at
                + chrono::Duration::seconds(rng.gen_range(0..=(now - created_at).num_seconds()));
            let k = weighted(&mut rng, &[(1usize, 55), (2, 30), (3, 15)]);
            let mut used: Vec<&'static str> = Vec::with_capacity(k);
            while used.len() < k {
                let c = weighted(&mut rng, &CHANNELS);
                if !used.contains(&c) {
                    used.push(c);
                }
            }
            for channel in &used {
                channels.push((id, *channel, created_at, last_seen_at, 1));
            }
            if rng.gen_bool(0.08) {
                threads.push((id, used[0], last_seen_at, "open"));
            }
            if rng.gen_bool(0.2) {
                threads.push((id, used[0], created_at, "resolved"));
            }
            let tags = TAGS
                .iter()
                .filter(|(_, share)| rng.gen_bool(*share))
                .map(|(tag, _)| (*tag).to_owned())
                .collect();
            let mut sources = vec![SOURCES[rng.gen_range(0..SOURCES.len())].to_owned()];
            if rng.gen_bool(0.2) && sources[0] != "import" {
                sources.push("import".to_owned());
            }
            customers.push(BulkCustomer {
                id,
                display_name,
                given_name: given,
                family_name: family,
                primary_email: rng.gen_bool(0.8).then(|| format!("p{i}@bench.example")),
                primary_phone: rng
                    .gen_bool(0.6)
                    .then(|| format!("+1555{:07}", i % 10_000_000)),
                lifecycle_stage: weighted(&mut rng, &STAGES),
                sources,
                tags,
                source_campaign: rng
                    .gen_bool(0.3)
                    .then(|| format!("campaign-{:02}", rng.gen_range(1..=12))),
                created_at,
                last_seen_at,
                identities: Vec::new(),
            });
        }
        let mut tx = store.begin().await?;
        tx.bulk_customers(tenant.id, &customers).await?;
        tx.bulk_customer_channels(tenant.id, &channels).await?;
        tx.bulk_threads(tenant.id, &threads).await?;
        tx.commit().await.context("writing a batch")?;
        bar.inc(customers.len() as u64);
        first = last;
    }
    let pick = |rng: &mut SmallRng| ids[rng.gen_range(0..ids.len())];
    let reviews: Vec<BulkReviewItem> = (0..(args.profiles / 200).max(1))
        .map(|_| BulkReviewItem {
            subject_customer_id: pick(&mut rng),
            candidate_id: pick(&mut rng),
            status: "pending",
            created_at: now,
            decided_at: None,
        })
        .collect();
    let mut tx = store.begin().await?;
    tx.bulk_review_items(tenant.id, &reviews).await?;
    tx.commit().await?;
    bar.finish_and_clear();
    store.refresh_statistics().await?;
    Ok(())
}
