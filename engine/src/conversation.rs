//! The pure core of cross-channel memory: what a message names (entities), what it is about
//! (topics), how it sounds (sentiment), which conversation thread it continues, the running
//! extractive summary of a customer's history, and the budgeted context block served to
//! agents and assistants. No storage and no clock: the service passes times and state in.

mod calendar;
mod context;
mod entities;
mod sentiment;
mod summary;
mod text;
mod thread;
mod topics;

pub use calendar::{CalendarDate, UnixSeconds};
pub use context::{ContextBlock, relevance, render_context};
pub use entities::{Entity, EntityKind, extract_entities};
pub use sentiment::{SentimentTrend, TREND_STEP, TrendDirection, sentiment, sentiment_trend};
pub use summary::{DEFAULT_CAPACITY, Summary, SummaryInput, SummarySentence};
pub use thread::{
    Continuation, MessageFacts, ThreadPolicy, ThreadState, ThreadStatus, choose_thread, continues,
};
pub use topics::{MIN_TOPIC_WEIGHT, Topic, TopicStats, topics};

#[cfg(test)]
mod tests {
    use super::*;

    /// One DM with everything in it, read the way the service will read it.
    #[test]
    fn a_typical_message_is_read_end_to_end() {
        let text = "Hi! I ordered the large fruit platter last Tuesday (order #48213) for my \
            mom's birthday on May 14, but it hasn't arrived yet. Tracking says delivered at \
            3:45pm but nobody was home. The total was $89.99 and the zip is 95814. Could you \
            call me at (916) 555-1234? I'm really disappointed, I'd like a refund if it can't \
            come tomorrow.";
        let today = CalendarDate::new(2026, 5, 12).expect("a day");
        let entities: Vec<(EntityKind, String)> =
            extract_entities(text, &["fruit platter", "large fruit platter"], today)
                .into_iter()
                .map(|e| (e.kind, e.value))
                .collect();
        let expected = [
            (EntityKind::Product, "large fruit platter"),
            (EntityKind::OrderNumber, "48213"),
            (EntityKind::Date, "2026-05-14"),
            (EntityKind::Amount, "89.99 USD"),
            (EntityKind::Date, "2026-05-13"),
        ];
        let expected: Vec<(EntityKind, String)> =
            expected.iter().map(|(k, v)| (*k, v.to_string())).collect();
        assert_eq!(entities, expected, "no phone, ZIP or time among them");

        let found: Vec<Topic> = topics(text).into_iter().map(|(t, _)| t).collect();
        assert_eq!(
            found,
            vec![
                Topic::Refund,
                Topic::Delivery,
                Topic::Complaint,
                Topic::OrderStatus
            ]
        );
        assert!(sentiment(text).is_some_and(|s| s < -0.5));
    }
}
