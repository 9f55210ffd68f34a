//! The real-time decision's latency distribution, which criterion's mean does not show: 20,000
//! incoming records, each scored against its own 1, 5 or 20 candidates sharing a phone, each
//! decision timed alone; prints p50, p99, p99.9 and the maximum per candidate count. Two kinds
//! of candidates: other generated people (most fall below the review threshold, as most
//! profiles sharing a phone with a stranger do), and the worst case, where every candidate is
//! the sender again, so every one is explained and the answer is ambiguous.
//! `cargo bench -p spine-engine --bench decide_latency`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use spine_engine::model::Model;
use spine_engine::record::Record;
use spine_engine::resolve::{ProfileEvidence, Thresholds, decide_with_model};

mod support;

const DECISIONS: usize = 20_000;

fn main() {
    let records = support::records(5_000, 11);
    let model = Model::default_for_people();
    for candidates in [1, 5, 20] {
        measure(&records, &model, candidates, Candidates::Others);
    }
    for candidates in [1, 5, 20] {
        measure(&records, &model, candidates, Candidates::TheSender);
    }
}

#[derive(Debug, Clone, Copy)]
enum Candidates {
    Others,
    TheSender,
}

fn measure(records: &[Record], model: &Model, count: usize, kind: Candidates) {
    let n = records.len();
    let mut times: Vec<Duration> = Vec::with_capacity(DECISIONS);
    for i in 0..DECISIONS {
        let incoming = &records[i % n];
        let ids: Vec<u32> = (1..=count as u32).collect();
        let by_id: BTreeMap<u32, Record> = ids
            .iter()
            .map(|&id| {
                let record = match kind {
                    Candidates::Others => &records[(i * 31 + id as usize * 7) % n],
                    Candidates::TheSender => incoming,
                };
                (id, record.clone())
            })
            .collect();
        let candidates = support::phone_candidates(count as u32);
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
        "decide_with_model, {count:>2} candidates ({kind:?}), {DECISIONS} decisions: p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs, max {:.1} µs",
        at(0.5),
        at(0.99),
        at(0.999),
        at(1.0)
    );
}
