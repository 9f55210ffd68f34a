//! `spine dedupe` on real files: clusters out, bad rows reported with their line numbers.

mod common;

use std::process::Command;

use common::BIN;

fn dedupe(
    dir: &tempfile::TempDir,
    csv: &[u8],
    extra: &[&str],
) -> (std::process::Output, String, String) {
    let input = dir.path().join("people.csv");
    std::fs::write(&input, csv).expect("write input");
    let clusters = dir.path().join("clusters.csv");
    let pairs = dir.path().join("pairs.csv");
    for output in [&clusters, &pairs] {
        // A run that writes nothing must not be read as the previous run's output.
        let _ = std::fs::remove_file(output);
    }
    let out = Command::new(BIN)
        .args(["dedupe", "--input"])
        .arg(&input)
        .args(["--id-column", "customer_id", "--output"])
        .arg(&clusters)
        .arg("--pairs")
        .arg(&pairs)
        .args(extra)
        .output()
        .expect("run dedupe");
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap_or_default();
    (out, read(&clusters), read(&pairs))
}

const PEOPLE: &str =
    "customer_id,first_name,last_name,email,mobile,address_1,postcode,date_of_birth
1,Robert,Smith,bob.smith@gmail.com,(916) 555-1234,12 Main Street,95814,1980-07-04
2,Bob,Smith,BOBSMITH@gmail.com,916-555-1234,12 Main St,95814,07/04/1980
3,Mary,Smith,mary.smith@yahoo.com,(916) 555-1234,12 Main Street,95814,1982-01-15
4,Zoe,Quill,zoe@quill.io,+1 212 555 0100,1 Park Ave,10001,1990-02-02
";

fn cluster_of<'a>(clusters: &'a str, id: &str) -> &'a str {
    clusters
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{id},")))
        .unwrap_or_default()
}

#[test]
fn duplicates_share_a_cluster_and_a_household_member_does_not() {
    let dir = tempfile::tempdir().expect("dir");
    let (out, clusters, pairs) = dedupe(
        &dir,
        PEOPLE.as_bytes(),
        &["--map", "mobile=phone", "--no-train"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(clusters.starts_with("record_id,cluster_id\n"));
    assert_eq!(clusters.lines().count(), 5, "{clusters}");
    assert_eq!(
        cluster_of(&clusters, "1"),
        cluster_of(&clusters, "2"),
        "Bob is Robert: {clusters}"
    );
    assert_ne!(
        cluster_of(&clusters, "1"),
        cluster_of(&clusters, "3"),
        "Mary shares the phone and address, not the person"
    );
    assert_ne!(cluster_of(&clusters, "4"), cluster_of(&clusters, "1"));
    assert!(
        pairs.starts_with("left_id,right_id,probability\n1,2,"),
        "{pairs}"
    );
    assert!(
        stderr.contains("records 4, pairs compared"),
        "a summary at the end: {stderr}"
    );
    let times = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("reading "))
        .unwrap_or_else(|| panic!("how long each stage took: {stderr}"));
    for stage in ["blocking", "scoring", "clustering"] {
        assert!(times.contains(&format!(", {stage} ")), "{times}");
    }
    assert!(!times.contains("training"), "--no-train: {times}");
}

#[test]
fn bad_rows_are_reported_by_line_and_skipped() {
    let dir = tempfile::tempdir().expect("dir");
    let mut csv = PEOPLE.as_bytes().to_vec();
    csv.extend_from_slice(b"5,Only,Two\n");
    csv.extend_from_slice(b"6,J\xff\xfeanne,Doe,jd@example.com,,,,\n");
    csv.extend_from_slice(format!("7,{},Long,x@example.com,,,,\n", "a".repeat(70_000)).as_bytes());
    csv.extend_from_slice(b"1,Again,Smith,again@example.com,,,,\n");
    let (out, clusters, _) = dedupe(&dir, &csv, &["--map", "mobile=phone", "--no-train"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("line 6: expected 8 fields, found 3; skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 7: column \"first_name\" is not valid UTF-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 8: column \"first_name\" is longer than"),
        "{stderr}"
    );
    assert!(stderr.contains("line 9: duplicate id \"1\""), "{stderr}");
    assert!(stderr.contains("skipped 4 bad row(s)"), "{stderr}");
    assert_eq!(
        clusters.lines().count(),
        5,
        "only the good rows: {clusters}"
    );
}

#[test]
fn on_error_stop_ends_at_the_first_bad_row_with_one_line() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = format!("{PEOPLE}5,Only,Two\n");
    let (out, clusters, _) = dedupe(
        &dir,
        csv.as_bytes(),
        &["--map", "mobile=phone", "--on-error", "stop"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!stderr.contains("panicked"));
    assert!(
        stderr.trim_end().ends_with(
            "line 6: expected 8 fields, found 3 (pass --on-error skip to skip bad rows)"
        ),
        "{stderr}"
    );
    assert!(clusters.is_empty(), "nothing written on a stopped run");
}

#[test]
fn unusable_inputs_are_explained() {
    let dir = tempfile::tempdir().expect("dir");
    let cases: [(&[u8], &[&str], &str); 4] = [
        (b"", &[], "is empty"),
        (b"id,first_name\n1,Ann\n", &[], "no column \"customer_id\""),
        (
            b"customer_id,shoe_size\n1,42\n",
            &[],
            "no column maps to a field",
        ),
        (
            b"customer_id,first_name\n",
            &[],
            "has a header but no records",
        ),
    ];
    for (csv, extra, expected) in cases {
        let (out, _, _) = dedupe(&dir, csv, extra);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{expected}");
        assert!(
            stderr.contains(expected) && !stderr.contains("panicked"),
            "{expected}: {stderr}"
        );
    }
    let (out, _, _) = dedupe(&dir, PEOPLE.as_bytes(), &["--map", "mobile=shoe"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field \"shoe\""));
}

/// Files as spreadsheets save them: Excel's "CSV UTF-8" (a byte order mark, CRLF), Excel's
/// "Unicode text" (UTF-16 with its mark), Excel's plain "CSV" on Windows (Windows-1252, named
/// with --encoding). Decoded right, José Muñoz and Jose Munoz are one person.
#[test]
fn spreadsheet_encodings_are_decoded_or_explained() {
    let dir = tempfile::tempdir().expect("dir");
    let text = "customer_id,first_name,last_name,email\r\n1,José,Muñoz,jose@example.com\r\n2,Jose,Munoz,JOSE@example.com\r\n3,Zoë,Quill,zoe@quill.io\r\n";
    // Runs and asserts José and Jose are one cluster and Zoë another.
    let together = |csv: &[u8], extra: &[&str]| {
        let (out, clusters, _) = dedupe(&dir, csv, extra);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(
            cluster_of(&clusters, "1") == cluster_of(&clusters, "2")
                && cluster_of(&clusters, "1") != cluster_of(&clusters, "3"),
            "{clusters}"
        );
    };

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    together(&bom, &["--no-train"]);

    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    together(&utf16, &["--no-train"]);
    let (out, _, _) = dedupe(&dir, &utf16[2..], &["--no-train"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("looks like UTF-16 without a byte order mark"),
        "{stderr}"
    );

    let windows: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1 text"))
        .collect();
    let (out, clusters, _) = dedupe(&dir, &windows, &["--no-train"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the good rows go on: {stderr}");
    assert!(
        stderr.contains("line 2: column \"first_name\" is not valid UTF-8: name the file's encoding with --encoding")
            && stderr.contains("line 4: column \"first_name\" is not valid UTF-8"),
        "{stderr}"
    );
    assert_eq!(clusters.lines().count(), 2, "only Jose: {clusters}");
    together(&windows, &["--no-train", "--encoding", "windows-1252"]);

    let (out, _, _) = dedupe(&dir, &windows, &["--encoding", "klingon"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"klingon\" is not an encoding"));
}

/// A quote left open swallows the rows after it: the message says where the row ends, and a
/// file where every row is refused says so rather than writing empty clusters.
#[test]
fn an_open_quote_and_a_file_of_bad_rows_are_explained() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = format!("{PEOPLE}5,\"Ann,Lee,ann@example.com,,,,\n6,Tom,Lee,tom@example.com,,,,\n");
    let (out, clusters, _) = dedupe(
        &dir,
        csv.as_bytes(),
        &["--map", "mobile=phone", "--no-train"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "line 6: expected 8 fields, found 2 (the row runs on to line 7: is a quote left open?)"
        ),
        "{stderr}"
    );
    assert_eq!(clusters.lines().count(), 5, "{clusters}");

    let (out, clusters, _) = dedupe(
        &dir,
        b"customer_id,first_name,last_name\n1,Ann\n2\n",
        &["--no-train"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("no record to compare: all 2 row(s) were refused")
            && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert!(clusters.is_empty(), "nothing written: {clusters}");
}

/// The generator writes a labelled file, and `spine dedupe` scores its clusters against the
/// labels: the same accuracy the benchmark reports, measured through the CLI's own reading.
#[test]
fn generated_people_are_written_and_the_clusters_scored_against_their_labels() {
    let dir = tempfile::tempdir().expect("dir");
    let generated = dir.path().join("generated.csv");
    let out = Command::new(BIN)
        .args([
            "dedupe-bench",
            "--people",
            "400",
            "--seed",
            "3",
            "--write-csv",
        ])
        .arg(&generated)
        .output()
        .expect("run dedupe-bench");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read(&generated).expect("written");
    let rows = csv.iter().filter(|b| **b == b'\n').count() - 1;
    assert!(rows > 400, "each person appears once or more: {rows}");

    let input = dir.path().join("people.csv");
    std::fs::write(&input, &csv).expect("copy");
    let clusters = dir.path().join("clusters.csv");
    let run = |truth: &str| {
        Command::new(BIN)
            .args(["dedupe", "--input"])
            .arg(&input)
            .args(["--id-column", "id", "--truth-column", truth, "--output"])
            .arg(&clusters)
            .output()
            .expect("run dedupe")
    };
    let out = run("true_person");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let f1: f64 = stderr
        .split_once("F1 ")
        .and_then(|(_, rest)| rest.split(';').next())
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| panic!("an F1 in {stderr}"));
    assert!(f1 > 0.95 && f1 <= 1.0, "{stderr}");
    assert!(stderr.contains("clusters for 400 people"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&clusters)
            .expect("clusters")
            .lines()
            .count(),
        rows + 1
    );

    let out = run("nope");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--truth-column: no column \"nope\""));
}

#[test]
fn explain_says_why_two_records_were_or_were_not_linked() {
    let dir = tempfile::tempdir().expect("dir");
    let (out, _, _) = dedupe(
        &dir,
        PEOPLE.as_bytes(),
        &[
            "--map",
            "mobile=phone",
            "--no-train",
            "--explain",
            "1,2",
            "--explain",
            "1,3",
            "--explain",
            "1,4",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let block = |pair: &str| {
        let start = stderr
            .find(pair)
            .unwrap_or_else(|| panic!("{pair}: {stderr}"));
        stderr[start..]
            .lines()
            .take(9)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let robert_bob = block("1 / 2:");
    assert!(robert_bob.contains("compared under Email"), "{robert_bob}");
    assert!(robert_bob.contains("in one cluster"), "{robert_bob}");
    assert!(
        robert_bob.contains("first_name") && robert_bob.contains("nickname"),
        "{robert_bob}"
    );
    let mary = block("1 / 3:");
    assert!(
        mary.contains("kept apart: first_name at \"else\" says another person"),
        "{mary}"
    );
    let zoe = block("1 / 4:");
    assert!(zoe.contains("never compared"), "{zoe}");

    // An id the file does not hold is refused before any work.
    let (out, _, _) = dedupe(&dir, PEOPLE.as_bytes(), &["--explain", "1,99"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("no record with id \"99\""), "{stderr}");
}

#[test]
fn labelled_files_report_blocking_recall_and_the_errors() {
    let dir = tempfile::tempdir().expect("dir");
    // Person 7 is listed twice with nothing in common a blocking rule keys on: a miss that
    // blocking, not scoring, is to blame for.
    let csv =
        "customer_id,first_name,last_name,email,mobile,address_1,postcode,date_of_birth,person
1,Robert,Smith,bob.smith@gmail.com,(916) 555-1234,12 Main Street,95814,1980-07-04,a
2,Bob,Smith,BOBSMITH@gmail.com,916-555-1234,12 Main St,95814,07/04/1980,a
3,Mary,Smith,mary.smith@yahoo.com,(916) 555-1234,12 Main Street,95814,1982-01-15,b
4,Zoe,Quill,zoe@quill.io,+1 212 555 0100,1 Park Ave,10001,1990-02-02,c
5,Zed,Quillon,zq@example.org,+1 415 555 0199,9 Elm Road,94110,1971-03-03,c
";
    let (out, _, _) = dedupe(
        &dir,
        csv.as_bytes(),
        &[
            "--map",
            "mobile=phone",
            "--no-train",
            "--truth-column",
            "person",
            "--show-errors",
            "5",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("blocking kept 1 of 2 true pairs (50.00%)"),
        "{stderr}"
    );
    let missed = stderr
        .split("true pairs left apart:")
        .nth(1)
        .unwrap_or_default();
    assert!(missed.contains("4 / 5:"), "{stderr}");
    assert!(missed.contains("never compared"), "{stderr}");
}

#[test]
fn skipped_blocks_are_summed_up_per_rule() {
    let dir = tempfile::tempdir().expect("dir");
    // 45 people whose names share one sound: a block too common for the sound rule.
    let mut csv = String::from("customer_id,first_name,last_name,email\n");
    for i in 0..45 {
        let (first, last) = [("John", "Smith"), ("John", "Smyth"), ("John", "Smithe")][i % 3];
        csv.push_str(&format!("{i},{first},{last},person{i}@example.com\n"));
    }
    let (out, _, _) = dedupe(&dir, csv.as_bytes(), &["--no-train"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("left out") || l.contains("skipped"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains(
            "rule NamesSound compares only values few records share: it left out 1 value(s) shared by more than 20 records (45 records in all, the largest 45)"
        ),
        "{stderr}"
    );
}
