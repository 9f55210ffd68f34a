//! The people behind the records: groups (a single person, a household, a building of
//! neighbours) drawn so that each hard-negative kind holds its share, and every identifier
//! unique unless shared on purpose. `render` writes their records.

mod render;

use std::collections::{HashSet, VecDeque};

use rand::distributions::{Distribution, WeightedIndex};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::population::{
    CITIES, COMPANY_DOMAINS, FEMALE_NAMES, MALE_NAMES, NICKNAMES, PROVIDERS, STREET_SUFFIXES,
    STREETS, SURNAMES, surname_weights, tail_surname,
};
use super::spelling::ascii_letters;
use super::{PersonKind, SynthOptions, SynthRecord};
use crate::normalize::name::canonical_nickname;
use render::Style;

/// Ages are computed against this year, so a seed gives the same people every year.
const REFERENCE_YEAR: u16 = 2025;

/// Homes that have a unit (apartments), outside buildings made on purpose.
const APARTMENT_SHARE: f64 = 0.3;
/// Mobiles carry the home city's area code this often; the rest kept a number from elsewhere.
const LOCAL_AREA_CODE_SHARE: f64 = 0.85;
const HOUSEHOLD_LANDLINE_SHARE: f64 = 0.5;
const MEMBER_USES_LANDLINE: f64 = 0.7;
const HOUSEHOLD_FAMILY_EMAIL_SHARE: f64 = 0.25;
const MEMBER_USES_FAMILY_EMAIL: f64 = 0.6;
const SPOUSE_SHARE: f64 = 0.7;
/// People known to one shop by a customer id (see `render` for how often records carry it).
const EXTERNAL_ID_SHARE: f64 = 0.3;
const RECENT_NAMES: usize = 1024;

fn chance(rng: &mut impl Rng, p: f64) -> bool {
    rng.r#gen::<f64>() < p
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Female,
    Male,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Date {
    year: u16,
    month: u8,
    day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Home {
    number: u32,
    direction: Option<usize>,
    street: usize,
    suffix: usize,
    unit: Option<String>,
    city: usize,
    zip: String,
}

#[derive(Debug, Clone)]
struct Person {
    id: u64,
    kind: PersonKind,
    gender: Gender,
    first: &'static str,
    last: String,
    dob: Date,
    email: String,
    phone: u64,
    home: Home,
    moved_to: Option<Home>,
    external_id: Option<String>,
    style: Style,
}

/// A recent person whose full name a namesake may borrow.
#[derive(Debug, Clone)]
struct NameSource {
    gender: Gender,
    first: &'static str,
    last: String,
    city: usize,
    year: u16,
}

/// Produces the people group by group (single, household or building) and their records in
/// generation order, without ids; `generate` and `generate_iter` shuffle and number them.
pub(super) struct Generator {
    options: SynthOptions,
    rng: ChaCha8Rng,
    male: WeightedIndex<f64>,
    female: WeightedIndex<f64>,
    surnames: WeightedIndex<f64>,
    cities: WeightedIndex<u32>,
    suffixes: WeightedIndex<u32>,
    providers: WeightedIndex<u32>,
    copies: Option<WeightedIndex<f64>>,
    nicknames: Vec<(&'static str, Vec<&'static str>)>,
    made: usize,
    pending: VecDeque<SynthRecord>,
    emails: HashSet<String>,
    phones: HashSet<u64>,
    street_addresses: HashSet<u64>,
    recent: Vec<NameSource>,
}

impl Iterator for Generator {
    type Item = SynthRecord;

    fn next(&mut self) -> Option<SynthRecord> {
        while self.pending.is_empty() && self.made < self.options.people {
            let group = self.next_group();
            for mut person in group {
                let copies = self.copy_count();
                for copy in 0..copies {
                    let raw = self.render(&mut person, copy > 0);
                    self.pending.push_back(SynthRecord {
                        raw,
                        person: person.id,
                        kind: person.kind,
                    });
                }
            }
        }
        self.pending.pop_front()
    }
}

impl Generator {
    pub(super) fn new(options: SynthOptions) -> Generator {
        let rank_weights = |n: usize| (0..n).map(|rank| 1.0 / (rank as f64 + 6.0));
        let copies = (options.max_copies >= 2).then(|| {
            let weights = (2..=options.max_copies).map(|k| 0.5f64.powi(k as i32 - 2));
            WeightedIndex::new(weights).expect("copy weights are positive")
        });
        let nicknames = NICKNAMES
            .iter()
            .map(|(formal, nicks)| {
                // Only nicknames the engine resolves back to this name: a copy must be a
                // variation the normalizer can see through, not a different name.
                let accepted = nicks
                    .iter()
                    .copied()
                    .filter(|nick| canonical_nickname(nick) == Some(*formal))
                    .collect::<Vec<_>>();
                (*formal, accepted)
            })
            .filter(|(_, nicks)| !nicks.is_empty())
            .collect();
        Generator {
            rng: ChaCha8Rng::seed_from_u64(options.seed),
            male: WeightedIndex::new(rank_weights(MALE_NAMES.len())).expect("weights"),
            female: WeightedIndex::new(rank_weights(FEMALE_NAMES.len())).expect("weights"),
            surnames: WeightedIndex::new(surname_weights()).expect("weights"),
            cities: WeightedIndex::new(CITIES.iter().map(|c| c.weight)).expect("weights"),
            suffixes: WeightedIndex::new(STREET_SUFFIXES.iter().map(|s| s.2)).expect("weights"),
            providers: WeightedIndex::new(PROVIDERS.iter().map(|p| p.1)).expect("weights"),
            copies,
            nicknames,
            made: 0,
            pending: VecDeque::new(),
            emails: HashSet::new(),
            phones: HashSet::new(),
            street_addresses: HashSet::new(),
            recent: Vec::with_capacity(RECENT_NAMES),
            options,
        }
    }

    fn next_group(&mut self) -> Vec<Person> {
        const HOUSEHOLD_SIZES: [(usize, f64); 3] = [(2, 0.55), (3, 0.3), (4, 0.15)];
        const BUILDING_SIZES: [(usize, f64); 2] = [(2, 0.6), (3, 0.4)];
        let mean = |sizes: &[(usize, f64)]| sizes.iter().map(|(n, p)| *n as f64 * p).sum::<f64>();
        let households = self.options.household_rate.clamp(0.0, 1.0);
        let buildings = self.options.neighbour_rate.clamp(0.0, 1.0 - households);
        let singles = 1.0 - households - buildings;
        // Groups are drawn in proportion to share / mean size, so the shares hold per person.
        let weights = [
            singles,
            households / mean(&HOUSEHOLD_SIZES),
            buildings / mean(&BUILDING_SIZES),
        ];
        let remaining = self.options.people - self.made;
        let group = match WeightedIndex::new(weights) {
            Ok(index) => index.sample(&mut self.rng),
            Err(_) => 0,
        };
        let draw_size = |rng: &mut ChaCha8Rng, sizes: &[(usize, f64)]| {
            let index = WeightedIndex::new(sizes.iter().map(|s| s.1)).expect("sizes");
            sizes[index.sample(rng)].0.min(remaining)
        };
        let people = match group {
            1 if remaining >= 2 => {
                let size = draw_size(&mut self.rng, &HOUSEHOLD_SIZES);
                self.household(size)
            }
            2 if remaining >= 2 => {
                let size = draw_size(&mut self.rng, &BUILDING_SIZES);
                self.building(size)
            }
            _ => {
                let namesake = if singles > 0.0 {
                    self.options.namesake_rate / singles
                } else {
                    0.0
                };
                vec![self.single(namesake)]
            }
        };
        self.made += people.len();
        people
    }

    fn copy_count(&mut self) -> usize {
        match &self.copies {
            Some(copies) if chance(&mut self.rng, self.options.duplicate_rate) => {
                2 + copies.sample(&mut self.rng)
            }
            _ => 1,
        }
    }

    fn next_id(&self, offset: usize) -> u64 {
        (self.made + offset) as u64
    }

    fn single(&mut self, namesake_chance: f64) -> Person {
        let id = self.next_id(0);
        if !self.recent.is_empty() && chance(&mut self.rng, namesake_chance) {
            let source = self.recent[self.rng.gen_range(0..self.recent.len())].clone();
            let city = loop {
                let city = self.cities.sample(&mut self.rng);
                if CITIES[city].name != CITIES[source.city].name {
                    break city;
                }
            };
            let dob = loop {
                let dob = self.adult_dob(18, 85);
                if dob.year != source.year {
                    break dob;
                }
            };
            let home = self.new_home(Some(city), APARTMENT_SHARE);
            return self.person(
                id,
                PersonKind::Namesake,
                source.gender,
                source.first,
                source.last,
                dob,
                home,
            );
        }
        let gender = self.gender();
        let first = self.first_name(gender);
        let last = self.surname();
        let dob = self.adult_dob(18, 85);
        let home = self.new_home(None, APARTMENT_SHARE);
        let person = self.person(id, PersonKind::Single, gender, first, last, dob, home);
        self.remember(&person);
        person
    }

    fn household(&mut self, size: usize) -> Vec<Person> {
        let home = self.new_home(None, APARTMENT_SHARE);
        let last = self.surname();
        let gender = self.gender();
        let first = self.first_name(gender);
        let head_dob = self.adult_dob(30, 80);
        let head = self.person(
            self.next_id(0),
            PersonKind::Household,
            gender,
            first,
            last.clone(),
            head_dob,
            home.clone(),
        );
        self.remember(&head);
        let mut members = vec![head];
        for index in 1..size {
            let twin_of = chance(&mut self.rng, self.options.twin_rate)
                .then(|| self.rng.gen_range(0..members.len()));
            let (gender, dob) = match twin_of {
                Some(of) => (self.gender(), members[of].dob),
                None if index == 1 && chance(&mut self.rng, SPOUSE_SHARE) => {
                    let gender = match (chance(&mut self.rng, 0.9), members[0].gender) {
                        (true, Gender::Female) => Gender::Male,
                        (true, Gender::Male) => Gender::Female,
                        (false, same) => same,
                    };
                    let year = head_dob.year as i32 + self.rng.gen_range(-6..=6);
                    (gender, self.dob_in(year.clamp(1935, 2007) as u16))
                }
                None => {
                    let gender = self.gender();
                    let year = head_dob.year + self.rng.gen_range(22..=36);
                    let year = if year <= REFERENCE_YEAR - 16 {
                        year
                    } else {
                        // Head too young for a grown child: a sibling instead.
                        (head_dob.year as i32 + self.rng.gen_range(-10..=10)).clamp(1935, 2007)
                            as u16
                    };
                    (gender, self.dob_in(year))
                }
            };
            let dob = if twin_of.is_none() {
                // Only twins share a birth date; anyone else born the same day is re-drawn.
                let mut dob = dob;
                while members.iter().any(|m| m.dob == dob) {
                    dob = self.dob_in(dob.year);
                }
                dob
            } else {
                dob
            };
            let first = self.distinct_first_name(gender, &members);
            let kind = if twin_of.is_some() {
                PersonKind::Twin
            } else {
                PersonKind::Household
            };
            let member = self.person(
                self.next_id(index),
                kind,
                gender,
                first,
                last.clone(),
                dob,
                home.clone(),
            );
            if let Some(of) = twin_of {
                members[of].kind = PersonKind::Twin;
            }
            members.push(member);
        }
        if chance(&mut self.rng, HOUSEHOLD_LANDLINE_SHARE) {
            let landline = self.new_phone(home.city, 1.0);
            for member in &mut members {
                if chance(&mut self.rng, MEMBER_USES_LANDLINE) {
                    member.phone = landline;
                }
            }
        }
        if chance(&mut self.rng, HOUSEHOLD_FAMILY_EMAIL_SHARE) {
            let family = self.family_email(&last);
            for member in &mut members {
                if chance(&mut self.rng, MEMBER_USES_FAMILY_EMAIL) {
                    member.email = family.clone();
                }
            }
        }
        members
    }

    fn building(&mut self, size: usize) -> Vec<Person> {
        let base = self.new_home(None, 1.0);
        let mut people: Vec<Person> = Vec::with_capacity(size);
        for index in 0..size {
            let mut home = base.clone();
            while people
                .iter()
                .any(|p| p.home.unit.as_ref() == home.unit.as_ref())
            {
                home.unit = Some(self.unit());
            }
            let last = loop {
                let last = self.surname();
                if people.iter().all(|p| p.last != last) {
                    break last;
                }
            };
            let gender = self.gender();
            let first = self.first_name(gender);
            let dob = self.adult_dob(18, 85);
            let person = self.person(
                self.next_id(index),
                PersonKind::Neighbour,
                gender,
                first,
                last,
                dob,
                home,
            );
            self.remember(&person);
            people.push(person);
        }
        people
    }

    #[allow(clippy::too_many_arguments)]
    fn person(
        &mut self,
        id: u64,
        kind: PersonKind,
        gender: Gender,
        first: &'static str,
        last: String,
        dob: Date,
        home: Home,
    ) -> Person {
        let email = self.personal_email(first, &last, dob.year);
        let phone = self.new_phone(home.city, LOCAL_AREA_CODE_SHARE);
        let external_id = chance(&mut self.rng, EXTERNAL_ID_SHARE).then(|| {
            // An odd multiplier is a bijection on u32: unique per person, not sequential.
            let scrambled = (id as u32).wrapping_mul(2_654_435_761);
            format!("shopify:{}", 6_000_000_000u64 + u64::from(scrambled))
        });
        let style = self.style();
        Person {
            id,
            kind,
            gender,
            first,
            last,
            dob,
            email,
            phone,
            home,
            moved_to: None,
            external_id,
            style,
        }
    }

    fn remember(&mut self, person: &Person) {
        let source = NameSource {
            gender: person.gender,
            first: person.first,
            last: person.last.clone(),
            city: person.home.city,
            year: person.dob.year,
        };
        if self.recent.len() < RECENT_NAMES {
            self.recent.push(source);
        } else {
            let index = self.rng.gen_range(0..RECENT_NAMES);
            self.recent[index] = source;
        }
    }

    fn gender(&mut self) -> Gender {
        if self.rng.gen_bool(0.5) {
            Gender::Female
        } else {
            Gender::Male
        }
    }

    fn first_name(&mut self, gender: Gender) -> &'static str {
        match gender {
            Gender::Female => FEMALE_NAMES[self.female.sample(&mut self.rng)],
            Gender::Male => MALE_NAMES[self.male.sample(&mut self.rng)],
        }
    }

    /// A given name no other member answers to, nicknames included (no Robert next to a Bob).
    fn distinct_first_name(&mut self, gender: Gender, members: &[Person]) -> &'static str {
        let key = |name: &str| {
            let lower = name.to_ascii_lowercase();
            canonical_nickname(&lower).map_or(lower, str::to_owned)
        };
        let taken: Vec<String> = members.iter().map(|m| key(m.first)).collect();
        loop {
            let first = self.first_name(gender);
            if !taken.contains(&key(first)) {
                return first;
            }
        }
    }

    fn surname(&mut self) -> String {
        let index = self.surnames.sample(&mut self.rng);
        match SURNAMES.get(index) {
            Some((name, _)) => (*name).to_owned(),
            None => tail_surname(index - SURNAMES.len()),
        }
    }

    fn adult_dob(&mut self, min_age: u16, max_age: u16) -> Date {
        let age = self.rng.gen_range(min_age..=max_age);
        self.dob_in(REFERENCE_YEAR - age)
    }

    fn dob_in(&mut self, year: u16) -> Date {
        let month = self.rng.gen_range(1..=12);
        let day = self.rng.gen_range(1..=days_in_month(year, month));
        Date { year, month, day }
    }

    fn new_home(&mut self, city: Option<usize>, apartment_share: f64) -> Home {
        let city = city.unwrap_or_else(|| self.cities.sample(&mut self.rng));
        loop {
            let number = if chance(&mut self.rng, 0.7) {
                self.rng.gen_range(100..=9999)
            } else {
                self.rng.gen_range(1..=99)
            };
            let direction = chance(&mut self.rng, 0.15).then(|| self.rng.gen_range(0..4));
            let street = self.rng.gen_range(0..STREETS.len());
            let suffix = self.suffixes.sample(&mut self.rng);
            // One street address per group: neighbours and families share one on purpose,
            // strangers never do.
            let key = (city as u64) << 40
                | (street as u64) << 24
                | (suffix as u64) << 18
                | (direction.map_or(0, |d| d as u64 + 1)) << 15
                | u64::from(number);
            if !self.street_addresses.insert(key) {
                continue;
            }
            let unit = chance(&mut self.rng, apartment_share).then(|| self.unit());
            let zip = format!("{}{:02}", CITIES[city].zip3, self.rng.gen_range(1..=99));
            return Home {
                number,
                direction,
                street,
                suffix,
                unit,
                city,
                zip,
            };
        }
    }

    fn unit(&mut self) -> String {
        if self.rng.gen_bool(0.5) {
            let letter = (b'A' + self.rng.gen_range(0..6)) as char;
            format!("{}{letter}", self.rng.gen_range(1..=30))
        } else {
            format!(
                "{}{:02}",
                self.rng.gen_range(1..=15),
                self.rng.gen_range(1..=20)
            )
        }
    }

    /// A ten-digit NANP number, unique across the data set.
    fn new_phone(&mut self, city: usize, local_share: f64) -> u64 {
        loop {
            let codes = if chance(&mut self.rng, local_share) {
                CITIES[city].area_codes
            } else {
                CITIES[self.rng.gen_range(0..CITIES.len())].area_codes
            };
            let area = u64::from(*codes.choose(&mut self.rng).expect("area codes"));
            let exchange = self.rng.gen_range(200..=999u64);
            if exchange % 100 == 11 {
                continue; // N11 codes are service numbers (411, 911).
            }
            let number = area * 10_000_000 + exchange * 10_000 + self.rng.gen_range(0..=9999);
            if self.phones.insert(number) {
                return number;
            }
        }
    }

    fn personal_email(&mut self, first: &str, last: &str, year: u16) -> String {
        let f = ascii_letters(first);
        let l = ascii_letters(last);
        let (f0, l0) = (&f[..1], &l[..1]);
        let yy = year % 100;
        let provider = self.providers.sample(&mut self.rng);
        let domain = match PROVIDERS[provider].0 {
            "company" => *COMPANY_DOMAINS.choose(&mut self.rng).expect("domains"),
            domain => domain,
        };
        let local = if PROVIDERS[provider].0 == "company" {
            if self.rng.gen_bool(0.6) {
                format!("{f}.{l}")
            } else {
                format!("{f0}{l}")
            }
        } else {
            let nn = self.rng.gen_range(1..=99);
            match self.rng.gen_range(0..100) {
                0..25 => format!("{f}.{l}"),
                25..40 => format!("{f}{l}"),
                40..45 => format!("{f}_{l}"),
                45..60 => format!("{f0}{l}"),
                60..65 => format!("{f}{l0}"),
                65..73 => format!("{f}.{l}{yy:02}"),
                73..80 => format!("{f}{yy:02}"),
                80..85 => format!("{l}.{f}"),
                85..95 => format!("{f}{l}{nn}"),
                _ => format!("{f0}{l}{nn}"),
            }
        };
        self.unique_email(local, domain)
    }

    fn family_email(&mut self, last: &str) -> String {
        let l = ascii_letters(last);
        let local = match self.rng.gen_range(0..4) {
            0 => format!("the{l}s"),
            1 => format!("{l}family"),
            2 => format!("{l}household"),
            _ => format!("{l}home"),
        };
        let domain = *[
            "gmail.com",
            "yahoo.com",
            "comcast.net",
            "att.net",
            "aol.com",
        ]
        .choose(&mut self.rng)
        .expect("domains");
        self.unique_email(local, domain)
    }

    /// Like a mail provider: a taken mailbox gets digits until it is free. Gmail ignores
    /// dots, so "john.smith" takes "johnsmith" too.
    fn unique_email(&mut self, local: String, domain: &str) -> String {
        let mailbox = |local: &str| {
            if domain == "gmail.com" {
                format!("{}@{domain}", local.replace('.', ""))
            } else {
                format!("{local}@{domain}")
            }
        };
        let mut candidate = local.clone();
        while !self.emails.insert(mailbox(&candidate)) {
            let digits = self.rng.gen_range(1..=9999);
            candidate = format!("{local}{digits}");
        }
        format!("{candidate}@{domain}")
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::spelling::capitalize;

    #[test]
    fn nickname_table_agrees_with_the_engine() {
        let generator = Generator::new(SynthOptions::new(1, 1));
        assert!(
            generator.nicknames.len() >= 50,
            "{}",
            generator.nicknames.len()
        );
        let robert = generator.nicknames.iter().find(|(f, _)| *f == "robert");
        assert!(robert.is_some_and(|(_, nicks)| nicks.contains(&"bob")));
        for (formal, nicks) in &generator.nicknames {
            let proper = capitalize(formal);
            assert!(
                MALE_NAMES.contains(&proper.as_str()) || FEMALE_NAMES.contains(&proper.as_str()),
                "{formal} is never drawn"
            );
            for nick in nicks {
                assert_eq!(canonical_nickname(nick), Some(*formal));
            }
        }
    }

    #[test]
    fn household_members_never_share_a_given_name_or_nickname() {
        let mut generator = Generator::new(SynthOptions::new(1000, 11));
        for _ in 0..200 {
            let members = generator.household(4);
            let keys: HashSet<String> = members
                .iter()
                .map(|m| {
                    let lower = m.first.to_ascii_lowercase();
                    canonical_nickname(&lower).map_or(lower, str::to_owned)
                })
                .collect();
            assert_eq!(keys.len(), members.len());
            assert!(
                members
                    .iter()
                    .all(|m| m.last == members[0].last && m.home == members[0].home)
            );
        }
    }
}
