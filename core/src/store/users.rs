//! Staff users. Password hashes are stored here but never leave the services.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StoreError, StoreResult, Tx, on_conn};

#[derive(Clone, sqlx::FromRow)]
pub struct UserRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
}

const COLUMNS: &str = "tenant_id, id, email, name, role, password_hash, created_at, disabled_at";

impl Tx {
    pub async fn insert_user(
        &mut self,
        tenant_id: Uuid,
        new: &NewUser<'_>,
    ) -> StoreResult<UserRow> {
        let sql = format!(
            "insert into users (tenant_id, id, email, name, role, password_hash, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7) returning {COLUMNS}"
        );
        on_conn!(self, c => sqlx::query_as::<_, UserRow>(&sql)
            .bind(tenant_id)
            .bind(Uuid::now_v7())
            .bind(new.email)
            .bind(new.name)
            .bind(new.role)
            .bind(new.password_hash)
            .bind(Utc::now())
            .fetch_one(&mut *c)
            .await)
        .map_err(|e| StoreError::conflict_or(e, "user"))
    }

    pub async fn user_by_email(
        &mut self,
        tenant_id: Uuid,
        email: &str,
    ) -> StoreResult<Option<UserRow>> {
        let sql = format!("select {COLUMNS} from users where tenant_id = $1 and email = $2");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, UserRow>(&sql).bind(tenant_id).bind(email).fetch_optional(&mut *c).await)?,
        )
    }

    pub async fn list_users(&mut self, tenant_id: Uuid) -> StoreResult<Vec<UserRow>> {
        let sql = format!("select {COLUMNS} from users where tenant_id = $1 order by email");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, UserRow>(&sql).bind(tenant_id).fetch_all(&mut *c).await)?,
        )
    }

    /// Disables a user; false when there was no such active user.
    pub async fn disable_user(&mut self, tenant_id: Uuid, email: &str) -> StoreResult<bool> {
        let n = on_conn!(self, c => sqlx::query(
            "update users set disabled_at = $3 where tenant_id = $1 and email = $2 and disabled_at is null")
            .bind(tenant_id).bind(email).bind(Utc::now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }
}
