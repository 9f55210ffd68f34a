//! Normalizer throughput per identifier kind, on realistic inputs: the synthetic generator's
//! records for names, emails, phones and addresses, plus handles and a DM-length message for
//! extraction. Each group reports elements per second. Kept short (3 s per benchmark) so the
//! whole run stays under two minutes.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spine_engine::extract::extract_phones;
use spine_engine::normalize::address::{Address, AddressInput};
use spine_engine::normalize::email::Email;
use spine_engine::normalize::handle::Handle;
use spine_engine::normalize::name::PersonName;
use spine_engine::normalize::phone::{Phone, Region};
use spine_engine::record::{Field, RawRecord, Record};
use spine_engine::synth::{SynthOptions, generate};

const SAMPLE: usize = 1000;

fn records() -> Vec<RawRecord> {
    generate(&SynthOptions::new(SAMPLE, 42))
        .into_iter()
        .map(|record| record.raw)
        .take(SAMPLE)
        .collect()
}

fn values(records: &[RawRecord], field: &Field) -> Vec<String> {
    records
        .iter()
        .filter_map(|record| record.get(field).map(str::to_owned))
        .collect()
}

fn normalizers(c: &mut Criterion) {
    let records = records();
    let region = Region::default();
    let mut group = c.benchmark_group("normalize");

    let emails = values(&records, &Field::Email);
    group.throughput(Throughput::Elements(emails.len() as u64));
    group.bench_function("email_parse", |b| {
        b.iter(|| {
            for email in &emails {
                let _ = black_box(Email::parse(black_box(email)));
            }
        })
    });

    // The generator writes phones in eight formats, from "(916) 555-1234" to "+19165551234".
    let phones = values(&records, &Field::Phone);
    group.throughput(Throughput::Elements(phones.len() as u64));
    group.bench_function("phone_parse_us_mixed_formats", |b| {
        b.iter(|| {
            for phone in &phones {
                let _ = black_box(Phone::parse(black_box(phone), region));
            }
        })
    });

    let names: Vec<String> = records
        .iter()
        .filter_map(|record| {
            Some(format!(
                "{} {}",
                record.get(&Field::FirstName)?,
                record.get(&Field::LastName)?
            ))
        })
        .collect();
    group.throughput(Throughput::Elements(names.len() as u64));
    group.bench_function("person_name_parse", |b| {
        b.iter(|| {
            for name in &names {
                let _ = black_box(PersonName::parse(black_box(name)));
            }
        })
    });

    let addresses: Vec<&RawRecord> = records
        .iter()
        .filter(|record| record.get(&Field::Address1).is_some())
        .collect();
    group.throughput(Throughput::Elements(addresses.len() as u64));
    group.bench_function("address_parse_and_hash", |b| {
        b.iter(|| {
            for record in &addresses {
                let input = AddressInput {
                    line1: record.get(&Field::Address1).unwrap_or_default(),
                    line2: record.get(&Field::Address2),
                    city: record.get(&Field::City),
                    region: record.get(&Field::State),
                    postal_code: record.get(&Field::Postcode),
                    country: record.get(&Field::Country),
                };
                if let Ok(address) = Address::parse(black_box(input)) {
                    black_box(address.hash());
                }
            }
        })
    });

    let handles: Vec<(&str, String)> = (0..SAMPLE)
        .map(|i| match i % 4 {
            0 => ("instagram", format!("@Jane.Doe_{i}")),
            1 => ("x", format!("https://x.com/JaneDoe{i}")),
            2 => ("tiktok", format!("@jane_doe.{i}")),
            _ => ("facebook", format!("Jane Doe {i}")),
        })
        .collect();
    group.throughput(Throughput::Elements(handles.len() as u64));
    group.bench_function("handle_parse", |b| {
        b.iter(|| {
            for (platform, handle) in &handles {
                let _ = black_box(Handle::parse(platform, black_box(handle)));
            }
        })
    });

    let message = "Hi! I ordered the large fruit bouquet last Tuesday (order #48213) for my \
        mom's birthday, but it hasn't arrived yet. Tracking says delivered at 3:45pm on \
        2024-05-14 but nobody was home. Could you call me back at (916) 555-1234 or my \
        husband at 916.555.9876? If that fails, text +1 415 555 0100. The gift card total was \
        $89.99 and the zip is 95814. Thanks so much, Jane";
    group.throughput(Throughput::Bytes(message.len() as u64));
    group.bench_function("extract_phones_dm", |b| {
        b.iter(|| black_box(extract_phones(black_box(message), region)))
    });

    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("record_from_raw", |b| {
        b.iter(|| {
            for record in &records {
                black_box(Record::from_raw(black_box(record), region));
            }
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = normalizers
}
criterion_main!(benches);
