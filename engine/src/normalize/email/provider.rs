//! What mail providers do with addresses: which ignore dots, which deliver `+tag` mail to the
//! base mailbox, which domains are aliases, and which misspellings are common. Knowledge of
//! the outside world, kept as data so it can be read and corrected in one place.

use crate::normalize::{Variant, VariantReason};

const DOTS_CONFIDENCE: f64 = 0.95;
const PLUS_TAG_CONFIDENCE: f64 = 0.9;
const ALIAS_CONFIDENCE: f64 = 0.95;
const TYPO_CONFIDENCE: f64 = 0.7;

/// Gmail is the only large provider documented to ignore dots in the mailbox name
/// ("john.doe" and "johndoe" are one inbox); googlemail.com is the same service.
const DOT_INSENSITIVE: &[&str] = &["gmail.com", "googlemail.com"];

/// Providers documented to deliver "name+anything@" to "name@": Google, Microsoft consumer
/// mail (Outlook.com, Hotmail, Live, MSN), Apple iCloud (icloud.com, me.com, mac.com),
/// Fastmail and Proton. Yahoo is deliberately absent: its "disposable addresses" use a `-`,
/// but the part before it is a separately chosen base name, not the owner's mailbox, so
/// cutting at the `-` would point at an address that may belong to nobody (or to someone
/// else), and `-` is also a normal character in addresses at every other provider.
const PLUS_ADDRESSING: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "live.com",
    "live.co.uk",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "fastmail.com",
    "fastmail.fm",
    "protonmail.com",
    "protonmail.ch",
    "proton.me",
    "pm.me",
];

/// Domains that are another name for the same mailboxes.
const ALIASES: &[(&str, &str)] = &[("googlemail.com", "gmail.com")];

/// Misspellings of the big consumer domains seen in sign-up forms; only domains that are not
/// themselves mail providers, so a correction never points away from a real mailbox.
const TYPOS: &[(&str, &str)] = &[
    ("gmial.com", "gmail.com"),
    ("gmai.com", "gmail.com"),
    ("gamil.com", "gmail.com"),
    ("gmal.com", "gmail.com"),
    ("gmaill.com", "gmail.com"),
    ("gnail.com", "gmail.com"),
    ("gmail.co", "gmail.com"),
    ("gmail.con", "gmail.com"),
    ("gmail.cm", "gmail.com"),
    ("gmail.om", "gmail.com"),
    ("gmail.comm", "gmail.com"),
    ("hotmial.com", "hotmail.com"),
    ("hotmal.com", "hotmail.com"),
    ("hotmai.com", "hotmail.com"),
    ("hotamil.com", "hotmail.com"),
    ("homail.com", "hotmail.com"),
    ("hotmail.con", "hotmail.com"),
    ("yaho.com", "yahoo.com"),
    ("yahooo.com", "yahoo.com"),
    ("yhaoo.com", "yahoo.com"),
    ("yahoo.con", "yahoo.com"),
    ("outlok.com", "outlook.com"),
    ("outloo.com", "outlook.com"),
    ("outlook.con", "outlook.com"),
    ("iclod.com", "icloud.com"),
    ("icoud.com", "icloud.com"),
    ("icloud.con", "icloud.com"),
];

fn lookup(table: &'static [(&'static str, &'static str)], domain: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(from, _)| *from == domain)
        .map(|(_, to)| *to)
}

/// The mailbox the provider delivers to, with the rules that were needed to get there.
fn canonical_local(local: &str, domain: &str) -> (String, Vec<(VariantReason, f64)>) {
    let mut steps = Vec::new();
    let mut mailbox = local.to_string();
    // Dots first: "a.+tag" has no usable base until the dot is gone, and doing it in this
    // order keeps the canonical form a fixed point of itself.
    if DOT_INSENSITIVE.contains(&domain) && mailbox.contains('.') {
        mailbox = mailbox.replace('.', "");
        steps.push((VariantReason::ProviderDots, DOTS_CONFIDENCE));
    }
    if let Some(base) = plus_base(&mailbox, domain) {
        mailbox = base.to_string();
        steps.push((VariantReason::PlusTag, PLUS_TAG_CONFIDENCE));
    }
    (mailbox, steps)
}

fn plus_base<'a>(local: &'a str, domain: &str) -> Option<&'a str> {
    if !PLUS_ADDRESSING.contains(&domain) {
        return None;
    }
    // "a.+tag" would leave "a.", which is not a mailbox anyone can have.
    local
        .split_once('+')
        .map(|(base, _)| base)
        .filter(|base| !base.is_empty() && !base.ends_with('.'))
}

pub(super) fn canonical(local: &str, domain: &str) -> String {
    let domain = lookup(ALIASES, domain).unwrap_or(domain);
    let (mailbox, _) = canonical_local(local, domain);
    format!("{mailbox}@{domain}")
}

pub(super) fn variants(local: &str, domain: &str) -> Vec<Variant> {
    let original = format!("{local}@{domain}");
    let mut out: Vec<Variant> = Vec::new();
    let mut push = |value: String, reason: VariantReason, confidence: f64| {
        if value != original && !out.iter().any(|v| v.value == value) {
            out.push(Variant {
                value,
                reason,
                confidence,
            });
        }
    };

    let (provider, domain_step) = if let Some(target) = lookup(ALIASES, domain) {
        (target, Some((VariantReason::DomainAlias, ALIAS_CONFIDENCE)))
    } else if let Some(target) = lookup(TYPOS, domain) {
        (target, Some((VariantReason::DomainTypo, TYPO_CONFIDENCE)))
    } else {
        (domain, None)
    };

    if let Some((reason, confidence)) = domain_step {
        push(format!("{local}@{provider}"), reason, confidence);
    }
    // Single rules on the address as written; a misspelt domain has no mailbox of its own,
    // so for typos only the corrected forms are worth proposing.
    if !matches!(domain_step, Some((VariantReason::DomainTypo, _))) {
        if let Some(base) = plus_base(local, provider) {
            push(
                format!("{base}@{domain}"),
                VariantReason::PlusTag,
                PLUS_TAG_CONFIDENCE,
            );
        }
        if DOT_INSENSITIVE.contains(&provider) && local.contains('.') {
            push(
                format!("{}@{domain}", local.replace('.', "")),
                VariantReason::ProviderDots,
                DOTS_CONFIDENCE,
            );
        }
    }

    // Every applicable rule at once: as confident as the product of its rules, and named
    // after the weakest of them, since that is the one a reviewer should doubt.
    let (mailbox, mut steps) = canonical_local(local, provider);
    steps.extend(domain_step);
    if let Some(weakest) = steps.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)) {
        let confidence = steps.iter().map(|(_, c)| c).product();
        push(format!("{mailbox}@{provider}"), weakest.0, confidence);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::email::Email;

    fn variants_of(raw: &str) -> Vec<(String, VariantReason)> {
        Email::parse(raw)
            .map(|e| e.variants())
            .unwrap_or_default()
            .into_iter()
            .map(|v| (v.value, v.reason))
            .collect()
    }

    fn owned(list: &[(&str, VariantReason)]) -> Vec<(String, VariantReason)> {
        list.iter().map(|(v, r)| (v.to_string(), *r)).collect()
    }

    #[test]
    fn gmail_dots_are_a_variant_not_a_rewrite() {
        let email = Email::parse("John.Doe@gmail.com").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(email.as_str(), "john.doe@gmail.com");
        assert_eq!(
            variants_of("John.Doe@gmail.com"),
            owned(&[("johndoe@gmail.com", VariantReason::ProviderDots)])
        );
    }

    #[test]
    fn plus_tags_are_variants_at_providers_that_deliver_them() {
        use VariantReason::*;
        let cases: &[(&str, &[(&str, VariantReason)])] = &[
            ("ann+shop@outlook.com", &[("ann@outlook.com", PlusTag)]),
            ("ann+shop@icloud.com", &[("ann@icloud.com", PlusTag)]),
            ("ann+shop@proton.me", &[("ann@proton.me", PlusTag)]),
            ("ann+shop@fastmail.com", &[("ann@fastmail.com", PlusTag)]),
            (
                "a.nn+shop@gmail.com",
                &[
                    ("a.nn@gmail.com", PlusTag),
                    ("ann+shop@gmail.com", ProviderDots),
                    ("ann@gmail.com", PlusTag),
                ],
            ),
            // Unknown providers may treat '+' as an ordinary character.
            ("ann+shop@example.com", &[]),
            // Yahoo's '-' disposable addresses are not cut (see PLUS_ADDRESSING).
            ("ann-shop@yahoo.com", &[]),
            // Nothing before the '+': there is no base mailbox to point at.
            ("+shop@gmail.com", &[]),
            ("a.+shop@outlook.com", &[]),
        ];
        for (input, expected) in cases {
            assert_eq!(variants_of(input), owned(expected), "input {input:?}");
        }
    }

    #[test]
    fn googlemail_is_an_alias_of_gmail() {
        use VariantReason::*;
        assert_eq!(
            variants_of("j.doe@googlemail.com"),
            owned(&[
                ("j.doe@gmail.com", DomainAlias),
                ("jdoe@googlemail.com", ProviderDots),
                ("jdoe@gmail.com", ProviderDots),
            ])
        );
    }

    #[test]
    fn domain_typos_propose_the_corrected_domain_at_low_confidence() {
        let cases = [
            ("ann@gmial.com", "ann@gmail.com"),
            ("ann@gmai.com", "ann@gmail.com"),
            ("ann@gamil.com", "ann@gmail.com"),
            ("ann@hotmial.com", "ann@hotmail.com"),
            ("ann@yaho.com", "ann@yahoo.com"),
            ("ann@outlok.com", "ann@outlook.com"),
        ];
        for (input, expected) in cases {
            let variants = Email::parse(input)
                .map(|e| e.variants())
                .unwrap_or_default();
            assert_eq!(variants.len(), 1, "input {input:?}");
            assert_eq!(variants[0].value, expected);
            assert_eq!(variants[0].reason, VariantReason::DomainTypo);
            assert!(variants[0].confidence <= 0.7);
        }
        let fixed = variants_of("j.doe+x@gmial.com");
        assert_eq!(
            fixed,
            owned(&[
                ("j.doe+x@gmail.com", VariantReason::DomainTypo),
                ("jdoe@gmail.com", VariantReason::DomainTypo),
            ])
        );
    }

    #[test]
    fn combined_variant_confidence_is_the_product_of_its_rules() {
        let email = Email::parse("j.doe+x@googlemail.com").unwrap_or_else(|e| panic!("{e}"));
        let full = email
            .variants()
            .into_iter()
            .find(|v| v.value == "jdoe@gmail.com");
        let confidence = full.map(|v| v.confidence).unwrap_or_default();
        assert!((confidence - 0.9 * 0.95 * 0.95).abs() < 1e-9);
    }

    #[test]
    fn ordinary_addresses_have_no_variants() {
        assert!(variants_of("ann@example.com").is_empty());
        assert!(variants_of("ann@gmail.com").is_empty());
    }

    #[test]
    fn canonical_keys_make_provider_variants_equal() {
        let same = [
            "john.doe@gmail.com",
            "johndoe@gmail.com",
            "j.o.h.n.doe+promo@gmail.com",
            "JohnDoe@googlemail.com",
        ];
        for raw in same {
            let email = Email::parse(raw).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(email.canonical(), "johndoe@gmail.com", "input {raw:?}");
        }
        let cases = [
            ("ann+x@outlook.com", "ann@outlook.com"),
            ("a.nn+x@outlook.com", "a.nn@outlook.com"),
            ("ann+x@example.com", "ann+x@example.com"),
            ("ann@gmial.com", "ann@gmial.com"),
        ];
        for (raw, expected) in cases {
            let email = Email::parse(raw).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(email.canonical(), expected, "input {raw:?}");
        }
    }

    #[test]
    fn every_confidence_is_below_one() {
        for raw in ["j.d+x@googlemail.com", "j.d+x@gmial.com", "x+y@icloud.com"] {
            for v in Email::parse(raw).map(|e| e.variants()).unwrap_or_default() {
                assert!(v.confidence > 0.0 && v.confidence < 1.0, "{v:?}");
            }
        }
    }

    #[test]
    fn typo_table_never_points_at_itself_or_at_another_typo() {
        for (from, to) in TYPOS {
            assert_ne!(from, to);
            assert!(lookup(TYPOS, to).is_none(), "{to} is listed as a typo");
        }
    }
}
