//! Two profiles side by side before a merge, written once for the review item page and the
//! manual merge page (`/customers/{a}/merge/{b}`): each field's agreement highlighted, and for a
//! conflicting field a radio per side choosing the value that survives.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::server_fns::review::{Comparison, FieldRow, MergePair, SideView, get_manual_merge};

/// The comparison table; the radios (`choices[field]`) belong to the form around it.
#[component]
pub fn MergeSides(comparison: Comparison) -> AnyView {
    let Comparison {
        survivor,
        absorbed,
        fields,
    } = comparison;
    let rows = fields
        .into_iter()
        .map(|f| view! { <FieldLine field=f /> })
        .collect_view();
    view! {
        <div class="merge-table-wrap">
            <table class="merge-table">
                <caption class="sr-only">"The two profiles, field by field"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Field"</th>
                        <th scope="col">
                            <a href=format!("/customers/{}", survivor.id)>{survivor.name.clone()}</a>
                            <span class="side-note">"stays"</span>
                        </th>
                        <th scope="col">
                            <a href=format!("/customers/{}", absorbed.id)>{absorbed.name.clone()}</a>
                            <span class="side-note">"merged into it"</span>
                        </th>
                        <th scope="col">"Agreement"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows}
                    <tr class="identities-row">
                        <th scope="row">"Identities"</th>
                        <td><Identities side=survivor.clone() /></td>
                        <td><Identities side=absorbed.clone() /></td>
                        <td>"all kept"</td>
                    </tr>
                </tbody>
            </table>
        </div>
        <p class="hint">
            "Identities, tags and the whole timeline move to the profile that stays. A merge can be undone from that profile's page."
        </p>
    }
    .into_any()
}

#[component]
fn FieldLine(field: FieldRow) -> AnyView {
    let agreement = field.agreement.as_str();
    let cell = |value: Option<String>, side: &'static str| {
        let text = value.unwrap_or_default();
        let empty = text.is_empty();
        if field.conflict {
            let id = format!("choice-{}-{side}", field.name);
            view! {
                <td class="value">
                    <input
                        type="radio"
                        id=id.clone()
                        name=format!("choices[{}]", field.name)
                        value=side
                        checked=side == "survivor"
                    />
                    <label for=id>{text}</label>
                </td>
            }
            .into_any()
        } else {
            view! {
                <td class="value" class:empty=empty>
                    {if empty { "—".to_owned() } else { text }}
                </td>
            }
            .into_any()
        }
    };
    view! {
        <tr class=format!("field-row agree-{agreement}") data-field=field.name.clone()>
            <th scope="row">{field.label.clone()}</th>
            {cell(field.survivor.clone(), "survivor")}
            {cell(field.absorbed.clone(), "absorbed")}
            <td>
                <span class=format!("agreement agreement-{agreement}")>{agreement}</span>
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn Identities(side: SideView) -> impl IntoView {
    if side.identities.is_empty() {
        // A provisional profile (an ambiguous sender's) holds its details as fields only
        // until a person decides where they belong.
        return view! {
            <span class="muted" title="Its email and phone above are not linked as identities">
                "none linked"
            </span>
        }
        .into_any();
    }
    view! {
        <ul class="identity-list">
            {side
                .identities
                .into_iter()
                .map(|i| view! {
                    <li>
                        <span class="badge">{i.kind}</span>
                        " "
                        <span>{i.value}</span>
                        {(!i.provider.is_empty()).then(|| view! { <span class="muted">" · " {i.provider}</span> })}
                    </li>
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// `/customers/{a}/merge/{b}`: merge `b` into `a` by hand, after the same side-by-side check.
#[component]
pub fn ManualMergePage() -> AnyView {
    let params = use_params_map();
    let ids = move || {
        params.with(|p| {
            (
                p.get("id").unwrap_or_default(),
                p.get("other").unwrap_or_default(),
            )
        })
    };
    let preview = Resource::new(ids, |(a, b)| get_manual_merge(a, b));
    let merge = ServerAction::<MergePair>::new();
    let failed = move || {
        merge
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <Title text="Merge customers" />
        <section class="panel merge-panel" aria-labelledby="merge-title">
            <h1 id="merge-title">"Merge two customers"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(view) => {
                            let (survivor, absorbed) = (view.comparison.survivor.id, view.comparison.absorbed.id);
                            view! {
                                <ActionForm action=merge attr:class="merge-form">
                                    <input type="hidden" name="csrf" value=view.csrf />
                                    <input type="hidden" name="survivor" value=survivor.to_string() />
                                    <input type="hidden" name="absorbed" value=absorbed.to_string() />
                                    <MergeSides comparison=view.comparison />
                                    <div class="actions">
                                        <button type="submit">"Merge"</button>
                                        <a class="button quiet" href=format!("/customers/{survivor}")>"Cancel"</a>
                                    </div>
                                </ActionForm>
                            }
                            .into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {failed}
        </section>
    }
    .into_any()
}
