//! Duo request signing (Auth API v2): parameter encoding, the v2 and v5 canonical forms,
//! the HMAC and the `Authorization` header, and the RFC 2822 `Date`. Every public vector
//! of the official clients is a test below. The simulator verifies with these same
//! functions, and Duo's official Python client signing against the simulator keeps both
//! honest.

use base64::Engine as _;
use ring::{digest, hmac};
use std::fmt::Write as _;

/// Which canonical form and HMAC a request is signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVersion {
    /// v2 with HMAC-SHA1 (legacy integrations).
    V2Sha1,
    /// v2 with HMAC-SHA512.
    V2Sha512,
    /// v5 (current official clients): HMAC-SHA512 over 7 lines with body and header hashes.
    V5,
}

/// Percent-encodes UTF-8, keeping only `A-Za-z0-9-._~` (space is `%20`, hex upper-case).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `k=v&...` sorted by encoded key, then encoded value (both versions' params line).
pub fn encode_params(params: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> =
        params.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The JSON body v5 POSTs carry: keys sorted, no spaces.
pub fn json_body(params: &[(&str, &str)]) -> String {
    let map: std::collections::BTreeMap<&str, &str> = params.iter().copied().collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())
}

fn sha512_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA512, data).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// SHA-512 hex of the `X-Duo-*` headers: names lower-cased and sorted, `name\0value\0...`.
pub fn x_duo_headers_hash(headers: &[(&str, &str)]) -> String {
    let mut lowered: Vec<(String, &str)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), *v))
        .collect();
    lowered.sort();
    let joined = lowered
        .iter()
        .flat_map(|(k, v)| [k.as_str(), *v])
        .collect::<Vec<_>>()
        .join("\0");
    sha512_hex(joined.as_bytes())
}

/// The v2 canonical request (5 lines).
pub fn canonical_v2(date: &str, method: &str, host: &str, path: &str, params: &str) -> String {
    [
        date,
        &method.to_ascii_uppercase(),
        &host.to_ascii_lowercase(),
        path,
        params,
    ]
    .join("\n")
}

/// The v5 canonical request (7 lines): `query` is the encoded query string (empty for a
/// POST whose parameters travel in the JSON body).
pub fn canonical_v5(
    date: &str,
    method: &str,
    host: &str,
    path: &str,
    query: &str,
    body: &[u8],
    x_duo_headers: &[(&str, &str)],
) -> String {
    [
        date.to_string(),
        method.to_ascii_uppercase(),
        host.to_ascii_lowercase(),
        path.to_string(),
        query.to_string(),
        sha512_hex(body),
        x_duo_headers_hash(x_duo_headers),
    ]
    .join("\n")
}

/// The lower-case hex HMAC of `canonical` with the secret key.
pub fn signature(secret_key: &[u8], canonical: &str, version: SignatureVersion) -> String {
    let algorithm = match version {
        SignatureVersion::V2Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        SignatureVersion::V2Sha512 | SignatureVersion::V5 => hmac::HMAC_SHA512,
    };
    let key = hmac::Key::new(algorithm, secret_key);
    hex(hmac::sign(&key, canonical.as_bytes()).as_ref())
}

/// `Basic base64(ikey:signature)`.
pub fn authorization(integration_key: &str, signature: &str) -> String {
    let raw = format!("{integration_key}:{signature}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// Checks a hex signature in constant time (the simulator's side).
pub fn verify(
    secret_key: &[u8],
    canonical: &str,
    version: SignatureVersion,
    signature_hex: &str,
) -> bool {
    let algorithm = match version {
        SignatureVersion::V2Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        SignatureVersion::V2Sha512 | SignatureVersion::V5 => hmac::HMAC_SHA512,
    };
    let Some(tag) = unhex(signature_hex) else {
        return false;
    };
    hmac::verify(
        &hmac::Key::new(algorithm, secret_key),
        canonical.as_bytes(),
        &tag,
    )
    .is_ok()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const IKEY: &str = "DIWJ8X6AEYOR5OMC6TQ1";
    const SKEY: &str = "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep";
    const HOST: &str = "api-XXXXXXXX.duosecurity.com";
    const DATE: &str = "Tue, 21 Aug 2012 17:29:18 -0000";

    #[test]
    fn vector_a_v2_sha512_and_sha1() {
        let params = encode_params(&[("realname", "First Last"), ("username", "root")]);
        assert_eq!(params, "realname=First%20Last&username=root");
        let canonical = canonical_v2(DATE, "POST", HOST, "/accounts/v1/account/list", &params);
        let sig = signature(SKEY.as_bytes(), &canonical, SignatureVersion::V2Sha512);
        assert_eq!(authorization(IKEY, &sig), "Basic RElXSjhYNkFFWU9SNU9NQzZUUTE6MWJmZmI4OTI0MzQ4ZjdkYjdkYTllN2Q3ZDc0OWRlZDkzYWFmZDAyZDhlOTA0OTYwZGE3Yjk2YzU3NTEwMjIwMTg1YTY0YTI4MjdlZThmMjRhYzVkMzA4MDJhOWVlOTdlNTlkZTQ0YjMwNGIxODI0MmYwZDU5NmQxNWE4MTIyYWY=");
        assert_eq!(
            signature(SKEY.as_bytes(), &canonical, SignatureVersion::V2Sha1),
            "2d97d6166319781b5a3a07af39d366f491234edc"
        );
        assert!(verify(
            SKEY.as_bytes(),
            &canonical,
            SignatureVersion::V2Sha512,
            &sig
        ));
        assert!(!verify(
            b"other",
            &canonical,
            SignatureVersion::V2Sha512,
            &sig
        ));
    }

    #[test]
    fn vector_b_v5() {
        let query = encode_params(&[("realname", "First Last")]);
        let canonical = canonical_v5(
            DATE,
            "POST",
            HOST,
            "/accounts/v1/account/list",
            &query,
            br#"{"txid":"f22b1678-252a-4070-b176-0ca2be7319fd"}"#,
            &[],
        );
        let sig = signature(SKEY.as_bytes(), &canonical, SignatureVersion::V5);
        assert_eq!(authorization(IKEY, &sig), "Basic RElXSjhYNkFFWU9SNU9NQzZUUTE6NzhmNDMyN2Y4MzExNzNjYzc4ZDA5MDdlOTEzZTNjNWEyOGZlNzJkZDQ1NDVhMzQyNTg2YmI2NzE4MWYyYmEzOTNkMjA5MTFlODcwMzYyZjZmYWJhM2RjNmY3ZTlkYjVlOTNhZWQyZjNiZmMxMTBjNmRhZGFmZjRkYzYxNzllMGI=");
    }

    #[test]
    fn vector_c_v5_canonical() {
        let body = br#"{"activation_code":"duo://x1bTAIQGWXppdi2ctPVn-YXBpLWR1bzEuZHVvLnRlc3Q","user_id":"DU439XKOX2W6LMYHWLEV"}"#;
        let canonical = canonical_v5(
            "Fri, 07 Dec 2012 17:18:00 -0000",
            "post",
            "FOO.example.CoM",
            "/Foo/BaR2/qux",
            &encode_params(&[("username", "H ell?o")]),
            body,
            &[],
        );
        assert_eq!(canonical, "Fri, 07 Dec 2012 17:18:00 -0000\nPOST\nfoo.example.com\n/Foo/BaR2/qux\nusername=H%20ell%3Fo\n9ddab7d898836a76fafbb0dcef7bc83f14036b39bbb1ebbe43044f7c76338fa699eba8f0d3ecb329a084f32ef23c8a1609efad25032923b651e6f3f6d2f7b773\ncf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
    }

    #[test]
    fn vector_d_encoding() {
        assert_eq!(
            encode_params(&[
                ("username", "H ell?o"),
                ("password", "H-._~i"),
                ("password", "A(!'*)")
            ]),
            "password=A%28%21%27%2A%29&password=H-._~i&username=H%20ell%3Fo"
        );
        assert_eq!(
            encode_params(&[("foo_bar", "2"), ("foo", "1")]),
            "foo=1&foo_bar=2"
        );
        assert_eq!(
            encode("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
            "%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E_%60%7B%7C%7D~"
        );
        assert_eq!(encode("\t\n\x0b\x0c\r "), "%09%0A%0B%0C%0D%20");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn vector_e_x_duo_headers() {
        assert_eq!(x_duo_headers_hash(&[("X-Duo-Header-1", "header_value_1")]), "630b4bfe7e9abd03da2eee8f0a5d4e60a254ec880a839bcc2223bb5b9443e8ef24d58f0254f1f5934bf8c017ebd0fd5b1acf86766bdbe74185e712a4092df3ed");
        assert_eq!(x_duo_headers_hash(&[("x-duo-A", "header_value_1"), ("X-Duo-B", "header_value_2")]), "60be11a30e0756f2ee2afdce1db849b987dcf86c1133394bd7bbbc9877920330c4d78aceacbb377ab8cbd9a8efe6a410fed4047376635ac71226ab46ca10d2b1");
    }

    #[test]
    fn json_bodies_are_sorted_and_compact() {
        assert_eq!(json_body(&[("b", "2"), ("a", "1")]), r#"{"a":"1","b":"2"}"#);
    }
}
