//! The shared reading of message text: words folded to crude stems (so the topic and
//! sentiment tables list a word once, not every inflection), clauses (negation does not
//! cross a comma) and sentences (for summaries).

/// Words that end with a dot without ending a sentence ("order no. 1234").
const ABBREVIATIONS: &[&str] = &[
    "no", "nr", "num", "mr", "mrs", "ms", "dr", "st", "vs", "approx", "ref", "conf", "tel", "e.g",
    "i.e",
];

/// A crude suffix stripper, not Porter: it only has to fold the inflections customers write
/// ("refunds", "refunded", "refunding" → "refund"; "delivery", "deliveries" → "deliveri") the
/// same way for the text and for the keyword tables, which are stemmed with it too.
pub(crate) fn stem(word: &str) -> String {
    let mut w: String = word.to_lowercase();
    for possessive in ["'s", "\u{2019}s"] {
        if let Some(stripped) = w.strip_suffix(possessive) {
            w.truncate(stripped.len());
        }
    }
    w.retain(|c| c != '\'' && c != '\u{2019}');
    let len = w.len();
    if w.ends_with("ies") && len > 4 {
        w.truncate(len - 3);
        w.push('y');
    } else if w.ends_with("ing") && len >= 6 {
        w.truncate(len - 3);
    } else if w.ends_with("ed") && len >= 5 {
        w.truncate(len - 2);
    } else if w.ends_with('s')
        && len >= 4
        && !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is"))
    {
        w.truncate(len - 1);
    }
    if w.ends_with('e') && w.len() >= 4 {
        w.truncate(w.len() - 1);
    }
    if w.ends_with('y') && w.len() >= 4 {
        w.truncate(w.len() - 1);
        w.push('i');
    }
    w
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '\u{2019}'
}

/// The stems of `text`, clause by clause: punctuation other than apostrophes ends a clause.
pub(crate) fn clauses(text: &str) -> Vec<Vec<String>> {
    let mut clauses = vec![Vec::new()];
    let mut word_start = None;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if is_word_char(c) {
            word_start.get_or_insert(at);
            continue;
        }
        if let Some(start) = word_start.take() {
            let word = text[start..at].trim_matches(['\'', '\u{2019}']);
            if !word.is_empty()
                && let Some(clause) = clauses.last_mut()
            {
                clause.push(stem(word));
            }
        }
        if !c.is_whitespace() && clauses.last().is_some_and(|clause| !clause.is_empty()) {
            clauses.push(Vec::new());
        }
    }
    clauses.retain(|clause| !clause.is_empty());
    clauses
}

/// All stems of `text`, in order.
pub(crate) fn stems(text: &str) -> Vec<String> {
    clauses(text).into_iter().flatten().collect()
}

/// Byte ranges of the sentences of `text`, trimmed, terminal punctuation included. A sentence
/// ends at a newline, or at a run of '.', '!' or '?' followed by whitespace or the end, unless
/// the dot closes an abbreviation ("no.", "Mr.") and so does not end anything. Decimals and
/// versions ("42.50") never split, for no space follows their dot.
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let end = match c {
            '\n' | '\r' => Some(at),
            '.' | '!' | '?' => {
                let mut end = at + c.len_utf8();
                while let Some(&(next_at, next)) = chars.peek() {
                    if !matches!(next, '.' | '!' | '?') {
                        break;
                    }
                    end = next_at + next.len_utf8();
                    chars.next();
                }
                let followed_by_space = chars.peek().is_none_or(|&(_, next)| next.is_whitespace());
                let abbreviation =
                    c == '.' && end == at + 1 && ends_with_abbreviation(&text[start..at]);
                (followed_by_space && !abbreviation).then_some(end)
            }
            _ => None,
        };
        if let Some(end) = end {
            push_trimmed(text, start, end, &mut ranges);
            start = end;
        }
    }
    push_trimmed(text, start, text.len(), &mut ranges);
    ranges
}

fn ends_with_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '.'))
        .next()
        .unwrap_or_default()
        .to_lowercase();
    ABBREVIATIONS.contains(&word.as_str())
}

fn push_trimmed(text: &str, start: usize, end: usize, ranges: &mut Vec<(usize, usize)>) {
    let piece = &text[start..end];
    let trimmed_start = start + (piece.len() - piece.trim_start().len());
    let trimmed_end = start + piece.trim_end().len();
    if trimmed_start < trimmed_end {
        ranges.push((trimmed_start, trimmed_end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_fold_to_one_stem() {
        let cases: &[(&[&str], &str)] = &[
            (&["refund", "refunds", "Refunded", "refunding"], "refund"),
            (&["delivery", "deliveries"], "deliveri"),
            (&["price", "prices", "priced", "pricing"], "pric"),
            (&["thanks", "thank"], "thank"),
            (&["don't", "dont"], "dont"),
            (&["order's", "orders"], "order"),
        ];
        for (words, expected) in cases {
            for word in *words {
                assert_eq!(stem(word), *expected, "word {word:?}");
            }
        }
    }

    #[test]
    fn stemming_is_stable_on_short_words() {
        for word in ["was", "is", "so", "not", "yes", "bus"] {
            assert_eq!(stem(word), word);
        }
    }

    #[test]
    fn clauses_break_at_punctuation() {
        assert_eq!(
            clauses("Not bad, really good!"),
            vec![vec!["not", "bad"], vec!["realli", "good"]]
        );
    }

    #[test]
    fn sentences_split_on_terminators_but_not_on_abbreviations_or_decimals() {
        let text = "Hi! My order no. 1234 cost $42.50. Is it ready?!\nthanks";
        let split: Vec<&str> = sentences(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        assert_eq!(
            split,
            vec![
                "Hi!",
                "My order no. 1234 cost $42.50.",
                "Is it ready?!",
                "thanks"
            ]
        );
    }
}
