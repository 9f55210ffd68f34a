//! `/login`: email and password. A plain form posting to the `sign_in` server function, so it
//! works before (or without) the WASM; with it, the error shows without a reload.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::server_fns::auth::SignIn;
use crate::shell::Brand;

#[component]
pub fn LoginPage() -> AnyView {
    let sign_in = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let pending = sign_in.pending();
    let error =
        move || {
            sign_in.value().get().and_then(Result::err).map(
                |e| view! { <p class="error" role="alert" id="login-error">{e.to_string()}</p> },
            )
        };
    view! {
        <Title text="Sign in" />
        <header class="topbar">
            <Brand />
        </header>
        <main id="main" class="narrow">
            <section class="panel login" aria-labelledby="login-title">
                <h1 id="login-title">"Sign in to Spine"</h1>
                <p class="muted">"For staff of this workspace. Ask an admin if you need an account."</p>
                <ActionForm action=sign_in>
                    <input type="hidden" name="next" value=next />
                    <label class="field">
                        <span>"Email"</span>
                        <input
                            type="email"
                            name="email"
                            autocomplete="username"
                            required
                            autofocus
                        />
                    </label>
                    <label class="field">
                        <span>"Password"</span>
                        <input
                            type="password"
                            name="password"
                            autocomplete="current-password"
                            required
                        />
                    </label>
                    {error}
                    <button type="submit" class="primary" disabled=pending>
                        {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
            </section>
        </main>
    }
    .into_any()
}
