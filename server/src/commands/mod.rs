//! One module per subcommand; each is a thin adapter over the services.

mod analytics_bench;
mod api_key;
mod backup;
mod dedupe;
mod import;
mod list_bench;
mod load;
mod memory;
mod normalize;
mod seed;
mod serve;
mod sweep;
mod sweep_bench;
mod tenant;
pub(crate) mod text;
mod user;
mod webhook;
mod write_bench;

use anyhow::Context;
use spine_core::Store;

use crate::cli::{Cli, Command};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::run(&cli.database_url, args).await,
        Command::Migrate => {
            let store = open(&cli.database_url).await?;
            index_names(&store).await?;
            tracing::info!(backend = store.backend().as_str(), "migrations applied");
            store.close().await;
            Ok(())
        }
        Command::Seed(args) => seed::run(&cli.database_url, args).await,
        Command::Backup(args) => backup::run(&cli.database_url, args).await,
        Command::Normalize(args) => normalize::run(args),
        Command::Import(args) => import::run(&cli.database_url, args).await,
        Command::Sweep(args) => sweep::run(&cli.database_url, args).await,
        Command::SweepBench(args) => sweep_bench::run(&cli.database_url, args).await,
        Command::ListBench(args) => list_bench::run(&cli.database_url, args).await,
        Command::TrainModel { tenant } => {
            let store = open(&cli.database_url).await?;
            let tenant = spine_core::services::tenants::tenant_by_slug(&store, &tenant).await?;
            let report = spine_core::services::matching::train_match_model(
                &store,
                &tenant,
                &spine_core::Actor::System("cli"),
            )
            .await?;
            eprintln!(
                "Trained the match model of '{}' on {} profiles ({} candidate pairs, EM {} after {} iterations{}).",
                tenant.slug,
                report.profiles,
                report.candidate_pairs,
                if report.em_converged {
                    "converged"
                } else {
                    "stopped"
                },
                report.em_iterations,
                if report.em_used {
                    ""
                } else {
                    "; its m was implausible, so only u was kept"
                }
            );
            store.close().await;
            Ok(())
        }
        Command::ApiKey(command) => api_key::run(&cli.database_url, command).await,
        Command::Tenant(command) => tenant::run(&cli.database_url, command).await,
        Command::User(command) => user::run(&cli.database_url, command).await,
        Command::Webhook(command) => webhook::run(&cli.database_url, command).await,
        Command::Dedupe(args) => dedupe::run(args),
        Command::DedupeBench(args) => dedupe::bench(args),
        Command::Load(args) => load::run(args).await,
        Command::AnalyticsBench(args) => analytics_bench::run(&cli.database_url, args).await,
        Command::Archive(args) => memory::archive(&cli.database_url, args).await,
        Command::ContextBench(args) => memory::context_bench(&cli.database_url, args).await,
        Command::WriteBench(args) => write_bench::run(&cli.database_url, args).await,
    }
}

/// A command refused as asked, with what to do instead: `spine` exits with status 2 (as for a
/// usage error), not 1, so scripts can tell "not like this" from "it failed".
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The progress bar every long command draws on stderr: `message [====>   ] 120/400 unit
/// (35/s, 8s left)`; `unit` may be empty.
pub(crate) fn progress_bar(
    len: u64,
    message: impl Into<String>,
    unit: &str,
) -> indicatif::ProgressBar {
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    };
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{msg}} [{{bar:40}}] {{pos}}/{{len}}{unit} ({{per_sec}}, {{eta}} left)"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(message.into());
    bar
}

/// Measured latencies in microseconds, sorted; percentiles in milliseconds.
pub(crate) struct Latencies(Vec<u64>);

impl Latencies {
    pub(crate) fn new(mut micros: Vec<u64>) -> Latencies {
        micros.sort_unstable();
        Latencies(micros)
    }

    pub(crate) fn from_durations(times: &[std::time::Duration]) -> Latencies {
        Latencies::new(
            times
                .iter()
                .map(|t| u64::try_from(t.as_micros()).unwrap_or(u64::MAX))
                .collect(),
        )
    }

    /// How many were measured.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The `p`th percentile (0 to 100), in milliseconds; 0 when nothing was measured.
    pub(crate) fn percentile(&self, p: f64) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1] as f64 / 1000.0
    }
}

/// Opens the database and brings its schema up to date.
pub async fn open(database_url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(database_url)
        .await
        .with_context(|| format!("database {}", redact(database_url)))?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

/// Indexes the names of profiles stored before name search existed (or before a migration
/// rebuilt its keys). Run where search will be served (`serve`) and by `migrate`; the other
/// commands write keys with every name and do not search.
pub async fn index_names(store: &Store) -> anyhow::Result<()> {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} indexing profile names for search: {pos} profiles ({per_sec})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let indexed =
        spine_core::services::customers::index_missing_names(store, &|done| bar.set_position(done))
            .await
            .context("indexing profile names for search")?;
    bar.finish_and_clear();
    if indexed > 0 {
        tracing::info!(profiles = indexed, "indexed profile names for search");
    }
    Ok(())
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn password_is_redacted_from_database_urls() {
        assert_eq!(
            redact("postgres://spine:s3cret@db:5432/spine"),
            "postgres://spine:***@db:5432/spine"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redact("sqlite://spine.db"), "sqlite://spine.db");
    }
}
