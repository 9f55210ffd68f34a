//! Real-time decisions: given what an incoming interaction says about its sender and the profiles
//! that share an identifier with it, decide create / link / review / ambiguous, with a confidence
//! and an explanation a person can read. Nothing here auto-merges two existing profiles.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::identifier::IdentifierKind;
use crate::model::Model;
use crate::record::Record;

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

/// The probabilistic half of the evidence: the match model and comparison records for the
/// incoming sender and for candidates, used for what identifiers do not cover (names, date of
/// birth, address).
pub struct ProfileEvidence<'a, Id> {
    pub model: &'a Model,
    pub incoming: &'a Record,
    pub records: &'a BTreeMap<Id, Record>,
}

/// Model comparisons that describe the person rather than repeat an identifier already counted.
const PROFILE_COMPARISONS: [&str; 5] = [
    "first_name",
    "last_name",
    "date_of_birth",
    "address",
    "postcode_city",
];
/// Levels that say "a different person" whatever the identifiers say (see `dedupe`).
const DISTINCT_PERSON: [(&str, &str); 2] = [("first_name", "else"), ("date_of_birth", "else")];

/// The identifiers' evidence: the strongest shared identifier sets the base and further
/// independent ones add to it, as 1 - Π(1 - p).
fn identifier_evidence<Id: Copy>(candidate: &Candidate<Id>) -> (f64, Vec<Contribution>) {
    let mut explanation = Vec::new();
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
    (1.0 - miss, explanation)
}

/// Scores one candidate from its shared identifiers plus the Fellegi-Sunter weights (in bits)
/// of the profile comparisons, added in log-odds. Returns whether a level said "different person".
fn score_with_model<Id: Copy + Ord>(
    candidate: &Candidate<Id>,
    evidence: &ProfileEvidence<'_, Id>,
) -> (ScoredCandidate<Id>, bool) {
    let (identifiers, mut explanation) = identifier_evidence(candidate);
    let Some(record) = evidence.records.get(&candidate.id) else {
        return (
            ScoredCandidate {
                id: candidate.id,
                confidence: identifiers,
                explanation,
            },
            false,
        );
    };
    let prediction = evidence.model.score(evidence.incoming, record, None);
    let mut bits = 0.0;
    let mut distinct = false;
    for c in prediction
        .explanation
        .iter()
        .filter(|c| PROFILE_COMPARISONS.contains(&c.name.as_str()) && c.level_index.is_some())
    {
        bits += c.weight;
        distinct |= DISTINCT_PERSON
            .iter()
            .any(|(name, level)| c.name == *name && c.level == *level);
        explanation.push(Contribution {
            comparison: c.name.clone(),
            level: c.level.clone(),
            effect: c.weight,
        });
    }
    let clamped = identifiers.clamp(1e-9, 1.0 - 1e-12);
    let log_odds = (clamped / (1.0 - clamped)).log2() + bits;
    let confidence = crate::model::probability_from_weight(log_odds);
    // An external id or a login identifies the account, whatever its name says.
    let vouched = candidate.shared.iter().any(|s| {
        matches!(s.kind, IdentifierKind::ExternalId | IdentifierKind::Login)
            && s.level == MatchLevel::Exact
    });
    (
        ScoredCandidate {
            id: candidate.id,
            confidence,
            explanation,
        },
        distinct && !vouched,
    )
}

/// Decides what to do with an incoming interaction given the candidates that share identifiers
/// with it, the match model weighing names, dates of birth and addresses. A candidate
/// whose given name or date of birth is entirely different (a relative sharing a phone) is never
/// linked automatically: at most it is proposed for review.
pub fn decide_with_model<Id: Copy + Ord>(
    candidates: &[Candidate<Id>],
    thresholds: Thresholds,
    evidence: &ProfileEvidence<'_, Id>,
) -> Resolution<Id> {
    choose(
        score_candidates(candidates, thresholds, evidence),
        thresholds,
    )
}

/// Each candidate's confidence and explanation, as [`decide_with_model`] weighs them (a distinct
/// person capped below the link threshold), before any is chosen: for showing possible
/// duplicates of an existing profile.
pub fn score_candidates<Id: Copy + Ord>(
    candidates: &[Candidate<Id>],
    thresholds: Thresholds,
    evidence: &ProfileEvidence<'_, Id>,
) -> Vec<ScoredCandidate<Id>> {
    candidates
        .iter()
        .map(|c| {
            let (mut s, distinct) = score_with_model(c, evidence);
            if distinct && s.confidence >= thresholds.link {
                s.confidence = thresholds.review.max(thresholds.link - 0.01);
                s.explanation.push(Contribution {
                    comparison: "distinct_person".into(),
                    level: "capped below the link threshold".into(),
                    effect: s.confidence,
                });
            }
            s
        })
        .collect()
}

fn choose<Id: Copy + Ord>(
    scored: Vec<ScoredCandidate<Id>>,
    thresholds: Thresholds,
) -> Resolution<Id> {
    let mut scored: Vec<ScoredCandidate<Id>> = scored
        .into_iter()
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
    use crate::normalize::phone::Region;
    use crate::record::{Field, RawRecord};

    fn record(name: Option<&str>, dob: Option<&str>) -> Record {
        let fields = [(Field::FullName, name), (Field::DateOfBirth, dob)]
            .into_iter()
            .filter_map(|(f, v)| v.map(|v| (f, v.to_owned())))
            .collect();
        Record::from_raw(
            &RawRecord {
                id: String::new(),
                fields,
            },
            Region::default(),
        )
        .0
    }

    fn shared(kind: IdentifierKind, level: MatchLevel) -> Vec<SharedIdentifier> {
        vec![SharedIdentifier {
            kind,
            level,
            source_confidence: 1.0,
        }]
    }

    /// Decides for an incoming name against candidates given as (id, stored name, shared identifiers).
    fn decide(
        incoming: Option<&str>,
        candidates: &[(u32, Option<&str>, Vec<SharedIdentifier>)],
        thresholds: Thresholds,
    ) -> Resolution<u32> {
        let model = Model::default_for_people();
        let records: BTreeMap<u32, Record> = candidates
            .iter()
            .map(|(id, name, _)| (*id, record(*name, None)))
            .collect();
        let list: Vec<Candidate<u32>> = candidates
            .iter()
            .map(|(id, _, shared)| Candidate {
                id: *id,
                shared: shared.clone(),
            })
            .collect();
        let incoming = record(incoming, None);
        decide_with_model(
            &list,
            thresholds,
            &ProfileEvidence {
                model: &model,
                incoming: &incoming,
                records: &records,
            },
        )
    }

    #[test]
    fn no_candidates_creates() {
        assert_eq!(
            decide(Some("Ann Lee"), &[], Thresholds::default()),
            Resolution::Create
        );
    }

    #[test]
    fn exact_email_with_same_name_links() {
        match decide(
            Some("Ann Lee"),
            &[(
                1,
                Some("Ann Lee"),
                shared(IdentifierKind::Email, MatchLevel::Exact),
            )],
            Thresholds::default(),
        ) {
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
    fn same_phone_and_nickname_links_with_the_name_weights_in_the_explanation() {
        match decide(
            Some("Bob Jones"),
            &[(
                1,
                Some("Robert Jones"),
                shared(IdentifierKind::Phone, MatchLevel::Exact),
            )],
            Thresholds::default(),
        ) {
            Resolution::Link(s) => {
                assert!(
                    s.explanation.iter().any(|e| e.comparison == "first_name"
                        && e.level == "nickname"
                        && e.effect > 0.0),
                    "{s:?}"
                );
                assert!(
                    s.explanation
                        .iter()
                        .any(|e| e.comparison == "last_name" && e.effect > 0.0)
                );
            }
            other => panic!("expected a link, got {other:?}"),
        }
    }

    #[test]
    fn relative_sharing_a_phone_is_proposed_not_linked() {
        match decide(
            Some("Mary Smith"),
            &[(
                1,
                Some("John Smith"),
                shared(IdentifierKind::Phone, MatchLevel::Exact),
            )],
            Thresholds::default(),
        ) {
            Resolution::Review(s) => assert!(
                s.explanation
                    .iter()
                    .any(|e| e.comparison == "distinct_person")
            ),
            other => panic!("expected review, got {other:?}"),
        }
    }

    #[test]
    fn an_external_id_is_not_overruled_by_a_name_change() {
        for stored in ["Mary Jones", "John Smith"] {
            let r = decide(
                Some("Mary Smith"),
                &[(
                    1,
                    Some(stored),
                    shared(IdentifierKind::ExternalId, MatchLevel::Exact),
                )],
                Thresholds::default(),
            );
            assert!(matches!(r, Resolution::Link(_)), "{stored}: {r:?}");
        }
    }

    #[test]
    fn email_says_a_phone_says_b_is_ambiguous() {
        let candidates = [
            (1, None, shared(IdentifierKind::Email, MatchLevel::Exact)),
            (2, None, shared(IdentifierKind::Phone, MatchLevel::Exact)),
        ];
        match decide(None, &candidates, Thresholds::default()) {
            Resolution::Ambiguous(c) => assert_eq!(c.len(), 2),
            other => panic!("expected ambiguous, got {other:?}"),
        }
    }

    #[test]
    fn a_gmail_variant_alone_is_reviewed_and_links_only_when_the_person_agrees() {
        let variant = || shared(IdentifierKind::Email, MatchLevel::Variant);
        assert!(matches!(
            decide(None, &[(1, None, variant())], Thresholds::default()),
            Resolution::Review(_)
        ));
        assert!(matches!(
            decide(
                Some("Ann Lee"),
                &[(1, Some("Ann Lee"), variant())],
                Thresholds::default()
            ),
            Resolution::Link(_)
        ));
        assert!(!matches!(
            decide(
                Some("Ann Lee"),
                &[(1, Some("Zed Quill"), variant())],
                Thresholds::default()
            ),
            Resolution::Link(_)
        ));
    }

    #[test]
    fn address_alone_is_not_enough_to_link() {
        assert!(matches!(
            decide(
                None,
                &[(
                    1,
                    None,
                    shared(IdentifierKind::AddressHash, MatchLevel::Exact)
                )],
                Thresholds::default()
            ),
            Resolution::Review(_)
        ));
    }

    #[test]
    fn an_address_shared_by_namesakes_with_different_birthdays_is_not_linked() {
        let model = Model::default_for_people();
        let records: BTreeMap<u32, Record> =
            [(1, record(Some("John Smith"), Some("1950-01-01")))].into();
        let incoming = record(Some("John Smith"), Some("1985-06-30"));
        let c = Candidate {
            id: 1u32,
            shared: shared(IdentifierKind::AddressHash, MatchLevel::Exact),
        };
        let r = decide_with_model(
            &[c],
            Thresholds::default(),
            &ProfileEvidence {
                model: &model,
                incoming: &incoming,
                records: &records,
            },
        );
        assert!(
            !matches!(r, Resolution::Link(_)),
            "father and son at one address: {r:?}"
        );
    }

    #[test]
    fn thresholds_are_respected() {
        let handle = || vec![(1, None, shared(IdentifierKind::Handle, MatchLevel::Exact))];
        assert!(matches!(
            decide(
                None,
                &handle(),
                Thresholds {
                    link: 0.99,
                    review: 0.5
                }
            ),
            Resolution::Review(_)
        ));
        assert!(matches!(
            decide(
                None,
                &handle(),
                Thresholds {
                    link: 0.9,
                    review: 0.5
                }
            ),
            Resolution::Link(_)
        ));
    }
}
