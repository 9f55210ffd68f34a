//! Tests of the match model: behaviour of each comparison and of scoring, invariants
//! (proptest), EM on a synthetic mixture, and a timing of the hot path (ignored by default).

mod comparisons;
mod em;
mod properties;
mod scoring;
mod timing;

use crate::model::{Contribution, Prediction};
use crate::normalize::phone::Region;
use crate::record::{Field, RawRecord, Record};

/// A normalized record from ("field", "value") pairs, as a file row would give them.
pub(super) fn person(pairs: &[(&str, &str)]) -> Record {
    let raw = RawRecord {
        id: "r".into(),
        fields: pairs
            .iter()
            .map(|(k, v)| (Field::parse(k).expect("known field"), (*v).to_owned()))
            .collect(),
    };
    Record::from_raw(&raw, Region::parse("US").expect("US")).0
}

/// The contribution of the comparison called `name`.
pub(super) fn contribution<'p>(prediction: &'p Prediction, name: &str) -> &'p Contribution {
    prediction
        .explanation
        .iter()
        .find(|c| c.name == name)
        .expect("comparison in the explanation")
}
