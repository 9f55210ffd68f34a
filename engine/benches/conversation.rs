//! Cross-channel memory on the hot path of every inbound message: reading one typical message
//! (entities, topics, sentiment), and cutting 200 candidate memory blocks to a prompt-sized
//! context. Kept short (3 s per benchmark) like the other engine benches.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spine_engine::conversation::{
    CalendarDate, ContextBlock, extract_entities, relevance, render_context, sentiment, topics,
};

const MESSAGE: &str = "Hi! I ordered the large fruit platter last Tuesday (order #48213) for my \
    mom's birthday on May 14, but it hasn't arrived yet. Tracking says delivered at 3:45pm but \
    nobody was home. The total was $89.99 and the zip is 95814. Could you call me at \
    (916) 555-1234? I'm really disappointed, I'd like a refund if it can't come tomorrow.";

const PRODUCTS: &[&str] = &[
    "fruit platter",
    "large fruit platter",
    "chocolate strawberries",
    "birthday cake",
    "gift basket",
    "cheese board",
];

fn blocks() -> Vec<ContextBlock> {
    (0..200)
        .map(|i| ContextBlock {
            relevance: relevance(f64::from(i) * 3.5, i % 3 == 0, f64::from(i % 5) / 4.0, i % 2 == 0),
            title: format!("Conversation {i} (whatsapp, order #{})", 40_000 + i),
            lines: (0..5)
                .map(|j| {
                    format!(
                        "2026-04-{:02} whatsapp: message {j} about order #{} and the fruit platter delivery.",
                        1 + i % 28,
                        40_000 + i
                    )
                })
                .collect(),
        })
        .collect()
}

fn conversation(c: &mut Criterion) {
    let today = CalendarDate::new(2026, 5, 12).expect("a day");
    let mut group = c.benchmark_group("conversation");

    group.throughput(Throughput::Bytes(MESSAGE.len() as u64));
    group.bench_function("read_message", |b| {
        b.iter(|| {
            let text = black_box(MESSAGE);
            black_box(extract_entities(text, PRODUCTS, today));
            black_box(topics(text));
            black_box(sentiment(text));
        })
    });
    group.bench_function("extract_entities", |b| {
        b.iter(|| black_box(extract_entities(black_box(MESSAGE), PRODUCTS, today)))
    });
    // The most a tenant's vocabulary passes: its 500 most ordered product names.
    let catalogue: Vec<String> = (0..494)
        .map(|i| format!("product {i} deluxe"))
        .chain(PRODUCTS.iter().map(|p| p.to_string()))
        .collect();
    let catalogue: Vec<&str> = catalogue.iter().map(String::as_str).collect();
    group.bench_function("extract_entities_500_products", |b| {
        b.iter(|| black_box(extract_entities(black_box(MESSAGE), &catalogue, today)))
    });
    group.bench_function("topics", |b| {
        b.iter(|| black_box(topics(black_box(MESSAGE))))
    });
    group.bench_function("sentiment", |b| {
        b.iter(|| black_box(sentiment(black_box(MESSAGE))))
    });

    let blocks = blocks();
    group.throughput(Throughput::Elements(blocks.len() as u64));
    for budget in [2_000, 8_000] {
        group.bench_function(format!("render_context_200_blocks_{budget}_chars"), |b| {
            b.iter(|| black_box(render_context(black_box(&blocks), budget)))
        });
    }
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
    targets = conversation
}
criterion_main!(benches);
