//! Reading the audit log: filtered, newest first, a page at a time.

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use crate::services::{ServiceError, ServiceResult, Tenant};
use crate::store::{AuditFilter, AuditRecord, Store};

/// What to look for in the audit log; every part is optional and they combine with "and".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditSearch {
    /// The actor's label (a staff email, "api key NAME", "spine:seed"...), exactly.
    pub actor: Option<String>,
    pub action: Option<String>,
    pub customer_id: Option<Uuid>,
    /// From this day on, UTC.
    pub from: Option<NaiveDate>,
    /// Up to this day, inclusive, UTC.
    pub to: Option<NaiveDate>,
}

impl AuditSearch {
    fn filter(&self) -> ServiceResult<AuditFilter> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(ServiceError::invalid(
                "from",
                "must be on or before the last day (to)",
            ));
        }
        let day_start = |day: NaiveDate| day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        let blank = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        Ok(AuditFilter {
            actor: blank(&self.actor),
            action: blank(&self.action),
            customer_id: self.customer_id,
            from: self.from.and_then(day_start),
            until: self
                .to
                .and_then(|day| day.checked_add_signed(Duration::days(1)))
                .and_then(day_start),
        })
    }
}

/// Entries per page of the audit log.
pub const PAGE_SIZE: i64 = 25;

/// One page of entries, and whether an older page follows.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    pub has_more: bool,
}

/// Page `page` (from 0) of the entries matching `search`, newest first.
pub async fn search_audit(
    store: &Store,
    tenant: &Tenant,
    search: &AuditSearch,
    page: u32,
) -> ServiceResult<AuditPage> {
    let filter = &search.filter()?;
    let offset = i64::from(page.min(10_000)) * PAGE_SIZE;
    let mut entries = store
        .read()
        .await?
        .search_audit(tenant.id, filter, PAGE_SIZE + 1, offset)
        .await?;
    let has_more = entries.len() as i64 > PAGE_SIZE;
    entries.truncate(PAGE_SIZE as usize);
    Ok(AuditPage { entries, has_more })
}

/// The actions recorded so far, for the filter's list.
pub async fn audit_actions(store: &Store, tenant: &Tenant) -> ServiceResult<Vec<String>> {
    Ok(store.read().await?.audit_actions(tenant.id).await?)
}
