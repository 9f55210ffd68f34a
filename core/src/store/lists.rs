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

/// Every condition of `filter`, on customers as `c`; `only` restricts the list to these ids
/// (a search's results).
fn conditions(
    backend: Backend,
    tenant_id: Uuid,
    filter: &CustomerFilter,
    only: Option<&[Uuid]>,
) -> Where {
    let mut w = Where::new(tenant_id);
    if !filter.stages.is_empty() {
        let stages = w.args(filter.stages.iter().map(|s| s.as_str()));
        w.push(format!("c.lifecycle_stage in ({stages})"));
    }
    for (kind, values, all) in [
        ("tag", &filter.tags, filter.all_tags),
        ("source", &filter.sources, false),
    ] {
        if values.is_empty() {
            continue;
        }
        let list = w.args(values.iter());
        let having = if all && values.len() > 1 {
            let n = w.arg(i64::try_from(values.len()).unwrap_or(i64::MAX));
            format!(" group by customer_id having count(*) = {n}")
        } else {
            String::new()
        };
        w.push(format!(
            "c.id in (select customer_id from customer_labels where tenant_id = $1 and kind = '{kind}' \
             and value in ({list}){having})"
        ));
    }
    if let Some(campaign) = &filter.campaign {
        let p = w.arg(campaign);
        w.push(format!("c.source_campaign = {p}"));
    }
    if !filter.channels.is_empty() {
        let list = w.args(filter.channels.iter().map(|c| c.as_str()));
        w.push(format!(
            "c.id in (select customer_id from customer_channels where tenant_id = $1 and channel in ({list}))"
        ));
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
    if filter.open_conversation {
        w.push(
            "c.id in (select customer_id from threads where tenant_id = $1 \
             and status <> 'resolved' and archived_at is null)"
                .to_owned(),
        );
    }
    if filter.pending_review {
        // Candidate ids are a JSON array of id strings; the dialects unpack it differently.
        let candidates = match backend {
            Backend::Sqlite => {
                "select unhex(replace(j.value, '-', '')) from review_items r, json_each(r.candidate_ids) j \
                 where r.tenant_id = $1 and r.status in ('pending', 'deferred')"
            }
            Backend::Postgres => {
                "select (jsonb_array_elements_text(r.candidate_ids))::uuid from review_items r \
                 where r.tenant_id = $1 and r.status in ('pending', 'deferred')"
            }
        };
        w.push(format!(
            "c.id in (select subject_customer_id from review_items where tenant_id = $1 \
             and status in ('pending', 'deferred') union {candidates})"
        ));
    }
    for c in &filter.custom {
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
        w.push(format!(
            "c.id in (select customer_id from customer_field_values where tenant_id = $1 \
             and key = {key} and {column} {op} {value})"
        ));
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
        let mut w = conditions(self.backend(), tenant_id, filter, only);
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
        let mut w = conditions(self.backend(), tenant_id, filter, only);
        let cap = w.arg(cap);
        let sql = format!(
            "select count(*) from (select 1 from customers c where {} limit {cap}) t",
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

    /// Removes label rows of one kind.
    pub async fn remove_labels(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        kind: &'static str,
        values: &[String],
    ) -> StoreResult<()> {
        if values.is_empty() {
            return Ok(());
        }
        let list = (0..values.len())
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        self.exec(
            Stmt::new(format!(
                "delete from customer_labels where tenant_id = $1 and customer_id = $2 \
                 and kind = '{kind}' and value in ({list})"
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
