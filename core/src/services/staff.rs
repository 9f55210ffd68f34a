//! Staff accounts: creation with an argon2 password hash, listing, disabling.

use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHash, PasswordVerifier};

use crate::services::audit;
use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::{NewUser, Store, StoreError, UserRow};
use crate::types::Role;

/// Staff passwords: long enough to resist guessing, short enough to type.
const MIN_PASSWORD_LEN: usize = 10;

pub fn hash_password(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::invalid("password", e))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub async fn create_user(
    store: &Store,
    tenant: &Tenant,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> ServiceResult<UserRow> {
    create_user_as(
        store,
        tenant,
        &Actor::System("staff"),
        email,
        name,
        role,
        password,
    )
    .await
}

/// Creates a staff account, audited against who created it (the CLI acts as `spine:staff`).
pub async fn create_user_as(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> ServiceResult<UserRow> {
    let name = name.trim();
    if name.chars().count() > 100 {
        return Err(ServiceError::invalid("name", "at most 100 characters"));
    }
    let email = spine_engine::normalize::email::Email::parse(email)
        .map_err(|e| ServiceError::invalid("email", e))?;
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(ServiceError::invalid(
            "password",
            format!("at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    let hash = hash_password(password)?;
    let mut tx = store.begin().await?;
    let user = tx
        .insert_user(
            tenant.id,
            &NewUser {
                email: email.as_str(),
                name,
                role: role.as_str(),
                password_hash: &hash,
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => {
                ServiceError::Conflict(format!("a user with email {} exists", email.as_str()))
            }
            other => other.into(),
        })?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "staff.created", "user")
            .entity(user.id)
            .after(serde_json::json!({"email": user.email, "name": user.name, "role": user.role})),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn list_users(store: &Store, tenant: &Tenant) -> ServiceResult<Vec<UserRow>> {
    Ok(store.read().await?.list_users(tenant.id).await?)
}

pub async fn disable_user(store: &Store, tenant: &Tenant, email: &str) -> ServiceResult<()> {
    disable_user_as(store, tenant, &Actor::System("staff"), email).await
}

/// Disables a staff account (its sessions end with it), audited. Nobody disables themselves:
/// the last admin could otherwise lock everyone out.
pub async fn disable_user_as(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    email: &str,
) -> ServiceResult<()> {
    let email = email.trim().to_lowercase();
    if matches!(actor, Actor::Staff { email: own, .. } if own.eq_ignore_ascii_case(&email)) {
        return Err(ServiceError::invalid(
            "email",
            "you cannot disable your own account",
        ));
    }
    let mut tx = store.begin().await?;
    if !tx.disable_user(tenant.id, &email).await? {
        return Err(ServiceError::NotFound("active user"));
    }
    tx.append_audit(
        tenant.id,
        &audit(actor, "staff.disabled", "user")
            .entity(email.clone())
            .before(serde_json::json!({"email": email, "disabled": false}))
            .after(serde_json::json!({"email": email, "disabled": true})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
