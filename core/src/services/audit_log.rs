//! Reading the audit log: filtered, newest first, a page at a time.

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use crate::services::{ServiceError, ServiceResult, Tenant};
use crate::store::{AuditFilter, AuditRecord, Store};

/// What to look for in the audit log; every part is optional and they combine with "and".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditSearch {
    /// The actor's label (a staff email, "api key NAME", "spine:seed"...), exactly.
    pub actor: Option<String>,
    pub action: Option<String>,
    pub customer_id: Option<Uuid>,
    /// From this day on, UTC.
    pub from: Option<NaiveDate>,
    /// Up to this day, inclusive, UTC.
    pub to: Option<NaiveDate>,
}

impl AuditSearch {
    fn filter(&self) -> ServiceResult<AuditFilter> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(ServiceError::invalid(
                "from",
                "must be on or before the last day (to)",
            ));
        }
        let day_start = |day: NaiveDate| day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        let blank = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        Ok(AuditFilter {
            actor: blank(&self.actor),
            action: blank(&self.action),
            customer_id: self.customer_id,
            from: self.from.and_then(day_start),
            until: self
                .to
                .and_then(|day| day.checked_add_signed(Duration::days(1)))
                .and_then(day_start),
        })
    }
}

/// Entries per page of the audit log.
pub const PAGE_SIZE: i64 = 25;

/// One page of entries, and whether an older page follows.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    pub has_more: bool,
}

/// Page `page` (from 0) of the entries matching `search`, newest first.
pub async fn search_audit(
    store: &Store,
    tenant: &Tenant,
    search: &AuditSearch,
    page: u32,
) -> ServiceResult<AuditPage> {
    let filter = &search.filter()?;
    let offset = i64::from(page.min(10_000)) * PAGE_SIZE;
    let mut entries = store
        .read()
        .await?
        .search_audit(tenant.id, filter, PAGE_SIZE + 1, offset)
        .await?;
    let has_more = entries.len() as i64 > PAGE_SIZE;
    entries.truncate(PAGE_SIZE as usize);
    Ok(AuditPage { entries, has_more })
}

/// The actions recorded so far, for the filter's list.
pub async fn audit_actions(store: &Store, tenant: &Tenant) -> ServiceResult<Vec<String>> {
    Ok(store.read().await?.audit_actions(tenant.id).await?)
}

pub use crate::types::FieldChange;

/// What an entry's before and after say changed: only the fields whose values differ (an update
/// records the whole profile on each side), nested objects read as `parent.child`, lists as
/// comma-separated values. An entry with only one side lists every field of that side.
pub fn field_changes(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Vec<FieldChange> {
    use std::collections::BTreeMap;
    let mut fields: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    let mut flat_before = Vec::new();
    let mut flat_after = Vec::new();
    flatten("", before, &mut flat_before);
    flatten("", after, &mut flat_after);
    for (key, value) in flat_before {
        fields.entry(key).or_default().0 = value;
    }
    for (key, value) in flat_after {
        fields.entry(key).or_default().1 = value;
    }
    let both = before.is_some_and(|v| !v.is_null()) && after.is_some_and(|v| !v.is_null());
    fields
        .into_iter()
        .filter(|(_, (b, a))| !both || b != a)
        .filter(|(_, (b, a))| b.is_some() || a.is_some())
        .map(|(key, (before, after))| FieldChange {
            field: label(&key),
            before,
            after,
        })
        .collect()
}

/// `(dotted key, value as text)` for each leaf; `None` for null.
fn flatten(
    prefix: &str,
    value: Option<&serde_json::Value>,
    out: &mut Vec<(String, Option<String>)>,
) {
    use serde_json::Value;
    let Some(value) = value else { return };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, Some(v), out);
            }
        }
        leaf => {
            let key = if prefix.is_empty() {
                "value".to_owned()
            } else {
                prefix.to_owned()
            };
            out.push((key, text(leaf)));
        }
    }
}

fn text(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(true) => Some("yes".to_owned()),
        Value::Bool(false) => Some("no".to_owned()),
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(
            items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        other => Some(other.to_string()),
    }
}

/// A dotted key in words: `lifecycle_stage` → "Lifecycle stage", `custom.loyalty_tier` →
/// "Custom: loyalty tier".
fn label(key: &str) -> String {
    let words: Vec<String> = key.split('.').map(|part| part.replace('_', " ")).collect();
    let mut text = words.join(": ");
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_update_shows_only_what_changed_in_words() {
        let before = json!({"display_name": "Ana", "lifecycle_stage": "lead", "tags": ["vip"],
                            "marketing_opt_in": false, "custom": {"loyalty_tier": null}});
        let after = json!({"display_name": "Ana", "lifecycle_stage": "customer", "tags": ["vip", "gold"],
                           "marketing_opt_in": true, "custom": {"loyalty_tier": "Gold"}});
        let changes = field_changes(Some(&before), Some(&after));
        let rows: Vec<(&str, Option<&str>, Option<&str>)> = changes
            .iter()
            .map(|c| (c.field.as_str(), c.before.as_deref(), c.after.as_deref()))
            .collect();
        assert_eq!(
            rows,
            [
                ("Custom: loyalty tier", None, Some("Gold")),
                ("Lifecycle stage", Some("lead"), Some("customer")),
                ("Marketing opt in", Some("no"), Some("yes")),
                ("Tags", Some("vip"), Some("vip, gold")),
            ]
        );
    }

    #[test]
    fn one_sided_entries_list_their_fields_and_plain_values_read_as_value() {
        let after = json!({"name": "Tier", "kind": "choice", "choices": ["A", "B"]});
        let changes = field_changes(None, Some(&after));
        assert_eq!(changes.len(), 3);
        assert!(changes.iter().all(|c| c.before.is_none()));
        assert!(
            changes
                .iter()
                .any(|c| c.field == "Choices" && c.after.as_deref() == Some("A, B"))
        );
        let plain = field_changes(Some(&json!(1)), Some(&json!(2)));
        assert_eq!(
            plain,
            [FieldChange {
                field: "Value".into(),
                before: Some("1".into()),
                after: Some("2".into())
            }]
        );
        assert!(field_changes(None, None).is_empty());
        assert!(field_changes(Some(&json!({"a": 1})), Some(&json!({"a": 1}))).is_empty());
    }
}
