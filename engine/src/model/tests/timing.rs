//! A timing of the hot path, ignored by default (it means something only in release):
//! `cargo test --release -p spine-engine model::tests::timing -- --ignored --nocapture`.

use std::hint::black_box;
use std::time::Instant;

use super::person;
use crate::model::random_pairs::SplitMix64;
use crate::model::{Gamma, Model, TermFrequencies};
use crate::record::{Field, Record};

fn records(n: usize) -> Vec<Record> {
    let given = [
        "John", "Jon", "Mary", "Maria", "Robert", "Bob", "Ann", "Anne", "Li", "Zbigniew",
    ];
    let family = [
        "Smith", "Smyth", "Johnson", "Lee", "Garcia", "Nguyen", "Okafor", "Kowalski",
    ];
    let mut rng = SplitMix64(99);
    let mut pick = |options: &[&'static str]| options[rng.below(options.len() as u64) as usize];
    (0..n)
        .map(|i| {
            let (g, f) = (pick(&given), pick(&family));
            let email = format!(
                "{}.{}{}@gmail.com",
                g.to_lowercase(),
                f.to_lowercase(),
                i % 7
            );
            let phone = format!("+1 916 555 {:04}", 1000 + i % 300);
            let address = format!("{} Main Street Apt {}", 10 + i % 40, i % 5);
            let dob = format!("19{}-0{}-1{}", 50 + i % 40, 1 + i % 9, i % 10);
            person(&[
                ("first_name", g),
                ("last_name", f),
                ("email", &email),
                ("phone", &phone),
                ("address_1", &address),
                ("city", "Austin"),
                ("state", "TX"),
                ("postcode", pick(&["78701", "78702", "78703"])),
                ("date_of_birth", &dob),
            ])
        })
        .collect()
}

#[test]
#[ignore = "timing: run in release with --ignored --nocapture"]
fn model_compare_and_weigh_timing() {
    let records = records(2_000);
    let model = Model::for_fields(&[
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Phone,
        Field::Address1,
        Field::City,
        Field::Postcode,
        Field::DateOfBirth,
    ]);
    let tf = TermFrequencies::from_records(&records);
    let pairs: Vec<(usize, usize)> = (0..records.len())
        .flat_map(|i| (1..=20).map(move |d| (i, (i * 7 + d * 13) % 2_000)))
        .collect();
    let rounds = 10;

    let mut gamma = Gamma::with_capacity(model.comparisons.len());
    let start = Instant::now();
    let mut total = 0.0;
    for _ in 0..rounds {
        for &(i, j) in &pairs {
            model.compare_into(&records[i], &records[j], &mut gamma);
            total += model.weigh(&gamma);
        }
    }
    let compare_weigh = start.elapsed().as_nanos() as f64 / (rounds * pairs.len()) as f64;
    black_box(total);

    let start = Instant::now();
    for _ in 0..rounds {
        for &(i, j) in &pairs {
            total += model.match_weight(black_box(&records[i]), black_box(&records[j]));
        }
    }
    let fused = start.elapsed().as_nanos() as f64 / (rounds * pairs.len()) as f64;
    black_box(total);

    let start = Instant::now();
    for &(i, j) in &pairs {
        total += model
            .score(&records[i], &records[j], Some(&tf))
            .match_weight;
    }
    let score = start.elapsed().as_nanos() as f64 / pairs.len() as f64;
    black_box(total);

    println!(
        "compare_into + weigh: {compare_weigh:.0} ns/pair; match_weight: {fused:.0} ns/pair; \
         score with explanation and tf: {score:.0} ns/pair ({:.1} µs for 20 candidates)",
        20.0 * score / 1_000.0
    );
    assert!(
        20.0 * score < 50_000.0,
        "20 candidates take {score} ns each"
    );
}
