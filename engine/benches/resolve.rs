//! Scoring and deciding: one pair (fast weight, and the explained score with term
//! frequencies), one incoming record against 20 candidates with the real-time decision, and the
//! whole batch pipeline on 10,000 generated people.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spine_engine::dedupe::{DedupeOptions, dedupe};
use spine_engine::model::{Model, TermFrequencies};
use spine_engine::record::Record;
use spine_engine::resolve::{ProfileEvidence, Thresholds, decide_with_model};

mod support;

fn bench(c: &mut Criterion) {
    let recs = support::records(2_000, 9);
    let model = Model::default_for_people();
    let tf = TermFrequencies::from_records(&recs);
    let pairs: Vec<(usize, usize)> = (0..1000).map(|i| (i, (i * 7 + 1) % recs.len())).collect();

    let mut group = c.benchmark_group("pair");
    group.throughput(Throughput::Elements(pairs.len() as u64));
    group.bench_function("match_weight", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|&(x, y)| model.match_weight(&recs[x], &recs[y]))
                .sum::<f64>()
        })
    });
    group.bench_function("score_with_tf", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|&(x, y)| model.score(&recs[x], &recs[y], Some(&tf)).probability)
                .sum::<f64>()
        })
    });
    group.finish();

    // One incoming record, 20 candidates sharing a phone: the real-time decision.
    let incoming = recs[0].clone();
    let candidates = support::phone_candidates(20);
    let by_id: BTreeMap<u32, Record> = (1..=20u32)
        .map(|id| (id, recs[id as usize].clone()))
        .collect();
    c.bench_function("decide_with_model/20_candidates", |b| {
        b.iter(|| {
            decide_with_model(
                black_box(&candidates),
                Thresholds::default(),
                &ProfileEvidence {
                    model: &model,
                    incoming: &incoming,
                    records: &by_id,
                },
            )
        })
    });

    let batch = support::records(10_000, 9);
    let mut group = c.benchmark_group("dedupe");
    group.sample_size(10);
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.bench_function("10k_people_trained", |b| {
        b.iter(|| {
            let mut model = Model::default_for_people();
            dedupe(&batch, &mut model, &DedupeOptions::default(), &|_, _, _| {})
                .report
                .clusters
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
