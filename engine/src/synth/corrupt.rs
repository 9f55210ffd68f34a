//! An independent corruption model: how a clerk, a form or a scanner garbles the records of one
//! person, written without the engine's rules. It knows nothing of the engine's nickname table,
//! its comparison levels or its blocking keys: it changes any letter (the first included), uses
//! a nickname list of its own, changes surnames, mistypes and swaps the digits of dates and id
//! numbers, and gives people new contact details. A benchmark built on it can therefore
//! disagree with the engine, which one built from the engine's own rules cannot.
//!
//! Modelled on the corruptions of the FEBRL data generator (Christen, 2005): typographic,
//! optical and phonetic slips, missing values and swapped fields, a few per duplicate record.

use std::collections::HashSet;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::spelling::capitalize;
use super::{SynthRecord, Variations};
use crate::record::Field;

/// How copies are corrupted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Corruption {
    /// Each record after a person's first gets 1 to this many corruptions.
    pub max_per_record: usize,
    /// A table of people without contact identifiers: no email and no phone on any record, and
    /// an id number (as `external_id`) on most of them, as registers and patient lists have.
    pub without_contacts: bool,
    /// Share of records carrying the id number, when `without_contacts`.
    pub id_number_share: f64,
    /// A sparse table: each record keeps only its names, date of birth and city, and its email
    /// with this probability (no phone, street, postcode or id number). Zero keeps every field.
    pub sparse_email_share: f64,
}

impl Corruption {
    /// People with names, addresses, dates of birth and id numbers, heavily garbled: the kind
    /// of table record-linkage benchmarks use.
    pub fn registry() -> Corruption {
        Corruption {
            max_per_record: 3,
            without_contacts: true,
            id_number_share: 0.85,
            sparse_email_share: 0.0,
        }
    }

    /// People known by little more than a name: names, date of birth, city and, on most
    /// records, an email, with up to three slips per copy. What a sign-up list or a small
    /// club's members table holds; no postcode or street to block on.
    pub fn sparse() -> Corruption {
        Corruption {
            max_per_record: 3,
            without_contacts: false,
            id_number_share: 0.0,
            sparse_email_share: 0.7,
        }
    }

    /// How the generator renders the records before they are corrupted: a sparse table's
    /// records have a date of birth and a city nearly always (slips and missing values come
    /// from the corruption), where a customer's often lack one.
    pub fn variations(&self) -> Variations {
        if self.sparse_email_share > 0.0 {
            Variations {
                missing_dob: 0.03,
                missing_address: 0.03,
                ..Variations::default()
            }
        } else {
            Variations::default()
        }
    }

    /// Customer records that also change over time: one or two corruptions per copy, new
    /// contact details among them.
    pub fn customers() -> Corruption {
        Corruption {
            max_per_record: 2,
            without_contacts: false,
            id_number_share: 0.0,
            sparse_email_share: 0.0,
        }
    }
}

/// Corrupts every record after the first of each person (in slice order), in place.
pub fn corrupt(records: &mut [SynthRecord], corruption: &Corruption, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xc0ff_ee00_dead_beef);
    let mut seen = HashSet::with_capacity(records.len());
    for record in records.iter_mut() {
        if corruption.without_contacts {
            let fields = &mut record.raw.fields;
            fields.remove(&Field::Email);
            fields.remove(&Field::Phone);
            fields.remove(&Field::ExternalId);
            if rng.gen_bool(corruption.id_number_share.clamp(0.0, 1.0)) {
                fields.insert(Field::ExternalId, id_number(record.person, seed));
            }
        }
        if corruption.sparse_email_share > 0.0 {
            let keep_email = rng.gen_bool(corruption.sparse_email_share.clamp(0.0, 1.0));
            record.raw.fields.retain(|field, _| {
                matches!(
                    field,
                    Field::FirstName | Field::LastName | Field::DateOfBirth | Field::City
                ) || (keep_email && *field == Field::Email)
            });
        }
        if !seen.insert(record.person) {
            let count = rng.gen_range(1..=corruption.max_per_record.max(1));
            for _ in 0..count {
                corrupt_once(&mut rng, record, corruption);
            }
        }
    }
}

/// A person's id number: eight digits, the same on each of their records, distinct between
/// people of one table but for rare collisions.
fn id_number(person: u64, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(person.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed);
    format!("{:08}", rng.gen_range(10_000_000u32..100_000_000))
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Typo,
    Optical,
    Phonetic,
    Missing,
    SwapNames,
    Nickname,
    NewSurname,
    NewContact,
}

fn corrupt_once(rng: &mut ChaCha8Rng, record: &mut SynthRecord, corruption: &Corruption) {
    const KINDS: &[(Kind, u32)] = &[
        (Kind::Typo, 40),
        (Kind::Optical, 10),
        (Kind::Phonetic, 12),
        (Kind::Missing, 14),
        (Kind::SwapNames, 4),
        (Kind::Nickname, 8),
        (Kind::NewSurname, 4),
        (Kind::NewContact, 8),
    ];
    let kind = KINDS
        .choose_weighted(rng, |(_, weight)| *weight)
        .map_or(Kind::Typo, |(kind, _)| *kind);
    let fields = &mut record.raw.fields;
    match kind {
        Kind::Typo | Kind::Optical | Kind::Phonetic | Kind::Missing => {
            let present: Vec<Field> = TEXT_FIELDS
                .iter()
                .filter(|f| fields.contains_key(f))
                .cloned()
                .collect();
            let Some(field) = present.choose(rng).cloned() else {
                return;
            };
            if matches!(kind, Kind::Missing) {
                fields.remove(&field);
                return;
            }
            let Some(value) = fields.get(&field) else {
                return;
            };
            let changed = match (kind, &field) {
                // A date mistyped may give another valid date, an impossible one, or a birth
                // year like 1958 for 1985.
                (_, Field::DateOfBirth | Field::ExternalId | Field::Phone | Field::Postcode) => {
                    digit_slip(rng, value)
                }
                (Kind::Optical, _) => optical(rng, value),
                (Kind::Phonetic, _) => phonetic(rng, value),
                _ => keyboard(rng, value),
            };
            fields.insert(field, changed);
        }
        Kind::SwapNames => {
            if let (Some(first), Some(last)) = (
                fields.remove(&Field::FirstName),
                fields.remove(&Field::LastName),
            ) {
                fields.insert(Field::FirstName, last);
                fields.insert(Field::LastName, first);
            }
        }
        Kind::Nickname => {
            let nickname = fields.get(&Field::FirstName).and_then(|first| {
                let lower = first.to_lowercase();
                NICKNAMES
                    .iter()
                    .find(|(name, _)| *name == lower)
                    .and_then(|(_, nicks)| nicks.choose(rng))
            });
            match nickname {
                Some(nick) => {
                    fields.insert(Field::FirstName, capitalize(nick));
                }
                None => corrupt_once(rng, record, corruption),
            }
        }
        Kind::NewSurname => {
            let surname = NEW_SURNAMES.choose(rng).copied().unwrap_or("Taylor");
            fields.insert(Field::LastName, surname.to_owned());
        }
        Kind::NewContact if !corruption.without_contacts => {
            if rng.gen_bool(0.5) {
                if let Some(email) = fields.get(&Field::Email) {
                    let domain = ["outlook.com", "proton.me", "icloud.com", "work.example"]
                        .choose(rng)
                        .copied()
                        .unwrap_or("outlook.com");
                    let local = email.split('@').next().unwrap_or("me");
                    let fresh = format!("{local}{}@{domain}", rng.gen_range(1..99));
                    fields.insert(Field::Email, fresh);
                }
            } else if fields.contains_key(&Field::Phone) {
                let fresh = format!(
                    "({}) {}-{:04}",
                    rng.gen_range(201..990),
                    rng.gen_range(201..990),
                    rng.gen_range(0..10_000)
                );
                fields.insert(Field::Phone, fresh);
            }
        }
        Kind::NewContact => corrupt_once(rng, record, corruption),
    }
}

/// The fields a slip or a missing value can hit.
const TEXT_FIELDS: &[Field] = &[
    Field::FirstName,
    Field::FirstName,
    Field::LastName,
    Field::LastName,
    Field::Address1,
    Field::City,
    Field::Postcode,
    Field::DateOfBirth,
    Field::DateOfBirth,
    Field::ExternalId,
    Field::Email,
    Field::Phone,
];

/// A keyboard slip anywhere in the value: a letter replaced by a neighbour on the keyboard,
/// inserted, deleted, or swapped with the next.
fn keyboard(rng: &mut ChaCha8Rng, value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    if chars.len() < 2 {
        return value.to_owned();
    }
    let at = rng.gen_range(0..chars.len());
    match rng.gen_range(0..4) {
        0 => {
            let c = chars[at].to_ascii_lowercase();
            if let Some(near) = neighbour_key(rng, c) {
                chars[at] = if chars[at].is_uppercase() {
                    near.to_ascii_uppercase()
                } else {
                    near
                };
            }
        }
        1 => {
            let letter = char::from(b'a' + rng.gen_range(0..26u8));
            chars.insert(at, letter);
        }
        2 if chars.len() > 3 => {
            chars.remove(at);
        }
        _ if at + 1 < chars.len() => chars.swap(at, at + 1),
        _ => chars.swap(at - 1, at),
    }
    chars.into_iter().collect()
}

fn neighbour_key(rng: &mut ChaCha8Rng, c: char) -> Option<char> {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
    for row in ROWS {
        if let Some(i) = row.find(c) {
            let bytes = row.as_bytes();
            let mut near = Vec::new();
            if i > 0 {
                near.push(bytes[i - 1] as char);
            }
            if i + 1 < bytes.len() {
                near.push(bytes[i + 1] as char);
            }
            return near.choose(rng).copied();
        }
    }
    None
}

/// A scanner's misreading of letter shapes.
fn optical(rng: &mut ChaCha8Rng, value: &str) -> String {
    const SHAPES: &[(&str, &str)] = &[
        ("m", "rn"),
        ("rn", "m"),
        ("d", "cl"),
        ("cl", "d"),
        ("w", "vv"),
        ("h", "b"),
        ("e", "c"),
        ("i", "l"),
        ("l", "i"),
        ("u", "v"),
        ("n", "ri"),
        ("o", "a"),
        ("g", "q"),
    ];
    replace_one(rng, value, SHAPES).unwrap_or_else(|| keyboard(rng, value))
}

/// A spelling by ear.
fn phonetic(rng: &mut ChaCha8Rng, value: &str) -> String {
    const SOUNDS: &[(&str, &str)] = &[
        ("ph", "f"),
        ("f", "ph"),
        ("ck", "k"),
        ("c", "k"),
        ("k", "c"),
        ("ie", "y"),
        ("y", "ie"),
        ("ee", "ea"),
        ("ou", "ow"),
        ("s", "z"),
        ("z", "s"),
        ("th", "t"),
        ("gh", ""),
        ("ll", "l"),
        ("tt", "t"),
        ("an", "en"),
        ("er", "ar"),
        ("ai", "ay"),
    ];
    replace_one(rng, value, SOUNDS).unwrap_or_else(|| keyboard(rng, value))
}

/// Replaces one occurrence of one of the patterns the value holds, if any.
fn replace_one(rng: &mut ChaCha8Rng, value: &str, patterns: &[(&str, &str)]) -> Option<String> {
    let lower = value.to_lowercase();
    if lower.len() != value.len() {
        return None;
    }
    let mut options: Vec<(usize, &str, &str)> = Vec::new();
    for (from, to) in patterns {
        for (at, _) in lower.match_indices(from) {
            options.push((at, from, to));
        }
    }
    let (at, from, to) = *options.choose(rng)?;
    let capital = at == 0 && value.starts_with(|c: char| c.is_uppercase());
    let mut replacement = (*to).to_owned();
    if capital {
        replacement = capitalize(&replacement);
    }
    Some(format!(
        "{}{}{}",
        &value[..at],
        replacement,
        &value[at + from.len()..]
    ))
}

/// One digit replaced, or two neighbouring digits swapped.
fn digit_slip(rng: &mut ChaCha8Rng, value: &str) -> String {
    let digits: Vec<usize> = value
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    let Some(&at) = digits.choose(rng) else {
        return keyboard(rng, value);
    };
    let mut bytes = value.as_bytes().to_vec();
    let next = digits.iter().copied().find(|&i| i > at);
    match next {
        Some(next) if rng.gen_bool(0.4) && bytes[at] != bytes[next] => bytes.swap(at, next),
        _ => {
            let old = bytes[at];
            let mut new = b'0' + rng.gen_range(0..10u8);
            if new == old {
                new = b'0' + (old - b'0' + 1) % 10;
            }
            bytes[at] = new;
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| value.to_owned())
}

/// Surnames taken on marriage or by deed poll.
const NEW_SURNAMES: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Kowalczyk",
    "Abernathy",
    "Castellanos",
    "Haddad",
    "Nakamura",
    "Oyelaran",
    "Pemberton",
    "Rasmussen",
    "Szabo",
    "Underwood",
    "Vasquez-Hill",
];

/// Given names and what people call their bearers, gathered for this model; it overlaps the
/// engine's table only where common usage does, and has names that table lacks.
const NICKNAMES: &[(&str, &[&str])] = &[
    ("alexandra", &["sasha", "sandra", "lexi"]),
    ("alexander", &["sasha", "xander", "lex"]),
    ("margaret", &["peggy", "maisie", "greta"]),
    ("elizabeth", &["betsy", "libby", "elsie", "bess"]),
    ("william", &["liam", "billy", "wim"]),
    ("robert", &["bobby", "robbie", "bert"]),
    ("richard", &["dick", "ricky", "richie"]),
    ("james", &["jamie", "jimmy", "jem"]),
    ("john", &["jack", "johnny", "jock"]),
    ("edward", &["ted", "ned", "teddy"]),
    ("charles", &["chuck", "chaz", "charlie"]),
    ("katherine", &["kit", "kay", "katie"]),
    ("catherine", &["cathy", "cat", "cate"]),
    ("patricia", &["trish", "patsy", "tricia"]),
    ("jennifer", &["jenny", "jen", "jenna"]),
    ("rebecca", &["becky", "becca"]),
    ("susan", &["suzy", "sue", "susie"]),
    ("deborah", &["debbie", "deb"]),
    ("dorothy", &["dot", "dolly", "dottie"]),
    ("mary", &["molly", "polly", "mae"]),
    ("anne", &["annie", "nan", "nancy"]),
    ("henry", &["hank", "harry", "hal"]),
    ("thomas", &["tommy", "tom"]),
    ("anthony", &["tony", "ant"]),
    ("joseph", &["joey", "jojo", "pepe"]),
    ("michael", &["mick", "mikey", "mitch"]),
    ("christopher", &["kit", "topher", "chris"]),
    ("nicholas", &["nico", "nicky", "klaus"]),
    ("daniel", &["danny", "dani"]),
    ("samuel", &["sammy", "sam"]),
    ("benjamin", &["benji", "benny"]),
    ("jonathan", &["jonny", "nathan"]),
    ("matthew", &["matty", "matt"]),
    ("andrew", &["drew", "andy"]),
    ("steven", &["stevie", "steve"]),
    ("lawrence", &["larry", "laurie"]),
    ("eleanor", &["nell", "ellie", "nora"]),
    ("helen", &["nell", "lena"]),
    ("francis", &["frank", "frankie"]),
    ("victoria", &["vicky", "tori"]),
    ("theodore", &["teddy", "theo"]),
    ("isabella", &["bella", "izzy"]),
    ("abigail", &["abby", "gail"]),
    ("nathaniel", &["nate", "natty"]),
    ("zachary", &["zach", "zack"]),
    ("jacqueline", &["jackie", "jacqui"]),
    ("evelyn", &["evie", "eve"]),
    ("sarah", &["sally", "sadie"]),
    ("natalia", &["natasha", "tasha"]),
    ("maria", &["mia", "mimi", "marita"]),
    ("jose", &["pepe", "chepe"]),
    ("francisco", &["paco", "pancho", "kiko"]),
    ("eduardo", &["lalo", "eddie"]),
    ("guillermo", &["memo", "billy"]),
    ("ignacio", &["nacho"]),
    ("dolores", &["lola", "lolita"]),
    ("emily", &["emmy", "millie"]),
    ("olivia", &["liv", "livvy"]),
    ("sophia", &["sophie", "sofie"]),
    ("david", &["dave", "davey"]),
    ("jessica", &["jess", "jessie"]),
    ("ashley", &["ash"]),
    ("christina", &["tina", "chrissy"]),
    ("amanda", &["mandy"]),
    ("barbara", &["barb", "babs"]),
    ("linda", &["lindy"]),
    ("gregory", &["greg"]),
    ("timothy", &["tim", "timmy"]),
    ("kenneth", &["ken", "kenny"]),
    ("ronald", &["ron", "ronnie"]),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{SynthOptions, generate};

    fn people(seed: u64) -> Vec<SynthRecord> {
        generate(&SynthOptions::new(2_000, seed))
    }

    #[test]
    fn a_persons_first_record_keeps_its_values_and_copies_change() {
        let clean = people(3);
        let mut corrupted = clean.clone();
        corrupt(&mut corrupted, &Corruption::customers(), 3);
        let mut seen = HashSet::new();
        let (mut firsts_same, mut copies_changed, mut copies) = (0, 0, 0);
        for (before, after) in clean.iter().zip(&corrupted) {
            if seen.insert(before.person) {
                firsts_same += usize::from(before.raw == after.raw);
                assert_eq!(before.raw, after.raw, "a first record is left alone");
            } else {
                copies += 1;
                copies_changed += usize::from(before.raw != after.raw);
            }
        }
        assert!(firsts_same > 0 && copies > 100);
        // A swap of equal letters or a missing field already missing can leave a copy as it
        // was; nearly all change.
        assert!(
            copies_changed * 10 >= copies * 9,
            "{copies_changed} of {copies} changed"
        );
    }

    #[test]
    fn a_registry_has_no_contact_identifiers_and_one_id_number_per_person() {
        let mut records = people(5);
        corrupt(&mut records, &Corruption::registry(), 5);
        assert!(records.iter().all(|r| {
            !r.raw.fields.contains_key(&Field::Email) && !r.raw.fields.contains_key(&Field::Phone)
        }));
        let with_id = records
            .iter()
            .filter(|r| r.raw.fields.contains_key(&Field::ExternalId))
            .count();
        assert!(
            with_id * 100 > records.len() * 75,
            "{with_id} of {}",
            records.len()
        );
        // Uncorrupted id numbers agree within a person and differ between people.
        let mut ids = std::collections::HashMap::new();
        for r in &records {
            if let Some(id) = r.raw.fields.get(&Field::ExternalId) {
                ids.entry(id.clone())
                    .or_insert_with(HashSet::new)
                    .insert(r.person);
            }
        }
        let shared = ids.values().filter(|people| people.len() > 1).count();
        assert!(
            shared * 100 < ids.len(),
            "{shared} id numbers shared by several people"
        );
    }

    #[test]
    fn slips_change_the_value_and_keep_its_kind() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200 {
            let name = keyboard(&mut rng, "Margaret");
            assert_ne!(name, "Margaret");
            let digits = digit_slip(&mut rng, "12345678");
            assert_ne!(digits, "12345678");
            assert!(digits.bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(digits.len(), 8);
        }
        // Optical and phonetic slips hit the first letter too.
        let starts = (0..400)
            .map(|_| phonetic(&mut rng, "Philips"))
            .filter(|p| p.starts_with('F'))
            .count();
        assert!(starts > 0);
    }

    #[test]
    fn the_same_seed_corrupts_the_same_way() {
        let mut a = people(9);
        let mut b = a.clone();
        corrupt(&mut a, &Corruption::registry(), 9);
        corrupt(&mut b, &Corruption::registry(), 9);
        assert_eq!(a, b);
    }
}
