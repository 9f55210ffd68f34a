//! Staff accounts: creation with an argon2 password hash, listing, disabling.

use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHash, PasswordVerifier};

use crate::services::{ServiceError, ServiceResult, Tenant};
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
    tx.commit().await?;
    Ok(user)
}

pub async fn list_users(store: &Store, tenant: &Tenant) -> ServiceResult<Vec<UserRow>> {
    Ok(store.read().await?.list_users(tenant.id).await?)
}

pub async fn disable_user(store: &Store, tenant: &Tenant, email: &str) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    if !tx
        .disable_user(tenant.id, &email.trim().to_lowercase())
        .await?
    {
        return Err(ServiceError::NotFound("active user"));
    }
    tx.commit().await?;
    Ok(())
}
