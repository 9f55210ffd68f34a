//! What an operator watches: `/metrics` for holders of the token only, and a request id on
//! every response, in problem details and taken from a proxy when it sends a sane one.

mod common;

use common::{api_key, database_url, header, serve};

/// A SQLite database with the demo tenant (three people) and an API key for it.
fn demo() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("dir");
    let url = database_url(&dir);
    succeeds(common::run(&["seed", "--demo", "--people", "3"], &url));
    let key = api_key(&url, "demo", "operations-test");
    (dir, url, key)
}

fn succeeds(out: std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn metrics_are_for_the_token_holder_and_every_answer_has_a_request_id() {
    let (dir, url, key) = demo();
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
        // Pools by backend: SQLite's read and write, PostgreSQL's main.
        r#"spine_db_connections{pool=""#,
        r#"",state="open"} "#,
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
    let url = database_url(&dir);
    let server = serve(&url, &[], Some(dir));
    let response = reqwest::get(format!("{}/metrics", server.base))
        .await
        .expect("get");
    assert_eq!(response.status(), 404);
}

/// The access log's lines carried by the server's JSON log.
fn access_lines(server: &common::Server) -> Vec<serde_json::Value> {
    let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
    log.iter()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["target"] == "spine::access")
        .collect()
}

#[tokio::test]
async fn every_request_gets_one_access_line_with_its_tenant_and_caller_and_no_identifier() {
    use hmac::Mac;
    let (dir, url, key) = demo();
    let secret = "generic-secret-for-the-access-log";
    let webhook = [
        "webhook",
        "set",
        "--tenant",
        "demo",
        "--provider",
        "generic",
    ];
    succeeds(common::run(
        &[&webhook[..], &["--secret", secret]].concat(),
        &url,
    ));
    let server = common::serve_logging(&url, &[], Some(dir), "warn,spine::access=info");
    let client = reqwest::Client::new();
    let base = &server.base;

    // An API read, a signed delivery naming a person, a badly signed one, and a health check.
    let read = client
        .get(format!("{base}/api/v1/customers?q=someone%40example.com"))
        .bearer_auth(&key)
        .header("X-Request-Id", "read-1")
        .send()
        .await
        .expect("get");
    assert_eq!(read.status(), 200);
    let body = serde_json::json!({"channel": "webchat", "direction": "inbound", "kind": "message",
        "occurred_at": "2026-05-23T12:00:00Z", "body": "hello", "external_id": "chat-1",
        "identifiers": {"email": "ann.hook@example.com", "phone": "+1 305 555 0199", "name": "Ann Hook"}})
    .to_string();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(body.as_bytes());
    let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let delivered = client
        .post(format!("{base}/webhooks/demo/generic"))
        .header("content-type", "application/json")
        .header("x-spine-signature", &signature)
        .header("X-Request-Id", "hook-1")
        .body(body.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(
        delivered.status(),
        200,
        "{}",
        delivered.text().await.unwrap_or_default()
    );
    let forged = client
        .post(format!("{base}/webhooks/demo/generic"))
        .header("content-type", "application/json")
        .header("x-spine-signature", "sha256=00")
        .header("X-Request-Id", "hook-2")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status(), 401);
    let health = client
        .get(format!("{base}/healthz"))
        .header("X-Request-Id", "health-1")
        .send()
        .await
        .expect("get");
    assert_eq!(health.status(), 200);

    // The lines are written after the answers; give the logger a moment.
    let mut lines = Vec::new();
    for _ in 0..50 {
        lines = access_lines(&server);
        if lines.len() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let line = |id: &str| {
        let found: Vec<_> = lines.iter().filter(|l| l["request_id"] == id).collect();
        assert_eq!(found.len(), 1, "one line for {id} in {lines:#?}");
        found[0].clone()
    };
    let read = line("read-1");
    assert_eq!(
        (
            &read["method"],
            &read["route"],
            &read["status"],
            &read["tenant"],
            &read["actor"]
        ),
        (
            &serde_json::json!("GET"),
            &serde_json::json!("/api/v1/customers"),
            &serde_json::json!(200),
            &serde_json::json!("demo"),
            &serde_json::json!("api_key")
        ),
        "{read}"
    );
    let hook = line("hook-1");
    assert_eq!(
        (&hook["tenant"], &hook["actor"]),
        (&serde_json::json!("demo"), &serde_json::json!("provider")),
        "{hook}"
    );
    // A refused delivery names no tenant: its URL is the caller's word, not a fact.
    let refused = line("hook-2");
    assert_eq!(
        (&refused["status"], &refused["tenant"], &refused["actor"]),
        (
            &serde_json::json!(401),
            &serde_json::json!("-"),
            &serde_json::json!("provider")
        ),
        "{refused}"
    );
    let health = line("health-1");
    assert_eq!(
        (&health["tenant"], &health["actor"]),
        (&serde_json::json!("-"), &serde_json::json!("-")),
        "{health}"
    );
    // No identifier reaches the access log: not the query, not what the delivery carried (the
    // phone's digits as the log could hold them: a timestamp's may include "555").
    let all = serde_json::to_string(&lines).expect("json");
    for secret in [
        "someone",
        "example.com",
        "ann.hook",
        "5550199",
        "555 0199",
        "Ann Hook",
    ] {
        assert!(!all.contains(secret), "{secret} in {all}");
    }
}

#[tokio::test]
async fn emails_and_phones_reach_the_log_masked_only() {
    let (dir, url, key) = demo();
    let filter = "info,spine=debug,spine_core=debug,spine_engine=debug,app=debug";
    let server = common::serve_logging(&url, &[], Some(dir), filter);
    let client = reqwest::Client::new();
    let base = &server.base;
    let (email, phone) = ("lena.logtest@example.com", "+1 305 555 0142");

    // A message that makes a profile, sign-in codes asked for both, a wrong staff password.
    let event = serde_json::json!({"channel": "email", "direction": "inbound", "kind": "message",
        "occurred_at": "2026-05-23T12:00:00Z", "body": "Hello, it is Lena", "external_id": "log-1",
        "identifiers": {"email": email, "phone": phone, "name": "Lena Logtest"}});
    let created = client
        .post(format!("{base}/api/v1/events"))
        .bearer_auth(&key)
        .json(&event)
        .send()
        .await
        .expect("post");
    assert_eq!(created.status(), 201);
    for destination in [email, "+13055550142"] {
        let asked = client
            .post(format!("{base}/me/api/request_code"))
            .header("Origin", base)
            .form(&[("destination", destination)])
            .send()
            .await
            .expect("post");
        assert!(asked.status().is_success() || asked.status().is_redirection());
    }
    let refused = client
        .post(format!("{base}/api/sign_in"))
        .header("Origin", base)
        .form(&[
            ("email", email),
            ("password", "not-the-password"),
            ("next", ""),
        ])
        .send()
        .await
        .expect("post");
    assert!(!refused.status().is_server_error(), "{}", refused.status());

    // The outbox sends in the background; its lines come within a few seconds.
    let mut log = String::new();
    for _ in 0..50 {
        log = server.log.lock().map(|l| l.join("\n")).unwrap_or_default();
        if log.contains("l***@example.com") && log.contains("sign-in refused") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        log.contains("l***@example.com"),
        "the email is logged, masked:\n{log}"
    );
    for raw in ["lena.logtest", "5550142", "555 0142", "Lena Logtest"] {
        assert!(!log.contains(raw), "{raw} in the log:\n{log}");
    }
}

/// `spine load` reports what it measured, checked against the server: every event it sent was
/// acknowledged (the decisions add up), a search counts as found only for the very profile it
/// was made from, and the server's own stage timings make the breakdown.
#[tokio::test]
async fn the_load_command_reports_what_the_server_did() {
    let (_dir, url, _) = demo();
    let key = common::api_key_with(&url, "demo", "load", &["--rate-per-minute", "0"]);
    let server = serve(&url, &["--metrics-token", "load-token"], None);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spine"))
        .args([
            "load",
            "--url",
            &server.base,
            "--api-key",
            &key,
            "--profiles",
            "60",
            "--events",
            "80",
            "--concurrency",
            "4",
            "--searches",
            "40",
            "--metrics-url",
            &format!("{}/metrics", server.base),
            "--metrics-token",
            "load-token",
        ])
        .env("SPINE_LOG", "warn")
        .output()
        .expect("run spine load");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8_lossy(&out.stdout);
    let row = |name: &str| -> Vec<f64> {
        let line = report
            .lines()
            .find(|l| l.starts_with(&format!("| {name}")))
            .unwrap_or_else(|| panic!("no row {name:?} in:\n{report}"));
        line.split('|')
            .nth(2)
            .unwrap_or_default()
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter_map(|n| n.parse().ok())
            .collect()
    };
    let sent = row("events sent");
    assert_eq!(sent[0], 80.0, "{report}");
    assert_eq!(sent[1..].iter().sum::<f64>(), 80.0, "{report}");
    let decided = row("decisions");
    assert_eq!(decided.iter().sum::<f64>(), 80.0, "{report}");
    // The known senders and those known by name and address link to their profile.
    assert!(decided[0] >= sent[1] + sent[4], "{report}");
    let found = row("searches that found the very profile");
    assert_eq!(found[1], 40.0, "{report}");
    assert!(
        found[0] >= 30.0,
        "most searches find their person: {report}"
    );
    let namesakes = row("of the others");
    assert!(found[0] + namesakes[0] <= 40.0, "{report}");
    let ceiling = row("the HTTP stack's ceiling");
    assert!(ceiling[0] > 0.0, "{report}");
    for stage in ["queue", "resolve", "record", "commit"] {
        let spent = row(&format!("server: {stage}"));
        assert!(spent[0] > 0.0, "{stage}: {report}");
    }
}
