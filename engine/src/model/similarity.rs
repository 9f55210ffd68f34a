//! String closeness for the comparisons, without allocating: Jaro-Winkler on the stack for
//! names (strsim's allocates two flag vectors per call), dates of birth off by a slip of the
//! pen, and phone numbers written under an old numbering plan.

/// Strings up to this many characters are compared on the stack; longer ones (never a name)
/// go to strsim.
const STACK: usize = 64;

/// Jaro-Winkler similarity in [0, 1], equal to `strsim::jaro_winkler` and symmetric: the
/// greedy matching of Jaro can depend on argument order, so the arguments are put in one
/// canonical order first.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (a, b) = if (a.len(), a) <= (b.len(), b) {
        (a, b)
    } else {
        (b, a)
    };
    if a.is_ascii() && b.is_ascii() && b.len() <= STACK {
        return jaro_winkler_slices(a.as_bytes(), b.as_bytes());
    }
    let mut a_chars = ['\0'; STACK];
    let mut b_chars = ['\0'; STACK];
    match (fill(&mut a_chars, a), fill(&mut b_chars, b)) {
        (Some(a_len), Some(b_len)) => jaro_winkler_slices(&a_chars[..a_len], &b_chars[..b_len]),
        _ => strsim::jaro_winkler(a, b),
    }
}

fn fill(buffer: &mut [char; STACK], text: &str) -> Option<usize> {
    let mut len = 0;
    for c in text.chars() {
        *buffer.get_mut(len)? = c;
        len += 1;
    }
    Some(len)
}

fn jaro_winkler_slices<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
    let similarity = jaro(a, b);
    if similarity > 0.7 {
        let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
        similarity + 0.1 * prefix as f64 * (1.0 - similarity)
    } else {
        similarity
    }
}

/// Jaro similarity of two sequences of at most `STACK` elements, matched flags kept in bits.
fn jaro<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
    debug_assert!(a.len() <= STACK && b.len() <= STACK);
    match (a.len(), b.len()) {
        (0, 0) => return 1.0,
        (0, _) | (_, 0) => return 0.0,
        _ => {}
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (mut a_matched, mut b_matched) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, x) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = b.len().min(i + window + 1);
        for (j, y) in b.iter().enumerate().take(end).skip(start) {
            if b_matched & (1 << j) == 0 && x == y {
                a_matched |= 1 << i;
                b_matched |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut half_transpositions = 0usize;
    let mut j = 0;
    for (i, x) in a.iter().enumerate() {
        if a_matched & (1 << i) != 0 {
            while b_matched & (1 << j) == 0 {
                j += 1;
            }
            if *x != b[j] {
                half_transpositions += 1;
            }
            j += 1;
        }
    }
    let transpositions = half_transpositions / 2;
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64) / m) / 3.0
}

/// For two different ISO dates (YYYY-MM-DD): `Some(true)` when day and month are swapped
/// (the US/European reading of one date), exactly one digit differs, or two neighbouring
/// digits are swapped (1958 typed for 1985, 12-03 for 12-30), `Some(false)` when both are
/// dates but no such slip explains the difference, `None` when one is no ISO date.
pub(crate) fn dob_close(a: &str, b: &str) -> Option<bool> {
    let (x, y) = (iso_parts(a)?, iso_parts(b)?);
    let swapped = x.0 == y.0 && x.1 == y.2 && x.2 == y.1;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut differing = (0..a.len()).filter(|&i| a[i] != b[i]);
    let slip = match (differing.next(), differing.next(), differing.next()) {
        (Some(_), None, None) => true,
        // Two digits typed in the wrong order, a separator between them or not.
        (Some(i), Some(j), None) => {
            a[i] == b[j] && a[j] == b[i] && a[i + 1..j].iter().all(|c| !c.is_ascii_digit())
        }
        _ => false,
    };
    Some(swapped || slip)
}

fn iso_parts(date: &str) -> Option<(&[u8], &[u8], &[u8])> {
    let bytes = date.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    Some((&bytes[..4], &bytes[5..7], &bytes[8..]))
}

/// Two different E.164 numbers that are one line: the engine's numbering-plan variants
/// (Brazil's ninth mobile digit, Mexico's legacy "1", Argentina's mobile "9"; see
/// `normalize::phone::national`) or, failing those, the same last seven digits (a number
/// read under the wrong region or with a wrong area code keeps its subscriber digits).
pub(crate) fn phone_equivalent(a: &str, b: &str) -> bool {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    national_variant(long.as_bytes(), short.as_bytes()) || same_tail(a, b, 7)
}

/// `long` is `short` with the one digit a numbering-plan change inserted.
fn national_variant(long: &[u8], short: &[u8]) -> bool {
    if long.len() != short.len() + 1 || long.get(..3) != short.get(..3) {
        return false;
    }
    // Where the extra digit sits and what it is: after +55 and a two-digit area code,
    // after +52, after +54.
    let (at, digit, national_len) = match &long[..3] {
        b"+55" => (5, b'9', 11),
        b"+52" => (3, b'1', 11),
        b"+54" => (3, b'9', 11),
        _ => return false,
    };
    long.len() == 3 + national_len
        && long[at] == digit
        && long[..at] == short[..at]
        && long[at + 1..] == short[at..]
}

fn same_tail(a: &str, b: &str, digits: usize) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() > digits && b.len() > digits && a[a.len() - digits..] == b[b.len() - digits..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn jaro_winkler_matches_known_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-4);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-4);
        assert!((jaro_winkler("cheeseburger", "cheese fries") - 0.8667).abs() < 1e-3);
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("abc", ""), 0.0);
        assert_eq!(jaro_winkler("zoë", "zoë"), 1.0);
    }

    #[test]
    fn dates_off_by_a_slip_are_close_and_others_are_not() {
        assert_eq!(dob_close("1980-07-04", "1980-04-07"), Some(true));
        assert_eq!(dob_close("1980-07-04", "1980-07-05"), Some(true));
        assert_eq!(dob_close("1980-07-04", "1981-07-04"), Some(true));
        assert_eq!(dob_close("1980-07-04", "1980-08-05"), Some(false));
        // Two neighbouring digits swapped, within a part or across its separator.
        assert_eq!(dob_close("1985-03-12", "1958-03-12"), Some(true));
        assert_eq!(dob_close("1985-12-03", "1985-12-30"), Some(true));
        assert_eq!(dob_close("1980-12-03", "1981-02-03"), Some(true));
        // Two digits changed, or swapped with another between them: another date.
        assert_eq!(dob_close("1985-03-12", "1958-03-21"), Some(false));
        assert_eq!(dob_close("1985-03-12", "1589-03-12"), Some(false));
        assert_eq!(dob_close("1985-03-12", "1976-03-12"), Some(false));
        assert_eq!(dob_close("1980-07-04", "july 4"), None);
    }

    #[test]
    fn numbering_plan_variants_and_shared_tails_are_one_line() {
        // Brazil, ninth digit.
        assert!(phone_equivalent("+5511987654321", "+551187654321"));
        // Mexico, legacy 1.
        assert!(phone_equivalent("+5215512345678", "+525512345678"));
        // Argentina, mobile 9.
        assert!(phone_equivalent("+5491123456789", "+541123456789"));
        // Wrong area code, same subscriber.
        assert!(phone_equivalent("+19165551234", "+12125551234"));
        assert!(!phone_equivalent("+19165551234", "+19165551235"));
        assert!(!phone_equivalent("+4930123456", "+49301234567"));
    }

    proptest! {
        #[test]
        fn jaro_winkler_agrees_with_strsim_and_is_symmetric(
            a in "[a-e]{0,12}|\\PC{0,10}",
            b in "[a-e]{0,12}|\\PC{0,10}",
        ) {
            let ours = jaro_winkler(&a, &b);
            prop_assert_eq!(ours, jaro_winkler(&b, &a));
            let (x, y) = if (a.len(), &a) <= (b.len(), &b) { (&a, &b) } else { (&b, &a) };
            prop_assert!((ours - strsim::jaro_winkler(x, y)).abs() < 1e-12);
        }
    }
}
