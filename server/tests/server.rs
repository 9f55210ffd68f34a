//! The real `spine` binary, started as a user would: health checks, pages, API errors, graceful
//! shutdown, and one-line failures for bad configuration.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{BIN, pg_url, run, serve, sqlite_url};

async fn get(url: &str) -> reqwest::Response {
    reqwest::get(url).await.expect("request")
}

#[tokio::test]
async fn health_readiness_pages_and_api_errors_on_sqlite() {
    let dir = tempfile::tempdir().expect("dir");
    let server = serve(&sqlite_url(&dir), &[], Some(dir));

    let health = get(&format!("{}/healthz", server.base)).await;
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.expect("json");
    assert_eq!(body["status"], "ok");

    let ready: serde_json::Value = get(&format!("{}/readyz", server.base))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(ready["database"], "sqlite");
    assert_eq!(ready["status"], "ready");

    // Without a session, the console's start page leads to sign-in (redirects followed here).
    let home = get(&format!("{}/", server.base)).await;
    assert_eq!(home.status(), 200);
    assert_eq!(home.url().path(), "/login");
    let html = home.text().await.expect("html");
    assert!(
        html.contains("Sign in to Spine"),
        "server-rendered sign-in page"
    );

    let missing = get(&format!("{}/api/v1/nothing-here", server.base)).await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = missing.json().await.expect("problem");
    assert_eq!(problem["status"], 404);
}

#[tokio::test]
async fn serves_the_same_on_postgres() {
    let server = serve(&pg_url(), &[], None);
    let ready: serde_json::Value = get(&format!("{}/readyz", server.base))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(ready["database"], "postgres");
    assert_eq!(ready["status"], "ready");
    let home = get(&format!("{}/", server.base)).await;
    assert_eq!(home.status(), 200);
}

#[test]
fn sigterm_shuts_down_gracefully() {
    let dir = tempfile::tempdir().expect("dir");
    let mut server = serve(&sqlite_url(&dir), &[], Some(dir));
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(exit) = server.child.try_wait().expect("wait") {
            assert!(exit.success(), "exit status {exit:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn seeding_the_demo_prints_its_sign_ins_and_a_second_seed_adds_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let url = sqlite_url(&dir);
    let out = run(&["seed", "--demo", "--people", "30"], &url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("admin@demo.spine.local"),
        "prints the demo credentials: {said}"
    );
    let again = run(&["seed", "--demo", "--people", "30"], &url);
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("0 new profiles"),
        "seeding twice adds nothing"
    );
}

/// Bad configuration ends with one explanatory line and a non-zero exit, never a panic.
#[test]
fn bad_configuration_fails_with_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken_addr = taken.local_addr().expect("addr").to_string();
    let cases: [(&[&str], &str, String); 3] = [
        (
            &["migrate"],
            "mysql://localhost/x",
            "unsupported database URL".into(),
        ),
        (
            &["migrate"],
            "postgres://postgres@127.0.0.1:1/nothing",
            "cannot open the database".into(),
        ),
        (
            &["serve", "--addr", &taken_addr],
            "sqlite::memory:",
            format!("cannot listen on {taken_addr}"),
        ),
    ];
    for (args, url, expected) in cases {
        let out = run(args, url);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} {url} should fail");
        assert!(!stderr.contains("panicked"), "{stderr}");
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("spine: ") && last.contains(expected.as_str()),
            "{args:?} {url}: {stderr}"
        );
    }
}

#[test]
fn every_subcommand_has_help() {
    /// The subcommands a `--help` text lists under "Commands:", without `help` itself.
    fn subcommands(help: &str) -> Vec<String> {
        help.lines()
            .skip_while(|line| !line.starts_with("Commands:"))
            .skip(1)
            .take_while(|line| line.starts_with("  "))
            .filter_map(|line| line.split_whitespace().next())
            .filter(|name| *name != "help")
            .map(str::to_owned)
            .collect()
    }
    let help = |path: &[String]| {
        let out = Command::new(BIN)
            .args(path)
            .arg("--help")
            .output()
            .expect("help");
        assert!(out.status.success(), "spine {path:?} --help");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let top = subcommands(&help(&[]));
    assert!(top.len() >= 15, "the top level lists its commands: {top:?}");
    let mut pending: Vec<Vec<String>> = top.into_iter().map(|name| vec![name]).collect();
    let mut seen = 0;
    while let Some(path) = pending.pop() {
        let text = help(&path);
        seen += 1;
        assert!(
            text.contains(&format!("Usage: spine {}", path.join(" "))),
            "spine {} --help shows its usage:\n{text}",
            path.join(" ")
        );
        // The first line says what the command does.
        assert!(
            text.lines().next().is_some_and(|line| line.len() > 10),
            "spine {} --help starts with a description:\n{text}",
            path.join(" ")
        );
        let nested = subcommands(&text);
        if nested.is_empty() {
            assert!(
                text.contains("--database-url"),
                "spine {} --help mentions --database-url",
                path.join(" ")
            );
        }
        for name in nested {
            let mut deeper = path.clone();
            deeper.push(name);
            pending.push(deeper);
        }
    }
    assert!(seen >= 25, "{seen} commands and subcommands have help");
}
