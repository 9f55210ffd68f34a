//! Customer lists and segments: a filtered, sorted, paged list of profiles (the console's
//! `/customers` and `GET /api/v1/customers`), the views people save, bulk changes to a list or a
//! selection, and a list's export as CSV (a background job, downloadable when done).
//!
//! Decided:
//! - Counts stop at [`COUNT_CAP`] ("more than 1,000"): a list longer than a person reads is
//!   narrowed, not counted, and an exact count of a million rows costs a hundred times the page
//!   itself (measured with `spine list-bench`). An export counts exactly, in the background.
//! - A bulk change reaches at most [`MAX_BULK`] profiles; a longer list is refused whole (nothing
//!   written) and asks to be narrowed. Each profile changed gets its own audit entry with before
//!   and after, as a change by hand does, and the action one entry of its own.
//! - Lists, views and bulk changes are staff work: agents and admins change and export, managers
//!   read. A view shared with the team is an admin's to create or delete.
//! - An export holds full addresses and numbers (it is for mailing and CRM work), so it is
//!   audited when started and when downloaded, only the person who started it (or an admin)
//!   downloads it, and it is deleted a day after it finishes. Cells that a spreadsheet would run
//!   as a formula (`=`, `+`, `-`, `@`) are written with a leading `'`.

use std::collections::HashSet;

use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use crate::lists::{
    BulkAction, BulkOutcome, CustomerFilter, CustomerList, ExportStatus, FieldOp, ListCount,
    SavedView,
};
use crate::services::custom_fields;
use crate::services::customers::{MAX_TAGS, clean_tags, search_customers_page, with_channels};
use crate::services::{Actor, ServiceError, ServiceResult, Tenant, audit, short_text};
use crate::store::{CustomerRow, JobRow, ListAfter, SavedViewRow, Store, Tx};
use crate::types::{FieldKind, ListSort, Role};

/// Profiles per page, unless the caller asks for another size.
pub const PAGE: i64 = 50;
/// The most a page holds.
pub const MAX_PAGE: i64 = 200;
/// A list's count stops here.
pub const COUNT_CAP: i64 = 1_000;
/// A view's count beside its name stops here.
pub const VIEW_COUNT_CAP: i64 = COUNT_CAP;
/// An API page skips at most this many profiles (`after` pages without a bound).
pub const MAX_OFFSET: i64 = 1_000;
/// A bulk change reaches at most this many profiles.
pub const MAX_BULK: usize = 10_000;
/// Views a person keeps (their own and the team's each).
pub const MAX_VIEWS: usize = 50;
/// A search inside a list looks at this many of the search's best answers.
const SEARCH_DEPTH: i64 = 200;
/// Profiles changed per transaction in a bulk change.
const BULK_GROUP: usize = 250;
/// Profiles per part of an export.
const EXPORT_PART: i64 = 2_000;
/// The job kind of an export.
pub const EXPORT_JOB: &str = "export";
/// How long an export's file is kept after it finishes.
pub const EXPORT_KEPT: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// Reads a list's query string; a bad parameter is a 422 naming it.
pub fn parse_filter(query: &str) -> ServiceResult<CustomerFilter> {
    CustomerFilter::from_query(query).map_err(|e| ServiceError::invalid(e.field, e.message))
}

/// The filter with its custom field conditions checked against the tenant's fields and put in
/// their stored form (a choice's own spelling, yes/no, a number compared as one). An unknown
/// field, a value of the wrong kind or a range on a field without order is a 422.
async fn resolved(
    store: &Store,
    tenant: &Tenant,
    filter: &CustomerFilter,
) -> ServiceResult<CustomerFilter> {
    let mut filter = filter.clone();
    if filter.custom.is_empty() {
        return Ok(filter);
    }
    let fields = custom_fields::custom_fields(store, tenant).await?;
    for c in &mut filter.custom {
        let name = c.param();
        let field = fields
            .iter()
            .find(|f| f.key == c.key)
            .ok_or_else(|| ServiceError::invalid(&name, "no such custom field"))?;
        let ordered = matches!(field.kind, FieldKind::Number | FieldKind::Date);
        if c.op != FieldOp::Eq && !ordered {
            return Err(ServiceError::invalid(
                &name,
                "a range needs a number or date field",
            ));
        }
        let stored = custom_fields::stored(field, &serde_json::Value::String(c.value.clone()))
            .map_err(|e| match e {
                ServiceError::Invalid { message, .. } => ServiceError::invalid(&name, message),
                other => other,
            })?
            .ok_or_else(|| ServiceError::invalid(&name, "a value"))?;
        c.numeric = stored.number.is_some();
        c.value = stored.text;
    }
    Ok(filter)
}

/// The profiles a search inside a list may hold, best first (`None`: no search).
async fn searched(
    store: &Store,
    tenant: &Tenant,
    filter: &CustomerFilter,
) -> ServiceResult<Option<Vec<Uuid>>> {
    if filter.q.trim().is_empty() {
        return Ok(None);
    }
    let found = search_customers_page(store, tenant, &filter.q, SEARCH_DEPTH, 0).await?;
    Ok(Some(found.into_iter().map(|c| c.id).collect()))
}

/// One page of a list: at most `limit` profiles after `after`, with the list's count.
pub async fn list_customers(
    store: &Store,
    tenant: &Tenant,
    filter: &CustomerFilter,
    after: Option<Uuid>,
    limit: i64,
) -> ServiceResult<CustomerList> {
    list_customers_from(store, tenant, filter, after, 0, limit).await
}

/// [`list_customers`], skipping the first `offset` profiles (0 to [`MAX_OFFSET`]) after
/// `after`: for API clients that page by offset. Paging by `after` costs the same on any page.
pub async fn list_customers_from(
    store: &Store,
    tenant: &Tenant,
    filter: &CustomerFilter,
    after: Option<Uuid>,
    offset: i64,
    limit: i64,
) -> ServiceResult<CustomerList> {
    if !(0..=MAX_OFFSET).contains(&offset) {
        return Err(ServiceError::invalid(
            "offset",
            format!("between 0 and {MAX_OFFSET}"),
        ));
    }
    let limit = limit.clamp(1, MAX_PAGE);
    let skip = usize::try_from(offset).unwrap_or(0);
    let shown = filter;
    let filter = &resolved(store, tenant, filter).await?;
    let only = searched(store, tenant, filter).await?;
    let mut tx = store.read().await?;
    let (rows, next, total) = match &only {
        // A search's answers are one page, best first (unless another order was asked for).
        Some(ids) => {
            let mut rows = tx
                .customer_list(tenant.id, filter, Some(ids), None, SEARCH_DEPTH)
                .await?;
            if filter.sort == ListSort::Activity {
                rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
            }
            let total = ListCount::capped(i64::try_from(rows.len()).unwrap_or(0), COUNT_CAP);
            rows.drain(..skip.min(rows.len()));
            rows.truncate(usize::try_from(limit).unwrap_or(0));
            (rows, None, total)
        }
        None => {
            let (mut rows, counted) = tx
                .list_page(
                    tenant.id,
                    filter,
                    after.map(ListAfter),
                    offset + limit + 1,
                    COUNT_CAP + 1,
                )
                .await?;
            rows.drain(..skip.min(rows.len()));
            let more = rows.len() > usize::try_from(limit).unwrap_or(0);
            rows.truncate(usize::try_from(limit).unwrap_or(0));
            let next = more.then(|| rows.last().map(|r| r.id)).flatten();
            (rows, next, ListCount::capped(counted, COUNT_CAP))
        }
    };
    let customers = with_channels(&mut tx, tenant, rows).await?;
    Ok(CustomerList {
        filter: shown.clone(),
        now: Utc::now(),
        customers,
        total,
        next,
        continued: after.is_some(),
    })
}

/// How many the list holds, up to `cap`.
async fn count_list(
    store: &Store,
    tenant: &Tenant,
    filter: &CustomerFilter,
    cap: i64,
) -> ServiceResult<ListCount> {
    let filter = &resolved(store, tenant, filter).await?;
    let only = searched(store, tenant, filter).await?;
    let mut tx = store.read().await?;
    let counted = tx
        .count_customer_list(tenant.id, filter, only.as_deref(), cap + 1)
        .await?;
    Ok(ListCount::capped(counted, cap))
}

/// The staff member behind an actor: lists, views and bulk changes are staff work.
fn staff(actor: &Actor) -> ServiceResult<(Uuid, Role)> {
    match actor {
        Actor::Staff { id, role, .. } => Ok((*id, *role)),
        _ => Err(ServiceError::Forbidden),
    }
}

/// Agents and admins change and export lists; managers read them.
fn may_change(actor: &Actor) -> ServiceResult<(Uuid, Role)> {
    let (id, role) = staff(actor)?;
    if role == Role::Manager {
        return Err(ServiceError::Forbidden);
    }
    Ok((id, role))
}

/// The views a person sees (their own and the team's), each with its count.
pub async fn saved_views(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
) -> ServiceResult<Vec<SavedView>> {
    let (user, role) = staff(actor)?;
    let rows = store.read().await?.saved_views(tenant.id, user).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        // A view saved by an older version may no longer parse: it still shows, counted as none.
        let count = match parse_filter(&row.query) {
            Ok(filter) => count_list(store, tenant, &filter, VIEW_COUNT_CAP).await?,
            Err(_) => ListCount::default(),
        };
        views.push(view_of(row, user, role, count));
    }
    Ok(views)
}

fn view_of(row: SavedViewRow, user: Uuid, role: Role, count: ListCount) -> SavedView {
    SavedView {
        id: row.id,
        shared: row.owner_id.is_none(),
        deletable: row.owner_id == Some(user) || (row.owner_id.is_none() && role == Role::Admin),
        name: row.name,
        query: row.query,
        count,
    }
}

/// Saves a list as a view: the person's own, or (admins) the team's. Names are unique among
/// the views a person sees.
pub async fn save_view(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    name: &str,
    query: &str,
    shared: bool,
) -> ServiceResult<SavedView> {
    let (user, role) = staff(actor)?;
    if shared && role != Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    let name = short_text("name", name, 60)?
        .ok_or_else(|| ServiceError::invalid("name", "give the view a name"))?;
    // Stored in its canonical form, so two ways of writing one list are one query.
    let filter = parse_filter(query)?;
    let query = filter.to_query();
    let mut tx = store.begin().await?;
    let existing = tx.saved_views(tenant.id, user).await?;
    if existing
        .iter()
        .any(|v| v.name.to_lowercase() == name.to_lowercase())
    {
        return Err(ServiceError::Conflict(format!(
            "a view named “{name}” exists already"
        )));
    }
    let owned = existing
        .iter()
        .filter(|v| v.owner_id.is_none() == shared)
        .count();
    if owned >= MAX_VIEWS {
        return Err(ServiceError::invalid(
            "name",
            format!("at most {MAX_VIEWS} views; delete one first"),
        ));
    }
    let row = SavedViewRow {
        id: Uuid::now_v7(),
        owner_id: (!shared).then_some(user),
        name,
        query,
        created_by: actor.label(),
        created_at: Utc::now(),
    };
    tx.insert_saved_view(tenant.id, &row).await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "view.saved", "view")
            .entity(row.id)
            .after(json!({"name": row.name, "query": row.query, "shared": shared})),
    )
    .await?;
    tx.commit().await?;
    let count = count_list(store, tenant, &filter, VIEW_COUNT_CAP).await?;
    Ok(view_of(row, user, role, count))
}

/// Deletes a view: one's own, or (admins) one the team shares.
pub async fn delete_view(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<()> {
    let (user, role) = staff(actor)?;
    let mut tx = store.begin().await?;
    let view = tx
        .saved_views(tenant.id, user)
        .await?
        .into_iter()
        .find(|v| v.id == id)
        .ok_or(ServiceError::NotFound("view"))?;
    if !view_of(view.clone(), user, role, ListCount::default()).deletable {
        return Err(ServiceError::Forbidden);
    }
    tx.delete_saved_view(tenant.id, id).await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "view.deleted", "view").entity(id).before(
            json!({"name": view.name, "query": view.query, "shared": view.owner_id.is_none()}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a bulk change reaches: ticked profiles, or a whole list.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkTarget {
    Selected(Vec<Uuid>),
    List(CustomerFilter),
}

/// Every profile of a list, in its order; refused when it holds more than `cap`.
async fn list_ids(
    store: &Store,
    tenant: &Tenant,
    filter: &CustomerFilter,
    cap: usize,
) -> ServiceResult<Vec<Uuid>> {
    let filter = &resolved(store, tenant, filter).await?;
    let only = searched(store, tenant, filter).await?;
    let mut tx = store.read().await?;
    let mut ids: Vec<Uuid> = Vec::new();
    let mut after = None;
    loop {
        let page = tx
            .customer_list(tenant.id, filter, only.as_deref(), after, 1_000)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(ListAfter(last.id));
        ids.extend(page.iter().map(|r| r.id));
        if ids.len() > cap {
            return Err(ServiceError::invalid(
                "list",
                format!(
                    "the list holds more than {} profiles; narrow it first",
                    ListCount {
                        n: u64::try_from(cap).unwrap_or(u64::MAX),
                        more: false,
                    }
                    .short()
                ),
            ));
        }
        if only.is_some() {
            break;
        }
    }
    Ok(ids)
}

/// Adds or removes tags, or sets the stage, on each profile of a list or a selection.
pub async fn bulk_update(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    target: &BulkTarget,
    action: &BulkAction,
) -> ServiceResult<BulkOutcome> {
    may_change(actor)?;
    let action = match action {
        BulkAction::AddTags { tags } | BulkAction::RemoveTags { tags } if tags.is_empty() => {
            return Err(ServiceError::invalid("tags", "name at least one tag"));
        }
        BulkAction::AddTags { tags } => BulkAction::AddTags {
            tags: clean_tags(tags)?,
        },
        BulkAction::RemoveTags { tags } => BulkAction::RemoveTags {
            tags: clean_tags(tags)?,
        },
        other => other.clone(),
    };
    let (ids, described) = match target {
        BulkTarget::Selected(ids) => {
            if ids.is_empty() {
                return Err(ServiceError::invalid("ids", "tick at least one customer"));
            }
            if ids.len() > MAX_BULK {
                return Err(ServiceError::invalid(
                    "ids",
                    format!("at most {MAX_BULK} at once"),
                ));
            }
            let mut seen = HashSet::new();
            let ids: Vec<Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
            let described = format!("{} ticked", ids.len());
            (ids, described)
        }
        BulkTarget::List(filter) => (
            list_ids(store, tenant, filter, MAX_BULK).await?,
            filter.describe(),
        ),
    };
    let mut outcome = BulkOutcome::default();
    for group in ids.chunks(BULK_GROUP) {
        let mut tx = store.begin().await?;
        for row in tx.customers_by_ids(tenant.id, group).await? {
            if row.deleted_at.is_some() || row.merged_into.is_some() {
                continue;
            }
            change_one(&mut tx, tenant, actor, &row, &action, &mut outcome).await?;
        }
        tx.commit().await?;
    }
    let mut tx = store.begin().await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "customers.bulk_updated", "customer").after(json!({
            "action": action, "target": described,
            "changed": outcome.changed, "unchanged": outcome.unchanged, "skipped": outcome.skipped,
        })),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        tenant = %tenant.slug, changed = outcome.changed, unchanged = outcome.unchanged,
        skipped = outcome.skipped, "bulk change"
    );
    Ok(outcome)
}

async fn change_one(
    tx: &mut Tx,
    tenant: &Tenant,
    actor: &Actor,
    row: &CustomerRow,
    action: &BulkAction,
    outcome: &mut BulkOutcome,
) -> ServiceResult<()> {
    let mut tags = row.tags.0.clone();
    let mut stage = row.lifecycle_stage.clone();
    match action {
        BulkAction::AddTags { tags: add } => {
            for tag in add {
                if !tags.contains(tag) {
                    tags.push(tag.clone());
                }
            }
            if tags.len() > MAX_TAGS {
                outcome.skipped += 1;
                return Ok(());
            }
        }
        BulkAction::RemoveTags { tags: remove } => tags.retain(|t| !remove.contains(t)),
        BulkAction::SetStage { stage: to } => stage = to.as_str().to_owned(),
    }
    if tags == row.tags.0 && stage == row.lifecycle_stage {
        outcome.unchanged += 1;
        return Ok(());
    }
    tx.set_stage_and_tags(tenant.id, row.id, &stage, &tags)
        .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "customer.updated", "customer")
            .entity(row.id)
            .customer(row.id)
            .before(json!({"lifecycle_stage": row.lifecycle_stage, "tags": row.tags.0}))
            .after(json!({"lifecycle_stage": stage, "tags": tags, "bulk": true})),
    )
    .await?;
    outcome.changed += 1;
    Ok(())
}

/// Starts exporting a list as CSV on a task of its own; the answer is the job to follow with
/// [`export_status`].
pub async fn start_export(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    filter: &CustomerFilter,
) -> ServiceResult<ExportStatus> {
    let job_id = open_export(store, tenant, actor, filter).await?;
    let (store_, tenant_, filter_) = (store.clone(), tenant.clone(), filter.clone());
    tokio::spawn(async move {
        // A failure is recorded on the job row and logged by `run_export`.
        let _ = run_export(&store_, &tenant_, job_id, &filter_).await;
    });
    export_status(store, tenant, actor, job_id).await
}

/// Exports a list to the end (the CLI's way and the tests'); the finished job's status.
pub async fn export(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    filter: &CustomerFilter,
) -> ServiceResult<ExportStatus> {
    let job_id = open_export(store, tenant, actor, filter).await?;
    run_export(store, tenant, job_id, filter).await?;
    export_status(store, tenant, actor, job_id).await
}

async fn open_export(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    filter: &CustomerFilter,
) -> ServiceResult<Uuid> {
    let (user, _) = may_change(actor)?;
    // A filter that cannot run is refused now, not reported later as a failed job.
    resolved(store, tenant, filter).await?;
    let job_id = Uuid::now_v7();
    let mut tx = store.begin().await?;
    tx.insert_job_with_id(
        tenant.id,
        job_id,
        EXPORT_JOB,
        &actor.label(),
        &json!({"owner": user, "query": filter.to_query(), "description": filter.describe()}),
    )
    .await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "export.started", "job")
            .entity(job_id)
            .after(json!({"query": filter.to_query(), "description": filter.describe()})),
    )
    .await?;
    tx.commit().await?;
    Ok(job_id)
}

/// Writes the export's parts, recording progress, and its end (or failure) on the job row.
async fn run_export(
    store: &Store,
    tenant: &Tenant,
    job_id: Uuid,
    filter: &CustomerFilter,
) -> ServiceResult<()> {
    let result = write_export(store, tenant, job_id, filter).await;
    let error = result.as_ref().err().map(ToString::to_string);
    let rows = *result.as_ref().unwrap_or(&0);
    if let Some(error) = &error {
        tracing::warn!(tenant = %tenant.slug, job = %job_id, error = %error, "export failed");
    } else {
        tracing::info!(tenant = %tenant.slug, job = %job_id, rows, "export finished");
    }
    let mut tx = store.begin().await?;
    let metrics = match tx.job(tenant.id, job_id).await? {
        Some(job) => {
            let mut metrics = job.metrics.0;
            metrics["rows"] = json!(rows);
            metrics
        }
        None => json!({"rows": rows}),
    };
    tx.finish_job(tenant.id, job_id, &metrics, error.as_deref())
        .await?;
    tx.commit().await?;
    result.map(drop)
}

/// The CSV's header.
const EXPORT_COLUMNS: [&str; 14] = [
    "id",
    "display_name",
    "given_name",
    "family_name",
    "email",
    "phone",
    "lifecycle_stage",
    "tags",
    "sources",
    "campaign",
    "language",
    "marketing_opt_in",
    "created_at",
    "last_seen_at",
];

async fn write_export(
    store: &Store,
    tenant: &Tenant,
    job_id: Uuid,
    filter: &CustomerFilter,
) -> ServiceResult<u64> {
    let filter = &resolved(store, tenant, filter).await?;
    let fields = custom_fields::custom_fields(store, tenant).await?;
    let only = searched(store, tenant, filter).await?;
    let total = {
        let mut tx = store.read().await?;
        tx.count_customer_list(tenant.id, filter, only.as_deref(), i64::MAX)
            .await?
    };
    let metrics = |job: &JobRow| job.metrics.0.clone();
    let mut done: i64 = 0;
    let mut part: i64 = 0;
    let mut after = None;
    loop {
        let (rows, values) = {
            let mut tx = store.read().await?;
            let rows = tx
                .customer_list(tenant.id, filter, only.as_deref(), after, EXPORT_PART)
                .await?;
            let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            let values = custom_fields::values_of(&mut tx, tenant.id, &fields, &ids).await?;
            (rows, values)
        };
        let first = part == 0;
        if rows.is_empty() && !first {
            break;
        }
        let body = csv_part(&rows, first, &fields, &values)?;
        after = rows.last().map(|r| ListAfter(r.id));
        done += i64::try_from(rows.len()).unwrap_or(0);
        let mut tx = store.begin().await?;
        tx.insert_export_part(tenant.id, job_id, part, &body)
            .await?;
        let current = tx.job(tenant.id, job_id).await?;
        let m = current.as_ref().map(metrics).unwrap_or_else(|| json!({}));
        tx.update_job_stage(tenant.id, job_id, done, total.max(done), &m)
            .await?;
        tx.commit().await?;
        part += 1;
        if rows.len() < usize::try_from(EXPORT_PART).unwrap_or(0) || only.is_some() {
            break;
        }
    }
    Ok(u64::try_from(done).unwrap_or(0))
}

/// A cell a spreadsheet shows as text: one starting like a formula (`=`, `+`, `-`, `@`, a tab
/// or a carriage return) gets a leading apostrophe, unless it is a plain number (a phone number
/// in E.164 stays as it is). Names, tags and campaigns come from whoever sent the events.
pub fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let formula_like = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula_like && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn csv_failed(e: impl std::fmt::Display) -> ServiceError {
    tracing::error!(error = %e, "cannot write CSV");
    ServiceError::Conflict("cannot write this list as CSV".into())
}

fn cell(value: &str) -> String {
    inert_cell(value).into_owned()
}

fn csv_part(
    rows: &[CustomerRow],
    header: bool,
    fields: &[crate::types::CustomField],
    values: &std::collections::BTreeMap<Uuid, custom_fields::CustomValues>,
) -> ServiceResult<String> {
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let fail = csv_failed;
    if header {
        let custom = fields.iter().map(|f| format!("custom:{}", f.key));
        let columns: Vec<String> = EXPORT_COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .chain(custom)
            .collect();
        out.write_record(&columns).map_err(fail)?;
    }
    for row in rows {
        let time = |t: Option<chrono::DateTime<Utc>>| {
            t.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default()
        };
        let text = |v: &Option<String>| cell(v.as_deref().unwrap_or_default());
        let own = values.get(&row.id);
        let custom = fields
            .iter()
            .map(|f| match own.and_then(|v| v.get(&f.key)) {
                Some(serde_json::Value::String(s)) => cell(s),
                Some(serde_json::Value::Bool(b)) => if *b { "yes" } else { "no" }.to_owned(),
                Some(other) => other.to_string(),
                None => String::new(),
            });
        let record: Vec<String> = [
            row.id.to_string(),
            text(&row.display_name),
            text(&row.given_name),
            text(&row.family_name),
            text(&row.primary_email),
            text(&row.primary_phone),
            row.lifecycle_stage.clone(),
            cell(&row.tags.0.join("; ")),
            cell(&row.sources.0.join("; ")),
            text(&row.source_campaign),
            text(&row.language),
            row.marketing_opt_in.to_string(),
            time(Some(row.created_at)),
            time(row.last_seen_at),
        ]
        .into_iter()
        .chain(custom)
        .collect();
        out.write_record(&record).map_err(fail)?;
    }
    let bytes = out.into_inner().map_err(csv_failed)?;
    String::from_utf8(bytes).map_err(csv_failed)
}

/// The export job `id`, as the person who may see it: its starter or an admin.
async fn export_job(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<JobRow> {
    let (user, role) = may_change(actor)?;
    let job = store
        .read()
        .await?
        .job(tenant.id, id)
        .await?
        .filter(|job| job.kind == EXPORT_JOB)
        .ok_or(ServiceError::NotFound("export"))?;
    let owner = job.metrics.0["owner"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok());
    if owner != Some(user) && role != Role::Admin {
        // Someone else's export does not exist, as far as this person can tell.
        return Err(ServiceError::NotFound("export"));
    }
    Ok(job)
}

fn status_of(job: &JobRow) -> ExportStatus {
    let expired = job
        .finished_at
        .is_some_and(|at| Utc::now() - at > EXPORT_KEPT);
    ExportStatus {
        id: job.id,
        status: if expired {
            "expired".to_owned()
        } else {
            job.status.clone()
        },
        done: u64::try_from(job.done).unwrap_or(0),
        total: u64::try_from(job.total).unwrap_or(0),
        description: job.metrics.0["description"]
            .as_str()
            .unwrap_or("customers")
            .to_owned(),
        error: job.error.clone(),
        download: (job.status == "succeeded" && !expired)
            .then(|| format!("/exports/{}.csv", job.id)),
    }
}

/// The newest export this person started, while its file is kept (what the list page shows).
pub async fn latest_export(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
) -> ServiceResult<Option<ExportStatus>> {
    let Ok((user, _)) = may_change(actor) else {
        return Ok(None);
    };
    let jobs = store
        .read()
        .await?
        .jobs_of_kind(tenant.id, EXPORT_JOB, 50)
        .await?;
    Ok(jobs
        .iter()
        .find(|job| job.metrics.0["owner"].as_str() == Some(user.to_string().as_str()))
        .map(status_of)
        .filter(|status| status.status != "expired"))
}

/// An export's progress.
pub async fn export_status(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<ExportStatus> {
    Ok(status_of(&export_job(store, tenant, actor, id).await?))
}

/// Reads a finished export's CSV a few parts at a time (`from` is the first part wanted); an
/// empty answer is the end. Audited once, when the first part is read.
pub async fn export_download(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id: Uuid,
    from: i64,
) -> ServiceResult<Vec<(i64, String)>> {
    let job = export_job(store, tenant, actor, id).await?;
    if status_of(&job).download.is_none() {
        return Err(ServiceError::Conflict(
            "the export is not ready (or has expired)".into(),
        ));
    }
    if from == 0 {
        let mut tx = store.begin().await?;
        tx.append_audit(
            tenant.id,
            &audit(actor, "export.downloaded", "job").entity(id),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(store
        .read()
        .await?
        .export_parts(tenant.id, id, from, 5)
        .await?)
}
