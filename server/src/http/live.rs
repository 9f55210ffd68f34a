//! `GET /api/live`: the console's live feed, as server-sent events. Each signed-in console of a
//! tenant gets an `event: change` whenever profiles had new interactions or the review queue's
//! size moved (`LiveChange`, as JSON; ids only, no personal data). One watch per tenant asks
//! the database once a second, however many consoles listen, and stops when the last one
//! leaves.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast;
use uuid::Uuid;

use app::state::AppState;
use spine_core::access::Permission;
use spine_core::services::auth::StaffSession;
use spine_core::services::live::Watch;
use spine_core::{ServiceError, Store, Tenant};

use super::Problem;

/// How often a tenant's watch looks.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// A stream ends after this long; the browser reconnects on its own, and the session is
/// checked again then (a signed-out or disabled account stops hearing).
const STREAM_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Changes queued per listener before a slow one misses some (it then reads everything again).
const BACKLOG: usize = 64;

/// Open streams one process holds at most; more are refused (503) rather than let a runaway
/// page, or someone opening thousands, hold every connection.
const MAX_STREAMS: usize = 2_000;

static STREAMS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Counts one open stream while it lives.
struct Open;

impl Open {
    fn take() -> Option<Open> {
        use std::sync::atomic::Ordering;
        let before = STREAMS.fetch_add(1, Ordering::AcqRel);
        if before >= MAX_STREAMS {
            STREAMS.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(Open)
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        STREAMS.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

type Feeds = HashMap<Uuid, broadcast::Sender<Arc<str>>>;

static FEEDS: LazyLock<Mutex<Feeds>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Set when the server stops: every stream ends, so the graceful shutdown does not wait for
/// consoles that would listen forever.
static STOPPING: LazyLock<tokio::sync::watch::Sender<bool>> =
    LazyLock::new(|| tokio::sync::watch::channel(false).0);

/// Ends every live stream (the server is stopping).
pub fn stop() {
    STOPPING.send_replace(true);
}

fn feeds() -> std::sync::MutexGuard<'static, Feeds> {
    FEEDS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A listener on the tenant's feed; the first one starts the tenant's watch.
fn subscribe(store: &Store, tenant: &Tenant) -> broadcast::Receiver<Arc<str>> {
    let mut feeds = feeds();
    if let Some(sender) = feeds.get(&tenant.id) {
        return sender.subscribe();
    }
    let (sender, receiver) = broadcast::channel(BACKLOG);
    feeds.insert(tenant.id, sender.clone());
    tokio::spawn(watch(store.clone(), tenant.clone(), sender));
    receiver
}

/// The tenant's watch: looks every second while anyone listens.
async fn watch(store: Store, tenant: Tenant, sender: broadcast::Sender<Arc<str>>) {
    let mut watch = Watch::new();
    let mut ticks = tokio::time::interval(LOOK_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        {
            // Checked under the lock a new listener takes, so none joins a feed that is ending.
            let mut feeds = feeds();
            if sender.receiver_count() == 0 {
                if feeds
                    .get(&tenant.id)
                    .is_some_and(|s| s.same_channel(&sender))
                {
                    feeds.remove(&tenant.id);
                }
                return;
            }
        }
        match watch.look(&store, &tenant).await {
            Ok(Some(change)) => match serde_json::to_string(&change) {
                Ok(json) => {
                    // No listener left is not an error: the next tick ends the watch.
                    let _ = sender.send(Arc::from(json));
                }
                Err(e) => tracing::error!(error = %e, "cannot write a live change"),
            },
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, tenant = %tenant.slug, "the live watch cannot look")
            }
        }
    }
}

/// The signed-in staff member's feed (anyone who may read customers).
pub async fn feed(
    State(state): State<AppState>,
    Extension(tenant): Extension<Tenant>,
    session: Option<Extension<StaffSession>>,
) -> Response {
    let Some(Extension(session)) = session else {
        return Problem::unauthorized("sign in to follow changes").into_response();
    };
    if session.authorize(Permission::ViewCustomers).is_err() {
        return Problem::from(ServiceError::Forbidden).into_response();
    }
    let Some(open) = Open::take() else {
        return Problem::unavailable(
            "too many live connections on this server: live updates are off until the page is reloaded",
        )
        .into_response();
    };
    let receiver = subscribe(&state.store, &tenant);
    Sse::new(changes(receiver, open))
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn changes(
    receiver: broadcast::Receiver<Arc<str>>,
    open: Open,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let changes = stream::unfold((receiver, open), |(mut receiver, open)| async move {
        let data = match receiver.recv().await {
            Ok(json) => json,
            // Too slow to keep up: everything may have changed.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                Arc::from(r#"{"customers":[],"overflow":true}"#)
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        let event = Event::default().event("change").data(&*data);
        Some((Ok(event), (receiver, open)))
    });
    let mut stopping = STOPPING.subscribe();
    let end = async move {
        tokio::select! {
            () = tokio::time::sleep(STREAM_LIFETIME) => {}
            _ = stopping.wait_for(|stop| *stop) => {}
        }
    };
    changes.take_until(end)
}
