//! The console's live feed in the browser: one `EventSource` on `/api/live` per signed-in
//! console, whose changes pages follow to update while they are open (the review count, a
//! customer's timeline and conversations, the customer list).

use leptos::prelude::*;
use uuid::Uuid;

use crate::types::LiveChange;

/// The latest change heard, numbered from 1 (0: none yet).
#[derive(Debug, Clone, Copy)]
pub struct LiveFeed(pub RwSignal<(u64, LiveChange)>);

impl LiveFeed {
    /// The number of the latest change, not tracked: a page's starting point.
    pub fn heard(&self) -> u64 {
        self.0.with_untracked(|(n, _)| *n)
    }

    /// Whether a change after `since` concerns this profile (or everything), tracked.
    pub fn names(&self, since: u64, customer: Uuid) -> bool {
        self.0
            .with(|(n, c)| *n > since && (c.overflow || c.customers.contains(&customer)))
    }

    /// Whether any profile changed after `since`, tracked.
    pub fn any(&self, since: u64) -> bool {
        self.0
            .with(|(n, c)| *n > since && (c.overflow || !c.customers.is_empty()))
    }

    /// The review queue's size as last heard, tracked.
    pub fn pending_reviews(&self) -> Option<i64> {
        self.0.with(|(_, c)| c.pending_reviews)
    }
}

/// Provides the feed to the console's pages and, in the browser, starts listening.
pub fn provide_live_feed() {
    let feed = LiveFeed(RwSignal::new((0, LiveChange::default())));
    provide_context(feed);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| listen(feed));
}

#[cfg(feature = "hydrate")]
fn listen(feed: LiveFeed) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let Ok(source) = web_sys::EventSource::new("/api/live") else {
        return;
    };
    let on_change =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            if let Ok(change) = serde_json::from_str::<LiveChange>(&text) {
                feed.0.update(|(n, last)| {
                    *n += 1;
                    *last = change;
                });
            }
        });
    if source
        .add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref())
        .is_ok()
    {
        // Both live as long as the console: the browser reconnects the source by itself.
        on_change.forget();
        std::mem::forget(source);
    }
}
