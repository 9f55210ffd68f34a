//! The OpenAPI 3.1 document of the HTTP surface, served at /api/openapi.json. It is generated from
//! the handlers' `#[utoipa::path]` annotations and the DTOs' schemas, never written by hand, so it
//! follows the code; the `openapi` integration test checks it against the router.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Json;
use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use serde_json::{Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::problem::responses::{
    Conflict, Forbidden, Invalid, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
};
use super::{Problem, api, health};

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
        api::sweeps::start,
        api::sweeps::latest,
        api::sweeps::fields,
        api::identities::add,
        api::identities::unlink,
        api::identities::list,
        api::identities::undo,
    ),
    components(responses(
        Unauthorized,
        Forbidden,
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

/// The pattern of a UUID as this API writes and reads it: hyphenated, 36 characters. Every
/// `format: uuid` in the document carries it, since `format` alone is only an annotation.
pub const UUID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// Text a person or a provider wrote, shown in the console and in exports: no control
/// characters (line breaks, escapes, NULs). Spelled with `\\x` and `\\u` escapes only, which
/// every regular-expression dialect a client may use reads alike.
const PRINTABLE: &str = r"^[^\x00-\x1f\x7f-\x9f]*$";
/// Printable text with at least one character that is not white space.
const NONBLANK: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f]*$";

/// The document as served: generated from the code, then refined with what the derives cannot
/// say (patterns, ranges, rules between fields). The server checks bodies against this very
/// document, so what it states is what the API does.
static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    let (document, missing) = build();
    for at in missing {
        tracing::error!(%at, "the OpenAPI document has no schema here to refine");
    }
    document
});

/// The generated document with every refinement and link added, and the pointers of those
/// that found no object to go into (none: a unit test holds it).
fn build() -> (Value, Vec<String>) {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    pattern_uuids(&mut document);
    let parameters: Vec<(String, Value)> = parameter_refinements()
        .into_iter()
        .map(|(path, method, name, rule)| (parameter_schema(&document, path, method, name), rule))
        .collect();
    let missing = refinements()
        .into_iter()
        .chain(parameters)
        .chain(links())
        .filter_map(|(at, rule)| match (document.pointer_mut(&at), rule) {
            (Some(Value::Object(schema)), Value::Object(rule)) => {
                schema.extend(rule);
                None
            }
            _ => Some(at),
        })
        .collect();
    (document, missing)
}

/// Schemas that each hold when one of `fields` is given as a string.
fn one_of_given(fields: &[&str]) -> Vec<Value> {
    fields
        .iter()
        .map(|field| {
            let mut properties = serde_json::Map::new();
            properties.insert((*field).to_owned(), json!({ "type": "string" }));
            json!({ "properties": properties, "required": [field] })
        })
        .collect()
}

fn text(max: usize, pattern: &str) -> Value {
    json!({ "maxLength": max, "pattern": pattern })
}

/// An id a provider gave: 1 to 255 characters, not only spaces.
fn provider_id() -> Value {
    json!({ "minLength": 1, "maxLength": spine_core::services::ingest::MAX_EXTERNAL_ID_CHARS, "pattern": NONBLANK })
}

fn email() -> Value {
    json!({ "format": "email", "maxLength": 254 })
}

fn phone() -> Value {
    json!({ "format": "phone", "maxLength": 64 })
}

fn person_name(max: usize) -> Value {
    json!({ "format": "person-name", "maxLength": max })
}

/// The request schemas' rules that the derives cannot express; `openapi` tests keep each in
/// step with the services that enforce them.
fn refinements() -> Vec<(String, Value)> {
    use spine_core::services::{customers, ingest};
    let cents = ingest::MAX_CENTS as i64;
    let choices = choices_schema();
    let rules = [
        (
            "EventInput/properties/body",
            json!({ "maxLength": ingest::MAX_BODY_CHARS }),
        ),
        ("EventInput/properties/external_id", provider_id()),
        ("EventInput/properties/source", text(64, NONBLANK)),
        ("EventInput/properties/campaign", text(100, NONBLANK)),
        (
            "EventInput/properties/sentiment",
            json!({ "minimum": -1, "maximum": 1 }),
        ),
        (
            "EventInput/properties/occurred_at",
            json!({ "x-spine-range": "1970-01-01T00:00:00Z to a year from now" }),
        ),
        // An event of kind `order` carries its order.
        (
            "EventInput",
            json!({
                "if": { "properties": { "kind": { "const": "order" } }, "required": ["kind"] },
                "then": { "properties": { "order": { "type": "object" } }, "required": ["order"] },
            }),
        ),
        ("IdentifiersInput/properties/email", email()),
        ("IdentifiersInput/properties/phone", phone()),
        ("IdentifiersInput/properties/name", person_name(200)),
        ("IdentifiersInput/properties/login", text(255, PRINTABLE)),
        (
            "HandleInput/properties/platform",
            json!({ "pattern": "^[A-Za-z0-9_-]{1,32}$" }),
        ),
        (
            "HandleInput/properties/handle",
            json!({ "format": "social-handle", "minLength": 1, "maxLength": 100 }),
        ),
        (
            "ExternalInput/properties/provider",
            json!({ "pattern": "^[A-Za-z0-9_-]{1,64}$" }),
        ),
        ("ExternalInput/properties/id", provider_id()),
        (
            "AddressInput/properties/line1",
            json!({ "format": "street-line", "minLength": 1, "maxLength": 200 }),
        ),
        ("AddressInput/properties/line2", text(200, PRINTABLE)),
        ("AddressInput/properties/city", text(200, PRINTABLE)),
        ("AddressInput/properties/region", text(200, PRINTABLE)),
        ("AddressInput/properties/postal_code", text(200, PRINTABLE)),
        ("AddressInput/properties/country", text(200, PRINTABLE)),
        ("OrderInput/properties/provider", text(64, NONBLANK)),
        ("OrderInput/properties/external_id", text(255, NONBLANK)),
        (
            "OrderInput/properties/total_cents",
            json!({ "minimum": -cents, "maximum": cents }),
        ),
        (
            "OrderInput/properties/currency",
            json!({ "pattern": "^[A-Za-z]{3}$" }),
        ),
        ("OrderInput/properties/status", text(32, NONBLANK)),
        (
            "OrderInput/properties/items",
            json!({ "maxItems": ingest::MAX_ORDER_ITEMS }),
        ),
        ("OrderItem/properties/name", text(500, PRINTABLE)),
        (
            "OrderItem/properties/quantity",
            json!({ "minimum": 1, "maximum": ingest::MAX_QUANTITY }),
        ),
        (
            "OrderItem/properties/price_cents",
            json!({ "minimum": -cents, "maximum": cents }),
        ),
        ("ResolveRequest/properties/source", text(64, NONBLANK)),
        ("ResolveRequest/properties/email", email()),
        ("ResolveRequest/properties/phone", phone()),
        ("ResolveRequest/properties/login_id", text(255, NONBLANK)),
        ("ResolveRequest/properties/first_name", person_name(100)),
        ("ResolveRequest/properties/last_name", person_name(100)),
        // At least one way to find the person.
        (
            "ResolveRequest",
            json!({ "anyOf": one_of_given(&["phone", "email", "login_id"]) }),
        ),
        (
            "ProfileUpdate/properties/display_name",
            text(200, PRINTABLE),
        ),
        ("ProfileUpdate/properties/timezone", text(64, PRINTABLE)),
        ("ProfileUpdate/properties/language", text(16, PRINTABLE)),
        (
            "ProfileUpdate/properties/tags",
            json!({
                "maxItems": customers::MAX_TAGS,
                "items": { "type": "string", "maxLength": customers::MAX_TAG_CHARS, "pattern": NONBLANK },
            }),
        ),
        // An identifier added by hand: its value is of its kind's form, and a handle or an
        // external id names its platform or system.
        // An identifier added by hand: one of the four, with its reason.
        (
            "NewIdentifier",
            json!({ "minProperties": 2, "maxProperties": 2 }),
        ),
        ("NewIdentifier/properties/email", email()),
        ("NewIdentifier/properties/phone", phone()),
        (
            "NewIdentifier/properties/reason",
            json!({ "minLength": 1, "maxLength": 500, "pattern": NONBLANK }),
        ),
        (
            "UnlinkBody/properties/reason",
            json!({ "minLength": 1, "maxLength": 500, "pattern": NONBLANK }),
        ),
        ("ItemMergeBody/properties/choices", choices.clone()),
        ("MergeBody/properties/choices", choices),
    ];
    rules
        .into_iter()
        .map(|(pointer, rule)| (format!("/components/schemas/{pointer}"), rule))
        .collect()
}

/// Rules for parameters, by operation and name: (path, method, parameter, rule).
fn parameter_refinements() -> Vec<(&'static str, &'static str, &'static str, Value)> {
    vec![
        // It stands in for an event's external_id; a header value is visible ASCII (spaces
        // inside allowed).
        (
            "/api/v1/events",
            "post",
            "Idempotency-Key",
            json!({
                "minLength": 1,
                "maxLength": spine_core::services::ingest::MAX_EXTERNAL_ID_CHARS,
                "pattern": r"^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$",
            }),
        ),
        (
            "/api/v1/customers/{id}/timeline",
            "get",
            "cursor",
            json!({ "pattern": spine_core::types::TimelineCursor::PATTERN }),
        ),
    ]
}

/// The pointer to the schema of `method path`'s parameter `name`.
fn parameter_schema(document: &Value, path: &str, method: &str, name: &str) -> String {
    let escaped = path.replace('~', "~0").replace('/', "~1");
    let operation = format!("/paths/{escaped}/{method}");
    let index = document
        .pointer(&format!("{operation}/parameters"))
        .and_then(Value::as_array)
        .and_then(|parameters| parameters.iter().position(|p| p["name"] == name));
    match index {
        Some(i) => format!("{operation}/parameters/{i}/schema"),
        None => format!("{operation}/parameters/{name}"),
    }
}

/// Links from the answers that hold ids to the operations that take them, so a client (and a
/// contract test) can follow a search to a merge, a merge to its undo, a hide to its restore.
fn links() -> Vec<(String, Value)> {
    let links = [
        (
            "/paths/~1api~1v1~1customers/get/responses/200",
            json!({
                "MergePreview": {
                    "operationId": "preview",
                    "parameters": { "id": "$response.body#/0/id", "absorbed_id": "$response.body#/1/id" },
                },
                "Merge": {
                    "operationId": "merge_customers",
                    "parameters": { "id": "$response.body#/0/id" },
                    "requestBody": { "absorbed_id": "$response.body#/1/id" },
                },
            }),
        ),
        (
            "/paths/~1api~1v1~1customers~1{id}/delete/responses/204",
            json!({ "Restore": { "operationId": "restore", "parameters": { "id": "$request.path.id" } } }),
        ),
        (
            "/paths/~1api~1v1~1customers~1{id}~1merge/post/responses/200",
            json!({ "Undo": { "operationId": "undo", "parameters": { "id": "$response.body#/merge_id" } } }),
        ),
    ];
    links
        .into_iter()
        .map(|(at, links)| (at.to_owned(), json!({ "links": links })))
        .collect()
}

/// A merge's choices: for each field it decides, whose value wins or a value typed instead.
fn choices_schema() -> Value {
    use spine_core::services::merge::{MERGE_FIELDS, TypedValue, typed_value_rule};
    let take_one = json!({
        "type": "object",
        "properties": { "take": { "enum": ["survivor", "absorbed"] } },
        "required": ["take"],
        "additionalProperties": false,
    });
    let properties: serde_json::Map<String, Value> = MERGE_FIELDS
        .iter()
        .map(|field| {
            let value = match typed_value_rule(field) {
                TypedValue::Refused => return (field.to_string(), take_one.clone()),
                TypedValue::OneOf(names) => json!({ "type": "string", "enum": names }),
                TypedValue::Text(max) => {
                    json!({ "type": "string", "maxLength": max, "pattern": NONBLANK })
                }
            };
            let typed = json!({
                "type": "object",
                "properties": { "take": { "const": "value" }, "value": value },
                "required": ["take", "value"],
                "additionalProperties": false,
            });
            (field.to_string(), json!({ "oneOf": [take_one, typed] }))
        })
        .collect();
    json!({ "properties": properties, "additionalProperties": false })
}

fn pattern_uuids(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("uuid") {
                map.entry("pattern")
                    .or_insert_with(|| Value::from(UUID_PATTERN));
            }
            map.values_mut().for_each(pattern_uuids);
        }
        Value::Array(items) => items.iter_mut().for_each(pattern_uuids),
        _ => {}
    }
}

/// GET /api/openapi.json, without an API key.
pub async fn document() -> Json<&'static Value> {
    Json(&DOCUMENT)
}

/// One validator per schema of the document's components, compiled once: request bodies are
/// checked against the very schema the document publishes.
static VALIDATORS: LazyLock<HashMap<String, Validator>> = LazyLock::new(|| {
    let components = DOCUMENT["components"].clone();
    let Some(schemas) = components["schemas"].as_object() else {
        return HashMap::new();
    };
    schemas
        .keys()
        .filter_map(|name| {
            let root = json!({
                "$ref": format!("#/components/schemas/{name}"),
                "components": components,
            });
            let built = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&root);
            match built {
                Ok(validator) => Some((name.clone(), validator)),
                Err(e) => {
                    tracing::error!(schema = %name, error = %e, "an OpenAPI schema does not compile");
                    None
                }
            }
        })
        .collect()
});

/// Checks a request body against the documented schema `name`: the first violation is a 422
/// naming the field (`events[0].identifiers`), with a detail that does not echo the value.
pub fn check_body(name: &str, body: &Value) -> Result<(), Problem> {
    let Some(validator) = VALIDATORS.get(name) else {
        // Every body type is a component (the `openapi` tests check it): nothing to hold.
        return Ok(());
    };
    match validator.iter_errors(body).next() {
        None => Ok(()),
        Some(error) => {
            let error = most_specific(error);
            let field = field_path(error.instance_path());
            Err(Problem::invalid(field, describe(&error)))
        }
    }
}

/// For `oneOf`/`anyOf` (an optional object is `oneOf: [null, {...}]`), the error of the
/// branch that went deepest into the value says more than "none of the schemas matched".
fn most_specific(error: ValidationError<'_>) -> ValidationError<'static> {
    let deepest = match error.kind() {
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            context
                .iter()
                .flatten()
                .enumerate()
                .filter(|(_, e)| !matches!(e.kind(), ValidationErrorKind::Type { .. }))
                .max_by_key(|(_, e)| e.instance_path().as_str().len())
                .map(|(i, _)| i)
        }
        _ => None,
    };
    let Some(index) = deepest else {
        return error.to_owned();
    };
    match error.into_parts().kind {
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            match context.into_iter().flatten().nth(index) {
                Some(inner) => most_specific(inner),
                None => ValidationError::custom("not valid here"),
            }
        }
        _ => ValidationError::custom("not valid here"),
    }
}

/// `/events/0/identifiers` as `events[0].identifiers`; the body itself is no field.
fn field_path(location: &jsonschema::paths::Location) -> Option<String> {
    let mut path = String::new();
    for segment in location.segments() {
        match segment {
            LocationSegment::Index(i) => path.push_str(&format!("[{i}]")),
            LocationSegment::Property(name) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&name);
            }
        }
    }
    (!path.is_empty()).then_some(path)
}

/// What is wrong, in words, without the value (a body may be large, or someone's data).
fn describe(error: &ValidationError<'_>) -> String {
    use ValidationErrorKind as K;
    match error.kind() {
        K::Type { kind } => format!("must be of type {}", type_names(kind)),
        K::Required { property } => format!("{property} is required"),
        K::AdditionalProperties { unexpected } => {
            format!("unknown field(s): {}", unexpected.join(", "))
        }
        K::MinLength { limit } => format!("at least {limit} characters"),
        K::MaxLength { limit } => format!("at most {limit} characters"),
        K::MinItems { limit } => format!("at least {limit} items"),
        K::MaxItems { limit } => format!("at most {limit} items"),
        K::Minimum { limit } => format!("at least {limit}"),
        K::Maximum { limit } => format!("at most {limit}"),
        K::ExclusiveMinimum { limit } => format!("more than {limit}"),
        K::ExclusiveMaximum { limit } => format!("less than {limit}"),
        K::Pattern { pattern } => format!("must match {pattern}"),
        K::Enum { options } => format!("one of {options}"),
        K::Format { format } => format!("must be a valid {format}"),
        _ => error.masked_with("the value").to_string(),
    }
}

fn type_names(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(t) => t.to_string(),
        jsonschema::error::TypeKind::Multiple(ts) => ts
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refinement_finds_its_schema() {
        let (_, missing) = build();
        assert!(missing.is_empty(), "no schema at {missing:?}");
    }

    #[test]
    fn documented_page_limits_are_the_enforced_ones() {
        use spine_core::services::{customers, review};
        for (path, name, most) in [
            ("/api/v1/review-items", "limit", review::MAX_REVIEW_PAGE),
            ("/api/v1/customers", "limit", customers::MAX_PAGE),
            (
                "/api/v1/customers/{id}/timeline",
                "limit",
                customers::MAX_PAGE,
            ),
        ] {
            let at = parameter_schema(&DOCUMENT, path, "get", name);
            let documented = DOCUMENT
                .pointer(&format!("{at}/maximum"))
                .and_then(Value::as_i64);
            assert_eq!(documented, Some(most), "{path} {name}");
        }
    }

    #[test]
    fn every_component_compiles_to_a_validator() {
        let components = DOCUMENT["components"]["schemas"]
            .as_object()
            .map_or(0, |schemas| schemas.len());
        assert!(components > 20, "{components} components");
        assert_eq!(VALIDATORS.len(), components);
    }

    #[test]
    fn a_refusal_names_the_field_and_not_the_value() {
        let body = json!({"channel": "sms", "direction": "inbound", "kind": "message",
                          "occurred_at": "2026-05-01T10:00:00Z",
                          "identifiers": {"login": "secret-value\u{7}"}});
        let problem = check_body("EventInput", &body).expect_err("a control character");
        assert_eq!(problem.field.as_deref(), Some("identifiers.login"));
        assert!(
            !problem.detail.contains("secret-value"),
            "{}",
            problem.detail
        );
    }
}
