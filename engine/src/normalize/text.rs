//! Text folding shared by the name, address and handle normalizers: one comparison form so
//! "José", "JOSÉ" and "Jose\u{301}" are the same string everywhere in the engine.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Compatibility decomposition (ligatures, full-width and styled letters), accents dropped,
/// lowercase, and the Latin letters that carry no decomposition spelled out (ß -> ss,
/// æ -> ae, ø -> o...), so matching does not depend on how a keyboard produced the text.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)) {
        // Per char, not str::to_lowercase: the latter turns a final Σ into ς depending on
        // context, which would make the result depend on where a word ends.
        for lower in c.to_lowercase() {
            match lower {
                'ß' => out.push_str("ss"),
                'æ' => out.push_str("ae"),
                'œ' => out.push_str("oe"),
                'ø' => out.push('o'),
                'đ' | 'ð' => out.push('d'),
                'ł' => out.push('l'),
                'þ' => out.push_str("th"),
                'ı' => out.push('i'),
                'ς' => out.push('σ'),
                other => out.push(other),
            }
        }
    }
    // Lowercasing can produce letters that decompose again; one more pass reaches the fixed
    // point that idempotent normalizers need.
    out.nfkd().filter(|c| !is_combining_mark(*c)).collect()
}

/// Splits on whitespace and joins with single spaces.
pub(crate) fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folding_removes_accents_case_and_special_letters() {
        let cases = [
            ("José", "jose"),
            ("JOSÉ", "jose"),
            ("Jose\u{301}", "jose"),
            ("Straße", "strasse"),
            ("STRAẞE", "strasse"),
            ("Søren Ærø", "soren aero"),
            ("Łódź", "lodz"),
            ("ＪＯＨＮ", "john"),
            ("ﬁnn", "finn"),
            ("ΟΔΥΣΣΕΥΣ", "οδυσσευσ"),
        ];
        for (input, expected) in cases {
            assert_eq!(fold(input), expected, "input {input:?}");
        }
    }

    proptest! {
        #[test]
        fn folding_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }
    }
}
