//! Shared by the store test suites: a fresh SQLite file or the run's PostgreSQL database, and
//! `on_both!`, which runs one async test body against both backends as two tests.

use spine_core::Store;

/// A fresh SQLite file; the directory lives as long as the store is used.
pub async fn sqlite() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("spine.db").display());
    let store = Store::connect(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    (store, dir)
}

/// The fresh PostgreSQL database `scripts/test.sh` creates for the run (SPINE_TEST_PG_URL).
pub async fn postgres() -> Store {
    let url = std::env::var("SPINE_TEST_PG_URL").unwrap_or_else(|_| {
        panic!("SPINE_TEST_PG_URL is not set: run scripts/test.sh, which creates a fresh PostgreSQL database for the run, or set it to one")
    });
    let store = Store::connect(&url).await.expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    store
}

/// Runs one async test body (a closure taking the `Store`) against both backends, as the tests
/// `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let (store, _dir) = $crate::common::sqlite().await;
                ($body)(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let store = $crate::common::postgres().await;
                ($body)(store).await;
            }
        }
    };
}
