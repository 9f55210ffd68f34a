//! `/outbox` (admin): the messages Spine sent to people, newest first: sign-in codes today,
//! with the codes blotted out (they are for their reader only) and the destination masked.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::format::relative_time;
use crate::server_fns::admin::get_outbox;

#[component]
pub fn OutboxPage() -> AnyView {
    let outbox = Resource::new(|| (), |_| get_outbox());
    view! {
        <Title text="Outbox" />
        <section class="panel" aria-labelledby="outbox-title">
            <h1 id="outbox-title">"Outbox"</h1>
            <p class="muted">
                "Messages Spine sends to customers (sign-in codes for their own page). Email goes out by SMTP when "
                <code>"--smtp-url"</code>
                " is set (in development, to the folder named by "
                <code>"--mail-dir"</code>
                "); anything without a carrier is marked not sent. A message the mail server cannot take now is tried again after 30 s, 1, 2, 4 and 8 minutes. Codes are never shown."
            </p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match outbox.await {
                        Ok(view) if view.messages.is_empty() => {
                            view! { <p class="empty">"Nothing sent yet."</p> }.into_any()
                        }
                        Ok(view) => {
                            let now = view.now;
                            let rows = view
                                .messages
                                .into_iter()
                                .map(|m| {
                                    let status = delivery_status(&m);
                                    let tries = m.attempts;
                                    view! {
                                        <tr>
                                            <td>{relative_time(m.created_at, now)}</td>
                                            <td>{m.channel}</td>
                                            <td>{m.to}</td>
                                            <td class="message">{m.body}</td>
                                            <td class="num">{tries}</td>
                                            <td class="muted">{status}</td>
                                        </tr>
                                    }
                                })
                                .collect_view();
                            view! {
                                <table class="data-table" id="outbox">
                                    <thead>
                                        <tr>
                                            <th>"When"</th>
                                            <th>"Channel"</th>
                                            <th>"To"</th>
                                            <th>"Message"</th>
                                            <th>"Tries"</th>
                                            <th>"Status"</th>
                                        </tr>
                                    </thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            }
                            .into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// What became of a message, for an admin: sent, failed for good (why), waiting for its first
/// try, or waiting to be tried again (after what).
fn delivery_status(m: &spine_core::types::OutboxMessage) -> String {
    match (&m.sent_at, &m.error, &m.last_error) {
        (Some(_), _, _) => "sent".to_owned(),
        (None, Some(reason), _) => format!("not sent: {reason}"),
        (None, None, Some(last)) => match m.next_attempt_at {
            Some(at) => format!(
                "trying again at {} UTC; last try: {last}",
                at.format("%H:%M:%S")
            ),
            None => format!("trying again; last try: {last}"),
        },
        (None, None, None) => "waiting".to_owned(),
    }
}
