//! Email addresses in free text.

use std::sync::LazyLock;

use regex::Regex;

use crate::normalize::email::Email;

/// Something shaped like an address; `Email::parse` decides. '/' and ':' are left out of the
/// mailbox so URLs ("https://user:pw@host", "site.com/a@b.co") do not leak path pieces in.
static CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{L}\p{N}._%+'!#$&*=?^`{|}~-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+")
        .expect("email candidate pattern compiles")
});

/// Email addresses in `text`, normalized and deduplicated, in order of appearance.
pub fn extract_emails(text: &str) -> Vec<Email> {
    emails_in(text).collect()
}

/// The same, found as they are asked for: taking the first few reads only as far as they are.
pub fn emails_in(text: &str) -> impl Iterator<Item = Email> + '_ {
    let mut found: Vec<Email> = Vec::new();
    CANDIDATE.find_iter(text).filter_map(move |candidate| {
        // Quotes and dots around a word are punctuation of the sentence, not of the address.
        let trimmed = candidate.as_str().trim_start_matches(['.', '\'', '`']);
        let email = Email::parse(trimmed).ok()?;
        if found.contains(&email) {
            return None;
        }
        found.push(email.clone());
        Some(email)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(text: &str) -> Vec<String> {
        extract_emails(text)
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn addresses_in_sentences_are_found_and_normalized() {
        let cases: &[(&str, &[&str])] = &[
            ("write to John.Doe@GMAIL.com.", &["john.doe@gmail.com"]),
            (
                "<ann@example.org>, 'bob@example.org'",
                &["ann@example.org", "bob@example.org"],
            ),
            ("mailto:ann@example.org?subject=hi", &["ann@example.org"]),
            ("user@bücher.de schreibt", &["user@xn--bcher-kva.de"]),
            (
                "ann@example.org and ANN@example.org again",
                &["ann@example.org"],
            ),
            ("second b@x.io then a@x.io", &["b@x.io", "a@x.io"]),
        ];
        for (text, expected) in cases {
            assert_eq!(emails(text), *expected, "text {text:?}");
        }
    }

    #[test]
    fn things_that_only_look_like_addresses_are_ignored() {
        for text in [
            "no address here",
            "@handle on instagram",
            "price 5@10.00",
            "user@localhost",
            "a@b",
            "",
        ] {
            assert!(emails(text).is_empty(), "text {text:?}");
        }
    }
}
