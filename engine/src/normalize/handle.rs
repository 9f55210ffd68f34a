//! Social handles: a platform name and the account's handle on it, in the form each platform
//! compares them (most are case-insensitive), whether typed as "@JohnDoe" or pasted as a
//! profile URL.

use unicode_normalization::UnicodeNormalization;

use crate::normalize::text::{collapse_whitespace, fold};

const MAX_PLATFORM_LEN: usize = 32;
const MAX_OTHER_LEN: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandleError {
    #[error("handle is empty")]
    Empty,
    #[error("{0:?} is not a platform name (letters, digits, '_' and '-')")]
    InvalidPlatform(String),
    #[error("{platform} handles cannot contain {character:?}")]
    InvalidCharacter { platform: String, character: char },
    #[error("{platform} handles are at most {max} characters")]
    TooLong { platform: String, max: usize },
}

/// A platform ("instagram", "facebook", "x", "tiktok", "whatsapp", "telegram", or any other
/// name, lowercased) and a handle without its leading '@'.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handle {
    platform: String,
    handle: String,
}

/// How a platform's handles are compared.
enum Rule {
    /// Case-insensitive usernames from a fixed alphabet.
    Username { max: usize, extra: &'static str },
    /// WhatsApp ids are the phone number's digits.
    Digits { max: usize },
    /// Facebook gives page-scoped numeric ids, but people type display names.
    IdOrDisplayName,
    /// Unknown platforms: kept as given (the platform may be case-sensitive), no spaces.
    AsGiven,
}

fn rule(platform: &str) -> Rule {
    match platform {
        "instagram" | "threads" => Rule::Username {
            max: 30,
            extra: "._",
        },
        "x" => Rule::Username {
            max: 15,
            extra: "_",
        },
        "tiktok" => Rule::Username {
            max: 24,
            extra: "._",
        },
        "telegram" => Rule::Username {
            max: 32,
            extra: "_",
        },
        "whatsapp" => Rule::Digits { max: 15 },
        "facebook" => Rule::IdOrDisplayName,
        _ => Rule::AsGiven,
    }
}

/// Hosts whose first path segment is the handle.
const PROFILE_HOSTS: &[&str] = &[
    "instagram.com/",
    "instagr.am/",
    "threads.net/",
    "facebook.com/",
    "fb.com/",
    "twitter.com/",
    "x.com/",
    "tiktok.com/",
    "t.me/",
    "telegram.me/",
    "wa.me/",
];

impl Handle {
    pub fn parse(platform: &str, raw: &str) -> Result<Handle, HandleError> {
        let platform = normalize_platform(platform)?;
        let rule = rule(&platform);
        // Folding (or at least NFKC, for full-width "＠ＪＯＨＮ") comes first, so that what
        // it produces is seen by the URL and '@' stripping too, and a second parse finds
        // nothing left to change.
        let prepared: String = match rule {
            Rule::IdOrDisplayName => collapse_whitespace(&fold(raw)),
            _ => raw.nfkc().collect(),
        };
        let bare = without_at(from_profile_url(prepared.trim()));
        if bare.is_empty() {
            return Err(HandleError::Empty);
        }
        let invalid = |character| HandleError::InvalidCharacter {
            platform: platform.clone(),
            character,
        };
        let too_long = |max| HandleError::TooLong {
            platform: platform.clone(),
            max,
        };
        let handle = match rule {
            Rule::Username { max, extra } => {
                let handle = bare.to_lowercase();
                check(&handle, max, |c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(c)
                })
                .map_err(|e| e.either(invalid, too_long))?;
                handle
            }
            Rule::Digits { max } => {
                let handle: String = bare
                    .chars()
                    .filter(|c| !matches!(c, '+' | '-' | '.' | '(' | ')') && !c.is_whitespace())
                    .collect();
                check(&handle, max, |c| c.is_ascii_digit())
                    .map_err(|e| e.either(invalid, too_long))?;
                handle
            }
            Rule::IdOrDisplayName if bare.chars().all(|c| c.is_ascii_digit()) => bare.to_string(),
            Rule::IdOrDisplayName => {
                check(bare, MAX_OTHER_LEN, |c| !c.is_control())
                    .map_err(|e| e.either(invalid, too_long))?;
                bare.to_string()
            }
            Rule::AsGiven => {
                check(bare, MAX_OTHER_LEN, |c| {
                    !c.is_control() && !c.is_whitespace()
                })
                .map_err(|e| e.either(invalid, too_long))?;
                bare.to_string()
            }
        };
        if handle.is_empty() {
            return Err(HandleError::Empty);
        }
        Ok(Handle { platform, handle })
    }

    pub fn platform(&self) -> &str {
        &self.platform
    }

    pub fn handle(&self) -> &str {
        &self.handle
    }
}

/// "instagram:johndoe"
impl std::fmt::Display for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.platform, self.handle)
    }
}

enum CheckError {
    Character(char),
    Length(usize),
}

impl CheckError {
    fn either(
        self,
        character: impl FnOnce(char) -> HandleError,
        length: impl FnOnce(usize) -> HandleError,
    ) -> HandleError {
        match self {
            CheckError::Character(c) => character(c),
            CheckError::Length(max) => length(max),
        }
    }
}

fn check(handle: &str, max: usize, allowed: impl Fn(char) -> bool) -> Result<(), CheckError> {
    if let Some(c) = handle.chars().find(|c| !allowed(*c)) {
        return Err(CheckError::Character(c));
    }
    if handle.chars().count() > max {
        return Err(CheckError::Length(max));
    }
    Ok(())
}

fn normalize_platform(raw: &str) -> Result<String, HandleError> {
    let name = raw.trim().to_ascii_lowercase();
    let name = match name.as_str() {
        "twitter" | "twitter.com" | "x.com" => "x".to_string(),
        "ig" | "insta" | "instagram.com" => "instagram".to_string(),
        "fb" | "messenger" | "facebook.com" => "facebook".to_string(),
        "wa" | "whatsapp business" => "whatsapp".to_string(),
        "tg" => "telegram".to_string(),
        _ => name,
    };
    let valid = !name.is_empty()
        && name.len() <= MAX_PLATFORM_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !valid {
        return Err(HandleError::InvalidPlatform(raw.trim().to_string()));
    }
    Ok(name)
}

/// The handle inside a profile URL ("https://www.instagram.com/johndoe/?hl=en" -> "johndoe",
/// "facebook.com/profile.php?id=100012345" -> "100012345"); other text is returned as is.
fn from_profile_url(raw: &str) -> &str {
    let lower = raw.to_ascii_lowercase();
    let mut rest = lower.as_str();
    for prefix in ["https://", "http://"] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    for prefix in ["www.", "m.", "mobile."] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let Some(path_start) = PROFILE_HOSTS
        .iter()
        .find(|host| rest.starts_with(*host))
        .map(|host| lower.len() - rest.len() + host.len())
    else {
        return raw;
    };
    // ASCII lowercasing keeps byte offsets, so the original's case survives from here on.
    let path = &raw[path_start..];
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    if path.eq_ignore_ascii_case("profile.php")
        && let Some(id) = query.split('&').find_map(|pair| pair.strip_prefix("id="))
    {
        return id.split('#').next().unwrap_or_default();
    }
    let path = path.split('#').next().unwrap_or_default();
    path.split('/')
        .find(|segment| !segment.is_empty())
        .unwrap_or_default()
}

fn without_at(mut s: &str) -> &str {
    loop {
        let next = s.trim().trim_start_matches('@');
        if next == s {
            return s;
        }
        s = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(platform: &str, raw: &str) -> Result<(String, String), HandleError> {
        Handle::parse(platform, raw).map(|h| (h.platform().to_string(), h.handle().to_string()))
    }

    fn ok(platform: &str, handle: &str) -> Result<(String, String), HandleError> {
        Ok((platform.to_string(), handle.to_string()))
    }

    #[test]
    fn handles_lose_the_at_and_fold_case_where_the_platform_does() {
        let cases = [
            ("instagram", "@JohnDoe", ok("instagram", "johndoe")),
            (
                "Instagram",
                "  john.doe_99 ",
                ok("instagram", "john.doe_99"),
            ),
            ("twitter", "@JohnDoe", ok("x", "johndoe")),
            ("X", "JohnDoe", ok("x", "johndoe")),
            ("tiktok", "@Dance.Queen", ok("tiktok", "dance.queen")),
            ("telegram", "@Some_User", ok("telegram", "some_user")),
            (
                "whatsapp",
                "+1 (916) 555-1234",
                ok("whatsapp", "19165551234"),
            ),
            (
                "facebook",
                "100012345678901",
                ok("facebook", "100012345678901"),
            ),
            ("facebook", "  John   Doe ", ok("facebook", "john doe")),
            ("facebook", "José Álvarez", ok("facebook", "jose alvarez")),
            (
                "Mastodon",
                "@Alice@example.social",
                ok("mastodon", "Alice@example.social"),
            ),
        ];
        for (platform, raw, expected) in cases {
            assert_eq!(
                parsed(platform, raw),
                expected,
                "input {platform:?} {raw:?}"
            );
        }
    }

    #[test]
    fn profile_urls_are_reduced_to_the_handle() {
        let cases = [
            ("instagram", "https://instagram.com/johndoe/", "johndoe"),
            (
                "instagram",
                "https://www.instagram.com/JohnDoe/?hl=en",
                "johndoe",
            ),
            ("instagram", "instagram.com/johndoe", "johndoe"),
            ("x", "https://twitter.com/JohnDoe/status/123", "johndoe"),
            ("x", "https://x.com/johndoe#top", "johndoe"),
            (
                "tiktok",
                "https://www.tiktok.com/@dance.queen?lang=en",
                "dance.queen",
            ),
            ("telegram", "https://t.me/some_user", "some_user"),
            (
                "facebook",
                "https://www.facebook.com/profile.php?id=100012345",
                "100012345",
            ),
            ("facebook", "https://m.facebook.com/john.doe", "john.doe"),
            ("whatsapp", "https://wa.me/19165551234", "19165551234"),
        ];
        for (platform, raw, expected) in cases {
            assert_eq!(
                parsed(platform, raw),
                ok(platform, expected),
                "input {raw:?}"
            );
        }
    }

    #[test]
    fn full_width_input_is_read_as_ascii() {
        assert_eq!(
            parsed("instagram", "＠ＪｏｈｎＤｏｅ"),
            ok("instagram", "johndoe")
        );
        assert_eq!(
            parsed("facebook", "＠Ｊｏｈｎ Ｄｏｅ"),
            ok("facebook", "john doe")
        );
    }

    #[test]
    fn characters_and_lengths_are_checked_per_platform() {
        let invalid = |platform: &str, character| {
            Err(HandleError::InvalidCharacter {
                platform: platform.to_string(),
                character,
            })
        };
        let too_long = |platform: &str, max| {
            Err(HandleError::TooLong {
                platform: platform.to_string(),
                max,
            })
        };
        let cases = [
            (
                "instagram",
                "john doe".to_string(),
                invalid("instagram", ' '),
            ),
            (
                "instagram",
                "john-doe".to_string(),
                invalid("instagram", '-'),
            ),
            ("instagram", "a".repeat(31), too_long("instagram", 30)),
            (
                "instagram",
                "a".repeat(30),
                ok("instagram", &"a".repeat(30)),
            ),
            ("x", "john.doe".to_string(), invalid("x", '.')),
            ("x", "a".repeat(16), too_long("x", 15)),
            ("whatsapp", "john".to_string(), invalid("whatsapp", 'j')),
            (
                "mastodon",
                "two words".to_string(),
                invalid("mastodon", ' '),
            ),
        ];
        for (platform, raw, expected) in cases {
            assert_eq!(
                parsed(platform, &raw),
                expected,
                "input {platform:?} {raw:?}"
            );
        }
    }

    #[test]
    fn empty_handles_and_bad_platforms_are_rejected() {
        assert_eq!(parsed("instagram", ""), Err(HandleError::Empty));
        assert_eq!(parsed("instagram", " @@ "), Err(HandleError::Empty));
        assert_eq!(
            parsed("instagram", "https://instagram.com/"),
            Err(HandleError::Empty)
        );
        assert_eq!(
            parsed("", "john"),
            Err(HandleError::InvalidPlatform(String::new()))
        );
        assert_eq!(
            parsed("my platform", "john"),
            Err(HandleError::InvalidPlatform("my platform".into()))
        );
    }

    #[test]
    fn display_is_platform_colon_handle() {
        let handle = Handle::parse("IG", "@JohnDoe").map(|h| h.to_string());
        assert_eq!(handle.as_deref(), Ok("instagram:johndoe"));
    }
}
