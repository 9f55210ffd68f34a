//! `/review` (the queue, by confidence or age: `?order=age`; ticked items decided at once) and
//! `/review/{id}` (one item side by side, the engine's explanation, and the decisions).
//! Keyboard: j/k move, Enter opens, x ticks; on an
//! item m merges, n says not the same person, d defers, j/k go to the next/previous item. The
//! forms work without JavaScript; the keys need it.

use leptos::ev;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::format::relative_time;
use crate::pages::merge::MergeSides;
use crate::server_fns::review::{
    DecideReview, DecideReviewItems, MergeReview, ReviewCaseView, ReviewQueue, get_review_item,
    list_review_items,
};
use crate::server_fns::sweep::SweepView;

/// Whether a key press belongs to a form field (typing), not to the page's shortcuts.
fn typing(ev: &ev::KeyboardEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
        return true;
    }
    ev.target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(
                el.tag_name().to_ascii_lowercase().as_str(),
                "input" | "textarea" | "select"
            ) && !matches!(
                el.get_attribute("type").as_deref(),
                Some("radio" | "checkbox")
            )
        })
}

/// Listens for the page's shortcuts while it is shown (a no-op on the server).
fn shortcuts(handler: impl Fn(ev::KeyboardEvent) + 'static) {
    let handle = window_event_listener(ev::keydown, move |ev| {
        if !typing(&ev) {
            handler(ev);
        }
    });
    on_cleanup(move || handle.remove());
}

/// A chance as a person reads it: a whole percentage, except that one short of certain says so
/// (a score of 0.9996 is not "100%": two profiles are never certainly one person).
fn score(score: f64) -> String {
    if (0.995..1.0).contains(&score) {
        "> 99%".to_owned()
    } else {
        format!("{:.0}%", score * 100.0)
    }
}

/// Ticks (or unticks) the queue's `row`-th item for a decision on several at once.
fn tick(row: usize) {
    use leptos::wasm_bindgen::JsCast;
    let selector = format!(".review-list > li:nth-child({}) .pick", row + 1);
    if let Some(found) = document()
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|n| n.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        found.click();
    }
}

#[component]
pub fn ReviewQueuePage() -> AnyView {
    let query = use_query_map();
    let order = Memo::new(move |_| query.read().get("order").unwrap_or_default());
    let queue = Resource::new(move || order.get(), list_review_items);
    let (selected, set_selected) = signal(0usize);
    let decide = ServerAction::<DecideReviewItems>::new();
    // Decided items leave the queue (and the navigation's count) at once.
    let changed = use_context::<crate::shell::ReviewQueueChanged>();
    let bump = move || {
        if let Some(changed) = changed {
            changed.0.update(|n| *n += 1);
        }
    };
    Effect::new(move |_| {
        if decide.version().get() > 0 {
            queue.refetch();
            bump();
        }
    });
    #[cfg(feature = "hydrate")]
    let was_running = StoredValue::new(false);
    // Live: the queue reads itself again when its size moves, unless an item is ticked (the
    // person is choosing what to decide; the count in the navigation still moves).
    let (ticked, set_ticked) = signal(false);
    #[cfg(feature = "hydrate")]
    if let Some(live) = use_context::<crate::live::LiveFeed>() {
        let last = StoredValue::new(None::<i64>);
        Effect::new(move |_| {
            let Some(pending) = live.pending_reviews() else {
                return;
            };
            let moved = last.get_value().is_some_and(|n| n != pending);
            last.set_value(Some(pending));
            if moved && !ticked.get_untracked() {
                queue.refetch();
            }
        });
        Effect::new(move |_| {
            decide.version().track();
            set_ticked.set(false);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ticked, set_ticked);
    let navigate = use_navigate();
    shortcuts(move |ev| {
        let ids: Vec<_> = queue
            .get_untracked()
            .and_then(Result::ok)
            .map(|q| q.items.into_iter().map(|i| i.href).collect())
            .unwrap_or_default();
        if ids.is_empty() {
            return;
        }
        let current = selected.get_untracked().min(ids.len() - 1);
        match ev.key().as_str() {
            "j" => set_selected.set((current + 1).min(ids.len() - 1)),
            "k" => set_selected.set(current.saturating_sub(1)),
            "x" => tick(current),
            "Enter" => {
                if let Some(href) = ids.get(current) {
                    ev.prevent_default();
                    navigate(href, NavigateOptions::default());
                }
            }
            _ => {}
        }
    });
    view! {
        <Title text="Review" />
        <section class="panel" aria-labelledby="review-title">
            <div class="panel-head">
                <h1 id="review-title">"Review queue"</h1>
                <nav class="sort" aria-label="Sort">
                    "Sort by "
                    <a href="/review" aria-current=move || (order.get() != "age").then_some("true")>"confidence"</a>
                    " · "
                    <a href="/review?order=age" aria-current=move || (order.get() == "age").then_some("true")>"age"</a>
                </nav>
            </div>
            <p class="hint">
                "Possible duplicates Spine would not merge on its own. "
                <kbd>"j"</kbd>" "<kbd>"k"</kbd>" move, "<kbd>"Enter"</kbd>" opens, "<kbd>"x"</kbd>" ticks an item to decide several at once."
            </p>
        </section>
        <div class="queue-live" on:change=move |_| set_ticked.set(true)>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let result = queue.await;
                let panel = result.as_ref().ok().map(|q| {
                    // In the browser: ask again while a sweep runs; the queue comes with it.
                    let running = q.sweep.as_ref().is_some_and(|l| l.running);
                    #[cfg(feature = "hydrate")]
                    {
                        if running {
                            set_timeout(move || queue.refetch(), SWEEP_POLL);
                        } else if was_running.get_value() {
                            // The sweep just ended: its items are in this answer already.
                            bump();
                        }
                        was_running.set_value(running);
                    }
                    view! { <SweepPanel sweep=q.sweep.clone() now=q.now csrf=q.csrf.clone() running /> }
                });
                let list = match result {
                    Ok(q) if q.items.is_empty() => view! {
                        <section class="panel hint-panel" role="status">
                            <h2>"Nothing to review"</h2>
                            <p class="muted">"New possible duplicates appear here as conversations arrive."</p>
                        </section>
                    }
                    .into_any(),
                    Ok(q) => view! { <QueueList queue=q selected decide /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                };
                view! { {panel} {list} }
            })}
        </Transition>
        </div>
    }
    .into_any()
}

/// How often an open review page asks how a running sweep is doing.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const SWEEP_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// "Look for duplicates": the latest sweep (its progress while it runs, what it found after)
/// and the button that starts one. While a sweep runs the page asks again every second and
/// reloads the queue when it ends.
#[component]
fn SweepPanel(
    sweep: Option<SweepView>,
    now: chrono::DateTime<chrono::Utc>,
    csrf: String,
    running: bool,
) -> AnyView {
    let status = sweep.map(|latest| sweep_status(latest, now));
    // A plain form: starting answers with this page, which then follows the sweep.
    view! {
        <section class="panel sweep-panel" aria-labelledby="sweep-title">
            <div class="panel-head">
                <h2 id="sweep-title">"Look for duplicates"</h2>
            </div>
            <p class="muted">
                "Compares every stored profile with the others, as a file import's deduplication does. Likely pairs join this queue; nothing is merged, and pairs decided before are skipped."
            </p>
            {status}
            <form method="post" action="/api/start_sweep" class="sweep-form">
                <input type="hidden" name="csrf" value=csrf />
                <button type="submit" disabled=running>
                    {if running { "Sweep running…" } else { "Sweep stored profiles" }}
                </button>
            </form>
        </section>
    }
    .into_any()
}

fn sweep_status(latest: SweepView, now: chrono::DateTime<chrono::Utc>) -> AnyView {
    if latest.running {
        let percent = (latest.done * 100)
            .checked_div(latest.total)
            .unwrap_or(0)
            .min(100);
        return view! {
            <div class="sweep-progress" role="status">
                <p>
                    {format!(
                        "Sweep running: {}{}",
                        latest.stage,
                        if latest.total > 0 { format!(" ({} of {})", latest.done, latest.total) } else { String::new() },
                    )}
                </p>
                <progress max="100" value=percent.to_string() aria-label=latest.stage>
                    {format!("{percent}%")}
                </progress>
            </div>
        }
        .into_any();
    }
    let when = relative_time(latest.finished_at.unwrap_or(latest.started_at), now);
    let by = latest
        .started_by
        .map(|b| format!(" by {b}"))
        .unwrap_or_default();
    match latest.error {
        Some(error) => view! {
            <p class="error" role="status">{format!("The last sweep ({when}{by}) failed: {error}")}</p>
        }
        .into_any(),
        None => view! {
            <p class="sweep-summary" role="status">
                {format!("Last sweep {when}{by}. {}", latest.summary.unwrap_or_default())}
            </p>
        }
        .into_any(),
    }
}

#[component]
fn QueueList(
    queue: ReviewQueue,
    selected: ReadSignal<usize>,
    decide: ServerAction<DecideReviewItems>,
) -> AnyView {
    let count = queue.items.len();
    let now = queue.now;
    let csrf = queue.csrf.clone();
    let rows = queue
        .items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let is_selected = move || selected.get().min(count.saturating_sub(1)) == i;
            let label = if item.candidate_name.is_empty() {
                format!("Select {}", item.subject_name)
            } else {
                format!("Select {} and {}", item.candidate_name, item.subject_name)
            };
            view! {
                <li class="result review-row" class:selected=is_selected>
                    <input
                        type="checkbox"
                        class="pick"
                        name=format!("ids[item-{}]", item.id)
                        aria-label=label
                    />
                    <a
                        class="result-link"
                        href=item.href
                        aria-current=move || is_selected().then_some("true")
                    >
                        <span class="result-main">
                            {(!item.candidate_name.is_empty()).then(|| view! {
                                <strong class="name">{item.candidate_name}</strong>
                                <span class="muted">" and "</span>
                            })}
                            <strong class="name">{item.subject_name}</strong>
                        </span>
                        <span class="score" title="Match confidence">{score(item.score)}</span>
                        <span class="muted reason" title=item.reason>{item.why}</span>
                        <span class="last-seen">
                            <time datetime=item.created_at.to_rfc3339()>{relative_time(item.created_at, now)}</time>
                        </span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let outcome = move || {
        decide.value().get().map(|result| match result {
            Ok(done) => {
                let mut text = if done.decided == 1 {
                    "1 item decided.".to_owned()
                } else {
                    format!("{} items decided.", done.decided)
                };
                for why in done.refused {
                    text.push_str(&format!(" One was not: {why}."));
                }
                view! { <p class="notice ok" role="status">{text}</p> }.into_any()
            }
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <section class="results-panel" aria-label="Pending review items">
            <ActionForm action=decide attr:class="bulk-form">
                <input type="hidden" name="csrf" value=csrf />
                <div class="bulk-bar">
                    <p class="muted result-count" role="status">
                        {if count == 1 { "1 item waiting".to_owned() } else { format!("{count} items waiting") }}
                    </p>
                    <label for="bulk-decision">"Ticked items:"</label>
                    <select name="decision" id="bulk-decision">
                        <option value="reject">"Not the same person"</option>
                        <option value="merge">"Merge (older profile stays)"</option>
                        <option value="defer">"Decide later"</option>
                    </select>
                    <button type="submit" disabled=move || decide.pending().get()>"Decide ticked items"</button>
                </div>
                {outcome}
                <ul class="results review-list">{rows}</ul>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
pub fn ReviewItemPage() -> AnyView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let case = Resource::new(move || id.get(), get_review_item);
    let merge = ServerAction::<MergeReview>::new();
    let decide = ServerAction::<DecideReview>::new();
    let merge_button = NodeRef::<leptos::html::Button>::new();
    let reject_button = NodeRef::<leptos::html::Button>::new();
    let defer_button = NodeRef::<leptos::html::Button>::new();
    let navigate = use_navigate();
    shortcuts(move |ev| {
        let Some(Ok(current)) = case.get_untracked() else {
            return;
        };
        let go = |to: Option<uuid::Uuid>| {
            if let Some(to) = to {
                navigate(&format!("/review/{to}"), NavigateOptions::default());
            }
        };
        let press = |button: NodeRef<leptos::html::Button>| {
            if let Some(button) = button.get_untracked() {
                button.click();
            }
        };
        match ev.key().as_str() {
            "m" => press(merge_button),
            "n" => press(reject_button),
            "d" => press(defer_button),
            "j" => go(current.next),
            "k" => go(current.previous),
            _ => {}
        }
    });
    let failed = move || {
        merge
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| decide.value().get().and_then(Result::err))
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <Title text="Review item" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(case) => view! {
                        <ReviewCase case merge decide merge_button reject_button defer_button />
                    }
                    .into_any(),
                    Err(e) => view! {
                        <section class="panel">
                            <p class="error" role="alert">{e.to_string()}</p>
                            <a href="/review">"Back to the queue"</a>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Transition>
        {failed}
    }
    .into_any()
}

#[component]
fn ReviewCase(
    case: ReviewCaseView,
    merge: ServerAction<MergeReview>,
    decide: ServerAction<DecideReview>,
    merge_button: NodeRef<leptos::html::Button>,
    reject_button: NodeRef<leptos::html::Button>,
    defer_button: NodeRef<leptos::html::Button>,
) -> AnyView {
    let id = case.id.to_string();
    let (id_merge, id_reject, id_defer) = (id.clone(), id.clone(), id);
    let (csrf_merge, csrf_reject, csrf_defer) =
        (case.csrf.clone(), case.csrf.clone(), case.csrf.clone());
    let comparison = case.comparison.clone();
    let decided = !matches!(
        case.status,
        spine_core::types::ReviewStatus::Pending | spine_core::types::ReviewStatus::Deferred
    );
    let pending = move || merge.pending().get() || decide.pending().get();
    let total: f64 = case.explanation.iter().map(|line| line.effect).sum();
    let explanation = case
        .explanation
        .iter()
        .map(|line| {
            let sign = if line.effect >= 0.0 {
                "positive"
            } else {
                "negative"
            };
            view! {
                <tr class=sign>
                    <th scope="row">{line.comparison.replace('_', " ")}</th>
                    <td>{line.level.replace('_', " ")}</td>
                    <td class="effect">{format!("{:+.2}", line.effect)}</td>
                </tr>
            }
        })
        .collect_view();
    let neighbour = |to: Option<uuid::Uuid>, label: &'static str, key: &'static str| {
        to.map(|to| view! {
            <a href=format!("/review/{to}") class="button quiet">{label} " " <kbd>{key}</kbd></a>
        })
    };
    view! {
        <section class="panel" aria-labelledby="item-title" data-item=case.id.to_string()>
            <div class="panel-head">
                <h1 id="item-title">
                    {case.comparison.survivor.name.clone()} " and " {case.comparison.absorbed.name.clone()}
                </h1>
                <span class="score big" title="Match confidence">{score(case.score)}</span>
            </div>
            <p class="why">{case.why.clone()}</p>
            <p class="muted">
                {case.reason.clone()} " · queued " {relative_time(case.created_at, case.now)}
                {(case.other_candidates > 0).then(|| format!(
                    " · {} more {} matched too",
                    case.other_candidates,
                    if case.other_candidates == 1 { "profile" } else { "profiles" }
                ))}
                {decided.then(|| format!(" · already {}", case.status))}
            </p>
            <nav class="item-nav" aria-label="Queue">
                <a href="/review" class="button quiet">"Queue"</a>
                {neighbour(case.previous, "Previous", "k")}
                {neighbour(case.next, "Next", "j")}
            </nav>
        </section>
        <div class="review-grid">
            <section class="panel" aria-labelledby="compare-title">
                <h2 id="compare-title">"Side by side"</h2>
                <ActionForm action=merge attr:class="merge-form" attr:id="merge-form">
                    <input type="hidden" name="csrf" value=csrf_merge.clone() />
                    <input type="hidden" name="id" value=id_merge.clone() />
                    <MergeSides comparison=comparison.clone() />
                    <div class="actions">
                        <button type="submit" node_ref=merge_button disabled=move || decided || pending()>
                            "Merge " <kbd>"m"</kbd>
                        </button>
                    </div>
                </ActionForm>
                <div class="actions">
                    <ActionForm action=decide>
                        <input type="hidden" name="csrf" value=csrf_reject.clone() />
                        <input type="hidden" name="id" value=id_reject.clone() />
                        <input type="hidden" name="decision" value="reject" />
                        <button type="submit" class="danger" node_ref=reject_button disabled=move || decided || pending()>
                            "Not the same person " <kbd>"n"</kbd>
                        </button>
                    </ActionForm>
                    <ActionForm action=decide>
                        <input type="hidden" name="csrf" value=csrf_defer.clone() />
                        <input type="hidden" name="id" value=id_defer.clone() />
                        <input type="hidden" name="decision" value="defer" />
                        <button type="submit" class="quiet" node_ref=defer_button disabled=move || decided || pending()>
                            "Decide later " <kbd>"d"</kbd>
                        </button>
                    </ActionForm>
                </div>
            </section>
            <section class="panel explanation" aria-labelledby="why-title">
                <h2 id="why-title">"Why Spine thinks so"</h2>
                <p class="muted">
                    "Each line's weight of evidence in bits: positive says the same person, negative a different one, and each bit doubles the odds. The lines add up to the chance below."
                </p>
                <table class="explain-table">
                    <thead>
                        <tr><th scope="col">"Comparison"</th><th scope="col">"Level"</th><th scope="col">"Bits"</th></tr>
                    </thead>
                    <tbody>{explanation}</tbody>
                    <tfoot>
                        <tr><th scope="row" colspan="2">"Total"</th><td class="effect">{format!("{total:+.2}")}</td></tr>
                        <tr><th scope="row" colspan="2">"Chance they are the same person"</th><td class="effect">{score(case.score)}</td></tr>
                    </tfoot>
                </table>
            </section>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::score;

    #[test]
    fn a_chance_short_of_certain_never_reads_as_certain() {
        assert_eq!(score(0.9996), "> 99%");
        assert_eq!(score(0.995), "> 99%");
        assert_eq!(score(0.994), "99%");
        assert_eq!(score(0.886), "89%");
        assert_eq!(score(1.0), "100%");
    }
}
