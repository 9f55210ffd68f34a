//! Identities: the normalized identifiers that point at a profile, and the lookups resolution makes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::direct::{DirectRow, column};
use super::stmt::Stmt;
use super::{StoreResult, Tx, on_conn};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct IdentityRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub customer_id: Uuid,
    pub kind: String,
    pub provider: String,
    pub value: String,
    pub raw_value: Option<String>,
    pub match_key: String,
    pub confidence: f64,
    /// An [`Assurance`](crate::types::Assurance), as text.
    pub assurance: String,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub origin_customer_id: Uuid,
}

#[derive(Debug, Clone)]
pub struct NewIdentity {
    pub customer_id: Uuid,
    pub kind: String,
    pub provider: String,
    pub value: String,
    pub raw_value: Option<String>,
    pub match_key: String,
    pub confidence: f64,
    /// Kept when the profile already holds the identifier: what an event says never raises
    /// (or lowers) how an identity was learned; only a verification or staff do.
    pub assurance: crate::types::Assurance,
    pub seen_at: DateTime<Utc>,
}

impl DirectRow for IdentityRow {
    fn from_direct(row: &rusqlite::Row<'_>) -> StoreResult<IdentityRow> {
        Ok(IdentityRow {
            tenant_id: column(row, 0)?,
            id: column(row, 1)?,
            customer_id: column(row, 2)?,
            kind: column(row, 3)?,
            provider: column(row, 4)?,
            value: column(row, 5)?,
            raw_value: column(row, 6)?,
            match_key: column(row, 7)?,
            confidence: column(row, 8)?,
            assurance: column(row, 9)?,
            first_seen_at: column(row, 10)?,
            last_seen_at: column(row, 11)?,
            origin_customer_id: column(row, 12)?,
        })
    }
}

/// The columns of [`IdentityRow`], in its order.
pub(super) const COLUMNS: &str = "i.tenant_id, i.id, i.customer_id, i.kind, i.provider, i.value, i.raw_value, i.match_key, \
    i.confidence, i.assurance, i.first_seen_at, i.last_seen_at, i.origin_customer_id";

impl IdentityRow {
    pub fn assurance(&self) -> crate::types::Assurance {
        // The column's check constraint admits only the four names.
        crate::types::Assurance::parse(&self.assurance).unwrap_or(crate::types::Assurance::Claimed)
    }
}

impl Tx {
    /// Links identifiers to their profiles in one statement; one the profile already holds is
    /// seen again (last seen, and the higher confidence). The same identifier twice for one
    /// profile is written once.
    pub async fn upsert_identities(
        &mut self,
        tenant_id: Uuid,
        new: &[NewIdentity],
    ) -> StoreResult<()> {
        let mut rows: Vec<&NewIdentity> = Vec::with_capacity(new.len());
        for identity in new {
            let same = |r: &&NewIdentity| {
                r.customer_id == identity.customer_id
                    && r.kind == identity.kind
                    && r.provider == identity.provider
                    && r.value == identity.value
            };
            if !rows.iter().any(same) {
                rows.push(identity);
            }
        }
        if rows.is_empty() {
            return Ok(());
        }
        // Each row binds ten values: id, customer, kind, provider, value, raw value, match key,
        // confidence, assurance, seen; seen is also the first sighting, the customer the origin.
        const PER_ROW: usize = 10;
        let values = (0..rows.len())
            .map(|r| {
                let at = |k: usize| format!("${}", 2 + r * PER_ROW + k);
                let mut columns: Vec<String> = (0..PER_ROW).map(at).collect();
                columns.extend([at(9), at(1)]);
                format!("($1, {})", columns.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "insert into identities (tenant_id, id, customer_id, kind, provider, value, raw_value, match_key, \
               confidence, assurance, first_seen_at, last_seen_at, origin_customer_id) \
             values {values} \
             on conflict (tenant_id, customer_id, kind, provider, value) do update set \
               last_seen_at = case when excluded.last_seen_at > identities.last_seen_at \
                 then excluded.last_seen_at else identities.last_seen_at end, \
               confidence = case when excluded.confidence > identities.confidence \
                 then excluded.confidence else identities.confidence end"
        );
        let mut stmt = Stmt::new(sql).bind(tenant_id);
        for new in &rows {
            stmt = stmt
                .bind(Uuid::now_v7())
                .bind(new.customer_id)
                .bind(&new.kind)
                .bind(&new.provider)
                .bind(&new.value)
                .bind(&new.raw_value)
                .bind(&new.match_key)
                .bind(new.confidence)
                .bind(new.assurance.as_str())
                .bind(new.seen_at);
        }
        self.exec_unique(stmt, "identity").await?;
        Ok(())
    }

    /// Active profiles holding exactly this identifier.
    pub async fn identities_matching(
        &mut self,
        tenant_id: Uuid,
        kind: &str,
        provider: &str,
        value: &str,
    ) -> StoreResult<Vec<IdentityRow>> {
        let sql = format!(
            "select {COLUMNS} from identities i join customers c on c.tenant_id = i.tenant_id and c.id = i.customer_id \
             where i.tenant_id = $1 and i.kind = $2 and i.provider = $3 and i.value = $4 \
             and c.deleted_at is null and c.merged_into is null order by i.first_seen_at"
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, IdentityRow>(&sql)
            .bind(tenant_id).bind(kind).bind(provider).bind(value).fetch_all(&mut *c).await)?)
    }

    /// Active profiles' identities that any of these could meet, in one statement: an exact
    /// identifier `(kind, provider, value)`, or a provider-canonical form `(kind, match_key)`.
    /// Oldest first, as [`Tx::identities_matching`] answers; the caller sorts out which met what.
    pub async fn identities_meeting(
        &mut self,
        tenant_id: Uuid,
        exact: &[(&str, &str, &str)],
        keys: &[(&str, &str)],
    ) -> StoreResult<Vec<IdentityRow>> {
        if exact.is_empty() && keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut terms = Vec::with_capacity(exact.len() + keys.len());
        let mut at = 2;
        for _ in exact {
            terms.push(format!(
                "(i.tenant_id = $1 and i.kind = ${} and i.provider = ${} and i.value = ${})",
                at,
                at + 1,
                at + 2
            ));
            at += 3;
        }
        for _ in keys {
            terms.push(format!(
                "(i.tenant_id = $1 and i.kind = ${} and i.match_key = ${})",
                at,
                at + 1
            ));
            at += 2;
        }
        let sql = format!(
            "select {COLUMNS} from identities i join customers c on c.tenant_id = i.tenant_id and c.id = i.customer_id \
             where ({}) \
             and c.deleted_at is null and c.merged_into is null order by i.first_seen_at",
            terms.join(" or ")
        );
        let mut stmt = Stmt::new(sql).bind(tenant_id);
        for (kind, provider, value) in exact {
            stmt = stmt.bind(*kind).bind(*provider).bind(*value);
        }
        for (kind, key) in keys {
            stmt = stmt.bind(*kind).bind(*key);
        }
        self.fetch_all(stmt).await
    }

    /// Active profiles holding an identifier of this kind whose provider-canonical form is `key`
    /// (variants of each other, such as Gmail addresses that differ only in dots).
    pub async fn identities_by_match_key(
        &mut self,
        tenant_id: Uuid,
        kind: &str,
        key: &str,
    ) -> StoreResult<Vec<IdentityRow>> {
        let sql = format!(
            "select {COLUMNS} from identities i join customers c on c.tenant_id = i.tenant_id and c.id = i.customer_id \
             where i.tenant_id = $1 and i.kind = $2 and i.match_key = $3 \
             and c.deleted_at is null and c.merged_into is null order by i.first_seen_at"
        );
        Ok(on_conn!(self, c => sqlx::query_as::<_, IdentityRow>(&sql)
            .bind(tenant_id).bind(kind).bind(key).fetch_all(&mut *c).await)?)
    }

    /// Every profile holding this identifier, deleted or merged ones included.
    pub async fn identity_holders(
        &mut self,
        tenant_id: Uuid,
        kind: &str,
        provider: &str,
        value: &str,
    ) -> StoreResult<Vec<Uuid>> {
        let holders: Vec<(Uuid,)> = self
            .fetch_all(
                Stmt::new(
                    "select customer_id from identities where tenant_id = $1 and kind = $2 and provider = $3 and value = $4",
                )
                .bind(tenant_id)
                .bind(kind)
                .bind(provider)
                .bind(value),
            )
            .await?;
        Ok(holders.into_iter().map(|(id,)| id).collect())
    }

    pub async fn identities_of(
        &mut self,
        tenant_id: Uuid,
        customer_id: Uuid,
    ) -> StoreResult<Vec<IdentityRow>> {
        let sql = format!(
            "select {COLUMNS} from identities i where i.tenant_id = $1 and i.customer_id = $2 order by i.kind, i.value"
        );
        self.fetch_all(Stmt::new(sql).bind(tenant_id).bind(customer_id))
            .await
    }

    pub async fn count_identities(&mut self, tenant_id: Uuid) -> StoreResult<i64> {
        Ok(
            on_conn!(self, c => sqlx::query_scalar::<_, i64>("select count(*) from identities where tenant_id = $1")
            .bind(tenant_id).fetch_one(&mut *c).await)?,
        )
    }
}
