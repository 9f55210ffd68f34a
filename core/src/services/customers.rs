//! Reading profiles: the tenant's counts, search, one profile, its timeline.

use chrono::Utc;
use uuid::Uuid;

use spine_engine::normalize::email::mask_email;
use spine_engine::normalize::phone::{Phone, Region};
use spine_engine::search::{NameQuery, is_namesake, name_score};

use spine_engine::search::display_name_keys;

use crate::services::short_text;
use crate::services::{ServiceError, ServiceResult, Tenant};
use crate::store::{
    CustomerRow, IdentityRow, InteractionRow, NAME_CANDIDATES, Store, TimelineFilter, Tx,
};
use crate::types::{
    Assurance, Channel, CustomerProfile, CustomerSummary, Direction, IdentityView, InteractionKind,
    LifecycleStage, OrderSummary, Preferences, TenantStats, TimelineCursor, TimelineEntry,
    Verification,
};

pub const MAX_PAGE: i64 = 200;
/// How deep search pages go: past this, refine the query.
pub const MAX_OFFSET: i64 = 1_000;

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

/// The first page of [`search_customers_page`].
pub async fn search_customers(
    store: &Store,
    tenant: &Tenant,
    query: &str,
    limit: i64,
) -> ServiceResult<Vec<CustomerSummary>> {
    search_customers_page(store, tenant, query, limit, 0).await
}

/// Profiles answering a search-box query, best first, a page at a time: an email, a phone in
/// any format, an `@handle`, an external id or an order number is found through its index; any
/// other text is a name, found by prefix, sound or nickname and ranked by similarity, so typos
/// are tolerated (see `spine_engine::search`). An empty query lists the most recently active
/// profiles.
pub async fn search_customers_page(
    store: &Store,
    tenant: &Tenant,
    query: &str,
    limit: i64,
    offset: i64,
) -> ServiceResult<Vec<CustomerSummary>> {
    let query = query.trim();
    if query.chars().count() > 200 {
        return Err(ServiceError::invalid("q", "at most 200 characters"));
    }
    if !(0..=MAX_OFFSET).contains(&offset) {
        return Err(ServiceError::invalid(
            "offset",
            format!("between 0 and {MAX_OFFSET}"),
        ));
    }
    let limit = limit.clamp(1, MAX_PAGE);
    let mut tx = store.read().await?;
    if query.is_empty() {
        let rows = tx.recent_customers(tenant.id, limit, offset).await?;
        return with_channels(&mut tx, tenant, rows).await;
    }
    // Enough rows for the page, then the page is cut from them.
    let want = limit + offset;
    let rows = match identifier_query(tenant, query) {
        // An identifier is found through its index, whatever way it was written.
        Some(IdentifierQuery::Email(values)) => {
            tx.customers_with_identifier(tenant.id, "email", &values, want)
                .await?
        }
        Some(IdentifierQuery::Phone(values)) => {
            tx.customers_with_identifier(tenant.id, "phone", &values, want)
                .await?
        }
        Some(IdentifierQuery::Handle(handle)) => {
            tx.customers_with_identifier(tenant.id, "handle", &[handle], want)
                .await?
        }
        None => {
            // An external id or an order number, exactly; else a name (or part of one).
            let mut rows = tx
                .customers_with_identifier(tenant.id, "external_id", &[query.to_owned()], want)
                .await?;
            for row in tx.customers_with_order(tenant.id, query, want).await? {
                if !rows.iter().any(|r| r.id == row.id) {
                    rows.push(row);
                }
            }
            if rows.is_empty()
                && let Some(name) = NameQuery::parse(query)
            {
                let ranked = ranked_by_name(&mut tx, tenant, &name).await?;
                let page: Vec<Uuid> = ranked
                    .into_iter()
                    .skip(usize::try_from(offset).unwrap_or(0))
                    .take(usize::try_from(limit).unwrap_or(0))
                    .collect();
                let rows = tx.customers_by_ids(tenant.id, &page).await?;
                return with_channels(&mut tx, tenant, rows).await;
            }
            rows
        }
    };
    let page: Vec<CustomerRow> = rows
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    with_channels(&mut tx, tenant, page).await
}

/// The name search's candidates (profiles sharing a search key with the query, read as id and
/// name only), scored against the query, best first; those too far from it dropped.
async fn ranked_by_name(
    tx: &mut crate::store::Tx,
    tenant: &Tenant,
    name: &NameQuery,
) -> ServiceResult<Vec<Uuid>> {
    let scored = scored_by_name(tx, tenant, name, NAME_CANDIDATES).await?;
    Ok(scored.into_iter().map(|(_, id)| id).collect())
}

/// Profiles whose names answer `name`, with their [`name_score`], best first (among equals the
/// most recently active), at most about `limit`.
///
/// When the query's pair keys drove the search (its words together are rarer than each) and it
/// found no name of the query's own words, a slip that changed a word's sound may have paired
/// the query with other people's names ("Kwame Bown" pairs with Kwame Beanni, not Kwame Brown):
/// it looks again by its words, whose answer holds those sound-alikes too. And when nothing was
/// found at all, it looks again with each short word's deletions, which find a letter added,
/// changed or swapped. Not first: a common word's deletions are held by as many profiles as the
/// word, so looking them up costs a second search of that size.
pub(crate) async fn scored_by_name(
    tx: &mut crate::store::Tx,
    tenant: &Tenant,
    name: &NameQuery,
    limit: i64,
) -> ServiceResult<Vec<(f64, Uuid)>> {
    let mut found = scored_by_keys(tx, tenant, name, limit).await?;
    if found.pair_found_no_namesake
        && let Some(unpaired) = name.unpaired()
    {
        found = scored_by_keys(tx, tenant, &unpaired, limit).await?;
    }
    if found.scored.is_empty()
        && let Some(widened) = name.widened()
    {
        found = scored_by_keys(tx, tenant, &widened, limit).await?;
    }
    Ok(found.scored)
}

/// What one lookup of a name query's keys found.
struct ByKeys {
    /// The candidates holding the query's keys, scored against it, best first.
    scored: Vec<(f64, Uuid)>,
    /// The query's pair keys drove the lookup, and no candidate spells the query's words
    /// ([`is_namesake`]).
    pair_found_no_namesake: bool,
}

/// Looks the query's keys up once.
async fn scored_by_keys(
    tx: &mut crate::store::Tx,
    tenant: &Tenant,
    name: &NameQuery,
    limit: i64,
) -> ServiceResult<ByKeys> {
    let candidates = tx
        .names_with_name_keys(tenant.id, (name.word_keys(), name.anchors()), limit)
        .await?;
    let pair_found_no_namesake = candidates
        .driven_by
        .is_some_and(|group| name.is_pair_group(group))
        && !candidates
            .names
            .iter()
            .any(|(_, display_name)| is_namesake(name, display_name));
    let mut scored: Vec<(f64, Uuid)> = candidates
        .names
        .into_iter()
        .filter_map(|(id, display_name)| Some((name_score(name, &display_name)?, id)))
        .collect();
    // Best score first; among equals the most recently active (the candidates' order).
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(ByKeys {
        scored,
        pair_found_no_namesake,
    })
}

/// Writes the name search keys of the named profiles that have none, in the tenants a migration
/// marked (one that rebuilds the keys empties them), a page per transaction, then marks each
/// tenant done; returns how many profiles were indexed, and tells `progress` the count so far
/// after each page (a million profiles take minutes). Other starts read the marks only. Run
/// after migrations.
pub async fn index_missing_names(
    store: &Store,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> ServiceResult<u64> {
    const PAGE: i64 = 1_000;
    let tenants = store.read().await?.tenants_with_unindexed_names().await?;
    let mut indexed = 0;
    for tenant_id in tenants {
        let mut after = None;
        loop {
            let mut tx = store.begin().await?;
            let page = tx
                .customers_missing_name_keys(tenant_id, after, PAGE)
                .await?;
            for (id, name) in &page {
                tx.reindex_name(tenant_id, *id, &display_name_keys(Some(name)))
                    .await?;
            }
            let more = page.len() as i64 == PAGE;
            if !more {
                tx.set_names_indexed(tenant_id, true).await?;
            }
            tx.commit().await?;
            indexed += page.len() as u64;
            progress(indexed);
            match page.last() {
                Some((id, _)) if more => after = Some(*id),
                _ => break,
            }
        }
    }
    Ok(indexed)
}

/// Result rows with the channels each profile has used (one query for the page).
pub(crate) async fn with_channels(
    tx: &mut crate::store::Tx,
    tenant: &Tenant,
    rows: Vec<CustomerRow>,
) -> ServiceResult<Vec<CustomerSummary>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let channels = tx.channels_of(tenant.id, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let used: Vec<String> = channels
                .iter()
                .filter(|(id, _)| *id == row.id)
                .map(|(_, c)| c.clone())
                .collect();
            summary(row, &used)
        })
        .collect())
}

enum IdentifierQuery {
    /// The address and its provider variants (dots, +tags).
    Email(Vec<String>),
    /// E.164 and its country-specific variants.
    Phone(Vec<String>),
    /// A handle without its `@`, on any platform.
    Handle(String),
}

/// What a search box query is when it is an identifier: an email, a phone number in any format
/// (at least seven digits and nothing but phone punctuation), or an `@handle`.
fn identifier_query(tenant: &Tenant, query: &str) -> Option<IdentifierQuery> {
    use spine_engine::normalize::email::Email;
    use spine_engine::normalize::phone::Phone;
    if query.contains('@') && !query.starts_with('@') {
        let email = Email::parse(query).ok()?;
        let mut values = vec![email.as_str().to_owned(), email.canonical()];
        values.extend(email.variants().into_iter().map(|v| v.value));
        return Some(IdentifierQuery::Email(values));
    }
    if let Some(handle) = query.strip_prefix('@') {
        let handle = handle.trim().to_lowercase();
        return (!handle.is_empty()).then_some(IdentifierQuery::Handle(handle));
    }
    let digits = query.chars().filter(char::is_ascii_digit).count();
    let phone_like = query
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if digits >= 7 && phone_like {
        let phone = Phone::parse(query, tenant.region).ok()?;
        let mut values = vec![phone.e164().to_owned()];
        values.extend(phone.variants().into_iter().map(|v| v.value));
        return Some(IdentifierQuery::Phone(values));
    }
    None
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
        // A soft-deleted profile is hidden from lists and search, not from its own address:
        // that is where an admin restores it. An erased one is gone.
        .filter(|c| c.erased_at.is_none())
        .ok_or(ServiceError::NotFound("customer"))?;
    full_profile(&mut tx, tenant.id, row).await
}

/// A stored profile as the API shows it: with its identities and its orders' summary.
pub(crate) async fn full_profile(
    tx: &mut Tx,
    tenant_id: Uuid,
    row: CustomerRow,
) -> ServiceResult<CustomerProfile> {
    let identities = tx.identities_of(tenant_id, row.id).await?;
    let orders = OrderSummary::from_totals(tx.order_totals(tenant_id, row.id).await?);
    let custom = crate::services::custom_fields::profile_values(tx, tenant_id, row.id).await?;
    Ok(CustomerProfile {
        custom,
        ..profile(row, identities, orders)
    })
}

/// A page of the timeline, newest first, unfiltered.
pub async fn customer_timeline(
    store: &Store,
    tenant: &Tenant,
    id: Uuid,
    before: Option<TimelineCursor>,
    limit: i64,
) -> ServiceResult<Vec<TimelineEntry>> {
    let request = TimelineRequest {
        before,
        limit,
        ..TimelineRequest::default()
    };
    Ok(timeline_page(store, tenant, id, &request).await?.entries)
}

/// Which page of a timeline to read: older than `before`, at most `limit` entries (1 to
/// [`MAX_PAGE`]), optionally only one channel and/or one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TimelineRequest {
    pub before: Option<TimelineCursor>,
    pub limit: i64,
    pub channel: Option<Channel>,
    pub kind: Option<InteractionKind>,
}

/// One page of a timeline and where the next (older) one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelinePage {
    /// Newest first.
    pub entries: Vec<TimelineEntry>,
    /// After the last entry, when the page is full (there may be more); `None` on the last page.
    pub next_cursor: Option<TimelineCursor>,
}

/// A page of a profile's timeline with the cursor of the next page: the API and the console
/// page through a timeline the same way.
pub async fn timeline_page(
    store: &Store,
    tenant: &Tenant,
    id: Uuid,
    request: &TimelineRequest,
) -> ServiceResult<TimelinePage> {
    let limit = request.limit.clamp(1, MAX_PAGE);
    let mut tx = store.read().await?;
    tx.customer(tenant.id, id)
        .await?
        .ok_or(ServiceError::NotFound("customer"))?;
    let filter = TimelineFilter {
        channel: request.channel.map(|c| c.as_str().to_owned()),
        kind: request.kind.map(|k| k.as_str().to_owned()),
    };
    let rows = tx
        .timeline(
            tenant.id,
            id,
            request.before.map(|c| (c.occurred_at, c.id)),
            limit,
            &filter,
        )
        .await?;
    let entries: Vec<TimelineEntry> = rows.into_iter().filter_map(timeline_entry).collect();
    let next_cursor = (entries.len() as i64 == limit)
        .then(|| entries.last().map(TimelineCursor::after))
        .flatten();
    Ok(TimelinePage {
        entries,
        next_cursor,
    })
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
        tags: row.tags.0,
        last_seen_at: row.last_seen_at,
    }
}

/// Stored primaries are E.164; anything else is hidden whole, since it may still be personal data.
pub(crate) fn mask_phone(e164: &str) -> String {
    Phone::parse(e164, Region::default())
        .map(|p| p.masked())
        .unwrap_or_else(|_| "***".to_owned())
}

pub(crate) fn profile(
    row: CustomerRow,
    identities: Vec<IdentityRow>,
    orders: OrderSummary,
) -> CustomerProfile {
    CustomerProfile {
        created_via: row.sources.0.first().cloned(),
        last_updated_via: row
            .last_source
            .clone()
            .or_else(|| row.sources.0.last().cloned()),
        orders,
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
                assurance: i.assurance(),
                verification: if i.assurance() == Assurance::Verified {
                    Verification::Verified
                } else {
                    Verification::Unverified
                },
                id: i.id,
                kind: i.kind,
                provider: i.provider,
                value: i.value,
                confidence: i.confidence,
                first_seen_at: i.first_seen_at,
                last_seen_at: i.last_seen_at,
            })
            .collect(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        last_seen_at: row.last_seen_at,
        deleted_at: row.deleted_at,
        custom: Default::default(),
    }
}

pub(crate) fn timeline_entry(row: InteractionRow) -> Option<TimelineEntry> {
    Some(TimelineEntry {
        id: row.id,
        channel: Channel::parse(&row.channel)?,
        direction: Direction::parse(&row.direction)?,
        kind: InteractionKind::parse(&row.kind)?,
        occurred_at: row.occurred_at,
        body: row.body,
        thread_id: row.thread_id,
        payload: row.payload.map(|p| p.0),
        archived: row.archived,
        claims: row.claims.map(|c| c.0).unwrap_or_default(),
    })
}

/// What a person may change on a profile; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub tags: Option<Vec<String>>,
    pub preferred_channel: Option<Channel>,
    pub timezone: Option<String>,
    pub language: Option<String>,
    pub marketing_opt_in: Option<bool>,
    /// Which messages the person wants, by kind.
    pub notifications: Option<crate::types::NotificationPrefs>,
    /// Custom field values by key (`null` clears one); staff only.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<std::collections::BTreeMap<String, serde_json::Value>>,
}

pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_CHARS: usize = 40;

/// Tags trimmed, lowercased, deduplicated, in the order given.
pub(crate) fn clean_tags(tags: &[String]) -> ServiceResult<Vec<String>> {
    let mut clean: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty()
            || tag.chars().count() > MAX_TAG_CHARS
            || tag.chars().any(char::is_control)
        {
            return Err(ServiceError::invalid(
                "tags",
                format!("each tag is 1 to {MAX_TAG_CHARS} printable characters"),
            ));
        }
        if !clean.contains(&tag) {
            clean.push(tag);
        }
    }
    if clean.len() > MAX_TAGS {
        return Err(ServiceError::invalid(
            "tags",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    Ok(clean)
}

/// Changes profile fields, tags and stage; audited with before and after. Managers only read.
pub async fn update_customer(
    store: &Store,
    tenant: &Tenant,
    actor: &crate::services::Actor,
    id: Uuid,
    update: &ProfileUpdate,
) -> ServiceResult<CustomerProfile> {
    use crate::services::Actor;
    let allowed = match actor {
        Actor::Staff {
            role: crate::types::Role::Manager,
            ..
        }
        | Actor::Webhook(_) => false,
        // A customer changes their own name and preferences, not how staff file them.
        Actor::Customer { id: own } => {
            *own == id
                && update.lifecycle_stage.is_none()
                && update.tags.is_none()
                && update.custom.is_none()
        }
        _ => true,
    };
    if !allowed {
        return Err(ServiceError::Forbidden);
    }
    let tags = update.tags.as_deref().map(clean_tags).transpose()?;
    let display_name = update
        .display_name
        .as_deref()
        .map(|v| short_text("display_name", v, 200))
        .transpose()?;
    let timezone = update
        .timezone
        .as_deref()
        .map(|v| short_text("timezone", v, 64))
        .transpose()?;
    let language = update
        .language
        .as_deref()
        .map(|v| short_text("language", v, 16))
        .transpose()?;

    let mut tx = store.begin().await?;
    let before = tx
        .customer(tenant.id, id)
        .await?
        .filter(|c| c.deleted_at.is_none() && c.merged_into.is_none())
        .ok_or(ServiceError::NotFound("customer"))?;
    let mut after = before.clone();
    if let Some(v) = display_name {
        after.display_name = v;
    }
    if let Some(stage) = update.lifecycle_stage {
        after.lifecycle_stage = stage.as_str().to_owned();
    }
    if let Some(tags) = tags {
        after.tags.0 = tags;
    }
    if let Some(channel) = update.preferred_channel {
        after.preferred_channel = Some(channel.as_str().to_owned());
    }
    if let Some(v) = timezone {
        after.timezone = v;
    }
    if let Some(v) = language {
        after.language = v;
    }
    if let Some(v) = update.marketing_opt_in {
        after.marketing_opt_in = v;
    }
    if let Some(prefs) = &update.notifications {
        after.notification_prefs.0 = serde_json::json!(prefs);
    }
    after.updated_at = Utc::now();
    tx.write_customer(&after, &display_name_keys(after.display_name.as_deref()))
        .await?;
    let (custom_before, custom_after) = match &update.custom {
        Some(changes) => {
            crate::services::custom_fields::apply(&mut tx, tenant.id, id, changes).await?
        }
        None => Default::default(),
    };
    // Consent to marketing is a record of its own: when, and through whom.
    if after.marketing_opt_in != before.marketing_opt_in {
        tx.insert_consent(
            tenant.id,
            id,
            "marketing",
            after.marketing_opt_in,
            actor.kind(),
            after.updated_at,
        )
        .await?;
    }
    let changes = |row: &CustomerRow, custom: &crate::services::custom_fields::CustomValues| {
        let mut changes = serde_json::json!({
            "display_name": row.display_name, "lifecycle_stage": row.lifecycle_stage, "tags": row.tags.0,
            "preferred_channel": row.preferred_channel, "timezone": row.timezone, "language": row.language,
            "marketing_opt_in": row.marketing_opt_in, "notifications": row.notification_prefs.0,
        });
        if !custom.is_empty() {
            changes["custom"] = serde_json::json!(custom);
        }
        changes
    };
    tx.append_audit(
        tenant.id,
        &crate::services::audit(actor, "customer.updated", "customer")
            .entity(id)
            .customer(id)
            .before(changes(&before, &custom_before))
            .after(changes(&after, &custom_after)),
    )
    .await?;
    let updated = full_profile(&mut tx, tenant.id, after).await?;
    tx.commit().await?;
    Ok(updated)
}

/// One profile as a search result (masked identifiers, channels used).
pub async fn search_summary(
    store: &Store,
    tenant: &Tenant,
    id: Uuid,
) -> ServiceResult<CustomerSummary> {
    let mut tx = store.read().await?;
    let row = tx
        .customer(tenant.id, id)
        .await?
        .ok_or(ServiceError::NotFound("customer"))?;
    let channels: Vec<String> = tx
        .channels_of(tenant.id, &[id])
        .await?
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    Ok(summary(row, &channels))
}
