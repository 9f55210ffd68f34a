//! Bulk import: many events through the same ingestion as the API, with the metrics the sync
//! teams reported (created, linked, review, ambiguous, already there, errors).

use serde::Serialize;

use crate::services::ingest::ingest_event;
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

/// Ingests `events` (each with its line number, or the reason it could not be read) in order.
/// A bad event is skipped and counted, or stops the import, as the caller chose; a database
/// failure always stops it. Events already imported are recognised by their message id.
pub async fn import_events(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    events: impl IntoIterator<Item = (usize, Result<EventInput, String>)>,
    on_bad: OnBadEvent,
    mut progress: impl FnMut(usize),
) -> ServiceResult<ImportReport> {
    let mut report = ImportReport::default();
    for (line, event) in events {
        let outcome = match event {
            Ok(event) => ingest_event(store, tenant, actor, event).await,
            Err(message) => Err(ServiceError::invalid("line", message)),
        };
        match outcome {
            Ok(outcome) => {
                report.events += 1;
                match (outcome.duplicate, outcome.decision) {
                    (true, _) => report.already_there += 1,
                    (false, Decision::Created) => report.created += 1,
                    (false, Decision::Linked) => report.linked += 1,
                    (false, Decision::Review) => report.review += 1,
                    (false, Decision::Ambiguous) => report.ambiguous += 1,
                }
            }
            Err(ServiceError::Invalid { field, message }) => {
                let detail = if field == "line" {
                    message
                } else {
                    format!("{field}: {message}")
                };
                if on_bad == OnBadEvent::Stop {
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
        progress(line);
    }
    Ok(report)
}
