//! `/customers/{id}`: a PLACEHOLDER until the profile page (header, identities, timeline) is
//! built. It shows the customer's name so search results have somewhere to go.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::error::ConsoleError;
use crate::server_fns::customers::get_customer_name;

#[component]
pub fn CustomerPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    });
    let name = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_customer_name(id).await,
                None => Err(ConsoleError::NotFound("No such customer.".to_owned())),
            }
        },
    );
    view! {
        <p class="crumbs"><a href="/customers">"← Customers"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match name.await {
                    Ok(name) => {
                        let name = name.unwrap_or_else(|| "(no name yet)".to_owned());
                        view! {
                            <Title text=name.clone() />
                            <section class="panel">
                                <h1 class="customer-name">{name}</h1>
                                <p class="muted">
                                    "The full profile (identities, timeline, merges) is not built yet: this page is a placeholder."
                                </p>
                            </section>
                        }
                        .into_any()
                    }
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        if let (ConsoleError::NotFound(_), Some(response)) =
                            (&e, use_context::<leptos_axum::ResponseOptions>())
                        {
                            response.set_status(axum::http::StatusCode::NOT_FOUND);
                        }
                        view! {
                            <Title text="Customer not found" />
                            <section class="panel empty">
                                <h1>"Customer not found"</h1>
                                <p class="error" role="alert">{e.to_string()}</p>
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}
