//! Statements written once and run on any of the store's connections: SQLite and PostgreSQL
//! through sqlx, and SQLite through the ingestion writer's own connection ([`super::direct`]).
//!
//! A statement is its SQL (lowercase, `$n` placeholders, as everywhere in the store) and its
//! arguments as values of a closed set of types, each encoded the way sqlx encodes it, so a row
//! written by one connection reads the same through the other. Rows come back as types that can
//! be read from either ([`FromRows`]).

use chrono::{DateTime, Utc};
use serde_json::value::RawValue;
use sqlx::types::Json;
use uuid::Uuid;

use super::direct::DirectRow;
use super::{StoreError, StoreResult, Tx, TxInner};

/// One argument of a statement.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Uuid(Uuid),
    OptUuid(Option<Uuid>),
    Text(String),
    OptText(Option<String>),
    I64(i64),
    F64(f64),
    OptF64(Option<f64>),
    Bool(bool),
    Time(DateTime<Utc>),
    OptTime(Option<DateTime<Utc>>),
    /// A JSON document, serialized once (as sqlx's `Json` writes it).
    Json(Box<RawValue>),
    OptJson(Option<Box<RawValue>>),
}

macro_rules! arg_from {
    ($($t:ty => $variant:ident),* $(,)?) => {
        $(impl From<$t> for Arg {
            fn from(value: $t) -> Arg {
                Arg::$variant(value)
            }
        })*
    };
}

arg_from! {
    Uuid => Uuid,
    Option<Uuid> => OptUuid,
    String => Text,
    Option<String> => OptText,
    i64 => I64,
    f64 => F64,
    Option<f64> => OptF64,
    bool => Bool,
    DateTime<Utc> => Time,
    Option<DateTime<Utc>> => OptTime,
}

impl From<&str> for Arg {
    fn from(value: &str) -> Arg {
        Arg::Text(value.to_owned())
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Arg {
        Arg::Text(value.clone())
    }
}

impl From<&Option<String>> for Arg {
    fn from(value: &Option<String>) -> Arg {
        Arg::OptText(value.clone())
    }
}

impl From<Option<&str>> for Arg {
    fn from(value: Option<&str>) -> Arg {
        Arg::OptText(value.map(str::to_owned))
    }
}

/// A JSON argument: `value` serialized, as sqlx's `Json(value)` would bind it.
pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T) -> StoreResult<Arg> {
    raw_json(value).map(Arg::Json)
}

fn raw_json<T: serde::Serialize + ?Sized>(value: &T) -> StoreResult<Box<RawValue>> {
    serde_json::value::to_raw_value(value)
        .map_err(|e| StoreError::Unsupported(format!("a value that is not JSON: {e}")))
}

/// An optional JSON argument.
pub(crate) fn opt_json<T: serde::Serialize>(value: Option<&T>) -> StoreResult<Arg> {
    value.map(raw_json).transpose().map(Arg::OptJson)
}

/// A statement and its arguments.
#[derive(Debug, Clone)]
pub(crate) struct Stmt {
    pub(crate) sql: String,
    pub(crate) args: Vec<Arg>,
}

impl Stmt {
    pub(crate) fn new(sql: impl Into<String>) -> Stmt {
        Stmt {
            sql: sql.into(),
            args: Vec::new(),
        }
    }

    pub(crate) fn bind(mut self, arg: impl Into<Arg>) -> Stmt {
        self.args.push(arg.into());
        self
    }

    pub(crate) fn bind_all<A: Into<Arg>>(mut self, args: impl IntoIterator<Item = A>) -> Stmt {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }
}

/// Binds a statement's arguments to a sqlx query of either backend.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for arg in $args {
            q = match arg {
                Arg::Uuid(v) => q.bind(*v),
                Arg::OptUuid(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.as_str()),
                Arg::OptText(v) => q.bind(v.as_deref()),
                Arg::I64(v) => q.bind(*v),
                Arg::F64(v) => q.bind(*v),
                Arg::OptF64(v) => q.bind(*v),
                Arg::Bool(v) => q.bind(*v),
                Arg::Time(v) => q.bind(*v),
                Arg::OptTime(v) => q.bind(*v),
                Arg::Json(v) => q.bind(Json(&**v)),
                Arg::OptJson(v) => q.bind(v.as_deref().map(Json)),
            };
        }
        q
    }};
}

/// A row type every connection can read: sqlx's `FromRow` for both backends, and
/// [`DirectRow`] for the writer's own connection.
pub(crate) trait FromRows:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
    + DirectRow
    + Send
    + Unpin
{
}

impl<T> FromRows for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + DirectRow
        + Send
        + Unpin
{
}

impl Tx {
    /// Runs a statement that returns no rows; the number of rows it changed.
    pub(crate) async fn exec(&mut self, stmt: Stmt) -> StoreResult<u64> {
        Ok(match &mut self.inner {
            TxInner::Sqlite(t) => bind_args!(sqlx::query(&stmt.sql), &stmt.args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
            TxInner::Postgres(t) => bind_args!(sqlx::query(&stmt.sql), &stmt.args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
            TxInner::Direct(d) => d.execute(&stmt)?,
        })
    }

    /// Runs a statement that writes rows under a unique index: a duplicate is a `Conflict`
    /// naming `entity`.
    pub(crate) async fn exec_unique(
        &mut self,
        stmt: Stmt,
        entity: &'static str,
    ) -> StoreResult<u64> {
        match self.exec(stmt).await {
            Err(StoreError::Database(e)) => Err(StoreError::conflict_or(e, entity)),
            Err(StoreError::Direct(e)) => Err(super::direct::conflict_or(e, entity)),
            other => other,
        }
    }

    /// Every row a query returns.
    pub(crate) async fn fetch_all<R: FromRows>(&mut self, stmt: Stmt) -> StoreResult<Vec<R>> {
        Ok(match &mut self.inner {
            TxInner::Sqlite(t) => {
                bind_args!(sqlx::query_as::<_, R>(&stmt.sql), &stmt.args)
                    .fetch_all(&mut **t)
                    .await?
            }
            TxInner::Postgres(t) => {
                bind_args!(sqlx::query_as::<_, R>(&stmt.sql), &stmt.args)
                    .fetch_all(&mut **t)
                    .await?
            }
            TxInner::Direct(d) => d.query(&stmt)?,
        })
    }

    /// The first row a query returns, if any.
    pub(crate) async fn fetch_optional<R: FromRows>(
        &mut self,
        stmt: Stmt,
    ) -> StoreResult<Option<R>> {
        Ok(match &mut self.inner {
            TxInner::Sqlite(t) => {
                bind_args!(sqlx::query_as::<_, R>(&stmt.sql), &stmt.args)
                    .fetch_optional(&mut **t)
                    .await?
            }
            TxInner::Postgres(t) => {
                bind_args!(sqlx::query_as::<_, R>(&stmt.sql), &stmt.args)
                    .fetch_optional(&mut **t)
                    .await?
            }
            TxInner::Direct(d) => d.query(&stmt)?.into_iter().next(),
        })
    }

    /// The one row a query returns.
    pub(crate) async fn fetch_one<R: FromRows>(&mut self, stmt: Stmt) -> StoreResult<R> {
        self.fetch_optional(stmt)
            .await?
            .ok_or(StoreError::Database(sqlx::Error::RowNotFound))
    }
}
