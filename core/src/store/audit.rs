//! The append-only audit log: who changed what, when, from where, before and after.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{StoreResult, Tx, on_conn};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AuditRecord {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: Option<String>,
    pub customer_id: Option<Uuid>,
    pub before: Option<Json<serde_json::Value>>,
    pub after: Option<Json<serde_json::Value>>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewAudit {
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: Option<String>,
    pub customer_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

const COLUMNS: &str = "tenant_id, id, at, actor_kind, actor_id, actor_label, action, entity_kind, entity_id, \
    customer_id, before, after, ip, user_agent";

impl Tx {
    pub async fn append_audit(&mut self, tenant_id: Uuid, entry: &NewAudit) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "insert into audit_log (tenant_id, id, at, actor_kind, actor_id, actor_label, action, entity_kind, \
               entity_id, customer_id, before, after, ip, user_agent) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
            .bind(tenant_id)
            .bind(Uuid::now_v7())
            .bind(Utc::now())
            .bind(&entry.actor_kind)
            .bind(&entry.actor_id)
            .bind(&entry.actor_label)
            .bind(&entry.action)
            .bind(&entry.entity_kind)
            .bind(&entry.entity_id)
            .bind(entry.customer_id)
            .bind(entry.before.as_ref().map(Json))
            .bind(entry.after.as_ref().map(Json))
            .bind(&entry.ip)
            .bind(&entry.user_agent)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn recent_audit(
        &mut self,
        tenant_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<AuditRecord>> {
        let sql = format!(
            "select {COLUMNS} from audit_log where tenant_id = $1 order by at desc, id desc limit $2"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, AuditRecord>(&sql).bind(tenant_id).bind(limit).fetch_all(&mut *c).await)?,
        )
    }
}
