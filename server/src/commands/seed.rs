//! `spine seed --demo`: the demo tenant, its staff and customers, with a progress bar.

use anyhow::bail;
use chrono::{DurationRound, TimeDelta, Utc};

use spine_core::demo::{DEMO_STAFF, seed_demo};

use crate::cli::SeedArgs;

pub async fn run(database_url: &str, args: SeedArgs) -> anyhow::Result<()> {
    if !args.demo {
        bail!("nothing to seed: pass --demo (bulk imports are `spine import`)");
    }
    let store = super::open(database_url).await?;
    seed(&store, args.seed, args.people as usize, true).await?;
    store.close().await;
    Ok(())
}

/// Seeds the demo data and prints what was made and how to sign in.
pub async fn seed(
    store: &spine_core::Store,
    seed: u64,
    people: usize,
    show_progress: bool,
) -> anyhow::Result<()> {
    let bar = super::progress_bar(0, "seeding demo data", "events");
    if !show_progress {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    // Anchored on today, so the demo's recent activity is recent; the same seed on the same day
    // gives the same data.
    let now = Utc::now()
        .duration_trunc(TimeDelta::days(1))
        .unwrap_or_else(|_| Utc::now());
    let started = std::time::Instant::now();
    let (tenant, report) = seed_demo(store, seed, people, now, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .await?;
    bar.finish_and_clear();
    eprintln!(
        "Seeded tenant '{}' in {:.1}s: {} events ({} new profiles, {} linked, {} to review, {} ambiguous, {} already there).",
        tenant.slug,
        started.elapsed().as_secs_f64(),
        report.events,
        report.created,
        report.linked,
        report.review,
        report.ambiguous,
        report.duplicates
    );
    eprintln!("Demo staff (tenant '{}'):", tenant.slug);
    for (email, _, role, password) in DEMO_STAFF {
        eprintln!("  {:<8} {email}  password: {password}", role.as_str());
    }
    Ok(())
}
