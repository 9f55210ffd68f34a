//! Demo data: a deterministic crowd of customers talking over every channel, with the duplicates
//! the seeds describe (phone formats, email case and Gmail dots, name typos, Amazon orders without
//! email, a family sharing a phone, one person split in two), fed through the real ingestion.

use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use spine_engine::synth::spelling::{ascii_letters, transpose};

use crate::services::ingest::ingest_events;
use crate::services::staff::create_user;
use crate::services::tenants::ensure_tenant;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::Store;
use crate::types::{
    AddressInput, Channel, Decision, Direction, EventInput, ExternalInput, HandleInput,
    IdentifiersInput, InteractionKind, OrderInput, OrderItem, Role,
};

pub const DEMO_TENANT: &str = "demo";

/// The demo staff, one per role. Their passwords are public (README): demo only.
pub const DEMO_STAFF: [(&str, &str, Role, &str); 3] = [
    (
        "admin@demo.spine.local",
        "Ada Admin",
        Role::Admin,
        "demo-admin-password",
    ),
    (
        "manager@demo.spine.local",
        "Max Manager",
        Role::Manager,
        "demo-manager-password",
    ),
    (
        "agent@demo.spine.local",
        "Alex Agent",
        Role::Agent,
        "demo-agent-password",
    ),
];

const GIVEN: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Steven",
    "Ashley",
    "Andrew",
    "Emily",
    "Joshua",
    "Michelle",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Deborah",
    "Sofia",
    "Mateo",
    "Aisha",
    "Wei",
    "Priya",
    "Olga",
    "Kenji",
    "Fatima",
    "José",
    "Zoë",
];
const FAMILY: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "O'Brien",
    "Müller",
];
const NICKNAMES: &[(&str, &str)] = &[
    ("Robert", "Bob"),
    ("William", "Bill"),
    ("Elizabeth", "Liz"),
    ("James", "Jim"),
    ("Michael", "Mike"),
    ("Richard", "Rick"),
    ("Margaret", "Peggy"),
    ("Joseph", "Joe"),
    ("Thomas", "Tom"),
    ("Daniel", "Dan"),
];
/// (city, state, zip, area code)
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Sacramento", "CA", "95814", "916"),
    ("Austin", "TX", "78701", "512"),
    ("New York", "NY", "10001", "212"),
    ("Chicago", "IL", "60601", "312"),
    ("Seattle", "WA", "98101", "206"),
    ("Boston", "MA", "02108", "617"),
    ("Denver", "CO", "80202", "303"),
    ("Miami", "FL", "33101", "305"),
    ("Portland", "OR", "97201", "503"),
];
const STREETS: &[&str] = &[
    "Main Street",
    "Oak Avenue",
    "Maple Drive",
    "Cedar Lane",
    "Pine Road",
    "Elm Street",
    "Lakeview Boulevard",
    "Sunset Court",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "hotmail.com",
    "proton.me",
];
const PRODUCTS: &[(&str, i64)] = &[
    ("Chocolate Dipped Strawberries", 4999),
    ("Birthday Bouquet", 6499),
    ("Fruit Platter", 8999),
    ("Gift Card", 2500),
    ("Party Box", 12999),
];

const QUESTIONS: &[&str] = &[
    "Hi, I need help with my order #{order}",
    "Is my order #{order} ready for pickup?",
    "Do you do birthday parties? We'd be about {guests} people.",
    "Can I change the delivery address for order #{order}?",
    "I'd like a refund for order #{order}, the fruit arrived bruised.",
    "What time do you open on Saturday?",
    "Thanks so much, the platter was perfect!",
    "Could you call me back? My number is {phone}",
    "Do you have gluten-free options?",
    "When will order #{order} be delivered?",
];
const REPLIES: &[&str] = &[
    "Hi {given}! Thanks for reaching out, let me check that for you.",
    "Your order is on its way and should arrive tomorrow.",
    "Yes, we do birthday parties! How many guests and what date?",
    "I've processed your refund, you'll see it in 3-5 business days.",
    "We open at 9am on Saturdays. See you then!",
];

/// Someone the demo business deals with.
#[derive(Debug, Clone)]
struct Person {
    given: String,
    family: String,
    email: String,
    phone_digits: String,
    handle: String,
    street_no: u32,
    street: &'static str,
    unit: Option<String>,
    place: (&'static str, &'static str, &'static str, &'static str),
    shopify_id: String,
}

impl Person {
    fn name(&self) -> String {
        format!("{} {}", self.given, self.family)
    }

    fn address(&self) -> AddressInput {
        AddressInput {
            line1: format!("{} {}", self.street_no, self.street),
            line2: self.unit.clone(),
            city: Some(self.place.0.to_owned()),
            region: Some(self.place.1.to_owned()),
            postal_code: Some(self.place.2.to_owned()),
            country: Some("US".to_owned()),
        }
    }

    /// The same number the way different channels write it.
    fn phone_as(&self, style: usize) -> String {
        let d = &self.phone_digits;
        let (a, b, c) = (&d[0..3], &d[3..6], &d[6..10]);
        match style % 5 {
            0 => format!("({a}) {b}-{c}"),
            1 => format!("{a}-{b}-{c}"),
            2 => format!("+1 {a} {b} {c}"),
            3 => format!("{a}{b}{c}"),
            _ => format!("+1{a}{b}{c}"),
        }
    }
}

fn make_person(rng: &mut ChaCha8Rng, n: usize) -> Person {
    let given = GIVEN[rng.gen_range(0..GIVEN.len())].to_owned();
    let family = FAMILY[rng.gen_range(0..FAMILY.len())].to_owned();
    let place = PLACES[rng.gen_range(0..PLACES.len())];
    let domain = DOMAINS[rng.gen_range(0..DOMAINS.len())];
    let (g, f) = (ascii_letters(&given), ascii_letters(&family));
    let email = match rng.gen_range(0..3) {
        0 => format!("{g}.{f}{n}@{domain}"),
        1 => format!("{}{f}{n}@{domain}", &g[..1]),
        _ => format!("{g}{f}{n}@{domain}"),
    };
    // 555-01xx is reserved for fiction; the rest of 555 keeps numbers plausible but not real.
    let phone_digits = format!("{}555{:04}", place.3, 1000 + n);
    Person {
        handle: format!("{g}_{f}{}", n % 100),
        street_no: rng.gen_range(10..9999),
        street: STREETS[rng.gen_range(0..STREETS.len())],
        unit: rng.gen_bool(0.3).then(|| {
            format!(
                "Apt {}{}",
                rng.gen_range(1..30),
                ['A', 'B', 'C'][rng.gen_range(0..3)]
            )
        }),
        shopify_id: format!("{}", 7_000_000 + n * 13),
        given,
        family,
        email,
        phone_digits,
        place,
    }
}

fn fill(template: &str, p: &Person, order: &str, rng: &mut ChaCha8Rng) -> String {
    template
        .replace("{order}", order)
        .replace("{guests}", &rng.gen_range(4..20).to_string())
        .replace("{phone}", &p.phone_as(rng.gen_range(0..5)))
        .replace("{given}", &p.given)
}

fn message(
    channel: Channel,
    direction: Direction,
    at: DateTime<Utc>,
    body: String,
    ids: IdentifiersInput,
    message_id: String,
) -> EventInput {
    EventInput {
        sentiment: None,
        campaign: None,
        channel,
        direction,
        kind: InteractionKind::Message,
        occurred_at: at,
        body: Some(body),
        external_id: Some(message_id),
        identifiers: ids,
        order: None,
        source: None,
        payload: None,
        custom: None,
    }
}

/// The demo's events, in time order, for `people` people anchored on `now`. The same seed and
/// anchor give the same events.
pub fn demo_events(seed: u64, people: usize, now: DateTime<Utc>) -> Vec<EventInput> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut events = Vec::new();
    let mut msg_no = 0u64;
    let mut next_id = |prefix: &str| {
        msg_no += 1;
        format!("{prefix}-{seed}-{msg_no}")
    };
    let crowd: Vec<Person> = (0..people).map(|n| make_person(&mut rng, n)).collect();

    for (n, p) in crowd.iter().enumerate() {
        let start = now - Duration::minutes(rng.gen_range(60..90 * 24 * 60));
        let mut at = start;
        let order_no = format!("{}", 1000 + n * 7);
        let journey_len = rng.gen_range(2..8);
        let mut channels = vec![
            Channel::Webchat,
            Channel::Sms,
            Channel::Email,
            Channel::Whatsapp,
            Channel::Instagram,
            Channel::Order,
            Channel::Booking,
        ];
        channels.shuffle(&mut rng);
        for (step, channel) in channels.into_iter().take(journey_len).enumerate() {
            at += Duration::minutes(rng.gen_range(5..3 * 24 * 60));
            if at > now {
                break;
            }
            let q = fill(
                QUESTIONS[rng.gen_range(0..QUESTIONS.len())],
                p,
                &order_no,
                &mut rng,
            );
            let reply = fill(
                REPLIES[rng.gen_range(0..REPLIES.len())],
                p,
                &order_no,
                &mut rng,
            );
            let name = Some(p.name());
            match channel {
                Channel::Webchat | Channel::Email => {
                    // Email case differs by channel: normalization must make it one address.
                    let email = if step % 2 == 0 {
                        p.email.clone()
                    } else {
                        p.email.to_uppercase()
                    };
                    let ids = IdentifiersInput {
                        email: Some(email),
                        name,
                        ..Default::default()
                    };
                    events.push(message(
                        channel,
                        Direction::Inbound,
                        at,
                        q,
                        ids.clone(),
                        next_id(channel.as_str()),
                    ));
                    events.push(message(
                        channel,
                        Direction::Outbound,
                        at + Duration::minutes(rng.gen_range(2..90)),
                        reply,
                        ids,
                        next_id(channel.as_str()),
                    ));
                }
                Channel::Sms | Channel::Whatsapp => {
                    let ids = IdentifiersInput {
                        phone: Some(p.phone_as(step + n)),
                        ..Default::default()
                    };
                    events.push(message(
                        channel,
                        Direction::Inbound,
                        at,
                        q,
                        ids.clone(),
                        next_id(channel.as_str()),
                    ));
                    events.push(message(
                        channel,
                        Direction::Outbound,
                        at + Duration::minutes(rng.gen_range(1..30)),
                        reply,
                        ids,
                        next_id(channel.as_str()),
                    ));
                }
                Channel::Instagram => {
                    // A DM knows only the handle, until the customer writes their number.
                    let body = format!("{q} You can reach me at {}", p.phone_as(n));
                    let ids = IdentifiersInput {
                        handle: Some(HandleInput {
                            platform: "instagram".into(),
                            handle: format!("@{}", p.handle),
                        }),
                        ..Default::default()
                    };
                    events.push(message(
                        channel,
                        Direction::Inbound,
                        at,
                        body,
                        ids,
                        next_id("ig"),
                    ));
                }
                Channel::Order => events.push(shopify_order(
                    p,
                    at,
                    &order_no,
                    &mut rng,
                    next_id("shopify"),
                )),
                Channel::Booking => {
                    let ids = IdentifiersInput {
                        phone: Some(p.phone_as(n + 1)),
                        email: Some(p.email.clone()),
                        name,
                        ..Default::default()
                    };
                    let guests = rng.gen_range(4..16);
                    events.push(EventInput {
                        kind: InteractionKind::Booking,
                        payload: Some(serde_json::json!({"guests": guests, "date": (at + Duration::days(7)).date_naive()})),
                        ..message(Channel::Booking, Direction::Inbound, at, format!("Booking for {guests} guests"), ids, next_id("booking"))
                    });
                }
                _ => {}
            }
        }

        // Deliberate duplicates, in every form the seeds describe.
        let dup_at = (at + Duration::hours(rng.gen_range(2..72))).min(now);
        match n % 10 {
            // Gmail dots and +tags: the same inbox, another string. Goes to review.
            0 if p.email.ends_with("@gmail.com") => {
                let (local, domain) = p.email.split_once('@').unwrap_or((&p.email, "gmail.com"));
                let dotted = format!("{}+shop@{domain}", local.replace('.', ""));
                let ids = IdentifiersInput {
                    email: Some(dotted),
                    name: Some(p.name()),
                    ..Default::default()
                };
                events.push(message(
                    Channel::Email,
                    Direction::Inbound,
                    dup_at,
                    "Sending this from my other address, any update?".into(),
                    ids,
                    next_id("email"),
                ));
            }
            // A typo in the name, same phone: linked, the name is close enough.
            1 => {
                let typo = format!("{} {}", p.given, transpose(&p.family, 2));
                let ids = IdentifiersInput {
                    phone: Some(p.phone_as(2)),
                    name: Some(typo),
                    ..Default::default()
                };
                events.push(message(
                    Channel::Sms,
                    Direction::Inbound,
                    dup_at,
                    "Hi it's me again".into(),
                    ids,
                    next_id("sms"),
                ));
            }
            // Amazon withholds the buyer's email: name and shipping address only.
            2 => {
                let ids = IdentifiersInput {
                    name: Some(p.name()),
                    address: Some(p.address()),
                    ..Default::default()
                };
                let total = rng.gen_range(1500..20000);
                events.push(EventInput {
                    kind: InteractionKind::Order,
                    order: Some(OrderInput {
                        provider: "amazon".into(),
                        external_id: format!("114-{n:07}-{}", rng.gen_range(1000000..9999999)),
                        total_cents: total,
                        currency: "USD".into(),
                        status: "shipped".into(),
                        items: vec![OrderItem {
                            name: "Gift Card".into(),
                            quantity: 1,
                            price_cents: total,
                        }],
                    }),
                    source: Some("amazon".into()),
                    ..message(
                        Channel::Order,
                        Direction::Inbound,
                        dup_at,
                        format!("Amazon order, ${:.2}", total as f64 / 100.0),
                        ids,
                        next_id("amazon"),
                    )
                });
            }
            // A family member writing from the same phone: never linked automatically.
            3 => {
                let relative = format!("{} {}", GIVEN[(n * 7 + 3) % GIVEN.len()], p.family);
                if !relative.starts_with(&p.given) {
                    let ids = IdentifiersInput {
                        phone: Some(p.phone_as(0)),
                        name: Some(relative),
                        ..Default::default()
                    };
                    events.push(message(
                        Channel::Whatsapp,
                        Direction::Inbound,
                        dup_at,
                        "Hi, this is for my dad's order".into(),
                        ids,
                        next_id("whatsapp"),
                    ));
                }
            }
            // A nickname and a formatted phone: the same person.
            4 => {
                if let Some((_, nick)) = NICKNAMES.iter().find(|(full, _)| *full == p.given) {
                    let ids = IdentifiersInput {
                        phone: Some(p.phone_as(3)),
                        name: Some(format!("{nick} {}", p.family)),
                        ..Default::default()
                    };
                    events.push(message(
                        Channel::Phone,
                        Direction::Inbound,
                        dup_at,
                        "Missed call, left a voicemail".into(),
                        ids,
                        next_id("call"),
                    ));
                }
            }
            // Email says one profile, phone says another: ambiguous, never merged.
            5 => {
                let other = &crowd[(n + 1) % crowd.len()];
                let ids = IdentifiersInput {
                    email: Some(p.email.clone()),
                    phone: Some(other.phone_as(1)),
                    name: Some(p.name()),
                    ..Default::default()
                };
                events.push(message(
                    Channel::Webchat,
                    Direction::Inbound,
                    dup_at,
                    "Can you update my phone number?".into(),
                    ids,
                    next_id("webchat"),
                ));
            }
            _ => {}
        }
    }
    events.sort_by_key(|e| e.occurred_at);
    for event in &mut events {
        annotate(event);
    }
    events
}

/// Campaigns the demo business ran; a third of web chat, Instagram and email first contacts
/// came from one (a profile keeps the campaign of the event that created it).
const CAMPAIGNS: &[&str] = &[
    "spring-platters",
    "instagram-ads",
    "newsletter",
    "google-search",
];

/// What an integration would add to a demo message: a sentiment score for what customers write
/// (as a chatbot's model would give it, from the words), and a campaign on some first contacts.
/// Derived from the message itself, so the demo stays the same for a seed.
fn annotate(event: &mut EventInput) {
    let id = event.external_id.clone().unwrap_or_default();
    let hash = id
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let jitter = (hash % 21) as f64 / 100.0 - 0.1;
    if event.direction == Direction::Inbound
        && event.kind == InteractionKind::Message
        && let Some(body) = &event.body
    {
        let text = body.to_lowercase();
        let base = if ["thanks", "perfect", "love"]
            .iter()
            .any(|w| text.contains(w))
        {
            0.75
        } else if ["refund", "bruised", "wrong", "late"]
            .iter()
            .any(|w| text.contains(w))
        {
            -0.6
        } else if text.contains("when will") || text.contains("is my order") {
            -0.15
        } else {
            0.2
        };
        event.sentiment = Some(f64::clamp(base + jitter, -1.0, 1.0));
    }
    if matches!(
        event.channel,
        Channel::Webchat | Channel::Instagram | Channel::Email
    ) && hash % 3 == 0
    {
        event.campaign = Some(CAMPAIGNS[(hash / 3) as usize % CAMPAIGNS.len()].to_owned());
    }
}

fn shopify_order(
    p: &Person,
    at: DateTime<Utc>,
    order_no: &str,
    rng: &mut ChaCha8Rng,
    message_id: String,
) -> EventInput {
    let (product, price) = PRODUCTS[rng.gen_range(0..PRODUCTS.len())];
    let quantity = rng.gen_range(1..3);
    let ids = IdentifiersInput {
        email: Some(p.email.clone()),
        phone: Some(p.phone_as(4)),
        name: Some(p.name()),
        external: Some(ExternalInput {
            provider: "shopify".into(),
            id: p.shopify_id.clone(),
        }),
        address: Some(p.address()),
        ..Default::default()
    };
    EventInput {
        kind: InteractionKind::Order,
        order: Some(OrderInput {
            provider: "shopify".into(),
            external_id: order_no.to_owned(),
            total_cents: price * quantity,
            currency: "USD".into(),
            status: "placed".into(),
            items: vec![OrderItem {
                name: product.into(),
                quantity,
                price_cents: price,
            }],
        }),
        source: Some("shopify".into()),
        ..message(
            Channel::Order,
            Direction::Inbound,
            at,
            format!("Order #{order_no}: {quantity} x {product}"),
            ids,
            message_id,
        )
    }
}

/// What seeding did, in the seed team's metric vocabulary.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SeedReport {
    pub events: usize,
    pub created: usize,
    pub linked: usize,
    pub review: usize,
    pub ambiguous: usize,
    pub duplicates: usize,
    pub staff_created: usize,
}

/// The demo tenant archives conversations resolved this many days ago.
pub const DEMO_ARCHIVE_DAYS: i32 = 60;

/// Creates the demo tenant and staff, then ingests the demo events. Safe to run twice: events are
/// idempotent by message id and existing staff are kept.
pub async fn seed_demo(
    store: &Store,
    seed: u64,
    people: usize,
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize, usize),
) -> ServiceResult<(Tenant, SeedReport)> {
    let tenant = ensure_tenant(store, DEMO_TENANT, "Demo Fruit Co.", "US").await?;
    let mut report = SeedReport::default();
    for (email, name, role, password) in DEMO_STAFF {
        match create_user(store, &tenant, email, name, role, password).await {
            Ok(_) => report.staff_created += 1,
            Err(ServiceError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let events = demo_events(seed, people, now);
    let actor = Actor::System("demo");
    let total = events.len();
    let mut events = events.into_iter().peekable();
    let mut done = 0;
    while events.peek().is_some() {
        let group: Vec<_> = events.by_ref().take(250).collect();
        for outcome in ingest_events(store, &tenant, &actor, group).await {
            let outcome = outcome?;
            done += 1;
            report.events += 1;
            if outcome.duplicate {
                report.duplicates += 1;
            } else {
                match outcome.decision {
                    Decision::Created => report.created += 1,
                    Decision::Linked => report.linked += 1,
                    Decision::Review => report.review += 1,
                    Decision::Ambiguous => report.ambiguous += 1,
                }
            }
        }
        progress(done, total);
    }
    // Where each person stands, as a CRM would have it: buyers are customers, those who booked
    // are leads, and buyers not seen for two months have churned.
    let mut tx = store.begin().await?;
    tx.apply_demo_lifecycle(tenant.id, now - Duration::days(60))
        .await?;
    // Conversations idle for a week were answered and closed; the demo archives those
    // resolved more than 60 days ago (the default is 90), so archived conversations show.
    tx.resolve_idle_threads(tenant.id, now - Duration::days(7))
        .await?;
    let mut tenant = tenant;
    tenant.memory.archive_after_days = DEMO_ARCHIVE_DAYS;
    tx.set_memory_windows(
        tenant.id,
        tenant.memory.thread_window_hours,
        tenant.memory.thread_reopen_hours,
        tenant.memory.archive_after_days,
    )
    .await?;
    tx.commit().await?;
    crate::services::memory::archive_threads(store, &tenant, &actor, now, |_, _| {}).await?;
    Ok((tenant, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn same_seed_same_events() {
        assert_eq!(demo_events(7, 40, anchor()), demo_events(7, 40, anchor()));
        assert_ne!(demo_events(7, 40, anchor()), demo_events(8, 40, anchor()));
    }

    #[test]
    fn events_are_in_time_order_and_never_in_the_future() {
        let events = demo_events(1, 100, anchor());
        assert!(
            events
                .windows(2)
                .all(|w| w[0].occurred_at <= w[1].occurred_at)
        );
        assert!(
            events
                .iter()
                .all(|e| e.occurred_at <= anchor() + Duration::hours(2))
        );
    }

    #[test]
    fn demo_covers_every_channel_and_the_duplicate_forms() {
        let events = demo_events(1, 200, anchor());
        for channel in [
            Channel::Sms,
            Channel::Email,
            Channel::Whatsapp,
            Channel::Instagram,
            Channel::Webchat,
            Channel::Order,
            Channel::Booking,
        ] {
            assert!(
                events.iter().any(|e| e.channel == channel),
                "no {channel} event"
            );
        }
        assert!(
            events
                .iter()
                .any(|e| e.order.as_ref().is_some_and(|o| o.provider == "amazon")
                    && e.identifiers.email.is_none())
        );
        assert!(events.iter().any(|e| {
            e.identifiers
                .email
                .as_deref()
                .is_some_and(|m| m.contains("+shop@gmail.com"))
        }));
        assert!(events.iter().any(|e| {
            e.identifiers
                .email
                .as_deref()
                .is_some_and(|m| m.chars().any(|c| c.is_ascii_uppercase()))
        }));
    }
}
