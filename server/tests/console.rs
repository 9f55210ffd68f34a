//! The console's sign-in, session guard and CSRF checks against the real server: pages without a
//! session redirect to /login, server functions refuse calls without a session or a valid CSRF
//! token (or from another site) and write nothing.

mod common;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use serde_json::Value;

use common::{Server, pg_url, run, serve, sqlite_url};
use spine_core::Store;
use spine_core::services::tenants::tenant_by_slug;

const AGENT: (&str, &str) = ("agent@demo.spine.local", "demo-agent-password");
const MANAGER: (&str, &str) = ("manager@demo.spine.local", "demo-manager-password");

struct Console {
    server: Server,
    database_url: String,
    /// Never follows redirects: the tests look at them.
    client: reqwest::Client,
}

impl Console {
    /// The demo tenant (a few people, one staff member per role) on `database_url`.
    fn start(database_url: String, dir: Option<tempfile::TempDir>) -> Console {
        let out = run(&["seed", "--demo", "--people", "3"], &database_url);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Console {
            server: serve(&database_url, &[], dir),
            database_url,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    fn sqlite() -> Console {
        let dir = tempfile::tempdir().expect("dir");
        let url = sqlite_url(&dir);
        Console::start(url, Some(dir))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base)
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = cookie {
            request = request.header("Cookie", format!("spine_session={token}"));
        }
        request.send().await.expect("get")
    }

    /// Calls a server function the way the hydrated page does (form-encoded, JSON back).
    async fn call(
        &self,
        name: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> (StatusCode, HeaderMap, String) {
        let mut request = self
            .client
            .post(self.url(&format!("/api/{name}")))
            .form(form);
        if let Some(token) = cookie {
            request = request.header("Cookie", format!("spine_session={token}"));
        }
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        let response = request.send().await.expect("call");
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap_or_default())
    }

    /// Signs in and returns the session token from the cookie.
    async fn sign_in(&self, (email, password): (&str, &str)) -> String {
        let (status, headers, body) = self
            .call(
                "sign_in",
                &[("email", email), ("password", password), ("next", "")],
                None,
                Some(&self.server.base),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let cookie = headers
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .expect("a session cookie")
            .to_owned();
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain http: no Secure flag");
        cookie
            .strip_prefix("spine_session=")
            .and_then(|rest| rest.split(';').next())
            .expect("token")
            .to_owned()
    }

    async fn csrf_token(&self, cookie: &str) -> String {
        let (status, _, body) = self
            .call("get_console_session", &[], Some(cookie), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let session: Value = serde_json::from_str(&body).expect("json");
        session["csrf_token"]
            .as_str()
            .expect("csrf_token")
            .to_owned()
    }

    /// The demo tenant's audit actions, newest first, read straight from the database.
    async fn audit_actions(&self) -> Vec<String> {
        let store = Store::connect(&self.database_url).await.expect("open");
        let tenant = tenant_by_slug(&store, "demo").await.expect("tenant");
        let mut tx = store.read().await.expect("read");
        let entries = tx.recent_audit(tenant.id, 1000).await.expect("audit");
        entries.into_iter().map(|e| e.action).collect()
    }
}

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
    let console = Console::sqlite();
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
    let console = Console::sqlite();
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
    let console = Console::sqlite();
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
    let console = Console::sqlite();

    // No session: 401 for reading and for changing.
    let (status, _, body) = console
        .call("search_customers", &[("query", "smith")], None, None)
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
            "search_customers",
            &[("query", "smith")],
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let manager = console.sign_in(MANAGER).await;
    let (status, _, body) = console
        .call(
            "search_customers",
            &[("query", "smith")],
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
