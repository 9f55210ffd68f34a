//! The customer's custom fields: their values, and for agents and admins a form to change them
//! (one input per field, of its kind; an empty input clears the value).

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::{Actions, action_error};
use crate::types::{CustomField, FieldKind};

/// A value as a person reads it.
fn shown(value: &Value) -> String {
    match value {
        Value::Bool(true) => "Yes".to_owned(),
        Value::Bool(false) => "No".to_owned(),
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A value as its input holds it.
fn raw(value: Option<&Value>) -> String {
    match value {
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.to_owned(),
        Some(v) => shown(v),
        None => String::new(),
    }
}

#[component]
pub(super) fn CustomFieldsPanel(
    id: Uuid,
    fields: Vec<CustomField>,
    values: BTreeMap<String, Value>,
    can_edit: bool,
    csrf: String,
    actions: Actions,
) -> AnyView {
    let pending = actions.custom.pending();
    let rows = fields
        .iter()
        .map(|f| {
            let value = values.get(&f.key).map(shown).filter(|v| !v.is_empty());
            let missing = value.is_none();
            view! {
                <div>
                    <dt>{f.label.clone()}</dt>
                    <dd class:muted=missing>{value.unwrap_or_else(|| "—".to_owned())}</dd>
                </div>
            }
        })
        .collect_view();
    let form = can_edit.then(|| {
        let inputs = fields
            .iter()
            .map(|f| {
                let name = format!("f[k-{}]", f.key);
                let input_id = format!("custom-{}", f.key);
                let current = raw(values.get(&f.key));
                let input = match f.kind {
                    FieldKind::Choice | FieldKind::YesNo => {
                        let options: Vec<(String, String)> = if f.kind == FieldKind::YesNo {
                            vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())]
                        } else {
                            f.choices.iter().map(|c| (c.clone(), c.clone())).collect()
                        };
                        let options = options
                            .into_iter()
                            .map(|(value, label)| {
                                let selected = value == current;
                                view! { <option value=value selected=selected>{label}</option> }
                            })
                            .collect_view();
                        view! {
                            <select name=name id=input_id.clone()>
                                <option value="">"—"</option>
                                {options}
                            </select>
                        }
                        .into_any()
                    }
                    kind => {
                        let kind = match kind {
                            FieldKind::Number => "number",
                            FieldKind::Date => "date",
                            _ => "text",
                        };
                        view! {
                            <input type=kind step="any" name=name id=input_id.clone() value=current />
                        }
                        .into_any()
                    }
                };
                view! {
                    <div class="field inline">
                        <label for=input_id>{f.label.clone()}</label>
                        {input}
                    </div>
                }
            })
            .collect_view();
        view! {
            <details class="custom-edit">
                <summary>"Edit fields"</summary>
                <ActionForm action=actions.custom attr:class="custom-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="csrf" value=csrf.clone() />
                    {inputs}
                    <button type="submit" disabled=pending>"Save fields"</button>
                </ActionForm>
                {action_error(actions.custom.value())}
            </details>
        }
    });
    view! {
        <section class="panel custom-panel" aria-labelledby="custom-title">
            <h2 id="custom-title">"Fields"</h2>
            <dl class="facts custom-values">{rows}</dl>
            {form}
        </section>
    }
    .into_any()
}
