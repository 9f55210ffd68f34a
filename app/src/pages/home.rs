//! The home page: what the tenant's data looks like, and a quick search that works as you type.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::server_fns::{get_tenant_stats, search_customers};
use spine_core::types::{CustomerSummary, TenantStats};

#[component]
pub fn HomePage() -> impl IntoView {
    let stats = Resource::new(|| (), |_| get_tenant_stats());
    view! {
        <Title text="Home" />
        <section class="hero">
            <h1>"One person, one profile"</h1>
            <p class="lede">
                "Spine resolves every chat, email, SMS, WhatsApp, Instagram message, booking and order to the customer behind it."
            </p>
        </section>
        <Suspense fallback=|| view! { <p class="muted">"Loading counts…"</p> }>
            {move || Suspend::new(async move {
                match stats.await {
                    Ok(stats) => view! { <StatsGrid stats /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <QuickSearch />
    }
}

#[component]
fn StatsGrid(stats: TenantStats) -> impl IntoView {
    let cards = [
        ("Customers", stats.customers),
        ("Identities", stats.identities),
        ("Interactions", stats.interactions),
        ("Orders", stats.orders),
        ("Pending reviews", stats.pending_reviews),
    ];
    view! {
        <section class="panel" aria-labelledby="stats-title">
            <h2 id="stats-title">{stats.tenant_name}</h2>
            <dl class="stats">
                {cards
                    .into_iter()
                    .map(|(label, value)| view! {
                        <div class="stat">
                            <dt>{label}</dt>
                            <dd data-stat=label>{value}</dd>
                        </div>
                    })
                    .collect_view()}
            </dl>
        </section>
    }
}

#[component]
fn QuickSearch() -> impl IntoView {
    let (query, set_query) = signal(String::new());
    let results = Resource::new(
        move || query.get(),
        |q| async move {
            if q.trim().is_empty() {
                Ok(Vec::new())
            } else {
                search_customers(q).await
            }
        },
    );
    view! {
        <section class="panel" aria-labelledby="search-title">
            <h2 id="search-title">"Find a customer"</h2>
            <label class="field">
                <span>"Name, email or phone"</span>
                <input
                    type="search"
                    name="q"
                    autocomplete="off"
                    placeholder="e.g. Smith, ada@example.com, 916 555"
                    prop:value=query
                    on:input:target=move |ev| set_query.set(ev.target().value())
                />
            </label>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(rows) if rows.is_empty() && !query.get_untracked().trim().is_empty() => {
                            view! { <p class="muted" role="status">"No customer matches that yet."</p> }.into_any()
                        }
                        Ok(rows) => view! { <ResultList rows /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ResultList(rows: Vec<CustomerSummary>) -> impl IntoView {
    view! {
        <ul class="results" aria-live="polite">
            {rows
                .into_iter()
                .map(|c| {
                    let channels = c.channels.iter().map(|ch| ch.label()).collect::<Vec<_>>().join(" · ");
                    view! {
                        <li class="result">
                            <strong class="name">{c.display_name.unwrap_or_else(|| "(no name yet)".to_owned())}</strong>
                            <span class="muted">{c.email_masked.unwrap_or_default()}</span>
                            <span class="muted">{c.phone_masked.unwrap_or_default()}</span>
                            <span class="badge">{c.lifecycle_stage.to_string()}</span>
                            <span class="channels">{channels}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
