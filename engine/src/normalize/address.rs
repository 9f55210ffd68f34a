//! Postal addresses: one normalized form per address and its SHA-256 hash, the identifier
//! that links orders shipped to the same door when a marketplace withholds the buyer's email.

mod one_line;
mod places;
mod vocabulary;

use sha2::{Digest, Sha256};

use crate::normalize::text::fold;

/// Longer than any real address field; past it the input is pasted text.
const MAX_FIELD_LEN: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("address line 1 is empty")]
    MissingLine1,
    #[error("address {0} is too long (at most 200 characters)")]
    TooLong(&'static str),
}

/// The raw fields of an address, borrowed from the caller (no copies for the common case of
/// parsing straight out of a request). `Default` gives empty fields, so callers write
/// `AddressInput { line1, city: Some(city), ..Default::default() }`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddressInput<'a> {
    pub line1: &'a str,
    pub line2: Option<&'a str>,
    pub city: Option<&'a str>,
    pub region: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    pub country: Option<&'a str>,
}

/// A normalized address. Street lines, city and region are lowercase without accents or
/// punctuation, with USPS abbreviations ("street" -> "st", "north" -> "n", "suite" -> "ste";
/// "unit" and "#" -> "apt"); a unit at the end of line 1 moves to line 2; US states and
/// Canadian provinces are abbreviated ("california" -> "ca"); postal codes are uppercase
/// letters and digits only, US ZIP+4 cut to 5 digits; countries are ISO alpha-2 when known
/// ("United States", "USA", "U.S." -> "US") and uppercase otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    line1: String,
    line2: Option<String>,
    city: Option<String>,
    region: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
}

impl Address {
    pub fn parse(input: AddressInput<'_>) -> Result<Address, AddressError> {
        let fields = [
            ("line 1", Some(input.line1)),
            ("line 2", input.line2),
            ("city", input.city),
            ("region", input.region),
            ("postal code", input.postal_code),
            ("country", input.country),
        ];
        for (name, value) in fields {
            if value.is_some_and(|v| v.chars().count() > MAX_FIELD_LEN) {
                return Err(AddressError::TooLong(name));
            }
        }

        let country = input.country.and_then(normalize_country);
        let mut line1 = street_words(input.line1);
        let unit = peel_unit(&mut line1);
        if line1.is_empty() {
            return Err(AddressError::MissingLine1);
        }
        let mut extra = input.line2.map(street_words).unwrap_or_default();
        // A bare "4B" on line 2 is an apartment; say so, so it equals "Apt 4B".
        if let [only] = extra.as_slice()
            && vocabulary::is_unit_identifier(only)
        {
            extra.insert(0, "apt".to_string());
        }
        // Sources that repeat the unit on both lines must not get a different hash.
        let line2 = if extra == unit {
            unit
        } else {
            [unit, extra].concat()
        };

        Ok(Address {
            line1: line1.join(" "),
            line2: non_empty(line2.join(" ")),
            city: input.city.and_then(normalize_city),
            region: input
                .region
                .and_then(|region| normalize_region(region, country.as_deref())),
            postal_code: input
                .postal_code
                .and_then(|postal| normalize_postal(postal, country.as_deref())),
            country,
        })
    }

    pub fn line1(&self) -> &str {
        &self.line1
    }

    pub fn line2(&self) -> Option<&str> {
        self.line2.as_deref()
    }

    pub fn city(&self) -> Option<&str> {
        self.city.as_deref()
    }

    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    pub fn postal_code(&self) -> Option<&str> {
        self.postal_code.as_deref()
    }

    pub fn country(&self) -> Option<&str> {
        self.country.as_deref()
    }

    /// The normalized fields as input again (for re-parsing, or storing field by field).
    pub fn as_input(&self) -> AddressInput<'_> {
        AddressInput {
            line1: &self.line1,
            line2: self.line2.as_deref(),
            city: self.city.as_deref(),
            region: self.region.as_deref(),
            postal_code: self.postal_code.as_deref(),
            country: self.country.as_deref(),
        }
    }

    /// SHA-256 (hex, lowercase, 64 chars) of the normalized fields joined with '|', missing
    /// ones as empty strings, INCLUDING line 2 (unit/apartment) so neighbours in one building
    /// never share a hash. No normalized field can contain '|', so the join is unambiguous.
    pub fn hash(&self) -> String {
        let joined = [
            self.line1.as_str(),
            self.line2.as_deref().unwrap_or_default(),
            self.city.as_deref().unwrap_or_default(),
            self.region.as_deref().unwrap_or_default(),
            self.postal_code.as_deref().unwrap_or_default(),
            self.country.as_deref().unwrap_or_default(),
        ]
        .join("|");
        hex::encode(Sha256::digest(joined.as_bytes()))
    }
}

/// The present fields, comma separated ("123 main st, apt 4b, sacramento, ca, 95814, US").
impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields = [
            Some(self.line1.as_str()),
            self.line2.as_deref(),
            self.city.as_deref(),
            self.region.as_deref(),
            self.postal_code.as_deref(),
            self.country.as_deref(),
        ];
        let present: Vec<&str> = fields.into_iter().flatten().collect();
        f.write_str(&present.join(", "))
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Folded words with punctuation gone: periods and apostrophes vanish ("P.O." -> "po"), '#'
/// stands alone, anything else separates words.
fn clean_words(raw: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(raw.len());
    for c in fold(raw).chars() {
        match c {
            '.' | '\'' | '\u{2019}' => {}
            '#' => cleaned.push_str(" # "),
            c if c.is_alphanumeric() => cleaned.push(c),
            _ => cleaned.push(' '),
        }
    }
    cleaned.split_whitespace().map(str::to_string).collect()
}

fn street_words(raw: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in clean_words(raw) {
        let word = vocabulary::abbreviate(&word).to_string();
        // "Apt #4B" says "apartment" twice.
        if word == "apt" && words.last().is_some_and(|last| last == "apt") {
            continue;
        }
        words.push(word);
    }
    words
}

/// Moves trailing "designator identifier" pairs ("apt 4b", "ste 200", "bldg c fl 3") off
/// line 1, keeping at least one word there.
fn peel_unit(line1: &mut Vec<String>) -> Vec<String> {
    let mut unit: Vec<String> = Vec::new();
    while line1.len() > 2 {
        let n = line1.len();
        if !(vocabulary::is_unit_designator(&line1[n - 2])
            && vocabulary::is_unit_identifier(&line1[n - 1]))
        {
            break;
        }
        let pair: Vec<String> = line1.drain(n - 2..).collect();
        unit.splice(0..0, pair);
    }
    unit
}

fn normalize_city(raw: &str) -> Option<String> {
    let words: Vec<String> = clean_words(raw)
        .iter()
        .map(|word| vocabulary::abbreviate_city_word(word).to_string())
        .collect();
    non_empty(words.join(" "))
}

fn normalize_region(raw: &str, country: Option<&str>) -> Option<String> {
    let cleaned = clean_words(raw).join(" ");
    let code = places::region_code(&cleaned, country);
    non_empty(code.map_or(cleaned, str::to_string))
}

/// Letters and digits only, uppercase ("sw1a 1aa" -> "SW1A1AA"), US ZIP+4 cut to the ZIP.
/// Leading zeros are kept: stripping them (as one of our source systems did) makes "01234"
/// and "1234" collide, and those are different zones in countries with four-digit codes. In
/// the US, where no ZIP has four digits, a four-digit code is one that a spreadsheet
/// truncated, so its zero is put back.
fn normalize_postal(raw: &str, country: Option<&str>) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let digits_only = code.chars().all(|c| c.is_ascii_digit());
    let code = match (country, code.len()) {
        (Some("US") | None, 9) if digits_only => code[..5].to_string(),
        (Some("US"), 4) if digits_only => format!("0{code}"),
        _ => code,
    };
    non_empty(code)
}

fn normalize_country(raw: &str) -> Option<String> {
    let cleaned = clean_words(raw).join(" ");
    if cleaned.is_empty() {
        return None;
    }
    Some(places::country_code(&cleaned).unwrap_or_else(|| cleaned.to_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: AddressInput<'_>) -> Address {
        Address::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"))
    }

    fn line(line1: &str) -> AddressInput<'_> {
        AddressInput {
            line1,
            ..Default::default()
        }
    }

    #[test]
    fn street_lines_use_usps_abbreviations() {
        let cases = [
            ("123 Main Street", "123 main st"),
            ("123 MAIN ST.", "123 main st"),
            ("456 North Park Avenue", "456 n park ave"),
            ("789 Sunset Boulevard", "789 sunset blvd"),
            ("1 Ocean Drive", "1 ocean dr"),
            ("22 Acacia Lane", "22 acacia ln"),
            ("5 Kings Court", "5 kings ct"),
            ("9 Elm Place", "9 elm pl"),
            ("10 Old Road", "10 old rd"),
            ("1600 Pennsylvania Ave NW", "1600 pennsylvania ave nw"),
            ("12 Rue de l'Église", "12 rue de leglise"),
            ("P.O. Box 42", "po box 42"),
            ("  123   Main\tSt  ", "123 main st"),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(line(input)).line1(), expected, "input {input:?}");
        }
    }

    #[test]
    fn unit_at_the_end_of_line1_moves_to_line2() {
        let cases = [
            ("123 Main St Apt 4B", "123 main st", "apt 4b"),
            ("123 Main St, Apt. 4B", "123 main st", "apt 4b"),
            ("123 Main St #4B", "123 main st", "apt 4b"),
            ("123 Main St # 4B", "123 main st", "apt 4b"),
            ("123 Main St Apt #4B", "123 main st", "apt 4b"),
            ("123 Main St Unit 4B", "123 main st", "apt 4b"),
            ("123 Main St Apartment 4B", "123 main st", "apt 4b"),
            ("500 Market St Suite 200", "500 market st", "ste 200"),
            (
                "500 Market St Bldg C Floor 3",
                "500 market st",
                "bldg c fl 3",
            ),
        ];
        for (input, line1, unit) in cases {
            let address = parse(line(input));
            assert_eq!(address.line1(), line1, "input {input:?}");
            assert_eq!(address.line2(), Some(unit), "input {input:?}");
        }
    }

    #[test]
    fn street_names_that_look_like_units_stay_on_line1() {
        let address = parse(line("10 Unit Road"));
        assert_eq!(address.line1(), "10 apt rd");
        assert_eq!(address.line2(), None);
        let address = parse(line("Apt 4B"));
        assert_eq!(address.line1(), "apt 4b");
    }

    #[test]
    fn line2_spellings_of_one_unit_are_equal() {
        let spellings = ["Apt 4B", "apt. 4b", "#4B", "Unit 4B", "4B", "Apartment 4-B"];
        let expected = ["apt 4b", "apt 4b", "apt 4b", "apt 4b", "apt 4b", "apt 4 b"];
        for (raw, expected) in spellings.iter().zip(expected) {
            let address = parse(AddressInput {
                line1: "123 Main St",
                line2: Some(raw),
                ..Default::default()
            });
            assert_eq!(address.line2(), Some(expected), "input {raw:?}");
        }
    }

    #[test]
    fn unit_given_on_both_lines_is_not_doubled() {
        let address = parse(AddressInput {
            line1: "123 Main St Apt 4B",
            line2: Some("Apt 4B"),
            ..Default::default()
        });
        assert_eq!(address.line2(), Some("apt 4b"));
    }

    #[test]
    fn postal_codes_are_normalized_without_losing_leading_zeros() {
        let cases = [
            ("95814-1234", Some("US"), "95814"),
            ("958141234", None, "95814"),
            ("95814", Some("United States"), "95814"),
            ("01234", Some("US"), "01234"),
            ("1234", Some("US"), "01234"),
            ("01234", None, "01234"),
            ("1234", Some("Australia"), "1234"),
            ("0123", Some("AU"), "0123"),
            ("sw1a 1aa", Some("UK"), "SW1A1AA"),
            ("M5V 2T6", Some("Canada"), "M5V2T6"),
            ("01310-100", Some("Brazil"), "01310100"),
        ];
        for (postal, country, expected) in cases {
            let address = parse(AddressInput {
                line1: "1 Main St",
                postal_code: Some(postal),
                country,
                ..Default::default()
            });
            assert_eq!(
                address.postal_code(),
                Some(expected),
                "input {postal:?} {country:?}"
            );
        }
    }

    #[test]
    fn leading_zero_zones_do_not_collide() {
        let with_zero = parse(AddressInput {
            line1: "1 Main St",
            postal_code: Some("0123"),
            country: Some("AU"),
            ..Default::default()
        });
        let without = parse(AddressInput {
            line1: "1 Main St",
            postal_code: Some("123"),
            country: Some("AU"),
            ..Default::default()
        });
        assert_ne!(with_zero.hash(), without.hash());
    }

    #[test]
    fn countries_become_iso_codes() {
        let cases = [
            ("United States", "US"),
            ("USA", "US"),
            ("U.S.", "US"),
            ("U.S.A.", "US"),
            ("us", "US"),
            ("United Kingdom", "GB"),
            ("UK", "GB"),
            ("Brasil", "BR"),
            ("México", "MX"),
            ("de", "DE"),
            ("Freedonia", "FREEDONIA"),
        ];
        for (country, expected) in cases {
            let address = parse(AddressInput {
                line1: "1 Main St",
                country: Some(country),
                ..Default::default()
            });
            assert_eq!(address.country(), Some(expected), "input {country:?}");
        }
    }

    #[test]
    fn regions_and_cities_are_folded_and_abbreviated() {
        let address = parse(AddressInput {
            line1: "1 Main St",
            city: Some("Saint Louis"),
            region: Some("Missouri"),
            country: Some("USA"),
            ..Default::default()
        });
        assert_eq!(address.city(), Some("st louis"));
        assert_eq!(address.region(), Some("mo"));

        let address = parse(AddressInput {
            line1: "1 Rue Principale",
            city: Some("Montréal"),
            region: Some("Québec"),
            ..Default::default()
        });
        assert_eq!(address.city(), Some("montreal"));
        assert_eq!(address.region(), Some("qc"));

        // A state name means nothing special outside its country.
        let address = parse(AddressInput {
            line1: "1 Rua A",
            region: Some("Georgia"),
            country: Some("BR"),
            ..Default::default()
        });
        assert_eq!(address.region(), Some("georgia"));
    }

    #[test]
    fn empty_line1_is_rejected() {
        assert_eq!(Address::parse(line("")), Err(AddressError::MissingLine1));
        assert_eq!(
            Address::parse(line(" ,.; ")),
            Err(AddressError::MissingLine1)
        );
        let long = "a".repeat(201);
        assert_eq!(
            Address::parse(line(&long)),
            Err(AddressError::TooLong("line 1"))
        );
    }

    #[test]
    fn hash_is_sha256_hex_of_the_joined_fields() {
        let address = parse(AddressInput {
            line1: "123 Main St",
            line2: Some("Apt 4B"),
            city: Some("Austin"),
            region: Some("TX"),
            postal_code: Some("78701"),
            country: Some("US"),
        });
        let expected = hex::encode(Sha256::digest(b"123 main st|apt 4b|austin|tx|78701|US"));
        assert_eq!(address.hash(), expected);
        assert_eq!(address.hash().len(), 64);
        assert!(
            address
                .hash()
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn unit_number_changes_the_address_hash() {
        let base = AddressInput {
            line1: "123 Main St",
            city: Some("Austin"),
            region: Some("TX"),
            postal_code: Some("78701"),
            country: Some("US"),
            ..Default::default()
        };
        let a = parse(AddressInput {
            line2: Some("Apt 4B"),
            ..base
        });
        let b = parse(AddressInput {
            line2: Some("Apt 4C"),
            ..base
        });
        let none = parse(base);
        assert_ne!(a.hash(), b.hash());
        assert_ne!(a.hash(), none.hash());
    }

    #[test]
    fn spellings_of_one_address_share_a_hash() {
        let a = parse(AddressInput {
            line1: "123 North Main Street, Apartment 4B",
            city: Some("SACRAMENTO"),
            region: Some("California"),
            postal_code: Some("95814-1234"),
            country: Some("United States"),
            ..Default::default()
        });
        let b = parse(AddressInput {
            line1: "123 N. Main St.",
            line2: Some("#4b"),
            city: Some("Sacramento"),
            region: Some("CA"),
            postal_code: Some("95814"),
            country: Some("USA"),
        });
        assert_eq!(a, b);
        assert_eq!(a.hash(), b.hash());
        assert_eq!(
            a.to_string(),
            "123 n main st, apt 4b, sacramento, ca, 95814, US"
        );
    }
}
