//! How a pair is weighed and explained: log2(m/u), nulls, term frequencies, the prior; and
//! the model as saved data.

use super::{contribution, person};
use crate::model::random_pairs::PRIOR_PAIRS;
use crate::model::{
    Comparison, ComparisonKind, EmOptions, Model, ModelError, TermFrequencies,
    probability_from_weight,
};
use crate::record::{Field, Record};

#[test]
fn common_surname_weighs_less_than_rare_surname_with_tf() {
    let model = Model::default_for_people();
    // Half the population are Smiths, the rest spread over fifty other names.
    let mut records: Vec<Record> = (0..1_000)
        .map(|i| {
            let family = if i % 2 == 0 {
                "Smith".to_owned()
            } else {
                format!("Name{}", i % 50)
            };
            person(&[("first_name", "Jo"), ("last_name", &family)])
        })
        .collect();
    let rare_a = person(&[("first_name", "Piotr"), ("last_name", "Zbigniewski")]);
    let rare_b = person(&[("first_name", "Pawel"), ("last_name", "Zbigniewski")]);
    records.extend([rare_a.clone(), rare_b.clone()]);
    let tf = TermFrequencies::from_records(&records);
    let common_a = person(&[("first_name", "Piotr"), ("last_name", "Smith")]);
    let common_b = person(&[("first_name", "Pawel"), ("last_name", "Smith")]);

    let common = model.score(&common_a, &common_b, Some(&tf));
    let rare = model.score(&rare_a, &rare_b, Some(&tf));
    let (common_last, rare_last) = (
        contribution(&common, "last_name"),
        contribution(&rare, "last_name"),
    );
    assert_eq!(common_last.level, "exact");
    assert_eq!(rare_last.level, "exact");
    assert!(common_last.tf_adjustment < 0.0);
    assert!(rare_last.tf_adjustment > 0.0);
    assert!(common_last.weight + 2.0 < rare_last.weight);
    assert!(common.match_weight < rare.match_weight);

    // Without frequencies both are the plain exact-level weight.
    let plain_common = model.score(&common_a, &common_b, None);
    let plain_rare = model.score(&rare_a, &rare_b, None);
    assert_eq!(
        contribution(&plain_common, "last_name").weight,
        contribution(&plain_rare, "last_name").weight
    );
}

#[test]
fn term_frequency_adjustment_is_bounded_both_ways() {
    let model = Model::default_for_people();
    let (_, last_name) = model.comparison("last_name").unwrap();
    let exact = &last_name.levels[0];
    let close = &last_name.levels[1];

    // Everyone is a Smith: the exact level still weighs no less than a close spelling.
    let smiths: Vec<Record> = (0..100)
        .map(|_| person(&[("first_name", "Jo"), ("last_name", "Smith")]))
        .collect();
    let tf = TermFrequencies::from_records(&smiths);
    let pair = model.score(&smiths[0], &smiths[1], Some(&tf));
    let weight = contribution(&pair, "last_name").weight;
    assert!((weight - close.weight()).abs() < 1e-9, "{weight}");

    // A value the table never saw, in a huge dataset, adds at most log2(u / 1e-4) bits.
    let mut tf = TermFrequencies::default();
    for _ in 0..1_000_000 / 100 {
        tf.add(&smiths[0]);
    }
    let stranger = person(&[("first_name", "Jo"), ("last_name", "Quetzalcoatl")]);
    let pair = model.score(&stranger, &stranger.clone(), Some(&tf));
    let last = contribution(&pair, "last_name");
    let cap = (exact.u / crate::model::TF_MIN_FREQUENCY).log2();
    assert!(last.tf_adjustment > 0.0);
    assert!((last.tf_adjustment - cap).abs() < 1e-9, "{last:?}");
}

#[test]
fn missing_values_contribute_nothing() {
    let model = Model::default_for_people();
    let with_email = person(&[
        ("first_name", "John"),
        ("last_name", "Smith"),
        ("email", "john@example.com"),
    ]);
    let without = person(&[("first_name", "John"), ("last_name", "Smith")]);

    let prediction = model.score(&with_email, &without, None);
    let email = contribution(&prediction, "email");
    assert_eq!(email.level, "null");
    assert_eq!(email.level_index, None);
    assert_eq!(email.weight, 0.0);
    let (index, _) = model.comparison("email").unwrap();
    assert_eq!(model.compare(&with_email, &without)[index], None);

    // Dropping the lone email changes nothing; every empty comparison is null too.
    let both_without = model.score(&without, &without.clone(), None);
    let one_without = model.score(&with_email, &without, None);
    let exact_names = model.score(&with_email, &with_email.clone(), None);
    assert!((one_without.match_weight - both_without.match_weight).abs() < 1e-12);
    assert!(exact_names.match_weight > one_without.match_weight);
    let nulls = both_without
        .explanation
        .iter()
        .filter(|c| c.level == "null")
        .count();
    assert_eq!(nulls, model.comparisons.len() - 2);
    assert!(
        both_without
            .explanation
            .iter()
            .filter(|c| c.level == "null")
            .all(|c| c.weight == 0.0 && c.m.is_none() && c.u.is_none())
    );
}

#[test]
fn weights_are_log2_m_over_u() {
    let model = Model::default_for_people();
    for comparison in &model.comparisons {
        for level in &comparison.levels {
            assert!((level.weight() - (level.m / level.u).log2()).abs() < 1e-12);
        }
    }
    let a = person(&[
        ("first_name", "Jon"),
        ("last_name", "Smith"),
        ("email", "jon@example.com"),
        ("date_of_birth", "1980-07-04"),
    ]);
    let b = person(&[
        ("first_name", "John"),
        ("last_name", "Smyth"),
        ("email", "jon@example.org"),
        ("date_of_birth", "1980-04-07"),
    ]);
    let prediction = model.score(&a, &b, None);
    let mut expected = (model.prior / (1.0 - model.prior)).log2();
    for c in &prediction.explanation {
        if let (Some(m), Some(u)) = (c.m, c.u) {
            assert!((c.weight - (m / u).log2()).abs() < 1e-12, "{c:?}");
            expected += (m / u).log2();
        }
    }
    assert!((prediction.match_weight - expected).abs() < 1e-9);
    let gamma = model.compare(&a, &b);
    assert!((model.weigh(&gamma) - expected).abs() < 1e-9);
    assert!((model.match_weight(&a, &b) - expected).abs() < 1e-9);
}

#[test]
fn explanation_sums_to_match_weight() {
    let model = Model::for_fields(&[
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Phone,
        Field::Address1,
        Field::City,
        Field::Postcode,
        Field::DateOfBirth,
        Field::Other("loyalty_tier".into()),
    ]);
    let a = person(&[
        ("first_name", "Bob"),
        ("last_name", "Smith"),
        ("email", "bob.smith@gmail.com"),
        ("phone", "(916) 555-1234"),
        ("address_1", "12 Main St"),
        ("city", "Austin"),
        ("postcode", "78701"),
        ("other:loyalty_tier", "Gold"),
    ]);
    let b = person(&[
        ("first_name", "Robert"),
        ("last_name", "Smith"),
        ("email", "bobsmith@gmail.com"),
        ("phone", "212 555 1234"),
        ("city", "Austin"),
        ("postcode", "78702"),
        ("other:loyalty_tier", "gold"),
    ]);
    let tf = TermFrequencies::from_records(&[a.clone(), b.clone(), a.clone()]);
    let prediction = model.score(&a, &b, Some(&tf));
    let sum: f64 =
        prediction.prior_weight + prediction.explanation.iter().map(|c| c.weight).sum::<f64>();
    assert_eq!(prediction.explanation.len(), model.comparisons.len());
    assert!((prediction.match_weight - sum).abs() < 1e-9);
    let p = 2f64.powf(prediction.match_weight) / (1.0 + 2f64.powf(prediction.match_weight));
    assert!((prediction.probability - p).abs() < 1e-12);
    assert_eq!(
        contribution(&prediction, "email").level,
        "provider_canonical"
    );
    assert_eq!(
        contribution(&prediction, "phone").level,
        "variant_or_last_7_digits"
    );
    assert_eq!(
        contribution(&prediction, "postcode_city").level,
        "same_city"
    );
    assert_eq!(
        contribution(&prediction, "other:loyalty_tier").level,
        "exact"
    );
    assert_eq!(contribution(&prediction, "address").level, "null");
}

#[test]
fn model_round_trips_through_json_and_broken_models_are_refused() {
    let mut model = Model::for_fields(&[Field::FirstName, Field::Other("tier".into())]);
    model.train_em(
        &[vec![Some(0), Some(0)], vec![Some(6), Some(1)]],
        EmOptions::default(),
    );
    let json = serde_json::to_string_pretty(&model).unwrap();
    let back: Model = serde_json::from_str(&json).unwrap();
    assert_eq!(back, model);

    let mut broken = serde_json::to_value(&model).unwrap();
    broken["comparisons"][0]["levels"]
        .as_array_mut()
        .unwrap()
        .pop();
    let error = serde_json::from_value::<Model>(broken).unwrap_err();
    assert!(error.to_string().contains("levels"), "{error}");

    let mut model = Model::default_for_people();
    model.prior = 1.0;
    assert_eq!(model.validate(), Err(ModelError::Prior(1.0)));
    let bad = Comparison::new(
        "x",
        ComparisonKind::Email,
        &[(0.5, 2.0), (0.5, 0.5), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0)],
    );
    assert!(matches!(
        bad.validate(),
        Err(ModelError::Probability { .. })
    ));
}

#[test]
fn u_from_random_pairs_is_the_share_of_each_level() {
    let mut model = Model::for_fields(&[Field::FirstName]);
    let names = ["ann", "bob", "cy", "di"];
    let records: Vec<Record> = names.iter().map(|n| person(&[("first_name", n)])).collect();
    let prior: Vec<f64> = model
        .comparison("first_name")
        .unwrap()
        .1
        .levels
        .iter()
        .map(|l| l.u)
        .collect();
    model.estimate_u_from_random_pairs(&records, 20_000, 7);
    let (_, first) = model.comparison("first_name").unwrap();
    // Four records hold six distinct pairs, however many draws repeat them: all four names
    // differ wholly, which says little against the prior, which u keeps nearly as it was.
    let own = 6.0 / (6.0 + PRIOR_PAIRS);
    assert!(
        (first.levels[0].u - (1.0 - own) * prior[0]).abs() < 1e-5,
        "{}",
        first.levels[0].u
    );
    assert!(first.levels[6].u > prior[6] && first.levels[6].u < prior[6] + 2.0 * own);
    let total: f64 = first.levels.iter().map(|l| l.u).sum();
    assert!((total - 1.0).abs() < 1e-9);

    // Two hundred records (19,900 pairs): the table's own shares weigh two thirds.
    let mut model = Model::for_fields(&[Field::FirstName]);
    let records: Vec<Record> = (0..200)
        .map(|i| person(&[("first_name", if i % 2 == 0 { "ann" } else { "zebulon" })]))
        .collect();
    model.estimate_u_from_random_pairs(&records, 100_000, 7);
    let (_, first) = model.comparison("first_name").unwrap();
    let own = 19_900.0 / (19_900.0 + PRIOR_PAIRS);
    // Half the pairs agree exactly (a bit less: 99 of 199 partners share a name).
    let expected = own * 99.0 / 199.0 + (1.0 - own) * prior[0];
    assert!(
        (first.levels[0].u - expected).abs() < 0.01,
        "{} vs {expected}",
        first.levels[0].u
    );

    let mut model = Model::for_fields(&[Field::FirstName]);
    let gammas: Vec<_> = (0..100)
        .map(|i| vec![Some(if i < 10 { 0 } else { 6 })])
        .collect();
    model.estimate_u(&gammas);
    let (_, first) = model.comparison("first_name").unwrap();
    assert!((first.levels[0].u - 10.0 / 102.5).abs() < 1e-9);
    assert!(first.levels[1].u > 0.0);
}

#[test]
fn probability_follows_the_weight_without_overflow() {
    assert_eq!(probability_from_weight(0.0), 0.5);
    assert!((probability_from_weight(3.0) - 8.0 / 9.0).abs() < 1e-12);
    assert_eq!(probability_from_weight(5000.0), 1.0);
    assert_eq!(probability_from_weight(-5000.0), 0.0);
}
