//! u from random pairs (Splink's `estimate_u_using_random_sampling`): two records drawn at
//! random are almost never one person, so how often such pairs reach each level is u.

use crate::model::{Gamma, Model};
use crate::record::Record;

/// How many random pairs the model's prior u counts for, against the table's own: a table's
/// estimate outweighs it from some ten thousand distinct pairs on (150 records).
pub const PRIOR_PAIRS: f64 = 10_000.0;

impl Model {
    /// Sets every comparison's u from the comparison vectors of random pairs.
    pub fn estimate_u(&mut self, random_pair_gammas: &[Gamma]) {
        let mut counts = self.level_counts();
        for gamma in random_pair_gammas {
            add_gamma(&mut counts, gamma, 1);
        }
        self.set_u(&counts);
    }

    /// `estimate_u` on vectors already counted.
    pub fn estimate_u_counts(&mut self, random_pair_counts: &[(Gamma, u64)]) {
        let mut counts = self.level_counts();
        for (gamma, count) in random_pair_counts {
            add_gamma(&mut counts, gamma, *count);
        }
        self.set_u(&counts);
    }

    /// Draws up to `max_pairs` pairs of distinct records (seeded, so reruns agree) and sets u
    /// from them. Splink suggests 1e6 to 1e7 pairs; rare levels need many.
    ///
    /// A small table has few distinct pairs however many are drawn: 150 records hold 11,175.
    /// A level none of them reaches is rare in this table, not a million times rarer than the
    /// model's prior says, so the draws count for the distinct pairs there are, and u is
    /// blended with the model's own u as if it had been seen on [`PRIOR_PAIRS`] more pairs.
    /// A table of thousands of records holds millions of pairs, and the prior fades.
    pub fn estimate_u_from_random_pairs(&mut self, records: &[Record], max_pairs: u64, seed: u64) {
        let n = records.len() as u64;
        if n < 2 {
            return;
        }
        let mut rng = SplitMix64(seed);
        let mut counts = self.level_counts();
        let mut gamma = Gamma::with_capacity(self.comparisons.len());
        for _ in 0..max_pairs {
            let i = rng.below(n);
            let j = (i + 1 + rng.below(n - 1)) % n;
            self.compare_into(&records[i as usize], &records[j as usize], &mut gamma);
            add_gamma(&mut counts, &gamma, 1);
        }
        // The draws stand for every distinct pair of the table: a big table's millions outweigh
        // the prior entirely, a small one's thousands do not.
        let distinct = n.saturating_mul(n - 1) / 2;
        let scale = distinct as f64 / max_pairs.max(1) as f64;
        let prior: Vec<Vec<f64>> = self
            .comparisons
            .iter()
            .map(|c| c.levels.iter().map(|l| l.u).collect())
            .collect();
        self.set_u(&counts);
        for ((comparison, counts), prior) in self.comparisons.iter_mut().zip(&counts).zip(&prior) {
            let seen = counts.iter().sum::<u64>() as f64 * scale;
            if seen == 0.0 {
                continue;
            }
            let own = seen / (seen + PRIOR_PAIRS);
            for (level, prior) in comparison.levels.iter_mut().zip(prior) {
                if !level.fixed {
                    level.u = own * level.u + (1.0 - own) * prior;
                }
            }
        }
    }

    fn level_counts(&self) -> Vec<Vec<u64>> {
        self.comparisons
            .iter()
            .map(|c| vec![0; c.levels.len()])
            .collect()
    }

    /// u = share of the non-null random pairs at each level. A level never seen gets half a
    /// pair (the usual continuity correction), so its weight stays finite; fixed levels keep
    /// their u and the others share the rest. Comparisons never observed keep their u.
    fn set_u(&mut self, counts: &[Vec<u64>]) {
        for (comparison, counts) in self.comparisons.iter_mut().zip(counts) {
            let observed: u64 = counts.iter().sum();
            if observed == 0 {
                continue;
            }
            let levels = &mut comparison.levels;
            let share = |count: u64| (count as f64).max(0.5) / observed as f64;
            let free: f64 = levels
                .iter()
                .zip(counts)
                .filter(|(level, _)| !level.fixed)
                .map(|(_, &count)| share(count))
                .sum();
            let fixed_u: f64 = levels.iter().filter(|l| l.fixed).map(|l| l.u).sum();
            let budget = (1.0 - fixed_u).max(0.0);
            for (level, &count) in levels.iter_mut().zip(counts) {
                if !level.fixed {
                    level.u = budget * share(count) / free;
                }
            }
        }
    }
}

fn add_gamma(counts: &mut [Vec<u64>], gamma: &[Option<u8>], count: u64) {
    for (levels, level) in counts.iter_mut().zip(gamma) {
        if let Some(slot) = level.and_then(|l| levels.get_mut(usize::from(l))) {
            *slot += count;
        }
    }
}

/// A small, seeded generator: enough for sampling pairs, and no dependency.
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0), by multiply-shift; the bias is below 2^-32 for any n we see.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [0, 1).
    #[cfg(test)]
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
