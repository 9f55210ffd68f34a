//! Starting the real `spine` binary for tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod console;

pub const BIN: &str = env!("CARGO_BIN_EXE_spine");

pub struct Server {
    pub child: Child,
    pub base: String,
    /// What the server wrote to stderr after it said it was ready, line by line.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("spine.db").display())
}

/// The database an HTTP suite's test runs on: a SQLite file in `dir`, or, when
/// `SPINE_TEST_DATABASE=postgres` (the test command's second pass), a PostgreSQL database of
/// its own on the run's server. Those are dropped by the test command when the run ends (a
/// test's server may outlive the test's own scope, so they are not dropped here).
pub fn database_url(dir: &tempfile::TempDir) -> String {
    if std::env::var("SPINE_TEST_DATABASE").as_deref() != Ok("postgres") {
        return sqlite_url(dir);
    }
    static KEPT: std::sync::Mutex<Vec<ScratchDatabase>> = std::sync::Mutex::new(Vec::new());
    let database = ScratchDatabase::create("http");
    let url = database.url.clone();
    if let Ok(mut kept) = KEPT.lock() {
        kept.push(database);
    }
    url
}

/// Starts `spine serve` on a free port and waits for the address it prints.
pub fn serve(database_url: &str, extra: &[&str], dir: Option<tempfile::TempDir>) -> Server {
    serve_logging(database_url, extra, dir, "warn")
}

/// `serve`, logging at `filter` (a `SPINE_LOG` directive) as JSON lines, kept in `Server::log`.
pub fn serve_logging(
    database_url: &str,
    extra: &[&str],
    dir: Option<tempfile::TempDir>,
    filter: &str,
) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("DATABASE_URL", database_url)
        .env("SPINE_LOG", filter)
        .env("SPINE_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start spine");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("Spine is ready: open ") {
                    // Keep draining stderr so the server never blocks on a full pipe.
                    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
                    let kept = log.clone();
                    std::thread::spawn(move || {
                        for line in lines.map_while(Result::ok) {
                            if let Ok(mut kept) = kept.lock() {
                                kept.push(line);
                            }
                        }
                    });
                    return Server {
                        child,
                        base: url.trim_end_matches('/').to_owned(),
                        log,
                        _dir: dir,
                    };
                }
                seen.push(line);
            }
            _ => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("spine did not become ready; it said:\n{}", seen.join("\n"));
}

pub fn run(args: &[&str], database_url: &str) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("SPINE_LOG", "warn")
        .output()
        .expect("run spine")
}

/// A new API key for `tenant` from `spine api-key create`, which prints it alone on its last
/// line.
pub fn api_key(database_url: &str, tenant: &str, name: &str) -> String {
    api_key_with(database_url, tenant, name, &[])
}

/// The same, with more `spine api-key create` flags (`--scope`, `--rate-per-minute`).
pub fn api_key_with(database_url: &str, tenant: &str, name: &str, extra: &[&str]) -> String {
    let mut args = vec!["api-key", "create", "--tenant", tenant, "--name", name];
    args.extend(extra);
    let out = run(&args, database_url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .expect("key on the last line")
        .trim()
        .to_owned()
}

/// One response header as text ("" when absent).
pub fn header(response: &reqwest::Response, name: impl reqwest::header::AsHeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Runs `spine ARGS` with `input` on stdin.
pub fn run_with_stdin(args: &[&str], database_url: &str, input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("SPINE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run spine");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("wait for spine")
}

pub fn pg_url() -> String {
    std::env::var("SPINE_TEST_PG_URL")
        .unwrap_or_else(|_| panic!("SPINE_TEST_PG_URL is not set: run scripts/test.sh"))
}

/// A database of its own on the test run's PostgreSQL server, dropped when done: for tests
/// that need the whole database to themselves (a restored dump, several processes whose
/// background work spans every tenant).
pub struct ScratchDatabase {
    pub name: String,
    pub url: String,
}

impl ScratchDatabase {
    pub fn create(purpose: &str) -> ScratchDatabase {
        let name = format!("spine_{purpose}_{}", uuid::Uuid::new_v4().simple());
        psql(&pg_url(), &["-c", &format!("create database {name}")]);
        let url = with_database(&pg_url(), &name);
        ScratchDatabase { name, url }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-q", "-X", &pg_url(), "-c"])
            .arg(format!(
                "drop database if exists {} with (force)",
                self.name
            ))
            .output();
    }
}

/// `url` with its database name replaced by `name` (any query string kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    if query.is_empty() {
        format!("{server}/{name}")
    } else {
        format!("{server}/{name}?{query}")
    }
}

/// Runs psql against `url`, stopping at the first error.
pub fn psql(url: &str, args: &[&str]) {
    let out = Command::new("psql")
        .args(["-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", url])
        .args(args)
        .output()
        .expect("run psql (PostgreSQL's client)");
    assert!(
        out.status.success(),
        "psql {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every table's rows, read without migrating (a fixture's schema may be older than this code).
pub async fn row_counts(url: &str) -> spine_core::store::RowCounts {
    let store = spine_core::Store::connect(url)
        .await
        .expect("open the database");
    let counts = store
        .read()
        .await
        .expect("read")
        .row_counts()
        .await
        .expect("count rows");
    store.close().await;
    counts
}
