//! The console's frame: the top bar (brand, the navigation the role may use, who is signed in,
//! sign-out) around every signed-in page.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use spine_core::access::Permission;

use crate::server_fns::auth::{ConsoleSession, SignOut, get_console_session};

/// The console's sections, each shown only to roles that may use it. Only routes that exist are
/// listed: Review (with its pending count), Audit, Settings and Analytics join as they are built.
const NAV: &[(&str, &str, Permission)] = &[
    ("Customers", "/customers", Permission::ViewCustomers),
    ("Review", "/review", Permission::ReviewMatches),
    ("Audit", "/audit", Permission::ViewAudit),
    ("Settings", "/settings", Permission::ManageSettings),
    ("Outbox", "/outbox", Permission::ManageSettings),
    ("Analytics", "/analytics", Permission::ViewAnalytics),
];

/// The brand, linking to the console's start page.
#[component]
pub fn Brand() -> AnyView {
    view! {
        <a href="/customers" class="brand">
            <span class="brand-mark" aria-hidden="true">"◆"</span>
            " Spine"
        </a>
    }
    .into_any()
}

/// Bumped by a page that changed the review queue without a navigation (items decided, a
/// sweep finished), so the navigation's count is read again.
#[derive(Debug, Clone, Copy)]
pub struct ReviewQueueChanged(pub RwSignal<u32>);

/// Top bar and page. The session is read once per page load; the page itself does not wait for it.
#[component]
pub fn ConsoleShell() -> AnyView {
    let session = Resource::new(|| (), |_| get_console_session());
    provide_context(session);
    provide_context(ReviewQueueChanged(RwSignal::new(0)));
    crate::live::provide_live_feed();
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <header class="topbar">
            <Brand />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(session) => view! { <SignedInBar session sign_out /> }.into_any(),
                        Err(e) => view! {
                            <p class="topbar-note" role="alert">
                                {e.to_string()} " " <a href="/login">"Sign in"</a>
                            </p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </header>
        <main id="main">
            <Outlet />
        </main>
    }
    .into_any()
}

#[component]
fn SignedInBar(session: ConsoleSession, sign_out: ServerAction<SignOut>) -> AnyView {
    let staff = session.staff;
    let links = NAV
        .iter()
        .filter(|(_, _, permission)| staff.can(*permission))
        .map(|(label, href, _)| {
            let badge = (*href == "/review").then(|| view! { <ReviewCount /> });
            view! { <A href=*href>{*label} {badge}</A> }
        })
        .collect_view();
    let failed = move || {
        sign_out
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <span class="error" role="alert">{e.to_string()}</span> })
    };
    let views = staff
        .can(Permission::ViewCustomers)
        .then(|| view! { <NavViews /> });
    view! {
        <nav aria-label="Main">{links} {views}</nav>
        <div class="whoami">
            <span class="who">
                <span class="who-tenant" title="The business this console is for">
                    {session.tenant_name}
                </span>
                <span class="who-name">{staff.name}</span>
                <span class="role-badge" data-role=staff.role.as_str()>{staff.role.label()}</span>
            </span>
            <ActionForm action=sign_out>
                <input type="hidden" name="csrf" value=session.csrf_token />
                <button type="submit" class="quiet">"Sign out"</button>
            </ActionForm>
            {failed}
        </div>
    }
    .into_any()
}

/// The person's saved views (their own and the team's) with their counts, read again on every
/// navigation: "VIP with open conversations 12".
#[component]
fn NavViews() -> AnyView {
    let location = leptos_router::hooks::use_location();
    let views = Resource::new(
        move || location.pathname.get(),
        |_| crate::server_fns::customers::nav_views(),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = views.await.ok().filter(|v| !v.is_empty())?;
                let items = list
                    .into_iter()
                    .map(|v| {
                        let count = v.count.short();
                        let href = v.url();
                        view! {
                            <li>
                                <a href=href>
                                    <span class="view-name">{v.name}</span>
                                    <span class="count-badge" aria-label=format!("{count} customers")>{count.clone()}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view();
                Some(view! {
                    <details class="nav-views">
                        <summary>"Views"</summary>
                        <ul>{items}</ul>
                    </details>
                })
            })}
        </Transition>
    }
    .into_any()
}

/// The number of pending review items beside "Review", refreshed on every navigation, when a
/// page says the queue changed, and when the live feed says its size moved.
#[component]
fn ReviewCount() -> AnyView {
    let location = leptos_router::hooks::use_location();
    let changed = use_context::<ReviewQueueChanged>();
    let live = use_context::<crate::live::LiveFeed>();
    let heard = Memo::new(move |_| live.and_then(|l| l.pending_reviews()));
    let count = Resource::new(
        move || {
            (
                location.pathname.get(),
                changed.map(|c| c.0.get()),
                heard.get(),
            )
        },
        |_| crate::server_fns::review::count_review_items(),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                count.await.ok().flatten().filter(|n| *n > 0).map(|n| view! {
                    <span class="count-badge" aria-label=format!("{n} waiting")>{n}</span>
                })
            })}
        </Transition>
    }
    .into_any()
}
