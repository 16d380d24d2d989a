//! Signed calls to the Duo Auth API: the `Date` (corrected by the skew `/ping` measured),
//! the v5 or v2 canonical form, bounded JSON answers, and retries of rate limits and
//! server errors with exponential backoff and jitter (honouring `Retry-After`). A call
//! that may have started a push (`auth`) is retried only when it provably never left.

use super::sign::{self, SignatureVersion};
use crate::json::StrictValue;
use crate::outcome::FailureKind;
use crate::redact::Redactor;
use crate::transport::retry::{self, Failed, Policy};
use crate::transport::{classify, read_limited, TransportError};
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// Duo's retries (the engine's one policy, `crate::transport::retry`): 6 of a 429 or 5xx,
/// 2 of a transport failure, backoff doubling from 1 s up to 32 s as Duo's clients do.
const POLICY: Policy = Policy {
    max_busy_retries: 6,
    max_transport_retries: 2,
    max_doublings: 5,
};

/// How a call may be retried: `Safe` (ping, check, preauth, auth_status: idempotent) or
/// `OnlyIfNeverSent` (auth starts a push: only when the request never left).
pub use crate::transport::retry::Class as Retry;

/// A failed call: the engine's one error type (kind, message already redacted and
/// bounded, HTTP status and provider code when the server answered).
pub use crate::error::Error as CallError;

/// One failed attempt: the error, Duo's HTTP status (429 or 5xx: busy) and the wait its
/// `Retry-After` asked for, if any.
type Failure = Failed<CallError>;

fn failure(error: CallError) -> Failure {
    let kind = error.kind();
    Failure::of(error, kind)
}

/// The signed HTTP side of the Duo provider.
pub struct Api {
    http: reqwest::Client,
    base: reqwest::Url,
    signed_host: String,
    integration_key: String,
    secret_key: Zeroizing<String>,
    version: SignatureVersion,
    timeout: Duration,
    /// Server time minus local time, seconds (from `/ping`).
    skew: AtomicI64,
    /// `/ping` has measured the skew at least once.
    skew_known: AtomicBool,
    redactor: Arc<Redactor>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("base", &self.base.as_str())
            .field("integration_key", &self.integration_key)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Api {
    /// A signed client for `base` (the API host URL).
    pub fn new(
        http: reqwest::Client,
        base: reqwest::Url,
        integration_key: String,
        secret_key: Zeroizing<String>,
        version: SignatureVersion,
        timeout: Duration,
        redactor: Arc<Redactor>,
    ) -> Self {
        // duo_client signs the host as configured, without a port.
        let signed_host = base.host_str().unwrap_or_default().to_ascii_lowercase();
        Self {
            http,
            base,
            signed_host,
            integration_key,
            secret_key,
            version,
            timeout,
            skew: AtomicI64::new(0),
            skew_known: AtomicBool::new(false),
            redactor,
        }
    }

    /// The skew `/ping` measured (server minus local, seconds).
    pub fn skew_seconds(&self) -> i64 {
        self.skew.load(Ordering::Relaxed)
    }

    /// `GET /auth/v2/ping` (unsigned): records the clock skew; returns the server time.
    pub async fn ping(&self) -> Result<i64, CallError> {
        let response = self
            .call("GET", "/auth/v2/ping", &[], false, Retry::Safe)
            .await?;
        let time = response
            .i64_field("time")
            .map_err(|e| CallError::new(FailureKind::Protocol, format!("ping: {e}")))?;
        // A server clock a year off is broken or hostile: keep the arithmetic bounded (a
        // wrong Date only gets requests refused).
        const YEAR: i64 = 366 * 86_400;
        self.skew.store(
            time.saturating_sub(now_unix()).clamp(-YEAR, YEAR),
            Ordering::Relaxed,
        );
        self.skew_known.store(true, Ordering::Relaxed);
        Ok(time)
    }

    /// Pings once per client (the skew then corrects every `Date`); later calls are free.
    /// Returns the number of HTTP calls made (0 or 1).
    pub async fn ensure_skew(&self) -> Result<u32, CallError> {
        if self.skew_known.load(Ordering::Relaxed) {
            return Ok(0);
        }
        self.ping().await.map(|_| 1)
    }

    /// A call; `params` go in the query (GET) or the body (POST). Returns `response`.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        params: &[(&str, &str)],
        signed: bool,
        retry: Retry,
    ) -> Result<StrictValue, CallError> {
        retry::call(&POLICY, retry, None, || {
            self.once(method, path, params, signed)
        })
        .await
    }

    /// One attempt.
    async fn once(
        &self,
        method: &str,
        path: &str,
        params: &[(&str, &str)],
        signed: bool,
    ) -> Result<StrictValue, Failure> {
        let date = mfa_protocol::time::rfc2822(now_unix() + self.skew_seconds());
        let encoded = sign::encode_params(params);
        let mut url = self.base.clone();
        url.set_path(path);
        let post = method == "POST";
        let (body, content_type): (Vec<u8>, Option<&str>) = match (post, self.version) {
            (false, _) => (Vec::new(), None),
            (true, SignatureVersion::V5) => (
                sign::json_body(params).into_bytes(),
                Some("application/json"),
            ),
            (true, _) => (
                encoded.clone().into_bytes(),
                Some("application/x-www-form-urlencoded"),
            ),
        };
        if !post && !encoded.is_empty() {
            url.set_query(Some(&encoded));
        }
        let mut request = if post {
            self.http.post(url)
        } else {
            self.http.get(url)
        };
        if let Some(ct) = content_type {
            request = request.header(CONTENT_TYPE, ct);
        }
        if signed {
            let canonical = match self.version {
                SignatureVersion::V5 => sign::canonical_v5(
                    &date,
                    method,
                    &self.signed_host,
                    path,
                    if post { "" } else { &encoded },
                    &body,
                    &[],
                ),
                _ => sign::canonical_v2(&date, method, &self.signed_host, path, &encoded),
            };
            let signature = Zeroizing::new(sign::signature(
                self.secret_key.as_bytes(),
                &canonical,
                self.version,
            ));
            let header = Zeroizing::new(sign::authorization(&self.integration_key, &signature));
            let mut value = HeaderValue::from_str(&header).map_err(|_| {
                failure(CallError::new(
                    FailureKind::Internal,
                    "cannot build the Authorization header",
                ))
            })?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value).header("Date", date);
        }
        let response = request.body(body).send().await.map_err(|e| {
            failure(
                from_transport(classify(&e, self.timeout, &self.redactor), path)
                    .with_source(e.without_url()),
            )
        })?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s.min(300)));
        let bytes = read_limited(response, self.timeout, &self.redactor)
            .await
            .map_err(|e| failure(from_transport(e, path)))?;
        let op = path.rsplit('/').next().unwrap_or(path);
        if status == 200 {
            return read_ok(&bytes).map_err(|message| {
                failure(CallError::new(
                    FailureKind::Protocol,
                    format!("{op}: {message}; not an approval"),
                ))
            });
        }
        let detail = error_detail(&bytes);
        let detail = self.redactor.server_text_within(detail.trim(), 200);
        // 40105: the request's Date is outside Duo's window of 5 minutes (the code leads the detail).
        let clock = status == 401 && detail.split(' ').next() == Some("40105");
        let kind = retry::status_kind(status);
        Err(Failure {
            error: CallError::new(
                kind,
                format!(
                    "{op}: HTTP {status}{}{}",
                    if detail.is_empty() {
                        String::new()
                    } else {
                        format!(" ({detail})")
                    },
                    if clock {
                        format!(". {}this machine's clock and Duo's differ by more than 5 minutes: synchronise it (w32tm /resync on Windows, or NTP), then try again.", crate::next_step::MARKER)
                    } else {
                        String::new()
                    }
                ),
            ),
            kind,
            status: Some(status),
            wait: retry_after,
        })
    }
}

/// A `200` answer: exactly one strict JSON document `{"stat":"OK","response":{...}}`;
/// returns `response`. Anything else (a parse refusal, another `stat`, no object) is a
/// sentence for a `protocol` failure.
pub fn read_ok(bytes: &[u8]) -> Result<StrictValue, String> {
    let doc = StrictValue::parse_object(bytes).map_err(|e| e.to_string())?;
    match doc.str_field("stat") {
        Ok("OK") => {}
        Ok(_) => return Err("the answer is not a Duo OK document (stat is not OK)".into()),
        Err(e) => return Err(format!("the answer is not a Duo OK document ({e})")),
    }
    doc.object_field("response")
        .cloned()
        .map_err(|e| format!("the answer has no response object ({e})"))
}

/// Duo's error fields (`code`, `message`, `message_detail`) of a non-200 answer read
/// strictly, as raw server text (redacted by the caller); empty when unreadable.
fn error_detail(bytes: &[u8]) -> String {
    let Ok(doc) = StrictValue::parse_object(bytes) else {
        return String::new();
    };
    let code = match doc.get("code") {
        Some(StrictValue::Int(i)) => i.to_string(),
        Some(StrictValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    let message = doc.opt_str("message").ok().flatten().unwrap_or_default();
    let more = doc
        .opt_str("message_detail")
        .ok()
        .flatten()
        .unwrap_or_default();
    format!("{code} {message} {more}")
}

fn from_transport(e: TransportError, path: &str) -> CallError {
    let op = path.rsplit('/').next().unwrap_or(path);
    CallError::new(e.kind, format!("{op}: {}", e.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_32_s() {
        for (attempt, secs) in [(0, 1), (1, 2), (4, 16), (5, 32), (9, 32)] {
            let d = POLICY.backoff(attempt);
            assert!(
                d >= Duration::from_secs(secs) && d < Duration::from_secs(secs + 1),
                "{attempt}: {d:?}"
            );
        }
    }
}
