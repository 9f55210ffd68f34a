//! `/customers`: one box for a name, email, phone (in any format), @handle or order number.
//! The query lives in the URL (`?q=`): the server renders the results, a search can be shared,
//! and the back button returns to it. In the browser, results follow the typing (debounced),
//! ArrowUp/ArrowDown choose a result and Enter opens it.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::location::Url;

use crate::format::{ChannelIcons, relative_time};
use crate::server_fns::customers::{CustomerSearch, search_customers};
use crate::types::CustomerSummary;

/// How long typing must pause before the search runs.
const DEBOUNCE: Duration = Duration::from_millis(200);

fn search_url(query: &str) -> String {
    if query.trim().is_empty() {
        "/customers".to_owned()
    } else {
        format!("/customers?q={}", Url::escape(query))
    }
}

#[component]
pub fn SearchPage() -> AnyView {
    let query_map = use_query_map();
    let q = Memo::new(move |_| query_map.read().get("q").unwrap_or_default());
    let results = Resource::new(
        move || q.get(),
        |q| async move {
            if q.trim().is_empty() {
                Ok(None)
            } else {
                search_customers(q).await.map(Some)
            }
        },
    );

    // The box follows the typing at once; the URL (and so the results) after a pause. Derived
    // state rather than an `Effect`: the binary `cargo test --workspace` builds has the browser's
    // features too (unified with `frontend`), and an effect rendered there panics.
    let (text, set_text) = signal(q.get_untracked());
    // The query this page last put in the URL.
    let pushed = StoredValue::new(q.get_untracked());
    // (the URL's query when last computed, what the box shows): what is typed, except when the
    // URL changes to a query this page did not put there (a link, Back), which then replaces it.
    let shown = Memo::new(move |previous: Option<&(String, String)>| {
        let current = q.get();
        let typed = text.get();
        match previous {
            Some((seen, _)) if *seen != current && current != pushed.get_value() => {
                (current.clone(), current)
            }
            _ => (current, typed),
        }
    });
    let shown = move || shown.with(|(_, value)| value.clone());
    // The chosen result, with the query it was chosen in (a new query clears it).
    let (chosen, set_chosen) = signal(None::<(String, usize)>);
    let selected = Memo::new(move |_| {
        chosen
            .get()
            .filter(|(query, _)| *query == q.get())
            .map(|(_, i)| i)
    });

    let timer = StoredValue::new(None::<TimeoutHandle>);
    let navigate = use_navigate();
    let search_now = {
        let navigate = navigate.clone();
        move |query: String| {
            if let Some(pending) = timer.get_value() {
                pending.clear();
            }
            if query != pushed.get_value() {
                pushed.set_value(query.clone());
                // Replace, not push: Back leaves the search page rather than replaying each keystroke.
                let options = NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                };
                navigate(&search_url(&query), options);
            }
        }
    };
    let on_input = {
        let search_now = search_now.clone();
        move |value: String| {
            set_text.set(value.clone());
            if let Some(pending) = timer.get_value() {
                pending.clear();
            }
            let search_now = search_now.clone();
            timer.set_value(set_timeout_with_handle(move || search_now(value), DEBOUNCE).ok());
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let rows: Vec<CustomerSummary> = results
            .get_untracked()
            .and_then(Result::ok)
            .flatten()
            .map(|search| search.customers)
            .unwrap_or_default();
        let current = selected.get_untracked();
        let choose = |i: Option<usize>| set_chosen.set(i.map(|i| (q.get_untracked(), i)));
        match ev.key().as_str() {
            "ArrowDown" if !rows.is_empty() => {
                ev.prevent_default();
                choose(Some(current.map_or(0, |i| (i + 1).min(rows.len() - 1))));
            }
            "ArrowUp" if !rows.is_empty() => {
                ev.prevent_default();
                choose(current.and_then(|i| i.checked_sub(1)));
            }
            "Enter" => {
                if let Some(row) = current.and_then(|i| rows.get(i)) {
                    ev.prevent_default();
                    navigate(
                        &format!("/customers/{}", row.id),
                        NavigateOptions::default(),
                    );
                }
            }
            "Escape" => choose(None),
            _ => {}
        }
    };

    view! {
        <Title text="Customers" />
        <section class="panel search-panel" aria-labelledby="search-title">
            <h1 id="search-title">"Customers"</h1>
            <form
                method="get"
                action="/customers"
                role="search"
                on:submit=move |ev| {
                    ev.prevent_default();
                    search_now(untrack(shown));
                }
            >
                <label class="field wide" for="customer-search">
                    <span>"Name, email, phone, @handle or order number"</span>
                </label>
                <div class="search-row">
                    <input
                        id="customer-search"
                        type="search"
                        name="q"
                        autocomplete="off"
                        spellcheck="false"
                        autofocus
                        placeholder="Search customers"
                        aria-controls="search-results"
                        aria-describedby="search-help"
                        aria-activedescendant=move || selected.get().map(|i| format!("result-{i}"))
                        value=q.get_untracked()
                        prop:value=shown
                        on:input:target=move |ev| on_input(ev.target().value())
                        on:keydown=on_keydown
                    />
                    <button type="submit">"Search"</button>
                </div>
                <p id="search-help" class="hint">
                    "Results appear as you type. "
                    <kbd>"↑"</kbd>" "<kbd>"↓"</kbd>" choose a result, "<kbd>"Enter"</kbd>" opens it."
                </p>
            </form>
        </section>
        <Transition fallback=|| view! { <p class="muted">"Searching…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(None) => view! { <SearchHelp /> }.into_any(),
                    Ok(Some(search)) if search.customers.is_empty() => {
                        view! { <NoMatch query=search.query /> }.into_any()
                    }
                    Ok(Some(search)) => view! { <ResultList search selected /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn ResultList(search: CustomerSearch, selected: Memo<Option<usize>>) -> AnyView {
    let now = search.now;
    let count = search.customers.len();
    let rows = search
        .customers
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let is_selected = move || selected.get() == Some(i);
            let name = c
                .display_name
                .clone()
                .unwrap_or_else(|| "(no name yet)".to_owned());
            let last_seen = match c.last_seen_at {
                Some(at) => view! {
                    <time datetime=at.to_rfc3339() title=at.format("%Y-%m-%d %H:%M UTC").to_string()>
                        {relative_time(at, now)}
                    </time>
                }
                .into_any(),
                None => view! { <span>"no activity yet"</span> }.into_any(),
            };
            view! {
                <li class="result" class:selected=is_selected>
                    <a
                        id=format!("result-{i}")
                        class="result-link"
                        href=format!("/customers/{}", c.id)
                        aria-current=move || is_selected().then_some("true")
                    >
                        <span class="result-main">
                            <strong class="name">{name}</strong>
                            <span class="badge">{c.lifecycle_stage.to_string()}</span>
                        </span>
                        <span class="result-ids">
                            {c.email_masked.map(|e| view! { <span class="masked">{e}</span> })}
                            {c.phone_masked.map(|p| view! { <span class="masked">{p}</span> })}
                        </span>
                        <ChannelIcons channels=c.channels />
                        <span class="last-seen">{last_seen}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="results-panel" aria-label="Search results">
            <p class="muted result-count" role="status">
                {if count == 1 { "1 customer".to_owned() } else { format!("{count} customers") }}
                {(count == 20).then_some(" (the 20 most recently active; add more to narrow it)")}
            </p>
            <ul id="search-results" class="results">{rows}</ul>
        </section>
    }
    .into_any()
}

#[component]
fn NoMatch(query: String) -> AnyView {
    view! {
        <section class="panel hint-panel" role="status">
            <h2>"No customer matches “" {query} "”"</h2>
            <p class="muted">
                "Check the spelling, search part of the name, or try their email address or phone number instead."
            </p>
        </section>
    }
    .into_any()
}

/// What the box understands, before anything is typed.
#[component]
fn SearchHelp() -> AnyView {
    let examples: [(&str, &[&str]); 5] = [
        ("A name, or part of one", &["Maria Garcia"]),
        ("An email, in any case", &["maria.garcia@gmail.com"]),
        (
            "A phone number, written any way",
            &["(916) 555-0134", "+1 916 555 0134"],
        ),
        ("A social handle", &["@maria_g"]),
        ("An order number or external id", &["1042"]),
    ];
    view! {
        <section class="panel hint-panel" aria-labelledby="help-title">
            <h2 id="help-title">"Find anyone, whichever way they reached you"</h2>
            <p class="muted">"One box searches every identifier Spine has linked to a profile."</p>
            <dl class="examples">
                {examples
                    .into_iter()
                    .map(|(what, samples)| {
                        let samples = samples
                            .iter()
                            .enumerate()
                            .map(|(i, sample)| view! {
                                {(i > 0).then_some(" or ")}
                                <code>{*sample}</code>
                            })
                            .collect_view();
                        view! {
                            <div>
                                <dt>{what}</dt>
                                <dd>{samples}</dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
        </section>
    }
    .into_any()
}
