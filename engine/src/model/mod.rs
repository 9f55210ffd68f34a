//! The Fellegi-Sunter match model, the way Splink does it: a model is plain data (a prior and
//! comparisons, each an ordered list of levels with m and u probabilities) that decides how two
//! `Record`s compare, weighs the comparison in bits and explains the weight level by level.
//! Training (EM for m and λ, random pairs for u) changes only the numbers, never the code.

mod defaults;
mod em;
mod kind;
mod random_pairs;
mod score;
mod similarity;
mod tf;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::record::Record;

pub use em::{EmOptions, EmReport, PriorUpdate};
pub use kind::{ComparisonKind, TfColumn};
pub use score::{Contribution, Prediction, probability_from_weight};
pub use similarity::jaro_winkler;
pub use tf::{TF_MIN_FREQUENCY, TermFrequencies};

/// The level each comparison reached for one pair, strongest level first (index 0); `None`
/// where a value is missing on either side (the null level, which weighs nothing).
pub type Gamma = Vec<Option<u8>>;

/// m and u are floored here before taking logs: a level never seen among matches (m = 0 after
/// EM) or among random pairs would otherwise weigh -∞ or +∞ bits and decide every pair alone.
/// 1e-9 is below any u measurable from the random pairs a dataset can afford to compare.
pub const MIN_PROBABILITY: f64 = 1e-9;

/// A Fellegi-Sunter model: λ and the comparisons. Deserializing checks that every comparison
/// has the levels its kind decides between, so a loaded model can score without surprises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedModel")]
pub struct Model {
    /// λ: the probability that two records drawn at random are the same person.
    pub prior: f64,
    pub comparisons: Vec<Comparison>,
}

/// One field (or group of fields) compared: "first_name", "email", ..., "other:NAME".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub name: String,
    pub kind: ComparisonKind,
    /// Strongest first; the last one is "else" (the values disagree).
    pub levels: Vec<Level>,
}

/// One outcome of a comparison and how often it happens among matches (m) and among random
/// pairs, nearly all non-matches (u).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub label: String,
    pub m: f64,
    pub u: f64,
    /// Exact agreement on a value: weigh by how common that value is (see `TermFrequencies`).
    pub tf_adjusted: bool,
    /// Held as set by training: a level that encodes domain knowledge random pairs cannot
    /// teach (neighbours in one building are different people) keeps its m and u.
    #[serde(default)]
    pub fixed: bool,
}

impl Level {
    pub fn new(label: impl Into<String>, m: f64, u: f64) -> Level {
        Level {
            label: label.into(),
            m,
            u,
            tf_adjusted: false,
            fixed: false,
        }
    }

    /// log2(m/u), the evidence in bits this level adds to a pair's match weight.
    pub fn weight(&self) -> f64 {
        (self.m.max(MIN_PROBABILITY) / self.u.max(MIN_PROBABILITY)).log2()
    }

    /// The weight's factor m/u, for products of many levels taken through one log.
    fn bayes_factor(&self) -> f64 {
        self.m.max(MIN_PROBABILITY) / self.u.max(MIN_PROBABILITY)
    }
}

/// Why a model cannot be used as it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("prior must be strictly between 0 and 1, got {0}")]
    Prior(f64),
    #[error("comparison {name:?} has {found} levels, its kind decides between {expected}")]
    LevelCount {
        name: String,
        expected: usize,
        found: usize,
    },
    #[error("comparison {name:?}, level {label:?}: m and u must be probabilities")]
    Probability { name: String, label: String },
    #[error("comparison {name:?}, level {label:?}: no value to adjust by term frequency")]
    TermFrequency { name: String, label: String },
    #[error("comparison {name:?}: {message}")]
    Kind { name: String, message: String },
}

#[derive(Deserialize)]
struct UncheckedModel {
    prior: f64,
    comparisons: Vec<Comparison>,
}

impl TryFrom<UncheckedModel> for Model {
    type Error = ModelError;

    fn try_from(raw: UncheckedModel) -> Result<Model, ModelError> {
        let mut model = Model {
            prior: raw.prior,
            comparisons: raw.comparisons,
        };
        for comparison in &mut model.comparisons {
            comparison.upgrade();
        }
        model.validate()?;
        Ok(model)
    }
}

impl Model {
    /// Checks what deserialization checks; for models edited by hand.
    pub fn validate(&self) -> Result<(), ModelError> {
        if !(self.prior > 0.0 && self.prior < 1.0) {
            return Err(ModelError::Prior(self.prior));
        }
        for comparison in &self.comparisons {
            comparison.validate()?;
        }
        Ok(())
    }

    /// The comparison named `name`, with its position in a `Gamma`.
    pub fn comparison(&self, name: &str) -> Option<(usize, &Comparison)> {
        self.comparisons
            .iter()
            .enumerate()
            .find(|(_, c)| c.name == name)
    }

    /// The prior as a weight: log2(λ / (1 - λ)).
    pub fn prior_weight(&self) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
    }

    /// Sets λ from how many pairs are expected to match among `records` records (from a
    /// deterministic rule or a labelled sample): matching pairs / all pairs.
    pub fn set_prior_from_counts(&mut self, matching_pairs: f64, records: u64) {
        let records = records as f64;
        let pairs = records * (records - 1.0) / 2.0;
        if pairs > 0.0 {
            self.prior = (matching_pairs / pairs).clamp(MIN_PROBABILITY, 1.0 - MIN_PROBABILITY);
        }
    }

    /// The level every comparison reaches for this pair.
    pub fn compare(&self, a: &Record, b: &Record) -> Gamma {
        let mut gamma = Vec::with_capacity(self.comparisons.len());
        self.compare_into(a, b, &mut gamma);
        gamma
    }

    /// `compare` into a caller's buffer, so a loop over millions of pairs allocates nothing.
    pub fn compare_into(&self, a: &Record, b: &Record, gamma: &mut Gamma) {
        gamma.clear();
        gamma.extend(self.comparisons.iter().map(|c| c.kind.level(a, b)));
    }

    /// The match weight of a comparison vector, without term frequencies: the prior plus each
    /// level's log2(m/u). Computed as one log of a product of Bayes factors, which costs about
    /// as much as a table lookup and can never go stale when m or u change.
    pub fn weigh(&self, gamma: &[Option<u8>]) -> f64 {
        let mut bits = self.prior_weight();
        let mut factor = 1.0;
        for (comparison, level) in self.comparisons.iter().zip(gamma) {
            if let Some(level) = level.and_then(|l| comparison.levels.get(usize::from(l))) {
                factor *= level.bayes_factor();
                // Factors are within 1e±9: fold before a long product could overflow.
                if !(1e-200..=1e200).contains(&factor) {
                    bits += factor.log2();
                    factor = 1.0;
                }
            }
        }
        bits + factor.log2()
    }

    /// `compare` then `weigh` without building the comparison vector: the fast path for
    /// scoring candidate pairs.
    pub fn match_weight(&self, a: &Record, b: &Record) -> f64 {
        let mut bits = self.prior_weight();
        let mut factor = 1.0;
        for comparison in &self.comparisons {
            let level = comparison.kind.level(a, b);
            if let Some(level) = level.and_then(|l| comparison.levels.get(usize::from(l))) {
                factor *= level.bayes_factor();
                if !(1e-200..=1e200).contains(&factor) {
                    bits += factor.log2();
                    factor = 1.0;
                }
            }
        }
        bits + factor.log2()
    }
}

impl Comparison {
    /// A comparison of `kind` with its levels' (m, u), strongest first; labels and term
    /// frequency flags come from the kind.
    pub fn new(name: impl Into<String>, kind: ComparisonKind, m_u: &[(f64, f64)]) -> Comparison {
        let levels = kind
            .level_labels()
            .into_iter()
            .zip(m_u)
            .enumerate()
            .map(|(index, (label, &(m, u)))| Level {
                tf_adjusted: kind.tf_column(index).is_some(),
                ..Level::new(label, m, u)
            })
            .collect();
        Comparison {
            name: name.into(),
            kind,
            levels,
        }
    }

    /// Brings a comparison saved before its kind gained a level up to date: an address saved
    /// with four levels gets "similar_line", an email saved with four "one_slip", its m taken
    /// from "else" (which held those pairs).
    fn upgrade(&mut self) {
        let current = match (&self.kind, self.levels.len()) {
            (ComparisonKind::Address, 4) => defaults::address(),
            (ComparisonKind::Email, 4) => defaults::email(),
            _ => return,
        };
        let last = self.levels.len() - 1;
        let mut added = current.levels[last].clone();
        added.m = added.m.min(self.levels[last].m);
        self.levels[last].m -= added.m;
        self.levels[last].label = current.levels[last + 1].label.clone();
        self.levels.insert(last, added);
    }

    pub fn validate(&self) -> Result<(), ModelError> {
        self.kind.validate().map_err(|message| ModelError::Kind {
            name: self.name.clone(),
            message,
        })?;
        let expected = self.kind.level_count();
        if self.levels.len() != expected {
            return Err(ModelError::LevelCount {
                name: self.name.clone(),
                expected,
                found: self.levels.len(),
            });
        }
        for (index, level) in self.levels.iter().enumerate() {
            let probability = |p: f64| (0.0..=1.0).contains(&p);
            if !probability(level.m) || !probability(level.u) {
                return Err(ModelError::Probability {
                    name: self.name.clone(),
                    label: level.label.clone(),
                });
            }
            if level.tf_adjusted && self.kind.tf_column(index).is_none() {
                return Err(ModelError::TermFrequency {
                    name: self.name.clone(),
                    label: level.label.clone(),
                });
            }
        }
        Ok(())
    }

    /// The lowest weight a term-frequency adjustment may bring level `index` down to: an
    /// exact agreement on a common value is still no weaker than any weaker spelling of the
    /// same value, nor evidence against. Levels that are not a weaker spelling (first and last
    /// name swapped, which says something of both names at once) do not count: a rare such
    /// level weighs many bits, and would lift every common name to them.
    fn tf_floor(&self, index: usize) -> f64 {
        let end = self.levels.len().saturating_sub(1);
        (index + 1..end)
            .filter(|&i| self.kind.is_weaker_spelling(i))
            .filter_map(|i| self.levels.get(i))
            .map(Level::weight)
            .fold(0.0, f64::max)
    }
}
