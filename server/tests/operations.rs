//! What an operator watches: `/metrics` for holders of the token only, and a request id on
//! every response, in problem details and taken from a proxy when it sends a sane one.

mod common;

use common::{api_key, header, serve, sqlite_url};

#[tokio::test]
async fn metrics_are_for_the_token_holder_and_every_answer_has_a_request_id() {
    let dir = tempfile::tempdir().expect("dir");
    let url = sqlite_url(&dir);
    let out = common::run(&["seed", "--demo", "--people", "3"], &url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = api_key(&url, "demo", "metrics-test");
    let server = serve(&url, &["--metrics-token", "s3cret-token"], Some(dir));
    let client = reqwest::Client::new();
    let base = &server.base;

    // Some traffic to count: a customer read that is not found.
    let missing = client
        .get(format!(
            "{base}/api/v1/customers/00000000-0000-0000-0000-000000000000"
        ))
        .bearer_auth(&key)
        .header("X-Request-Id", "lb-7f3a.42")
        .send()
        .await
        .expect("get");
    assert_eq!(missing.status(), 404);
    assert_eq!(
        header(&missing, "x-request-id"),
        "lb-7f3a.42",
        "the proxy's id is kept"
    );
    let problem: serde_json::Value = missing.json().await.expect("problem");
    assert_eq!(problem["request_id"], "lb-7f3a.42", "{problem}");

    // An id that could inject into logs is replaced by one of Spine's own.
    let odd = client
        .get(format!("{base}/healthz"))
        .header("X-Request-Id", "x\" forged=1")
        .send()
        .await
        .expect("get");
    let made = header(&odd, "x-request-id");
    assert!(
        !made.is_empty() && made.chars().all(|c| c.is_ascii_alphanumeric()),
        "{made}"
    );

    // Metrics: refused without the token or with a wrong one, served with it.
    let anonymous = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("get");
    assert_eq!(anonymous.status(), 401);
    let wrong = client
        .get(format!("{base}/metrics"))
        .bearer_auth("s3cret-tokem")
        .send()
        .await
        .expect("get");
    assert_eq!(wrong.status(), 401);
    let page = client
        .get(format!("{base}/metrics"))
        .bearer_auth("s3cret-token")
        .send()
        .await
        .expect("get");
    assert_eq!(page.status(), 200);
    assert!(header(&page, "content-type").starts_with("text/plain"));
    let text = page.text().await.expect("text");
    for line in [
        r#"spine_http_requests_total{method="GET",route="/api/v1/customers/{id}",status="404"} 1"#,
        r#"spine_outbox_pending{tenant="demo"} 0"#,
        r#"spine_review_pending{tenant="demo"}"#,
        r#"spine_db_connections{pool="write",state="open"}"#,
        "spine_http_request_duration_seconds_bucket",
        "spine_database_up 1",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    // The path (with its id) is not a label: routes are templates.
    assert!(!text.contains("00000000-0000"), "{text}");
}

#[tokio::test]
async fn without_a_token_or_address_metrics_are_not_served() {
    let dir = tempfile::tempdir().expect("dir");
    let url = sqlite_url(&dir);
    let server = serve(&url, &[], Some(dir));
    let response = reqwest::get(format!("{}/metrics", server.base))
        .await
        .expect("get");
    assert_eq!(response.status(), 404);
}
