//! EM on a synthetic mixture: comparison vectors drawn from known m, u and λ must give them
//! back, starting from the defaults.

use crate::model::random_pairs::SplitMix64;
use crate::model::{EmOptions, Gamma, Model, PriorUpdate};

/// Truth: the default m bent level by level (so EM has somewhere to go), fixed levels kept;
/// the default u.
fn true_m(model: &Model) -> Vec<Vec<f64>> {
    model
        .comparisons
        .iter()
        .enumerate()
        .map(|(k, comparison)| {
            let bent: Vec<f64> = comparison
                .levels
                .iter()
                .enumerate()
                .map(|(l, level)| level.m * (1.0 + 0.7 * ((k + 2 * l) as f64).sin()))
                .collect();
            let fixed: f64 = comparison
                .levels
                .iter()
                .filter(|l| l.fixed)
                .map(|l| l.m)
                .sum();
            let free: f64 = comparison
                .levels
                .iter()
                .zip(&bent)
                .filter(|(level, _)| !level.fixed)
                .map(|(_, m)| m)
                .sum();
            comparison
                .levels
                .iter()
                .zip(&bent)
                .map(|(level, m)| {
                    if level.fixed {
                        level.m
                    } else {
                        m * (1.0 - fixed) / free
                    }
                })
                .collect()
        })
        .collect()
}

fn true_u(model: &Model) -> Vec<Vec<f64>> {
    model
        .comparisons
        .iter()
        .map(|c| c.levels.iter().map(|l| l.u).collect())
        .collect()
}

fn draw(rng: &mut SplitMix64, probabilities: &[f64]) -> u8 {
    let mut x = rng.unit();
    for (level, p) in probabilities.iter().enumerate() {
        if x < *p {
            return level as u8;
        }
        x -= p;
    }
    (probabilities.len() - 1) as u8
}

/// Pairs that match with probability `lambda`; each value missing with probability 0.15.
fn mixture(
    rng: &mut SplitMix64,
    n: usize,
    lambda: f64,
    m: &[Vec<f64>],
    u: &[Vec<f64>],
) -> Vec<Gamma> {
    (0..n)
        .map(|_| {
            let table = if rng.unit() < lambda { m } else { u };
            table
                .iter()
                .map(|levels| (rng.unit() >= 0.15).then(|| draw(rng, levels)))
                .collect()
        })
        .collect()
}

#[test]
fn em_recovers_m_and_lambda_of_a_synthetic_mixture_from_the_defaults() {
    let mut model = Model::default_for_people();
    let (m, u) = (true_m(&model), true_u(&model));
    let mut rng = SplitMix64(20240601);

    // u from random pairs (all non-matches), then EM on candidate pairs.
    let random_pairs = mixture(&mut rng, 200_000, 0.0, &m, &u);
    model.estimate_u(&random_pairs);
    for (comparison, truth) in model.comparisons.iter().zip(&u) {
        for (level, u) in comparison.levels.iter().zip(truth) {
            if *u > 0.01 {
                assert!(
                    (level.u - u).abs() < 0.1 * u,
                    "{} {}: {} vs {u}",
                    comparison.name,
                    level.label,
                    level.u
                );
            }
        }
    }

    let starting_gap = model
        .comparisons
        .iter()
        .zip(&m)
        .flat_map(|(c, truth)| {
            c.levels
                .iter()
                .zip(truth)
                .map(|(level, m)| (level.m - m).abs())
        })
        .fold(0.0, f64::max);
    assert!(
        starting_gap > 0.1,
        "the defaults already are the truth: {starting_gap}"
    );

    let pairs = mixture(&mut rng, 40_000, 0.25, &m, &u);
    let report = model.train_em(
        &pairs,
        EmOptions {
            max_iterations: 200,
            prior: PriorUpdate::FromMixture,
            ..EmOptions::default()
        },
    );

    assert!(report.converged, "{report:?}");
    assert!((report.lambda - 0.25).abs() < 0.01, "λ = {}", report.lambda);
    assert_eq!(model.prior, report.lambda);
    assert_eq!(report.pairs, 40_000);
    for (comparison, truth) in model.comparisons.iter().zip(&m) {
        for (level, m) in comparison.levels.iter().zip(truth) {
            assert!(
                (level.m - m).abs() < 0.02,
                "{} {}: {} vs {m}",
                comparison.name,
                level.label,
                level.m
            );
        }
        let total: f64 = comparison.levels.iter().map(|l| l.m).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }
    let ll = &report.log_likelihood;
    assert_eq!(ll.len() as u32, report.iterations);
    assert!(
        ll.windows(2).all(|w| w[1] >= w[0] - 1e-6 * w[0].abs()),
        "{ll:?}"
    );
    assert!(ll.last().unwrap() > ll.first().unwrap());
}

#[test]
fn em_holds_blocked_comparisons_fixed_levels_and_scales_the_prior_of_candidates() {
    let mut model = Model::default_for_people();
    let (m, u) = (true_m(&model), true_u(&model));
    let before = model.clone();
    let mut rng = SplitMix64(7);
    let pairs = mixture(&mut rng, 5_000, 0.4, &m, &u);
    let report = model.train_em(
        &pairs,
        EmOptions {
            hold: vec!["postcode_city".into()],
            prior: PriorUpdate::FromCandidates {
                candidate_share: 1e-3,
            },
            ..EmOptions::default()
        },
    );
    assert!(report.iterations >= 2);
    let (index, postcode) = model.comparison("postcode_city").unwrap();
    assert_eq!(postcode, &before.comparisons[index]);
    let (index, address) = model.comparison("address").unwrap();
    assert_eq!(address.levels[2].m, before.comparisons[index].levels[2].m);
    assert_ne!(address.levels[0].m, before.comparisons[index].levels[0].m);
    assert!((model.prior - report.lambda * 1e-3).abs() < 1e-12);
    assert!(
        model
            .comparisons
            .iter()
            .zip(&before.comparisons)
            .all(|(a, b)| a.levels.iter().zip(&b.levels).all(|(x, y)| x.u == y.u))
    );

    // Nothing to learn from: nothing changes.
    let mut untouched = before.clone();
    let report = untouched.train_em(&[], EmOptions::default());
    assert_eq!(report.iterations, 0);
    assert_eq!(untouched, before);
}

#[test]
fn a_level_no_duplicate_of_a_small_table_reaches_keeps_a_little_of_its_prior() {
    use crate::model::em::PRIOR_MATCHES;
    use crate::record::Field;
    // A hundred duplicates, every one spelled alike (level 0, exact), and four thousand
    // unrelated pairs, all "else" (the last level): no match ever reaches "close spelling".
    let mut model = Model::for_fields(&[Field::FirstName]);
    let last = model.comparisons[0].levels.len() as u8 - 1;
    let close = 2usize;
    let prior_m = model.comparisons[0].levels[close].m;
    let mut gammas: Vec<Gamma> = (0..100).map(|_| vec![Some(0)]).collect();
    gammas.extend((0..4_000).map(|_| vec![Some(last)]));
    model.train_em(
        &gammas,
        EmOptions {
            prior: PriorUpdate::FromMixture,
            ..EmOptions::default()
        },
    );
    let m = model.comparisons[0].levels[close].m;
    // About PRIOR_MATCHES / (100 + PRIOR_MATCHES) of its prior share: small, never zero.
    assert!(
        m > 0.3 * prior_m * PRIOR_MATCHES / (100.0 + PRIOR_MATCHES),
        "{m}"
    );
    assert!(m < prior_m, "{m}");
    // The level the duplicates do reach stays the matches' own.
    assert!(model.comparisons[0].levels[0].m > 0.85);
}
