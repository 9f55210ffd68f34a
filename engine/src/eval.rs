//! Accuracy of a clustering against ground truth: pairwise precision / recall / F1 (the
//! figures deduplication targets are stated in), B-cubed, and cluster-level shares. All are
//! computed from cluster sizes and the sizes of (predicted, true) intersections, never by
//! enumerating pairs, so a million records take well under a second.
//!
//! Definitions (N records, P a predicted cluster, T a true cluster, P∩T an intersection):
//! - pairwise: a pair is predicted-positive when both records share a predicted cluster and
//!   truly positive when they share a true one. TP = Σ C(|P∩T|, 2), predicted = Σ C(|P|, 2),
//!   actual = Σ C(|T|, 2); precision = TP / predicted, recall = TP / actual.
//! - B-cubed (Bagga & Baldwin 1998): per record r, precision |P(r)∩T(r)| / |P(r)| and recall
//!   |P(r)∩T(r)| / |T(r)|, averaged over records. Unlike pairwise figures, big clusters do not
//!   dominate it.
//! - cluster precision: share of predicted clusters holding records of exactly one true
//!   entity ("pure"); cluster recall: share of true entities whose records all lie in one
//!   predicted cluster ("whole"); exact cluster share: share of true entities whose predicted
//!   cluster is exactly their true cluster.
//!
//! A ratio with nothing in its denominator is 1.0 (no predicted pairs: nothing predicted
//! wrongly; no true pairs: nothing missed); F1 is 0.0 when precision and recall are both 0.

use rustc_hash::FxHashMap as HashMap;

/// Pair counts behind the pairwise figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairCounts {
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
}

impl PairCounts {
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn f1(&self) -> f64 {
        f1(self.precision(), self.recall())
    }
}

/// How well a clustering matches the truth; see the module documentation for definitions.
#[derive(Debug, Clone, PartialEq)]
pub struct Accuracy {
    /// Records scored: those in the truth.
    pub records: usize,
    pub pairs: PairCounts,
    pub pairwise_precision: f64,
    pub pairwise_recall: f64,
    pub pairwise_f1: f64,
    pub bcubed_precision: f64,
    pub bcubed_recall: f64,
    pub bcubed_f1: f64,
    /// Share of predicted clusters that are pure (one true entity).
    pub cluster_precision: f64,
    /// Share of true entities kept whole (in one predicted cluster).
    pub cluster_recall: f64,
    pub predicted_clusters: usize,
    pub true_clusters: usize,
    /// Share of true entities whose predicted cluster equals their true cluster exactly.
    pub exact_cluster_share: f64,
    /// Records in the truth but absent from the prediction: scored as singletons.
    pub unpredicted_records: usize,
    /// Records in the prediction but absent from the truth: ignored.
    pub unknown_records: usize,
}

/// Scores `predicted` (record id, cluster id) against `truth` (record id, entity id).
///
/// Records the prediction leaves out count as singletons, and ids the truth does not know are
/// ignored (both are reported), so a deduplicator that drops unparseable rows is still
/// judged on every record. An id listed twice keeps its last entry.
pub fn evaluate(predicted: &[(String, u64)], truth: &[(String, u64)]) -> Accuracy {
    // Record -> (true entity, predicted cluster).
    let mut records: HashMap<&str, (u64, Option<u64>)> =
        HashMap::with_capacity_and_hasher(truth.len(), Default::default());
    for (id, entity) in truth {
        records.insert(id.as_str(), (*entity, None));
    }
    let mut unknown_records = 0;
    for (id, cluster) in predicted {
        match records.get_mut(id.as_str()) {
            Some(entry) => entry.1 = Some(*cluster),
            None => unknown_records += 1,
        }
    }

    let mut intersections: HashMap<(Cluster, u64), u64> = HashMap::default();
    let mut unpredicted_records = 0;
    for (entity, cluster) in records.values() {
        let cluster = match cluster {
            Some(cluster) => Cluster::Given(*cluster),
            None => {
                unpredicted_records += 1;
                Cluster::Alone(unpredicted_records)
            }
        };
        *intersections.entry((cluster, *entity)).or_default() += 1;
    }

    // Size and number of intersecting true entities, per predicted cluster and true entity.
    let mut predicted_sizes: HashMap<Cluster, (u64, u64)> = HashMap::default();
    let mut true_sizes: HashMap<u64, (u64, u64)> = HashMap::default();
    for (&(cluster, entity), &n) in &intersections {
        let p = predicted_sizes.entry(cluster).or_default();
        p.0 += n;
        p.1 += 1;
        let t = true_sizes.entry(entity).or_default();
        t.0 += n;
        t.1 += 1;
    }

    let mut true_positives = 0;
    let mut bcubed_precision_sum = 0.0;
    let mut bcubed_recall_sum = 0.0;
    let mut exact = 0usize;
    for (&(cluster, entity), &n) in &intersections {
        let (p_size, _) = predicted_sizes[&cluster];
        let (t_size, t_parts) = true_sizes[&entity];
        true_positives += pairs(n);
        let square = (n * n) as f64;
        bcubed_precision_sum += square / p_size as f64;
        bcubed_recall_sum += square / t_size as f64;
        if t_parts == 1 && n == p_size {
            exact += 1;
        }
    }
    let predicted_pairs: u64 = predicted_sizes.values().map(|(size, _)| pairs(*size)).sum();
    let true_pairs: u64 = true_sizes.values().map(|(size, _)| pairs(*size)).sum();
    let pair_counts = PairCounts {
        true_positives,
        false_positives: predicted_pairs - true_positives,
        false_negatives: true_pairs - true_positives,
    };

    let n = records.len();
    let pure = predicted_sizes
        .values()
        .filter(|(_, parts)| *parts == 1)
        .count();
    let whole = true_sizes.values().filter(|(_, parts)| *parts == 1).count();
    let bcubed_precision = if n == 0 {
        1.0
    } else {
        bcubed_precision_sum / n as f64
    };
    let bcubed_recall = if n == 0 {
        1.0
    } else {
        bcubed_recall_sum / n as f64
    };
    Accuracy {
        records: n,
        pairs: pair_counts,
        pairwise_precision: pair_counts.precision(),
        pairwise_recall: pair_counts.recall(),
        pairwise_f1: pair_counts.f1(),
        bcubed_precision,
        bcubed_recall,
        bcubed_f1: f1(bcubed_precision, bcubed_recall),
        cluster_precision: ratio(pure as u64, predicted_sizes.len() as u64),
        cluster_recall: ratio(whole as u64, true_sizes.len() as u64),
        predicted_clusters: predicted_sizes.len(),
        true_clusters: true_sizes.len(),
        exact_cluster_share: ratio(exact as u64, true_sizes.len() as u64),
        unpredicted_records,
        unknown_records,
    }
}

/// A predicted cluster, or a record the prediction left out (its own singleton).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Cluster {
    Given(u64),
    Alone(usize),
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 {
        1.0
    } else {
        numerator as f64 / denominator as f64
    }
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn assignment(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|(id, c)| ((*id).to_owned(), *c)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// Entities: {a, b, c}, {d, e}, {f}.
    fn truth() -> Vec<(String, u64)> {
        assignment(&[("a", 1), ("b", 1), ("c", 1), ("d", 2), ("e", 2), ("f", 3)])
    }

    fn assert_perfect(accuracy: &Accuracy) {
        for (name, value) in [
            ("pairwise precision", accuracy.pairwise_precision),
            ("pairwise recall", accuracy.pairwise_recall),
            ("pairwise f1", accuracy.pairwise_f1),
            ("b3 precision", accuracy.bcubed_precision),
            ("b3 recall", accuracy.bcubed_recall),
            ("b3 f1", accuracy.bcubed_f1),
            ("cluster precision", accuracy.cluster_precision),
            ("cluster recall", accuracy.cluster_recall),
            ("exact", accuracy.exact_cluster_share),
        ] {
            assert!(close(value, 1.0), "{name} = {value}");
        }
        assert_eq!(accuracy.pairs.false_positives, 0);
        assert_eq!(accuracy.pairs.false_negatives, 0);
        assert_eq!(accuracy.predicted_clusters, accuracy.true_clusters);
    }

    #[test]
    fn eval_perfect_clustering_scores_one_everywhere_whatever_the_cluster_ids() {
        let predicted = assignment(&[("f", 7), ("e", 9), ("d", 9), ("c", 4), ("b", 4), ("a", 4)]);
        let accuracy = evaluate(&predicted, &truth());
        assert_perfect(&accuracy);
        assert_eq!(accuracy.pairs.true_positives, 3 + 1);
        assert_eq!(accuracy.true_clusters, 3);
    }

    #[test]
    fn eval_everything_in_one_cluster_has_full_recall_and_hand_computed_precision() {
        let predicted = assignment(&[("a", 0), ("b", 0), ("c", 0), ("d", 0), ("e", 0), ("f", 0)]);
        let accuracy = evaluate(&predicted, &truth());
        // C(6,2) = 15 predicted pairs, of which 3 + 1 are true.
        assert_eq!(
            accuracy.pairs,
            PairCounts {
                true_positives: 4,
                false_positives: 11,
                false_negatives: 0
            }
        );
        assert!(close(accuracy.pairwise_precision, 4.0 / 15.0));
        assert!(close(accuracy.pairwise_recall, 1.0));
        let p = 4.0 / 15.0;
        assert!(close(accuracy.pairwise_f1, 2.0 * p / (p + 1.0)));
        // B-cubed precision: (3·3/6 + 2·2/6 + 1·1/6) / 6 = (14/6) / 6.
        assert!(close(accuracy.bcubed_precision, 14.0 / 36.0));
        assert!(close(accuracy.bcubed_recall, 1.0));
        assert!(close(accuracy.cluster_precision, 0.0));
        assert!(close(accuracy.cluster_recall, 1.0));
        assert!(close(accuracy.exact_cluster_share, 0.0));
        assert_eq!(accuracy.predicted_clusters, 1);
    }

    #[test]
    fn eval_all_singletons_have_zero_recall_when_duplicates_exist() {
        let predicted = assignment(&[("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5), ("f", 6)]);
        let accuracy = evaluate(&predicted, &truth());
        assert_eq!(
            accuracy.pairs,
            PairCounts {
                true_positives: 0,
                false_positives: 0,
                false_negatives: 4
            }
        );
        assert!(close(accuracy.pairwise_recall, 0.0));
        assert!(close(accuracy.pairwise_precision, 1.0));
        assert!(close(accuracy.pairwise_f1, 0.0));
        assert!(close(accuracy.bcubed_precision, 1.0));
        // B-cubed recall: (3·(1/3) + 2·(1/2) + 1) / 6 = 3/6.
        assert!(close(accuracy.bcubed_recall, 0.5));
        assert!(close(accuracy.cluster_precision, 1.0));
        // Only {f} is whole, and exactly predicted.
        assert!(close(accuracy.cluster_recall, 1.0 / 3.0));
        assert!(close(accuracy.exact_cluster_share, 1.0 / 3.0));
        assert_eq!(accuracy.predicted_clusters, 6);
    }

    #[test]
    fn eval_one_wrong_merge_and_one_split_are_counted_by_hand() {
        // {a, b} | {c, f} | {d, e}: c split from its entity and merged with f.
        let predicted = assignment(&[("a", 1), ("b", 1), ("c", 2), ("f", 2), ("d", 3), ("e", 3)]);
        let accuracy = evaluate(&predicted, &truth());
        // Predicted pairs: ab, cf, de (3); true: ab, ac, bc, de (4); TP: ab, de.
        assert_eq!(
            accuracy.pairs,
            PairCounts {
                true_positives: 2,
                false_positives: 1,
                false_negatives: 2
            }
        );
        assert!(close(accuracy.pairwise_precision, 2.0 / 3.0));
        assert!(close(accuracy.pairwise_recall, 0.5));
        assert!(close(accuracy.cluster_precision, 2.0 / 3.0));
        // {d, e} and {f} are whole; only {d, e} is predicted exactly ({f} shares with c).
        assert!(close(accuracy.cluster_recall, 2.0 / 3.0));
        assert!(close(accuracy.exact_cluster_share, 1.0 / 3.0));
    }

    #[test]
    fn eval_records_missing_from_the_prediction_are_singletons_and_strangers_ignored() {
        let predicted = assignment(&[("a", 1), ("b", 1), ("d", 2), ("e", 2), ("zz", 2)]);
        let accuracy = evaluate(&predicted, &truth());
        assert_eq!(accuracy.unpredicted_records, 2);
        assert_eq!(accuracy.unknown_records, 1);
        assert_eq!(accuracy.records, 6);
        assert_eq!(accuracy.predicted_clusters, 4);
        assert_eq!(accuracy.pairs.true_positives, 2);
        assert_eq!(accuracy.pairs.false_negatives, 2);
    }

    #[test]
    fn eval_of_nothing_is_vacuously_perfect() {
        let accuracy = evaluate(&[], &[]);
        assert_perfect(&accuracy);
        assert_eq!(accuracy.records, 0);
    }

    #[test]
    fn eval_a_million_records_is_fast() {
        let truth: Vec<(String, u64)> = (0..1_000_000u64)
            .map(|i| (format!("r{i}"), i / 3))
            .collect();
        let predicted: Vec<(String, u64)> = (0..1_000_000u64)
            .map(|i| (format!("r{i}"), i / 4))
            .collect();
        let started = std::time::Instant::now();
        let accuracy = evaluate(&predicted, &truth);
        let elapsed = started.elapsed();
        assert!(accuracy.pairwise_precision > 0.0 && accuracy.pairwise_precision < 1.0);
        // Generous for an unoptimized test build on a busy shared machine.
        assert!(elapsed.as_secs_f64() < 10.0, "{elapsed:?}");
    }

    type Assignment = Vec<(String, u64)>;

    /// A truth and a prediction over the same records r0, r1, ...
    fn assignments() -> impl Strategy<Value = (Assignment, Assignment)> {
        (1usize..40).prop_flat_map(|n| {
            (
                proptest::collection::vec(0u64..8, n),
                proptest::collection::vec(0u64..8, n),
            )
                .prop_map(|(truth, predicted)| {
                    let label = |v: Vec<u64>| {
                        v.into_iter()
                            .enumerate()
                            .map(|(i, c)| (format!("r{i}"), c))
                            .collect::<Vec<_>>()
                    };
                    (label(truth), label(predicted))
                })
        })
    }

    proptest! {
        #[test]
        fn eval_figures_are_shares(( truth, predicted) in assignments()) {
            let accuracy = evaluate(&predicted, &truth);
            for value in [
                accuracy.pairwise_precision,
                accuracy.pairwise_recall,
                accuracy.pairwise_f1,
                accuracy.bcubed_precision,
                accuracy.bcubed_recall,
                accuracy.bcubed_f1,
                accuracy.cluster_precision,
                accuracy.cluster_recall,
                accuracy.exact_cluster_share,
            ] {
                prop_assert!((0.0..=1.0).contains(&value), "{value} in {accuracy:?}");
            }
        }

        #[test]
        fn eval_truth_against_itself_is_perfect((truth, _) in assignments()) {
            assert_perfect(&evaluate(&truth, &truth));
        }

        #[test]
        fn eval_precision_and_recall_swap_with_the_roles((truth, predicted) in assignments()) {
            let forward = evaluate(&predicted, &truth);
            let backward = evaluate(&truth, &predicted);
            prop_assert!(close(forward.pairwise_precision, backward.pairwise_recall));
            prop_assert!(close(forward.bcubed_precision, backward.bcubed_recall));
            prop_assert!(close(forward.cluster_precision, backward.cluster_recall));
            prop_assert_eq!(forward.pairs.true_positives, backward.pairs.true_positives);
        }
    }
}
