//! The person record the batch path and the probabilistic model compare: raw fields as a file or
//! a profile gives them, and the normalized, comparison-ready form built from them once.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::normalize::address::{Address, AddressInput};
use crate::normalize::email::Email;
use crate::normalize::name::PersonName;
use crate::normalize::phone::{Phone, Region};

/// The fields the engine understands. Anything else is `Other(name)`, compared exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    FirstName,
    LastName,
    FullName,
    Email,
    Phone,
    Address1,
    Address2,
    City,
    Postcode,
    State,
    Country,
    DateOfBirth,
    ExternalId,
    Other(String),
}

impl Field {
    /// "first_name", ..., or "other:NAME".
    pub fn parse(name: &str) -> Option<Field> {
        let name = name.trim();
        Some(match name.to_ascii_lowercase().as_str() {
            "first_name" => Field::FirstName,
            "last_name" => Field::LastName,
            "full_name" => Field::FullName,
            "email" => Field::Email,
            "phone" => Field::Phone,
            "address_1" => Field::Address1,
            "address_2" => Field::Address2,
            "city" => Field::City,
            "postcode" => Field::Postcode,
            "state" => Field::State,
            "country" => Field::Country,
            "date_of_birth" => Field::DateOfBirth,
            "external_id" => Field::ExternalId,
            lower => {
                let other = lower.strip_prefix("other:")?.trim();
                if other.is_empty() {
                    return None;
                }
                Field::Other(other.to_owned())
            }
        })
    }

    pub fn name(&self) -> String {
        match self {
            Field::FirstName => "first_name".into(),
            Field::LastName => "last_name".into(),
            Field::FullName => "full_name".into(),
            Field::Email => "email".into(),
            Field::Phone => "phone".into(),
            Field::Address1 => "address_1".into(),
            Field::Address2 => "address_2".into(),
            Field::City => "city".into(),
            Field::Postcode => "postcode".into(),
            Field::State => "state".into(),
            Field::Country => "country".into(),
            Field::DateOfBirth => "date_of_birth".into(),
            Field::ExternalId => "external_id".into(),
            Field::Other(name) => format!("other:{name}"),
        }
    }
}

/// A record as it arrives: its id and whatever fields it has, unnormalized.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawRecord {
    pub id: String,
    pub fields: BTreeMap<Field, String>,
}

impl RawRecord {
    pub fn get(&self, field: &Field) -> Option<&str> {
        self.fields
            .get(field)
            .map(String::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

/// A normalized value: short ones (nearly every name, email, phone and date) are held inline,
/// without an allocation of their own; a million records hold fifteen of them each.
pub type Text = compact_str::CompactString;

/// A record normalized for comparison. Every field is optional: a missing value is "null" in
/// the model's terms, which neither agrees nor disagrees.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub id: String,
    /// Normalized given name and its nickname-canonical form ("bob" -> "robert").
    pub given: Option<Text>,
    pub given_canonical: Option<Text>,
    pub family: Option<Text>,
    /// Normalized full name ("given ... family").
    pub full_name: Option<Text>,
    pub email: Option<Text>,
    /// Provider-canonical email (Gmail without dots or +tags).
    pub email_canonical: Option<Text>,
    pub phone: Option<Text>,
    pub address_line: Option<Text>,
    /// Unit / apartment, kept apart so neighbours in one building differ.
    pub address_unit: Option<Text>,
    pub city: Option<Text>,
    pub postcode: Option<Text>,
    pub state: Option<Text>,
    pub country: Option<Text>,
    /// ISO 8601 date (YYYY-MM-DD) when the input could be read as a date.
    pub date_of_birth: Option<Text>,
    pub external_id: Option<Text>,
    pub others: BTreeMap<String, String>,
}

/// Why a raw value was not usable; the record is still built, without that field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldIssue {
    pub field: Field,
    pub message: String,
}

impl Record {
    /// A record of a person known by a parsed name and address (a message's sender): the
    /// same fields `from_raw` fills from text, without parsing anything again.
    pub fn of_person(name: Option<&PersonName>, address: Option<&Address>) -> Record {
        let mut record = Record::default();
        if let Some(name) = name {
            record.set_name(name, false);
        }
        if let Some(address) = address {
            record.set_address(address);
        }
        record
    }

    fn set_name(&mut self, name: &PersonName, lone_family: bool) {
        if lone_family {
            self.family = Some(Text::from(name.full()));
        } else {
            self.given = name.given().map(Text::from);
            self.given_canonical = name
                .canonical_given()
                .map(Text::from)
                .or_else(|| self.given.clone());
            self.family = name.family().map(Text::from);
        }
        self.full_name = Some(Text::from(name.full()));
    }

    fn set_address(&mut self, address: &Address) {
        self.address_line = Some(Text::from(address.line1()));
        self.address_unit = address.line2().map(Text::from);
        self.city = address.city().map(Text::from);
        self.postcode = address.postal_code().map(Text::from);
        self.state = address.region().map(Text::from);
        self.country = address.country().map(Text::from);
    }

    /// Normalizes a raw record. Unparseable values are dropped (and reported), never fatal.
    pub fn from_raw(raw: &RawRecord, region: Region) -> (Record, Vec<FieldIssue>) {
        let (mut record, mut issues) = Record::from_raw_but_phone(raw);
        if let Some(text) = raw.get(&Field::Phone) {
            record.set_phone(parse_phone(text, region), &mut issues);
        }
        (record, issues)
    }

    /// The phone number as parsed, or why it was left out.
    fn set_phone(&mut self, parsed: Result<String, String>, issues: &mut Vec<FieldIssue>) {
        match parsed {
            Ok(e164) => self.phone = Some(e164.into()),
            Err(message) => issues.push(FieldIssue {
                field: Field::Phone,
                message,
            }),
        }
    }

    /// As `from_raw`, but for the phone number, which a batch parses apart (see
    /// [`normalize_all`]).
    fn from_raw_but_phone(raw: &RawRecord) -> (Record, Vec<FieldIssue>) {
        let mut issues = Vec::new();
        let mut record = Record {
            id: raw.id.clone(),
            ..Record::default()
        };

        let name_text = match (
            raw.get(&Field::FirstName),
            raw.get(&Field::LastName),
            raw.get(&Field::FullName),
        ) {
            (Some(first), Some(last), _) => Some(format!("{first} {last}")),
            (Some(first), None, None) => Some(first.to_owned()),
            (None, Some(last), None) => Some(last.to_owned()),
            (_, _, Some(full)) => Some(full.to_owned()),
            (None, None, None) => None,
        };
        if let Some(text) = name_text {
            match PersonName::parse(&text) {
                Ok(name) => {
                    // A lone last name is a family name, not a given one.
                    let lone_family =
                        raw.get(&Field::FirstName).is_none() && raw.get(&Field::FullName).is_none();
                    record.set_name(&name, lone_family);
                }
                Err(e) => issues.push(FieldIssue {
                    field: Field::FullName,
                    message: e.to_string(),
                }),
            }
        }
        if let Some(value) = raw.get(&Field::Email) {
            match Email::parse(value) {
                Ok(email) => {
                    record.email_canonical = Some(email.canonical().into());
                    record.email = Some(Text::from(email.as_str()));
                }
                Err(e) => issues.push(FieldIssue {
                    field: Field::Email,
                    message: e.to_string(),
                }),
            }
        }
        if let Some(line1) = raw.get(&Field::Address1) {
            let input = AddressInput {
                line1,
                line2: raw.get(&Field::Address2),
                city: raw.get(&Field::City),
                region: raw.get(&Field::State),
                postal_code: raw.get(&Field::Postcode),
                country: raw.get(&Field::Country),
            };
            match Address::parse(input) {
                Ok(address) => record.set_address(&address),
                Err(e) => issues.push(FieldIssue {
                    field: Field::Address1,
                    message: e.to_string(),
                }),
            }
        } else {
            // Without a street line, city and postcode still carry evidence on their own.
            record.city = raw.get(&Field::City).map(|c| fold_simple(c).into());
            record.postcode = raw
                .get(&Field::Postcode)
                .map(|p| p.to_ascii_uppercase().replace(' ', "").into());
            record.state = raw.get(&Field::State).map(|c| fold_simple(c).into());
            record.country = raw.get(&Field::Country).map(|c| fold_simple(c).into());
        }
        if let Some(value) = raw.get(&Field::DateOfBirth) {
            match parse_date(value) {
                Some(date) => record.date_of_birth = Some(date.into()),
                None => issues.push(FieldIssue {
                    field: Field::DateOfBirth,
                    message: format!("not a date: {value:?}"),
                }),
            }
        }
        record.external_id = raw.get(&Field::ExternalId).map(Text::from);
        for (field, value) in &raw.fields {
            if let Field::Other(name) = field {
                let value = value.trim();
                if !value.is_empty() {
                    record.others.insert(name.clone(), value.to_lowercase());
                }
            }
        }
        (record, issues)
    }
}

fn parse_phone(text: &str, region: Region) -> Result<String, String> {
    Phone::parse(text, region)
        .map(|p| p.e164().to_owned())
        .map_err(|e| e.to_string())
}

/// Normalizes a batch. Phone parsing is half the cost, and the `phonenumber` crate keeps its
/// compiled patterns behind one lock: two threads parsing numbers mostly wait for each other
/// (a sixth of all reading time went to that wait). So the numbers are parsed on one thread,
/// each distinct spelling once (ignoring spaces and punctuation), while the other threads
/// normalize everything else; then each record gets its number.
pub fn normalize_all(raws: &[RawRecord], region: Region) -> Vec<(Record, Vec<FieldIssue>)> {
    let (phones, mut records) = rayon::join(
        || PhoneBook::parse(raws, region),
        || {
            raws.par_iter()
                .map(Record::from_raw_but_phone)
                .collect::<Vec<_>>()
        },
    );
    for ((record, issues), raw) in records.iter_mut().zip(raws) {
        if let Some(text) = raw.get(&Field::Phone) {
            record.set_phone(phones.get(text), issues);
        }
    }
    records
}

/// Every distinct spelling of a phone number in a batch, parsed once.
struct PhoneBook {
    parsed: rustc_hash::FxHashMap<String, Result<String, String>>,
    region: Region,
}

impl PhoneBook {
    fn key(text: &str) -> String {
        text.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '+')
            .collect()
    }

    fn parse(raws: &[RawRecord], region: Region) -> PhoneBook {
        let mut spellings: Vec<(String, &str)> = raws
            .iter()
            .filter_map(|r| r.get(&Field::Phone))
            .map(|t| (PhoneBook::key(t), t))
            .collect();
        spellings.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        spellings.dedup_by(|a, b| a.0 == b.0);
        let parsed = spellings
            .into_iter()
            .map(|(k, text)| (k, parse_phone(text, region)))
            .collect();
        PhoneBook { parsed, region }
    }

    fn get(&self, text: &str) -> Result<String, String> {
        self.parsed
            .get(&PhoneBook::key(text))
            .cloned()
            .unwrap_or_else(|| parse_phone(text, self.region))
    }
}

fn fold_simple(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Reads YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY (US order), DD.MM.YYYY and YYYYMMDD (ISO 8601's
/// basic form, common in registers and exports) into YYYY-MM-DD.
pub fn parse_date(value: &str) -> Option<String> {
    let value = value.trim();
    let parts: Vec<&str> = if value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()) {
        vec![&value[..4], &value[4..6], &value[6..]]
    } else {
        value.split(['-', '/', '.']).collect()
    };
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str| s.parse::<u32>().ok();
    let (year, month, day) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else if c.len() == 4 && value.contains('.') {
        (num(c)?, num(b)?, num(a)?)
    } else if c.len() == 4 {
        (num(c)?, num(a)?, num(b)?)
    } else {
        return None;
    };
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if !(1800..=2200).contains(&year) || day == 0 || day > days_in_month {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawRecord {
        RawRecord {
            id: "r1".into(),
            fields: pairs
                .iter()
                .filter_map(|(k, v)| Some((Field::parse(k)?, (*v).to_owned())))
                .collect(),
        }
    }

    #[test]
    fn fields_parse_including_other_columns() {
        assert_eq!(Field::parse("First_Name"), Some(Field::FirstName));
        assert_eq!(
            Field::parse("other:loyalty_id"),
            Some(Field::Other("loyalty_id".into()))
        );
        assert_eq!(Field::parse("other:"), None);
        assert_eq!(Field::parse("shoe_size"), None);
    }

    #[test]
    fn record_normalizes_every_field_and_reports_bad_ones() {
        let (record, issues) = Record::from_raw(
            &raw(&[
                ("first_name", "Bob"),
                ("last_name", "Smith"),
                ("email", "Bob.Smith+x@GMAIL.com"),
                ("phone", "not a phone"),
                ("address_1", "12 Main Street Apt 4"),
                ("city", "Austin"),
                ("postcode", "78701"),
                ("date_of_birth", "07/04/1980"),
            ]),
            Region::default(),
        );
        assert_eq!(record.given.as_deref(), Some("bob"));
        assert_eq!(record.given_canonical.as_deref(), Some("robert"));
        assert_eq!(record.family.as_deref(), Some("smith"));
        assert_eq!(
            record.email_canonical.as_deref(),
            Some("bobsmith@gmail.com")
        );
        assert_eq!(record.phone, None);
        assert!(record.address_unit.is_some());
        assert_eq!(record.date_of_birth.as_deref(), Some("1980-07-04"));
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, Field::Phone);
    }

    #[test]
    fn batch_normalization_matches_one_by_one() {
        let raws: Vec<RawRecord> = [
            "(916) 555-1234",
            "916-555-1234",
            "+1 916 555 1234",
            "916 555 1234 x12",
            "nope",
        ]
        .iter()
        .enumerate()
        .map(|(i, p)| RawRecord {
            id: i.to_string(),
            fields: [
                (Field::Phone, (*p).to_owned()),
                (Field::FullName, "Ann Lee".to_owned()),
            ]
            .into(),
        })
        .collect();
        let batch = normalize_all(&raws, Region::default());
        for (raw, (record, issues)) in raws.iter().zip(&batch) {
            let (single, single_issues) = Record::from_raw(raw, Region::default());
            assert_eq!(record, &single);
            assert_eq!(issues, &single_issues);
        }
        assert_eq!(
            batch[3].0.phone.as_deref(),
            Some("+19165551234"),
            "the extension is kept apart"
        );
        assert_eq!(batch[4].1.len(), 1);
    }

    #[test]
    fn dates_are_read_in_common_orders_and_impossible_ones_rejected() {
        assert_eq!(parse_date("1980-07-04").as_deref(), Some("1980-07-04"));
        assert_eq!(parse_date("04.07.1980").as_deref(), Some("1980-07-04"));
        assert_eq!(parse_date("2/29/2001"), None);
        assert_eq!(parse_date("2/29/2000").as_deref(), Some("2000-02-29"));
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("19810704").as_deref(), Some("1981-07-04"));
        assert_eq!(parse_date("19811304"), None, "no 13th month");
        assert_eq!(parse_date("04071981"), None, "eight digits are year first");
        assert_eq!(parse_date("1981074"), None);
    }
}
