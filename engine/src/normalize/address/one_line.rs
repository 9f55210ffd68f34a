//! Reading a whole address typed on one line, for the `spine normalize` debugging command and
//! imports that only have a single address column. Best effort by design: structured fields
//! are always preferred when a source has them.

use std::sync::LazyLock;

use regex::Regex;

use super::AddressInput;
use super::places;
use crate::normalize::text::{collapse_whitespace, fold};

/// A postal code at the end of a part: one word with a digit ("95814", "95814-1234"),
/// optionally preceded by a short word with a digit ("SW1A 1AA", "M5V 2T6").
static REGION_POSTAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<region>.*?)\s*(?P<postal>(?:[[:alnum:]]{0,3}[0-9][[:alnum:]]{0,3}\s+)?[[:alnum:]]*[0-9][[:alnum:]-]*)$",
    )
    .expect("postal pattern compiles")
});

impl<'a> AddressInput<'a> {
    /// Splits "line1, line2, city, region, postal, country" (exactly six comma-separated
    /// fields, empty ones allowed) or the shorter usual forms
    /// "line1[, line2...], city, region postal[, country]" and
    /// "line1, city, region, postal[, country]": read from the end, a known country name is
    /// the country, a part ending in a code with a digit is "[region] postal", the part before
    /// is the city, the first part is line 1 and anything between is line 2.
    pub fn from_one_line(line: &'a str) -> AddressInput<'a> {
        let all = trimmed_parts(line);
        let text = |(start, end): (usize, usize)| &line[start..end];
        if let [line1, line2, city, region, postal_code, country] = all.as_slice() {
            let some = |range: (usize, usize)| (range.0 < range.1).then(|| text(range));
            return AddressInput {
                line1: text(*line1),
                line2: some(*line2),
                city: some(*city),
                region: some(*region),
                postal_code: some(*postal_code),
                country: some(*country),
            };
        }

        let mut parts: Vec<(usize, usize)> = all.into_iter().filter(|(s, e)| s < e).collect();
        let mut input = AddressInput::default();
        if parts.len() >= 2
            && let Some(&last) = parts.last()
            && is_country(text(last))
        {
            input.country = Some(text(last));
            parts.pop();
        }
        let mut region_from_postal_part = false;
        if parts.len() >= 2
            && let Some(&last) = parts.last()
            && let Some(caps) = REGION_POSTAL.captures(text(last))
            && let (Some(region), Some(postal)) = (caps.name("region"), caps.name("postal"))
        {
            input.postal_code = Some(postal.as_str());
            if !region.as_str().is_empty() {
                input.region = Some(region.as_str());
                region_from_postal_part = true;
            }
            parts.pop();
        }
        // "12 Main St, Springfield IL 62704": the town, then its state, before the code.
        let split = input
            .region
            .filter(|_| region_from_postal_part)
            .and_then(split_city_region);
        if let Some((city, region)) = split {
            (input.city, input.region) = (Some(city), Some(region));
        } else {
            if input.region.is_none() && parts.len() >= 3 {
                input.region = parts.pop().map(text);
            }
            if parts.len() >= 2 {
                input.city = parts.pop().map(text);
            } else if region_from_postal_part {
                // "10 Downing St, London SW1A 2AA": the words before the code name the town.
                input.city = input.region.take();
            }
        }
        input.line1 = parts.first().map_or("", |&range| text(range));
        // Everything between line 1 and the city, commas included, is line 2.
        if let (Some(&(start, _)), Some(&(_, end))) = (parts.get(1), parts.last()) {
            input.line2 = Some(&line[start..end]);
        }
        input
    }
}

/// Byte ranges of the comma-separated parts, each trimmed of whitespace.
fn trimmed_parts(line: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for piece in line.split(',') {
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        ranges.push((start + lead, start + lead + trimmed.len()));
        start += piece.len() + 1;
    }
    ranges
}

/// Folded, without periods, other punctuation as spaces: "U.S.A." -> "usa".
fn cleaned(part: &str) -> String {
    let cleaned: String = fold(part)
        .chars()
        .filter(|c| *c != '.')
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    collapse_whitespace(&cleaned)
}

fn is_country(part: &str) -> bool {
    places::country_code(&cleaned(part)).is_some()
}

/// "Springfield IL" -> ("Springfield", "IL"), "Albany New York" -> ("Albany", "New York"): a
/// state or province named last, after at least one word of town.
fn split_city_region(text: &str) -> Option<(&str, &str)> {
    // Everything before the last word, then before the last two: the longer region first.
    let before_last = text.rsplit_once(char::is_whitespace)?.0.trim_end();
    let before_two = before_last
        .rsplit_once(char::is_whitespace)
        .map(|(city, _)| city.trim_end());
    [before_two, Some(before_last)]
        .into_iter()
        .flatten()
        .filter(|city| !city.is_empty())
        .find_map(|city| {
            let region = text[city.len()..].trim_start();
            places::is_region(&cleaned(region)).then_some((city, region))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_fields_map_by_position() {
        let input = AddressInput::from_one_line("123 Main St, , Austin, TX, 78701, US");
        assert_eq!(
            input,
            AddressInput {
                line1: "123 Main St",
                line2: None,
                city: Some("Austin"),
                region: Some("TX"),
                postal_code: Some("78701"),
                country: Some("US"),
            }
        );
    }

    #[test]
    fn usual_short_forms_are_read_from_the_end() {
        let cases = [
            (
                "123 Main St, Sacramento, CA 95814",
                AddressInput {
                    line1: "123 Main St",
                    city: Some("Sacramento"),
                    region: Some("CA"),
                    postal_code: Some("95814"),
                    ..Default::default()
                },
            ),
            (
                "123 Main St, Apt 4B, Sacramento, CA 95814-1234, USA",
                AddressInput {
                    line1: "123 Main St",
                    line2: Some("Apt 4B"),
                    city: Some("Sacramento"),
                    region: Some("CA"),
                    postal_code: Some("95814-1234"),
                    country: Some("USA"),
                },
            ),
            (
                "1 Yonge St, Suite 100, Floor 2, Toronto, ON M5V 2T6",
                AddressInput {
                    line1: "1 Yonge St",
                    line2: Some("Suite 100, Floor 2"),
                    city: Some("Toronto"),
                    region: Some("ON"),
                    postal_code: Some("M5V 2T6"),
                    ..Default::default()
                },
            ),
            (
                "1 Yonge St, Toronto, ON M5V 2T6, Canada",
                AddressInput {
                    line1: "1 Yonge St",
                    city: Some("Toronto"),
                    region: Some("ON"),
                    postal_code: Some("M5V 2T6"),
                    country: Some("Canada"),
                    ..Default::default()
                },
            ),
            (
                "10 Downing St, London SW1A 2AA, United Kingdom",
                AddressInput {
                    line1: "10 Downing St",
                    city: Some("London"),
                    postal_code: Some("SW1A 2AA"),
                    country: Some("United Kingdom"),
                    ..Default::default()
                },
            ),
            (
                "123 Main St, Austin, TX, 78701",
                AddressInput {
                    line1: "123 Main St",
                    city: Some("Austin"),
                    region: Some("TX"),
                    postal_code: Some("78701"),
                    ..Default::default()
                },
            ),
            (
                "12 Main St #4b, Springfield IL 62704-1234",
                AddressInput {
                    line1: "12 Main St #4b",
                    city: Some("Springfield"),
                    region: Some("IL"),
                    postal_code: Some("62704-1234"),
                    ..Default::default()
                },
            ),
            (
                "12 Main St, Apt 4, Springfield IL 62704",
                AddressInput {
                    line1: "12 Main St",
                    line2: Some("Apt 4"),
                    city: Some("Springfield"),
                    region: Some("IL"),
                    postal_code: Some("62704"),
                    ..Default::default()
                },
            ),
            (
                "1 State St, Albany New York 12207, USA",
                AddressInput {
                    line1: "1 State St",
                    city: Some("Albany"),
                    region: Some("New York"),
                    postal_code: Some("12207"),
                    country: Some("USA"),
                    ..Default::default()
                },
            ),
            (
                "123 Main St",
                AddressInput {
                    line1: "123 Main St",
                    ..Default::default()
                },
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(
                AddressInput::from_one_line(line),
                expected,
                "input {line:?}"
            );
        }
    }

    #[test]
    fn empty_line_gives_empty_input() {
        assert_eq!(AddressInput::from_one_line(""), AddressInput::default());
        assert_eq!(AddressInput::from_one_line(" , ,"), AddressInput::default());
    }
}
