//! The duplicate sweep: the batch engine (`spine_engine::dedupe`, the same pipeline as
//! `spine dedupe` on a file) over the profiles a tenant already holds. Each likely pair it finds
//! becomes a review item, never a merge; pairs a person decided are "not the same person" and
//! pairs already waiting in the queue are left alone, so a sweep can run again at any time.
//!
//! One sweep runs per tenant at a time, whatever the number of processes (a lease), on a job
//! row that records its stage and progress for the console and its figures at the end.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use spine_engine::cluster::ScoredPair;
use spine_engine::dedupe::{DedupeOptions, DedupeOutput, Stage, dedupe};
use spine_engine::model::Model;
use spine_engine::record::{Field, RawRecord, Record, normalize_all};
use spine_engine::resolve::{Contribution, ScoredCandidate};

use crate::services::review::queue_review_item;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant, audit};
use crate::store::{JobRow, NewReviewItem, Store, SweepProfileRow};

/// The job kind (and lease name) of a sweep.
pub const SWEEP_JOB: &str = "sweep";
/// The reason a sweep's review items give.
pub const SWEEP_REASON: &str = "possible duplicate: found by a sweep of stored profiles";
/// Profiles read per query.
const PAGE: i64 = 10_000;
/// Review items written per transaction.
const QUEUE_GROUP: usize = 250;
/// How long a sweep holds the tenant's lease: far longer than a sweep of a million profiles
/// takes (under a minute); if the process running it dies, another may start after this.
const LEASE: chrono::TimeDelta = chrono::TimeDelta::hours(1);
/// How often the engine's progress is written to the job row.
const TICK: Duration = Duration::from_millis(500);
/// The address hash as the engine compares it: exactly (no address text is stored).
const ADDRESS_HASH: &str = "address_hash";

/// Where a sweep is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SweepStage {
    Reading,
    Blocking,
    Training,
    Scoring,
    Clustering,
    Queueing,
    Done,
}

impl SweepStage {
    /// What the stage does, as the console and the CLI say it.
    pub fn label(self) -> &'static str {
        match self {
            SweepStage::Reading => "reading profiles",
            SweepStage::Blocking => "finding candidate pairs",
            SweepStage::Training => "learning what the fields are worth",
            SweepStage::Scoring => "scoring pairs",
            SweepStage::Clustering => "grouping",
            SweepStage::Queueing => "queueing review items",
            SweepStage::Done => "done",
        }
    }
}

impl From<Stage> for SweepStage {
    fn from(stage: Stage) -> Self {
        match stage {
            Stage::Blocking => SweepStage::Blocking,
            Stage::Training => SweepStage::Training,
            Stage::Scoring => SweepStage::Scoring,
            Stage::Clustering => SweepStage::Clustering,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepProgress {
    pub stage: SweepStage,
    pub done: u64,
    pub total: u64,
}

/// What a sweep found and did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SweepReport {
    /// Active profiles compared.
    pub profiles: u64,
    /// Pairs the blocking rules put side by side and the model scored.
    pub candidate_pairs: u64,
    /// Pairs scored at or above the tenant's review threshold and grouped together.
    pub likely_pairs: u64,
    /// New review items.
    pub queued: u64,
    /// Likely pairs already waiting in the queue.
    pub already_open: u64,
    /// Likely pairs a person had decided are not the same person.
    pub decided_apart: u64,
    /// Likely pairs one of whose profiles was merged or deleted while the sweep ran.
    pub gone: u64,
    /// Likely pairs beyond the most one sweep queues; the next sweep finds them again.
    pub left_for_later: u64,
    pub seconds: f64,
}

/// A sweep as the console shows it: running (with its stage and progress) or finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SweepStatus {
    pub job_id: Uuid,
    pub running: bool,
    /// Why it failed, when it did.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub error: Option<String>,
    pub stage: SweepStage,
    pub done: u64,
    pub total: u64,
    pub report: SweepReport,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub started_by: Option<String>,
    pub started_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub finished_at: Option<DateTime<Utc>>,
}

impl SweepStatus {
    fn from_job(job: JobRow) -> SweepStatus {
        let metrics = job.metrics.0;
        SweepStatus {
            job_id: job.id,
            running: job.status == "running",
            error: job.error,
            stage: serde_json::from_value(metrics["stage"].clone()).unwrap_or(SweepStage::Reading),
            done: job.done.max(0) as u64,
            total: job.total.max(0) as u64,
            report: serde_json::from_value(metrics["report"].clone()).unwrap_or_default(),
            started_by: job.created_by,
            started_at: job.started_at.unwrap_or(job.created_at),
            finished_at: job.finished_at,
        }
    }
}

/// How a sweep runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepOptions {
    /// The most review items one sweep adds, likeliest first: a queue longer than a team can
    /// read helps nobody, and the next sweep picks up where this one stopped.
    pub max_items: usize,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions { max_items: 5_000 }
    }
}

/// Reports progress; called from the engine's worker threads.
pub type OnProgress = Arc<dyn Fn(SweepProgress) + Send + Sync>;

/// The tenant's latest sweep, running or finished.
pub async fn latest_sweep(store: &Store, tenant: &Tenant) -> ServiceResult<Option<SweepStatus>> {
    let mut tx = store.read().await?;
    Ok(tx
        .latest_job(tenant.id, SWEEP_JOB)
        .await?
        .map(SweepStatus::from_job))
}

/// Starts a sweep: takes the tenant's sweep lease and opens its job row. A conflict when one is
/// running already. The work itself is [`run_sweep`].
pub async fn start_sweep(store: &Store, tenant: &Tenant, actor: &Actor) -> ServiceResult<Uuid> {
    let job_id = Uuid::now_v7();
    let now = Utc::now();
    let mut tx = store.begin().await?;
    if !tx
        .take_job_lease(tenant.id, SWEEP_JOB, &job_id.to_string(), now, now + LEASE)
        .await?
    {
        return Err(ServiceError::Conflict(
            "a sweep is running already: follow it on the review page".into(),
        ));
    }
    // The lease was free, so a sweep still marked running is one whose process stopped.
    for stale in tx.running_jobs(tenant.id, SWEEP_JOB).await? {
        tx.finish_job(
            tenant.id,
            stale,
            &json!({"stage": SweepStage::Reading}),
            Some("interrupted: the process running it stopped"),
        )
        .await?;
    }
    tx.insert_job_with_id(
        tenant.id,
        job_id,
        SWEEP_JOB,
        &actor.label(),
        &json!({"stage": SweepStage::Reading, "report": SweepReport::default()}),
    )
    .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "sweep.started", "job").entity(job_id),
    )
    .await?;
    tx.commit().await?;
    Ok(job_id)
}

/// Starts a sweep and runs it on a task of its own (the console's and the API's way): the
/// answer is the job to follow with [`latest_sweep`]; the outcome lands on its row.
pub async fn start_sweep_in_background(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
) -> ServiceResult<Uuid> {
    let job_id = start_sweep(store, tenant, actor).await?;
    let (store, tenant, actor) = (store.clone(), tenant.clone(), actor.clone());
    tokio::spawn(async move {
        // A failure is recorded on the job row and logged by `run_sweep`.
        let _ = run_sweep(
            &store,
            &tenant,
            &actor,
            job_id,
            SweepOptions::default(),
            Arc::new(|_| {}),
        )
        .await;
    });
    Ok(job_id)
}

/// Starts a sweep and runs it to the end (the CLI's way).
pub async fn sweep(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    options: SweepOptions,
    progress: OnProgress,
) -> ServiceResult<(Uuid, SweepReport)> {
    let job_id = start_sweep(store, tenant, actor).await?;
    let report = run_sweep(store, tenant, actor, job_id, options, progress).await?;
    Ok((job_id, report))
}

/// Runs the sweep `start_sweep` opened as `job_id`: reads the profiles, runs the batch engine,
/// queues the likely pairs; records the figures (or the failure) on the job row and releases
/// the lease whatever happens.
pub async fn run_sweep(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    job_id: Uuid,
    options: SweepOptions,
    progress: OnProgress,
) -> ServiceResult<SweepReport> {
    let started = Instant::now();
    let mut report = SweepReport::default();
    let result = work(
        store,
        tenant,
        actor,
        job_id,
        options,
        &progress,
        &mut report,
    )
    .await;
    report.seconds = started.elapsed().as_secs_f64();
    let error = result.as_ref().err().map(ToString::to_string);
    if let Some(error) = &error {
        tracing::warn!(tenant = %tenant.slug, job = %job_id, error = %error, "sweep failed");
    } else {
        tracing::info!(
            tenant = %tenant.slug, job = %job_id, profiles = report.profiles,
            likely = report.likely_pairs, queued = report.queued, seconds = report.seconds,
            "sweep finished"
        );
    }
    let mut tx = store.begin().await?;
    let stage = if error.is_none() {
        SweepStage::Done
    } else {
        SweepStage::Reading
    };
    tx.finish_job(
        tenant.id,
        job_id,
        &json!({"stage": stage, "report": report}),
        error.as_deref(),
    )
    .await?;
    let now = Utc::now();
    tx.finish_job_lease(tenant.id, SWEEP_JOB, &job_id.to_string(), now, now)
        .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "sweep.finished", "job")
            .entity(job_id)
            .after(json!({"report": report, "error": error})),
    )
    .await?;
    tx.commit().await?;
    result.map(|()| report)
}

async fn work(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    job_id: Uuid,
    options: SweepOptions,
    progress: &OnProgress,
    report: &mut SweepReport,
) -> ServiceResult<()> {
    let profiles = read_profiles(store, tenant, job_id, progress).await?;
    report.profiles = profiles.ids.len() as u64;

    // The engine is CPU-bound: it runs on a blocking thread while its progress is written to
    // the job row at each tick.
    let latest = Arc::new(Mutex::new(SweepProgress {
        stage: SweepStage::Blocking,
        done: 0,
        total: 0,
    }));
    let (decided, open) = settled_pairs(store, tenant).await?;
    let ids = Arc::new(profiles.ids);
    let engine = {
        let (latest, progress) = (latest.clone(), progress.clone());
        let bar = tenant.thresholds.review;
        let records = profiles.records;
        let (ids, decided, open) = (ids.clone(), decided.clone(), open.clone());
        tokio::task::spawn_blocking(move || {
            let settled = |a: usize, b: usize| {
                let key = unordered(ids[a], ids[b]);
                if open.contains(&key) {
                    Some(Settled::Open)
                } else if decided.contains(&key) {
                    Some(Settled::Apart)
                } else {
                    None
                }
            };
            let on_stage = move |stage: Stage, done: u64, total: u64| {
                let now = SweepProgress {
                    stage: stage.into(),
                    done,
                    total,
                };
                if let Ok(mut latest) = latest.lock() {
                    *latest = now;
                }
                progress(now);
            };
            find_pairs(&records, bar, options.max_items, &settled, &on_stage)
        })
    };
    tokio::pin!(engine);
    let mut ticker = tokio::time::interval(TICK);
    let found = loop {
        tokio::select! {
            found = &mut engine => break found.map_err(|e| {
                ServiceError::Conflict(format!("the sweep's engine stopped: {e}"))
            })?,
            _ = ticker.tick() => {
                let now = latest.lock().map(|p| *p).ok();
                if let Some(now) = now {
                    record_progress(store, tenant, job_id, now, report).await?;
                }
            }
        }
    };
    report.candidate_pairs = found.candidate_pairs;
    report.likely_pairs =
        found.pairs.len() as u64 + found.left_for_later + found.already_open + found.decided_apart;
    report.left_for_later = found.left_for_later;
    report.already_open = found.already_open;
    report.decided_apart = found.decided_apart;

    drop((decided, open));
    queue_pairs(
        store,
        tenant,
        actor,
        job_id,
        (&ids, &profiles.created),
        found.pairs,
        progress,
        report,
    )
    .await
}

/// The tenant's active profiles as the engine's records, their ids and creation times.
struct Profiles {
    ids: Vec<Uuid>,
    created: Vec<DateTime<Utc>>,
    records: Vec<Record>,
}

async fn read_profiles(
    store: &Store,
    tenant: &Tenant,
    job_id: Uuid,
    progress: &OnProgress,
) -> ServiceResult<Profiles> {
    let total = store
        .read()
        .await?
        .count_active_customers(tenant.id)
        .await?
        .max(0) as u64;
    let mut profiles = Profiles {
        ids: Vec::with_capacity(total as usize),
        created: Vec::with_capacity(total as usize),
        records: Vec::with_capacity(total as usize),
    };
    let mut after = None;
    loop {
        // One read transaction per page: a long sweep holds no snapshot open.
        let mut tx = store.read().await?;
        let page = tx.sweep_profiles(tenant.id, after, PAGE).await?;
        let Some(last) = page.last().map(|p| p.id) else {
            break;
        };
        let mut hashes: BTreeMap<Uuid, String> = BTreeMap::new();
        for (customer, hash) in tx.address_hashes_between(tenant.id, after, last).await? {
            // The most recently seen address first: that one is kept.
            hashes.entry(customer).or_insert(hash);
        }
        drop(tx);
        // Normalized page by page (on a blocking thread: it is CPU work), so a million
        // profiles' raw fields are never held at once.
        let raws: Vec<RawRecord> = page
            .iter()
            .map(|row| raw_record(row, hashes.get(&row.id).map(String::as_str)))
            .collect();
        let region = tenant.region;
        let normalized = tokio::task::spawn_blocking(move || normalize_all(&raws, region))
            .await
            .map_err(|e| ServiceError::Conflict(format!("the sweep's reader stopped: {e}")))?;
        profiles
            .records
            .extend(normalized.into_iter().map(|(record, _)| record));
        for row in &page {
            profiles.ids.push(row.id);
            profiles.created.push(row.created_at);
        }
        after = Some(last);
        let now = SweepProgress {
            stage: SweepStage::Reading,
            done: profiles.ids.len() as u64,
            total: total.max(profiles.ids.len() as u64),
        };
        progress(now);
        record_progress(store, tenant, job_id, now, &SweepReport::default()).await?;
        if (page.len() as i64) < PAGE {
            break;
        }
    }
    Ok(profiles)
}

/// A stored profile as the engine reads a row of a file: its given and family names (or the
/// display name when it has no parts), its primary email and phone, and its address's hash.
fn raw_record(row: &SweepProfileRow, address_hash: Option<&str>) -> RawRecord {
    let mut fields = BTreeMap::new();
    let mut put = |field: Field, value: Option<&str>| {
        if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
            fields.insert(field, value.to_owned());
        }
    };
    if row.given_name.is_some() || row.family_name.is_some() {
        put(Field::FirstName, row.given_name.as_deref());
        put(Field::LastName, row.family_name.as_deref());
    } else {
        put(Field::FullName, row.display_name.as_deref());
    }
    put(Field::Email, row.primary_email.as_deref());
    put(Field::Phone, row.primary_phone.as_deref());
    put(Field::Other(ADDRESS_HASH.into()), address_hash);
    RawRecord {
        id: row.id.to_string(),
        fields,
    }
}

/// A likely pair: record indices (the older profile first), its probability and the model's
/// reasons.
#[derive(Debug, Clone, PartialEq)]
struct LikelyPair {
    older: usize,
    newer: usize,
    probability: f64,
    explanation: Vec<Contribution>,
}

#[derive(Default)]
struct Found {
    candidate_pairs: u64,
    pairs: Vec<LikelyPair>,
    already_open: u64,
    decided_apart: u64,
    left_for_later: u64,
}

/// Why a likely pair is not queued again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settled {
    /// Waiting in the queue already.
    Open,
    /// A person decided they are not the same person.
    Apart,
}

/// Runs the batch engine over `records` and keeps the pairs worth a person's look that
/// `settled` does not rule out (by record indices), at most `max_items` of them, likeliest first.
fn find_pairs(
    records: &[Record],
    bar: f64,
    max_items: usize,
    settled: &dyn Fn(usize, usize) -> Option<Settled>,
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
) -> Found {
    let mut model = Model::for_records(records);
    let mut options = DedupeOptions::default();
    options.cluster.threshold = bar;
    let output = dedupe(records, &mut model, &options, progress);
    let mut found = Found {
        candidate_pairs: output.pairs.len() as u64,
        ..Found::default()
    };
    let mut likely = Vec::new();
    for pair in likely_pairs(&output, bar) {
        match settled(pair.left as usize, pair.right as usize) {
            Some(Settled::Open) => found.already_open += 1,
            Some(Settled::Apart) => found.decided_apart += 1,
            None => likely.push(pair),
        }
    }
    found.left_for_later = likely.len().saturating_sub(max_items) as u64;
    likely.truncate(max_items);
    found.pairs = likely
        .into_iter()
        .map(|pair| {
            let (left, right) = (pair.left as usize, pair.right as usize);
            let prediction = model.score(&records[left], &records[right], Some(&output.tf));
            LikelyPair {
                older: left,
                newer: right,
                probability: f64::from(pair.probability),
                explanation: prediction
                    .explanation
                    .into_iter()
                    .filter(|c| c.level_index.is_some())
                    .map(|c| Contribution {
                        comparison: c.name,
                        level: c.level,
                        effect: c.weight,
                    })
                    .collect(),
            }
        })
        .collect();
    found
}

/// The scored pairs at or above `bar` whose two records the clustering kept together (a pair
/// a "distinct person" level or a stronger contrary pair split stays apart), likeliest first.
fn likely_pairs(output: &DedupeOutput, bar: f64) -> Vec<ScoredPair> {
    let mut pairs: Vec<ScoredPair> = output
        .pairs
        .iter()
        .filter(|p| {
            f64::from(p.probability) >= bar
                && output.cluster_of[p.left as usize] == output.cluster_of[p.right as usize]
        })
        .copied()
        .collect();
    pairs.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then(a.left.cmp(&b.left))
            .then(a.right.cmp(&b.right))
    });
    pairs
}

/// Both orders of a pair, as one key.
fn unordered(a: Uuid, b: Uuid) -> (Uuid, Uuid) {
    if a < b { (a, b) } else { (b, a) }
}

/// The pairs a person settled: decided apart, and waiting in the queue (both orders as one).
async fn settled_pairs(
    store: &Store,
    tenant: &Tenant,
) -> ServiceResult<(Arc<HashSet<(Uuid, Uuid)>>, Arc<HashSet<(Uuid, Uuid)>>)> {
    let mut tx = store.read().await?;
    let decided: HashSet<(Uuid, Uuid)> = tx.non_match_pairs(tenant.id).await?.into_iter().collect();
    let mut open = HashSet::new();
    for (subject, candidates) in tx.open_review_pairs(tenant.id).await? {
        open.extend(candidates.0.into_iter().map(|c| unordered(subject, c)));
    }
    Ok((Arc::new(decided), Arc::new(open)))
}

/// Queues `pairs`, checking again what a person may have settled while the engine ran.
#[allow(clippy::too_many_arguments)]
async fn queue_pairs(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    job_id: Uuid,
    (ids, created): (&[Uuid], &[DateTime<Utc>]),
    pairs: Vec<LikelyPair>,
    progress: &OnProgress,
    report: &mut SweepReport,
) -> ServiceResult<()> {
    // Read again: a person may have decided or queued pairs while the engine ran.
    let (decided, open) = settled_pairs(store, tenant).await?;
    let mut open: HashSet<(Uuid, Uuid)> = (*open).clone();
    let total = pairs.len() as u64;
    let mut done = 0u64;
    for group in pairs.chunks(QUEUE_GROUP) {
        let mut tx = store.begin().await?;
        let mut wanted: Vec<Uuid> = group
            .iter()
            .flat_map(|p| [ids[p.older], ids[p.newer]])
            .collect();
        wanted.sort();
        wanted.dedup();
        let active: HashSet<Uuid> = tx
            .active_among(tenant.id, &wanted)
            .await?
            .into_iter()
            .collect();
        for pair in group {
            // The older profile is the candidate, which survives a merge by default.
            let (mut candidate, mut subject) = (pair.older, pair.newer);
            if (created[subject], ids[subject]) < (created[candidate], ids[candidate]) {
                std::mem::swap(&mut candidate, &mut subject);
            }
            let (candidate, subject) = (ids[candidate], ids[subject]);
            let key = unordered(candidate, subject);
            if decided.contains(&key) {
                report.decided_apart += 1;
                continue;
            }
            if !open.insert(key) {
                report.already_open += 1;
                continue;
            }
            if !active.contains(&candidate) || !active.contains(&subject) {
                report.gone += 1;
                continue;
            }
            let evidence = vec![ScoredCandidate {
                id: candidate,
                confidence: pair.probability,
                explanation: pair.explanation.clone(),
            }];
            queue_review_item(
                &mut tx,
                tenant.id,
                actor,
                &NewReviewItem {
                    reason: SWEEP_REASON.to_owned(),
                    subject_customer_id: subject,
                    candidate_ids: vec![candidate],
                    evidence: json!(evidence),
                    score: pair.probability,
                    interaction_id: None,
                    created_at: Utc::now(),
                },
                json!({"reason": SWEEP_REASON, "score": pair.probability, "job": job_id}),
            )
            .await?;
            report.queued += 1;
        }
        done += group.len() as u64;
        let now = SweepProgress {
            stage: SweepStage::Queueing,
            done,
            total,
        };
        tx.update_job_stage(
            tenant.id,
            job_id,
            done as i64,
            total as i64,
            &json!({"stage": now.stage, "report": report}),
        )
        .await?;
        tx.commit().await?;
        progress(now);
    }
    Ok(())
}

async fn record_progress(
    store: &Store,
    tenant: &Tenant,
    job_id: Uuid,
    now: SweepProgress,
    report: &SweepReport,
) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    tx.update_job_stage(
        tenant.id,
        job_id,
        now.done as i64,
        now.total as i64,
        &json!({"stage": now.stage, "report": report}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use spine_engine::dedupe::DedupeReport;

    fn row(given: Option<&str>, family: Option<&str>, display: Option<&str>) -> SweepProfileRow {
        SweepProfileRow {
            id: Uuid::now_v7(),
            display_name: display.map(Into::into),
            given_name: given.map(Into::into),
            family_name: family.map(Into::into),
            primary_email: Some(" ana@example.com ".into()),
            primary_phone: Some(String::new()),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_profile_gives_its_name_parts_or_else_its_display_name_and_no_empty_field() {
        let parts = raw_record(&row(Some("Ana"), Some("Lopez"), Some("Ana L")), Some("abc"));
        assert_eq!(parts.get(&Field::FirstName), Some("Ana"));
        assert_eq!(parts.get(&Field::LastName), Some("Lopez"));
        assert_eq!(parts.get(&Field::FullName), None);
        assert_eq!(parts.get(&Field::Email), Some("ana@example.com"));
        assert!(
            !parts.fields.contains_key(&Field::Phone),
            "an empty phone is no value"
        );
        assert_eq!(parts.get(&Field::Other(ADDRESS_HASH.into())), Some("abc"));

        let whole = raw_record(&row(None, None, Some("Ana Lopez")), None);
        assert_eq!(whole.get(&Field::FullName), Some("Ana Lopez"));
        assert_eq!(whole.get(&Field::FirstName), None);
        assert!(
            !whole
                .fields
                .contains_key(&Field::Other(ADDRESS_HASH.into()))
        );
    }

    fn output(cluster_of: Vec<u32>, pairs: &[(u32, u32, f32)]) -> DedupeOutput {
        let records: Vec<Record> = Vec::new();
        DedupeOutput {
            cluster_of,
            pairs: pairs
                .iter()
                .map(|&(left, right, probability)| ScoredPair {
                    left,
                    right,
                    probability,
                })
                .collect(),
            report: DedupeReport {
                records: 0,
                candidate_pairs: pairs.len(),
                links: 0,
                clusters: 0,
                skipped_blocks: Vec::new(),
                em: None,
                distinct_person: spine_engine::dedupe::DistinctPerson::given(&[]),
            },
            tf: spine_engine::model::TermFrequencies::from_records(&records),
        }
    }

    #[test]
    fn likely_pairs_are_those_above_the_bar_and_kept_together_likeliest_first() {
        // 0-1 strong, 1-2 above the bar but split by the clustering, 3-4 below the bar, 0-5
        // at the bar exactly.
        let out = output(
            vec![0, 0, 2, 3, 3, 0],
            &[
                (1, 2, 0.95),
                (0, 1, 0.8),
                (3, 4, 0.59),
                (0, 5, 0.6),
                (0, 2, 0.99),
            ],
        );
        let pairs: Vec<(u32, u32)> = likely_pairs(&out, 0.6)
            .into_iter()
            .map(|p| (p.left, p.right))
            .collect();
        assert_eq!(pairs, vec![(0, 1), (0, 5)]);
    }

    #[test]
    fn the_pairs_found_are_mostly_one_person_each_and_the_cap_leaves_the_rest_for_later() {
        use spine_engine::synth::{SynthOptions, generate};
        // Generated customers with what a stored profile holds: names, an email, a phone.
        let people = generate(&SynthOptions::new(2_000, 7));
        let raws: Vec<RawRecord> = people
            .iter()
            .map(|p| RawRecord {
                id: p.raw.id.clone(),
                fields: p
                    .raw
                    .fields
                    .iter()
                    .filter(|(f, _)| {
                        matches!(
                            f,
                            Field::FirstName | Field::LastName | Field::Email | Field::Phone
                        )
                    })
                    .map(|(f, v)| (f.clone(), v.clone()))
                    .collect(),
            })
            .collect();
        let region = spine_engine::normalize::phone::Region::default();
        let records: Vec<Record> = normalize_all(&raws, region)
            .into_iter()
            .map(|(record, _)| record)
            .collect();
        let found = find_pairs(&records, 0.6, usize::MAX, &|_, _| None, &|_, _, _| {});
        let same = |p: &LikelyPair| people[p.older].person == people[p.newer].person;
        let right = found.pairs.iter().filter(|p| same(p)).count();
        let true_pairs: usize = {
            let mut per_person = std::collections::HashMap::new();
            for p in &people {
                *per_person.entry(p.person).or_insert(0usize) += 1;
            }
            per_person.values().map(|n| n * (n - 1) / 2).sum()
        };
        let precision = right as f64 / found.pairs.len() as f64;
        let recall = right as f64 / true_pairs as f64;
        assert!(precision >= 0.95, "precision {precision:.3}");
        assert!(recall >= 0.9, "recall {recall:.3} of {true_pairs}");
        assert!(
            found
                .pairs
                .iter()
                .all(|p| p.probability >= 0.6 && !p.explanation.is_empty())
        );
        assert!(
            found
                .pairs
                .windows(2)
                .all(|w| w[0].probability >= w[1].probability),
            "likeliest first"
        );

        let capped = find_pairs(&records, 0.6, 10, &|_, _| None, &|_, _, _| {});
        assert_eq!(capped.pairs.len(), 10);
        assert_eq!(capped.left_for_later as usize, found.pairs.len() - 10);
        assert_eq!(capped.pairs[..], found.pairs[..10]);

        // The ten likeliest settled (waiting or decided): the cap passes over them to the next.
        let settled = |a: usize, b: usize| {
            let rank = found.pairs[..10]
                .iter()
                .position(|p| (p.older, p.newer) == (a, b))?;
            Some(if rank % 2 == 0 {
                Settled::Open
            } else {
                Settled::Apart
            })
        };
        let next = find_pairs(&records, 0.6, 10, &settled, &|_, _, _| {});
        assert_eq!((next.already_open, next.decided_apart), (5, 5));
        assert_eq!(next.pairs[..], found.pairs[10..20]);
    }
}
