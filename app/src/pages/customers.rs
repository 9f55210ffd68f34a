//! `/customers`: the customer list and the search box over it. Everything the list shows lives in
//! the URL (`?q=ana&stage=lead&tag=vip&sort=name`), so the server renders it, a list can be shared
//! or saved as a view, the back button returns to it and it works without JavaScript. In the
//! browser, results follow the typing (debounced), ArrowUp/ArrowDown choose a result and Enter
//! opens it.
//!
//! Around the list: the person's saved views (their own and the team's, with counts), the
//! filters, and for agents and admins bulk changes (tags, stage) to ticked rows or the whole list
//! and an export of the list as CSV, which runs in the background while the page follows it.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::components::Form;
use leptos_router::hooks::{use_navigate, use_query_map};
use spine_core::lists::{CustomerFilter, CustomerList, ExportStatus, SavedView};

use crate::format::{ChannelIcons, relative_time};
use crate::server_fns::customers::{
    BulkUpdateCustomers, DeleteView, ListPage, SaveView, list_customers,
};
use crate::types::{Channel, CustomField, FieldKind, LifecycleStage, ListSort};
use spine_core::lists::FieldOp;

/// How long typing must pause before the search runs.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// How often the page asks how a running export is doing.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const EXPORT_POLL: Duration = Duration::from_secs(1);
/// Live changes this close together read the list once (a busy tenant's open lists read
/// themselves at most this often).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const LIVE_COALESCE: Duration = Duration::from_secs(5);

#[component]
pub fn SearchPage() -> AnyView {
    let query_map = use_query_map();
    // The URL's query as the server reads it (the filter, and `after` for a later page).
    let raw = Memo::new(move |_| {
        query_map.with(|m| m.to_query_string().trim_start_matches('?').to_owned())
    });
    let filter = Memo::new(move |_| {
        query_map.with(|m| {
            CustomerFilter::from_pairs(m.into_iter().map(|(k, v)| (k.as_ref(), v)))
                .unwrap_or_default()
        })
    });
    let q = Memo::new(move |_| filter.with(|f| f.q.clone()));
    let bulk = ServerAction::<BulkUpdateCustomers>::new();
    let save = ServerAction::<SaveView>::new();
    let delete = ServerAction::<DeleteView>::new();
    // A change made here shows at once: the list (and the views' counts) are read again.
    let page = Resource::new(
        move || {
            let changes = bulk.version().get() + save.version().get() + delete.version().get();
            (raw.get(), changes)
        },
        |(query, _)| list_customers(query),
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
            .filter(|(query, _)| *query == raw.get())
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
                let mut next = filter.get_untracked();
                next.q = query;
                // Replace, not push: Back leaves the page rather than replaying each keystroke.
                let options = NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                };
                navigate(&next.url(), options);
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
        let rows: Vec<uuid::Uuid> = page
            .get_untracked()
            .and_then(Result::ok)
            .map(|p| p.list.customers.iter().map(|c| c.id).collect())
            .unwrap_or_default();
        let current = selected.get_untracked();
        let choose = |i: Option<usize>| set_chosen.set(i.map(|i| (raw.get_untracked(), i)));
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
                if let Some(id) = current.and_then(|i| rows.get(i)) {
                    ev.prevent_default();
                    navigate(&format!("/customers/{id}"), NavigateOptions::default());
                }
            }
            "Escape" => choose(None),
            _ => {}
        }
    };
    // Live: new activity reads the list again (a burst once), unless the person has changed
    // something in it since it was shown (ticked a row, typed in a filter): then the page says
    // so and waits for them.
    let (touched, set_touched) = signal(false);
    let (stale, set_stale) = signal(false);
    #[cfg(feature = "hydrate")]
    if let Some(live) = use_context::<crate::live::LiveFeed>() {
        let since = StoredValue::new(live.heard());
        let scheduled = StoredValue::new(false);
        Effect::new(move |_| {
            if !live.any(since.get_value()) {
                return;
            }
            since.set_value(live.heard());
            // A list in a tab nobody looks at, or one being worked on, waits to be asked.
            if touched.get_untracked() || document().hidden() {
                set_stale.set(true);
            } else if !scheduled.get_value() {
                scheduled.set_value(true);
                set_timeout(
                    move || {
                        scheduled.set_value(false);
                        page.refetch();
                    },
                    LIVE_COALESCE,
                );
            }
        });
        // A list read afresh (another query, or after a change made here) is untouched.
        Effect::new(move |_| {
            raw.track();
            bulk.version().track();
            set_touched.set(false);
            set_stale.set(false);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = touched;
    let show_new = move |_| {
        set_touched.set(false);
        set_stale.set(false);
        page.refetch();
    };

    // The list's other parameters ride along with a search sent without JavaScript.
    let kept = move || {
        filter
            .get()
            .to_pairs()
            .into_iter()
            .filter(|(k, _)| k != "q")
            .map(|(k, v)| view! { <input type="hidden" name=k value=v /> })
            .collect_view()
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
                    {kept}
                    <button type="submit">"Search"</button>
                </div>
                <p id="search-help" class="hint">
                    "Results appear as you type. "
                    <kbd>"↑"</kbd>" "<kbd>"↓"</kbd>" choose a result, "<kbd>"Enter"</kbd>" opens it."
                </p>
            </form>
        </section>
        {move || stale.get().then(|| view! {
            <p class="notice live-notice" role="status">
                "There is new activity since this list was shown. "
                <button type="button" class="quiet small" on:click=show_new>"Show it"</button>
            </p>
        })}
        <div
            class="list-live"
            on:input=move |_| set_touched.set(true)
            on:change=move |_| set_touched.set(true)
        >
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        // In the browser: ask again while an export runs.
                        #[cfg(feature = "hydrate")]
                        if p.export.as_ref().is_some_and(|e| e.status == "running") {
                            set_timeout(move || page.refetch(), EXPORT_POLL);
                        }
                        view! { <ListBody page=p selected bulk save delete /> }.into_any()
                    }
                    Err(e) => view! {
                        <section class="panel hint-panel" role="alert">
                            <p class="error">{e.to_string()}</p>
                            <p><a href="/customers">"Show every customer"</a></p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Transition>
        </div>
    }
    .into_any()
}

/// Views, filters, the list with its bulk bar, and the pager.
#[component]
fn ListBody(
    page: ListPage,
    selected: Memo<Option<usize>>,
    bulk: ServerAction<BulkUpdateCustomers>,
    save: ServerAction<SaveView>,
    delete: ServerAction<DeleteView>,
) -> AnyView {
    let ListPage {
        list,
        views,
        export,
        csrf,
        can_change,
        can_share,
        fields,
    } = page;
    let query = list.filter.to_query();
    view! {
        <Views views current=query.clone() csrf=csrf.clone() can_share save delete />
        <Filters filter=list.filter.clone() fields />
        {export.map(|e| view! { <ExportPanel export=e /> })}
        <Results list query csrf can_change selected bulk />
    }
    .into_any()
}

/// The person's views and the team's, each with how many it holds; saving the current list.
#[component]
fn Views(
    views: Vec<SavedView>,
    current: String,
    csrf: String,
    can_share: bool,
    save: ServerAction<SaveView>,
    delete: ServerAction<DeleteView>,
) -> AnyView {
    let everyone = current.is_empty();
    let chips = views
        .into_iter()
        .map(|v| {
            let here = v.query == current;
            let csrf = csrf.clone();
            let label = format!("Delete the view {}", v.name);
            let delete_form = v.deletable.then(move || {
                view! {
                    <ActionForm action=delete attr:class="view-delete">
                        <input type="hidden" name="csrf" value=csrf />
                        <input type="hidden" name="id" value=v.id.to_string() />
                        <button type="submit" class="quiet" aria-label=label title="Delete this view">
                            "×"
                        </button>
                    </ActionForm>
                }
            });
            view! {
                <li class="view-chip" class:shared=v.shared>
                    <a href=v.url() aria-current=here.then_some("page")>
                        <span class="view-name">{v.name.clone()}</span>
                        <span class="count-badge" aria-label=format!("{} customers", v.count.short())>{v.count.short()}</span>
                    </a>
                    {v.shared.then(|| view! { <span class="muted view-shared" title="Shared with the team">"team"</span> })}
                    {delete_form}
                </li>
            }
        })
        .collect_view();
    let failed = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <nav class="panel views" aria-label="Saved views">
            <ul class="view-chips">
                <li class="view-chip">
                    <a href="/customers" aria-current=everyone.then_some("page")>"Everyone"</a>
                </li>
                {chips}
            </ul>
            {(!everyone).then(|| view! {
                <ActionForm action=save attr:class="save-view">
                    <input type="hidden" name="csrf" value=csrf.clone() />
                    <input type="hidden" name="query" value=current.clone() />
                    <label for="view-name">"Save this list as"</label>
                    <input id="view-name" name="name" required maxlength="60" placeholder="VIPs with open conversations" />
                    {can_share.then(|| view! {
                        <label class="check"><input type="checkbox" name="shared" value="on" />" for the whole team"</label>
                    })}
                    <button type="submit">"Save view"</button>
                </ActionForm>
            })}
            {failed}
        </nav>
    }
    .into_any()
}

/// The filters, as a plain GET form: it works without JavaScript and its answer is a URL.
#[component]
fn Filters(filter: CustomerFilter, fields: Vec<CustomField>) -> AnyView {
    // Open when something besides the search narrows the list.
    let mut besides_search = filter.clone();
    besides_search.q.clear();
    let open = besides_search != CustomerFilter::default();
    let stages = LifecycleStage::ALL
        .iter()
        .map(|s| {
            let on = filter.stages.contains(s);
            view! {
                <label class="check"><input type="checkbox" name="stage" value=s.as_str() checked=on />" " {s.as_str()}</label>
            }
        })
        .collect_view();
    let channels = Channel::ALL
        .iter()
        .filter(|c| **c != Channel::Note)
        .map(|c| {
            let on = filter.channels.contains(c);
            view! {
                <label class="check"><input type="checkbox" name="channel" value=c.as_str() checked=on />" " {c.label()}</label>
            }
        })
        .collect_view();
    let day = |d: Option<chrono::NaiveDate>| {
        d.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let sorts = ListSort::ALL
        .iter()
        .map(|s| {
            let label = match s {
                ListSort::Activity => "Last activity",
                ListSort::Name => "Name",
                ListSort::Created => "Newest first",
            };
            view! { <option value=s.as_str() selected=*s == filter.sort>{label}</option> }
        })
        .collect_view();
    view! {
        <details class="panel list-filters" open=open>
            <summary>"Filters"</summary>
            <Form method="GET" action="/customers" attr:class="filter-form" attr:aria-label="Filters">
                <input type="hidden" name="q" value=filter.q.clone() />
                <fieldset>
                    <legend>"Stage"</legend>
                    {stages}
                </fieldset>
                <fieldset>
                    <legend>"Channel used"</legend>
                    {channels}
                </fieldset>
                <div class="filter-grid">
                    <label class="field">
                        <span>"Tags (comma-separated)"</span>
                        <input name="tag" value=filter.tags.join(", ") placeholder="vip, wholesale" />
                    </label>
                    <label class="field">
                        <span>"Match"</span>
                        <select name="tags">
                            <option value="any" selected=!filter.all_tags>"any tag"</option>
                            <option value="all" selected=filter.all_tags>"all tags"</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>"Source"</span>
                        <input name="source" value=filter.sources.join(", ") placeholder="shopify" />
                    </label>
                    <label class="field">
                        <span>"Campaign"</span>
                        <input name="campaign" value=filter.campaign.clone().unwrap_or_default() />
                    </label>
                    <label class="field">
                        <span>"Active from"</span>
                        <input type="date" name="seen_from" value=day(filter.seen_from) />
                    </label>
                    <label class="field">
                        <span>"Active until"</span>
                        <input type="date" name="seen_to" value=day(filter.seen_to) />
                    </label>
                    <label class="field">
                        <span>"First seen from"</span>
                        <input type="date" name="created_from" value=day(filter.created_from) />
                    </label>
                    <label class="field">
                        <span>"First seen until"</span>
                        <input type="date" name="created_to" value=day(filter.created_to) />
                    </label>
                    <label class="field">
                        <span>"Sort by"</span>
                        <select name="sort">{sorts}</select>
                    </label>
                </div>
                {(!fields.is_empty()).then(|| view! {
                    <div class="filter-grid custom-filters">{custom_inputs(&filter, &fields)}</div>
                })}
                <div class="filter-flags">
                    <label class="check"><input type="checkbox" name="open" value="1" checked=filter.open_conversation />" Has an open conversation"</label>
                    <label class="check"><input type="checkbox" name="review" value="1" checked=filter.pending_review />" Waiting in review"</label>
                </div>
                <div class="filter-actions">
                    <button type="submit">"Apply filters"</button>
                    <a href="/customers">"Clear"</a>
                </div>
            </Form>
        </details>
    }
    .into_any()
}

/// An input per custom field: equal to a value, or for a number or a date, a range.
fn custom_inputs(filter: &CustomerFilter, fields: &[CustomField]) -> impl IntoView + use<> {
    let value_of = |key: &str, op: FieldOp| {
        filter
            .custom
            .iter()
            .find(|c| c.key == key && c.op == op)
            .map(|c| c.value.clone())
            .unwrap_or_default()
    };
    fields
        .iter()
        .map(|f| {
            let eq = value_of(&f.key, FieldOp::Eq);
            match f.kind {
                FieldKind::Number | FieldKind::Date => {
                    let kind = if f.kind == FieldKind::Number { "number" } else { "date" };
                    let (min, max) = (value_of(&f.key, FieldOp::Min), value_of(&f.key, FieldOp::Max));
                    view! {
                        <label class="field">
                            <span>{format!("{} from", f.label)}</span>
                            <input type=kind step="any" name=format!("cf.{}.min", f.key) value=min />
                        </label>
                        <label class="field">
                            <span>{format!("{} to", f.label)}</span>
                            <input type=kind step="any" name=format!("cf.{}.max", f.key) value=max />
                        </label>
                    }
                    .into_any()
                }
                FieldKind::Choice | FieldKind::YesNo => {
                    let options: Vec<String> = if f.kind == FieldKind::YesNo {
                        vec!["yes".into(), "no".into()]
                    } else {
                        f.choices.clone()
                    };
                    let options = options
                        .into_iter()
                        .map(|o| {
                            let selected = o.to_lowercase() == eq.to_lowercase();
                            view! { <option value=o.clone() selected=selected>{o.clone()}</option> }
                        })
                        .collect_view();
                    view! {
                        <label class="field">
                            <span>{f.label.clone()}</span>
                            <select name=format!("cf.{}", f.key)>
                                <option value="">"any"</option>
                                {options}
                            </select>
                        </label>
                    }
                    .into_any()
                }
                FieldKind::Text => view! {
                    <label class="field">
                        <span>{f.label.clone()}</span>
                        <input name=format!("cf.{}", f.key) value=eq />
                    </label>
                }
                .into_any(),
            }
        })
        .collect_view()
}

/// A running export's progress, or its download once written.
#[component]
fn ExportPanel(export: ExportStatus) -> AnyView {
    let finished = if export.status == "running" { 0 } else { 100 };
    let percent = (export.done * 100)
        .checked_div(export.total)
        .unwrap_or(finished);
    let body = match (export.status.as_str(), export.download.clone()) {
        ("running", _) => view! {
            <div class="sweep-progress" role="status">
                <span>{format!("Exporting {}: {} of {} customers", export.description, export.done, export.total)}</span>
                <progress max="100" value=percent.to_string() aria-label="Export progress"></progress>
            </div>
        }
        .into_any(),
        (_, Some(url)) => view! {
            <p role="status">
                {format!("Export ready: {} ({} customers). ", export.description, export.total)}
                <a href=url download="" class="button-link">"Download CSV"</a>
                <span class="muted">" Kept for a day."</span>
            </p>
        }
        .into_any(),
        _ => view! {
            <p class="error" role="alert">
                {format!("The export of {} failed: {}", export.description, export.error.unwrap_or_default())}
            </p>
        }
        .into_any(),
    };
    view! { <section class="panel export-panel" aria-label="Export">{body}</section> }.into_any()
}

/// The list: its count and words, the export and bulk bars, the rows, the pager.
#[component]
fn Results(
    list: CustomerList,
    query: String,
    csrf: String,
    can_change: bool,
    selected: Memo<Option<usize>>,
    bulk: ServerAction<BulkUpdateCustomers>,
) -> AnyView {
    let CustomerList {
        filter,
        now,
        customers,
        total,
        next,
        continued,
    } = list;
    if customers.is_empty() {
        let mut besides_search = filter.clone();
        besides_search.q.clear();
        let heading = if besides_search == CustomerFilter::default() {
            format!("No customer matches “{}”", filter.q)
        } else {
            format!("No customer: {}", filter.describe())
        };
        return if filter.narrows() {
            view! {
                <section class="panel hint-panel" role="status">
                    <h2>{heading}</h2>
                    <p class="muted">
                        "Check the spelling, loosen a filter, or try their email address or phone number instead. "
                        <a href="/customers">"Clear the filters"</a>
                    </p>
                </section>
            }
            .into_any()
        } else {
            view! { <SearchHelp /> }.into_any()
        };
    }
    let heading = format!(
        "{} · {}",
        total.label("customer", "customers"),
        filter.describe()
    );
    let export_form = can_change.then(|| {
        view! {
            <form method="post" action="/api/export_customers" class="export-form">
                <input type="hidden" name="csrf" value=csrf.clone() />
                <input type="hidden" name="query" value=query.clone() />
                <button type="submit" class="quiet">"Export CSV"</button>
            </form>
        }
    });
    let rows = customers
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
            let tick = can_change.then(|| {
                view! {
                    <input
                        type="checkbox"
                        class="pick"
                        name=format!("ids[c-{}]", c.id)
                        aria-label=format!("Tick {name}")
                    />
                }
            });
            let tags = (!c.tags.is_empty()).then(|| {
                view! {
                    <span class="tags">
                        {c.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}
                    </span>
                }
            });
            view! {
                <li class="result list-row" class:selected=is_selected>
                    {tick}
                    <a
                        id=format!("result-{i}")
                        class="result-link"
                        href=format!("/customers/{}", c.id)
                        aria-current=move || is_selected().then_some("true")
                    >
                        <span class="result-main">
                            <strong class="name">{name.clone()}</strong>
                            <span class="badge stage" data-stage=c.lifecycle_stage.as_str()>{c.lifecycle_stage.to_string()}</span>
                            {tags}
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
    let pager = {
        let base = filter.url();
        let joint = if base.contains('?') { "&" } else { "?" };
        let first = continued.then(|| view! { <a href=base.clone() rel="prev">"← First page"</a> });
        let more = next.map(|id| {
            view! { <a href=format!("{base}{joint}after={id}") rel="next">"Next page →"</a> }
        });
        view! { <nav class="pager" aria-label="Pages">{first}{more}</nav> }
    };
    let list_size = total.short();
    let bar = can_change.then(|| {
        let outcome = move || {
            bulk.value().get().map(|result| match result {
                Ok(done) => {
                    let mut text = match done.changed {
                        1 => "1 customer changed".to_owned(),
                        n => format!("{n} customers changed"),
                    };
                    if done.unchanged > 0 {
                        text.push_str(&format!(", {} already so", done.unchanged));
                    }
                    if done.skipped > 0 {
                        text.push_str(&format!(", {} skipped (at the tag limit)", done.skipped));
                    }
                    text.push('.');
                    view! { <p class="notice ok" role="status">{text}</p> }.into_any()
                }
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            })
        };
        let stages = LifecycleStage::ALL
            .iter()
            .map(|s| view! { <option value=s.as_str()>{s.as_str()}</option> })
            .collect_view();
        view! {
            <input type="hidden" name="csrf" value=csrf.clone() />
            <input type="hidden" name="query" value=query.clone() />
            <div class="bulk-bar list-bulk">
                <label for="bulk-action">"Change"</label>
                <select name="scope" id="bulk-scope" aria-label="Which customers">
                    <option value="ticked">"ticked customers"</option>
                    <option value="list">{format!("all {list_size} in this list")}</option>
                </select>
                <select name="action" id="bulk-action">
                    <option value="add_tags">"Add tags"</option>
                    <option value="remove_tags">"Remove tags"</option>
                    <option value="set_stage">"Set stage"</option>
                </select>
                <input name="tags" id="bulk-tags" placeholder="tags, comma-separated" aria-label="Tags" />
                <select name="stage" id="bulk-stage" aria-label="Stage">{stages}</select>
                <button type="submit" disabled=move || bulk.pending().get()>"Apply"</button>
            </div>
            {outcome}
        }
    });
    // The export's form stands outside the bulk form: forms do not nest.
    let head = view! {
        <div class="list-head">
            <p class="muted result-count" role="status">{heading}</p>
            {export_form}
        </div>
    };
    let body = view! {
        {bar}
        <ul id="search-results" class="results">{rows}</ul>
        {pager}
    };
    if can_change {
        view! {
            <section class="results-panel" aria-label="Customers">
                {head}
                <ActionForm action=bulk attr:class="bulk-form">{body}</ActionForm>
            </section>
        }
        .into_any()
    } else {
        view! { <section class="results-panel" aria-label="Customers">{head}{body}</section> }
            .into_any()
    }
}

/// What the box understands, for a tenant with no customers yet.
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
            <p class="muted">"No customers yet. One box searches every identifier Spine links to a profile."</p>
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
