//! Spine's console: the HTML shell, the router and one file per page. Server functions are thin
//! adapters over `spine_core::services`; everything server-only sits behind the `ssr` feature.

pub mod pages;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod state;

pub use spine_core::types;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::StaticSegment;
use leptos_router::components::{A, Route, Router, Routes};

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/spine.css" />
        <Title formatter=|page: String| if page.is_empty() { "Spine".to_owned() } else { format!("{page} · Spine") } />
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"◆"</span>
                    " Spine"
                </A>
                <nav aria-label="Main">
                    <A href="/">"Home"</A>
                </nav>
            </header>
            <main id="main">
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=StaticSegment("") view=pages::home::HomePage />
                </Routes>
            </main>
        </Router>
    }
}
