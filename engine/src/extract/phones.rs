//! Phone numbers in free text. The hard part is what is not a phone: order and invoice
//! numbers, dates, prices, ZIP codes, times, IP addresses and long digit runs. A candidate
//! must pass the shape and context checks below and then be a valid number for the region.

use std::sync::LazyLock;

use regex::Regex;

use crate::normalize::phone::{Phone, Region};

/// A digit run with the punctuation phone numbers use, and an optional extension.
static CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?P<number>\+?\(?[0-9][0-9 .\-()/\u{00A0}]*[0-9])(?P<ext>\s*(?:ext\.?|extension|x)\s*[0-9]{1,6})?",
    )
    .expect("phone candidate pattern compiles")
});

/// Shapes that are something else even when the digits would dial.
static NOT_A_PHONE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"^[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}$", // 2024-01-15
        r"^[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}$", // 01/15/2024, 15.01.24
        r"^[0-9]{5}-[0-9]{4}$",                      // ZIP+4
        r"^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$",          // IPv4
        r"^[0-9]+\.[0-9]{1,2}$",                     // 1234567.89
    ]
    .iter()
    .map(|pattern| Regex::new(pattern).expect("shape pattern compiles"))
    .collect()
});

/// Words that, right before a number, say it identifies something other than a phone.
const ID_WORDS: &[&str] = &[
    "account",
    "acct",
    "awb",
    "card",
    "case",
    "claim",
    "code",
    "confirmation",
    "conf",
    "customer",
    "ean",
    "iban",
    "id",
    "invoice",
    "inv",
    "isbn",
    "item",
    "license",
    "member",
    "membership",
    "model",
    "order",
    "orders",
    "package",
    "parcel",
    "part",
    "passport",
    "pin",
    "po",
    "policy",
    "postal",
    "receipt",
    "ref",
    "reference",
    "routing",
    "serial",
    "shipment",
    "sku",
    "ssn",
    "ticket",
    "track",
    "tracking",
    "transaction",
    "txn",
    "upc",
    "vin",
    "waybill",
    "zip",
];
/// Words allowed between an id word and the number ("order number is 123...").
const FILLER_WORDS: &[&str] = &["is", "no", "nr", "num", "number", "was", "#"];

/// E.164's 15 digits, plus room for a dialled international prefix (011, 00).
const MAX_DIGITS: usize = 18;
/// No subscriber number anywhere is shorter once an area code is included.
const MIN_DIGITS: usize = 7;
/// A bare run of digits longer than this is an id, not someone's number.
const MAX_BARE_RUN: usize = 12;
/// Phone numbers are written in at most this many space-separated groups.
const MAX_GROUPS: usize = 8;

/// Phone numbers in free text ("call me at (916) 555-1234"), without false positives on
/// order numbers ("order #123456789"), dates (2024-01-15, 01/15/2024), prices ($1,234.56),
/// zip codes (95814, 95814-1234), times, long ids or credit-card-like digit runs. Numbers
/// without a country code are read in `region`. Returns normalized, deduplicated, in order
/// of appearance.
pub fn extract_phones(text: &str, region: Region) -> Vec<Phone> {
    phones_in_text(text, region).collect()
}

/// The same, found as they are asked for: taking the first few reads only as far as they are.
pub fn phones_in_text(text: &str, region: Region) -> impl Iterator<Item = Phone> + '_ {
    let mut found: Vec<Phone> = Vec::new();
    CANDIDATE
        .captures_iter(text)
        .flat_map(move |caps| {
            let Some(number) = caps.name("number") else {
                return Vec::new();
            };
            let extension = caps.name("ext");
            let end = extension.map_or(number.end(), |ext| ext.end());
            if !free_standing(text, number.start(), end) {
                return Vec::new();
            }
            phones_in(
                text,
                number.start(),
                number.end(),
                extension.map(|e| e.as_str()),
                region,
            )
        })
        .filter(move |phone| {
            if found.contains(phone) {
                return false;
            }
            found.push(phone.clone());
            true
        })
}

/// Two numbers can share one candidate ("2024-01-15 916-555-1234", "916 555 1234 916 555
/// 9876"): try the longest run of space-separated groups first, left to right.
fn phones_in(
    text: &str,
    start: usize,
    end: usize,
    extension: Option<&str>,
    region: Region,
) -> Vec<Phone> {
    let groups = groups(text, start, end);
    let mut phones = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let longest = (i + MAX_GROUPS).min(groups.len());
        let mut accepted = None;
        for j in (i + 1..=longest).rev() {
            let (span_start, span_end) = (groups[i].0, groups[j - 1].1);
            let ext = extension.filter(|_| span_end == end);
            if let Some(phone) = phone_at(text, span_start, span_end, ext, region) {
                accepted = Some((phone, j));
                break;
            }
        }
        match accepted {
            Some((phone, next)) => {
                phones.push(phone);
                i = next;
            }
            None => i += 1,
        }
    }
    phones
}

/// Byte ranges of the whitespace-separated groups within `text[start..end]`.
fn groups(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut group_start = None;
    for (offset, c) in text[start..end].char_indices() {
        let at = start + offset;
        match (c.is_whitespace(), group_start) {
            (true, Some(s)) => {
                ranges.push((s, at));
                group_start = None;
            }
            (false, None) => group_start = Some(at),
            _ => {}
        }
    }
    if let Some(s) = group_start {
        ranges.push((s, end));
    }
    ranges
}

fn phone_at(
    text: &str,
    start: usize,
    end: usize,
    extension: Option<&str>,
    region: Region,
) -> Option<Phone> {
    let span = &text[start..end];
    if !plausible_shape(span) || follows_id_word(&text[..start]) {
        return None;
    }
    let raw = match extension {
        Some(ext) => format!("{span}{ext}"),
        None => span.to_string(),
    };
    Phone::parse(&raw, region).ok()
}

fn plausible_shape(span: &str) -> bool {
    let digits = span.chars().filter(char::is_ascii_digit).count();
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
        return false;
    }
    let bare_run = span.chars().all(|c| c.is_ascii_digit());
    if bare_run && digits > MAX_BARE_RUN {
        return false;
    }
    !NOT_A_PHONE.iter().any(|shape| shape.is_match(span))
}

/// The candidate is not glued to a word, a currency, a '#', an email or a decimal.
fn free_standing(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let mut after = text[end..].chars();
    let (next, next_next) = (after.next(), after.next());
    let glued_before = before.is_some_and(|c| c.is_alphanumeric() || "#$€£¥@/_-.&=%+".contains(c));
    let glued_after = match next {
        Some(c) if c.is_alphanumeric() || "@%/_".contains(c) => true,
        // "12.50", "1,234", "10:30", "555-1234-99": the run continues past our match.
        Some('.' | ',' | ':' | '-') => next_next.is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    !glued_before && !glued_after
}

/// "order #", "Invoice number:", "tracking no." right before the number.
fn follows_id_word(before: &str) -> bool {
    let tail_start = before
        .char_indices()
        .rev()
        .nth(40)
        .map_or(0, |(index, _)| index);
    let tail = before[tail_start..].to_lowercase();
    let mut words: Vec<&str> = tail
        .split(|c: char| !(c.is_alphanumeric() || c == '#'))
        .filter(|w| !w.is_empty())
        .collect();
    while words.last().is_some_and(|w| FILLER_WORDS.contains(w)) {
        words.pop();
    }
    words
        .last()
        .is_some_and(|w| ID_WORDS.contains(&w.trim_end_matches('#')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(text: &str) -> Vec<String> {
        extract_phones(text, Region::default())
            .into_iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn phone_in_a_chat_message_is_extracted() {
        assert_eq!(
            phones("Hi! Book for 6 people. Call me at (916) 555-1234 thanks!"),
            vec!["+19165551234"]
        );
    }

    #[test]
    fn usual_spellings_are_extracted() {
        let cases: &[(&str, &[&str])] = &[
            ("My number is 916-555-1234", &["+19165551234"]),
            ("text 9165551234 please", &["+19165551234"]),
            ("+1 916 555 1234", &["+19165551234"]),
            ("call 916.555.1234.", &["+19165551234"]),
            ("Phone:(916)555-1234", &["+19165551234"]),
            ("office 916-555-1234 ext. 12", &["+19165551234;ext=12"]),
            ("Brazil: +55 11 98765-4321!", &["+5511987654321"]),
            (
                "London +44 20 7946 0958, NYC +1 212 555 0100",
                &["+442079460958", "+12125550100"],
            ),
            (
                "916-555-1234 or 916-555-9876",
                &["+19165551234", "+19165559876"],
            ),
            (
                "916 555 1234 916 555 9876",
                &["+19165551234", "+19165559876"],
            ),
            ("on 2024-01-15 call 916-555-1234", &["+19165551234"]),
            ("2024-01-15 916-555-1234", &["+19165551234"]),
            ("(916) 555-1234 / (916) 555-1234", &["+19165551234"]),
            ("my order is late, call 9165551234", &["+19165551234"]),
        ];
        for (text, expected) in cases {
            assert_eq!(phones(text), *expected, "text {text:?}");
        }
    }

    #[test]
    fn order_number_is_not_extracted_as_phone() {
        for text in [
            "order #123456789",
            "Order #9165551234",
            "Order number: 9165551234",
            "order no. 916-555-1234",
            "invoice 9165551234",
            "Tracking #: 9165551234",
            "ref:9165551234",
            "id=9165551234",
        ] {
            assert!(
                phones(text).is_empty(),
                "text {text:?} gave {:?}",
                phones(text)
            );
        }
    }

    #[test]
    fn dates_prices_zips_times_and_ids_are_not_phones() {
        for text in [
            "see you 2024-01-15",
            "due 01/15/2024",
            "on 15.01.2024",
            "total $1,234.56",
            "total $9165551234",
            "costs 9165551.23 pesos",
            "ZIP 95814",
            "ZIP 95814-1234",
            "at 10:30 or 14:45:00",
            "server 192.168.100.200",
            "card 4111 1111 1111 1111",
            "card 4111-1111-1111-1111",
            "id 12345678901234567890",
            "txn 916555123456789",
            "ABC9165551234",
            "9165551234abc",
            "9165551234@txt.example.com",
            "50% of 9165551234%",
            "1234567",
            "555-555-5555",
        ] {
            assert!(
                phones(text).is_empty(),
                "text {text:?} gave {:?}",
                phones(text)
            );
        }
    }

    #[test]
    fn numbers_without_country_code_use_the_region() {
        let gb = Region::parse("GB").unwrap_or_default();
        let found: Vec<String> = extract_phones("ring 020 7946 0958 today", gb)
            .into_iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(found, vec!["+442079460958"]);
    }

    #[test]
    fn empty_and_digitless_text_yield_nothing() {
        assert!(phones("").is_empty());
        assert!(phones("no numbers here at all").is_empty());
    }
}
