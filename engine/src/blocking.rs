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
    /// Same date of birth and postcode: both names mistyped, changed or swapped.
    DateOfBirthPostcode,
    /// Given and family names that sound alike (Soundex of each, in either order): slips that
    /// keep a name's sound, with the date of birth, address and postcode free to differ.
    NamesSound,
    /// Same given (nickname-canonical) name and postcode: a changed or mistyped surname.
    GivenPostcode,
    /// Same street line, wherever the postcode: a mistyped postcode or city.
    AddressLine,
    /// Same postcode and first letters of both names: slips past the first letter of each name
    /// and a mistyped birth date.
    InitialsPostcode,
    /// Same family name and date of birth: a given name changed, mistyped or missing.
    FamilyDateOfBirth,
    /// Same date of birth, where few records of the table share it.
    DateOfBirth,
    /// Same given (nickname-canonical) name and city, on records without a postcode, where few
    /// records share both.
    GivenCity,
    /// Same family name and city, on records without a postcode, where few records share both.
    FamilyCity,
    /// Same date of birth and city, on records without a postcode, where few records share both.
    DateOfBirthCity,
    /// Same email local part at any domain ("ann.lee" at a mistyped domain), where few records
    /// share it.
    EmailLocal,
}

impl BlockingRule {
    /// Rules over fields that rarely fail together: a record with slips in two or three of its
    /// fields still shares a key with its person's other records under one of them.
    pub const DEFAULT: &'static [BlockingRule] = &[
        BlockingRule::Email,
        BlockingRule::EmailCanonical,
        BlockingRule::Phone,
        BlockingRule::ExternalId,
        BlockingRule::FamilyPostcode,
        BlockingRule::InitialsDateOfBirth,
        BlockingRule::GivenDateOfBirth,
        BlockingRule::AddressLine,
        BlockingRule::FullNameCity,
        BlockingRule::DateOfBirthPostcode,
        BlockingRule::NamesSound,
        BlockingRule::GivenPostcode,
        BlockingRule::InitialsPostcode,
        BlockingRule::FamilyDateOfBirth,
        BlockingRule::DateOfBirth,
        BlockingRule::GivenCity,
        BlockingRule::FamilyCity,
        BlockingRule::DateOfBirthCity,
        BlockingRule::EmailLocal,
    ];

    /// The rules that key on values few records of the file share (in blocks of at most
    /// [`RARE_VALUE_MAX_BLOCK`]): they find the duplicates of tables with little but names and
    /// fall silent in a big file, where such values are common.
    pub const RARE_VALUES: &'static [BlockingRule] = &[
        BlockingRule::DateOfBirth,
        BlockingRule::GivenCity,
        BlockingRule::FamilyCity,
        BlockingRule::DateOfBirthCity,
        BlockingRule::EmailLocal,
    ];

    /// The largest block this rule compares within, under the table's cap. A pair of sounds is
    /// shared by many names ("Jon Smyth", "Jan Schmidt"), so a common one makes a block of
    /// mostly different people that grows with the square of the table: at a million customer
    /// records such blocks made 13 million of 16 million candidate pairs. They are left to the
    /// rules on exact values; the sound finds the slips in rarer names.
    pub fn max_block(&self, cap: usize) -> usize {
        match self {
            BlockingRule::NamesSound => cap.min(NAMES_SOUND_MAX_BLOCK),
            rule if BlockingRule::RARE_VALUES.contains(rule) => cap.min(RARE_VALUE_MAX_BLOCK),
            _ => cap,
        }
    }

    /// The comparisons (by name) whose values this rule's key holds, exactly or nearly: on the
    /// pairs it makes they agree by construction, so those pairs say nothing of their m.
    pub fn comparisons(&self) -> &'static [&'static str] {
        match self {
            BlockingRule::Email | BlockingRule::EmailCanonical => &["email"],
            BlockingRule::Phone => &["phone"],
            BlockingRule::ExternalId => &["external_id"],
            BlockingRule::FamilyPostcode => &["last_name", "postcode_city"],
            BlockingRule::InitialsDateOfBirth => &["date_of_birth"],
            BlockingRule::GivenDateOfBirth => &["first_name", "date_of_birth"],
            BlockingRule::AddressPostcode => &["address", "postcode_city"],
            BlockingRule::FullNameCity => &["first_name", "last_name", "postcode_city"],
            BlockingRule::DateOfBirthPostcode => &["date_of_birth", "postcode_city"],
            BlockingRule::NamesSound => &["first_name", "last_name"],
            BlockingRule::GivenPostcode => &["first_name", "postcode_city"],
            BlockingRule::AddressLine => &["address"],
            BlockingRule::InitialsPostcode => &["postcode_city"],
            BlockingRule::FamilyDateOfBirth => &["last_name", "date_of_birth"],
            BlockingRule::DateOfBirth => &["date_of_birth"],
            BlockingRule::GivenCity => &["first_name", "postcode_city"],
            BlockingRule::FamilyCity => &["last_name", "postcode_city"],
            BlockingRule::DateOfBirthCity => &["date_of_birth", "postcode_city"],
            BlockingRule::EmailLocal => &[],
        }
    }

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
            BlockingRule::DateOfBirthPostcode => {
                r.date_of_birth.as_ref()?.hash(&mut h);
                r.postcode.as_ref()?.hash(&mut h);
            }
            BlockingRule::NamesSound => {
                let given = soundex(r.given_canonical.as_ref().or(r.given.as_ref())?)?;
                let family = soundex(r.family.as_ref()?)?;
                // In either order: "Smith John" and "John Smith" share the key.
                let (first, second) = if given <= family {
                    (given, family)
                } else {
                    (family, given)
                };
                first.hash(&mut h);
                second.hash(&mut h);
            }
            BlockingRule::GivenPostcode => {
                r.given_canonical
                    .as_ref()
                    .or(r.given.as_ref())?
                    .hash(&mut h);
                r.postcode.as_ref()?.hash(&mut h);
            }
            BlockingRule::AddressLine => r.address_line.as_ref()?.hash(&mut h),
            BlockingRule::InitialsPostcode => {
                let given = r.given_canonical.as_ref().or(r.given.as_ref())?;
                prefix(given, 1).hash(&mut h);
                prefix(r.family.as_ref()?, 1).hash(&mut h);
                r.postcode.as_ref()?.hash(&mut h);
            }
            BlockingRule::FamilyDateOfBirth => {
                r.family.as_ref()?.hash(&mut h);
                r.date_of_birth.as_ref()?.hash(&mut h);
            }
            BlockingRule::DateOfBirth => r.date_of_birth.as_ref()?.hash(&mut h),
            BlockingRule::GivenCity => {
                r.given_canonical
                    .as_ref()
                    .or(r.given.as_ref())?
                    .hash(&mut h);
                town(r)?.hash(&mut h);
            }
            BlockingRule::FamilyCity => {
                r.family.as_ref()?.hash(&mut h);
                town(r)?.hash(&mut h);
            }
            BlockingRule::DateOfBirthCity => {
                r.date_of_birth.as_ref()?.hash(&mut h);
                town(r)?.hash(&mut h);
            }
            BlockingRule::EmailLocal => r.email.as_ref()?.split('@').next()?.hash(&mut h),
        }
        Some(h.finish())
    }
}

/// The rules under which `a` and `b` share a key: why blocking made them a candidate pair (none:
/// they were never compared).
pub fn rules_joining(a: &Record, b: &Record, rules: &[BlockingRule]) -> Vec<BlockingRule> {
    rules
        .iter()
        .filter(|rule| rule.key(a).is_some_and(|key| Some(key) == rule.key(b)))
        .copied()
        .collect()
}

/// American Soundex (a letter and three digits) of a name's ASCII letters; `None` when it has
/// none. rphonetic indexes its table by letter and panics on letters outside A to Z ("ü"), so
/// only ASCII letters reach it.
fn soundex(name: &str) -> Option<String> {
    use rphonetic::{Encoder, Soundex};
    let letters: String = name.chars().filter(char::is_ascii_alphabetic).collect();
    if letters.is_empty() {
        return None;
    }
    Some(Soundex::default().encode(&letters))
}

/// The city of a record without a postcode: where a record has one, the postcode rules key on
/// the finer place, and keying on the city as well only adds pairs of neighbours.
fn town(r: &Record) -> Option<&str> {
    if r.postcode.is_some() {
        return None;
    }
    r.city.as_deref()
}

fn prefix(s: &str, chars: usize) -> &str {
    s.char_indices().nth(chars).map_or(s, |(i, _)| &s[..i])
}

/// See [`BlockingRule::max_block`].
const NAMES_SOUND_MAX_BLOCK: usize = 20;

/// See [`BlockingRule::max_block`].
pub const RARE_VALUE_MAX_BLOCK: usize = 8;

/// Candidate pairs, as indices into the record slice, each pair once with `left < right`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Blocks {
    pub pairs: Vec<(u32, u32)>,
    /// Blocks larger than the cap, left out, with their rule and size.
    pub skipped: Vec<(BlockingRule, usize)>,
    /// Per rule asked for (see [`candidate_pairs_sampled`]): how many pairs the rule made on its
    /// own, and up to the sample size of them, taken evenly across its blocks.
    pub samples: Vec<RuleSample>,
}

/// Pairs one rule made on its own, for training on that rule's pairs alone.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSample {
    pub rule: BlockingRule,
    /// Every pair the rule made, duplicates across rules included.
    pub made: usize,
    pub pairs: Vec<(u32, u32)>,
}

/// Generates the candidate pairs of `records` under `rules`. Blocks with more than `max_block`
/// records are skipped (a shared office email or a placeholder phone would otherwise compare
/// everyone with everyone) and reported in `Blocks::skipped`.
pub fn candidate_pairs(records: &[Record], rules: &[BlockingRule], max_block: usize) -> Blocks {
    candidate_pairs_sampled(records, rules, max_block, &[], 0)
}

/// [`candidate_pairs`], also keeping for each rule of `sample_rules` that is among `rules` up
/// to `sample` of the pairs it made alone (in `Blocks::samples`), so training on one rule's
/// pairs needs no second blocking pass.
pub fn candidate_pairs_sampled(
    records: &[Record],
    rules: &[BlockingRule],
    max_block: usize,
    sample_rules: &[BlockingRule],
    sample: usize,
) -> Blocks {
    let mut pairs: Vec<u64> = Vec::new();
    let mut skipped = Vec::new();
    let mut samples = Vec::new();
    for rule in rules {
        let mut keyed: Vec<(u64, u32)> = records
            .par_iter()
            .enumerate()
            .filter_map(|(i, r)| rule.key(r).map(|k| (k, i as u32)))
            .collect();
        keyed.par_sort_unstable();
        let max_block = rule.max_block(max_block);
        let first = pairs.len();
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
        if sample_rules.contains(rule) {
            let made = &pairs[first..];
            let step = (made.len() / sample.max(1)).max(1);
            samples.push(RuleSample {
                rule: *rule,
                made: made.len(),
                pairs: made.iter().step_by(step).map(|&p| unpack(p)).collect(),
            });
        }
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    Blocks {
        pairs: pairs.into_iter().map(unpack).collect(),
        skipped,
        samples,
    }
}

fn unpack(pair: u64) -> (u32, u32) {
    ((pair >> 32) as u32, pair as u32)
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
            full_name: Some(format!("{given} {family}").into()),
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
    fn soundex_follows_the_american_rules() {
        assert_eq!(soundex("robert").as_deref(), Some("R163"));
        assert_eq!(soundex("rupert").as_deref(), Some("R163"));
        assert_eq!(
            soundex("ashcraft").as_deref(),
            Some("A261"),
            "h does not separate"
        );
        assert_eq!(soundex("tymczak").as_deref(), Some("T522"));
        assert_eq!(soundex("pfister").as_deref(), Some("P236"));
        assert_eq!(soundex("lee").as_deref(), Some("L000"));
        assert_eq!(soundex("o'hara").as_deref(), Some("O600"));
        assert_eq!(soundex("'-"), None);
        assert_eq!(
            soundex("müller").as_deref(),
            Some("M460"),
            "non-ASCII letters are left out"
        );
    }

    #[test]
    fn slipped_names_in_either_order_share_a_sound_key() {
        let a = rec("a", "catherine", "waller", None, None);
        let b = rec("b", "waler", "kathryn", None, None);
        let c = rec("c", "katherine", "waller", None, None);
        let sound = BlockingRule::NamesSound;
        assert_eq!(sound.key(&b), sound.key(&c), "swapped, one letter dropped");
        assert_ne!(
            sound.key(&a),
            sound.key(&c),
            "Soundex keeps the first letter"
        );
        assert_eq!(
            rules_joining(&b, &c, &[sound, BlockingRule::Email]),
            vec![sound]
        );
    }

    #[test]
    fn a_common_pair_of_sounds_is_left_to_the_exact_rules() {
        let people = |n: usize| -> Vec<Record> {
            (0..n)
                .map(|i| rec(&i.to_string(), "john", "smith", None, None))
                .collect()
        };
        let sound = [BlockingRule::NamesSound];
        let at_cap = candidate_pairs(&people(NAMES_SOUND_MAX_BLOCK), &sound, 500);
        assert_eq!(
            at_cap.pairs.len(),
            NAMES_SOUND_MAX_BLOCK * (NAMES_SOUND_MAX_BLOCK - 1) / 2
        );
        let over = candidate_pairs(&people(NAMES_SOUND_MAX_BLOCK + 1), &sound, 500);
        assert!(over.pairs.is_empty());
        assert_eq!(
            over.skipped,
            vec![(BlockingRule::NamesSound, NAMES_SOUND_MAX_BLOCK + 1)]
        );
        // The exact rules keep the table's cap.
        let n = NAMES_SOUND_MAX_BLOCK + 1;
        let household: Vec<Record> = (0..n)
            .map(|i| rec(&i.to_string(), "john", "smith", None, Some("10001")))
            .collect();
        let exact = candidate_pairs(&household, &[BlockingRule::FamilyPostcode], 500);
        assert!(exact.skipped.is_empty());
        assert_eq!(exact.pairs.len(), n * (n - 1) / 2);
    }

    #[test]
    fn rare_values_join_records_that_share_little_else() {
        let mut a = rec("a", "lisa", "avila", Some("lavila77@gmail.com"), None);
        a.date_of_birth = Some("1983-12-05".into());
        a.city = Some("indianapolis".into());
        // Both names garbled, the email's domain mistyped.
        let mut b = rec("b", "lsia", "abila", Some("lavila77@gmial.com"), None);
        b.date_of_birth = Some("1983-12-05".into());
        b.city = Some("indianapolis".into());
        let records = vec![a.clone(), b.clone()];
        for rule in [
            BlockingRule::DateOfBirth,
            BlockingRule::DateOfBirthCity,
            BlockingRule::EmailLocal,
        ] {
            assert_eq!(
                candidate_pairs(&records, &[rule], 500).pairs,
                vec![(0, 1)],
                "{rule:?}"
            );
        }
        // Where a postcode says more, the city rules leave the pair to the postcode rules.
        let (mut c, mut d) = (a, b);
        c.postcode = Some("46201".into());
        d.postcode = Some("46201".into());
        assert!(
            candidate_pairs(&[c, d], &[BlockingRule::DateOfBirthCity], 500)
                .pairs
                .is_empty()
        );
    }

    #[test]
    fn a_value_many_records_share_is_no_rare_value() {
        let born = |n: usize| -> Vec<Record> {
            (0..n)
                .map(|i| {
                    let mut r = rec(
                        &i.to_string(),
                        &format!("p{i}"),
                        &format!("q{i}"),
                        None,
                        None,
                    );
                    r.date_of_birth = Some("1980-01-01".into());
                    r
                })
                .collect()
        };
        let rule = [BlockingRule::DateOfBirth];
        let n = RARE_VALUE_MAX_BLOCK;
        assert_eq!(
            candidate_pairs(&born(n), &rule, 500).pairs.len(),
            n * (n - 1) / 2
        );
        let over = candidate_pairs(&born(n + 1), &rule, 500);
        assert!(over.pairs.is_empty());
        assert_eq!(over.skipped, vec![(BlockingRule::DateOfBirth, n + 1)]);
    }

    #[test]
    fn a_rule_sample_is_what_the_rule_makes_alone() {
        let records: Vec<Record> = (0..60)
            .map(|i| {
                let mut r = rec(&i.to_string(), "ann", &format!("lee{}", i % 7), None, None);
                r.postcode = Some(format!("{}", i % 3).into());
                r.date_of_birth = Some(format!("1980-01-{:02}", i % 5 + 1).into());
                r
            })
            .collect();
        let rules = [BlockingRule::FamilyPostcode, BlockingRule::GivenDateOfBirth];
        let sampled = candidate_pairs_sampled(&records, &rules, 500, &rules, 1_000);
        assert_eq!(sampled.pairs, candidate_pairs(&records, &rules, 500).pairs);
        assert_eq!(sampled.samples.len(), 2);
        for sample in &sampled.samples {
            let alone = candidate_pairs(&records, &[sample.rule], 500).pairs;
            assert_eq!(sample.made, alone.len());
            let mut pairs = sample.pairs.clone();
            pairs.sort_unstable();
            assert_eq!(pairs, alone, "{:?}", sample.rule);
        }
        // A smaller sample is spread over the rule's pairs, not its first blocks.
        let small = candidate_pairs_sampled(&records, &rules, 500, &rules[1..], 10);
        let sample = &small.samples[0];
        assert!(
            sample.pairs.len() >= 10 && sample.pairs.len() < 20,
            "{}",
            sample.pairs.len()
        );
        let keys: std::collections::HashSet<_> = sample
            .pairs
            .iter()
            .map(|&(l, _)| records[l as usize].date_of_birth.clone())
            .collect();
        assert!(keys.len() > 1, "from several blocks");
    }

    #[test]
    fn every_rule_names_comparisons_the_model_has() {
        let model = crate::model::Model::default_for_people();
        for rule in BlockingRule::DEFAULT {
            for name in rule.comparisons() {
                assert!(model.comparison(name).is_some(), "{rule:?} names {name}");
            }
        }
    }

    #[test]
    fn keys_of_different_rules_do_not_collide() {
        let a = rec("a", "ann", "lee", Some("x"), None);
        let mut b = rec("b", "ann", "lee", None, None);
        b.phone = Some("x".into());
        assert_ne!(BlockingRule::Email.key(&a), BlockingRule::Phone.key(&b));
    }
}
