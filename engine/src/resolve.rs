//! Real-time decisions: given what an incoming interaction says about its sender and the profiles
//! that share an identifier with it, decide create / link / review / ambiguous, with a confidence
//! and an explanation a person can read. Nothing here auto-merges two existing profiles.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::identifier::IdentifierKind;
use crate::model::{Comparison, Level, Model};
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
    /// Its weight of evidence in bits (log2 of the odds it multiplies): positive says "the same
    /// person", negative "a different one", each bit doubles or halves the odds. An
    /// explanation's effects add up to the confidence's log-odds, so every line reads in the
    /// same unit and together they give the number shown.
    pub effect: f64,
}

/// The log-odds of `p` in bits, kept finite.
pub fn bits_of(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-12);
    (p / (1.0 - p)).log2()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredCandidate<Id> {
    pub id: Id,
    pub confidence: f64,
    pub explanation: Vec<Contribution>,
}

impl<Id> ScoredCandidate<Id> {
    /// The identifiers the candidate was matched by, as an answer names them: "email" for an
    /// exact match, "phone_variant" for another form; the name, which alone links nobody, is
    /// left out.
    pub fn matched_kinds(&self) -> Vec<String> {
        self.explanation
            .iter()
            .filter(|e| e.comparison != "name")
            .map(|e| {
                if e.level == "exact" {
                    e.comparison.clone()
                } else {
                    format!("{}_{}", e.comparison, e.level)
                }
            })
            .collect()
    }
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

impl SharedIdentifier {
    /// How likely this shared identifier alone says "the same person".
    fn probability(&self) -> f64 {
        identifier_strength(self.kind, self.level) * self.source_confidence
    }

    fn contribution(&self, effect: f64) -> Contribution {
        Contribution {
            comparison: self.kind.as_str().to_owned(),
            level: match self.level {
                MatchLevel::Exact => "exact".to_owned(),
                MatchLevel::Variant => "variant".to_owned(),
            },
            effect,
        }
    }
}

/// The shared identifiers' lines, in their order, each with the bits it adds to the stronger
/// ones (their evidence combines as 1 - Π(1 - p)): together they give the log-odds of the
/// identifiers' combined evidence.
fn identifier_contributions(shared: &[SharedIdentifier]) -> Vec<Contribution> {
    let mut order: Vec<usize> = (0..shared.len()).collect();
    order.sort_by(|&a, &b| shared[b].probability().total_cmp(&shared[a].probability()));
    let mut effects = vec![0.0; shared.len()];
    let mut combined = 0.0;
    let mut before: Option<f64> = None;
    for i in order {
        combined = 1.0 - (1.0 - combined) * (1.0 - shared[i].probability());
        let now = bits_of(combined);
        effects[i] = before.map_or(now, |b| now - b);
        before = Some(now);
    }
    shared
        .iter()
        .zip(effects)
        .map(|(s, effect)| s.contribution(effect))
        .collect()
}

/// What weighing a candidate tells, before anything is written out for a person to read.
#[derive(Debug, Clone, Copy)]
struct Weighed {
    confidence: f64,
    /// The confidence before a cap lowered it.
    uncapped: f64,
    /// A profile comparison said "a different person" and capped the confidence below the link
    /// threshold.
    capped: bool,
}

impl<Id: Copy + Ord> ProfileEvidence<'_, Id> {
    /// Calls `each` with every profile comparison both records have a value for and the level
    /// it reached.
    fn profile_levels(&self, record: &Record, mut each: impl FnMut(&Comparison, &Level)) {
        for comparison in &self.model.comparisons {
            if !PROFILE_COMPARISONS.contains(&comparison.name.as_str()) {
                continue;
            }
            if let Some(level) = comparison
                .kind
                .level(self.incoming, record)
                .and_then(|i| comparison.levels.get(usize::from(i)))
            {
                each(comparison, level);
            }
        }
    }

    /// The candidate's confidence, allocating nothing: the identifiers' evidence, the strongest
    /// setting the base and further independent ones adding to it as 1 - Π(1 - p), plus the
    /// Fellegi-Sunter weights (in bits) of the profile comparisons, added in log-odds. A
    /// candidate a comparison calls a different person is capped below the link threshold,
    /// unless an external id or a login vouches for the account whatever its name says.
    fn weigh(&self, candidate: &Candidate<Id>, thresholds: Thresholds) -> Weighed {
        let identifiers = 1.0
            - candidate
                .shared
                .iter()
                .map(|s| 1.0 - s.probability())
                .product::<f64>();
        let Some(record) = self.records.get(&candidate.id) else {
            return Weighed {
                confidence: identifiers,
                uncapped: identifiers,
                capped: false,
            };
        };
        let mut bits = 0.0;
        let mut distinct = false;
        self.profile_levels(record, |comparison, level| {
            bits += level.weight();
            distinct |= DISTINCT_PERSON
                .iter()
                .any(|(name, label)| comparison.name == *name && level.label == *label);
        });
        let confidence = crate::model::probability_from_weight(bits_of(identifiers) + bits);
        let vouched = candidate.shared.iter().any(|s| {
            matches!(s.kind, IdentifierKind::ExternalId | IdentifierKind::Login)
                && s.level == MatchLevel::Exact
        });
        if distinct && !vouched && confidence >= thresholds.link {
            Weighed {
                confidence: thresholds.review.max(thresholds.link - 0.01),
                uncapped: confidence,
                capped: true,
            }
        } else {
            Weighed {
                confidence,
                uncapped: confidence,
                capped: false,
            }
        }
    }

    /// The candidate with its explanation, every line in bits: each shared identifier (what it
    /// adds to the stronger ones before it), each profile comparison's level and weight, and
    /// the cap when there was one (what it took away).
    fn explain(&self, candidate: &Candidate<Id>, weighed: Weighed) -> ScoredCandidate<Id> {
        let mut explanation = identifier_contributions(&candidate.shared);
        if let Some(record) = self.records.get(&candidate.id) {
            self.profile_levels(record, |comparison, level| {
                explanation.push(Contribution {
                    comparison: comparison.name.clone(),
                    level: level.label.clone(),
                    effect: level.weight(),
                });
            });
        }
        if weighed.capped {
            explanation.push(Contribution {
                comparison: "distinct_person".into(),
                level: "capped below the link threshold".into(),
                effect: bits_of(weighed.confidence) - bits_of(weighed.uncapped),
            });
        }
        ScoredCandidate {
            id: candidate.id,
            confidence: weighed.confidence,
            explanation,
        }
    }
}

/// Decides what to do with an incoming interaction given the candidates that share identifiers
/// with it, the match model weighing names, dates of birth and addresses. A candidate
/// whose given name or date of birth is entirely different (a relative sharing a phone) is never
/// linked automatically: at most it is proposed for review. Only candidates at or above the
/// review threshold are explained: the others are not part of the answer.
pub fn decide_with_model<Id: Copy + Ord>(
    candidates: &[Candidate<Id>],
    thresholds: Thresholds,
    evidence: &ProfileEvidence<'_, Id>,
) -> Resolution<Id> {
    let retained = candidates.iter().filter_map(|c| {
        let weighed = evidence.weigh(c, thresholds);
        (weighed.confidence >= thresholds.review).then(|| evidence.explain(c, weighed))
    });
    choose(retained.collect(), thresholds)
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
        .map(|c| evidence.explain(c, evidence.weigh(c, thresholds)))
        .collect()
}

/// Chooses among the candidates at or above the review threshold.
fn choose<Id: Copy + Ord>(
    mut scored: Vec<ScoredCandidate<Id>>,
    thresholds: Thresholds,
) -> Resolution<Id> {
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
    fn every_line_of_an_explanation_is_in_bits_and_they_add_up_to_the_confidence() {
        let text = |kind| SharedIdentifier {
            kind,
            level: MatchLevel::Exact,
            source_confidence: 0.5,
        };
        let cases: Vec<(Option<&str>, Option<&str>, Vec<SharedIdentifier>)> = vec![
            // A nickname on a shared phone: a link, weights of both kinds.
            (
                Some("Bob Jones"),
                Some("Robert Jones"),
                shared(IdentifierKind::Phone, MatchLevel::Exact),
            ),
            // A relative sharing a phone: capped, the cap a negative line.
            (
                Some("Mary Smith"),
                Some("John Smith"),
                shared(IdentifierKind::Phone, MatchLevel::Exact),
            ),
            // Two weak identifiers read from text, and a name that disagrees.
            (
                Some("Ann Lee"),
                Some("Zoe Park"),
                vec![text(IdentifierKind::Email), text(IdentifierKind::Phone)],
            ),
            // Identifiers alone: no names on either side.
            (
                None,
                None,
                vec![
                    text(IdentifierKind::Email),
                    shared(IdentifierKind::Handle, MatchLevel::Variant)[0].clone(),
                ],
            ),
        ];
        for (incoming, stored, ids) in cases {
            let model = Model::default_for_people();
            let records = BTreeMap::from([(1_u32, record(stored, None))]);
            let candidates = [Candidate {
                id: 1_u32,
                shared: ids,
            }];
            let incoming_record = record(incoming, None);
            let scored = score_candidates(
                &candidates,
                Thresholds::default(),
                &ProfileEvidence {
                    model: &model,
                    incoming: &incoming_record,
                    records: &records,
                },
            );
            let s = &scored[0];
            let total: f64 = s.explanation.iter().map(|e| e.effect).sum();
            assert!(
                (total - bits_of(s.confidence)).abs() < 1e-6,
                "{incoming:?} vs {stored:?}: lines add to {total}, confidence {} is {} bits: {s:?}",
                s.confidence,
                bits_of(s.confidence)
            );
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

    /// The decision explains only candidates at or above the review threshold; what it keeps
    /// must be exactly what `score_candidates` says of them, over generated people where some
    /// candidates are the sender again, some relatives, and most strangers.
    #[test]
    fn the_decision_keeps_what_scoring_every_candidate_would_keep() {
        let raws: Vec<_> = crate::synth::generate(&crate::synth::SynthOptions::new(300, 5))
            .into_iter()
            .map(|s| s.raw)
            .collect();
        let records: Vec<Record> = crate::record::normalize_all(&raws, Region::default())
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        let model = Model::default_for_people();
        let thresholds = Thresholds::default();
        let kinds = [
            IdentifierKind::Phone,
            IdentifierKind::Email,
            IdentifierKind::AddressHash,
            IdentifierKind::Login,
        ];
        let (mut reviewed, mut dropped) = (0, 0);
        for (i, incoming) in records.iter().enumerate() {
            let ids: Vec<usize> = (0..6).map(|k| (i + k * k) % records.len()).collect();
            let by_id: BTreeMap<usize, Record> =
                ids.iter().map(|&id| (id, records[id].clone())).collect();
            let candidates: Vec<Candidate<usize>> = ids
                .iter()
                .enumerate()
                .map(|(k, &id)| Candidate {
                    id,
                    shared: shared(kinds[(i + k) % kinds.len()], MatchLevel::Exact),
                })
                .collect();
            let evidence = ProfileEvidence {
                model: &model,
                incoming,
                records: &by_id,
            };
            let mut expected: Vec<ScoredCandidate<usize>> =
                score_candidates(&candidates, thresholds, &evidence)
                    .into_iter()
                    .filter(|s| s.confidence >= thresholds.review)
                    .collect();
            dropped += candidates.len() - expected.len();
            reviewed += expected.len();
            let kept = match decide_with_model(&candidates, thresholds, &evidence) {
                Resolution::Create => vec![],
                Resolution::Link(s) | Resolution::Review(s) => vec![s],
                Resolution::Ambiguous(all) => all,
            };
            expected.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.id.cmp(&b.id)));
            expected.dedup_by(|a, b| a.id == b.id);
            assert_eq!(kept, expected, "incoming record {i}");
        }
        assert!(
            reviewed > 300 && dropped > 300,
            "{reviewed} kept, {dropped} dropped"
        );
    }
}
