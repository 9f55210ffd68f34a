use leptos::prelude::*;
use leptos_meta::Title;

use crate::shell::Brand;

#[component]
pub fn NotFound() -> AnyView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found" />
        <header class="topbar">
            <Brand />
        </header>
        <main id="main">
            <section class="panel empty">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. " <a href="/customers">"Back to the start"</a></p>
            </section>
        </main>
    }
    .into_any()
}
