//! What each default blocking rule contributes on generated tables: the pairs it makes, the true
//! pairs it finds, and those no other rule finds. A tool for choosing rules.
//!
//!     cargo run -p spine-engine --example blocking_rules -- [people] [customers|changed|registry]

use std::collections::HashSet;

use spine_engine::blocking::{BlockingRule, candidate_pairs};
use spine_engine::normalize::phone::Region;
use spine_engine::record::{Record, normalize_all};
use spine_engine::synth::corrupt::{Corruption, corrupt};
use spine_engine::synth::{SynthOptions, generate};

fn main() {
    let mut args = std::env::args().skip(1);
    let people = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let kind = args.next().unwrap_or_else(|| "customers".into());
    let mut synth = generate(&SynthOptions::new(people, 1));
    match kind.as_str() {
        "changed" => corrupt(&mut synth, &Corruption::customers(), 1),
        "registry" => corrupt(&mut synth, &Corruption::registry(), 1),
        _ => {}
    }
    let raws: Vec<_> = synth.iter().map(|s| s.raw.clone()).collect();
    let records: Vec<Record> = normalize_all(&raws, Region::default())
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    let truth = |(l, r): (u32, u32)| synth[l as usize].person == synth[r as usize].person;
    let per_rule: Vec<(BlockingRule, HashSet<(u32, u32)>)> = BlockingRule::DEFAULT
        .iter()
        .map(|rule| {
            let pairs = candidate_pairs(&records, &[*rule], 500).pairs;
            (*rule, pairs.into_iter().collect())
        })
        .collect();
    let all = candidate_pairs(&records, BlockingRule::DEFAULT, 500).pairs;
    let true_all = all.iter().filter(|p| truth(**p)).count();
    println!(
        "{} records, {} pairs, {} true",
        records.len(),
        all.len(),
        true_all
    );
    for (rule, pairs) in &per_rule {
        let found = pairs.iter().filter(|p| truth(**p)).count();
        let only = pairs
            .iter()
            .filter(|p| truth(**p))
            .filter(|p| {
                per_rule
                    .iter()
                    .all(|(other, set)| other == rule || !set.contains(p))
            })
            .count();
        println!(
            "{:<22} pairs {:>8}  true {:>7}  only this rule {:>5}",
            format!("{rule:?}"),
            pairs.len(),
            found,
            only
        );
    }
}
