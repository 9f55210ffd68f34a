//! Scheduled work in the background of `spine serve`, for every tenant: archiving old resolved
//! conversations, and purging expired sessions, codes, old outbox messages and spent attempt
//! counters. Every process of a deployment runs this loop; each job runs once per period per
//! tenant, in whichever process takes its lease first.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};

use spine_core::services::schedule::{self, Job};
use spine_core::services::{housekeeping, memory, tenants};
use spine_core::{Actor, Store};

const ARCHIVE: Job = Job {
    name: "archive",
    every: Duration::hours(1),
    lease: Duration::minutes(30),
};
const PURGE: Job = Job {
    name: "purge",
    every: Duration::hours(1),
    lease: Duration::minutes(10),
};

/// How often a process looks for due jobs.
const LOOK: StdDuration = StdDuration::from_secs(60);

pub fn spawn(store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(LOOK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let tenants = match tenants::all_tenants(&store).await {
                Ok(tenants) => tenants,
                Err(e) => {
                    tracing::warn!(error = %e, "scheduler: listing tenants failed");
                    continue;
                }
            };
            for tenant in tenants {
                let archived = schedule::run_if_due(&store, &tenant, ARCHIVE, async || {
                    memory::archive_threads(
                        &store,
                        &tenant,
                        &Actor::System("archiver"),
                        Utc::now(),
                        |_, _| {},
                    )
                    .await
                })
                .await;
                match archived {
                    Ok(Some(report)) if report.threads > 0 => tracing::info!(
                        tenant = %tenant.slug,
                        threads = report.threads,
                        messages = report.messages,
                        "archived resolved conversations"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(tenant = %tenant.slug, error = %e, "archival failed"),
                }
                let purged = schedule::run_if_due(&store, &tenant, PURGE, async || {
                    housekeeping::purge_expired(&store, &tenant, Utc::now()).await
                })
                .await;
                match purged {
                    Ok(Some(purged)) => {
                        tracing::debug!(tenant = %tenant.slug, ?purged, "purged expired rows")
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(tenant = %tenant.slug, error = %e, "purge failed"),
                }
            }
        }
    });
}
