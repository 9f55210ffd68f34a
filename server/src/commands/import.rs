//! `spine import`: a JSONL file of events (one API event object per line) through ingestion,
//! with a progress bar and the sync metrics at the end.

use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use spine_core::Actor;
use spine_core::services::import::{OnBadEvent, import_events};
use spine_core::services::tenants;
use spine_core::types::EventInput;

use crate::cli::{ImportArgs, OnError};

pub async fn run(database_url: &str, args: ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let lines: Vec<(usize, &[u8])> = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .collect();
    if lines.is_empty() {
        anyhow::bail!(
            "{} has no events (expected one JSON event per line)",
            args.input.display()
        );
    }
    let store = super::open(database_url).await?;
    let tenant = tenants::tenant_by_slug(&store, &args.tenant).await?;
    // Positions are line numbers: the bar counts lines read, blank ones included.
    let bar = ProgressBar::new(lines.last().map_or(0, |(line, _)| *line) as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "importing [{bar:40}] {pos}/{len} events ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let events = lines.iter().map(|(line, text)| {
        let mut de = serde_json::Deserializer::from_slice(text);
        let parsed =
            serde_path_to_error::deserialize::<_, EventInput>(&mut de).map_err(|e| {
                match e.path().to_string().as_str() {
                    "." => e.into_inner().to_string(),
                    path => format!("{path}: {}", e.into_inner()),
                }
            });
        (*line, parsed)
    });
    let on_bad = match args.on_error {
        OnError::Skip => OnBadEvent::Skip,
        OnError::Stop => OnBadEvent::Stop,
    };
    let started = Instant::now();
    let result = import_events(
        &store,
        &tenant,
        &Actor::System("import"),
        events,
        on_bad,
        |line| bar.set_position(line as u64),
    )
    .await;
    bar.finish_and_clear();
    store.close().await;
    let report = result?;
    for sample in &report.error_samples {
        eprintln!("spine: {sample}; skipped");
    }
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "Imported {} events into '{}' in {seconds:.1}s ({:.0}/s): {} new profiles, {} linked, {} to review, {} ambiguous, {} already there, {} errors.",
        report.events,
        tenant.slug,
        report.events as f64 / seconds.max(1e-9),
        report.created,
        report.linked,
        report.review,
        report.ambiguous,
        report.already_there,
        report.errors
    );
    Ok(())
}
