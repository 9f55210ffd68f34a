//! The duplicate sweep over stored profiles on both backends: a person typed twice (a slip in
//! the name and in the email, the phone on one profile only) becomes a review item and never
//! a merge; namesakes with other contacts do not; a second sweep queues nothing twice and
//! nothing a person rejected; one sweep runs at a time; the job row and the audit log say what
//! it did.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use uuid::Uuid;

use spine_core::services::audit_log::{AuditSearch, search_audit};
use spine_core::services::ingest::ingest_events;
use spine_core::services::review::{pending_review_items, reject_review_item};
use spine_core::services::sweep::{
    SWEEP_REASON, SweepOptions, SweepStage, latest_sweep, run_sweep, start_sweep, sweep,
};
use spine_core::types::{Channel, Role};
use spine_core::{ServiceError, Store, Tenant};

#[macro_use]
mod common;

use common::{SYSTEM, event, ids, staff, tenant};

/// Given names and family names enough for a hundred and fifty distinct people.
const GIVEN: [&str; 15] = [
    "Amara", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas",
    "Keiko", "Lars", "Mireille", "Nuno", "Oksana",
];
const FAMILY: [&str; 10] = [
    "Abadi",
    "Brennan",
    "Castellanos",
    "Dimitriou",
    "Eriksen",
    "Fujimoto",
    "Gallagher",
    "Haddad",
    "Ivanova",
    "Jankowski",
];

/// Stores one profile per (name, email, phone) and returns their ids in order.
async fn profiles(
    store: &Store,
    t: &Tenant,
    people: &[(String, Option<String>, Option<String>)],
) -> Vec<Uuid> {
    let events = people
        .iter()
        .enumerate()
        .map(|(i, (name, email, phone))| {
            event(
                Channel::Email,
                i as i64,
                ids(email.as_deref(), phone.as_deref(), name),
                "hello",
            )
        })
        .collect();
    ingest_events(store, t, &SYSTEM, events)
        .await
        .into_iter()
        .map(|r| r.expect("ingest").customer_id)
        .collect()
}

fn unordered(a: Uuid, b: Uuid) -> (Uuid, Uuid) {
    if a < b { (a, b) } else { (b, a) }
}

on_both!(
    likely_pairs_are_queued_once_and_never_merged,
    |store: Store| async move {
        let t = tenant(&store).await;
        let admin = staff(Role::Admin);
        let mut people: Vec<(String, Option<String>, Option<String>)> = Vec::new();
        for (i, given) in GIVEN.iter().enumerate() {
            for (j, family) in FAMILY.iter().enumerate() {
                people.push((
                    format!("{given} {family}"),
                    Some(format!(
                        "{}.{}{i}{j}@example.com",
                        given.to_lowercase(),
                        family.to_lowercase()
                    )),
                    Some(format!("+1 415 555 {:04}", 1000 + i * 10 + j)),
                ));
            }
        }
        let background = people.len();
        // One person twice: a slip in the given name and in the email, the phone on one only.
        people.push((
            "Katherine Oduya".into(),
            Some("katherine.oduya@example.com".into()),
            Some("+1 212 555 0199".into()),
        ));
        people.push((
            "Kathrine Oduya".into(),
            Some("katherine.oduay@example.com".into()),
            None,
        ));
        // Another person twice, the same way.
        people.push((
            "Tobias Wexler".into(),
            Some("tobias.wexler@example.org".into()),
            Some("+1 646 555 0142".into()),
        ));
        people.push((
            "Tobias Wexlre".into(),
            Some("tobais.wexler@example.org".into()),
            None,
        ));
        // A namesake of a background person (a name the table holds often), every contact
        // different.
        people.push((
            "Amara Abadi".into(),
            Some("amara.a@example.net".into()),
            Some("+1 702 555 0190".into()),
        ));
        let ids = profiles(&store, &t, &people).await;
        let distinct: std::collections::HashSet<Uuid> = ids.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            people.len(),
            "every row its own profile before the sweep"
        );
        let (kathy, tobias, namesake) = (background, background + 2, background + 4);
        let pending_before = pending_review_items(&store, &t, 500)
            .await
            .expect("queue")
            .len();

        let stages = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = stages.clone();
        let (job, report) = sweep(
            &store,
            &t,
            &admin,
            SweepOptions::default(),
            Arc::new(move |p| {
                if let Ok(mut seen) = seen.lock()
                    && seen.last() != Some(&p.stage)
                {
                    seen.push(p.stage);
                }
            }),
        )
        .await
        .expect("sweep");
        assert_eq!(report.profiles, people.len() as u64);
        assert!(report.candidate_pairs > 0);
        let stages = stages.lock().expect("stages").clone();
        assert_eq!(stages.first(), Some(&SweepStage::Reading));
        assert!(stages.contains(&SweepStage::Scoring), "{stages:?}");

        let queue = pending_review_items(&store, &t, 500).await.expect("queue");
        let swept: Vec<_> = queue.iter().filter(|i| i.reason == SWEEP_REASON).collect();
        assert_eq!(swept.len() as u64, report.queued);
        assert_eq!(queue.len(), pending_before + swept.len());
        let pairs: Vec<(Uuid, Uuid)> = swept
            .iter()
            .map(|i| unordered(i.subject_customer_id, i.candidate_ids[0]))
            .collect();
        for (a, what) in [
            (kathy, "a slip in name and email"),
            (tobias, "slips in names and email"),
        ] {
            assert!(
                pairs.contains(&unordered(ids[a], ids[a + 1])),
                "{what}: not queued ({report:?})"
            );
        }
        assert!(
            !pairs
                .iter()
                .any(|(a, b)| *a == ids[namesake] || *b == ids[namesake]),
            "a namesake with other contacts queued: {swept:?}"
        );
        let item = swept
            .iter()
            .find(|i| {
                unordered(i.subject_customer_id, i.candidate_ids[0])
                    == unordered(ids[kathy], ids[kathy + 1])
            })
            .expect("item");
        assert_eq!(
            item.candidate_ids,
            vec![ids[kathy]],
            "the older profile is the candidate"
        );
        assert_eq!(item.subject_customer_id, ids[kathy + 1]);
        assert!(item.score >= t.thresholds.review && item.score <= 1.0);
        let lines = item.evidence[0]["explanation"]
            .as_array()
            .expect("explanation");
        assert!(
            lines.iter().any(|l| l["comparison"] == "email"),
            "{lines:?}"
        );

        // Nothing merged: every profile is still its own.
        let mut tx = store.read().await.expect("read");
        for id in &ids {
            let row = tx.customer(t.id, *id).await.expect("row").expect("exists");
            assert!(row.merged_into.is_none());
        }
        drop(tx);

        let status = latest_sweep(&store, &t)
            .await
            .expect("status")
            .expect("a sweep");
        assert_eq!(status.job_id, job);
        assert!(!status.running && status.error.is_none());
        assert_eq!(status.stage, SweepStage::Done);
        assert_eq!(status.report, report);
        let audit = search_audit(
            &store,
            &t,
            &AuditSearch {
                action: Some("sweep.finished".into()),
                ..Default::default()
            },
            0,
        )
        .await
        .expect("audit");
        assert_eq!(audit.entries.len(), 1);

        // A person says the Wexlers are two people; the sweep runs again.
        let wexler = swept
            .iter()
            .find(|i| {
                unordered(i.subject_customer_id, i.candidate_ids[0])
                    == unordered(ids[tobias], ids[tobias + 1])
            })
            .expect("item");
        reject_review_item(&store, &t, &admin, wexler.id)
            .await
            .expect("reject");
        let (_, again) = sweep(
            &store,
            &t,
            &admin,
            SweepOptions::default(),
            Arc::new(|_| {}),
        )
        .await
        .expect("sweep again");
        assert_eq!(again.queued, 0, "{again:?}");
        assert_eq!(again.decided_apart, 1);
        assert_eq!(again.already_open, report.queued - 1);
        let after = pending_review_items(&store, &t, 500).await.expect("queue");
        assert_eq!(after.len(), queue.len() - 1);
    }
);

on_both!(
    one_sweep_runs_at_a_time_and_a_cap_leaves_the_rest,
    |store: Store| async move {
        let t = tenant(&store).await;
        let admin = staff(Role::Admin);
        let mut people = Vec::new();
        for (i, given) in GIVEN.iter().enumerate() {
            for (j, family) in FAMILY.iter().enumerate().take(6) {
                people.push((
                    format!("{given} {family}"),
                    Some(format!(
                        "{}.{}@example.com",
                        given.to_lowercase(),
                        family.to_lowercase()
                    )),
                    Some(format!("+1 415 555 {:04}", 2000 + i * 10 + j)),
                ));
            }
        }
        // Three people typed twice: the same name, a slip in the email, the phone on one only.
        for (name, slip, email, slipped) in [
            (
                "Wanda Okafor",
                "Wanda Okafor",
                "wanda.okafor@example.com",
                "wanda.okafro@example.com",
            ),
            (
                "Piotr Zielinski",
                "Piotr Zielinski",
                "piotr.zielinski@example.com",
                "piotr.zielinsky@example.com",
            ),
            (
                "Lucia Bernal",
                "Lucia Bernal",
                "lucia.bernal@example.com",
                "lucai.bernal@example.com",
            ),
        ] {
            let phone = format!("+1 917 555 {:04}", people.len());
            people.push((name.into(), Some(email.into()), Some(phone)));
            people.push((slip.into(), Some(slipped.into()), None));
        }
        profiles(&store, &t, &people).await;

        let job = start_sweep(&store, &t, &admin).await.expect("start");
        match start_sweep(&store, &t, &admin).await {
            Err(ServiceError::Conflict(message)) => assert!(message.contains("running")),
            other => panic!("a second sweep started: {other:?}"),
        }
        let running = latest_sweep(&store, &t)
            .await
            .expect("status")
            .expect("a sweep");
        assert!(running.running);
        assert_eq!(running.job_id, job);

        let calls = Arc::new(AtomicU64::new(0));
        let counted = calls.clone();
        let report = run_sweep(
            &store,
            &t,
            &admin,
            job,
            SweepOptions { max_items: 1 },
            Arc::new(move |_| {
                counted.fetch_add(1, Ordering::Relaxed);
            }),
        )
        .await
        .expect("run");
        assert!(calls.load(Ordering::Relaxed) > 0);
        assert_eq!(report.queued, 1);
        assert_eq!(report.left_for_later, 2, "{report:?}");
        assert_eq!(report.likely_pairs, 1 + report.left_for_later);

        // The lease is free again; the next sweep queues the rest and skips the one queued.
        let (_, next) = sweep(
            &store,
            &t,
            &admin,
            SweepOptions::default(),
            Arc::new(|_| {}),
        )
        .await
        .expect("next sweep");
        assert_eq!(next.already_open, 1);
        assert_eq!(next.queued, report.left_for_later);
    }
);

on_both!(
    an_empty_tenant_sweeps_to_nothing,
    |store: Store| async move {
        let t = tenant(&store).await;
        let (_, report) = sweep(
            &store,
            &t,
            &SYSTEM,
            SweepOptions::default(),
            Arc::new(|_| {}),
        )
        .await
        .expect("sweep");
        assert_eq!(report.profiles, 0);
        assert_eq!(report.queued, 0);
        let status = latest_sweep(&store, &t)
            .await
            .expect("status")
            .expect("a sweep");
        assert!(!status.running && status.error.is_none());
    }
);
