//! Group commit for real-time ingestion. Requests that arrive while a transaction is running
//! wait in a queue; the next transaction takes all of them at once (up to `MAX_GROUP`), so the
//! cost of a commit, and on SQLite the single writer, is shared by every event in flight instead
//! of paid per event. Each caller still gets its own outcome, and a failing group falls back to
//! one transaction per event (`ingest_jobs`), so one bad event never fails another.

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::services::ingest::{IngestJob, ingest_jobs, prepare_event};
use crate::services::{Actor, ServiceResult, Tenant};
use crate::store::{Backend, Store};
use crate::types::{EventInput, IngestOutcome};

/// The most events one transaction takes.
const MAX_GROUP: usize = 128;

type Reply = oneshot::Sender<ServiceResult<IngestOutcome>>;
/// A job, where its answer goes, and when it was queued.
type Queued = (IngestJob, Reply, std::time::Instant);

/// A handle on the queue; cheap to clone. Workers stop when every handle is dropped.
#[derive(Clone)]
pub struct IngestQueue {
    store: Store,
    sender: mpsc::Sender<Queued>,
}

impl IngestQueue {
    /// Starts the workers on the current tokio runtime: one on SQLite (it has one writer), a few
    /// on PostgreSQL (groups that share no identifier commit in parallel).
    pub fn start(store: Store) -> IngestQueue {
        let workers = match store.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => 4,
        };
        let (sender, receiver) = mpsc::channel::<Queued>(MAX_GROUP * 16);
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..workers {
            let (store, receiver, backend) = (store.clone(), receiver.clone(), store.backend());
            let work = async move {
                while let Some(group) = next_group(&receiver).await {
                    run_group(&store, group).await;
                }
            };
            match backend {
                // SQLite's one writer gets a thread of its own: each statement is a hand-off to
                // sqlx's connection thread and back, and on the shared runtime every return waited
                // behind the HTTP tasks in the run queue, once per statement.
                Backend::Sqlite => {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    match runtime {
                        Ok(runtime) => {
                            let spawned = std::thread::Builder::new()
                                .name("spine-ingest".into())
                                .spawn(move || runtime.block_on(work));
                            if let Err(err) = spawned {
                                tracing::error!(error = %err, "cannot start the ingestion thread");
                            }
                        }
                        Err(err) => {
                            tracing::warn!(error = %err, "no runtime for the ingestion thread; sharing the server's");
                            tokio::spawn(work);
                        }
                    }
                }
                Backend::Postgres => {
                    tokio::spawn(work);
                }
            }
        }
        IngestQueue { store, sender }
    }

    /// Events waiting for a transaction.
    pub fn depth(&self) -> usize {
        self.sender.max_capacity() - self.sender.capacity()
    }

    /// Ingests one event with the events in flight beside it; the same answer as `ingest_event`.
    pub async fn ingest(
        &self,
        tenant: &Tenant,
        actor: &Actor,
        event: EventInput,
    ) -> ServiceResult<IngestOutcome> {
        let job = IngestJob {
            tenant: tenant.clone(),
            actor: actor.clone(),
            event: prepare_event(tenant, event)?,
        };
        let (reply, answer) = oneshot::channel();
        match self
            .sender
            .send((job, reply, std::time::Instant::now()))
            .await
        {
            Ok(()) => match answer.await {
                Ok(result) => result,
                Err(_) => Err(crate::services::ServiceError::Conflict(
                    "the ingestion worker stopped; retry".into(),
                )),
            },
            // No worker (shutting down): ingest on this task instead.
            Err(mpsc::error::SendError((job, _, _))) => {
                ingest_jobs(&self.store, std::slice::from_ref(&job))
                    .await
                    .pop()
                    .unwrap_or_else(|| {
                        Err(crate::services::ServiceError::Conflict(
                            "event was not ingested".into(),
                        ))
                    })
            }
        }
    }
}

/// Ingests one group in one transaction and answers each caller.
async fn run_group(store: &Store, group: Vec<Queued>) {
    let mut jobs = Vec::with_capacity(group.len());
    let mut replies = Vec::with_capacity(group.len());
    for (job, reply, queued) in group {
        metrics::histogram!("spine_ingest_stage_duration_seconds", "stage" => "queue")
            .record(queued.elapsed().as_secs_f64());
        jobs.push(job);
        replies.push(reply);
    }
    metrics::histogram!("spine_ingest_group_size").record(jobs.len() as f64);
    let results = ingest_jobs(store, &jobs).await;
    for (reply, result) in replies.into_iter().zip(results) {
        // The caller may have gone (a dropped request); its event is stored anyway.
        let _ = reply.send(result);
    }
}

/// Waits for one job, then takes whatever else is already queued, up to `MAX_GROUP`.
async fn next_group(receiver: &Mutex<mpsc::Receiver<Queued>>) -> Option<Vec<Queued>> {
    let mut receiver = receiver.lock().await;
    let first = receiver.recv().await?;
    let mut group = vec![first];
    while group.len() < MAX_GROUP {
        match receiver.try_recv() {
            Ok(job) => group.push(job),
            Err(_) => break,
        }
    }
    Some(group)
}
