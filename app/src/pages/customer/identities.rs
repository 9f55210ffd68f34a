//! The profile's identities, and changing them by hand: adding one (agents and admins), marking
//! an address or number verified and moving one to another profile (admins), with the changes
//! made so far and their undo.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::{Actions, action_error, when};
use crate::types::{CustomerProfile, IdentityAction, IdentityEdit, IdentityView};

/// What the signed-in person may change here.
#[derive(Debug, Clone, Copy)]
pub(super) struct IdentityAccess {
    /// Add identifiers, and undo an addition.
    pub add: bool,
    /// Verify and unlink, and undo those.
    pub manage: bool,
}

#[component]
pub(super) fn Identities(
    profile: CustomerProfile,
    edits: Vec<IdentityEdit>,
    now: DateTime<Utc>,
    access: IdentityAccess,
    csrf: String,
    actions: Actions,
) -> AnyView {
    let customer = profile.id;
    let empty = profile.identities.is_empty();
    let rows = profile
        .identities
        .into_iter()
        .map(|i| identity_row(customer, i, now, access, &csrf, actions))
        .collect_view();
    let add = access
        .add
        .then(|| view! { <AddIdentifier customer csrf=csrf.clone() actions /> });
    let changes = (!edits.is_empty()).then(|| {
        let items = edits
            .into_iter()
            .map(|e| edit_item(customer, e, now, access, &csrf, actions))
            .collect_view();
        view! {
            <h3 class="edits-title">"Changed by hand"</h3>
            <ul class="identity-edits">{items}</ul>
        }
    });
    view! {
        <section class="panel identities" aria-labelledby="identities-title">
            <h2 id="identities-title">"Identities"</h2>
            {if empty {
                view! { <p class="muted">"No identifier yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"Provider"</th>
                                    <th scope="col">"Value"</th>
                                    <th scope="col">"Confidence"</th>
                                    <th scope="col" title="How Spine learned it: claimed by the sender, entered by staff, asserted by the channel, or verified by the customer. Only asserted and verified addresses and numbers can receive a sign-in code.">"Learned"</th>
                                    <th scope="col">"First seen"</th>
                                    <th scope="col">"Last seen"</th>
                                    {access.manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Move"</span></th> })}
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            {action_error(actions.verify.value())}
            {action_error(actions.unlink.value())}
            {add}
            {changes}
            {action_error(actions.undo_edit.value())}
        </section>
    }
    .into_any()
}

fn identity_row(
    customer: uuid::Uuid,
    i: IdentityView,
    now: DateTime<Utc>,
    access: IdentityAccess,
    csrf: &str,
    actions: Actions,
) -> AnyView {
    let assurance = i.assurance;
    // Admins can vouch for an address or number that cannot sign in yet.
    let verify = (access.manage
        && matches!(i.kind.as_str(), "email" | "phone")
        && !assurance.can_sign_in())
    .then(|| {
        let label = format!("Mark {} verified", i.value);
        let asks = format!("How you checked {}", i.value);
        let csrf = csrf.to_owned();
        view! {
            <ActionForm action=actions.verify attr:class="inline verify-form">
                <input type="hidden" name="id" value=customer.to_string() />
                <input type="hidden" name="identity" value=i.id.to_string() />
                <input type="hidden" name="csrf" value=csrf />
                <input type="text" name="reason" required maxlength="500" placeholder="How you checked" aria-label=asks />
                <button type="submit" class="quiet" aria-label=label>"Mark verified"</button>
            </ActionForm>
        }
    });
    let unlink = access.manage.then(|| {
        let summary = format!("Move {} to another profile", i.value);
        let reason = format!("Why {} is not this person's", i.value);
        let other = format!("The profile to move {} to", i.value);
        let csrf = csrf.to_owned();
        view! {
            <td class="unlink-cell">
                <details class="unlink">
                    <summary aria-label=summary>"Unlink"</summary>
                    <ActionForm action=actions.unlink attr:class="unlink-form">
                        <input type="hidden" name="id" value=customer.to_string() />
                        <input type="hidden" name="identity" value=i.id.to_string() />
                        <input type="hidden" name="csrf" value=csrf />
                        <fieldset>
                            <legend>"Move it to"</legend>
                            <label class="choice">
                                <input type="radio" name="to" value="new" checked />
                                " a new profile of its own"
                            </label>
                            <label class="choice">
                                <input type="radio" name="to" value="other" />
                                " this profile: "
                            </label>
                            <input type="text" name="other" maxlength="200" placeholder="Its id or page address" aria-label=other />
                        </fieldset>
                        <input type="text" name="reason" required maxlength="500" placeholder="Why it is not theirs" aria-label=reason />
                        <button type="submit" class="danger small">"Move it"</button>
                    </ActionForm>
                </details>
            </td>
        }
    });
    view! {
        <tr>
            <td>{i.kind}</td>
            <td>{if i.provider.is_empty() { "—".to_owned() } else { i.provider }}</td>
            <td class="identity-value">{i.value}</td>
            <td>{format!("{:.0}%", i.confidence * 100.0)}</td>
            <td class=format!("assurance {}", assurance.as_str()) title=assurance.label()>
                {assurance.as_str()}
                {verify}
            </td>
            <td>{when(i.first_seen_at, now)}</td>
            <td>{when(i.last_seen_at, now)}</td>
            {unlink}
        </tr>
    }
    .into_any()
}

#[component]
fn AddIdentifier(customer: uuid::Uuid, csrf: String, actions: Actions) -> AnyView {
    let add = actions.add_identity;
    // The form is drawn afresh (empty) after each identifier added, and keeps what was typed
    // when adding failed.
    let stored = successes!(add);
    view! {
        <details class="add-identifier">
            <summary>"Add an identifier"</summary>
            {move || {
                stored.track();
                let csrf = csrf.clone();
                view! {
                    <ActionForm action=add attr:class="add-identifier-form">
                        <input type="hidden" name="id" value=customer.to_string() />
                        <input type="hidden" name="csrf" value=csrf />
                        <label class="field">
                            <span>"Kind"</span>
                            <select name="kind">
                                <option value="email">"Email"</option>
                                <option value="phone">"Phone"</option>
                                <option value="handle">"Social handle"</option>
                                <option value="external_id">"External id"</option>
                            </select>
                        </label>
                        <label class="field">
                            <span>"Platform or system"</span>
                            <input type="text" name="provider" maxlength="64" placeholder="instagram, shopify… (handles and ids)" />
                        </label>
                        <label class="field">
                            <span>"Identifier"</span>
                            <input type="text" name="value" required maxlength="320" />
                        </label>
                        <label class="field">
                            <span>"Reason"</span>
                            <input type="text" name="reason" required maxlength="500" placeholder="How you learned it" />
                        </label>
                        <button type="submit" class="primary small">"Add identifier"</button>
                    </ActionForm>
                }
            }}
            {action_error(add.value())}
            <p class="hint">
                "Added by staff, it counts for matching but receives no sign-in code unless an admin marks it verified."
            </p>
        </details>
    }
    .into_any()
}

fn edit_item(
    customer: uuid::Uuid,
    edit: IdentityEdit,
    now: DateTime<Utc>,
    access: IdentityAccess,
    csrf: &str,
    actions: Actions,
) -> AnyView {
    let what = format!("{} {}", edit.kind.replace('_', " "), edit.value);
    let action = match edit.action {
        IdentityAction::Added => "Added",
        IdentityAction::Verified => "Verified",
        IdentityAction::Unlinked if edit.customer_id == customer => "Moved away",
        IdentityAction::Unlinked => "Moved here",
    };
    // The other profile of a move: where it went, or where it came from.
    let other = match edit.action {
        IdentityAction::Unlinked if edit.customer_id == customer => {
            edit.other_customer_id.map(|o| {
                (
                    if edit.new_profile {
                        "to a new profile"
                    } else {
                        "to another profile"
                    },
                    o,
                )
            })
        }
        IdentityAction::Unlinked => Some(("from another profile", edit.customer_id)),
        _ => None,
    }
    .map(|(text, id)| view! { " " <a href=format!("/customers/{id}")>{text}</a> });
    let allowed = match edit.action {
        IdentityAction::Added => access.add,
        _ => access.manage,
    };
    let status = match (&edit.undone_at, allowed) {
        (Some(at), _) => view! {
            <span class="undone">
                "Undone " {when(*at, now)} {edit.undone_by.clone().map(|b| format!(" by {b}"))}
            </span>
        }
        .into_any(),
        (None, true) => {
            let label = format!("Undo: {} {what}", action.to_lowercase());
            let csrf = csrf.to_owned();
            view! {
                <ActionForm action=actions.undo_edit attr:class="inline">
                    <input type="hidden" name="edit" value=edit.id.to_string() />
                    <input type="hidden" name="csrf" value=csrf />
                    <button type="submit" class="quiet small" aria-label=label>"Undo change"</button>
                </ActionForm>
            }
            .into_any()
        }
        (None, false) => ().into_any(),
    };
    view! {
        <li class="identity-edit" class:is-undone=edit.undone_at.is_some()>
            <span class="edit-what"><strong>{action}</strong> " " {what} {other}</span>
            <span class="edit-who">{edit.actor} ", " {when(edit.created_at, now)}</span>
            <span class="edit-reason">"“" {edit.reason} "”"</span>
            {status}
        </li>
    }
    .into_any()
}
