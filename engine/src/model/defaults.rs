//! The model before there is data: Splink-like m and u for people records, and the subset of
//! it that a dataset's columns can feed.
//!
//! Where the numbers come from. m (how often one person's two records reach a level) follows
//! the trained models in Splink's tutorials and topic guides: exact agreement on a name or
//! date of birth for 80-90% of true pairs, 70-75% for contact details (people change email
//! and phone), a few percent on each fuzzy level. u (how often two random records reach it)
//! is the chance of a collision: about 1% for an exact first name and 0.5% for a last name
//! (the shares of the most common values in US census name lists make the average collision
//! rate of that order), 1/(365 x 60) ≈ 1e-4 for a date of birth, and practically 1/N for
//! identifiers unique to a person (email, phone, external id). Per comparison m and u each
//! sum to 1 over the levels, as EM expects. λ = 1e-4 suits a dataset of ten to a hundred
//! thousand records where most people appear once or twice. All of them are starting points:
//! `estimate_u` and `train_em` replace them from the data.

use crate::model::{Comparison, ComparisonKind, Model};
use crate::record::Field;

/// The Jaro-Winkler thresholds of the name comparisons (Splink's name templates use 0.92 and
/// 0.88/0.80 for close and loose spellings).
const JW_HIGH: f64 = 0.92;
const JW_LOW: f64 = 0.80;

const DEFAULT_PRIOR: f64 = 1e-4;

impl Model {
    /// Every comparison the engine knows for person records, except the "other:" ones (their
    /// keys depend on the dataset: see `for_fields`).
    pub fn default_for_people() -> Model {
        Model {
            prior: DEFAULT_PRIOR,
            comparisons: vec![
                first_name(),
                last_name(),
                email(),
                phone(),
                address(),
                postcode_city(),
                date_of_birth(),
                external_id(),
            ],
        }
    }

    /// [`Model::for_fields`] for the fields these records hold, "other:" columns included.
    pub fn for_records(records: &[crate::record::Record]) -> Model {
        let mut fields = std::collections::BTreeSet::new();
        for r in records {
            let present = [
                (r.given.is_some(), Field::FirstName),
                (r.family.is_some(), Field::LastName),
                (r.email.is_some(), Field::Email),
                (r.phone.is_some(), Field::Phone),
                (r.address_line.is_some(), Field::Address1),
                (r.postcode.is_some(), Field::Postcode),
                (r.city.is_some(), Field::City),
                (r.date_of_birth.is_some(), Field::DateOfBirth),
                (r.external_id.is_some(), Field::ExternalId),
            ];
            fields.extend(present.into_iter().filter(|(has, _)| *has).map(|(_, f)| f));
            fields.extend(r.others.keys().map(|key| Field::Other(key.clone())));
        }
        Model::for_fields(&fields.into_iter().collect::<Vec<_>>())
    }

    /// The default comparisons whose fields the dataset has, plus an exact comparison for
    /// each of its `Field::Other` columns.
    pub fn for_fields(fields: &[Field]) -> Model {
        let has = |wanted: &[Field]| wanted.iter().any(|f| fields.contains(f));
        let mut model = Model::default_for_people();
        model.comparisons.retain(|c| match c.kind {
            ComparisonKind::FirstName { .. } => has(&[Field::FirstName, Field::FullName]),
            ComparisonKind::LastName { .. } => has(&[Field::LastName, Field::FullName]),
            ComparisonKind::Email => has(&[Field::Email]),
            ComparisonKind::Phone => has(&[Field::Phone]),
            ComparisonKind::Address => has(&[Field::Address1]),
            ComparisonKind::PostcodeCity => has(&[Field::Postcode, Field::City]),
            ComparisonKind::DateOfBirth => has(&[Field::DateOfBirth]),
            ComparisonKind::ExternalId => has(&[Field::ExternalId]),
            ComparisonKind::Other { .. } => true,
        });
        for field in fields {
            if let Field::Other(key) = field
                && model.comparison(&field.name()).is_none()
            {
                model.comparisons.push(other(key));
            }
        }
        model
    }
}

fn first_name() -> Comparison {
    Comparison::new(
        "first_name",
        ComparisonKind::FirstName {
            jw_high: JW_HIGH,
            jw_low: JW_LOW,
        },
        &[
            (0.80, 0.010), // exact
            (0.05, 0.002), // nickname: "bob" / "robert"
            (0.06, 0.004), // close spelling
            (0.01, 0.001), // first and last name swapped
            (0.04, 0.020), // loose spelling
            (0.01, 0.006), // an initial: weak, most "j"s are not this john
            (0.03, 0.957), // else
        ],
    )
}

fn last_name() -> Comparison {
    Comparison::new(
        "last_name",
        ComparisonKind::LastName {
            jw_high: JW_HIGH,
            jw_low: JW_LOW,
        },
        &[
            (0.85, 0.005), // exact
            (0.07, 0.003), // close spelling
            (0.04, 0.020), // loose spelling
            (0.04, 0.972), // else: marriage, typos
        ],
    )
}

pub(super) fn email() -> Comparison {
    Comparison::new(
        "email",
        ComparisonKind::Email,
        &[
            (0.70, 0.000_1),  // exact
            (0.08, 0.000_02), // same mailbox under the provider's rules
            (0.07, 0.000_5),  // same local part, other or mistyped domain
            (0.02, 0.000_2),  // one typing slip in a long address
            (0.13, 0.999_18), // else: people hold several addresses
        ],
    )
}

fn phone() -> Comparison {
    Comparison::new(
        "phone",
        ComparisonKind::Phone,
        &[
            (0.75, 0.000_1), // exact
            (0.05, 0.000_3), // numbering-plan variant or same last seven digits
            (0.20, 0.999_6), // else
        ],
    )
}

/// The different-unit level is held fixed at about -10 bits. Random pairs almost never share a
/// building, so u alone would make "same building" evidence *for* a match; yet among the
/// candidate pairs a blocking on address produces, the same line with another unit is a
/// neighbour far more often than one person's slip. -10 bits also cancels the postcode
/// agreement that always comes with a shared street line (the independence assumption counts
/// it a second time) and still weighs against, so only strong identifiers (email, phone, date
/// of birth) can carry such a pair.
pub(super) fn address() -> Comparison {
    let mut comparison = Comparison::new(
        "address",
        ComparisonKind::Address,
        &[
            (0.65, 0.000_3),        // same line and unit (or neither has a unit)
            (0.08, 0.000_2),        // same line, unit on one side only
            (0.000_000_4, 0.000_4), // same line, another unit: a neighbour
            (0.05, 0.000_2),        // a similar line: a slip, the same house number
            (0.219_999_6, 0.998_9), // else: people move
        ],
    );
    comparison.levels[2].fixed = true;
    comparison
}

fn postcode_city() -> Comparison {
    Comparison::new(
        "postcode_city",
        ComparisonKind::PostcodeCity,
        &[
            (0.85, 0.002), // same postcode
            (0.08, 0.020), // same city, other or missing postcode
            (0.07, 0.978), // else
        ],
    )
}

fn date_of_birth() -> Comparison {
    Comparison::new(
        "date_of_birth",
        ComparisonKind::DateOfBirth,
        &[
            (0.90, 0.000_1), // exact
            (0.05, 0.001),   // day/month swapped, one digit off, two digits swapped
            (0.03, 0.016),   // same year only
            (0.02, 0.982_9), // else
        ],
    )
}

fn external_id() -> Comparison {
    Comparison::new(
        "external_id",
        ComparisonKind::ExternalId,
        &[(0.95, 0.000_01), (0.05, 0.999_99)],
    )
}

/// Unknown columns: modest evidence either way until EM says otherwise.
fn other(key: &str) -> Comparison {
    Comparison::new(
        format!("other:{key}"),
        ComparisonKind::Other {
            key: key.to_owned(),
        },
        &[(0.90, 0.01), (0.10, 0.99)],
    )
}
