//! The customer's own page against the real server: the code sign-in sets a cookie of its own
//! (scoped to /me), changes need the page's origin and the session's token, a staff session
//! is no customer session and the other way round, and the downloads check who asks.

mod common;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, LOCATION, SET_COOKIE};
use serde_json::Value;

use common::console::Console;
use common::header;
use spine_core::Store;
use spine_core::services::tenants::tenant_by_slug;

const ADMIN: (&str, &str) = ("admin@demo.spine.local", "demo-admin-password");
const AGENT: (&str, &str) = ("agent@demo.spine.local", "demo-agent-password");

/// A demo customer with an email: (id, email).
async fn someone(console: &Console) -> (String, String) {
    let store = Store::connect(&console.database_url).await.expect("open");
    let tenant = tenant_by_slug(&store, "demo").await.expect("tenant");
    let mut tx = store.read().await.expect("read");
    let row = tx
        .recent_customers(tenant.id, 50, 0)
        .await
        .expect("customers")
        .into_iter()
        .find(|c| c.primary_email.is_some())
        .expect("a demo customer with an email");
    (row.id.to_string(), row.primary_email.expect("email"))
}

/// The newest code Spine sent: (the customer it signs in, the challenge, the code), as their
/// inbox and the sign-in page would have them.
async fn issued(console: &Console) -> (String, String, String) {
    let store = Store::connect(&console.database_url).await.expect("open");
    let tenant = tenant_by_slug(&store, "demo").await.expect("tenant");
    let mut tx = store.read().await.expect("read");
    let message = tx
        .recent_outbox(tenant.id, 1)
        .await
        .expect("outbox")
        .remove(0);
    let customer = message.customer_id.expect("a code names its customer");
    let challenge = tx.otp_codes_of(tenant.id, customer).await.expect("codes")[0].id;
    let text = console.newest_message_to(&message.destination).await;
    let code = text
        .split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
        .expect("a code")
        .to_owned();
    drop(tx);
    // What the database keeps, once sent, holds no code.
    let mut stored = String::new();
    for _ in 0..50 {
        let mut tx = store.read().await.expect("read");
        stored = tx.recent_outbox(tenant.id, 1).await.expect("outbox")[0]
            .body
            .clone();
        if !stored.contains(&code) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!stored.contains(&code), "{stored}");
    (customer.to_string(), challenge.to_string(), code)
}

async fn outbox_len(console: &Console) -> usize {
    let store = Store::connect(&console.database_url).await.expect("open");
    let tenant = tenant_by_slug(&store, "demo").await.expect("tenant");
    let mut tx = store.read().await.expect("read");
    tx.recent_outbox(tenant.id, 100)
        .await
        .expect("outbox")
        .len()
}

#[tokio::test]
async fn code_sign_in_csrf_and_the_two_sessions_kept_apart() {
    let console = Console::fresh();
    let base = console.server.base.clone();
    let (_, email) = someone(&console).await;

    // Another site's page cannot make a browser ask for a code.
    let before = outbox_len(&console).await;
    let (status, _, _) = console
        .me_call(
            "request_code",
            &[("destination", &email)],
            None,
            Some("http://evil.example.com"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(outbox_len(&console).await, before, "nothing queued");

    let (status, _, body) = console
        .me_call(
            "request_code",
            &[("destination", &email.to_uppercase())],
            None,
            Some(&base),
        )
        .await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status} {body}"
    );
    // The demo data has deliberate duplicates: the code goes to the profile holding the email.
    let (id, challenge, code) = issued(&console).await;

    // A malformed code is a readable 422, not a 500.
    let (status, _, body) = console
        .me_call(
            "verify_code",
            &[("challenge", &challenge), ("code", "12ab")],
            None,
            Some(&base),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("six digits"), "{body}");

    let (status, headers, body) = console
        .me_call(
            "verify_code",
            &[("challenge", &challenge), ("code", &code)],
            None,
            Some(&base),
        )
        .await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status} {body}"
    );
    let set_cookie = headers
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("a cookie")
        .to_owned();
    assert!(set_cookie.starts_with("spine_me="), "{set_cookie}");
    assert!(set_cookie.contains("Path=/me"), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    let token = set_cookie
        .strip_prefix("spine_me=")
        .and_then(|rest| rest.split(';').next())
        .expect("token")
        .to_owned();

    // The page's state carries the form token.
    let (status, _, body) = console.me_call("state", &[], Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let state: Value = serde_json::from_str(&body).expect("json");
    let csrf = state["SignedIn"]["csrf"]
        .as_str()
        .expect("signed in")
        .to_owned();
    assert_eq!(state["SignedIn"]["profile"]["id"], id.as_str());

    // Changes: no cookie is 401, a wrong token or another origin 403, and nothing changes.
    let form = |csrf: &str| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("display_name".to_owned(), "Changed Name".to_owned()),
            ("preferred_channel".to_owned(), "sms".to_owned()),
            ("timezone".to_owned(), "Europe/Madrid".to_owned()),
            ("language".to_owned(), "es".to_owned()),
        ]
    };
    let send = |fields: Vec<(String, String)>, cookie: Option<String>, origin: Option<String>| {
        let console = &console;
        async move {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            console
                .me_call("update", &pairs, cookie.as_deref(), origin.as_deref())
                .await
                .0
        }
    };
    assert_eq!(
        send(form(&csrf), None, Some(base.clone())).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(form("wrong"), Some(token.clone()), Some(base.clone())).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(
            form(&csrf),
            Some(token.clone()),
            Some("http://evil.example.com".into())
        )
        .await,
        StatusCode::FORBIDDEN
    );
    let (_, _, body) = console.me_call("state", &[], Some(&token), None).await;
    assert!(!body.contains("Changed Name"), "nothing changed: {body}");
    assert_eq!(
        send(form(&csrf), Some(token.clone()), Some(base.clone())).await,
        StatusCode::OK
    );
    let (_, _, body) = console.me_call("state", &[], Some(&token), None).await;
    assert!(body.contains("Changed Name"), "{body}");

    // The customer's cookie opens no console page; a staff session is no customer session.
    let response = console
        .get_with("/customers", Some(format!("spine_me={token}")))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(header(&response, LOCATION).starts_with("/login"));
    let admin = console.sign_in(ADMIN).await;
    let (_, _, body) = console
        .post_form(
            "/me/api/state",
            &[],
            Some(format!("spine_session={admin}")),
            None,
        )
        .await;
    assert!(body.contains("SignedOut"), "{body}");

    // Downloads: the customer's own, at /me; anyone's for an admin only.
    let response = console.get("/me/export.json", None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = console
        .get_with("/me/export.json", Some(format!("spine_me={token}")))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(&response, CONTENT_DISPOSITION).starts_with("attachment"));
    let export: Value = response.json().await.expect("json");
    assert_eq!(export["profile"]["id"], id.as_str());

    let agent = console.sign_in(AGENT).await;
    let path = format!("/customers/{id}/export.json");
    assert_eq!(
        console.get(&path, Some(&agent)).await.status(),
        StatusCode::FORBIDDEN
    );
    let response = console.get(&path, Some(&admin)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let export: Value = response.json().await.expect("json");
    assert_eq!(export["profile"]["display_name"], "Changed Name");
    assert_eq!(
        console
            .get("/customers/not-an-id/export.json", Some(&admin))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let actions = console.audit_actions().await;
    for action in [
        "customer.signed_in",
        "customer.updated",
        "customer.exported",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}
