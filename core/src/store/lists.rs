//! Customer lists: a [`CustomerFilter`] as one statement, read a page at a time after the last
//! row of the previous page (keyset paging: page 1,000 costs what page 1 does), and counted up to
//! a cap. Tags and sources are kept as rows of their own (`customer_labels`), written with the
//! profile, so each filter is answered through an index. Also the saved views and the parts of a
//! list export.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::customers::{CustomerRow, qualified};
use super::stmt::{Arg, Stmt};
use super::{Backend, StoreResult, Tx, on_conn};
use crate::lists::{CustomerFilter, FieldOp};
use crate::types::ListSort;

/// Where a page starts: after this profile, in the list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListAfter(pub Uuid);

/// A saved list.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedViewRow {
    pub id: Uuid,
    /// `None`: shared with the whole team.
    pub owner_id: Option<Uuid>,
    pub name: String,
    pub query: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A WHERE clause being built: its conditions and the arguments they number.
struct Where {
    conditions: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    fn new(tenant_id: Uuid) -> Where {
        Where {
            conditions: vec![
                "c.tenant_id = $1".to_owned(),
                "c.deleted_at is null".to_owned(),
                "c.merged_into is null".to_owned(),
            ],
            args: vec![Arg::Uuid(tenant_id)],
        }
    }

    /// Adds an argument; its placeholder.
    fn arg(&mut self, arg: impl Into<Arg>) -> String {
        self.args.push(arg.into());
        format!("${}", self.args.len())
    }

    /// Placeholders for several arguments, comma-separated.
    fn args<A: Into<Arg>>(&mut self, values: impl IntoIterator<Item = A>) -> String {
        values
            .into_iter()
            .map(|v| self.arg(v))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn push(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    fn sql(&self) -> String {
        self.conditions.join(" and ")
    }
}

fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The first instant after `day`.
fn day_end(day: NaiveDate) -> DateTime<Utc> {
    day.succ_opt().map_or(DateTime::<Utc>::MAX_UTC, day_start)
}

/// A condition answered by a table of its own (labels, channels, conversations, review items,
/// custom field values): the profiles it holds.
#[derive(Debug, Clone, Copy)]
enum Member<'a> {
    /// A column of the profile itself, with an index of its own.
    Campaign(&'a str),
    /// Any of these labels of one kind.
    Labels(&'static str, &'a [String]),
    Channels(&'a [crate::types::Channel]),
    Open,
    Review,
    Field(&'a crate::lists::FieldFilter),
}

/// How a member condition is written: as the set of its profiles (`c.id in (...)`, which the
/// planner may read first and look each profile up from: the way when it holds few), as a
/// check on each row (`exists (...)`, for a list read in its order, when the condition holds
/// many), or as the bare set (to estimate its size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    In,
    Exists,
    Source,
}

/// A member condition in one form. In `Exists` the profile is `c`'s row.
fn member_sql(backend: Backend, member: Member<'_>, w: &mut Where, form: Form) -> String {
    // (table, conditions on it besides tenant and profile)
    let (table, rest): (&str, String) = match member {
        Member::Campaign(campaign) => {
            let p = w.arg(campaign);
            return match form {
                Form::Source => format!(
                    "select id from customers where tenant_id = $1 and source_campaign = {p}"
                ),
                Form::In => format!("c.source_campaign = {p}"),
                // SQLite's `+` keeps the campaign's index out of the plan.
                Form::Exists if backend == Backend::Sqlite => format!("+c.source_campaign = {p}"),
                Form::Exists => format!("c.source_campaign = {p}"),
            };
        }
        Member::Labels(kind, values) => {
            let list = w.args(values.iter());
            (
                "customer_labels",
                format!("kind = '{kind}' and value in ({list})"),
            )
        }
        Member::Channels(channels) => {
            let list = w.args(channels.iter().map(|c| c.as_str()));
            ("customer_channels", format!("channel in ({list})"))
        }
        Member::Open => (
            "threads",
            "status <> 'resolved' and archived_at is null".to_owned(),
        ),
        Member::Field(c) => ("customer_field_values", field_condition(c, w, "")),
        Member::Review => ("review_members", "1 = 1".to_owned()),
    };
    match form {
        Form::Exists => format!(
            "exists (select 1 from {table} m where m.tenant_id = c.tenant_id and m.customer_id = c.id \
             and {rest})"
        ),
        Form::Source => format!("select customer_id from {table} where tenant_id = $1 and {rest}"),
        Form::In => {
            format!("c.id in (select customer_id from {table} where tenant_id = $1 and {rest})")
        }
    }
}

/// A custom field condition on `customer_field_values` (its columns prefixed by `prefix`): a
/// number compared as one, anything else as its stored text.
fn field_condition(c: &crate::lists::FieldFilter, w: &mut Where, prefix: &str) -> String {
    let key = w.arg(c.key.as_str());
    let op = match c.op {
        FieldOp::Eq => "=",
        FieldOp::Min => ">=",
        FieldOp::Max => "<=",
    };
    let (column, value) = match c.value.parse::<f64>() {
        Ok(n) if c.numeric => ("value_number", w.arg(n)),
        _ => ("value_text", w.arg(c.value.as_str())),
    };
    format!("{prefix}key = {key} and {prefix}{column} {op} {value}")
}

/// A member condition as the table a count starts from, joined to the profiles: read lazily
/// (a count stops at its cap), where `c.id in (...)` would first collect the whole set. Only for
/// a condition a profile meets through one row at most, so no profile is counted twice.
fn join_from(member: Member<'_>, w: &mut Where) -> Option<String> {
    let (table, rest) = match member {
        Member::Labels(kind, [value]) => {
            let p = w.arg(value.as_str());
            (
                "customer_labels",
                format!("m.kind = '{kind}' and m.value = {p}"),
            )
        }
        Member::Channels([channel]) => {
            let p = w.arg(channel.as_str());
            ("customer_channels", format!("m.channel = {p}"))
        }
        Member::Field(c) => ("customer_field_values", field_condition(c, w, "m.")),
        _ => return None,
    };
    w.push(format!("m.tenant_id = $1 and {rest}"));
    Some(format!(
        "{table} m join customers c on c.tenant_id = m.tenant_id and c.id = m.customer_id"
    ))
}

/// A condition's placeholders `$2`, `$3`... moved up by `offset` (`$1`, the tenant, stays).
fn renumber(condition: &str, offset: usize) -> String {
    let mut out = String::with_capacity(condition.len());
    let mut chars = condition.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            digits.push(d);
            chars.next();
        }
        match digits.parse::<usize>() {
            Ok(n) if n > 1 => out.push_str(&format!("${}", n + offset)),
            _ => {
                out.push('$');
                out.push_str(&digits);
            }
        }
    }
    out
}

/// The member conditions of a filter.
fn members(filter: &CustomerFilter) -> Vec<Member<'_>> {
    let mut out = Vec::new();
    if let Some(campaign) = &filter.campaign {
        out.push(Member::Campaign(campaign));
    }
    if filter.all_tags {
        // Every tag: one condition each, all of them held.
        out.extend(filter.tags.chunks(1).map(|tag| Member::Labels("tag", tag)));
    } else if !filter.tags.is_empty() {
        out.push(Member::Labels("tag", &filter.tags));
    }
    if !filter.sources.is_empty() {
        out.push(Member::Labels("source", &filter.sources));
    }
    if !filter.channels.is_empty() {
        out.push(Member::Channels(&filter.channels));
    }
    if filter.open_conversation {
        out.push(Member::Open);
    }
    if filter.pending_review {
        out.push(Member::Review);
    }
    out.extend(filter.custom.iter().map(Member::Field));
    out
}

/// A member condition holding at most this many profiles is read first (the list is then that
/// set looked up and sorted); past it, the list is read in its order and each row checked. A
/// count has no order: it always starts from the rarest condition and stops at its cap.
const DRIVER_ROWS: i64 = 20_000;

fn page_driver(driver: Option<(i64, usize)>) -> Option<usize> {
    driver.filter(|(n, _)| *n <= DRIVER_ROWS).map(|(_, i)| i)
}

/// Every condition of `filter`, on customers as `c`; `only` restricts the list to these ids
/// (a search's results); `driver` is the member condition read first, when one is.
fn conditions(
    backend: Backend,
    tenant_id: Uuid,
    filter: &CustomerFilter,
    only: Option<&[Uuid]>,
    driver: Option<usize>,
    joined: Option<usize>,
) -> Where {
    let mut w = Where::new(tenant_id);
    if !filter.stages.is_empty() {
        let stages = w.args(filter.stages.iter().map(|s| s.as_str()));
        // In SQLite `+` keeps the stage's index out of a plan: read in another order, or for
        // several stages, the list's own order is the better index (the planner's fixed
        // statistics take a stage to be rarer than it is).
        let plain = backend == Backend::Postgres
            || (filter.sort == ListSort::Activity && filter.stages.len() == 1 && driver.is_none());
        let column = if plain {
            "c.lifecycle_stage"
        } else {
            "+c.lifecycle_stage"
        };
        w.push(format!("{column} in ({stages})"));
    }
    for (column, from, to) in [
        ("last_seen_at", filter.seen_from, filter.seen_to),
        ("created_at", filter.created_from, filter.created_to),
    ] {
        if let Some(from) = from {
            let p = w.arg(day_start(from));
            w.push(format!("c.{column} >= {p}"));
        }
        if let Some(to) = to {
            let p = w.arg(day_end(to));
            w.push(format!("c.{column} < {p}"));
        }
    }
    for (i, member) in members(filter).into_iter().enumerate() {
        if joined == Some(i) {
            // Read through the join the statement starts from (`join_from`).
            continue;
        }
        let form = if driver == Some(i) {
            Form::In
        } else {
            Form::Exists
        };
        let condition = member_sql(backend, member, &mut w, form);
        w.push(condition);
    }
    if let Some(ids) = only {
        if ids.is_empty() {
            w.push("1 = 0".to_owned());
        } else {
            let list = w.args(ids.iter().copied());
            w.push(format!("c.id in ({list})"));
        }
    }
    w
}

impl Tx {
    /// The member condition of `filter` holding the fewest profiles, with how many (each is
    /// counted on its own index up to [`DRIVER_ROWS`] and one, a few milliseconds).
    async fn driver(
        &mut self,
        tenant_id: Uuid,
        filter: &CustomerFilter,
    ) -> StoreResult<Option<(i64, usize)>> {
        let backend = self.backend();
        let mut best: Option<(i64, usize)> = None;
        for (i, member) in members(filter).into_iter().enumerate() {
            let mut w = Where::new(tenant_id);
            let set = member_sql(backend, member, &mut w, Form::Source);
            let cap = w.arg(DRIVER_ROWS + 1);
            let (n,): (i64,) = self
                .fetch_one(Stmt {
                    sql: format!("select count(*) from ({set} limit {cap}) t"),
                    args: w.args,
                })
                .await?;
            if best.is_none_or(|(m, _)| n < m) {
                best = Some((n, i));
            }
        }
        Ok(best)
    }
}

/// The list's order and, after `key`, the condition that continues it.
fn order(sort: ListSort) -> &'static str {
    match sort {
        ListSort::Activity => "c.last_seen_at desc, c.id desc",
        ListSort::Created => "c.created_at desc, c.id desc",
        ListSort::Name => "(c.display_name is null), lower(coalesce(c.display_name, '')), c.id",
    }
}

impl Tx {
    /// One page of the list: at most `limit` profiles after `after`, in the filter's order.
    pub async fn customer_list(
        &mut self,
        tenant_id: Uuid,
        filter: &CustomerFilter,
        only: Option<&[Uuid]>,
        after: Option<ListAfter>,
        limit: i64,
    ) -> StoreResult<Vec<CustomerRow>> {
        let driver = self.driver(tenant_id, filter).await?;
        self.planned_list(tenant_id, filter, only, after, limit, page_driver(driver))
            .await
    }

    /// One page of the list and its count up to `cap`, planned once.
    pub async fn list_page(
        &mut self,
        tenant_id: Uuid,
        filter: &CustomerFilter,
        after: Option<ListAfter>,
        limit: i64,
        cap: i64,
    ) -> StoreResult<(Vec<CustomerRow>, i64)> {
        let driver = self.driver(tenant_id, filter).await?;
        let rows = self
            .planned_list(tenant_id, filter, None, after, limit, page_driver(driver))
            .await?;
        let count = self
            .planned_count(tenant_id, filter, None, cap, driver)
            .await?;
        Ok((rows, count))
    }

    async fn planned_list(
        &mut self,
        tenant_id: Uuid,
        filter: &CustomerFilter,
        only: Option<&[Uuid]>,
        after: Option<ListAfter>,
        limit: i64,
        driver: Option<usize>,
    ) -> StoreResult<Vec<CustomerRow>> {
        let mut w = conditions(self.backend(), tenant_id, filter, only, driver, None);
        if let Some(ListAfter(id)) = after
            && let Some(row) = self.customer(tenant_id, id).await?
        {
            let id = w.arg(row.id);
            let condition = match filter.sort {
                ListSort::Activity => {
                    let at = w.arg(row.last_seen_at);
                    format!("(c.last_seen_at, c.id) < ({at}, {id})")
                }
                ListSort::Created => {
                    let at = w.arg(row.created_at);
                    format!("(c.created_at, c.id) < ({at}, {id})")
                }
                ListSort::Name => {
                    let unnamed = w.arg(row.display_name.is_none());
                    let name = w.arg(row.display_name.unwrap_or_default().to_lowercase());
                    format!(
                        "((c.display_name is null), lower(coalesce(c.display_name, '')), c.id) > ({unnamed}, {name}, {id})"
                    )
                }
            };
            w.push(condition);
        }
        let limit = w.arg(limit);
        let columns = qualified("c");
        let sql = format!(
            "select {columns} from customers c where {} order by {} limit {limit}",
            w.sql(),
            order(filter.sort)
        );
        self.fetch_all(Stmt { sql, args: w.args }).await
    }

    /// How many profiles the list holds, counted up to `cap` (a count past it reads "more than").
    pub async fn count_customer_list(
        &mut self,
        tenant_id: Uuid,
        filter: &CustomerFilter,
        only: Option<&[Uuid]>,
        cap: i64,
    ) -> StoreResult<i64> {
        let driver = self.driver(tenant_id, filter).await?;
        self.planned_count(tenant_id, filter, only, cap, driver)
            .await
    }

    async fn planned_count(
        &mut self,
        tenant_id: Uuid,
        filter: &CustomerFilter,
        only: Option<&[Uuid]>,
        cap: i64,
        driver: Option<(i64, usize)>,
    ) -> StoreResult<i64> {
        let backend = self.backend();
        // Start from the rarest condition through a join when it can be read that way; else as
        // a set when small; else read the profiles and check each.
        // PostgreSQL's planner turns the other conditions of a join from a large set into hash
        // joins over their whole tables (measured at a million profiles: 127 ms against 97 for
        // reading the profiles and checking each); it starts from a set only when the set is small.
        let rarest = driver
            .filter(|(n, _)| backend == Backend::Sqlite || *n <= DRIVER_ROWS)
            .map(|(_, i)| i);
        let mut w = Where::new(tenant_id);
        let from = rarest
            .and_then(|i| members(filter).get(i).copied())
            .and_then(|member| join_from(member, &mut w));
        let (from, joined, set) = match from {
            Some(from) => (from, rarest, None),
            None => ("customers c".to_owned(), None, page_driver(driver)),
        };
        let rest = conditions(backend, tenant_id, filter, only, set, joined);
        // The join's own conditions come first; the rest renumbered after them.
        let offset = w.args.len() - 1;
        // (`rest` repeats the tenant and the active-profile conditions `w` starts with.)
        for condition in rest.conditions.iter().skip(3) {
            w.push(renumber(condition, offset));
        }
        w.args.extend(rest.args.into_iter().skip(1));
        let cap = w.arg(cap);
        let sql = format!(
            "select count(*) from (select 1 from {from} where {} limit {cap}) t",
            w.sql()
        );
        let (n,): (i64,) = self.fetch_one(Stmt { sql, args: w.args }).await?;
        Ok(n)
    }

    /// Writes a profile's tags and sources as label rows (replacing what it had).
    pub async fn write_labels(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        tags: &[String],
        sources: &[String],
    ) -> StoreResult<()> {
        self.exec(
            Stmt::new("delete from customer_labels where tenant_id = $1 and customer_id = $2")
                .bind(tenant_id)
                .bind(customer_id),
        )
        .await?;
        self.add_labels(tenant_id, customer_id, "tag", tags).await?;
        self.add_labels(tenant_id, customer_id, "source", sources)
            .await
    }

    /// Adds label rows of one kind (those already there stay).
    pub async fn add_labels(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        kind: &'static str,
        values: &[String],
    ) -> StoreResult<()> {
        if values.is_empty() {
            return Ok(());
        }
        let rows = (0..values.len())
            .map(|i| format!("($1, '{kind}', ${}, $2)", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        self.exec(
            Stmt::new(format!(
                "insert into customer_labels (tenant_id, kind, value, customer_id) values {rows} \
                 on conflict do nothing"
            ))
            .bind(tenant_id)
            .bind(customer_id)
            .bind_all(values.iter()),
        )
        .await?;
        Ok(())
    }

    /// Sets the stage and tags of one profile (a bulk action's write), with its labels.
    pub async fn set_stage_and_tags(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        stage: &str,
        tags: &[String],
    ) -> StoreResult<()> {
        self.exec(
            Stmt::new(
                "update customers set lifecycle_stage = $3, tags = $4, updated_at = $5 \
                 where tenant_id = $1 and id = $2",
            )
            .bind(tenant_id)
            .bind(customer_id)
            .bind(stage)
            .bind(super::stmt::json(tags)?)
            .bind(Utc::now()),
        )
        .await?;
        self.exec(
            Stmt::new(
                "delete from customer_labels where tenant_id = $1 and customer_id = $2 and kind = 'tag'",
            )
            .bind(tenant_id)
            .bind(customer_id),
        )
        .await?;
        self.add_labels(tenant_id, customer_id, "tag", tags).await
    }

    /// The views a person sees: their own and the team's, by name.
    pub async fn saved_views(
        &mut self,
        tenant_id: Uuid,
        owner_id: Uuid,
    ) -> StoreResult<Vec<SavedViewRow>> {
        type Row = (Uuid, Option<Uuid>, String, String, String, DateTime<Utc>);
        let rows: Vec<Row> = on_conn!(self, c => sqlx::query_as::<_, Row>(
            "select id, owner_id, name, query, created_by, created_at from saved_views \
             where tenant_id = $1 and (owner_id = $2 or owner_id is null) order by lower(name), id")
            .bind(tenant_id).bind(owner_id).fetch_all(&mut *c).await)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, owner_id, name, query, created_by, created_at)| SavedViewRow {
                    id,
                    owner_id,
                    name,
                    query,
                    created_by,
                    created_at,
                },
            )
            .collect())
    }

    pub async fn insert_saved_view(
        &mut self,
        tenant_id: Uuid,
        view: &SavedViewRow,
    ) -> StoreResult<()> {
        self.exec(
            Stmt::new(
                "insert into saved_views (tenant_id, id, owner_id, name, query, created_by, created_at) \
                 values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(tenant_id)
            .bind(view.id)
            .bind(view.owner_id)
            .bind(&view.name)
            .bind(&view.query)
            .bind(&view.created_by)
            .bind(view.created_at),
        )
        .await?;
        Ok(())
    }

    pub async fn delete_saved_view(&mut self, tenant_id: Uuid, id: Uuid) -> StoreResult<bool> {
        Ok(self
            .exec(
                Stmt::new("delete from saved_views where tenant_id = $1 and id = $2")
                    .bind(tenant_id)
                    .bind(id),
            )
            .await?
            > 0)
    }

    /// Appends one part of an export's CSV.
    pub async fn insert_export_part(
        &mut self,
        tenant_id: Uuid,
        job_id: Uuid,
        part: i64,
        body: &str,
    ) -> StoreResult<()> {
        self.exec(
            Stmt::new(
                "insert into export_parts (tenant_id, job_id, part, body) values ($1, $2, $3, $4)",
            )
            .bind(tenant_id)
            .bind(job_id)
            .bind(part)
            .bind(body),
        )
        .await?;
        Ok(())
    }

    /// The parts of an export from `from` on, at most `limit` of them, in order.
    pub async fn export_parts(
        &mut self,
        tenant_id: Uuid,
        job_id: Uuid,
        from: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, String)>> {
        self.fetch_all(
            Stmt::new(
                "select part, body from export_parts where tenant_id = $1 and job_id = $2 \
                 and part >= $3 order by part limit $4",
            )
            .bind(tenant_id)
            .bind(job_id)
            .bind(from)
            .bind(limit),
        )
        .await
    }
}
