//! Real-time decisions: given what an incoming interaction says about its sender and the profiles
//! that share an identifier with it, decide create / link / review / ambiguous, with a confidence
//! and an explanation a person can read. Nothing here auto-merges two existing profiles.

use serde::{Deserialize, Serialize};

use crate::identifier::IdentifierKind;
use crate::normalize::name::PersonName;

/// The tenant's decision thresholds, in 0..1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// At or above: link automatically.
    pub link: f64,
    /// At or above (and below `link`): a person reviews.
    pub review: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            link: 0.9,
            review: 0.6,
        }
    }
}

/// How an incoming identifier met a stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchLevel {
    /// The same normalized value.
    Exact,
    /// Provider-equivalent forms (Gmail dots, +tags, Brazil's ninth digit...).
    Variant,
}

/// One identifier shared between the incoming interaction and a candidate profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedIdentifier {
    pub kind: IdentifierKind,
    pub level: MatchLevel,
    /// How sure we are the incoming identifier belongs to the sender (1.0 when the integrator sent
    /// it as the sender's; lower when it was extracted from message text).
    pub source_confidence: f64,
}

/// A profile that shares at least one identifier with the incoming interaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<Id> {
    pub id: Id,
    pub name: Option<PersonName>,
    pub shared: Vec<SharedIdentifier>,
}

/// One line of an explanation: a comparison, the level it reached, and what it contributed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub comparison: String,
    pub level: String,
    pub effect: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredCandidate<Id> {
    pub id: Id,
    pub confidence: f64,
    pub explanation: Vec<Contribution>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Resolution<Id> {
    /// Nobody matched well enough to ask a person: a new profile.
    Create,
    /// One profile, confidently.
    Link(ScoredCandidate<Id>),
    /// One plausible profile, not confident enough: a new profile and a review item.
    Review(ScoredCandidate<Id>),
    /// Two or more distinct profiles claim this sender: a provisional profile and a review item.
    Ambiguous(Vec<ScoredCandidate<Id>>),
}

/// Prior confidence that a shared identifier of this kind means the same person.
/// Ordered by strength as the product defines it; a variant is weaker than an exact match.
pub fn identifier_strength(kind: IdentifierKind, level: MatchLevel) -> f64 {
    let exact = match kind {
        IdentifierKind::ExternalId => 0.995,
        IdentifierKind::Login => 0.99,
        IdentifierKind::Email => 0.97,
        IdentifierKind::Phone => 0.95,
        IdentifierKind::Handle => 0.93,
        // An address is shared by a household: alone it is a lead, not proof.
        IdentifierKind::AddressHash => 0.8,
    };
    match level {
        MatchLevel::Exact => exact,
        MatchLevel::Variant => exact * 0.78,
    }
}

/// How two names compare, as a multiplier on the identifier evidence and a label for the explanation.
fn name_effect(
    incoming: Option<&PersonName>,
    stored: Option<&PersonName>,
) -> Option<(String, f64)> {
    let (a, b) = (incoming?, stored?);
    if a.full() == b.full() {
        return Some(("exact".into(), 1.04));
    }
    let given_a = a.canonical_given().or_else(|| a.given().map(str::to_owned));
    let given_b = b.canonical_given().or_else(|| b.given().map(str::to_owned));
    let family_same = match (a.family(), b.family()) {
        (Some(x), Some(y)) => strsim::jaro_winkler(x, y) >= 0.92,
        _ => true,
    };
    let given_same = match (&given_a, &given_b) {
        (Some(x), Some(y)) => x == y || strsim::jaro_winkler(x, y) >= 0.9,
        _ => true,
    };
    let similarity = strsim::jaro_winkler(a.full(), b.full());
    if given_same && family_same {
        Some((format!("similar (jaro-winkler {similarity:.2})"), 1.02))
    } else if family_same {
        // Same family, different person: the shared-household case that must not auto-link.
        Some(("different given name".into(), 0.7))
    } else {
        Some((format!("different (jaro-winkler {similarity:.2})"), 0.6))
    }
}

/// Scores one candidate: the strongest shared identifier sets the base, further independent
/// identifiers add to it, and the name comparison scales it.
pub fn score_candidate<Id: Copy>(
    incoming_name: Option<&PersonName>,
    candidate: &Candidate<Id>,
) -> ScoredCandidate<Id> {
    let mut explanation = Vec::new();
    // Combine independent evidence as 1 - Π(1 - p): two identifiers agreeing beat either alone.
    let mut miss = 1.0;
    for shared in &candidate.shared {
        let p = identifier_strength(shared.kind, shared.level) * shared.source_confidence;
        miss *= 1.0 - p;
        explanation.push(Contribution {
            comparison: shared.kind.as_str().to_owned(),
            level: match shared.level {
                MatchLevel::Exact => "exact".to_owned(),
                MatchLevel::Variant => "variant".to_owned(),
            },
            effect: p,
        });
    }
    let mut confidence = 1.0 - miss;
    if let Some((level, factor)) = name_effect(incoming_name, candidate.name.as_ref()) {
        confidence *= factor;
        explanation.push(Contribution {
            comparison: "name".to_owned(),
            level,
            effect: factor,
        });
    }
    ScoredCandidate {
        id: candidate.id,
        confidence: confidence.clamp(0.0, 1.0),
        explanation,
    }
}

/// Decides what to do with an incoming interaction given the candidates that share identifiers with it.
pub fn decide<Id: Copy + Ord>(
    incoming_name: Option<&PersonName>,
    candidates: &[Candidate<Id>],
    thresholds: Thresholds,
) -> Resolution<Id> {
    let mut scored: Vec<ScoredCandidate<Id>> = candidates
        .iter()
        .map(|c| score_candidate(incoming_name, c))
        .filter(|s| s.confidence >= thresholds.review)
        .collect();
    scored.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.id.cmp(&b.id)));
    scored.dedup_by(|a, b| a.id == b.id);
    match scored.len() {
        0 => Resolution::Create,
        1 => {
            let best = scored.remove(0);
            if best.confidence >= thresholds.link {
                Resolution::Link(best)
            } else {
                Resolution::Review(best)
            }
        }
        _ => Resolution::Ambiguous(scored),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Option<PersonName> {
        PersonName::parse(text).ok()
    }

    fn shared(kind: IdentifierKind) -> SharedIdentifier {
        SharedIdentifier {
            kind,
            level: MatchLevel::Exact,
            source_confidence: 1.0,
        }
    }

    #[test]
    fn no_candidates_creates() {
        let r = decide::<u32>(name("Ann Lee").as_ref(), &[], Thresholds::default());
        assert_eq!(r, Resolution::Create);
    }

    #[test]
    fn exact_email_with_same_name_links() {
        let c = Candidate {
            id: 1u32,
            name: name("Ann Lee"),
            shared: vec![shared(IdentifierKind::Email)],
        };
        match decide(name("Ann Lee").as_ref(), &[c], Thresholds::default()) {
            Resolution::Link(s) => {
                assert!(s.confidence >= 0.9);
                assert!(
                    s.explanation
                        .iter()
                        .any(|e| e.comparison == "email" && e.level == "exact")
                );
            }
            other => panic!("expected link, got {other:?}"),
        }
    }

    #[test]
    fn family_member_sharing_a_phone_goes_to_review() {
        let c = Candidate {
            id: 1u32,
            name: name("John Smith"),
            shared: vec![shared(IdentifierKind::Phone)],
        };
        assert!(matches!(
            decide(name("Mary Smith").as_ref(), &[c], Thresholds::default()),
            Resolution::Review(_)
        ));
    }

    #[test]
    fn nickname_does_not_count_as_a_different_person() {
        let c = Candidate {
            id: 1u32,
            name: name("Robert Jones"),
            shared: vec![shared(IdentifierKind::Phone)],
        };
        assert!(matches!(
            decide(name("Bob Jones").as_ref(), &[c], Thresholds::default()),
            Resolution::Link(_)
        ));
    }

    #[test]
    fn email_says_a_phone_says_b_is_ambiguous() {
        let a = Candidate {
            id: 1u32,
            name: None,
            shared: vec![shared(IdentifierKind::Email)],
        };
        let b = Candidate {
            id: 2u32,
            name: None,
            shared: vec![shared(IdentifierKind::Phone)],
        };
        match decide(None, &[a, b], Thresholds::default()) {
            Resolution::Ambiguous(c) => assert_eq!(c.len(), 2),
            other => panic!("expected ambiguous, got {other:?}"),
        }
    }

    #[test]
    fn gmail_dot_variant_alone_is_reviewed_not_linked() {
        let c = Candidate {
            id: 1u32,
            name: name("Ann Lee"),
            shared: vec![SharedIdentifier {
                kind: IdentifierKind::Email,
                level: MatchLevel::Variant,
                source_confidence: 1.0,
            }],
        };
        assert!(matches!(
            decide(name("Ann Lee").as_ref(), &[c], Thresholds::default()),
            Resolution::Review(_)
        ));
    }

    #[test]
    fn address_alone_is_not_enough_to_link() {
        let c = Candidate {
            id: 1u32,
            name: None,
            shared: vec![shared(IdentifierKind::AddressHash)],
        };
        assert!(matches!(
            decide(None, &[c], Thresholds::default()),
            Resolution::Review(_)
        ));
    }

    #[test]
    fn thresholds_are_respected() {
        let c = Candidate {
            id: 1u32,
            name: None,
            shared: vec![shared(IdentifierKind::Handle)],
        };
        let strict = Thresholds {
            link: 0.99,
            review: 0.5,
        };
        assert!(matches!(
            decide(None, std::slice::from_ref(&c), strict),
            Resolution::Review(_)
        ));
        let loose = Thresholds {
            link: 0.9,
            review: 0.5,
        };
        assert!(matches!(decide(None, &[c], loose), Resolution::Link(_)));
    }
}
