//! Files the pages link to: a person's data export, for the customer (`/me/export.json`) and for
//! an admin (`/customers/{id}/export.json`). The session middleware has put the session in the
//! request; these only check it and call the same service the API does.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use app::state::AppState;
use spine_core::Tenant;
use spine_core::access::Permission;
use spine_core::services::auth::StaffSession;
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
