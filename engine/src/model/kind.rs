//! What each comparison looks at and how it decides the level of a pair. Every decision
//! borrows from the two records and allocates nothing: the batch path runs them tens of
//! millions of times.

use serde::{Deserialize, Serialize};

use crate::model::similarity::{dob_close, jaro_winkler, phone_equivalent};
use crate::normalize::name::related_given_names;
use crate::record::{Record, Text};

/// The comparisons the engine knows. Thresholds are data, saved with the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ComparisonKind {
    /// exact / nickname-canonical / JW >= high / swapped with the last name / JW >= low /
    /// initial ("j" and "john") / else.
    FirstName { jw_high: f64, jw_low: f64 },
    /// exact / JW >= high / JW >= low / else.
    LastName { jw_high: f64, jw_low: f64 },
    /// exact / provider-canonical (Gmail dots, +tags) / same local part, other domain / else.
    Email,
    /// exact / a numbering-plan variant or the same last seven digits / else.
    Phone,
    /// same line and unit / same line, unit on one side only or not comparable / same line,
    /// different unit (neighbours) / a similar line (a slip, the same house number) / else.
    Address,
    /// same postcode / same city (and state when both have one) / else.
    PostcodeCity,
    /// exact / day and month swapped, one digit off or two neighbouring digits swapped / same year / else.
    DateOfBirth,
    /// exact / else.
    ExternalId,
    /// exact / else on `Record::others[key]`.
    Other { key: String },
}

/// The value columns counted by `TermFrequencies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TfColumn {
    Given,
    Family,
    City,
    Postcode,
}

pub(crate) mod level {
    pub const FIRST_EXACT: u8 = 0;
    pub const FIRST_NICKNAME: u8 = 1;
    pub const FIRST_JW_HIGH: u8 = 2;
    pub const FIRST_SWAPPED: u8 = 3;
    pub const FIRST_JW_LOW: u8 = 4;
    pub const FIRST_INITIAL: u8 = 5;
    pub const FIRST_ELSE: u8 = 6;

    pub const LAST_EXACT: u8 = 0;
    pub const LAST_JW_HIGH: u8 = 1;
    pub const LAST_JW_LOW: u8 = 2;
    pub const LAST_ELSE: u8 = 3;

    pub const EMAIL_EXACT: u8 = 0;
    pub const EMAIL_CANONICAL: u8 = 1;
    pub const EMAIL_LOCAL: u8 = 2;
    pub const EMAIL_SLIP: u8 = 3;
    pub const EMAIL_ELSE: u8 = 4;

    pub const PHONE_EXACT: u8 = 0;
    pub const PHONE_VARIANT: u8 = 1;
    pub const PHONE_ELSE: u8 = 2;

    pub const ADDRESS_SAME_UNIT: u8 = 0;
    pub const ADDRESS_UNIT_MISSING: u8 = 1;
    pub const ADDRESS_OTHER_UNIT: u8 = 2;
    pub const ADDRESS_SIMILAR: u8 = 3;
    pub const ADDRESS_ELSE: u8 = 4;

    pub const PLACE_POSTCODE: u8 = 0;
    pub const PLACE_CITY: u8 = 1;
    pub const PLACE_ELSE: u8 = 2;

    pub const DOB_EXACT: u8 = 0;
    pub const DOB_CLOSE: u8 = 1;
    pub const DOB_YEAR: u8 = 2;
    pub const DOB_ELSE: u8 = 3;

    pub const EXACT: u8 = 0;
    pub const ELSE: u8 = 1;
}

use level::*;

impl ComparisonKind {
    /// The level of the pair, or `None` when either side lacks the value.
    pub fn level(&self, a: &Record, b: &Record) -> Option<u8> {
        match self {
            ComparisonKind::FirstName { jw_high, jw_low } => first_name(a, b, *jw_high, *jw_low),
            ComparisonKind::LastName { jw_high, jw_low } => {
                let (x, y) = both(&a.family, &b.family)?;
                Some(if x == y {
                    LAST_EXACT
                } else {
                    match jaro_winkler(x, y) {
                        s if s >= *jw_high => LAST_JW_HIGH,
                        s if s >= *jw_low => LAST_JW_LOW,
                        _ => LAST_ELSE,
                    }
                })
            }
            ComparisonKind::Email => {
                let (x, y) = both(&a.email, &b.email)?;
                Some(if x == y {
                    EMAIL_EXACT
                } else if both(&a.email_canonical, &b.email_canonical).is_some_and(|(p, q)| p == q)
                {
                    EMAIL_CANONICAL
                } else if let Some(local) = local_part(x).filter(|l| Some(*l) == local_part(y)) {
                    // "nancy.smith" at two providers says no more than the names do: two Nancy
                    // Smiths pick it alike. Counted as evidence only when it holds more.
                    if spelled_from_names(local, a) || spelled_from_names(local, b) {
                        return None;
                    }
                    EMAIL_LOCAL
                } else if one_slip_apart(x, y) {
                    // A letter typed wrong, left out, added or two swapped. Where both sides
                    // are spelled from their own names ("john.smith", "joan.smith"), the names
                    // already say how alike they are.
                    if let (Some(p), Some(q)) = (local_part(x), local_part(y))
                        && spelled_from_names(p, a)
                        && spelled_from_names(q, b)
                    {
                        return None;
                    }
                    EMAIL_SLIP
                } else {
                    EMAIL_ELSE
                })
            }
            ComparisonKind::Phone => {
                let (x, y) = both(&a.phone, &b.phone)?;
                Some(if x == y {
                    PHONE_EXACT
                } else if phone_equivalent(x, y) {
                    PHONE_VARIANT
                } else {
                    PHONE_ELSE
                })
            }
            ComparisonKind::Address => {
                let (x, y) = both(&a.address_line, &b.address_line)?;
                Some(if x == y {
                    match (&a.address_unit, &b.address_unit) {
                        (None, None) => ADDRESS_SAME_UNIT,
                        (Some(p), Some(q)) => units(p, q),
                        _ => ADDRESS_UNIT_MISSING,
                    }
                } else if similar_lines(x, y) {
                    ADDRESS_SIMILAR
                } else {
                    ADDRESS_ELSE
                })
            }
            ComparisonKind::PostcodeCity => {
                let postcodes = both(&a.postcode, &b.postcode);
                let cities = both(&a.city, &b.city);
                if postcodes.is_some_and(|(p, q)| p == q) {
                    Some(PLACE_POSTCODE)
                } else if cities.is_some_and(|(p, q)| p == q)
                    && both(&a.state, &b.state).is_none_or(|(p, q)| p == q)
                {
                    Some(PLACE_CITY)
                } else if postcodes.is_some() || cities.is_some() {
                    Some(PLACE_ELSE)
                } else {
                    None
                }
            }
            ComparisonKind::DateOfBirth => {
                let (x, y) = both(&a.date_of_birth, &b.date_of_birth)?;
                Some(if x == y {
                    DOB_EXACT
                } else {
                    match dob_close(x, y) {
                        Some(true) => DOB_CLOSE,
                        Some(false) if x.get(..4) == y.get(..4) => DOB_YEAR,
                        _ => DOB_ELSE,
                    }
                })
            }
            ComparisonKind::ExternalId => {
                let (x, y) = both(&a.external_id, &b.external_id)?;
                Some(if x == y { EXACT } else { ELSE })
            }
            ComparisonKind::Other { key } => {
                let (x, y) = (a.others.get(key)?, b.others.get(key)?);
                Some(if x == y { EXACT } else { ELSE })
            }
        }
    }

    /// The labels of the levels, strongest first, "else" last.
    pub fn level_labels(&self) -> Vec<String> {
        let fixed = |labels: &[&str]| labels.iter().map(|l| (*l).to_owned()).collect();
        match self {
            ComparisonKind::FirstName { jw_high, jw_low } => vec![
                "exact".into(),
                "nickname".into(),
                format!("jaro_winkler >= {jw_high:.2}"),
                "swapped_with_last_name".into(),
                format!("jaro_winkler >= {jw_low:.2}"),
                "initial".into(),
                "else".into(),
            ],
            ComparisonKind::LastName { jw_high, jw_low } => vec![
                "exact".into(),
                format!("jaro_winkler >= {jw_high:.2}"),
                format!("jaro_winkler >= {jw_low:.2}"),
                "else".into(),
            ],
            ComparisonKind::Email => fixed(&[
                "exact",
                "provider_canonical",
                "same_local_part",
                "one_slip",
                "else",
            ]),
            ComparisonKind::Phone => fixed(&["exact", "variant_or_last_7_digits", "else"]),
            ComparisonKind::Address => fixed(&[
                "same_line_same_unit",
                "same_line_unit_missing",
                "same_line_different_unit",
                "similar_line",
                "else",
            ]),
            ComparisonKind::PostcodeCity => fixed(&["same_postcode", "same_city", "else"]),
            ComparisonKind::DateOfBirth => {
                fixed(&["exact", "transposed_or_one_digit_off", "same_year", "else"])
            }
            ComparisonKind::ExternalId | ComparisonKind::Other { .. } => fixed(&["exact", "else"]),
        }
    }

    pub fn level_count(&self) -> usize {
        match self {
            ComparisonKind::FirstName { .. } => 7,
            ComparisonKind::Address | ComparisonKind::Email => 5,
            ComparisonKind::LastName { .. } | ComparisonKind::DateOfBirth => 4,
            ComparisonKind::Phone | ComparisonKind::PostcodeCity => 3,
            ComparisonKind::ExternalId | ComparisonKind::Other { .. } => 2,
        }
    }

    /// Whether level `index` is a weaker agreement on the same value as the levels above it (a
    /// nickname, a close spelling), rather than evidence of another kind.
    pub fn is_weaker_spelling(&self, index: usize) -> bool {
        !matches!(
            (self, index as u8),
            (ComparisonKind::FirstName { .. }, FIRST_SWAPPED)
        )
    }

    /// The column whose value frequencies can adjust level `index`: only levels where both
    /// sides hold the very same value of that column.
    pub fn tf_column(&self, index: usize) -> Option<TfColumn> {
        match (self, index) {
            (ComparisonKind::FirstName { .. }, 0) => Some(TfColumn::Given),
            (ComparisonKind::LastName { .. }, 0) => Some(TfColumn::Family),
            (ComparisonKind::PostcodeCity, 0) => Some(TfColumn::Postcode),
            (ComparisonKind::PostcodeCity, 1) => Some(TfColumn::City),
            _ => None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        match self {
            ComparisonKind::FirstName { jw_high, jw_low }
            | ComparisonKind::LastName { jw_high, jw_low } => {
                if (0.0..=1.0).contains(jw_low) && (*jw_low..=1.0).contains(jw_high) {
                    Ok(())
                } else {
                    Err(format!(
                        "Jaro-Winkler thresholds must satisfy 0 <= low <= high <= 1, got {jw_low} and {jw_high}"
                    ))
                }
            }
            ComparisonKind::Other { key } if key.is_empty() => Err("empty key".into()),
            _ => Ok(()),
        }
    }
}

/// The record's value in a term-frequency column.
pub(crate) fn tf_value(column: TfColumn, record: &Record) -> Option<&str> {
    match column {
        TfColumn::Given => record.given.as_deref(),
        TfColumn::Family => record.family.as_deref(),
        TfColumn::City => record.city.as_deref(),
        TfColumn::Postcode => record.postcode.as_deref(),
    }
}

fn both<'r>(a: &'r Option<Text>, b: &'r Option<Text>) -> Option<(&'r str, &'r str)> {
    Some((a.as_deref()?, b.as_deref()?))
}

fn local_part(email: &str) -> Option<&str> {
    email
        .rsplit_once('@')
        .map(|(local, _)| local)
        .filter(|l| !l.is_empty())
}

fn first_name(a: &Record, b: &Record, jw_high: f64, jw_low: f64) -> Option<u8> {
    let (x, y) = both(&a.given, &b.given)?;
    if x == y {
        return Some(FIRST_EXACT);
    }
    if both(&a.given_canonical, &b.given_canonical).is_some_and(|(p, q)| p == q)
        || related_given_names(x, y)
    {
        return Some(FIRST_NICKNAME);
    }
    let similarity = jaro_winkler(x, y);
    Some(if similarity >= jw_high {
        FIRST_JW_HIGH
    } else if names_crossed(a, b, jw_high, jw_low) {
        // "Smith John" against "John Smith": the names are there, in the wrong columns.
        FIRST_SWAPPED
    } else if similarity >= jw_low {
        FIRST_JW_LOW
    } else if is_initial_of(x, y) || is_initial_of(y, x) {
        FIRST_INITIAL
    } else {
        FIRST_ELSE
    })
}

/// Whether an email's local part is only the record's names ("nancy.smith", "nsmith",
/// "smith_nancy", "nancy"), separators and up to four trailing digits aside. Compares without allocating: scoring runs this on
/// millions of pairs.
fn spelled_from_names(local: &str, record: &Record) -> bool {
    // A number after the names ("aiden77", "nancy.smith1985": a birth year, mostly) is picked
    // alike too.
    let stem = local.trim_end_matches(|c: char| c.is_ascii_digit());
    let local = if local.len() - stem.len() <= 4 {
        stem
    } else {
        local
    };
    let letters = || local.chars().filter(|c| !matches!(c, '.' | '_' | '-'));
    let given = record.given.as_deref().unwrap_or("");
    let family = record.family.as_deref().unwrap_or("");
    if letters().next().is_none() {
        return false;
    }
    fn initial(name: &str) -> &str {
        name.get(..name.chars().next().map_or(0, char::len_utf8))
            .unwrap_or("")
    }
    let (gi, fi) = (initial(given), initial(family));
    let spellings: [[&str; 2]; 7] = [
        [given, family],
        [family, given],
        [gi, family],
        [given, fi],
        [family, gi],
        [given, ""],
        [family, ""],
    ];
    spellings.iter().any(|[first, second]| {
        !(first.is_empty() && second.is_empty())
            && letters().eq(first.chars().chain(second.chars()))
    })
}

/// Two units on one street line. Their identifiers (the words with a digit, and single letters:
/// "4b" in "apt 4b", "c" in "unit c") tell flats apart: different ones are neighbours. Units
/// written as names ("rothwell", a farm or a building) carry no number: a close spelling is the
/// same unit, another name is not comparable.
fn units(p: &str, q: &str) -> u8 {
    if p == q {
        return ADDRESS_SAME_UNIT;
    }
    fn identifier(unit: &str) -> impl Iterator<Item = &str> {
        unit.split_whitespace()
            .filter(|w| w.chars().any(|c| c.is_ascii_digit()) || w.chars().count() == 1)
    }
    let (i, j) = (
        identifier(p).next().is_some(),
        identifier(q).next().is_some(),
    );
    match (i, j) {
        (true, true) if identifier(p).eq(identifier(q)) => ADDRESS_SAME_UNIT,
        (true, true) => ADDRESS_OTHER_UNIT,
        (false, false) if jaro_winkler(p, q) >= SIMILAR_UNIT => ADDRESS_SAME_UNIT,
        _ => ADDRESS_UNIT_MISSING,
    }
}

/// Jaro-Winkler at or above which two unit names are one spelled twice.
const SIMILAR_UNIT: f64 = 0.85;
/// Jaro-Winkler at or above which two street lines with the same house number are one.
const SIMILAR_LINE: f64 = 0.88;

/// A street line with a slip: the same house number (or none on either side), the rest close.
fn similar_lines(x: &str, y: &str) -> bool {
    fn number(line: &str) -> Option<&str> {
        line.split_whitespace()
            .next()
            .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
    }
    number(x) == number(y) && jaro_winkler(x, y) >= SIMILAR_LINE
}

/// "j" against "john".
/// Whether each record's given name is the other's family name, allowing a slip or a
/// nickname on one side ("Smith John" / "John Smith", "Walerworth Damuel" / "Samuel
/// Walerworth", "Miller Patty" / "Patricia Miller"): both crossed pairs at least loosely
/// alike, one of them closely.
fn names_crossed(a: &Record, b: &Record, jw_high: f64, jw_low: f64) -> bool {
    let (Some((x, y)), Some((p, q))) = (both(&a.given, &b.given), both(&a.family, &b.family))
    else {
        return false;
    };
    // A crossing with a slip in the first letter of both names is rare; most pairs of two
    // different people stop here, before any Jaro-Winkler.
    let first = |s: &str| s.as_bytes().first().copied();
    if first(x) != first(q) && first(y) != first(p) {
        return false;
    }
    let alike = |given: &str, family: &str| {
        if given == family {
            return 1.0;
        }
        match jaro_winkler(given, family) {
            s if s < jw_low && related_given_names(given, family) => 1.0,
            s => s,
        }
    };
    // a's given name against b's family name, then a's family name against b's given name
    // (most pairs stop at the first: scoring runs this on every pair whose first names differ).
    let one = alike(x, q);
    if one < jw_low {
        return false;
    }
    let other = alike(y, p);
    other >= jw_low && one.max(other) >= jw_high
}

/// Whether two different strings are one typing slip apart: one character changed, left out
/// or added, or two neighbours swapped. Linear, without allocating (scoring runs it on millions
/// of pairs).
fn one_slip_apart(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let start = long.iter().zip(short).take_while(|(p, q)| p == q).count();
    if long.len() == short.len() {
        if start == long.len() {
            return false;
        }
        let (tail_long, tail_short) = (&long[start + 1..], &short[start + 1..]);
        // Changed at `start`, or `start` and the next swapped.
        tail_long == tail_short
            || (start + 1 < long.len()
                && long[start] == short[start + 1]
                && long[start + 1] == short[start]
                && long[start + 2..] == short[start + 2..])
    } else {
        // One character more in `long`, at `start`.
        long[start + 1..] == short[start..]
    }
}

fn is_initial_of(initial: &str, name: &str) -> bool {
    let mut chars = initial.chars();
    match (chars.next(), chars.next()) {
        (Some(first), None) => name.starts_with(first),
        _ => false,
    }
}
