//! The console's sign-in, session guard and CSRF checks against the real server: pages without a
//! session redirect to /login, server functions refuse calls without a session or a valid CSRF
//! token (or from another site) and write nothing.

mod common;

use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

use common::console::Console;
use common::pg_url;
use spine_core::Store;
use spine_core::services::tenants::tenant_by_slug;

const AGENT: (&str, &str) = ("agent@demo.spine.local", "demo-agent-password");
const MANAGER: (&str, &str) = ("manager@demo.spine.local", "demo-manager-password");

/// Why a call should be refused, its form, and the `Origin` it claims.
type Refusal<'a> = (&'a str, &'a [(&'a str, &'a str)], Option<&'a str>);

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn pages_without_a_session_redirect_to_sign_in_with_the_page_to_return_to() {
    let console = Console::fresh();
    let cases = [
        ("/", "/login"),
        ("/customers", "/login?next=%2Fcustomers"),
        ("/customers?q=smith", "/login?next=%2Fcustomers%3Fq%3Dsmith"),
        (
            "/customers/0190a3a4-0000-7000-8000-000000000000",
            "/login?next=%2Fcustomers%2F0190a3a4-0000-7000-8000-000000000000",
        ),
    ];
    for (path, expected) in cases {
        let response = console.get(path, None).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&response), expected, "{path}");
    }
    // A cookie that names no session is treated as none, and removed.
    let stale = console.get("/customers", Some(&"0".repeat(64))).await;
    assert_eq!(stale.status(), StatusCode::SEE_OTHER);
    assert!(
        stale
            .headers()
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.contains("Max-Age=0"))
    );

    let login = console.get("/login?next=%2Fcustomers", None).await;
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.expect("html");
    assert!(
        html.contains("Sign in to Spine"),
        "server-rendered sign-in page"
    );
    assert!(
        html.contains(r#"action="/api/sign_in""#),
        "works without JavaScript"
    );
    assert!(
        html.contains(r#"value="/customers""#),
        "keeps where to go next"
    );

    // Not the console's business: health, the API (its own keys), webhooks.
    assert_eq!(console.get("/healthz", None).await.status(), StatusCode::OK);
    assert_eq!(
        console.get("/api/v1/customers?q=x", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn signing_in_opens_the_console_and_signing_out_closes_it() {
    let console = Console::fresh();
    let token = console.sign_in(AGENT).await;

    let home = console.get("/", Some(&token)).await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&home), "/customers");
    let back_to_login = console
        .get("/login?next=%2Fcustomers%3Fq%3Dx", Some(&token))
        .await;
    assert_eq!(
        location(&back_to_login),
        "/customers?q=x",
        "signed in: straight on"
    );

    let page = console.get("/customers", Some(&token)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("Alex Agent"),
        "the top bar names who is signed in"
    );
    assert!(html.contains(r#"action="/api/sign_out""#));

    let csrf = console.csrf_token(&token).await;
    let (status, headers, body) = console
        .call(
            "sign_out",
            &[("csrf", &csrf)],
            Some(&token),
            Some(&console.server.base),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        headers
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.contains("Max-Age=0")),
        "the cookie is cleared"
    );
    assert_eq!(
        console.get("/customers", Some(&token)).await.status(),
        StatusCode::SEE_OTHER,
        "the old token no longer opens the console"
    );
    let actions = console.audit_actions().await;
    assert!(
        actions.contains(&"staff.signed_in".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"staff.signed_out".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn wrong_credentials_are_refused_with_one_message_and_no_cookie() {
    let console = Console::fresh();
    for (email, password) in [
        (AGENT.0, "not-the-password"),
        ("nobody@demo.spine.local", AGENT.1),
    ] {
        let (status, headers, body) = console
            .call(
                "sign_in",
                &[("email", email), ("password", password), ("next", "")],
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{email}");
        assert!(body.contains("BadCredentials"), "{body}");
        assert!(headers.get(SET_COOKIE).is_none());
    }
    // A plain HTML form (no JavaScript) is sent back to the page with the error in the URL.
    let response = console
        .client
        .post(console.url("/api/sign_in"))
        .header("Accept", "text/html")
        .header("Referer", console.url("/login"))
        .form(&[("email", AGENT.0), ("password", "nope"), ("next", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = location(&response);
    assert!(
        back.contains("/login?") && back.contains("__err="),
        "{back}"
    );
    let page = console
        .get(back.trim_start_matches(&console.server.base), None)
        .await;
    let html = page.text().await.expect("html");
    assert!(
        html.contains("That email and password do not match an active account."),
        "the message is in the page"
    );
    assert!(
        !console
            .audit_actions()
            .await
            .contains(&"staff.signed_in".to_owned())
    );
}

#[tokio::test]
async fn server_functions_refuse_no_session_a_bad_csrf_token_or_another_site_and_write_nothing() {
    let console = Console::fresh();

    // No session: 401 for reading and for changing.
    let (status, _, body) = console
        .call("list_customers", &[("query", "q=smith")], None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body.contains("SignedOut"), "{body}");
    let (status, _, _) = console.call("sign_out", &[("csrf", "x")], None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let token = console.sign_in(AGENT).await;
    let csrf = console.csrf_token(&token).await;
    let before = console.audit_actions().await;
    let base = console.server.base.clone();

    let refused: [Refusal; 4] = [
        ("wrong token", &[("csrf", "0000")], Some(&base)),
        ("no token", &[], Some(&base)),
        (
            "another site",
            &[("csrf", &csrf)],
            Some("http://evil.example.com"),
        ),
        ("opaque origin", &[("csrf", &csrf)], Some("null")),
    ];
    for (why, form, origin) in refused {
        let (status, _, body) = console.call("sign_out", form, Some(&token), origin).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{why}: {body}");
        assert!(body.contains("StaleForm"), "{why}: {body}");
    }
    let cross_site = console
        .client
        .post(console.url("/api/sign_out"))
        .header("Cookie", format!("spine_session={token}"))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);

    assert_eq!(console.audit_actions().await, before, "nothing was written");
    assert_eq!(
        console.get("/customers", Some(&token)).await.status(),
        StatusCode::OK,
        "the session is still open"
    );

    // Reading works with the session, for every role that may search.
    let (status, _, body) = console
        .call(
            "list_customers",
            &[("query", "q=smith")],
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let manager = console.sign_in(MANAGER).await;
    let (status, _, body) = console
        .call(
            "list_customers",
            &[("query", "q=smith")],
            Some(&manager),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn sign_in_works_the_same_on_postgres() {
    let console = Console::start(pg_url(), None);
    let token = console.sign_in(AGENT).await;
    let page = console.get("/customers?q=smith", Some(&token)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("html").contains("Alex Agent"));
}

#[tokio::test]
async fn an_agent_calling_review_merge_and_settings_functions_is_refused_and_writes_nothing() {
    use spine_core::services::review::pending_review_items;
    use spine_core::services::settings::tenant_settings;

    let console = Console::fresh();
    let store = Store::connect(&console.database_url).await.expect("open");
    let tenant = tenant_by_slug(&store, "demo").await.expect("tenant");
    let pending = pending_review_items(&store, &tenant, 500)
        .await
        .expect("queue");
    let item = pending
        .first()
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), |i| i.id.to_string());
    let settings = tenant_settings(&store, &tenant).await.expect("settings");

    let token = console.sign_in(AGENT).await;
    let csrf = console.csrf_token(&token).await;
    let before = console.audit_actions().await;
    let base = console.server.base.clone();
    let calls: [(&str, Vec<(&str, &str)>); 8] = [
        ("list_review_items", vec![("order", "age")]),
        ("get_review_item", vec![("id", &item)]),
        (
            "merge_review",
            vec![
                ("csrf", &csrf),
                ("id", &item),
                ("choices[display_name]", "absorbed"),
            ],
        ),
        (
            "decide_review",
            vec![("csrf", &csrf), ("id", &item), ("decision", "reject")],
        ),
        (
            "update_settings",
            vec![
                ("csrf", &csrf),
                ("link_threshold", "0.5"),
                ("review_threshold", "0.1"),
                ("default_region", "GB"),
                ("thread_window_hours", "1"),
                ("thread_reopen_hours", "1"),
                ("archive_after_days", "1"),
            ],
        ),
        ("create_key", vec![("csrf", &csrf), ("name", "agent-key")]),
        (
            "create_staff",
            vec![
                ("csrf", &csrf),
                ("email", "x@example.com"),
                ("name", "X"),
                ("role", "admin"),
                ("password", "long enough password"),
            ],
        ),
        ("search_audit_log", vec![("query[page]", "0")]),
    ];
    for (name, form) in calls {
        let (status, _, body) = console.call(name, &form, Some(&token), Some(&base)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
        assert!(body.contains("Forbidden"), "{name}: {body}");
    }
    assert_eq!(console.audit_actions().await, before, "nothing was written");
    assert_eq!(
        tenant_settings(&store, &tenant).await.expect("settings"),
        settings
    );
    assert_eq!(
        pending_review_items(&store, &tenant, 500)
            .await
            .expect("queue"),
        pending
    );
    // The queue count is simply absent for a role that does not review.
    let (status, _, body) = console
        .call("count_review_items", &[], Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body.trim(), "null");
}

/// The console reads the tenant's settings on every request: a default region an admin sets in
/// Settings changes how the next search reads a national phone number, without a restart.
#[tokio::test]
async fn a_region_set_in_settings_applies_to_the_next_console_search() {
    const ADMIN: (&str, &str) = ("admin@demo.spine.local", "demo-admin-password");
    let console = Console::fresh();
    let key = common::api_key(&console.database_url, "demo", "region-test");
    let created = console
        .client
        .post(format!("{}/api/v1/events", console.server.base))
        .bearer_auth(&key)
        .json(&serde_json::json!({
            "channel": "whatsapp", "direction": "inbound", "kind": "message",
            "occurred_at": "2026-11-20T10:00:00Z", "body": "hello from London",
            "identifiers": {"phone": "+44 7911 123456", "name": "Imogen Hartley"}
        }))
        .send()
        .await
        .expect("event");
    let status = created.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        created.text().await.unwrap_or_default()
    );

    let admin = console.sign_in(ADMIN).await;
    let csrf = console.csrf_token(&admin).await;
    let search = |token: String| {
        let console = &console;
        async move {
            let (status, body) = console
                .call_as("list_customers", &[("query", "q=07911 123456")], &token)
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body.matches("Imogen Hartley").count()
        }
    };
    assert_eq!(
        search(admin.clone()).await,
        0,
        "a US tenant does not read 07911 as a UK number"
    );
    let (status, body) = console.call_as("get_settings", &[], &admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let settings: serde_json::Value = serde_json::from_str(&body).expect("json");
    let link = settings["link_threshold"].to_string();
    let review = settings["review_threshold"].to_string();
    // Bad windows read as sentences and change nothing; then a good change.
    for (window, reopen, archive, refused) in [
        ("two days", "12", "30", Some("whole number of hours")),
        ("48", "12", "0.5", Some("whole number of days")),
        ("0", "12", "30", Some("from 1 to 720")),
        ("48", "12", "30", None),
    ] {
        let (status, body) = console
            .call_as(
                "update_settings",
                &[
                    ("csrf", &csrf),
                    ("link_threshold", &link),
                    ("review_threshold", &review),
                    ("default_region", "GB"),
                    ("thread_window_hours", window),
                    ("thread_reopen_hours", reopen),
                    ("archive_after_days", archive),
                ],
                &admin,
            )
            .await;
        match refused {
            Some(says) => {
                assert!(
                    status.is_client_error(),
                    "{window}/{archive}: {status} {body}"
                );
                assert!(body.contains(says), "{body}");
            }
            None => assert!(
                status.is_success() || status.is_redirection(),
                "{status}: {body}"
            ),
        }
    }
    assert_eq!(
        search(admin.clone()).await,
        1,
        "the same server now reads it as +44"
    );
    let (_, body) = console.call_as("get_settings", &[], &admin).await;
    let settings: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        (
            settings["thread_window_hours"].as_i64(),
            settings["thread_reopen_hours"].as_i64(),
            settings["archive_after_days"].as_i64()
        ),
        (Some(48), Some(12), Some(30))
    );
}

/// A server function's endpoint, the permission it asks for, and its parameters (name, type).
type ServerFunction = (String, String, Vec<(String, String)>);

/// Every console server function that needs a permission, read from its source.
fn server_functions() -> Vec<ServerFunction> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src/server_fns");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&folder).expect("server_fns") {
        let path = entry.expect("entry").path();
        let source = std::fs::read_to_string(&path).expect("source");
        for part in source.split("#[server(endpoint = \"").skip(1) {
            let Some((endpoint, rest)) = part.split_once('"') else {
                continue;
            };
            let Some(permission) = rest
                .split_once("Permission::")
                .and_then(|(before, after)| {
                    // Only a check in this function's own body (before the next one's start).
                    (!before.contains("#[server(endpoint")).then_some(after)
                })
                .map(|after| {
                    after
                        .chars()
                        .take_while(char::is_ascii_alphanumeric)
                        .collect::<String>()
                })
            else {
                continue;
            };
            let signature = rest
                .split_once("pub async fn ")
                .and_then(|(_, after)| after.split_once('('))
                .and_then(|(_, after)| after.split_once(") ->"))
                .map_or("", |(params, _)| params);
            let params = signature
                .split(',')
                .map(|p| p.replace("#[server(default)]", ""))
                .filter_map(|p| {
                    let (name, ty) = p.split_once(':')?;
                    Some((name.trim().to_owned(), ty.trim().to_owned()))
                })
                .collect();
            found.push((endpoint.to_owned(), permission, params));
        }
    }
    found
}

#[tokio::test]
async fn every_server_function_refuses_the_roles_without_its_permission_and_writes_nothing() {
    use spine_core::access::Permission;
    use spine_core::types::Role;

    let functions = server_functions();
    assert!(functions.len() >= 28, "{} functions found", functions.len());
    let console = Console::fresh();
    let base = console.server.base.clone();
    let mut sessions = Vec::new();
    for (role, credentials) in [(Role::Agent, AGENT), (Role::Manager, MANAGER)] {
        let token = console.sign_in(credentials).await;
        let csrf = console.csrf_token(&token).await;
        sessions.push((role, token, csrf));
    }
    let before = console.audit_actions().await;
    let mut refused = 0;
    for (role, token, csrf) in sessions {
        for (endpoint, permission, params) in &functions {
            let needed = Permission::ALL
                .iter()
                .find(|p| format!("{p:?}") == *permission)
                .unwrap_or_else(|| panic!("{endpoint}: unknown permission {permission}"));
            if role.can(*needed) {
                continue;
            }
            // A well-formed call: every required parameter, of its type.
            let mut form: Vec<(String, String)> = Vec::new();
            for (name, ty) in params {
                let value = match (name.as_str(), ty.as_str()) {
                    ("csrf", _) => csrf.clone(),
                    (_, "Uuid") => uuid::Uuid::now_v7().to_string(),
                    (_, ty) if ty.starts_with("Option<") || ty == "bool" => continue,
                    (_, "AuditQuery") => {
                        form.push(("query[page]".into(), "0".into()));
                        for field in ["actor", "action", "customer", "from", "to"] {
                            form.push((format!("query[{field}]"), String::new()));
                        }
                        continue;
                    }
                    (_, "AnalyticsQuery") => {
                        form.push(("query[range]".into(), "30".into()));
                        form.push(("query[from]".into(), String::new()));
                        form.push(("query[to]".into(), String::new()));
                        continue;
                    }
                    ("id" | "survivor" | "absorbed", "String") => uuid::Uuid::now_v7().to_string(),
                    (_, "String") => "0.5".into(),
                    (_, other) => panic!("{endpoint}: no example for a parameter of type {other}"),
                };
                form.push((name.clone(), value));
            }
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let (status, _, body) = console
                .call(endpoint, &form, Some(&token), Some(&base))
                .await;
            if endpoint == "count_review_items" {
                // The navigation's badge: simply absent for a role that does not review.
                assert_eq!((status, body.trim()), (StatusCode::OK, "null"), "{role:?}");
                continue;
            }
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{role:?} calling {endpoint} (needs {permission}): {body}"
            );
            refused += 1;
        }
    }
    // Agents and managers each lack 8 of the 10 permissions: most functions refuse both.
    assert!(refused >= 30, "{refused} refusals checked");
    assert_eq!(console.audit_actions().await, before, "nothing was written");
}

#[tokio::test]
async fn the_live_feed_is_for_signed_in_staff_and_speaks_server_sent_events() {
    let console = Console::fresh();
    let refused = console.get("/api/live", None).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(
        refused
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/problem+json"))
    );

    let token = console.sign_in(AGENT).await;
    let mut feed = console.get("/api/live", Some(&token)).await;
    assert_eq!(feed.status(), StatusCode::OK);
    assert_eq!(
        feed.headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    // The first look says how many review items wait (ids and counts only, no personal data).
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), feed.chunk())
        .await
        .expect("a change within seconds")
        .expect("read")
        .expect("a chunk");
    let text = String::from_utf8_lossy(&first);
    assert!(text.starts_with("event: change\ndata: {"), "{text}");
    assert!(text.contains(r#""pending_reviews":"#), "{text}");
}

#[tokio::test]
async fn a_stopping_server_ends_open_live_feeds_instead_of_waiting_for_them() {
    let mut console = Console::fresh();
    let token = console.sign_in(AGENT).await;
    let mut feed = console.get("/api/live", Some(&token)).await;
    assert_eq!(feed.status(), StatusCode::OK);
    tokio::time::timeout(std::time::Duration::from_secs(10), feed.chunk())
        .await
        .expect("a first change")
        .expect("read");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &console.server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    // The stream ends, and the process with it, well before the stream's own 15 minutes.
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Ok(Some(_)) = feed.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the feed did not end at shutdown");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(exit) = console.server.child.try_wait().expect("wait") {
            assert!(exit.success(), "exit status {exit:?}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not stop with a live feed open"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
