//! The synthetic generator's promises, checked on its ground truth: deterministic per seed,
//! every value normalizes, duplicates carry the advertised variations, and each hard-negative
//! kind (households, twins, neighbours, namesakes) really occurs.

mod synth {
    use std::collections::{HashMap, HashSet};
    use std::sync::LazyLock;

    use spine_engine::normalize::address::{Address, AddressInput};
    use spine_engine::normalize::phone::Region;
    use spine_engine::record::{Field, RawRecord, Record};
    use spine_engine::synth::{
        PersonKind, SynthOptions, SynthRecord, csv_header, generate, generate_iter, to_csv_row,
        truth, truth_column,
    };

    const PEOPLE: usize = 6000;

    static DATA: LazyLock<Vec<SynthRecord>> =
        LazyLock::new(|| generate(&SynthOptions::new(PEOPLE, 2024)));

    /// A record with its normalized form and address hash.
    type Entry = (&'static SynthRecord, Record, Option<String>);

    static NORMALIZED: LazyLock<Vec<Entry>> = LazyLock::new(|| {
        DATA.iter()
            .map(|r| {
                let (record, _) = Record::from_raw(&r.raw, Region::default());
                (r, record, address_hash(&r.raw))
            })
            .collect()
    });

    fn address_hash(raw: &RawRecord) -> Option<String> {
        let input = AddressInput {
            line1: raw.get(&Field::Address1)?,
            line2: raw.get(&Field::Address2),
            city: raw.get(&Field::City),
            region: raw.get(&Field::State),
            postal_code: raw.get(&Field::Postcode),
            country: Some("US"),
        };
        Address::parse(input).ok().map(|a| a.hash())
    }

    /// Pairs of records (as normalized) that satisfy `related`, grouped by `key` first so the
    /// search stays linear-ish.
    fn pairs_by<K: std::hash::Hash + Eq>(
        key: impl Fn(&Record, &Option<String>) -> Option<K>,
        related: impl Fn(&Entry, &Entry) -> bool,
    ) -> usize {
        let mut groups: HashMap<K, Vec<usize>> = HashMap::new();
        for (index, (_, record, hash)) in NORMALIZED.iter().enumerate() {
            if let Some(k) = key(record, hash) {
                groups.entry(k).or_default().push(index);
            }
        }
        let mut found = 0;
        for members in groups.values() {
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    if related(&NORMALIZED[a], &NORMALIZED[b]) {
                        found += 1;
                    }
                }
            }
        }
        found
    }

    fn by_person() -> HashMap<u64, Vec<&'static Entry>> {
        let mut people: HashMap<u64, Vec<_>> = HashMap::new();
        for entry in NORMALIZED.iter() {
            people.entry(entry.0.person).or_default().push(entry);
        }
        people
    }

    #[test]
    fn same_seed_gives_the_same_records_and_another_seed_others() {
        let options = SynthOptions::new(500, 7);
        let a = generate(&options);
        let b = generate(&options);
        assert_eq!(a, b);
        let c = generate(&SynthOptions::new(500, 8));
        assert_ne!(a, c);
        let shared = a.iter().zip(&c).filter(|(x, y)| x.raw == y.raw).count();
        assert_eq!(shared, 0);
    }

    #[test]
    fn ids_are_unique_and_numbered_from_r1() {
        let ids: HashSet<&str> = DATA.iter().map(|r| r.raw.id.as_str()).collect();
        assert_eq!(ids.len(), DATA.len());
        assert!(ids.contains("r1"));
        assert!(ids.contains(format!("r{}", DATA.len()).as_str()));
    }

    #[test]
    fn people_count_is_exact_and_record_count_follows_the_duplicate_rate() {
        let people: HashSet<u64> = DATA.iter().map(|r| r.person).collect();
        assert_eq!(people.len(), PEOPLE);
        assert!(DATA.len() >= PEOPLE && DATA.len() <= PEOPLE * 5);
        // 40% duplicated with 2..=5 copies weighted 1, 1/2, 1/4, 1/8: mean 2 + 11/15.
        let expected = PEOPLE as f64 * (1.0 + 0.4 * (2.0 + 11.0 / 15.0 - 1.0));
        let ratio = DATA.len() as f64 / expected;
        assert!(
            (0.93..1.07).contains(&ratio),
            "{} records, expected ~{expected}",
            DATA.len()
        );

        let duplicated = by_person().values().filter(|r| r.len() > 1).count();
        let share = duplicated as f64 / PEOPLE as f64;
        assert!((0.36..0.44).contains(&share), "{share}");
    }

    #[test]
    fn options_without_duplicates_give_one_record_per_person() {
        let options = SynthOptions {
            duplicate_rate: 0.9,
            max_copies: 1,
            ..SynthOptions::new(300, 1)
        };
        assert_eq!(generate(&options).len(), 300);
        let options = SynthOptions {
            duplicate_rate: 0.0,
            ..SynthOptions::new(300, 1)
        };
        assert_eq!(generate(&options).len(), 300);
        assert!(generate(&SynthOptions::new(0, 1)).is_empty());
    }

    #[test]
    fn every_generated_value_normalizes_without_issues() {
        for r in DATA.iter() {
            let (record, issues) = Record::from_raw(&r.raw, Region::default());
            assert!(issues.is_empty(), "{:?}: {issues:?}", r.raw);
            for (field, present) in [
                (Field::Email, record.email.is_some()),
                (Field::Phone, record.phone.is_some()),
                (Field::Address1, record.address_line.is_some()),
                (Field::DateOfBirth, record.date_of_birth.is_some()),
            ] {
                assert_eq!(
                    r.raw.get(&field).is_some(),
                    present,
                    "{field:?} in {:?}",
                    r.raw
                );
            }
            assert!(
                record.given.is_some() && record.family.is_some(),
                "{:?}",
                r.raw
            );
        }
    }

    #[test]
    fn every_record_keeps_two_strong_fields_and_some_lack_each() {
        let strong = [
            Field::Email,
            Field::Phone,
            Field::Address1,
            Field::DateOfBirth,
        ];
        for r in DATA.iter() {
            let present = strong.iter().filter(|f| r.raw.get(f).is_some()).count();
            assert!(present >= 2, "{:?}", r.raw);
        }
        for field in &strong {
            let missing = DATA.iter().filter(|r| r.raw.get(field).is_none()).count();
            let share = missing as f64 / DATA.len() as f64;
            assert!(
                (0.05..0.35).contains(&share),
                "{field:?} missing in {share}"
            );
        }
    }

    #[test]
    fn copies_write_one_phone_in_several_formats() {
        let mut reformatted = 0;
        for records in by_person().values() {
            let with_phone: Vec<_> = records.iter().filter(|e| e.1.phone.is_some()).collect();
            for pair in with_phone.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if a.1.phone == b.1.phone
                    && a.0.raw.get(&Field::Phone) != b.0.raw.get(&Field::Phone)
                {
                    reformatted += 1;
                }
            }
        }
        assert!(reformatted > 1000, "{reformatted}");
    }

    #[test]
    fn copies_carry_each_variation() {
        let mut nickname = 0;
        let mut gmail = 0;
        let mut email_case = 0;
        let mut name_typo = 0;
        let mut transposed = 0;
        let mut moved = 0;
        for records in by_person().values() {
            for (i, a) in records.iter().enumerate() {
                for b in &records[i + 1..] {
                    let (ra, rb) = (&a.1, &b.1);
                    if ra.given != rb.given && ra.given_canonical == rb.given_canonical {
                        nickname += 1;
                    }
                    if ra.email.is_some() && rb.email.is_some() {
                        if ra.email != rb.email && ra.email_canonical == rb.email_canonical {
                            gmail += 1;
                        }
                        let (ea, eb) = (a.0.raw.get(&Field::Email), b.0.raw.get(&Field::Email));
                        if ea != eb && ra.email == rb.email {
                            email_case += 1;
                        }
                    }
                    if ra.family != rb.family {
                        name_typo += 1;
                    }
                    if let (Some(da), Some(db)) = (&ra.date_of_birth, &rb.date_of_birth)
                        && da != db
                    {
                        // Same year, month and day swapped.
                        assert_eq!(da[..4], db[..4]);
                        assert_eq!((&da[5..7], &da[8..10]), (&db[8..10], &db[5..7]));
                        transposed += 1;
                    }
                    if ra.address_line.is_some()
                        && rb.address_line.is_some()
                        && ra.address_line != rb.address_line
                    {
                        moved += 1;
                    }
                }
            }
        }
        for (name, count, at_least) in [
            ("nickname", nickname, 200),
            ("gmail", gmail, 200),
            ("email case", email_case, 200),
            ("typo", name_typo, 150),
            ("transposed dob", transposed, 25),
            ("moved", moved, 200),
        ] {
            assert!(count >= at_least, "{name}: {count}");
        }
    }

    #[test]
    fn household_members_share_a_door_but_are_different_people() {
        let found = pairs_by(
            |_, hash| hash.clone(),
            |a, b| {
                a.0.person != b.0.person
                    && a.1.family == b.1.family
                    && a.1.given_canonical != b.1.given_canonical
                    && a.1.date_of_birth.is_some()
                    && b.1.date_of_birth.is_some()
                    && a.1.date_of_birth != b.1.date_of_birth
            },
        );
        assert!(found > 200, "{found}");
        // With a unit too: families in apartments.
        let in_apartments = pairs_by(
            |record, hash| record.address_unit.as_ref().and(hash.clone()),
            |a, b| a.0.person != b.0.person && a.1.family == b.1.family,
        );
        assert!(in_apartments > 100, "{in_apartments}");
    }

    #[test]
    fn households_share_landlines_and_family_emails_but_strangers_never_do() {
        let kinds: HashMap<u64, PersonKind> = DATA.iter().map(|r| (r.person, r.kind)).collect();
        let family = |k: PersonKind| matches!(k, PersonKind::Household | PersonKind::Twin);
        let shared_phone = pairs_by(
            |record, _| record.phone.clone(),
            |a, b| {
                let different = a.0.person != b.0.person;
                if different {
                    assert!(family(kinds[&a.0.person]) && family(kinds[&b.0.person]));
                }
                different
            },
        );
        assert!(shared_phone > 150, "{shared_phone}");
        let shared_email = pairs_by(
            |record, _| record.email_canonical.clone(),
            |a, b| {
                let different = a.0.person != b.0.person;
                if different {
                    assert!(family(kinds[&a.0.person]) && family(kinds[&b.0.person]));
                }
                different
            },
        );
        assert!(shared_email > 50, "{shared_email}");
        let shared_external_id = pairs_by(
            |record, _| record.external_id.clone(),
            |a, b| a.0.person != b.0.person,
        );
        assert_eq!(shared_external_id, 0);
    }

    #[test]
    fn twins_share_family_name_birth_date_and_address() {
        let found = pairs_by(
            |record, hash| Some((hash.clone()?, record.date_of_birth.clone()?)),
            |a, b| {
                a.0.person != b.0.person
                    && a.1.family == b.1.family
                    && a.1.given_canonical != b.1.given_canonical
            },
        );
        assert!(found >= 15, "{found}");
    }

    #[test]
    fn neighbours_share_a_street_address_but_not_a_unit() {
        let found = pairs_by(
            |record, _| Some((record.address_line.clone()?, record.city.clone()?)),
            |a, b| {
                a.0.person != b.0.person
                    && a.1.address_unit.is_some()
                    && b.1.address_unit.is_some()
                    && a.1.address_unit != b.1.address_unit
                    && a.1.family != b.1.family
            },
        );
        assert!(found > 200, "{found}");
    }

    #[test]
    fn namesakes_share_a_full_name_in_different_cities_and_years() {
        let found = pairs_by(
            |record, _| Some((record.given.clone()?, record.family.clone()?)),
            |a, b| {
                let years = |r: &Record| r.date_of_birth.as_ref().map(|d| d[..4].to_owned());
                a.0.person != b.0.person
                    && a.1.city.is_some()
                    && b.1.city.is_some()
                    && a.1.city != b.1.city
                    && years(&a.1).is_some()
                    && years(&b.1).is_some()
                    && years(&a.1) != years(&b.1)
            },
        );
        assert!(found > 100, "{found}");
        let marked = DATA
            .iter()
            .filter(|r| r.kind == PersonKind::Namesake)
            .count();
        assert!(marked > 0);
    }

    #[test]
    fn hard_negative_shares_follow_the_options() {
        let mut kinds: HashMap<u64, PersonKind> = HashMap::new();
        for r in DATA.iter() {
            kinds.insert(r.person, r.kind);
        }
        let share = |wanted: &[PersonKind]| {
            kinds.values().filter(|k| wanted.contains(k)).count() as f64 / PEOPLE as f64
        };
        let household = share(&[PersonKind::Household, PersonKind::Twin]);
        assert!((0.07..0.13).contains(&household), "household {household}");
        let neighbours = share(&[PersonKind::Neighbour]);
        assert!(
            (0.03..0.07).contains(&neighbours),
            "neighbours {neighbours}"
        );
        let namesakes = share(&[PersonKind::Namesake]);
        assert!((0.01..0.03).contains(&namesakes), "namesakes {namesakes}");
    }

    #[test]
    fn surnames_are_skewed_with_a_long_tail() {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        let mut first_names: HashSet<&str> = HashSet::new();
        for (synth, record, _) in NORMALIZED.iter() {
            if let Some(family) = &record.family {
                *counts.entry(family.as_str()).or_default() += 1;
            }
            if let Some(given) = &synth.raw.get(&Field::FirstName) {
                first_names.insert(given);
            }
        }
        let mut sorted: Vec<usize> = counts.values().copied().collect();
        sorted.sort_unstable();
        let top = *sorted.last().expect("surnames");
        let median = sorted[sorted.len() / 2];
        assert!(sorted.len() >= 1000, "{} distinct surnames", sorted.len());
        assert!(top >= 20 * median, "top {top}, median {median}");
        assert_eq!(
            counts.iter().max_by_key(|(_, c)| **c).map(|(n, _)| *n),
            Some("smith")
        );
        assert!(
            first_names.len() >= 300,
            "{} distinct given names",
            first_names.len()
        );
    }

    #[test]
    fn streaming_gives_the_same_records_as_generate() {
        let options = SynthOptions::new(800, 99);
        let key = |r: &SynthRecord| {
            let mut raw = r.raw.clone();
            raw.id.clear();
            (r.person, format!("{:?}", raw.fields))
        };
        let mut all: Vec<_> = generate(&options).iter().map(key).collect();
        let streamed: Vec<SynthRecord> = generate_iter(&options).collect();
        let mut stream_keys: Vec<_> = streamed.iter().map(key).collect();
        all.sort();
        stream_keys.sort();
        assert_eq!(all, stream_keys);
        assert_eq!(streamed[0].raw.id, "r1");
        assert_eq!(generate_iter(&options).count(), streamed.len());
    }

    #[test]
    fn csv_rows_follow_the_header_and_truth_is_separate() {
        let header = csv_header();
        assert_eq!(header[0], "id");
        assert!(!header.contains(&truth_column()));
        for r in DATA.iter().take(200) {
            let row = to_csv_row(r);
            assert_eq!(row.len(), header.len());
            assert_eq!(row[0], r.raw.id);
            for (column, value) in header.iter().zip(&row).skip(1) {
                let field = Field::parse(column).expect("known column");
                assert_eq!(r.raw.get(&field).unwrap_or_default(), value.trim());
            }
        }
        let truth = truth(&DATA);
        assert_eq!(truth.len(), DATA.len());
        assert_eq!(truth[0], (DATA[0].raw.id.clone(), DATA[0].person));
    }
}
