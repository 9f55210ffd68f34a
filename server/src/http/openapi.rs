//! The OpenAPI 3.1 document of the HTTP surface, served at /api/openapi.json. It is generated from
//! the handlers' `#[utoipa::path]` annotations and the DTOs' schemas, never written by hand, so it
//! follows the code; the `openapi` integration test checks it against the router.

use std::sync::LazyLock;

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::problem::responses::{
    Conflict, Invalid, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
};
use super::{api, health};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Spine API",
        version = env!("CARGO_PKG_VERSION"),
        description = "Spine ingests every interaction with a customer (messages, calls, orders, \
            bookings) over any channel, resolves the sender to one profile with a confidence \
            score, and sends ambiguous matches to a review queue instead of merging them.\n\n\
            Every `/api/v1` call needs an API key (`spine api-key create`) as \
            `Authorization: Bearer spk_...`. Errors are RFC 9457 problem details \
            (`application/problem+json`); for invalid input, `field` names the input at fault \
            and nothing is written.",
    ),
    paths(
        health::healthz,
        health::readyz,
        api::events::ingest_one,
        api::events::ingest_batch,
        api::customers::search,
        api::customers::resolve,
        api::customers::profile,
        api::customers::update,
        api::customers::timeline,
        api::customers::context,
        api::customers::resolve_thread,
        api::customers::reopen_thread,
        api::customers::transcript,
        api::customers::archive_thread,
        api::privacy::export,
        api::privacy::soft_delete,
        api::privacy::restore,
        api::privacy::erasure,
        api::review::merge_customers,
        api::review::preview,
        api::review::list,
        api::review::merge_item,
        api::review::reject_item,
        api::review::defer_item,
        api::review::undo,
    ),
    components(responses(
        Unauthorized,
        NotFound,
        Conflict,
        PayloadTooLarge,
        UnsupportedMediaType,
        Invalid
    )),
    modifiers(&BearerKey),
    tags(
        (name = "events", description = "Interactions in: each one resolved to a profile in real time."),
        (name = "customers", description = "Profiles: search, find-or-create, read, change, timeline."),
        (name = "privacy", description = "A person's data: export, soft delete and restore, erasure."),
        (name = "review", description = "The review queue, merges and undo: nothing merges two profiles without a person."),
        (name = "health", description = "Liveness and readiness, without an API key."),
    ),
)]
pub struct ApiDoc;

/// The `bearer` security scheme the operations name: an API key, `spk_...`.
struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("spk_...")
                    .description(Some(
                        "An API key, sent as `Authorization: Bearer spk_...`; create one with \
                         `spine api-key create --tenant NAME --name INTEGRATION`. The key \
                         decides the tenant.",
                    ))
                    .build(),
            ),
        );
    }
}

static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);

/// GET /api/openapi.json, without an API key.
pub async fn document() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(&DOCUMENT)
}
