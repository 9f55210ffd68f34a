//! `spine serve`: migrate, optionally seed, then serve until SIGINT/SIGTERM, letting in-flight
//! requests finish.

use anyhow::Context;
use tokio::net::TcpListener;

use app::state::AppState;
use spine_core::services::tenants;
use spine_core::{ServiceError, Store};

use crate::cli::ServeArgs;

pub async fn run(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(args.addr).await.with_context(|| {
        format!(
            "cannot listen on {} (is another server using that port? set --addr or SPINE_ADDR)",
            args.addr
        )
    })?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let public_url = args.public_url.as_deref().map(public_url).transpose()?;
    let store = super::open(database_url).await?;
    super::index_names(&store).await?;

    if args.seed_demo && !has_tenant(&store, spine_core::demo::DEMO_TENANT).await? {
        super::seed::seed(&store, 42, 300, false).await?;
    }
    let tenant = tenants::ensure_tenant(&store, &args.tenant, &args.tenant, "US")
        .await
        .with_context(|| format!("tenant {:?}", args.tenant))?;

    let carriers = crate::mail::Carriers::new(
        args.smtp_url.as_deref(),
        args.smtp_from.as_deref(),
        args.mail_dir.clone(),
    )?;
    tracing::info!(carriers = carriers.describe(), "outbox");
    crate::metrics::install()?;
    crate::mail::spawn_dispatcher(store.clone(), carriers);
    crate::scheduler::spawn(store.clone());

    let state = AppState {
        leptos_options: crate::config::leptos_options(addr, &args.site_root),
        store: store.clone(),
        ingest: spine_core::services::ingest_queue::IngestQueue::start(store.clone()),
        tenant,
        base_domain: args.base_domain.clone(),
        public_url,
    };
    if let Some(metrics_addr) = args.metrics_addr {
        serve_metrics(metrics_addr, state.clone()).await?;
    }
    let router = crate::http::router(
        state,
        crate::http::Proxies(std::sync::Arc::new(args.trusted_proxies.clone())),
        crate::http::MetricsAccess {
            token: args.metrics_token.clone(),
        },
    );

    let signal = shutdown_signal();
    let shutdown = async move {
        signal.await;
        // Open consoles' live feeds would hold the drain forever.
        crate::http::stop_live();
    };
    tracing::info!(backend = store.backend().as_str(), %addr, "Spine is listening");
    eprintln!("Spine is ready: open http://{addr}/");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP")?;
    store.close().await;
    tracing::info!("Spine stopped");
    Ok(())
}

/// `GET /metrics` alone on its own address, in the background.
async fn serve_metrics(addr: std::net::SocketAddr, state: AppState) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} for metrics (--metrics-addr)"))?;
    let router = axum::Router::new()
        .route("/metrics", axum::routing::get(crate::http::metrics_page))
        .with_state(state);
    tracing::info!(%addr, "metrics are served at /metrics");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    Ok(())
}

/// The base URL providers call Spine at: http(s), no query, no trailing '/'.
fn public_url(raw: &str) -> anyhow::Result<String> {
    let url = raw.trim().trim_end_matches('/');
    let valid = (url.starts_with("https://") || url.starts_with("http://"))
        && url
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.is_empty())
        && !url.contains(['?', '#', ' ']);
    anyhow::ensure!(
        valid,
        "--public-url {raw:?} is not a base URL such as https://spine.example.com"
    );
    Ok(url.to_owned())
}

async fn has_tenant(store: &Store, slug: &str) -> anyhow::Result<bool> {
    match tenants::tenant_by_slug(store, slug).await {
        Ok(_) => Ok(true),
        Err(ServiceError::NotFound(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Resolves on Ctrl-C or SIGTERM; axum then stops accepting and drains in-flight requests.
/// SIGTERM is listened for from the call on, not from the first poll: a supervisor may stop
/// the server the moment it says it is ready.
fn shutdown_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| tracing::warn!(error = %e, "cannot listen for SIGTERM"))
        .ok();
    async move {
        let ctrl_c = async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::warn!(error = %e, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let terminate = async move {
            match terminate {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = terminate => {},
        }
        tracing::info!("shutting down: finishing in-flight requests");
    }
}
