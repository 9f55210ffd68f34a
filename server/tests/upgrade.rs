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

/// Rows as the release before one Shopify module wrote them: an order received by webhook
/// (keyed by its id, an entry per status, the name in the payload), an order imported from the
/// CSV export (keyed by its name, one entry), and a customer note from a webhook.
/// `{id}` is a fresh id, `{at}` a time and `{json}` the payload's type, in the database's dialect.
const OLD_SHOPIFY_ROWS: &str = "
insert into orders (tenant_id, id, customer_id, origin_customer_id, provider, external_id, status, placed_at)
  select tenant_id, {id}, id, id, 'shopify', '555', 'paid', {at} from the_customer;
insert into orders (tenant_id, id, customer_id, origin_customer_id, provider, external_id, status, placed_at)
  select tenant_id, {id}, id, id, 'shopify', '#2002', 'paid', {at} from the_customer;
insert into interactions (tenant_id, id, customer_id, origin_customer_id, channel, direction, kind, occurred_at, payload, provider_message_id, created_at)
  select tenant_id, {id}, id, id, 'order', 'inbound', 'order', {at}, {json}'{\"provider\":\"shopify\",\"order_name\":\"#2001\"}', 'shopify-order:555:pending', {at} from the_customer;
insert into interactions (tenant_id, id, customer_id, origin_customer_id, channel, direction, kind, occurred_at, payload, provider_message_id, created_at)
  select tenant_id, {id}, id, id, 'order', 'inbound', 'order', {at}, {json}'{\"provider\":\"shopify\",\"order_name\":\"#2001\"}', 'shopify-order:555:paid', {at} from the_customer;
insert into interactions (tenant_id, id, customer_id, origin_customer_id, channel, direction, kind, occurred_at, provider_message_id, created_at)
  select tenant_id, {id}, id, id, 'order', 'inbound', 'order', {at}, 'shopify:order:#2002', {at} from the_customer;
insert into interactions (tenant_id, id, customer_id, origin_customer_id, channel, direction, kind, occurred_at, provider_message_id, created_at)
  select tenant_id, {id}, id, id, 'note', 'internal', 'note', {at}, 'shopify-customer:777:0123456789abcdef', {at} from the_customer;
";

/// What the same order and customer are keyed as today, by the module that reads them.
fn shopify_keys_today() -> (Vec<String>, Vec<String>) {
    use spine_core::providers::shopify;
    let now = chrono::Utc::now();
    let key = |topic: &str, json: &str| {
        shopify::webhook_events(topic, None, json.as_bytes(), now).expect("readable")[0]
            .external_id
            .clone()
            .expect("key")
    };
    let entries = vec![
        key("customers/update", r#"{"id":777,"email":"c@example.com"}"#)
            .rsplit_once(':')
            .map(|(prefix, _)| format!("{prefix}:0123456789abcdef"))
            .expect("digest"),
        key(
            "orders/create",
            r##"{"id":555,"name":"#2001","financial_status":"paid"}"##,
        ),
        key(
            "orders/create",
            r##"{"id":555,"name":"#2001","financial_status":"pending"}"##,
        ),
        key(
            "orders/paid",
            r##"{"id":9,"name":"#2002","financial_status":"paid"}"##,
        ),
    ];
    (entries, vec!["#2001".to_owned(), "#2002".to_owned()])
}

fn sorted(mut keys: Vec<String>) -> Vec<String> {
    keys.sort();
    keys
}

/// The keys of the rows above, old or new (the demo's own orders have keys without a colon).
const ENTRY_KEYS: &str =
    "select provider_message_id from interactions where provider_message_id like 'shopify_%:%'";
const ORDER_KEYS: &str = "select external_id from orders \
    where provider = 'shopify' and external_id in ('555', '#2001', '#2002')";

/// The entry and order keys in a migrated database, sorted (a macro: SQLite's and PostgreSQL's
/// pools are different types).
macro_rules! migrated_keys {
    ($pool:expr) => {{
        let entries: Vec<String> = sqlx::query_scalar(ENTRY_KEYS)
            .fetch_all(&$pool)
            .await
            .expect("entries");
        let orders: Vec<String> = sqlx::query_scalar(ORDER_KEYS)
            .fetch_all(&$pool)
            .await
            .expect("orders");
        (sorted(entries), sorted(orders))
    }};
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shopify_rows_of_the_last_release_take_todays_keys_on_both_databases() {
    let (entries, orders) = shopify_keys_today();
    let the_customer = "create temporary table the_customer as select tenant_id, id from customers where tenant_id = (select id from tenants where slug = 'demo') limit 1;";

    // SQLite: the fixture's copy, written to as the last release did.
    let fixture = fixtures(".sqlite").pop().expect("a fixture");
    let dir = tempfile::tempdir().expect("dir");
    let copy = dir.path().join("spine.db");
    std::fs::copy(&fixture, &copy).expect("copy the fixture");
    let url = format!("sqlite://{}", copy.display());
    let rows = OLD_SHOPIFY_ROWS
        .replace("{id}", "randomblob(16)")
        .replace("{at}", "'2026-05-01T10:00:00+00:00'")
        .replace("{json}", "");
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open");
    let mut conn = pool.acquire().await.expect("connection");
    sqlx::raw_sql(&format!("{the_customer}{rows}"))
        .execute(&mut *conn)
        .await
        .expect("old rows");
    drop(conn);
    pool.close().await;
    migrate(&url, &fixture);
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open");
    let expected = (sorted(entries), orders);
    assert_eq!(migrated_keys!(pool), expected, "SQLite");
    pool.close().await;

    // PostgreSQL: the dump, restored.
    let fixture = fixtures(".sql").pop().expect("a fixture");
    let database = ScratchDatabase::create("shopify_keys");
    psql(
        &database.url,
        &[
            "--single-transaction",
            "-f",
            fixture.to_str().expect("UTF-8"),
        ],
    );
    let rows = OLD_SHOPIFY_ROWS
        .replace("{id}", "gen_random_uuid()")
        .replace("{at}", "timestamptz '2026-05-01T10:00:00+00:00'")
        .replace("{json}", "jsonb ");
    psql(
        &database.url,
        &[
            "--single-transaction",
            "-c",
            &format!("{the_customer}{rows}"),
        ],
    );
    migrate(&database.url, &fixture);
    let pool = sqlx::PgPool::connect(&database.url).await.expect("open");
    assert_eq!(migrated_keys!(pool), expected, "PostgreSQL");
    pool.close().await;
}
