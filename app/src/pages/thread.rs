//! `/threads/{id}`: one conversation's messages with their full text, read on demand; the only
//! place an archived conversation's text is shown (the timeline keeps its place, the context
//! its summary).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::error::ConsoleError;
use crate::format::relative_time;
use crate::server_fns::customer::get_thread_transcript;
use crate::types::Direction;

#[component]
pub fn ThreadPage() -> AnyView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    });
    let transcript = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_thread_transcript(id).await,
                None => Err(ConsoleError::NotFound("No such conversation.".to_owned())),
            }
        },
    );
    view! {
        <Title text="Conversation" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match transcript.await {
                    Ok(t) => {
                        let now = t.now;
                        let with = t
                            .customer_name
                            .as_ref()
                            .map(|name| format!(" with {name}"))
                            .unwrap_or_default();
                        let title = match &t.topic {
                            Some(topic) => format!("Conversation{with} about {topic}"),
                            None => format!("Conversation{with}"),
                        };
                        let back = format!("← {}", t.customer_name.clone().unwrap_or_else(|| "Customer".to_owned()));
                        let customer = t.customer_name.clone();
                        let state = match t.archived_at {
                            Some(at) => format!("{}, archived {}", t.status, relative_time(at, now)),
                            None => t.status.clone(),
                        };
                        let lines = t
                            .messages
                            .into_iter()
                            .map(|m| {
                                let who = match (&customer, m.direction.as_str()) {
                                    (Some(name), "inbound") => name.clone(),
                                    _ => Direction::speaker_of(&m.direction).to_owned(),
                                };
                                view! {
                                    <li class=format!("transcript-line dir-{}", m.direction)>
                                        <div class="entry-meta">
                                            <span class="channel-name">{m.channel}</span>
                                            <span class="direction">{who}</span>
                                            <span class="entry-time">
                                                {m.occurred_at.format("%Y-%m-%d %H:%M").to_string()}
                                            </span>
                                        </div>
                                        <p class="entry-body">{m.body.unwrap_or_default()}</p>
                                    </li>
                                }
                            })
                            .collect_view();
                        view! {
                            <p class="crumbs">
                                <a href=format!("/customers/{}", t.customer_id)>{back}</a>
                            </p>
                            <section class="panel" aria-labelledby="thread-title">
                                <h1 id="thread-title">{title}</h1>
                                <p class="muted" id="thread-state">{state}</p>
                                <ol class="transcript" id="transcript">{lines}</ol>
                            </section>
                        }
                        .into_any()
                    }
                    Err(e) => view! {
                        <section class="panel empty">
                            <h1>"This conversation cannot be shown"</h1>
                            <p class="error" role="alert">{e.to_string()}</p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}
