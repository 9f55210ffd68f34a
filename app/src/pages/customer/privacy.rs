//! The person's data (export, soft delete, restore, erase) and their "this is not me" disputes.

use leptos::prelude::*;
use uuid::Uuid;

use super::{Actions, action_error};

/// The person's data (admins): download it, hide the profile or show it again, erase it.
#[component]
pub(super) fn PrivacyPanel(id: Uuid, deleted: bool, csrf: String, actions: Actions) -> AnyView {
    let csrf_erase = csrf.clone();
    view! {
        <section class="panel privacy" aria-labelledby="privacy-title">
            <h2 id="privacy-title">"Data and privacy"</h2>
            <p>
                <a class="button" href=format!("/customers/{id}/export.json") download="" id="staff-export">
                    "Export data (JSON)"
                </a>
            </p>
            <ActionForm action=actions.deleted>
                <input type="hidden" name="csrf" value=csrf />
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="deleted" value=(!deleted).to_string() />
                <button type="submit" class="quiet">
                    {if deleted { "Restore profile" } else { "Delete profile (restorable)" }}
                </button>
            </ActionForm>
            {action_error(actions.deleted.value())}
            <details class="danger-zone">
                <summary>"Erase this person's data"</summary>
                <p class="muted">
                    "Removes their data from every table, including profiles merged into this one. Irreversible; the audit log keeps that it happened."
                </p>
                <ActionForm action=actions.erase>
                    <input type="hidden" name="csrf" value=csrf_erase />
                    <input type="hidden" name="id" value=id.to_string() />
                    <label class="field">
                        <span>"Type ERASE to confirm"</span>
                        <input type="text" name="confirm" autocomplete="off" required />
                    </label>
                    <button type="submit" class="danger">"Erase"</button>
                </ActionForm>
                {action_error(actions.erase.value())}
            </details>
        </section>
    }
    .into_any()
}

/// "This is not me": identifiers the customer disputed on their own page, with the decision.
#[component]
pub(super) fn Disputes(
    list: Vec<crate::types::Dispute>,
    csrf: String,
    actions: Actions,
) -> AnyView {
    let rows = list
        .into_iter()
        .map(|d| {
            let item = d.item_id.to_string();
            let (csrf_unlink, csrf_keep, item_keep) = (csrf.clone(), csrf.clone(), item.clone());
            view! {
                <li class="dispute">
                    <p>
                        "The customer says the " {d.kind} " " <strong>{d.value}</strong> " is not theirs."
                    </p>
                    <div class="actions">
                        <ActionForm action=actions.dispute attr:class="inline">
                            <input type="hidden" name="csrf" value=csrf_unlink />
                            <input type="hidden" name="item" value=item />
                            <input type="hidden" name="unlink" value="true" />
                            <button type="submit" class="small">"Unlink it"</button>
                        </ActionForm>
                        <ActionForm action=actions.dispute attr:class="inline">
                            <input type="hidden" name="csrf" value=csrf_keep />
                            <input type="hidden" name="item" value=item_keep />
                            <input type="hidden" name="unlink" value="false" />
                            <button type="submit" class="small quiet">"Keep it"</button>
                        </ActionForm>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel disputes" id="disputes" aria-labelledby="disputes-title">
            <h2 id="disputes-title">"Disputed by the customer"</h2>
            <ul class="dispute-list">{rows}</ul>
            {action_error(actions.dispute.value())}
        </section>
    }
    .into_any()
}
