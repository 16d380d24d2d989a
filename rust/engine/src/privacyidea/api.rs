//! Calls to privacyIDEA's REST API: form-encoded parameters (the query of a GET, the body of
//! a POST), a fresh random `nonce` with every call, the service account's token in
//! `PI-Authorization` (marked sensitive), answers read bounded and by the strict JSON reader,
//! and, with the response signing key pinned, every 2xx answer's signature checked over the
//! exact bytes received and its `nonce` required to be this call's (so a signed answer to
//! another request, another transaction's ACCEPT included, cannot be replayed).
//!
//! privacyIDEA's envelope: `{"result": {"status": true, "value": …}, "detail": …}`, or
//! `"status": false` with `"error": {"code": N, "message": "…"}` (usually with HTTP 400, 401
//! or 403). Calls that change nothing are retried after a transport failure, a 5xx or a 429;
//! a call that starts a push (`triggerchallenge`) or consumes one (`check`) only when it
//! never left (connect or DNS failure) or was refused with 429.

use super::decide::Unread;
use super::signature::SigningKey;
use crate::json::StrictValue;
use crate::outcome::FailureKind;
use crate::redact::Redactor;
use crate::transport::retry::{self, Failed, Policy};
use crate::transport::{classify, read_limited, TransportError};
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Url};
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// privacyIDEA's retries (the engine's one policy, `crate::transport::retry`): 4 of a 429
/// or 5xx, 2 of a transport failure, backoff 1 s to 8 s.
const POLICY: Policy = Policy {
    max_busy_retries: 4,
    max_transport_retries: 2,
    max_doublings: 3,
};

/// How a call may be retried: `Safe` (`/auth`, polls, listings), `OnlyIfRefused` (starts or
/// consumes a push: only a 429 or a call that never left), `Withdraw` (cancelchallenge).
pub use crate::transport::retry::Class as Retry;

/// A failed call: the engine's one error type (kind, message already redacted and
/// bounded, HTTP status and provider code when the server answered).
pub use crate::error::Error as CallError;

/// A successful answer (`result.status` true): the whole document.
#[derive(Debug)]
pub struct Answer {
    /// The document, read strictly.
    pub doc: StrictValue,
}

impl Answer {
    /// `result` (an object: checked when the answer was read).
    pub fn result(&self) -> &StrictValue {
        self.doc.get("result").unwrap_or(&StrictValue::Null)
    }
}

/// The HTTP side of the privacyIDEA provider.
pub struct Api {
    http: reqwest::Client,
    base: Url,
    /// The base URL's path without its trailing `/` (empty at the root).
    prefix: String,
    timeout: Duration,
    redactor: Arc<Redactor>,
    key: Option<SigningKey>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("base", &self.base.as_str())
            .field("signed", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

/// `params` as `application/x-www-form-urlencoded`, written straight into zeroized memory
/// (the service account's password travels this way): every byte but `A-Za-z0-9-._~`
/// percent-encoded.
pub fn form(params: &[(&str, &str)]) -> Zeroizing<String> {
    let len: usize = params
        .iter()
        .map(|(k, v)| 3 * (k.len() + v.len()) + 2)
        .sum();
    let mut out = Zeroizing::new(String::with_capacity(len));
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        for (j, part) in [k, v].into_iter().enumerate() {
            if j == 1 {
                out.push('=');
            }
            for b in part.bytes() {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                    out.push(b as char);
                } else {
                    const HEX: &[u8; 16] = b"0123456789ABCDEF";
                    out.push('%');
                    out.push(HEX[usize::from(b >> 4)] as char);
                    out.push(HEX[usize::from(b & 15)] as char);
                }
            }
        }
    }
    out
}

/// A fresh random nonce (40 hex digits).
fn nonce() -> Result<String, CallError> {
    let mut bytes = [0u8; 20];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| CallError::new(FailureKind::Internal, "no random numbers"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn from_transport(e: TransportError, op: &str) -> CallError {
    CallError::new(e.kind, format!("{op}: {}", e.message))
}

/// One failed attempt, and whether a retry may help.
type Failure = Failed<CallError>;

impl Api {
    /// A client for the server at `base` (its path, if any, is the prefix of every call).
    pub fn new(
        http: reqwest::Client,
        mut base: Url,
        timeout: Duration,
        redactor: Arc<Redactor>,
        key: Option<SigningKey>,
    ) -> Self {
        let prefix = base.path().trim_end_matches('/').to_owned();
        base.set_query(None);
        base.set_fragment(None);
        Self {
            http,
            base,
            prefix,
            timeout,
            redactor,
            key,
        }
    }

    /// Server text fit for a message: `token` and every secret removed, then bounded.
    pub fn server_text(&self, raw: &str, token: Option<&str>, max_chars: usize) -> String {
        let raw = match token {
            Some(t) if !t.is_empty() => raw.replace(t, crate::redact::REDACTED),
            _ => raw.to_owned(),
        };
        self.redactor.server_text_within(&raw, max_chars)
    }

    /// The URL of `path` (e.g. `/validate/check`) under the base URL; `segment`, when
    /// given, is appended as one percent-encoded path segment.
    pub fn url(&self, path: &str, segment: Option<&str>) -> Url {
        let mut url = self.base.clone();
        let mut full = format!("{}{path}", self.prefix);
        if let Some(s) = segment {
            full.push('/');
            for b in s.bytes() {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                    full.push(b as char);
                } else {
                    full.push_str(&format!("%{b:02X}"));
                }
            }
        }
        url.set_path(&full);
        url
    }

    /// A call with `params`; `token` is the service account's token for calls that need
    /// it. Returns the answer when privacyIDEA said `status: true`.
    pub async fn call(
        &self,
        method: Method,
        url: &Url,
        params: &[(&str, &str)],
        token: Option<&str>,
        retry: Retry,
        op: &'static str,
    ) -> Result<Answer, CallError> {
        // `/user/` reads every parameter as a user attribute to search for: no nonce there.
        let with_nonce = !url.path().ends_with("/user/");
        retry::call(&POLICY, retry, None, || {
            self.once(method.clone(), url, params, token, with_nonce, op)
        })
        .await
    }

    async fn once(
        &self,
        method: Method,
        url: &Url,
        params: &[(&str, &str)],
        token: Option<&str>,
        with_nonce: bool,
        op: &'static str,
    ) -> Result<Answer, Failure> {
        let fail = |error: CallError| {
            let kind = error.kind();
            Failure::of(error, kind)
        };
        let nonce = if with_nonce {
            Some(nonce().map_err(fail)?)
        } else {
            None
        };
        let mut all: Vec<(&str, &str)> = params.to_vec();
        if let Some(n) = &nonce {
            all.push(("nonce", n));
        }
        let body = form(&all);
        let mut request = if method == Method::GET || method == Method::DELETE {
            let mut url = url.clone();
            url.set_query(Some(&body));
            self.http.request(method, url)
        } else {
            self.http
                .request(method, url.clone())
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                )
                .body(body.as_bytes().to_vec())
        };
        request = request.header(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(t) = token {
            let mut value = HeaderValue::from_str(t).map_err(|_| {
                fail(CallError::new(
                    FailureKind::Protocol,
                    "the service account's token is not a usable header value",
                ))
            })?;
            value.set_sensitive(true);
            request = request.header("PI-Authorization", value);
        }
        let response = request.send().await.map_err(|e| {
            fail(
                from_transport(classify(&e, self.timeout, &self.redactor), op)
                    .with_source(e.without_url()),
            )
        })?;
        let status = response.status().as_u16();
        let bytes = read_limited(response, self.timeout, &self.redactor)
            .await
            .map_err(|e| fail(from_transport(e, op)))?;
        if !(200..300).contains(&status) {
            return Err(self.http_error(status, &bytes, token, op));
        }
        match super::decide::read_answer(&bytes, nonce.as_deref(), self.key.as_ref()) {
            Ok(doc) => Ok(Answer { doc }),
            Err(Unread::Refused(why)) => Err(fail(CallError::new(
                FailureKind::Protocol,
                format!("{op}: {why}; not an approval"),
            ))),
            Err(Unread::Error(code, message)) => {
                let message = self.server_text(&message, token, 200);
                Err(fail(
                    CallError::new(
                        FailureKind::Provider,
                        Self::describe(status, code, &message, op),
                    )
                    .with_status(status)
                    .with_code(code),
                ))
            }
        }
    }

    fn describe(status: u16, code: Option<i64>, message: &str, op: &str) -> String {
        match (code, message.is_empty()) {
            (Some(c), false) => format!("{op}: HTTP {status}, privacyIDEA error {c}: {message}"),
            (Some(c), true) => format!("{op}: HTTP {status}, privacyIDEA error {c}"),
            (None, false) => format!("{op}: HTTP {status} ({message})"),
            (None, true) => format!("{op}: HTTP {status}"),
        }
    }

    /// A non-2xx answer (its text only explains: it is never read as an answer, signed or not).
    fn http_error(&self, status: u16, bytes: &[u8], token: Option<&str>, op: &str) -> Failure {
        let (code, message) = match StrictValue::parse_object(bytes) {
            Ok(doc) => super::decide::error_of(&doc),
            Err(_) => (None, String::new()),
        };
        let message = self.server_text(&message, token, 200);
        let kind = match status {
            // privacyIDEA answers a refused parameter (an unknown user or realm) with 400.
            400 if code.is_some() => FailureKind::Provider,
            _ => retry::status_kind(status),
        };
        Failure {
            error: CallError::new(kind, Self::describe(status, code, &message, op))
                .with_status(status)
                .with_code(code),
            kind,
            status: Some(status),
            wait: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(base: &str) -> Api {
        Api::new(
            reqwest::Client::new(),
            Url::parse(base).unwrap(),
            Duration::from_secs(1),
            Arc::default(),
            None,
        )
    }

    #[test]
    fn paths_go_under_the_base_url_once() {
        assert_eq!(
            api("https://pi.contoso.com").url("/auth", None).as_str(),
            "https://pi.contoso.com/auth"
        );
        assert_eq!(
            api("https://pi.contoso.com/")
                .url("/validate/check", None)
                .as_str(),
            "https://pi.contoso.com/validate/check"
        );
        assert_eq!(
            api("https://pi.contoso.com/pi/")
                .url("/auth", None)
                .as_str(),
            "https://pi.contoso.com/pi/auth"
        );
        assert_eq!(
            api("https://pi.contoso.com/pi")
                .url("/token/challenges/transaction", Some("12/../x?y"))
                .as_str(),
            "https://pi.contoso.com/pi/token/challenges/transaction/12%2F..%2Fx%3Fy"
        );
    }

    #[test]
    fn forms_encode_every_reserved_byte() {
        let f = form(&[("user", "a b&c=d+é"), ("pass", ""), ("realm", "x.y-z_~")]);
        assert_eq!(
            f.as_str(),
            "user=a%20b%26c%3Dd%2B%C3%A9&pass=&realm=x.y-z_~"
        );
    }
}
