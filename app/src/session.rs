//! The session cookie and the request checks around it, as plain functions: the server's
//! middleware and the server functions share them, and the tests below pin them.

use spine_core::services::auth::ABSOLUTE_LIFETIME;

/// The cookie that holds the session token.
pub const COOKIE_NAME: &str = "spine_session";
/// Where a signed-in person lands by default.
pub const HOME: &str = "/customers";

/// `Set-Cookie` for a new session: script-proof, sent on same-site navigations only, and only
/// over HTTPS when Spine is served over HTTPS. It outlives the browser; the server ends it.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        ABSOLUTE_LIFETIME.num_seconds(),
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    format!(
        "{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The session token in a `Cookie` header, if there is one.
pub fn token_from_cookies(header: &str) -> Option<&str> {
    cookie(header, COOKIE_NAME)
}

/// One cookie's value in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, wanted: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// The customer's own page (`/me`) has a session of its own, apart from the console's: a
/// customer is never staff, and signing in to one never signs in to the other.
pub const CUSTOMER_COOKIE: &str = "spine_me";

pub fn customer_cookie(token: &str, secure: bool) -> String {
    format!(
        "{CUSTOMER_COOKIE}={token}; Path=/me; HttpOnly; SameSite=Lax; Max-Age={}{}",
        spine_core::services::portal::SESSION_LIFETIME.num_seconds(),
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_customer_cookie(secure: bool) -> String {
    format!(
        "{CUSTOMER_COOKIE}=; Path=/me; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Paths of the customer's page: the page, its download, and its server functions (under
/// `/me/api/`), all within the customer cookie's path.
pub fn is_portal(path: &str) -> bool {
    path == "/me" || path.starts_with("/me/")
}

/// Where to go after signing in: the requested page when it is a path on this site, else
/// [`HOME`]. Anything that could leave the site (`//host`, `/\host`, a scheme) or loop back to
/// sign-in is replaced.
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && next
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'\\');
    let useful = !(next == "/"
        || next.starts_with("/login")
        || next.starts_with("/api/")
        || next.starts_with("/pkg/"));
    if local && useful { next } else { HOME }
}

/// Whether a request that changes something comes from a page this server served. Browsers
/// send `Origin` (and `Sec-Fetch-Site`) on every POST; a request without them is not a browser
/// following another site's form, and must still carry the session's CSRF token.
pub fn same_origin(
    origin: Option<&str>,
    fetch_site: Option<&str>,
    host: Option<&str>,
    public_url: Option<&str>,
) -> bool {
    if fetch_site.is_some_and(|site| site != "same-origin") {
        return false;
    }
    let Some(origin) = origin else {
        return true;
    };
    let origin = origin.trim().trim_end_matches('/');
    if public_url.is_some_and(|url| url.trim_end_matches('/').eq_ignore_ascii_case(origin)) {
        return true;
    }
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_over_https() {
        let plain = session_cookie("abc", false);
        assert!(plain.starts_with("spine_session=abc; Path=/; HttpOnly; SameSite=Lax"));
        assert!(!plain.contains("Secure"));
        assert!(session_cookie("abc", true).ends_with("; Secure"));
        assert!(clear_session_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        assert_eq!(token_from_cookies("spine_session=abc"), Some("abc"));
        assert_eq!(
            token_from_cookies("theme=dark; spine_session=abc ; other=1"),
            Some("abc")
        );
        assert_eq!(token_from_cookies("not_spine_session=abc"), None);
        assert_eq!(token_from_cookies("spine_session="), None);
        assert_eq!(token_from_cookies("garbage"), None);
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        let table = [
            ("/customers?q=smith", "/customers?q=smith"),
            ("/customers/0190-abc", "/customers/0190-abc"),
            ("", HOME),
            ("/", HOME),
            ("customers", HOME),
            ("//evil.example.com", HOME),
            ("/\\evil.example.com", HOME),
            ("https://evil.example.com/", HOME),
            ("javascript:alert(1)", HOME),
            ("/login?next=/customers", HOME),
            ("/api/sign_out", HOME),
            ("/customers\r\nSet-Cookie: x=1", HOME),
            ("/customers with space", HOME),
            ("/caf\u{e9}", HOME),
        ];
        for (next, expected) in table {
            assert_eq!(safe_next(next), expected, "{next:?}");
        }
    }

    #[test]
    fn cross_site_requests_are_told_apart_from_our_own_pages() {
        let host = Some("127.0.0.1:3000");
        let ok = |origin, site, public| same_origin(origin, site, host, public);
        assert!(ok(Some("http://127.0.0.1:3000"), Some("same-origin"), None));
        assert!(
            ok(None, None, None),
            "no Origin: not a browser form from elsewhere"
        );
        assert!(ok(
            Some("https://spine.example.com"),
            None,
            Some("https://spine.example.com/")
        ));
        assert!(!ok(Some("http://evil.example.com"), None, None));
        assert!(!ok(Some("null"), None, None));
        assert!(!ok(Some("http://127.0.0.1:3000"), Some("cross-site"), None));
        assert!(!ok(Some("http://127.0.0.1:3000"), Some("same-site"), None));
        assert!(!ok(Some("http://127.0.0.1:30000"), None, None));
        assert!(!same_origin(
            Some("http://127.0.0.1:3000"),
            None,
            None,
            None
        ));
    }
}
