//! Phone numbers: E.164 through libphonenumber's metadata (the `phonenumber` crate) read in a
//! per-tenant default region, extensions kept apart from the number, the country-specific
//! equivalent spellings of one line, and masking for logs.

mod national;
mod region;

use std::sync::LazyLock;

use phonenumber::PhoneNumber;
use phonenumber::metadata::{DATABASE, Metadata};
use regex::Regex;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::normalize::Variant;

pub use region::Region;

/// E.164 allows 15 digits; a dialled international prefix (011, 00) can add a few more.
const MAX_DIGITS: usize = 20;
/// Below this nothing is a subscriber number anywhere; saves asking the metadata.
const MIN_DIGITS: usize = 4;
const MAX_EXTENSION_DIGITS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("phone number is empty")]
    Empty,
    #[error("not a phone number")]
    NotANumber,
    #[error("phone number is too short")]
    TooShort,
    #[error("phone number is too long")]
    TooLong,
    #[error("not a valid phone number for {0}")]
    InvalidForRegion(String),
    #[error("unknown country calling code in {0:?}")]
    InvalidCountryCode(String),
    #[error("unknown region {0:?}: expected an ISO 3166 alpha-2 code such as US")]
    UnknownRegion(String),
}

/// A phone number that the numbering-plan metadata accepts as valid, stored in E.164
/// ("+19165551234"), with its extension (digits only) kept apart.
///
/// Validity, not mere plausibility, is required: the fictional 555-01xx numbers used in our
/// test data ("+1 212 555 0100") and "(916) 555-1234" are valid per the metadata, so nothing
/// forces a looser rule, and a strict one keeps typos ("+1 123 456 7890") from becoming
/// identifiers that could link strangers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone {
    e164: String,
    extension: Option<String>,
    country_code: u16,
}

static EXTENSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?P<number>.*?)\s*(?:;\s*ext\s*=\s*|,?\s*(?:extension|ext|x)\s*[.:]?\s*|#\s*)(?P<ext>[0-9]+)\s*$",
    )
    .expect("extension pattern compiles")
});

impl Phone {
    /// Reads any usual spelling ("(916) 555-1234", "916.555.1234", "+1 916 555 1234",
    /// "1-916-555-1234", "tel:+1-916-555-1234;ext=12", "011 44 20 7946 0958") in
    /// `default_region` unless it carries its own country code.
    pub fn parse(raw: &str, default_region: Region) -> Result<Phone, PhoneError> {
        // NFKC turns full-width digits and plus signs into ASCII.
        let text: String = raw.nfkc().collect();
        let text = text.trim();
        if text.is_empty() {
            return Err(PhoneError::Empty);
        }
        if text.len() > 200 {
            return Err(PhoneError::TooLong);
        }
        let text = text
            .get(..4)
            .filter(|head| head.eq_ignore_ascii_case("tel:"))
            .map_or(text, |_| &text[4..]);
        let (number, extension) = split_extension(text)?;
        let number = without_label_or_note(number);
        let (international, digits) = digits_of(number)?;
        if digits.len() < MIN_DIGITS {
            return Err(PhoneError::TooShort);
        }
        if digits.len() > MAX_DIGITS {
            return Err(PhoneError::TooLong);
        }
        let parsed = read(&digits, international, default_region)?;
        let valid = accept(parsed, default_region)?;
        Ok(Phone {
            // What the crate's E.164 formatter writes; it first matches the number against the
            // region's display formats, which E.164 never uses (a tenth of all reading time).
            e164: format!("+{}{}", valid.code().value(), valid.national()),
            extension,
            country_code: valid.code().value(),
        })
    }

    pub fn e164(&self) -> &str {
        &self.e164
    }

    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    pub fn country_code(&self) -> u16 {
        self.country_code
    }

    /// The national significant number: E.164 without "+" and the country code.
    pub fn national_number(&self) -> &str {
        let skip = 1 + self.country_code.to_string().len();
        self.e164.get(skip..).unwrap_or_default()
    }

    /// Country-specific equivalents: Brazil (+55) mobile with/without the 9th digit; Mexico
    /// (+52) with/without the legacy 1 after the country code; Argentina (+54) with/without
    /// the mobile 9 after the country code. Each a Variant with confidence 0.9.
    pub fn variants(&self) -> Vec<Variant> {
        national::variants(self.country_code, self.national_number())
    }

    /// Masked for logs and screens: country code and last four digits ("+1******1234");
    /// short numbers keep only two.
    pub fn masked(&self) -> String {
        let national = self.national_number();
        let keep = if national.len() >= 8 { 4 } else { 2 };
        let hidden = national.len().saturating_sub(keep);
        format!(
            "+{}{}{}",
            self.country_code,
            "*".repeat(hidden),
            national.get(hidden..).unwrap_or_default()
        )
    }
}

/// E.164, followed by ";ext=" and the extension when there is one (RFC 3966 style, which
/// `Phone::parse` reads back).
impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.e164)?;
        if let Some(extension) = &self.extension {
            write!(f, ";ext={extension}")?;
        }
        Ok(())
    }
}

/// Only the E.164 form is accepted on the wire: a number without its country code would be
/// read in a region the sender never chose.
impl TryFrom<String> for Phone {
    type Error = PhoneError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        if !value.trim_start().starts_with('+') {
            return Err(PhoneError::NotANumber);
        }
        Phone::parse(&value, Region::default())
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> Self {
        phone.to_string()
    }
}

fn split_extension(text: &str) -> Result<(&str, Option<String>), PhoneError> {
    let Some(caps) = EXTENSION.captures(text) else {
        return Ok((text, None));
    };
    let (Some(number), Some(extension)) = (caps.name("number"), caps.name("ext")) else {
        return Ok((text, None));
    };
    if extension.as_str().len() > MAX_EXTENSION_DIGITS {
        return Err(PhoneError::TooLong);
    }
    Ok((number.as_str(), Some(extension.as_str().to_string())))
}

/// Notes people write after a number to say which one it is.
const NOTES: &[&str] = &[
    "home", "work", "mobile", "cell", "office", "fax", "main", "personal", "business", "direct",
    "whatsapp", "landline", "day", "evening", "night", "private", "other", "mob", "tel", "phone",
];

/// The number without what forms and exports put around it: a label in front ("Phone:",
/// "tel.", "Mobile", anything before its first digit or "+", as libphonenumber reads it) and a
/// note after it ("(mobile)", "- home", "cell").
fn without_label_or_note(text: &str) -> &str {
    let Some(start) = text
        .char_indices()
        .find(|(_, c)| *c == '+' || decimal_digit(*c).is_some())
        .map(|(i, _)| i)
    else {
        // No digit at all: not a number, whatever its letters spell on a keypad.
        return text;
    };
    // An opening parenthesis belongs to the number: "(916) 555-1234".
    let start = match text[..start].char_indices().next_back() {
        Some((i, '(')) => i,
        _ => start,
    };
    let mut number = text[start..].trim_end();
    loop {
        let trimmed = number.trim_end_matches([' ', '-', ',', ';', '/']);
        let (rest, note) = match trimmed.strip_suffix(')') {
            Some(inner) => match inner.rfind('(') {
                Some(open) => (&inner[..open], &inner[open + 1..]),
                None => break,
            },
            None => match trimmed.char_indices().rfind(|(_, c)| !c.is_alphabetic()) {
                Some((at, c)) => trimmed.split_at(at + c.len_utf8()),
                None => break,
            },
        };
        let is_note = NOTES
            .iter()
            .any(|n| n.eq_ignore_ascii_case(note.trim().trim_end_matches('.')));
        if !is_note || rest.trim().is_empty() {
            break;
        }
        number = rest.trim_end();
    }
    number
}

/// A keypad letter's digit ("FLOWERS" is 3569377).
fn keypad_digit(c: char) -> Option<char> {
    Some(match c.to_ascii_uppercase() {
        'A'..='C' => '2',
        'D'..='F' => '3',
        'G'..='I' => '4',
        'J'..='L' => '5',
        'M'..='O' => '6',
        'P'..='S' => '7',
        'T'..='V' => '8',
        'W'..='Z' => '9',
        _ => return None,
    })
}

/// Letters a number must hold to be read as a keypad word ("1-800-FLOWERS"); fewer are a slip
/// ("12B"). libphonenumber uses the same three.
const MIN_KEYPAD_LETTERS: usize = 3;
/// A keypad word replaces at most a subscriber number's seven digits (eight with the letter
/// exchanges ignore: "1-800-CONTACTS"); more letters are words around a number.
const MAX_KEYPAD_LETTERS: usize = 8;
/// Digits a number with a keypad word still has: its area or toll-free code. "5pm tomorrow"
/// has one, and is no number.
const MIN_DIGITS_BESIDE_LETTERS: usize = 3;

/// The digits of a number and whether it started with "+", refusing anything that is not a
/// digit or the punctuation people put in numbers. Letters are read as a keypad when the number
/// holds at least three ("1-800-FLOWERS", "866TAXICAB"); one or two are refused.
fn digits_of(number: &str) -> Result<(bool, String), PhoneError> {
    let letters = number.chars().filter(char::is_ascii_alphabetic).count();
    let given = number
        .chars()
        .filter(|c| decimal_digit(*c).is_some())
        .count();
    let keypad = given >= MIN_DIGITS_BESIDE_LETTERS
        && (MIN_KEYPAD_LETTERS..=MAX_KEYPAD_LETTERS).contains(&letters);
    let mut international = false;
    let mut digits = String::new();
    for c in number.chars() {
        if let Some(d) = decimal_digit(c).or_else(|| keypad.then(|| keypad_digit(c)).flatten()) {
            digits.push(d);
        } else if c == '+' && digits.is_empty() && !international {
            international = true;
        } else if !(c.is_whitespace()
            || matches!(
                c,
                '-' | '.' | '(' | ')' | '/' | '\u{2010}'..='\u{2015}' | '\u{2212}'
            ))
        {
            return Err(PhoneError::NotANumber);
        }
    }
    if digits.is_empty() {
        return Err(PhoneError::NotANumber);
    }
    Ok((international, digits))
}

/// ASCII digits plus the Arabic-Indic ones that NFKC leaves alone.
fn decimal_digit(c: char) -> Option<char> {
    let zero = match c {
        '0'..='9' => return Some(c),
        '\u{0660}'..='\u{0669}' => 0x0660,
        '\u{06F0}'..='\u{06F9}' => 0x06F0,
        _ => return None,
    };
    char::from_digit(u32::from(c) - zero, 10)
}

fn read(digits: &str, international: bool, region: Region) -> Result<PhoneNumber, PhoneError> {
    // phonenumber 0.3 strips the *default region's* national prefix even from a number that
    // carries its own country code ("+55 11 9..." read in the US loses its area code 11), so
    // a number with a country code is always read without a default region, including one
    // dialled with the region's international prefix (011 in the US, 00 in most places).
    if international {
        return parse_with(None, &format!("+{digits}"), digits);
    }
    if let Some(rest) = after_international_prefix(digits, region) {
        return parse_with(None, &format!("+{rest}"), digits);
    }
    parse_with(Some(region), digits, digits)
}

fn after_international_prefix(digits: &str, region: Region) -> Option<&str> {
    let meta = DATABASE.by_id(region.as_str())?;
    let found = meta.international_prefix()?.find(digits)?;
    (found.start() == 0 && found.end() < digits.len()).then(|| &digits[found.end()..])
}

fn parse_with(region: Option<Region>, text: &str, digits: &str) -> Result<PhoneNumber, PhoneError> {
    phonenumber::parse(region.map(|r| r.id()), text).map_err(|e| match e {
        phonenumber::ParseError::InvalidCountryCode => {
            PhoneError::InvalidCountryCode(format!("+{digits}"))
        }
        phonenumber::ParseError::TooShortAfterIdd | phonenumber::ParseError::TooShortNsn => {
            PhoneError::TooShort
        }
        phonenumber::ParseError::TooLong => PhoneError::TooLong,
        phonenumber::ParseError::NoNumber | phonenumber::ParseError::MalformedInteger(_) => {
            PhoneError::NotANumber
        }
    })
}

/// Valid numbers pass; a superseded spelling whose current form is valid is stored in the
/// current form (see `national::modern_form`); anything else is refused with the most useful
/// reason the metadata gives.
fn accept(number: PhoneNumber, region: Region) -> Result<PhoneNumber, PhoneError> {
    if phonenumber::is_valid(&number) {
        return Ok(number);
    }
    let code = number.code().value();
    let national = number.national().to_string();
    if let Some(modern) = national::modern_form(code, &national)
        && let Ok(current) = phonenumber::parse(None, &modern)
        && phonenumber::is_valid(&current)
    {
        return Ok(current);
    }
    let Some(meta) = metadata_for(&number, region) else {
        return Err(PhoneError::InvalidForRegion(format!("+{code}")));
    };
    // This metadata leaves the general descriptor's lengths empty; the per-type ones
    // (fixed line, mobile, toll free...) carry them.
    let d = meta.descriptors();
    let lengths: Vec<u16> = [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
    .into_iter()
    .flatten()
    .flat_map(|descriptor| descriptor.possible_length().iter().copied())
    .collect();
    let length = u16::try_from(national.len()).unwrap_or(u16::MAX);
    match (lengths.iter().min(), lengths.iter().max()) {
        (Some(&min), _) if length < min => Err(PhoneError::TooShort),
        (_, Some(&max)) if length > max => Err(PhoneError::TooLong),
        _ => Err(PhoneError::InvalidForRegion(meta.id().to_string())),
    }
}

/// The numbering plan an invalid number was meant for: its own region when the metadata can
/// tell, else the default region when it shares the country code, else the code's main one.
fn metadata_for(number: &PhoneNumber, region: Region) -> Option<&'static Metadata> {
    let code = number.code().value();
    number
        .country()
        .id()
        .and_then(|id| DATABASE.by_id(id.as_ref()))
        .or_else(|| {
            (region.country_code() == Some(code))
                .then(|| DATABASE.by_id(region.as_str()))
                .flatten()
        })
        .or_else(|| {
            let metas = DATABASE.by_code(&code)?;
            metas
                .iter()
                .find(|meta| meta.is_main_country_for_code())
                .or(metas.first())
                .copied()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::VariantReason;

    fn region(code: &str) -> Region {
        Region::parse(code).unwrap_or_default()
    }

    fn e164(raw: &str, default_region: &str) -> Result<String, PhoneError> {
        Phone::parse(raw, region(default_region)).map(|p| p.e164().to_string())
    }

    #[test]
    fn every_us_spelling_renders_to_the_same_e164() {
        for raw in [
            "(916) 555-1234",
            "916-555-1234",
            "+1 916 555 1234",
            "9165551234",
            "1-916-555-1234",
            "+19165551234",
            "916.555.1234",
            "+1 (916) 555-1234",
            "tel:+1-916-555-1234",
            "011 1 916 555 1234",
            "＋１ ９１６ ５５５ １２３４",
            " \u{00A0}916 555 1234\t",
        ] {
            assert_eq!(e164(raw, "US"), Ok("+19165551234".into()), "input {raw:?}");
        }
    }

    #[test]
    fn fictional_555_01xx_numbers_are_valid_test_data() {
        assert_eq!(e164("+1 212 555 0100", "US"), Ok("+12125550100".into()));
        assert_eq!(e164("(212) 555-0199", "US"), Ok("+12125550199".into()));
    }

    #[test]
    fn numbers_with_a_country_code_ignore_the_default_region() {
        let cases = [
            ("+55 11 98765-4321", "US", "+5511987654321"),
            ("+54 11 1234 5678", "US", "+541112345678"),
            ("+44 20 7946 0958", "US", "+442079460958"),
            ("+44 (0) 20 7946 0958", "US", "+442079460958"),
            ("011 44 20 7946 0958", "US", "+442079460958"),
            ("0044 20 7946 0958", "FR", "+442079460958"),
            ("+33 6 12 34 56 78", "BR", "+33612345678"),
        ];
        for (raw, default_region, expected) in cases {
            assert_eq!(
                e164(raw, default_region),
                Ok(expected.into()),
                "input {raw:?}"
            );
        }
    }

    #[test]
    fn national_numbers_are_read_in_the_default_region() {
        let cases = [
            ("020 7946 0958", "GB", "+442079460958"),
            ("06 12 34 56 78", "FR", "+33612345678"),
            ("(11) 98765-4321", "BR", "+5511987654321"),
            ("011 1234-5678", "AR", "+541112345678"),
        ];
        for (raw, default_region, expected) in cases {
            assert_eq!(
                e164(raw, default_region),
                Ok(expected.into()),
                "input {raw:?}"
            );
        }
    }

    #[test]
    fn superseded_spellings_are_stored_in_the_current_form() {
        // Mexico dropped the mobile "1" in 2019; Brazil's eight-digit mobiles gained a 9.
        assert_eq!(e164("+52 1 55 1234 5678", "US"), Ok("+525512345678".into()));
        assert_eq!(e164("+5215512345678", "MX"), Ok("+525512345678".into()));
        assert_eq!(e164("+55 11 8765-4321", "US"), Ok("+5511987654321".into()));
    }

    #[test]
    fn extensions_are_kept_apart() {
        let cases = [
            ("+1 916 555 1234 x123", "123"),
            ("916-555-1234 ext. 45", "45"),
            ("916-555-1234 Ext 45", "45"),
            ("(916) 555-1234, extension 7", "7"),
            ("tel:+1-916-555-1234;ext=123", "123"),
            ("9165551234#9", "9"),
        ];
        for (raw, extension) in cases {
            let phone = Phone::parse(raw, Region::default());
            let phone = phone.unwrap_or_else(|e| panic!("{raw:?}: {e}"));
            assert_eq!(phone.e164(), "+19165551234", "input {raw:?}");
            assert_eq!(phone.extension(), Some(extension), "input {raw:?}");
        }
        let plain = Phone::parse("9165551234", Region::default());
        assert_eq!(plain.map(|p| p.extension().map(str::to_string)), Ok(None));
    }

    #[test]
    fn display_form_reads_back_to_the_same_phone() {
        let phone = Phone::parse("916-555-1234 x12", Region::default());
        let phone = phone.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(phone.to_string(), "+19165551234;ext=12");
        assert_eq!(Phone::parse(&phone.to_string(), region("GB")), Ok(phone));
    }

    #[test]
    fn bad_numbers_are_rejected_with_a_reason() {
        let cases = [
            ("", PhoneError::Empty),
            ("   ", PhoneError::Empty),
            ("call me", PhoneError::NotANumber),
            ("Room 12B", PhoneError::NotANumber),
            ("5pm tomorrow", PhoneError::NotANumber),
            ("916 555 12AB", PhoneError::NotANumber),
            ("+1 916 555 1234 +1", PhoneError::NotANumber),
            ("()--", PhoneError::NotANumber),
            ("12", PhoneError::TooShort),
            ("555-1234", PhoneError::TooShort),
            ("+1 916 555 01", PhoneError::TooShort),
            ("916555123456789012345", PhoneError::TooLong),
            ("+1 123 456 7890", PhoneError::InvalidForRegion("US".into())),
            ("555-555-5555", PhoneError::InvalidForRegion("US".into())),
            (
                "+999 1234 5678",
                PhoneError::InvalidCountryCode("+99912345678".into()),
            ),
        ];
        for (raw, expected) in cases {
            assert_eq!(e164(raw, "US"), Err(expected), "input {raw:?}");
        }
    }

    #[test]
    fn labels_notes_and_keypad_letters_are_read_as_people_write_them() {
        let cases = [
            ("Phone: (201) 555-1373", "US", "+12015551373"),
            ("ph +1 201 553 4839", "US", "+12015534839"),
            ("Tel. 030 1234567", "DE", "+49301234567"),
            ("Mobile: 07911 123456", "GB", "+447911123456"),
            ("(916) 555-1234 (mobile)", "US", "+19165551234"),
            ("+49 30 1234567 - home", "DE", "+49301234567"),
            ("916.555.1234 cell", "US", "+19165551234"),
            ("1-800-FLOWERS", "US", "+18003569377"),
            ("866TAXICAB", "US", "+18668294222"),
        ];
        for (raw, default_region, expected) in cases {
            assert_eq!(
                e164(raw, default_region),
                Ok(expected.into()),
                "input {raw:?}"
            );
        }
        // Digits of other scripts before a note keep their characters whole.
        assert_eq!(
            e164("+٩٦٦٥٠١٢٣٤٥٦٧ mobile", "US"),
            Ok("+966501234567".into())
        );
        // A note that is not one stays, and the number is refused.
        assert!(e164("916 555 1234 call after 6", "US").is_err());
    }

    #[test]
    fn brazil_mobile_has_the_eight_digit_variant() {
        let phone = Phone::parse("+55 11 98765-4321", Region::default());
        let variants = phone.map(|p| p.variants()).unwrap_or_default();
        assert_eq!(variants.len(), 1);
        assert_eq!(variants[0].value, "+551187654321");
        assert_eq!(variants[0].reason, VariantReason::MobileNinthDigit);
        assert!((variants[0].confidence - 0.9).abs() < 1e-9);
    }

    #[test]
    fn country_specific_variants_go_both_ways() {
        let cases = [
            (
                "+52 55 1234 5678",
                "+5215512345678",
                VariantReason::MexicoLegacyOne,
            ),
            (
                "+54 9 11 1234 5678",
                "+541112345678",
                VariantReason::ArgentinaMobileNine,
            ),
            (
                "+54 11 1234 5678",
                "+5491112345678",
                VariantReason::ArgentinaMobileNine,
            ),
        ];
        for (raw, expected, reason) in cases {
            let variants = Phone::parse(raw, Region::default())
                .map(|p| p.variants())
                .unwrap_or_default();
            let values: Vec<_> = variants
                .iter()
                .map(|v| (v.value.as_str(), v.reason))
                .collect();
            assert_eq!(values, vec![(expected, reason)], "input {raw:?}");
        }
    }

    #[test]
    fn other_countries_have_no_variants() {
        for raw in ["+19165551234", "+442079460958", "+55 11 3456-7890"] {
            let variants = Phone::parse(raw, Region::default()).map(|p| p.variants());
            assert_eq!(variants, Ok(vec![]), "input {raw:?}");
        }
    }

    #[test]
    fn masking_shows_country_code_and_last_four() {
        let cases = [
            ("+19165551234", "+1******1234"),
            ("+442079460958", "+44******0958"),
            ("+5511987654321", "+55*******4321"),
        ];
        for (raw, expected) in cases {
            let masked = Phone::parse(raw, Region::default()).map(|p| p.masked());
            assert_eq!(masked, Ok(expected.to_string()), "input {raw:?}");
        }
    }

    #[test]
    fn serde_accepts_only_e164() {
        let phone: Result<Phone, _> = serde_json::from_str("\"+1 916 555 1234\"");
        assert_eq!(
            phone.map(|p| p.to_string()).ok().as_deref(),
            Some("+19165551234")
        );
        assert!(serde_json::from_str::<Phone>("\"9165551234\"").is_err());
        let json = Phone::parse("+19165551234", Region::default())
            .map(|p| serde_json::to_string(&p).unwrap_or_default());
        assert_eq!(json, Ok("\"+19165551234\"".to_string()));
    }
}
