//! Invariants of comparing and scoring, on records drawn from small pools of values so that
//! agreements, near misses, swaps and nulls all happen often.

use proptest::prelude::*;

use super::person;
use crate::model::{Gamma, Model, TermFrequencies};
use crate::record::{Field, Record};

const GIVEN: &[&str] = &[
    "John", "Jon", "Johnny", "J", "Bob", "Robert", "Bobby", "Mary", "Marie", "Lee", "Smith",
];
const FAMILY: &[&str] = &[
    "Smith",
    "Smyth",
    "Smithe",
    "Lee",
    "Li",
    "Johnson",
    "John",
    "Zbigniewski",
];
const EMAIL: &[&str] = &[
    "john@gmail.com",
    "j.ohn@gmail.com",
    "john+shop@gmail.com",
    "john@gmial.com",
    "john@yahoo.com",
    "mary@example.com",
];
const PHONE: &[&str] = &[
    "+1 916 555 1234",
    "+1 212 555 1234",
    "+1 916 555 9876",
    "+55 11 98765 4321",
    "+55 11 8765 4321",
];
const ADDRESS: &[&str] = &[
    "12 Main St",
    "12 Main Street Apt 4",
    "12 Main St Apt 5",
    "9 Oak Ave",
];
const CITY: &[&str] = &["Austin", "Dallas", "Springfield"];
const STATE: &[&str] = &["TX", "IL"];
const POSTCODE: &[&str] = &["78701", "78702", "62701"];
const DOB: &[&str] = &[
    "1980-07-04",
    "1980-04-07",
    "1980-07-05",
    "1980-12-25",
    "1975-01-01",
];
const EXTERNAL: &[&str] = &["C-1", "C-2"];
const TIER: &[&str] = &["gold", "silver"];

fn field(
    name: &'static str,
    pool: &'static [&'static str],
) -> impl Strategy<Value = Option<(&'static str, &'static str)>> {
    prop::option::weighted(
        0.75,
        prop::sample::select(pool).prop_map(move |v| (name, v)),
    )
}

fn record() -> impl Strategy<Value = Record> {
    (
        (
            field("first_name", GIVEN),
            field("last_name", FAMILY),
            field("email", EMAIL),
            field("phone", PHONE),
        ),
        (
            field("address_1", ADDRESS),
            field("city", CITY),
            field("state", STATE),
            field("postcode", POSTCODE),
        ),
        (
            field("date_of_birth", DOB),
            field("external_id", EXTERNAL),
            field("other:tier", TIER),
        ),
    )
        .prop_map(|((a, b, c, d), (e, f, g, h), (i, j, k))| {
            let pairs: Vec<(&str, &str)> = [a, b, c, d, e, f, g, h, i, j, k]
                .into_iter()
                .flatten()
                .collect();
            person(&pairs)
        })
}

fn model() -> Model {
    Model::for_fields(&[
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Phone,
        Field::Address1,
        Field::City,
        Field::Postcode,
        Field::DateOfBirth,
        Field::ExternalId,
        Field::Other("tier".into()),
    ])
}

/// Frequencies from a small population that the two records join.
fn frequencies(a: &Record, b: &Record) -> TermFrequencies {
    let mut records: Vec<Record> = GIVEN
        .iter()
        .zip(FAMILY.iter().cycle())
        .map(|(given, family)| {
            person(&[
                ("first_name", given),
                ("last_name", family),
                ("city", "Austin"),
            ])
        })
        .collect();
    records.extend([a.clone(), b.clone(), person(&[("last_name", "Smith")])]);
    TermFrequencies::from_records(&records)
}

/// Makes `b` agree with `a` on one group of fields (a field and the fields derived with it).
fn copy_group(group: usize, a: &Record, b: &mut Record) {
    match group {
        0 => {
            b.given = a.given.clone();
            b.given_canonical = a.given_canonical.clone();
        }
        1 => b.family = a.family.clone(),
        2 => {
            b.email = a.email.clone();
            b.email_canonical = a.email_canonical.clone();
        }
        3 => b.phone = a.phone.clone(),
        4 => {
            b.address_line = a.address_line.clone();
            b.address_unit = a.address_unit.clone();
        }
        5 => {
            b.city = a.city.clone();
            b.state = a.state.clone();
            b.postcode = a.postcode.clone();
        }
        6 => b.date_of_birth = a.date_of_birth.clone(),
        7 => b.external_id = a.external_id.clone(),
        _ => b.others = a.others.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn comparison_and_score_are_symmetric(a in record(), b in record()) {
        let model = model();
        prop_assert_eq!(model.compare(&a, &b), model.compare(&b, &a));
        let tf = frequencies(&a, &b);
        for tf in [None, Some(&tf)] {
            let (ab, ba) = (model.score(&a, &b, tf), model.score(&b, &a, tf));
            prop_assert!((ab.match_weight - ba.match_weight).abs() < 1e-9);
        }
        prop_assert!((model.match_weight(&a, &b) - model.match_weight(&b, &a)).abs() < 1e-9);
    }

    #[test]
    fn probability_is_a_probability_and_fast_paths_agree(a in record(), b in record()) {
        let model = model();
        let tf = frequencies(&a, &b);
        for tf in [None, Some(&tf)] {
            let prediction = model.score(&a, &b, tf);
            prop_assert!(prediction.match_weight.is_finite());
            prop_assert!((0.0..=1.0).contains(&prediction.probability));
        }
        let plain = model.score(&a, &b, None).match_weight;
        prop_assert!((model.weigh(&model.compare(&a, &b)) - plain).abs() < 1e-9);
        prop_assert!((model.match_weight(&a, &b) - plain).abs() < 1e-9);
    }

    /// Agreeing on one more group of fields never lowers the score, term frequencies or not.
    #[test]
    fn agreeing_on_more_never_lowers_the_score(a in record(), b in record(), group in 0usize..9) {
        let model = model();
        let mut closer = b.clone();
        copy_group(group, &a, &mut closer);
        let tf = frequencies(&a, &b);
        for tf in [None, Some(&tf)] {
            let before = model.score(&a, &b, tf).match_weight;
            let after = model.score(&a, &closer, tf).match_weight;
            prop_assert!(after >= before - 1e-9, "group {group}: {before} -> {after}");
        }
    }

    /// Moving one comparison to a level that weighs more never lowers the weight: levels add
    /// independently, and null sits at zero.
    #[test]
    fn raising_one_level_never_lowers_the_weight(
        seed in prop::collection::vec(any::<u8>(), 9),
        which in 0usize..9,
        to in any::<u8>(),
    ) {
        let model = model();
        prop_assert_eq!(model.comparisons.len(), 9);
        let gamma: Gamma = model
            .comparisons
            .iter()
            .zip(&seed)
            .map(|(c, s)| (*s as usize % (c.levels.len() + 1)).checked_sub(1).map(|l| l as u8))
            .collect();
        let comparison = &model.comparisons[which];
        let to = to % comparison.levels.len() as u8;
        let current = gamma[which].map_or(0.0, |l| comparison.levels[usize::from(l)].weight());
        let mut raised = gamma.clone();
        raised[which] = Some(to);
        let change = model.weigh(&raised) - model.weigh(&gamma);
        prop_assert!((change - (comparison.levels[usize::from(to)].weight() - current)).abs() < 1e-9);
        if comparison.levels[usize::from(to)].weight() >= current {
            prop_assert!(change >= -1e-9);
        }
    }
}
