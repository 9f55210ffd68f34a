//! The tenant's trained match model, stored as JSON; the newest one is in use.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::stmt::Stmt;
use super::{StoreResult, Tx, on_conn};

impl Tx {
    pub async fn insert_match_model(
        &mut self,
        tenant_id: Uuid,
        model: &serde_json::Value,
    ) -> StoreResult<Uuid> {
        let id = Uuid::now_v7();
        on_conn!(self, c => sqlx::query("insert into match_models (tenant_id, id, model, trained_at) values ($1, $2, $3, $4)")
            .bind(tenant_id).bind(id).bind(Json(model)).bind(Utc::now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(id)
    }

    pub async fn latest_match_model(
        &mut self,
        tenant_id: Uuid,
    ) -> StoreResult<Option<(serde_json::Value, DateTime<Utc>)>> {
        let row: Option<(Json<serde_json::Value>, DateTime<Utc>)> = self
            .fetch_optional(
                Stmt::new(
                    "select model, trained_at from match_models where tenant_id = $1 order by trained_at desc, id desc limit 1",
                )
                .bind(tenant_id),
            )
            .await?;
        Ok(row.map(|(model, at)| (model.0, at)))
    }

    /// What the model learns from: each active profile's name and primaries.
    pub async fn profile_features(
        &mut self,
        tenant_id: Uuid,
    ) -> StoreResult<Vec<(Uuid, Option<String>, Option<String>, Option<String>)>> {
        Ok(
            on_conn!(self, c => sqlx::query_as::<_, (Uuid, Option<String>, Option<String>, Option<String>)>(
            "select id, display_name, primary_email, primary_phone from customers \
             where tenant_id = $1 and deleted_at is null and merged_into is null order by id")
            .bind(tenant_id).fetch_all(&mut *c).await)?,
        )
    }
}
