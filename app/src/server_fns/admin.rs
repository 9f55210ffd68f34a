//! Admin pages' calls: the audit log (filtered, paginated) and settings (staff, API keys, the
//! tenant's thresholds and phone region). Admin only; every change is audited by its service.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ConsoleError;

/// The audit page's filters, as the query string carries them (empty = any).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub customer: String,
    /// `YYYY-MM-DD`, inclusive, UTC.
    pub from: String,
    /// `YYYY-MM-DD`, inclusive, UTC.
    pub to: String,
    pub page: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub customer_id: Option<Uuid>,
    pub before: Option<String>,
    pub after: Option<String>,
    /// What changed, field by field, in words.
    pub changes: Vec<crate::types::FieldChange>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPageView {
    pub entries: Vec<AuditEntryView>,
    pub has_more: bool,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub email: String,
    pub name: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    /// `ingest read`...
    pub scopes: String,
    /// Requests a minute; 0 is no limit.
    pub rate_per_minute: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub users: Vec<UserView>,
    pub api_keys: Vec<ApiKeyView>,
    pub link_threshold: f64,
    pub review_threshold: f64,
    pub default_region: String,
    pub thread_window_hours: i32,
    pub thread_reopen_hours: i32,
    pub archive_after_days: i32,
    pub custom_fields: Vec<crate::types::CustomField>,
    pub csrf: String,
    pub now: DateTime<Utc>,
}

/// A day written `YYYY-MM-DD`; none when blank.
#[cfg(feature = "ssr")]
fn day(raw: &str, field: &str) -> Result<Option<chrono::NaiveDate>, ConsoleError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ConsoleError::Invalid(format!("{field}: write the date as YYYY-MM-DD.")))
}

/// A before/after value as indented JSON (none for an empty one).
#[cfg(feature = "ssr")]
fn pretty(value: Option<&serde_json::Value>) -> Option<String> {
    value
        .filter(|v| !v.is_null())
        .and_then(|v| serde_json::to_string_pretty(v).ok())
}

/// Audit entries matching the filters, newest first, one page.
#[server(endpoint = "search_audit_log")]
pub async fn search_audit_log(query: AuditQuery) -> Result<AuditPageView, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::audit_log;
    use spine_core::services::audit_log::AuditSearch;

    respond(
        async move {
            require_staff(Permission::ViewAudit)?;
            let state = state()?;
            let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
            let customer_id = match text(&query.customer) {
                None => None,
                Some(raw) => Some(Uuid::parse_str(&raw).map_err(|_| {
                    ConsoleError::Invalid(
                        "Customer: paste the customer's id (from its page's address).".into(),
                    )
                })?),
            };
            let search = AuditSearch {
                actor: text(&query.actor),
                action: text(&query.action),
                customer_id,
                from: day(&query.from, "From")?,
                to: day(&query.to, "To")?,
            };
            let (store, tenant) = (&state.store, &state.tenant);
            let page = audit_log::search_audit(store, tenant, &search, query.page)
                .await
                .map_err(service_error)?;
            let actions = audit_log::audit_actions(store, tenant)
                .await
                .map_err(service_error)?;
            Ok(AuditPageView {
                has_more: page.has_more,
                actions,
                entries: page
                    .entries
                    .into_iter()
                    .map(|e| AuditEntryView {
                        id: e.id,
                        at: e.at,
                        actor: e.actor_label,
                        action: e.action,
                        entity: match e.entity_id {
                            Some(id) => format!("{} {id}", e.entity_kind),
                            None => e.entity_kind,
                        },
                        customer_id: e.customer_id,
                        changes: audit_log::field_changes(
                            e.before.as_ref().map(|j| &j.0),
                            e.after.as_ref().map(|j| &j.0),
                        ),
                        before: pretty(e.before.as_ref().map(|j| &j.0)),
                        after: pretty(e.after.as_ref().map(|j| &j.0)),
                        ip: e.ip,
                    })
                    .collect(),
            })
        }
        .await,
    )
}

/// Everything the settings page shows.
#[server(endpoint = "get_settings")]
pub async fn get_settings() -> Result<SettingsView, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::{api_keys, settings, staff};

    respond(
        async move {
            let session = require_staff(Permission::ManageSettings)?;
            let state = state()?;
            let (store, tenant) = (&state.store, &state.tenant);
            let users = staff::list_users(store, tenant)
                .await
                .map_err(service_error)?;
            let keys = api_keys::list_api_keys(store, tenant)
                .await
                .map_err(service_error)?;
            let current = settings::tenant_settings(store, tenant)
                .await
                .map_err(service_error)?;
            let custom_fields = spine_core::services::custom_fields::custom_fields(store, tenant)
                .await
                .map_err(service_error)?;
            Ok(SettingsView {
                custom_fields,
                users: users
                    .into_iter()
                    .map(|u| UserView {
                        email: u.email,
                        name: u.name,
                        role: u.role,
                        created_at: u.created_at,
                        disabled: u.disabled_at.is_some(),
                    })
                    .collect(),
                api_keys: keys
                    .into_iter()
                    .map(|k| ApiKeyView {
                        id: k.id,
                        name: k.name,
                        prefix: k.prefix,
                        created_at: k.created_at,
                        last_used_at: k.last_used_at,
                        revoked: k.revoked_at.is_some(),
                        scopes: k.scopes.clone(),
                        rate_per_minute: k.rate_per_minute,
                    })
                    .collect(),
                link_threshold: current.link_threshold,
                review_threshold: current.review_threshold,
                default_region: current.default_region,
                thread_window_hours: current.memory.thread_window_hours,
                thread_reopen_hours: current.memory.thread_reopen_hours,
                archive_after_days: current.memory.archive_after_days,
                csrf: session.csrf_token().to_owned(),
                now: Utc::now(),
            })
        }
        .await,
    )
}

/// Creates a staff account with a role and a password.
#[server(endpoint = "create_staff")]
pub async fn create_staff(
    csrf: String,
    email: String,
    name: String,
    role: String,
    password: String,
) -> Result<String, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::types::Role;

    respond(
        async move {
            let (session, state) = require_change(Permission::ManageUsers, &csrf)?;
            let role = Role::parse(role.trim()).ok_or_else(|| {
                ConsoleError::Invalid("Choose a role: admin, manager or agent.".into())
            })?;
            let user = spine_core::services::staff::create_user_as(
                &state.store,
                &state.tenant,
                &session.actor(),
                &email,
                &name,
                role,
                &password,
            )
            .await
            .map_err(service_error)?;
            Ok(user.email)
        }
        .await,
    )
}

/// Disables a staff account; their sessions end with it.
#[server(endpoint = "disable_staff")]
pub async fn disable_staff(csrf: String, email: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::ManageUsers, &csrf)?;
            spine_core::services::staff::disable_user_as(
                &state.store,
                &state.tenant,
                &session.actor(),
                &email,
            )
            .await
            .map_err(service_error)
        }
        .await,
    )
}

/// A new API key: (name, the key itself), shown this once.
#[server(endpoint = "create_key")]
#[allow(clippy::too_many_arguments)]
pub async fn create_key(
    csrf: String,
    name: String,
    #[server(default)] ingest: Option<String>,
    #[server(default)] read: Option<String>,
    #[server(default)] manage: Option<String>,
    #[server(default)] privacy: Option<String>,
    #[server(default)] rate_per_minute: String,
) -> Result<(String, String), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::api_keys::{DEFAULT_RATE_PER_MINUTE, KeyGrant};
    use spine_core::types::ApiScope;

    respond(
        async move {
            let (session, state) = require_change(Permission::ManageApiKeys, &csrf)?;
            let scopes = [
                (ingest, ApiScope::Ingest),
                (read, ApiScope::Read),
                (manage, ApiScope::Manage),
                (privacy, ApiScope::Privacy),
            ]
            .into_iter()
            .filter_map(|(checked, scope)| checked.is_some().then_some(scope))
            .collect();
            let rate_per_minute = match rate_per_minute.trim() {
                "" => DEFAULT_RATE_PER_MINUTE,
                text => text.parse().map_err(|_| {
                    ConsoleError::Invalid(
                        "Requests a minute: a whole number, 0 for no limit.".into(),
                    )
                })?,
            };
            let (row, key) = spine_core::services::api_keys::create_api_key(
                &state.store,
                &state.tenant,
                &session.actor(),
                &name,
                &KeyGrant {
                    scopes,
                    rate_per_minute,
                },
            )
            .await
            .map_err(service_error)?;
            Ok((row.name, key))
        }
        .await,
    )
}

#[server(endpoint = "revoke_key")]
pub async fn revoke_key(csrf: String, id: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::ManageApiKeys, &csrf)?;
            spine_core::services::api_keys::revoke_api_key(
                &state.store,
                &state.tenant,
                &session.actor(),
                &id,
            )
            .await
            .map_err(service_error)
        }
        .await,
    )
}

/// New thresholds, default phone region and conversation windows, as typed (parsed and
/// checked by the service).
#[server(endpoint = "update_settings")]
pub async fn update_settings(
    csrf: String,
    link_threshold: String,
    review_threshold: String,
    default_region: String,
    thread_window_hours: String,
    thread_reopen_hours: String,
    archive_after_days: String,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::settings::{MemorySettings, TenantSettings, update_tenant_settings};

    respond(
        async move {
            let (session, state) = require_change(Permission::ManageSettings, &csrf)?;
            let number = |raw: &str, label: &str| {
                raw.trim().parse::<f64>().map_err(|_| {
                    ConsoleError::Invalid(format!(
                        "{label}: write a number between 0 and 1, like 0.9."
                    ))
                })
            };
            let whole = |raw: &str, label: &str, unit: &str| {
                raw.trim().parse::<i32>().map_err(|_| {
                    ConsoleError::Invalid(format!("{label}: write a whole number of {unit}."))
                })
            };
            let new = TenantSettings {
                link_threshold: number(&link_threshold, "Link threshold")?,
                review_threshold: number(&review_threshold, "Review threshold")?,
                default_region,
                memory: MemorySettings {
                    thread_window_hours: whole(
                        &thread_window_hours,
                        "Continue a conversation within",
                        "hours",
                    )?,
                    thread_reopen_hours: whole(
                        &thread_reopen_hours,
                        "Reopen a resolved conversation within",
                        "hours",
                    )?,
                    archive_after_days: whole(
                        &archive_after_days,
                        "Archive resolved conversations after",
                        "days",
                    )?,
                },
            };
            update_tenant_settings(&state.store, &state.tenant, &session.actor(), &new)
                .await
                .map(|_| ())
                .map_err(service_error)
        }
        .await,
    )
}

/// Defines a custom field: a label, a kind (`text`, `number`, `date`, `yes_no`, `choice`) and,
/// for `choice`, the values to choose from (comma-separated).
#[server(endpoint = "define_custom_field")]
pub async fn define_custom_field(
    csrf: String,
    label: String,
    kind: String,
    #[server(default)] choices: String,
) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::ManageSettings, &csrf)?;
            let kind = crate::types::FieldKind::parse(&kind)
                .ok_or_else(|| ConsoleError::Invalid("Choose what the field holds.".into()))?;
            let choices: Vec<String> = choices.split(',').map(str::to_owned).collect();
            spine_core::services::custom_fields::define_field(
                &state.store,
                &state.tenant,
                &session.actor(),
                &label,
                kind,
                &choices,
            )
            .await
            .map(drop)
            .map_err(service_error)
        }
        .await,
    )
}

/// Deletes a custom field and every profile's value of it.
#[server(endpoint = "delete_custom_field")]
pub async fn delete_custom_field(csrf: String, key: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::ManageSettings, &csrf)?;
            spine_core::services::custom_fields::delete_field(
                &state.store,
                &state.tenant,
                &session.actor(),
                &key,
            )
            .await
            .map_err(service_error)
        }
        .await,
    )
}

/// The outbox page: the newest messages Spine sent (or, without a carrier, only logged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxView {
    pub now: DateTime<Utc>,
    pub messages: Vec<spine_core::types::OutboxMessage>,
}

#[server(endpoint = "get_outbox")]
pub async fn get_outbox() -> Result<OutboxView, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::outbox;

    respond(
        async move {
            let session = require_staff(Permission::ManageSettings)?;
            let state = state()?;
            let messages = outbox::recent_messages(&state.store, &state.tenant, &session.actor())
                .await
                .map_err(service_error)?;
            Ok(OutboxView {
                now: Utc::now(),
                messages,
            })
        }
        .await,
    )
}
