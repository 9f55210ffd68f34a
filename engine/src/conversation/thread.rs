//! Whether a new message belongs to a conversation already under way, across channels: the
//! customer who asked about order #1234 on webchat and writes "Is my order ready?" on
//! WhatsApp two hours later is continuing, not starting over.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::calendar::UnixSeconds;
use super::entities::Entity;
use super::topics::Topic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadStatus {
    /// The customer is waiting for us.
    Open,
    /// We are waiting for the customer.
    Waiting,
    Resolved,
}

/// What the service knows of a thread: its last message and the facts gathered so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadState {
    pub last_message_at: UnixSeconds,
    /// The channel of the last message ("webchat", "whatsapp").
    pub channel: String,
    pub status: ThreadStatus,
    pub topics: Vec<Topic>,
    pub entities: Vec<Entity>,
}

/// The facts of an incoming message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageFacts {
    pub at: UnixSeconds,
    pub channel: String,
    pub topics: Vec<Topic>,
    pub entities: Vec<Entity>,
    /// The business wrote it (a reply): it answers the conversation under way, whatever
    /// topic its words raise ("I've refunded you" answers "where is my order?").
    #[serde(default)]
    pub reply: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadPolicy {
    /// How long after its last message a thread can still be continued.
    pub window: Duration,
    /// How long after its last message a resolved thread is reopened by a message about one
    /// of its entities ("order #1234 still hasn't come"); zero never reopens.
    pub reopen_window: Duration,
}

impl Default for ThreadPolicy {
    /// 72 hours to continue, 24 to reopen.
    fn default() -> ThreadPolicy {
        ThreadPolicy {
            window: Duration::from_secs(72 * 3600),
            reopen_window: Duration::from_secs(24 * 3600),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Continuation {
    /// The message belongs to the thread; `handoff_from` names the thread's previous channel
    /// when the customer switched.
    Continue {
        handoff_from: Option<String>,
    },
    NewThread,
}

/// Why a message belongs to a thread, weakest first: the order [`choose_thread`] ranks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Affinity {
    /// The message names nothing ("Is it ready?"): it follows the conversation under way.
    Bare,
    SharedTopic,
    SharedEntity,
}

fn shares_entity(thread: &ThreadState, msg: &MessageFacts) -> bool {
    msg.entities
        .iter()
        .any(|e| thread.entities.iter().any(|t| t.same_as(e)))
}

/// The message names an order (or booking) and the thread names another one, none in common:
/// two orders are two conversations even when the topic is the same.
fn conflicting_entity(thread: &ThreadState, msg: &MessageFacts) -> bool {
    msg.entities.iter().any(|e| {
        let same_kind: Vec<&Entity> = thread
            .entities
            .iter()
            .filter(|t| t.kind == e.kind)
            .collect();
        is_identifier(e) && !same_kind.is_empty() && !same_kind.iter().any(|t| t.same_as(e))
    })
}

fn is_identifier(entity: &Entity) -> bool {
    use super::entities::EntityKind;
    matches!(
        entity.kind,
        EntityKind::OrderNumber | EntityKind::BookingRef
    )
}

fn within(from: UnixSeconds, to: UnixSeconds, window: Duration) -> bool {
    let elapsed = to.saturating_sub(from).max(0) as u64;
    elapsed <= window.as_secs()
}

fn affinity(thread: &ThreadState, msg: &MessageFacts, policy: &ThreadPolicy) -> Option<Affinity> {
    let shared_entity = shares_entity(thread, msg);
    if thread.status == ThreadStatus::Resolved {
        let reopens = shared_entity && within(thread.last_message_at, msg.at, policy.reopen_window);
        return reopens.then_some(Affinity::SharedEntity);
    }
    if !within(thread.last_message_at, msg.at, policy.window) {
        return None;
    }
    if shared_entity {
        return Some(Affinity::SharedEntity);
    }
    if conflicting_entity(thread, msg) {
        return None;
    }
    if msg.topics.iter().any(|t| thread.topics.contains(t)) {
        return Some(Affinity::SharedTopic);
    }
    (msg.reply || (msg.topics.is_empty() && msg.entities.is_empty())).then_some(Affinity::Bare)
}

/// Whether `msg` continues `thread`.
///
/// An open or waiting thread is continued by a message within `policy.window` of its last
/// message that shares an entity with it (the same order number), or shares a topic without
/// naming a different order or booking, or names nothing at all ("Is it ready?"), or is the
/// business's reply. A customer's message on a topic the thread never had starts a new
/// thread.
///
/// A resolved thread is continued (reopened) only by a message naming one of its entities
/// within `policy.reopen_window`: "thanks!" after a resolution, or a new question on the same
/// topic, is a new conversation, while "order #1234 came bruised" an hour after "#1234 is
/// delivered" is the same one.
pub fn continues(thread: &ThreadState, msg: &MessageFacts, policy: &ThreadPolicy) -> Continuation {
    match affinity(thread, msg, policy) {
        Some(_) => Continuation::Continue {
            handoff_from: (thread.channel != msg.channel).then(|| thread.channel.clone()),
        },
        None => Continuation::NewThread,
    }
}

/// The thread `msg` continues, if any: the one sharing an entity, else a topic, else (for a
/// message naming nothing) the most recently active; among equals the most recent, then the
/// first listed.
pub fn choose_thread(
    threads: &[ThreadState],
    msg: &MessageFacts,
    policy: &ThreadPolicy,
) -> Option<usize> {
    let mut best: Option<(usize, (Affinity, UnixSeconds))> = None;
    for (index, thread) in threads.iter().enumerate() {
        let Some(affinity) = affinity(thread, msg, policy) else {
            continue;
        };
        let rank = (affinity, thread.last_message_at);
        if best.is_none_or(|(_, best_rank)| rank > best_rank) {
            best = Some((index, rank));
        }
    }
    best.map(|(index, _)| index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::calendar::CalendarDate;
    use crate::conversation::entities::extract_entities;
    use crate::conversation::topics::topics;

    const HOUR: i64 = 3600;
    const T0: i64 = 1_777_593_600; // 2026-05-01T00:00:00Z

    fn facts(at: i64, channel: &str, text: &str) -> MessageFacts {
        let today = CalendarDate::from_unix_seconds(at);
        MessageFacts {
            at,
            channel: channel.to_string(),
            topics: topics(text).into_iter().map(|(t, _)| t).collect(),
            entities: extract_entities(text, &[], today),
            reply: false,
        }
    }

    #[test]
    fn a_reply_answers_the_conversation_under_way_whatever_its_words() {
        let policy = ThreadPolicy::default();
        let question = facts(T0, "email", "When will order #1525 be delivered?");
        let thread = thread_from(&question, ThreadStatus::Open);
        let answer = MessageFacts {
            reply: true,
            ..facts(
                T0 + HOUR,
                "email",
                "I've processed your refund, you'll see it soon.",
            )
        };
        assert_eq!(
            continues(&thread, &answer, &policy),
            Continuation::Continue { handoff_from: None }
        );
        // The same words from the customer are a new question.
        let customer = MessageFacts {
            reply: false,
            ..answer.clone()
        };
        assert_eq!(
            continues(&thread, &customer, &policy),
            Continuation::NewThread
        );
        // A reply does not reopen a resolved thread, nor reach past the window, nor join a
        // thread about another order.
        let resolved = thread_from(&question, ThreadStatus::Resolved);
        assert_eq!(
            continues(&resolved, &answer, &policy),
            Continuation::NewThread
        );
        let late = MessageFacts {
            at: T0 + 100 * HOUR,
            ..answer.clone()
        };
        assert_eq!(continues(&thread, &late, &policy), Continuation::NewThread);
        let other_order = MessageFacts {
            reply: true,
            ..facts(T0 + HOUR, "email", "Order #9999 has shipped.")
        };
        assert_eq!(
            continues(&thread, &other_order, &policy),
            Continuation::NewThread
        );
    }

    fn thread_from(msg: &MessageFacts, status: ThreadStatus) -> ThreadState {
        ThreadState {
            last_message_at: msg.at,
            channel: msg.channel.clone(),
            status,
            topics: msg.topics.clone(),
            entities: msg.entities.clone(),
        }
    }

    fn webchat_order_thread() -> ThreadState {
        thread_from(
            &facts(T0, "webchat", "I need help with my order #1234"),
            ThreadStatus::Open,
        )
    }

    #[test]
    fn switching_channel_continues_with_a_handoff() {
        let thread = webchat_order_thread();
        let msg = facts(T0 + 2 * HOUR, "whatsapp", "Is my order ready?");
        assert_eq!(
            continues(&thread, &msg, &ThreadPolicy::default()),
            Continuation::Continue {
                handoff_from: Some("webchat".to_string())
            }
        );
    }

    #[test]
    fn same_channel_continues_without_handoff() {
        let thread = webchat_order_thread();
        let msg = facts(T0 + HOUR, "webchat", "order #1234 - any news?");
        assert_eq!(
            continues(&thread, &msg, &ThreadPolicy::default()),
            Continuation::Continue { handoff_from: None }
        );
    }

    #[test]
    fn a_bare_follow_up_continues_the_active_thread() {
        let thread = webchat_order_thread();
        let msg = facts(T0 + HOUR, "sms", "hello??");
        assert!(msg.topics.is_empty() && msg.entities.is_empty());
        assert_eq!(
            continues(&thread, &msg, &ThreadPolicy::default()),
            Continuation::Continue {
                handoff_from: Some("webchat".to_string())
            }
        );
    }

    #[test]
    fn an_unrelated_topic_starts_a_new_thread() {
        let thread = webchat_order_thread();
        let msg = facts(T0 + HOUR, "webchat", "What time do you open on Sunday?");
        assert_eq!(
            continues(&thread, &msg, &ThreadPolicy::default()),
            Continuation::NewThread
        );
    }

    #[test]
    fn another_order_number_starts_a_new_thread() {
        let thread = webchat_order_thread();
        let msg = facts(T0 + HOUR, "webchat", "And is order #5678 ready?");
        assert_eq!(
            continues(&thread, &msg, &ThreadPolicy::default()),
            Continuation::NewThread
        );
    }

    #[test]
    fn outside_the_window_starts_a_new_thread() {
        let thread = webchat_order_thread();
        let policy = ThreadPolicy::default();
        let edge = facts(T0 + 72 * HOUR, "whatsapp", "Is my order #1234 ready?");
        let late = facts(T0 + 72 * HOUR + 1, "whatsapp", "Is my order #1234 ready?");
        assert!(matches!(
            continues(&thread, &edge, &policy),
            Continuation::Continue { .. }
        ));
        assert_eq!(continues(&thread, &late, &policy), Continuation::NewThread);
    }

    #[test]
    fn a_resolved_thread_is_not_continued_by_topic_or_small_talk() {
        let mut thread = webchat_order_thread();
        thread.status = ThreadStatus::Resolved;
        let policy = ThreadPolicy::default();
        for text in ["Is my order ready?", "thanks!"] {
            let msg = facts(T0 + HOUR, "webchat", text);
            assert_eq!(
                continues(&thread, &msg, &policy),
                Continuation::NewThread,
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_resolved_thread_reopens_on_its_order_within_a_day() {
        let mut thread = webchat_order_thread();
        thread.status = ThreadStatus::Resolved;
        let policy = ThreadPolicy::default();
        let soon = facts(T0 + 3 * HOUR, "email", "order #1234 arrived bruised");
        let later = facts(T0 + 25 * HOUR, "email", "order #1234 arrived bruised");
        assert_eq!(
            continues(&thread, &soon, &policy),
            Continuation::Continue {
                handoff_from: Some("webchat".to_string())
            }
        );
        assert_eq!(continues(&thread, &later, &policy), Continuation::NewThread);
    }

    #[test]
    fn the_best_thread_shares_an_entity_then_a_topic_then_is_most_recent() {
        let order = webchat_order_thread();
        let booking = thread_from(
            &facts(
                T0 + 3 * HOUR,
                "instagram",
                "Can I book a table for my birthday?",
            ),
            ThreadStatus::Waiting,
        );
        let hours = thread_from(
            &facts(T0 + 4 * HOUR, "sms", "what time do you open?"),
            ThreadStatus::Open,
        );
        let threads = [order, booking, hours];
        let policy = ThreadPolicy::default();
        let at = T0 + 5 * HOUR;
        let cases = [
            ("is #1234 ready? and what time do you open", Some(0)),
            ("my birthday booking, is it confirmed?", Some(1)),
            ("is my order ready?", Some(0)),
            ("ok?", Some(2)),
            ("I want a refund", None),
        ];
        for (text, expected) in cases {
            assert_eq!(
                choose_thread(&threads, &facts(at, "webchat", text), &policy),
                expected,
                "{text:?}"
            );
        }
        assert_eq!(
            choose_thread(&[], &facts(at, "webchat", "ok?"), &policy),
            None
        );
    }
}
