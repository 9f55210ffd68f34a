//! Synthetic US people with ground truth, for testing and benchmarking batch deduplication:
//! frequency-weighted names, consistent city / state / ZIP / area code, duplicate records that
//! carry the variations real sources produce, and hard negatives (households, twins,
//! neighbours, namesakes) that must stay apart. Deterministic for a seed.

pub mod corrupt;
mod generator;
mod population;
pub mod spelling;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::record::{Field, RawRecord};
use generator::Generator;

/// What to generate. Rates are probabilities in 0..=1 (out-of-range values are clamped).
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// Distinct people (ground-truth entities), hard negatives included. Exact.
    pub people: usize,
    pub seed: u64,
    /// Share of people with more than one record.
    pub duplicate_rate: f64,
    /// Most records one person can have; below 2 nobody is duplicated. A duplicated person
    /// has 2 records with weight 1, 3 with weight 1/2, 4 with 1/4, ...
    pub max_copies: usize,
    /// Share of people living in a multi-person household: same family name, address and
    /// unit, perhaps a shared landline or family email; different given name and birth date.
    pub household_rate: f64,
    /// Chance that a household member after the first is the twin of an earlier member
    /// (same birth date as well).
    pub twin_rate: f64,
    /// Share of people living in a building with other generated people: same street
    /// address, different unit, different family name.
    pub neighbour_rate: f64,
    /// Share of people given the full name of an earlier, unrelated person, in another city
    /// and born in another year. Names are frequency-weighted, so these are mostly the
    /// "John Smith" kind.
    pub namesake_rate: f64,
    pub variations: Variations,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            people: 10_000,
            seed: 0,
            duplicate_rate: 0.4,
            max_copies: 5,
            household_rate: 0.10,
            twin_rate: 0.15,
            neighbour_rate: 0.05,
            namesake_rate: 0.02,
            variations: Variations::default(),
        }
    }
}

impl SynthOptions {
    /// The default mix for `people` people from `seed`.
    pub fn new(people: usize, seed: u64) -> SynthOptions {
        SynthOptions {
            people,
            seed,
            ..SynthOptions::default()
        }
    }
}

/// How records of one person differ. `missing_*` apply to every record (a person's first
/// record may lack a field too, but every record keeps at least two of email, phone, address
/// and birth date); the others apply to each record after the first, drawn independently
/// from the person's true profile (copies are not copies of copies).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variations {
    /// Phone written in another of the usual formats ("(916) 555-1234", "916.555.1234",
    /// "+1 916 555 1234", ...).
    pub phone_format: f64,
    /// Email in capitals or title case ("John.Smith@Gmail.com").
    pub email_case: f64,
    /// A Gmail address with its dots changed or a `+tag` added.
    pub gmail_variant: f64,
    /// One typo (adjacent letters swapped, a letter dropped or doubled) in the given or the
    /// family name.
    pub name_typo: f64,
    /// The given name as a nickname ("Bob" for Robert), when it has one.
    pub nickname: f64,
    /// The whole name in capitals or lower case.
    pub name_case: f64,
    pub missing_email: f64,
    pub missing_phone: f64,
    /// No street lines; half of these lack city, state and ZIP as well.
    pub missing_address: f64,
    pub missing_dob: f64,
    /// The person's other address (after a move), everything else unchanged.
    pub moved: f64,
    /// Day and month of the birth date swapped (when both are 12 or less and differ).
    pub dob_transposed: f64,
    /// Birth date in another format (ISO, MM/DD/YYYY, M/D/YYYY).
    pub date_format: f64,
    /// Street words spelled out or abbreviated, the unit written another way or on the other
    /// line, city case or "Saint"/"St.", state name or code, country spelling, ZIP+4.
    pub address_format: f64,
}

impl Default for Variations {
    fn default() -> Self {
        Variations {
            phone_format: 0.5,
            email_case: 0.1,
            gmail_variant: 0.25,
            name_typo: 0.08,
            nickname: 0.15,
            name_case: 0.05,
            missing_email: 0.15,
            missing_phone: 0.15,
            missing_address: 0.15,
            missing_dob: 0.25,
            moved: 0.07,
            dob_transposed: 0.04,
            date_format: 0.3,
            address_format: 0.35,
        }
    }
}

/// Why a person exists: most are `Single`; the others are the hard negatives. Kept for error
/// analysis ("which false positives were twins?"), not needed for scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PersonKind {
    Single,
    /// Shares the full name of an earlier person in another city.
    Namesake,
    /// Member of a multi-person household (family name, address and unit shared).
    Household,
    /// A household member born on the same day as another member.
    Twin,
    /// Lives in a building with other generated people, in another unit.
    Neighbour,
}

/// One generated record and the entity it belongs to: two records are a true match iff
/// they have the same `person`.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthRecord {
    pub raw: RawRecord,
    pub person: u64,
    pub kind: PersonKind,
}

/// All records, shuffled, with ids "r1", "r2", ... in order. Holds everything in memory; for
/// a million people prefer [`generate_iter`].
pub fn generate(options: &SynthOptions) -> Vec<SynthRecord> {
    let mut records: Vec<SynthRecord> = Generator::new(options.clone()).collect();
    records.shuffle(&mut shuffle_rng(options.seed));
    for (index, record) in records.iter_mut().enumerate() {
        record.raw.id = format!("r{}", index + 1);
    }
    records
}

/// The same records as [`generate`] (same people, same values), streamed: they are shuffled
/// within a window of 65,536 records rather than globally, so memory stays bounded and a
/// person's records land at most a window or so apart. Ids are "r1", "r2", ... in the
/// order yielded.
pub fn generate_iter(options: &SynthOptions) -> SynthStream {
    SynthStream {
        generator: Generator::new(options.clone()),
        buffer: Vec::with_capacity(STREAM_WINDOW),
        shuffle: shuffle_rng(options.seed),
        yielded: 0,
    }
}

/// The iterator [`generate_iter`] returns.
pub struct SynthStream {
    generator: Generator,
    buffer: Vec<SynthRecord>,
    shuffle: ChaCha8Rng,
    yielded: u64,
}

impl Iterator for SynthStream {
    type Item = SynthRecord;

    fn next(&mut self) -> Option<SynthRecord> {
        while self.buffer.len() < STREAM_WINDOW {
            match self.generator.next() {
                Some(record) => self.buffer.push(record),
                None => break,
            }
        }
        if self.buffer.is_empty() {
            return None;
        }
        let index = self.shuffle.gen_range(0..self.buffer.len());
        let mut record = self.buffer.swap_remove(index);
        self.yielded += 1;
        record.raw.id = format!("r{}", self.yielded);
        Some(record)
    }
}

/// CSV columns of [`to_csv_row`], in order. The ground truth goes in a separate file
/// (`id`, [`truth_column`]), so the data file can be fed to the engine as it is.
pub fn csv_header() -> &'static [&'static str] {
    &CSV_COLUMNS
}

/// The record's values in [`csv_header`] order, blank where missing. Values are raw (an
/// address line may contain a comma): the CSV writer quotes them.
pub fn to_csv_row(record: &SynthRecord) -> Vec<String> {
    let mut row = Vec::with_capacity(CSV_COLUMNS.len());
    row.push(record.raw.id.clone());
    for column in &CSV_COLUMNS[1..] {
        let value = Field::parse(column)
            .and_then(|field| record.raw.fields.get(&field))
            .cloned()
            .unwrap_or_default();
        row.push(value);
    }
    row
}

/// Name of the ground-truth column (the entity id) in the truth file next to the data.
pub fn truth_column() -> &'static str {
    "person"
}

/// (record id, person) pairs: the `truth` argument of [`crate::eval::evaluate`].
pub fn truth(records: &[SynthRecord]) -> Vec<(String, u64)> {
    records
        .iter()
        .map(|record| (record.raw.id.clone(), record.person))
        .collect()
}

const CSV_COLUMNS: [&str; 13] = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_1",
    "address_2",
    "city",
    "postcode",
    "state",
    "country",
    "date_of_birth",
    "external_id",
];

const STREAM_WINDOW: usize = 1 << 16;
const SHUFFLE_SALT: u64 = 0x5eed_5b0f_f1e5_0f0f;

fn shuffle_rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ SHUFFLE_SALT)
}
