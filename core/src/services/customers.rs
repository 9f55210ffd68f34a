//! Reading profiles: the tenant's counts, search, one profile, its timeline.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use spine_engine::normalize::email::mask_email;
use spine_engine::normalize::phone::{Phone, Region};

use crate::services::{ServiceError, ServiceResult, Tenant};
use crate::store::{CustomerRow, IdentityRow, InteractionRow, Store};
use crate::types::{
    Channel, CustomerProfile, CustomerSummary, Direction, IdentityView, InteractionKind,
    LifecycleStage, Preferences, TenantStats, TimelineEntry, Verification,
};

pub const MAX_PAGE: i64 = 200;

pub async fn tenant_stats(store: &Store, tenant: &Tenant) -> ServiceResult<TenantStats> {
    let mut tx = store.read().await?;
    Ok(TenantStats {
        tenant_name: tenant.name.clone(),
        customers: tx.count_active_customers(tenant.id).await?,
        identities: tx.count_identities(tenant.id).await?,
        interactions: tx.count_interactions(tenant.id).await?,
        orders: tx.count_orders(tenant.id).await?,
        pending_reviews: tx.count_pending_reviews(tenant.id).await?,
    })
}

/// Profiles whose name, email or phone contains the query, most recently active first.
pub async fn search_customers(
    store: &Store,
    tenant: &Tenant,
    query: &str,
    limit: i64,
) -> ServiceResult<Vec<CustomerSummary>> {
    let query = query.trim();
    if query.chars().count() > 200 {
        return Err(ServiceError::invalid("q", "at most 200 characters"));
    }
    let mut tx = store.read().await?;
    let rows = tx
        .search_customers(tenant.id, query, limit.clamp(1, MAX_PAGE))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let channels = tx.channels_of(tenant.id, row.id).await?;
        out.push(summary(row, &channels));
    }
    Ok(out)
}

pub async fn customer_profile(
    store: &Store,
    tenant: &Tenant,
    id: Uuid,
) -> ServiceResult<CustomerProfile> {
    let mut tx = store.read().await?;
    let row = tx
        .customer(tenant.id, id)
        .await?
        .filter(|c| c.deleted_at.is_none())
        .ok_or(ServiceError::NotFound("customer"))?;
    let identities = tx.identities_of(tenant.id, id).await?;
    Ok(profile(row, identities))
}

pub async fn customer_timeline(
    store: &Store,
    tenant: &Tenant,
    id: Uuid,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> ServiceResult<Vec<TimelineEntry>> {
    let mut tx = store.read().await?;
    tx.customer(tenant.id, id)
        .await?
        .ok_or(ServiceError::NotFound("customer"))?;
    let rows = tx
        .timeline(tenant.id, id, before, limit.clamp(1, MAX_PAGE))
        .await?;
    Ok(rows.into_iter().filter_map(timeline_entry).collect())
}

fn summary(row: CustomerRow, channels: &[String]) -> CustomerSummary {
    CustomerSummary {
        id: row.id,
        display_name: row.display_name,
        email_masked: row.primary_email.as_deref().map(mask_email),
        phone_masked: row.primary_phone.as_deref().map(mask_phone),
        lifecycle_stage: LifecycleStage::parse(&row.lifecycle_stage)
            .unwrap_or(LifecycleStage::Prospect),
        channels: channels.iter().filter_map(|c| Channel::parse(c)).collect(),
        last_seen_at: row.last_seen_at,
    }
}

/// Stored primaries are E.164; anything else is hidden whole, since it may still be personal data.
fn mask_phone(e164: &str) -> String {
    Phone::parse(e164, Region::default())
        .map(|p| p.masked())
        .unwrap_or_else(|_| "***".to_owned())
}

fn profile(row: CustomerRow, identities: Vec<IdentityRow>) -> CustomerProfile {
    CustomerProfile {
        id: row.id,
        display_name: row.display_name,
        given_name: row.given_name,
        family_name: row.family_name,
        primary_email: row.primary_email,
        primary_phone: row.primary_phone,
        lifecycle_stage: LifecycleStage::parse(&row.lifecycle_stage)
            .unwrap_or(LifecycleStage::Prospect),
        tags: row.tags.0,
        sources: row.sources.0,
        preferences: Preferences {
            preferred_channel: row.preferred_channel.as_deref().and_then(Channel::parse),
            timezone: row.timezone,
            language: row.language,
            marketing_opt_in: row.marketing_opt_in,
            notifications: row.notification_prefs.0,
        },
        identities: identities
            .into_iter()
            .map(|i| IdentityView {
                id: i.id,
                kind: i.kind,
                provider: i.provider,
                value: i.value,
                confidence: i.confidence,
                verification: Verification::parse(&i.verification)
                    .unwrap_or(Verification::Unverified),
                first_seen_at: i.first_seen_at,
                last_seen_at: i.last_seen_at,
            })
            .collect(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        last_seen_at: row.last_seen_at,
    }
}

fn timeline_entry(row: InteractionRow) -> Option<TimelineEntry> {
    Some(TimelineEntry {
        id: row.id,
        channel: Channel::parse(&row.channel)?,
        direction: Direction::parse(&row.direction)?,
        kind: InteractionKind::parse(&row.kind)?,
        occurred_at: row.occurred_at,
        body: row.body,
        thread_id: row.thread_id,
        payload: row.payload.map(|p| p.0),
    })
}
