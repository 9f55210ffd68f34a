//! `spine sweep-bench`: a fresh tenant bulk-loaded with generated customers, every record a
//! profile of its own (as a store holds people who reached it through systems that share no
//! exact identifier), then the sweep timed as `spine sweep` runs it, with its peak memory and how
//! many of the pairs it queued are one person.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, Utc};
use uuid::Uuid;

use spine_core::Actor;
use spine_core::services::sweep::{SweepOptions, sweep};
use spine_core::services::tenants::ensure_tenant;
use spine_core::store::BulkCustomer;
use spine_engine::normalize::address::{Address, AddressInput};
use spine_engine::normalize::phone::Region;
use spine_engine::record::{Field, normalize_all};
use spine_engine::synth::{SynthOptions, generate_iter};

use crate::cli::SweepBenchArgs;

/// Profiles written per transaction.
const BATCH: usize = 50_000;

pub async fn run(database_url: &str, args: SweepBenchArgs) -> anyhow::Result<()> {
    let store = super::open(database_url).await?;
    let slug = format!("sweep-bench-{}", Utc::now().format("%Y%m%d%H%M%S"));
    let tenant = ensure_tenant(&store, &slug, "Sweep bench", "US").await?;

    // About 1.7 records per generated person: enough people for the profiles asked for.
    let people = (args.profiles * 3 / 5).max(1);
    let records: Vec<_> = generate_iter(&SynthOptions::new(people, args.seed))
        .take(args.profiles)
        .collect();
    let raws: Vec<_> = records.iter().map(|r| r.raw.clone()).collect();
    let normalized = normalize_all(&raws, Region::default());
    drop(raws);
    let started = Instant::now();
    let bar = super::progress_bar(records.len() as u64, "loading profiles", "profiles");
    let now = Utc::now();
    let mut person_of: HashMap<Uuid, u64> = HashMap::with_capacity(records.len());
    for (batch, (synth, normalized)) in records
        .chunks(BATCH)
        .zip(normalized.chunks(BATCH))
        .enumerate()
    {
        let mut customers = Vec::with_capacity(synth.len());
        for (i, (record, (norm, _))) in synth.iter().zip(normalized).enumerate() {
            let id = Uuid::now_v7();
            person_of.insert(id, record.person);
            let field = |f: Field| record.raw.get(&f).map(str::to_owned);
            let (given, family) = (field(Field::FirstName), field(Field::LastName));
            let display = match (&given, &family) {
                (Some(g), Some(f)) => Some(format!("{g} {f}")),
                (g, f) => g.clone().or_else(|| f.clone()),
            };
            let mut identities = Vec::new();
            if let Some(email) = &norm.email {
                identities.push(("email", email.to_string()));
            }
            if let Some(phone) = &norm.phone {
                identities.push(("phone", phone.to_string()));
            }
            if let Some(line1) = record.raw.get(&Field::Address1)
                && let Ok(address) = Address::parse(AddressInput {
                    line1,
                    line2: record.raw.get(&Field::Address2),
                    city: record.raw.get(&Field::City),
                    region: record.raw.get(&Field::State),
                    postal_code: record.raw.get(&Field::Postcode),
                    country: record.raw.get(&Field::Country),
                })
            {
                identities.push(("address_hash", address.hash()));
            }
            customers.push(BulkCustomer {
                id,
                display_name: display,
                given_name: given,
                family_name: family,
                primary_email: norm.email.as_ref().map(ToString::to_string),
                primary_phone: norm.phone.as_ref().map(ToString::to_string),
                lifecycle_stage: "customer",
                sources: vec!["import".into()],
                tags: Vec::new(),
                source_campaign: None,
                created_at: now - Duration::seconds((batch * BATCH + i) as i64),
                last_seen_at: now - Duration::seconds((batch * BATCH + i) as i64),
                identities,
            });
        }
        let mut tx = store.begin().await?;
        tx.bulk_customers(tenant.id, &customers).await?;
        tx.commit().await.context("writing a batch")?;
        bar.inc(customers.len() as u64);
    }
    bar.finish_and_clear();
    let loaded = started.elapsed();
    drop(records);
    drop(normalized);

    let (bar, progress) = super::sweep::progress();
    let started = Instant::now();
    let (_, report) = sweep(
        &store,
        &tenant,
        &Actor::System("sweep-bench"),
        SweepOptions {
            max_items: args.max_items,
        },
        progress,
    )
    .await?;
    let swept = started.elapsed();
    bar.finish_and_clear();

    let pairs = store.read().await?.open_review_pairs(tenant.id).await?;
    let (mut queued, mut right) = (0u64, 0u64);
    for (subject, candidates) in &pairs {
        for candidate in &candidates.0 {
            queued += 1;
            if person_of.contains_key(subject) && person_of.get(subject) == person_of.get(candidate)
            {
                right += 1;
            }
        }
    }
    store.close().await;
    eprintln!(
        "{} profiles loaded into '{slug}' in {:.1}s; swept in {:.1}s ({} candidate pairs, {} likely, {} queued, {} left for later); {} of {} queued pairs are one person ({:.2}%); peak memory {}",
        report.profiles,
        loaded.as_secs_f64(),
        swept.as_secs_f64(),
        report.candidate_pairs,
        report.likely_pairs,
        report.queued,
        report.left_for_later,
        right,
        queued,
        100.0 * right as f64 / queued.max(1) as f64,
        super::dedupe::peak_memory().unwrap_or_else(|| "unknown".into()),
    );
    Ok(())
}
