//! Custom fields: attributes a tenant defines for its customers ("Allergies", "Loyalty tier"),
//! each of one kind (text, number, date, yes/no, one of a list). Admins define them; staff set
//! values on the customer page and through `PATCH /api/v1/customers/{id}`, integrations through
//! events (`"custom": {...}`) and imports (`--map column=custom:key`). Values are validated
//! against their field before anything is written; a change is audited with before and after;
//! lists filter by them; a merge keeps the survivor's values and fills the gaps from the other
//! profile (undone with the merge); the customer's export and erasure include them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::services::{Actor, ServiceError, ServiceResult, Tenant, audit, short_text};
use crate::store::{CustomFieldRow, Store, Tx};
use crate::types::{CustomField, FieldKind, Role};

/// Fields a tenant defines at most.
pub const MAX_FIELDS: usize = 50;
/// Characters of a text value at most.
pub const MAX_TEXT: usize = 500;
/// Choices of a list at most.
pub const MAX_CHOICES: usize = 100;
/// Characters of a key at most.
const MAX_KEY: usize = 40;

/// Values as the profile shows them, by key.
pub type CustomValues = BTreeMap<String, Value>;

/// The key a label is known by: lowercase letters, digits and `_` ("Loyalty tier" →
/// `loyalty_tier`); `None` when nothing of it is left.
pub fn key_of(label: &str) -> Option<String> {
    let mut key = String::new();
    for c in label.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    let key: String = key.trim_end_matches('_').chars().take(MAX_KEY).collect();
    let key = key.trim_end_matches('_').to_owned();
    (!key.is_empty()).then_some(key)
}

fn field_of(row: CustomFieldRow) -> Option<CustomField> {
    let (key, label, kind, choices, _) = row;
    Some(CustomField {
        key,
        label,
        kind: FieldKind::parse(&kind)?,
        choices: serde_json::from_str(&choices).unwrap_or_default(),
    })
}

pub(crate) async fn fields_in(tx: &mut Tx, tenant_id: Uuid) -> ServiceResult<Vec<CustomField>> {
    Ok(tx
        .custom_fields(tenant_id)
        .await?
        .into_iter()
        .filter_map(field_of)
        .collect())
}

/// The tenant's fields, in the order they were defined.
pub async fn custom_fields(store: &Store, tenant: &Tenant) -> ServiceResult<Vec<CustomField>> {
    fields_in(&mut store.read().await?, tenant.id).await
}

fn require_admin(actor: &Actor) -> ServiceResult<()> {
    match actor {
        Actor::Staff {
            role: Role::Admin, ..
        }
        | Actor::System(_) => Ok(()),
        _ => Err(ServiceError::Forbidden),
    }
}

/// Defines a field (admins). Its key is made from the label and must be new.
pub async fn define_field(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    label: &str,
    kind: FieldKind,
    choices: &[String],
) -> ServiceResult<CustomField> {
    require_admin(actor)?;
    let label = short_text("label", label, 60)?
        .ok_or_else(|| ServiceError::invalid("label", "name the field"))?;
    let key = key_of(&label).ok_or_else(|| {
        ServiceError::invalid("label", "use at least one letter or digit in the name")
    })?;
    let mut clean: Vec<String> = Vec::new();
    for choice in choices {
        let Some(choice) = short_text("choices", choice, 60)? else {
            continue;
        };
        if !clean.contains(&choice) {
            clean.push(choice);
        }
    }
    match kind {
        FieldKind::Choice if clean.is_empty() => {
            return Err(ServiceError::invalid(
                "choices",
                "list the values to choose from, separated by commas",
            ));
        }
        FieldKind::Choice if clean.len() > MAX_CHOICES => {
            return Err(ServiceError::invalid(
                "choices",
                format!("at most {MAX_CHOICES} values"),
            ));
        }
        FieldKind::Choice => {}
        _ => clean.clear(),
    }
    let mut tx = store.begin().await?;
    let existing = fields_in(&mut tx, tenant.id).await?;
    if existing.len() >= MAX_FIELDS {
        return Err(ServiceError::invalid(
            "label",
            format!("at most {MAX_FIELDS} fields"),
        ));
    }
    if existing.iter().any(|f| f.key == key) {
        return Err(ServiceError::Conflict(format!(
            "a field named “{label}” exists already (key {key})"
        )));
    }
    tx.insert_custom_field(tenant.id, &key, &label, kind.as_str(), &clean)
        .await?;
    let field = CustomField {
        key,
        label,
        kind,
        choices: clean,
    };
    tx.append_audit(
        tenant.id,
        &audit(actor, "custom_field.defined", "custom_field").after(json!(field)),
    )
    .await?;
    tx.commit().await?;
    Ok(field)
}

/// Deletes a field and every profile's value of it (admins).
pub async fn delete_field(
    store: &Store,
    tenant: &Tenant,
    actor: &Actor,
    key: &str,
) -> ServiceResult<()> {
    require_admin(actor)?;
    let mut tx = store.begin().await?;
    let field = fields_in(&mut tx, tenant.id)
        .await?
        .into_iter()
        .find(|f| f.key == key)
        .ok_or(ServiceError::NotFound("custom field"))?;
    tx.delete_custom_field(tenant.id, key).await?;
    tx.append_audit(
        tenant.id,
        &audit(actor, "custom_field.deleted", "custom_field").before(json!(field)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A value as stored: its text and, for a number, the number.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stored {
    pub text: String,
    pub number: Option<f64>,
}

/// Checks a value against its field; `None` clears it.
pub(crate) fn stored(field: &CustomField, value: &Value) -> ServiceResult<Option<Stored>> {
    let name = format!("custom.{}", field.key);
    let wrong = |what: &str| ServiceError::invalid(&name, what);
    let text_of = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    if value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(None);
    }
    let stored = match field.kind {
        FieldKind::Text => {
            let text = text_of(value).ok_or_else(|| wrong("text"))?;
            let text = short_text(&name, &text, MAX_TEXT)?.unwrap_or_default();
            Stored { text, number: None }
        }
        FieldKind::Number => {
            let number = match value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .filter(|n| n.is_finite())
            .ok_or_else(|| wrong("a number"))?;
            Stored {
                text: number.to_string(),
                number: Some(number),
            }
        }
        FieldKind::Date => {
            let text = value.as_str().ok_or_else(|| wrong("a day as YYYY-MM-DD"))?;
            let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| wrong("a day as YYYY-MM-DD"))?;
            Stored {
                text: day.format("%Y-%m-%d").to_string(),
                number: None,
            }
        }
        FieldKind::YesNo => {
            let yes = match value {
                Value::Bool(b) => Some(*b),
                Value::String(s) => match s.trim().to_lowercase().as_str() {
                    "yes" | "true" | "1" | "y" => Some(true),
                    "no" | "false" | "0" | "n" => Some(false),
                    _ => None,
                },
                _ => None,
            }
            .ok_or_else(|| wrong("yes or no"))?;
            Stored {
                text: if yes { "yes" } else { "no" }.to_owned(),
                number: None,
            }
        }
        FieldKind::Choice => {
            let text = text_of(value).unwrap_or_default();
            let choice = field
                .choices
                .iter()
                .find(|c| c.to_lowercase() == text.to_lowercase())
                .ok_or_else(|| wrong(&format!("one of {}", field.choices.join(", "))))?;
            Stored {
                text: choice.clone(),
                number: None,
            }
        }
    };
    Ok(Some(stored))
}

/// A stored value as the profile shows it.
pub(crate) fn shown(field: Option<&CustomField>, text: &str, number: Option<f64>) -> Value {
    match field.map(|f| f.kind) {
        Some(FieldKind::Number) => number.map_or_else(|| json!(text), |n| json!(n)),
        Some(FieldKind::YesNo) => json!(text == "yes"),
        _ => json!(text),
    }
}

/// Each profile's values, by profile.
pub(crate) async fn values_of(
    tx: &mut Tx,
    tenant_id: Uuid,
    fields: &[CustomField],
    customer_ids: &[Uuid],
) -> ServiceResult<BTreeMap<Uuid, CustomValues>> {
    let mut out: BTreeMap<Uuid, CustomValues> = BTreeMap::new();
    for (customer, key, text, number) in tx.field_values(tenant_id, customer_ids).await? {
        let field = fields.iter().find(|f| f.key == key);
        out.entry(customer)
            .or_default()
            .insert(key, shown(field, &text, number));
    }
    Ok(out)
}

/// One profile's values.
pub(crate) async fn profile_values(
    tx: &mut Tx,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> ServiceResult<CustomValues> {
    let fields = fields_in(tx, tenant_id).await?;
    Ok(values_of(tx, tenant_id, &fields, &[customer_id])
        .await?
        .remove(&customer_id)
        .unwrap_or_default())
}

/// Checks every change first (an unknown field or a wrong value writes nothing), then writes
/// them; answers the changed keys' values before and after.
pub(crate) async fn apply(
    tx: &mut Tx,
    tenant_id: Uuid,
    customer_id: Uuid,
    changes: &BTreeMap<String, Value>,
) -> ServiceResult<(CustomValues, CustomValues)> {
    if changes.is_empty() {
        return Ok(Default::default());
    }
    let fields = fields_in(tx, tenant_id).await?;
    let mut checked = Vec::with_capacity(changes.len());
    for (key, value) in changes {
        let field = fields.iter().find(|f| f.key == *key).ok_or_else(|| {
            ServiceError::invalid(format!("custom.{key}"), "no such custom field")
        })?;
        checked.push((key, stored(field, value)?));
    }
    let current = values_of(tx, tenant_id, &fields, &[customer_id])
        .await?
        .remove(&customer_id)
        .unwrap_or_default();
    let (mut before, mut after) = (CustomValues::new(), CustomValues::new());
    for (key, value) in checked {
        let field = fields.iter().find(|f| f.key == *key);
        let old = current.get(key).cloned();
        let new = value.as_ref().map(|v| shown(field, &v.text, v.number));
        if old == new {
            continue;
        }
        match &value {
            Some(v) => {
                tx.set_field_value(tenant_id, customer_id, key, &v.text, v.number)
                    .await?
            }
            None => tx.delete_field_value(tenant_id, customer_id, key).await?,
        }
        before.insert(key.clone(), old.unwrap_or(Value::Null));
        after.insert(key.clone(), new.unwrap_or(Value::Null));
    }
    Ok((before, after))
}

/// A merge: the survivor keeps its values and takes the absorbed profile's for the fields it has
/// none of; the keys it took (undo removes them).
pub(crate) async fn fill_from(
    tx: &mut Tx,
    tenant_id: Uuid,
    survivor: Uuid,
    absorbed: Uuid,
) -> ServiceResult<Vec<String>> {
    let rows = tx.field_values(tenant_id, &[survivor, absorbed]).await?;
    let held: Vec<&str> = rows
        .iter()
        .filter(|r| r.0 == survivor)
        .map(|r| r.1.as_str())
        .collect();
    let mut filled = Vec::new();
    for (customer, key, text, number) in &rows {
        if *customer == absorbed && !held.contains(&key.as_str()) {
            tx.set_field_value(tenant_id, survivor, key, text, *number)
                .await?;
            filled.push(key.clone());
        }
    }
    Ok(filled)
}

/// Undoes [`fill_from`].
pub(crate) async fn unfill(
    tx: &mut Tx,
    tenant_id: Uuid,
    survivor: Uuid,
    keys: &[String],
) -> ServiceResult<()> {
    for key in keys {
        tx.delete_field_value(tenant_id, survivor, key).await?;
    }
    Ok(())
}
