//! What a message is about, from a keyword table anyone can read and argue with: each keyword
//! (stemmed, so "refunds" and "refunded" are "refund") gives evidence for one topic, and a
//! tenant's [`TopicStats`] down-weights the topics every message has.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::text::stems;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Refund,
    Delivery,
    OrderStatus,
    /// Tables, parties and birthday bookings.
    Booking,
    Complaint,
    Pricing,
    OpeningHours,
    /// Allergies and dietary needs.
    Dietary,
    Cancellation,
    AddressChange,
}

impl Topic {
    pub const ALL: &'static [Topic] = &[
        Topic::Refund,
        Topic::Delivery,
        Topic::OrderStatus,
        Topic::Booking,
        Topic::Complaint,
        Topic::Pricing,
        Topic::OpeningHours,
        Topic::Dietary,
        Topic::Cancellation,
        Topic::AddressChange,
    ];

    /// The name the topic is stored and serialized under ("order_status").
    pub fn key(self) -> &'static str {
        match self {
            Topic::Refund => "refund",
            Topic::Delivery => "delivery",
            Topic::OrderStatus => "order_status",
            Topic::Booking => "booking",
            Topic::Complaint => "complaint",
            Topic::Pricing => "pricing",
            Topic::OpeningHours => "opening_hours",
            Topic::Dietary => "dietary",
            Topic::Cancellation => "cancellation",
            Topic::AddressChange => "address_change",
        }
    }

    /// The topic stored under `key` (see [`Topic::key`]).
    pub fn from_key(key: &str) -> Option<Topic> {
        Topic::ALL.iter().copied().find(|t| t.key() == key)
    }

    /// The label agents and prompts see.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Refund => "refund",
            Topic::Delivery => "delivery",
            Topic::OrderStatus => "order status",
            Topic::Booking => "booking",
            Topic::Complaint => "complaint",
            Topic::Pricing => "pricing",
            Topic::OpeningHours => "opening hours",
            Topic::Dietary => "allergy/dietary",
            Topic::Cancellation => "cancellation",
            Topic::AddressChange => "address change",
        }
    }
}

/// A topic is reported when its evidence reaches this: one strong keyword, or two weak ones.
pub const MIN_TOPIC_WEIGHT: f64 = 0.5;

/// Keyword (one or more words, written plainly, stemmed when the table is built), topic, and
/// how sure the keyword alone makes us, 0 to 1.
const KEYWORDS: &[(&str, Topic, f64)] = &[
    ("refund", Topic::Refund, 1.0),
    ("money back", Topic::Refund, 1.0),
    ("reimburse", Topic::Refund, 0.9),
    ("chargeback", Topic::Refund, 0.9),
    ("return", Topic::Refund, 0.4),
    ("delivery", Topic::Delivery, 0.9),
    ("deliver", Topic::Delivery, 0.9),
    ("shipping", Topic::Delivery, 0.8),
    ("courier", Topic::Delivery, 0.8),
    ("tracking", Topic::Delivery, 0.7),
    ("dispatch", Topic::Delivery, 0.7),
    ("arrive", Topic::Delivery, 0.6),
    ("driver", Topic::Delivery, 0.6),
    ("status", Topic::OrderStatus, 0.8),
    ("eta", Topic::OrderStatus, 0.8),
    ("ready", Topic::OrderStatus, 0.6),
    ("still waiting", Topic::OrderStatus, 0.7),
    // A customer who mentions their order is, unless something stronger says otherwise, asking
    // after it: enough alone to make the topic.
    ("order", Topic::OrderStatus, 0.5),
    ("update", Topic::OrderStatus, 0.4),
    ("book", Topic::Booking, 0.7),
    ("reservation", Topic::Booking, 0.8),
    ("reserve", Topic::Booking, 0.8),
    // "for my mom's birthday" on an order is not a booking; with "party" or "book" it is.
    ("birthday", Topic::Booking, 0.4),
    ("party", Topic::Booking, 0.5),
    ("celebration", Topic::Booking, 0.5),
    ("table for", Topic::Booking, 0.6),
    ("complaint", Topic::Complaint, 1.0),
    ("complain", Topic::Complaint, 1.0),
    ("unacceptable", Topic::Complaint, 0.9),
    ("rude", Topic::Complaint, 0.8),
    ("disappointed", Topic::Complaint, 0.7),
    ("terrible", Topic::Complaint, 0.7),
    ("awful", Topic::Complaint, 0.7),
    ("worst", Topic::Complaint, 0.7),
    ("manager", Topic::Complaint, 0.6),
    ("damaged", Topic::Complaint, 0.6),
    ("bruised", Topic::Complaint, 0.6),
    ("broken", Topic::Complaint, 0.6),
    ("stale", Topic::Complaint, 0.6),
    ("wrong", Topic::Complaint, 0.5),
    ("missing", Topic::Complaint, 0.5),
    ("how much", Topic::Pricing, 1.0),
    ("price", Topic::Pricing, 0.9),
    ("cost", Topic::Pricing, 0.8),
    ("expensive", Topic::Pricing, 0.7),
    ("discount", Topic::Pricing, 0.7),
    ("quote", Topic::Pricing, 0.7),
    ("cheap", Topic::Pricing, 0.6),
    ("fee", Topic::Pricing, 0.6),
    ("open", Topic::OpeningHours, 0.6),
    ("hours", Topic::OpeningHours, 0.6),
    ("close", Topic::OpeningHours, 0.5),
    ("what time", Topic::OpeningHours, 0.5),
    ("allergy", Topic::Dietary, 1.0),
    ("allergic", Topic::Dietary, 1.0),
    ("dietary", Topic::Dietary, 0.9),
    ("gluten", Topic::Dietary, 0.9),
    ("vegan", Topic::Dietary, 0.9),
    ("vegetarian", Topic::Dietary, 0.9),
    ("lactose", Topic::Dietary, 0.9),
    ("halal", Topic::Dietary, 0.9),
    ("kosher", Topic::Dietary, 0.9),
    ("peanut", Topic::Dietary, 0.8),
    ("dairy", Topic::Dietary, 0.8),
    ("nut", Topic::Dietary, 0.6),
    ("ingredient", Topic::Dietary, 0.6),
    ("cancel", Topic::Cancellation, 1.0),
    ("cancelled", Topic::Cancellation, 1.0),
    ("cancellation", Topic::Cancellation, 1.0),
    ("new address", Topic::AddressChange, 1.0),
    ("change of address", Topic::AddressChange, 1.0),
    ("address", Topic::AddressChange, 0.6),
    ("moved", Topic::AddressChange, 0.5),
];

struct Keyword {
    stems: Vec<String>,
    topic: Topic,
    weight: f64,
}

static TABLE: LazyLock<Vec<Keyword>> = LazyLock::new(|| {
    let mut table: Vec<Keyword> = Vec::new();
    for &(words, topic, weight) in KEYWORDS {
        let stems = stems(words);
        // Two spellings that stem alike ("cancel", "cancelled" may) count once.
        if !table.iter().any(|k| k.stems == stems && k.topic == topic) {
            table.push(Keyword {
                stems,
                topic,
                weight,
            });
        }
    }
    table
});

/// The topics of `text`, strongest first (ties in [`Topic::ALL`] order), with their weight.
///
/// A topic's weight is `1 − Π(1 − wₖ)` over the distinct keywords k of that topic found in the
/// text (a "noisy or": each keyword is independent evidence, repeating a keyword adds nothing,
/// and the weight stays below 1 unless a keyword is certain). Topics under
/// [`MIN_TOPIC_WEIGHT`] are dropped.
pub fn topics(text: &str) -> Vec<(Topic, f64)> {
    let words = stems(text);
    let mut doubt: BTreeMap<Topic, f64> = BTreeMap::new();
    for keyword in TABLE.iter() {
        let n = keyword.stems.len();
        let present = n > 0
            && words
                .windows(n)
                .any(|window| window == keyword.stems.as_slice());
        if present {
            *doubt.entry(keyword.topic).or_insert(1.0) *= 1.0 - keyword.weight;
        }
    }
    let mut found: Vec<(Topic, f64)> = doubt
        .into_iter()
        .map(|(topic, doubt)| (topic, 1.0 - doubt))
        .filter(|(_, weight)| *weight >= MIN_TOPIC_WEIGHT)
        .collect();
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    found
}

/// How many of a tenant's messages carried each topic, so that topics every customer raises
/// ("order status" at a bakery) weigh less than rare ones ("allergy"). Plain data: the
/// service loads it, calls [`TopicStats::observe`] per message and saves it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicStats {
    documents: u64,
    frequencies: BTreeMap<Topic, u64>,
}

impl TopicStats {
    pub fn new() -> TopicStats {
        TopicStats::default()
    }

    /// Statistics counted elsewhere (the store's daily counters): `documents` messages read,
    /// and how many of them carried each topic. A count above `documents` is read as
    /// `documents`.
    pub fn from_counts(
        documents: u64,
        frequencies: impl IntoIterator<Item = (Topic, u64)>,
    ) -> TopicStats {
        let mut stats = TopicStats::new();
        stats.add_counts(documents, frequencies);
        stats
    }

    /// Count one message with these topics (each topic once, however often it is listed).
    pub fn observe(&mut self, topics: &[Topic]) {
        self.documents += 1;
        let mut seen: Vec<Topic> = topics.to_vec();
        seen.sort_unstable();
        seen.dedup();
        for topic in seen {
            *self.frequencies.entry(topic).or_insert(0) += 1;
        }
    }

    /// Adds counts gathered elsewhere: `documents` more messages, and how many of them
    /// carried each topic (see [`TopicStats::from_counts`]).
    pub fn add_counts(
        &mut self,
        documents: u64,
        frequencies: impl IntoIterator<Item = (Topic, u64)>,
    ) {
        self.documents = self.documents.saturating_add(documents);
        for (topic, n) in frequencies {
            let entry = self.frequencies.entry(topic).or_insert(0);
            *entry = entry.saturating_add(n).min(self.documents);
        }
    }

    pub fn documents(&self) -> u64 {
        self.documents
    }

    pub fn frequency(&self, topic: Topic) -> u64 {
        self.frequencies.get(&topic).copied().unwrap_or(0)
    }

    /// Smoothed inverse document frequency, `ln((1 + N) / (1 + df)) + 1`, with N messages
    /// observed and df of them carrying the topic: 1 for a topic every message has (and for
    /// every topic before anything is observed), growing as the topic gets rarer, never
    /// infinite for an unseen topic.
    pub fn idf(&self, topic: Topic) -> f64 {
        let n = self.documents as f64;
        let df = self.frequency(topic).min(self.documents) as f64;
        ((1.0 + n) / (1.0 + df)).ln() + 1.0
    }

    /// Each topic's weight times its idf, strongest first.
    pub fn weigh(&self, topics: &[(Topic, f64)]) -> Vec<(Topic, f64)> {
        let mut weighed: Vec<(Topic, f64)> = topics
            .iter()
            .map(|&(topic, weight)| (topic, weight * self.idf(topic)))
            .collect();
        weighed.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        weighed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_topics(text: &str, expected: &[(Topic, f64)]) {
        let found = topics(text);
        assert_eq!(found.len(), expected.len(), "text {text:?} gave {found:?}");
        for ((topic, weight), (want_topic, want_weight)) in found.iter().zip(expected) {
            assert_eq!(topic, want_topic, "text {text:?} gave {found:?}");
            assert!(
                (weight - want_weight).abs() < 1e-9,
                "text {text:?} gave {found:?}"
            );
        }
    }

    #[test]
    fn example_messages_get_their_topics() {
        assert_topics(
            "I need help with my order #1234",
            &[(Topic::OrderStatus, 0.5)],
        );
        assert_topics("Is my order ready?", &[(Topic::OrderStatus, 0.8)]);
        assert_topics("What time do you open?", &[(Topic::OpeningHours, 0.8)]);
        assert_topics(
            "The fruit arrived bruised, I want a refund",
            &[
                (Topic::Refund, 1.0),
                (Topic::Delivery, 0.6),
                (Topic::Complaint, 0.6),
            ],
        );
        assert_topics(
            "Can I book a table for my daughter's birthday party?",
            &[(Topic::Booking, 1.0 - 0.3 * 0.4 * 0.6 * 0.5)],
        );
        assert_topics(
            "Does the cake contain nuts? She is allergic",
            &[(Topic::Dietary, 1.0)],
        );
        assert_topics(
            "Please cancel my order, I moved to a new address",
            &[
                (Topic::Cancellation, 1.0),
                (Topic::AddressChange, 1.0),
                (Topic::OrderStatus, 0.5),
            ],
        );
        assert_topics("How much is the large platter?", &[(Topic::Pricing, 1.0)]);
        assert_topics("Thanks so much, the platter was perfect!", &[]);
    }

    #[test]
    fn inflections_and_case_do_not_matter() {
        assert_eq!(topics("REFUNDED?"), topics("refund"));
        assert_eq!(topics("deliveries"), topics("Delivery"));
    }

    #[test]
    fn repeating_a_keyword_adds_nothing() {
        assert_eq!(topics("refund refund refund"), topics("refund"));
        assert_topics("open", &[(Topic::OpeningHours, 0.6)]);
        assert_topics("open open", &[(Topic::OpeningHours, 0.6)]);
    }

    #[test]
    fn weak_cues_alone_are_not_a_topic() {
        assert_topics("any update?", &[]);
        assert_topics("return", &[]);
    }

    #[test]
    fn common_topics_weigh_less_than_rare_ones() {
        let mut stats = TopicStats::new();
        assert_eq!(stats.idf(Topic::Refund), 1.0);
        for _ in 0..9 {
            stats.observe(&[Topic::OrderStatus, Topic::OrderStatus]);
        }
        stats.observe(&[Topic::Dietary]);
        assert_eq!(stats.documents(), 10);
        assert_eq!(stats.frequency(Topic::OrderStatus), 9);
        assert!((stats.idf(Topic::OrderStatus) - ((11.0f64 / 10.0).ln() + 1.0)).abs() < 1e-12);
        assert!((stats.idf(Topic::Dietary) - ((11.0f64 / 2.0).ln() + 1.0)).abs() < 1e-12);
        assert!((stats.idf(Topic::Refund) - (11.0f64.ln() + 1.0)).abs() < 1e-12);
        let weighed = stats.weigh(&[(Topic::OrderStatus, 1.0), (Topic::Dietary, 0.6)]);
        assert_eq!(weighed[0].0, Topic::Dietary);
    }

    #[test]
    fn keys_match_the_serialized_names_and_read_back() {
        for &topic in Topic::ALL {
            assert_eq!(
                serde_json::to_value(topic).expect("serializes"),
                serde_json::Value::String(topic.key().into())
            );
            assert_eq!(Topic::from_key(topic.key()), Some(topic));
        }
        assert_eq!(Topic::from_key("weather"), None);
    }

    #[test]
    fn stats_counted_elsewhere_equal_stats_observed() {
        let mut observed = TopicStats::new();
        observed.observe(&[Topic::Refund, Topic::Delivery]);
        observed.observe(&[Topic::Refund]);
        observed.observe(&[]);
        let counted = TopicStats::from_counts(3, [(Topic::Refund, 2), (Topic::Delivery, 1)]);
        assert_eq!(counted, observed);
        let mut added = TopicStats::from_counts(1, [(Topic::Refund, 1)]);
        added.add_counts(2, [(Topic::Delivery, 1), (Topic::Refund, 1)]);
        assert_eq!(added, observed);
        // More topic counts than messages (counters from two sources) is capped.
        let capped = TopicStats::from_counts(2, [(Topic::Refund, 5)]);
        assert_eq!(capped.frequency(Topic::Refund), 2);
        assert_eq!(capped.idf(Topic::Refund), 1.0);
    }

    #[test]
    fn stats_survive_a_round_trip_through_json() {
        let mut stats = TopicStats::new();
        stats.observe(&[Topic::Refund, Topic::Delivery]);
        let json = serde_json::to_string(&stats).expect("serializes");
        let back: TopicStats = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, stats);
    }
}
