//! Identifier normalizers: each turns raw input into a newtype holding the one stored form
//! ("parse, don't validate"), plus `normalize_value`, the one-shot helper behind the
//! `spine normalize` debugging command.

pub mod address;
pub mod email;
pub mod external;
pub mod handle;
pub mod name;
pub mod phone;
mod text;

use serde::{Deserialize, Serialize};

use crate::normalize::address::{Address, AddressInput};
use crate::normalize::email::Email;
use crate::normalize::name::PersonName;
use crate::normalize::phone::{Phone, Region};

/// What `normalize_value` should treat its input as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NormalizeKind {
    Phone,
    Email,
    Name,
    Address,
}

impl NormalizeKind {
    /// Accepts "phone", "email", "name" or "address", in any case.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "phone" => Some(NormalizeKind::Phone),
            "email" => Some(NormalizeKind::Email),
            "name" => Some(NormalizeKind::Name),
            "address" => Some(NormalizeKind::Address),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            NormalizeKind::Phone => "phone",
            NormalizeKind::Email => "email",
            NormalizeKind::Name => "name",
            NormalizeKind::Address => "address",
        }
    }
}

impl std::str::FromStr for NormalizeKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NormalizeKind::parse(s)
            .ok_or_else(|| format!("unknown kind {s:?}: expected phone, email, name or address"))
    }
}

/// What one value normalizes to, for display: either `normalized` (with its variants) or
/// `error` is set.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NormalizeOutcome {
    pub input: String,
    pub normalized: Option<String>,
    pub variants: Vec<String>,
    pub error: Option<String>,
}

/// Normalizes one value of the given kind.
///
/// - phone: the E.164 form (with `;ext=` when there is an extension); variants are the
///   country-specific equivalents.
/// - email: the normalized address; variants are the provider-aware ones.
/// - name: the normalized full name; the variant is the nickname-canonical form
///   ("bob smith" -> "robert smith") when it differs.
/// - address: one line, comma separated, read by [`AddressInput::from_one_line`]
///   ("line1[, line2], city, region postal[, country]" or exactly six fields
///   "line1, line2, city, region, postal, country"); normalized is the address as one
///   string, the single variant is its hash.
pub fn normalize_value(kind: NormalizeKind, input: &str, region: Region) -> NormalizeOutcome {
    let result: Result<(String, Vec<String>), String> = match kind {
        NormalizeKind::Phone => Phone::parse(input, region)
            .map(|phone| (phone.to_string(), variant_values(phone.variants())))
            .map_err(|e| e.to_string()),
        NormalizeKind::Email => Email::parse(input)
            .map(|email| (email.to_string(), variant_values(email.variants())))
            .map_err(|e| e.to_string()),
        NormalizeKind::Name => PersonName::parse(input)
            .map(|name| {
                let variants = name.canonical_full().into_iter().collect();
                (name.full().to_string(), variants)
            })
            .map_err(|e| e.to_string()),
        NormalizeKind::Address => Address::parse(AddressInput::from_one_line(input))
            .map(|address| (address.to_string(), vec![address.hash()]))
            .map_err(|e| e.to_string()),
    };
    match result {
        Ok((normalized, variants)) => NormalizeOutcome {
            input: input.to_string(),
            normalized: Some(normalized),
            variants,
            error: None,
        },
        Err(error) => NormalizeOutcome {
            input: input.to_string(),
            normalized: None,
            variants: Vec::new(),
            error: Some(error),
        },
    }
}

fn variant_values(variants: Vec<Variant>) -> Vec<String> {
    variants.into_iter().map(|v| v.value).collect()
}

/// A lower-confidence alternative form of an identifier (Gmail without dots, phone with
/// Brazil's 9th digit...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub value: String,
    pub reason: VariantReason,
    pub confidence: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariantReason {
    ProviderDots,
    PlusTag,
    DomainAlias,
    DomainTypo,
    MobileNinthDigit,
    MexicoLegacyOne,
    ArgentinaMobileNine,
    Nickname,
}

impl VariantReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            VariantReason::ProviderDots => "provider_dots",
            VariantReason::PlusTag => "plus_tag",
            VariantReason::DomainAlias => "domain_alias",
            VariantReason::DomainTypo => "domain_typo",
            VariantReason::MobileNinthDigit => "mobile_ninth_digit",
            VariantReason::MexicoLegacyOne => "mexico_legacy_one",
            VariantReason::ArgentinaMobileNine => "argentina_mobile_nine",
            VariantReason::Nickname => "nickname",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_parses_case_insensitively() {
        assert_eq!(NormalizeKind::parse("Phone"), Some(NormalizeKind::Phone));
        assert_eq!(NormalizeKind::parse(" email "), Some(NormalizeKind::Email));
        assert_eq!(NormalizeKind::parse("name"), Some(NormalizeKind::Name));
        assert_eq!(
            NormalizeKind::parse("ADDRESS"),
            Some(NormalizeKind::Address)
        );
        assert_eq!(NormalizeKind::parse("fax"), None);
        assert!("fax".parse::<NormalizeKind>().is_err());
    }

    #[test]
    fn phone_outcome_is_e164_with_variants() {
        let out = normalize_value(NormalizeKind::Phone, "+55 11 98765-4321", Region::default());
        assert_eq!(out.normalized.as_deref(), Some("+5511987654321"));
        assert_eq!(out.variants, vec!["+551187654321".to_string()]);
        assert_eq!(out.error, None);
    }

    #[test]
    fn email_outcome_lists_variant_values() {
        let out = normalize_value(
            NormalizeKind::Email,
            "J.Doe+shop@GMAIL.com",
            Region::default(),
        );
        assert_eq!(out.normalized.as_deref(), Some("j.doe+shop@gmail.com"));
        assert!(out.variants.contains(&"jdoe@gmail.com".to_string()));
    }

    #[test]
    fn name_outcome_offers_the_nickname_canonical_form() {
        let out = normalize_value(NormalizeKind::Name, "Dr. Bob Smith Jr.", Region::default());
        assert_eq!(out.normalized.as_deref(), Some("bob smith"));
        assert_eq!(out.variants, vec!["robert smith".to_string()]);

        let out = normalize_value(NormalizeKind::Name, "Robert Smith", Region::default());
        assert!(out.variants.is_empty());
    }

    #[test]
    fn address_outcome_carries_the_hash_as_its_variant() {
        let out = normalize_value(
            NormalizeKind::Address,
            "123 Main Street Apt 4B, Sacramento, CA 95814-1234, USA",
            Region::default(),
        );
        assert_eq!(
            out.normalized.as_deref(),
            Some("123 main st, apt 4b, sacramento, ca, 95814, US")
        );
        assert_eq!(out.variants.len(), 1);
        assert_eq!(out.variants[0].len(), 64);
    }

    #[test]
    fn errors_are_reported_not_thrown() {
        let out = normalize_value(NormalizeKind::Email, "not an email", Region::default());
        assert_eq!(out.normalized, None);
        assert!(out.error.is_some());
        assert!(out.variants.is_empty());
        assert_eq!(out.input, "not an email");
    }
}
