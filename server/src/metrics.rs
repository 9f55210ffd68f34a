//! `GET /metrics`: Prometheus' text format. Counters and histograms are recorded where things
//! happen (requests here, ingestion decisions and group sizes in the ingest service, job
//! durations in the scheduler, outbox rounds in the dispatcher); gauges that describe the
//! database (review backlog, outbox pending and failed, pool use, queue depth) are read when
//! the page is scraped.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use spine_core::Store;
use spine_core::services::ingest_queue::IngestQueue;
use spine_core::services::outbox::Round;
use spine_core::services::{outbox, review, tenants};

/// Request latency buckets, in seconds: from a cached page to a slow import.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
const GROUP_BUCKETS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder once per process (`spine serve`); later calls reuse it.
pub fn install() -> anyhow::Result<()> {
    if HANDLE.get().is_some() {
        return Ok(());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), &LATENCY_BUCKETS)?
        .set_buckets_for_metric(
            Matcher::Full("spine_ingest_group_size".into()),
            &GROUP_BUCKETS,
        )?
        .install_recorder()?;
    // Histograms are gathered in blocks that upkeep folds in; without it they grow.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    let _ = HANDLE.set(handle);
    Ok(())
}

/// One delivery round of the outbox.
pub fn outbox_round(round: &Round) {
    for (outcome, n) in [
        ("sent", round.sent),
        ("failed", round.failed),
        ("retried", round.retried),
        ("lost_lease", round.lost),
    ] {
        if n > 0 {
            metrics::counter!("spine_outbox_deliveries_total", "outcome" => outcome)
                .increment(n as u64);
        }
    }
}

/// The whole page: what was recorded, with the gauges read now.
pub async fn render(store: &Store, ingest: &IngestQueue) -> String {
    for (pool, open, idle) in store.pool_use() {
        metrics::gauge!("spine_db_connections", "pool" => pool, "state" => "open").set(open);
        metrics::gauge!("spine_db_connections", "pool" => pool, "state" => "idle").set(idle as f64);
    }
    metrics::gauge!("spine_ingest_queue_depth").set(ingest.depth() as f64);
    match tenants::all_tenants(store).await {
        Ok(all) => {
            for tenant in all {
                let label = tenant.slug.clone();
                if let Ok(n) = review::count_pending_review_items(store, &tenant).await {
                    metrics::gauge!("spine_review_pending", "tenant" => label.clone())
                        .set(n as f64);
                }
                if let Ok((pending, failed)) = outbox::backlog(store, &tenant).await {
                    metrics::gauge!("spine_outbox_pending", "tenant" => label.clone())
                        .set(pending as f64);
                    metrics::gauge!("spine_outbox_failed", "tenant" => label).set(failed as f64);
                }
            }
            metrics::gauge!("spine_database_up").set(1.0);
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read the database");
            metrics::gauge!("spine_database_up").set(0.0);
        }
    }
    HANDLE
        .get()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}
