//! Reading the audit log: filtered, newest first, a page at a time.

use crate::services::{ServiceResult, Tenant};
use crate::store::{AuditFilter, AuditRecord, Store};

/// Entries per page of the audit log.
pub const PAGE_SIZE: i64 = 25;

/// One page of entries, and whether an older page follows.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    pub has_more: bool,
}

/// Page `page` (from 0) of the entries matching `filter`, newest first.
pub async fn search_audit(
    store: &Store,
    tenant: &Tenant,
    filter: &AuditFilter,
    page: u32,
) -> ServiceResult<AuditPage> {
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
