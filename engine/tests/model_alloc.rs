//! The batch path compares tens of millions of pairs: comparing into a reused buffer and
//! weighing must not touch the allocator. A counting allocator (per thread, so the test
//! harness's own threads do not count) pins it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use spine_engine::model::{Gamma, Model};
use spine_engine::normalize::phone::Region;
use spine_engine::record::{Field, RawRecord, Record};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

fn person(pairs: &[(&str, &str)]) -> Record {
    let raw = RawRecord {
        id: "r".into(),
        fields: pairs
            .iter()
            .map(|(k, v)| (Field::parse(k).unwrap(), (*v).to_owned()))
            .collect(),
    };
    Record::from_raw(&raw, Region::parse("US").unwrap()).0
}

#[test]
fn model_compare_into_and_match_weight_do_not_allocate() {
    let model = Model::for_fields(&[
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Phone,
        Field::Address1,
        Field::City,
        Field::Postcode,
        Field::DateOfBirth,
        Field::ExternalId,
        Field::Other("tier".into()),
    ]);
    let people = [
        person(&[
            ("first_name", "Jonathon"),
            ("last_name", "Smith"),
            ("email", "jon.smith+shop@gmail.com"),
            ("phone", "(916) 555-1234"),
            ("address_1", "12 Main St Apt 4"),
            ("city", "Austin"),
            ("state", "TX"),
            ("postcode", "78701"),
            ("date_of_birth", "1980-07-04"),
            ("external_id", "C-1"),
            ("other:tier", "gold"),
        ]),
        person(&[
            ("first_name", "Jonathan"),
            ("last_name", "Smyth"),
            ("email", "jonsmith@gmail.com"),
            ("phone", "212 555 1234"),
            ("address_1", "12 Main Street Apt 5"),
            ("city", "Austin"),
            ("postcode", "78702"),
            ("date_of_birth", "1980-04-07"),
            ("external_id", "C-2"),
            ("other:tier", "silver"),
        ]),
        person(&[("first_name", "Zoë"), ("last_name", "Müller-Łukasiewicz")]),
        person(&[("full_name", "Smith Jonathon")]),
    ];
    let mut gamma = Gamma::with_capacity(model.comparisons.len());
    let mut total = 0.0;

    // The nickname table is built once, on first use: not a cost of any one pair.
    model.compare_into(&people[0], &people[1], &mut gamma);
    let before = allocations();
    for a in &people {
        for b in &people {
            model.compare_into(a, b, &mut gamma);
            total += model.weigh(&gamma);
            total += model.match_weight(a, b);
        }
    }
    let allocated = allocations() - before;

    assert!(total.is_finite());
    assert_eq!(allocated, 0, "compare_into/weigh/match_weight allocated");
}
