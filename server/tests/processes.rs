//! Three `spine serve` processes on one PostgreSQL database, as a deployment behind a load
//! balancer runs them: first contacts spread over the three make one profile, every sign-in
//! code is delivered once (to an SMTP server this test runs), a setting changed through one is
//! what the others read next, and killing one mid-load loses no event it acknowledged.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use common::{ScratchDatabase, api_key, run, run_with_stdin, serve};

/// A minimal SMTP server: accepts every message and keeps its recipients and text.
struct SmtpSink {
    port: u16,
    messages: Arc<Mutex<Vec<(String, String)>>>,
}

impl SmtpSink {
    fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink");
        let port = listener.local_addr().expect("addr").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = messages.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = kept.clone();
                std::thread::spawn(move || {
                    let _ = converse(stream, &kept);
                });
            }
        });
        SmtpSink { port, messages }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn received(&self) -> Vec<(String, String)> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

/// One SMTP conversation (RFC 5321's happy path: no extensions, no TLS).
fn converse(
    stream: std::net::TcpStream,
    kept: &Mutex<Vec<(String, String)>>,
) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 sink ESMTP\r\n")?;
    let mut to = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" | "HELO" => out.write_all(b"250 sink\r\n")?,
            "MAIL" => out.write_all(b"250 ok\r\n")?,
            "RCPT" => {
                to = line
                    .trim()
                    .trim_start_matches(|c| c != '<')
                    .trim_matches(['<', '>'])
                    .to_owned();
                out.write_all(b"250 ok\r\n")?;
            }
            "DATA" => {
                out.write_all(b"354 go on\r\n")?;
                let mut text = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    text.push_str(&line);
                }
                if let Ok(mut kept) = kept.lock() {
                    kept.push((to.clone(), text));
                }
                out.write_all(b"250 queued\r\n")?;
            }
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => out.write_all(b"250 ok\r\n")?,
        }
    }
}

fn email_event(email: &str, external_id: &str) -> Value {
    json!({"channel": "email", "direction": "inbound", "kind": "message",
           "occurred_at": "2026-11-01T10:00:00Z", "body": "Hello",
           "external_id": external_id, "identifiers": {"email": email}})
}

fn sms_event(phone: &str, external_id: &str) -> Value {
    json!({"channel": "sms", "direction": "inbound", "kind": "message",
           "occurred_at": "2026-11-01T10:00:00Z", "body": "Hi, it's me",
           "external_id": external_id, "identifiers": {"phone": phone}})
}

async fn post_event(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    event: &Value,
) -> Option<Value> {
    let response = client
        .post(format!("{base}/api/v1/events"))
        .bearer_auth(key)
        .json(event)
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json::<Value>().await.ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_share_one_postgres_database() {
    let db = ScratchDatabase::create("procs");
    let url = db.url.clone();
    let out = run(&["migrate"], &url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &["tenant", "create", "--slug", "shop", "--name", "Shop"],
        &url,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_with_stdin(
        &[
            "user",
            "create",
            "--tenant",
            "shop",
            "--email",
            "owner@shop.test",
            "--role",
            "admin",
        ],
        &url,
        "a long enough password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = api_key(&url, "shop", "load");

    let sink = SmtpSink::start();
    let smtp = sink.url();
    let args = [
        "--tenant",
        "shop",
        "--smtp-url",
        &smtp,
        "--smtp-from",
        "Shop <hello@shop.test>",
        // The test plays the load balancer: it says which client each request is from.
        "--trusted-proxy",
        "127.0.0.1",
    ];
    let mut servers: Vec<_> = (0..3).map(|_| Some(serve(&url, &args, None))).collect();
    let bases: Vec<String> = servers.iter().flatten().map(|s| s.base.clone()).collect();
    let client = reqwest::Client::new();

    // 1. Fifty simultaneous first contacts of one new person, spread over the three.
    let mut contacts = tokio::task::JoinSet::new();
    for i in 0..50 {
        let (client, base, key) = (client.clone(), bases[i % 3].clone(), key.clone());
        contacts.spawn(async move {
            post_event(
                &client,
                &base,
                &key,
                &sms_event("+1 305 555 0188", &format!("first-{i}")),
            )
            .await
        });
    }
    let mut profiles = BTreeSet::new();
    while let Some(outcome) = contacts.join_next().await {
        let outcome = outcome
            .expect("task")
            .expect("every first contact is acknowledged");
        profiles.insert(
            outcome["customer_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert_eq!(profiles.len(), 1, "one person, one profile: {profiles:?}");

    // 2. Twenty people ask for a sign-in code, each through one of the three.
    let people: Vec<String> = (0..20).map(|i| format!("person{i}@shop.test")).collect();
    for (i, email) in people.iter().enumerate() {
        let outcome = post_event(
            &client,
            &bases[i % 3],
            &key,
            &email_event(email, &format!("mail-{i}")),
        )
        .await
        .expect("acknowledged");
        assert_eq!(outcome["decision"], "created", "{outcome}");
    }
    let mut asks = tokio::task::JoinSet::new();
    for (i, email) in people.iter().enumerate() {
        let (client, base, email) = (client.clone(), bases[i % 3].clone(), email.clone());
        asks.spawn(async move {
            client
                .post(format!("{base}/me/api/request_code"))
                .header("Origin", &base)
                // Each from its own address, as the proxy in front tells.
                .header("X-Forwarded-For", format!("198.51.100.{}", i + 1))
                .form(&[("destination", email.as_str())])
                .send()
                .await
                .map(|r| r.status())
        });
    }
    while let Some(status) = asks.join_next().await {
        let status = status.expect("task").expect("request");
        assert!(status.is_success() || status.is_redirection(), "{status}");
    }
    for _ in 0..300 {
        if sink.received().len() >= people.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Three dispatchers keep polling: give a second sending a chance to show.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let delivered = sink.received();
    let mut per_person: BTreeMap<String, usize> = BTreeMap::new();
    for (to, text) in &delivered {
        assert!(text.contains("code"), "a sign-in code: {text}");
        *per_person.entry(to.clone()).or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = people.iter().map(|p| (p.clone(), 1)).collect();
    assert_eq!(per_person, expected, "each code delivered exactly once");

    // 3. A threshold changed through one process is what the others read next.
    let session = sign_in(
        &client,
        &bases[0],
        "owner@shop.test",
        "a long enough password",
    )
    .await;
    let before = call(&client, &bases[1], "get_settings", &[], &session).await;
    let link = before["link_threshold"].as_f64().expect("link");
    let new_link = if link > 0.95 { 0.93 } else { 0.97 };
    let field = |name: &str| before[name].to_string().trim_matches('"').to_owned();
    let changed = call(
        &client,
        &bases[0],
        "update_settings",
        &[
            ("csrf", field("csrf").as_str()),
            ("link_threshold", &new_link.to_string()),
            ("review_threshold", &field("review_threshold")),
            ("default_region", &field("default_region")),
            ("thread_window_hours", &field("thread_window_hours")),
            ("thread_reopen_hours", &field("thread_reopen_hours")),
            ("archive_after_days", &field("archive_after_days")),
        ],
        &session,
    )
    .await;
    assert!(changed.is_null() || changed.is_object(), "{changed}");
    for base in &bases[1..] {
        let now = call(&client, base, "get_settings", &[], &session).await;
        assert_eq!(
            now["link_threshold"].as_f64(),
            Some(new_link),
            "{base}: {now}"
        );
    }

    // 4. Load over the three; one process is killed midway. Every event a process
    // acknowledged is stored: sending it again finds it.
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let mut load = tokio::task::JoinSet::new();
    for i in 0..300 {
        let (client, base, key, acknowledged) = (
            client.clone(),
            bases[i % 3].clone(),
            key.clone(),
            acknowledged.clone(),
        );
        load.spawn(async move {
            let event = sms_event(&format!("+1 415 555 {:04}", 1000 + i), &format!("load-{i}"));
            if let Some(outcome) = post_event(&client, &base, &key, &event).await
                && let Ok(mut acked) = acknowledged.lock()
            {
                acked.push((event, outcome));
            }
        });
        if i == 150 {
            // Mid-load: the third process goes away without warning.
            if let Some(mut victim) = servers[2].take() {
                let _ = victim.child.kill();
                let _ = victim.child.wait();
            }
        }
    }
    while load.join_next().await.is_some() {}
    let acknowledged = acknowledged.lock().map(|a| a.clone()).unwrap_or_default();
    assert!(
        acknowledged.len() >= 200,
        "most events went through the two survivors: {}",
        acknowledged.len()
    );
    for (event, outcome) in &acknowledged {
        let again = post_event(&client, &bases[0], &key, event)
            .await
            .expect("a survivor answers");
        assert_eq!(again["duplicate"], true, "stored before: {event} {outcome}");
        assert_eq!(
            again["interaction_id"], outcome["interaction_id"],
            "{event}"
        );
    }
    drop(servers);
}

async fn sign_in(client: &reqwest::Client, base: &str, email: &str, password: &str) -> String {
    let response = client
        .post(format!("{base}/api/sign_in"))
        .header("Origin", base)
        .form(&[("email", email), ("password", password), ("next", "")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), StatusCode::OK);
    response
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.strip_prefix("spine_session="))
        .and_then(|rest| rest.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// A console server function as the page calls it; its JSON answer.
async fn call(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    form: &[(&str, &str)],
    session: &str,
) -> Value {
    let response = client
        .post(format!("{base}/api/{name}"))
        .header("Origin", base)
        .header("Cookie", format!("spine_session={session}"))
        .form(form)
        .send()
        .await
        .expect("call");
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "{name}: {status} {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}
