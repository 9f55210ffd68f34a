//! What the scoring benches share: generated people, normalized, and candidates that share a
//! phone with the incoming record.

use spine_engine::identifier::IdentifierKind;
use spine_engine::normalize::phone::Region;
use spine_engine::record::{Record, normalize_all};
use spine_engine::resolve::{Candidate, MatchLevel, SharedIdentifier};
use spine_engine::synth::{SynthOptions, generate};

/// The records of `people` generated people (some appear several times).
pub fn records(people: usize, seed: u64) -> Vec<Record> {
    let raws: Vec<_> = generate(&SynthOptions::new(people, seed))
        .into_iter()
        .map(|s| s.raw)
        .collect();
    normalize_all(&raws, Region::default())
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

/// Candidates 1..=count, each sharing the incoming record's phone exactly.
pub fn phone_candidates(count: u32) -> Vec<Candidate<u32>> {
    (1..=count)
        .map(|id| Candidate {
            id,
            shared: vec![SharedIdentifier {
                kind: IdentifierKind::Phone,
                level: MatchLevel::Exact,
                source_confidence: 1.0,
            }],
        })
        .collect()
}
