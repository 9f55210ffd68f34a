//! `spine normalize KIND`: one value per line on stdin, CSV on stdout, for people debugging a match.

use std::io::{BufRead, Write};

use anyhow::Context;
use spine_engine::normalize::normalize_value;
use spine_engine::normalize::phone::Region;

use crate::cli::NormalizeArgs;

pub fn run(args: NormalizeArgs) -> anyhow::Result<()> {
    let region = Region::parse(&args.region)
        .map_err(|e| anyhow::anyhow!("--region {}: {e}", args.region))?;
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    normalize_lines(args.kind, region, stdin, stdout)
}

/// The testable core: reads lines (invalid UTF-8 is replaced, not fatal), writes one CSV row each.
pub fn normalize_lines(
    kind: spine_engine::normalize::NormalizeKind,
    region: Region,
    input: impl BufRead,
    output: impl Write,
) -> anyhow::Result<()> {
    let mut csv = csv::Writer::from_writer(output);
    csv.write_record(["input", "normalized", "variants", "error"])?;
    for (n, line) in input.split(b'\n').enumerate() {
        let bytes = line.with_context(|| format!("reading line {}", n + 1))?;
        let text = String::from_utf8_lossy(&bytes);
        let value = text.trim_end_matches('\r');
        if value.trim().is_empty() {
            continue;
        }
        let outcome = normalize_value(kind, value, region);
        csv.write_record([
            outcome.input.as_str(),
            outcome.normalized.as_deref().unwrap_or(""),
            &outcome.variants.join(";"),
            outcome.error.as_deref().unwrap_or(""),
        ])?;
    }
    csv.flush().context("writing the output")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use spine_engine::normalize::NormalizeKind;

    fn run_on(kind: NormalizeKind, input: &str) -> String {
        let mut out = Vec::new();
        let region = Region::parse("US").expect("region");
        normalize_lines(kind, region, input.as_bytes(), &mut out).expect("normalize");
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn phones_in_any_format_normalize_to_one_e164_and_errors_are_rows() {
        let out = run_on(
            NormalizeKind::Phone,
            "(916) 555-1234\n916-555-1234\n\nnot a phone\n",
        );
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows[0], "input,normalized,variants,error");
        assert_eq!(rows[1], "(916) 555-1234,+19165551234,,");
        assert_eq!(rows[2], "916-555-1234,+19165551234,,");
        assert!(rows[3].starts_with("not a phone,,,"), "{}", rows[3]);
        assert_eq!(rows.len(), 4, "blank lines are skipped");
    }

    #[test]
    fn values_with_commas_are_quoted() {
        let out = run_on(
            NormalizeKind::Address,
            "123 Main Street, Apt 4B, Austin, TX 78701\n",
        );
        let mut reader = csv::Reader::from_reader(out.as_bytes());
        let row = reader.records().next().expect("row").expect("csv");
        assert_eq!(&row[0], "123 Main Street, Apt 4B, Austin, TX 78701");
        assert_eq!(row[2].len(), 64, "the variant is the address hash");
    }

    #[test]
    fn invalid_utf8_does_not_stop_the_run() {
        let mut input = b"ann@example.com\n".to_vec();
        input.extend_from_slice(&[0xff, 0xfe, b'\n']);
        input.extend_from_slice(b"BOB@Example.COM\n");
        let mut out = Vec::new();
        normalize_lines(
            NormalizeKind::Email,
            Region::parse("US").expect("region"),
            input.as_slice(),
            &mut out,
        )
        .expect("normalize");
        let text = String::from_utf8(out).expect("utf8");
        assert!(text.contains("BOB@Example.COM,bob@example.com"));
        assert_eq!(text.lines().count(), 4);
    }
}
