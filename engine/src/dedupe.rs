//! Batch deduplication, as separate stages in the Splink way: block, (train), score, cluster.
//! Progress is reported per stage so the CLI and the console can show a bar.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::{BlockingRule, RuleSample, candidate_pairs_sampled, rules_joining};
use crate::cluster::{ClusterOptions, ScoredPair, cluster};
use crate::model::{
    Contribution, EmOptions, EmReport, Gamma, Model, Prediction, PriorUpdate, TermFrequencies,
};
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
    /// A distinct-person level holds outright only while the trained model says true matches
    /// reach it at most this often (its m). Where the table's duplicates often disagree on the
    /// field (typed by hand, scanned, garbled), it yields to an alibi (see [`DistinctPerson`]).
    /// Without training the levels hold as given.
    pub distinct_person_max_m: f64,
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
            // A veto that would throw away more than one in 25 of the table's duplicates is
            // the table's garbling, not households: customer tables train 0.02% (a birth date)
            // to 3% (a first name), garbled registers 4 to 7% (FEBRL 1 and 2 both).
            distinct_person_max_m: 0.04,
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
    /// The distinct-person levels as this run applied them.
    pub distinct_person: DistinctPerson,
}

#[derive(Debug, Clone)]
pub struct DedupeOutput {
    /// Cluster id per record (the index of its first record).
    pub cluster_of: Vec<u32>,
    /// Every scored candidate pair.
    pub pairs: Vec<ScoredPair>,
    pub report: DedupeReport,
    /// The table's term frequencies the pairs were scored with, for explaining them afterwards.
    pub tf: TermFrequencies,
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
    // The session rules' own pairs are sampled while blocking, for training.
    let mut blocks = candidate_pairs_sampled(
        records,
        &options.rules,
        options.max_block,
        SESSION_RULES,
        if options.train {
            options.training_sample
        } else {
            0
        },
    );
    progress(
        Stage::Blocking,
        options.rules.len() as u64,
        options.rules.len() as u64,
    );

    let em = if options.train && n > 1 && !blocks.pairs.is_empty() {
        let sessions = std::mem::take(&mut blocks.samples);
        Some(train(
            records,
            &blocks.pairs,
            &sessions,
            model,
            options,
            progress,
        ))
    } else {
        None
    };

    let distinct = if em.is_some() {
        DistinctPerson::learned(
            model,
            &options.distinct_person,
            options.distinct_person_max_m,
        )
    } else {
        DistinctPerson::given(&options.distinct_person)
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
                    let probability = distinct.probability(&prediction);
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
            distinct_person: distinct,
        },
        cluster_of,
        pairs,
        tf,
    }
}

/// Why two records of a deduplicated table were or were not linked: what `dedupe` saw of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairExplanation {
    /// The blocking rules under which they were compared; none: they never were.
    pub rules: Vec<BlockingRule>,
    /// The model's weighing, comparison by comparison.
    pub prediction: Prediction,
    /// The "distinct person" level that forbade the link, if one did.
    pub distinct_by: Option<(String, String)>,
    /// The probability clustering used: 0 when a distinct-person level forbade the link, at
    /// most [`WAIVED_CEILING`] when a waived one spoke against it.
    pub probability: f64,
}

/// Explains the pair (`left`, `right`) of `records` as `dedupe` scored it with `model` (the model
/// it trained), `tf` (the table's term frequencies) and `distinct` (its distinct-person levels,
/// from the report).
pub fn explain_pair(
    records: &[Record],
    (left, right): (usize, usize),
    model: &Model,
    tf: &TermFrequencies,
    rules: &[BlockingRule],
    distinct: &DistinctPerson,
) -> PairExplanation {
    let (a, b) = (&records[left], &records[right]);
    let prediction = model.score(a, b, Some(tf));
    let distinct_by = distinct.forbids(&prediction.explanation);
    PairExplanation {
        rules: rules_joining(a, b, rules),
        probability: distinct.probability(&prediction),
        distinct_by,
        prediction,
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

/// The "distinct person" levels as a run applies them. A level true matches rarely reach in this
/// table (m at most `DedupeOptions::distinct_person_max_m`) forbids a link outright. A level
/// the table's duplicates often reach (names garbled by hand or by a scanner) is waived where
/// the pair's other distinct-person comparison agrees by at least [`ALIBI_BITS`]: a first name
/// that disagrees beside the same birth date is a slip, beside another birth date (or none) it
/// is still a household's other member. Id numbers that differ withdraw the alibi: twins share a
/// birth date, not an id number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DistinctPerson {
    pub levels: Vec<(String, String)>,
    /// Levels waived where the pair has an alibi, with the share of true matches reaching them.
    pub waived: Vec<(String, String, f64)>,
}

/// The most a pair a waived level speaks against can count for in clustering: not a link, not a
/// "different person" (see `ClusterOptions`), and against a join in the mean of the pairs
/// between two clusters.
pub const WAIVED_CEILING: f64 = 0.2;

/// How strongly another distinct-person comparison must agree to waive a level: an exact or
/// nearly exact birth date or first name, not a shared birth year.
pub const ALIBI_BITS: f64 = 5.0;

impl DistinctPerson {
    /// The levels as given, each forbidding a link.
    pub fn given(levels: &[(String, String)]) -> DistinctPerson {
        DistinctPerson {
            levels: levels.to_vec(),
            waived: Vec::new(),
        }
    }

    /// The levels under a trained `model`: those its m says true matches reach more often than
    /// `max_m` are waived where the pair has an alibi.
    pub fn learned(model: &Model, levels: &[(String, String)], max_m: f64) -> DistinctPerson {
        let mut distinct = DistinctPerson::default();
        for (name, label) in levels {
            let m = model
                .comparison(name)
                .and_then(|(_, c)| c.levels.iter().find(|l| &l.label == label))
                .map(|l| l.m);
            match m {
                Some(m) if m > max_m => distinct.waived.push((name.clone(), label.clone(), m)),
                _ => distinct.levels.push((name.clone(), label.clone())),
            }
        }
        distinct
    }

    /// The probability clustering uses for a scored pair. A level that holds forbids the pair
    /// outright (0: its records never share a cluster). A waived level without an alibi only
    /// keeps the pair from being a link (at most [`WAIVED_CEILING`]): on a file whose
    /// duplicates often garble the field, one garbled record must not split a person whose
    /// other records all agree, while a household, whose members never link, stays apart.
    pub fn probability(&self, prediction: &Prediction) -> f64 {
        match self.forbids(&prediction.explanation) {
            None => prediction.probability,
            Some((name, label)) if self.is_waived(&name, &label) => {
                prediction.probability.min(WAIVED_CEILING)
            }
            Some(_) => 0.0,
        }
    }

    fn is_waived(&self, name: &str, label: &str) -> bool {
        self.waived.iter().any(|(n, l, _)| n == name && l == label)
    }

    /// The level that forbids linking this pair, if one does: none when an external id vouches
    /// for it.
    pub fn forbids(&self, explanation: &[Contribution]) -> Option<(String, String)> {
        let vouched = explanation
            .iter()
            .any(|c| c.name == "external_id" && c.level == "exact");
        if vouched {
            return None;
        }
        let reached = |name: &str, label: &str| {
            explanation
                .iter()
                .any(|c| c.name == name && c.level == label)
        };
        if let Some(level) = self.levels.iter().find(|(n, l)| reached(n, l)) {
            return Some(level.clone());
        }
        let names = || {
            self.levels
                .iter()
                .map(|(n, _)| n)
                .chain(self.waived.iter().map(|(n, _, _)| n))
        };
        // Two id numbers that differ are a second voice against: no alibi then.
        let ids_differ = reached("external_id", "else");
        self.waived
            .iter()
            .find(|(name, label, _)| {
                reached(name, label)
                    && (ids_differ
                        || !explanation.iter().any(|c| {
                            &c.name != name
                                && names().any(|n| n == &c.name)
                                && c.weight >= ALIBI_BITS
                        }))
            })
            .map(|(name, label, _)| (name.clone(), label.clone()))
    }
}

/// Whether a level in `rules` was reached, with no external id to vouch for the pair.
pub fn is_distinct_person(explanation: &[Contribution], rules: &[(String, String)]) -> bool {
    DistinctPerson::given(rules).forbids(explanation).is_some()
}

/// The rules EM sessions are blocked on, in the order tried: together they leave every
/// comparison free in at least one session on most tables.
pub const SESSION_RULES: &[BlockingRule] = &[
    BlockingRule::NamesSound,
    BlockingRule::DateOfBirthPostcode,
    BlockingRule::Email,
    BlockingRule::Phone,
    BlockingRule::AddressLine,
    BlockingRule::ExternalId,
    BlockingRule::DateOfBirth,
];

/// A session needs this many pairs to say anything about m.
const MIN_SESSION_PAIRS: usize = 50;

/// One EM session of training: the rule its pairs were blocked on and how many it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub rule: BlockingRule,
    pub pairs: usize,
    pub iterations: u32,
    /// The comparisons whose m it estimated.
    pub estimated: Vec<String>,
}

/// Trains `model` on these records: u from random pairs, then m by EM in sessions, then λ on
/// the candidate pairs of `candidates` (from `candidate_pairs`). `sessions` holds the pairs of
/// the rules of [`SESSION_RULES`] the blocking used (from `candidate_pairs_sampled`); a session
/// rule it lacks is blocked here.
///
/// m is learned Splink's way, in sessions each blocked on one rule, with the comparisons the
/// rule holds left out. Trained on all candidate pairs at once, EM let name agreement (worth
/// twenty bits and more) carry namesakes into the match class, and then learned from them
/// that duplicates disagree on everything else. Pairs blocked on names teach what names do not
/// decide, pairs blocked on a birth date and postcode teach the names, and so on; each
/// comparison's m is the mean over the sessions that left it free.
pub fn train(
    records: &[Record],
    candidates: &[(u32, u32)],
    sessions: &[RuleSample],
    model: &mut Model,
    options: &DedupeOptions,
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
) -> EmReport {
    let steps = SESSION_RULES.len() as u64 + 2;
    progress(Stage::Training, 0, steps);
    model.estimate_u_from_random_pairs(records, options.training_sample as u64, options.seed);
    progress(Stage::Training, 1, steps);

    let all: Vec<String> = model.comparisons.iter().map(|c| c.name.clone()).collect();
    let mut estimates: std::collections::HashMap<String, Vec<Vec<f64>>> = Default::default();
    let mut trained = Vec::new();
    for (step, rule) in SESSION_RULES.iter().enumerate() {
        progress(Stage::Training, 2 + step as u64, steps);
        let held = rule.comparisons();
        let active: Vec<&String> = all.iter().filter(|c| !held.contains(&c.as_str())).collect();
        if active.iter().all(|c| estimates.contains_key(*c)) {
            continue;
        }
        let blocked;
        let sampled = match sessions.iter().find(|s| s.rule == *rule) {
            Some(sampled) => sampled,
            None => {
                blocked = candidate_pairs_sampled(
                    records,
                    &[*rule],
                    options.max_block,
                    &[*rule],
                    options.training_sample,
                )
                .samples;
                match blocked.first() {
                    Some(sampled) => sampled,
                    None => continue,
                }
            }
        };
        if sampled.made < MIN_SESSION_PAIRS {
            continue;
        }
        let mut session = model.clone();
        session
            .comparisons
            .retain(|c| !held.contains(&c.name.as_str()));
        let sample = sample_gammas(records, &sampled.pairs, &session, options.training_sample);
        let report = session.train_em(&sample, EmOptions::default());
        for comparison in &session.comparisons {
            estimates
                .entry(comparison.name.clone())
                .or_default()
                .push(comparison.levels.iter().map(|l| l.m).collect());
        }
        trained.push(Session {
            rule: *rule,
            pairs: sample.len(),
            iterations: report.iterations,
            estimated: session.comparisons.iter().map(|c| c.name.clone()).collect(),
        });
    }
    for comparison in &mut model.comparisons {
        let Some(runs) = estimates.get(&comparison.name) else {
            continue;
        };
        for (index, level) in comparison.levels.iter_mut().enumerate() {
            if !level.fixed {
                level.m = runs.iter().map(|m| m[index]).sum::<f64>() / runs.len() as f64;
            }
        }
    }

    // λ: the share of matches among the candidate pairs, with every m now held, scaled by how
    // few of all pairs the candidates are.
    let n = records.len() as u64;
    let sample = sample_gammas(records, candidates, model, options.training_sample);
    let all_pairs = (n * n.saturating_sub(1) / 2).max(1) as f64;
    let mut report = model.train_em(
        &sample,
        EmOptions {
            prior: PriorUpdate::FromCandidates {
                candidate_share: candidates.len() as f64 / all_pairs,
            },
            hold: all,
            ..EmOptions::default()
        },
    );
    report.sessions = trained;
    progress(Stage::Training, steps, steps);
    report
}

/// The comparison vectors of up to `max` pairs, taken evenly across `pairs`.
fn sample_gammas(
    records: &[Record],
    pairs: &[(u32, u32)],
    model: &Model,
    max: usize,
) -> Vec<Gamma> {
    let step = (pairs.len() / max.max(1)).max(1);
    pairs
        .par_iter()
        .step_by(step)
        .map(|&(l, r)| model.compare(&records[l as usize], &records[r as usize]))
        .collect()
}
