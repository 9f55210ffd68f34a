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

/// A SQLite file in `dir` holding the demo tenant with five people.
fn demo_database(dir: &tempfile::TempDir) -> String {
    let url = common::sqlite_url(dir);
    assert!(
        run(&["seed", "--demo", "--people", "5"], &url)
            .status
            .success()
    );
    url
}

#[test]
fn events_are_imported_with_metrics_and_bad_lines_are_reported() {
    let dir = tempfile::tempdir().expect("dir");
    let url = demo_database(&dir);
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
            "fetched 5, 2 new profiles, 0 updated, 1 linked, 0 to review, 0 ambiguous, 0 already there, 2 errors"
        ),
        "{stderr}"
    );

    let (ok, again) = import(&url, &path, &[]);
    assert!(ok);
    assert!(
        again.contains(
            "0 new profiles, 0 updated, 0 linked, 0 to review, 0 ambiguous, 3 already there"
        ),
        "re-running imports nothing twice: {again}"
    );

    let (ok, stopped) = import(&url, &path, &["--on-error", "stop"]);
    assert!(!ok);
    let last = stopped.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("spine: ") && last.contains("line 3: identifiers.phone"),
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
    assert!(!ok && stderr.contains("has no rows"), "{stderr}");
    std::fs::write(&path, "{}\n").expect("write");
    let (ok, stderr) = import(&url, &path, &[]);
    assert!(!ok && stderr.contains("tenant not found"), "{stderr}");
}

#[test]
fn provider_exports_run_in_order_of_authority_and_amazon_matches_by_address() {
    let dir = tempfile::tempdir().expect("dir");
    let url = demo_database(&dir);
    let shopify = dir.path().join("customers_export.csv");
    std::fs::write(
        &shopify,
        "Customer ID,First Name,Last Name,Email,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Phone\n\
         9001,Ana,Souza,ana.souza@example.com,12 Rua Augusta,Apt 3,Austin,TX,US,78701,+15125550101\n\
         9002,Bo,Li,bo.li@example.com,1 Main St,,Austin,TX,US,78701,\n",
    )
    .expect("write");
    let amazon = dir.path().join("orders.txt");
    std::fs::write(
        &amazon,
        "order-id\torder-item-id\tpurchase-date\tbuyer-email\tbuyer-name\tproduct-name\tquantity-purchased\tcurrency\titem-price\trecipient-name\tship-address-1\tship-address-2\tship-city\tship-state\tship-postal-code\tship-country\n\
         112-0000001-0000001\t1\t2026-03-03T10:00:00+00:00\t\tAna Souza\tMango box\t1\tUSD\t12.00\tAna Souza\t12 Rua Augusta\tApt 3\tAustin\tTX\t78701\tUS\n\
         112-0000001-0000002\t1\t2026-03-04T10:00:00+00:00\t\tAna Souza\tLime bag\t1\tUSD\t8.00\tAna Souza\t12 Rua Augusta\tApt 4\tAustin\tTX\t78701\tUS\n",
    )
    .expect("write");
    // Given in the wrong order on purpose: Shopify (more authoritative) must run first.
    let sources = [
        format!("amazon={}", amazon.display()),
        format!("shopify={}", shopify.display()),
    ];
    let out = run(
        &[
            "import",
            "--tenant",
            "demo",
            "--source",
            &sources[0],
            "--source",
            &sources[1],
        ],
        &url,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let shopify_at = stderr.find("(shopify)").expect("shopify ran");
    let amazon_at = stderr.find("(amazon)").expect("amazon ran");
    assert!(shopify_at < amazon_at, "{stderr}");
    assert!(
        stderr.contains("fetched 2, 2 new profiles, 0 updated, 0 linked"),
        "{stderr}"
    );
    // Apt 3 is Ana's address: linked by its hash. Apt 4 is a neighbour: a new profile.
    assert!(
        stderr.contains("fetched 2, 1 new profiles, 0 updated, 1 linked"),
        "{stderr}"
    );

    let again = run(
        &[
            "import",
            "--tenant",
            "demo",
            "--provider",
            "shopify",
            shopify.to_str().unwrap_or_default(),
        ],
        &url,
    );
    let again = String::from_utf8_lossy(&again.stderr);
    assert!(
        again.contains(
            "0 new profiles, 0 updated, 0 linked, 0 to review, 0 ambiguous, 2 already there"
        ),
        "{again}"
    );
}

/// Spreadsheet exports are often not UTF-8: a byte order mark is honoured, a legacy encoding is
/// named with `--encoding`, and without it each row says what is wrong rather than importing
/// mangled names.
#[test]
fn exports_in_other_encodings_are_read_or_explained() {
    let dir = tempfile::tempdir().expect("dir");
    let url = demo_database(&dir);
    let header = "Customer ID,First Name,Last Name,Email\n";
    let latin = dir.path().join("excel.csv");
    let mut bytes = header.as_bytes().to_vec();
    bytes.extend_from_slice(b"9001,Jos\xe9,Mu\xf1oz,jose@example.com\n");
    std::fs::write(&latin, bytes).expect("write");
    let shopify = ["--provider", "shopify"];

    let (ok, stderr) = import(&url, &latin, &shopify);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("line 2: column \"first name\" is not valid UTF-8")
            && stderr.contains("0 new profiles"),
        "{stderr}"
    );
    let (ok, stderr) = import(
        &url,
        &latin,
        &["--provider", "shopify", "--encoding", "windows-1252"],
    );
    assert!(
        ok && stderr.contains("1 new profiles, 0 updated"),
        "{stderr}"
    );

    // UTF-16 with its byte order mark, as Excel's "Unicode text" writes it: no flag needed.
    let utf16 = dir.path().join("unicode.csv");
    let text = format!("{header}9002,Zoë,Ångström,zoe@example.com\n");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&utf16, &bytes).expect("write");
    let (ok, stderr) = import(&url, &utf16, &shopify);
    assert!(
        ok && stderr.contains("1 new profiles, 0 updated"),
        "{stderr}"
    );
    // Without its mark it is refused as a whole, with the flag to pass.
    std::fs::write(&utf16, &bytes[2..]).expect("write");
    let (ok, stderr) = import(&url, &utf16, &shopify);
    assert!(!ok && stderr.contains("--encoding utf-16le"), "{stderr}");
    let (ok, stderr) = import(
        &url,
        &utf16,
        &["--provider", "shopify", "--encoding", "utf-16le"],
    );
    assert!(
        ok && stderr.contains(
            "0 new profiles, 0 updated, 0 linked, 0 to review, 0 ambiguous, 1 already there"
        ),
        "{stderr}"
    );
}
