//! Bulk import: many events through the same ingestion as the API, with the metrics the sync
//! teams reported (created, linked, review, ambiguous, already there, errors).

use serde::Serialize;

use crate::services::ingest::{IngestJob, ingest_jobs, prepare_event};
use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::Store;
use crate::types::{Decision, EventInput};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnBadEvent {
    Skip,
    Stop,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    pub events: usize,
    pub created: usize,
    pub linked: usize,
    pub review: usize,
    pub ambiguous: usize,
    pub already_there: usize,
    pub errors: usize,
    /// The first errors, as "line N: message".
    pub error_samples: Vec<String>,
}

const ERROR_SAMPLES: usize = 20;

/// Events committed together during an import (one transaction, one commit).
const GROUP: usize = 250;

/// Ingests `events` (each with its line number, or the reason it could not be read) in order,
/// in groups of `GROUP` per transaction. A bad event is skipped and counted, or stops the import
/// after the events before it, as the caller chose; a database failure always stops it. Events
/// already imported are recognised by their message id. `progress` gets the last line done.
pub async fn import_events(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    events: impl IntoIterator<Item = (usize, Result<EventInput, String>)>,
    on_bad: OnBadEvent,
    mut progress: impl FnMut(usize),
) -> ServiceResult<ImportReport> {
    let mut report = ImportReport::default();
    let mut group: Vec<IngestJob> = Vec::with_capacity(GROUP);
    let mut last_line = 0;
    for (line, event) in events {
        let prepared = event
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
                    flush(store, &mut group, &mut report).await?;
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
        last_line = line;
        if group.len() == GROUP {
            flush(store, &mut group, &mut report).await?;
            progress(line);
        }
    }
    flush(store, &mut group, &mut report).await?;
    progress(last_line);
    Ok(report)
}

async fn flush(
    store: &Store,
    group: &mut Vec<IngestJob>,
    report: &mut ImportReport,
) -> ServiceResult<()> {
    for outcome in ingest_jobs(store, group).await {
        let outcome = outcome?;
        report.events += 1;
        match (outcome.duplicate, outcome.decision) {
            (true, _) => report.already_there += 1,
            (false, Decision::Created) => report.created += 1,
            (false, Decision::Linked) => report.linked += 1,
            (false, Decision::Review) => report.review += 1,
            (false, Decision::Ambiguous) => report.ambiguous += 1,
        }
    }
    group.clear();
    Ok(())
}
