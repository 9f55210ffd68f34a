//! `spine import` on a real JSONL file: metrics, bad lines by number, idempotent re-runs.

mod common;

use common::run;

fn import(url: &str, path: &std::path::Path, extra: &[&str]) -> (bool, String) {
    let mut args = vec![
        "import",
        "--tenant",
        "demo",
        "--input",
        path.to_str().unwrap_or_default(),
    ];
    args.extend_from_slice(extra);
    let out = run(&args, url);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn events_are_imported_with_metrics_and_bad_lines_are_reported() {
    let dir = tempfile::tempdir().expect("dir");
    let url = common::sqlite_url(&dir);
    assert!(
        run(&["seed", "--demo", "--people", "5"], &url)
            .status
            .success()
    );
    let path = dir.path().join("events.jsonl");
    let lines = [
        r#"{"channel":"sms","direction":"inbound","kind":"message","occurred_at":"2026-05-01T10:00:00Z","external_id":"i1","identifiers":{"phone":"(617) 555-0142"}}"#,
        r#"{"channel":"whatsapp","direction":"inbound","kind":"message","occurred_at":"2026-05-01T11:00:00Z","external_id":"i2","identifiers":{"phone":"+1 617 555 0142"}}"#,
        r#"{"channel":"sms","direction":"inbound","kind":"message","occurred_at":"2026-05-01T12:00:00Z","external_id":"i3","identifiers":{"phone":"12"}}"#,
        "",
        r#"{"channel":"sms","direction":"inbound""#,
        r#"{"channel":"email","direction":"inbound","kind":"message","occurred_at":"2026-05-01T13:00:00Z","external_id":"i4","identifiers":{"email":"new@example.com"}}"#,
    ];
    std::fs::write(&path, lines.join("\n")).expect("write");
    let (ok, stderr) = import(&url, &path, &[]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("line 3: identifiers.phone:"), "{stderr}");
    assert!(stderr.contains("line 5:"), "{stderr}");
    assert!(stderr.contains("Imported 3 events into 'demo'"), "{stderr}");
    assert!(
        stderr.contains(
            "2 new profiles, 1 linked, 0 to review, 0 ambiguous, 0 already there, 2 errors"
        ),
        "{stderr}"
    );

    let (ok, again) = import(&url, &path, &[]);
    assert!(ok);
    assert!(
        again.contains("0 new profiles, 0 linked, 0 to review, 0 ambiguous, 3 already there"),
        "re-running imports nothing twice: {again}"
    );

    let (ok, stopped) = import(&url, &path, &["--on-error", "stop"]);
    assert!(!ok);
    let last = stopped.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("spine: line 3: identifiers.phone"),
        "{stopped}"
    );
    assert!(!stopped.contains("panicked"));
}

#[test]
fn an_empty_file_or_unknown_tenant_is_one_line() {
    let dir = tempfile::tempdir().expect("dir");
    let url = common::sqlite_url(&dir);
    let path = dir.path().join("empty.jsonl");
    std::fs::write(&path, "\n\n").expect("write");
    let (ok, stderr) = import(&url, &path, &[]);
    assert!(!ok && stderr.contains("has no events"), "{stderr}");
    std::fs::write(&path, "{}\n").expect("write");
    let (ok, stderr) = import(&url, &path, &[]);
    assert!(!ok && stderr.contains("tenant not found"), "{stderr}");
}
