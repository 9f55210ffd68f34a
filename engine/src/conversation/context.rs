//! The context block an agent or an AI assistant sees: pieces of memory (summaries, open
//! threads, recent orders) ranked by relevance and cut to a character budget, because a
//! prompt has a size and an agent a screen.

/// One piece of memory to show: a title line and its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextBlock {
    pub relevance: f64,
    pub title: String,
    pub lines: Vec<String>,
}

/// A line is cut rather than dropped only if at least this many of its characters fit: a
/// stub of three words helps nobody.
const MIN_CUT_LINE: usize = 16;
const LINE_PREFIX: &str = "- ";
/// The newline before a line and its prefix.
const LINE_OVERHEAD: usize = 1 + LINE_PREFIX.len();
const ELLIPSIS: char = '…';

const RECENCY_WEIGHT: f64 = 0.5;
const RECENCY_HALF_LIFE_HOURS: f64 = 24.0;
const OPEN_WEIGHT: f64 = 0.25;
const TOPIC_WEIGHT: f64 = 0.2;
const CHANNEL_WEIGHT: f64 = 0.05;

/// How relevant a piece of memory is to the message at hand, 0 to 1:
///
/// `0.5 · 0.5^(recency_hours / 24) + 0.25 · open + 0.2 · topic_overlap + 0.05 · same_channel`
///
/// Recency counts most (what happened today matters more than last month; the half-life is a
/// day), then whether the conversation is still open, then how much of its topic the current
/// message shares (`topic_overlap` 0 to 1, e.g. the Jaccard index of the topic sets), and a
/// little whether it happened on the channel the customer is using now. Negative or missing
/// (NaN) hours count as now; overlap is clamped to 0..=1.
pub fn relevance(recency_hours: f64, open: bool, topic_overlap: f64, same_channel: bool) -> f64 {
    let hours = if recency_hours.is_nan() {
        0.0
    } else {
        recency_hours.max(0.0)
    };
    let overlap = if topic_overlap.is_nan() {
        0.0
    } else {
        topic_overlap.clamp(0.0, 1.0)
    };
    RECENCY_WEIGHT * 0.5f64.powf(hours / RECENCY_HALF_LIFE_HOURS)
        + OPEN_WEIGHT * f64::from(u8::from(open))
        + TOPIC_WEIGHT * overlap
        + CHANNEL_WEIGHT * f64::from(u8::from(same_channel))
}

/// `blocks` rendered most relevant first within `budget_chars` characters (Unicode scalar
/// values, as `chars().count()` counts them), with the indices of the blocks included, in
/// the order they were rendered.
///
/// Each block is its title on one line, then its lines as "- line", blocks separated by a
/// blank line; newlines inside titles and lines become spaces. A title is never cut: a block
/// whose title and the start of its first line cannot fit is skipped, and a smaller one
/// further down may take its place. Lines that do not fit are cut with "…" when at least 16
/// characters of them fit, and dropped otherwise; empty lines are left out. Equal relevance keeps the input order; NaN
/// ranks last.
pub fn render_context(blocks: &[ContextBlock], budget_chars: usize) -> (String, Vec<usize>) {
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    let rank = |i: usize| {
        let r = blocks[i].relevance;
        if r.is_nan() { f64::NEG_INFINITY } else { r }
    };
    order.sort_by(|&a, &b| rank(b).total_cmp(&rank(a)));

    let mut out = String::new();
    let mut used = 0;
    let mut included = Vec::new();
    for index in order {
        let block = &blocks[index];
        let title = one_line(&block.title);
        // A blank line before every block but the first.
        let separator = if included.is_empty() { 0 } else { 2 };
        let title_cost = separator + title.chars().count();
        let first_line_cost = block.lines.first().map_or(0, |line| {
            let length = one_line(line).chars().count();
            LINE_OVERHEAD
                + if length <= MIN_CUT_LINE {
                    length
                } else {
                    MIN_CUT_LINE + 1
                }
        });
        if used + title_cost + first_line_cost > budget_chars {
            continue;
        }
        if separator > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&title);
        used += title_cost;
        for line in &block.lines {
            let line = one_line(line);
            let length = line.chars().count();
            if line.is_empty() {
                continue;
            }
            let Some(room) = budget_chars.checked_sub(used + LINE_OVERHEAD) else {
                break;
            };
            if length <= room {
                out.push('\n');
                out.push_str(LINE_PREFIX);
                out.push_str(&line);
                used += LINE_OVERHEAD + length;
                continue;
            }
            // The ellipsis takes one character of the room.
            let keep = room.saturating_sub(1);
            if keep >= MIN_CUT_LINE {
                out.push('\n');
                out.push_str(LINE_PREFIX);
                out.extend(line.chars().take(keep));
                out.push(ELLIPSIS);
                used += LINE_OVERHEAD + keep + 1;
            }
            break;
        }
        included.push(index);
    }
    (out, included)
}

fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn block(relevance: f64, title: &str, lines: &[&str]) -> ContextBlock {
        ContextBlock {
            relevance,
            title: title.to_string(),
            lines: lines.iter().map(|l| l.to_string()).collect(),
        }
    }

    fn blocks() -> Vec<ContextBlock> {
        vec![
            block(
                0.2,
                "Older conversation",
                &["2026-04-02 sms: Do you deliver to 95814?"],
            ),
            block(
                0.9,
                "Open thread: order #1234",
                &[
                    "2026-05-01 webchat: I need help with my order #1234.",
                    "2026-05-01 whatsapp: Is my order ready?",
                ],
            ),
            block(0.5, "Preferences", &["allergic to nuts"]),
        ]
    }

    #[test]
    fn everything_fits_in_a_large_budget_most_relevant_first() {
        let (text, included) = render_context(&blocks(), 1000);
        assert_eq!(included, vec![1, 2, 0]);
        assert_eq!(
            text,
            "Open thread: order #1234\n\
             - 2026-05-01 webchat: I need help with my order #1234.\n\
             - 2026-05-01 whatsapp: Is my order ready?\n\
             \n\
             Preferences\n\
             - allergic to nuts\n\
             \n\
             Older conversation\n\
             - 2026-04-02 sms: Do you deliver to 95814?"
        );
    }

    #[test]
    fn a_tight_budget_cuts_lines_but_never_titles() {
        let (text, included) = render_context(&blocks(), 100);
        assert_eq!(included, vec![1]);
        assert_eq!(
            text,
            "Open thread: order #1234\n\
             - 2026-05-01 webchat: I need help with my order #1234.\n\
             - 2026-05-01 whatsa…"
        );
        assert_eq!(text.chars().count(), 100);
    }

    #[test]
    fn a_block_that_cannot_fit_gives_way_to_a_smaller_one() {
        let (text, included) = render_context(&blocks(), 40);
        assert_eq!(included, vec![2]);
        assert_eq!(text, "Preferences\n- allergic to nuts");
        assert_eq!(render_context(&blocks(), 0), (String::new(), vec![]));
    }

    #[test]
    fn newlines_inside_a_block_do_not_break_the_layout() {
        let (text, _) = render_context(
            &[block(1.0, "Notes\nfrom agent", &["line one\nline two"])],
            100,
        );
        assert_eq!(text, "Notes from agent\n- line one line two");
    }

    #[test]
    fn empty_lines_are_left_out_even_at_the_edge_of_the_budget() {
        // Found by the property test: an empty last line once cost its "\n- " past the budget.
        let input = [block(1.0, "Title", &["0123456789", "", "x"])];
        assert_eq!(
            render_context(&input, 18),
            ("Title\n- 0123456789".to_string(), vec![0])
        );
        assert_eq!(render_context(&input, 30).0, "Title\n- 0123456789\n- x");
    }

    #[test]
    fn nan_relevance_ranks_last_and_ties_keep_input_order() {
        let input = [
            block(f64::NAN, "a", &[]),
            block(0.5, "b", &[]),
            block(0.5, "c", &[]),
        ];
        assert_eq!(render_context(&input, 100).1, vec![1, 2, 0]);
    }

    #[test]
    fn relevance_follows_the_documented_weights() {
        assert!((relevance(0.0, true, 1.0, true) - 1.0).abs() < 1e-12);
        assert!((relevance(24.0, false, 0.0, false) - 0.25).abs() < 1e-12);
        assert!((relevance(48.0, true, 0.5, false) - (0.125 + 0.25 + 0.1)).abs() < 1e-12);
        assert_eq!(
            relevance(-5.0, false, 2.0, false),
            relevance(0.0, false, 1.0, false)
        );
        assert_eq!(relevance(f64::NAN, false, f64::NAN, false), 0.5);
        assert!(relevance(1.0, true, 0.0, false) > relevance(1.0, false, 0.0, false));
        assert!(relevance(1.0, false, 0.0, false) > relevance(100.0, false, 0.0, false));
    }

    fn any_block() -> impl Strategy<Value = ContextBlock> {
        (
            prop_oneof![Just(f64::NAN), -1.0f64..2.0],
            "\\PC{0,30}",
            proptest::collection::vec("(\\PC|\n){0,60}", 0..6),
        )
            .prop_map(|(relevance, title, lines)| ContextBlock {
                relevance,
                title,
                lines,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Never over budget; every included block's title appears whole, in order.
        #[test]
        fn output_respects_the_budget(
            blocks in proptest::collection::vec(any_block(), 0..12),
            budget in 0usize..400,
        ) {
            let (text, included) = render_context(&blocks, budget);
            prop_assert!(text.chars().count() <= budget, "{:?} {:?}", text, blocks);
            let mut sorted = included.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), included.len());
            let mut from = 0;
            for index in included {
                let title = one_line(&blocks[index].title);
                let found = text[from..].find(&title);
                prop_assert!(found.is_some(), "title {:?} missing from {:?}", title, text);
                from += found.unwrap_or(0) + title.len();
            }
        }

        #[test]
        fn relevance_stays_in_range(hours in any::<f64>(), open in any::<bool>(), overlap in any::<f64>(), same in any::<bool>()) {
            let r = relevance(hours, open, overlap, same);
            prop_assert!((0.0..=1.0).contains(&r));
        }
    }
}
