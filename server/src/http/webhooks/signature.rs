//! Providers' request signatures, each checked over the bytes as received and compared in
//! constant time (`Mac::verify_slice`): Twilio's HMAC-SHA1 of the URL and sorted form fields,
//! Meta's and the generic webhook's hex HMAC-SHA256 of the body, Shopify's base64 one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

/// What Twilio signs: the URL it called, then every form field's name and value, sorted by
/// name (byte order), with nothing between them.
pub fn twilio_signing_string(url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut text = String::from(url);
    for (name, value) in sorted {
        text.push_str(name);
        text.push_str(value);
    }
    text
}

/// `X-Twilio-Signature`: base64(HMAC-SHA1(auth token, signing string)). Twilio may have called
/// the URL with or without its default port (":443"), so both spellings are accepted.
pub fn verify_twilio(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    header: Option<&str>,
) -> bool {
    let Some(expected) = header.and_then(|h| BASE64.decode(h.trim()).ok()) else {
        return false;
    };
    url_spellings(url).iter().any(|url| {
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) else {
            return false;
        };
        mac.update(twilio_signing_string(url, params).as_bytes());
        mac.verify_slice(&expected).is_ok()
    })
}

/// The URL as given and with its scheme's default port added or removed.
fn url_spellings(url: &str) -> Vec<String> {
    let mut spellings = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return spellings;
    };
    let default_port = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return spellings,
    };
    let (authority, path) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let other = match authority.rsplit_once(':') {
        Some((host, port)) if port == default_port => format!("{scheme}://{host}{path}"),
        Some((_, port)) if port.chars().all(|c| c.is_ascii_digit()) => return spellings,
        _ => format!("{scheme}://{authority}:{default_port}{path}"),
    };
    spellings.push(other);
    spellings
}

/// `X-Hub-Signature-256` (Meta) and `X-Spine-Signature` (generic): "sha256=" and the lowercase
/// hex HMAC-SHA256 of the raw body.
pub fn verify_sha256_hex(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(expected) = header
        .map(str::trim)
        .and_then(|h| h.strip_prefix("sha256="))
        .and_then(|hex_digest| hex::decode(hex_digest).ok())
    else {
        return false;
    };
    verify_sha256(secret, body, &expected)
}

/// `X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the raw body.
pub fn verify_sha256_base64(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(expected) = header.and_then(|h| BASE64.decode(h.trim()).ok()) else {
        return false;
    };
    verify_sha256(secret, body, &expected)
}

fn verify_sha256(secret: &str, body: &[u8], expected: &[u8]) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(expected).is_ok()
}

/// Equal strings, compared without an early exit (verification tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Signs as the providers do, for tests.
    pub fn hmac_sha256(secret: &str, body: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(body);
        mac.finalize().into_bytes().to_vec()
    }

    fn hmac_sha1(secret: &str, body: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(body);
        mac.finalize().into_bytes().to_vec()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn hmac_primitives_match_the_rfc_test_vectors() {
        // RFC 2202 test case 2 (HMAC-SHA1) and RFC 4231 test case 2 (HMAC-SHA256).
        let data = b"what do ya want for nothing?";
        assert_eq!(
            hex::encode(hmac_sha1("Jefe", data)),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        assert_eq!(
            hex::encode(hmac_sha256("Jefe", data)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn twilio_documented_examples_verify() {
        // Twilio's published validation examples (auth token "12345"), as in its SDKs' tests.
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let call = |number: &str| {
            pairs(&[
                ("CallSid", "CA1234567890ABCDE"),
                ("Caller", number),
                ("Digits", "1234"),
                ("From", number),
                ("To", "+18005551212"),
            ])
        };
        assert!(verify_twilio(
            "12345",
            url,
            &call("+14158675309"),
            Some("RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        ));
        assert!(verify_twilio(
            "12345",
            url,
            &call("+12349013030"),
            Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        ));
        assert!(!verify_twilio(
            "12346",
            url,
            &call("+12349013030"),
            Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        ));
        assert!(!verify_twilio("12345", url, &call("+12349013030"), None));
        assert!(!verify_twilio(
            "12345",
            url,
            &call("+12349013030"),
            Some("not base64!")
        ));
    }

    #[test]
    fn twilio_signing_string_sorts_fields_by_name() {
        let params = pairs(&[("To", "+1"), ("Body", "hi there"), ("From", "+2")]);
        assert_eq!(
            twilio_signing_string("https://x.test/w", &params),
            "https://x.test/wBodyhi thereFrom+2To+1"
        );
    }

    #[test]
    fn twilio_signature_holds_with_or_without_the_default_port() {
        let params = pairs(&[("Body", "hello"), ("From", "+15005550006")]);
        let signed = |url: &str| {
            BASE64.encode(hmac_sha1(
                "token-token-token",
                twilio_signing_string(url, &params).as_bytes(),
            ))
        };
        let with_port = signed("https://spine.example.com:443/webhooks/demo/twilio");
        assert!(verify_twilio(
            "token-token-token",
            "https://spine.example.com/webhooks/demo/twilio",
            &params,
            Some(&with_port)
        ));
        let without = signed("https://spine.example.com/webhooks/demo/twilio?x=1");
        assert!(verify_twilio(
            "token-token-token",
            "https://spine.example.com:443/webhooks/demo/twilio?x=1",
            &params,
            Some(&without)
        ));
        assert_eq!(
            url_spellings("http://127.0.0.1:3000/webhooks/demo/twilio"),
            vec!["http://127.0.0.1:3000/webhooks/demo/twilio".to_owned()],
            "a non-default port is the only spelling"
        );
    }

    #[test]
    fn body_signatures_verify_in_both_encodings() {
        let body = br#"{"object":"page","entry":[]}"#;
        let digest = hmac_sha256("app-secret", body);
        let hex_header = format!("sha256={}", hex::encode(&digest));
        assert!(verify_sha256_hex("app-secret", body, Some(&hex_header)));
        assert!(!verify_sha256_hex("other-secret", body, Some(&hex_header)));
        assert!(!verify_sha256_hex(
            "app-secret",
            b"{\"object\":\"page\",\"entry\":[] }",
            Some(&hex_header)
        ));
        assert!(!verify_sha256_hex(
            "app-secret",
            body,
            Some(&hex::encode(&digest))
        ));
        assert!(!verify_sha256_hex("app-secret", body, Some("sha256=zz")));

        let b64_header = BASE64.encode(&digest);
        assert!(verify_sha256_base64("app-secret", body, Some(&b64_header)));
        assert!(!verify_sha256_base64("app-secret", body, None));
        // RFC 4231 test case 2, as Shopify would send it.
        assert!(verify_sha256_base64(
            "Jefe",
            b"what do ya want for nothing?",
            Some("W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=")
        ));
    }

    #[test]
    fn verification_tokens_compare_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
