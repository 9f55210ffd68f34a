//! One record of a person: the true profile written in the person's habitual style, or, for
//! a copy, with the variations of [`Variations`](crate::synth::Variations) drawn afresh.

use std::collections::BTreeMap;

use rand::Rng;
use rand::distributions::{Distribution, WeightedIndex};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::{APARTMENT_SHARE, Generator, Home, Person, chance};
use crate::record::{Field, RawRecord};
use crate::synth::population::{CITIES, DIRECTIONS, STREET_SUFFIXES, STREETS};
use crate::synth::spelling::{
    PHONE_FORMAT_WEIGHTS, UNIT_FORMAT_WEIGHTS, capitalize, city_name, email_case, format_date,
    format_phone, gmail_variant, typo,
};

/// People known to one shop by a customer id carry it on this share of their records.
const RECORD_CARRIES_EXTERNAL_ID: f64 = 0.5;

/// How a person habitually writes their details; copies re-draw parts of it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Style {
    phone: usize,
    date: usize,
    street: usize,
    unit: usize,
    city: usize,
    state_full: bool,
    country: usize,
    zip4: bool,
}

impl Generator {
    pub(super) fn style(&mut self) -> Style {
        let pick = |rng: &mut ChaCha8Rng, weights: &[u32]| {
            WeightedIndex::new(weights).expect("weights").sample(rng)
        };
        Style {
            phone: pick(&mut self.rng, &PHONE_FORMAT_WEIGHTS),
            date: pick(&mut self.rng, &[45, 40, 15]),
            street: pick(&mut self.rng, &[25, 60, 15]),
            unit: pick(&mut self.rng, &UNIT_FORMAT_WEIGHTS),
            city: pick(&mut self.rng, &[85, 7, 4, 4]),
            state_full: chance(&mut self.rng, 0.15),
            country: pick(&mut self.rng, &[50, 25, 20, 5]),
            zip4: chance(&mut self.rng, 0.1),
        }
    }

    /// One record of `person`: the true profile, with variations when it is a copy.
    pub(super) fn render(&mut self, person: &mut Person, copy: bool) -> RawRecord {
        let v = self.options.variations;
        let mut style = person.style;
        let mut first = person.first.to_owned();
        let mut last = person.last.clone();
        let mut email = person.email.clone();
        let mut dob = (person.dob.year, person.dob.month, person.dob.day);
        let mut home = &person.home;
        if copy {
            if chance(&mut self.rng, v.nickname)
                && let Some(nick) = self.nickname(person.first)
            {
                first = capitalize(nick);
            }
            if chance(&mut self.rng, v.name_typo) {
                if self.rng.gen_bool(0.5) {
                    first = typo(&mut self.rng, &first);
                } else {
                    last = typo(&mut self.rng, &last);
                }
            }
            if chance(&mut self.rng, v.name_case) {
                let upper = self.rng.gen_bool(0.5);
                let recase = |s: &str| {
                    if upper {
                        s.to_uppercase()
                    } else {
                        s.to_lowercase()
                    }
                };
                first = recase(&first);
                last = recase(&last);
            }
            if chance(&mut self.rng, v.phone_format) {
                let current = style.phone;
                while style.phone == current {
                    style.phone = self.rng.gen_range(0..PHONE_FORMAT_WEIGHTS.len());
                }
            }
            if email.ends_with("@gmail.com") && chance(&mut self.rng, v.gmail_variant) {
                email = gmail_variant(&mut self.rng, &email);
            }
            if chance(&mut self.rng, v.email_case) {
                email = email_case(&mut self.rng, &email);
            }
            if chance(&mut self.rng, v.date_format) {
                style.date = self.rng.gen_range(0..3);
            }
            if chance(&mut self.rng, v.dob_transposed) && dob.2 <= 12 && dob.2 != dob.1 {
                dob = (dob.0, dob.2, dob.1);
            }
            if chance(&mut self.rng, v.address_format) {
                let fresh = self.style();
                style = Style {
                    phone: style.phone,
                    date: style.date,
                    ..fresh
                };
            }
            if chance(&mut self.rng, v.moved) {
                if person.moved_to.is_none() {
                    let city = self.rng.gen_bool(0.5).then_some(person.home.city);
                    person.moved_to = Some(self.new_home(city, APARTMENT_SHARE));
                }
                home = person.moved_to.as_ref().expect("moved_to was just set");
            }
        }

        // Which of email, phone, address, birth date this record has: at least two.
        let mut keep = [
            !chance(&mut self.rng, v.missing_email),
            !chance(&mut self.rng, v.missing_phone),
            !chance(&mut self.rng, v.missing_address),
            !chance(&mut self.rng, v.missing_dob),
        ];
        while keep.iter().filter(|k| **k).count() < 2 {
            keep[self.rng.gen_range(0..4)] = true;
        }
        let keep_locality = keep[2] || self.rng.gen_bool(0.5);

        let mut fields = BTreeMap::new();
        fields.insert(Field::FirstName, first);
        fields.insert(Field::LastName, last);
        if keep[0] {
            fields.insert(Field::Email, email);
        }
        if keep[1] {
            fields.insert(Field::Phone, format_phone(person.phone, style.phone));
        }
        if keep[2] {
            let (line1, line2) = street_lines(home, &style);
            fields.insert(Field::Address1, line1);
            if let Some(line2) = line2 {
                fields.insert(Field::Address2, line2);
            }
        }
        if keep_locality {
            let city = &CITIES[home.city];
            fields.insert(Field::City, city_name(city.name, style.city));
            let state = if style.state_full {
                city.state_name
            } else {
                city.state
            };
            fields.insert(Field::State, state.to_owned());
            let postcode = if style.zip4 {
                let plus4 = (home.number * 37 + home.street as u32 * 11) % 9000 + 1000;
                format!("{}-{plus4}", home.zip)
            } else {
                home.zip.clone()
            };
            fields.insert(Field::Postcode, postcode);
            let country = ["US", "USA", "United States", ""][style.country];
            if !country.is_empty() {
                fields.insert(Field::Country, country.to_owned());
            }
        }
        if keep[3] {
            fields.insert(Field::DateOfBirth, format_date(dob, style.date));
        }
        if let Some(external) = &person.external_id
            && chance(&mut self.rng, RECORD_CARRIES_EXTERNAL_ID)
        {
            fields.insert(Field::ExternalId, external.clone());
        }
        RawRecord {
            id: String::new(),
            fields,
        }
    }

    fn nickname(&mut self, formal: &str) -> Option<&'static str> {
        let lower = formal.to_ascii_lowercase();
        let (_, nicks) = self.nicknames.iter().find(|(f, _)| *f == lower)?;
        nicks.choose(&mut self.rng).copied()
    }
}

fn street_lines(home: &Home, style: &Style) -> (String, Option<String>) {
    let (suffix_full, suffix_short, _) = STREET_SUFFIXES[home.suffix];
    let mut line1 = home.number.to_string();
    if let Some(direction) = home.direction {
        let (full, short) = DIRECTIONS[direction];
        line1.push(' ');
        match style.street {
            0 => line1.push_str(full),
            1 => line1.push_str(short),
            _ => {
                line1.push_str(short);
                line1.push('.');
            }
        }
    }
    line1.push(' ');
    line1.push_str(STREETS[home.street]);
    line1.push(' ');
    match style.street {
        0 => line1.push_str(suffix_full),
        1 => line1.push_str(suffix_short),
        _ => {
            line1.push_str(suffix_short);
            line1.push('.');
        }
    }
    let Some(unit) = &home.unit else {
        return (line1, None);
    };
    match style.unit {
        0 => (line1, Some(format!("Apt {unit}"))),
        1 => (line1, Some(format!("#{unit}"))),
        2 => (line1, Some(format!("Unit {unit}"))),
        3 => (line1, Some(unit.clone())),
        4 => (format!("{line1} Apt {unit}"), None),
        5 => (format!("{line1}, Apt {unit}"), None),
        6 => (format!("{line1} #{unit}"), None),
        _ => (line1, Some(format!("Apartment {unit}"))),
    }
}
