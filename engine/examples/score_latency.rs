//! Latency of the real-time path: normalize one incoming record, weigh it against 20 candidates
//! and explain the best one with term frequencies. Prints percentiles.
//!
//!     cargo run --release -p spine-engine --example score_latency -- [people] [probes]

use std::time::Instant;

use spine_engine::blocking::{BlockingRule, candidate_pairs};
use spine_engine::model::{Model, TermFrequencies};
use spine_engine::normalize::phone::Region;
use spine_engine::record::Record;
use spine_engine::synth::{SynthOptions, generate};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let people = args.first().copied().unwrap_or(50_000);
    let probes = args.get(1).copied().unwrap_or(20_000);
    let prenormalized = std::env::args().any(|a| a == "--prenormalized");
    let synth = generate(&SynthOptions {
        people,
        seed: 7,
        ..SynthOptions::default()
    });
    let records: Vec<Record> = synth
        .iter()
        .map(|s| Record::from_raw(&s.raw, Region::default()).0)
        .collect();
    let tf = TermFrequencies::from_records(&records);
    let model = Model::default_for_people();
    let blocks = candidate_pairs(&records, BlockingRule::DEFAULT, 500);
    let mut candidates: Vec<Vec<u32>> = vec![Vec::new(); records.len()];
    for &(l, r) in &blocks.pairs {
        candidates[l as usize].push(r);
        candidates[r as usize].push(l);
    }
    let mut latencies = Vec::with_capacity(probes);
    let mut scored = 0usize;
    for (i, s) in synth.iter().enumerate().take(probes) {
        let start = Instant::now();
        // `prenormalized` leaves normalization out, to see the scoring alone.
        let probe = if prenormalized {
            records[i].clone()
        } else {
            Record::from_raw(&s.raw, Region::default()).0
        };
        // Blocking finds about two candidates per record here; pad to 20 with other records so the
        // figure is for a crowded block, the worst case the real-time path meets. Every candidate
        // is ranked by the allocation-free weight; the best one is explained with term
        // frequencies, which is what the real-time path shows a person.
        let padded = candidates[i]
            .iter()
            .copied()
            .chain((1..).map(|k| ((i * 7919 + k * 104_729) % records.len()) as u32));
        let mut best = (f64::NEG_INFINITY, 0u32);
        for c in padded.take(20) {
            let weight = model.match_weight(&probe, &records[c as usize]);
            if weight > best.0 {
                best = (weight, c);
            }
            scored += 1;
        }
        std::hint::black_box(model.score(&probe, &records[best.1 as usize], Some(&tf)));
        latencies.push(start.elapsed().as_nanos() as u64);
    }
    latencies.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize] as f64 / 1000.0;
    println!(
        "probes {} (avg {:.1} candidates): p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        latencies.len(),
        scored as f64 / latencies.len().max(1) as f64,
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );
}
