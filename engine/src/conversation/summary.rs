//! A customer's history in a few of their own sentences: an extractive summary that keeps the
//! sentences naming the most (orders, dates, amounts, products, topics), favouring recent
//! ones, and is updated one message at a time, so it never needs the whole history again.

use serde::{Deserialize, Serialize};

use super::calendar::{CalendarDate, SECONDS_PER_HOUR, UnixSeconds};
use super::entities::Entity;
use super::text::sentences;
use super::topics::{TopicStats, topics};

/// How many sentences a summary keeps unless told otherwise.
pub const DEFAULT_CAPACITY: usize = 5;
/// What one entity in a sentence is worth.
const ENTITY_VALUE: f64 = 1.0;
/// What the newest sentence gets for being new; it halves every [`RECENCY_HALF_LIFE_HOURS`].
const RECENCY_VALUE: f64 = 1.0;
const RECENCY_HALF_LIFE_HOURS: f64 = 24.0;

/// One message as the summary reads it.
#[derive(Debug, Clone, Copy)]
pub struct SummaryInput<'a> {
    pub at: UnixSeconds,
    pub channel: &'a str,
    pub text: &'a str,
    /// The message's entities, spans into `text` (from `extract_entities`).
    pub entities: &'a [Entity],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummarySentence {
    pub at: UnixSeconds,
    pub channel: String,
    pub text: String,
    /// What the sentence names, before recency: see [`Summary::add`].
    pub content: f64,
    /// Order of arrival, to keep a message's sentences in their order.
    seq: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    capacity: usize,
    sentences: Vec<SummarySentence>,
    newest_at: Option<UnixSeconds>,
    next_seq: u64,
}

impl Default for Summary {
    fn default() -> Summary {
        Summary::new(DEFAULT_CAPACITY)
    }
}

impl Summary {
    /// An empty summary that will keep at most `capacity` sentences.
    pub fn new(capacity: usize) -> Summary {
        Summary {
            capacity,
            sentences: Vec::new(),
            newest_at: None,
            next_seq: 0,
        }
    }

    /// The kept sentences, oldest first.
    pub fn sentences(&self) -> &[SummarySentence] {
        &self.sentences
    }

    /// Read one message into the summary.
    ///
    /// Each sentence of the message gets a content value: 1 per entity inside it, plus, for
    /// each topic the sentence itself raises, its topic weight times the tenant's idf (see
    /// [`TopicStats::idf`]). Sentences with no content ("Hi!", "ok") are never kept. The kept
    /// sentences and the new ones are then ranked by content plus recency, 0.5^(age / 24 h)
    /// with age measured from the newest message seen, and the best `capacity` are kept (ties
    /// go to the newer). A sentence the summary already holds, written again, moves to its
    /// newest date instead of being kept twice.
    ///
    /// Returns whether the message offered any sentence. When it did not ("ok thanks"), only
    /// the time of the newest message moved, and a caller may skip storing the summary again:
    /// the next message that offers something moves it anyway.
    pub fn add(&mut self, input: &SummaryInput<'_>, stats: &TopicStats) -> bool {
        self.newest_at = Some(self.newest_at.map_or(input.at, |at| at.max(input.at)));
        let mut offered = false;
        for (start, end) in sentences(input.text) {
            let text = input.text[start..end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let entities = input
                .entities
                .iter()
                .filter(|e| e.span.0 >= start && e.span.1 <= end)
                .count() as f64;
            let topic_value: f64 = topics(&text)
                .into_iter()
                .map(|(topic, weight)| weight * stats.idf(topic))
                .sum();
            let content = entities * ENTITY_VALUE + topic_value;
            if content <= 0.0 {
                continue;
            }
            offered = true;
            self.sentences
                .retain(|kept| !kept.text.eq_ignore_ascii_case(&text));
            self.sentences.push(SummarySentence {
                at: input.at,
                channel: input.channel.to_string(),
                text,
                content,
                seq: self.next_seq,
            });
            self.next_seq += 1;
        }
        self.keep_best();
        offered
    }

    /// Folds another summary in (two profiles merged, or a customer's summary rebuilt from its
    /// threads' summaries): the sentences of both are ranked together exactly as [`Summary::add`]
    /// ranks them, and a sentence both hold is kept once, at its newer date. This summary's
    /// capacity stays.
    pub fn absorb(&mut self, other: &Summary) {
        self.newest_at = match (self.newest_at, other.newest_at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let offset = self.next_seq;
        for sentence in &other.sentences {
            let newer = |kept: &SummarySentence| {
                kept.text.eq_ignore_ascii_case(&sentence.text) && kept.at >= sentence.at
            };
            if self.sentences.iter().any(newer) {
                continue;
            }
            self.sentences
                .retain(|kept| !kept.text.eq_ignore_ascii_case(&sentence.text));
            self.sentences.push(SummarySentence {
                seq: offset + sentence.seq,
                ..sentence.clone()
            });
        }
        self.next_seq = offset + other.next_seq;
        self.keep_best();
    }

    /// The same summary cut to its `capacity` best sentences (an archived thread keeps fewer).
    pub fn compacted(&self, capacity: usize) -> Summary {
        let mut smaller = self.clone();
        smaller.capacity = capacity;
        smaller.keep_best();
        smaller
    }

    /// Ranks by content plus recency from the newest message seen, keeps `capacity`, and puts
    /// the kept ones back in the order they were said.
    fn keep_best(&mut self) {
        let Some(newest) = self.newest_at else {
            self.sentences.clear();
            return;
        };
        let value = |s: &SummarySentence| s.content + recency(newest, s.at);
        self.sentences.sort_by(|a, b| {
            value(b)
                .total_cmp(&value(a))
                .then(b.at.cmp(&a.at))
                .then(b.seq.cmp(&a.seq))
        });
        self.sentences.truncate(self.capacity);
        self.sentences.sort_by_key(|s| (s.at, s.seq));
    }

    /// One line per kept sentence, oldest first: "2026-05-01 webchat: I need help with my
    /// order #1234."
    pub fn render(&self) -> String {
        self.sentences
            .iter()
            .map(|s| {
                format!(
                    "{} {}: {}",
                    CalendarDate::from_unix_seconds(s.at),
                    s.channel,
                    s.text
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn recency(newest: UnixSeconds, at: UnixSeconds) -> f64 {
    let age_hours = newest.saturating_sub(at).max(0) as f64 / SECONDS_PER_HOUR as f64;
    RECENCY_VALUE * 0.5f64.powf(age_hours / RECENCY_HALF_LIFE_HOURS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::entities::extract_entities;
    use proptest::prelude::*;

    const HOUR: i64 = 3600;
    const T0: i64 = 1_777_593_600; // 2026-05-01T00:00:00Z
    const PRODUCTS: &[&str] = &["fruit platter"];

    fn add(summary: &mut Summary, at: i64, channel: &str, text: &str) {
        let entities = extract_entities(text, PRODUCTS, CalendarDate::from_unix_seconds(at));
        let input = SummaryInput {
            at,
            channel,
            text,
            entities: &entities,
        };
        summary.add(&input, &TopicStats::new());
    }

    fn kept(summary: &Summary) -> Vec<&str> {
        summary
            .sentences()
            .iter()
            .map(|s| s.text.as_str())
            .collect()
    }

    #[test]
    fn messages_added_one_at_a_time_keep_the_most_valuable_sentences() {
        let mut summary = Summary::new(3);
        add(
            &mut summary,
            T0,
            "webchat",
            "Hi there! I need help with my order #1234.",
        );
        assert_eq!(kept(&summary), vec!["I need help with my order #1234."]);

        add(
            &mut summary,
            T0 + 2 * HOUR,
            "whatsapp",
            "Is my order ready?",
        );
        assert_eq!(
            kept(&summary),
            vec!["I need help with my order #1234.", "Is my order ready?"]
        );

        // 1.5 + 0.917, 0.8 + 0.972, 0.9 + 1, 1.0 + 1: the bare status question goes.
        add(
            &mut summary,
            T0 + 3 * HOUR,
            "whatsapp",
            "Also, do you have vegan options? My daughter is allergic to nuts.",
        );
        assert_eq!(
            kept(&summary),
            vec![
                "I need help with my order #1234.",
                "Also, do you have vegan options?",
                "My daughter is allergic to nuts.",
            ]
        );

        // A day later the order (1.5 + 0.42) still outranks the vegan question (0.9 + 0.46).
        add(
            &mut summary,
            T0 + 30 * HOUR,
            "email",
            "Thanks, the fruit platter was perfect!",
        );
        assert_eq!(
            kept(&summary),
            vec![
                "I need help with my order #1234.",
                "My daughter is allergic to nuts.",
                "Thanks, the fruit platter was perfect!",
            ]
        );
        assert_eq!(
            summary.render(),
            "2026-05-01 webchat: I need help with my order #1234.\n\
             2026-05-01 whatsapp: My daughter is allergic to nuts.\n\
             2026-05-02 email: Thanks, the fruit platter was perfect!"
        );
    }

    #[test]
    fn small_talk_is_never_kept() {
        let mut summary = Summary::default();
        assert!(!summary.add(
            &SummaryInput {
                at: T0,
                channel: "sms",
                text: "Hi!\nok thanks",
                entities: &[],
            },
            &TopicStats::new()
        ));
        assert!(summary.sentences().is_empty());
        assert_eq!(summary.render(), "");
    }

    #[test]
    fn a_repeated_sentence_moves_to_its_newest_date() {
        let mut summary = Summary::default();
        add(&mut summary, T0, "sms", "Where is order #1234?");
        add(
            &mut summary,
            T0 + 5 * HOUR,
            "email",
            "where is order #1234?",
        );
        assert_eq!(kept(&summary), vec!["where is order #1234?"]);
        assert_eq!(summary.sentences()[0].channel, "email");
    }

    #[test]
    fn rare_topics_outrank_common_ones_with_tenant_statistics() {
        let mut stats = TopicStats::new();
        for _ in 0..50 {
            stats.observe(&[crate::conversation::topics::Topic::OrderStatus]);
        }
        let mut summary = Summary::new(1);
        let text = "Is my order ready? Is the cake gluten free?";
        summary.add(
            &SummaryInput {
                at: T0,
                channel: "sms",
                text,
                entities: &[],
            },
            &stats,
        );
        assert_eq!(kept(&summary), vec!["Is the cake gluten free?"]);
    }

    #[test]
    fn two_summaries_fold_into_one_ranked_as_if_read_together() {
        let mut chat = Summary::new(3);
        add(&mut chat, T0, "webchat", "I need help with my order #1234.");
        add(&mut chat, T0 + HOUR, "webchat", "What time do you open?");
        let mut whatsapp = Summary::new(3);
        add(
            &mut whatsapp,
            T0 + 2 * HOUR,
            "whatsapp",
            "My daughter is allergic to nuts. Where is order #1234?",
        );
        add(
            &mut whatsapp,
            T0 + 3 * HOUR,
            "whatsapp",
            "what time do you open?",
        );

        let mut together = Summary::new(3);
        for (at, channel, text) in [
            (T0, "webchat", "I need help with my order #1234."),
            (T0 + HOUR, "webchat", "What time do you open?"),
            (
                T0 + 2 * HOUR,
                "whatsapp",
                "My daughter is allergic to nuts. Where is order #1234?",
            ),
            (T0 + 3 * HOUR, "whatsapp", "what time do you open?"),
        ] {
            add(&mut together, at, channel, text);
        }

        let mut folded = chat.clone();
        folded.absorb(&whatsapp);
        assert_eq!(kept(&folded), kept(&together));
        // The question asked twice is kept once, at its newer date and channel.
        let mut roomy = Summary::new(5);
        roomy.absorb(&chat);
        roomy.absorb(&whatsapp);
        assert_eq!(
            roomy
                .sentences()
                .iter()
                .filter(|s| s.text.eq_ignore_ascii_case("what time do you open?"))
                .map(|s| (s.at, s.channel.as_str()))
                .collect::<Vec<_>>(),
            vec![(T0 + 3 * HOUR, "whatsapp")]
        );
        assert_eq!(
            kept(&folded),
            vec![
                "I need help with my order #1234.",
                "My daughter is allergic to nuts.",
                "Where is order #1234?"
            ]
        );
        // Folding is symmetric in what it keeps.
        let mut other_way = whatsapp.clone();
        other_way.absorb(&chat);
        assert_eq!(kept(&other_way), kept(&folded));
        // An empty summary changes nothing, and absorbing into an empty one copies.
        let mut same = folded.clone();
        same.absorb(&Summary::new(3));
        assert_eq!(kept(&same), kept(&folded));
        let mut copy = Summary::new(3);
        copy.absorb(&folded);
        assert_eq!(kept(&copy), kept(&folded));
    }

    #[test]
    fn a_compacted_summary_keeps_its_best_sentences() {
        let mut summary = Summary::new(5);
        add(
            &mut summary,
            T0,
            "webchat",
            "I need help with my order #1234.",
        );
        add(&mut summary, T0 + HOUR, "webchat", "What time do you open?");
        add(
            &mut summary,
            T0 + 2 * HOUR,
            "sms",
            "Refund of $20 for order #1234 on May 3 please.",
        );
        let small = summary.compacted(1);
        assert_eq!(
            kept(&small),
            vec!["Refund of $20 for order #1234 on May 3 please."]
        );
        assert_eq!(summary.sentences().len(), 3, "the original is untouched");
        assert!(summary.compacted(0).sentences().is_empty());
    }

    proptest! {
        /// Folding never holds more than the capacity, nor the same sentence twice.
        #[test]
        fn absorbing_keeps_capacity_and_uniqueness(
            left in proptest::collection::vec((0i64..100, 0usize..4), 0..12),
            right in proptest::collection::vec((0i64..100, 0usize..4), 0..12),
        ) {
            const TEXTS: [&str; 4] = [
                "order #1234 is late.",
                "What time do you open?",
                "refund please!",
                "vegan? gluten? nuts? May 3",
            ];
            let build = |messages: &[(i64, usize)]| {
                let mut summary = Summary::new(3);
                for &(hours, i) in messages {
                    add(&mut summary, T0 + hours * HOUR, "sms", TEXTS[i]);
                }
                summary
            };
            let mut folded = build(&left);
            folded.absorb(&build(&right));
            prop_assert!(folded.sentences().len() <= 3);
            let mut texts: Vec<String> =
                folded.sentences().iter().map(|s| s.text.to_lowercase()).collect();
            let n = texts.len();
            texts.sort();
            texts.dedup();
            prop_assert_eq!(texts.len(), n);
            let times: Vec<i64> = folded.sentences().iter().map(|s| s.at).collect();
            prop_assert!(times.windows(2).all(|w| w[0] <= w[1]));
        }

        /// However many messages arrive, the summary holds at most its capacity, oldest first.
        #[test]
        fn summary_never_exceeds_its_capacity(
            capacity in 0usize..6,
            messages in proptest::collection::vec(
                (0i64..200, prop_oneof![
                    Just("order #1234 is late. refund please!"),
                    Just("What time do you open?"),
                    Just("ok"),
                    Just("vegan? gluten? nuts? May 3"),
                ]),
                0..30,
            ),
        ) {
            let mut summary = Summary::new(capacity);
            let mut at = T0;
            for (gap, text) in messages {
                at += gap * HOUR;
                add(&mut summary, at, "sms", text);
                prop_assert!(summary.sentences().len() <= capacity);
                let times: Vec<i64> = summary.sentences().iter().map(|s| s.at).collect();
                prop_assert!(times.windows(2).all(|w| w[0] <= w[1]));
            }
        }
    }
}
