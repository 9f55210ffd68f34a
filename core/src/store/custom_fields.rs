//! Custom fields: a tenant's definitions and each profile's values.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::stmt::Stmt;
use super::{StoreResult, Tx, on_conn};

/// A field as stored: key, label, kind, choices (a JSON array), when it was defined.
pub type CustomFieldRow = (String, String, String, String, DateTime<Utc>);

/// A value as stored: profile, key, text, number.
pub type FieldValueRow = (Uuid, String, String, Option<f64>);

impl Tx {
    /// The tenant's fields, in the order they were defined.
    pub async fn custom_fields(&mut self, tenant_id: Uuid) -> StoreResult<Vec<CustomFieldRow>> {
        Ok(on_conn!(self, c => sqlx::query_as::<_, CustomFieldRow>(
            "select key, label, kind, choices, created_at from custom_fields where tenant_id = $1 \
             order by created_at, key")
            .bind(tenant_id).fetch_all(&mut *c).await)?)
    }

    pub async fn insert_custom_field(
        &mut self,
        tenant_id: Uuid,
        key: &str,
        label: &str,
        kind: &str,
        choices: &[String],
    ) -> StoreResult<()> {
        self.exec_unique(
            Stmt::new(
                "insert into custom_fields (tenant_id, key, label, kind, choices, created_at) \
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(tenant_id)
            .bind(key)
            .bind(label)
            .bind(kind)
            .bind(super::stmt::json(choices)?)
            .bind(Utc::now()),
            "custom field",
        )
        .await?;
        Ok(())
    }

    /// Deletes a field and every profile's value of it; whether it existed.
    pub async fn delete_custom_field(&mut self, tenant_id: Uuid, key: &str) -> StoreResult<bool> {
        self.exec(
            Stmt::new("delete from customer_field_values where tenant_id = $1 and key = $2")
                .bind(tenant_id)
                .bind(key),
        )
        .await?;
        Ok(self
            .exec(
                Stmt::new("delete from custom_fields where tenant_id = $1 and key = $2")
                    .bind(tenant_id)
                    .bind(key),
            )
            .await?
            > 0)
    }

    /// The values these profiles hold.
    pub async fn field_values(
        &mut self,
        tenant_id: Uuid,
        customer_ids: &[Uuid],
    ) -> StoreResult<Vec<FieldValueRow>> {
        if customer_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = (0..customer_ids.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "select customer_id, key, value_text, value_number from customer_field_values \
             where tenant_id = $1 and customer_id in ({list}) order by customer_id, key"
        );
        Ok(on_conn!(self, c => {
            let mut q = sqlx::query_as::<_, FieldValueRow>(&sql).bind(tenant_id);
            for id in customer_ids {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await
        })?)
    }

    /// Sets one value (replacing what the profile held).
    pub async fn set_field_value(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        key: &str,
        text: &str,
        number: Option<f64>,
    ) -> StoreResult<()> {
        self.exec(
            Stmt::new(
                "insert into customer_field_values (tenant_id, customer_id, key, value_text, value_number, updated_at) \
                 values ($1, $2, $3, $4, $5, $6) on conflict (tenant_id, customer_id, key) do update \
                 set value_text = excluded.value_text, value_number = excluded.value_number, updated_at = excluded.updated_at",
            )
            .bind(tenant_id)
            .bind(customer_id)
            .bind(key)
            .bind(text)
            .bind(number)
            .bind(Utc::now()),
        )
        .await?;
        Ok(())
    }

    pub async fn delete_field_value(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
        key: &str,
    ) -> StoreResult<()> {
        self.exec(
            Stmt::new(
                "delete from customer_field_values where tenant_id = $1 and customer_id = $2 and key = $3",
            )
            .bind(tenant_id)
            .bind(customer_id)
            .bind(key),
        )
        .await?;
        Ok(())
    }
}
