//! The command line: global options every subcommand takes, and the subcommands.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use spine_core::exports::Provider;
use spine_core::services::webhooks::WebhookProvider;

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
    /// Copy the SQLite database to a file, consistently, while the server keeps serving
    /// (PostgreSQL: use pg_dump).
    Backup(BackupArgs),
    /// Normalize values read one per line on stdin; writes CSV `input,normalized,variants,error`.
    Normalize(NormalizeArgs),
    /// Create, list and revoke API keys.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// Create and list tenants: the businesses (or brands) one deployment serves.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Create, list and disable staff users (the console's sign-in).
    #[command(subcommand)]
    User(UserCommand),
    /// Configure provider webhooks: each provider's signing secret, per tenant.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Import events from a JSONL file (one API event object per line), with progress and metrics.
    Import(ImportArgs),
    /// Train the tenant's match model on its own profiles (u from random pairs, m by EM) and store it.
    TrainModel {
        #[arg(long)]
        tenant: String,
    },
    /// Look for duplicates among a tenant's stored profiles with the batch engine; each likely
    /// pair becomes a review item (never a merge), pairs decided or already queued are skipped.
    Sweep(SweepArgs),
    /// Time the sweep: bulk-load a fresh tenant with generated customers (each record a profile
    /// of its own), sweep it, print the time, peak memory and the share of queued pairs that are
    /// one person. The tenant stays: run it on a scratch database.
    SweepBench(SweepBenchArgs),
    /// Deduplicate a CSV of people: clusters.csv (record_id,cluster_id) and optionally pairs.csv.
    Dedupe(DedupeArgs),
    /// Deduplicate generated people with known truth; print accuracy, speed and peak memory.
    DedupeBench(DedupeBenchArgs),
    /// Load-test a running server: seed N profiles over the API, then measure events/s, ingest
    /// latency (70% known, 25% new, 5% ambiguous senders) and search latency.
    Load(LoadArgs),
    /// Time the analytics dashboard: bulk-load a fresh tenant with generated profiles and a
    /// year of interactions, then time each chart for 7, 30 and 90 days, and the snapshot.
    AnalyticsBench(AnalyticsBenchArgs),
    /// Time the customer list: bulk-load a fresh tenant with generated profiles (stages, tags,
    /// sources, campaigns, channels, conversations, review items), then time each kind of
    /// filtered list (a page and its count), p50 and p95.
    ListBench(ListBenchArgs),
    /// Archive a tenant's conversations resolved longer ago than its archive age (a setting;
    /// `spine serve` also does this every hour): summaries stay, text moves to transcripts.
    Archive(ArchiveArgs),
    /// Time the context block: load one customer with a long multi-channel history into a
    /// fresh tenant, then time `customer_context` before and after archival.
    ContextBench(ContextBenchArgs),
    /// Measure the floor under ingestion: write what a new sender's event stores (a profile, two
    /// identifiers, the message, an audit entry), a group per transaction, into a fresh tenant,
    /// with no reads, resolution or HTTP; prints events per second and the commit's share.
    /// The tenant stays: run it on a copy of the database or a scratch file, not in production.
    WriteBench(WriteBenchArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  spine sweep --tenant demo\n  spine sweep --tenant demo --max-items 500\n\nThe pairs wait on the console's review page (and GET /api/v1/review-items); a second sweep skips what is queued or was decided."
)]
pub struct SweepArgs {
    /// The tenant's slug.
    #[arg(long)]
    pub tenant: String,

    /// The most review items this sweep adds, likeliest first; the next sweep picks up the rest.
    #[arg(long, default_value_t = 5_000)]
    pub max_items: usize,
}

#[derive(Debug, Args)]
pub struct SweepBenchArgs {
    /// Profiles to load.
    #[arg(long, default_value_t = 100_000)]
    pub profiles: usize,

    /// The most review items the sweep adds.
    #[arg(long, default_value_t = 5_000)]
    pub max_items: usize,

    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct ListBenchArgs {
    /// Profiles to load.
    #[arg(long, default_value_t = 100_000)]
    pub profiles: usize,

    /// Timed runs of each list.
    #[arg(long, default_value_t = 20)]
    pub runs: usize,

    /// Time an existing tenant (one an earlier run loaded) instead of loading a new one.
    #[arg(long)]
    pub tenant: Option<String>,

    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct WriteBenchArgs {
    /// Events to write.
    #[arg(long, default_value_t = 20_000)]
    pub events: usize,

    /// Events per transaction (the ingestion queue commits up to 128 at once).
    #[arg(long, default_value_t = 32)]
    pub group: usize,
}

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The tenant's slug.
    #[arg(long)]
    pub tenant: String,
}

#[derive(Debug, Args)]
pub struct ContextBenchArgs {
    /// Interactions in the customer's history.
    #[arg(long, default_value_t = 10_000)]
    pub interactions: usize,

    /// Context calls timed per budget.
    #[arg(long, default_value_t = 200)]
    pub rounds: usize,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Set (or replace) a provider's signing secret; deliveries go to /webhooks/TENANT/PROVIDER.
    Set {
        #[arg(long)]
        tenant: String,
        /// twilio, whatsapp, meta (Messenger and Instagram), shopify or generic.
        #[arg(long, value_parser = webhook_provider)]
        provider: WebhookProvider,
        /// Twilio's auth token, Meta's app secret, Shopify's client secret, or a secret of your
        /// own for the generic webhook (e.g. `openssl rand -hex 32`).
        #[arg(long, env = "SPINE_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// WhatsApp and Meta only: the token their subscription handshake must echo.
        #[arg(long, env = "SPINE_WEBHOOK_VERIFY_TOKEN", hide_env_values = true)]
        verify_token: Option<String>,
    },
    /// List a tenant's webhooks (secrets masked).
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Remove a provider's webhook: its deliveries are refused (404) from then on.
    Remove {
        #[arg(long)]
        tenant: String,
        #[arg(long, value_parser = webhook_provider)]
        provider: WebhookProvider,
    },
}

fn webhook_provider(text: &str) -> Result<WebhookProvider, String> {
    WebhookProvider::parse(text).ok_or_else(|| {
        let names: Vec<&str> = WebhookProvider::ALL.iter().map(|p| p.as_str()).collect();
        format!("{text:?} is not a provider: {}", names.join(", "))
    })
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant. Its console is at https://SLUG.BASE-DOMAIN/ when `--base-domain` is set;
    /// then give it staff with `spine user create --tenant SLUG`.
    Create {
        /// Short name: lowercase letters, digits and '-'; the first label of its host name.
        #[arg(long)]
        slug: String,
        /// The business's name, as its staff and customers see it.
        #[arg(long)]
        name: String,
        /// Default country for phone numbers written without one (ISO 3166 code).
        #[arg(long, default_value = "US")]
        region: String,
    },
    /// List the tenants.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff user; the password is read from the first line of stdin.
    #[command(
        after_help = "Example:\n  printf '%s\\n' 'a long passphrase' | spine user create --tenant demo --email ana@example.com --role admin"
    )]
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// admin, manager or agent.
        #[arg(long)]
        role: String,
        /// Display name (default: the part of the email before @).
        #[arg(long)]
        name: Option<String>,
    },
    /// List a tenant's staff (never their password hashes).
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Disable a user: they can no longer sign in.
    Disable {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key; the key is printed once, alone on the last line.
    Create {
        #[arg(long)]
        tenant: String,
        /// What the key is for, e.g. "shopify-sync".
        #[arg(long)]
        name: String,
        /// What it may do, repeatable or comma-separated: ingest, read, manage, privacy
        /// (default: all four). A chatbot needs `ingest,read`.
        #[arg(long = "scope", value_delimiter = ',')]
        scopes: Vec<String>,
        /// Requests a minute it may make, per server process (0: no limit, for bulk imports
        /// and load tests).
        #[arg(long, default_value_t = spine_core::services::api_keys::DEFAULT_RATE_PER_MINUTE)]
        rate_per_minute: u32,
    },
    /// List a tenant's keys (never the keys themselves).
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Revoke a key by id or name.
    Revoke {
        #[arg(long)]
        tenant: String,
        /// The key's id or name.
        #[arg(long)]
        key: String,
    },
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  spine import --tenant demo events.jsonl\n  spine import --tenant demo --provider shopify customers_export.csv\n  spine import --tenant demo --source shipstation=orders.jsonl --source qbo=customers.jsonl --source amazon=report.txt\n\nSeveral sources run in the order of authority (qbo, shopify, amazon, shipstation, csv, jsonl) whatever the order given: the more authoritative source creates the profiles and sets their primaries; later ones link to them."
)]
pub struct ImportArgs {
    #[arg(long)]
    pub tenant: String,

    /// What the file is: a provider's export (CSV, tab-separated or JSONL: customers or orders),
    /// a CSV with named columns, or Spine's JSONL (one API event per line).
    /// qbo, shopify, amazon, shipstation, csv or jsonl.
    #[arg(long, value_parser = import_provider, default_value = "jsonl")]
    pub provider: Provider,

    /// The file to import (or `--input FILE`).
    #[arg(value_name = "FILE", conflicts_with = "input")]
    pub file: Option<PathBuf>,

    /// The file to import.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// Several exports at once, as PROVIDER=FILE; repeat the flag.
    #[arg(long = "source", value_name = "PROVIDER=FILE", value_parser = provider_file, conflicts_with_all = ["file", "input"])]
    pub sources: Vec<(Provider, PathBuf)>,

    /// What to do with an event that cannot be read or is refused.
    #[arg(long, value_enum, default_value_t = OnError::Skip)]
    pub on_error: OnError,

    /// The files' encoding when it is not UTF-8 (a byte order mark is always honoured).
    #[arg(long, value_name = "LABEL", value_parser = crate::commands::text::encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,

    /// Read a column as another: COLUMN=custom:KEY sets the custom field KEY (defined on
    /// /settings) from that column. A column already named custom:KEY needs no mapping.
    #[arg(long, value_name = "COLUMN=custom:KEY", value_delimiter = ',', value_parser = column_map)]
    pub map: Vec<(String, String)>,
}

fn column_map(text: &str) -> Result<(String, String), String> {
    let (column, name) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected COLUMN=custom:KEY"))?;
    let key = name
        .trim()
        .strip_prefix("custom:")
        .unwrap_or_default()
        .trim();
    if column.trim().is_empty() || key.is_empty() {
        return Err(format!(
            "{text:?}: expected COLUMN=custom:KEY, e.g. \"Allergies=custom:allergies\""
        ));
    }
    Ok((column.trim().to_owned(), format!("custom:{key}")))
}

fn import_provider(text: &str) -> Result<Provider, String> {
    Provider::parse(text).ok_or_else(|| {
        format!("{text:?} is not a provider: qbo, shopify, amazon, shipstation, csv or jsonl")
    })
}

fn provider_file(text: &str) -> Result<(Provider, PathBuf), String> {
    let (provider, file) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected PROVIDER=FILE, e.g. shopify=customers.csv"))?;
    Ok((import_provider(provider)?, PathBuf::from(file)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnError {
    /// Report the bad row with its line number and go on.
    Skip,
    /// Stop at the first bad row.
    Stop,
}

#[derive(Debug, Args)]
pub struct DedupeArgs {
    /// The CSV to read (UTF-8, with a header line).
    #[arg(long)]
    pub input: PathBuf,

    /// The column holding each record's unique id.
    #[arg(long)]
    pub id_column: String,

    /// Map columns to fields: SRC=FIELD[,SRC=FIELD...]. Fields: first_name, last_name, full_name,
    /// email, phone, address_1, address_2, city, postcode, state, country, date_of_birth,
    /// external_id, other:NAME. Columns already named after a field need no mapping.
    #[arg(long, value_delimiter = ',')]
    pub map: Vec<String>,

    /// Where to write `record_id,cluster_id`.
    #[arg(long)]
    pub output: PathBuf,

    /// Where to write the linked pairs as `left_id,right_id,probability`.
    #[arg(long)]
    pub pairs: Option<PathBuf>,

    /// Probability at which two records are linked.
    #[arg(long, default_value_t = 0.9, value_parser = probability)]
    pub threshold: f64,

    /// What to do with a malformed row.
    #[arg(long, value_enum, default_value_t = OnError::Skip)]
    pub on_error: OnError,

    /// Region for phone numbers without a country code.
    #[arg(long, default_value = "US")]
    pub region: String,

    /// The file's encoding when it is not UTF-8 (a byte order mark is always honoured).
    #[arg(long, value_name = "LABEL", value_parser = crate::commands::text::encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,

    /// Use the default model as it is instead of training m and u on this file.
    #[arg(long)]
    pub no_train: bool,

    /// A column holding each record's true person (labelled data): prints how the clusters
    /// compare with it (pairwise precision, recall and F1, B-cubed F1, people found exactly)
    /// and how many true pairs blocking kept.
    #[arg(long, value_name = "COL")]
    pub truth_column: Option<String>,

    /// Explain why two records were or were not linked: the blocking rules that compared
    /// them, each comparison's level and weight, and the decision. Repeatable.
    #[arg(long, value_name = "ID1,ID2")]
    pub explain: Vec<String>,

    /// With --truth-column: explain up to N true pairs left apart and N pairs wrongly linked.
    #[arg(long, value_name = "N", default_value_t = 0, requires = "truth_column")]
    pub show_errors: usize,
}

#[derive(Debug, Args)]
pub struct DedupeBenchArgs {
    /// How many generated people (each appears one or more times).
    #[arg(long, default_value_t = 100_000)]
    pub people: usize,

    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    #[arg(long, default_value_t = 0.9, value_parser = probability)]
    pub threshold: f64,

    /// Score with the default model instead of training it on the generated records.
    #[arg(long)]
    pub no_train: bool,

    /// What kind of table: `customers` (emails, phones, addresses; copies vary as customers'
    /// records do), `customers-changed` (the same, copies also corrupted independently of the
    /// engine's rules: new contact details, surname changes, slips in any letter or digit),
    /// `registry` (no email or phone; names, addresses, dates of birth and id numbers with
    /// heavy slips, the kind record-linkage benchmarks use), or `sparse` (names, date of birth,
    /// city and on most records an email, heavily garbled: no postcode or street).
    #[arg(long, value_enum, default_value_t = BenchKind::Customers)]
    pub kind: BenchKind,

    /// Write the generated records to this CSV (their true person in `true_person`) instead of
    /// deduplicating them, for timing `spine dedupe` itself.
    #[arg(long, value_name = "FILE")]
    pub write_csv: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchKind {
    Customers,
    CustomersChanged,
    Registry,
    /// Names, date of birth, city and on most records an email; heavily garbled.
    Sparse,
}

fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a probability between 0 and 1")),
    }
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

    /// The default tenant (by slug): the one served at any host that does not name another
    /// (see --base-domain). A single-business deployment needs nothing else.
    #[arg(long, env = "SPINE_TENANT", default_value = "demo")]
    pub tenant: String,

    /// Serve every tenant from one deployment: tenant `acme`'s console, sign-in and customer
    /// page are at acme.BASE (a wildcard DNS record, or one record per tenant, pointing here).
    /// With it, requests for hosts other than BASE, its subdomains and --public-url's are
    /// refused (421).
    #[arg(long, env = "SPINE_BASE_DOMAIN", value_parser = parse_base_domain)]
    pub base_domain: Option<String>,

    /// A proxy (address or CIDR network, repeatable or comma-separated) whose
    /// X-Forwarded-For names the client. Without one, the client is the connection's peer.
    #[arg(long = "trusted-proxy", env = "SPINE_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Serve `GET /metrics` (Prometheus) on its own address, e.g. 127.0.0.1:9100, open to
    /// whoever reaches it: bind it where only the monitoring system does.
    #[arg(long, env = "SPINE_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Serve `GET /metrics` on the main address too, to holders of this bearer token.
    #[arg(long, env = "SPINE_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Seed the demo data first when the database has no demo tenant yet.
    #[arg(long, env = "SPINE_SEED_DEMO")]
    pub seed_demo: bool,

    /// The address providers reach Spine at (e.g. https://spine.example.com), when a proxy
    /// stands in front of it: Twilio signs the URL it called, and https marks the session cookie
    /// Secure. Without it, http and the Host header.
    #[arg(long, env = "SPINE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// SMTP server for email the outbox sends (sign-in codes), e.g.
    /// smtp://USER:PASSWORD@smtp.example.com:587?tls=required, or smtp://localhost:1025 for a
    /// local relay. Without it (or a mail folder), messages are not sent.
    #[arg(long, env = "SPINE_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// For development: write each outgoing message (email and SMS) as a file in this folder
    /// instead of sending it, where a developer reads sign-in codes. Not for production.
    #[arg(long, env = "SPINE_MAIL_DIR")]
    pub mail_dir: Option<std::path::PathBuf>,

    /// The sender of that email, e.g. "Acme <hello@acme.example>".
    #[arg(long, env = "SPINE_SMTP_FROM")]
    pub smtp_from: Option<String>,
}

/// A base domain: lowercase DNS labels, at least two, no port.
fn parse_base_domain(raw: &str) -> Result<String, String> {
    let domain = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels_ok = domain.split('.').count() >= 2
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if labels_ok {
        Ok(domain)
    } else {
        Err(format!(
            "{raw:?} is not a domain such as spine.example.com (no scheme, no port)"
        ))
    }
}

/// `10.0.0.5` or `10.0.0.0/8`.
fn parse_proxy(raw: &str) -> Result<ipnet::IpNet, String> {
    let raw = raw.trim();
    raw.parse::<ipnet::IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{raw:?} is not an address or a CIDR network such as 10.0.0.0/8"))
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

#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  spine backup --output backups/spine-$(date +%F).db\n\nThe copy is compact and consistent (one moment of the database), taken without stopping the server. To restore, stop the server and put the file in place of the database (removing its -wal and -shm files), or point DATABASE_URL at it.\nOn PostgreSQL use pg_dump -Fc \"$DATABASE_URL\" -f spine.dump and pg_restore."
)]
pub struct BackupArgs {
    /// The file to write. Refused if it exists, unless --force.
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,

    /// Replace FILE if it exists (the old file stays until the new copy is complete).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The server to load, e.g. http://127.0.0.1:3000; several (repeated or comma-separated)
    /// to spread the load over the processes of one deployment, connection by connection.
    #[arg(long, default_value = "http://127.0.0.1:3000", value_delimiter = ',')]
    pub url: Vec<String>,

    /// An API key of the tenant to load (`spine api-key create`).
    #[arg(long, env = "SPINE_API_KEY")]
    pub api_key: String,

    /// Existing profiles to have before measuring (seeded over /events/batch; a re-run reuses them).
    #[arg(long, default_value_t = 100_000)]
    pub profiles: usize,

    /// Events to send in the measured phase.
    #[arg(long, default_value_t = 20_000)]
    pub events: usize,

    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,

    /// Searches to send in the search phase.
    #[arg(long, default_value_t = 2_000)]
    pub searches: usize,

    /// Random seed for the mix (the seeded profiles are always the same).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,

    /// The server's Prometheus page (its `--metrics-addr`, e.g. http://127.0.0.1:9100/metrics,
    /// or its /metrics with --metrics-token): the report then shows where an event's time went.
    #[arg(long)]
    pub metrics_url: Option<String>,

    /// The server's metrics token, when the page is its /metrics.
    #[arg(long, env = "SPINE_METRICS_TOKEN")]
    pub metrics_token: Option<String>,

    /// Print each search of the idle phase that missed its profile, with what it found.
    #[arg(long)]
    pub show_misses: bool,

    /// Print the N slowest searches of the idle phase, with their times.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub show_slowest: usize,

    /// Send the events alone, without the client that searches while they go out (to measure
    /// one event unloaded, with --concurrency 1).
    #[arg(long)]
    pub no_searches_during_events: bool,
}

#[derive(Debug, Args)]
pub struct AnalyticsBenchArgs {
    /// Profiles to generate.
    #[arg(long, default_value_t = 100_000)]
    pub customers: usize,

    /// Interactions to generate, spread over the past 365 days.
    #[arg(long, default_value_t = 1_000_000)]
    pub interactions: usize,

    /// Time an existing tenant (e.g. one an earlier run loaded) instead of loading a new one.
    #[arg(long)]
    pub tenant: Option<String>,

    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}
