//! The whole batch pipeline on generated people with known truth: the accuracy the product
//! promises (precision first: a false merge is worse than a missed one) must hold.

use spine_engine::blocking::BlockingRule;
use spine_engine::dedupe::{DedupeOptions, dedupe};
use spine_engine::eval::evaluate;
use spine_engine::model::Model;
use spine_engine::normalize::phone::Region;
use spine_engine::record::Field;
use spine_engine::record::{Record, normalize_all};
use spine_engine::synth::corrupt::{Corruption, corrupt};
use spine_engine::synth::{SynthOptions, generate, truth};

fn run(people: usize, seed: u64, options: &DedupeOptions) -> spine_engine::eval::Accuracy {
    run_corrupted(people, seed, None, options)
}

fn run_corrupted(
    people: usize,
    seed: u64,
    corruption: Option<Corruption>,
    options: &DedupeOptions,
) -> spine_engine::eval::Accuracy {
    let mut synth = generate(&SynthOptions {
        people,
        seed,
        variations: corruption.map(|c| c.variations()).unwrap_or_default(),
        ..SynthOptions::default()
    });
    if let Some(corruption) = corruption {
        corrupt(&mut synth, &corruption, seed);
    }
    let raws: Vec<_> = synth.iter().map(|s| s.raw.clone()).collect();
    let records = normalized(&raws);
    let mut model = Model::default_for_people();
    let out = dedupe(&records, &mut model, options, &|_, _, _| {});
    let predicted: Vec<(String, u64)> = records
        .iter()
        .zip(&out.cluster_of)
        .map(|(r, c)| (r.id.clone(), *c as u64))
        .collect();
    evaluate(&predicted, &truth(&synth))
}

fn normalized(raws: &[spine_engine::record::RawRecord]) -> Vec<Record> {
    normalize_all(raws, Region::default())
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

#[test]
fn trained_pipeline_is_precise_and_complete_on_generated_people() {
    let accuracy = run(8_000, 11, &DedupeOptions::default());
    assert!(accuracy.pairwise_precision >= 0.99, "{accuracy:#?}");
    assert!(accuracy.pairwise_f1 >= 0.97, "{accuracy:#?}");
}

#[test]
fn households_and_twins_are_kept_apart_by_the_distinct_person_levels() {
    let with = run(4_000, 5, &DedupeOptions::default());
    let without = run(
        4_000,
        5,
        &DedupeOptions {
            distinct_person: Vec::new(),
            ..DedupeOptions::default()
        },
    );
    assert!(
        with.pairs.false_positives * 5 < without.pairs.false_positives,
        "distinct-person levels should remove most false links: {} with, {} without",
        with.pairs.false_positives,
        without.pairs.false_positives
    );
}

#[test]
fn a_table_garbled_independently_of_the_engine_keeps_precision_and_most_duplicates() {
    let accuracy = run_corrupted(
        6_000,
        7,
        Some(Corruption::registry()),
        &DedupeOptions::default(),
    );
    assert!(accuracy.pairwise_precision >= 0.97, "{accuracy:#?}");
    assert!(accuracy.pairwise_recall >= 0.8, "{accuracy:#?}");
}

#[test]
fn a_distinct_person_level_the_data_contradicts_is_waived_only_with_an_alibi() {
    let registry = Some(Corruption::registry());
    let learned = run_corrupted(6_000, 9, registry, &DedupeOptions::default());
    let hard = run_corrupted(
        6_000,
        9,
        registry,
        &DedupeOptions {
            distinct_person_max_m: 1.0,
            ..DedupeOptions::default()
        },
    );
    assert!(
        learned.pairs.false_negatives < hard.pairs.false_negatives,
        "waiving finds more duplicates: {} missed with it, {} without",
        learned.pairs.false_negatives,
        hard.pairs.false_negatives
    );
    // Households stay apart: waiving costs little precision and gains more in F1.
    assert!(
        learned.pairwise_precision >= 0.98,
        "{} with, {} without",
        learned.pairwise_precision,
        hard.pairwise_precision
    );
    assert!(
        learned.pairwise_f1 > hard.pairwise_f1 + 0.01,
        "F1 {} with, {} without",
        learned.pairwise_f1,
        hard.pairwise_f1
    );
}

#[test]
fn a_sparse_table_keeps_its_duplicates_through_rare_values() {
    // Names, date of birth, city and an email on most records, garbled: no postcode, street or
    // phone for the usual rules to key on.
    let sparse = Some(Corruption::sparse());
    let with = run_corrupted(4_000, 13, sparse, &DedupeOptions::default());
    let without = run_corrupted(
        4_000,
        13,
        sparse,
        &DedupeOptions {
            rules: BlockingRule::DEFAULT
                .iter()
                .filter(|rule| !BlockingRule::RARE_VALUES.contains(rule))
                .copied()
                .collect(),
            ..DedupeOptions::default()
        },
    );
    assert!(
        with.pairwise_recall > without.pairwise_recall + 0.05,
        "rare values find more: {:.4} with them, {:.4} without",
        with.pairwise_recall,
        without.pairwise_recall
    );
    assert!(with.pairwise_precision >= 0.9, "{with:#?}");
}

/// Records from CSV-like lines of first name, last name, email, phone, street line, city,
/// postcode and date of birth, as a user types them into a small file.
fn small_table(lines: &[&str]) -> Vec<Record> {
    use spine_engine::record::RawRecord;
    let fields = [
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Phone,
        Field::Address1,
        Field::City,
        Field::Postcode,
        Field::DateOfBirth,
    ];
    let raws: Vec<RawRecord> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| RawRecord {
            id: format!("r{i}"),
            fields: fields
                .iter()
                .cloned()
                .zip(line.split(',').map(str::to_owned))
                .collect(),
        })
        .collect();
    normalized(&raws)
}

#[test]
fn a_nickname_of_a_womans_name_and_a_birth_year_with_swapped_digits_stay_one_person() {
    let records = small_table(&[
        "Alexandra,Jones,alex.jones@example.com,+1 415 555 0101,12 Oak Street,San Francisco,94110,1990-04-12",
        "Sasha,Jones,alex.jones@example.com,+1 415 555 0101,12 Oak Street,San Francisco,94110,1990-04-12",
        "Ana,Lopez,ana.lopez@example.com,+1 312 555 0199,4 Elm Avenue,Chicago,60601,1985-06-30",
        "Ana,Lopez,ana.lopez@example.com,+1 312 555 0199,4 Elm Avenue,Chicago,60601,1958-06-30",
        // A twin: one household, one birth date, a name no table relates to Alexandra's.
        "Samantha,Jones,alex.jones@example.com,+1 415 555 0101,12 Oak Street,San Francisco,94110,1990-04-12",
        "Peter,Smith,psmith@example.com,+1 206 555 0123,9 Pine Road,Seattle,98101,1970-01-05",
        "Maria,Garcia,mgarcia@example.com,+1 713 555 0142,77 Bay Street,Houston,77002,1982-11-21",
    ]);
    let mut model = Model::for_records(&records);
    let out = dedupe(
        &records,
        &mut model,
        &DedupeOptions::default(),
        &|_, _, _| {},
    );
    let c = &out.cluster_of;
    assert_eq!(c[0], c[1], "Alexandra and Sasha Jones are one person");
    assert_eq!(c[2], c[3], "Ana Lopez born 1985 and 1958 is one person");
    assert_ne!(c[0], c[4], "Samantha is Alexandra's twin, not Alexandra");
    assert_eq!(c.iter().collect::<std::collections::HashSet<_>>().len(), 5);
}
