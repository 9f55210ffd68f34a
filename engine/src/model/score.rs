//! Scoring one pair with its explanation: the prior, then one contribution per comparison
//! (level, m, u, term-frequency adjustment), which add up to the match weight.

use serde::{Deserialize, Serialize};

use crate::model::kind::tf_value;
use crate::model::tf::{TF_MIN_FREQUENCY, TermFrequencies};
use crate::model::{Comparison, MIN_PROBABILITY, Model};
use crate::record::Record;

/// A scored pair. `prior_weight` plus the contributions' weights is `match_weight`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Bits of evidence that the two records are one person.
    pub match_weight: f64,
    /// 2^w / (1 + 2^w).
    pub probability: f64,
    /// log2(λ / (1 - λ)).
    pub prior_weight: f64,
    pub explanation: Vec<Contribution>,
}

/// What one comparison added to a pair's match weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The comparison's name ("first_name", "other:loyalty_id").
    pub name: String,
    /// The level's label, or "null" when a value was missing.
    pub level: String,
    pub level_index: Option<u8>,
    /// Bits, term-frequency adjustment included; 0 for null.
    pub weight: f64,
    pub m: Option<f64>,
    pub u: Option<f64>,
    /// Bits the value's frequency added (rare value) or removed (common value).
    pub tf_adjustment: f64,
}

/// The probability that goes with a match weight, 2^w / (1 + 2^w), without overflow.
pub fn probability_from_weight(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

impl Model {
    /// Compares, weighs and explains one pair. With `tf`, exact agreements on tf-adjusted
    /// levels weigh log2(m / frequency of the value) instead of log2(m / u) (Splink's term
    /// frequency adjustment), within the bounds set out at `TF_MIN_FREQUENCY` and
    /// `Comparison::tf_floor`.
    pub fn score(&self, a: &Record, b: &Record, tf: Option<&TermFrequencies>) -> Prediction {
        let prior_weight = self.prior_weight();
        let explanation: Vec<Contribution> = self
            .comparisons
            .iter()
            .map(|comparison| contribution(comparison, a, b, tf))
            .collect();
        let match_weight = prior_weight + explanation.iter().map(|c| c.weight).sum::<f64>();
        Prediction {
            match_weight,
            probability: probability_from_weight(match_weight),
            prior_weight,
            explanation,
        }
    }
}

fn contribution(
    comparison: &Comparison,
    a: &Record,
    b: &Record,
    tf: Option<&TermFrequencies>,
) -> Contribution {
    let index = comparison.kind.level(a, b);
    let Some((position, level)) = index.and_then(|i| {
        let position = usize::from(i);
        comparison
            .levels
            .get(position)
            .map(|level| (position, level))
    }) else {
        return Contribution {
            name: comparison.name.clone(),
            level: "null".into(),
            level_index: None,
            weight: 0.0,
            m: None,
            u: None,
            tf_adjustment: 0.0,
        };
    };
    let base = level.weight();
    let tf_adjustment = tf
        .filter(|_| level.tf_adjusted)
        .and_then(|tf| {
            let column = comparison.kind.tf_column(position)?;
            let frequency = tf.frequency(column, tf_value(column, a)?)?;
            let u = level.u.max(MIN_PROBABILITY);
            let frequency = frequency.max(TF_MIN_FREQUENCY.min(u));
            let adjusted = (level.m.max(MIN_PROBABILITY) / frequency).log2();
            Some(adjusted.max(comparison.tf_floor(position)) - base)
        })
        .filter(|adjustment| adjustment.is_finite())
        .unwrap_or(0.0);
    Contribution {
        name: comparison.name.clone(),
        level: level.label.clone(),
        level_index: index,
        weight: base + tf_adjustment,
        m: Some(level.m),
        u: Some(level.u),
        tf_adjustment,
    }
}
