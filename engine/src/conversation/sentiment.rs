//! How the customer feels, from a small lexicon in the spirit of VADER: each sentiment word
//! has a valence, a negation just before it flips and damps it, an intensifier boosts it, and
//! exclamation marks add emphasis. Coarse on purpose: it colours a timeline, it does not
//! decide anything.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::text::{clauses, stem};

/// Valences, −1 to 1.
const LEXICON: &[(&str, f64)] = &[
    ("perfect", 1.0),
    ("amazing", 1.0),
    ("excellent", 1.0),
    ("awesome", 0.9),
    ("wonderful", 0.9),
    ("fantastic", 0.9),
    ("love", 0.9),
    ("lovely", 0.8),
    ("great", 0.8),
    ("best", 0.8),
    ("delicious", 0.8),
    ("beautiful", 0.8),
    ("happy", 0.7),
    ("pleased", 0.7),
    ("thanks", 0.6),
    ("glad", 0.6),
    ("helpful", 0.6),
    ("appreciate", 0.6),
    ("good", 0.5),
    ("nice", 0.5),
    ("recommend", 0.5),
    ("fresh", 0.3),
    ("quick", 0.3),
    ("terrible", -1.0),
    ("awful", -1.0),
    ("horrible", -1.0),
    ("worst", -1.0),
    ("disgusting", -1.0),
    ("rotten", -0.9),
    ("moldy", -0.9),
    ("furious", -0.9),
    ("unacceptable", -0.9),
    ("angry", -0.8),
    ("rude", -0.8),
    ("disappointed", -0.8),
    ("damaged", -0.7),
    ("bruised", -0.7),
    ("broken", -0.7),
    ("unhappy", -0.7),
    ("upset", -0.7),
    ("bad", -0.6),
    ("poor", -0.6),
    ("stale", -0.6),
    ("complaint", -0.6),
    ("late", -0.5),
    ("wrong", -0.5),
    ("missing", -0.5),
    ("cold", -0.4),
    ("problem", -0.4),
    ("issue", -0.3),
    ("refund", -0.3),
];

/// Words that negate a sentiment word up to [`NEGATION_SCOPE`] words later, in its clause.
const NEGATORS: &[&str] = &[
    "not", "no", "never", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "cant",
    "cannot", "wont", "wouldnt", "hardly", "nothing", "without", "nor",
];
const INTENSIFIERS: &[&str] = &[
    "very",
    "really",
    "so",
    "extremely",
    "super",
    "totally",
    "absolutely",
    "incredibly",
    "too",
];

const NEGATION_SCOPE: usize = 3;
/// "not good" is mildly bad, not as bad as "bad": VADER's observation, rounded.
const NEGATION_FACTOR: f64 = -0.5;
const INTENSIFIER_FACTOR: f64 = 1.5;
/// Each '!' (up to three) pushes the sum this much further from zero.
const EXCLAMATION_BOOST: f64 = 0.1;
const MAX_EXCLAMATIONS: usize = 3;
/// Squashing constant: a sum of 1 maps to 1/√2 ≈ 0.71.
const ALPHA: f64 = 1.0;

static VALENCES: LazyLock<HashMap<String, f64>> = LazyLock::new(|| {
    LEXICON
        .iter()
        .map(|&(word, valence)| (stem(word), valence))
        .collect()
});
static NEGATOR_STEMS: LazyLock<Vec<String>> =
    LazyLock::new(|| NEGATORS.iter().map(|w| stem(w)).collect());
static INTENSIFIER_STEMS: LazyLock<Vec<String>> =
    LazyLock::new(|| INTENSIFIERS.iter().map(|w| stem(w)).collect());

/// The tone of `text`, −1 (angry) to 1 (delighted); `None` when no word in the lexicon occurs
/// ("What time do you open?").
///
/// Each sentiment word contributes its valence v, times [`INTENSIFIER_FACTOR`] when the word
/// right before it is an intensifier ("very"), times [`NEGATION_FACTOR`] when a negator occurs
/// within the three words before it in the same clause ("not happy"). The contributions are
/// summed, each '!' (at most three) adds 0.1 in the sum's direction, and the sum s is squashed
/// to s / √(s² + 1).
pub fn sentiment(text: &str) -> Option<f64> {
    let mut sum = 0.0;
    let mut bearing = false;
    for clause in clauses(text) {
        for (i, word) in clause.iter().enumerate() {
            let Some(&valence) = VALENCES.get(word) else {
                continue;
            };
            bearing = true;
            let mut contribution = valence;
            if i > 0 && INTENSIFIER_STEMS.contains(&clause[i - 1]) {
                contribution *= INTENSIFIER_FACTOR;
            }
            let scope = &clause[i.saturating_sub(NEGATION_SCOPE)..i];
            if scope.iter().any(|w| NEGATOR_STEMS.contains(w)) {
                contribution *= NEGATION_FACTOR;
            }
            sum += contribution;
        }
    }
    if !bearing {
        return None;
    }
    let exclamations = text.matches('!').count().min(MAX_EXCLAMATIONS) as f64;
    sum += sum.signum() * exclamations * EXCLAMATION_BOOST;
    Some((sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0))
}

/// Which way a customer's mood is going, from their scored messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendDirection {
    Improving,
    Worsening,
    Steady,
}

impl TrendDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            TrendDirection::Improving => "improving",
            TrendDirection::Worsening => "worsening",
            TrendDirection::Steady => "steady",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SentimentTrend {
    /// The mean of the newest scores.
    pub recent: f64,
    /// The mean of the scores before them, when there are any.
    pub earlier: Option<f64>,
    pub direction: TrendDirection,
    /// How many scores the trend read.
    pub messages: usize,
}

/// A change of mean smaller than this is steady.
pub const TREND_STEP: f64 = 0.2;

/// The trend of `scores`, newest first: the mean of the newest `recent` against the mean of
/// the rest. Improving or worsening when the two means differ by [`TREND_STEP`] or more;
/// steady otherwise and when there is nothing earlier. None without scores or with
/// `recent` 0.
pub fn sentiment_trend(scores: &[f64], recent: usize) -> Option<SentimentTrend> {
    if scores.is_empty() || recent == 0 {
        return None;
    }
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let split = recent.min(scores.len());
    let (new, old) = scores.split_at(split);
    let recent_mean = mean(new);
    let earlier = (!old.is_empty()).then(|| mean(old));
    let direction = match earlier {
        Some(e) if recent_mean - e >= TREND_STEP => TrendDirection::Improving,
        Some(e) if e - recent_mean >= TREND_STEP => TrendDirection::Worsening,
        _ => TrendDirection::Steady,
    };
    Some(SentimentTrend {
        recent: recent_mean,
        earlier,
        direction,
        messages: scores.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_compares_the_newest_scores_with_the_earlier_ones() {
        assert_eq!(sentiment_trend(&[], 3), None);
        assert_eq!(sentiment_trend(&[0.5], 0), None);
        let worse = sentiment_trend(&[-0.8, -0.6, 0.1, 0.5, 0.7], 2).expect("trend");
        assert!((worse.recent - -0.7).abs() < 1e-12);
        assert!((worse.earlier.expect("earlier") - 1.3 / 3.0).abs() < 1e-12);
        assert_eq!(worse.direction, TrendDirection::Worsening);
        assert_eq!(worse.messages, 5);
        let better = sentiment_trend(&[0.6, -0.5], 1).expect("trend");
        assert_eq!(better.direction, TrendDirection::Improving);
        let steady = sentiment_trend(&[0.3, 0.2], 1).expect("trend");
        assert_eq!(steady.direction, TrendDirection::Steady);
        let alone = sentiment_trend(&[-0.9, -0.9], 5).expect("trend");
        assert_eq!(
            (alone.earlier, alone.direction),
            (None, TrendDirection::Steady)
        );
    }
    use proptest::prelude::*;

    fn score(text: &str) -> f64 {
        sentiment(text).unwrap_or_else(|| panic!("{text:?} should carry sentiment"))
    }

    #[test]
    fn examples_from_the_brief() {
        assert!(score("Thanks so much, the platter was perfect!") > 0.5);
        assert!(score("the fruit arrived bruised, I want a refund") < -0.3);
        assert_eq!(sentiment("What time do you open?"), None);
        assert!(score("not happy") < 0.0);
    }

    #[test]
    fn exact_scores_follow_the_documented_formula() {
        let squash = |s: f64| s / (s * s + 1.0).sqrt();
        let cases = [
            (
                "Thanks so much, the platter was perfect!",
                squash(0.6 + 1.0 + 0.1),
            ),
            (
                "the fruit arrived bruised, I want a refund",
                squash(-0.7 - 0.3),
            ),
            ("not happy", squash(-0.35)),
            ("very good", squash(0.75)),
            ("not very good", squash(-0.375)),
            ("No problem!", squash(0.2 + 0.1)),
            ("terrible!!!!!", squash(-1.3)),
            ("good, not bad", squash(0.5 + 0.3)),
        ];
        for (text, expected) in cases {
            assert!(
                (score(text) - expected).abs() < 1e-12,
                "{text:?}: {} vs {expected}",
                score(text)
            );
        }
    }

    #[test]
    fn negation_does_not_cross_a_comma_or_reach_far() {
        assert!(score("no, it was great") > 0.5);
        assert!(score("not that I mind but honestly great") > 0.5);
    }

    #[test]
    fn neutral_text_has_no_sentiment() {
        for text in ["", "Is it ready?", "order #1234", "!!!"] {
            assert_eq!(sentiment(text), None, "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn sentiment_stays_in_range(text in "\\PC{0,120}") {
            if let Some(s) = sentiment(&text) {
                prop_assert!((-1.0..=1.0).contains(&s));
            }
        }

        #[test]
        fn sentiment_stays_in_range_on_lexicon_words(
            words in proptest::collection::vec(
                prop_oneof![Just("very"), Just("not"), Just("perfect"), Just("awful"), Just("!"), Just(",")],
                0..200,
            )
        ) {
            if let Some(s) = sentiment(&words.join(" ")) {
                prop_assert!((-1.0..=1.0).contains(&s));
            }
        }
    }
}
