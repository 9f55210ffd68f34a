//! Spine's console: the HTML shell, the router and one file per page. Server functions are thin
//! adapters over `spine_core::services`; everything server-only sits behind the `ssr` feature.

pub mod charts;
pub mod error;
pub mod format;
pub mod live;
pub mod pages;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod session;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod state;

pub use spine_core::types;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    page_security_policy();
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

/// A page runs only the scripts Leptos wrote into it (they carry this response's nonce) and
/// what they load; no inline handler, no other origin, never inside a frame. A name that slips
/// markup into a page still cannot run.
#[cfg(feature = "ssr")]
fn page_security_policy() {
    use leptos_axum::ResponseOptions;
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The routes. Everything but `/login` sits inside the console shell (top bar, navigation); the
/// server's session middleware has already sent anyone without a session to `/login`.
#[component]
pub fn App() -> AnyView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/spine.css" />
        <Title formatter=format::document_title />
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route path=StaticSegment("login") view=pages::login::LoginPage />
                // The customer's own page: outside the console, with a session of its own.
                <Route path=StaticSegment("me") view=pages::me::MePage ssr=SsrMode::Async />
                // Rendered whole before sending (`Async`): results are in the HTML without
                // JavaScript, and a page can still set its status (404).
                <ParentRoute path=StaticSegment("") view=shell::ConsoleShell ssr=SsrMode::Async>
                    // The server answers `/` itself (303 to /customers, or /login); this is for
                    // navigation inside the browser.
                    <Route path=StaticSegment("") view=|| view! { <Redirect path="/customers" /> } />
                    <Route path=StaticSegment("customers") view=pages::customers::SearchPage />
                    <Route
                        path=(StaticSegment("customers"), ParamSegment("id"))
                        view=pages::customer::CustomerPage
                    />
                    <Route
                        path=(StaticSegment("customers"), ParamSegment("id"), StaticSegment("merge"), ParamSegment("other"))
                        view=pages::merge::ManualMergePage
                    />
                    <Route
                        path=(StaticSegment("threads"), ParamSegment("id"))
                        view=pages::thread::ThreadPage
                    />
                    <Route path=StaticSegment("review") view=pages::review::ReviewQueuePage />
                    <Route
                        path=(StaticSegment("review"), ParamSegment("id"))
                        view=pages::review::ReviewItemPage
                    />
                    <Route path=StaticSegment("audit") view=pages::audit::AuditPage />
                    <Route path=StaticSegment("settings") view=pages::settings::SettingsPage />
                    <Route path=StaticSegment("outbox") view=pages::outbox::OutboxPage />
                    <Route path=StaticSegment("analytics") view=pages::analytics::AnalyticsPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
    .into_any()
}
