//! Term frequencies: how common each first name, last name, city and postcode is in a
//! dataset, so that two "smith"s agree less convincingly than two "zbigniew"s.

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use crate::model::kind::{TfColumn, tf_value};
use crate::record::Record;

/// The lowest frequency a value is credited with: one in ten thousand, or the level's u when
/// that is lower already. Without a floor a value seen once in a million records (or never,
/// when the table comes from another dataset) would add 13 bits or more on its own; with it
/// a rare exact first name adds at most log2(0.01 / 1e-4) ≈ 6.6 bits over the average one.
pub const TF_MIN_FREQUENCY: f64 = 1e-4;

/// Counts of each value per column, built once per dataset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TermFrequencies {
    given: ValueCounts,
    family: ValueCounts,
    city: ValueCounts,
    postcode: ValueCounts,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ValueCounts {
    counts: FxHashMap<String, u32>,
    total: u64,
}

impl ValueCounts {
    fn add(&mut self, value: &str) {
        match self.counts.get_mut(value) {
            Some(count) => *count += 1,
            None => {
                self.counts.insert(value.to_owned(), 1);
            }
        }
        self.total += 1;
    }

    fn frequency(&self, value: &str) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        // A value the table never saw is as rare as the rarest it did see.
        let count = self.counts.get(value).copied().unwrap_or(1);
        Some(f64::from(count) / self.total as f64)
    }
}

impl TermFrequencies {
    pub fn from_records(records: &[Record]) -> TermFrequencies {
        let mut tf = TermFrequencies::default();
        for record in records {
            tf.add(record);
        }
        tf
    }

    /// Counts one more record (for building the table while streaming).
    pub fn add(&mut self, record: &Record) {
        for column in [
            TfColumn::Given,
            TfColumn::Family,
            TfColumn::City,
            TfColumn::Postcode,
        ] {
            if let Some(value) = tf_value(column, record) {
                self.column_mut(column).add(value);
            }
        }
    }

    /// The share of records with a value in `column` that have this one; `None` when the
    /// table holds no value of that column.
    pub fn frequency(&self, column: TfColumn, value: &str) -> Option<f64> {
        self.column(column).frequency(value)
    }

    fn column(&self, column: TfColumn) -> &ValueCounts {
        match column {
            TfColumn::Given => &self.given,
            TfColumn::Family => &self.family,
            TfColumn::City => &self.city,
            TfColumn::Postcode => &self.postcode,
        }
    }

    fn column_mut(&mut self, column: TfColumn) -> &mut ValueCounts {
        match column {
            TfColumn::Given => &mut self.given,
            TfColumn::Family => &mut self.family,
            TfColumn::City => &mut self.city,
            TfColumn::Postcode => &mut self.postcode,
        }
    }
}
