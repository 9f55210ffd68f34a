//! Tenants: finding the one a request names, creating one.

use crate::services::{ServiceError, ServiceResult, Tenant};
use crate::store::{NewTenant, Store, StoreError};
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
    match tenant_by_slug(store, slug).await {
        Err(ServiceError::NotFound(_)) => {}
        found => return found,
    }
    match create_tenant(store, slug, name, region).await {
        // Another process made it meanwhile (two servers starting at once).
        Err(ServiceError::Conflict(_) | ServiceError::Store(StoreError::Conflict { .. })) => {
            tenant_by_slug(store, slug).await
        }
        made => made,
    }
}

/// A slug names the tenant in URLs and is its host name's first label
/// (`acme.spine.example`): a DNS label of lowercase letters, digits and inner '-', at most
/// 63 characters.
pub fn check_slug(slug: &str) -> ServiceResult<()> {
    let label = !slug.is_empty()
        && slug.len() <= 63
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !label {
        return Err(ServiceError::invalid(
            "slug",
            "use 1 to 63 lowercase letters, digits and '-' (not first or last)",
        ));
    }
    if RESERVED_SLUGS.contains(&slug) {
        return Err(ServiceError::invalid(
            "slug",
            format!("{slug:?} is kept for the deployment's own host names"),
        ));
    }
    Ok(())
}

/// Host names an operator is likely to give the deployment itself.
const RESERVED_SLUGS: [&str; 5] = ["www", "api", "admin", "metrics", "static"];

/// A new tenant; refused when the slug is taken.
pub async fn create_tenant(
    store: &Store,
    slug: &str,
    name: &str,
    region: &str,
) -> ServiceResult<Tenant> {
    check_slug(slug)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "name",
            "1 to 100 printable characters",
        ));
    }
    Region::parse(region).map_err(|e| ServiceError::invalid("default_region", e))?;
    let mut tx = store.begin().await?;
    if tx.tenant_by_slug(slug).await?.is_some() {
        return Err(ServiceError::Conflict(format!(
            "a tenant named {slug:?} exists already"
        )));
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

#[cfg(test)]
mod tests {
    use super::check_slug;

    #[test]
    fn slugs_are_host_name_labels() {
        for good in ["acme", "a", "brand-2", &"x".repeat(63)] {
            assert!(check_slug(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "-acme",
            "acme-",
            "Acme",
            "ac me",
            "acme.example",
            "é",
            &"x".repeat(64),
            "www",
        ] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
    }
}
