//! Attacks replayed against the real server: each test is what an attacker would send, and
//! checks that it gets them nothing.

mod common;

use reqwest::StatusCode;
use serde_json::{Value, json};

use common::console::Console;
use common::{api_key, api_key_with, header};
use spine_core::Store;
use spine_core::services::tenants::tenant_by_slug;

/// The demo tenant with an API key, as an integration holds one.
struct Target {
    console: Console,
    key: String,
    client: reqwest::Client,
}

impl Target {
    fn start() -> Target {
        let console = Console::fresh();
        let key = api_key(&console.database_url, "demo", "attacks");
        Target {
            console,
            key,
            client: reqwest::Client::new(),
        }
    }

    async fn api(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, self.console.url(&format!("/api/v1{path}")))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn event(&self, event: Value) -> Value {
        let (status, body) = self
            .api(reqwest::Method::POST, "/events", Some(&event))
            .await;
        assert!(status == 201 || status == 200, "{status} {body}");
        body
    }

    async fn profile(&self, id: &str) -> Value {
        let (status, body) = self
            .api(reqwest::Method::GET, &format!("/customers/{id}"), None)
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Asks `/me` for a sign-in code, as anyone on the internet can.
    async fn ask_for_code(&self, destination: &str) {
        let (status, _, body) = self
            .console
            .me_call(
                "request_code",
                &[("destination", destination)],
                None,
                Some(&self.console.server.base),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// The destinations (normalized) the outbox holds a sign-in code for.
    async fn codes_sent_to(&self) -> Vec<String> {
        let store = Store::connect(&self.console.database_url)
            .await
            .expect("open");
        let tenant = tenant_by_slug(&store, "demo").await.expect("tenant");
        let mut tx = store.read().await.expect("read");
        tx.recent_outbox(tenant.id, 1000)
            .await
            .expect("outbox")
            .into_iter()
            .filter(|m| m.customer_id.is_some())
            .map(|m| m.destination)
            .collect()
    }
}

fn message(channel: &str, identifiers: Value, body: &str, id: &str) -> Value {
    json!({"channel": channel, "direction": "inbound", "kind": "message",
           "occurred_at": "2026-05-01T10:00:00Z", "body": body, "external_id": id,
           "identifiers": identifiers})
}

/// The identity of `kind` and `value` on a profile, if it holds one.
fn identity<'a>(profile: &'a Value, kind: &str, value: &str) -> Option<&'a Value> {
    profile["identities"]
        .as_array()
        .expect("identities")
        .iter()
        .find(|i| i["kind"] == kind && i["value"] == value)
}

#[tokio::test]
async fn a_message_cannot_hand_a_customer_to_whoever_wrote_it() {
    let target = Target::start();
    // The victim: texts from their own phone, then emails from their own address; the store's
    // integration knows both messages are from its customer c-77.
    let crm = json!({"provider": "shop", "id": "c-77"});
    let victim = target
        .event(message(
            "sms",
            json!({"phone": "+13055551015", "name": "Vera Victim", "external": crm}),
            "Hi, is my order ready?",
            "v-1",
        ))
        .await;
    let victim_id = victim["customer_id"].as_str().expect("id").to_owned();
    let by_email = target
        .event(message(
            "email",
            json!({"email": "vera@victim.example", "external": crm}),
            "Following up by email.",
            "v-2",
        ))
        .await;
    assert_eq!(by_email["customer_id"], victim_id.as_str());
    let profile = target.profile(&victim_id).await;
    assert_eq!(
        identity(&profile, "phone", "+13055551015").expect("phone")["assurance"],
        "asserted",
        "the number an SMS came from is the channel's word"
    );
    assert_eq!(
        identity(&profile, "email", "vera@victim.example").expect("email")["assurance"],
        "asserted",
        "tied to the profile by the provider's own account id"
    );

    // Attack 1: a DM from a brand-new handle names the victim's number and the attacker's email.
    let dm = target
        .event(message(
            "instagram",
            json!({"handle": {"platform": "instagram", "handle": "mallory_x"}}),
            "my number is (305) 555-1015, please email me at someone@evil.example",
            "m-1",
        ))
        .await;
    // The link the product promises stays: the handle joins the profile holding that number...
    assert_eq!(dm["customer_id"], victim_id.as_str(), "{dm}");
    let profile = target.profile(&victim_id).await;
    assert_eq!(
        identity(&profile, "handle", "mallory_x").expect("handle")["assurance"],
        "claimed",
        "joined through a claim, so only as trusted as one"
    );
    // ... but the other address in the text is kept with the message, not on the profile.
    assert!(
        identity(&profile, "email", "someone@evil.example").is_none(),
        "{profile}"
    );
    assert_eq!(profile["primary_email"], "vera@victim.example");
    let (_, timeline) = target
        .api(
            reqwest::Method::GET,
            &format!("/customers/{victim_id}/timeline"),
            None,
        )
        .await;
    let entry = timeline["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["channel"] == "instagram")
        .expect("the DM is on the timeline");
    assert_eq!(
        entry["claims"],
        json!([{"kind": "email", "value": "someone@evil.example", "holder": null}]),
        "agents see what the message claimed"
    );

    // Attack 2: an SMS from the attacker's own phone names the victim's email.
    let sms = target
        .event(message(
            "sms",
            json!({"phone": "+13055550199"}),
            "hi it's me, vera@victim.example, new phone",
            "m-2",
        ))
        .await;
    assert_eq!(sms["customer_id"], victim_id.as_str(), "{sms}");
    let profile = target.profile(&victim_id).await;
    assert_eq!(
        identity(&profile, "phone", "+13055550199").expect("the new number")["assurance"],
        "claimed",
        "a number that joined through a claim cannot sign in"
    );
    assert_eq!(profile["primary_phone"], "+13055551015");

    // Neither attacker address gets a sign-in code; the victim's own still do.
    target.ask_for_code("someone@evil.example").await;
    target.ask_for_code("+1 305 555 0199").await;
    target.ask_for_code("mallory_x@instagram.example").await;
    let sent = target.codes_sent_to().await;
    assert!(
        !sent
            .iter()
            .any(|d| d == "someone@evil.example" || d == "+13055550199"),
        "{sent:?}"
    );
    target.ask_for_code("(305) 555-1015").await;
    target.ask_for_code("vera@victim.example").await;
    let sent = target.codes_sent_to().await;
    assert!(sent.iter().any(|d| d == "+13055551015"), "{sent:?}");
    assert!(sent.iter().any(|d| d == "vera@victim.example"), "{sent:?}");
}

#[tokio::test]
async fn a_form_cannot_add_a_sign_in_address_to_someone_else() {
    let target = Target::start();
    let victim = target
        .event(message(
            "email",
            json!({"email": "ana@victim.example", "name": "Ana Lopez"}),
            "Hello",
            "a-1",
        ))
        .await;
    let victim_id = victim["customer_id"].as_str().expect("id").to_owned();
    // A web chat's pre-chat form where the attacker typed the victim's address and their own
    // number: the integration sends both, neither is the channel's word.
    let chat = target
        .event(message(
            "webchat",
            json!({"email": "ana@victim.example", "phone": "+13055550123"}),
            "Hi",
            "a-2",
        ))
        .await;
    assert_eq!(chat["customer_id"], victim_id.as_str(), "{chat}");
    let profile = target.profile(&victim_id).await;
    assert_eq!(
        identity(&profile, "phone", "+13055550123").expect("phone")["assurance"],
        "claimed"
    );
    assert_eq!(profile["primary_email"], "ana@victim.example");
    target.ask_for_code("+13055550123").await;
    assert!(target.codes_sent_to().await.is_empty());
}

#[tokio::test]
async fn a_huge_message_yields_a_handful_of_claims_and_no_identities() {
    let target = Target::start();
    let body: String = (0..4000)
        .map(|i| format!("user{i}@spam.example "))
        .collect::<String>()
        .chars()
        .take(60 * 1024)
        .collect();
    let created = target
        .event(message(
            "sms",
            json!({"phone": "+13055550777"}),
            &body,
            "h-1",
        ))
        .await;
    let id = created["customer_id"].as_str().expect("id");
    let profile = target.profile(id).await;
    let identities = profile["identities"].as_array().expect("identities");
    assert_eq!(
        identities.len(),
        1,
        "only the sender's number: {identities:?}"
    );
    let (_, timeline) = target
        .api(
            reqwest::Method::GET,
            &format!("/customers/{id}/timeline"),
            None,
        )
        .await;
    let claims = timeline["entries"][0]["claims"]
        .as_array()
        .expect("claims")
        .len();
    assert!((1..=5).contains(&claims), "{claims} claims");
}

#[tokio::test]
async fn a_public_server_answers_only_for_its_own_name() {
    let dir = tempfile::tempdir().expect("dir");
    let url = common::database_url(&dir);
    let server = common::serve(
        &url,
        &[
            "--tenant",
            "acme",
            "--public-url",
            "https://spine.example.com",
        ],
        Some(dir),
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    // A page elsewhere whose name now resolves here (DNS rebinding) names its own host.
    for host in [
        "evil.example",
        "127.0.0.1",
        "spine.example.com.evil.example",
    ] {
        let response = client
            .get(format!("{}/login", server.base))
            .header("Host", host)
            .send()
            .await
            .expect("get");
        assert_eq!(response.status().as_u16(), 421, "{host}");
        let problem: Value = response.json().await.expect("problem");
        assert_eq!(problem["status"], 421);
    }
    let own = client
        .get(format!("{}/login", server.base))
        .header("Host", "spine.example.com")
        .send()
        .await
        .expect("get");
    assert_eq!(own.status().as_u16(), 200);
    // Load balancers check health by address.
    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("get");
    assert_eq!(health.status().as_u16(), 200);
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_a_nonce_policy() {
    let target = Target::start();
    let api = target
        .client
        .get(target.console.url("/api/v1/customers?q=ann"))
        .bearer_auth(&target.key)
        .send()
        .await
        .expect("api");
    assert_eq!(header(&api, "x-content-type-options"), "nosniff");
    assert_eq!(header(&api, "x-frame-options"), "DENY");
    assert!(header(&api, "content-security-policy").starts_with("default-src 'none'"));
    let page = target.console.get("/login", None).await;
    let policy = header(&page, "content-security-policy");
    let html = page.text().await.expect("html");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the page's policy")
        .to_owned();
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(
        !policy.contains("'unsafe-inline' 'unsafe-eval'"),
        "{policy}"
    );
    // Every script the page carries is one Leptos wrote, with this response's nonce.
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "{html}"
    );
    // A second response gets another nonce.
    let again = target.console.get("/login", None).await;
    assert!(!header(&again, "content-security-policy").contains(&nonce));
}

#[tokio::test]
async fn impossible_dates_and_amounts_are_refused_and_nothing_is_written() {
    let target = Target::start();
    let bad = [
        (
            json!({"occurred_at": "9999-01-01T00:00:00Z"}),
            "occurred_at",
        ),
        (
            json!({"occurred_at": "1900-01-01T00:00:00Z"}),
            "occurred_at",
        ),
        (
            json!({"kind": "order", "order": {"provider": "shop", "external_id": "o-1", "total_cents": 1_000_000_000_000_000i64}}),
            "order",
        ),
        (
            json!({"kind": "order", "order": {"provider": "shop", "external_id": "o-2", "items": [{"name": "x", "quantity": -3}]}}),
            "order",
        ),
        (json!({"source": "a\u{0}b"}), "source"),
        (
            json!({"identifiers": {"phone": "+13055550100", "name": "Ann\u{1b}[31m"}}),
            "identifiers.name",
        ),
    ];
    for (i, (change, field)) in bad.into_iter().enumerate() {
        let mut event = message(
            "sms",
            json!({"phone": "+13055550100"}),
            "hello",
            &format!("bad-{i}"),
        );
        for (k, v) in change.as_object().expect("object") {
            event[k] = v.clone();
        }
        let (status, problem) = target
            .api(reqwest::Method::POST, "/events", Some(&event))
            .await;
        assert_eq!(status, 422, "{event} -> {problem}");
        // The field named is the one at fault, or a part of it (`order.total_cents`).
        let at = problem["field"].as_str().unwrap_or_default();
        assert!(
            at == field || at.starts_with(&format!("{field}.")),
            "{field}: {problem}"
        );
        // Nothing was stored: the same message id is new afterwards.
        let mut fixed = event.clone();
        fixed["occurred_at"] = json!("2026-05-01T10:00:00Z");
        fixed["kind"] = json!("message");
        fixed["order"] = Value::Null;
        fixed["source"] = Value::Null;
        fixed["identifiers"] = json!({"phone": "+13055550100"});
        let stored = target.event(fixed).await;
        assert_eq!(stored["duplicate"], false, "{stored}");
    }
}

#[tokio::test]
async fn guessing_a_staff_password_locks_the_account_and_the_right_one_waits_too() {
    let console = Console::fresh();
    let base = console.server.base.clone();
    let attempt = |email: &'static str, password: &'static str| {
        let console = &console;
        let base = base.clone();
        async move {
            let (status, headers, body) = console
                .call(
                    "sign_in",
                    &[("email", email), ("password", password), ("next", "")],
                    None,
                    Some(&base),
                )
                .await;
            let retry = headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            (status.as_u16(), retry, body)
        }
    };
    for _ in 0..5 {
        let (status, _, body) = attempt("admin@demo.spine.local", "guess").await;
        assert_eq!(status, 401, "{body}");
    }
    // Locked: even the right password is refused until the window ends, and says when.
    let (status, retry, body) = attempt("admin@demo.spine.local", "demo-admin-password").await;
    assert_eq!(status, 429, "{body}");
    assert!(retry.is_some_and(|s| s > 0 && s <= 15 * 60), "{retry:?}");
    assert!(body.contains("TooManyAttempts"), "{body}");
    // The account, not the address: another member of staff from here still signs in.
    let (status, _, body) = attempt("agent@demo.spine.local", "demo-agent-password").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        console
            .audit_actions()
            .await
            .iter()
            .any(|a| a == "staff.sign_in_locked")
    );
}

#[tokio::test]
async fn api_keys_do_only_what_their_scopes_allow_and_no_faster_than_their_rate() {
    let console = Console::fresh();
    let create =
        |name: &str, extra: &[&str]| api_key_with(&console.database_url, "demo", name, extra);
    let chatbot = create("chatbot", &["--scope", "ingest,read"]);
    let slow = create("dashboard", &["--scope", "read", "--rate-per-minute", "3"]);
    let refused = common::run(
        &[
            "api-key", "create", "--tenant", "demo", "--name", "x", "--scope", "root",
        ],
        &console.database_url,
    );
    assert!(!refused.status.success());
    let client = reqwest::Client::new();
    let call = |key: &str, method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut request = client
            .request(method, console.url(&format!("/api/v1{path}")))
            .bearer_auth(key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            let retry = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            (
                status,
                retry,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, _, created) = call(
        &chatbot,
        reqwest::Method::POST,
        "/events",
        Some(message(
            "sms",
            json!({"phone": "+13055550404"}),
            "hi",
            "scope-1",
        )),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["customer_id"].as_str().expect("id").to_owned();
    let (status, _, _) = call(
        &chatbot,
        reqwest::Method::GET,
        &format!("/customers/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    // The chatbot's key cannot erase, export or edit anyone.
    for (method, path, body) in [
        (
            reqwest::Method::POST,
            format!("/customers/{id}/erasure"),
            Some(json!({})),
        ),
        (
            reqwest::Method::GET,
            format!("/customers/{id}/export"),
            None,
        ),
        (
            reqwest::Method::PATCH,
            format!("/customers/{id}"),
            Some(json!({"tags": ["x"]})),
        ),
        (reqwest::Method::DELETE, format!("/customers/{id}"), None),
    ] {
        let (status, _, problem) = call(&chatbot, method.clone(), &path, body).await;
        assert_eq!(status, 403, "{method} {path}: {problem}");
        assert_eq!(problem["status"], 403);
    }
    let (status, _, profile) = call(
        &chatbot,
        reqwest::Method::GET,
        &format!("/customers/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "still there: {profile}");
    assert!(profile["tags"].as_array().is_some_and(|t| t.is_empty()));
    // A read-only key cannot send events.
    let (status, _, _) = call(
        &slow,
        reqwest::Method::POST,
        "/events",
        Some(message(
            "sms",
            json!({"phone": "+13055550405"}),
            "hi",
            "scope-2",
        )),
    )
    .await;
    assert_eq!(status, 403);
    // Three a minute: the next one waits, and is told how long.
    let mut statuses = Vec::new();
    let mut retry = None;
    for _ in 0..4 {
        let (status, after, _) = call(&slow, reqwest::Method::GET, "/customers?q=ann", None).await;
        statuses.push(status);
        retry = retry.or(after);
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    assert!(
        retry
            .and_then(|r| r.parse::<u64>().ok())
            .is_some_and(|s| (1..=60).contains(&s))
    );
    let list = common::run(
        &["api-key", "list", "--tenant", "demo"],
        &console.database_url,
    );
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(list.contains("ingest read"), "{list}");
    assert!(
        list.lines()
            .any(|l| l.contains("dashboard") && l.contains(" 3 ")),
        "{list}"
    );
}

#[tokio::test]
async fn one_client_cannot_make_spine_send_codes_without_end() {
    let target = Target::start();
    target
        .event(message(
            "email",
            json!({"email": "lina@known.example", "name": "Lina"}),
            "Hello",
            "k-1",
        ))
        .await;
    // Ten requests for addresses nobody holds use up this address's allowance...
    for i in 0..10 {
        target
            .ask_for_code(&format!("nobody{i}@unknown.example"))
            .await;
    }
    // ... so a request for a real customer's address is answered the same, and sends nothing.
    target.ask_for_code("lina@known.example").await;
    assert!(target.codes_sent_to().await.is_empty());
}

#[tokio::test]
async fn server_functions_answer_bad_requests_with_4xx_not_500() {
    let console = Console::fresh();
    let base = console.server.base.clone();
    let send = |body: Vec<u8>| {
        let request = console
            .client
            .post(console.url("/api/sign_in"))
            .header("Origin", &base)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        async move { request.send().await.expect("post").status().as_u16() }
    };
    // Refused from the announced length, before the body is read (and the connection closed,
    // so only the head is sent: a client still writing may meet a broken pipe first).
    let host = base.trim_start_matches("http://").to_owned();
    let head = format!(
        "POST /api/sign_in HTTP/1.1\r\nHost: {host}\r\nOrigin: {base}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        3 * 1024 * 1024
    );
    let mut stream = tokio::net::TcpStream::connect(&host)
        .await
        .expect("connect");
    tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes())
        .await
        .expect("head");
    let mut answer = vec![0u8; 64];
    let n = tokio::io::AsyncReadExt::read(&mut stream, &mut answer)
        .await
        .expect("answer");
    let status_line = String::from_utf8_lossy(&answer[..n]).into_owned();
    assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
    assert_eq!(send(b"email=\xff\xfe&password=x&next=".to_vec()).await, 400);
    assert_eq!(send(b"garbage&&==".to_vec()).await, 400);
    // A well-formed wrong sign-in is still what it was.
    assert_eq!(
        send(b"email=a%40b.example&password=x&next=".to_vec()).await,
        401
    );
}

#[tokio::test]
async fn only_an_admin_can_vouch_for_an_address_and_then_it_signs_in() {
    let target = Target::start();
    // Typed into a web chat's form: a claim, which cannot sign in.
    let made = target
        .event(message(
            "webchat",
            json!({"email": "rosa@claimed.example", "name": "Rosa Diaz"}),
            "Hi",
            "w-1",
        ))
        .await;
    let id = made["customer_id"].as_str().expect("id").to_owned();
    let profile = target.profile(&id).await;
    let email = identity(&profile, "email", "rosa@claimed.example").expect("email");
    assert_eq!(email["assurance"], "claimed");
    let identity_id = email["id"].as_str().expect("identity id").to_owned();
    target.ask_for_code("rosa@claimed.example").await;
    assert!(target.codes_sent_to().await.is_empty());

    let console = &target.console;
    let vouch = |cookie: String, reason: &'static str| {
        let (id, identity_id) = (id.clone(), identity_id.clone());
        async move {
            let csrf = console.csrf_token(&cookie).await;
            console
                .call_as(
                    "verify_customer_identity",
                    &[
                        ("id", &id),
                        ("identity", &identity_id),
                        ("reason", reason),
                        ("csrf", &csrf),
                    ],
                    &cookie,
                )
                .await
                .0
                .as_u16()
        }
    };
    let agent = console
        .sign_in(("agent@demo.spine.local", "demo-agent-password"))
        .await;
    assert_eq!(
        vouch(agent, "she said so").await,
        403,
        "an agent can be talked into it"
    );
    let admin = console
        .sign_in(("admin@demo.spine.local", "demo-admin-password"))
        .await;
    assert_eq!(
        vouch(admin.clone(), "  ").await,
        422,
        "a reason is required"
    );
    assert_eq!(
        vouch(admin, "called her back on the number on file").await,
        200
    );
    let profile = target.profile(&id).await;
    assert_eq!(
        identity(&profile, "email", "rosa@claimed.example").expect("email")["assurance"],
        "verified"
    );
    target.ask_for_code("rosa@claimed.example").await;
    assert_eq!(target.codes_sent_to().await, ["rosa@claimed.example"]);
    assert!(
        console
            .audit_actions()
            .await
            .iter()
            .any(|a| a == "identity.verified")
    );
}
