//! The store: the only module that speaks SQL. One API in front of SQLite (the embedded default)
//! and PostgreSQL (production). Statements are written once, lowercase with `$n` placeholders,
//! and the `on_conn!` macro instantiates each body for both backends.

mod analytics;
mod api_keys;
mod attempts;
mod audit;
mod backup;
mod custom_fields;
mod customers;
mod direct;
mod housekeeping;
mod identities;
mod identity_edits;
mod interactions;
mod jobs;
mod leases;
mod lists;
mod match_models;
mod merges;
mod portal;
mod privacy;
mod reviews;
mod sessions;
mod stmt;
mod sweep;
mod tenants;
mod threads;
mod users;
mod webhooks;

pub use analytics::{
    BulkChannel, BulkCustomer, BulkInteraction, BulkMerge, BulkReviewItem, StatKey, StatRow,
};
pub use api_keys::ApiKeyRow;
pub use audit::{AuditFilter, AuditRecord, NewAudit};
pub use backup::{RowCounts, sqlite_file_of};
pub use custom_fields::{CustomFieldRow, FieldValueRow};
pub use customers::{CustomerPatch, CustomerRow, NAME_CANDIDATES, NameCandidates, NewCustomer};
pub use housekeeping::Purged;
pub use identities::{IdentityRow, NewIdentity};
pub use identity_edits::{IdentityEditRow, NewIdentityEdit};
pub use interactions::{InteractionRow, NewInteraction, NewOrder, TimelineFilter};
pub use jobs::JobRow;
pub use lists::{ListAfter, SavedViewRow};
pub use merges::{MergeRow, MovedRows};
pub use portal::{
    ConsentRow, CustomerSessionRow, NewOtpCode, NewOutboxMessage, OtpCodeRow, OutboxOutcome,
    OutboxRow,
};
pub use privacy::{ErasedRows, OrderRow};
pub use reviews::{NewReviewItem, ReviewItemRow};
pub use sessions::{NewSession, SessionUserRow};
pub use sweep::SweepProfileRow;
pub use tenants::{NewTenant, TenantRow};
pub(crate) use threads::{MESSAGES_READ, PRODUCT_ORDERED, TOPIC_RAISED};
pub use threads::{ThreadRow, TranscriptMessage, Vocabulary};
pub use users::{NewUser, UserRow};
pub use webhooks::WebhookConfigRow;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// Runs `$body` with `$conn` bound to the transaction's connection, once per backend.
/// The body is type-checked for both, so a statement that only one backend accepts fails to compile
/// only when its Rust types differ; dialect differences are caught by the conformance suite.
macro_rules! on_conn {
    ($tx:expr, $conn:ident => $body:expr) => {
        match &mut $tx.inner {
            $crate::store::TxInner::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::store::TxInner::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut *t;
                $body
            }
            $crate::store::TxInner::Direct(_) => Err($crate::store::not_direct()),
        }
    };
}
pub(crate) use on_conn;

/// Which database a store speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported database URL {0:?}: expected sqlite://PATH or postgres://USER@HOST:PORT/DB"
    )]
    BadUrl(String),
    #[error("cannot open the database: {0}")]
    Connect(String),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{entity} already exists ({detail})")]
    Conflict {
        entity: &'static str,
        detail: String,
    },
    #[error("not supported: {0}")]
    Unsupported(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Direct(#[from] rusqlite::Error),
}

/// What a statement not made for the ingestion writer's own connection answers there.
const NOT_DIRECT: &str = "this statement does not run on the ingestion writer's connection";

pub(crate) fn not_direct() -> sqlx::Error {
    sqlx::Error::Configuration(NOT_DIRECT.into())
}

impl StoreError {
    /// Maps a unique-index violation to a `Conflict` naming the entity; other errors pass through.
    pub(crate) fn conflict_or(err: sqlx::Error, entity: &'static str) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                entity,
                detail: db.constraint().unwrap_or("unique index").to_owned(),
            },
            _ => StoreError::Database(err),
        }
    }

    /// A statement ran in a transaction on the ingestion writer's own connection that only
    /// sqlx's connections run: the work is to be done again through sqlx.
    pub fn is_not_direct(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Configuration(e)) if e.to_string() == NOT_DIRECT)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone)]
enum Pools {
    /// SQLite allows one writer at a time: a dedicated one-connection pool serialises writers in
    /// process instead of letting concurrent transactions fail with SQLITE_BUSY on lock upgrade.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        /// The ingestion writer's own connection (a file database only).
        direct: Option<direct::DirectConn>,
    },
    Postgres(PgPool),
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pools: Pools,
    memo: std::sync::Arc<threads::Memo>,
}

pub(crate) enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
    /// SQLite on the ingestion writer's own connection ([`direct`]).
    Direct(direct::DirectTx),
}

/// A transaction: every query method lives here, so a use case that changes several rows
/// commits all of them or none. Dropping it without `commit` rolls back.
pub struct Tx {
    pub(crate) inner: TxInner,
    /// Analytics counter deltas (`daily_stats`) this transaction's facts add, flushed at commit.
    pub(crate) stats: std::collections::BTreeMap<StatKey, (i64, f64)>,
    /// Deltas already written by [`Tx::flush_counters`], told to the memo at commit.
    pub(crate) flushed: std::collections::BTreeMap<StatKey, (i64, f64)>,
    /// The store's memo of slowly changing reads (each tenant's vocabulary).
    pub(crate) memo: std::sync::Arc<threads::Memo>,
}

impl Tx {
    /// Writes the counter deltas gathered so far now rather than at commit (so that a caller
    /// can time the two apart).
    pub async fn flush_counters(&mut self) -> StoreResult<()> {
        let stats = std::mem::take(&mut self.stats);
        self.flush_stats(&stats).await?;
        for (key, (n, total)) in stats {
            let entry = self.flushed.entry(key).or_insert((0, 0.0));
            entry.0 += n;
            entry.1 += total;
        }
        Ok(())
    }

    pub async fn commit(mut self) -> StoreResult<()> {
        self.flush_counters().await?;
        let stats = std::mem::take(&mut self.flushed);
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
            TxInner::Direct(t) => t.commit()?,
        }
        self.memo.committed(&stats);
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) | TxInner::Direct(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Serialises this transaction against every other one holding any of the same keys, until
    /// commit or rollback: two first contacts from one new person must not both see "nobody has
    /// this phone" and create two profiles. On PostgreSQL these are transaction-scoped advisory
    /// locks, taken in one global order so two transactions never wait on each other in a cycle.
    /// On SQLite, writers already run one at a time (one writer connection), so there is nothing
    /// to take.
    pub async fn lock_keys(&mut self, keys: &[(uuid::Uuid, String)]) -> StoreResult<()> {
        use sha2::{Digest, Sha256};
        let TxInner::Postgres(t) = &mut self.inner else {
            return Ok(());
        };
        let mut ids: Vec<i64> = keys
            .iter()
            .map(|(tenant_id, key)| {
                let digest = Sha256::new()
                    .chain_update(tenant_id.as_bytes())
                    .chain_update(key.as_bytes())
                    .finalize();
                let mut first = [0u8; 8];
                first.copy_from_slice(&digest[..8]);
                i64::from_be_bytes(first)
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            sqlx::query("select pg_advisory_xact_lock($1)")
                .bind(id)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }
}

/// The database a URL names, checked before any connection is attempted.
pub fn backend_of(url: &str) -> StoreResult<Backend> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else {
        Err(StoreError::BadUrl(url.to_owned()))
    }
}

/// Rows a table is assumed to hold, in the statistics [`write_planner_statistics`] writes.
const NOMINAL_ROWS: u64 = 1_000_000;

/// Gives SQLite's query planner fixed statistics describing the shape of Spine's data, instead
/// of measuring it. Without statistics SQLite picked a tenant-wide index scan over a
/// three-column equality (a phone search at 100k profiles took 30 ms instead of 1 ms, and ingest
/// slowed as profiles grew); `ANALYZE` fixes that but costs about a second per 100k profiles
/// while holding the write lock, and its sampled form (`analysis_limit`) misjudged the leading
/// `tenant_id` as selective and made plans worse. The shape is known: every index leads with
/// `tenant_id` (one tenant may hold every row), and each further column narrows a hundredfold,
/// to one row at the end of a unique index. SQLite documents this manual control of plans
/// through `sqlite_stat1`; PostgreSQL keeps its own statistics (autovacuum).
async fn write_planner_statistics(pool: &SqlitePool) -> StoreResult<()> {
    let mut conn = pool.acquire().await?;
    // Creates sqlite_stat1 when it does not exist yet.
    sqlx::query("analyze sqlite_schema")
        .execute(&mut *conn)
        .await?;
    let indexes: Vec<(String, String, bool)> = sqlx::query_as(
        "select m.name, il.name, il.\"unique\" from sqlite_schema m, pragma_index_list(m.name) il \
         where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like '_sqlx%'",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut rows = Vec::with_capacity(indexes.len());
    for (table, index, unique) in indexes {
        let columns: Vec<String> =
            sqlx::query_scalar("select name from pragma_index_info(?1) order by seqno")
                .bind(&index)
                .fetch_all(&mut *conn)
                .await?;
        let mut stat = vec![NOMINAL_ROWS];
        let mut rows_per_key = NOMINAL_ROWS;
        for (i, column) in columns.iter().enumerate() {
            if column != "tenant_id" {
                rows_per_key = (rows_per_key / 100).max(1);
            }
            if unique && i + 1 == columns.len() {
                rows_per_key = 1;
            }
            stat.push(rows_per_key);
        }
        let stat = stat
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        rows.push((table, index, stat));
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    sqlx::query("delete from sqlite_stat1")
        .execute(&mut *tx)
        .await?;
    for (table, index, stat) in rows {
        sqlx::query("insert into sqlite_stat1 (tbl, idx, stat) values (?1, ?2, ?3)")
            .bind(table)
            .bind(index)
            .bind(stat)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    // Makes every connection reload the schema, statistics included.
    sqlx::query("analyze sqlite_schema")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How a SQLite commit reaches the disk, from the URL's `synchronous` parameter (taken out of the
/// URL). `full`, the default: every commit is on the disk before it is acknowledged, so an
/// acknowledged event survives a power cut (group commit shares that cost among the events in
/// flight). `normal`: a commit is acknowledged once it is in the write-ahead log, which reaches
/// the disk at checkpoints; a crash of the process loses nothing, a power cut may lose the last
/// commits, and the file stays consistent.
fn sqlite_synchronous(url: &str) -> StoreResult<(String, SqliteSynchronous)> {
    let Some((path, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), SqliteSynchronous::Full));
    };
    let mut synchronous = SqliteSynchronous::Full;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("synchronous", value)) => {
                synchronous = match value.to_ascii_lowercase().as_str() {
                    "full" => SqliteSynchronous::Full,
                    "normal" => SqliteSynchronous::Normal,
                    other => {
                        return Err(StoreError::Connect(format!(
                            "malformed URL: synchronous is full or normal, not {other:?}"
                        )));
                    }
                }
            }
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    };
    Ok((url, synchronous))
}

/// The write-ahead log's size, in pages, at which the writer checkpoints itself: 64 MB, reached
/// only when [`checkpoint_wal`] falls behind.
const WRITER_CHECKPOINT_PAGES: u32 = 16_384;

/// How often [`checkpoint_wal`] copies the log into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Copies committed pages from the write-ahead log into the database file every second, on a
/// reader's connection, without waiting for readers or the writer (a passive checkpoint), so the
/// writer's commits never do it; a page written many times in a second is copied once. Ends
/// when the store is closed.
async fn checkpoint_wal(read: SqlitePool) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if read.is_closed() {
            return;
        }
        let done = sqlx::query("pragma wal_checkpoint(passive)")
            .execute(&read)
            .await;
        if let Err(err) = done {
            if read.is_closed() {
                return;
            }
            tracing::debug!(error = %err, "checkpoint of the write-ahead log deferred");
        }
    }
}

impl Store {
    /// Opens (and for SQLite creates) the database the URL names.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        let pools = match backend_of(url)? {
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::Connect(format!("malformed URL: {e}")))?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
                    .map_err(|e| StoreError::Connect(e.to_string()))?;
                Pools::Postgres(pool)
            }
            Backend::Sqlite => {
                let (url, synchronous) = sqlite_synchronous(url)?;
                let options = SqliteConnectOptions::from_str(&url)
                    .map_err(|e| StoreError::Connect(format!("malformed URL: {e}")))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(synchronous)
                    // Erased means gone from the file too: freed pages are overwritten.
                    .pragma("secure_delete", "on")
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // SQLite's default page cache is 2 MB: at 100k profiles the indexes the
                    // ingest path walks no longer fit. 32 MB per connection, and reads through
                    // a memory map of the file instead of a system call per page.
                    .pragma("cache_size", "-32768")
                    .pragma("mmap_size", "268435456")
                    .pragma("temp_store", "memory");
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let file = options.get_filename().to_owned();
                // The writer leaves checkpoints to `checkpoint_wal`, off its path: run by the
                // commit that crosses SQLite's default of 1,000 pages, a checkpoint copied pages
                // into the file while every event in the queue waited. Its own threshold stays as
                // a bound on the log should that task fall behind.
                let writer_options = if in_memory {
                    options.clone()
                } else {
                    options
                        .clone()
                        .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES.to_string())
                };
                // An in-memory database lives as long as its one connection: keep it forever.
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(writer_options)
                    .await
                    .map_err(|e| StoreError::Connect(e.to_string()))?;
                let read = if in_memory {
                    write.clone()
                } else {
                    SqlitePoolOptions::new()
                        .max_connections(8)
                        .connect_with(options)
                        .await
                        .map_err(|e| StoreError::Connect(e.to_string()))?
                };
                if !in_memory {
                    tokio::spawn(checkpoint_wal(read.clone()));
                }
                let direct = if in_memory {
                    None
                } else {
                    Some(direct::DirectConn::open(&direct::DirectOptions {
                        path: file,
                        synchronous: match synchronous {
                            SqliteSynchronous::Normal => 1,
                            _ => 2,
                        },
                        checkpoint_pages: WRITER_CHECKPOINT_PAGES,
                    })?)
                };
                Pools::Sqlite {
                    read,
                    write,
                    direct,
                }
            }
        };
        Ok(Store {
            pools,
            memo: Default::default(),
        })
    }

    /// Connections open and idle, per pool: `(pool, open, idle)`.
    pub fn pool_use(&self) -> Vec<(&'static str, u32, usize)> {
        match &self.pools {
            Pools::Sqlite { read, write, .. } => vec![
                ("read", read.size(), read.num_idle()),
                ("write", write.size(), write.num_idle()),
            ],
            Pools::Postgres(pool) => vec![("main", pool.size(), pool.num_idle())],
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the pending migrations of this backend's folder.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => {
                sqlx::migrate!("../migrations/sqlite").run(write).await?;
                write_planner_statistics(write).await?;
            }
            Pools::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// After a bulk load (benchmarks): PostgreSQL measures its tables again now rather than
    /// when autovacuum comes by; SQLite's statistics are fixed (see `write_planner_statistics`).
    pub async fn refresh_statistics(&self) -> StoreResult<()> {
        if let Pools::Postgres(pool) = &self.pools {
            sqlx::query("analyze").execute(pool).await?;
        }
        Ok(())
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> StoreResult<()> {
        match &self.pools {
            Pools::Sqlite { read, .. } => sqlx::query("select 1").execute(read).await.map(drop)?,
            Pools::Postgres(pool) => sqlx::query("select 1").execute(pool).await.map(drop)?,
        }
        Ok(())
    }

    /// A transaction on `inner`, with nothing gathered yet.
    fn tx(&self, inner: TxInner) -> Tx {
        Tx {
            inner,
            stats: Default::default(),
            flushed: Default::default(),
            memo: self.memo.clone(),
        }
    }

    /// A transaction for a use case that writes.
    pub async fn begin(&self) -> StoreResult<Tx> {
        let inner = match &self.pools {
            Pools::Sqlite { write, .. } => TxInner::Sqlite(write.begin().await?),
            Pools::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(self.tx(inner))
    }

    /// A transaction for ingestion: on a SQLite file, on the writer's own connection, where each
    /// statement runs in the calling thread ([`direct`]); elsewhere as [`Store::begin`]. Only
    /// the statements ingestion makes run there: any other fails with an error for which
    /// [`StoreError::is_not_direct`] holds, and the work is to be done again in a [`Store::begin`]
    /// transaction.
    pub async fn begin_ingest(&self) -> StoreResult<Tx> {
        let Pools::Sqlite {
            write,
            direct: Some(direct),
            ..
        } = &self.pools
        else {
            return self.begin().await;
        };
        // The write pool's one connection is the gate every writer of this process passes.
        let gate = write.acquire().await?;
        Ok(self.tx(TxInner::Direct(direct.begin(gate)?)))
    }

    /// Whether ingestion runs on the SQLite writer's own connection ([`Store::begin_ingest`]).
    pub fn has_direct_writer(&self) -> bool {
        matches!(
            self.pools,
            Pools::Sqlite {
                direct: Some(_),
                ..
            }
        )
    }

    /// The same database, with ingestion through sqlx's writer connection only (as on an
    /// in-memory database or PostgreSQL): the reference the writer's own connection is checked
    /// against.
    pub fn without_direct_writer(&self) -> Store {
        let mut store = self.clone();
        if let Pools::Sqlite { direct, .. } = &mut store.pools {
            *direct = None;
        }
        store
    }

    /// A read-only transaction: one consistent snapshot for a page or an API answer.
    pub async fn read(&self) -> StoreResult<Tx> {
        let inner = match &self.pools {
            Pools::Sqlite { read, .. } => TxInner::Sqlite(read.begin().await?),
            Pools::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(self.tx(inner))
    }

    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_url_says_how_commits_reach_the_disk() {
        let read = |url: &str| sqlite_synchronous(url).map(|(u, s)| (u, format!("{s:?}")));
        assert_eq!(
            read("sqlite://spine.db").ok(),
            Some(("sqlite://spine.db".into(), "Full".into()))
        );
        assert_eq!(
            read("sqlite://spine.db?synchronous=normal").ok(),
            Some(("sqlite://spine.db".into(), "Normal".into()))
        );
        assert_eq!(
            read("sqlite://spine.db?mode=rwc&synchronous=FULL&cache=shared").ok(),
            Some((
                "sqlite://spine.db?mode=rwc&cache=shared".into(),
                "Full".into()
            ))
        );
        assert!(read("sqlite://spine.db?synchronous=off").is_err());
    }
}
