//! Webhook configuration: one signing secret (and, for Meta's handshake, a verification token)
//! per tenant and provider.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StoreResult, Tx, on_conn};

#[derive(Clone, sqlx::FromRow)]
pub struct WebhookConfigRow {
    pub tenant_id: Uuid,
    pub provider: String,
    pub secret: String,
    pub verify_token: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Secrets never reach a log line through `{:?}`.
impl std::fmt::Debug for WebhookConfigRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfigRow")
            .field("tenant_id", &self.tenant_id)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "tenant_id, provider, secret, verify_token, created_at, updated_at";

impl Tx {
    /// Creates the provider's configuration or replaces its secret and token.
    pub async fn upsert_webhook_config(
        &mut self,
        tenant_id: Uuid,
        provider: &str,
        secret: &str,
        verify_token: Option<&str>,
    ) -> StoreResult<WebhookConfigRow> {
        let sql = format!(
            "insert into webhook_configs (tenant_id, provider, secret, verify_token, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $5) \
             on conflict (tenant_id, provider) do update set secret = excluded.secret, \
               verify_token = excluded.verify_token, updated_at = excluded.updated_at \
             returning {COLUMNS}"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, WebhookConfigRow>(&sql)
            .bind(tenant_id).bind(provider).bind(secret).bind(verify_token).bind(Utc::now())
            .fetch_one(&mut *c).await)?,
        )
    }

    pub async fn webhook_config(
        &mut self,
        tenant_id: Uuid,
        provider: &str,
    ) -> StoreResult<Option<WebhookConfigRow>> {
        let sql =
            format!("select {COLUMNS} from webhook_configs where tenant_id = $1 and provider = $2");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, WebhookConfigRow>(&sql)
            .bind(tenant_id).bind(provider).fetch_optional(&mut *c).await)?,
        )
    }

    pub async fn list_webhook_configs(
        &mut self,
        tenant_id: Uuid,
    ) -> StoreResult<Vec<WebhookConfigRow>> {
        let sql =
            format!("select {COLUMNS} from webhook_configs where tenant_id = $1 order by provider");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, WebhookConfigRow>(&sql)
            .bind(tenant_id).fetch_all(&mut *c).await)?,
        )
    }

    /// False when the provider had no configuration.
    pub async fn delete_webhook_config(
        &mut self,
        tenant_id: Uuid,
        provider: &str,
    ) -> StoreResult<bool> {
        let n = on_conn!(self, c => sqlx::query(
            "delete from webhook_configs where tenant_id = $1 and provider = $2")
            .bind(tenant_id).bind(provider)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }
}
