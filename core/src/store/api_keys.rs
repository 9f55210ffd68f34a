//! API keys: stored as SHA-256 hashes; the plaintext is shown once, at creation.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StoreResult, Tx, on_conn};

#[derive(Clone, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// [`ApiScope`](crate::types::ApiScope)s, space-separated.
    pub scopes: String,
    /// Requests a minute, per process; 0 is no limit.
    pub rate_per_minute: i32,
}

impl std::fmt::Debug for ApiKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyRow")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "tenant_id, id, name, prefix, key_hash, created_at, last_used_at, revoked_at, \
    scopes, rate_per_minute";

impl ApiKeyRow {
    pub fn scopes(&self) -> Vec<crate::types::ApiScope> {
        crate::types::ApiScope::parse_list(&self.scopes).unwrap_or_default()
    }
}

impl Tx {
    pub async fn insert_api_key(
        &mut self,
        tenant_id: Uuid,
        name: &str,
        prefix: &str,
        key_hash: &str,
        scopes: &str,
        rate_per_minute: i32,
    ) -> StoreResult<ApiKeyRow> {
        let sql = format!(
            "insert into api_keys (tenant_id, id, name, prefix, key_hash, created_at, scopes, rate_per_minute) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning {COLUMNS}"
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, ApiKeyRow>(&sql)
            .bind(tenant_id).bind(Uuid::now_v7()).bind(name).bind(prefix).bind(key_hash).bind(Utc::now())
            .bind(scopes).bind(rate_per_minute)
            .fetch_one(&mut *c).await)?)
    }

    /// The active key with this hash, in any tenant (the key names its tenant).
    pub async fn active_api_key(&mut self, key_hash: &str) -> StoreResult<Option<ApiKeyRow>> {
        let sql =
            format!("select {COLUMNS} from api_keys where key_hash = $1 and revoked_at is null");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, ApiKeyRow>(&sql).bind(key_hash).fetch_optional(&mut *c).await)?,
        )
    }

    pub async fn list_api_keys(&mut self, tenant_id: Uuid) -> StoreResult<Vec<ApiKeyRow>> {
        let sql =
            format!("select {COLUMNS} from api_keys where tenant_id = $1 order by created_at");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, ApiKeyRow>(&sql).bind(tenant_id).fetch_all(&mut *c).await)?,
        )
    }

    /// Revokes by id or by name; false when no active key matched.
    pub async fn revoke_api_key(&mut self, tenant_id: Uuid, id_or_name: &str) -> StoreResult<bool> {
        let id = Uuid::parse_str(id_or_name).unwrap_or_else(|_| Uuid::nil());
        let n = on_conn!(self, c => sqlx::query(
            "update api_keys set revoked_at = $4 where tenant_id = $1 and (id = $2 or name = $3) and revoked_at is null")
            .bind(tenant_id).bind(id).bind(id_or_name).bind(Utc::now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    pub async fn touch_api_key(&mut self, tenant_id: Uuid, id: Uuid) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query("update api_keys set last_used_at = $3 where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).bind(Utc::now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
