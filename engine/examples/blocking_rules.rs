//! What each default blocking rule contributes on generated tables: the pairs it makes, the true
//! pairs it finds, and those no other rule finds. A tool for choosing rules.
//!
//!     cargo run -p spine-engine --example blocking_rules -- [people] [customers|changed|registry|sparse]
//!
//! It then deduplicates the table with the default rules and without the rare-value ones.
//! With `SHOW_MODEL=1` it also prints the trained m of each level beside the m the truth gives,
//! and the wrong links by the kinds of the two people (twins, households, namesakes);
//! `SHOW_WRONG=N` beside it prints N wrong links and `SHOW_UNLINKED=N` N true pairs compared but
//! scored below the threshold, with their fields. With `SHOW_MISSED=1` it prints the true pairs
//! no rule compared, by which fields agree.

use std::collections::HashSet;

use spine_engine::blocking::{BlockingRule, candidate_pairs};
use spine_engine::dedupe::{DedupeOptions, dedupe};
use spine_engine::eval::evaluate;
use spine_engine::model::Model;
use spine_engine::normalize::phone::Region;
use spine_engine::record::{Record, normalize_all};
use spine_engine::synth::corrupt::{Corruption, corrupt};
use spine_engine::synth::{SynthOptions, generate, truth};

fn main() {
    let mut args = std::env::args().skip(1);
    let people = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let kind = args.next().unwrap_or_else(|| "customers".into());
    let corruption = match kind.as_str() {
        "changed" => Some(Corruption::customers()),
        "registry" => Some(Corruption::registry()),
        "sparse" => Some(Corruption::sparse()),
        _ => None,
    };
    let mut synth = generate(&SynthOptions {
        variations: corruption.map(|c| c.variations()).unwrap_or_default(),
        ..SynthOptions::new(people, 1)
    });
    if let Some(corruption) = &corruption {
        corrupt(&mut synth, corruption, 1);
    }
    let raws: Vec<_> = synth.iter().map(|s| s.raw.clone()).collect();
    let records: Vec<Record> = normalize_all(&raws, Region::default())
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    let truth = |(l, r): (u32, u32)| synth[l as usize].person == synth[r as usize].person;
    let candidates = BlockingRule::RARE_VALUES;
    let per_rule: Vec<(BlockingRule, HashSet<(u32, u32)>)> = BlockingRule::DEFAULT
        .iter()
        .map(|rule| {
            let pairs = candidate_pairs(&records, &[*rule], 500).pairs;
            (*rule, pairs.into_iter().collect())
        })
        .collect();
    let all = candidate_pairs(&records, BlockingRule::DEFAULT, 500).pairs;
    let true_all = all.iter().filter(|p| truth(**p)).count();
    let mut people: std::collections::HashMap<u64, usize> = Default::default();
    for s in &synth {
        *people.entry(s.person).or_default() += 1;
    }
    let true_pairs: usize = people.values().map(|n| n * (n - 1) / 2).sum();
    println!(
        "{} records, {} pairs, {} of {} true pairs ({:.2}%)",
        records.len(),
        all.len(),
        true_all,
        true_pairs,
        100.0 * true_all as f64 / true_pairs.max(1) as f64
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
    if std::env::var_os("SHOW_MISSED").is_some() {
        // The true pairs no rule compared, by which fields agree exactly (G given, F family,
        // D date of birth, C city, E email, A street line, P postcode, X external id; lower
        // case: one side is missing it; "-": both have it, differently).
        let compared: HashSet<(u32, u32)> = all.iter().copied().collect();
        let mut by_person: std::collections::HashMap<u64, Vec<u32>> = Default::default();
        for (i, s) in synth.iter().enumerate() {
            by_person.entry(s.person).or_default().push(i as u32);
        }
        let mut patterns: std::collections::BTreeMap<String, usize> = Default::default();
        for members in by_person.values() {
            for (x, &l) in members.iter().enumerate() {
                for &r in &members[x + 1..] {
                    let pair = (l.min(r), l.max(r));
                    if compared.contains(&pair) {
                        continue;
                    }
                    let (a, b) = (&records[pair.0 as usize], &records[pair.1 as usize]);
                    let mark =
                        |c: char,
                         x: &Option<spine_engine::record::Text>,
                         y: &Option<spine_engine::record::Text>| match (
                            x, y,
                        ) {
                            (Some(p), Some(q)) if p == q => c.to_string(),
                            (Some(_), Some(_)) => "-".to_string(),
                            _ => c.to_lowercase().to_string(),
                        };
                    let key = [
                        mark('G', &a.given, &b.given),
                        mark('F', &a.family, &b.family),
                        mark('D', &a.date_of_birth, &b.date_of_birth),
                        mark('C', &a.city, &b.city),
                        mark('E', &a.email, &b.email),
                        mark('A', &a.address_line, &b.address_line),
                        mark('P', &a.postcode, &b.postcode),
                        mark('X', &a.external_id, &b.external_id),
                    ]
                    .concat();
                    *patterns.entry(key).or_default() += 1;
                }
            }
        }
        let mut patterns: Vec<_> = patterns.into_iter().collect();
        patterns.sort_by_key(|p| std::cmp::Reverse(p.1));
        for (pattern, n) in patterns.iter().take(25) {
            eprintln!("  missed {pattern} {n}");
        }
    }
    println!(
        "default rules: {}",
        accuracy(&records, &synth, BlockingRule::DEFAULT)
    );
    let without: Vec<BlockingRule> = BlockingRule::DEFAULT
        .iter()
        .filter(|r| !candidates.contains(r))
        .copied()
        .collect();
    println!(
        "without {candidates:?}: {}",
        accuracy(&records, &synth, &without)
    );
}

/// Pairwise precision, recall and F1 of the whole pipeline under `rules`.
fn accuracy(
    records: &[Record],
    synth: &[spine_engine::synth::SynthRecord],
    rules: &[BlockingRule],
) -> String {
    let options = DedupeOptions {
        rules: rules.to_vec(),
        ..DedupeOptions::default()
    };
    let mut model = Model::for_records(records);
    let out = dedupe(records, &mut model, &options, &|_, _, _| {});
    if std::env::var_os("SHOW_MODEL").is_some() {
        for c in &model.comparisons {
            let m: Vec<String> = c.levels.iter().map(|l| format!("{:.3}", l.m)).collect();
            eprintln!("  {} m {}", c.name, m.join(" "));
        }
        // The m the truth gives, over the true pairs among the candidates.
        let true_pairs: Vec<&spine_engine::cluster::ScoredPair> = out
            .pairs
            .iter()
            .filter(|p| synth[p.left as usize].person == synth[p.right as usize].person)
            .collect();
        for (i, c) in model.comparisons.iter().enumerate() {
            let mut counts = vec![0usize; c.levels.len()];
            let mut seen = 0;
            for p in &true_pairs {
                let g = model.compare(&records[p.left as usize], &records[p.right as usize]);
                if let Some(level) = g[i] {
                    counts[level as usize] += 1;
                    seen += 1;
                }
            }
            let m: Vec<String> = counts
                .iter()
                .map(|n| format!("{:.3}", *n as f64 / seen.max(1) as f64))
                .collect();
            eprintln!("  {} true m {}", c.name, m.join(" "));
        }
        // Wrong links by the kinds of the two people.
        let mut wrong: std::collections::BTreeMap<String, usize> = Default::default();
        let show_wrong: usize = std::env::var("SHOW_WRONG")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut shown = 0;
        for p in out.pairs.iter().filter(|p| p.probability >= 0.9) {
            let (a, b) = (&synth[p.left as usize], &synth[p.right as usize]);
            if a.person != b.person {
                if shown < show_wrong {
                    shown += 1;
                    eprintln!(
                        "  wrong {:.3} {:?}\n        {:?}",
                        p.probability, a.raw.fields, b.raw.fields
                    );
                }
                let mut kinds = [format!("{:?}", a.kind), format!("{:?}", b.kind)];
                kinds.sort();
                *wrong.entry(kinds.join("+")).or_default() += 1;
            }
        }
        eprintln!("  wrong links by kind: {wrong:?}");
        // True pairs compared but scored below the link threshold.
        let show_unlinked: usize = std::env::var("SHOW_UNLINKED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        for p in out
            .pairs
            .iter()
            .filter(|p| p.probability < 0.9)
            .filter(|p| synth[p.left as usize].person == synth[p.right as usize].person)
            .take(show_unlinked)
        {
            let (a, b) = (&synth[p.left as usize], &synth[p.right as usize]);
            eprintln!(
                "  unlinked {:.3} {:?}\n        {:?}",
                p.probability, a.raw.fields, b.raw.fields
            );
        }
        if let Some(em) = &out.report.em {
            for s in &em.sessions {
                eprintln!(
                    "  session {:?} pairs {} estimated {:?}",
                    s.rule, s.pairs, s.estimated
                );
            }
        }
    }
    let predicted: Vec<(String, u64)> = records
        .iter()
        .zip(&out.cluster_of)
        .map(|(r, c)| (r.id.clone(), *c as u64))
        .collect();
    let a = evaluate(&predicted, &truth(synth));
    format!(
        "precision {:.4} recall {:.4} F1 {:.4} ({} pairs compared)",
        a.pairwise_precision, a.pairwise_recall, a.pairwise_f1, out.report.candidate_pairs
    )
}
