//! Street vocabulary: USPS Publication 28 abbreviations for street suffixes, directions and
//! unit designators, so "123 North Main Street" and "123 N Main St" are one address.

/// Full words and common spellings to their abbreviation; abbreviations map to themselves
/// implicitly (they are not keys), which keeps normalization idempotent.
const WORDS: &[(&str, &str)] = &[
    // Street suffixes.
    ("alley", "aly"),
    ("av", "ave"),
    ("aven", "ave"),
    ("avenu", "ave"),
    ("avenue", "ave"),
    ("avn", "ave"),
    ("boul", "blvd"),
    ("boulevard", "blvd"),
    ("boulv", "blvd"),
    ("causeway", "cswy"),
    ("center", "ctr"),
    ("centre", "ctr"),
    ("circ", "cir"),
    ("circle", "cir"),
    ("court", "ct"),
    ("crescent", "cres"),
    ("crossing", "xing"),
    ("drive", "dr"),
    ("drv", "dr"),
    ("expressway", "expy"),
    ("freeway", "fwy"),
    ("gardens", "gdns"),
    ("heights", "hts"),
    ("highway", "hwy"),
    ("hiway", "hwy"),
    ("junction", "jct"),
    ("lane", "ln"),
    ("mount", "mt"),
    ("mountain", "mtn"),
    ("parkway", "pkwy"),
    ("pkway", "pkwy"),
    ("place", "pl"),
    ("plaza", "plz"),
    ("point", "pt"),
    ("road", "rd"),
    ("route", "rte"),
    ("square", "sq"),
    ("str", "st"),
    ("street", "st"),
    ("terrace", "ter"),
    ("trail", "trl"),
    // Directions.
    ("east", "e"),
    ("north", "n"),
    ("northeast", "ne"),
    ("northwest", "nw"),
    ("south", "s"),
    ("southeast", "se"),
    ("southwest", "sw"),
    ("west", "w"),
    // Unit designators. "unit" and "#" become "apt": one building never numbers the same
    // door both ways, so treating them as one designator matches more and merges nobody.
    ("#", "apt"),
    ("apartment", "apt"),
    ("basement", "bsmt"),
    ("building", "bldg"),
    ("department", "dept"),
    ("floor", "fl"),
    ("penthouse", "ph"),
    ("room", "rm"),
    ("space", "spc"),
    ("suite", "ste"),
    ("trailer", "trlr"),
    ("unit", "apt"),
];

/// Designators (after abbreviation) that introduce a unit inside a building.
const UNIT_DESIGNATORS: &[&str] = &[
    "apt", "bldg", "bsmt", "dept", "fl", "lot", "ph", "rm", "spc", "ste", "trlr",
];

/// City words with a usual short form ("Saint Louis" / "St. Louis").
const CITY_WORDS: &[(&str, &str)] = &[
    ("fort", "ft"),
    ("mount", "mt"),
    ("saint", "st"),
    ("sainte", "ste"),
];

fn lookup(table: &'static [(&'static str, &'static str)], word: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(from, _)| *from == word)
        .map(|(_, to)| *to)
}

pub(super) fn abbreviate(word: &str) -> &str {
    lookup(WORDS, word).unwrap_or(word)
}

pub(super) fn abbreviate_city_word(word: &str) -> &str {
    lookup(CITY_WORDS, word).unwrap_or(word)
}

pub(super) fn is_unit_designator(word: &str) -> bool {
    UNIT_DESIGNATORS.contains(&word)
}

/// What follows a designator: something with a digit ("4b", "12") or a single letter
/// ("apt c"); a plain word ("Unit Road") is part of a street name instead.
pub(super) fn is_unit_identifier(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit())
        || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_are_fixed_points() {
        for (_, short) in WORDS.iter().chain(CITY_WORDS) {
            assert_eq!(
                lookup(WORDS, short),
                None,
                "{short} would be rewritten again"
            );
        }
    }
}
