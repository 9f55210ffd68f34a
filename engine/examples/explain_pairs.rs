//! Explains how the default pipeline scores pairs of generated people that are NOT the same
//! person but were compared (households, twins, neighbours): a tool for tuning the model.
//!
//!     cargo run -p spine-engine --example explain_pairs -- [people]

use spine_engine::blocking::{BlockingRule, candidate_pairs};
use spine_engine::dedupe::{DedupeOptions, is_distinct_person};
use spine_engine::model::{Model, TermFrequencies};
use spine_engine::normalize::phone::Region;
use spine_engine::record::Record;
use spine_engine::synth::{SynthOptions, generate};

fn main() {
    let people = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5_000);
    let synth = generate(&SynthOptions {
        people,
        seed: 3,
        ..SynthOptions::default()
    });
    let records: Vec<Record> = synth
        .iter()
        .map(|s| Record::from_raw(&s.raw, Region::default()).0)
        .collect();
    let tf = TermFrequencies::from_records(&records);
    let model = Model::default_for_people();
    let rules = DedupeOptions::default().distinct_person;
    let blocks = candidate_pairs(&records, BlockingRule::DEFAULT, 500);
    let mut shown = 0;
    let (mut wrong_links, mut negatives) = (0, 0);
    for &(l, r) in &blocks.pairs {
        let (a, b) = (&synth[l as usize], &synth[r as usize]);
        if a.person == b.person {
            continue;
        }
        negatives += 1;
        let p = model.score(&records[l as usize], &records[r as usize], Some(&tf));
        let distinct = is_distinct_person(&p.explanation, &rules);
        if p.probability >= 0.9 && !distinct {
            wrong_links += 1;
            if shown < 6 {
                shown += 1;
                println!(
                    "{:?} vs {:?}: p={:.4} w={:.1}",
                    a.kind, b.kind, p.probability, p.match_weight
                );
                println!("  a: {:?}", a.raw.fields.values().collect::<Vec<_>>());
                println!("  b: {:?}", b.raw.fields.values().collect::<Vec<_>>());
                for c in &p.explanation {
                    println!("    {:<16} {:<28} {:+.1}", c.name, c.level, c.weight);
                }
            }
        }
    }
    println!("non-matching candidate pairs {negatives}, wrongly linked {wrong_links}");

    // The same through the whole pipeline: direct wrong links versus wrong pairs after clustering.
    let train = std::env::args().nth(2).is_none_or(|a| a != "no-train");
    let mut model = Model::default_for_people();
    let out = spine_engine::dedupe::dedupe(
        &records,
        &mut model,
        &DedupeOptions {
            train,
            ..DedupeOptions::default()
        },
        &|_, _, _| {},
    );
    if let Some(em) = &out.report.em {
        println!("EM prior {:.3e}; trained levels:", em.prior);
        for c in &model.comparisons {
            let levels: Vec<String> = c
                .levels
                .iter()
                .map(|l| format!("{} m={:.3} u={:.2e}", l.label, l.m, l.u))
                .collect();
            println!("  {}: {}", c.name, levels.join(" | "));
        }
    }
    let direct = out
        .pairs
        .iter()
        .filter(|p| {
            p.probability >= 0.9 && synth[p.left as usize].person != synth[p.right as usize].person
        })
        .count();
    if let Some(p) = out.pairs.iter().find(|p| {
        p.probability >= 0.9 && synth[p.left as usize].person != synth[p.right as usize].person
    }) {
        let again = Model::default_for_people().score(
            &records[p.left as usize],
            &records[p.right as usize],
            Some(&tf),
        );
        println!(
            "first wrong link {}-{}: pipeline p={} rescored p={} in blocks: {}",
            p.left,
            p.right,
            p.probability,
            again.probability,
            blocks.pairs.contains(&(p.left, p.right))
        );
        println!(
            "  a: {:?}\n  b: {:?}",
            synth[p.left as usize]
                .raw
                .fields
                .values()
                .collect::<Vec<_>>(),
            synth[p.right as usize]
                .raw
                .fields
                .values()
                .collect::<Vec<_>>()
        );
    }
    let mut by_cluster: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    for (i, c) in out.cluster_of.iter().enumerate() {
        by_cluster.entry(*c).or_default().push(i);
    }
    let clustered: usize = by_cluster
        .values()
        .map(|m| {
            m.iter()
                .enumerate()
                .map(|(x, &a)| {
                    m[x + 1..]
                        .iter()
                        .filter(|&&b| synth[a].person != synth[b].person)
                        .count()
                })
                .sum::<usize>()
        })
        .sum();
    let biggest = by_cluster.values().map(Vec::len).max().unwrap_or(0);
    println!(
        "pipeline: links {}, wrong direct links {direct}, wrong pairs in clusters {clustered}, biggest cluster {biggest}",
        out.report.links
    );
}
