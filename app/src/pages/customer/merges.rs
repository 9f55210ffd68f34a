//! Possible duplicates, the "merge with another profile" box and merge history with undo.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use uuid::Uuid;

use super::{Actions, action_error, muted, when};
use crate::types::{DuplicateCandidate, MergeRecord, MergeSearch};

#[component]
pub(super) fn Duplicates(id: Uuid, list: Vec<DuplicateCandidate>, can_merge: bool) -> AnyView {
    let empty = list.is_empty();
    let items = list
        .into_iter()
        .map(|d| {
            let other = d.customer.id;
            let name = d
                .customer
                .display_name
                .clone()
                .unwrap_or_else(|| "(no name yet)".to_owned());
            let agreed = d
                .agreed
                .iter()
                .map(|a| format!("{} {}", a.comparison.replace('_', " "), a.level))
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <li class="duplicate">
                    <a href=format!("/customers/{other}") class="dup-name">{name}</a>
                    <span class="score" title="The engine's confidence that these are one person">
                        {format!("{:.0}%", d.score * 100.0)}
                    </span>
                    <span class="dup-ids">
                        {d.customer.email_masked.clone()} " " {d.customer.phone_masked.clone()}
                    </span>
                    <span class="agreed">{if agreed.is_empty() { String::new() } else { format!("Agreed: {agreed}") }}</span>
                    {can_merge.then(|| view! {
                        <a class="button small" href=format!("/customers/{id}/merge/{other}")>
                            "Compare and merge"
                        </a>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel duplicates" aria-labelledby="duplicates-title">
            <h2 id="duplicates-title">"Possible duplicates"</h2>
            {if empty {
                muted("The engine sees no other profile for this person.")
            } else {
                view! { <ul class="duplicate-list">{items}</ul> }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// Admins pick any other active profile to merge into this one: a plain GET form (`merge_q`),
/// answered by the page's own data call, each result opening the side-by-side merge page.
#[component]
pub(super) fn MergeBox(id: Uuid, search: Option<MergeSearch>) -> AnyView {
    let query = search.as_ref().map(|s| s.query.clone()).unwrap_or_default();
    let results = search.map(|s| {
        if let Some(error) = s.error {
            return view! { <p class="error" role="alert">{error}</p> }.into_any();
        }
        if s.query.is_empty() {
            return muted("Type a name, email, phone or order number.");
        }
        if s.customers.is_empty() {
            return muted("No other profile matches.");
        }
        let items = s
            .customers
            .into_iter()
            .map(|c| {
                let other = c.id;
                let name = c
                    .display_name
                    .clone()
                    .unwrap_or_else(|| "(no name yet)".to_owned());
                view! {
                    <li class="merge-candidate">
                        <a href=format!("/customers/{other}") class="dup-name">{name}</a>
                        <span class="dup-ids">
                            {c.email_masked.clone()} " " {c.phone_masked.clone()}
                        </span>
                        <a class="button small" href=format!("/customers/{id}/merge/{other}")>
                            "Compare and merge"
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="duplicate-list merge-results">{items}</ul> }.into_any()
    });
    view! {
        <section class="panel merge-box" aria-labelledby="merge-box-title">
            <h2 id="merge-box-title">"Merge with another profile"</h2>
            <form method="get" action=format!("/customers/{id}") role="search" class="merge-search">
                <label for="merge-q" class="visually-hidden">"Find the other profile"</label>
                <input
                    type="search"
                    id="merge-q"
                    name="merge_q"
                    value=query
                    autocomplete="off"
                    maxlength="200"
                    placeholder="Name, email, phone…"
                />
                <button type="submit" class="small">"Find"</button>
            </form>
            {results}
        </section>
    }
    .into_any()
}

#[component]
pub(super) fn Merges(
    list: Vec<MergeRecord>,
    can_merge: bool,
    csrf: String,
    actions: Actions,
    now: DateTime<Utc>,
) -> AnyView {
    let empty = list.is_empty();
    let undo = actions.undo;
    let items = list
        .into_iter()
        .map(|m| {
            let other = if m.survived {
                m.absorbed_id
            } else {
                m.survivor_id
            };
            let other_name = m
                .other_name
                .clone()
                .unwrap_or_else(|| "a profile without a name".to_owned());
            let what = if m.survived {
                "Absorbed "
            } else {
                "Merged into "
            };
            let state = match (&m.undone_at, &m.undone_by) {
                (Some(at), by) => view! {
                    <span class="undone">
                        "Undone " {when(*at, now)} {by.clone().map(|b| format!(" by {b}"))}
                    </span>
                }
                .into_any(),
                (None, _) if can_merge => {
                    let csrf = csrf.clone();
                    view! {
                        <ActionForm action=undo attr:class="undo-form">
                            <input type="hidden" name="merge_id" value=m.id.to_string() />
                            <input type="hidden" name="csrf" value=csrf />
                            <button type="submit" class="danger small">"Undo merge"</button>
                        </ActionForm>
                    }
                    .into_any()
                }
                (None, _) => ().into_any(),
            };
            view! {
                <li class="merge" class:is-undone=m.undone_at.is_some()>
                    <p>
                        {what}
                        <a href=format!("/customers/{other}")>{other_name}</a>
                    </p>
                    <p class="muted">"by " {m.actor.clone()} ", " {when(m.created_at, now)}</p>
                    {state}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel merges" aria-labelledby="merges-title">
            <h2 id="merges-title">"Merge history"</h2>
            {if empty {
                muted("No merges.")
            } else {
                view! { <ul class="merge-list">{items}</ul> }.into_any()
            }}
            {action_error(undo.value())}
        </section>
    }
    .into_any()
}
