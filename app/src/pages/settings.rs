//! `/settings` (admin): staff accounts, API keys (a new key is shown once), the match thresholds,
//! the default phone region and the conversation windows. Lists refresh after each change (the resource is keyed on the
//! actions' versions); a failed change shows its message beside the form that failed.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::format::relative_time;
use crate::server_fns::admin::{
    CreateKey, CreateStaff, DefineCustomField, DeleteCustomField, DisableStaff, RevokeKey,
    SettingsView, UpdateSettings, get_settings,
};
use crate::types::{CustomField, FieldKind};

fn error_of<T: Clone + Send + Sync + 'static>(
    value: impl Fn() -> Option<Result<T, crate::error::ConsoleError>> + Send + Sync + 'static,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static {
    move || {
        value()
            .and_then(Result::err)
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any())
    }
}

#[component]
pub fn SettingsPage() -> AnyView {
    let create_staff = ServerAction::<CreateStaff>::new();
    let disable_staff = ServerAction::<DisableStaff>::new();
    let create_key = ServerAction::<CreateKey>::new();
    let revoke_key = ServerAction::<RevokeKey>::new();
    let update = ServerAction::<UpdateSettings>::new();
    let define = ServerAction::<DefineCustomField>::new();
    let delete = ServerAction::<DeleteCustomField>::new();
    let settings = Resource::new(
        move || {
            (
                create_staff.version().get(),
                disable_staff.version().get(),
                create_key.version().get(),
                revoke_key.version().get(),
                update.version().get() + define.version().get() + delete.version().get(),
            )
        },
        |_| get_settings(),
    );
    view! {
        <Title text="Settings" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => {
                        let (fields, csrf) = (s.custom_fields.clone(), s.csrf.clone());
                        view! {
                            <Settings s create_staff disable_staff create_key revoke_key update />
                            <CustomFields fields csrf define delete />
                        }
                        .into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn Settings(
    s: SettingsView,
    create_staff: ServerAction<CreateStaff>,
    disable_staff: ServerAction<DisableStaff>,
    create_key: ServerAction<CreateKey>,
    revoke_key: ServerAction<RevokeKey>,
    update: ServerAction<UpdateSettings>,
) -> AnyView {
    let now = s.now;
    let csrf = s.csrf.clone();
    let users = s
        .users
        .into_iter()
        .map(|u| {
            let csrf = csrf.clone();
            let (email, role) = (u.email.clone(), u.role.clone());
            view! {
                <tr class:disabled=u.disabled>
                    <td>{u.name}</td>
                    <td>{u.email.clone()}</td>
                    <td><span class="role-badge" data-role=role>{u.role}</span></td>
                    <td>{relative_time(u.created_at, now)}</td>
                    <td>
                        {if u.disabled {
                            view! { <span class="muted">"disabled"</span> }.into_any()
                        } else {
                            view! {
                                <ActionForm action=disable_staff>
                                    <input type="hidden" name="csrf" value=csrf />
                                    <input type="hidden" name="email" value=email.clone() />
                                    <button type="submit" class="quiet" aria-label=format!("Disable {email}")>"Disable"</button>
                                </ActionForm>
                            }
                            .into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let keys = s
        .api_keys
        .into_iter()
        .map(|k| {
            let csrf = csrf.clone();
            let (key_id, key_name) = (k.id.to_string(), k.name.clone());
            view! {
                <tr class:disabled=k.revoked>
                    <td>{k.name.clone()}</td>
                    <td><code>{k.prefix}"…"</code></td>
                    <td class="key-scopes">{k.scopes.clone()}</td>
                    <td>{if k.rate_per_minute == 0 { "no limit".to_owned() } else { format!("{}/min", k.rate_per_minute) }}</td>
                    <td>{relative_time(k.created_at, now)}</td>
                    <td>{k.last_used_at.map_or_else(|| "never".to_owned(), |at| relative_time(at, now))}</td>
                    <td>
                        {if k.revoked {
                            view! { <span class="muted">"revoked"</span> }.into_any()
                        } else {
                            view! {
                                <ActionForm action=revoke_key>
                                    <input type="hidden" name="csrf" value=csrf />
                                    <input type="hidden" name="id" value=key_id.clone() />
                                    <button type="submit" class="quiet" aria-label=format!("Revoke {key_name}")>"Revoke"</button>
                                </ActionForm>
                            }
                            .into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let new_key = move || {
        create_key.value().get().and_then(Result::ok).map(|(name, key)| {
            view! {
                <div class="new-key" role="status">
                    <p>"The key " <strong>{name}</strong> " — copy it now, it is not shown again:"</p>
                    <code class="secret">{key}</code>
                </div>
            }
        })
    };
    let user_created = move || {
        create_staff
            .value()
            .get()
            .and_then(Result::ok)
            .map(|email| view! { <p class="ok" role="status">"Created " {email} "."</p> })
    };
    let (csrf_user, csrf_key, csrf_settings) = (csrf.clone(), csrf.clone(), csrf);
    let saved = move || {
        update
            .value()
            .get()
            .and_then(Result::ok)
            .map(|_| view! { <p class="ok" role="status">"Settings saved."</p> })
    };
    view! {
        <section class="panel" aria-labelledby="users-title">
            <h1 id="users-title">"Staff"</h1>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Created"</th><th></th></tr></thead>
                    <tbody>{users}</tbody>
                </table>
            </div>
            {error_of(move || disable_staff.value().get())}
            <h2>"Add a staff member"</h2>
            <ActionForm action=create_staff attr:class="inline-form">
                <input type="hidden" name="csrf" value=csrf_user.clone() />
                <label class="field"><span>"Name"</span><input type="text" name="name" required /></label>
                <label class="field"><span>"Email"</span><input name="email" type="email" required /></label>
                <label class="field">
                    <span>"Role"</span>
                    <select name="role">
                        <option value="agent">"Agent"</option>
                        <option value="manager">"Manager"</option>
                        <option value="admin">"Admin"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"Password"</span>
                    <input name="password" type="password" autocomplete="new-password" minlength="10" required />
                </label>
                <button type="submit">"Add"</button>
            </ActionForm>
            {error_of(move || create_staff.value().get())}
            {user_created}
        </section>
        <section class="panel" aria-labelledby="keys-title">
            <h2 id="keys-title">"API keys"</h2>
            <div class="table-wrap">
                <table class="data-table">
                    <thead><tr><th>"Name"</th><th>"Key"</th><th>"Scopes"</th><th>"Rate"</th><th>"Created"</th><th>"Last used"</th><th></th></tr></thead>
                    <tbody>{keys}</tbody>
                </table>
            </div>
            {error_of(move || revoke_key.value().get())}
            <ActionForm action=create_key attr:class="inline-form">
                <input type="hidden" name="csrf" value=csrf_key.clone() />
                <label class="field"><span>"Key name"</span><input type="text" name="name" placeholder="shopify-sync" required /></label>
                <fieldset class="scopes">
                    <legend>"May"</legend>
                    <label><input type="checkbox" name="ingest" checked /> " send events"</label>
                    <label><input type="checkbox" name="read" checked /> " read profiles"</label>
                    <label><input type="checkbox" name="manage" /> " change profiles and merge"</label>
                    <label><input type="checkbox" name="privacy" /> " export and erase"</label>
                </fieldset>
                <label class="field"><span>"Requests a minute"</span><input type="number" name="rate_per_minute" min="0" value="1200" title="0: no limit" /></label>
                <button type="submit">"Create key"</button>
            </ActionForm>
            {error_of(move || create_key.value().get())}
            {new_key}
        </section>
        <section class="panel" aria-labelledby="matching-title">
            <h2 id="matching-title">"Matching"</h2>
            <p class="muted">
                "At or above the link threshold Spine links a conversation to a profile on its own; between the two thresholds it asks a person (the review queue); below, it creates a new profile."
            </p>
            <ActionForm action=update attr:class="inline-form">
                <input type="hidden" name="csrf" value=csrf_settings.clone() />
                <label class="field">
                    <span>"Link threshold"</span>
                    <input type="text" name="link_threshold" inputmode="decimal" value=s.link_threshold.to_string() />
                </label>
                <label class="field">
                    <span>"Review threshold"</span>
                    <input type="text" name="review_threshold" inputmode="decimal" value=s.review_threshold.to_string() />
                </label>
                <label class="field">
                    <span>"Default phone region"</span>
                    <input type="text" name="default_region" maxlength="2" value=s.default_region />
                </label>
                <h3 class="form-break">"Conversations"</h3>
                <p class="muted form-break">
                    "A message continues the customer's conversation on the same topic within the first window, on any channel. A resolved conversation is reopened by a message about one of its orders or bookings within the second. Resolved conversations are archived after the given days: their summary stays in the context, their full text is kept for reading on demand. 0 turns reopening or archiving off."
                </p>
                <label class="field">
                    <span>"Continue within (hours)"</span>
                    <input type="text" name="thread_window_hours" inputmode="numeric" value=s.thread_window_hours.to_string() />
                </label>
                <label class="field">
                    <span>"Reopen within (hours)"</span>
                    <input type="text" name="thread_reopen_hours" inputmode="numeric" value=s.thread_reopen_hours.to_string() />
                </label>
                <label class="field">
                    <span>"Archive after (days)"</span>
                    <input type="text" name="archive_after_days" inputmode="numeric" value=s.archive_after_days.to_string() />
                </label>
                <button type="submit">"Save"</button>
            </ActionForm>
            {error_of(move || update.value().get())}
            {saved}
        </section>
    }
    .into_any()
}

/// The tenant's custom fields: each with its kind and choices, a delete button, and a form to
/// define another.
#[component]
fn CustomFields(
    fields: Vec<CustomField>,
    csrf: String,
    define: ServerAction<DefineCustomField>,
    delete: ServerAction<DeleteCustomField>,
) -> AnyView {
    let rows = fields
        .into_iter()
        .map(|f| {
            let csrf = csrf.clone();
            let label = format!("Delete the field {}", f.label);
            view! {
                <tr>
                    <td>{f.label.clone()}</td>
                    <td><code>{f.key.clone()}</code></td>
                    <td>{f.kind.label()}</td>
                    <td>{f.choices.join(", ")}</td>
                    <td>
                        <ActionForm action=delete>
                            <input type="hidden" name="csrf" value=csrf />
                            <input type="hidden" name="key" value=f.key.clone() />
                            <button type="submit" class="quiet" aria-label=label>"Delete"</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let kinds = FieldKind::ALL
        .iter()
        .map(|k| view! { <option value=k.as_str()>{k.label()}</option> })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="fields-title">
            <h2 id="fields-title">"Custom fields"</h2>
            <p class="muted">
                "Your own facts about a customer (allergies, loyalty tier), shown and edited on the customer page, set by the API, events and imports (a column mapped to "
                <code>"custom:KEY"</code>"), filtered in lists and exported. Deleting a field deletes its values."
            </p>
            <table class="data-table">
                <thead><tr><th>"Name"</th><th>"Key"</th><th>"Holds"</th><th>"Choices"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <ActionForm action=define attr:class="inline-form">
                <input type="hidden" name="csrf" value=csrf.clone() />
                <label class="field inline"><span>"Field name"</span><input name="label" required maxlength="60" placeholder="Loyalty tier" /></label>
                <label class="field inline"><span>"Holds"</span><select name="kind">{kinds}</select></label>
                <label class="field inline grow"><span>"Choices (for one of a list, comma-separated)"</span><input name="choices" placeholder="Bronze, Silver, Gold" /></label>
                <button type="submit">"Create field"</button>
            </ActionForm>
            {error_of(move || define.value().get())}
            {error_of(move || delete.value().get())}
        </section>
    }
    .into_any()
}
