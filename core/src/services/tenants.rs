//! Tenants: finding the one a request names, creating one.

use crate::services::{ServiceError, ServiceResult, Tenant};
use crate::store::{NewTenant, Store};
use spine_engine::normalize::phone::Region;

pub async fn tenant_by_slug(store: &Store, slug: &str) -> ServiceResult<Tenant> {
    let mut tx = store.read().await?;
    let row = tx
        .tenant_by_slug(slug)
        .await?
        .ok_or(ServiceError::NotFound("tenant"))?;
    Ok(Tenant::from_row(row))
}

/// Returns the tenant with this slug, creating it when it does not exist yet.
pub async fn ensure_tenant(
    store: &Store,
    slug: &str,
    name: &str,
    region: &str,
) -> ServiceResult<Tenant> {
    if slug.is_empty()
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(ServiceError::invalid(
            "slug",
            "use lowercase letters, digits and '-'",
        ));
    }
    Region::parse(region).map_err(|e| ServiceError::invalid("default_region", e))?;
    let mut tx = store.begin().await?;
    if let Some(row) = tx.tenant_by_slug(slug).await? {
        return Ok(Tenant::from_row(row));
    }
    let row = tx
        .insert_tenant(&NewTenant {
            slug,
            name,
            default_region: region,
        })
        .await?;
    tx.commit().await?;
    Ok(Tenant::from_row(row))
}

/// Every tenant, by slug (for work the server does for all of them, such as archival).
pub async fn all_tenants(store: &Store) -> ServiceResult<Vec<Tenant>> {
    let rows = store.read().await?.list_tenants().await?;
    Ok(rows.into_iter().map(Tenant::from_row).collect())
}
