//! Batch deduplication, as separate stages in the Splink way: block, (train), score, cluster.
//! Progress is reported per stage so the CLI and the console can show a bar.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::{BlockingRule, candidate_pairs};
use crate::cluster::{ClusterOptions, ScoredPair, cluster};
use crate::model::{Contribution, EmOptions, EmReport, Gamma, Model, PriorUpdate, TermFrequencies};
use crate::record::Record;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupeOptions {
    pub rules: Vec<BlockingRule>,
    /// Blocks with more records than this are skipped and reported.
    pub max_block: usize,
    pub cluster: ClusterOptions,
    /// Estimate u from random pairs and m by expectation-maximisation on the candidate pairs
    /// before scoring; otherwise the model is used as given.
    pub train: bool,
    /// At most this many candidate pairs feed EM, and this many random pairs estimate u.
    pub training_sample: usize,
    pub seed: u64,
    /// Comparison levels that say "a different person" outright, whatever else agrees:
    /// (comparison name, level label). Such a pair cannot be linked, directly or through
    /// others, unless a provider's external id says otherwise.
    pub distinct_person: Vec<(String, String)>,
}

impl Default for DedupeOptions {
    fn default() -> Self {
        DedupeOptions {
            rules: BlockingRule::DEFAULT.to_vec(),
            max_block: 500,
            cluster: ClusterOptions::default(),
            train: true,
            training_sample: 300_000,
            seed: 1,
            // A household shares surname, address, landline and often an email: summed as
            // independent evidence they outweigh everything. Entirely different given names or
            // dates of birth are what tell its members apart (typos, nicknames, initials and
            // transposed dates are levels of their own and do not count here).
            distinct_person: vec![
                ("first_name".into(), "else".into()),
                ("date_of_birth".into(), "else".into()),
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Blocking,
    Training,
    Scoring,
    Clustering,
}

impl Stage {
    pub fn label(&self) -> &'static str {
        match self {
            Stage::Blocking => "blocking",
            Stage::Training => "training",
            Stage::Scoring => "scoring",
            Stage::Clustering => "clustering",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DedupeReport {
    pub records: usize,
    pub candidate_pairs: usize,
    pub links: usize,
    pub clusters: usize,
    pub skipped_blocks: Vec<(BlockingRule, usize)>,
    pub em: Option<EmReport>,
}

#[derive(Debug, Clone)]
pub struct DedupeOutput {
    /// Cluster id per record (the index of its first record).
    pub cluster_of: Vec<u32>,
    /// Every scored candidate pair.
    pub pairs: Vec<ScoredPair>,
    pub report: DedupeReport,
}

/// Runs the whole pipeline. `progress(stage, done, total)` is called from worker threads.
pub fn dedupe(
    records: &[Record],
    model: &mut Model,
    options: &DedupeOptions,
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
) -> DedupeOutput {
    let n = records.len();
    progress(Stage::Blocking, 0, options.rules.len() as u64);
    let blocks = candidate_pairs(records, &options.rules, options.max_block);
    progress(
        Stage::Blocking,
        options.rules.len() as u64,
        options.rules.len() as u64,
    );

    let em = if options.train && n > 1 && !blocks.pairs.is_empty() {
        Some(train(records, &blocks.pairs, model, options, progress))
    } else {
        None
    };

    let total = blocks.pairs.len() as u64;
    let done = AtomicU64::new(0);
    let model: &Model = model;
    // Term frequencies: "smith" agreeing says less than "zbigniew" agreeing.
    let tf = TermFrequencies::from_records(records);
    let pairs: Vec<ScoredPair> = blocks
        .pairs
        .par_chunks(16 * 1024)
        .flat_map_iter(|chunk| {
            let scored: Vec<ScoredPair> = chunk
                .iter()
                .map(|&(left, right)| {
                    let prediction =
                        model.score(&records[left as usize], &records[right as usize], Some(&tf));
                    let probability =
                        if is_distinct_person(&prediction.explanation, &options.distinct_person) {
                            0.0
                        } else {
                            prediction.probability
                        };
                    ScoredPair {
                        left,
                        right,
                        probability: probability as f32,
                    }
                })
                .collect();
            let so_far = done.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64;
            progress(Stage::Scoring, so_far, total);
            scored
        })
        .collect();

    progress(Stage::Clustering, 0, 1);
    let cluster_of = cluster(n, &pairs, options.cluster);
    progress(Stage::Clustering, 1, 1);
    let links = pairs
        .iter()
        .filter(|p| p.probability as f64 >= options.cluster.threshold)
        .count();
    let clusters = cluster_of
        .iter()
        .enumerate()
        .filter(|(i, c)| **c as usize == *i)
        .count();
    DedupeOutput {
        report: DedupeReport {
            records: n,
            candidate_pairs: pairs.len(),
            links,
            clusters,
            skipped_blocks: blocks.skipped,
            em,
        },
        cluster_of,
        pairs,
    }
}

/// Whether training produced a model worth using: for every comparison, agreeing at its
/// strongest level must be likelier among matches than among random pairs. EM on data with very
/// few duplicates can converge on another split (households, say); then only u is kept.
pub fn is_plausible(model: &Model) -> bool {
    model.validate().is_ok()
        && model
            .comparisons
            .iter()
            .all(|c| c.levels.first().is_none_or(|l| l.m > l.u))
}

/// Whether a level in `rules` was reached, with no external id to vouch for the pair.
pub fn is_distinct_person(explanation: &[Contribution], rules: &[(String, String)]) -> bool {
    let vouched = explanation
        .iter()
        .any(|c| c.name == "external_id" && c.level == "exact");
    !vouched
        && explanation.iter().any(|c| {
            rules
                .iter()
                .any(|(name, level)| &c.name == name && &c.level == level)
        })
}

/// u from random pairs (almost all non-matches), then m and λ by EM on a sample of candidate pairs.
/// Trains `model` on these records: u from random pairs, then m and λ by EM on the candidate
/// pairs of `candidates` (from `candidate_pairs`).
pub fn train(
    records: &[Record],
    candidates: &[(u32, u32)],
    model: &mut Model,
    options: &DedupeOptions,
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
) -> EmReport {
    let n = records.len() as u64;
    progress(Stage::Training, 0, 2);
    model.estimate_u_from_random_pairs(records, options.training_sample as u64, options.seed);
    progress(Stage::Training, 1, 2);
    let step = (candidates.len() / options.training_sample.max(1)).max(1);
    let sample: Vec<Gamma> = candidates
        .par_iter()
        .step_by(step)
        .map(|&(l, r)| model.compare(&records[l as usize], &records[r as usize]))
        .collect();
    // EM sees candidate pairs, where matches are far denser than among all pairs: λ is the
    // candidates' match share scaled by how few of all pairs the candidates are.
    let all_pairs = (n * n.saturating_sub(1) / 2).max(1) as f64;
    let options = EmOptions {
        prior: PriorUpdate::FromCandidates {
            candidate_share: candidates.len() as f64 / all_pairs,
        },
        ..EmOptions::default()
    };
    let report = model.train_em(&sample, options);
    progress(Stage::Training, 2, 2);
    report
}
