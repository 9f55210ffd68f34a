//! `spine load`: load-tests a running server over HTTP, the way integrations use it. Seeds
//! profiles with `/events/batch`, then sends single events with a realistic mix of senders from
//! many connections at once, then searches; prints throughput and latency percentiles.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::Latencies;
use crate::cli::LoadArgs;

const FIRST: [&str; 24] = [
    "Maria", "James", "Aisha", "Chen", "Olga", "Diego", "Priya", "Tom", "Fatima", "Lucas", "Emma",
    "Noah", "Yuki", "Omar", "Sofia", "Liam", "Zara", "Mateo", "Ines", "Kwame", "Hana", "Ivan",
    "Leila", "Pedro",
];
const LAST: [&str; 24] = [
    "Garcia", "Smith", "Khan", "Wang", "Petrova", "Lopez", "Patel", "Brown", "Hassan", "Silva",
    "Muller", "Jones", "Sato", "Ali", "Rossi", "Kim", "Nowak", "Diaz", "Costa", "Mensah", "Ito",
    "Popov", "Haddad", "Santos",
];
/// Syllables of the generated family names.
const SYLLABLES: [&str; 30] = [
    "ka", "mo", "ri", "la", "ven", "to", "sa", "ni", "dor", "be", "lu", "ch", "an", "mi", "ro",
    "gu", "ta", "el", "os", "ki", "na", "vo", "ze", "ha", "per", "di", "ya", "co", "fe", "st",
];

/// Family name of person `i`: one of the 24 common names for a fifth of the people (in real
/// data a few surnames are shared by many), else one of 27,000 generated from three syllables.
fn family_name(i: usize) -> String {
    let j = i / FIRST.len();
    if j.is_multiple_of(5) {
        return LAST[(j / 5) % LAST.len()].to_owned();
    }
    let s = |n: usize| SYLLABLES[n % SYLLABLES.len()];
    let word = format!("{}{}{}", s(j), s(j / 30), s(j / 900));
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Seeded person `i`: the same on every run, so a second run reuses the profiles.
fn person(i: usize) -> (String, String, String) {
    let name = format!("{} {}", FIRST[i % FIRST.len()], family_name(i));
    // 916-2xx-xxxx: valid US numbers, distinct for the first 800,000 people.
    let phone = format!("+1916{}{:04}", 200 + i / 10_000, i % 10_000);
    (name, phone, format!("load.person{i}@example.com"))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sender {
    Known,
    New,
    Ambiguous,
}

fn pick(rng: &mut SmallRng) -> Sender {
    match rng.gen_range(0..100) {
        0..70 => Sender::Known,
        70..95 => Sender::New,
        _ => Sender::Ambiguous,
    }
}

fn event(kind: Sender, rng: &mut SmallRng, profiles: usize, run: u64, n: usize) -> Value {
    let ids = match kind {
        Sender::Known => {
            let (name, phone, _) = person(rng.gen_range(0..profiles));
            // Another spelling of the stored number, as a second channel would send it.
            let national = &phone[2..];
            json!({"name": name, "phone": format!("({}) {}-{}", &national[..3], &national[3..6], &national[6..])})
        }
        Sender::New => json!({
            "name": format!("{} {}", FIRST[n % FIRST.len()], LAST[(n / 7) % LAST.len()]),
            "email": format!("new.{run}.{n}@example.org"),
        }),
        Sender::Ambiguous => {
            let a = rng.gen_range(0..profiles);
            let b = (a + 1 + rng.gen_range(0..profiles - 1)) % profiles;
            json!({"email": person(a).2, "phone": person(b).1})
        }
    };
    json!({
        "channel": "whatsapp",
        "direction": "inbound",
        "kind": "message",
        "occurred_at": chrono::Utc::now().to_rfc3339(),
        "body": "Hi, is my order on its way?",
        "external_id": format!("load-{run}-{n}"),
        "identifiers": ids,
    })
}

/// The name with two letters of the family name swapped ("Maria Garcia" -> "Maria Gracia"),
/// the typo a hurried agent makes.
fn typo(name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    let at = name.find(' ').map_or(1, |space| space + 2);
    if at + 1 < chars.len() {
        chars.swap(at, at + 1);
    }
    chars.into_iter().collect()
}

pub async fn run(args: LoadArgs) -> anyhow::Result<()> {
    if args.profiles < 2 || args.concurrency == 0 {
        bail!("--profiles must be at least 2 and --concurrency at least 1");
    }
    let bases: Vec<String> = args
        .url
        .iter()
        .map(|url| format!("{}/api/v1", url.trim_end_matches('/')))
        .collect();
    let Some(base) = bases.first().cloned() else {
        bail!("--url names no server");
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(60))
        .build()?;
    let auth = format!("Bearer {}", args.api_key);

    // 1. Seed: batches of 1,000; message ids make a re-run store nothing twice.
    let seeding = super::progress_bar(args.profiles as u64, "seeding profiles", "");
    let started = Instant::now();
    for chunk in (0..args.profiles).collect::<Vec<_>>().chunks(1000) {
        let events: Vec<Value> = chunk
            .iter()
            .map(|&i| {
                let (name, phone, email) = person(i);
                json!({
                    "channel": "order", "direction": "inbound", "kind": "message",
                    "occurred_at": "2026-01-01T00:00:00Z", "body": "first order",
                    "external_id": format!("load-seed-{i}"),
                    "identifiers": {"name": name, "phone": phone, "email": email},
                })
            })
            .collect();
        let response = client
            .post(format!("{base}/events/batch"))
            .header("authorization", &auth)
            .json(&json!({ "events": events }))
            .send()
            .await
            .with_context(|| format!("cannot reach {base}"))?;
        if !response.status().is_success() {
            bail!(
                "seeding failed: {} {}",
                response.status(),
                response.text().await.unwrap_or_default()
            );
        }
        seeding.inc(chunk.len() as u64);
    }
    seeding.finish_and_clear();
    eprintln!(
        "seeded {} profiles in {:.1}s",
        args.profiles,
        started.elapsed().as_secs_f64()
    );

    // 2. Events, from `concurrency` connections at once.
    let run = chrono::Utc::now().timestamp_micros() as u64;
    let next = Arc::new(AtomicUsize::new(0));
    let progress = super::progress_bar(args.events as u64, "sending events", "");
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..args.concurrency {
        // Connection by connection over the servers, as a load balancer would spread them.
        let (client, auth, base, next, progress) = (
            client.clone(),
            auth.clone(),
            bases[w % bases.len()].clone(),
            next.clone(),
            progress.clone(),
        );
        let (total, profiles, seed) = (args.events, args.profiles, args.seed);
        workers.spawn(async move {
            let mut rng = SmallRng::seed_from_u64(seed.wrapping_mul(1000).wrapping_add(w as u64));
            let mut samples = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break;
                }
                let kind = pick(&mut rng);
                let body = event(kind, &mut rng, profiles, run, n);
                let sent = Instant::now();
                let response = client
                    .post(format!("{base}/events"))
                    .header("authorization", &auth)
                    .json(&body)
                    .send()
                    .await?;
                let status = response.status();
                let answer: Value = response.json().await.unwrap_or(Value::Null);
                let micros = sent.elapsed().as_micros() as u64;
                if !status.is_success() {
                    anyhow::bail!("event {n} refused: {status} {answer}");
                }
                samples.push((kind, micros, answer["decision"].as_str().map(str::to_owned)));
                progress.inc(1);
            }
            anyhow::Ok(samples)
        });
    }
    let mut samples = Vec::with_capacity(args.events);
    while let Some(done) = workers.join_next().await {
        samples.extend(done??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    let events = Latencies::new(samples.iter().map(|s| s.1).collect());
    let count = |decision: &str| {
        samples
            .iter()
            .filter(|s| s.2.as_deref() == Some(decision))
            .count()
    };
    let sent_as = |kind: Sender| samples.iter().filter(|s| s.0 == kind).count();

    // 3. Searches: names, names with a typo, phones in another format, emails; each should
    // find the person it was made from.
    let progress = super::progress_bar(args.searches as u64, "searching", "");
    let mut rng = SmallRng::seed_from_u64(args.seed);
    let mut search = Vec::with_capacity(args.searches);
    let mut found = 0;
    let started_search = Instant::now();
    for n in 0..args.searches {
        let (name, phone, email) = person(rng.gen_range(0..args.profiles));
        let q = match n % 4 {
            0 => name.clone(),
            1 => typo(&name),
            2 => phone[2..].to_owned(),
            _ => email,
        };
        let sent = Instant::now();
        let response = client
            .get(format!("{}/customers", bases[n % bases.len()]))
            .query(&[("q", q.as_str())])
            .header("authorization", &auth)
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            bail!("search {q:?} refused: {status}");
        }
        search.push(sent.elapsed().as_micros() as u64);
        let results: Vec<Value> = serde_json::from_slice(&body).unwrap_or_default();
        if results
            .iter()
            .any(|r| r["display_name"].as_str() == Some(name.as_str()))
        {
            found += 1;
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let search_elapsed = started_search.elapsed().as_secs_f64();
    let search = Latencies::new(search);

    println!(
        "| measure | value |\n|---|---|\n\
         | profiles before the run | {profiles} |\n\
         | events sent (known / new / ambiguous) | {} ({} / {} / {}) |\n\
         | decisions (linked / created / review / ambiguous) | {} / {} / {} / {} |\n\
         | servers | {} |\n\
         | concurrency | {} |\n\
         | events per second | {:.0} |\n\
         | event latency p50 / p99 / max | {:.2} / {:.2} / {:.2} ms |\n\
         | searches (one at a time) | {} in {search_elapsed:.1}s |\n\
         | search latency p50 / p95 / p99 | {:.2} / {:.2} / {:.2} ms |\n\
         | searches that found their person (name, name with a typo, phone, email) | {found} of {} |",
        samples.len(),
        sent_as(Sender::Known),
        sent_as(Sender::New),
        sent_as(Sender::Ambiguous),
        count("linked"),
        count("created"),
        count("review"),
        count("ambiguous"),
        bases.len(),
        args.concurrency,
        samples.len() as f64 / elapsed,
        events.percentile(50.0),
        events.percentile(99.0),
        events.percentile(100.0),
        args.searches,
        search.percentile(50.0),
        search.percentile(95.0),
        search.percentile(99.0),
        args.searches,
        profiles = args.profiles,
    );
    Ok(())
}
