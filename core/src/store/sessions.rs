//! Staff sessions: one row per signed-in browser. The row's id is the SHA-256 of the token the
//! cookie holds, so reading this table does not let anyone sign in.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StoreResult, Tx, on_conn};

/// A session with the columns of its user that deciding "who is this" needs.
#[derive(Clone, sqlx::FromRow)]
pub struct SessionUserRow {
    pub tenant_id: Uuid,
    pub id: String,
    pub user_id: Uuid,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub email: String,
    pub name: String,
    pub role: String,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for SessionUserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionUserRow")
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: Uuid,
    pub csrf_token: &'a str,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Tx {
    pub async fn insert_session(
        &mut self,
        tenant_id: Uuid,
        new: &NewSession<'_>,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "insert into sessions (tenant_id, id, user_id, csrf_token, created_at, expires_at) \
             values ($1, $2, $3, $4, $5, $6)")
            .bind(tenant_id)
            .bind(new.id)
            .bind(new.user_id)
            .bind(new.csrf_token)
            .bind(new.created_at)
            .bind(new.expires_at)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The session with this id and its user, expired or not (the caller decides).
    pub async fn session_with_user(
        &mut self,
        tenant_id: Uuid,
        id: &str,
    ) -> StoreResult<Option<SessionUserRow>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, SessionUserRow>(
            "select s.tenant_id, s.id, s.user_id, s.csrf_token, s.created_at, s.expires_at, \
                    u.email, u.name, u.role, u.disabled_at \
             from sessions s join users u on u.tenant_id = s.tenant_id and u.id = s.user_id \
             where s.tenant_id = $1 and s.id = $2")
            .bind(tenant_id)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    pub async fn extend_session(
        &mut self,
        tenant_id: Uuid,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "update sessions set expires_at = $3 where tenant_id = $1 and id = $2")
            .bind(tenant_id)
            .bind(id)
            .bind(expires_at)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Deletes one session; false when it was already gone.
    pub async fn delete_session(&mut self, tenant_id: Uuid, id: &str) -> StoreResult<bool> {
        let n = on_conn!(self, c => sqlx::query(
            "delete from sessions where tenant_id = $1 and id = $2")
            .bind(tenant_id)
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Housekeeping: removes the tenant's sessions that expired before `now`.
    pub async fn delete_expired_sessions(
        &mut self,
        tenant_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        Ok(on_conn!(self, c => sqlx::query(
            "delete from sessions where tenant_id = $1 and expires_at <= $2")
            .bind(tenant_id)
            .bind(now)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?)
    }

    /// How many sessions a user has open (expired ones not yet swept included).
    pub async fn count_sessions_of_user(
        &mut self,
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> StoreResult<i64> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, i64>(
            "select count(*) from sessions where tenant_id = $1 and user_id = $2")
            .bind(tenant_id)
            .bind(user_id)
            .fetch_one(&mut *c)
            .await)?)
    }
}
