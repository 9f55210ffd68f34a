//! `spine import`: provider exports (Shopify, QuickBooks Online, Amazon, ShipStation, CSV) and
//! Spine's JSONL through ingestion, with a progress bar, the sync metrics at the end and a job row.

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

use spine_core::Actor;
use spine_core::exports::{Provider, read_export_mapped};
use spine_core::services::import::{OnBadEvent, import_rows};
use spine_core::services::tenants;

use crate::cli::{ImportArgs, OnError};

pub async fn run(database_url: &str, args: ImportArgs) -> anyhow::Result<()> {
    let mut sources: Vec<(Provider, PathBuf)> = match (args.file.or(args.input), args.sources) {
        (Some(file), _) => vec![(args.provider, file)],
        (None, sources) if !sources.is_empty() => sources,
        (None, _) => {
            anyhow::bail!("name the file to import: spine import --tenant T FILE (see --help)")
        }
    };
    // The order of authority: more authoritative sources create the profiles first.
    sources.sort_by_key(|(p, _)| *p);
    let mut inputs = Vec::with_capacity(sources.len());
    for (provider, file) in &sources {
        let mut bytes = Vec::new();
        std::fs::File::open(file)
            .and_then(|f| super::text::decoding(f, args.encoding).read_to_end(&mut bytes))
            .with_context(|| format!("cannot read {}", file.display()))?;
        super::text::check_not_utf16(&file.display().to_string(), &bytes)?;
        let rows = read_export_mapped(*provider, &bytes, chrono::Utc::now(), &args.map)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        if rows.is_empty() {
            anyhow::bail!(
                "{} has no rows (expected {})",
                file.display(),
                match provider {
                    Provider::Jsonl => "one JSON event per line",
                    _ => "a header line and one record per line",
                }
            );
        }
        inputs.push((*provider, file, rows));
    }
    let store = super::open(database_url).await?;
    let tenant = tenants::tenant_by_slug(&store, &args.tenant).await?;
    let on_bad = match args.on_error {
        OnError::Skip => OnBadEvent::Skip,
        OnError::Stop => OnBadEvent::Stop,
    };
    let mut outcome = Ok(());
    for (provider, file, rows) in inputs {
        let bar = super::progress_bar(
            rows.len() as u64,
            format!("importing {}", provider.as_str()),
            "rows",
        );
        let started = Instant::now();
        let result = import_rows(
            &store,
            &tenant,
            &Actor::System("import"),
            provider.as_str(),
            rows,
            on_bad,
            |done| bar.set_position(done as u64),
        )
        .await;
        bar.finish_and_clear();
        let report = match result {
            Ok(report) => report,
            Err(e) => {
                outcome = Err(anyhow::Error::from(e).context(format!("{}", file.display())));
                break;
            }
        };
        for sample in &report.error_samples {
            eprintln!("spine: {sample}; skipped");
        }
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "Imported {} events into '{}' from {} ({}) in {seconds:.1}s ({:.0}/s): fetched {}, {} new profiles, {} updated, {} linked, {} to review, {} ambiguous, {} already there, {} errors. Job {}.",
            report.events,
            tenant.slug,
            file.display(),
            provider.as_str(),
            report.events as f64 / seconds.max(1e-9),
            report.fetched,
            report.created,
            report.updated,
            report.linked,
            report.review,
            report.ambiguous,
            report.already_there,
            report.errors,
            report.job_id.map(|id| id.to_string()).unwrap_or_default(),
        );
    }
    store.close().await;
    outcome
}
