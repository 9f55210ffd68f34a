//! API keys: creation (the plaintext is returned once), listing, revocation, authentication.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::{ApiKeyRow, Store};

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
) -> ServiceResult<(ApiKeyRow, String)> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(ServiceError::invalid("name", "1 to 100 characters"));
    }
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let key = format!("{KEY_PREFIX}{}", hex::encode(secret));
    let mut tx = store.begin().await?;
    let row = tx
        .insert_api_key(tenant.id, name, &key[..12], &hash_key(&key))
        .await?;
    tx.append_audit(
        tenant.id,
        &crate::services::audit(
            actor,
            "api_key.created",
            "api_key",
            Some(row.id.to_string()),
            None,
            None,
            Some(serde_json::json!({"name": name, "prefix": row.prefix})),
        ),
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
    tx.append_audit(
        tenant.id,
        &crate::services::audit(
            actor,
            "api_key.revoked",
            "api_key",
            Some(id_or_name.to_owned()),
            None,
            None,
            None,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The tenant and actor a bearer key stands for; `None` for an unknown or revoked key.
pub async fn authenticate(store: &Store, key: &str) -> ServiceResult<Option<(Tenant, Actor)>> {
    if !key.starts_with(KEY_PREFIX) || key.len() != KEY_PREFIX.len() + 64 {
        return Ok(None);
    }
    let mut tx = store.read().await?;
    let Some(row) = tx.active_api_key(&hash_key(key)).await? else {
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
    Ok(Some((
        Tenant::from_row(tenant),
        Actor::ApiKey {
            id: row.id,
            name: row.name,
        },
    )))
}
