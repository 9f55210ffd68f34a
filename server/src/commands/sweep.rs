//! `spine sweep`: the batch engine over a tenant's stored profiles, with a progress bar per
//! stage and the figures at the end. Likely pairs wait in the review queue; nothing is merged.

use std::sync::{Arc, Mutex};

use spine_core::Actor;
use spine_core::services::sweep::{OnProgress, SweepOptions, SweepProgress, SweepStage, sweep};
use spine_core::services::tenants;

use crate::cli::SweepArgs;

/// A progress bar that follows a sweep stage by stage, and the callback that moves it.
pub(crate) fn progress() -> (indicatif::ProgressBar, OnProgress) {
    let bar = super::progress_bar(0, SweepStage::Reading.label(), "");
    let shown = Mutex::new(SweepStage::Reading);
    let moved = bar.clone();
    let progress: OnProgress = Arc::new(move |p: SweepProgress| {
        if let Ok(mut shown) = shown.lock()
            && *shown != p.stage
        {
            *shown = p.stage;
            moved.set_message(p.stage.label());
            moved.reset();
        }
        moved.set_length(p.total);
        moved.set_position(p.done);
    });
    (bar, progress)
}

pub async fn run(database_url: &str, args: SweepArgs) -> anyhow::Result<()> {
    let store = super::open(database_url).await?;
    let tenant = tenants::tenant_by_slug(&store, &args.tenant).await?;
    let (bar, progress) = progress();
    let result = sweep(
        &store,
        &tenant,
        &Actor::System("sweep"),
        SweepOptions {
            max_items: args.max_items,
        },
        progress,
    )
    .await;
    bar.finish_and_clear();
    store.close().await;
    let (job, report) = result?;
    eprintln!(
        "Swept {} profiles of '{}' in {:.1}s: {} candidate pairs scored, {} likely duplicates; {} queued for review, {} already waiting, {} decided before as different people, {} no longer active{}. Job {job}.",
        report.profiles,
        tenant.slug,
        report.seconds,
        report.candidate_pairs,
        report.likely_pairs,
        report.queued,
        report.already_open,
        report.decided_apart,
        report.gone,
        if report.left_for_later > 0 {
            format!(", {} left for the next sweep", report.left_for_later)
        } else {
            String::new()
        },
    );
    Ok(())
}
