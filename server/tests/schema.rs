//! What the schema promises, read from the migrated databases' own catalogs: every table
//! carries its tenant, and every primary key and unique index leads with it (so one tenant's
//! rows never collide with another's, and a table can be sharded on the tenant id).

mod common;

use common::{ScratchDatabase, run, sqlite_url};

/// Tables without a tenant column, and why.
const GLOBAL_TABLES: &[(&str, &str)] = &[
    (
        "tenants",
        "the tenants themselves: their key is the tenant id",
    ),
    ("_sqlx_migrations", "the migrations applied, kept by sqlx"),
];

fn migrate(url: &str) {
    let out = run(&["migrate"], url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (table, key or index, its columns in order, whether it is the primary key)
type Key = (String, String, Vec<String>, bool);

fn check(database: &str, tables: &[(String, Vec<String>)], keys: &[Key]) {
    let global = |table: &str| GLOBAL_TABLES.iter().any(|(name, _)| *name == table);
    assert!(tables.len() >= 15, "{database}: {} tables", tables.len());
    for (table, columns) in tables {
        if !global(table) {
            assert!(
                columns.iter().any(|c| c == "tenant_id"),
                "{database}: {table} has no tenant_id ({columns:?})"
            );
        }
    }
    for table in tables.iter().map(|(t, _)| t).filter(|t| !global(t)) {
        assert!(
            keys.iter().any(|(t, _, _, primary)| t == table && *primary),
            "{database}: {table} has no primary key"
        );
    }
    for (table, name, columns, _) in keys.iter().filter(|(t, ..)| !global(t)) {
        assert_eq!(
            columns.first().map(String::as_str),
            Some("tenant_id"),
            "{database}: {table}'s {name} ({columns:?}) does not lead with tenant_id"
        );
    }
}

#[tokio::test]
async fn every_table_carries_its_tenant_and_every_key_leads_with_it() {
    // SQLite, from its catalog.
    let dir = tempfile::tempdir().expect("dir");
    let url = sqlite_url(&dir);
    migrate(&url);
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open");
    let names: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
    )
    .fetch_all(&pool)
    .await
    .expect("tables");
    let mut tables = Vec::new();
    let mut keys: Vec<Key> = Vec::new();
    for table in names {
        let columns: Vec<(String, i64)> =
            sqlx::query_as("select name, pk from pragma_table_info(?) order by cid")
                .bind(&table)
                .fetch_all(&pool)
                .await
                .expect("columns");
        let mut primary: Vec<(i64, String)> = columns
            .iter()
            .filter(|(_, pk)| *pk > 0)
            .map(|(name, pk)| (*pk, name.clone()))
            .collect();
        primary.sort();
        if !primary.is_empty() {
            keys.push((
                table.clone(),
                "primary key".to_owned(),
                primary.into_iter().map(|(_, name)| name).collect(),
                true,
            ));
        }
        let unique: Vec<String> = sqlx::query_scalar(
            "select name from pragma_index_list(?) where \"unique\" = 1 and origin <> 'pk'",
        )
        .bind(&table)
        .fetch_all(&pool)
        .await
        .expect("indexes");
        for index in unique {
            let columns: Vec<String> =
                sqlx::query_scalar("select name from pragma_index_info(?) order by seqno")
                    .bind(&index)
                    .fetch_all(&pool)
                    .await
                    .expect("index columns");
            keys.push((table.clone(), index, columns, false));
        }
        tables.push((table, columns.into_iter().map(|(name, _)| name).collect()));
    }
    pool.close().await;
    check("SQLite", &tables, &keys);

    // PostgreSQL, from pg_catalog.
    let database = ScratchDatabase::create("schema");
    migrate(&database.url);
    let pool = sqlx::PgPool::connect(&database.url).await.expect("open");
    let columns: Vec<(String, String)> = sqlx::query_as(
        "select table_name::text, column_name::text from information_schema.columns \
         where table_schema = 'public' order by table_name, ordinal_position",
    )
    .fetch_all(&pool)
    .await
    .expect("columns");
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    for (table, column) in columns {
        match tables.last_mut() {
            Some((last, cols)) if *last == table => cols.push(column),
            _ => tables.push((table, vec![column])),
        }
    }
    let keys: Vec<(String, String, Vec<String>, bool)> = sqlx::query_as(
        "select t.relname::text, i.relname::text, \
                array(select a.attname::text from unnest(x.indkey) with ordinality as k(attnum, n) \
                      join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum order by k.n), \
                x.indisprimary \
         from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid \
         join pg_namespace s on s.oid = t.relnamespace \
         where s.nspname = 'public' and (x.indisunique or x.indisprimary)",
    )
    .fetch_all(&pool)
    .await
    .expect("keys");
    pool.close().await;
    check("PostgreSQL", &tables, &keys);
}
