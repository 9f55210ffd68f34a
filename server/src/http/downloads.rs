//! Files the pages link to: a person's data export, for the customer (`/me/export.json`) and for
//! an admin (`/customers/{id}/export.json`), and a list export's CSV (`/exports/{id}.csv`). The session middleware has put the session in the
//! request; these only check it and call the same service the API does.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use app::state::AppState;
use chrono::Utc;
use spine_core::Tenant;
use spine_core::access::Permission;
use spine_core::services::auth::StaffSession;
use spine_core::services::lists;
use spine_core::services::portal::CustomerSession;
use spine_core::services::privacy::{self, CustomerExport};
use spine_core::{Actor, ServiceError};

use super::Problem;

/// The signed-in customer's own data.
pub async fn my_export(
    State(state): State<AppState>,
    Extension(tenant): Extension<Tenant>,
    session: Option<Extension<CustomerSession>>,
) -> Response {
    let Some(Extension(session)) = session else {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, "/me")]).into_response();
    };
    export(
        &state,
        &tenant,
        &session.actor(),
        session.customer_id,
        "my-data",
    )
    .await
}

/// Any person's data, for an admin (the customer page's "Export data").
pub async fn staff_export(
    State(state): State<AppState>,
    Extension(tenant): Extension<Tenant>,
    session: Option<Extension<StaffSession>>,
    Path(id): Path<String>,
) -> Response {
    let Some(Extension(session)) = session else {
        return Problem::from(ServiceError::Forbidden).into_response();
    };
    if let Err(e) = session.authorize(Permission::ManagePrivacy) {
        return Problem::from(e).into_response();
    }
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return Problem::not_found("customer not found").into_response();
    };
    export(
        &state,
        &tenant,
        &session.actor(),
        id,
        &format!("customer-{id}"),
    )
    .await
}

async fn export(
    state: &AppState,
    tenant: &Tenant,
    actor: &Actor,
    id: uuid::Uuid,
    name: &str,
) -> Response {
    let data: CustomerExport = match privacy::export_customer(&state.store, tenant, actor, id).await
    {
        Ok(data) => data,
        Err(e) => return Problem::from(e).into_response(),
    };
    let disposition = format!("attachment; filename=\"{name}.json\"");
    let mut response = axum::Json(data).into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A list export's CSV, for the person who started it (or an admin), streamed a few parts at a
/// time so a list of a million profiles never sits whole in memory.
pub async fn list_export(
    State(state): State<AppState>,
    Extension(tenant): Extension<Tenant>,
    session: Option<Extension<StaffSession>>,
    Path(file): Path<String>,
) -> Response {
    let Some(Extension(session)) = session else {
        return Problem::unauthorized("sign in to download an export").into_response();
    };
    let Some(id) = file
        .strip_suffix(".csv")
        .and_then(spine_core::types::parse_hyphenated_uuid)
    else {
        return Problem::not_found("export not found").into_response();
    };
    let actor = session.actor();
    // The first parts are read here, so a refusal is an answer of its own, not a broken file.
    let first = match lists::export_download(&state.store, &tenant, &actor, id, 0).await {
        Ok(parts) => parts,
        Err(e) => return Problem::from(e).into_response(),
    };
    let store = state.store.clone();
    let stream = futures_util::stream::unfold(
        (Some(first), store, tenant, actor),
        move |(parts, store, tenant, actor)| async move {
            let parts = match parts {
                Some(parts) => parts,
                None => return None,
            };
            let next_from = parts.last().map(|(n, _)| n + 1)?;
            let body: String = parts.into_iter().map(|(_, body)| body).collect();
            let next = match lists::export_download(&store, &tenant, &actor, id, next_from).await {
                Ok(next) if !next.is_empty() => Some(next),
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "export download stopped");
                    return Some((
                        Err(std::io::Error::other(e.to_string())),
                        (None, store, tenant, actor),
                    ));
                }
            };
            Some((Ok::<_, std::io::Error>(body), (next, store, tenant, actor)))
        },
    );
    let mut response = axum::body::Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"customers-{}.csv\"",
        Utc::now().format("%Y-%m-%d")
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
