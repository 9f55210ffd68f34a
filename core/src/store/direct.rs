//! SQLite without a hand-off per statement, for the ingestion writer.
//!
//! sqlx runs each SQLite connection on a worker thread of its own and hands every statement to it
//! and its answer back: two thread wake-ups per statement, about 40 µs on this project's 2-core
//! test machine, more than SQLite takes to run the statement. An event is a dozen statements. The
//! writer connection here is opened with rusqlite, which uses the same SQLite library (one
//! `libsqlite3-sys`) in the calling thread, and runs the same statements ([`super::stmt`]) with the
//! same encodings, so rows read the same through either. Only the statements ingestion makes run
//! here; any other in a direct transaction is refused as unsupported, and ingestion then repeats
//! the work through sqlx.
//!
//! Writers stay one at a time: a direct transaction holds the connection of sqlx's one-connection
//! write pool for its whole life, as a sqlx transaction does.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::types::{ToSqlOutput, ValueRef};
use sqlx::pool::PoolConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::stmt::{Arg, Stmt};
use super::{StoreError, StoreResult};

/// Prepared statements kept per connection: every statement ingestion makes, with room for the
/// variants whose placeholders depend on how many values they take.
const STATEMENT_CACHE: usize = 256;

/// The pragmas of the store's SQLite connections that matter to a writer.
pub(crate) struct DirectOptions {
    pub path: std::path::PathBuf,
    /// `synchronous`: 2 (full) or 1 (normal).
    pub synchronous: u8,
    pub checkpoint_pages: u32,
}

/// The writer's own connection.
#[derive(Clone)]
pub(crate) struct DirectConn {
    conn: Arc<Mutex<rusqlite::Connection>>,
}

impl DirectConn {
    pub(crate) fn open(options: &DirectOptions) -> StoreResult<DirectConn> {
        let conn = rusqlite::Connection::open(&options.path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.execute_batch(&format!(
            "pragma journal_mode = wal; pragma synchronous = {}; pragma secure_delete = on; \
             pragma foreign_keys = on; pragma cache_size = -32768; pragma mmap_size = 268435456; \
             pragma temp_store = memory; pragma wal_autocheckpoint = {};",
            options.synchronous, options.checkpoint_pages
        ))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(DirectConn {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn lock(&self) -> StoreResult<std::sync::MutexGuard<'_, rusqlite::Connection>> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Unsupported("the writer's connection was poisoned".into()))
    }

    /// Begins a transaction; `gate` is the write pool's connection, held until it ends.
    pub(crate) fn begin(&self, gate: PoolConnection<sqlx::Sqlite>) -> StoreResult<DirectTx> {
        self.lock()?.execute_batch("begin immediate")?;
        Ok(DirectTx {
            conn: self.clone(),
            _gate: gate,
            open: true,
        })
    }
}

/// A transaction on the writer's own connection. Dropped without `commit`, it rolls back.
pub(crate) struct DirectTx {
    conn: DirectConn,
    _gate: PoolConnection<sqlx::Sqlite>,
    open: bool,
}

impl DirectTx {
    pub(crate) fn commit(mut self) -> StoreResult<()> {
        self.open = false;
        self.conn.lock()?.execute_batch("commit")?;
        Ok(())
    }

    pub(crate) fn execute(&mut self, stmt: &Stmt) -> StoreResult<u64> {
        let conn = self.conn.lock()?;
        let mut prepared = conn.prepare_cached(&stmt.sql)?;
        bind(&mut prepared, &stmt.args)?;
        Ok(prepared.raw_execute()? as u64)
    }

    pub(crate) fn query<R: DirectRow>(&mut self, stmt: &Stmt) -> StoreResult<Vec<R>> {
        let conn = self.conn.lock()?;
        let mut prepared = conn.prepare_cached(&stmt.sql)?;
        bind(&mut prepared, &stmt.args)?;
        let mut rows = prepared.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(R::from_direct(row)?);
        }
        Ok(out)
    }
}

impl Drop for DirectTx {
    fn drop(&mut self) {
        if self.open
            && let Ok(conn) = self.conn.lock()
            && let Err(err) = conn.execute_batch("rollback")
        {
            tracing::warn!(error = %err, "the writer's transaction did not roll back");
        }
    }
}

/// Binds arguments by their placeholders' numbers: `$3` takes the third.
fn bind(prepared: &mut rusqlite::CachedStatement<'_>, args: &[Arg]) -> StoreResult<()> {
    for index in 1..=prepared.parameter_count() {
        let number = prepared
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| StoreError::Unsupported(format!("placeholder {index} is not $n")))?;
        let arg = number
            .checked_sub(1)
            .and_then(|at| args.get(at))
            .ok_or_else(|| StoreError::Unsupported(format!("no argument for ${number}")))?;
        prepared.raw_bind_parameter(index, arg)?;
    }
    Ok(())
}

/// A time as sqlx writes it to SQLite: RFC 3339 with as many fractional digits as it has.
fn time_text(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        fn text(s: &str) -> ToSqlOutput<'_> {
            ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
        }
        let null = ToSqlOutput::Borrowed(ValueRef::Null);
        Ok(match self {
            Arg::Uuid(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v.as_bytes())),
            Arg::OptUuid(v) => v.as_ref().map_or(null, |v| {
                ToSqlOutput::Borrowed(ValueRef::Blob(v.as_bytes()))
            }),
            Arg::Text(v) => text(v),
            Arg::OptText(v) => v.as_deref().map_or(null, text),
            Arg::I64(v) => ToSqlOutput::from(*v),
            Arg::F64(v) => ToSqlOutput::from(*v),
            Arg::OptF64(v) => v.map_or(null, ToSqlOutput::from),
            Arg::Bool(v) => ToSqlOutput::from(i64::from(*v)),
            Arg::Time(v) => ToSqlOutput::from(time_text(v)),
            Arg::OptTime(v) => v.as_ref().map_or(null, |v| ToSqlOutput::from(time_text(v))),
            Arg::Json(v) => text(v.get()),
            Arg::OptJson(v) => v.as_deref().map_or(null, |v| text(v.get())),
        })
    }
}

/// A column value read from the writer's connection, decoded as sqlx decodes it from SQLite.
pub(crate) trait DirectValue: Sized {
    fn from_value(value: ValueRef<'_>) -> Result<Self, String>;
}

fn not_null<T>(
    value: ValueRef<'_>,
    decode: impl FnOnce(ValueRef<'_>) -> Result<T, String>,
) -> Result<T, String> {
    match value {
        ValueRef::Null => Err("unexpected null".into()),
        v => decode(v),
    }
}

impl<T: DirectValue> DirectValue for Option<T> {
    fn from_value(value: ValueRef<'_>) -> Result<Self, String> {
        match value {
            ValueRef::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

impl DirectValue for String {
    fn from_value(value: ValueRef<'_>) -> Result<Self, String> {
        not_null(value, |v| {
            v.as_str().map(str::to_owned).map_err(|e| e.to_string())
        })
    }
}

impl DirectValue for i64 {
    fn from_value(value: ValueRef<'_>) -> Result<Self, String> {
        not_null(value, |v| v.as_i64().map_err(|e| e.to_string()))
    }
}

impl DirectValue for f64 {
    fn from_value(value: ValueRef<'_>) -> Result<Self, String> {
        not_null(value, |v| match v {
            ValueRef::Integer(n) => Ok(n as f64),
            v => v.as_f64().map_err(|e| e.to_string()),
        })
    }
}

impl DirectValue for bool {
    fn from_value(value: ValueRef<'_>) -> Result<Self, String> {
        i64::from_value(value).map(|n| n != 0)
    }
}

impl DirectValue for Uuid {
    fn from_value(value: ValueRef<'_>) -> Result<Self, String> {
        not_null(value, |v| match v {
            ValueRef::Blob(bytes) => Uuid::from_slice(bytes).map_err(|e| e.to_string()),
            ValueRef::Text(text) => std::str::from_utf8(text)
                .map_err(|e| e.to_string())
                .and_then(|t| Uuid::parse_str(t).map_err(|e| e.to_string())),
            _ => Err("not a UUID".into()),
        })
    }
}

/// A time in any of the text forms sqlx reads from SQLite: RFC 3339, or a date and time with an
/// optional offset and fraction.
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Some(at.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Some(at.and_utc());
        }
    }
    None
}

impl DirectValue for DateTime<Utc> {
    fn from_value(value: ValueRef<'_>) -> Result<Self, String> {
        not_null(value, |v| match v {
            ValueRef::Integer(seconds) => {
                DateTime::from_timestamp(seconds, 0).ok_or_else(|| "time out of range".into())
            }
            v => {
                let text = v.as_str().map_err(|e| e.to_string())?;
                parse_time(text).ok_or_else(|| format!("not a time: {text:?}"))
            }
        })
    }
}

impl<T: serde::de::DeserializeOwned> DirectValue for Json<T> {
    fn from_value(value: ValueRef<'_>) -> Result<Self, String> {
        not_null(value, |v| {
            let text = match v {
                ValueRef::Text(t) | ValueRef::Blob(t) => t,
                _ => return Err("not JSON text".into()),
            };
            serde_json::from_slice(text)
                .map(Json)
                .map_err(|e| e.to_string())
        })
    }
}

/// A row read from the writer's connection, its columns in the order the statement selects them.
pub(crate) trait DirectRow: Sized {
    fn from_direct(row: &rusqlite::Row<'_>) -> StoreResult<Self>;
}

/// Column `index` of `row`.
pub(crate) fn column<T: DirectValue>(row: &rusqlite::Row<'_>, index: usize) -> StoreResult<T> {
    let value = row.get_ref(index)?;
    T::from_value(value).map_err(|e| {
        let name = row.as_ref().column_name(index).unwrap_or("?");
        StoreError::Unsupported(format!("column {name}: {e}"))
    })
}

macro_rules! direct_tuple {
    ($($t:ident $i:tt),+) => {
        impl<$($t: DirectValue),+> DirectRow for ($($t,)+) {
            fn from_direct(row: &rusqlite::Row<'_>) -> StoreResult<Self> {
                Ok(($(column::<$t>(row, $i)?,)+))
            }
        }
    };
}

direct_tuple!(A 0);
direct_tuple!(A 0, B 1);
direct_tuple!(A 0, B 1, C 2);

/// A unique-index violation is a `Conflict` naming the entity; other errors pass through.
pub(crate) fn conflict_or(err: rusqlite::Error, entity: &'static str) -> StoreError {
    match &err {
        rusqlite::Error::SqliteFailure(e, detail)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Conflict {
                entity,
                detail: detail.clone().unwrap_or_else(|| "unique index".into()),
            }
        }
        _ => StoreError::Direct(err),
    }
}
