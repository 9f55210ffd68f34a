//! Expectation-maximisation for m and λ on unlabelled comparison vectors, Splink's way: u is
//! measured directly on random pairs (`estimate_u`) and held, because random pairs are
//! nearly all non-matches and give u far more reliably than EM; EM then only has to separate
//! the matches, moving each free level's m and the share of matches among the training pairs.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::model::{Gamma, MIN_PROBABILITY, Model, probability_from_weight};

/// How EM runs and what it may change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmOptions {
    /// Splink's default is 25.
    pub max_iterations: u32,
    /// Converged when no m and not λ moved by more than this in an iteration (Splink: 1e-4).
    pub tolerance: f64,
    /// What the share of matches found among the training pairs does to the model's prior.
    pub prior: PriorUpdate,
    /// Comparisons whose m stays as it is: those the training pairs were blocked on, which
    /// agree on every pair and so say nothing about m (Splink fixes them the same way).
    pub hold: Vec<String>,
}

impl Default for EmOptions {
    fn default() -> EmOptions {
        EmOptions {
            max_iterations: 25,
            tolerance: 1e-4,
            prior: PriorUpdate::Keep,
            hold: Vec::new(),
        }
    }
}

/// λ in the model is about random pairs; EM estimates the share of matches among the pairs it
/// is given, which for blocked candidate pairs is far higher.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PriorUpdate {
    /// Leave the prior alone (the default: set it from counts, as Splink recommends).
    Keep,
    /// The training pairs are a random sample of all pairs: their share of matches is λ.
    FromMixture,
    /// The training pairs are all candidate pairs of a blocking that keeps (nearly) every
    /// true match, and they are `candidate_share` of all pairs: λ = share of matches × that.
    FromCandidates { candidate_share: f64 },
}

/// What a training run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmReport {
    pub iterations: u32,
    pub converged: bool,
    /// Share of matches among the training pairs at the end.
    pub lambda: f64,
    /// The model's prior after training (see `PriorUpdate`).
    pub prior: f64,
    /// Log-likelihood of the training pairs before each iteration's update; never decreases.
    pub log_likelihood: Vec<f64>,
    /// Largest change of an m or of λ in the last iteration.
    pub max_change: f64,
    pub pairs: u64,
    /// Distinct comparison vectors among them (EM works on these, with counts).
    pub patterns: usize,
    /// The sessions m was learned in, when training ran in sessions (see `dedupe::train`).
    #[serde(default)]
    pub sessions: Vec<crate::dedupe::Session>,
}

/// Distinct comparison vectors with how often each occurs, levels a comparison does not have
/// read as null; in sorted order, so that sums are taken in one order and training is
/// reproducible.
struct Patterns {
    width: usize,
    levels: Vec<Option<u8>>,
    counts: Vec<f64>,
    pairs: u64,
}

impl Patterns {
    fn new<'g>(model: &Model, counted: impl IntoIterator<Item = (&'g [Option<u8>], u64)>) -> Self {
        // Count borrowed vectors first (millions of pairs, a few thousand distinct vectors),
        // then clean and merge only the distinct ones.
        let mut borrowed: HashMap<&[Option<u8>], u64> = HashMap::new();
        let mut pairs = 0;
        for (gamma, count) in counted {
            *borrowed.entry(gamma).or_default() += count;
            pairs += count;
        }
        let mut distinct: BTreeMap<Vec<Option<u8>>, u64> = BTreeMap::new();
        for (gamma, count) in borrowed {
            let clean = model
                .comparisons
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    gamma
                        .get(k)
                        .copied()
                        .flatten()
                        .filter(|&l| usize::from(l) < c.levels.len())
                })
                .collect();
            *distinct.entry(clean).or_default() += count;
        }
        Patterns {
            width: model.comparisons.len(),
            levels: distinct.keys().flatten().copied().collect(),
            counts: distinct.values().map(|&c| c as f64).collect(),
            pairs,
        }
    }

    fn iter(&self) -> impl Iterator<Item = (&[Option<u8>], f64)> {
        self.levels
            .chunks(self.width.max(1))
            .zip(self.counts.iter().copied())
    }
}

/// How many matches the m a comparison starts from counts for in each M-step. A table whose
/// duplicates never reach a level (a small one whose duplicates are all spelled alike) would
/// otherwise give it m = 0, and one later pair at that level (a slip in a name) an infinite
/// weight against; with these few pseudo-matches the level keeps a little of its prior, and a
/// table of hundreds of duplicates outweighs them.
pub const PRIOR_MATCHES: f64 = 10.0;

impl Model {
    /// Trains m and λ on the comparison vectors of candidate pairs (no labels).
    pub fn train_em(&mut self, gammas: &[Gamma], options: EmOptions) -> EmReport {
        let patterns = Patterns::new(self, gammas.iter().map(|g| (g.as_slice(), 1)));
        self.run_em(&patterns, &options)
    }

    /// `train_em` on vectors already counted (a batch job can count while it streams pairs
    /// instead of keeping millions of vectors).
    pub fn train_em_counts(&mut self, counts: &[(Gamma, u64)], options: EmOptions) -> EmReport {
        let patterns = Patterns::new(self, counts.iter().map(|(g, c)| (g.as_slice(), *c)));
        self.run_em(&patterns, &options)
    }

    fn run_em(&mut self, patterns: &Patterns, options: &EmOptions) -> EmReport {
        let held: Vec<bool> = self
            .comparisons
            .iter()
            .map(|c| options.hold.contains(&c.name))
            .collect();
        let total: f64 = patterns.counts.iter().sum();
        let clamp = |p: f64| p.clamp(MIN_PROBABILITY, 1.0 - MIN_PROBABILITY);
        let mut lambda = clamp(self.prior);
        let mut report = EmReport {
            iterations: 0,
            converged: false,
            lambda,
            prior: self.prior,
            log_likelihood: Vec::new(),
            max_change: 0.0,
            pairs: patterns.pairs,
            patterns: patterns.counts.len(),
            sessions: Vec::new(),
        };
        if total == 0.0 {
            return report;
        }
        // The m each level starts from, as shares of its comparison's free levels: the prior
        // that `PRIOR_MATCHES` pseudo-matches bring to every M-step.
        let prior_share: Vec<Vec<f64>> = self
            .comparisons
            .iter()
            .map(|c| {
                let free: f64 = c.levels.iter().filter(|l| !l.fixed).map(|l| l.m).sum();
                c.levels
                    .iter()
                    .map(|l| {
                        if l.fixed || free <= 0.0 {
                            0.0
                        } else {
                            l.m / free
                        }
                    })
                    .collect()
            })
            .collect();
        let mut match_mass: Vec<Vec<f64>> = self
            .comparisons
            .iter()
            .map(|c| vec![0.0; c.levels.len()])
            .collect();

        while report.iterations < options.max_iterations {
            report.iterations += 1;
            let tables = LevelTables::new(self);

            // E-step: how likely each pattern is a match, and the data's log-likelihood.
            match_mass.iter_mut().for_each(|m| m.fill(0.0));
            let prior_weight = (lambda / (1.0 - lambda)).log2();
            let (ln_lambda, ln_not_lambda) = (lambda.ln(), (1.0 - lambda).ln());
            let mut matches = 0.0;
            let mut log_likelihood = 0.0;
            for (gamma, count) in patterns.iter() {
                let (mut weight, mut ln_m, mut ln_u) = (0.0, 0.0, 0.0);
                for (k, level) in gamma.iter().enumerate() {
                    if let Some(l) = level {
                        let (w, lm, lu) = tables.get(k, *l);
                        weight += w;
                        ln_m += lm;
                        ln_u += lu;
                    }
                }
                log_likelihood += count * ln_add_exp(ln_lambda + ln_m, ln_not_lambda + ln_u);
                let mass = count * probability_from_weight(prior_weight + weight);
                matches += mass;
                for (k, level) in gamma.iter().enumerate() {
                    if let Some(l) = level {
                        match_mass[k][usize::from(*l)] += mass;
                    }
                }
            }
            report.log_likelihood.push(log_likelihood);

            // M-step: λ is the expected share of matches, m the expected level shares among
            // them; fixed levels keep theirs and the free ones share what is left.
            let new_lambda = clamp(matches / total);
            let mut max_change = (new_lambda - lambda).abs();
            lambda = new_lambda;
            for (k, comparison) in self.comparisons.iter_mut().enumerate() {
                if held[k] {
                    continue;
                }
                let levels = &mut comparison.levels;
                let free_mass: f64 = levels
                    .iter()
                    .zip(&match_mass[k])
                    .filter(|(level, _)| !level.fixed)
                    .map(|(_, mass)| mass)
                    .sum();
                if free_mass <= 0.0 {
                    continue;
                }
                let fixed_m: f64 = levels.iter().filter(|l| l.fixed).map(|l| l.m).sum();
                let budget = (1.0 - fixed_m).max(0.0);
                for ((level, mass), prior) in
                    levels.iter_mut().zip(&match_mass[k]).zip(&prior_share[k])
                {
                    if !level.fixed {
                        let m =
                            budget * (mass + PRIOR_MATCHES * prior) / (free_mass + PRIOR_MATCHES);
                        max_change = max_change.max((m - level.m).abs());
                        level.m = m;
                    }
                }
            }
            report.max_change = max_change;
            if max_change < options.tolerance {
                report.converged = true;
                break;
            }
        }

        report.lambda = lambda;
        match options.prior {
            PriorUpdate::Keep => {}
            PriorUpdate::FromMixture => self.prior = lambda,
            PriorUpdate::FromCandidates { candidate_share } => {
                self.prior = clamp(lambda * candidate_share.clamp(0.0, 1.0));
            }
        }
        report.prior = self.prior;
        report
    }
}

/// Per comparison and level: weight in bits, ln m and ln u, with m and u floored.
struct LevelTables {
    offsets: Vec<usize>,
    entries: Vec<(f64, f64, f64)>,
}

impl LevelTables {
    fn new(model: &Model) -> LevelTables {
        let mut offsets = Vec::with_capacity(model.comparisons.len());
        let mut entries = Vec::new();
        for comparison in &model.comparisons {
            offsets.push(entries.len());
            entries.extend(comparison.levels.iter().map(|level| {
                let (m, u) = (level.m.max(MIN_PROBABILITY), level.u.max(MIN_PROBABILITY));
                ((m / u).log2(), m.ln(), u.ln())
            }));
        }
        LevelTables { offsets, entries }
    }

    fn get(&self, comparison: usize, level: u8) -> (f64, f64, f64) {
        self.entries[self.offsets[comparison] + usize::from(level)]
    }
}

/// ln(e^a + e^b) without overflow.
fn ln_add_exp(a: f64, b: f64) -> f64 {
    let (high, low) = if a >= b { (a, b) } else { (b, a) };
    high + (low - high).exp().ln_1p()
}
