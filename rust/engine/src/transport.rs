//! One reusable HTTP client per configuration (connection pool, TLS settings), the SOAP
//! POST, and caller authentication.
//!
//! Caller authentication is an enum so that Windows authentication (NTLM/Negotiate)
//! can join HTTP Basic later as another challenge-answering variant; client
//! certificates live in the TLS layer ([`crate::tls`]).

use crate::check::ConfigError;
use crate::config::{BasicMode, ClientConfig, Secrets};
use crate::outcome::FailureKind;
use crate::redact::Redactor;
use crate::soap;
use base64::Engine as _;
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

pub mod retry;

use mfa_protocol::limits::MAX_BODY_BYTES;

/// Longest transport error chain kept in a message.
const MAX_ERROR_CHARS: usize = 600;

/// How the caller proves who it is at the HTTP layer.
enum CallerAuth {
    /// No HTTP authentication (anonymous, or client certificate only).
    None,
    /// HTTP Basic; the header value is kept zeroized and marked sensitive.
    Basic {
        header: Zeroizing<String>,
        mode: BasicMode,
    },
}

/// A failure before a usable HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// What kind of failure.
    pub kind: FailureKind,
    /// A sentence saying what happened (never a secret).
    pub message: String,
}

/// A complete HTTP answer.
#[derive(Debug)]
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// The body (at most [`MAX_BODY_BYTES`]).
    pub body: Vec<u8>,
    /// HTTP requests made (2 when a challenge was answered).
    pub calls: u32,
}

/// The HTTP side of a client.
pub struct Transport {
    http: reqwest::Client,
    uri: reqwest::Url,
    auth: CallerAuth,
    timeout: Duration,
    redactor: Arc<Redactor>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("uri", &self.uri.as_str())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Builds the client once: TLS configuration, pool, timeouts, credentials.
    pub fn new(
        config: &ClientConfig,
        secrets: &Secrets,
        redactor: Arc<Redactor>,
    ) -> Result<Self, ConfigError> {
        let uri =
            reqwest::Url::parse(&config.uri).map_err(|e| ConfigError::new("uri", e.to_string()))?;
        let (http, timeout) = http_client(config, secrets)?;
        let auth = match (&config.user_name, &secrets.basic_password) {
            (Some(user), Some(password)) => {
                let raw = Zeroizing::new(format!("{user}:{}", password.as_str()));
                let encoded = Zeroizing::new(
                    base64::engine::general_purpose::STANDARD.encode(raw.as_bytes()),
                );
                CallerAuth::Basic {
                    header: Zeroizing::new(format!("Basic {}", encoded.as_str())),
                    mode: config.basic_mode,
                }
            }
            _ => CallerAuth::None,
        };
        Ok(Self {
            http,
            uri,
            auth,
            timeout,
            redactor,
        })
    }

    fn auth_header(&self) -> Option<HeaderValue> {
        match &self.auth {
            CallerAuth::Basic { header, .. } => {
                let mut value = HeaderValue::from_str(header).ok()?;
                value.set_sensitive(true);
                Some(value)
            }
            CallerAuth::None => None,
        }
    }

    async fn send(
        &self,
        op: &str,
        body: &str,
        with_auth: bool,
    ) -> Result<reqwest::Response, TransportError> {
        let mut request = self
            .http
            .post(self.uri.clone())
            .header(CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", soap::soap_action(op))
            .body(body.to_owned());
        if with_auth {
            if let Some(value) = self.auth_header() {
                request = request.header(AUTHORIZATION, value);
            }
        }
        request
            .send()
            .await
            .map_err(|e| classify(&e, self.timeout, &self.redactor))
    }

    /// POSTs a SOAP request for `op` and reads the whole answer. Answers a Basic
    /// challenge once when the mode is [`BasicMode::Challenge`].
    pub async fn call(&self, op: &str, body: &str) -> Result<HttpAnswer, TransportError> {
        let preemptive = matches!(
            self.auth,
            CallerAuth::Basic {
                mode: BasicMode::Preemptive,
                ..
            }
        );
        let mut calls = 1;
        let mut response = self.send(op, body, preemptive).await?;
        let challenged = response.status() == reqwest::StatusCode::UNAUTHORIZED
            && matches!(
                self.auth,
                CallerAuth::Basic {
                    mode: BasicMode::Challenge,
                    ..
                }
            )
            && response
                .headers()
                .get_all(WWW_AUTHENTICATE)
                .iter()
                .any(|v| {
                    v.to_str()
                        .is_ok_and(|s| s.trim_start().to_ascii_lowercase().starts_with("basic"))
                });
        if challenged {
            calls += 1;
            response = self.send(op, body, true).await?;
        }
        let status = response.status().as_u16();
        let body = read_limited(response, self.timeout, &self.redactor).await?;
        Ok(HttpAnswer {
            status,
            body,
            calls,
        })
    }
}

/// The HTTP client every provider uses: TLS (pins, CA file, client certificate), the
/// proxy setting, our resolver, no redirects, HTTP/1.1, per-call timeout.
pub fn http_client(
    config: &ClientConfig,
    secrets: &Secrets,
) -> Result<(reqwest::Client, Duration), ConfigError> {
    let uri =
        reqwest::Url::parse(&config.uri).map_err(|e| ConfigError::new("uri", e.to_string()))?;
    let timeout = crate::check::check_seconds("httpTimeoutSeconds", config.http_timeout_seconds)?;
    let builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(15)))
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("MfaApproval/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .http1_only();
    // No implicit proxy unless asked for: HTTP(S)_PROXY/ALL_PROXY would otherwise receive
    // every request, credential included, even for loopback. Our own resolver is used only
    // without a proxy (a proxy resolves the target itself).
    let mut builder = match crate::proxy::setting(config)? {
        crate::proxy::ProxySetting::None => builder.dns_resolver(Arc::new(Resolver)),
        _ => builder,
    };
    builder = crate::proxy::apply(builder, config, secrets)?;
    if uri.scheme() == "https" {
        builder = builder.use_preconfigured_tls(crate::tls::client_config(config, secrets)?);
    }
    let http = builder
        .build()
        .map_err(|e| ConfigError::new("config", format!("cannot build the HTTP client: {e}")))?;
    Ok((http, timeout))
}

/// Reads a whole body, refusing more than [`MAX_BODY_BYTES`].
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    timeout: Duration,
    redactor: &Redactor,
) -> Result<Vec<u8>, TransportError> {
    let too_large = || TransportError {
        kind: FailureKind::Protocol,
        message: format!("the response is larger than {MAX_BODY_BYTES} bytes"),
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| classify(&e, timeout, redactor))?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Name resolution through the system resolver, failing with our own [`DnsFailure`] so
/// a DNS problem is told apart from a refused connection by type.
struct Resolver;

/// The server's name did not resolve.
#[derive(Debug, thiserror::Error)]
#[error("cannot resolve '{name}': {cause}")]
pub struct DnsFailure {
    name: String,
    cause: String,
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.clone(), 0u16)).await;
            match found {
                Ok(addrs) => {
                    let list: Vec<std::net::SocketAddr> = addrs.collect();
                    if list.is_empty() {
                        Err(Box::new(DnsFailure {
                            name: host,
                            cause: "no addresses".into(),
                        }) as _)
                    } else {
                        Ok(Box::new(list.into_iter()) as reqwest::dns::Addrs)
                    }
                }
                Err(e) => Err(Box::new(DnsFailure {
                    name: host,
                    cause: e.to_string(),
                }) as _),
            }
        })
    }
}

/// Every error along the `source()` chain, looking inside `io::Error`s too (their
/// `source()` skips the error they wrap).
fn causes<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    let mut cur = Some(e);
    while let Some(err) = cur {
        if out.len() > 32 {
            break;
        }
        out.push(err);
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    out
}

/// One error of a chain as text: TLS errors in our words (rustls shows some in Rust debug
/// notation), every other error by its own `Display`.
fn part_text(e: &(dyn std::error::Error + 'static)) -> String {
    match e.downcast_ref::<rustls::Error>() {
        Some(tls) => crate::tls::describe(tls),
        None => e.to_string(),
    }
}

/// The first TLS error along the chain.
fn tls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    causes(e)
        .into_iter()
        .find_map(|c| c.downcast_ref::<rustls::Error>())
}

/// The whole `source()` chain of an error, as one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = String::new();
    for part in causes(e).into_iter().map(part_text) {
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
    }
    text
}

/// The proxy refused the CONNECT tunnel (407 for want of valid credentials, or another
/// non-2xx answer). The connector reports it only as text ("tunnel error: ..."), so this
/// is the one kind told by its message.
fn proxy_refused(chain: &str) -> bool {
    let lower = chain.to_ascii_lowercase();
    lower.contains("tunnel error: proxy authorization required")
        || lower.contains("tunnel error: unsuccessful")
}

/// The failure kind of a transport error, by type: our pin and DNS errors, rustls
/// errors, I/O timeouts, then reqwest's own classification.
fn kind_of(e: &reqwest::Error) -> FailureKind {
    let all = causes(e);
    let pin = all.iter().any(|c| {
        matches!(
            c.downcast_ref::<rustls::Error>(),
            Some(rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other)))
                if other.0.downcast_ref::<crate::tls::PinMismatch>().is_some()
        )
    });
    if e.is_timeout()
        || all.iter().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        })
    {
        FailureKind::Timeout
    } else if pin {
        FailureKind::CertificatePin
    } else if all.iter().any(|c| c.is::<rustls::Error>()) {
        FailureKind::Tls
    } else if all.iter().any(|c| c.is::<DnsFailure>()) {
        FailureKind::Dns
    } else if proxy_refused(&chain(e)) {
        FailureKind::Proxy
    } else if e.is_connect() {
        FailureKind::Connect
    } else {
        FailureKind::Transport
    }
}

pub(crate) fn classify(
    e: &reqwest::Error,
    timeout: Duration,
    redactor: &Redactor,
) -> TransportError {
    let kind = kind_of(e);
    // The chain can carry server-chosen text (certificate names, a broken status line, a
    // proxy's answer): redacted of the connection's secrets, then cleaned and bounded, like
    // any server text (never cut first).
    // A TLS failure is told by its type alone (the chain around it only repeats the URL).
    let raw = match (kind, tls_error(e)) {
        (FailureKind::Tls | FailureKind::CertificatePin, Some(tls)) => crate::tls::describe(tls),
        _ => chain(e),
    };
    let text = redactor.server_text_within(&raw, MAX_ERROR_CHARS);
    let message = match kind {
        FailureKind::Timeout => format!(
            "the HTTP call timed out after {:.0} s ({text})",
            timeout.as_secs_f64()
        ),
        FailureKind::CertificatePin => format!("certificate pin mismatch: {text}"),
        FailureKind::Dns => format!("name resolution failed: {text}"),
        FailureKind::Tls => format!("TLS failed: {text}"),
        FailureKind::Connect => format!("cannot connect: {text}"),
        FailureKind::Proxy => format!("the proxy refused the tunnel: {text}"),
        _ => format!("HTTP transport failed: {text}"),
    };
    TransportError { kind, message }
}
