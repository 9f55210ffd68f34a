//! Provider webhooks against the real server: real-shaped payloads (tests/fixtures/webhooks)
//! signed as each provider signs them, stored once, refused whole when unsigned or malformed.

mod common;

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};

use spine_core::Store;
use spine_core::services::customers::tenant_stats;
use spine_core::services::tenants::tenant_by_slug;
use spine_core::types::TenantStats;

use common::{Server, api_key, database_url, run, serve};

const TENANT: &str = "acme";
const PUBLIC_URL: &str = "https://spine.example.com";
const PUBLIC_HOST: &str = "spine.example.com";
const TWILIO_TOKEN: &str = "8f3c2a9d5e7b1f4c6a0e2d8b9c7f5a3e";
const META_SECRET: &str = "d41f8e6c2b9a7d5e3c1f0a8b6d4e2c9f";
const WHATSAPP_SECRET: &str = "6c9e2f4a8d1b3e5f7a9c0b2d4e6f8a1c";
const SHOPIFY_SECRET: &str = "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";
const GENERIC_SECRET: &str = "generic-secret-0123456789abcdef";
const VERIFY_TOKEN: &str = "spine-verify-2026";

struct Hooks {
    server: Server,
    database_url: String,
    key: String,
    client: reqwest::Client,
    /// Served behind its public address: requests name that host, as through its proxy.
    public: bool,
}

fn client(public: bool) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if public {
        headers.insert(
            reqwest::header::HOST,
            reqwest::header::HeaderValue::from_static(PUBLIC_HOST),
        );
    }
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client")
}

fn spine(args: &[&str], url: &str) -> String {
    let out = run(args, url);
    assert!(
        out.status.success(),
        "spine {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Hooks {
    /// A fresh SQLite database with tenant "acme", an API key, and every provider configured;
    /// served with `--public-url` unless `public` is false.
    fn start(public: bool) -> Hooks {
        let dir = tempfile::tempdir().expect("dir");
        let url = database_url(&dir);
        drop(serve(&url, &["--tenant", TENANT], None));
        let key = api_key(&url, TENANT, "tests");
        // WhatsApp and Meta also answer a GET handshake with a verify token.
        for (provider, secret, verify_token) in [
            ("twilio", TWILIO_TOKEN, None),
            ("shopify", SHOPIFY_SECRET, None),
            ("generic", GENERIC_SECRET, None),
            ("whatsapp", WHATSAPP_SECRET, Some(VERIFY_TOKEN)),
            ("meta", META_SECRET, Some(VERIFY_TOKEN)),
        ] {
            let mut args = vec![
                "webhook",
                "set",
                "--tenant",
                TENANT,
                "--provider",
                provider,
                "--secret",
                secret,
            ];
            if let Some(token) = verify_token {
                args.extend(["--verify-token", token]);
            }
            spine(&args, &url);
        }
        let mut args = vec!["--tenant", TENANT];
        if public {
            args.extend(["--public-url", PUBLIC_URL]);
        }
        Hooks {
            server: serve(&url, &args, Some(dir)),
            database_url: url,
            key,
            client: client(public),
            public,
        }
    }

    fn url(&self, provider: &str) -> String {
        format!("{}/webhooks/{TENANT}/{provider}", self.server.base)
    }

    async fn post(&self, provider: &str, headers: &[(&str, String)], body: Vec<u8>) -> Reply {
        let mut request = self.client.post(self.url(provider)).body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        Reply::read(request.send().await.expect("post")).await
    }

    /// Sends only the head of a POST announcing a body of `len` bytes, and returns the status
    /// and head of the answer. The server refuses an oversized body from its Content-Length
    /// without reading it, then closes the connection: a client still writing those bytes may
    /// meet a broken pipe before it reads the answer, so the test does not write them.
    async fn announce_body(
        &self,
        provider: &str,
        headers: &[(&str, String)],
        len: usize,
    ) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let url = reqwest::Url::parse(&self.url(provider)).expect("url");
        let host = format!(
            "{}:{}",
            url.host_str().expect("host"),
            url.port().expect("port")
        );
        let named = if self.public {
            PUBLIC_HOST
        } else {
            host.as_str()
        };
        let mut request = format!(
            "POST {} HTTP/1.1\r\nHost: {named}\r\nContent-Length: {len}\r\nConnection: close\r\n",
            url.path()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        let mut stream = tokio::net::TcpStream::connect(&host)
            .await
            .expect("connect");
        stream.write_all(request.as_bytes()).await.expect("head");
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_end(&mut answer),
        )
        .await;
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let head = answer
            .split("\r\n\r\n")
            .next()
            .unwrap_or_default()
            .to_owned();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        (status, head)
    }

    async fn get(&self, url: &str) -> Reply {
        Reply::read(self.client.get(url).send().await.expect("get")).await
    }

    async fn api(&self, path: &str) -> Value {
        self.client
            .get(format!("{}/api/v1{path}", self.server.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .expect("api")
            .json()
            .await
            .unwrap_or(Value::Null)
    }

    async fn timeline(&self, customer: &Value) -> Vec<Value> {
        let id = customer.as_str().unwrap_or_default();
        let page = self.api(&format!("/customers/{id}/timeline")).await;
        page["entries"].as_array().cloned().unwrap_or_default()
    }

    /// Counts straight from the database the server writes: what "nothing stored" means.
    async fn stats(&self) -> TenantStats {
        let store = Store::connect(&self.database_url).await.expect("store");
        let tenant = tenant_by_slug(&store, TENANT).await.expect("tenant");
        let stats = tenant_stats(&store, &tenant).await.expect("stats");
        store.close().await;
        stats
    }

    async fn webhook_audit(&self) -> Vec<(String, String)> {
        let store = Store::connect(&self.database_url).await.expect("store");
        let tenant = tenant_by_slug(&store, TENANT).await.expect("tenant");
        let entries = store
            .read()
            .await
            .expect("tx")
            .recent_audit(tenant.id, 500)
            .await
            .expect("audit");
        store.close().await;
        entries
            .into_iter()
            .filter(|e| e.actor_kind == "webhook")
            .map(|e| (e.actor_label, e.action))
            .collect()
    }
}

struct Reply {
    status: u16,
    content_type: String,
    text: String,
}

impl Reply {
    async fn read(response: reqwest::Response) -> Reply {
        Reply {
            status: response.status().as_u16(),
            content_type: response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            text: response.text().await.unwrap_or_default(),
        }
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    /// A problem+json answer with this status.
    fn assert_problem(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.text
        );
        assert_eq!(self.json()["status"], status);
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/webhooks")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn hmac_sha256(secret: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// `sha256=<hex>`, as Meta (X-Hub-Signature-256) and the generic webhook sign.
fn hex_signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(hmac_sha256(secret, body)))
}

/// Twilio's signature: base64 HMAC-SHA1 of the URL and the sorted form fields.
fn twilio_signature(token: &str, url: &str, form: &[u8]) -> String {
    let mut params: Vec<(String, String)> = serde_urlencoded::from_bytes(form).expect("form");
    params.sort();
    let mut signed = url.to_owned();
    for (name, value) in params {
        signed.push_str(&name);
        signed.push_str(&value);
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).expect("key");
    mac.update(signed.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

fn json_headers(signature_header: &'static str, signature: String) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/json".to_owned()),
        (signature_header, signature),
    ]
}

fn form_headers(signature: String) -> Vec<(&'static str, String)> {
    vec![
        (
            "content-type",
            "application/x-www-form-urlencoded".to_owned(),
        ),
        ("x-twilio-signature", signature),
    ]
}

fn shopify_headers(topic: &str, body: &[u8], webhook_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/json".to_owned()),
        (
            "x-shopify-hmac-sha256",
            BASE64.encode(hmac_sha256(SHOPIFY_SECRET, body)),
        ),
        ("x-shopify-topic", topic.to_owned()),
        (
            "x-shopify-shop-domain",
            "sweet-crumb.myshopify.com".to_owned(),
        ),
        ("x-shopify-webhook-id", webhook_id.to_owned()),
        ("x-shopify-api-version", "2026-04".to_owned()),
    ]
}

#[tokio::test]
async fn twilio_sms_is_stored_once_and_answered_with_empty_twiml() {
    let hooks = Hooks::start(true);
    let form = fixture("twilio_sms.form");
    let signed_url = format!("{PUBLIC_URL}/webhooks/{TENANT}/twilio");
    let before = hooks.stats().await;

    // A forged delivery (right URL, wrong token) and one signed for another URL store nothing.
    let forged = twilio_signature("not-the-auth-token", &signed_url, &form);
    hooks
        .post("twilio", &form_headers(forged), form.clone())
        .await
        .assert_problem(401);
    let elsewhere = twilio_signature(TWILIO_TOKEN, "https://evil.example.com/hook", &form);
    hooks
        .post("twilio", &form_headers(elsewhere), form.clone())
        .await
        .assert_problem(401);
    hooks
        .post("twilio", &form_headers(String::new()), form.clone())
        .await
        .assert_problem(401);
    assert_eq!(
        hooks.stats().await,
        before,
        "refused deliveries store nothing"
    );

    let signature = twilio_signature(TWILIO_TOKEN, &signed_url, &form);
    let reply = hooks
        .post("twilio", &form_headers(signature.clone()), form.clone())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        reply.content_type.starts_with("text/xml"),
        "{}",
        reply.content_type
    );
    assert!(reply.text.contains("<Response/>"), "{}", reply.text);
    let after = hooks.stats().await;
    assert_eq!(after.interactions, before.interactions + 1);
    assert_eq!(after.customers, before.customers + 1);

    // Twilio retries: the same MessageSid is stored once.
    let again = hooks
        .post("twilio", &form_headers(signature), form.clone())
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(hooks.stats().await, after);

    let found = hooks.api("/customers?q=9165551234").await;
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    let entries = hooks.timeline(&found[0]["id"]).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["channel"], "sms");
    assert_eq!(entries[0]["direction"], "inbound");
    assert_eq!(
        entries[0]["body"],
        "Hi! Do you do birthday cakes? This is Ana"
    );

    let audit = hooks.webhook_audit().await;
    assert!(
        audit.contains(&("webhook:twilio".into(), "customer.created".into())),
        "{audit:?}"
    );
    assert!(
        audit.contains(&("webhook:twilio".into(), "interaction.ingested".into())),
        "{audit:?}"
    );

    // Signed, but not a message Spine can read: 422 naming the field, never a 500.
    let no_sender = b"MessageSid=SM0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c&Body=hi".to_vec();
    let signature = twilio_signature(TWILIO_TOKEN, &signed_url, &no_sender);
    let reply = hooks
        .post("twilio", &form_headers(signature), no_sender)
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.json()["field"], "From");
    assert_eq!(hooks.stats().await, after);
}

#[tokio::test]
async fn twilio_signature_is_checked_against_the_host_when_no_public_url_is_set() {
    let hooks = Hooks::start(false);
    let form = fixture("twilio_sms.form");
    let host_url = hooks.url("twilio");
    let signature = twilio_signature(TWILIO_TOKEN, &host_url, &form);
    let reply = hooks
        .post("twilio", &form_headers(signature), form.clone())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    let public = twilio_signature(
        TWILIO_TOKEN,
        &format!("{PUBLIC_URL}/webhooks/{TENANT}/twilio"),
        &form,
    );
    hooks
        .post("twilio", &form_headers(public), form)
        .await
        .assert_problem(401);
}

#[tokio::test]
async fn meta_handshakes_echo_the_challenge_only_for_the_right_token() {
    let hooks = Hooks::start(true);
    for provider in ["whatsapp", "meta"] {
        let base = hooks.url(provider);
        let ok = hooks
            .get(&format!(
                "{base}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={VERIFY_TOKEN}"
            ))
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text);
        assert!(ok.content_type.starts_with("text/plain"));
        assert_eq!(ok.text, "1158201444");

        hooks
            .get(&format!(
                "{base}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess"
            ))
            .await
            .assert_problem(403);
        hooks
            .get(&format!(
                "{base}?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token={VERIFY_TOKEN}"
            ))
            .await
            .assert_problem(403);
        hooks.get(&base).await.assert_problem(400);
    }
    // The other providers have no handshake.
    hooks.get(&hooks.url("shopify")).await.assert_problem(405);
}

#[tokio::test]
async fn whatsapp_message_links_to_the_sms_sender_and_statuses_store_nothing() {
    let hooks = Hooks::start(true);
    let form = fixture("twilio_sms.form");
    let sms_url = format!("{PUBLIC_URL}/webhooks/{TENANT}/twilio");
    let sms = hooks
        .post(
            "twilio",
            &form_headers(twilio_signature(TWILIO_TOKEN, &sms_url, &form)),
            form,
        )
        .await;
    assert_eq!(sms.status, 200, "{}", sms.text);
    let ana = hooks.api("/customers?q=9165551234").await[0]["id"].clone();

    let body = fixture("whatsapp_text.json");
    let before = hooks.stats().await;
    hooks
        .post(
            "whatsapp",
            &json_headers("x-hub-signature-256", hex_signature(META_SECRET, &body)),
            body.clone(),
        )
        .await
        .assert_problem(401);
    assert_eq!(
        hooks.stats().await,
        before,
        "signed with another app's secret"
    );

    let headers = json_headers("x-hub-signature-256", hex_signature(WHATSAPP_SECRET, &body));
    let reply = hooks.post("whatsapp", &headers, body.clone()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let outcome = reply.json();
    assert_eq!(outcome["stored"], 1);
    assert_eq!(
        outcome["outcomes"][0]["customer_id"], ana,
        "same phone, same person"
    );
    assert_eq!(outcome["outcomes"][0]["decision"], "linked");

    let again = hooks.post("whatsapp", &headers, body).await.json();
    assert_eq!(again["stored"], 0);
    assert_eq!(again["duplicates"], 1);

    let mut channels: Vec<Value> = hooks
        .timeline(&ana)
        .await
        .iter()
        .map(|e| e["channel"].clone())
        .collect();
    channels.sort_by_key(|c| c.to_string());
    assert_eq!(channels, vec![json!("sms"), json!("whatsapp")]);
    let profile = hooks
        .api(&format!("/customers/{}", ana.as_str().unwrap_or_default()))
        .await;
    assert_eq!(profile["display_name"], "Ana Lima");

    let after = hooks.stats().await;
    let status = fixture("whatsapp_status.json");
    let reply = hooks
        .post(
            "whatsapp",
            &json_headers(
                "x-hub-signature-256",
                hex_signature(WHATSAPP_SECRET, &status),
            ),
            status,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["received"], 0);

    // Garbage and wrong shapes, correctly signed: 4xx problems, nothing written, never a 500.
    let garbage = b"{\"object\": \"whatsapp_business_account\", \"entry\": [".to_vec();
    hooks
        .post(
            "whatsapp",
            &json_headers(
                "x-hub-signature-256",
                hex_signature(WHATSAPP_SECRET, &garbage),
            ),
            garbage,
        )
        .await
        .assert_problem(400);
    let wrong = br#"{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
        "value": {"messages": [{"from": "19165551234", "id": "wamid.X", "timestamp": "soon", "type": "text"}]}}]}]}"#
        .to_vec();
    let reply = hooks
        .post(
            "whatsapp",
            &json_headers(
                "x-hub-signature-256",
                hex_signature(WHATSAPP_SECRET, &wrong),
            ),
            wrong,
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(
        reply.json()["field"],
        "entry[0].changes[0].value.messages[0].timestamp"
    );
    assert_eq!(hooks.stats().await, after);
    assert!(
        hooks
            .webhook_audit()
            .await
            .contains(&("webhook:whatsapp".into(), "interaction.ingested".into()))
    );
}

#[tokio::test]
async fn messenger_and_instagram_dms_are_stored_under_their_scoped_ids() {
    let hooks = Hooks::start(true);
    let before = hooks.stats().await;
    let messenger = fixture("messenger_text.json");
    hooks
        .post(
            "meta",
            &json_headers(
                "x-hub-signature-256",
                hex_signature(META_SECRET, b"{\"object\":\"page\",\"entry\":[]}"),
            ),
            messenger.clone(),
        )
        .await
        .assert_problem(401);
    assert_eq!(hooks.stats().await, before);

    let headers = json_headers(
        "x-hub-signature-256",
        hex_signature(META_SECRET, &messenger),
    );
    let reply = hooks.post("meta", &headers, messenger.clone()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let outcome = reply.json();
    assert_eq!(outcome["stored"], 1, "{outcome}");
    let customer = outcome["outcomes"][0]["customer_id"].clone();
    let profile = hooks
        .api(&format!(
            "/customers/{}",
            customer.as_str().unwrap_or_default()
        ))
        .await;
    let identities: Vec<(Value, Value, Value)> = profile["identities"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| (i["kind"].clone(), i["provider"].clone(), i["value"].clone()))
        .collect();
    assert!(
        identities.contains(&(
            json!("external_id"),
            json!("facebook"),
            json!("6945217842194431")
        )),
        "{identities:?}"
    );
    // The number written in the DM is kept with the message as a claim, not on the profile:
    // anyone can write any number.
    assert!(
        !identities.iter().any(|(kind, _, _)| kind == "phone"),
        "{identities:?}"
    );
    let entries = hooks.timeline(&customer).await;
    assert_eq!(entries[0]["channel"], "facebook");
    assert_eq!(
        entries[0]["claims"],
        json!([{"kind": "phone", "value": "+19165551234", "holder": null}])
    );
    assert_eq!(entries[0]["occurred_at"], "2026-05-23T10:10:00.123Z");
    assert_eq!(
        hooks.post("meta", &headers, messenger).await.json()["duplicates"],
        1
    );

    let instagram = fixture("instagram_text.json");
    let reply = hooks
        .post(
            "meta",
            &json_headers(
                "x-hub-signature-256",
                hex_signature(META_SECRET, &instagram),
            ),
            instagram,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let outcome = reply.json();
    assert_eq!(outcome["outcomes"][0]["decision"], "created");
    let entries = hooks.timeline(&outcome["outcomes"][0]["customer_id"]).await;
    assert_eq!(entries[0]["channel"], "instagram");
    assert_eq!(entries[0]["body"], "Do you ship cupcakes to Davis?");

    let audit = hooks.webhook_audit().await;
    assert!(
        audit.iter().all(|(label, _)| label == "webhook:meta"),
        "{audit:?}"
    );
    assert_eq!(
        audit
            .iter()
            .filter(|(_, action)| action == "interaction.ingested")
            .count(),
        2
    );
}

#[tokio::test]
async fn shopify_customer_and_order_resolve_to_one_profile_with_the_order() {
    let hooks = Hooks::start(true);
    let customer = fixture("shopify_customers_create.json");
    let before = hooks.stats().await;
    let mut forged = shopify_headers("customers/create", &customer, "wh-1");
    forged[1].1 = BASE64.encode(hmac_sha256("shpss_wrong", &customer));
    hooks
        .post("shopify", &forged, customer.clone())
        .await
        .assert_problem(401);
    assert_eq!(hooks.stats().await, before);

    let reply = hooks
        .post(
            "shopify",
            &shopify_headers("customers/create", &customer, "wh-1"),
            customer.clone(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let maria = reply.json()["outcomes"][0]["customer_id"].clone();
    // A retry, and an update that changes none of the identifiers, store nothing new.
    for (topic, id) in [("customers/create", "wh-1"), ("customers/update", "wh-2")] {
        let again = hooks
            .post(
                "shopify",
                &shopify_headers(topic, &customer, id),
                customer.clone(),
            )
            .await
            .json();
        assert_eq!(again["stored"], 0, "{topic}: {again}");
    }

    let order = fixture("shopify_orders_create.json");
    let reply = hooks
        .post(
            "shopify",
            &shopify_headers("orders/create", &order, "wh-3"),
            order.clone(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let outcome = reply.json();
    assert_eq!(outcome["outcomes"][0]["customer_id"], maria, "{outcome}");
    assert_eq!(outcome["outcomes"][0]["decision"], "linked");
    // The same paid order under orders/paid is the same entry.
    let paid = hooks
        .post(
            "shopify",
            &shopify_headers("orders/paid", &order, "wh-4"),
            order.clone(),
        )
        .await
        .json();
    assert_eq!(paid["duplicates"], 1, "{paid}");

    let entries = hooks.timeline(&maria).await;
    let kinds: Vec<&str> = entries.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, vec!["order", "note"]);
    assert_eq!(
        entries[0]["body"],
        "Order #1001 (paid): 1 × Birthday Cake, 2 × Candles"
    );
    assert_eq!(entries[0]["payload"]["order"]["total_cents"], 5871);
    let stats = hooks.stats().await;
    assert_eq!(stats.orders, 1);
    assert_eq!(stats.customers, before.customers + 1);

    // A checkout phone Spine cannot read is left out; the order is not lost over it.
    let mut odd: Value = serde_json::from_slice(&order).expect("order json");
    odd["id"] = json!(5640091238464_u64);
    odd["name"] = json!("#1002");
    odd["phone"] = json!("555-555-SHIP");
    let odd = serde_json::to_vec(&odd).expect("json");
    let reply = hooks
        .post(
            "shopify",
            &shopify_headers("orders/create", &odd, "wh-5"),
            odd,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["outcomes"][0]["customer_id"], maria);
    assert_eq!(hooks.stats().await.orders, 2);

    // Topics Spine does not use are acknowledged; a missing topic is the sender's mistake.
    let product = br#"{"id": 788032119674292922, "title": "Example T-Shirt"}"#.to_vec();
    let reply = hooks
        .post(
            "shopify",
            &shopify_headers("products/create", &product, "wh-6"),
            product.clone(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["received"], 0);
    let mut no_topic = shopify_headers("orders/create", &product, "wh-7");
    no_topic.retain(|(name, _)| *name != "x-shopify-topic");
    hooks
        .post("shopify", &no_topic, product.clone())
        .await
        .assert_problem(400);
    // An order without its id is 422, and nothing is stored.
    let no_id = br##"{"name": "#1003", "total_price": "1.00"}"##.to_vec();
    hooks
        .post(
            "shopify",
            &shopify_headers("orders/create", &no_id, "wh-9"),
            no_id,
        )
        .await
        .assert_problem(422);
    assert_eq!(hooks.stats().await.orders, 2);
}

#[tokio::test]
async fn generic_webhook_takes_signed_events_and_refuses_bad_input_whole() {
    let hooks = Hooks::start(true);
    let event = json!({"channel": "webchat", "direction": "inbound", "kind": "message",
        "occurred_at": "2026-05-23T12:00:00Z", "body": "Is the bakery open on Sunday?",
        "external_id": "chat-1", "identifiers": {"email": "sam@example.com", "name": "Sam Lee"}});
    let body = serde_json::to_vec(&event).expect("json");
    let headers = json_headers("x-spine-signature", hex_signature(GENERIC_SECRET, &body));
    let reply = hooks.post("generic", &headers, body.clone()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["stored"], 1);
    assert_eq!(
        hooks.post("generic", &headers, body.clone()).await.json()["duplicates"],
        1
    );
    let before = hooks.stats().await;

    hooks
        .post(
            "generic",
            &json_headers(
                "x-spine-signature",
                hex_signature("wrong-secret-wrong", &body),
            ),
            body.clone(),
        )
        .await
        .assert_problem(401);
    hooks
        .post(
            "generic",
            &[("content-type", "application/json".into())],
            body.clone(),
        )
        .await
        .assert_problem(401);

    // One bad event refuses the whole delivery: the good one before it is not stored either.
    let batch = json!({"events": [
        {"channel": "booking", "direction": "inbound", "kind": "booking", "occurred_at": "2026-05-24T09:00:00Z",
         "external_id": "bk-1", "identifiers": {"email": "new@example.com"}},
        {"channel": "booking", "direction": "inbound", "kind": "booking", "occurred_at": "2026-05-24T10:00:00Z",
         "external_id": "bk-2", "identifiers": {"phone": "12"}}]});
    let batch = serde_json::to_vec(&batch).expect("json");
    let reply = hooks
        .post(
            "generic",
            &json_headers("x-spine-signature", hex_signature(GENERIC_SECRET, &batch)),
            batch,
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.json()["field"], "events[1].identifiers.phone");

    let garbage = b"not json at all".to_vec();
    hooks
        .post(
            "generic",
            &json_headers("x-spine-signature", hex_signature(GENERIC_SECRET, &garbage)),
            garbage,
        )
        .await
        .assert_problem(400);
    let wrong_field = br#"{"channel": "fax", "direction": "inbound", "kind": "message", "occurred_at": "2026-05-24T09:00:00Z"}"#.to_vec();
    let reply = hooks
        .post(
            "generic",
            &json_headers(
                "x-spine-signature",
                hex_signature(GENERIC_SECRET, &wrong_field),
            ),
            wrong_field,
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.json()["field"], "channel");
    let as_text = vec![
        ("content-type", "text/plain".to_owned()),
        ("x-spine-signature", hex_signature(GENERIC_SECRET, &body)),
    ];
    hooks
        .post("generic", &as_text, body)
        .await
        .assert_problem(415);
    let huge = vec![b' '; 2 * 1024 * 1024];
    let (status, head) = hooks
        .announce_body(
            "generic",
            &json_headers("x-spine-signature", hex_signature(GENERIC_SECRET, &huge)),
            huge.len(),
        )
        .await;
    assert_eq!(status, 413, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{head}"
    );
    assert_eq!(hooks.stats().await, before, "nothing refused was written");
}

#[tokio::test]
async fn unknown_tenants_and_removed_webhooks_are_404_and_secrets_stay_masked() {
    let hooks = Hooks::start(true);
    let body = b"{}".to_vec();
    let headers = json_headers("x-spine-signature", hex_signature(GENERIC_SECRET, &body));
    let reply = hooks
        .client
        .post(format!("{}/webhooks/nobody/generic", hooks.server.base))
        .header("content-type", "application/json")
        .header("x-spine-signature", headers[1].1.clone())
        .body(body.clone())
        .send()
        .await
        .expect("post");
    Reply::read(reply).await.assert_problem(404);
    hooks
        .get(&format!("{}/webhooks/{TENANT}/stripe", hooks.server.base))
        .await
        .assert_problem(404);

    let listed = spine(
        &["webhook", "list", "--tenant", TENANT],
        &hooks.database_url,
    );
    for provider in ["twilio", "whatsapp", "meta", "shopify", "generic"] {
        assert!(listed.contains(provider), "{listed}");
    }
    for secret in [
        TWILIO_TOKEN,
        META_SECRET,
        WHATSAPP_SECRET,
        SHOPIFY_SECRET,
        GENERIC_SECRET,
        VERIFY_TOKEN,
    ] {
        assert!(!listed.contains(secret), "a secret in full: {listed}");
    }

    spine(
        &[
            "webhook",
            "remove",
            "--tenant",
            TENANT,
            "--provider",
            "generic",
        ],
        &hooks.database_url,
    );
    hooks
        .post("generic", &headers, body)
        .await
        .assert_problem(404);

    let refused = run(
        &[
            "webhook",
            "set",
            "--tenant",
            TENANT,
            "--provider",
            "generic",
            "--secret",
            "short",
        ],
        &hooks.database_url,
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("secret"));
}

#[tokio::test]
async fn a_refused_delivery_stores_nothing_and_a_delivery_without_ids_is_stored_once() {
    let hooks = Hooks::start(true);
    let signed = |value: &Value| {
        let body = serde_json::to_vec(value).expect("json");
        let headers = json_headers("x-spine-signature", hex_signature(GENERIC_SECRET, &body));
        (headers, body)
    };
    let chat = |email: &str, id: Option<&str>, at: &str| {
        let mut event = json!({"channel": "webchat", "direction": "inbound", "kind": "message",
            "occurred_at": at, "body": "hello", "identifiers": {"email": email}});
        if let Some(id) = id {
            event["external_id"] = json!(id);
        }
        event
    };
    // Someone who asked to be erased.
    let (headers, body) = signed(&chat(
        "gone@example.com",
        Some("g-1"),
        "2026-05-01T10:00:00Z",
    ));
    let reply = hooks.post("generic", &headers, body).await;
    let id = reply.json()["outcomes"][0]["customer_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let erased = hooks
        .client
        .post(format!(
            "{}/api/v1/customers/{id}/erasure",
            hooks.server.base
        ))
        .bearer_auth(&hooks.key)
        .json(&json!({}))
        .send()
        .await
        .expect("erase");
    assert!(erased.status().is_success(), "{}", erased.status());
    let before = hooks.stats().await;
    // A batch whose second event replays their past: refused whole, the first not stored.
    let batch = json!({"events": [
        chat("new@example.com", Some("n-1"), "2026-05-02T10:00:00Z"),
        chat("gone@example.com", Some("g-2"), "2026-04-30T10:00:00Z"),
    ]});
    for _ in 0..2 {
        let (headers, body) = signed(&batch);
        hooks
            .post("generic", &headers, body)
            .await
            .assert_problem(410);
        assert_eq!(
            hooks.stats().await,
            before,
            "nothing stored, on retry either"
        );
    }
    // An event without an id, delivered twice: stored once.
    let (headers, body) = signed(&chat("sam@example.com", None, "2026-05-03T10:00:00Z"));
    let first = hooks.post("generic", &headers, body.clone()).await.json();
    assert_eq!(first["stored"], 1, "{first}");
    let again = hooks.post("generic", &headers, body).await.json();
    assert_eq!(
        (again["stored"].clone(), again["duplicates"].clone()),
        (json!(0), json!(1))
    );
}

/// The fixture's order as the shop admin's CSV export writes it: one row per line item.
const SHOPIFY_ORDER_CSV: &str = "Name,Email,Financial Status,Fulfillment Status,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Shipping Name,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Id\n\
    #1001,maria.lopez@example.com,paid,,USD,45.00,58.71,2026-05-23 11:02:14 -0700,1,Birthday Cake,35.00,Maria Lopez,2401 E 6th St,Apt 4,Austin,78702,TX,US,+15125550134,'5640091238463\n\
    #1001,maria.lopez@example.com,,,,,,,2,Candles,5.00,,,,,,,,,'5640091238463\n";

#[tokio::test]
async fn a_shopify_order_imported_and_received_by_webhook_is_stored_once_either_way_round() {
    let hooks = Hooks::start(true);
    let before = hooks.stats().await;
    let dir = tempfile::tempdir().expect("dir");
    let import = |name: &str, csv: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, csv).expect("write the export");
        let path = path.to_str().expect("UTF-8 path").to_owned();
        spine(
            &["import", "--tenant", TENANT, "--provider", "shopify", &path],
            &hooks.database_url,
        );
    };

    // Imported first, then received: the delivery is a duplicate.
    import("orders_export.csv", SHOPIFY_ORDER_CSV);
    let imported = hooks.stats().await;
    assert_eq!(
        (imported.orders, imported.interactions),
        (before.orders + 1, before.interactions + 1)
    );
    let order = fixture("shopify_orders_create.json");
    let reply = hooks
        .post(
            "shopify",
            &shopify_headers("orders/create", &order, "wh-1"),
            order.clone(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["duplicates"], 1, "{}", reply.text);
    let after = hooks.stats().await;
    assert_eq!(
        (after.orders, after.interactions),
        (imported.orders, imported.interactions)
    );

    // Received first, then imported: the import stores nothing more.
    let mut second: Value = serde_json::from_slice(&order).expect("order json");
    second["id"] = json!(5640091238470_u64);
    second["name"] = json!("#1002");
    let second = serde_json::to_vec(&second).expect("json");
    let reply = hooks
        .post(
            "shopify",
            &shopify_headers("orders/create", &second, "wh-2"),
            second,
        )
        .await;
    assert_eq!(reply.json()["stored"], 1, "{}", reply.text);
    let received = hooks.stats().await;
    import(
        "orders_export_2.csv",
        &SHOPIFY_ORDER_CSV
            .replace("#1001", "#1002")
            .replace("5640091238463", "5640091238470"),
    );
    let after = hooks.stats().await;
    assert_eq!(
        (after.orders, after.interactions, after.customers),
        (received.orders, received.interactions, received.customers),
        "the import found the order already there"
    );
    assert_eq!(after.orders, before.orders + 2);
}
