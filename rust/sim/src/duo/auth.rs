//! The simulator's side of Duo request signing: it checks a request the way Duo does
//! (integration key, `Date` within the skew window, v5 or v2 signature over the request as
//! received) and answers 401 with Duo's codes. It uses the engine's signing functions;
//! Duo's official client signing against it is what keeps both honest.

use mfa_protocol::duo::{self as sign, SignatureVersion};
use serde_json::Value;

/// How far a request's `Date` may be from the simulator's clock (seconds).
pub const SKEW_WINDOW: i64 = 300;

/// A refused request: HTTP 401 with Duo's error code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 40101, 40102, 40103 or 40105.
    pub code: u32,
    /// Duo's message.
    pub message: &'static str,
}

const MISSING: Refusal = Refusal {
    code: 40101,
    message: "Missing request credentials",
};
const BAD_IKEY: Refusal = Refusal {
    code: 40102,
    message: "Invalid integration key in request credentials",
};
const BAD_SIGNATURE: Refusal = Refusal {
    code: 40103,
    message: "Invalid signature in request credentials",
};
const BAD_DATE: Refusal = Refusal {
    code: 40105,
    message: "Bad request timestamp",
};

/// A request as the checker needs it.
pub struct Signed<'a> {
    /// `Authorization` header value.
    pub authorization: Option<&'a str>,
    /// `Date` or `X-Duo-Date` header value.
    pub date: Option<&'a str>,
    /// Method, upper-case.
    pub method: &'a str,
    /// `Host` without the port, lower-case.
    pub host: &'a str,
    /// The path.
    pub path: &'a str,
    /// Query parameters, decoded.
    pub query: &'a [(String, String)],
    /// The body as received.
    pub body: &'a [u8],
    /// The body's parameters, decoded (form or JSON).
    pub body_params: &'a [(String, String)],
    /// `X-Duo-*` headers (name, value).
    pub x_duo: &'a [(String, String)],
}

fn pairs(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Checks the request; `Ok(version)` names the signature version it used.
pub fn check(
    req: &Signed<'_>,
    ikey: &str,
    skey: &str,
    now: i64,
) -> Result<SignatureVersion, Refusal> {
    use base64::Engine as _;
    let header = req.authorization.ok_or(MISSING)?;
    let encoded = header.strip_prefix("Basic ").ok_or(MISSING)?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| MISSING)?;
    let decoded = String::from_utf8(decoded).map_err(|_| MISSING)?;
    let (got_ikey, signature) = decoded.split_once(':').ok_or(MISSING)?;
    if got_ikey != ikey {
        return Err(BAD_IKEY);
    }
    let date = req.date.ok_or(MISSING)?;
    let when = mfa_protocol::time::parse_rfc2822(date).ok_or(BAD_DATE)?;
    if (when - now).abs() > SKEW_WINDOW {
        return Err(BAD_DATE);
    }
    let query = sign::encode_params(&pairs(req.query));
    let x_duo = pairs(req.x_duo);
    let v5 = sign::canonical_v5(
        date, req.method, req.host, req.path, &query, req.body, &x_duo,
    );
    if sign::verify(skey.as_bytes(), &v5, SignatureVersion::V5, signature) {
        return Ok(SignatureVersion::V5);
    }
    let v2_params = if req.method == "GET" {
        query
    } else {
        sign::encode_params(&pairs(req.body_params))
    };
    let v2 = sign::canonical_v2(date, req.method, req.host, req.path, &v2_params);
    for version in [SignatureVersion::V2Sha512, SignatureVersion::V2Sha1] {
        if sign::verify(skey.as_bytes(), &v2, version, signature) {
            return Ok(version);
        }
    }
    Err(BAD_SIGNATURE)
}

/// Percent-decodes a query or form component; `+` is a space (form encoding, as Python's
/// `urlencode` sends; Duo's own encoding writes `%20` and `%2B`).
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `k=v&...` into decoded pairs.
pub fn parse_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// A JSON object's members as string pairs (numbers and booleans as their text).
pub fn json_pairs(body: &[u8]) -> Option<Vec<(String, String)>> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let map = v.as_object()?;
    Some(
        map.iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_check(date: &str, ikey: &str, skey_used: &str) -> Result<SignatureVersion, Refusal> {
        let canonical =
            sign::canonical_v5(date, "GET", "localhost", "/auth/v2/check", "", b"", &[]);
        let header = sign::authorization(
            ikey,
            &sign::signature(skey_used.as_bytes(), &canonical, SignatureVersion::V5),
        );
        let req = Signed {
            authorization: Some(&header),
            date: Some(date),
            method: "GET",
            host: "localhost",
            path: "/auth/v2/check",
            query: &[],
            body: b"",
            body_params: &[],
            x_duo: &[],
        };
        check(&req, "DIKEY", "secret", 1_700_000_000)
    }

    #[test]
    fn refusals_carry_duos_codes() {
        let now = mfa_protocol::time::rfc2822(1_700_000_000);
        assert_eq!(
            signed_check(&now, "DIKEY", "secret"),
            Ok(SignatureVersion::V5)
        );
        assert_eq!(
            signed_check(&now, "DIKEY", "wrong").unwrap_err().code,
            40103
        );
        assert_eq!(
            signed_check(&now, "DIOTHER", "secret").unwrap_err().code,
            40102
        );
        let stale = mfa_protocol::time::rfc2822(1_700_000_000 - SKEW_WINDOW - 1);
        assert_eq!(
            signed_check(&stale, "DIKEY", "secret").unwrap_err().code,
            40105
        );
        let edge = mfa_protocol::time::rfc2822(1_700_000_000 + SKEW_WINDOW);
        assert!(signed_check(&edge, "DIKEY", "secret").is_ok());
        assert_eq!(
            signed_check("yesterday", "DIKEY", "secret")
                .unwrap_err()
                .code,
            40105
        );
        let req = Signed {
            authorization: None,
            date: Some(&now),
            method: "GET",
            host: "h",
            path: "/",
            query: &[],
            body: b"",
            body_params: &[],
            x_duo: &[],
        };
        assert_eq!(
            check(&req, "DIKEY", "secret", 1_700_000_000)
                .unwrap_err()
                .code,
            40101
        );
    }

    #[test]
    fn decodes_what_duo_encodes() {
        assert_eq!(decode("H%20ell%3Fo"), "H ell?o");
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(
            parse_pairs("a=1&b=H%20i"),
            vec![("a".into(), "1".into()), ("b".into(), "H i".into())]
        );
    }
}
