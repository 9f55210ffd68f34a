//! Reading the text files people export from spreadsheets and shops: UTF-8 with or without a
//! byte order mark, UTF-16 recognised by its byte order mark, or a legacy encoding the user
//! names with `--encoding` (Excel on Windows saves "CSV" as Windows-1252).

use std::io::Read;

use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;

/// What to tell someone whose file is not UTF-8.
pub const ENCODING_HINT: &str = "name the file's encoding with --encoding, e.g. --encoding windows-1252 for a CSV saved by Excel on Windows, or convert it to UTF-8";

/// `--encoding LABEL`: any WHATWG label (utf-8, utf-16le, windows-1252, latin1, shift_jis...).
pub fn encoding(label: &str) -> Result<&'static Encoding, String> {
    Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        format!("{label:?} is not an encoding: try utf-8, utf-16le, utf-16be, windows-1252, iso-8859-15 or shift_jis")
    })
}

/// The file's text as UTF-8 bytes. A byte order mark wins over everything and is dropped;
/// without one, the named encoding is decoded, and without a name the bytes pass through as
/// they are, so that invalid UTF-8 is reported row by row rather than silently replaced.
pub fn decoding<R: Read>(reader: R, encoding: Option<&'static Encoding>) -> impl Read {
    DecodeReaderBytesBuilder::new()
        .encoding(encoding)
        .bom_override(true)
        // Passing UTF-8 through would also keep a named encoding over a UTF-8 mark.
        .utf8_passthru(encoding.is_none())
        .strip_bom(true)
        .build(reader)
}

/// Text with NUL bytes is UTF-16 (or binary) that lost its byte order mark.
pub fn check_not_utf16(what: &str, bytes: &[u8]) -> anyhow::Result<()> {
    if bytes.contains(&0) {
        anyhow::bail!(
            "{what} has NUL bytes: it looks like UTF-16 without a byte order mark; pass --encoding utf-16le (or utf-16be)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], label: Option<&str>) -> Vec<u8> {
        let encoding = label.map(|l| encoding(l).expect("a known label"));
        let mut out = Vec::new();
        decoding(bytes, encoding)
            .read_to_end(&mut out)
            .expect("decodes");
        out
    }

    #[test]
    fn boms_are_honoured_and_dropped_and_plain_bytes_pass_through() {
        assert_eq!(decode(b"\xEF\xBB\xBFid,name\n", None), b"id,name\n");
        assert_eq!(decode(b"\xFF\xFEi\0d\0", None), b"id");
        assert_eq!(decode(b"\xFE\xFF\0i\0d", None), b"id");
        // Invalid UTF-8 is left for the caller to report with its line, not replaced.
        assert_eq!(decode(b"Jos\xE9", None), b"Jos\xE9");
        assert_eq!(decode(b"Jos\xE9", Some("windows-1252")), "José".as_bytes());
        assert_eq!(decode(b"Jos\xE9", Some("latin1")), "José".as_bytes());
        // A BOM is more certain than a flag.
        assert_eq!(
            decode(b"\xEF\xBB\xBFJos\xC3\xA9", Some("windows-1252")),
            "José".as_bytes()
        );
    }

    #[test]
    fn unknown_encodings_and_lost_boms_are_named() {
        assert!(encoding("klingon").unwrap_err().contains("not an encoding"));
        assert!(check_not_utf16("x.csv", b"i\0d\0").is_err());
        assert!(check_not_utf16("x.csv", b"id").is_ok());
    }
}
