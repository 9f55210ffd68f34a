//! Latency of the real-time path: normalize one incoming record and score it against the
//! candidates blocking found for it (capped at 20), with term frequencies. Prints percentiles.
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
        let (probe, _) = Record::from_raw(&s.raw, Region::default());
        let mut best = 0f64;
        for &c in candidates[i].iter().take(20) {
            best = best.max(
                model
                    .score(&probe, &records[c as usize], Some(&tf))
                    .probability,
            );
            scored += 1;
        }
        std::hint::black_box(best);
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
