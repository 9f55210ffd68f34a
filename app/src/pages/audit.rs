//! `/audit`: who did what, newest first, filtered by actor, action, customer and dates (all in
//! the query string, so a filtered view can be shared), with each entry's before and after.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::location::Url;

use crate::server_fns::admin::{AuditEntryView, AuditQuery, search_audit_log};

#[component]
pub fn AuditPage() -> AnyView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| AuditQuery {
            actor: q.get("actor").unwrap_or_default(),
            action: q.get("action").unwrap_or_default(),
            customer: q.get("customer").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0),
        })
    });
    let page = Resource::new(move || query.get(), search_audit_log);
    let link = move |to_page: u32| {
        let q = query.get();
        let mut url = format!(
            "/audit?actor={}&action={}&customer={}&from={}&to={}",
            Url::escape(&q.actor),
            Url::escape(&q.action),
            Url::escape(&q.customer),
            Url::escape(&q.from),
            Url::escape(&q.to)
        );
        if to_page > 0 {
            url.push_str(&format!("&page={to_page}"));
        }
        url
    };
    view! {
        <Title text="Audit log" />
        <section class="panel" aria-labelledby="audit-title">
            <h1 id="audit-title">"Audit log"</h1>
            <form method="get" action="/audit" class="filters">
                <label class="field">
                    <span>"Actor"</span>
                    <input type="text" name="actor" placeholder="admin@demo.spine.local" value=move || query.get().actor />
                </label>
                <label class="field">
                    <span>"Action"</span>
                    <select name="action">
                        <option value="">"Any"</option>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                let chosen = query.get_untracked().action;
                                page.await
                                    .map(|p| p.actions)
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|a| {
                                        let selected = a == chosen;
                                        let label = a.clone();
                                        view! { <option value=a selected=selected>{label}</option> }
                                    })
                                    .collect_view()
                            })}
                        </Suspense>
                    </select>
                </label>
                <label class="field">
                    <span>"Customer id"</span>
                    <input type="text" name="customer" value=move || query.get().customer />
                </label>
                <label class="field">
                    <span>"From"</span>
                    <input type="date" name="from" value=move || query.get().from />
                </label>
                <label class="field">
                    <span>"To"</span>
                    <input type="date" name="to" value=move || query.get().to />
                </label>
                <div class="actions">
                    <button type="submit">"Filter"</button>
                    <a href="/audit" class="button quiet">"Clear"</a>
                </div>
            </form>
        </section>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) if p.entries.is_empty() => view! {
                        <section class="panel hint-panel" role="status">
                            <h2>"No entries match"</h2>
                            <p class="muted">"Widen the dates or clear a filter."</p>
                        </section>
                    }
                    .into_any(),
                    Ok(p) => {
                        let current = query.get_untracked().page;
                        view! {
                            <ol class="audit-list">
                                {p.entries.into_iter().map(|e| view! { <AuditEntry entry=e /> }).collect_view()}
                            </ol>
                            <nav class="pager" aria-label="Pages">
                                {(current > 0).then(|| view! { <a href=link(current - 1) class="button quiet">"Newer"</a> })}
                                <span class="muted">"Page " {current + 1}</span>
                                {p.has_more.then(|| view! { <a href=link(current + 1) class="button quiet">"Older"</a> })}
                            </nav>
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
fn AuditEntry(entry: AuditEntryView) -> AnyView {
    let state = |label: &'static str, value: Option<String>| {
        value.map(|v| {
            view! {
                <div class="audit-state">
                    <h3>{label}</h3>
                    <pre>{v}</pre>
                </div>
            }
        })
    };
    let has_raw = entry.before.is_some() || entry.after.is_some();
    let changes = (!entry.changes.is_empty()).then(|| {
        let rows = entry
            .changes
            .into_iter()
            .map(|c| {
                let cell = |v: Option<String>| match v {
                    Some(v) => view! { <td>{v}</td> }.into_any(),
                    None => view! { <td class="muted">"—"</td> }.into_any(),
                };
                view! {
                    <tr>
                        <th scope="row">{c.field}</th>
                        {cell(c.before)}
                        {cell(c.after)}
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="data-table audit-changes">
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    view! {
        <li class="panel audit-entry">
            <div class="audit-head">
                <time datetime=entry.at.to_rfc3339()>{entry.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</time>
                <strong class="audit-action">{entry.action}</strong>
                <span class="audit-actor">{entry.actor}</span>
                <span class="muted">{entry.entity}</span>
                {entry.customer_id.map(|c| view! { <a href=format!("/customers/{c}")>"customer"</a> })}
                {entry.ip.map(|ip| view! { <span class="muted">"from " {ip}</span> })}
            </div>
            {changes}
            {has_raw.then(|| view! {
                <details class="audit-raw">
                    <summary>"As recorded"</summary>
                    <div class="audit-states">
                        {state("Before", entry.before)}
                        {state("After", entry.after)}
                    </div>
                </details>
            })}
        </li>
    }
    .into_any()
}
