//! Name search: the keys the store indexes for a profile's name, the keys a search-box query
//! looks up, and the score that ranks what they find.
//!
//! A name is indexed under three kinds of key, one set per word:
//! - `p:` prefixes of 2 to 6 letters, so results appear while the name is being typed
//!   ("mar" finds Maria and Mark);
//! - `s:` Double Metaphone codes (primary and alternate), so a misspelling that sounds the same
//!   finds the name even when its first letters are wrong ("Jhon" finds John, "Katherine" finds
//!   Catherine);
//! - `n:` the canonical given name, so a nickname finds the formal name and back ("Bob" finds
//!   Robert);
//! - `a:` the first three letters in sorted order, so two swapped letters at the start of a
//!   word, which change both its prefix and its sound, still find it ("Zheaka" finds Zehaka);
//! - `e:` for words of 3 to 8 letters, the word and each way of deleting one of its letters,
//!   on both sides, so two words one slip apart (a letter dropped, added or changed, two
//!   neighbours swapped) share a key wherever the slip is: "Bown" finds Brown, "Luas" Lucas and
//!   "Ian" Ivan, which share no prefix, sound or first three letters;
//! - `w:` two words of the name together: both sounds (a nickname's as its canonical given
//!   name's), and each sound with the other word's first three letters. Only people with both
//!   words hold them, so a search for two common words ("Fatima Lopez": tens of thousands hold
//!   each at a million profiles) reads its few hundred namesakes instead of every holder of
//!   either word.
//!
//! The keys only choose candidates; [`name_score`] ranks them with Jaro-Winkler similarity per
//! word and drops those too far from the query, so a shared prefix or sound alone never makes a
//! result.

use std::collections::BTreeSet;

use rphonetic::DoubleMetaphone;

use crate::normalize::name::{PersonName, canonical_nickname, has_nicknames};

/// Shortest prefix indexed: one letter would make every search a scan.
pub const MIN_PREFIX: usize = 2;
/// Longest prefix indexed: past six letters a prefix narrows little and costs index rows.
pub const MAX_PREFIX: usize = 6;
/// Words of [`MIN_EDIT`] to [`MAX_EDIT`] letters get edit keys; those longer than `MIN_EDIT`
/// also one per deleted letter. A two-letter fragment would be noise, and past eight letters a
/// slip leaves the six-letter prefix or the sound intact more often than not.
const MIN_EDIT: usize = 3;
const MAX_EDIT: usize = 8;
/// Words shorter than this get no phonetic key: the code of a fragment is noise.
const MIN_PHONETIC: usize = 3;
/// Pair keys are made from a name's first words only: a long name would otherwise add a key
/// for every pair of its words.
const PAIR_WORDS: usize = 4;
/// Words in pair keys have at least this many letters, and pair with the other word's first
/// this many letters.
const PAIR_PREFIX: usize = 3;
/// The score of a last word the candidate's word starts with (a word still being typed): the
/// lowest at which every word of a candidate is the query's own.
const TYPING_SCORE: f64 = 0.98;
/// The floor for two words with the same Double Metaphone code: below [`MIN_SCORE`] on its own,
/// because the code drops vowels (Jane, John and Joan share one), so a sound alone never shows
/// a result, but enough to keep a misspelt word in a longer query.
const SOUNDS_ALIKE: f64 = 0.8;
/// A candidate whose words are, on average, less similar than this to the query's is dropped.
pub const MIN_SCORE: f64 = 0.86;
/// Every query word must find a candidate word at least this similar.
const MIN_WORD_SCORE: f64 = 0.72;

/// The words of a name as the index sees them: the normalized name's words, hyphenated parts
/// split ("Smith-Jones" is found by "jones").
fn words(name: &PersonName) -> Vec<String> {
    name.full()
        .split([' ', '-'])
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn prefix(word: &str, len: usize) -> String {
    word.chars().take(len).collect()
}

fn phonetic_codes(word: &str) -> Vec<String> {
    // Double Metaphone is defined over Latin letters, and rphonetic 4.0 slices by bytes (it
    // panics inside a multi-byte character: the property test below found it), so only
    // words of ASCII letters get a code. Folding has already turned "Müller" into "muller".
    if word.len() < MIN_PHONETIC || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Vec::new();
    }
    let encoder = DoubleMetaphone::default();
    let result = encoder.double_metaphone(word);
    let mut codes = vec![result.primary()];
    if result.alternate() != result.primary() {
        codes.push(result.alternate());
    }
    codes.retain(|c| !c.is_empty());
    codes
}

/// The first three letters in sorted order: unchanged by swapping any two of them.
fn anagram_key(word: &str) -> Option<String> {
    let mut start: Vec<char> = word.chars().take(3).collect();
    if start.len() < 3 {
        return None;
    }
    start.sort_unstable();
    Some(format!("a:{}", start.into_iter().collect::<String>()))
}

/// A word of [`MIN_EDIT`] to [`MAX_EDIT`] letters as an edit key.
fn edit_key(word: &str) -> Option<String> {
    (MIN_EDIT..=MAX_EDIT)
        .contains(&word.chars().count())
        .then(|| format!("e:{word}"))
}

/// The word less each one of its letters, as edit keys, for words longer than [`MIN_EDIT`].
fn deletion_keys(word: &str) -> Vec<String> {
    let letters: Vec<char> = word.chars().collect();
    if !(MIN_EDIT + 1..=MAX_EDIT).contains(&letters.len()) {
        return Vec::new();
    }
    (0..letters.len())
        .map(|skip| {
            let rest: String = letters
                .iter()
                .enumerate()
                .filter(|(at, _)| *at != skip)
                .map(|(_, c)| c)
                .collect();
            format!("e:{rest}")
        })
        .collect()
}

/// What stands for a word in a pair key: the sounds of its canonical given name (so "Bob"
/// and "Robert" pair alike), or the word itself when it is not Latin and has none.
fn pair_tokens(word: &str) -> Vec<String> {
    let codes = phonetic_codes(canonical(word));
    if codes.is_empty() {
        vec![canonical(word).to_owned()]
    } else {
        codes
    }
}

/// The pair keys of a name's words (the first [`PAIR_WORDS`] of at least [`PAIR_PREFIX`]
/// letters): for each two words, their sounds in sorted order (`w:JMS|SM0`: either order, a
/// slip that keeps the sounds), and each word's sound with the other's first letters
/// (`w:JMS>smi`: a word still being typed, "James Smi" for James Smithson). Shorter words have
/// none: a query's two letters may be the start of any word.
fn pair_keys(words: &[String]) -> BTreeSet<String> {
    let words: Vec<&String> = words
        .iter()
        .filter(|w| w.chars().count() >= PAIR_PREFIX)
        .take(PAIR_WORDS)
        .collect();
    let tokens: Vec<Vec<String>> = words.iter().map(|w| pair_tokens(w)).collect();
    let mut keys = BTreeSet::new();
    for (i, first) in tokens.iter().enumerate() {
        for (j, second) in tokens.iter().enumerate() {
            if i == j {
                continue;
            }
            let start = prefix(words[j], PAIR_PREFIX);
            for a in first {
                keys.insert(format!("w:{a}>{start}"));
                if i < j {
                    for b in second {
                        let (low, high) = if a <= b { (a, b) } else { (b, a) };
                        keys.insert(format!("w:{low}|{high}"));
                    }
                }
            }
        }
    }
    keys
}

/// The word itself and the word less each one of its letters: two words one slip apart share
/// one of these (a deletion on one side is the other word itself; a changed letter, or two
/// swapped ones, gives the same deletion on both sides).
fn edit_keys(word: &str) -> Vec<String> {
    edit_key(word)
        .into_iter()
        .chain(deletion_keys(word))
        .collect()
}

fn canonical(word: &str) -> &str {
    canonical_nickname(word).unwrap_or(word)
}

/// The keys a profile's display name is indexed under; none when it is not a person's name.
pub fn display_name_keys(display_name: Option<&str>) -> Vec<String> {
    display_name
        .and_then(|name| PersonName::parse(name).ok())
        .map(|name| name_index_keys(&name).into_iter().collect())
        .unwrap_or_default()
}

/// The keys under which a stored name is indexed (see the module documentation).
pub fn name_index_keys(name: &PersonName) -> BTreeSet<String> {
    let words = words(name);
    let mut keys = pair_keys(&words);
    for word in words {
        let len = word.chars().count();
        for n in MIN_PREFIX..=len.min(MAX_PREFIX) {
            keys.insert(format!("p:{}", prefix(&word, n)));
        }
        for code in phonetic_codes(&word) {
            keys.insert(format!("s:{code}"));
        }
        keys.extend(anagram_key(&word));
        keys.extend(edit_keys(&word));
    }
    if let Some(given) = name.given() {
        keys.insert(format!("n:{}", canonical(given)));
    }
    keys
}

/// A parsed search-box query for names.
#[derive(Debug, Clone, PartialEq)]
pub struct NameQuery {
    words: Vec<String>,
    /// Each word's keys, in the order of `words`.
    word_keys: Vec<Vec<String>>,
    keys: Vec<String>,
    /// Whether the words' deletion keys are among `word_keys` ([`NameQuery::widened`]).
    widened: bool,
    /// Each word's own keys: see [`NameQuery::anchors`].
    anchors: Vec<Vec<String>>,
}

impl NameQuery {
    /// `None` when the text holds no name-like word of at least [`MIN_PREFIX`] letters.
    pub fn parse(raw: &str) -> Option<NameQuery> {
        let name = PersonName::parse(raw).ok()?;
        let words: Vec<String> = words(&name)
            .into_iter()
            .filter(|w| w.chars().count() >= MIN_PREFIX)
            .collect();
        if words.is_empty() {
            return None;
        }
        let word_keys: Vec<Vec<String>> = words
            .iter()
            .map(|word| {
                let mut keys = BTreeSet::new();
                keys.insert(format!("p:{}", prefix(word, MAX_PREFIX)));
                for code in phonetic_codes(word) {
                    keys.insert(format!("s:{code}"));
                }
                keys.extend(anagram_key(word));
                keys.extend(edit_key(word));
                // Any word may be the given name (people type "smith bob" too); only a
                // nickname or a name that has nicknames can find something its prefix does not.
                let canonical = canonical(word);
                if canonical != word || has_nicknames(word) {
                    keys.insert(format!("n:{canonical}"));
                }
                keys.into_iter().collect()
            })
            .collect();
        let keys: BTreeSet<&String> = word_keys.iter().flatten().collect();
        let keys = keys.into_iter().cloned().collect();
        let mut anchors: Vec<Vec<String>> = words
            .iter()
            .map(|word| {
                let mut own = vec![format!("p:{}", prefix(word, MAX_PREFIX))];
                own.extend(
                    phonetic_codes(word)
                        .into_iter()
                        .map(|code| format!("s:{code}")),
                );
                own.extend(edit_keys(word));
                let canonical = canonical(word);
                if canonical != word || has_nicknames(word) {
                    own.push(format!("n:{canonical}"));
                }
                own
            })
            .collect();
        let pairs = pair_keys(&words);
        if !pairs.is_empty() {
            anchors.push(pairs.into_iter().collect());
        }
        Some(NameQuery {
            words,
            word_keys,
            keys,
            widened: false,
            anchors,
        })
    }

    /// Each word's own keys, in the order of [`NameQuery::words`]: its prefix, its sound, itself
    /// and itself less each letter, its canonical given name. They are held by names that start
    /// with the word, sound like it or are one slip from it, where its first three letters in
    /// sorted order are shared with many other names ("Motori" sorts them as "Tom" does). After
    /// them, for a query of two words or more, the pair keys of its words: held only by names
    /// with both words (by their sounds). The store drives a search from the group of keys the
    /// fewest profiles hold, when some do.
    ///
    /// A slip that changed a word's sound can pair the query with other people's names ("Kwame
    /// Bown" with Kwame Beanni, for Kwame Brown) and hide the one it was typed for: a search its
    /// pair keys drove that found no name of the query's own words (see [`is_namesake`]) also
    /// looks by its words ([`NameQuery::unpaired`]), and the widened query
    /// ([`NameQuery::widened`]), which runs when nothing was found, has no pair keys. A slip
    /// that makes another real name ("Ian Santos" typed for Ivan Santos, where Ian Santos
    /// exists) finds that name's holders and their sound-alikes only.
    pub fn anchors(&self) -> &[Vec<String>] {
        &self.anchors
    }

    /// The same query that also looks a slip up by its deletions: a letter added, changed, or
    /// two swapped in a short word ("Brrown", "Brewn", "Lcuas"). A stored word's deletions are
    /// indexed, so the query's own word finds one with a letter dropped without this. `None`
    /// when no word has deletions. Each deletion key of a common word is held by as many
    /// profiles as the word itself, so a search widens only when the plain query found little.
    pub fn widened(&self) -> Option<NameQuery> {
        if self.widened || self.words.iter().all(|w| deletion_keys(w).is_empty()) {
            return None;
        }
        let word_keys: Vec<Vec<String>> = self
            .word_keys
            .iter()
            .zip(&self.words)
            .map(|(keys, word)| {
                let mut all: BTreeSet<String> = keys.iter().cloned().collect();
                all.extend(deletion_keys(word));
                all.into_iter().collect()
            })
            .collect();
        let keys: BTreeSet<&String> = word_keys.iter().flatten().collect();
        Some(NameQuery {
            words: self.words.clone(),
            keys: keys.into_iter().cloned().collect(),
            word_keys,
            widened: true,
            anchors: self.own_anchors().to_vec(),
        })
    }

    /// Each word's own keys: [`NameQuery::anchors`] without the pair keys.
    fn own_anchors(&self) -> &[Vec<String>] {
        &self.anchors[..self.words.len()]
    }

    /// Whether [`NameQuery::anchors`]' group `group` is the pair keys' (not a word's own).
    pub fn is_pair_group(&self, group: usize) -> bool {
        group >= self.words.len()
    }

    /// The same query without its pair keys, for when they drove a search and found no name of
    /// the query's own words; `None` when it has none.
    pub fn unpaired(&self) -> Option<NameQuery> {
        (self.anchors.len() > self.words.len()).then(|| NameQuery {
            anchors: self.own_anchors().to_vec(),
            ..self.clone()
        })
    }

    /// The index keys to look up; a candidate is a profile holding any of them.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The keys of each word, in the order of [`NameQuery::words`]: a name the query finds
    /// holds a key of every word it matches.
    pub fn word_keys(&self) -> &[Vec<String>] {
        &self.word_keys
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }
}

/// How well one query word fits one word of a candidate name, 0 to 1: 1 when they are the same
/// name (nicknames included); 0.98 when the word is the last one of the query (still being
/// typed) and the candidate word starts with it; otherwise Jaro-Winkler similarity, raised to
/// [`SOUNDS_ALIKE`] when both sound the same.
fn word_score(query: &str, candidate: &str, typing: bool) -> f64 {
    if canonical(query) == canonical(candidate) {
        return 1.0;
    }
    if typing && candidate.starts_with(query) {
        return TYPING_SCORE;
    }
    let similarity = strsim::jaro_winkler(query, candidate);
    let sounds_alike = {
        let a = phonetic_codes(query);
        let b = phonetic_codes(candidate);
        a.iter().any(|code| b.contains(code))
    };
    if sounds_alike {
        similarity.max(SOUNDS_ALIKE)
    } else {
        similarity
    }
}

/// Whether each word of the query is a word of the candidate (the same word or nickname), the
/// last one possibly still being typed: a name the query spells, not one a slip away.
pub fn is_namesake(query: &NameQuery, candidate: &str) -> bool {
    let Ok(candidate) = PersonName::parse(candidate) else {
        return false;
    };
    let candidate_words = words(&candidate);
    let last = query.words.len() - 1;
    query.words.iter().enumerate().all(|(i, word)| {
        candidate_words
            .iter()
            .any(|c| word_score(word, c, i == last) >= TYPING_SCORE)
    })
}

/// How well a candidate name answers the query, 0 to 1, or `None` when it should not be shown:
/// each query word takes its best-fitting candidate word, and the result is their mean.
pub fn name_score(query: &NameQuery, candidate: &str) -> Option<f64> {
    let candidate = PersonName::parse(candidate).ok()?;
    let candidate_words = words(&candidate);
    let mut total = 0.0;
    let last = query.words.len() - 1;
    for (i, word) in query.words.iter().enumerate() {
        let best = candidate_words
            .iter()
            .map(|c| word_score(word, c, i == last))
            .fold(0.0, f64::max);
        if best < MIN_WORD_SCORE {
            return None;
        }
        total += best;
    }
    let score = total / query.words.len() as f64;
    (score >= MIN_SCORE).then_some(score)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys(name: &str) -> BTreeSet<String> {
        name_index_keys(&PersonName::parse(name).expect("a name"))
    }

    fn score(query: &str, candidate: &str) -> Option<f64> {
        name_score(&NameQuery::parse(query).expect("a query"), candidate)
    }

    /// What the store does: a candidate is found when it shares a key with the query, or with
    /// the widened query (the search widens when the plain one finds little).
    fn found(query: &str, candidate: &str) -> bool {
        let q = NameQuery::parse(query).expect("a query");
        let k = keys(candidate);
        let shares = |q: &NameQuery| q.keys().iter().any(|key| k.contains(key));
        (shares(&q) || q.widened().is_some_and(|w| shares(&w)))
            && name_score(&q, candidate).is_some()
    }

    /// The store drives a search from its rarest word: each word's keys must be that word's
    /// own, and together exactly the query's keys.
    #[test]
    fn a_querys_keys_are_kept_word_by_word() {
        let q = NameQuery::parse("Bob Fesaka").expect("a query");
        let words = q.word_keys();
        assert_eq!(words.len(), 2);
        assert!(
            words[0].contains(&"p:bob".to_owned()) && words[0].contains(&"n:robert".to_owned())
        );
        assert!(words[1].contains(&"p:fesaka".to_owned()));
        assert!(
            !words[1]
                .iter()
                .any(|k| k.contains("bob") || k == "n:robert")
        );
        let mut union: Vec<String> = words.iter().flatten().cloned().collect();
        union.sort();
        union.dedup();
        assert_eq!(union, q.keys());

        // A word's own keys leave out what other names share (its sorted first letters) and take
        // in what one slip keeps (its deletions), so a stored "Mtoori" holds one of "Motori"'s.
        let q = NameQuery::parse("Emma Motori").expect("a query");
        let own = &q.anchors()[1];
        assert!(own.contains(&"p:motori".to_owned()) && own.contains(&"e:motori".to_owned()));
        assert!(!own.iter().any(|k| k.starts_with("a:")));
        assert!(keys("Emma Mtoori").iter().any(|k| own.contains(k)));
        assert!(!keys("Tom Smith").iter().any(|k| own.contains(k)));
    }

    /// Two words together: held by the names with both, whatever the order they are typed in,
    /// spelt another way that sounds the same, or by a nickname.
    #[test]
    fn two_words_are_paired_by_their_sounds() {
        let pairs = |query: &str| {
            let q = NameQuery::parse(query).expect("a query");
            let last = q.anchors().last().cloned().unwrap_or_default();
            assert!(
                last.iter().all(|k| k.starts_with("w:")),
                "{query}: {last:?}"
            );
            last
        };
        let shares = |query: &str, name: &str| {
            let stored = keys(name);
            pairs(query).iter().any(|k| stored.contains(k))
        };
        for (query, name) in [
            ("Fatima Lopez", "Fatima Lopez"),
            ("lopez fatima", "Fatima Lopez"),
            ("Fatma Lopes", "Fatima Lopez"),
            ("Bob Tables", "Robert Tables"),
            ("Robert Tables", "Bob Tables"),
            ("Ann Smith", "Ann Marie Smith"),
            ("James Smi", "James Smithson"),
            ("smith jam", "James Smith"),
        ] {
            assert!(shares(query, name), "{query} / {name}");
        }
        for (query, name) in [
            ("Fatima Lopez", "Fatima Perez"),
            ("Fatima Lopez", "Omar Lopez"),
            ("James Smi", "James Brown"),
        ] {
            assert!(!shares(query, name), "{query} / {name}");
        }
        // Two letters may start any word: "Fatima Lo" must not be read as the Fatima Los only.
        assert_eq!(
            NameQuery::parse("Fatima Lo")
                .expect("a query")
                .anchors()
                .len(),
            2
        );
        // One word has no pair; a widened query (nothing found) drops them: a slip that changed
        // a sound could pair with someone else's name and hide the person typed for.
        let one = NameQuery::parse("Lopez").expect("a query");
        assert_eq!(one.anchors().len(), 1);
        let two = NameQuery::parse("Fatima Lopezz").expect("a query");
        assert_eq!(two.anchors().len(), 3);
        assert!(two.is_pair_group(2) && !two.is_pair_group(1));
        // A namesake spells every word of the query; a mean score that high is not enough.
        let query = NameQuery::parse("Noah Zeomo").expect("a query");
        assert!(score("Noah Zeomo", "Noah Zeosmo").is_some_and(|s| s >= TYPING_SCORE));
        assert!(!is_namesake(&query, "Noah Zeosmo"));
        assert!(is_namesake(&query, "Noah Zeomo"));
        assert!(is_namesake(&query, "Zeomo Noah Smith"));
        assert!(is_namesake(
            &NameQuery::parse("bob zeo").expect("a query"),
            "Robert Zeomo"
        ));
        let unpaired = two.unpaired().expect("pairs");
        assert_eq!(unpaired.anchors(), &two.anchors()[..2]);
        assert_eq!(unpaired.keys(), two.keys());
        assert!(one.unpaired().is_none() && unpaired.unpaired().is_none());
        let widened = two.widened().expect("deletions");
        assert_eq!(widened.anchors().len(), 2);
        assert!(
            widened
                .anchors()
                .iter()
                .flatten()
                .all(|k| !k.starts_with("w:"))
        );
        // A long name pairs its first four words only.
        let long = keys("Ana Beatriz Carla Dora Elena Fonseca");
        let pairs: Vec<&String> = long.iter().filter(|k| k.starts_with("w:")).collect();
        assert!(
            !pairs.iter().any(|k| k.contains("ele") || k.contains("fon")),
            "{pairs:?}"
        );
    }

    #[test]
    fn indexes_prefixes_sounds_and_the_canonical_given_name() {
        let k = keys("Dr. Bob O'Brien-Smith");
        for expected in [
            "p:bo", "p:bob", "p:ob", "p:obrien", "p:sm", "p:smith", "n:robert",
        ] {
            assert!(k.contains(expected), "{expected} missing from {k:?}");
        }
        assert!(!k.contains("p:o"), "one-letter prefixes are not indexed");
        assert!(!k.contains("p:obrie n"));
        assert!(k.iter().any(|key| key.starts_with("s:")));
        assert!(!k.contains("p:dr"), "titles are not indexed");
    }

    #[test]
    fn swapped_first_letters_share_a_key_that_prefixes_and_sounds_miss() {
        let stored = keys("Priya Zehaka");
        let given = keys("Priya");
        let query = NameQuery::parse("priya zheaka").expect("query");
        let shared: Vec<&String> = query
            .keys()
            .iter()
            .filter(|k| stored.contains(*k) && !given.contains(*k) && !k.starts_with("e:"))
            .collect();
        assert_eq!(
            shared,
            vec!["a:ehz"],
            "of the prefix, sound and order keys, only the order-insensitive one links them"
        );
        assert!(found("priya zheaka", "Priya Zehaka"));
        assert_eq!(anagram_key("ab"), None);
    }

    #[test]
    fn one_slip_in_a_short_word_shares_an_edit_key_where_no_other_key_does() {
        // (query, stored name, the word with the slip)
        for (query, stored, at) in [
            ("Kwame Bown", "Kwame Brown", 1),
            ("Luas Cocola", "Lucas Cocola", 0),
            ("Ian Vomiri", "Ivan Vomiri", 0),
            ("Haa Jones", "Hana Jones", 0),
            ("Maeo Voanmo", "Mateo Voanmo", 0),
        ] {
            let q = NameQuery::parse(query).expect("a query");
            let k = keys(stored);
            let slipped = &q.word_keys()[at..=at];
            let shared: Vec<&String> = slipped
                .iter()
                .flatten()
                .filter(|key| k.contains(*key))
                .collect();
            assert!(
                !shared.is_empty(),
                "{query} shares no key of its slipped word with {stored}"
            );
            assert!(
                shared.iter().all(|key| key.starts_with("e:")),
                "{query}: {shared:?}"
            );
            assert!(found(query, stored), "{query} finds {stored}");
        }
        // A changed letter: only the widened query's deletions meet the stored word's.
        let q = NameQuery::parse("Hana Jomes").expect("a query");
        let jones = keys("Hana Jones");
        assert!(!q.word_keys()[1].iter().any(|key| jones.contains(key)));
        let widened = q.widened().expect("deletions");
        assert!(widened.word_keys()[1].iter().any(|key| jones.contains(key)));
        assert_eq!(widened.words(), q.words());
        assert!(widened.widened().is_none(), "widened once");
        assert!(
            NameQuery::parse("Al Bo")
                .expect("a query")
                .widened()
                .is_none()
        );
        assert_eq!(edit_keys("al"), Vec::<String>::new(), "fragments get none");
        assert_eq!(edit_keys("ali"), vec!["e:ali"]);
        assert!(
            edit_keys("bartholomew").is_empty(),
            "long words keep their prefix"
        );
        let brown = edit_keys("brown");
        assert!(
            !edit_keys("bxwxn").iter().any(|k| brown.contains(k)),
            "two slips are not one"
        );
    }

    #[test]
    fn prefixes_stop_at_six_letters() {
        let k = keys("Christopher");
        assert!(k.contains("p:christ"));
        assert!(!k.contains("p:christo"));
    }

    #[test]
    fn what_people_type_finds_the_name() {
        for (query, name) in [
            ("maria", "María García"),
            ("mar", "Maria Garcia"),
            ("garcia maria", "Maria Garcia"),
            ("Jhon Smith", "John Smith"),
            ("jon smiht", "John Smith"),
            ("katherine", "Catherine Zeta"),
            ("bob smith", "Robert Smith"),
            ("robert", "Bobby Tables"),
            ("jones", "Ann Smith-Jones"),
            ("micheal", "Michael Brown"),
            ("christopher", "Christopher Lee"),
            ("chris", "Christopher Lee"),
            ("o'brien", "Liam OBrien"),
            ("muller", "Thomas Müller"),
        ] {
            assert!(found(query, name), "{query:?} should find {name:?}");
        }
    }

    #[test]
    fn unrelated_names_are_not_shown() {
        for (query, name) in [
            ("maria", "Mark Twain"),
            ("john smith", "John Doe"),
            ("smith", "Jane Doe"),
            ("garcia", "Gabriel Cruz"),
            ("zoe", "Adam Baker"),
        ] {
            assert!(!found(query, name), "{query:?} should not find {name:?}");
        }
    }

    #[test]
    fn exact_names_rank_above_typos_and_typos_above_strangers() {
        let exact = score("john smith", "John Smith").expect("exact");
        let typo = score("john smith", "Jon Smyth").expect("typo");
        assert!(exact > typo, "{exact} > {typo}");
        assert_eq!(exact, 1.0);
        let stranger = score("john smith", "Jane Smithers");
        assert!(stranger.is_none_or(|s| s < typo), "{stranger:?} < {typo}");
    }

    #[test]
    fn queries_without_a_name_word_are_refused() {
        assert_eq!(NameQuery::parse(""), None);
        assert_eq!(NameQuery::parse("  "), None);
        assert_eq!(NameQuery::parse("j"), None);
        assert_eq!(NameQuery::parse("?!"), None);
    }

    proptest! {
        /// A stored name is always found by itself, by any of its words, and by the first
        /// letters of its first word.
        #[test]
        fn a_name_finds_itself(given in "[a-z]{2,10}", family in "[a-z]{2,12}", cut in 2usize..6) {
            // Titles and suffixes ("mr", "jr") are not names.
            prop_assume!(PersonName::parse(&given).is_ok() && PersonName::parse(&family).is_ok());
            let name = format!("{given} {family}");
            prop_assert!(found(&name, &name));
            prop_assert!(found(&family, &name));
            let typed: String = given.chars().take(cut).collect();
            prop_assume!(NameQuery::parse(&typed).is_some());
            prop_assert!(found(&typed, &name));
        }

        /// A name of two words shares a pair key with itself typed in either order.
        #[test]
        fn two_words_pair_with_themselves_in_either_order(given in "[a-z]{3,10}", family in "[a-z]{3,12}") {
            prop_assume!(PersonName::parse(&given).is_ok() && PersonName::parse(&family).is_ok());
            let name = format!("{given} {family}");
            let stored = keys(&name);
            prop_assume!(PersonName::parse(&name).is_ok_and(|n| words(&n).len() == 2));
            for query in [name.clone(), format!("{family} {given}")] {
                let q = NameQuery::parse(&query).expect("a query");
                prop_assume!(q.words().len() == 2);
                let pairs = q.anchors().last().cloned().unwrap_or_default();
                prop_assert!(pairs.iter().any(|k| k.starts_with("w:") && stored.contains(k)), "{query}");
            }
        }

        /// Keys depend on the normalized name only: however it was written, the same keys.
        #[test]
        fn words_one_slip_apart_share_an_edit_key(
            word in "[a-z]{4,7}",
            slip in 0usize..4,
            at in 0usize..8,
            letter in "[a-z]",
        ) {
            let mut letters: Vec<char> = word.chars().collect();
            let at = at % letters.len();
            match slip {
                0 => { letters.remove(at); }
                1 => letters.insert(at, letter.chars().next().unwrap_or('x')),
                2 => letters[at] = letter.chars().next().unwrap_or('x'),
                _ => {
                    let at = at % (letters.len() - 1);
                    letters.swap(at, at + 1);
                }
            }
            let slipped: String = letters.into_iter().collect();
            let ours = edit_keys(&word);
            prop_assert!(
                edit_keys(&slipped).iter().any(|k| ours.contains(k)),
                "{} and {} share no edit key", word, slipped
            );
        }

        #[test]
        fn keys_follow_normalization(name in "[A-Za-z]{2,8} [A-Za-z]{2,8}") {
            let upper = name.to_uppercase();
            prop_assert_eq!(keys(&name), keys(&upper));
            prop_assert_eq!(keys(&name), keys(&format!("  {name}. ")));
        }

        /// Scores stay in range and never panic on any text.
        #[test]
        fn scores_are_bounded(query in "\\PC{0,30}", candidate in "\\PC{0,30}") {
            if let Some(q) = NameQuery::parse(&query)
                && let Some(s) = name_score(&q, &candidate)
            {
                prop_assert!((MIN_SCORE..=1.0).contains(&s));
            }
        }
    }
}
