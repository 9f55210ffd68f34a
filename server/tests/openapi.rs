//! The OpenAPI document against the real server: it describes every API route with its methods,
//! its references resolve, its schemas require what the API requires, and the API's answers
//! have the fields it documents.

mod common;

use std::collections::BTreeSet;

use serde_json::{Value, json};

use common::{Server, api_key, database_url, serve};

/// Every route the API router serves (server/src/http/api/mod.rs), with its methods. A route
/// added there and not documented fails `every_api_route_is_documented_with_its_methods`.
const API_ROUTES: &[(&str, &[&str])] = &[
    ("/api/v1/events", &["post"]),
    ("/api/v1/events/batch", &["post"]),
    ("/api/v1/customers", &["get"]),
    ("/api/v1/customers/resolve", &["post"]),
    ("/api/v1/customers/{id}", &["get", "patch", "delete"]),
    ("/api/v1/customers/{id}/timeline", &["get"]),
    ("/api/v1/customers/{id}/context", &["get"]),
    ("/api/v1/threads/{id}/resolve", &["post"]),
    ("/api/v1/threads/{id}/reopen", &["post"]),
    ("/api/v1/threads/{id}/transcript", &["get"]),
    ("/api/v1/threads/{id}/archive", &["post"]),
    ("/api/v1/customers/{id}/export", &["get"]),
    ("/api/v1/customers/{id}/restore", &["post"]),
    ("/api/v1/customers/{id}/erasure", &["post"]),
    ("/api/v1/customers/{id}/merge", &["post"]),
    ("/api/v1/customers/{id}/merge-preview", &["get"]),
    ("/api/v1/review-items", &["get"]),
    ("/api/v1/review-items/{id}/merge", &["post"]),
    ("/api/v1/review-items/{id}/reject", &["post"]),
    ("/api/v1/review-items/{id}/defer", &["post"]),
    ("/api/v1/merges/{id}/undo", &["post"]),
    ("/api/v1/sweeps", &["post"]),
    ("/api/v1/sweeps/latest", &["get"]),
    ("/api/v1/custom-fields", &["get"]),
    ("/api/v1/customers/{id}/identities", &["post"]),
    (
        "/api/v1/customers/{id}/identities/{identity_id}/unlink",
        &["post"],
    ),
    ("/api/v1/customers/{id}/identity-edits", &["get"]),
    ("/api/v1/identity-edits/{id}/undo", &["post"]),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A fresh SQLite database with a tenant "acme" and an API key for it.
fn start() -> (Server, String) {
    let dir = tempfile::tempdir().expect("dir");
    let url = database_url(&dir);
    drop(serve(&url, &["--tenant", "acme"], None));
    let key = api_key(&url, "acme", "openapi");
    (serve(&url, &["--tenant", "acme"], Some(dir)), key)
}

async fn document(server: &Server) -> Value {
    let response = reqwest::get(format!("{}/api/openapi.json", server.base))
        .await
        .expect("get the document");
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json")),
        "{:?}",
        response.headers()
    );
    response.json().await.expect("the document is JSON")
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc.pointer(&format!("/components/schemas/{name}"))
        .unwrap_or_else(|| panic!("no component schema {name}"))
}

fn names(value: &Value) -> BTreeSet<String> {
    match value {
        Value::Object(map) => map.keys().cloned().collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// Every `$ref` in `value`, with where it was found.
fn refs(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(target)) => found.push((at.to_owned(), target.clone())),
                    _ => refs(child, &format!("{at}/{key}"), found),
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                refs(child, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_api_route_is_documented_with_its_methods() {
    let (server, _) = start();
    let doc = document(&server).await;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "Spine API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));

    let paths = doc["paths"].as_object().expect("paths");
    let documented: BTreeSet<(String, String)> = paths
        .iter()
        .filter(|(path, _)| path.starts_with("/api/v1"))
        .flat_map(|(path, item)| {
            names(item)
                .into_iter()
                .filter(|m| METHODS.contains(&m.as_str()))
                .map(move |m| (path.clone(), m))
        })
        .collect();
    let served: BTreeSet<(String, String)> = API_ROUTES
        .iter()
        .flat_map(|(path, methods)| methods.iter().map(|m| (path.to_string(), m.to_string())))
        .collect();
    assert_eq!(documented, served);
    for path in ["/healthz", "/readyz"] {
        assert!(paths[path]["get"].is_object(), "{path} is not documented");
    }

    // Every API operation needs the bearer key, and says how it answers without one.
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["type"],
        "http"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, method) in &served {
        let operation = &paths[path.as_str()][method.as_str()];
        assert_eq!(
            operation["security"],
            json!([{"bearer": []}]),
            "{method} {path}"
        );
        assert!(
            operation["responses"]["401"].is_object(),
            "{method} {path} does not document 401"
        );
    }
}

#[tokio::test]
async fn every_reference_resolves_to_a_component() {
    let (server, _) = start();
    let doc = document(&server).await;
    let mut found = Vec::new();
    refs(&doc, "", &mut found);
    assert!(!found.is_empty(), "the document references nothing");
    for (at, target) in found {
        let pointer = target
            .strip_prefix('#')
            .filter(|p| p.starts_with("/components/"))
            .unwrap_or_else(|| panic!("{at}: {target} is not a local component"));
        assert!(
            doc.pointer(pointer).is_some(),
            "{at}: {target} does not resolve"
        );
    }
    // Errors are problem details, documented as such.
    let unauthorized = &doc["components"]["responses"]["Unauthorized"]["content"];
    assert_eq!(
        unauthorized["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/Problem"
    );
}

#[tokio::test]
async fn documented_operations_are_served_and_ask_for_a_key() {
    let (server, _) = start();
    let doc = document(&server).await;
    let client = reqwest::Client::new();
    let id = "00000000-0000-7000-8000-000000000000";
    for (path, methods) in API_ROUTES {
        for method in *methods {
            let url = format!("{}{}", server.base, path.replace("{id}", id));
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = client
                .request(method.clone(), &url)
                .json(&json!({}))
                .send()
                .await
                .expect("request");
            // Not 404 (no such route) nor 405 (no such method): the route exists and wants a key.
            assert_eq!(response.status().as_u16(), 401, "{method} {path}");
            assert!(
                doc["paths"][path][method.as_str().to_lowercase()].is_object(),
                "{method} {path}"
            );
        }
    }
}

fn minimal_event() -> Value {
    json!({"channel": "sms", "direction": "inbound", "kind": "message",
           "occurred_at": "2026-05-01T10:00:00Z", "identifiers": {"phone": "+1 916 555 0101"}})
}

#[tokio::test]
async fn event_schema_requires_what_the_api_requires() {
    let (server, key) = start();
    let doc = document(&server).await;
    let event = schema(&doc, "EventInput");
    assert_eq!(
        names(&event["required"]),
        names(&json!(["channel", "direction", "kind", "occurred_at"]))
    );
    let client = reqwest::Client::new();
    let post = |body: Value| {
        client
            .post(format!("{}/api/v1/events", server.base))
            .bearer_auth(&key)
            .json(&body)
            .send()
    };
    let minimal = minimal_event();
    // Each required field is really required...
    for field in ["channel", "direction", "kind", "occurred_at"] {
        let mut body = minimal.clone();
        body.as_object_mut().unwrap().remove(field);
        let response = post(body).await.expect("post");
        assert_eq!(response.status().as_u16(), 422, "without {field}");
    }
    // ... and nothing else is.
    let response = post(minimal).await.expect("post");
    assert_eq!(response.status().as_u16(), 201);

    // The documented batch limit is the one enforced.
    let max = schema(&doc, "Batch")["properties"]["events"]["maxItems"]
        .as_u64()
        .expect("a documented batch limit") as usize;
    let response = client
        .post(format!("{}/api/v1/events/batch", server.base))
        .bearer_auth(&key)
        .json(&json!({"events": vec![minimal_event(); max + 1]}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 422);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["field"], "events", "{problem}");

    // The enums list exactly what the API accepts.
    let channels: Vec<String> = schema(&doc, "Channel")["enum"]
        .as_array()
        .expect("Channel is a string enum")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert!(channels.contains(&"whatsapp".to_owned()), "{channels:?}");
    for channel in channels {
        let body = json!({"channel": channel, "direction": "inbound", "kind": "note",
                          "occurred_at": "2026-05-01T10:00:00Z",
                          "identifiers": {"email": "enum@example.com"}});
        let status = post(body).await.expect("post").status().as_u16();
        assert!(status == 200 || status == 201, "{channel}: {status}");
    }
}

#[tokio::test]
async fn answers_have_exactly_the_documented_fields() {
    let (server, key) = start();
    let doc = document(&server).await;
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}/api/v1/events", server.base))
        .bearer_auth(&key)
        .json(
            &json!({"channel": "email", "direction": "inbound", "kind": "message",
                      "occurred_at": "2026-05-01T10:00:00Z", "body": "Hello",
                      "identifiers": {"email": "ada@example.com", "name": "Ada Lovelace"}}),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 201);
    let outcome: Value = response.json().await.expect("json");
    let documented = schema(&doc, "IngestOutcome");
    assert_eq!(names(&outcome), names(&documented["properties"]));
    assert_eq!(names(&outcome), names(&documented["required"]));

    // A refusal is a problem detail with the documented fields (`field` only when there is one).
    let response = client
        .post(format!("{}/api/v1/events", server.base))
        .bearer_auth(&key)
        .json(
            &json!({"channel": "fax", "direction": "inbound", "kind": "message",
                      "occurred_at": "2026-05-01T10:00:00Z"}),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 422);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.expect("json");
    let documented = schema(&doc, "Problem");
    assert!(names(&problem).is_subset(&names(&documented["properties"])));
    assert!(names(&documented["required"]).is_subset(&names(&problem)));
    assert!(names(&problem).contains("field"), "{problem}");
}

/// The server holds every request to the document it serves: shapes, lengths, ranges, header
/// rules, strict ids and cursors. Each case here was accepted (or answered 500) before bodies
/// were checked against the document.
#[tokio::test]
async fn requests_are_held_to_the_served_document() {
    let (server, key) = start();
    let doc = document(&server).await;
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base);
    let post =
        |path: &str, body: Value| client.post(url(path)).bearer_auth(&key).json(&body).send();
    async fn refusal(response: reqwest::Response) -> (u16, Value) {
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    // A JSON array where an object is documented is refused (serde alone reads a struct from
    // an array, field by field).
    let as_array = json!(["sms", "inbound", "message", "2026-05-01T10:00:00Z"]);
    let (status, problem) = refusal(post("/api/v1/events", as_array).await.expect("post")).await;
    assert_eq!(status, 422, "{problem}");

    // The documented length of an external id is the enforced one, at the boundary.
    let max = schema(&doc, "EventInput")["properties"]["external_id"]["maxLength"]
        .as_u64()
        .expect("a documented length") as usize;
    let mut event = minimal_event();
    event["external_id"] = json!("x".repeat(max));
    assert_eq!(
        post("/api/v1/events", event.clone())
            .await
            .expect("post")
            .status()
            .as_u16(),
        201
    );
    event["external_id"] = json!("y".repeat(max + 1));
    let (status, problem) = refusal(post("/api/v1/events", event).await.expect("post")).await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("external_id")),
        "{problem}"
    );

    // A blank Idempotency-Key is refused, not stored as the event's id.
    let response = client
        .post(url("/api/v1/events"))
        .bearer_auth(&key)
        .header("Idempotency-Key", "   ")
        .json(&minimal_event())
        .send()
        .await
        .expect("post");
    let (status, problem) = refusal(response).await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("Idempotency-Key")),
        "{problem}"
    );

    // Two profiles to work with.
    let mut ids = Vec::new();
    for email in ["held-a@example.com", "held-b@example.com"] {
        let body = json!({"channel": "email", "direction": "inbound", "kind": "message",
                          "occurred_at": "2026-05-01T10:00:00Z", "identifiers": {"email": email}});
        let outcome: Value = post("/api/v1/events", body)
            .await
            .expect("post")
            .json()
            .await
            .expect("json");
        ids.push(outcome["customer_id"].as_str().expect("an id").to_owned());
    }
    let (a, b) = (&ids[0], &ids[1]);

    // Ids in the documented (hyphenated) form only; another spelling of the same id is no id.
    let simple = a.replace('-', "");
    let response = client
        .get(url(&format!("/api/v1/customers/{simple}")))
        .bearer_auth(&key)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 404);

    // Paging limits outside the documented range are refused, not quietly clamped.
    let limit = &doc["paths"]["/api/v1/customers"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "limit")
        .expect("a limit parameter")["schema"];
    let most = limit["maximum"].as_u64().expect("a documented maximum");
    for (value, status) in [(0, 422), (1, 200), (most, 200), (most + 1, 422)] {
        let response = client
            .get(url(&format!("/api/v1/customers?q=held&limit={value}")))
            .bearer_auth(&key)
            .send()
            .await
            .expect("get");
        assert_eq!(response.status().as_u16(), status, "limit={value}");
    }
    // A cursor the API never returned (here, its id in another spelling) is refused.
    let response = client
        .get(url(&format!(
            "/api/v1/customers/{a}/timeline?cursor=1777629600000000_{simple}"
        )))
        .bearer_auth(&key)
        .send()
        .await
        .expect("get");
    let (status, problem) = refusal(response).await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("cursor")),
        "{problem}"
    );

    // A typed merge value is held to its field's rule: a stage is one of the stages (this
    // reached the database's check constraint and answered 500), and a primary contact is
    // never typed in.
    for (field, value) in [
        ("lifecycle_stage", "vip"),
        ("primary_email", "thief@evil.example"),
    ] {
        let body = json!({"absorbed_id": b, "choices": {field: {"take": "value", "value": value}}});
        let (status, problem) = refusal(
            post(&format!("/api/v1/customers/{a}/merge"), body)
                .await
                .expect("post"),
        )
        .await;
        assert_eq!(status, 422, "{field}: {problem}");
        let at = problem["field"].as_str().unwrap_or_default();
        assert!(at.starts_with(&format!("choices.{field}")), "{problem}");
    }
    // Merging a profile into itself is a conflict with the profile's state, not bad input.
    let body = json!({"absorbed_id": a});
    let (status, problem) = refusal(
        post(&format!("/api/v1/customers/{a}/merge"), body)
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, 409, "{problem}");

    // A hidden profile is not found by id; its export still answers, for the person's rights.
    let status = |method: reqwest::Method, path: String| {
        let request = client.request(method, url(&path)).bearer_auth(&key);
        async move { request.send().await.expect("request").status().as_u16() }
    };
    use reqwest::Method;
    assert_eq!(
        status(Method::DELETE, format!("/api/v1/customers/{b}")).await,
        204
    );
    for hidden in ["", "/timeline", "/context"] {
        let path = format!("/api/v1/customers/{b}{hidden}");
        assert_eq!(status(Method::GET, path).await, 404, "{hidden}");
    }
    assert_eq!(
        status(Method::GET, format!("/api/v1/customers/{b}/export")).await,
        200
    );
}
