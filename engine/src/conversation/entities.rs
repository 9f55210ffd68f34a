//! Facts a message names that a thread can be keyed on: order numbers, booking references,
//! dates, amounts of money and the tenant's products. Each pattern needs a cue (a keyword,
//! a '#', a currency, a month name) so that bare digit runs (phones, ZIP codes, years,
//! times) are left alone; phones stay the business of `crate::extract`.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde::{Deserialize, Serialize};

use super::calendar::CalendarDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    OrderNumber,
    BookingRef,
    Date,
    Amount,
    Product,
}

/// One fact found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entity {
    pub kind: EntityKind,
    /// Normalized: order and booking ids upper-case without '#' ("A-1042"); dates ISO
    /// ("2026-05-03"); amounts in units with two decimals and an ISO currency ("42.50 USD");
    /// products as spelt in the catalogue.
    pub value: String,
    /// Byte range in the message, on character boundaries.
    pub span: (usize, usize),
}

impl Entity {
    /// Two mentions of the same thing, wherever they were written.
    pub fn same_as(&self, other: &Entity) -> bool {
        self.kind == other.kind && self.value == other.value
    }
}

const ID: &str = r"(?P<hash>#\s?)?(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)";
/// Words between the keyword and the id ("order number is 1234", "booking ref: ABC123").
const FILLER: &str =
    r"(?:\s*(?:no\b\.?|nr\b\.?|num\b\.?|number\b|id\b|ref\b\.?|reference\b|code\b|is\b|was\b|:))*";

static ORDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\borders?\b(?P<filler>{FILLER})\s*{ID}"))
        .expect("order pattern compiles")
});
static BOOKING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:booking|reservation|confirmation|conf|ref|reference)\b(?P<filler>{FILLER})\s*{ID}"
    ))
    .expect("booking pattern compiles")
});
static HASH_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)#(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)").expect("hash id pattern compiles")
});

const NUMBER: &str = r"[0-9]{1,3}(?:,[0-9]{3}){1,3}(?:\.[0-9]{1,2})?|[0-9]{1,9}(?:\.[0-9]{1,2})?";
const CODES: &str = r"usd|eur|gbp|cad|aud|chf";
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?P<sym>[$€£])\s?(?P<n1>{NUMBER})|\b(?P<code>{CODES})\s?(?P<n2>{NUMBER})|(?P<n3>{NUMBER})\s?(?:(?P<sym3>[$€£])|(?P<word>{CODES}|dollars?|euros?|bucks)\b)"
    ))
    .expect("amount pattern compiles")
});

const MONTHS: &str = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?P<iy>[0-9]{{4}})-(?P<im>[0-9]{{1,2}})-(?P<id>[0-9]{{1,2}})\b|\b(?P<sa>[0-9]{{1,2}})(?P<sep>[/.])(?P<sb>[0-9]{{1,2}})[/.](?P<sy>[0-9]{{4}}|[0-9]{{2}})\b|\b(?P<m1>{MONTHS})\.?\s+(?P<d1>[0-9]{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y1>[0-9]{{4}})\b)?|\b(?P<d2>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{MONTHS})\b\.?(?:,?\s+(?P<y2>[0-9]{{4}})\b)?|\b(?P<rel>today|tonight|tomorrow|yesterday)\b"
    ))
    .expect("date pattern compiles")
});

/// Entities in `text`, in order of appearance, one per (kind, value). `known_products` are
/// the tenant's catalogue names, matched whole-word and case-insensitively, plural 's'
/// allowed. `today` anchors "tomorrow" and dates written without a year.
///
/// Conventions: "$" is USD; "3/5/2026" is month first (US) unless the first number is over
/// 12, "03.05.2026" is day first; a two-digit year ("3/5/26") is 20xx, with slashes only;
/// "May 3" without a year is the May 3 nearest to `today`; "tonight" is today.
/// "May" and "March" count as months only when capitalised ("you may 5 times" is not a date).
pub fn extract_entities(text: &str, known_products: &[&str], today: CalendarDate) -> Vec<Entity> {
    let mut found: Vec<Entity> = Vec::new();
    // A span already taken is not read again, so the order settles conflicts: amounts before
    // ids ("order is 150 dollars"), orders before bookings ("order ref 77123"), a bare '#'
    // last ("reservation #R-77" is not also an order "#R-77").
    amounts(text, &mut found);
    keyword_ids(text, &ORDER, EntityKind::OrderNumber, &mut found);
    keyword_ids(text, &BOOKING, EntityKind::BookingRef, &mut found);
    dates(text, today, &mut found);
    products(text, known_products, &mut found);
    hash_ids(text, &mut found);
    found.sort_by_key(|entity| entity.span);
    let mut unique: Vec<Entity> = Vec::with_capacity(found.len());
    for entity in found {
        if !unique.iter().any(|kept| kept.same_as(&entity)) {
            unique.push(entity);
        }
    }
    unique
}

fn push(found: &mut Vec<Entity>, kind: EntityKind, value: String, span: (usize, usize)) {
    let overlaps = found.iter().any(|e| e.span.0 < span.1 && span.0 < e.span.1);
    if !overlaps {
        found.push(Entity { kind, value, span });
    }
}

/// An id is something a system issued: it has a digit and at least three characters. With no
/// '#' and no "no."/"number" before it, an all-digit id needs four digits, so "order 12
/// cupcakes" is not order 12.
fn plausible_id(id: &str, marked: bool) -> bool {
    let has_digit = id.bytes().any(|b| b.is_ascii_digit());
    let all_digits = id.bytes().all(|b| b.is_ascii_digit());
    has_digit && id.len() >= 3 && id.len() <= 24 && (marked || !all_digits || id.len() >= 4)
}

/// "no.", "number", "ref" say an id follows; "is" and ":" do not ("order is 150 dollars").
fn names_an_id(filler: &str) -> bool {
    filler.split(|c: char| !c.is_alphabetic()).any(|word| {
        !word.is_empty() && !word.eq_ignore_ascii_case("is") && !word.eq_ignore_ascii_case("was")
    })
}

/// The id stops at the end of a token, not inside a decimal, a time or an email.
fn ends_cleanly(text: &str, end: usize) -> bool {
    let mut rest = text[end..].chars();
    match (rest.next(), rest.next()) {
        (Some(c), _) if c.is_alphanumeric() || c == '@' || c == '_' => false,
        (Some('.' | ',' | ':' | '/'), Some(c)) => !c.is_ascii_alphanumeric(),
        _ => true,
    }
}

fn starts_cleanly(text: &str, start: usize) -> bool {
    text[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !(c.is_alphanumeric() || "_@/.".contains(c)))
}

fn keyword_ids(text: &str, pattern: &Regex, kind: EntityKind, found: &mut Vec<Entity>) {
    for caps in pattern.captures_iter(text) {
        let Some(id) = caps.name("id") else { continue };
        let hash = caps.name("hash");
        let marked = hash.is_some() || caps.name("filler").is_some_and(|f| names_an_id(f.as_str()));
        if !plausible_id(id.as_str(), marked) || !ends_cleanly(text, id.end()) {
            continue;
        }
        let start = hash.map_or(id.start(), |h| h.start());
        push(found, kind, id.as_str().to_uppercase(), (start, id.end()));
    }
}

/// "#1234" with no keyword: an order, the commonest thing customers put a '#' before.
fn hash_ids(text: &str, found: &mut Vec<Entity>) {
    for caps in HASH_ID.captures_iter(text) {
        let (Some(whole), Some(id)) = (caps.get(0), caps.name("id")) else {
            continue;
        };
        if starts_cleanly(text, whole.start())
            && plausible_id(id.as_str(), true)
            && ends_cleanly(text, id.end())
        {
            push(
                found,
                EntityKind::OrderNumber,
                id.as_str().to_uppercase(),
                (whole.start(), id.end()),
            );
        }
    }
}

fn amounts(text: &str, found: &mut Vec<Entity>) {
    for caps in AMOUNT.captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        let Some(number) = caps.name("n1").or(caps.name("n2")).or(caps.name("n3")) else {
            continue;
        };
        let marker = ["sym", "code", "sym3", "word"]
            .iter()
            .find_map(|name| caps.name(name))
            .map(|m| m.as_str().to_lowercase());
        let Some(currency) = marker.as_deref().and_then(currency_code) else {
            continue;
        };
        if !starts_cleanly(text, whole.start()) || !ends_cleanly(text, whole.end()) {
            continue;
        }
        if let Some(cents) = cents(number.as_str()) {
            let value = format!("{}.{:02} {currency}", cents / 100, cents % 100);
            push(
                found,
                EntityKind::Amount,
                value,
                (whole.start(), whole.end()),
            );
        }
    }
}

fn currency_code(marker: &str) -> Option<&'static str> {
    Some(match marker {
        "$" | "usd" | "dollar" | "dollars" | "bucks" => "USD",
        "€" | "eur" | "euro" | "euros" => "EUR",
        "£" | "gbp" => "GBP",
        "cad" => "CAD",
        "aud" => "AUD",
        "chf" => "CHF",
        _ => return None,
    })
}

/// "1,234.5" → 123450.
fn cents(number: &str) -> Option<u64> {
    let digits: String = number.chars().filter(|c| *c != ',').collect();
    let (units, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    let units: u64 = units.parse().ok()?;
    let fraction: u64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    units.checked_mul(100)?.checked_add(fraction)
}

fn dates(text: &str, today: CalendarDate, found: &mut Vec<Entity>) {
    for caps in DATE.captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        if !starts_cleanly(text, whole.start()) || !ends_cleanly(text, whole.end()) {
            continue;
        }
        if let Some(date) = date_of(&caps, today) {
            push(
                found,
                EntityKind::Date,
                date.to_string(),
                (whole.start(), whole.end()),
            );
        }
    }
}

fn number<T: std::str::FromStr>(caps: &Captures<'_>, name: &str) -> Option<T> {
    caps.name(name)?.as_str().parse().ok()
}

fn date_of(caps: &Captures<'_>, today: CalendarDate) -> Option<CalendarDate> {
    if let Some(relative) = caps.name("rel") {
        let offset = match relative.as_str().to_lowercase().as_str() {
            "tomorrow" => 1,
            "yesterday" => -1,
            _ => 0,
        };
        return Some(today.add_days(offset));
    }
    if caps.name("iy").is_some() {
        return CalendarDate::new(
            number(caps, "iy")?,
            number(caps, "im")?,
            number(caps, "id")?,
        );
    }
    if caps.name("sy").is_some() {
        let (a, b): (u32, u32) = (number(caps, "sa")?, number(caps, "sb")?);
        let year: i32 = number(caps, "sy")?;
        let dotted = caps.name("sep").is_some_and(|sep| sep.as_str() == ".");
        // "2.1.10" is a version far more often than 2 January 2010.
        if dotted && year < 100 {
            return None;
        }
        let year = if year < 100 { 2000 + year } else { year };
        let day_first = dotted || a > 12;
        let (month, day) = if day_first { (b, a) } else { (a, b) };
        return CalendarDate::new(year, month, day);
    }
    let (month, day, year) = match caps.name("m1") {
        Some(month) => (month, number::<u32>(caps, "d1")?, caps.name("y1")),
        None => (
            caps.name("m2")?,
            number::<u32>(caps, "d2")?,
            caps.name("y2"),
        ),
    };
    let month_text = month.as_str();
    let ambiguous = matches!(month_text.to_lowercase().as_str(), "may" | "mar" | "march");
    if ambiguous && !month_text.starts_with(char::is_uppercase) {
        return None;
    }
    let month = month_number(month_text)?;
    match year {
        Some(year) => CalendarDate::new(year.as_str().parse().ok()?, month, day),
        None => nearest(month, day, today),
    }
}

fn month_number(name: &str) -> Option<u32> {
    let prefix: String = name.chars().take(3).collect::<String>().to_lowercase();
    let index = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| *m == prefix)?;
    Some(index as u32 + 1)
}

/// The month/day closest to `today`: in December "Jan 3" is next January, in January "Dec 28"
/// is last December.
fn nearest(month: u32, day: u32, today: CalendarDate) -> Option<CalendarDate> {
    (today.year() - 1..=today.year() + 1)
        .filter_map(|year| CalendarDate::new(year, month, day))
        .min_by_key(|date| (date.days_since_epoch() - today.days_since_epoch()).abs())
}

/// A character's first lowercase character: products are looked up by it, so each word of the
/// text is compared only with the names that can start there.
fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn products(text: &str, known_products: &[&str], found: &mut Vec<Entity>) {
    let mut by_first: HashMap<char, Vec<&str>> = HashMap::new();
    for product in known_products {
        if let Some(first) = product.trim().chars().next() {
            by_first.entry(fold(first)).or_default().push(product);
        }
    }
    if by_first.is_empty() {
        return;
    }
    let mut at = 0;
    while at < text.len() {
        let candidates = text[at..]
            .chars()
            .next()
            .and_then(|c| by_first.get(&fold(c)));
        if let Some(candidates) = candidates.filter(|_| starts_cleanly(text, at)) {
            let longest = candidates
                .iter()
                .filter_map(|product| product_at(text, at, product).map(|end| (end, *product)))
                .max_by_key(|(end, _)| *end);
            if let Some((end, product)) = longest {
                push(
                    found,
                    EntityKind::Product,
                    product.trim().to_string(),
                    (at, end),
                );
                at = end;
                continue;
            }
        }
        at += text[at..].chars().next().map_or(1, char::len_utf8);
    }
}

/// The end of `product` written at `start` (any case, optional plural 's'), if a word ends there.
fn product_at(text: &str, start: usize, product: &str) -> Option<usize> {
    let mut rest = text[start..].char_indices();
    let mut end = start;
    for expected in product.trim().chars() {
        let (offset, c) = rest.next()?;
        if !c.to_lowercase().eq(expected.to_lowercase()) {
            return None;
        }
        end = start + offset + c.len_utf8();
    }
    let after = |at: usize| text[at..].chars().next();
    let end = match after(end) {
        Some('s' | 'S') if after(end + 1).is_none_or(|c| !c.is_alphanumeric()) => end + 1,
        _ => end,
    };
    after(end)
        .is_none_or(|c| !c.is_alphanumeric())
        .then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract_phones;
    use crate::normalize::phone::Region;
    use proptest::prelude::*;

    const PRODUCTS: &[&str] = &["fruit platter", "platter", "Crème brûlée", "birthday cake"];

    fn today() -> CalendarDate {
        CalendarDate::new(2026, 5, 1).expect("a day")
    }

    fn found(text: &str) -> Vec<(EntityKind, String)> {
        extract_entities(text, PRODUCTS, today())
            .into_iter()
            .map(|e| (e.kind, e.value))
            .collect()
    }

    fn one(kind: EntityKind, value: &str) -> Vec<(EntityKind, String)> {
        vec![(kind, value.to_string())]
    }

    #[test]
    fn order_numbers_are_found_however_they_are_written() {
        for (text, value) in [
            ("I need help with my order #1234", "1234"),
            ("order 1234 is late", "1234"),
            ("Order #A-1042 please", "A-1042"),
            ("order no. 1234", "1234"),
            ("order number: 98765", "98765"),
            ("my order is 55512.", "55512"),
            ("re #a-1042", "A-1042"),
            ("order no. 916-555-1234", "916-555-1234"),
            ("order ref 77123", "77123"),
        ] {
            assert_eq!(
                found(text),
                one(EntityKind::OrderNumber, value),
                "text {text:?}"
            );
        }
    }

    #[test]
    fn booking_references_are_not_orders() {
        for (text, value) in [
            ("booking ABC123 for Saturday", "ABC123"),
            ("reservation #R-77", "R-77"),
            ("Booking reference: xk42z", "XK42Z"),
            ("confirmation no. 8812", "8812"),
        ] {
            assert_eq!(
                found(text),
                one(EntityKind::BookingRef, value),
                "text {text:?}"
            );
        }
    }

    #[test]
    fn amounts_are_normalized_to_cents_and_currency() {
        for (text, value) in [
            ("it was $42.50", "42.50 USD"),
            ("paid 42.50 USD", "42.50 USD"),
            ("paid usd 42.5", "42.50 USD"),
            ("total $1,234.56!", "1234.56 USD"),
            ("about 30 dollars", "30.00 USD"),
            ("€10 off", "10.00 EUR"),
            ("10€ off", "10.00 EUR"),
            ("£5.99 each", "5.99 GBP"),
        ] {
            assert_eq!(found(text), one(EntityKind::Amount, value), "text {text:?}");
        }
    }

    #[test]
    fn dates_resolve_to_iso_days() {
        for (text, value) in [
            ("pickup May 3", "2026-05-03"),
            ("pickup on the 3rd of May", "2026-05-03"),
            ("on 3/5/2026", "2026-03-05"),
            ("on 3/5/26", "2026-03-05"),
            ("on 15/5/2026", "2026-05-15"),
            ("on 03.05.2026", "2026-05-03"),
            ("delivered 2026-04-30", "2026-04-30"),
            ("can it come tomorrow?", "2026-05-02"),
            ("it came yesterday", "2026-04-30"),
            ("party on Dec 28th", "2025-12-28"),
            ("party on December 28, 2026", "2026-12-28"),
        ] {
            assert_eq!(found(text), one(EntityKind::Date, value), "text {text:?}");
        }
    }

    #[test]
    fn products_match_the_catalogue_longest_first() {
        assert_eq!(
            found("Two Fruit Platters and a CRÈME BRÛLÉE"),
            vec![
                (EntityKind::Product, "fruit platter".to_string()),
                (EntityKind::Product, "Crème brûlée".to_string()),
            ]
        );
        assert_eq!(found("the platterful"), vec![]);
    }

    #[test]
    fn numbers_that_are_something_else_yield_nothing() {
        for text in [
            "call me at 916-555-1234",
            "text (916) 555-1234 or +1 415 555 0100",
            "ZIP 95814-1234",
            "zip 95814",
            "see you at 5pm",
            "at 10:30 or 14:45",
            "back in 2024",
            "we're #1",
            "#blessed",
            "I want to order 12 cupcakes",
            "booking for 6 people",
            "my order is late",
            "you may 5 times",
            "it costs 42.50",
            "order is 150 dollars",
            "user#1234@example.com",
            "version 1.2.3",
            "version 2.1.10",
        ] {
            let entities = found(text);
            let has_id = entities.iter().any(|(kind, _)| *kind != EntityKind::Amount);
            assert!(!has_id, "text {text:?} gave {entities:?}");
        }
        assert_eq!(
            found("order is 150 dollars"),
            one(EntityKind::Amount, "150.00 USD")
        );
    }

    #[test]
    fn phones_stay_with_the_phone_extractor() {
        let text = "order #1234, call 916-555-1234 on May 3 about the $42.50 refund";
        assert_eq!(extract_phones(text, Region::default()).len(), 1);
        let entities = extract_entities(text, PRODUCTS, today());
        let kinds: Vec<EntityKind> = entities.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                EntityKind::OrderNumber,
                EntityKind::Date,
                EntityKind::Amount
            ]
        );
        assert!(
            entities
                .iter()
                .all(|e| !text[e.span.0..e.span.1].contains("555"))
        );
    }

    #[test]
    fn repeated_mentions_are_kept_once_with_their_first_span() {
        let text = "Order #1234? yes order 1234";
        let entities = extract_entities(text, PRODUCTS, today());
        assert_eq!(entities.len(), 1);
        assert_eq!(entities[0].span, (6, 11));
        assert_eq!(&text[6..11], "#1234");
    }

    #[test]
    fn normalized_values_read_back_to_themselves() {
        // Normalizers are idempotent: a value extracted again after a keyword is unchanged.
        for text in ["order #a-1042", "booking r-77", "$1,234.5"] {
            for entity in extract_entities(text, PRODUCTS, today()) {
                let again = match entity.kind {
                    EntityKind::OrderNumber => format!("order #{}", entity.value),
                    EntityKind::BookingRef => format!("booking #{}", entity.value),
                    _ => entity.value.clone(),
                };
                let reread = extract_entities(&again, PRODUCTS, today());
                assert_eq!(reread.first().map(|e| &e.value), Some(&entity.value));
            }
        }
    }

    proptest! {
        /// Every catalogue name written in the text, in any case, is found among hundreds of
        /// other names (the lookup by first letter never hides one).
        #[test]
        fn catalogue_names_are_found_in_any_case(
            picks in proptest::collection::vec((0usize..5, any::<bool>()), 1..6),
        ) {
            const NAMES: [&str; 5] =
                ["birthday cake", "Crème brûlée", "sourdough loaf", "gift basket", "Éclair"];
            let mut catalogue: Vec<String> = (0..300).map(|i| format!("item {i}")).collect();
            catalogue.extend(NAMES.iter().map(|n| n.to_string()));
            let catalogue: Vec<&str> = catalogue.iter().map(String::as_str).collect();
            let text = picks
                .iter()
                .map(|&(i, upper)| {
                    if upper { NAMES[i].to_uppercase() } else { NAMES[i].to_lowercase() }
                })
                .collect::<Vec<_>>()
                .join(" and ");
            let today = CalendarDate::new(2026, 5, 12).expect("a day");
            let found: Vec<String> = extract_entities(&text, &catalogue, today)
                .into_iter()
                .filter(|e| e.kind == EntityKind::Product)
                .map(|e| e.value)
                .collect();
            let mut expected: Vec<String> = Vec::new();
            for &(i, _) in &picks {
                if !expected.iter().any(|e| e == NAMES[i]) {
                    expected.push(NAMES[i].to_string());
                }
            }
            prop_assert_eq!(found, expected, "text {:?}", text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any text: no panic, spans on character boundaries, in order, not overlapping.
        #[test]
        fn spans_are_valid_on_any_text(text in "\\PC{0,80}") {
            let entities = extract_entities(&text, PRODUCTS, today());
            let mut last_end = 0;
            for entity in &entities {
                let (start, end) = entity.span;
                prop_assert!(start < end && end <= text.len());
                prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
                prop_assert!(start >= last_end);
                last_end = end;
            }
        }

        /// Texts built from the pieces the patterns look for, where the tricky cases live.
        #[test]
        fn spans_are_valid_on_entity_like_text(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("order"), Just("#"), Just("no."), Just("$"), Just("€"), Just("May"),
                    Just("3rd"), Just("1234"), Just("A-1"), Just("/"), Just("."), Just(" "),
                    Just("booking"), Just("platters"), Just("ß"), Just("İ"), Just("2026"),
                ],
                0..16,
            )
        ) {
            let text: String = parts.concat();
            for entity in extract_entities(&text, PRODUCTS, today()) {
                let (start, end) = entity.span;
                prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
                prop_assert!(start < end && end <= text.len());
            }
        }
    }
}
