//! The customer page against the real server: agents add notes and change stage and tags;
//! managers read the same page without edit controls, and the server refuses their writes
//! (whatever the browser sends) and writes nothing.

mod common;

use reqwest::StatusCode;
use serde_json::Value;

use common::console::Console;

const AGENT: (&str, &str) = ("agent@demo.spine.local", "demo-agent-password");
const MANAGER: (&str, &str) = ("manager@demo.spine.local", "demo-manager-password");

/// The customer page's data, as the page's server function returns it.
async fn page_data(console: &Console, id: &str, cookie: &str) -> Value {
    let (status, body) = console
        .call_as("get_customer_page", &[("id", id)], cookie)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("json")
}

/// A console page's HTML, rendered on the server for this session.
async fn page_html(console: &Console, path: &str, cookie: &str) -> String {
    let response = console.get(path, Some(cookie)).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("html")
}

#[tokio::test]
async fn a_managers_note_and_stage_change_are_refused_and_write_nothing() {
    let console = Console::fresh();
    let manager = console.sign_in(MANAGER).await;
    let csrf = console.csrf_token(&manager).await;
    let (status, body) = console
        .call_as("list_customers", &[("query", "")], &manager)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let search: Value = serde_json::from_str(&body).expect("json");
    let id = search["list"]["customers"][0]["id"]
        .as_str()
        .expect("a demo customer")
        .to_owned();

    let before = page_data(&console, &id, &manager).await;
    assert_eq!(before["can_edit"], false);
    assert_eq!(before["can_merge"], false);
    let html = page_html(&console, &format!("/customers/{id}"), &manager).await;
    assert!(html.contains("Timeline"), "the manager reads the page");
    assert!(!html.contains("note-body"), "no note form for a manager");
    assert!(!html.contains(r#"name="stage""#), "no stage control");
    let audit = console.audit_actions().await.len();

    let (status, body) = console
        .call_as(
            "add_customer_note",
            &[
                ("id", &id),
                ("csrf", &csrf),
                ("body", "managers cannot write"),
            ],
            &manager,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("Forbidden"), "{body}");
    let (status, body) = console
        .call_as(
            "update_customer_stage_tags",
            &[
                ("id", &id),
                ("csrf", &csrf),
                ("stage", "churned"),
                ("tags", "x"),
            ],
            &manager,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let after = page_data(&console, &id, &manager).await;
    assert_eq!(before["timeline"], after["timeline"], "no note was stored");
    assert_eq!(
        before["profile"], after["profile"],
        "stage and tags unchanged"
    );
    assert_eq!(
        console.audit_actions().await.len(),
        audit,
        "nothing was audited"
    );

    // The same calls from an agent go through.
    let agent = console.sign_in(AGENT).await;
    let csrf = console.csrf_token(&agent).await;
    let (status, body) = console
        .call_as(
            "add_customer_note",
            &[("id", &id), ("csrf", &csrf), ("body", "Agent was here")],
            &agent,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = console
        .call_as(
            "update_customer_stage_tags",
            &[
                ("id", &id),
                ("csrf", &csrf),
                ("stage", "lead"),
                ("tags", "VIP, wholesale"),
            ],
            &agent,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page = page_data(&console, &id, &agent).await;
    assert_eq!(page["can_edit"], true);
    assert_eq!(page["timeline"][0]["body"], "Agent was here");
    assert_eq!(page["profile"]["lifecycle_stage"], "lead");
    assert_eq!(
        page["profile"]["tags"],
        serde_json::json!(["vip", "wholesale"])
    );
    let html = page_html(&console, &format!("/customers/{id}"), &agent).await;
    assert!(html.contains("note-body"), "agents get the note form");

    // Older pages: the cursor of an entry gives the entries after it.
    let entries = page["timeline"].as_array().expect("entries").clone();
    let first = &entries[0];
    let micros = chrono::DateTime::parse_from_rfc3339(first["occurred_at"].as_str().expect("at"))
        .expect("time")
        .timestamp_micros();
    let cursor = format!("{micros}_{}", first["id"].as_str().expect("id"));
    let (status, body) = console
        .call_as(
            "get_customer_page",
            &[("id", &id), ("before", &cursor)],
            &agent,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let older: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        older["timeline"].as_array().map(Vec::len),
        Some(entries.len() - 1)
    );
    assert_eq!(older["timeline"][0], entries[1]);
}
