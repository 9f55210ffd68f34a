//! Email addresses: the one stored form (trimmed, lowercased, domain in IDNA ASCII form), the
//! provider-aware variants proposed next to it, and masking for logs.

mod provider;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::normalize::Variant;

/// RFC 5321 limits: 254 octets for a usable path, 64 before the `@`.
const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_LABEL_LEN: usize = 63;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("email address is empty")]
    Empty,
    #[error("email address has no @")]
    MissingAt,
    #[error("the part before the @ is not a valid mailbox name")]
    InvalidLocal,
    #[error("{0:?} is not a valid email domain")]
    InvalidDomain(String),
    #[error("email address is too long (at most 254 characters, 64 before the @)")]
    TooLong,
}

/// A normalized email address: trimmed, local part and domain lowercased, domain in IDNA
/// ASCII (punycode) form. Provider rules (Gmail dots, `+tags`) are never applied here: they
/// only produce [`Email::variants`], because a rewrite would silently merge people.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let trimmed = raw.trim();
        let trimmed = strip_prefix_ignore_case(trimmed, "mailto:").unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        // Cheap guard before any Unicode work: no valid address is this long in any encoding.
        if trimmed.len() > MAX_LEN * 4 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::MissingAt)?;
        let local = normalize_local(local)?;
        let domain = normalize_domain(domain)?;
        if local.len() + 1 + domain.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        Ok(Email(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(local, _)| local)
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// Provider-aware variants, never a rewrite of the stored value: Gmail without dots, the
    /// address without its `+tag` where the provider delivers tagged mail to the same box,
    /// googlemail.com as gmail.com, common domain typos corrected, and the fully canonical
    /// form. Each carries a confidence below 1.0; deduplicated; never the address itself.
    pub fn variants(&self) -> Vec<Variant> {
        provider::variants(self.local(), self.domain())
    }

    /// The provider-canonical key under which two addresses are variants of each other (for
    /// Gmail: no dots, no `+tag`, gmail.com). Domain typos are left out: a typo is weaker
    /// evidence than a provider rule and only appears among the variants.
    pub fn canonical(&self) -> String {
        provider::canonical(self.local(), self.domain())
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

/// Masks an address for logs and screens: first character of the mailbox, then `***`, then
/// the domain ("j***@example.com"). Anything that is not shaped like an address is fully
/// masked, since it may still be personal data.
pub fn mask_email(raw: &str) -> String {
    match raw.trim().rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() => match local.chars().next() {
            Some(first) => format!("{first}***@{domain}"),
            None => "***".to_string(),
        },
        _ => "***".to_string(),
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Dot-atom only (RFC 5322 `atext` plus Unicode letters and digits for RFC 6531 mailboxes).
/// Quoted local parts are rejected: they are legal but essentially never real, and allowing
/// them would let spaces and `@` into identifiers.
fn normalize_local(local: &str) -> Result<String, EmailError> {
    let local: String = local.chars().flat_map(char::to_lowercase).nfc().collect();
    if local.is_empty() {
        return Err(EmailError::InvalidLocal);
    }
    if local.len() > MAX_LOCAL_LEN {
        return Err(EmailError::TooLong);
    }
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || "!#$%&'*+-/=?^_`{|}~.".contains(c)
            || (!c.is_ascii() && c.is_alphanumeric())
    };
    if !local.chars().all(allowed)
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return Err(EmailError::InvalidLocal);
    }
    Ok(local)
}

fn normalize_domain(raw: &str) -> Result<String, EmailError> {
    let invalid = || EmailError::InvalidDomain(raw.to_string());
    // A fully qualified "example.com." names the same domain.
    let domain = raw.strip_suffix('.').unwrap_or(raw);
    if domain.is_empty() || domain.chars().any(|c| c.is_whitespace() || c == '@') {
        return Err(invalid());
    }
    let ascii = idna::domain_to_ascii(domain).map_err(|_| invalid())?;
    if ascii.len() > MAX_LEN - 2 {
        return Err(EmailError::TooLong);
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    let top_level_ok = labels
        .last()
        .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !top_level_ok {
        return Err(invalid());
    }
    Ok(ascii)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_normalize_to_one_stored_form() {
        let cases = [
            ("  John.Doe@GMAIL.com  ", "john.doe@gmail.com"),
            ("user@bücher.de", "user@xn--bcher-kva.de"),
            ("USER@BÜCHER.DE", "user@xn--bcher-kva.de"),
            ("user@xn--bcher-kva.de", "user@xn--bcher-kva.de"),
            ("mailto:Ann@Example.org", "ann@example.org"),
            ("ann@example.org.", "ann@example.org"),
            ("o'brien+news@example.co.uk", "o'brien+news@example.co.uk"),
            ("JOSÉ@example.com", "josé@example.com"),
            ("\tann@sub.example.io\n", "ann@sub.example.io"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Email::parse(input).map(|e| e.to_string()),
                Ok(expected.to_string()),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn what_is_not_an_address_is_rejected_with_a_reason() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_total = format!("a@{}.com", vec!["b".repeat(60); 5].join("."));
        let cases = [
            ("", EmailError::Empty),
            ("   ", EmailError::Empty),
            ("john.example.com", EmailError::MissingAt),
            ("@example.com", EmailError::InvalidLocal),
            ("john doe@example.com", EmailError::InvalidLocal),
            ("a@b@example.com", EmailError::InvalidLocal),
            (".john@example.com", EmailError::InvalidLocal),
            ("john.@example.com", EmailError::InvalidLocal),
            ("jo..hn@example.com", EmailError::InvalidLocal),
            ("\"john doe\"@example.com", EmailError::InvalidLocal),
            ("john@", EmailError::InvalidDomain(String::new())),
            (
                "john@localhost",
                EmailError::InvalidDomain("localhost".into()),
            ),
            (
                "john@exa mple.com",
                EmailError::InvalidDomain("exa mple.com".into()),
            ),
            (
                "john@-example.com",
                EmailError::InvalidDomain("-example.com".into()),
            ),
            (
                "john@example..com",
                EmailError::InvalidDomain("example..com".into()),
            ),
            (
                "john@exam_ple.com",
                EmailError::InvalidDomain("exam_ple.com".into()),
            ),
            ("john@1.2.3.4", EmailError::InvalidDomain("1.2.3.4".into())),
            (long_local.as_str(), EmailError::TooLong),
            (long_total.as_str(), EmailError::TooLong),
        ];
        for (input, expected) in cases {
            assert_eq!(Email::parse(input), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn local_and_domain_are_split_at_the_last_at() {
        let email = Email::parse("Ann.Lee@Example.COM").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(email.local(), "ann.lee");
        assert_eq!(email.domain(), "example.com");
    }

    #[test]
    fn masking_keeps_only_the_first_letter_and_the_domain() {
        let cases = [
            ("john@example.com", "j***@example.com"),
            ("émile@example.fr", "é***@example.fr"),
            ("@example.com", "***"),
            ("no-at-sign", "***"),
            ("", "***"),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_email(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn serde_goes_through_parse() {
        let email: Result<Email, _> = serde_json::from_str("\"  Ann@EXAMPLE.com \"");
        assert_eq!(
            email.map(|e| e.to_string()).ok().as_deref(),
            Some("ann@example.com")
        );
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
