//! Background work claimed, not assumed: several deliverers (as several processes would run
//! them) send each outbox message once; a transient failure waits for its retry and a
//! permanent one is kept as failed; a scheduled job runs once per period whoever asks.

#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use uuid::Uuid;

use common::{SYSTEM, event, ids, tenant};
use spine_core::Store;
use spine_core::services::ingest::{IngestJob, ingest_jobs, prepare_event};
use spine_core::services::outbox::{self, Carrier, Delivery, Outgoing};
use spine_core::services::schedule::{self, Job};
use spine_core::store::NewOutboxMessage;

/// Records every message it is handed, and answers with `answer`.
#[derive(Clone)]
struct Recorder {
    sent: Arc<Mutex<Vec<Uuid>>>,
    answer: Delivery,
}

impl Recorder {
    fn answering(answer: Delivery) -> Recorder {
        Recorder {
            sent: Arc::new(Mutex::new(Vec::new())),
            answer,
        }
    }

    fn handed(&self) -> Vec<Uuid> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Carrier for Recorder {
    async fn send(&self, message: &Outgoing<'_>) -> Delivery {
        if let Ok(mut sent) = self.sent.lock() {
            sent.push(message.id);
        }
        // Long enough for the other deliverers to be claiming meanwhile.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        self.answer.clone()
    }
}

async fn queue(store: &Store, tenant_id: Uuid, n: usize) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for i in 0..n {
        let mut tx = store.begin().await.expect("begin");
        let destination = format!("person{i}@example.com");
        let body = format!("Your code is {:06}.", 100_000 + i);
        ids.push(
            tx.insert_outbox(
                tenant_id,
                &NewOutboxMessage {
                    customer_id: None,
                    channel: "email",
                    destination: &destination,
                    subject: Some("Your code"),
                    body: &body,
                    created_at: Utc::now(),
                },
            )
            .await
            .expect("queue"),
        );
        tx.commit().await.expect("commit");
    }
    ids
}

on_both!(
    three_deliverers_send_each_message_once,
    |store: Store| async move {
        let t = tenant(&store).await;
        let queued = queue(&store, t.id, 40).await;
        let carrier = Recorder::answering(Delivery::Sent);
        let mut deliverers = tokio::task::JoinSet::new();
        for _ in 0..3 {
            let (store, t, carrier) = (store.clone(), t.clone(), carrier.clone());
            deliverers.spawn(async move { outbox::deliver_pending(&store, &t, &carrier).await });
        }
        let mut sent = 0;
        while let Some(round) = deliverers.join_next().await {
            let round = round.expect("task").expect("round");
            assert_eq!(round.lost, 0);
            sent += round.sent;
        }
        assert_eq!(sent, queued.len());
        let mut handed: BTreeMap<Uuid, usize> = BTreeMap::new();
        for id in carrier.handed() {
            *handed.entry(id).or_default() += 1;
        }
        let once: BTreeMap<Uuid, usize> = queued.iter().map(|id| (*id, 1)).collect();
        assert_eq!(
            handed, once,
            "every message handed to a carrier exactly once"
        );

        // Sent is settled: codes blotted out, nothing left to claim.
        let again = outbox::deliver_pending(&store, &t, &carrier)
            .await
            .expect("round");
        assert_eq!(again.sent, 0);
        let mut tx = store.read().await.expect("read");
        for row in tx.recent_outbox(t.id, 100).await.expect("outbox") {
            assert!(row.sent_at.is_some(), "{row:?}");
            assert!(
                !row.body.contains("1000"),
                "the code is blotted out: {}",
                row.body
            );
            assert_eq!(row.attempts, 1);
        }
    }
);

on_both!(
    a_transient_failure_waits_and_a_permanent_one_stays_failed,
    |store: Store| async move {
        let t = tenant(&store).await;
        let [first] = queue(&store, t.id, 1).await[..] else {
            panic!("one message");
        };
        let away = Recorder::answering(Delivery::Retry("SMTP: connection refused".into()));
        let round = outbox::deliver_pending(&store, &t, &away)
            .await
            .expect("round");
        assert_eq!((round.sent, round.retried, round.failed), (0, 1, 0));
        let row = store
            .read()
            .await
            .expect("read")
            .recent_outbox(t.id, 1)
            .await
            .expect("outbox")
            .remove(0);
        assert_eq!(row.id, first);
        assert_eq!(row.attempts, 1);
        assert!(row.sent_at.is_none() && row.error.is_none(), "{row:?}");
        assert_eq!(row.last_error.as_deref(), Some("SMTP: connection refused"));
        let due = row.next_attempt_at.expect("a next try");
        assert!(
            due > Utc::now() + Duration::seconds(20) && due < Utc::now() + Duration::seconds(40),
            "{due}"
        );
        // The code waits in the row for the next try.
        assert!(row.body.contains("100000"), "{}", row.body);

        // Not due yet: nobody takes it, whatever it would answer.
        let ready = Recorder::answering(Delivery::Sent);
        let round = outbox::deliver_pending(&store, &t, &ready)
            .await
            .expect("round");
        assert_eq!(round, outbox::Round::default());
        assert!(ready.handed().is_empty());

        // A refusal is final.
        queue(&store, t.id, 1).await;
        let refusing = Recorder::answering(Delivery::NotSent("SMTP: 550 no such mailbox".into()));
        let round = outbox::deliver_pending(&store, &t, &refusing)
            .await
            .expect("round");
        assert_eq!((round.sent, round.retried, round.failed), (0, 0, 1));
        let (pending, failed) = outbox::backlog(&store, &t).await.expect("backlog");
        assert_eq!(
            (pending, failed),
            (1, 1),
            "one waits for its retry, one failed"
        );
    }
);

on_both!(
    a_scheduled_job_runs_once_per_period_whoever_asks,
    |store: Store| async move {
        let t = tenant(&store).await;
        let job = Job {
            name: "test-job",
            every: Duration::hours(1),
            lease: Duration::minutes(5),
        };
        let runs = Arc::new(Mutex::new(0));
        let mut askers = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let (store, t, runs) = (store.clone(), t.clone(), runs.clone());
            askers.spawn(async move {
                schedule::run_if_due(&store, &t, job, async || {
                    if let Ok(mut runs) = runs.lock() {
                        *runs += 1;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Ok(())
                })
                .await
            });
        }
        let mut ran = 0;
        while let Some(result) = askers.join_next().await {
            if result.expect("task").expect("run").is_some() {
                ran += 1;
            }
        }
        assert_eq!(ran, 1);
        assert_eq!(*runs.lock().expect("runs"), 1);
        // Done for this period: asking again runs nothing.
        let again = schedule::run_if_due(&store, &t, job, async || Ok(()))
            .await
            .expect("run");
        assert_eq!(again, None);
        let mut tx = store.read().await.expect("read");
        let leases = tx.job_leases(t.id).await.expect("leases");
        assert_eq!(leases.len(), 1);
        let (name, last, next) = &leases[0];
        assert_eq!(name, "test-job");
        assert!(last.is_some());
        assert!(*next > Utc::now() + Duration::minutes(55), "{next}");
    }
);

on_both!(
    work_held_by_a_process_that_died_goes_to_another_after_its_lease,
    |store: Store| async move {
        let t = tenant(&store).await;
        queue(&store, t.id, 2).await;
        // A process claims both messages for a second, then dies before sending them.
        let now = Utc::now();
        let mut tx = store.begin().await.expect("begin");
        let claimed = tx
            .claim_outbox(t.id, now, now + Duration::seconds(1), 10)
            .await
            .expect("claim");
        tx.commit().await.expect("commit");
        assert_eq!(claimed.len(), 2);
        let job = Job {
            name: "test-job",
            every: Duration::hours(1),
            lease: Duration::seconds(1),
        };
        let mut tx = store.begin().await.expect("begin");
        assert!(
            tx.take_job_lease(t.id, job.name, "dead-process", now, now + job.lease)
                .await
                .expect("lease")
        );
        tx.commit().await.expect("commit");

        // While the leases hold, nobody else touches the work.
        let carrier = Recorder::answering(Delivery::Sent);
        let round = outbox::deliver_pending(&store, &t, &carrier)
            .await
            .expect("round");
        assert_eq!(round.sent, 0);
        let ran = schedule::run_if_due(&store, &t, job, async || Ok(()))
            .await
            .expect("run");
        assert_eq!(ran, None);

        // After them, another process takes over.
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        let round = outbox::deliver_pending(&store, &t, &carrier)
            .await
            .expect("round");
        assert_eq!(round.sent, 2);
        let ran = schedule::run_if_due(&store, &t, job, async || Ok(()))
            .await
            .expect("run");
        assert_eq!(ran, Some(()));

        // The dead process's late word changes nothing.
        let mut tx = store.begin().await.expect("begin");
        assert!(
            !tx.finish_job_lease(t.id, job.name, "dead-process", Utc::now(), Utc::now())
                .await
                .expect("finish")
        );
        tx.commit().await.expect("commit");
    }
);

on_both!(
    a_group_that_fails_is_ingested_one_event_at_a_time,
    |store: Store| async move {
        // A group of three whose middle event cannot be stored (its tenant is gone: no such
        // row for its profile to belong to), so the group's one transaction fails as a whole.
        let t = tenant(&store).await;
        let mut gone = t.clone();
        gone.id = Uuid::now_v7();
        let job = |tenant: &spine_core::Tenant, n: i64| IngestJob {
            tenant: tenant.clone(),
            actor: SYSTEM,
            event: prepare_event(
                tenant,
                event(
                    spine_core::types::Channel::Email,
                    n,
                    ids(
                        Some(&format!("group-{n}@example.com")),
                        None,
                        "Group Member",
                    ),
                    "hello",
                ),
            )
            .expect("a valid event"),
        };
        let jobs = [job(&t, 1), job(&gone, 2), job(&t, 3)];
        let results = ingest_jobs(&store, &jobs).await;
        let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
        assert_eq!(ok, [true, false, true], "{results:?}");
        // The two good events are stored, each once; the bad one left nothing.
        let mut tx = store.read().await.expect("read");
        assert_eq!(tx.count_interactions(t.id).await.expect("count"), 2);
        assert_eq!(tx.count_interactions(gone.id).await.expect("count"), 0);
    }
);
