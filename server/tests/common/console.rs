//! The console as a browser drives it, for HTTP tests: the demo tenant served by the real
//! binary, sign-in, server function calls (form-encoded, from the page's origin or another) and
//! the audit actions read back from the database.

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::Value;

use spine_core::Store;
use spine_core::services::tenants::tenant_by_slug;

use super::{Server, database_url, run, serve};

pub struct Console {
    pub server: Server,
    pub database_url: String,
    /// Where the server writes the messages it sends (`--mail-dir`): a customer's inbox.
    pub mail: tempfile::TempDir,
    /// Never follows redirects: the tests look at them.
    pub client: reqwest::Client,
}

impl Console {
    /// The demo tenant (a few people, one staff member per role) on `database_url`.
    pub fn start(database_url: String, dir: Option<tempfile::TempDir>) -> Console {
        let out = run(&["seed", "--demo", "--people", "3"], &database_url);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mail = tempfile::tempdir().expect("mail dir");
        let mail_dir = mail.path().display().to_string();
        Console {
            server: serve(&database_url, &["--mail-dir", &mail_dir], dir),
            database_url,
            mail,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    /// The demo tenant on a fresh database (see `database_url`).
    pub fn fresh() -> Console {
        let dir = tempfile::tempdir().expect("dir");
        let url = database_url(&dir);
        Console::start(url, Some(dir))
    }

    /// The newest message delivered to `to`, as its reader sees it (waits for the outbox).
    pub async fn newest_message_to(&self, to: &str) -> String {
        for _ in 0..100 {
            let mut files: Vec<_> = std::fs::read_dir(self.mail.path())
                .expect("mail dir")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            files.sort();
            for file in files.iter().rev() {
                let text = std::fs::read_to_string(file).unwrap_or_default();
                if text.starts_with(&format!("To: {to}\n")) {
                    return text;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no message to {to}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base)
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        self.get_with(path, cookie.map(|token| format!("spine_session={token}")))
            .await
    }

    /// A GET with this `Cookie` header (`name=value`), if any.
    pub async fn get_with(&self, path: &str, cookie: Option<String>) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send().await.expect("get")
    }

    /// Calls a server function the way the hydrated page does (form-encoded, JSON back).
    pub async fn call(
        &self,
        name: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> (StatusCode, HeaderMap, String) {
        self.post_form(
            &format!("/api/{name}"),
            form,
            cookie.map(|token| format!("spine_session={token}")),
            origin,
        )
        .await
    }

    /// Calls one of the customer page's server functions (under /me/api) with the customer's
    /// cookie, if any.
    pub async fn me_call(
        &self,
        name: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> (StatusCode, HeaderMap, String) {
        self.post_form(
            &format!("/me/api/{name}"),
            form,
            cookie.map(|token| format!("spine_me={token}")),
            origin,
        )
        .await
    }

    /// A form POST with this `Cookie` header (`name=value`) and `Origin`, if any.
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<String>,
        origin: Option<&str>,
    ) -> (StatusCode, HeaderMap, String) {
        let mut request = self.client.post(self.url(path)).form(form);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
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
    pub async fn sign_in(&self, (email, password): (&str, &str)) -> String {
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

    pub async fn csrf_token(&self, cookie: &str) -> String {
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
    pub async fn audit_actions(&self) -> Vec<String> {
        let store = Store::connect(&self.database_url).await.expect("open");
        let tenant = tenant_by_slug(&store, "demo").await.expect("tenant");
        let mut tx = store.read().await.expect("read");
        let entries = tx.recent_audit(tenant.id, 1000).await.expect("audit");
        entries.into_iter().map(|e| e.action).collect()
    }

    /// Calls a server function from the page's own origin with this session; status and body.
    pub async fn call_as(
        &self,
        name: &str,
        form: &[(&str, &str)],
        cookie: &str,
    ) -> (StatusCode, String) {
        let (status, _, body) = self
            .call(name, form, Some(cookie), Some(&self.server.base))
            .await;
        (status, body)
    }
}
