//! Staff sign-in and sessions: the password check, session tokens (the cookie holds a random
//! token, the database only its SHA-256), sliding expiry, sign-out, the per-session CSRF token,
//! and the permission check every console action goes through.
//!
//! Expiry: a session ends after `IDLE_TIMEOUT` without a request, and `ABSOLUTE_LIFETIME` after
//! sign-in whatever happens. `expires_at` holds the nearer of the two; a request pushes it forward,
//! written at most once per `SLIDE_STEP` so browsing does not write on every page.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

use spine_engine::normalize::email::{Email, mask_email};

use crate::access::{Permission, StaffMember};
use crate::services::audit;
use crate::services::staff::{hash_password, verify_password};
use crate::services::{Actor, ServiceError, ServiceResult, Tenant};
use crate::store::{NewSession, SessionUserRow, Store};
use crate::types::Role;

/// A working day without a request ends the session.
pub const IDLE_TIMEOUT: Duration = Duration::hours(12);
/// A week after sign-in the password is asked again, however active the session.
pub const ABSOLUTE_LIFETIME: Duration = Duration::days(7);
/// Sliding expiry is written at most this often per session.
pub const SLIDE_STEP: Duration = Duration::minutes(5);

/// Longer passwords are refused before hashing: argon2 over megabytes is a denial of service.
const MAX_PASSWORD_LEN: usize = 1024;
/// Failed sign-ins are counted per account and per client address in windows of this length;
/// past the limits, sign-in is refused (even with the right password) until the window ends.
pub const SIGN_IN_WINDOW: Duration = Duration::minutes(15);
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_CLIENT: i64 = 20;
const ACCOUNT: &str = "sign_in_account";
const CLIENT: &str = "sign_in_client";
const TOKEN_BYTES: usize = 32;

/// The secret a browser holds (in the `spine_session` cookie). Never stored, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub(crate) fn generate() -> SessionToken {
        SessionToken(random_hex())
    }

    /// A token as the cookie carries it; `None` when it cannot be one of ours.
    pub fn parse(raw: &str) -> Option<SessionToken> {
        let ok = raw.len() == TOKEN_BYTES * 2
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| SessionToken(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The session's id in the database.
    pub(crate) fn id(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(…)")
    }
}

/// A live session: who is signed in, and the token their forms must send back.
#[derive(Clone)]
pub struct StaffSession {
    pub staff: StaffMember,
    id: String,
    csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for StaffSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffSession")
            .field("staff", &self.staff.id)
            .field("role", &self.staff.role)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl StaffSession {
    /// The actor the audit log names for what this person does.
    pub fn actor(&self) -> Actor {
        Actor::Staff {
            id: self.staff.id,
            email: self.staff.email.clone(),
            role: self.staff.role,
        }
    }

    /// Refuses what the role may not do, whatever the browser sent.
    pub fn authorize(&self, permission: Permission) -> ServiceResult<()> {
        if self.staff.can(permission) {
            Ok(())
        } else {
            tracing::warn!(staff = %self.staff.id, role = %self.staff.role, ?permission, "refused: role lacks permission");
            Err(ServiceError::Forbidden)
        }
    }

    /// The token the console's forms carry, to prove a request comes from a page Spine served.
    pub fn csrf_token(&self) -> &str {
        &self.csrf_token
    }

    /// Whether a form sent this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, presented: &str) -> bool {
        constant_time_eq(self.csrf_token.as_bytes(), presented.as_bytes())
    }
}

/// Where a request came from, for the audit log.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A successful sign-in: the token for the cookie and the session it opens.
#[derive(Debug)]
pub struct SignedIn {
    pub token: SessionToken,
    pub session: StaffSession,
}

/// Checks the email and password and opens a session. `None` when they do not match an active
/// staff member of the tenant: unknown email, wrong password and disabled user look the same to
/// the caller (the log says which, with the email masked).
pub async fn sign_in(
    store: &Store,
    tenant: &Tenant,
    email: &str,
    password: &str,
    client: &ClientInfo,
) -> ServiceResult<Option<SignedIn>> {
    sign_in_at(store, tenant, email, password, client, Utc::now()).await
}

pub async fn sign_in_at(
    store: &Store,
    tenant: &Tenant,
    email: &str,
    password: &str,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> ServiceResult<Option<SignedIn>> {
    let account = Email::parse(email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|_| email.trim().to_lowercase());
    let address = client.ip.clone().unwrap_or_else(|| "unknown".to_owned());
    let limits = [
        (ACCOUNT, account.as_str(), MAX_FAILURES_PER_ACCOUNT),
        (CLIENT, address.as_str(), MAX_FAILURES_PER_CLIENT),
    ];
    // Checked before the password: once locked, the right password waits too.
    {
        let mut tx = store.read().await?;
        for (scope, key, max) in limits {
            if let Some((failures, since)) = tx
                .attempts(tenant.id, scope, key, SIGN_IN_WINDOW, now)
                .await?
                && failures >= max
            {
                tracing::warn!(email = %mask_email(email.trim()), scope, tenant = %tenant.slug, "sign-in refused: locked");
                return Err(locked(since + SIGN_IN_WINDOW - now));
            }
        }
    }
    let refuse = async |reason: &'static str| -> ServiceResult<Option<SignedIn>> {
        tracing::warn!(email = %mask_email(email.trim()), reason, tenant = %tenant.slug, "sign-in refused");
        let mut tx = store.begin().await?;
        let mut worst = 0;
        for (scope, key, max) in limits {
            let (failures, _) = tx
                .count_attempt(tenant.id, scope, key, SIGN_IN_WINDOW, now)
                .await?;
            worst = worst.max(failures);
            if failures == max {
                let mut entry = audit(&Actor::System("sign-in"), "staff.sign_in_locked", "user")
                    .after(json!({
                        "by": if scope == ACCOUNT { "account" } else { "client address" },
                        "email": mask_email(&account),
                        "failures": failures,
                        "minutes": SIGN_IN_WINDOW.num_minutes(),
                    }));
                entry.ip = client.ip.clone();
                entry.user_agent = client.user_agent.clone();
                tx.append_audit(tenant.id, &entry).await?;
            }
        }
        tx.commit().await?;
        // Slower with every failure: a script gets few guesses a minute even below the limit.
        let delay = 250 * worst.clamp(0, 8) as u64;
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        Ok(None)
    };
    if password.len() > MAX_PASSWORD_LEN {
        return refuse("password too long").await;
    }
    let user = match Email::parse(email) {
        Ok(email) => {
            store
                .read()
                .await?
                .user_by_email(tenant.id, email.as_str())
                .await?
        }
        Err(_) => None,
    };
    let Some(user) = user else {
        // The same argon2 work as for a real account, so timing does not tell which emails exist.
        if let Some(hash) = dummy_hash() {
            password_matches(password, hash).await;
        }
        return refuse("unknown email").await;
    };
    if !password_matches(password, &user.password_hash).await {
        return refuse("wrong password").await;
    }
    if user.disabled_at.is_some() {
        return refuse("user disabled").await;
    }
    let Some(role) = Role::parse(&user.role) else {
        tracing::error!(user = %user.id, role = %user.role, "staff user has an unknown role");
        return refuse("unknown role").await;
    };

    let token = SessionToken::generate();
    let session = StaffSession {
        staff: StaffMember {
            id: user.id,
            tenant_id: tenant.id,
            email: user.email,
            name: user.name,
            role,
        },
        id: token.id(),
        csrf_token: random_hex(),
        created_at: now,
        expires_at: now + IDLE_TIMEOUT,
    };
    let mut tx = store.begin().await?;
    tx.clear_attempts(tenant.id, ACCOUNT, &account).await?;
    tx.delete_expired_sessions(tenant.id, now).await?;
    tx.insert_session(
        tenant.id,
        &NewSession {
            id: &session.id,
            user_id: session.staff.id,
            csrf_token: &session.csrf_token,
            created_at: session.created_at,
            expires_at: session.expires_at,
        },
    )
    .await?;
    let mut entry = audit(&session.actor(), "staff.signed_in", "user")
        .entity(session.staff.id)
        .after(json!({ "expires_at": session.expires_at }));
    entry.ip = client.ip.clone();
    entry.user_agent = client.user_agent.clone();
    tx.append_audit(tenant.id, &entry).await?;
    tx.commit().await?;
    tracing::info!(staff = %session.staff.id, role = %role, "signed in");
    Ok(Some(SignedIn { token, session }))
}

/// The live session a cookie's token names, its expiry pushed forward; `None` when there is
/// none: unknown token, expired (the row is then deleted), or its user disabled.
pub async fn authenticate(
    store: &Store,
    tenant: &Tenant,
    token: &str,
) -> ServiceResult<Option<StaffSession>> {
    authenticate_at(store, tenant, token, Utc::now()).await
}

pub async fn authenticate_at(
    store: &Store,
    tenant: &Tenant,
    token: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Option<StaffSession>> {
    let Some(token) = SessionToken::parse(token) else {
        return Ok(None);
    };
    let id = token.id();
    let Some(row) = store
        .read()
        .await?
        .session_with_user(tenant.id, &id)
        .await?
    else {
        return Ok(None);
    };
    if row.expires_at <= now {
        let mut tx = store.begin().await?;
        tx.delete_session(tenant.id, &id).await?;
        tx.commit().await?;
        return Ok(None);
    }
    if row.disabled_at.is_some() {
        return Ok(None);
    }
    let Some(mut session) = session_from_row(row) else {
        return Ok(None);
    };
    let slid = (now + IDLE_TIMEOUT).min(session.created_at + ABSOLUTE_LIFETIME);
    if slid - session.expires_at >= SLIDE_STEP {
        let mut tx = store.begin().await?;
        tx.extend_session(tenant.id, &id, slid).await?;
        tx.commit().await?;
        session.expires_at = slid;
    }
    Ok(Some(session))
}

/// Ends the session (deletes its row) and records who signed out.
pub async fn sign_out(
    store: &Store,
    tenant: &Tenant,
    session: &StaffSession,
    client: &ClientInfo,
) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    if !tx.delete_session(tenant.id, &session.id).await? {
        // Already gone (signed out in another tab, or expired): nothing to record.
        return Ok(());
    }
    let mut entry = audit(&session.actor(), "staff.signed_out", "user").entity(session.staff.id);
    entry.ip = client.ip.clone();
    entry.user_agent = client.user_agent.clone();
    tx.append_audit(tenant.id, &entry).await?;
    tx.commit().await?;
    Ok(())
}

fn session_from_row(row: SessionUserRow) -> Option<StaffSession> {
    let Some(role) = Role::parse(&row.role) else {
        tracing::error!(user = %row.user_id, role = %row.role, "staff user has an unknown role");
        return None;
    };
    Some(StaffSession {
        staff: StaffMember {
            id: row.user_id,
            tenant_id: row.tenant_id,
            email: row.email,
            name: row.name,
            role,
        },
        id: row.id,
        csrf_token: row.csrf_token,
        created_at: row.created_at,
        expires_at: row.expires_at,
    })
}

/// Equal bytes, compared in time that does not depend on where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn random_hex() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// An argon2 hash of nothing anyone knows, computed once, to verify against for unknown emails.
fn dummy_hash() -> Option<&'static str> {
    static HASH: OnceLock<Option<String>> = OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_hex()).ok())
        .as_deref()
}

/// Refused for now; try again after `wait`.
fn locked(wait: Duration) -> ServiceError {
    let secs = wait.num_seconds().max(1) as u64;
    ServiceError::RateLimited {
        detail: format!(
            "too many failed sign-ins; try again in {} minutes",
            secs.div_ceil(60)
        ),
        retry_after_secs: secs,
    }
}

/// Argon2 takes tens of milliseconds of one core by design: it runs on the blocking pool, at
/// most one per core at a time, so a burst of sign-ins cannot starve the workers that answer
/// searches and webhooks.
async fn password_matches(password: &str, hash: &str) -> bool {
    static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    });
    let Ok(_permit) = HASHING.acquire().await else {
        return false;
    };
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_64_lowercase_hex_and_stored_only_as_their_hash() {
        let token = SessionToken::generate();
        assert_eq!(token.as_str().len(), 64);
        assert_eq!(SessionToken::parse(token.as_str()), Some(token.clone()));
        assert_ne!(token.id(), token.as_str());
        assert_eq!(token.id().len(), 64);
        assert!(!format!("{token:?}").contains(token.as_str()));
        for bad in ["", "abc", &"A".repeat(64), &"g".repeat(64), &"0".repeat(65)] {
            assert_eq!(SessionToken::parse(bad), None, "{bad:?}");
        }
    }
}
