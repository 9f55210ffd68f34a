//! The real-time decision's latency distribution, which criterion's mean does not show: 20,000
//! incoming records, each scored against its own 1, 5 or 20 candidates sharing a phone, each
//! decision timed alone; prints p50, p99, p99.9 and the maximum per candidate count. `cargo bench -p spine-engine --bench
//! decide_latency`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use spine_engine::identifier::IdentifierKind;
use spine_engine::model::Model;
use spine_engine::normalize::phone::Region;
use spine_engine::record::{Record, normalize_all};
use spine_engine::resolve::{
    Candidate, MatchLevel, ProfileEvidence, SharedIdentifier, Thresholds, decide_with_model,
};
use spine_engine::synth::{SynthOptions, generate};

const DECISIONS: usize = 20_000;

fn main() {
    let raws: Vec<_> = generate(&SynthOptions::new(5_000, 11))
        .into_iter()
        .map(|s| s.raw)
        .collect();
    let records: Vec<Record> = normalize_all(&raws, Region::default())
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    let model = Model::default_for_people();
    for candidates in [1, 5, 20] {
        measure(&records, &model, candidates);
    }
}

fn measure(records: &[Record], model: &Model, count: usize) {
    let n = records.len();
    let mut times: Vec<Duration> = Vec::with_capacity(DECISIONS);
    for i in 0..DECISIONS {
        let incoming = &records[i % n];
        let ids: Vec<u32> = (1..=count as u32).collect();
        let by_id: BTreeMap<u32, Record> = ids
            .iter()
            .map(|&id| (id, records[(i * 31 + id as usize * 7) % n].clone()))
            .collect();
        let candidates: Vec<Candidate<u32>> = ids
            .iter()
            .map(|&id| Candidate {
                id,
                shared: vec![SharedIdentifier {
                    kind: IdentifierKind::Phone,
                    level: MatchLevel::Exact,
                    source_confidence: 1.0,
                }],
            })
            .collect();
        let started = Instant::now();
        black_box(decide_with_model(
            black_box(&candidates),
            Thresholds::default(),
            &ProfileEvidence {
                model,
                incoming,
                records: &by_id,
            },
        ));
        times.push(started.elapsed());
    }
    times.sort();
    let at = |p: f64| {
        let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
        times[i].as_secs_f64() * 1e6
    };
    println!(
        "decide_with_model, {count:>2} candidates, {DECISIONS} decisions: p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs, max {:.1} µs",
        at(0.5),
        at(0.99),
        at(0.999),
        at(1.0)
    );
}
