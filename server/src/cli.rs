//! The command line: global options every subcommand takes, and the subcommands.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "spine",
    version,
    about = "Spine: one profile and one timeline per customer, across every channel."
)]
pub struct Cli {
    /// Database to use: sqlite://PATH (created on first run) or postgres://USER@HOST:PORT/DB.
    #[arg(long, env = "DATABASE_URL", global = true, default_value = crate::config::DEFAULT_DATABASE_URL)]
    pub database_url: String,

    #[command(flatten)]
    pub log: LogArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Log filter, in tracing's EnvFilter syntax (e.g. "info", "spine=debug,sqlx=warn").
    #[arg(long, env = "SPINE_LOG", global = true, default_value = "info")]
    pub log_level: String,

    /// Log format: human-readable text or one JSON object per line.
    #[arg(long, env = "SPINE_LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console, the API and the health checks (migrates first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load data: `--demo` creates the demo tenant, its staff and a few hundred customers.
    Seed(SeedArgs),
    /// Normalize values read one per line on stdin; writes CSV `input,normalized,variants,error`.
    Normalize(NormalizeArgs),
}

#[derive(Debug, Args)]
pub struct NormalizeArgs {
    /// What the values are: phone, email, name or address ("line1[, line2], city, region postal[, country]").
    pub kind: spine_engine::normalize::NormalizeKind,

    /// Region for phone numbers written without a country code (ISO 3166 alpha-2).
    #[arg(long, default_value = "US")]
    pub region: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SPINE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Folder with the built site (the WASM bundle, CSS, static files).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// Tenant the console shows (by slug).
    #[arg(long, env = "SPINE_TENANT", default_value = "demo")]
    pub tenant: String,

    /// Seed the demo data first when the database has no demo tenant yet.
    #[arg(long, env = "SPINE_SEED_DEMO")]
    pub seed_demo: bool,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Create the demo tenant, one staff user per role, and customers with multi-channel histories.
    #[arg(long)]
    pub demo: bool,

    /// How many people the demo crowd has.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub people: u32,

    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}
