//! The append-only audit log: who changed what, when, from where, before and after.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::stmt::{Stmt, opt_json};
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

/// What the audit log page filters by; every part is optional and they combine with "and".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// The actor's label (a staff email, "api key NAME", "spine:seed"...), exactly.
    pub actor: Option<String>,
    pub action: Option<String>,
    pub customer_id: Option<Uuid>,
    /// From this instant on (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
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

pub(crate) const COLUMNS: &str = "tenant_id, id, at, actor_kind, actor_id, actor_label, action, entity_kind, entity_id, \
    customer_id, before, after, ip, user_agent";

impl Tx {
    pub async fn append_audit(&mut self, tenant_id: Uuid, entry: &NewAudit) -> StoreResult<()> {
        self.exec(
            Stmt::new(
                "insert into audit_log (tenant_id, id, at, actor_kind, actor_id, actor_label, action, entity_kind, \
                   entity_id, customer_id, before, after, ip, user_agent) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
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
            .bind(opt_json(entry.before.as_ref())?)
            .bind(opt_json(entry.after.as_ref())?)
            .bind(&entry.ip)
            .bind(&entry.user_agent),
        )
        .await?;
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

    /// Entries matching `filter`, newest first, `limit` from `offset`. Each condition is added
    /// only when set, so the planner can use the (tenant, customer|action|actor, at) indexes.
    pub async fn search_audit(
        &mut self,
        tenant_id: Uuid,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<AuditRecord>> {
        let mut conditions = vec!["tenant_id = $1".to_owned()];
        let mut n = 1;
        let mut next = |column: &str, op: &str| {
            n += 1;
            conditions.push(format!("{column} {op} ${n}"));
        };
        if filter.actor.is_some() {
            next("actor_label", "=");
        }
        if filter.action.is_some() {
            next("action", "=");
        }
        if filter.customer_id.is_some() {
            next("customer_id", "=");
        }
        if filter.from.is_some() {
            next("at", ">=");
        }
        if filter.until.is_some() {
            next("at", "<");
        }
        let sql = format!(
            "select {COLUMNS} from audit_log where {} order by at desc, id desc limit ${} offset ${}",
            conditions.join(" and "),
            n + 1,
            n + 2
        );
        Ok(on_conn!(self, c => {
            let mut q = sqlx::query_as::<_, AuditRecord>(&sql).bind(tenant_id);
            if let Some(actor) = &filter.actor {
                q = q.bind(actor);
            }
            if let Some(action) = &filter.action {
                q = q.bind(action);
            }
            if let Some(customer) = filter.customer_id {
                q = q.bind(customer);
            }
            if let Some(from) = filter.from {
                q = q.bind(from);
            }
            if let Some(until) = filter.until {
                q = q.bind(until);
            }
            q.bind(limit).bind(offset).fetch_all(&mut *c).await
        })?)
    }

    /// The actions the log holds, for the filter's choices.
    pub async fn audit_actions(&mut self, tenant_id: Uuid) -> StoreResult<Vec<String>> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, String>(
            "select distinct action from audit_log where tenant_id = $1 order by action")
            .bind(tenant_id).fetch_all(&mut *c).await)?)
    }
}
