//! Blocking: which pairs of records are worth comparing at all. Each rule gives a record a key;
//! records sharing a key in any rule become a candidate pair. A million records then mean a few
//! million pairs, not 10^12. Blocks larger than a cap are skipped and counted, never silently.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::FxHasher;
use serde::{Deserialize, Serialize};

use crate::record::Record;

/// A composable blocking rule: records agreeing on the rule's key are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockingRule {
    /// The same normalized email.
    Email,
    /// The same provider-canonical email (Gmail without dots or +tags).
    EmailCanonical,
    Phone,
    ExternalId,
    /// Same surname and postcode: relatives and typos in the given name.
    FamilyPostcode,
    /// Same first letters of given (nickname-canonical) and family name and the same date of birth.
    InitialsDateOfBirth,
    /// Same given name and date of birth: catches surname changes and surname typos.
    GivenDateOfBirth,
    /// Same street line and postcode: a household, or one person at two units.
    AddressPostcode,
    /// Same full name and city: the person moved within town, or changed every identifier.
    FullNameCity,
}

impl BlockingRule {
    pub const DEFAULT: &'static [BlockingRule] = &[
        BlockingRule::Email,
        BlockingRule::EmailCanonical,
        BlockingRule::Phone,
        BlockingRule::ExternalId,
        BlockingRule::FamilyPostcode,
        BlockingRule::InitialsDateOfBirth,
        BlockingRule::GivenDateOfBirth,
        BlockingRule::AddressPostcode,
        BlockingRule::FullNameCity,
    ];

    /// The record's key under this rule, hashed; `None` when a field it needs is missing.
    pub fn key(&self, r: &Record) -> Option<u64> {
        let mut h = FxHasher::default();
        // The rule itself is part of the key, so keys of different rules never collide by design.
        (*self as u8).hash(&mut h);
        match self {
            BlockingRule::Email => r.email.as_ref()?.hash(&mut h),
            BlockingRule::EmailCanonical => r.email_canonical.as_ref()?.hash(&mut h),
            BlockingRule::Phone => r.phone.as_ref()?.hash(&mut h),
            BlockingRule::ExternalId => r.external_id.as_ref()?.hash(&mut h),
            BlockingRule::FamilyPostcode => {
                r.family.as_ref()?.hash(&mut h);
                r.postcode.as_ref()?.hash(&mut h);
            }
            BlockingRule::InitialsDateOfBirth => {
                let given = r.given_canonical.as_ref().or(r.given.as_ref())?;
                prefix(given, 1).hash(&mut h);
                prefix(r.family.as_ref()?, 1).hash(&mut h);
                r.date_of_birth.as_ref()?.hash(&mut h);
            }
            BlockingRule::GivenDateOfBirth => {
                r.given_canonical
                    .as_ref()
                    .or(r.given.as_ref())?
                    .hash(&mut h);
                r.date_of_birth.as_ref()?.hash(&mut h);
            }
            BlockingRule::AddressPostcode => {
                r.address_line.as_ref()?.hash(&mut h);
                r.postcode.as_ref()?.hash(&mut h);
            }
            BlockingRule::FullNameCity => {
                r.full_name.as_ref()?.hash(&mut h);
                r.city.as_ref()?.hash(&mut h);
            }
        }
        Some(h.finish())
    }
}

fn prefix(s: &str, chars: usize) -> &str {
    s.char_indices().nth(chars).map_or(s, |(i, _)| &s[..i])
}

/// Candidate pairs, as indices into the record slice, each pair once with `left < right`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Blocks {
    pub pairs: Vec<(u32, u32)>,
    /// Blocks larger than the cap, left out, with their rule and size.
    pub skipped: Vec<(BlockingRule, usize)>,
}

/// Generates the candidate pairs of `records` under `rules`. Blocks with more than `max_block`
/// records are skipped (a shared office email or a placeholder phone would otherwise compare
/// everyone with everyone) and reported in `Blocks::skipped`.
pub fn candidate_pairs(records: &[Record], rules: &[BlockingRule], max_block: usize) -> Blocks {
    let mut pairs: Vec<u64> = Vec::new();
    let mut skipped = Vec::new();
    for rule in rules {
        let mut keyed: Vec<(u64, u32)> = records
            .par_iter()
            .enumerate()
            .filter_map(|(i, r)| rule.key(r).map(|k| (k, i as u32)))
            .collect();
        keyed.par_sort_unstable();
        let mut start = 0;
        while start < keyed.len() {
            let key = keyed[start].0;
            let end = start + keyed[start..].iter().take_while(|(k, _)| *k == key).count();
            let block = &keyed[start..end];
            if block.len() > max_block {
                skipped.push((*rule, block.len()));
            } else {
                for (a, (_, left)) in block.iter().enumerate() {
                    for (_, right) in &block[a + 1..] {
                        // Sorted by (key, index): left < right within a block.
                        pairs.push(((*left as u64) << 32) | *right as u64);
                    }
                }
            }
            start = end;
        }
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    Blocks {
        pairs: pairs
            .into_iter()
            .map(|p| ((p >> 32) as u32, p as u32))
            .collect(),
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(
        id: &str,
        given: &str,
        family: &str,
        email: Option<&str>,
        postcode: Option<&str>,
    ) -> Record {
        Record {
            id: id.into(),
            given: Some(given.into()),
            given_canonical: Some(given.into()),
            family: Some(family.into()),
            full_name: Some(format!("{given} {family}")),
            email: email.map(Into::into),
            email_canonical: email.map(Into::into),
            postcode: postcode.map(Into::into),
            ..Record::default()
        }
    }

    #[test]
    fn records_sharing_a_key_become_one_ordered_pair() {
        let records = vec![
            rec("a", "ann", "lee", Some("ann@x.com"), Some("10001")),
            rec("b", "bob", "ray", None, Some("20002")),
            rec("c", "anne", "lee", Some("ann@x.com"), Some("10001")),
        ];
        let blocks = candidate_pairs(&records, BlockingRule::DEFAULT, 100);
        // a and c share email and family+postcode: one pair, not two.
        assert_eq!(blocks.pairs, vec![(0, 2)]);
        assert!(blocks.skipped.is_empty());
    }

    #[test]
    fn missing_fields_block_nothing() {
        let records = vec![
            rec("a", "ann", "lee", None, None),
            rec("b", "ann", "lee", None, None),
        ];
        let blocks = candidate_pairs(
            &records,
            &[BlockingRule::Email, BlockingRule::FamilyPostcode],
            100,
        );
        assert!(blocks.pairs.is_empty());
    }

    #[test]
    fn oversized_blocks_are_skipped_and_reported() {
        let records: Vec<Record> = (0..30)
            .map(|i| {
                rec(
                    &i.to_string(),
                    "x",
                    &format!("f{i}"),
                    Some("office@x.com"),
                    None,
                )
            })
            .collect();
        let blocks = candidate_pairs(&records, &[BlockingRule::Email], 10);
        assert!(blocks.pairs.is_empty());
        assert_eq!(blocks.skipped, vec![(BlockingRule::Email, 30)]);
        let allowed = candidate_pairs(&records, &[BlockingRule::Email], 30);
        assert_eq!(allowed.pairs.len(), 30 * 29 / 2);
    }

    #[test]
    fn keys_of_different_rules_do_not_collide() {
        let a = rec("a", "ann", "lee", Some("x"), None);
        let mut b = rec("b", "ann", "lee", None, None);
        b.phone = Some("x".into());
        assert_ne!(BlockingRule::Email.key(&a), BlockingRule::Phone.key(&b));
    }
}
