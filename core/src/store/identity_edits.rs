//! Identities changed by hand: the log that shows them on a profile and lets them be undone.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{StoreResult, Tx, on_conn};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct IdentityEditRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub customer_id: Uuid,
    pub other_customer_id: Option<Uuid>,
    pub identity_id: Uuid,
    pub action: String,
    pub reason: String,
    pub snapshot: Json<serde_json::Value>,
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
    pub undone_by: Option<String>,
}

/// An edit about to be written.
#[derive(Debug, Clone)]
pub struct NewIdentityEdit<'a> {
    pub customer_id: Uuid,
    pub other_customer_id: Option<Uuid>,
    pub identity_id: Uuid,
    pub action: &'a str,
    pub reason: &'a str,
    pub snapshot: &'a serde_json::Value,
    pub actor: &'a str,
}

const COLUMNS: &str = "tenant_id, id, customer_id, other_customer_id, identity_id, action, reason, snapshot, \
    actor, created_at, undone_at, undone_by";

impl Tx {
    pub async fn insert_identity_edit(
        &mut self,
        tenant_id: Uuid,
        new: &NewIdentityEdit<'_>,
    ) -> StoreResult<IdentityEditRow> {
        let sql = format!(
            "insert into identity_edits (tenant_id, id, customer_id, other_customer_id, identity_id, action, \
               reason, snapshot, actor, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning {COLUMNS}"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, IdentityEditRow>(&sql)
            .bind(tenant_id).bind(Uuid::now_v7()).bind(new.customer_id).bind(new.other_customer_id)
            .bind(new.identity_id).bind(new.action).bind(new.reason).bind(Json(new.snapshot))
            .bind(new.actor).bind(Utc::now())
            .fetch_one(&mut *c).await)?,
        )
    }

    pub async fn identity_edit(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
    ) -> StoreResult<Option<IdentityEditRow>> {
        let sql = format!("select {COLUMNS} from identity_edits where tenant_id = $1 and id = $2");
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, IdentityEditRow>(&sql)
            .bind(tenant_id).bind(id).fetch_optional(&mut *c).await)?,
        )
    }

    /// Edits made on this profile or that moved an identifier to it, newest first.
    pub async fn identity_edits_of(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<IdentityEditRow>> {
        let sql = format!(
            "select {COLUMNS} from identity_edits where tenant_id = $1 and (customer_id = $2 or other_customer_id = $2) \
             order by created_at desc, id desc limit $3"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, IdentityEditRow>(&sql)
            .bind(tenant_id).bind(customer_id).bind(limit).fetch_all(&mut *c).await)?,
        )
    }

    /// The newest edit still standing (not undone) of one identity.
    pub async fn latest_identity_edit(
        &mut self,
        tenant_id: Uuid,
        identity_id: Uuid,
    ) -> StoreResult<Option<IdentityEditRow>> {
        let sql = format!(
            "select {COLUMNS} from identity_edits where tenant_id = $1 and identity_id = $2 and undone_at is null \
             order by created_at desc, id desc limit 1"
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, IdentityEditRow>(&sql)
            .bind(tenant_id).bind(identity_id).fetch_optional(&mut *c).await)?,
        )
    }

    /// Marks an edit undone; false when it already was (someone else undid it first).
    pub async fn mark_identity_edit_undone(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        by: &str,
    ) -> StoreResult<bool> {
        let n = on_conn!(self, c => sqlx::query(
            "update identity_edits set undone_at = $3, undone_by = $4 \
             where tenant_id = $1 and id = $2 and undone_at is null")
            .bind(tenant_id).bind(id).bind(Utc::now()).bind(by)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// One identity by id, wherever it is.
    pub async fn identity_by_id(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
    ) -> StoreResult<Option<super::IdentityRow>> {
        let sql = format!(
            "select {} from identities i where i.tenant_id = $1 and i.id = $2",
            super::identities::COLUMNS
        );
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, super::IdentityRow>(&sql)
            .bind(tenant_id).bind(id).fetch_optional(&mut *c).await)?,
        )
    }

    /// Sets how an identity was learned (the undo of a verification).
    pub async fn set_identity_assurance(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        assurance: &str,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query("update identities set assurance = $3 where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(id).bind(assurance).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Moves an identity from one profile to another; false when it was not on `from` (someone
    /// moved it first).
    pub async fn move_identity_from(
        &mut self,
        tenant_id: Uuid,
        id: Uuid,
        from: Uuid,
        to: Uuid,
    ) -> StoreResult<bool> {
        let n = on_conn!(self, c => sqlx::query(
            "update identities set customer_id = $4 where tenant_id = $1 and id = $2 and customer_id = $3")
            .bind(tenant_id).bind(id).bind(from).bind(to)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Sets a profile's primary email and phone.
    pub async fn set_primaries(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> StoreResult<()> {
        on_conn!(self, c => sqlx::query(
            "update customers set primary_email = $3, primary_phone = $4, updated_at = $5              where tenant_id = $1 and id = $2")
            .bind(tenant_id).bind(customer_id).bind(email).bind(phone).bind(Utc::now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Whether a profile holds any identity, interaction or order.
    pub async fn holds_anything(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<bool> {
        Ok(on_conn!(self, c => sqlx::query_scalar::<_, bool>(
            "select exists (select 1 from identities where tenant_id = $1 and customer_id = $2)                or exists (select 1 from interactions where tenant_id = $1 and customer_id = $2)                or exists (select 1 from orders where tenant_id = $1 and customer_id = $2)")
            .bind(tenant_id).bind(customer_id).fetch_one(&mut *c).await)?)
    }
}
