//! API keys: creation (the plaintext is returned once), listing, revocation, authentication.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::{ApiKeyRow, Store};
use crate::types::ApiScope;

/// A new key's rate when none is chosen: a chatbot's or a sync job's pace, not a bulk import's
/// (give that one `--rate-per-minute 0`).
pub const DEFAULT_RATE_PER_MINUTE: u32 = 1200;
const MAX_RATE_PER_MINUTE: u32 = 1_000_000;

/// What a new key may do and how often.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyGrant {
    pub scopes: Vec<ApiScope>,
    /// Requests a minute per process; 0 is no limit.
    pub rate_per_minute: u32,
}

impl Default for KeyGrant {
    /// Every scope, at the default rate.
    fn default() -> Self {
        KeyGrant {
            scopes: ApiScope::ALL.to_vec(),
            rate_per_minute: DEFAULT_RATE_PER_MINUTE,
        }
    }
}

/// An authenticated key: who it stands for, what it may do, how often.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub tenant: Tenant,
    pub actor: Actor,
    pub key_id: uuid::Uuid,
    pub scopes: Vec<ApiScope>,
    pub rate_per_minute: u32,
}

/// Keys look like `spk_` + 64 hex characters (256 random bits).
const KEY_PREFIX: &str = "spk_";

fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Creates a key; the returned string is the only time the plaintext exists outside its holder.
pub async fn create_api_key(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    name: &str,
    grant: &KeyGrant,
) -> ServiceResult<(ApiKeyRow, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "name",
            "1 to 100 printable characters",
        ));
    }
    if grant.scopes.is_empty() {
        return Err(ServiceError::invalid(
            "scopes",
            "choose at least one of ingest, read, manage, privacy",
        ));
    }
    if grant.rate_per_minute > MAX_RATE_PER_MINUTE {
        return Err(ServiceError::invalid(
            "rate_per_minute",
            format!("0 (no limit) to {MAX_RATE_PER_MINUTE} requests a minute"),
        ));
    }
    let mut scopes = grant.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let scopes = ApiScope::join(&scopes);
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let key = format!("{KEY_PREFIX}{}", hex::encode(secret));
    let mut tx = store.begin().await?;
    let row = tx
        .insert_api_key(
            tenant.id,
            name,
            &key[..12],
            &hash_key(&key),
            &scopes,
            grant.rate_per_minute as i32,
        )
        .await?;
    tx.append_audit(
        tenant.id,
        &crate::services::audit(actor, "api_key.created", "api_key")
            .entity(row.id)
            .after(serde_json::json!({
                "name": name,
                "prefix": row.prefix,
                "scopes": scopes,
                "rate_per_minute": grant.rate_per_minute,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok((row, key))
}

pub async fn list_api_keys(store: &Store, tenant: &Tenant) -> ServiceResult<Vec<ApiKeyRow>> {
    Ok(store.read().await?.list_api_keys(tenant.id).await?)
}

pub async fn revoke_api_key(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    id_or_name: &str,
) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    if !tx.revoke_api_key(tenant.id, id_or_name.trim()).await? {
        return Err(ServiceError::NotFound("active API key"));
    }
    // Before the commit too: no request of this process passes with the key once it is revoked.
    forget_tenant(tenant.id);
    tx.append_audit(
        tenant.id,
        &crate::services::audit(actor, "api_key.revoked", "api_key").entity(id_or_name.to_owned()),
    )
    .await?;
    tx.commit().await?;
    forget_tenant(tenant.id);
    Ok(())
}

/// How long an authenticated key is believed without asking the database again: at thousands of
/// requests a second, a key costs one lookup a second instead of a read transaction per
/// request. A key revoked in this process stops working at once; one revoked by another process
/// of the same deployment, within this.
const KNOWN_FOR: std::time::Duration = std::time::Duration::from_secs(1);
/// Keys believed at most; past it the memory starts over. Only keys that authenticated are kept.
const KNOWN_KEYS: usize = 10_000;

type KnownKeys = std::collections::HashMap<String, (std::time::Instant, ApiCaller)>;

fn known_keys() -> &'static std::sync::Mutex<KnownKeys> {
    static KNOWN: std::sync::OnceLock<std::sync::Mutex<KnownKeys>> = std::sync::OnceLock::new();
    KNOWN.get_or_init(Default::default)
}

/// The caller a key hash authenticated as within [`KNOWN_FOR`], if any.
fn known(hash: &str) -> Option<ApiCaller> {
    let known = known_keys().lock().ok()?;
    known
        .get(hash)
        .filter(|(at, _)| at.elapsed() < KNOWN_FOR)
        .map(|(_, caller)| caller.clone())
}

fn remember(hash: String, caller: &ApiCaller) {
    if let Ok(mut known) = known_keys().lock() {
        if known.len() >= KNOWN_KEYS {
            known.clear();
        }
        known.insert(hash, (std::time::Instant::now(), caller.clone()));
    }
}

/// Forgets every key of the tenant this process believes (a key of it was revoked).
fn forget_tenant(tenant_id: uuid::Uuid) {
    if let Ok(mut known) = known_keys().lock() {
        known.retain(|_, (_, caller)| caller.tenant.id != tenant_id);
    }
}

/// The tenant, actor and powers a bearer key stands for; `None` for an unknown or revoked key.
pub async fn authenticate(store: &Store, key: &str) -> ServiceResult<Option<ApiCaller>> {
    if !key.starts_with(KEY_PREFIX) || key.len() != KEY_PREFIX.len() + 64 {
        return Ok(None);
    }
    let hash = hash_key(key);
    if let Some(caller) = known(&hash) {
        return Ok(Some(caller));
    }
    let mut tx = store.read().await?;
    let Some(row) = tx.active_api_key(&hash).await? else {
        return Ok(None);
    };
    let Some(tenant) = tx.tenant_by_id(row.tenant_id).await? else {
        return Ok(None);
    };
    drop(tx);
    // "Last used" to the minute is enough, and saves a write on every request.
    if row
        .last_used_at
        .is_none_or(|at| chrono::Utc::now() - at > chrono::Duration::minutes(1))
    {
        let mut tx = store.begin().await?;
        tx.touch_api_key(row.tenant_id, row.id).await?;
        tx.commit().await?;
    }
    let scopes = row.scopes();
    let caller = ApiCaller {
        tenant: Tenant::from_row(tenant),
        key_id: row.id,
        scopes,
        rate_per_minute: row.rate_per_minute.max(0) as u32,
        actor: Actor::ApiKey {
            id: row.id,
            name: row.name,
        },
    };
    remember(hash, &caller);
    Ok(Some(caller))
}
