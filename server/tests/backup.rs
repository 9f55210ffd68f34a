//! `spine backup` against the real binary: a copy taken while the server acknowledges events
//! holds every event acknowledged before it began and is a database `spine migrate` accepts;
//! what it refuses (an existing file without --force, PostgreSQL) it refuses with exit status 2
//! and says what to do instead.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use spine_core::Store;
use spine_core::services::{customers, tenants};
use uuid::Uuid;

use common::{api_key_with, row_counts, run, serve, sqlite_url};

/// An event the server answered 201 to: it is committed.
#[derive(Debug, Clone)]
struct Acknowledged {
    external_id: String,
    customer_id: Uuid,
    interaction_id: Uuid,
}

fn uuid_of(body: &Value, field: &str) -> Uuid {
    body[field]
        .as_str()
        .and_then(|text| Uuid::parse_str(text).ok())
        .unwrap_or_else(|| panic!("no {field} in {body}"))
}

fn backup(url: &str, output: &Path, extra: &[&str]) -> std::process::Output {
    let output = output.to_str().expect("UTF-8 temp path");
    let mut args = vec!["backup", "--output", output];
    args.extend_from_slice(extra);
    run(&args, url)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Half-written copies are left under `.NAME.partial-PID` only while the backup runs.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".partial-"))
        .collect()
}

/// Writes events from `writers` tasks until `stop`, each from a new person, recording each
/// one the server acknowledged.
fn start_writers(
    base: &str,
    key: &str,
    writers: usize,
    acked: &Arc<Mutex<Vec<Acknowledged>>>,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..writers)
        .map(|writer| {
            let client = reqwest::Client::new();
            let url = format!("{base}/api/v1/events");
            let key = key.to_owned();
            let acked = acked.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let external_id = format!("w{writer}-{n}");
                    let event = json!({
                        "channel": "email", "direction": "inbound", "kind": "message",
                        "occurred_at": "2026-05-01T10:00:00Z", "body": format!("message {external_id}"),
                        "external_id": external_id,
                        "identifiers": {"email": format!("{external_id}@example.com")}
                    });
                    let response = client
                        .post(&url)
                        .bearer_auth(&key)
                        .json(&event)
                        .send()
                        .await
                        .expect("post event");
                    let status = response.status().as_u16();
                    let body: Value = response.json().await.unwrap_or(Value::Null);
                    assert_eq!(status, 201, "{body}");
                    let entry = Acknowledged {
                        external_id,
                        customer_id: uuid_of(&body, "customer_id"),
                        interaction_id: uuid_of(&body, "interaction_id"),
                    };
                    acked.lock().expect("lock").push(entry);
                }
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_taken_while_events_arrive_holds_every_acknowledged_event() {
    let dir = tempfile::tempdir().expect("dir");
    let url = sqlite_url(&dir);
    // `serve --tenant acme` creates the tenant; the key needs it first.
    drop(serve(&url, &["--tenant", "acme"], None));
    let key = api_key_with(&url, "acme", "writer", &["--rate-per-minute", "0"]);
    let server = serve(&url, &["--tenant", "acme"], None);

    let acked = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers = start_writers(&server.base, &key, 4, &acked, &stop);
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().expect("lock").len() < 200 {
        assert!(Instant::now() < deadline, "the writers are too slow");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Everything acknowledged up to here committed before the backup began.
    let before: Vec<Acknowledged> = acked.lock().expect("lock").clone();
    let output = dir.path().join("backup.db");
    let (out, during) = {
        let url = url.clone();
        let output = output.clone();
        let acked = acked.clone();
        let count_at_start = before.len();
        tokio::task::spawn_blocking(move || {
            let out = backup(&url, &output, &[]);
            (out, acked.lock().expect("lock").len() - count_at_start)
        })
        .await
        .expect("backup task")
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("writer");
    }
    drop(server);

    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout.contains("Backed up") && stdout.contains(&output.display().to_string()),
        "prints the path, size and time: {stdout}"
    );
    assert!(
        during > 0,
        "the server kept acknowledging events while the backup ran"
    );
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );

    let backup_url = format!("sqlite://{}", output.display());
    let counts = row_counts(&backup_url).await;
    let store = Store::connect(&backup_url).await.expect("open the backup");
    let tenant = tenants::tenant_by_slug(&store, "acme")
        .await
        .expect("tenant");
    let total = acked.lock().expect("lock").len();
    assert!(
        (before.len()..=total).contains(&usize::try_from(counts.interactions).unwrap_or(0)),
        "the backup holds {} interactions: at least the {} acknowledged before it, at most the {total} sent",
        counts.interactions,
        before.len()
    );
    for event in &before {
        let timeline = customers::customer_timeline(&store, &tenant, event.customer_id, None, 10)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", event.external_id));
        assert!(
            timeline
                .iter()
                .any(|entry| entry.id == event.interaction_id),
            "{} was acknowledged before the backup began and is missing from it",
            event.external_id
        );
    }
    store.close().await;
}

#[test]
fn backup_is_a_database_spine_migrate_accepts_with_the_same_rows() {
    let dir = tempfile::tempdir().expect("dir");
    let url = sqlite_url(&dir);
    let seeded = run(&["seed", "--demo", "--people", "20"], &url);
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let output = dir.path().join("copy.db");
    let out = backup(&url, &output, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let copy = format!("sqlite://{}", output.display());
    let migrated = run(&["migrate"], &copy);
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let [original, copied] = [&url, &copy].map(|url| runtime.block_on(row_counts(url)));
    assert!(original.customers > 0 && original.interactions > 0);
    assert_eq!(copied, original);
}

#[test]
fn existing_file_is_refused_without_force_and_replaced_with_it() {
    let dir = tempfile::tempdir().expect("dir");
    let url = sqlite_url(&dir);
    assert!(run(&["migrate"], &url).status.success());
    let output = dir.path().join("backup.db");
    std::fs::write(&output, "yesterday's backup").expect("write");

    let refused = backup(&url, &output, &[]);
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        std::fs::read(&output).expect("read"),
        b"yesterday's backup",
        "left as it was"
    );

    let forced = backup(&url, &output, &["--force"]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    let bytes = std::fs::read(&output).expect("read");
    assert!(
        bytes.starts_with(b"SQLite format 3\0"),
        "replaced by a copy"
    );
    assert!(leftovers(dir.path()).is_empty());

    // Not even --force writes over the database being copied.
    let onto_itself = backup(&url, &dir.path().join("spine.db"), &["--force"]);
    assert_eq!(onto_itself.status.code(), Some(2));
    assert!(text(&onto_itself.stderr).contains("the database itself"));
}

#[test]
fn postgres_is_refused_with_the_pg_dump_hint() {
    let dir = tempfile::tempdir().expect("dir");
    let output = dir.path().join("backup.db");
    // Refused from the URL alone: no server needs to answer on port 1.
    let out = backup("postgres://spine:s3cret@127.0.0.1:1/spine", &output, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("spine: ")
            && last.contains(r#"pg_dump -Fc "$DATABASE_URL" -f spine.dump"#)
            && last.contains("pg_restore"),
        "{stderr}"
    );
    assert!(!output.exists());
}

#[test]
fn missing_database_is_not_created_by_a_backup() {
    let dir = tempfile::tempdir().expect("dir");
    let url = sqlite_url(&dir);
    let output = dir.path().join("backup.db");
    let out = backup(&url, &output, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no database at"), "{stderr}");
    assert!(!dir.path().join("spine.db").exists());
    assert!(!output.exists());
}
