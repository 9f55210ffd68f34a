//! Person names in one comparison form: accents and case folded, punctuation and honorifics
//! removed, "Last, First" put back in reading order, plus nickname resolution for the given
//! name ("bob" -> "robert").

mod nicknames;

use crate::normalize::text::fold;

pub use nicknames::{canonical_nickname, has_nicknames, related_given_names};

/// Longer than any real name; anything past it is pasted text, not a name.
const MAX_LEN: usize = 300;

const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dame", "rev",
];
const SUFFIXES: &[&str] = &[
    "jr", "jnr", "sr", "snr", "ii", "iii", "iv", "phd", "md", "esq",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("name is empty")]
    Empty,
    #[error("name has no letters")]
    NoLetters,
    #[error("name has only titles or suffixes")]
    OnlyTitles,
    #[error("name is too long (at most 300 characters)")]
    TooLong,
}

/// A normalized person name: lowercase ASCII where the script allows, accents removed,
/// apostrophes and periods dropped inside words ("O'Brien" -> "obrien", "Ph.D." -> "phd"),
/// inner hyphens kept once ("Smith--Jones" -> "smith-jones"), other punctuation treated as a
/// space, titles and suffixes removed. The given name is the first word and the family name
/// the last one, when there are two or more.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName {
    full: String,
    given: Option<String>,
    family: Option<String>,
}

impl PersonName {
    pub fn parse(raw: &str) -> Result<PersonName, NameError> {
        if raw.trim().is_empty() {
            return Err(NameError::Empty);
        }
        if raw.chars().count() > MAX_LEN {
            return Err(NameError::TooLong);
        }
        let folded = fold(raw);
        let mut had_words = false;
        let parts: Vec<Vec<String>> = folded
            .split(',')
            .map(words)
            .inspect(|part| had_words |= !part.is_empty())
            .map(strip_honorifics)
            .filter(|part| !part.is_empty())
            .collect();
        let words: Vec<String> = match parts.as_slice() {
            // "Doe, John" is the family name first.
            [family, given] => given.iter().chain(family).cloned().collect(),
            _ => parts.concat(),
        };
        let words = strip_honorifics(words);
        if words.is_empty() {
            return Err(if had_words {
                NameError::OnlyTitles
            } else {
                NameError::NoLetters
            });
        }
        if !words.iter().any(|w| w.chars().any(char::is_alphabetic)) {
            return Err(NameError::NoLetters);
        }
        let given = words.first().cloned();
        let family = if words.len() > 1 {
            words.last().cloned()
        } else {
            None
        };
        Ok(PersonName {
            full: words.join(" "),
            given,
            family,
        })
    }

    pub fn full(&self) -> &str {
        &self.full
    }

    pub fn given(&self) -> Option<&str> {
        self.given.as_deref()
    }

    pub fn family(&self) -> Option<&str> {
        self.family.as_deref()
    }

    /// Nickname-resolved given name ("bob" -> "robert", "liz" -> "elizabeth"), used for
    /// comparison; a given name that is no known nickname is returned as it is.
    pub fn canonical_given(&self) -> Option<String> {
        self.given
            .as_deref()
            .map(|given| canonical_nickname(given).unwrap_or(given).to_string())
    }

    /// The full name with the given name resolved, when that changes anything
    /// ("bob smith" -> "robert smith").
    pub fn canonical_full(&self) -> Option<String> {
        let given = self.given.as_deref()?;
        let canonical = canonical_nickname(given)?;
        let rest = self.full.get(given.len()..).unwrap_or_default();
        Some(format!("{canonical}{rest}"))
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.full)
    }
}

/// Words of already folded text: letters and digits, with apostrophes and periods dropped
/// and single inner hyphens kept.
fn words(folded: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            '\'' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{02BB}' | '`' | '.' => {}
            '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' => cleaned.push('-'),
            c if c.is_alphanumeric() => cleaned.push(c),
            _ => cleaned.push(' '),
        }
    }
    cleaned
        .split_whitespace()
        .map(|word| {
            word.split('-')
                .filter(|piece| !piece.is_empty())
                .collect::<Vec<_>>()
                .join("-")
        })
        .filter(|word| !word.is_empty())
        .collect()
}

fn strip_honorifics(mut words: Vec<String>) -> Vec<String> {
    let leading = words
        .iter()
        .take_while(|w| TITLES.contains(&w.as_str()))
        .count();
    words.drain(..leading);
    while words.last().is_some_and(|w| SUFFIXES.contains(&w.as_str())) {
        words.pop();
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(raw: &str) -> Result<String, NameError> {
        PersonName::parse(raw).map(|n| n.full().to_string())
    }

    #[test]
    fn names_fold_to_one_comparison_form() {
        let cases = [
            ("John Doe", "john doe"),
            ("  JOHN   DOE ", "john doe"),
            ("José Álvarez", "jose alvarez"),
            ("Jose\u{301} A\u{301}lvarez", "jose alvarez"),
            ("Günther Straße", "gunther strasse"),
            ("Søren Kierkegaard", "soren kierkegaard"),
            ("Conan O'Brien", "conan obrien"),
            ("Conan O’Brien", "conan obrien"),
            ("Mary-Jane Watson", "mary-jane watson"),
            ("Anne Smith--Jones", "anne smith-jones"),
            ("Anne - Smith", "anne smith"),
            ("J.R.R. Tolkien", "jrr tolkien"),
            ("Zoë (Zoe) Saldaña", "zoe zoe saldana"),
            ("李小龍", "李小龍"),
            ("ＪＯＨＮ ＤＯＥ", "john doe"),
        ];
        for (input, expected) in cases {
            assert_eq!(full(input), Ok(expected.to_string()), "input {input:?}");
        }
    }

    #[test]
    fn titles_and_suffixes_are_removed() {
        let cases = [
            ("Mr. John Doe", "john doe"),
            ("Dr Prof Jane Roe", "jane roe"),
            ("John Doe Jr.", "john doe"),
            ("John Doe, Jr.", "john doe"),
            ("John Doe III", "john doe"),
            ("Jane Roe, Ph.D.", "jane roe"),
            ("Mrs. Jane Roe, M.D.", "jane roe"),
            ("Sir Elton John", "elton john"),
            // Only at the edges: a middle word that looks like a title is part of the name.
            ("John Miss Doe", "john miss doe"),
        ];
        for (input, expected) in cases {
            assert_eq!(full(input), Ok(expected.to_string()), "input {input:?}");
        }
    }

    #[test]
    fn last_comma_first_is_put_in_reading_order() {
        let cases = [
            ("Doe, John", "john doe"),
            ("DOE, JOHN A.", "john a doe"),
            ("Doe, Dr. John", "john doe"),
            ("Doe, John, Jr.", "john doe"),
            ("Doe, John Jr", "john doe"),
        ];
        for (input, expected) in cases {
            assert_eq!(full(input), Ok(expected.to_string()), "input {input:?}");
        }
    }

    #[test]
    fn given_is_the_first_word_and_family_the_last() {
        let name = PersonName::parse("Doe, John Quincy").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(name.given(), Some("john"));
        assert_eq!(name.family(), Some("doe"));

        let single = PersonName::parse("Madonna").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(single.given(), Some("madonna"));
        assert_eq!(single.family(), None);
    }

    #[test]
    fn empty_punctuation_and_title_only_names_are_rejected() {
        let cases = [
            ("", NameError::Empty),
            ("   ", NameError::Empty),
            ("...", NameError::NoLetters),
            ("-- , --", NameError::NoLetters),
            ("12345", NameError::NoLetters),
            ("Mr.", NameError::OnlyTitles),
            ("Dr. Jr.", NameError::OnlyTitles),
            ("Mrs, PhD", NameError::OnlyTitles),
        ];
        for (input, expected) in cases {
            assert_eq!(full(input), Err(expected), "input {input:?}");
        }
        assert_eq!(full(&"a".repeat(301)), Err(NameError::TooLong));
    }

    #[test]
    fn canonical_given_resolves_nicknames() {
        let cases = [
            ("Bob Smith", Some("robert")),
            ("Liz Taylor", Some("elizabeth")),
            ("BILLY Bob", Some("william")),
            ("Robert Smith", Some("robert")),
            ("Zelda Fitzgerald", Some("zelda")),
        ];
        for (input, expected) in cases {
            let name = PersonName::parse(input).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                name.canonical_given().as_deref(),
                expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn canonical_full_exists_only_when_the_given_name_is_a_nickname() {
        let bob = PersonName::parse("Bob Smith").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bob.canonical_full().as_deref(), Some("robert smith"));
        let robert = PersonName::parse("Robert Smith").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(robert.canonical_full(), None);
    }
}
