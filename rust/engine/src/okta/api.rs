//! Calls to the Okta management API: the credential in `Authorization` (marked
//! sensitive), bounded answers read by the strict JSON reader, Okta's rate-limit headers
//! honoured (`X-Rate-Limit-Remaining: 0` holds the next call until `X-Rate-Limit-Reset`),
//! and retries of 429 (after `Retry-After` or the reset, never sooner than a second) and,
//! for calls that change nothing, of server errors and transport failures. A call that
//! starts a push (`verify`) is retried only when Okta refused it (429) or it never left.

use crate::json::StrictValue;
use crate::outcome::FailureKind;
use crate::redact::Redactor;
use crate::transport::retry::{self, Failed, Policy, RateHold};
use crate::transport::{classify, read_limited, TransportError};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, Url};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Okta's retries (the engine's one policy, `crate::transport::retry`): 6 of a 429 or
/// 5xx, 2 of a transport failure (a down server is told quickly), backoff up to 32 s.
const POLICY: Policy = Policy {
    max_busy_retries: 6,
    max_transport_retries: 2,
    max_doublings: 5,
};
/// The longest wait a rate-limit header or `Retry-After` can ask for (Okta's windows are
/// one minute); the request's own deadline still bounds everything.
const MAX_RATE_WAIT: Duration = Duration::from_secs(60);
/// The least wait after a 429, whatever the server says.
const MIN_RATE_WAIT: Duration = Duration::from_secs(1);

/// How a call may be retried: `Safe` (GET), `OnlyIfRefused` (verify starts a push: a 429,
/// Okta refused it, or a call that never left); the withdraw is `Withdraw`.
pub use crate::transport::retry::Class as Retry;

pub use super::error::CallError;

/// A successful answer: its HTTP status and its JSON (`Null` for an empty body).
#[derive(Debug)]
pub struct Answer {
    /// 200, 201, 204 ...
    pub status: u16,
    /// The document.
    pub json: StrictValue,
}

/// One failed attempt, with what a retry should wait.
type Failure = Failed<CallError>;

/// The HTTP side of the Okta provider.
pub struct Api {
    http: reqwest::Client,
    origin: Url,
    authorization: super::auth::Credential,
    timeout: Duration,
    redactor: Arc<Redactor>,
    /// No call but a withdraw before the reset (`X-Rate-Limit-Remaining: 0`).
    hold: RateHold,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("origin", &self.origin.as_str())
            .finish_non_exhaustive()
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// How long the rate-limit headers ask the next call to wait: when no call is left in the
/// window, until `X-Rate-Limit-Reset` (seconds since 1970, measured against the answer's
/// `Date` when it has one, so a skewed clock does not matter), at most [`MAX_RATE_WAIT`].
pub fn rate_limit_wait(headers: &HeaderMap, local_now: i64) -> Option<Duration> {
    let remaining = header(headers, "x-rate-limit-remaining")?
        .parse::<u64>()
        .ok()?;
    if remaining > 0 {
        return None;
    }
    reset_wait(headers, local_now)
}

fn reset_wait(headers: &HeaderMap, local_now: i64) -> Option<Duration> {
    let reset = header(headers, "x-rate-limit-reset")?.parse::<i64>().ok()?;
    let now = header(headers, "date")
        .and_then(mfa_protocol::time::parse_rfc2822)
        .unwrap_or(local_now);
    let seconds = reset
        .saturating_sub(now)
        .clamp(0, MAX_RATE_WAIT.as_secs() as i64);
    Some(Duration::from_secs(seconds as u64))
}

/// What a 429 asks for: `Retry-After` seconds, else the rate-limit reset; at least
/// [`MIN_RATE_WAIT`], at most [`MAX_RATE_WAIT`]. `None` when the answer says neither.
pub fn busy_wait(headers: &HeaderMap, local_now: i64) -> Option<Duration> {
    let asked = header(headers, "retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs)
        .or_else(|| reset_wait(headers, local_now))?;
    Some(asked.clamp(MIN_RATE_WAIT, MAX_RATE_WAIT))
}

impl Api {
    /// A client for the org at `origin`.
    pub fn new(
        http: reqwest::Client,
        origin: Url,
        authorization: super::auth::Credential,
        timeout: Duration,
        redactor: Arc<Redactor>,
    ) -> Self {
        Self {
            http,
            origin,
            authorization,
            timeout,
            redactor,
            hold: RateHold::default(),
        }
    }

    /// Server text fit for a message: the access token and every secret removed, bounded.
    pub fn server_text(&self, raw: &str, max_chars: usize) -> String {
        self.redactor
            .server_text_within(&self.authorization.scrub(raw), max_chars)
    }

    /// The org URL with `path` (already percent-encoded where it carries data).
    pub fn url(&self, path: &str) -> Url {
        let mut url = self.origin.clone();
        url.set_path(path);
        url
    }

    /// Whether `url` is on the org's own origin (scheme, host and port) with no user
    /// information, query or fragment.
    pub fn is_own(&self, url: &Url) -> bool {
        url.origin() == self.origin.origin()
            && url.username().is_empty()
            && url.password().is_none()
            && url.query().is_none()
            && url.fragment().is_none()
    }

    /// A call; `body` is a JSON document (POST). Returns the 2xx answer. Retried as the
    /// engine's one policy says for `retry`, behind the rate-limit hold.
    pub async fn call(
        &self,
        method: Method,
        url: &Url,
        body: Option<&str>,
        retry: Retry,
        op: &'static str,
    ) -> Result<Answer, CallError> {
        retry::call(&POLICY, retry, Some(&self.hold), || {
            self.once(method.clone(), url, body, op)
        })
        .await
    }

    /// Withdraws a push (`DELETE` of its transaction): never held behind the rate-limit hold
    /// meant for new work (a push left on a phone is worse than one call over the limit). A
    /// 429, a 5xx or a transport failure is retried after a short wait (at most a second:
    /// the caller bounds the whole withdraw). `Ok` only for Okta's 2xx.
    pub async fn withdraw(&self, url: &Url) -> Result<(), CallError> {
        retry::call(&POLICY, Retry::Withdraw, Some(&self.hold), || {
            self.once(Method::DELETE, url, None, "cancel")
        })
        .await
        .map(|_| ())
    }

    fn note_rate_limit(&self, headers: &HeaderMap) {
        self.hold.note(rate_limit_wait(headers, now_unix()));
    }

    /// One attempt.
    async fn once(
        &self,
        method: Method,
        url: &Url,
        body: Option<&str>,
        op: &'static str,
    ) -> Result<Answer, Failure> {
        let failure = |error: CallError| {
            let kind = error.kind();
            Failure::of(error, kind)
        };
        let mut value = self
            .authorization
            .header(&self.http, &self.origin, self.timeout, &self.redactor)
            .await
            .map_err(failure)?;
        value.set_sensitive(true);
        let mut request = self
            .http
            .request(method, url.clone())
            .header(AUTHORIZATION, value)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(b) = body {
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(b.to_owned());
        }
        let response = request.send().await.map_err(|e| {
            failure(
                from_transport(classify(&e, self.timeout, &self.redactor), op)
                    .with_source(e.without_url()),
            )
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.note_rate_limit(&headers);
        let bytes = read_limited(response, self.timeout, &self.redactor)
            .await
            .map_err(|e| failure(from_transport(e, op)))?;
        if (200..300).contains(&status) {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Answer {
                    status,
                    json: StrictValue::Null,
                });
            }
            return StrictValue::parse(&bytes)
                .map(|json| Answer { status, json })
                .map_err(|e| {
                    failure(CallError::new(
                        FailureKind::Protocol,
                        format!("{op}: {e}; not an approval"),
                    ))
                });
        }
        let (code, summary) = error_detail(&bytes);
        let code = self
            .redactor
            .server_text_within(&self.authorization.scrub(&code), 20);
        let summary = self
            .redactor
            .server_text_within(&self.authorization.scrub(summary.trim()), 200);
        let kind = retry::status_kind(status);
        let wait = if status == 429 {
            Some(busy_wait(&headers, now_unix()).unwrap_or(MIN_RATE_WAIT))
        } else {
            None
        };
        let detail = match (code.is_empty(), summary.is_empty()) {
            (true, true) => String::new(),
            (false, true) => format!(" ({code})"),
            (true, false) => format!(" ({summary})"),
            (false, false) => format!(" ({code}: {summary})"),
        };
        // A refusal names the credential in use, not both kinds Okta takes.
        let next = if kind == FailureKind::Authentication {
            format!(
                ". {}{}",
                crate::next_step::MARKER,
                self.authorization.refused_next_step()
            )
        } else {
            String::new()
        };
        Err(Failure {
            error: CallError::new(kind, format!("{op}: HTTP {status}{detail}{next}"))
                .with_status(status),
            kind,
            status: Some(status),
            wait,
        })
    }
}

/// Okta's error fields (`errorCode`, `errorSummary`) of a non-2xx answer read strictly, as
/// raw server text (redacted by the caller); empty when unreadable.
fn error_detail(bytes: &[u8]) -> (String, String) {
    let Ok(doc) = StrictValue::parse_object(bytes) else {
        return (String::new(), String::new());
    };
    let code = doc.opt_str("errorCode").ok().flatten().unwrap_or_default();
    let summary = doc
        .opt_str("errorSummary")
        .ok()
        .flatten()
        .unwrap_or_default();
    (code.to_owned(), summary.to_owned())
}

fn from_transport(e: TransportError, op: &str) -> CallError {
    CallError::new(e.kind, format!("{op}: {}", e.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn rate_limit_headers_hold_only_an_exhausted_window_and_never_past_a_minute() {
        let now = 1_700_000_000;
        let reset = |s: i64| (now + s).to_string();
        assert_eq!(
            rate_limit_wait(
                &headers(&[
                    ("x-rate-limit-remaining", "5"),
                    ("x-rate-limit-reset", &reset(9))
                ]),
                now
            ),
            None
        );
        assert_eq!(
            rate_limit_wait(
                &headers(&[
                    ("x-rate-limit-remaining", "0"),
                    ("x-rate-limit-reset", &reset(9))
                ]),
                now
            ),
            Some(Duration::from_secs(9))
        );
        for far in [i64::MAX, now * 4, now + 86_400] {
            let h = headers(&[
                ("x-rate-limit-remaining", "0"),
                ("x-rate-limit-reset", &far.to_string()),
            ]);
            assert_eq!(rate_limit_wait(&h, now), Some(MAX_RATE_WAIT), "{far}");
        }
        let past = headers(&[
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", "-5"),
        ]);
        assert_eq!(rate_limit_wait(&past, now), Some(Duration::ZERO));
        let junk = headers(&[
            ("x-rate-limit-remaining", "-1"),
            ("x-rate-limit-reset", "soon"),
        ]);
        assert_eq!(rate_limit_wait(&junk, now), None);
    }

    #[test]
    fn the_reset_is_measured_against_the_servers_date() {
        let server_now = 1_700_000_000;
        let h = headers(&[
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", &(server_now + 7).to_string()),
            ("date", &mfa_protocol::time::rfc2822(server_now)),
        ]);
        // The local clock is an hour behind; the wait is still the server's 7 s.
        assert_eq!(
            rate_limit_wait(&h, server_now - 3600),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn a_429_waits_at_least_a_second_and_at_most_a_minute() {
        let now = 1_700_000_000;
        for (after, expect) in [("0", 1), ("3", 3), ("999999999999", 60)] {
            assert_eq!(
                busy_wait(&headers(&[("retry-after", after)]), now),
                Some(Duration::from_secs(expect)),
                "{after}"
            );
        }
        assert_eq!(busy_wait(&headers(&[("retry-after", "-3")]), now), None);
        assert_eq!(busy_wait(&headers(&[]), now), None);
    }
}
