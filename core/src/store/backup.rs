//! Copies of the database: a consistent copy of a live SQLite file (`vacuum into`), and the
//! row counts that tell whether a copy, or a database a migration rewrote, still holds what it
//! held. PostgreSQL's copies are `pg_dump`'s business.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

use super::{Pools, Store, StoreError, StoreResult, Tx, on_conn};

/// How many rows the tables holding customers' data have, across all tenants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct RowCounts {
    pub tenants: i64,
    pub customers: i64,
    pub identities: i64,
    pub interactions: i64,
    pub orders: i64,
    pub audit_entries: i64,
}

/// Counts the tables (named with `prefix`, e.g. `copy.` for an attached database) in one
/// statement, so the counts come from one snapshot. Plain `count(*)` over tables every schema
/// version has: it also reads a database older than this code, before its migrations run.
fn count_statement(prefix: &str) -> String {
    format!(
        "select (select count(*) from {prefix}tenants) as tenants, \
         (select count(*) from {prefix}customers) as customers, \
         (select count(*) from {prefix}identities) as identities, \
         (select count(*) from {prefix}interactions) as interactions, \
         (select count(*) from {prefix}orders) as orders, \
         (select count(*) from {prefix}audit_log) as audit_entries"
    )
}

/// The file a `sqlite:` URL names; `None` for an in-memory database.
pub fn sqlite_file_of(url: &str) -> StoreResult<Option<PathBuf>> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(None);
    }
    let (url, _) = super::sqlite_synchronous(url)?;
    let options = SqliteConnectOptions::from_str(&url)
        .map_err(|e| StoreError::Connect(format!("malformed URL: {e}")))?;
    Ok(Some(options.get_filename().to_owned()))
}

impl Store {
    /// Writes a compact copy of the SQLite database to `into`, a file that must not exist yet,
    /// while the server goes on reading and writing, and returns what the copy holds.
    /// `vacuum into` runs as one read transaction: in WAL mode it waits for no writer and no
    /// writer waits for it, and the copy is the database as of one commit. SQLite does not sync
    /// the copy to disk; the caller does, before giving it its final name.
    pub async fn copy_into(&self, into: &Path) -> StoreResult<RowCounts> {
        let Pools::Sqlite { read, .. } = &self.pools else {
            return Err(StoreError::Unsupported(
                "copying a PostgreSQL database (use pg_dump)".to_owned(),
            ));
        };
        let into = into.to_str().ok_or_else(|| {
            StoreError::Unsupported(format!("a backup path that is not UTF-8: {into:?}"))
        })?;
        // A plain connection, not `read()`: `vacuum` refuses to run inside a transaction. The
        // pooled one, not a new one: an in-memory database exists only on its connections.
        let mut conn = read.acquire().await?;
        sqlx::query("vacuum into $1")
            .bind(into)
            .execute(&mut *conn)
            .await?;
        // Counted in the copy itself: it is what a restore would get.
        sqlx::query("attach database $1 as copy")
            .bind(into)
            .execute(&mut *conn)
            .await?;
        let counts = sqlx::query_as::<_, RowCounts>(&count_statement("copy."))
            .fetch_one(&mut *conn)
            .await;
        let detached = sqlx::query("detach database copy")
            .execute(&mut *conn)
            .await;
        if detached.is_err() {
            // Still attached: the next backup on this connection could not attach its copy.
            conn.close_on_drop();
        }
        let counts = counts?;
        detached?;
        Ok(counts)
    }
}

impl Tx {
    /// The row counts of the whole database (every tenant), as of this transaction.
    pub async fn row_counts(&mut self) -> StoreResult<RowCounts> {
        let statement = count_statement("");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, RowCounts>(&statement).fetch_one(&mut *c).await)?,
        )
    }
}
