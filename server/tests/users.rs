//! `spine user create|list|disable` on a real SQLite file.

mod common;

use common::{run, run_with_stdin};

#[test]
fn staff_are_created_with_a_password_from_stdin_listed_and_disabled() {
    let dir = tempfile::tempdir().expect("dir");
    let url = common::database_url(&dir);
    assert!(
        run(&["seed", "--demo", "--people", "2"], &url)
            .status
            .success()
    );
    let create = |email: &str, role: &str, password: &str| {
        let out = run_with_stdin(
            &[
                "user", "create", "--tenant", "demo", "--email", email, "--role", role,
            ],
            &url,
            password,
        );
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, stderr) = create("Ana@Example.com", "agent", "a long passphrase\n");
    assert!(ok, "{stderr}");
    assert!(stderr.contains("Created agent ana@example.com"), "{stderr}");

    let (ok, stderr) = create("ana@example.com", "admin", "another passphrase\n");
    assert!(!ok && stderr.contains("exists"), "{stderr}");
    let (ok, stderr) = create("bo@example.com", "agent", "short\n");
    assert!(!ok && stderr.contains("at least 10 characters"), "{stderr}");
    let (ok, stderr) = create("cy@example.com", "owner", "a long passphrase\n");
    assert!(!ok && stderr.contains("not a role"), "{stderr}");
    assert!(!stderr.contains("panicked"));

    let list = || {
        let out = run(&["user", "list", "--tenant", "demo"], &url);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let listed = list();
    let ana = listed
        .lines()
        .find(|l| l.contains("ana@example.com"))
        .expect("ana listed");
    assert!(ana.contains("agent") && ana.ends_with("active"), "{listed}");
    assert!(!listed.contains("argon2"), "hashes never leave the store");
    assert!(!listed.contains("bo@example.com"));

    let out = run(
        &[
            "user",
            "disable",
            "--tenant",
            "demo",
            "--email",
            "ana@example.com",
        ],
        &url,
    );
    assert!(out.status.success());
    let listed = list();
    assert!(
        listed
            .lines()
            .any(|l| l.contains("ana@example.com") && l.ends_with("disabled")),
        "{listed}"
    );
    let out = run(
        &[
            "user",
            "disable",
            "--tenant",
            "demo",
            "--email",
            "ana@example.com",
        ],
        &url,
    );
    assert!(
        !out.status.success(),
        "disabling twice says there is no active user"
    );
}
