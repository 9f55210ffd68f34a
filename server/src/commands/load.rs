//! `spine load`: load-tests a running server over HTTP, the way integrations use it. Seeds
//! profiles with `/events/batch`, then sends single events with a realistic mix of senders from
//! many connections at once while one client searches, then searches on the idle server; prints
//! throughput, latency percentiles, how many searches found the very profile they were made
//! from, and (given the server's metrics) where an event's time went inside the server.

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

/// Person `i`'s street address, as the seeding order wrote it (`short`) or spelled out.
fn street(i: usize, short: bool) -> Value {
    let (avenue, unit) = if short {
        ("Ave", "Apt")
    } else {
        ("Avenue", "Apartment")
    };
    json!({
        "line1": format!("{} {} {avenue}", 1 + i % 9_000, family_name(i / 7)),
        "line2": format!("{unit} {}", 1 + i % 40),
        "city": "Sacramento",
        "postal_code": format!("95{:03}", i % 1_000),
        "country": "US",
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sender {
    Known,
    New,
    Ambiguous,
    /// A known person by name and postal address only (a booking form): no email or phone.
    ByAddress,
}

fn pick(rng: &mut SmallRng) -> Sender {
    match rng.gen_range(0..100) {
        0..65 => Sender::Known,
        65..90 => Sender::New,
        90..95 => Sender::Ambiguous,
        _ => Sender::ByAddress,
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
        Sender::ByAddress => {
            let i = rng.gen_range(0..profiles);
            json!({"name": person(i).0, "address": street(i, false)})
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

/// The name with one slip of the kinds hurried agents make, in either word and anywhere but
/// the first letter: two letters swapped, one dropped, one doubled, one vowel replaced, or the
/// whole name in lower case ("Maria Garcia" -> "Maria Gracia", "Mria Garcia", "maria garcia").
fn typo(name: &str, rng: &mut SmallRng) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    let space = name.find(' ').unwrap_or(0);
    let word = if rng.gen_bool(0.5) { 0 } else { space + 1 };
    let end = if word == 0 { space } else { chars.len() };
    if end < word + 4 {
        return name.to_lowercase();
    }
    let at = rng.gen_range(word + 1..end - 1);
    match rng.gen_range(0..5) {
        0 => chars.swap(at, at + 1),
        1 => {
            chars.remove(at);
        }
        2 => chars.insert(at, chars[at]),
        3 => {
            chars[at] = match chars[at] {
                'a' => 'e',
                'e' => 'a',
                'i' => 'y',
                'o' => 'u',
                'u' => 'o',
                other => other,
            }
        }
        _ => return name.to_lowercase(),
    }
    chars.into_iter().collect()
}

/// One search for seeded person `i`: by name, by name with a slip, by phone in another format or
/// by email, as `n` turns.
fn query_for(i: usize, n: usize, rng: &mut SmallRng) -> String {
    let (name, phone, email) = person(i);
    match n % 4 {
        0 => name,
        1 => typo(&name, rng),
        2 => format!("({}) {}-{}", &phone[2..5], &phone[5..8], &phone[8..]),
        _ => email,
    }
}

/// What a search found of the profile it was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// The very profile is among the results.
    Yes,
    /// Not among them, and the page is full of the person's exact namesakes: no name search can
    /// tell them apart.
    AmongNamesakes,
    No,
}

/// Sends one search; its latency, and whether the results hold the very profile `expected`
/// (seeded under `name`). With `show_misses`, a search that did not find it is written to
/// stderr with what it found.
async fn search_once(
    client: &reqwest::Client,
    base: &str,
    auth: &str,
    q: &str,
    (expected, name): (Option<&str>, &str),
    show_misses: bool,
) -> anyhow::Result<(u64, Found)> {
    let sent = Instant::now();
    let response = client
        .get(format!("{base}/customers"))
        .query(&[("q", q)])
        .header("authorization", auth)
        .send()
        .await?;
    let status = response.status();
    let body = response.bytes().await?;
    if !status.is_success() {
        bail!("search {q:?} refused: {status}");
    }
    let micros = sent.elapsed().as_micros() as u64;
    let results: Vec<Value> = serde_json::from_slice(&body).unwrap_or_default();
    let found = if expected.is_some_and(|id| results.iter().any(|r| r["id"].as_str() == Some(id))) {
        Found::Yes
    } else if results.len() >= PAGE
        && results
            .iter()
            .all(|r| r["display_name"].as_str() == Some(name))
    {
        Found::AmongNamesakes
    } else {
        Found::No
    };
    if show_misses && found != Found::Yes {
        let names: Vec<&str> = results
            .iter()
            .filter_map(|r| r["display_name"].as_str())
            .take(5)
            .collect();
        eprintln!("missed {q:?}: {} results, first {names:?}", results.len());
    }
    Ok((micros, found))
}

/// Results on the first page of a search (the API's default limit).
const PAGE: usize = 25;

/// The server's ingestion stages (`spine_ingest_stage_duration_seconds`): seconds spent in each,
/// summed over every event so far, read from the Prometheus page.
async fn stage_seconds(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
) -> anyhow::Result<Vec<(String, f64)>> {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    if !response.status().is_success() {
        bail!("metrics {url}: {}", response.status());
    }
    let text = response.text().await?;
    let mut stages = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("spine_ingest_stage_duration_seconds_sum{") else {
            continue;
        };
        let Some((labels, value)) = rest.split_once("} ") else {
            continue;
        };
        let stage = labels
            .split(',')
            .find_map(|l| l.strip_prefix("stage=\""))
            .map(|s| s.trim_end_matches('"').to_owned());
        if let (Some(stage), Ok(value)) = (stage, value.trim().parse::<f64>()) {
            stages.push((stage, value));
        }
    }
    Ok(stages)
}

/// What each stage took per event between two readings, in the order ingestion runs them.
fn breakdown(before: &[(String, f64)], after: &[(String, f64)], events: usize) -> String {
    const ORDER: [(&str, &str); 7] = [
        ("queue", "waiting for the writer"),
        ("open", "begin, locks, model"),
        ("checks", "idempotency, erasure"),
        ("resolve", "candidates, decision, identities"),
        ("record", "timeline, thread, audit"),
        ("counters", "the dashboard's daily counters"),
        ("commit", "commit"),
    ];
    let mut rows = Vec::new();
    for (stage, what) in ORDER {
        let at = |list: &[(String, f64)]| {
            list.iter()
                .find(|(s, _)| s == stage)
                .map_or(0.0, |(_, v)| *v)
        };
        let spent = at(after) - at(before);
        if spent > 0.0 {
            rows.push(format!(
                "| server: {stage} ({what}), ms per event | {:.3} |",
                spent * 1000.0 / events.max(1) as f64
            ));
        }
    }
    rows.join("\n")
}

/// Requests per second `GET /healthz` gets through the same HTTP stack at the same concurrency:
/// the ceiling the events per second read against.
async fn healthz_rate(
    client: &reqwest::Client,
    api: &str,
    concurrency: usize,
    requests: usize,
) -> anyhow::Result<f64> {
    let url = format!("{}/healthz", api.trim_end_matches("/api/v1"));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, url, next) = (client.clone(), url.clone(), next.clone());
        workers.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                let response = client.get(&url).send().await?;
                if !response.status().is_success() {
                    anyhow::bail!("{url} answered {}", response.status());
                }
                response.bytes().await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = workers.join_next().await {
        done??;
    }
    Ok(requests as f64 / started.elapsed().as_secs_f64())
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

    // 1. Seed: batches of 1,000; message ids make a re-run store nothing twice (and answer with
    // the profile each made, which the searches must find).
    let mut ids: Vec<Option<String>> = Vec::with_capacity(args.profiles);
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
                    "identifiers": {"name": name, "phone": phone, "email": email, "address": street(i, true)},
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
        let answer: Value = response.json().await?;
        let results = answer["results"].as_array().cloned().unwrap_or_default();
        ids.extend((0..chunk.len()).map(|k| {
            results
                .get(k)
                .and_then(|r| r["customer_id"].as_str())
                .map(str::to_owned)
        }));
        seeding.inc(chunk.len() as u64);
    }
    seeding.finish_and_clear();
    eprintln!(
        "seeded {} profiles in {:.1}s",
        args.profiles,
        started.elapsed().as_secs_f64()
    );

    // 2. Events, from `concurrency` connections at once, while one more client searches.
    let metrics_before = match &args.metrics_url {
        Some(url) => Some(stage_seconds(&client, url, args.metrics_token.as_deref()).await?),
        None => None,
    };
    let ids = Arc::new(ids);
    let events_done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let searcher = {
        let (client, auth, base, ids, done) = (
            client.clone(),
            auth.clone(),
            base.clone(),
            ids.clone(),
            events_done.clone(),
        );
        let (profiles, seed) = (args.profiles, args.seed);
        let searching = !args.no_searches_during_events;
        tokio::spawn(async move {
            let mut rng = SmallRng::seed_from_u64(seed ^ 0x5eed);
            let mut samples = Vec::new();
            let mut n = 0;
            while searching && !done.load(Ordering::Relaxed) {
                let i = rng.gen_range(0..profiles);
                let q = query_for(i, n, &mut rng);
                samples.push(
                    search_once(
                        &client,
                        &base,
                        &auth,
                        &q,
                        (ids[i].as_deref(), &person(i).0),
                        false,
                    )
                    .await?,
                );
                n += 1;
            }
            anyhow::Ok(samples)
        })
    };
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
    events_done.store(true, Ordering::Relaxed);
    let under_load = searcher.await??;
    let breakdown = match (&args.metrics_url, metrics_before) {
        (Some(url), Some(before)) => {
            let after = stage_seconds(&client, url, args.metrics_token.as_deref()).await?;
            breakdown(&before, &after, samples.len())
        }
        _ => "| server breakdown | give --metrics-url to read it |".to_owned(),
    };
    let under_load_found = under_load.iter().filter(|s| s.1 == Found::Yes).count();
    let under_load = Latencies::new(under_load.iter().map(|s| s.0).collect());
    let during = if args.no_searches_during_events {
        "none (--no-searches-during-events)".to_owned()
    } else {
        format!(
            "{} ({under_load_found} found), p50 / p95 / p99 {:.2} / {:.2} / {:.2} ms",
            under_load.len(),
            under_load.percentile(50.0),
            under_load.percentile(95.0),
            under_load.percentile(99.0),
        )
    };
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
    let mut slowest: Vec<(u64, String)> = Vec::new();
    let mut found = 0;
    let mut among_namesakes = 0;
    let started_search = Instant::now();
    for n in 0..args.searches {
        let i = rng.gen_range(0..args.profiles);
        let q = query_for(i, n, &mut rng);
        let base = &bases[n % bases.len()];
        let (micros, hit) = search_once(
            &client,
            base,
            &auth,
            &q,
            (ids[i].as_deref(), &person(i).0),
            args.show_misses,
        )
        .await?;
        search.push(micros);
        if args.show_slowest > 0 {
            slowest.push((micros, q));
        }
        found += usize::from(hit == Found::Yes);
        among_namesakes += usize::from(hit == Found::AmongNamesakes);
        progress.inc(1);
    }
    progress.finish_and_clear();
    let search_elapsed = started_search.elapsed().as_secs_f64();
    slowest.sort_by_key(|(micros, _)| std::cmp::Reverse(*micros));
    for (micros, q) in slowest.iter().take(args.show_slowest) {
        eprintln!("slow {:>8.1} ms {q:?}", *micros as f64 / 1000.0);
    }
    let search = Latencies::new(search);
    let healthz = healthz_rate(
        &client,
        &args.url[0],
        args.concurrency,
        args.events.max(1000),
    )
    .await?;

    println!(
        "| measure | value |\n|---|---|\n\
         | profiles before the run | {profiles} |\n\
         | events sent (known / new / ambiguous / by name and address) | {} ({} / {} / {} / {}) |\n\
         | decisions (linked / created / review / ambiguous) | {} / {} / {} / {} |\n\
         | servers | {} |\n\
         | concurrency | {} |\n\
         | events per second | {:.0} |\n\
         | the HTTP stack's ceiling: GET /healthz per second, same concurrency | {healthz:.0} |\n\
         | event latency p50 / p99 / max | {:.2} / {:.2} / {:.2} ms |\n\
         | searches (one at a time) | {} in {search_elapsed:.1}s |\n\
         | search latency p50 / p95 / p99 | {:.2} / {:.2} / {:.2} ms |\n\
         | searches that found the very profile (name, name with a slip, phone, email) | {found} of {} |\n\
         | of the others, a first page of {PAGE} exact namesakes (a name alone cannot tell them apart) | {among_namesakes} |\n\
         | searches during the events | {during} |\n\
         {breakdown}",
        samples.len(),
        sent_as(Sender::Known),
        sent_as(Sender::New),
        sent_as(Sender::Ambiguous),
        sent_as(Sender::ByAddress),
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
