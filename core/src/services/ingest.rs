//! Ingestion: one interaction in, resolved to one profile, stored on its timeline, in one
//! transaction. Idempotent on the provider's message id. Ambiguity never merges profiles: the
//! interaction lands on a provisional profile and a person decides from the review queue.

use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use spine_engine::model::Model;

use crate::services::matching::current_model;
use crate::services::resolution::{self, Landed, Origin, Sender, normalize_sender};
use crate::services::review::queue_review_item;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant, audit, short_text};
use crate::store::{NewInteraction, NewOrder, NewReviewItem, Store, StoreError, Tx};
use crate::types::{Decision, Direction, EventInput, IngestOutcome, InteractionKind};

/// Bodies past this are refused rather than truncated: nothing is silently lost.
pub const MAX_BODY_CHARS: usize = 64 * 1024;
/// A provider's message id (`external_id`, or the `Idempotency-Key` standing in for it).
pub const MAX_EXTERNAL_ID_CHARS: usize = 255;
/// A billion in any currency's unit, in cents: more than any order a business takes.
pub const MAX_CENTS: u64 = 100_000_000_000;
/// At most this many lines in one order.
pub const MAX_ORDER_ITEMS: usize = 500;
/// At most this many of one thing in an order line.
pub const MAX_QUANTITY: i64 = 1_000_000;

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
        let currency = order.currency.trim();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(ServiceError::invalid(
                "order.currency",
                "a three-letter ISO 4217 code such as USD or EUR",
            ));
        }
        if short_text("order.status", &order.status, 32)?.is_none() {
            return Err(ServiceError::invalid(
                "order.status",
                "1 to 32 printable characters",
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
        let mut keys = resolution::lock_keys(tenant, &self.sender);
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

/// Where ingestion's time goes, for `GET /metrics` (`spine_ingest_stage_duration_seconds`, by
/// `stage`) and the breakdown `spine load` prints: each lap is recorded under the stage it ends.
struct Stopwatch(std::time::Instant);

impl Stopwatch {
    fn start() -> Stopwatch {
        Stopwatch(std::time::Instant::now())
    }

    fn lap(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        metrics::histogram!("spine_ingest_stage_duration_seconds", "stage" => stage)
            .record(now.duration_since(self.0).as_secs_f64());
        self.0 = now;
    }
}

static DIRECT_FALLBACKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many times this process repeated an ingestion through sqlx because the writer's own
/// connection met a statement it does not run (none, when every statement ingestion makes is
/// written for both).
pub fn direct_fallbacks() -> u64 {
    DIRECT_FALLBACKS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Opens an ingestion transaction: on the writer's own connection where the store has one
/// (`Store::begin_ingest`), else through sqlx.
async fn begin(store: &Store, direct: bool) -> ServiceResult<Tx> {
    Ok(if direct {
        store.begin_ingest().await?
    } else {
        store.begin().await?
    })
}

/// Whether a transaction on the writer's own connection met a statement only sqlx runs; the work
/// is then done again through sqlx, and the statement is named in the log to be made for both.
fn not_direct<T>(result: &ServiceResult<T>) -> bool {
    match result {
        Err(ServiceError::Store(e)) if e.is_not_direct() => {
            DIRECT_FALLBACKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::warn!(error = %e, "ingestion repeated through sqlx");
            true
        }
        _ => false,
    }
}

/// One event in a transaction of its own.
async fn ingest_alone(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    prepared: &PreparedEvent,
) -> ServiceResult<IngestOutcome> {
    let result = ingest_alone_on(store, true, tenant, actor, prepared).await;
    if not_direct(&result) {
        return ingest_alone_on(store, false, tenant, actor, prepared).await;
    }
    result
}

async fn ingest_alone_on(
    store: &Store,
    direct: bool,
    tenant: &Tenant,
    actor: &Actor,
    prepared: &PreparedEvent,
) -> ServiceResult<IngestOutcome> {
    let mut clock = Stopwatch::start();
    let mut tx = begin(store, direct).await?;
    tx.lock_keys(&prepared.lock_keys(tenant)).await?;
    let model = current_model(&mut tx, tenant).await?;
    clock.lap("open");
    let outcome = ingest_in(&mut tx, tenant, &model, actor, prepared).await?;
    clock = Stopwatch::start();
    tx.flush_counters().await?;
    clock.lap("counters");
    tx.commit().await?;
    clock.lap("commit");
    log_outcome(tenant, prepared, &outcome);
    Ok(outcome)
}

async fn ingest_together(store: &Store, jobs: &[IngestJob]) -> ServiceResult<Vec<IngestOutcome>> {
    let result = ingest_together_on(store, true, jobs).await;
    if not_direct(&result) {
        return ingest_together_on(store, false, jobs).await;
    }
    result
}

async fn ingest_together_on(
    store: &Store,
    direct: bool,
    jobs: &[IngestJob],
) -> ServiceResult<Vec<IngestOutcome>> {
    let mut clock = Stopwatch::start();
    let mut tx = begin(store, direct).await?;
    let keys: Vec<(Uuid, String)> = jobs
        .iter()
        .flat_map(|job| job.event.lock_keys(&job.tenant))
        .collect();
    tx.lock_keys(&keys).await?;
    let mut models: Vec<(Uuid, Model)> = Vec::new();
    for job in jobs {
        if !models.iter().any(|(t, _)| *t == job.tenant.id) {
            models.push((job.tenant.id, current_model(&mut tx, &job.tenant).await?));
        }
    }
    clock.lap("open");
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let model = models
            .iter()
            .find(|(t, _)| *t == job.tenant.id)
            .map(|(_, model)| model)
            .ok_or_else(|| ServiceError::Conflict("no model for the event's tenant".into()))?;
        outcomes.push(ingest_in(&mut tx, &job.tenant, model, &job.actor, &job.event).await?);
    }
    clock = Stopwatch::start();
    tx.flush_counters().await?;
    clock.lap("counters");
    tx.commit().await?;
    clock.lap("commit");
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
    let (email, phone) = prepared.sender.masked();
    tracing::debug!(
        tenant = %tenant.slug,
        channel = prepared.event.channel.as_str(),
        decision = outcome.decision.as_str(),
        customer = %outcome.customer_id,
        email,
        phone,
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
    let mut clock = Stopwatch::start();
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
    if let Some(erased_at) = resolution::erased_at(tx, tenant, sender).await?
        && event.occurred_at <= erased_at
    {
        return Err(ServiceError::Gone(format!(
            "the person this event is about asked for their data to be erased on {}; events from before then are not stored again",
            erased_at.format("%Y-%m-%d")
        )));
    }

    let now = Utc::now();
    let source = event
        .source
        .clone()
        .unwrap_or_else(|| event.channel.as_str().to_owned());
    let origin = Origin {
        source: &source,
        campaign: event.campaign.as_deref().map(str::trim),
    };
    clock.lap("checks");
    let Landed {
        customer_id,
        decision,
        matched_by,
        confidence,
        review,
        claims,
        resolution,
    } = resolution::land(tx, tenant, actor, model, sender, &origin, event.occurred_at).await?;
    clock.lap("resolve");
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
                currency: order.currency.trim().to_ascii_uppercase(),
                status: order.status.clone(),
                placed_at: event.occurred_at,
                shipping_address_hash: sender.address_hash().map(str::to_owned),
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
    if let Some(custom) = &event.custom {
        let (before, after) =
            crate::services::custom_fields::apply(tx, tenant.id, customer_id, custom).await?;
        if !after.is_empty() {
            tx.append_audit(
                tenant.id,
                &crate::services::audit(actor, "customer.updated", "customer")
                    .entity(customer_id)
                    .customer(customer_id)
                    .before(json!({"custom": before}))
                    .after(json!({"custom": after})),
            )
            .await?;
        }
    }
    clock.lap("record");
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

fn interaction_payload(event: &EventInput) -> Option<serde_json::Value> {
    match (&event.order, &event.payload) {
        (Some(order), extra) => Some(json!({"order": order, "extra": extra})),
        (None, Some(extra)) => Some(extra.clone()),
        (None, None) => None,
    }
}
