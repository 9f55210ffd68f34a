//! How one value gets written: phone and date formats, unit spellings, and the slips copies
//! make (typos, Gmail dots and tags, capitals). Pure string functions over a seeded RNG.

use rand::Rng;
use rand::seq::SliceRandom;
use unicode_normalization::UnicodeNormalization;

/// A name as it goes into an email address: lower-case ASCII letters, accents folded
/// ("Müller" gives "muller"), anything else dropped ("O'Brien" gives "obrien").
pub fn ascii_letters(name: &str) -> String {
    name.nfd()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Two neighbouring characters swapped at `at` ("Smith", 2 gives "Smtih"), the commonest slip;
/// too short a value is left as it is.
pub fn transpose(value: &str, at: usize) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    if at + 1 < chars.len() {
        chars.swap(at, at + 1);
    }
    chars.into_iter().collect()
}

pub(super) fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// One keyboard slip: two adjacent letters swapped, a letter dropped or doubled. The first
/// letter is left alone (people rarely get it wrong), and short names are only doubled.
pub(super) fn typo(rng: &mut impl Rng, name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    let letters = |chars: &[char], i: usize| chars.get(i).is_some_and(|c| c.is_alphabetic());
    if chars.len() < 3 {
        return name.to_owned();
    }
    let at = rng.gen_range(1..chars.len() - 1);
    match rng.gen_range(0..3) {
        0 if letters(&chars, at) && letters(&chars, at + 1) => return transpose(name, at),
        1 if chars.len() >= 4 && letters(&chars, at) => {
            chars.remove(at);
        }
        _ if letters(&chars, at) => chars.insert(at, chars[at]),
        _ => {}
    }
    chars.into_iter().collect()
}

pub(super) fn gmail_variant(rng: &mut impl Rng, email: &str) -> String {
    let (local, domain) = email.rsplit_once('@').expect("an address has an @");
    if rng.gen_bool(0.5) {
        let tag = ["shop", "news", "orders", "promo", "amazon", "2024", "deals"]
            .choose(rng)
            .expect("tags");
        return format!("{local}+{tag}@{domain}");
    }
    if local.contains('.') {
        return format!("{}@{domain}", local.replace('.', ""));
    }
    let chars: Vec<char> = local.chars().collect();
    if chars.len() < 2 {
        return email.to_owned();
    }
    let at = rng.gen_range(1..chars.len());
    let (head, tail) = chars.split_at(at);
    format!(
        "{}.{}@{domain}",
        head.iter().collect::<String>(),
        tail.iter().collect::<String>()
    )
}

pub(super) fn email_case(rng: &mut impl Rng, email: &str) -> String {
    if rng.gen_bool(0.3) {
        return email.to_uppercase();
    }
    // Title case per part: "john.smith@gmail.com" -> "John.Smith@Gmail.com".
    let mut out = String::with_capacity(email.len());
    let mut start = true;
    for c in email.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = matches!(c, '.' | '@' | '_');
    }
    out
}

pub(super) const PHONE_FORMAT_WEIGHTS: [u32; 8] = [30, 25, 10, 10, 10, 8, 4, 3];

pub(super) fn format_phone(number: u64, style: usize) -> String {
    let area = number / 10_000_000;
    let exchange = number / 10_000 % 1000;
    let line = number % 10_000;
    match style {
        0 => format!("({area}) {exchange}-{line:04}"),
        1 => format!("{area}-{exchange}-{line:04}"),
        2 => format!("{area}.{exchange}.{line:04}"),
        3 => format!("+1 {area} {exchange} {line:04}"),
        4 => format!("{area}{exchange}{line:04}"),
        5 => format!("+1{area}{exchange}{line:04}"),
        6 => format!("1-{area}-{exchange}-{line:04}"),
        _ => format!("+1 ({area}) {exchange}-{line:04}"),
    }
}

pub(super) fn format_date((year, month, day): (u16, u8, u8), style: usize) -> String {
    match style {
        0 => format!("{year:04}-{month:02}-{day:02}"),
        1 => format!("{month:02}/{day:02}/{year:04}"),
        _ => format!("{month}/{day}/{year:04}"),
    }
}

/// "Apt 4B" on line 2, "#4B", "Unit 4B", a bare "4B", on line 1 after the street ("... Apt
/// 4B", "..., Apt 4B", "... #4B"), or "Apartment 4B" on line 2.
pub(super) const UNIT_FORMAT_WEIGHTS: [u32; 8] = [35, 10, 10, 10, 15, 10, 5, 5];

/// As written, in capitals, lower case, or with "Saint"/"Fort" spelled the other way.
pub(super) fn city_name(name: &str, style: usize) -> String {
    match style {
        0 => name.to_owned(),
        1 => name.to_uppercase(),
        2 => name.to_lowercase(),
        _ => {
            if let Some(rest) = name.strip_prefix("St. ") {
                format!("Saint {rest}")
            } else if let Some(rest) = name.strip_prefix("Fort ") {
                format!("Ft. {rest}")
            } else {
                name.to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::normalize::email::Email;
    use crate::normalize::phone::{Phone, Region};

    #[test]
    fn names_fold_to_the_letters_an_address_can_hold() {
        assert_eq!(ascii_letters("Müller"), "muller");
        assert_eq!(ascii_letters("Zoë"), "zoe");
        assert_eq!(ascii_letters("José"), "jose");
        assert_eq!(ascii_letters("O'Brien-Smith"), "obriensmith");
        assert_eq!(transpose("Smith", 2), "Smtih");
        assert_eq!(transpose("Müller", 0), "üMller");
        assert_eq!(transpose("Li", 1), "Li");
    }

    #[test]
    fn every_phone_format_reads_back_as_the_same_number() {
        let number = 9_165_551_234;
        for style in 0..PHONE_FORMAT_WEIGHTS.len() {
            let text = format_phone(number, style);
            let phone =
                Phone::parse(&text, Region::default()).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(phone.e164(), "+19165551234", "{text}");
        }
    }

    #[test]
    fn every_date_format_reads_back_as_the_same_date() {
        for style in 0..3 {
            let text = format_date((1980, 7, 4), style);
            assert_eq!(
                crate::record::parse_date(&text).as_deref(),
                Some("1980-07-04"),
                "{text}"
            );
        }
    }

    #[test]
    fn typos_change_one_letter_at_most_and_never_the_first() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut changed = 0;
        for _ in 0..200 {
            let typed = typo(&mut rng, "Jennifer");
            assert!(typed.starts_with('J'), "{typed}");
            assert!(
                strsim::damerau_levenshtein("Jennifer", &typed) <= 1,
                "{typed}"
            );
            changed += usize::from(typed != "Jennifer");
        }
        assert!(changed > 150, "{changed} of 200 typos changed the name");
        assert_eq!(typo(&mut rng, "Li"), "Li");
    }

    #[test]
    fn gmail_variants_differ_but_keep_the_canonical_mailbox() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for original in ["john.smith@gmail.com", "jsmith42@gmail.com"] {
            let canonical = Email::parse(original).map(|e| e.canonical());
            for _ in 0..50 {
                let variant = gmail_variant(&mut rng, original);
                assert_ne!(variant, original);
                assert_eq!(
                    Email::parse(&variant).map(|e| e.canonical()),
                    canonical,
                    "{variant}"
                );
            }
        }
    }

    #[test]
    fn email_case_changes_only_case() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for _ in 0..20 {
            let cased = email_case(&mut rng, "john.smith@gmail.com");
            assert_ne!(cased, "john.smith@gmail.com");
            assert_eq!(cased.to_lowercase(), "john.smith@gmail.com");
        }
    }

    #[test]
    fn city_spellings_keep_saint_and_fort_readable() {
        assert_eq!(city_name("St. Louis", 3), "Saint Louis");
        assert_eq!(city_name("Fort Worth", 3), "Ft. Worth");
        assert_eq!(city_name("Boston", 1), "BOSTON");
    }
}
