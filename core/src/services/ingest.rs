//! Ingestion: one interaction in, resolved to one profile, stored on its timeline, in one
//! transaction. Idempotent on the provider's message id. Ambiguity never merges profiles: the
//! interaction lands on a provisional profile and a person decides from the review queue.

use std::collections::BTreeMap;

use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use spine_engine::identifier::IdentifierKind;
use spine_engine::model::Model;
use spine_engine::normalize::address::{Address, AddressInput};
use spine_engine::normalize::email::Email;
use spine_engine::normalize::external::ExternalId;
use spine_engine::normalize::handle::Handle;
use spine_engine::normalize::name::PersonName;
use spine_engine::normalize::phone::Phone;
use spine_engine::record::{Field, RawRecord, Record};
use spine_engine::resolve::{
    self, Candidate, MatchLevel, ProfileEvidence, Resolution, ScoredCandidate, SharedIdentifier,
};

use crate::services::matching::current_model;
use crate::services::review::queue_review_item;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant, audit, short_text};
use crate::store::{
    CustomerPatch, IdentityRow, NewCustomer, NewIdentity, NewInteraction, NewOrder, NewReviewItem,
    Store, StoreError, Tx,
};
use crate::types::{
    Assurance, Channel, Claim, Decision, Direction, EventInput, IdentifiersInput, IngestOutcome,
    InteractionKind,
};

/// Bodies past this are refused rather than truncated: nothing is silently lost.
pub const MAX_BODY_CHARS: usize = 64 * 1024;
/// A provider's message id (`external_id`, or the `Idempotency-Key` standing in for it).
pub const MAX_EXTERNAL_ID_CHARS: usize = 255;
/// Identifiers found in message text are likely, not certain, to be the sender's ("call my
/// husband at ..." happens); high enough that "my number is ..." alone links an exact phone.
const EXTRACTED_CONFIDENCE: f64 = 0.96;
/// At most this many addresses and numbers are read from one message body, whatever its size:
/// a message is one person talking, not a directory.
pub const MAX_EXTRACTED: usize = 5;
/// A billion in any currency's unit, in cents: more than any order a business takes.
pub const MAX_CENTS: u64 = 100_000_000_000;
/// At most this many lines in one order.
pub const MAX_ORDER_ITEMS: usize = 500;
/// At most this many of one thing in an order line.
pub const MAX_QUANTITY: i64 = 1_000_000;

/// One normalized identifier the event carries.
#[derive(Debug, Clone)]
pub(super) struct Probe {
    kind: IdentifierKind,
    provider: String,
    value: String,
    raw: Option<String>,
    match_key: String,
    variants: Vec<String>,
    confidence: f64,
    /// How far it is trusted before it meets any profile (see [`learned_assurance`]).
    assurance: Assurance,
    /// Read from the message text rather than given by the integration.
    from_text: bool,
}

impl Probe {
    fn exact(kind: IdentifierKind, provider: &str, value: &str, raw: &str) -> Probe {
        Probe {
            kind,
            provider: provider.to_owned(),
            value: value.to_owned(),
            raw: Some(raw.to_owned()),
            match_key: value.to_owned(),
            variants: Vec::new(),
            confidence: 1.0,
            assurance: Assurance::Asserted,
            from_text: false,
        }
    }

    /// An address or number someone wrote in a message.
    fn written(
        kind: IdentifierKind,
        value: &str,
        match_key: String,
        variants: Vec<String>,
    ) -> Probe {
        Probe {
            raw: None,
            match_key,
            variants,
            confidence: EXTRACTED_CONFIDENCE,
            assurance: Assurance::Claimed,
            from_text: true,
            ..Probe::exact(kind, "", value, "")
        }
    }

    /// Addresses and numbers are where sign-in codes go.
    fn is_contact(&self) -> bool {
        matches!(self.kind, IdentifierKind::Email | IdentifierKind::Phone)
    }

    /// External ids and logins identify one account: a profile holds them alone.
    fn exclusive(&self) -> bool {
        matches!(
            self.kind,
            IdentifierKind::ExternalId | IdentifierKind::Login
        )
    }
}

/// What the event says about its sender, normalized; refuses malformed identifiers by field.
#[derive(Debug, Default)]
pub(super) struct Sender {
    probes: Vec<Probe>,
    name: Option<PersonName>,
    display_name: Option<String>,
    email: Option<Email>,
    phone: Option<Phone>,
    address_hash: Option<String>,
}

impl Sender {
    pub(super) fn probes(&self) -> &[Probe] {
        &self.probes
    }

    /// Every key another event could find this sender by: identifiers, their match keys and
    /// variants. Transactions resolving senders that share one are serialised (`Tx::lock_keys`).
    pub(super) fn lock_keys(&self, tenant: &Tenant) -> Vec<(Uuid, String)> {
        let mut keys = Vec::new();
        for probe in &self.probes {
            let kind = probe.kind.as_str();
            let exact = spine_engine::keys::lock_keys(
                kind,
                &probe.provider,
                &probe.value,
                &probe.match_key,
            );
            let variants = probe.variants.iter().map(|variant| {
                spine_engine::keys::variant_lock_key(kind, &probe.provider, variant)
            });
            keys.extend(
                exact
                    .into_iter()
                    .chain(variants)
                    .map(|key| (tenant.id, key)),
            );
        }
        keys
    }

    /// The hashes an erased person's identifiers left behind (`keys::tombstone_hash`).
    fn tombstone_hashes(&self, tenant: &Tenant) -> Vec<String> {
        self.probes
            .iter()
            .map(|p| {
                spine_engine::keys::tombstone_hash(
                    tenant.id.as_bytes(),
                    p.kind.as_str(),
                    &p.provider,
                    &p.value,
                )
            })
            .collect()
    }
}

/// The kind of identifier a channel delivers a message from, which the channel (not the
/// sender) vouches for: the number an SMS, a WhatsApp message or a call came from, an email's
/// From, a store's or a booking system's customer email (where its receipts go), the handle a
/// DM came from. A web chat or a note has none: whatever its visitor typed is their word only.
fn native_kind(channel: Channel) -> Option<IdentifierKind> {
    match channel {
        Channel::Sms | Channel::Whatsapp | Channel::Phone => Some(IdentifierKind::Phone),
        Channel::Email | Channel::Order | Channel::Booking => Some(IdentifierKind::Email),
        Channel::Instagram | Channel::Facebook => Some(IdentifierKind::Handle),
        Channel::Webchat | Channel::Note => None,
    }
}

/// How far an identifier an integration sends is trusted before it meets any profile: a
/// provider's account ids and the channel's own address are asserted; any other address,
/// number, handle or postal address is what the sender typed (a form, a checkout), a claim.
fn learned_assurance(channel: Option<Channel>, kind: IdentifierKind) -> Assurance {
    let asserted = matches!(kind, IdentifierKind::ExternalId | IdentifierKind::Login)
        || channel.and_then(native_kind) == Some(kind);
    if asserted {
        Assurance::Asserted
    } else {
        Assurance::Claimed
    }
}

/// Normalizes what is known of a sender; `channel` is where the message came from (none for a
/// lookup), `text` a message body the sender wrote, searched for phone numbers and emails.
pub(super) fn normalize_sender(
    tenant: &Tenant,
    ids: &IdentifiersInput,
    channel: Option<Channel>,
    text: Option<&str>,
) -> ServiceResult<Sender> {
    let mut sender = normalize_identifiers(tenant, ids)?;
    for probe in &mut sender.probes {
        probe.assurance = learned_assurance(channel, probe.kind);
    }
    if let Some(body) = text {
        // Bounded however long the body is: the extractors stop once enough are found.
        let phones = spine_engine::extract::phones_in_text(body, tenant.region);
        let mut taken = 0;
        for phone in phones.take(MAX_EXTRACTED) {
            taken += 1;
            if !sender
                .probes
                .iter()
                .any(|p| p.kind == IdentifierKind::Phone && p.value == phone.e164())
            {
                let variants = phone.variants().into_iter().map(|v| v.value).collect();
                sender.probes.push(Probe::written(
                    IdentifierKind::Phone,
                    phone.e164(),
                    phone.e164().to_owned(),
                    variants,
                ));
            }
        }
        for email in spine_engine::extract::emails_in(body).take(MAX_EXTRACTED - taken) {
            if !sender
                .probes
                .iter()
                .any(|p| p.kind == IdentifierKind::Email && p.value == email.as_str())
            {
                sender.probes.push(Probe::written(
                    IdentifierKind::Email,
                    email.as_str(),
                    email.canonical(),
                    Vec::new(),
                ));
            }
        }
    }
    Ok(sender)
}

/// The identifiers an integration sent, normalized; refuses a malformed one, naming its field.
fn normalize_identifiers(tenant: &Tenant, ids: &IdentifiersInput) -> ServiceResult<Sender> {
    let mut sender = Sender::default();
    if let Some(ext) = &ids.external {
        let id = ExternalId::parse(&ext.provider, &ext.id)
            .map_err(|e| ServiceError::invalid("identifiers.external", e))?;
        sender.probes.push(Probe::exact(
            IdentifierKind::ExternalId,
            id.provider(),
            id.id(),
            &ext.id,
        ));
    }
    if let Some(login) = ids
        .login
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        sender
            .probes
            .push(Probe::exact(IdentifierKind::Login, "", login, login));
    }
    if let Some(raw) = &ids.email {
        let email = Email::parse(raw).map_err(|e| ServiceError::invalid("identifiers.email", e))?;
        sender.probes.push(Probe {
            match_key: email.canonical(),
            ..Probe::exact(IdentifierKind::Email, "", email.as_str(), raw)
        });
        sender.email = Some(email);
    }
    if let Some(raw) = &ids.phone {
        let phone = Phone::parse(raw, tenant.region)
            .map_err(|e| ServiceError::invalid("identifiers.phone", e))?;
        sender.probes.push(Probe {
            variants: phone.variants().into_iter().map(|v| v.value).collect(),
            ..Probe::exact(IdentifierKind::Phone, "", phone.e164(), raw)
        });
        sender.phone = Some(phone);
    }
    if let Some(h) = &ids.handle {
        let handle = Handle::parse(&h.platform, &h.handle)
            .map_err(|e| ServiceError::invalid("identifiers.handle", e))?;
        sender.probes.push(Probe::exact(
            IdentifierKind::Handle,
            handle.platform(),
            handle.handle(),
            &h.handle,
        ));
    }
    if let Some(a) = &ids.address {
        let address = Address::parse(AddressInput {
            line1: &a.line1,
            line2: a.line2.as_deref(),
            city: a.city.as_deref(),
            region: a.region.as_deref(),
            postal_code: a.postal_code.as_deref(),
            country: a.country.as_deref(),
        })
        .map_err(|e| ServiceError::invalid("identifiers.address", e))?;
        let hash = address.hash();
        sender.probes.push(Probe {
            raw: None,
            ..Probe::exact(IdentifierKind::AddressHash, "", &hash, "")
        });
        sender.address_hash = Some(hash);
    }
    if let Some(raw) = ids.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        let name =
            PersonName::parse(raw).map_err(|e| ServiceError::invalid("identifiers.name", e))?;
        sender.display_name = Some(raw.split_whitespace().collect::<Vec<_>>().join(" "));
        sender.name = Some(name);
    }
    Ok(sender)
}

fn validate(event: &EventInput) -> ServiceResult<()> {
    if event
        .body
        .as_ref()
        .is_some_and(|b| b.chars().count() > MAX_BODY_CHARS)
    {
        return Err(ServiceError::invalid(
            "body",
            format!("longer than {MAX_BODY_CHARS} characters"),
        ));
    }
    if event.external_id.as_ref().is_some_and(|id| {
        id.trim().is_empty()
            || id.chars().count() > MAX_EXTERNAL_ID_CHARS
            || id.chars().any(char::is_control)
    }) {
        return Err(ServiceError::invalid(
            "external_id",
            format!(
                "must be 1 to {MAX_EXTERNAL_ID_CHARS} characters, not only spaces, without control characters"
            ),
        ));
    }
    if event
        .sentiment
        .is_some_and(|s| !s.is_finite() || !(-1.0..=1.0).contains(&s))
    {
        return Err(ServiceError::invalid(
            "sentiment",
            "a score from -1 (negative) to 1 (positive)",
        ));
    }
    if event.campaign.as_deref().is_some_and(|c| {
        c.trim().is_empty() || c.chars().count() > 100 || c.chars().any(char::is_control)
    }) {
        return Err(ServiceError::invalid(
            "campaign",
            "1 to 100 characters, no line breaks",
        ));
    }
    // A date the provider's clock cannot have meant (year 9999, year -1) would sit at either
    // end of every timeline and chart forever.
    let earliest = chrono::DateTime::<Utc>::UNIX_EPOCH;
    let latest = Utc::now() + chrono::Duration::days(366);
    if event.occurred_at < earliest || event.occurred_at > latest {
        return Err(ServiceError::invalid(
            "occurred_at",
            "a time between 1970 and a year from now",
        ));
    }
    if let Some(order) = &event.order {
        let sane = |cents: i64| cents.unsigned_abs() <= MAX_CENTS;
        if !sane(order.total_cents)
            || order
                .items
                .iter()
                .any(|i| !sane(i.price_cents) || !(1..=MAX_QUANTITY).contains(&i.quantity))
        {
            return Err(ServiceError::invalid(
                "order",
                format!(
                    "amounts are at most {} in cents either way, quantities 1 to 1,000,000",
                    MAX_CENTS
                ),
            ));
        }
        if order.items.len() > MAX_ORDER_ITEMS {
            return Err(ServiceError::invalid(
                "order.items",
                format!("at most {MAX_ORDER_ITEMS} items"),
            ));
        }
    }
    // Shown in the console and in exports: printable, bounded.
    if let Some(source) = &event.source
        && short_text("source", source, 64)?.is_none()
    {
        return Err(ServiceError::invalid(
            "source",
            "1 to 64 printable characters",
        ));
    }
    if let Some(name) = &event.identifiers.name {
        short_text("identifiers.name", name, 200)?;
    }
    if let Some(order) = &event.order {
        for item in &order.items {
            short_text("order.items.name", &item.name, 500)?;
        }
    }
    if event.kind == InteractionKind::Order && event.order.is_none() {
        return Err(ServiceError::invalid(
            "order",
            "an event of kind order carries an order",
        ));
    }
    if let Some(order) = &event.order
        && (order.provider.trim().is_empty() || order.external_id.trim().is_empty())
    {
        return Err(ServiceError::invalid(
            "order",
            "provider and external_id are required",
        ));
    }
    Ok(())
}

/// Which of the sender's identifiers met which profile's, and how.
#[derive(Debug, Default)]
pub(super) struct Matches {
    /// (profile, index of the sender's probe, level, how the profile's identity was learned)
    met: Vec<(Uuid, usize, MatchLevel, Assurance)>,
}

impl Matches {
    /// How strongly the event ties its sender to `customer`: through an identifier both hold
    /// exactly, as strong as the weaker of the event's word for it and the profile's; through a
    /// variant (a number read in another region, an address spelled another way), a claim.
    pub(super) fn tie(&self, customer: Uuid, probes: &[Probe]) -> Assurance {
        self.met
            .iter()
            .filter(|m| m.0 == customer)
            .map(|&(_, probe, level, stored)| match level {
                MatchLevel::Exact => probes[probe].assurance.min(stored),
                _ => Assurance::Claimed,
            })
            .max()
            .unwrap_or(Assurance::Claimed)
    }

    fn met(&self, customer: Uuid, probe: usize) -> bool {
        self.met.iter().any(|m| m.0 == customer && m.1 == probe)
    }

    /// Another profile holding this probe's identifier exactly.
    fn holder_other_than(&self, customer: Uuid, probe: usize) -> Option<Uuid> {
        self.met
            .iter()
            .find(|m| m.0 != customer && m.1 == probe && m.2 == MatchLevel::Exact)
            .map(|m| m.0)
    }
}

/// Profiles sharing an identifier with the sender, with how each identifier met theirs.
async fn gather_candidates(
    tx: &mut Tx,
    tenant: &Tenant,
    sender: &Sender,
) -> ServiceResult<(Vec<Candidate<Uuid>>, BTreeMap<Uuid, Record>, Matches)> {
    let mut shared: BTreeMap<Uuid, Vec<SharedIdentifier>> = BTreeMap::new();
    let mut matches = Matches::default();
    let mut add = |at: usize, probe: &Probe, row: &IdentityRow, level: MatchLevel| {
        matches
            .met
            .push((row.customer_id, at, level, row.assurance()));
        let list = shared.entry(row.customer_id).or_default();
        if !list
            .iter()
            .any(|s| s.kind == probe.kind && s.level == MatchLevel::Exact)
        {
            list.retain(|s| s.kind != probe.kind);
            list.push(SharedIdentifier {
                kind: probe.kind,
                level,
                source_confidence: probe.confidence,
            });
        }
    };
    for (at, probe) in sender.probes.iter().enumerate() {
        let kind = probe.kind.as_str();
        for row in tx
            .identities_matching(tenant.id, kind, &probe.provider, &probe.value)
            .await?
        {
            add(at, probe, &row, MatchLevel::Exact);
        }
        if probe.match_key != probe.value {
            for row in tx
                .identities_by_match_key(tenant.id, kind, &probe.match_key)
                .await?
            {
                add(at, probe, &row, MatchLevel::Variant);
            }
        }
        if probe.kind == IdentifierKind::Email {
            // Stored addresses whose canonical form is this exact address (johndoe+shop@ vs johndoe@).
            for row in tx
                .identities_by_match_key(tenant.id, kind, &probe.value)
                .await?
            {
                if row.value != probe.value {
                    add(at, probe, &row, MatchLevel::Variant);
                }
            }
        }
        for variant in &probe.variants {
            for row in tx
                .identities_matching(tenant.id, kind, &probe.provider, variant)
                .await?
            {
                add(at, probe, &row, MatchLevel::Variant);
            }
        }
    }
    let mut candidates = Vec::with_capacity(shared.len());
    let mut records = BTreeMap::new();
    for (id, shared) in shared {
        let row = tx.customer(tenant.id, id).await?;
        let display = row.as_ref().and_then(|c| c.display_name.clone());
        if let Some(display) = &display {
            let raw = RawRecord {
                id: id.to_string(),
                fields: [(Field::FullName, display.clone())].into(),
            };
            records.insert(id, Record::from_raw(&raw, tenant.region).0);
        }
        candidates.push(Candidate { id, shared });
    }
    Ok((candidates, records, matches))
}

/// The sender as the match model compares people: name and address (identifiers are counted
/// separately, as shared identifiers).
pub(super) fn sender_record(
    ids: &IdentifiersInput,
    region: spine_engine::normalize::phone::Region,
) -> Record {
    let mut fields = BTreeMap::new();
    let mut put = |field: Field, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            fields.insert(field, v.to_owned());
        }
    };
    put(Field::FullName, ids.name.as_deref());
    if let Some(a) = &ids.address {
        put(Field::Address1, Some(&a.line1));
        put(Field::Address2, a.line2.as_deref());
        put(Field::City, a.city.as_deref());
        put(Field::State, a.region.as_deref());
        put(Field::Postcode, a.postal_code.as_deref());
        put(Field::Country, a.country.as_deref());
    }
    Record::from_raw(
        &RawRecord {
            id: String::new(),
            fields,
        },
        region,
    )
    .0
}

/// What resolution decided about a sender, with what it saw.
pub(super) struct Decided {
    pub candidates: Vec<Candidate<Uuid>>,
    pub resolution: Resolution<Uuid>,
    pub matches: Matches,
}

/// Finds the profiles the sender shares identifiers with and decides, with the tenant's model
/// (`matching::current_model`).
pub(super) async fn decide_sender(
    tx: &mut Tx,
    tenant: &Tenant,
    model: &Model,
    sender: &Sender,
    ids: &IdentifiersInput,
) -> ServiceResult<Decided> {
    let (candidates, records, matches) = gather_candidates(tx, tenant, sender).await?;
    let incoming = sender_record(ids, tenant.region);
    let evidence = ProfileEvidence {
        model,
        incoming: &incoming,
        records: &records,
    };
    let resolution = resolve::decide_with_model(&candidates, tenant.thresholds, &evidence);
    Ok(Decided {
        candidates,
        resolution,
        matches,
    })
}

/// An event checked and normalized: everything about it that needs no database.
pub struct PreparedEvent {
    event: EventInput,
    sender: Sender,
}

/// Validates an event and normalizes its sender; refuses it (naming the field) before any write.
pub fn prepare_event(tenant: &Tenant, event: EventInput) -> ServiceResult<PreparedEvent> {
    validate(&event)?;
    // A customer who writes "call me at (916) 555-1234" told us their number.
    let written = event
        .body
        .as_deref()
        .filter(|_| event.direction == Direction::Inbound);
    let sender = normalize_sender(tenant, &event.identifiers, Some(event.channel), written)?;
    Ok(PreparedEvent { event, sender })
}

impl PreparedEvent {
    /// What concurrent transactions must not resolve at the same time as this event.
    fn lock_keys(&self, tenant: &Tenant) -> Vec<(Uuid, String)> {
        let mut keys = self.sender.lock_keys(tenant);
        if let Some(message_id) = &self.event.external_id {
            keys.push((
                tenant.id,
                format!("msg:{}:{message_id}", self.event.channel.as_str()),
            ));
        }
        keys
    }
}

/// Ingests one event: resolves its sender, stores the interaction (and order), queues a review
/// when a person must decide, and audits what changed on profiles. All in one transaction.
pub async fn ingest_event(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    event: EventInput,
) -> ServiceResult<IngestOutcome> {
    let prepared = prepare_event(tenant, event)?;
    ingest_alone(store, tenant, actor, &prepared).await
}

/// One event of a group ingested together.
pub struct IngestJob {
    pub tenant: Tenant,
    pub actor: Actor,
    pub event: PreparedEvent,
}

/// Ingests several prepared events in one transaction (one commit instead of one per event),
/// in order, each seeing the ones before it. When the group fails as a whole (a conflict with a
/// concurrent writer, say), it is rolled back and each event runs in a transaction of its own,
/// so one event's failure is its own. Results are in the jobs' order.
pub async fn ingest_jobs(store: &Store, jobs: &[IngestJob]) -> Vec<ServiceResult<IngestOutcome>> {
    if jobs.len() > 1 {
        match ingest_together(store, jobs).await {
            Ok(outcomes) => return outcomes.into_iter().map(Ok).collect(),
            Err(e) => {
                tracing::debug!(error = %e, events = jobs.len(), "group ingest failed; ingesting one by one")
            }
        }
    }
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        results.push(ingest_alone(store, &job.tenant, &job.actor, &job.event).await);
    }
    results
}

/// Ingests the events as one: all stored in one transaction, or none (a webhook delivery: a
/// refused event must not leave the others stored for the provider's retry to store again). A
/// conflict with a concurrent writer is retried a few times before it is reported.
pub async fn ingest_all(store: &Store, jobs: &[IngestJob]) -> ServiceResult<Vec<IngestOutcome>> {
    let mut attempt = 0;
    loop {
        match ingest_together(store, jobs).await {
            Err(ServiceError::Conflict(_))
            | Err(ServiceError::Store(StoreError::Conflict { .. }))
                if attempt < 3 =>
            {
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// One event in a transaction of its own.
async fn ingest_alone(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    prepared: &PreparedEvent,
) -> ServiceResult<IngestOutcome> {
    let mut tx = store.begin().await?;
    tx.lock_keys(&prepared.lock_keys(tenant)).await?;
    let model = current_model(&mut tx, tenant).await?;
    let outcome = ingest_in(&mut tx, tenant, &model, actor, prepared).await?;
    tx.commit().await?;
    log_outcome(tenant, prepared, &outcome);
    Ok(outcome)
}

async fn ingest_together(store: &Store, jobs: &[IngestJob]) -> ServiceResult<Vec<IngestOutcome>> {
    let mut tx = store.begin().await?;
    let keys: Vec<(Uuid, String)> = jobs
        .iter()
        .flat_map(|job| job.event.lock_keys(&job.tenant))
        .collect();
    tx.lock_keys(&keys).await?;
    let mut models: Vec<(Uuid, Model)> = Vec::new();
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let at = match models.iter().position(|(t, _)| *t == job.tenant.id) {
            Some(at) => at,
            None => {
                models.push((job.tenant.id, current_model(&mut tx, &job.tenant).await?));
                models.len() - 1
            }
        };
        let model = &models[at].1;
        outcomes.push(ingest_in(&mut tx, &job.tenant, model, &job.actor, &job.event).await?);
    }
    tx.commit().await?;
    for (job, outcome) in jobs.iter().zip(&outcomes) {
        log_outcome(&job.tenant, &job.event, outcome);
    }
    Ok(outcomes)
}

/// Prepares and ingests a tenant's events as one group; a refused event gets its own error in
/// place and does not hold back the others.
pub async fn ingest_events(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    events: Vec<EventInput>,
) -> Vec<ServiceResult<IngestOutcome>> {
    let mut results: Vec<Option<ServiceResult<IngestOutcome>>> = Vec::with_capacity(events.len());
    let mut jobs = Vec::new();
    for event in events {
        match prepare_event(tenant, event) {
            Ok(event) => {
                jobs.push(IngestJob {
                    tenant: tenant.clone(),
                    actor: actor.clone(),
                    event,
                });
                results.push(None);
            }
            Err(e) => results.push(Some(Err(e))),
        }
    }
    let mut done = ingest_jobs(store, &jobs).await.into_iter();
    results
        .into_iter()
        .map(|r| {
            r.or_else(|| done.next())
                .unwrap_or_else(|| Err(ServiceError::Conflict("event was not ingested".into())))
        })
        .collect()
}

fn log_outcome(tenant: &Tenant, prepared: &PreparedEvent, outcome: &IngestOutcome) {
    let decision = if outcome.duplicate {
        "duplicate"
    } else {
        outcome.decision.as_str()
    };
    metrics::counter!("spine_ingest_decisions_total", "decision" => decision).increment(1);
    let sender = &prepared.sender;
    tracing::debug!(
        tenant = %tenant.slug,
        channel = prepared.event.channel.as_str(),
        decision = outcome.decision.as_str(),
        customer = %outcome.customer_id,
        email = sender.email.as_ref().map(|e| spine_engine::normalize::email::mask_email(e.as_str())).unwrap_or_default(),
        phone = sender.phone.as_ref().map(Phone::masked).unwrap_or_default(),
        confidence = outcome.confidence,
        duplicate = outcome.duplicate,
        "event ingested"
    );
}

/// The body of ingestion, inside the caller's transaction (which holds the event's locks).
async fn ingest_in(
    tx: &mut Tx,
    tenant: &Tenant,
    model: &Model,
    actor: &Actor,
    prepared: &PreparedEvent,
) -> ServiceResult<IngestOutcome> {
    let PreparedEvent { event, sender } = prepared;
    if let Some(message_id) = &event.external_id
        && let Some(existing) = tx
            .interaction_by_provider_id(tenant.id, event.channel.as_str(), message_id)
            .await?
    {
        return Ok(IngestOutcome {
            customer_id: existing.customer_id,
            interaction_id: existing.id,
            decision: Decision::Linked,
            matched_by: vec!["idempotency_key".to_owned()],
            confidence: 1.0,
            review_item_id: None,
            duplicate: true,
        });
    }

    // A replay of an erased person's past (an old export imported again, a provider retrying an
    // old delivery) is refused; the same identifiers writing after the erasure are a new person.
    if let Some(erased_at) = tx
        .tombstoned_at(tenant.id, &sender.tombstone_hashes(tenant))
        .await?
        && event.occurred_at <= erased_at
    {
        return Err(ServiceError::Gone(format!(
            "the person this event is about asked for their data to be erased on {}; events from before then are not stored again",
            erased_at.format("%Y-%m-%d")
        )));
    }

    let Decided {
        candidates,
        resolution,
        matches,
    } = decide_sender(tx, tenant, model, sender, &event.identifiers).await?;
    let now = Utc::now();
    let source = event
        .source
        .clone()
        .unwrap_or_else(|| event.channel.as_str().to_owned());
    let origin = Origin {
        source: &source,
        campaign: event.campaign.as_deref().map(str::trim),
    };

    let (customer_id, decision, matched_by, confidence, review) = match &resolution {
        Resolution::Link(best) => {
            tx.improve_customer(
                tenant.id,
                best.id,
                &patch_from(sender, &source, event.occurred_at),
            )
            .await?;
            (
                best.id,
                Decision::Linked,
                matched_kinds(best),
                best.confidence,
                None,
            )
        }
        Resolution::Create => {
            let id = create_profile(tx, tenant, actor, sender, &origin, event.occurred_at).await?;
            (id, Decision::Created, Vec::new(), 0.0, None)
        }
        Resolution::Review(best) => {
            let id = create_profile(tx, tenant, actor, sender, &origin, event.occurred_at).await?;
            let reason = "possible duplicate: one profile matched below the link threshold";
            (
                id,
                Decision::Review,
                matched_kinds(best),
                best.confidence,
                Some((reason, vec![best.clone()])),
            )
        }
        Resolution::Ambiguous(all) => {
            let id = create_profile(tx, tenant, actor, sender, &origin, event.occurred_at).await?;
            let reason = "ambiguous: several profiles match this sender";
            let best = all.first().map(|c| c.confidence).unwrap_or_default();
            let kinds = all
                .iter()
                .flat_map(matched_kinds)
                .collect::<std::collections::BTreeSet<_>>();
            (
                id,
                Decision::Ambiguous,
                kinds.into_iter().collect(),
                best,
                Some((reason, all.clone())),
            )
        }
    };

    // The profile we landed on learns the identifiers the integration sent; a provisional
    // profile only those no other profile holds, so the review item is where the conflict lives.
    let claimed_elsewhere = |probe: &Probe| match &resolution {
        Resolution::Review(c) => {
            probe.exclusive()
                && c.explanation
                    .iter()
                    .any(|e| e.comparison == probe.kind.as_str())
        }
        Resolution::Ambiguous(_) => candidates.iter().any(|c| {
            c.shared
                .iter()
                .any(|s| s.kind == probe.kind && s.level == MatchLevel::Exact)
        }),
        _ => false,
    };
    // How strongly the event ties its sender to an existing profile it linked to; an identifier
    // it brings joins that profile no more trusted than the tie (an SMS from a new number that
    // names a customer's email does not make that number one they can sign in with).
    let tie = match &resolution {
        Resolution::Link(best) => Some(matches.tie(best.id, &sender.probes)),
        _ => None,
    };
    // A new address or number that joins only as a claim must not sit beside one the person
    // verified; the profile's identities are read only when the event brings such a claim.
    let brings_claim = tie.is_some_and(|t| {
        sender.probes.iter().enumerate().any(|(at, p)| {
            !p.from_text
                && p.is_contact()
                && p.assurance.min(t) == Assurance::Claimed
                && !matches.met(customer_id, at)
        })
    });
    let verified_kinds: Vec<String> = if brings_claim {
        tx.identities_of(tenant.id, customer_id)
            .await?
            .into_iter()
            .filter(|i| i.assurance() == Assurance::Verified)
            .map(|i| i.kind)
            .collect()
    } else {
        Vec::new()
    };
    let mut claims = Vec::new();
    for (at, probe) in sender.probes.iter().enumerate() {
        let met_here = matches.met(customer_id, at);
        let assurance = tie.map_or(probe.assurance, |t| probe.assurance.min(t));
        // What a message says is kept with the message, unless it is how the sender was found;
        // a claimed address never joins a profile whose owner verified one of that kind.
        let kept_as_claim = (probe.from_text && !met_here)
            || (tie.is_some()
                && !met_here
                && probe.is_contact()
                && assurance == Assurance::Claimed
                && verified_kinds.iter().any(|k| k == probe.kind.as_str()));
        if kept_as_claim {
            claims.push(Claim {
                kind: probe.kind.as_str().to_owned(),
                value: probe.value.clone(),
                holder: matches.holder_other_than(customer_id, at),
            });
            continue;
        }
        if claimed_elsewhere(probe) {
            continue;
        }
        // An identifier that rode in on a link (an Instagram handle linked because the DM gave a
        // known phone) is only as certain as the link itself.
        let confidence = match &resolution {
            Resolution::Link(best)
                if !best
                    .explanation
                    .iter()
                    .any(|e| e.comparison == probe.kind.as_str()) =>
            {
                probe.confidence.min(best.confidence)
            }
            _ => probe.confidence,
        };
        link_identity(
            tx,
            tenant,
            customer_id,
            &Probe {
                confidence,
                assurance,
                ..probe.clone()
            },
            event.occurred_at,
        )
        .await?;
    }
    // Contact details of another profile named in a message linked elsewhere: a person looks.
    let review = match review {
        None if claims.iter().any(|c| c.holder.is_some()) => Some((
            "a message named contact details another profile holds",
            Vec::new(),
        )),
        review => review,
    };

    // The conversation it continues (even from another channel), or a new one.
    let thread_id = crate::services::memory::thread_for(tx, tenant, customer_id, event).await?;
    // A score the integration sent wins; else what the customer wrote, read by the lexicon.
    let sentiment = event.sentiment.or_else(|| {
        (event.direction == Direction::Inbound && event.kind == InteractionKind::Message)
            .then(|| {
                event
                    .body
                    .as_deref()
                    .and_then(spine_engine::conversation::sentiment)
            })
            .flatten()
    });
    let interaction_id = tx
        .insert_interaction(
            tenant.id,
            &NewInteraction {
                customer_id,
                channel: event.channel.as_str().to_owned(),
                direction: event.direction.as_str().to_owned(),
                kind: event.kind.as_str().to_owned(),
                occurred_at: event.occurred_at,
                body: event.body.clone(),
                payload: interaction_payload(event),
                provider_message_id: event.external_id.clone(),
                sentiment,
                thread_id,
                claims: claims.clone(),
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => {
                ServiceError::Conflict("this event was ingested concurrently; retry".into())
            }
            other => other.into(),
        })?;
    // The dashboard's counters and the profile's channels move with the fact, in this transaction.
    crate::services::analytics::record_interaction(
        tx,
        tenant.id,
        customer_id,
        event.channel,
        event.direction,
        event.occurred_at,
        sentiment,
    )
    .await?;
    crate::services::analytics::record_resolution(
        tx,
        tenant.id,
        event.occurred_at.date_naive(),
        decision,
        &resolution,
    );

    // Every write is audited against who brought it (API key, webhook, import, person).
    tx.append_audit(
        tenant.id,
        &audit(actor, "interaction.ingested", "interaction")
            .entity(interaction_id)
            .customer(customer_id)
            .after(json!({
                "channel": event.channel.as_str(),
                "kind": event.kind.as_str(),
                "external_id": event.external_id,
                "decision": decision.as_str(),
            })),
    )
    .await?;

    if let Some(order) = &event.order {
        // What customers order is the product vocabulary their messages are read with.
        crate::services::memory::count_products(tx, tenant, order, event.occurred_at);
        tx.insert_order(
            tenant.id,
            &NewOrder {
                customer_id,
                provider: order.provider.trim().to_lowercase(),
                external_id: order.external_id.trim().to_owned(),
                total_cents: order.total_cents,
                currency: order.currency.clone(),
                status: order.status.clone(),
                placed_at: event.occurred_at,
                shipping_address_hash: sender.address_hash.clone(),
                items: json!(order.items),
            },
        )
        .await?;
    }

    let review_item_id = match review {
        Some((reason, scored)) => {
            let (candidate_ids, evidence) = if scored.is_empty() {
                let mut holders: Vec<Uuid> = claims.iter().filter_map(|c| c.holder).collect();
                holders.sort();
                holders.dedup();
                (holders, json!({"claims": claims}))
            } else {
                (scored.iter().map(|c| c.id).collect(), json!(scored))
            };
            let id = queue_review_item(
                tx,
                tenant.id,
                actor,
                &NewReviewItem {
                    reason: reason.to_owned(),
                    subject_customer_id: customer_id,
                    candidate_ids,
                    evidence,
                    score: confidence,
                    interaction_id: Some(interaction_id),
                    created_at: now,
                },
                json!({"reason": reason, "score": confidence}),
            )
            .await?;
            Some(id)
        }
        None => None,
    };
    Ok(IngestOutcome {
        customer_id,
        interaction_id,
        decision,
        matched_by,
        confidence,
        review_item_id,
        duplicate: false,
    })
}

pub(super) fn matched_kinds(c: &ScoredCandidate<Uuid>) -> Vec<String> {
    c.explanation
        .iter()
        .filter(|e| e.comparison != "name")
        .map(|e| {
            if e.level == "exact" {
                e.comparison.clone()
            } else {
                format!("{}_{}", e.comparison, e.level)
            }
        })
        .collect()
}

/// What the sender adds to a profile: a name, an address and a number fill only what the profile
/// lacks (a claim never replaces what it holds), and addresses written in a message are never
/// among them.
pub(super) fn patch_from(
    sender: &Sender,
    source: &str,
    seen: chrono::DateTime<Utc>,
) -> CustomerPatch {
    let (given, family) = split_display(sender.display_name.as_deref());
    CustomerPatch {
        display_name: sender.display_name.clone(),
        given_name: given,
        family_name: family,
        primary_email: sender.email.as_ref().map(|e| e.as_str().to_owned()),
        primary_phone: sender.phone.as_ref().map(|p| p.e164().to_owned()),
        source: Some(source.to_owned()),
        seen_at: Some(seen),
        name_keys: spine_engine::search::display_name_keys(sender.display_name.as_deref()),
    }
}

/// Given and family names as the person wrote them (the normalized forms are for matching).
fn split_display(display: Option<&str>) -> (Option<String>, Option<String>) {
    let tokens: Vec<&str> = display
        .map(|d| d.split_whitespace().collect())
        .unwrap_or_default();
    match tokens.as_slice() {
        [] => (None, None),
        [one] => (Some((*one).to_owned()), None),
        [first, .., last] => (Some((*first).to_owned()), Some((*last).to_owned())),
    }
}

/// Where a new profile came from: the source (channel or integration) and the campaign.
pub(super) struct Origin<'a> {
    pub source: &'a str,
    pub campaign: Option<&'a str>,
}

pub(super) async fn create_profile(
    tx: &mut Tx,
    tenant: &Tenant,
    actor: &Actor,
    sender: &Sender,
    origin: &Origin<'_>,
    seen: chrono::DateTime<Utc>,
) -> ServiceResult<Uuid> {
    let Origin { source, campaign } = *origin;
    let patch = patch_from(sender, source, seen);
    let row = tx
        .insert_customer(
            tenant.id,
            &NewCustomer {
                display_name: patch.display_name,
                given_name: patch.given_name,
                family_name: patch.family_name,
                primary_email: patch.primary_email,
                primary_phone: patch.primary_phone,
                lifecycle_stage: None,
                preferred_channel: None,
                sources: vec![source.to_owned()],
                source_campaign: campaign.map(str::to_owned),
                seen_at: seen,
                name_keys: patch.name_keys,
            },
        )
        .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "customer.created", "customer")
            .entity(row.id)
            .customer(row.id)
            .after(json!({"source": source})),
    )
    .await?;
    Ok(row.id)
}

/// Links every identifier the sender used to the profile, no more trusted than `tie` (how the
/// sender was tied to an existing profile; `None` for a profile the sender made).
pub(super) async fn link_all(
    tx: &mut Tx,
    tenant: &Tenant,
    customer_id: Uuid,
    sender: &Sender,
    tie: Option<Assurance>,
    seen: chrono::DateTime<Utc>,
) -> ServiceResult<()> {
    for probe in &sender.probes {
        let assurance = tie.map_or(probe.assurance, |t| probe.assurance.min(t));
        let probe = Probe {
            assurance,
            ..probe.clone()
        };
        link_identity(tx, tenant, customer_id, &probe, seen).await?;
    }
    Ok(())
}

pub(super) async fn link_identity(
    tx: &mut Tx,
    tenant: &Tenant,
    customer_id: Uuid,
    probe: &Probe,
    seen: chrono::DateTime<Utc>,
) -> ServiceResult<()> {
    if probe.exclusive() {
        // An external id another profile already holds stays there; the review item carries the
        // conflict. Checked first: on PostgreSQL a failed insert would abort the whole transaction.
        let holders = tx
            .identity_holders(
                tenant.id,
                probe.kind.as_str(),
                &probe.provider,
                &probe.value,
            )
            .await?;
        if holders.iter().any(|h| *h != customer_id) {
            return Ok(());
        }
    }
    tx.upsert_identity(
        tenant.id,
        &NewIdentity {
            customer_id,
            kind: probe.kind.as_str().to_owned(),
            provider: probe.provider.clone(),
            value: probe.value.clone(),
            raw_value: probe.raw.clone().filter(|r| !r.is_empty()),
            match_key: probe.match_key.clone(),
            confidence: probe.confidence,
            assurance: probe.assurance,
            seen_at: seen,
        },
    )
    .await?;
    Ok(())
}

fn interaction_payload(event: &EventInput) -> Option<serde_json::Value> {
    match (&event.order, &event.payload) {
        (Some(order), extra) => Some(json!({"order": order, "extra": extra})),
        (None, Some(extra)) => Some(extra.clone()),
        (None, None) => None,
    }
}
