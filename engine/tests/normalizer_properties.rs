//! Invariants every normalizer keeps, whatever it is fed: normalizing twice changes nothing,
//! arbitrary input never panics, variants never repeat the original, and the address hash
//! tells apart what the normalized address tells apart.

use proptest::prelude::*;
use spine_engine::extract::{extract_emails, extract_phones};
use spine_engine::normalize::address::{Address, AddressInput};
use spine_engine::normalize::email::{Email, mask_email};
use spine_engine::normalize::external::ExternalId;
use spine_engine::normalize::handle::Handle;
use spine_engine::normalize::name::PersonName;
use spine_engine::normalize::phone::{Phone, Region};
use spine_engine::normalize::{NormalizeKind, normalize_value};

const REGIONS: &[&str] = &[
    "US", "CA", "GB", "BR", "MX", "AR", "FR", "DE", "IT", "IN", "JP", "AU", "NZ", "ZA", "RU", "CN",
    "ES", "NL", "SE", "KR",
];
const PLATFORMS: &[&str] = &[
    "instagram",
    "facebook",
    "x",
    "twitter",
    "tiktok",
    "whatsapp",
    "telegram",
    "mastodon",
    "IG",
];

fn region() -> impl Strategy<Value = Region> {
    prop::sample::select(REGIONS).prop_map(|code| Region::parse(code).unwrap_or_default())
}

/// Mostly text that looks like an email, sometimes anything at all.
fn email_like() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[ ]{0,2}[a-zA-Z0-9._+'-]{1,20}@[a-zA-Z0-9.-]{1,20}\\.[a-zA-Z]{2,6}[ .]{0,2}",
        3 => "[a-zA-Z0-9.+]{1,12}@(gmail|googlemail|gmial|outlook|hotmail|icloud|yahoo|proton)\\.(com|me|con)",
        2 => "[a-z][a-z0-9]{0,10}(\\.[a-z0-9]{1,8})?@[a-z]{2,10}\\.(com|org|co\\.uk|com\\.br|de)",
        1 => "\\PC{0,10}@\\PC{0,12}",
        1 => any::<String>(),
    ]
}

/// Mostly text that looks like a phone number, sometimes anything at all.
fn phone_like() -> impl Strategy<Value = String> {
    prop_oneof![
        // Numbers in the international form, valid in their country whatever the region.
        2 => "\\+1 ?\\(?(212|305|415|512|617)\\)?[ .-]?[2-9][0-9]{2}[ .-]?[0-9]{4}",
        1 => "\\+44 ?7[1-9][0-9]{2} ?[0-9]{6}",
        1 => "\\+55 ?(11|21) ?9[0-9]{4}-?[0-9]{4}",
        1 => "\\+33 ?[67]( ?[0-9]{2}){4}",
        1 => "\\+?[0-9 ()./-]{4,24}( ?(x|ext\\.?) ?[0-9]{1,4})?",
        1 => "\\+(1|44|55|52|54|33|49|91|81) ?[0-9]{2,3}[ -]?[0-9]{3,5}[ -]?[0-9]{3,5}",
        1 => "\\PC{0,30}",
        1 => any::<String>(),
    ]
}

fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "(Mr\\.? |Dr |Mrs )?[A-Za-zÀ-ÿ'’-]{1,12}( [A-Za-zÀ-ÿ'’.-]{1,12}){0,3}(,? (Jr\\.?|III|PhD))?",
        "[A-Za-zÀ-ÿ]{1,12}, [A-Za-zÀ-ÿ]{1,12}( [A-Z]\\.)?",
        "\\PC{0,40}",
        any::<String>(),
    ]
}

fn address_field() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        "[0-9]{1,5} [A-Za-z .#,'-]{1,30}",
        "(Apt|Unit|Suite|#|Ste\\.?) ?[0-9A-Za-z]{1,4}",
        "\\PC{0,40}",
    ])
}

fn handle_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "@?[A-Za-z0-9._]{1,20}",
        "https://(www\\.)?(instagram|twitter|x|tiktok|facebook)\\.com/@?[A-Za-z0-9._]{1,12}/?",
        "\\PC{0,30}",
        any::<String>(),
    ]
}

/// A provider and an id: mostly as integrations send them, sometimes anything at all.
fn external_like() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        3 => ("[ ]?(shopify|Shopify|stripe|qbo|hubspot|zendesk)[ ]?", "[ ]?'?[A-Za-z0-9_:#.-]{1,30}[ ]?"),
        1 => ("\\PC{0,12}", "\\PC{0,40}"),
    ]
}

/// Owned fields for an AddressInput (which borrows).
#[derive(Debug, Clone)]
struct Fields {
    line1: String,
    line2: Option<String>,
    city: Option<String>,
    region: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
}

impl Fields {
    fn input(&self) -> AddressInput<'_> {
        AddressInput {
            line1: &self.line1,
            line2: self.line2.as_deref(),
            city: self.city.as_deref(),
            region: self.region.as_deref(),
            postal_code: self.postal_code.as_deref(),
            country: self.country.as_deref(),
        }
    }
}

fn address_fields() -> impl Strategy<Value = Fields> {
    (
        prop_oneof![
            "[0-9]{1,5} (North |S\\. )?[A-Za-z]{2,12} (Street|St\\.?|Avenue|Rd|Blvd)( (Apt|#|Unit|Suite) ?[0-9]{1,3}[A-Z]?)?",
            "\\PC{0,60}",
        ],
        address_field(),
        prop::option::of(prop_oneof!["[A-Za-z .'-]{1,20}", "\\PC{0,20}"]),
        prop::option::of(prop_oneof!["(CA|California|TX|ON|Québec|NSW)", "\\PC{0,10}"]),
        prop::option::of(prop_oneof!["[0-9]{4,5}(-[0-9]{4})?", "[A-Za-z0-9 ]{3,8}", "\\PC{0,10}"]),
        prop::option::of(prop_oneof!["(USA|U\\.S\\.|United States|UK|Canada|de|Freedonia)", "\\PC{0,12}"]),
    )
        .prop_map(|(line1, line2, city, region, postal_code, country)| Fields {
            line1,
            line2,
            city,
            region,
            postal_code,
            country,
        })
}

/// The properties below check what holds of values that parse; were every generated value
/// refused, they would pass having checked nothing. So each generator must make a good share of
/// values that parse (1,000 draws, a fixed seed).
#[test]
fn the_generators_make_values_that_parse() {
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    fn share<S: Strategy>(
        runner: &mut TestRunner,
        strategy: S,
        parses: impl Fn(&S::Value) -> bool,
    ) -> f64 {
        use proptest::strategy::ValueTree;
        let draws = 1000;
        let parsed = (0..draws)
            .filter(|_| parses(&strategy.new_tree(runner).expect("a value").current()))
            .count();
        parsed as f64 / f64::from(draws)
    }
    let mut runner = TestRunner::new_with_rng(
        ProptestConfig::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let shares = [
        (
            "email",
            share(&mut runner, email_like(), |raw| Email::parse(raw).is_ok()),
        ),
        (
            "phone",
            share(&mut runner, (phone_like(), region()), |(raw, region)| {
                Phone::parse(raw, *region).is_ok()
            }),
        ),
        (
            "name",
            share(&mut runner, name_like(), |raw| {
                PersonName::parse(raw).is_ok()
            }),
        ),
        (
            "address",
            share(&mut runner, address_fields(), |fields| {
                Address::parse(fields.input()).is_ok()
            }),
        ),
        (
            "handle",
            share(
                &mut runner,
                (prop::sample::select(PLATFORMS), handle_like()),
                |(platform, raw)| Handle::parse(platform, raw).is_ok(),
            ),
        ),
        (
            "external id",
            share(&mut runner, external_like(), |(provider, id)| {
                ExternalId::parse(provider, id).is_ok()
            }),
        ),
    ];
    for (what, share) in shares {
        println!("{what}: {:.0}% parse", share * 100.0);
        assert!(
            share >= 0.25,
            "{what}: only {:.0}% of the generated values parse",
            share * 100.0
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn email_normalization_is_idempotent(raw in email_like()) {
        if let Ok(email) = Email::parse(&raw) {
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
            prop_assert_eq!(format!("{}@{}", email.local(), email.domain()), email.as_str());
        }
    }

    #[test]
    fn email_variants_never_include_the_email_and_are_distinct(raw in email_like()) {
        if let Ok(email) = Email::parse(&raw) {
            let variants = email.variants();
            for (i, variant) in variants.iter().enumerate() {
                prop_assert_ne!(&variant.value, email.as_str());
                prop_assert!(variant.confidence > 0.0 && variant.confidence < 1.0);
                prop_assert!(variants[..i].iter().all(|earlier| earlier.value != variant.value));
                // A variant is itself an address we would have accepted.
                let reparsed = Email::parse(&variant.value).map(|e| e.to_string());
                prop_assert_eq!(reparsed, Ok(variant.value.clone()));
            }
            // The canonical key is stable under its own rules.
            let canonical = Email::parse(&email.canonical()).map(|e| e.canonical());
            prop_assert_eq!(canonical, Ok(email.canonical()));
        }
    }

    #[test]
    fn email_masking_never_reveals_the_mailbox(raw in email_like()) {
        let masked = mask_email(&raw);
        if let Ok(email) = Email::parse(&raw) {
            let masked = mask_email(email.as_str());
            let expected_tail = format!("***@{}", email.domain());
            prop_assert!(masked.ends_with(&expected_tail));
        }
        prop_assert!(masked.contains("***"));
    }

    #[test]
    fn phone_normalization_is_idempotent(raw in phone_like(), region in region(), other in region()) {
        if let Ok(phone) = Phone::parse(&raw, region) {
            prop_assert!(phone.e164().starts_with('+'));
            prop_assert!(phone.e164()[1..].chars().all(|c| c.is_ascii_digit()));
            // The E.164 form carries its country, so the region it is re-read in is irrelevant.
            let again = Phone::parse(phone.e164(), other).map(|p| p.e164().to_string());
            prop_assert_eq!(again, Ok(phone.e164().to_string()));
            prop_assert_eq!(Phone::parse(&phone.to_string(), other), Ok(phone.clone()));
        }
    }

    #[test]
    fn phone_variants_never_include_the_phone(raw in phone_like(), region in region()) {
        if let Ok(phone) = Phone::parse(&raw, region) {
            for variant in phone.variants() {
                prop_assert_ne!(&variant.value, phone.e164());
                prop_assert!(variant.confidence > 0.0 && variant.confidence < 1.0);
            }
            let masked = phone.masked();
            let national = phone.national_number();
            prop_assert_eq!(masked.len(), phone.e164().len());
            if national.len() >= 8 {
                let hidden = &national[..national.len() - 4];
                prop_assert!(!masked.contains(hidden));
            }
        }
    }

    #[test]
    fn name_normalization_is_idempotent(raw in name_like()) {
        if let Ok(name) = PersonName::parse(&raw) {
            prop_assert_eq!(PersonName::parse(name.full()), Ok(name.clone()));
            if let Some(canonical) = name.canonical_full() {
                prop_assert_ne!(&canonical, name.full());
                let resolved = PersonName::parse(&canonical).map(|n| n.canonical_given());
                prop_assert_eq!(resolved, Ok(name.canonical_given()));
            }
        }
    }

    #[test]
    fn address_normalization_is_idempotent(fields in address_fields()) {
        if let Ok(address) = Address::parse(fields.input()) {
            let again = Address::parse(address.as_input());
            prop_assert_eq!(again.as_ref().map(Address::hash), Ok(address.hash()));
            prop_assert_eq!(again, Ok(address.clone()));
            prop_assert_eq!(address.hash().len(), 64);
        }
    }

    #[test]
    fn address_hash_changes_when_line2_changes(
        fields in address_fields(),
        unit_a in "[0-9]{1,3}[A-Z]?",
        unit_b in "[0-9]{1,3}[A-Z]?",
    ) {
        let with = |unit: &str| {
            let line2 = format!("Apt {unit}");
            Address::parse(AddressInput { line2: Some(&line2), ..fields.input() })
        };
        if let (Ok(a), Ok(b), Ok(none)) = (with(&unit_a), with(&unit_b), Address::parse(AddressInput { line2: None, ..fields.input() })) {
            prop_assert_eq!(a.hash() == b.hash(), unit_a.eq_ignore_ascii_case(&unit_b));
            if none.line2().is_none() {
                prop_assert_ne!(a.hash(), none.hash());
            }
        }
    }

    #[test]
    fn handle_normalization_is_idempotent(platform in prop::sample::select(PLATFORMS), raw in handle_like()) {
        if let Ok(handle) = Handle::parse(platform, &raw) {
            prop_assert!(!handle.handle().is_empty());
            prop_assert!(!handle.handle().starts_with('@'));
            prop_assert_eq!(Handle::parse(handle.platform(), handle.handle()), Ok(handle.clone()));
        }
    }

    #[test]
    fn external_id_normalization_is_idempotent((provider, id) in external_like()) {
        if let Ok(external) = ExternalId::parse(&provider, &id) {
            prop_assert_eq!(ExternalId::parse(external.provider(), external.id()), Ok(external.clone()));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), region in region()) {
        let _ = Email::parse(&text);
        let _ = Phone::parse(&text, region);
        let _ = PersonName::parse(&text);
        let _ = Address::parse(AddressInput { line1: &text, line2: Some(&text), city: Some(&text), region: Some(&text), postal_code: Some(&text), country: Some(&text) });
        let _ = Address::parse(AddressInput::from_one_line(&text));
        let _ = Handle::parse(&text, &text);
        let _ = ExternalId::parse(&text, &text);
        let _ = mask_email(&text);
        let _ = extract_emails(&text);
        let _ = extract_phones(&text, region);
        for kind in [NormalizeKind::Phone, NormalizeKind::Email, NormalizeKind::Name, NormalizeKind::Address] {
            let outcome = normalize_value(kind, &text, region);
            prop_assert!(outcome.normalized.is_some() != outcome.error.is_some());
        }
    }

    #[test]
    fn digit_soup_never_panics_in_any_region(raw in "[+0-9 ()#x.-]{0,40}", region in region()) {
        let _ = Phone::parse(&raw, region);
        let _ = extract_phones(&raw, region);
    }

    #[test]
    fn extracted_identifiers_are_normalized_and_unique(text in prop_oneof![
        "([a-z]{1,8} ){0,5}(\\(916\\) 555-1234|\\+44 20 7946 0958|john\\.doe@gmail\\.com|2024-01-15|\\$1,234\\.56)( [a-z]{1,8}){0,5}",
        "\\PC{0,80}",
    ], region in region()) {
        let phones = extract_phones(&text, region);
        for (i, phone) in phones.iter().enumerate() {
            prop_assert_eq!(Phone::parse(&phone.to_string(), region), Ok(phone.clone()));
            prop_assert!(!phones[..i].contains(phone));
        }
        let emails = extract_emails(&text);
        for (i, email) in emails.iter().enumerate() {
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
            prop_assert!(!emails[..i].contains(email));
        }
    }

    #[test]
    fn a_phone_between_ordinary_words_is_found(
        before in prop::collection::vec(prop::sample::select(&["hi", "call", "me", "at", "please", "thanks", "tomorrow", "6", "people"][..]), 0..6),
        after in prop::collection::vec(prop::sample::select(&["thanks", "bye", "see", "you", "soon", "for", "8"][..]), 0..6),
        spelling in prop::sample::select(&["(916) 555-1234", "916-555-1234", "+1 916 555 1234", "9165551234", "916.555.1234"][..]),
    ) {
        let text = format!("{} {spelling} {}", before.join(" "), after.join(" "));
        let found: Vec<String> = extract_phones(&text, Region::default()).iter().map(|p| p.to_string()).collect();
        prop_assert_eq!(found, vec!["+19165551234".to_string()], "text {:?}", text);
    }
}

#[test]
fn huge_inputs_are_refused_or_handled_without_panicking() {
    let huge_digits = "9".repeat(1_000_000);
    let huge_text = "call me at (916) 555-1234 or mail a@b.co ".repeat(20_000);
    let huge_unicode = "é\u{301}ß𝔘\u{202E}\u{0}\u{FEFF}".repeat(50_000);
    for text in [&huge_digits, &huge_text, &huge_unicode] {
        let _ = Email::parse(text);
        let _ = Phone::parse(text, Region::default());
        let _ = PersonName::parse(text);
        let _ = Address::parse(AddressInput::from_one_line(text));
        let _ = Handle::parse("instagram", text);
        let _ = ExternalId::parse("shopify", text);
    }
    assert_eq!(extract_phones(&huge_text, Region::default()).len(), 1);
    assert_eq!(extract_emails(&huge_text).len(), 1);
    assert!(extract_phones(&huge_digits, Region::default()).is_empty());
}
