//! Who is this sender: what one interaction says about the person behind it, normalized once
//! (identifiers as probes, the name and address as the record the match model scores), which
//! stored identities it met, and what each of its identifiers may become on the profile it
//! lands on. Pure: the services read the candidates and write the result.

use std::collections::BTreeMap;

use crate::identifier::IdentifierKind;
use crate::keys;
use crate::normalize::address::{Address, AddressInput};
use crate::normalize::email::{Email, mask_email};
use crate::normalize::external::ExternalId;
use crate::normalize::handle::Handle;
use crate::normalize::name::PersonName;
use crate::normalize::phone::{Phone, Region};
use crate::record::Record;
use crate::resolve::{Candidate, MatchLevel, Resolution, SharedIdentifier};
use crate::search::display_name_keys;

/// Identifiers found in message text are likely, not certain, to be the sender's ("call my
/// husband at ..." happens); high enough that "my number is ..." alone links an exact phone.
pub const EXTRACTED_CONFIDENCE: f64 = 0.96;
/// At most this many addresses and numbers are read from one message body, whatever its size:
/// a message is one person talking, not a directory.
pub const MAX_EXTRACTED: usize = 5;

/// How an identifier was learned, weakest first; it decides what the identifier may be used
/// for (the wire form, with words for people, is the services' `Assurance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Assurance {
    /// Written in a message or typed into a form by whoever wrote it.
    Claimed,
    /// Entered by a member of staff.
    Staff,
    /// The channel's own address for the message, or a provider's account id.
    Asserted,
    /// The person proved they receive at it.
    Verified,
}

/// What an integration says about a sender, as it sent it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SenderInput<'a> {
    /// (provider, id)
    pub external: Option<(&'a str, &'a str)>,
    pub login: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// (platform, handle)
    pub handle: Option<(&'a str, &'a str)>,
    pub address: Option<AddressInput<'a>>,
    pub name: Option<&'a str>,
}

/// A malformed identifier, by the field it came in (`identifiers.email`, ...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SenderError {
    pub field: &'static str,
    pub message: String,
}

impl SenderError {
    fn of(field: &'static str, error: impl std::fmt::Display) -> SenderError {
        SenderError {
            field,
            message: error.to_string(),
        }
    }
}

/// One normalized identifier the sender is known by.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub kind: IdentifierKind,
    pub provider: String,
    pub value: String,
    /// As the integration sent it (none for what was read from text or hashed).
    pub raw: Option<String>,
    /// What provider-equivalent forms share (a Gmail address without dots).
    pub match_key: String,
    /// Other stored forms that are the same identifier (a number read in another region).
    pub variants: Vec<String>,
    /// How sure it is the sender's own.
    pub confidence: f64,
    /// How far it is trusted before it meets any profile.
    pub assurance: Assurance,
    /// Read from the message text rather than given by the integration.
    pub from_text: bool,
}

impl Probe {
    fn exact(kind: IdentifierKind, provider: &str, value: &str, raw: Option<&str>) -> Probe {
        Probe {
            kind,
            provider: provider.to_owned(),
            value: value.to_owned(),
            raw: raw.map(str::to_owned),
            match_key: value.to_owned(),
            variants: Vec::new(),
            confidence: 1.0,
            assurance: Assurance::Asserted,
            from_text: false,
        }
    }

    /// An address or number someone wrote in a message.
    fn written(
        kind: IdentifierKind,
        value: &str,
        match_key: String,
        variants: Vec<String>,
    ) -> Probe {
        Probe {
            match_key,
            variants,
            confidence: EXTRACTED_CONFIDENCE,
            assurance: Assurance::Claimed,
            from_text: true,
            ..Probe::exact(kind, "", value, None)
        }
    }

    /// Addresses and numbers are where sign-in codes go.
    pub fn is_contact(&self) -> bool {
        matches!(self.kind, IdentifierKind::Email | IdentifierKind::Phone)
    }

    /// External ids and logins identify one account: a profile holds them alone.
    pub fn exclusive(&self) -> bool {
        matches!(
            self.kind,
            IdentifierKind::ExternalId | IdentifierKind::Login
        )
    }

    /// Every key another sender could be found by through this identifier (`keys`).
    fn lock_keys(&self) -> impl Iterator<Item = String> + '_ {
        let kind = self.kind.as_str();
        keys::lock_keys(kind, &self.provider, &self.value, &self.match_key)
            .into_iter()
            .chain(
                self.variants
                    .iter()
                    .map(move |variant| keys::variant_lock_key(kind, &self.provider, variant)),
            )
    }
}

/// How far an identifier an integration sends is trusted before it meets any profile: a
/// provider's account ids and the channel's own kind of address (`native`: the number an SMS
/// came from, an email's From) are asserted; any other address, number, handle or postal
/// address is what the sender typed (a form, a checkout), a claim.
fn learned_assurance(native: Option<IdentifierKind>, kind: IdentifierKind) -> Assurance {
    let asserted =
        matches!(kind, IdentifierKind::ExternalId | IdentifierKind::Login) || native == Some(kind);
    if asserted {
        Assurance::Asserted
    } else {
        Assurance::Claimed
    }
}

/// What is known of a sender, normalized; each input is parsed once.
#[derive(Debug, Clone, Default)]
pub struct Sender {
    probes: Vec<Probe>,
    display_name: Option<String>,
    email: Option<Email>,
    phone: Option<Phone>,
    address_hash: Option<String>,
    /// Name and address as the match model compares people (identifiers are counted apart,
    /// as shared identifiers).
    record: Record,
}

impl Sender {
    /// Normalizes what an integration sent; `native` is the kind of address the channel
    /// vouches for (none for a lookup), `text` a message body the sender wrote, searched for
    /// numbers and addresses (at most [`MAX_EXTRACTED`], however long it is). Refuses a
    /// malformed identifier, naming its field.
    pub fn parse(
        input: &SenderInput<'_>,
        region: Region,
        native: Option<IdentifierKind>,
        text: Option<&str>,
    ) -> Result<Sender, SenderError> {
        let mut sender = Sender::default();
        let mut name = None;
        let mut address = None;
        if let Some((provider, raw)) = input.external {
            let id = ExternalId::parse(provider, raw)
                .map_err(|e| SenderError::of("identifiers.external", e))?;
            sender.probes.push(Probe::exact(
                IdentifierKind::ExternalId,
                id.provider(),
                id.id(),
                Some(raw),
            ));
        }
        if let Some(login) = input.login.map(str::trim).filter(|l| !l.is_empty()) {
            sender
                .probes
                .push(Probe::exact(IdentifierKind::Login, "", login, Some(login)));
        }
        if let Some(raw) = input.email {
            let email = Email::parse(raw).map_err(|e| SenderError::of("identifiers.email", e))?;
            sender.probes.push(Probe {
                match_key: email.canonical(),
                ..Probe::exact(IdentifierKind::Email, "", email.as_str(), Some(raw))
            });
            sender.email = Some(email);
        }
        if let Some(raw) = input.phone {
            let phone =
                Phone::parse(raw, region).map_err(|e| SenderError::of("identifiers.phone", e))?;
            sender.probes.push(Probe {
                variants: phone.variants().into_iter().map(|v| v.value).collect(),
                ..Probe::exact(IdentifierKind::Phone, "", phone.e164(), Some(raw))
            });
            sender.phone = Some(phone);
        }
        if let Some((platform, raw)) = input.handle {
            let handle = Handle::parse(platform, raw)
                .map_err(|e| SenderError::of("identifiers.handle", e))?;
            sender.probes.push(Probe::exact(
                IdentifierKind::Handle,
                handle.platform(),
                handle.handle(),
                Some(raw),
            ));
        }
        if let Some(input) = input.address {
            let parsed =
                Address::parse(input).map_err(|e| SenderError::of("identifiers.address", e))?;
            let hash = parsed.hash();
            sender
                .probes
                .push(Probe::exact(IdentifierKind::AddressHash, "", &hash, None));
            sender.address_hash = Some(hash);
            address = Some(parsed);
        }
        if let Some(raw) = input.name.map(str::trim).filter(|n| !n.is_empty()) {
            let parsed =
                PersonName::parse(raw).map_err(|e| SenderError::of("identifiers.name", e))?;
            sender.display_name = Some(raw.split_whitespace().collect::<Vec<_>>().join(" "));
            name = Some(parsed);
        }
        for probe in &mut sender.probes {
            probe.assurance = learned_assurance(native, probe.kind);
        }
        if let Some(body) = text {
            sender.read_text(body, region);
        }
        sender.record = Record::of_person(name.as_ref(), address.as_ref());
        Ok(sender)
    }

    /// Numbers and addresses a message names, as claims; the extractors stop once enough
    /// are found.
    fn read_text(&mut self, body: &str, region: Region) {
        let mut taken = 0;
        for phone in crate::extract::phones_in_text(body, region).take(MAX_EXTRACTED) {
            taken += 1;
            if !self.has(IdentifierKind::Phone, phone.e164()) {
                let variants = phone.variants().into_iter().map(|v| v.value).collect();
                self.probes.push(Probe::written(
                    IdentifierKind::Phone,
                    phone.e164(),
                    phone.e164().to_owned(),
                    variants,
                ));
            }
        }
        for email in crate::extract::emails_in(body).take(MAX_EXTRACTED - taken) {
            if !self.has(IdentifierKind::Email, email.as_str()) {
                self.probes.push(Probe::written(
                    IdentifierKind::Email,
                    email.as_str(),
                    email.canonical(),
                    Vec::new(),
                ));
            }
        }
    }

    fn has(&self, kind: IdentifierKind, value: &str) -> bool {
        self.probes
            .iter()
            .any(|p| p.kind == kind && p.value == value)
    }

    pub fn probes(&self) -> &[Probe] {
        &self.probes
    }

    /// The name as the person wrote it, with its spacing tidied.
    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }

    /// Given and family names as the person wrote them (the record's forms are for matching).
    pub fn given_and_family(&self) -> (Option<String>, Option<String>) {
        let tokens: Vec<&str> = self
            .display_name
            .as_deref()
            .map(|d| d.split_whitespace().collect())
            .unwrap_or_default();
        match tokens.as_slice() {
            [] => (None, None),
            [one] => (Some((*one).to_owned()), None),
            [first, .., last] => (Some((*first).to_owned()), Some((*last).to_owned())),
        }
    }

    /// The keys the name is searched by (`search::display_name_keys`).
    pub fn name_keys(&self) -> Vec<String> {
        display_name_keys(self.display_name.as_deref())
    }

    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }

    pub fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }

    /// The postal address's hash, when one was given.
    pub fn address_hash(&self) -> Option<&str> {
        self.address_hash.as_deref()
    }

    /// The sender as the match model compares people.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// Masked email and phone, for logs.
    pub fn masked(&self) -> (String, String) {
        (
            self.email
                .as_ref()
                .map(|e| mask_email(e.as_str()))
                .unwrap_or_default(),
            self.phone.as_ref().map(Phone::masked).unwrap_or_default(),
        )
    }

    /// Every key another sender could be found by: identifiers, their match keys and variants.
    /// Whoever resolves two senders that share one must do it one after the other.
    pub fn lock_keys(&self) -> Vec<String> {
        self.probes.iter().flat_map(Probe::lock_keys).collect()
    }

    /// The tombstones an erased person with these identifiers would have left
    /// (`keys::tombstone_hash`, keyed by the tenant's bytes).
    pub fn tombstone_hashes(&self, tenant: &[u8]) -> Vec<String> {
        self.probes
            .iter()
            .map(|p| keys::tombstone_hash(tenant, p.kind.as_str(), &p.provider, &p.value))
            .collect()
    }
}

/// One stored identity that one of the sender's probes met.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Meeting<P> {
    profile: P,
    probe: usize,
    level: MatchLevel,
    /// How the profile's identity was learned.
    stored: Assurance,
}

/// Which of the sender's identifiers met which profiles' identities, and how.
#[derive(Debug, Clone)]
pub struct Matches<P> {
    met: Vec<Meeting<P>>,
}

impl<P> Default for Matches<P> {
    fn default() -> Self {
        Matches { met: Vec::new() }
    }
}

impl<P: Copy + Ord> Matches<P> {
    /// Records that probe `probe` of the sender met an identity of `profile`.
    pub fn add(&mut self, profile: P, probe: usize, level: MatchLevel, stored: Assurance) {
        self.met.push(Meeting {
            profile,
            probe,
            level,
            stored,
        });
    }

    /// The profiles met, each with the identifiers it shares (the strongest level per kind).
    pub fn candidates(&self, probes: &[Probe]) -> Vec<Candidate<P>> {
        let mut shared: BTreeMap<P, Vec<SharedIdentifier>> = BTreeMap::new();
        for m in &self.met {
            let probe = &probes[m.probe];
            let list = shared.entry(m.profile).or_default();
            if !list
                .iter()
                .any(|s| s.kind == probe.kind && s.level == MatchLevel::Exact)
            {
                list.retain(|s| s.kind != probe.kind);
                list.push(SharedIdentifier {
                    kind: probe.kind,
                    level: m.level,
                    source_confidence: probe.confidence,
                });
            }
        }
        shared
            .into_iter()
            .map(|(id, shared)| Candidate { id, shared })
            .collect()
    }

    /// How strongly the sender is tied to `profile`: through an identifier both hold exactly,
    /// as strong as the weaker of the sender's word for it and the profile's; through a variant
    /// (a number read in another region, an address spelled another way), a claim.
    pub fn tie(&self, profile: P, probes: &[Probe]) -> Assurance {
        self.met
            .iter()
            .filter(|m| m.profile == profile)
            .map(|m| match m.level {
                MatchLevel::Exact => probes[m.probe].assurance.min(m.stored),
                MatchLevel::Variant => Assurance::Claimed,
            })
            .max()
            .unwrap_or(Assurance::Claimed)
    }

    fn met(&self, profile: P, probe: usize) -> bool {
        self.met
            .iter()
            .any(|m| m.profile == profile && m.probe == probe)
    }

    /// Another profile holding this probe's identifier exactly.
    fn holder_other_than(&self, profile: P, probe: usize) -> Option<P> {
        self.met
            .iter()
            .find(|m| m.profile != profile && m.probe == probe && m.level == MatchLevel::Exact)
            .map(|m| m.profile)
    }
}

/// What becomes of one of the sender's identifiers once the sender has landed on a profile.
#[derive(Debug, Clone, PartialEq)]
pub enum Fate<P> {
    /// Joins the profile, this sure and this trusted.
    Link {
        confidence: f64,
        assurance: Assurance,
    },
    /// Stays with the message as something it said; `holder` is another profile that holds it.
    Claim { holder: Option<P> },
    /// Left where it is: another profile holds it and a review item carries the conflict.
    Withheld,
}

/// Where resolution put the sender, with what it saw: the rules that decide what each of the
/// sender's identifiers becomes.
pub struct Landing<'a, P> {
    pub sender: &'a Sender,
    pub resolution: &'a Resolution<P>,
    pub candidates: &'a [Candidate<P>],
    pub matches: &'a Matches<P>,
    /// The profile the sender landed on (the linked one, or a new one).
    pub profile: P,
}

impl<P: Copy + Ord> Landing<'_, P> {
    /// How strongly the sender is tied to the existing profile it linked to (none for a profile
    /// it made): an identifier it brings joins that profile no more trusted than the tie (an SMS
    /// from a new number that names a customer's email does not make that number one they can
    /// sign in with).
    pub fn tie(&self) -> Option<Assurance> {
        match self.resolution {
            Resolution::Link(best) => Some(self.matches.tie(best.id, self.sender.probes())),
            _ => None,
        }
    }

    /// Whether the sender brings a new address or number that joins only as a claim: then the
    /// kinds the profile holds verified must be known ([`Landing::fates`]).
    pub fn brings_claim(&self) -> bool {
        self.tie().is_some_and(|tie| {
            self.sender.probes().iter().enumerate().any(|(at, p)| {
                !p.from_text
                    && p.is_contact()
                    && p.assurance.min(tie) == Assurance::Claimed
                    && !self.matches.met(self.profile, at)
            })
        })
    }

    /// What each probe becomes, in the sender's order. `verified` are the kinds of identifier
    /// the profile holds verified (needed only when [`Landing::brings_claim`]).
    pub fn fates(&self, verified: &[IdentifierKind]) -> Vec<Fate<P>> {
        let tie = self.tie();
        self.sender
            .probes()
            .iter()
            .enumerate()
            .map(|(at, probe)| {
                let met_here = self.matches.met(self.profile, at);
                let assurance = tie.map_or(probe.assurance, |t| probe.assurance.min(t));
                // What a message says is kept with the message, unless it is how the sender was
                // found; a claimed address never joins a profile whose owner verified one of
                // that kind.
                let kept_as_claim = (probe.from_text && !met_here)
                    || (tie.is_some()
                        && !met_here
                        && probe.is_contact()
                        && assurance == Assurance::Claimed
                        && verified.contains(&probe.kind));
                if kept_as_claim {
                    return Fate::Claim {
                        holder: self.matches.holder_other_than(self.profile, at),
                    };
                }
                if self.held_elsewhere(probe) {
                    return Fate::Withheld;
                }
                Fate::Link {
                    confidence: self.confidence_of(probe),
                    assurance,
                }
            })
            .collect()
    }

    /// A provisional profile learns only what no other profile holds, so the review item is
    /// where the conflict lives.
    fn held_elsewhere(&self, probe: &Probe) -> bool {
        match self.resolution {
            Resolution::Review(c) => {
                probe.exclusive()
                    && c.explanation
                        .iter()
                        .any(|e| e.comparison == probe.kind.as_str())
            }
            Resolution::Ambiguous(_) => self.candidates.iter().any(|c| {
                c.shared
                    .iter()
                    .any(|s| s.kind == probe.kind && s.level == MatchLevel::Exact)
            }),
            Resolution::Create | Resolution::Link(_) => false,
        }
    }

    /// An identifier that rode in on a link (an Instagram handle linked because the DM gave a
    /// known phone) is only as certain as the link itself.
    fn confidence_of(&self, probe: &Probe) -> f64 {
        match self.resolution {
            Resolution::Link(best)
                if !best
                    .explanation
                    .iter()
                    .any(|e| e.comparison == probe.kind.as_str()) =>
            {
                probe.confidence.min(best.confidence)
            }
            _ => probe.confidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::{Contribution, ScoredCandidate};

    fn sms_sender(input: SenderInput<'_>, text: Option<&str>) -> Sender {
        Sender::parse(&input, Region::default(), Some(IdentifierKind::Phone), text)
            .expect("a valid sender")
    }

    fn kinds(sender: &Sender) -> Vec<(IdentifierKind, Assurance, bool)> {
        sender
            .probes()
            .iter()
            .map(|p| (p.kind, p.assurance, p.from_text))
            .collect()
    }

    #[test]
    fn a_malformed_identifier_is_refused_by_its_field() {
        for (input, field) in [
            (
                SenderInput {
                    email: Some("not an address"),
                    ..SenderInput::default()
                },
                "identifiers.email",
            ),
            (
                SenderInput {
                    phone: Some("12"),
                    ..SenderInput::default()
                },
                "identifiers.phone",
            ),
            (
                SenderInput {
                    handle: Some(("instagram", "")),
                    ..SenderInput::default()
                },
                "identifiers.handle",
            ),
            (
                SenderInput {
                    external: Some(("", "42")),
                    ..SenderInput::default()
                },
                "identifiers.external",
            ),
        ] {
            let error = Sender::parse(&input, Region::default(), None, None).expect_err(field);
            assert_eq!(error.field, field);
        }
    }

    #[test]
    fn the_channels_own_address_is_asserted_and_the_rest_claimed() {
        let input = SenderInput {
            email: Some("ann@example.com"),
            phone: Some("(415) 555-2671"),
            external: Some(("shop", "42")),
            ..SenderInput::default()
        };
        let sms = sms_sender(input, None);
        assert_eq!(
            kinds(&sms),
            [
                (IdentifierKind::ExternalId, Assurance::Asserted, false),
                (IdentifierKind::Email, Assurance::Claimed, false),
                (IdentifierKind::Phone, Assurance::Asserted, false),
            ]
        );
        let lookup = Sender::parse(&input, Region::default(), None, None).expect("valid");
        assert_eq!(lookup.probes()[2].assurance, Assurance::Claimed);
        assert_eq!(lookup.probes()[0].assurance, Assurance::Asserted);
    }

    #[test]
    fn a_message_adds_at_most_a_handful_of_claims_and_none_it_already_has() {
        let body = (0..40)
            .map(|i| format!("call (415) 555-{:04} or write x{i}@example.com", 1000 + i))
            .collect::<Vec<_>>()
            .join("; ");
        let sender = sms_sender(SenderInput::default(), Some(&body));
        assert_eq!(sender.probes().len(), MAX_EXTRACTED);
        assert!(sender.probes().iter().all(|p| p.from_text
            && p.assurance == Assurance::Claimed
            && p.confidence == EXTRACTED_CONFIDENCE));

        let own = sms_sender(
            SenderInput {
                phone: Some("+14155551000"),
                ..SenderInput::default()
            },
            Some("it's me, (415) 555-1000"),
        );
        assert_eq!(own.probes().len(), 1);
        assert!(!own.probes()[0].from_text);
    }

    #[test]
    fn the_record_holds_the_parsed_name_and_address() {
        let address = AddressInput {
            line1: "12 Main Street",
            line2: Some("Apt 4"),
            city: Some("Springfield"),
            region: None,
            postal_code: Some("62704"),
            country: Some("US"),
        };
        let sender = sms_sender(
            SenderInput {
                name: Some("  Bob   Smith "),
                address: Some(address),
                ..SenderInput::default()
            },
            None,
        );
        assert_eq!(sender.display_name(), Some("Bob Smith"));
        assert_eq!(
            sender.given_and_family(),
            (Some("Bob".into()), Some("Smith".into()))
        );
        let record = sender.record();
        assert_eq!(record.given_canonical.as_deref(), Some("robert"));
        assert_eq!(record.family.as_deref(), Some("smith"));
        assert_eq!(record.postcode.as_deref(), Some("62704"));
        assert!(record.address_unit.is_some());
        assert!(sender.address_hash().is_some());
        assert!(!sender.name_keys().is_empty());
    }

    #[test]
    fn lock_keys_cover_values_match_keys_and_variants() {
        let sender = sms_sender(
            SenderInput {
                email: Some("Ann.Lee+shop@gmail.com"),
                phone: Some("(415) 555-2671"),
                ..SenderInput::default()
            },
            None,
        );
        let locks = sender.lock_keys();
        for probe in sender.probes() {
            let [exact, key] = keys::lock_keys(
                probe.kind.as_str(),
                &probe.provider,
                &probe.value,
                &probe.match_key,
            );
            assert!(locks.contains(&exact) && locks.contains(&key));
            for variant in &probe.variants {
                assert!(locks.contains(&keys::variant_lock_key(probe.kind.as_str(), "", variant)));
            }
        }
        assert_eq!(
            sender.tombstone_hashes(&[7; 16]).len(),
            sender.probes().len()
        );
        assert_ne!(
            sender.tombstone_hashes(&[7; 16]),
            sender.tombstone_hashes(&[8; 16])
        );
    }

    fn scored(id: u32, confidence: f64, by: &[&str]) -> ScoredCandidate<u32> {
        ScoredCandidate {
            id,
            confidence,
            explanation: by
                .iter()
                .map(|c| Contribution {
                    comparison: (*c).to_owned(),
                    level: "exact".into(),
                    effect: 1.0,
                })
                .collect(),
        }
    }

    #[test]
    fn matches_tie_by_the_weaker_word_and_variants_only_claim() {
        let sender = sms_sender(
            SenderInput {
                phone: Some("+14155552671"),
                email: Some("ann@example.com"),
                ..SenderInput::default()
            },
            None,
        );
        let mut matches = Matches::default();
        // phone (asserted by the SMS) meets a verified identity of 1: asserted.
        matches.add(1, 1, MatchLevel::Exact, Assurance::Verified);
        // email (a claim) meets a verified identity of 2: claimed.
        matches.add(2, 0, MatchLevel::Exact, Assurance::Verified);
        // phone meets 3 only as a variant: claimed.
        matches.add(3, 1, MatchLevel::Variant, Assurance::Verified);
        assert_eq!(matches.tie(1, sender.probes()), Assurance::Asserted);
        assert_eq!(matches.tie(2, sender.probes()), Assurance::Claimed);
        assert_eq!(matches.tie(3, sender.probes()), Assurance::Claimed);
        assert_eq!(matches.tie(4, sender.probes()), Assurance::Claimed);
        let candidates = matches.candidates(sender.probes());
        assert_eq!(
            candidates.iter().map(|c| c.id).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        // An exact meeting wins over a variant of the same kind.
        matches.add(3, 1, MatchLevel::Exact, Assurance::Claimed);
        let three = &matches.candidates(sender.probes())[2];
        assert_eq!(three.shared.len(), 1);
        assert_eq!(three.shared[0].level, MatchLevel::Exact);
    }

    #[test]
    fn a_claimed_contact_never_joins_a_profile_that_verified_its_kind() {
        // An SMS from a known number names a new email: the email is the sender's word.
        let sender = sms_sender(
            SenderInput {
                phone: Some("+14155552671"),
                email: Some("new@example.com"),
                ..SenderInput::default()
            },
            None,
        );
        let mut matches = Matches::default();
        matches.add(1, 1, MatchLevel::Exact, Assurance::Asserted);
        let resolution = Resolution::Link(scored(1, 0.97, &["phone"]));
        let candidates = matches.candidates(sender.probes());
        let landing = Landing {
            sender: &sender,
            resolution: &resolution,
            candidates: &candidates,
            matches: &matches,
            profile: 1,
        };
        assert_eq!(landing.tie(), Some(Assurance::Asserted));
        assert!(landing.brings_claim());
        let fates = landing.fates(&[IdentifierKind::Email]);
        assert_eq!(fates[0], Fate::Claim { holder: None });
        assert!(
            matches!(fates[1], Fate::Link { assurance: Assurance::Asserted, confidence } if confidence == 1.0)
        );
        // Without a verified email on the profile, the email joins, as a claim, no surer than
        // the link.
        let fates = landing.fates(&[]);
        assert_eq!(
            fates[0],
            Fate::Link {
                confidence: 0.97,
                assurance: Assurance::Claimed
            }
        );
    }

    #[test]
    fn a_provisional_profile_learns_only_what_no_other_holds() {
        let sender = sms_sender(
            SenderInput {
                phone: Some("+14155552671"),
                external: Some(("shop", "42")),
                ..SenderInput::default()
            },
            Some("my wife's number is (415) 555-9999"),
        );
        let mut matches = Matches::default();
        matches.add(1, 0, MatchLevel::Exact, Assurance::Asserted);
        matches.add(2, 1, MatchLevel::Exact, Assurance::Asserted);
        matches.add(2, 2, MatchLevel::Exact, Assurance::Asserted);
        let candidates = matches.candidates(sender.probes());
        let resolution = Resolution::Ambiguous(vec![
            scored(1, 0.9, &["external_id"]),
            scored(2, 0.9, &["phone"]),
        ]);
        let landing = Landing {
            sender: &sender,
            resolution: &resolution,
            candidates: &candidates,
            matches: &matches,
            profile: 9,
        };
        assert!(!landing.brings_claim());
        assert_eq!(
            landing.fates(&[]),
            [
                Fate::Withheld,
                Fate::Withheld,
                Fate::Claim { holder: Some(2) },
            ]
        );
        // Under a single review candidate only the exclusive identifier it matched is withheld.
        let review = Resolution::Review(scored(1, 0.7, &["external_id"]));
        let landing = Landing {
            resolution: &review,
            ..landing
        };
        assert_eq!(landing.fates(&[])[0], Fate::Withheld);
        assert!(matches!(landing.fates(&[])[1], Fate::Link { .. }));
    }
}
