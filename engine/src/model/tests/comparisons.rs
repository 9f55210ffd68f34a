//! What each comparison decides for a pair, and the defaults' levels.

use super::{contribution, person};
use crate::model::Model;
use crate::record::{Field, Record};

fn level_of(model: &Model, name: &str, a: &Record, b: &Record) -> Option<String> {
    let (index, comparison) = model.comparison(name).expect("comparison exists");
    model.compare(a, b)[index].map(|l| comparison.levels[usize::from(l)].label.clone())
}

/// (comparison, record a, record b, expected level label; None for null)
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
);

const CASES: &[Case] = &[
    (
        "first_name",
        &[("first_name", "John"), ("last_name", "Smith")],
        &[("first_name", "Smith"), ("last_name", "John")],
        Some("swapped_with_last_name"),
    ),
    (
        "first_name",
        &[("first_name", "J"), ("last_name", "Smith")],
        &[("first_name", "John")],
        Some("initial"),
    ),
    (
        "first_name",
        &[("first_name", "Jonathon")],
        &[("first_name", "Jonathan")],
        Some("jaro_winkler >= 0.92"),
    ),
    (
        "first_name",
        &[("first_name", "Bobby")],
        &[("first_name", "Robert")],
        Some("nickname"),
    ),
    (
        "first_name",
        &[("first_name", "Samuel"), ("last_name", "Walerworth")],
        &[("first_name", "Walerworth"), ("last_name", "Damuel")],
        Some("swapped_with_last_name"),
    ),
    (
        "first_name",
        &[("first_name", "Patricia"), ("last_name", "Miller")],
        &[("first_name", "Miller"), ("last_name", "Patty")],
        Some("swapped_with_last_name"),
    ),
    (
        "first_name",
        &[("first_name", "Thomas"), ("last_name", "Garcia")],
        &[("first_name", "Garcia"), ("last_name", "Brown")],
        Some("else"),
    ),
    (
        "last_name",
        &[("first_name", "Thomas"), ("last_name", "Garcia")],
        &[("first_name", "Garcia"), ("last_name", "Brown")],
        Some("else"),
    ),
    (
        "email",
        &[("email", "avacorthwaite@yahoo.com")],
        &[("email", "avacorthwasite@yahoo.com")],
        Some("one_slip"),
    ),
    (
        "email",
        &[("email", "lindbridge.lauren@gmail.com")],
        &[("email", "lindbridge.luaren@gmail.com")],
        Some("one_slip"),
    ),
    (
        "email",
        &[("email", "lindbridge.lauren@gmail.com")],
        &[("email", "lindbridge.lauren@gmial.com")],
        Some("same_local_part"),
    ),
    (
        "email",
        &[
            ("email", "john.smith@gmail.com"),
            ("first_name", "John"),
            ("last_name", "Smith"),
        ],
        &[
            ("email", "joan.smith@gmail.com"),
            ("first_name", "Joan"),
            ("last_name", "Smith"),
        ],
        None,
    ),
    (
        "email",
        &[
            ("email", "avacorthwaite@yahoo.com"),
            ("first_name", "Ava"),
            ("last_name", "Corthwaite"),
        ],
        &[
            ("email", "avacorthwasite@yahoo.com"),
            ("first_name", "Ava"),
            ("last_name", "Corthwaite"),
        ],
        Some("one_slip"),
    ),
    (
        "email",
        &[("email", "nancythornerley55@gmail.com")],
        &[("email", "naricythornerley55@gmail.com")],
        Some("else"),
    ),
    (
        "first_name",
        &[("first_name", "Sasha")],
        &[("first_name", "Alexandra")],
        Some("nickname"),
    ),
    (
        "first_name",
        &[("first_name", "Alex")],
        &[("first_name", "Sasha")],
        Some("nickname"),
    ),
    (
        "first_name",
        &[("first_name", "Samantha")],
        &[("first_name", "Sasha")],
        Some("else"),
    ),
    (
        "date_of_birth",
        &[("date_of_birth", "1985-03-12")],
        &[("date_of_birth", "1958-03-12")],
        Some("transposed_or_one_digit_off"),
    ),
    (
        "date_of_birth",
        &[("date_of_birth", "1985-03-12")],
        &[("date_of_birth", "1976-03-12")],
        Some("else"),
    ),
    (
        "first_name",
        &[("first_name", "Ann")],
        &[("last_name", "Ann")],
        None,
    ),
    (
        "last_name",
        &[("last_name", "Smith")],
        &[("last_name", "Smyth")],
        Some("jaro_winkler >= 0.80"),
    ),
    (
        "last_name",
        &[("last_name", "Johnson")],
        &[("last_name", "Jonson")],
        Some("jaro_winkler >= 0.92"),
    ),
    (
        "last_name",
        &[("last_name", "Johnson")],
        &[("last_name", "Okafor")],
        Some("else"),
    ),
    (
        "email",
        &[("email", "Ann@Gmail.com")],
        &[("email", "ann@gmail.com")],
        Some("exact"),
    ),
    (
        "email",
        &[("email", "a.nn+shop@gmail.com")],
        &[("email", "ann@googlemail.com")],
        Some("provider_canonical"),
    ),
    (
        "email",
        &[("email", "ann@gmail.com")],
        &[("email", "ann@gmial.com")],
        Some("same_local_part"),
    ),
    (
        "email",
        &[("email", "ann@gmail.com")],
        &[("email", "bob@gmail.com")],
        Some("else"),
    ),
    (
        "phone",
        &[("phone", "+54 9 11 2345-6789")],
        &[("phone", "+54 11 2345-6789")],
        Some("variant_or_last_7_digits"),
    ),
    (
        "phone",
        &[("phone", "(916) 555-1234")],
        &[("phone", "(212) 555-1234")],
        Some("variant_or_last_7_digits"),
    ),
    (
        "phone",
        &[("phone", "(916) 555-1234")],
        &[("phone", "(916) 555-4321")],
        Some("else"),
    ),
    (
        "date_of_birth",
        &[("date_of_birth", "1980-07-04")],
        &[("date_of_birth", "04.07.1980")],
        Some("exact"),
    ),
    (
        "date_of_birth",
        &[("date_of_birth", "1980-07-04")],
        &[("date_of_birth", "1980-04-07")],
        Some("transposed_or_one_digit_off"),
    ),
    (
        "date_of_birth",
        &[("date_of_birth", "1980-07-04")],
        &[("date_of_birth", "1980-12-25")],
        Some("same_year"),
    ),
    (
        "date_of_birth",
        &[("date_of_birth", "1980-07-04")],
        &[("date_of_birth", "1975-12-25")],
        Some("else"),
    ),
    (
        "address",
        &[("address_1", "12 Main St Apt 4")],
        &[("address_1", "12 Main Street #4")],
        Some("same_line_same_unit"),
    ),
    (
        "address",
        &[("address_1", "12 Main St Apt 4")],
        &[("address_1", "12 Main Street")],
        Some("same_line_unit_missing"),
    ),
    (
        "address",
        &[("address_1", "12 Main St Apt 4")],
        &[("address_1", "12 Main St Apt 5")],
        Some("same_line_different_unit"),
    ),
    (
        "address",
        &[("address_1", "12 Main St Apt 4")],
        &[("address_1", "9 Oak Ave Apt 4")],
        Some("else"),
    ),
    (
        "email",
        &[
            ("first_name", "Nancy"),
            ("last_name", "Smith"),
            ("email", "nancy.smith@comcast.net"),
        ],
        &[
            ("first_name", "Nancy"),
            ("last_name", "Smith"),
            ("email", "nancy.smith@yahoo.com"),
        ],
        None,
    ),
    (
        "email",
        &[
            ("first_name", "Nancy"),
            ("last_name", "Smith"),
            ("email", "nancyskates84@comcast.net"),
        ],
        &[
            ("first_name", "Nancy"),
            ("last_name", "Smith"),
            ("email", "nancyskates84@yahoo.com"),
        ],
        Some("same_local_part"),
    ),
    (
        "email",
        &[("first_name", "Aiden"), ("email", "aiden77@icloud.com")],
        &[("first_name", "Aiden"), ("email", "aiden77@gmail.com")],
        None,
    ),
    (
        "email",
        &[("first_name", "Aiden"), ("email", "aiden77123@icloud.com")],
        &[("first_name", "Aiden"), ("email", "aiden77123@gmail.com")],
        Some("same_local_part"),
    ),
    (
        "address",
        &[("address_1", "12 Main St Apt 4B")],
        &[("address_1", "12 Main St Apt 4C")],
        Some("same_line_different_unit"),
    ),
    (
        "address",
        &[("address_1", "6 Appel Crescent"), ("address_2", "Rothwell")],
        &[("address_1", "6 Appel Crescent"), ("address_2", "Rothwelk")],
        Some("same_line_same_unit"),
    ),
    (
        "address",
        &[("address_1", "6 Appel Crescent"), ("address_2", "Rothwell")],
        &[
            ("address_1", "6 Appel Crescent"),
            ("address_2", "Kyeema Vineyard"),
        ],
        Some("same_line_unit_missing"),
    ),
    (
        "address",
        &[("address_1", "26 Yampi Place")],
        &[("address_1", "26 Yampi Plvace")],
        Some("similar_line"),
    ),
    (
        "address",
        &[("address_1", "26 Yampi Place")],
        &[("address_1", "28 Yampi Place")],
        Some("else"),
    ),
    (
        "postcode_city",
        &[("city", "Austin"), ("postcode", "78701")],
        &[("city", "Dallas"), ("postcode", "78701")],
        Some("same_postcode"),
    ),
    (
        "postcode_city",
        &[("city", "Springfield"), ("state", "IL")],
        &[("city", "Springfield")],
        Some("same_city"),
    ),
    // Springfield, Illinois is not Springfield, Missouri.
    (
        "postcode_city",
        &[("city", "Springfield"), ("state", "IL")],
        &[("city", "Springfield"), ("state", "MO")],
        Some("else"),
    ),
    (
        "postcode_city",
        &[("postcode", "78701")],
        &[("city", "Austin")],
        None,
    ),
    (
        "external_id",
        &[("external_id", "C-1")],
        &[("external_id", "C-2")],
        Some("else"),
    ),
    (
        "other:tier",
        &[("other:tier", "Gold")],
        &[("other:tier", "gold")],
        Some("exact"),
    ),
    ("other:tier", &[("other:tier", "Gold")], &[], None),
];

#[test]
fn each_comparison_reaches_its_levels() {
    let mut fields = vec![
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Phone,
    ];
    fields.extend([
        Field::Address1,
        Field::City,
        Field::DateOfBirth,
        Field::ExternalId,
    ]);
    fields.push(Field::Other("tier".into()));
    let model = Model::for_fields(&fields);
    for (name, a, b, expected) in CASES {
        let (a, b) = (person(a), person(b));
        assert_eq!(
            level_of(&model, name, &a, &b).as_deref(),
            *expected,
            "{name}: {a:?} / {b:?}"
        );
        assert_eq!(
            level_of(&model, name, &b, &a).as_deref(),
            *expected,
            "{name} reversed"
        );
    }
}

#[test]
fn nickname_first_name_scores_above_different_first_name() {
    let model = Model::default_for_people();
    let bob = person(&[("first_name", "Bob"), ("last_name", "Smith")]);
    let robert = person(&[("first_name", "Robert"), ("last_name", "Smith")]);
    let michael = person(&[("first_name", "Michael"), ("last_name", "Smith")]);

    let nickname = model.score(&bob, &robert, None);
    let different = model.score(&bob, &michael, None);
    assert_eq!(contribution(&nickname, "first_name").level, "nickname");
    assert_eq!(contribution(&different, "first_name").level, "else");
    assert!(contribution(&nickname, "first_name").weight > 0.0);
    assert!(nickname.match_weight > different.match_weight + 5.0);
}

#[test]
fn different_unit_same_building_is_strong_evidence_against() {
    let model = Model::default_for_people();
    let neighbour_a = person(&[
        ("first_name", "Ann"),
        ("last_name", "Lee"),
        ("address_1", "12 Main Street Apt 4"),
        ("city", "Austin"),
        ("state", "TX"),
        ("postcode", "78701"),
    ]);
    let neighbour_b = person(&[
        ("first_name", "Anne"),
        ("last_name", "Lee"),
        ("address_1", "12 Main St Apt 5"),
        ("city", "Austin"),
        ("state", "TX"),
        ("postcode", "78701"),
    ]);
    let elsewhere = person(&[
        ("first_name", "Anne"),
        ("last_name", "Lee"),
        ("address_1", "9 Oak Avenue"),
        ("city", "Austin"),
        ("state", "TX"),
        ("postcode", "78701"),
    ]);

    let neighbours = model.score(&neighbour_a, &neighbour_b, None);
    let address = contribution(&neighbours, "address");
    assert_eq!(address.level, "same_line_different_unit");
    assert!(address.weight < -5.0, "{address:?}");
    // Worse than living somewhere else entirely.
    let moved = model.score(&neighbour_a, &elsewhere, None);
    assert!(address.weight < contribution(&moved, "address").weight);
    assert!(neighbours.match_weight < moved.match_weight);
    // Same building, close names, same postcode: still more likely two people than one.
    assert!(neighbours.probability < 0.5, "{neighbours:?}");

    // The same unit is strong evidence for.
    let same_flat = model.score(&neighbour_a, &neighbour_a.clone(), None);
    assert_eq!(
        contribution(&same_flat, "address").level,
        "same_line_same_unit"
    );
    assert!(contribution(&same_flat, "address").weight > 10.0);
}

#[test]
fn default_levels_weigh_less_as_they_weaken_except_the_neighbour_level() {
    let model = Model::default_for_people();
    model.validate().unwrap();
    for comparison in &model.comparisons {
        let weights: Vec<f64> = comparison
            .levels
            .iter()
            .filter(|l| !l.fixed)
            .map(|l| l.weight())
            .collect();
        assert!(
            weights.windows(2).all(|w| w[0] > w[1]),
            "{}: {weights:?}",
            comparison.name
        );
        assert!(weights[0] > 0.0 && *weights.last().unwrap() < 0.0);
        for probabilities in [
            comparison.levels.iter().map(|l| l.m).sum::<f64>(),
            comparison.levels.iter().map(|l| l.u).sum::<f64>(),
        ] {
            assert!((probabilities - 1.0).abs() < 1e-9, "{}", comparison.name);
        }
        assert_eq!(comparison.levels.last().unwrap().label, "else");
    }
    let (_, address) = model.comparison("address").unwrap();
    let neighbour = &address.levels[2];
    assert!(neighbour.fixed && neighbour.weight() < address.levels[3].weight());
}

#[test]
fn for_fields_keeps_what_the_dataset_can_feed() {
    let model = Model::for_fields(&[
        Field::FullName,
        Field::Email,
        Field::Postcode,
        Field::Other("shoe_size".into()),
    ]);
    let names: Vec<&str> = model.comparisons.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "first_name",
            "last_name",
            "email",
            "postcode_city",
            "other:shoe_size"
        ]
    );
    let a = person(&[("full_name", "Ann Lee"), ("other:shoe_size", "38")]);
    let b = person(&[("full_name", "Ann Lee"), ("other:shoe_size", "39")]);
    assert_eq!(
        model.compare(&a, &b),
        vec![Some(0), Some(0), None, None, Some(1)]
    );
}

/// A model saved before `comparison` gained its level 3: that level gone, "else" holding `m`.
/// Loads it and checks the level is back with the current labels, its m taken from "else".
fn loads_a_model_saved_without_level_3(comparison: &str, m: f64) {
    let current = Model::default_for_people();
    let mut json = serde_json::to_value(&current).unwrap();
    let saved = json["comparisons"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["name"] == comparison)
        .unwrap();
    let levels = saved["levels"].as_array_mut().unwrap();
    levels.remove(3);
    levels[3]["m"] = serde_json::json!(m);
    let model: Model = serde_json::from_value(json).expect("an old model still loads");
    let (_, loaded) = model.comparison(comparison).unwrap();
    let (_, wanted) = current.comparison(comparison).unwrap();
    let labels = |c: &crate::model::Comparison| -> Vec<String> {
        c.levels.iter().map(|l| l.label.clone()).collect()
    };
    assert_eq!(labels(loaded), labels(wanted));
    let total: f64 = loaded.levels.iter().map(|l| l.m).sum();
    assert!((total - 1.0).abs() < 1e-6, "m still sums to one: {total}");
    assert!((loaded.levels[3].m + loaded.levels[4].m - m).abs() < 1e-9);
}

#[test]
fn a_model_saved_before_the_email_slip_level_loads_with_it() {
    loads_a_model_saved_without_level_3("email", 0.15);
    let (_, email) = Model::default_for_people()
        .comparison("email")
        .map(|(i, c)| (i, c.clone()))
        .unwrap();
    assert_eq!(email.levels[3].label, "one_slip");
}

#[test]
fn a_model_saved_before_the_similar_line_level_loads_with_it() {
    loads_a_model_saved_without_level_3("address", 0.27);
    let (_, address) = Model::default_for_people()
        .comparison("address")
        .map(|(i, c)| (i, c.clone()))
        .unwrap();
    assert_eq!(address.levels[3].label, "similar_line");
}
