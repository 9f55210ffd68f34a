//! Upgrades: every database fixture in tests/fixtures (`upgrade-DATE.sqlite`, and
//! `upgrade-DATE.sql`, a plain pg_dump), made by the release of that date with
//! `scripts/make-upgrade-fixture.sh`, is migrated forward by `spine migrate` as a user upgrading
//! from it would, and keeps its rows and its known customer.

mod common;

use std::path::{Path, PathBuf};

use spine_core::Store;
use spine_core::services::{customers, tenants};

use common::{ScratchDatabase, psql, row_counts, run, with_database};

/// The customer `scripts/make-upgrade-fixture.sh` adds to every fixture, whatever the demo
/// generator makes.
const KNOWN_EMAIL: &str = "ursula.upgrade@example.com";
const KNOWN_NAME: &str = "Ursula Upgrade";
const KNOWN_MESSAGE: &str = "Checking in before the upgrade.";

/// The fixtures whose name ends with `extension`, oldest first.
fn fixtures(extension: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("read tests/fixtures")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("upgrade-") && name.ends_with(extension))
        })
        .collect();
    found.sort();
    assert!(
        !found.is_empty(),
        "no upgrade-*{extension} fixture in {}: run scripts/make-upgrade-fixture.sh",
        folder.display()
    );
    found
}

fn migrate(url: &str, fixture: &Path) {
    let out = run(&["migrate"], url);
    assert!(
        out.status.success(),
        "spine migrate refused {}: {}",
        fixture.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Migrates the database at `url` (restored from `fixture`) and checks nothing was lost.
async fn migrates_forward_intact(url: &str, fixture: &Path) {
    let before = row_counts(url).await;
    assert!(
        before.customers > 0 && before.identities > 0 && before.interactions > 0,
        "{} holds demo data: {before:?}",
        fixture.display()
    );
    assert!(
        before.audit_entries > 0,
        "{}: {before:?}",
        fixture.display()
    );

    migrate(url, fixture);
    let after = row_counts(url).await;
    assert_eq!(
        after,
        before,
        "{}: rows changed by migrating",
        fixture.display()
    );

    let store = Store::connect(url)
        .await
        .expect("open the migrated database");
    let tenant = tenants::tenant_by_slug(&store, "demo")
        .await
        .expect("the demo tenant");
    for query in [KNOWN_EMAIL, KNOWN_NAME] {
        let found = customers::search_customers(&store, &tenant, query, 5)
            .await
            .expect("search");
        assert!(
            found.first().and_then(|c| c.display_name.as_deref()) == Some(KNOWN_NAME),
            "{}: searching {query:?} finds {found:?}",
            fixture.display()
        );
    }
    let known = customers::search_customers(&store, &tenant, KNOWN_EMAIL, 1)
        .await
        .expect("search")
        .remove(0);
    let timeline = customers::customer_timeline(&store, &tenant, known.id, None, 50)
        .await
        .expect("timeline");
    assert!(
        timeline
            .iter()
            .any(|entry| entry.body.as_deref() == Some(KNOWN_MESSAGE)),
        "{}: the known customer's message is on their timeline",
        fixture.display()
    );
    store.close().await;

    // Migrating again changes nothing: the upgrade is done.
    migrate(url, fixture);
    assert_eq!(row_counts(url).await, before, "{}", fixture.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_fixtures_migrate_forward_with_their_data_intact() {
    for fixture in fixtures(".sqlite") {
        // A copy: the committed file stays as its release made it.
        let dir = tempfile::tempdir().expect("dir");
        let copy = dir.path().join("spine.db");
        std::fs::copy(&fixture, &copy).expect("copy the fixture");
        migrates_forward_intact(&format!("sqlite://{}", copy.display()), &fixture).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_fixtures_migrate_forward_with_their_data_intact() {
    for fixture in fixtures(".sql") {
        let database = ScratchDatabase::create("upgrade");
        let path = fixture.to_str().expect("UTF-8 fixture path");
        psql(&database.url, &["--single-transaction", "-f", path]);
        migrates_forward_intact(&database.url, &fixture).await;
    }
}

#[test]
fn database_name_is_replaced_in_server_urls() {
    let cases = [
        ("postgres://u@h:5432/run_db", "postgres://u@h:5432/x"),
        (
            "postgres://u:p@h/run_db?sslmode=disable",
            "postgres://u:p@h/x?sslmode=disable",
        ),
    ];
    for (url, expected) in cases {
        assert_eq!(with_database(url, "x"), expected);
    }
}
