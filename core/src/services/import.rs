//! Bulk import: provider exports and JSONL through the same ingestion as the API, in groups of
//! one transaction each, recorded on a job row with the metrics the sync teams reported
//! (fetched, created, updated, linked, review, ambiguous, already there, errors).

use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::exports::ExportRow;
use crate::services::ingest::{IngestJob, ingest_jobs, prepare_event};
use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::Store;
use crate::types::{Decision, IngestOutcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnBadEvent {
    Skip,
    Stop,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// The job row that records this run.
    pub job_id: Option<Uuid>,
    /// Rows read from the input.
    pub fetched: usize,
    /// Rows ingested (fetched less errors).
    pub events: usize,
    /// New profiles.
    pub created: usize,
    /// Known to this source already (its own customer id matched) and brought up to date.
    pub updated: usize,
    /// Linked to an existing profile by other evidence (email, phone, address...).
    pub linked: usize,
    /// New profiles with a review item: a possible duplicate below the link threshold.
    pub review: usize,
    /// Several profiles matched: stored on a provisional profile, queued for review, not merged.
    pub ambiguous: usize,
    /// Imported before (same message id or same row): nothing written.
    pub already_there: usize,
    pub errors: usize,
    /// The first errors, as "line N: message".
    pub error_samples: Vec<String>,
}

impl ImportReport {
    fn count(&mut self, outcome: &IngestOutcome) {
        self.events += 1;
        match (outcome.duplicate, outcome.decision) {
            (true, _) => self.already_there += 1,
            (false, Decision::Created) => self.created += 1,
            (false, Decision::Linked) if outcome.matched_by.iter().any(|m| m == "external_id") => {
                self.updated += 1
            }
            (false, Decision::Linked) => self.linked += 1,
            (false, Decision::Review) => self.review += 1,
            (false, Decision::Ambiguous) => self.ambiguous += 1,
        }
    }

    fn metrics(&self, source: &str) -> serde_json::Value {
        json!({
            "source": source,
            "fetched": self.fetched,
            "created": self.created,
            "updated": self.updated,
            "linked": self.linked,
            "review": self.review,
            "ambiguous": self.ambiguous,
            "already_there": self.already_there,
            "errors": self.errors,
            "error_samples": self.error_samples,
        })
    }
}

const ERROR_SAMPLES: usize = 20;
/// Events committed together (one transaction, one commit).
const GROUP: usize = 250;

/// Imports `rows` (each with its line number, or why it could not be read) in order, in groups
/// of `GROUP` per transaction, recording progress and metrics on a job row. A bad row is skipped
/// and counted, or stops the import after the rows before it, as the caller chose; a database
/// failure always stops it (the job is marked failed). Rows imported before are recognised by
/// their message id. `progress` gets the number of rows done.
pub async fn import_rows(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    source: &str,
    rows: Vec<ExportRow>,
    on_bad: OnBadEvent,
    mut progress: impl FnMut(usize),
) -> ServiceResult<ImportReport> {
    let mut report = ImportReport {
        fetched: rows.len(),
        ..ImportReport::default()
    };
    let job_id = {
        let mut tx = store.begin().await?;
        let id = tx
            .insert_running_job(
                tenant.id,
                "import",
                rows.len() as i64,
                &actor.label(),
                &report.metrics(source),
            )
            .await?;
        tx.commit().await?;
        id
    };
    report.job_id = Some(job_id);
    let result = run(
        store,
        tenant,
        actor,
        (job_id, source),
        rows,
        on_bad,
        &mut report,
        &mut progress,
    )
    .await;
    let error = result.as_ref().err().map(ToString::to_string);
    let mut tx = store.begin().await?;
    tx.finish_job(tenant.id, job_id, &report.metrics(source), error.as_deref())
        .await?;
    tx.commit().await?;
    result.map(|()| report)
}

#[allow(clippy::too_many_arguments)]
async fn run(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    (job_id, source): (Uuid, &str),
    rows: Vec<ExportRow>,
    on_bad: OnBadEvent,
    report: &mut ImportReport,
    progress: &mut impl FnMut(usize),
) -> ServiceResult<()> {
    let mut group: Vec<IngestJob> = Vec::with_capacity(GROUP);
    let mut done = 0;
    for (line, row) in rows {
        done += 1;
        let prepared = row
            .map_err(|message| ServiceError::invalid("line", message))
            .and_then(|event| prepare_event(tenant, event));
        match prepared {
            Ok(event) => group.push(IngestJob {
                tenant: tenant.clone(),
                actor: actor.clone(),
                event,
            }),
            Err(ServiceError::Invalid { field, message }) => {
                let detail = if field == "line" {
                    message
                } else {
                    format!("{field}: {message}")
                };
                if on_bad == OnBadEvent::Stop {
                    flush(store, &mut group, report).await?;
                    report.errors += 1;
                    report.error_samples.push(format!("line {line}: {detail}"));
                    return Err(ServiceError::Invalid {
                        field: format!("line {line}"),
                        message: detail,
                    });
                }
                report.errors += 1;
                if report.error_samples.len() < ERROR_SAMPLES {
                    report.error_samples.push(format!("line {line}: {detail}"));
                }
            }
            Err(other) => return Err(other),
        }
        if group.len() == GROUP {
            flush(store, &mut group, report).await?;
            let mut tx = store.begin().await?;
            tx.update_job_progress(tenant.id, job_id, done as i64, &report.metrics(source))
                .await?;
            tx.commit().await?;
            progress(done);
        }
    }
    flush(store, &mut group, report).await?;
    progress(done);
    Ok(())
}

async fn flush(
    store: &Store,
    group: &mut Vec<IngestJob>,
    report: &mut ImportReport,
) -> ServiceResult<()> {
    for outcome in ingest_jobs(store, group).await {
        report.count(&outcome?);
    }
    group.clear();
    Ok(())
}
