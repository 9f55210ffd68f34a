//! The context panel: what to know before answering, and the conversations it was built from.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::{Actions, action_error};
use crate::format::relative_time;
use crate::types::ContextView;

/// What an agent (or the assistant they paste it into) should know before answering: the same
/// text `GET /api/v1/customers/{id}/context` renders. Copy works without the WASM.
#[component]
pub(super) fn ContextPanel(
    context: ContextView,
    can_edit: bool,
    csrf: String,
    actions: Actions,
    now: DateTime<Utc>,
) -> AnyView {
    let ContextView { text, threads } = context;
    let rows = threads
        .into_iter()
        .map(|t| {
            let mut about = t.topic.clone().unwrap_or_else(|| "no topic yet".to_owned());
            if let Some(from) = &t.continues_from {
                about.push_str(&format!(", from {from}"));
            }
            let status = if t.archived {
                "archived".to_owned()
            } else {
                t.status.clone()
            };
            let resolved = t.status == "resolved";
            let (csrf, id) = (csrf.clone(), t.id);
            let button = move |action: &'static str, label: &'static str| {
                let csrf = csrf.clone();
                view! {
                    <ActionForm action=actions.thread attr:class="thread-action">
                        <input type="hidden" name="csrf" value=csrf />
                        <input type="hidden" name="thread_id" value=id.to_string() />
                        <input type="hidden" name="action" value=action />
                        <button type="submit" class="small quiet">{label}</button>
                    </ActionForm>
                }
            };
            let control = (can_edit && !t.archived).then(|| {
                if resolved {
                    view! { {button("reopen", "Reopen")} {button("archive", "Archive")} }.into_any()
                } else {
                    button("resolve", "Resolve").into_any()
                }
            });
            view! {
                <li class="thread" data-status=status.clone()>
                    <a href=format!("/threads/{}", t.id)>{format!("{} · {about}", t.channel)}</a>
                    <div class="thread-meta">
                        <span class=format!("thread-status status-{status}")>{status.clone()}</span>
                        <span class="muted">{relative_time(t.last_message_at, now)}</span>
                        {control}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel context" aria-labelledby="context-title">
            <div class="panel-head">
                <h2 id="context-title">"Context for a reply"</h2>
                <button
                    type="button"
                    class="small quiet"
                    onclick="navigator.clipboard.writeText(document.getElementById('context-text').innerText); this.textContent = 'Copied';"
                >
                    "Copy"
                </button>
            </div>
            <pre id="context-text" class="context-text">{text}</pre>
            <h3>"Conversations"</h3>
            <ul class="threads" id="threads">{rows}</ul>
            {action_error(actions.thread.value())}
        </section>
    }
    .into_any()
}
