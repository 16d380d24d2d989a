//! The simulator's HTTP(S) server: routing, caller authentication (HTTP Basic with an
//! IIS-style 401 challenge, or a required client certificate), start and stop.

use crate::directory::Directory;
use crate::ops::{self, Context, Delivery, Reply};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Frame};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

/// The SDK's default virtual directory and page.
pub const DEFAULT_PATH: &str = "/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx";
/// The documented demo caller (used when no `--credential` is given).
pub const DEMO_USER: &str = "demo-admin";
/// The documented demo password. Demo only: never use it for anything real.
pub const DEMO_PASSWORD: &str = "demo-password";
/// Largest request body accepted.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// How the simulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsMode {
    /// HTTPS with a certificate made at start (its SHA-256 is printed for pinning).
    SelfSigned,
    /// HTTPS with a given PEM certificate chain and key.
    Files {
        /// Certificate chain (PEM).
        cert: String,
        /// Private key (PEM).
        key: String,
    },
    /// Plain HTTP.
    Plain,
}

/// Everything the simulator can be told.
#[derive(Debug)]
pub struct SimConfig {
    /// Where to listen (port 0: any free port).
    pub addr: SocketAddr,
    /// HTTPS (self-signed or given) or HTTP.
    pub tls: TlsMode,
    /// Accepted Basic credentials; empty with no client CA means anonymous access.
    pub credentials: Vec<(String, String)>,
    /// Require a client certificate issued by this CA (PEM); it then authenticates the caller.
    pub client_ca_file: Option<String>,
    /// How long an unanswered push takes to come back as 133 (default 55 s).
    pub no_response_after: Duration,
    /// Answer `pfsdk` with 149 / Error 12.
    pub direct_sdk_disallowed: bool,
    /// The users.
    pub directory: Directory,
    /// The service path.
    pub path: String,
    /// The Duo integration key the `/auth/v2/*` API accepts.
    pub duo_integration_key: String,
    /// The Duo secret key requests must be signed with.
    pub duo_secret_key: String,
    /// The Okta API token the `/api/v1/*` API accepts (`SSWS <token>`).
    pub okta_api_token: String,
    /// An Okta service app: its client id and a PKCS#8 PEM key whose public half verifies
    /// its client assertions (`POST /oauth2/v1/token`).
    pub okta_service_app: Option<(String, String)>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: TlsMode::SelfSigned,
            credentials: vec![(DEMO_USER.into(), DEMO_PASSWORD.into())],
            client_ca_file: None,
            no_response_after: Duration::from_secs(55),
            direct_sdk_disallowed: false,
            directory: Directory::demo(),
            path: DEFAULT_PATH.into(),
            duo_integration_key: crate::duo::DEMO_INTEGRATION_KEY.into(),
            duo_secret_key: crate::duo::DEMO_SECRET_KEY.into(),
            okta_api_token: crate::okta::DEMO_API_TOKEN.into(),
            okta_service_app: None,
        }
    }
}

/// Counters a test can read.
#[derive(Debug, Default)]
pub struct Stats {
    /// HTTP requests received.
    pub requests: AtomicU64,
    /// Requests answered 401.
    pub unauthorized: AtomicU64,
    /// SOAP calls dispatched to an operation.
    pub soap_calls: AtomicU64,
    /// The operations received, with their parameters as the server read them (the
    /// first 10,000), so tests can check what arrived on the wire.
    pub seen: std::sync::Mutex<Vec<Seen>>,
}

/// One operation as the server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The operation element's name.
    pub operation: String,
    /// The caller (Basic user, client certificate, or `anonymous`).
    pub caller: String,
    /// Every parameter element's name and text, in order.
    pub params: Vec<(String, String)>,
}

impl Stats {
    /// The parameter `name` of the last operation `op` received.
    pub fn last_param(&self, op: &str, name: &str) -> Option<String> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.iter()
            .rev()
            .find(|s| s.operation == op)?
            .params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }
}

struct State {
    ctx: Context,
    duo: crate::duo::DuoSim,
    okta: crate::okta::OktaSim,
    privacyidea: crate::privacyidea::PrivacyIdeaSim,
    credentials: Vec<(String, [u8; 32])>,
    path: String,
    url: String,
    stats: Arc<Stats>,
}

/// A running simulator on the caller's tokio runtime.
pub struct Running {
    /// The service URL (`https://127.0.0.1:PORT/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx`).
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// SHA-256 of the server certificate (HTTPS only), for pinning.
    pub cert_sha256: Option<String>,
    /// The certificate to trust as a CA file (HTTPS only): the throw-away CA that issued
    /// a self-signed identity, or the given certificate.
    pub cert_pem: Option<String>,
    /// Counters.
    pub stats: Arc<Stats>,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

fn tls_config(
    config: &SimConfig,
) -> Result<Option<(Arc<rustls::ServerConfig>, crate::cert::Identity)>, String> {
    let identity = match &config.tls {
        TlsMode::Plain => return Ok(None),
        TlsMode::SelfSigned => crate::cert::self_signed(&[])?,
        TlsMode::Files { cert, key } => crate::cert::from_files(cert, key)?,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = match &config.client_ca_file {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("--client-ca '{path}': {e}"))?
            {
                roots
                    .add(cert.map_err(|e| format!("--client-ca '{path}': {e}"))?)
                    .map_err(|e| format!("--client-ca '{path}': {e}"))?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(|e| format!("--client-ca '{path}': {e}"))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut server = builder
        .with_single_cert(identity.chain.clone(), identity.key.clone_key())
        .map_err(|e| format!("server certificate: {e}"))?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some((Arc::new(server), identity)))
}

impl Running {
    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(config: SimConfig) -> Result<Running, String> {
        let tls = tls_config(&config)?;
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|e| format!("--addr {}: {e}", config.addr))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let host = match addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
            ip if ip.is_unspecified() => "[::1]".to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{host}:{}{}", addr.port(), config.path);
        let stats = Arc::new(Stats::default());
        let mut okta = crate::okta::OktaSim::new(
            &config.okta_api_token,
            &format!("{scheme}://{host}:{}", addr.port()),
            config.no_response_after,
        );
        if let Some((id, pem)) = &config.okta_service_app {
            okta.service_app = Some(crate::okta::oauth::ServiceApp::new(id, pem)?);
        }
        let state = Arc::new(State {
            duo: crate::duo::DuoSim::new(
                &config.duo_integration_key,
                &config.duo_secret_key,
                config.no_response_after,
            ),
            okta,
            privacyidea: crate::privacyidea::PrivacyIdeaSim::new(&config.credentials),
            ctx: Context::new(
                config.directory,
                config.no_response_after,
                config.direct_sdk_disallowed,
            ),
            credentials: config
                .credentials
                .iter()
                .map(|(u, p)| (u.clone(), digest(p)))
                .collect(),
            path: config.path.to_ascii_lowercase(),
            url: url.clone(),
            stats: stats.clone(),
        });
        let state_for_running = state.clone();
        let cert_required = config.client_ca_file.is_some();
        let (cert_sha256, cert_pem) = match &tls {
            Some((_, id)) => (Some(id.sha256.clone()), Some(id.pem.clone())),
            None => (None, None),
        };
        let acceptor = tls.map(|(cfg, _)| tokio_rustls::TlsAcceptor::from(cfg));
        let (tx, mut rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                tokio::select! {
                    _ = &mut rx => break,
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                    accepted = listener.accept() => {
                        let Ok((tcp, _)) = accepted else {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        };
                        let state = state.clone();
                        let acceptor = acceptor.clone();
                        conns.spawn(async move {
                            match acceptor {
                                None => serve(tcp, state, None).await,
                                Some(acceptor) => {
                                    let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await else { return };
                                    let cert_caller = if cert_required {
                                        tls.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| {
                                            let hex: String = Sha256::digest(c.as_ref()).iter().take(8).map(|b| format!("{b:02X}")).collect();
                                            format!("client-certificate:{hex}")
                                        })
                                    } else {
                                        None
                                    };
                                    serve(tls, state, cert_caller).await
                                }
                            }
                        });
                    }
                }
            }
            conns.abort_all();
        });
        Ok(Running {
            url,
            addr,
            cert_sha256,
            cert_pem,
            stats,
            state: state_for_running,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The scripted users, shared by every provider the simulator serves (give them to
    /// [`crate::radius::RadiusRunning::start_with`] so RADIUS answers the same).
    pub fn directory(&self) -> Arc<Directory> {
        self.state.ctx.directory.clone()
    }

    /// The authenticated Okta calls received so far.
    pub fn okta_calls(&self) -> Vec<crate::okta::Call> {
        self.state
            .okta
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The Okta number challenges given so far, in order.
    pub fn okta_numbers(&self) -> Vec<u16> {
        self.state
            .okta
            .numbers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The privacyIDEA calls received so far (passwords never kept).
    pub fn privacyidea_calls(&self) -> Vec<crate::privacyidea::Call> {
        self.state
            .privacyidea
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The privacyIDEA transactions withdrawn so far (`DELETE /token/challenges/transaction/<id>`).
    pub fn privacyidea_cancels(&self) -> Vec<String> {
        self.state
            .privacyidea
            .cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The signed Duo calls accepted so far: (path, parameters).
    pub fn duo_calls(&self) -> Vec<(String, std::collections::HashMap<String, String>)> {
        self.state
            .duo
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Stops accepting, drops every open connection and waits for the server task.
    pub async fn stop(mut self) {
        self.signal_stop();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn signal_stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

async fn serve<S>(io: S, state: Arc<State>, cert_caller: Option<String>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| {
        let state = state.clone();
        let cert_caller = cert_caller.clone();
        async move { Ok::<_, Infallible>(handle(req, &state, cert_caller).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type SimBody = BoxBody<Bytes, BoxError>;

fn reply(status: u16, content_type: &str, body: String) -> Response<SimBody> {
    delivered(status, content_type, body, Delivery::Whole)
}

fn delivered(status: u16, content_type: &str, body: String, how: Delivery) -> Response<SimBody> {
    let builder = Response::builder()
        .status(status)
        .header("Content-Type", content_type)
        .header("Server", "Microsoft-IIS/10.0 (mfa-sim)");
    let data = Bytes::from(body);
    let (builder, body): (_, SimBody) = match how {
        Delivery::Whole => (builder, Full::new(data).map_err(|e| match e {}).boxed()),
        Delivery::RetryAfter => (
            builder.header("Retry-After", "5"),
            Full::new(data).map_err(|e| match e {}).boxed(),
        ),
        Delivery::Chunked => (
            builder,
            Paced::new(data, 64 * 1024, Duration::ZERO, None).boxed(),
        ),
        Delivery::Trickle { bytes, every } => {
            (builder, Paced::new(data, bytes, every, None).boxed())
        }
        Delivery::ResetAfter(at) => (
            builder,
            Paced::new(data, 64 * 1024, Duration::ZERO, Some(at)).boxed(),
        ),
    };
    builder.body(body).expect("static response parts are valid")
}

/// A body sent in pieces (no `Content-Length`, so chunked), optionally paced, optionally
/// broken off after some bytes (hyper then drops the connection mid-body).
struct Paced {
    data: Bytes,
    at: usize,
    piece: usize,
    every: Duration,
    reset_at: Option<usize>,
    pause: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl Paced {
    fn new(data: Bytes, piece: usize, every: Duration, reset_at: Option<usize>) -> Self {
        Paced {
            data,
            at: 0,
            piece: piece.max(1),
            every,
            reset_at,
            pause: None,
        }
    }
}

impl Body for Paced {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        use std::task::Poll;
        if let Some(pause) = self.pause.as_mut() {
            if std::future::Future::poll(pause.as_mut(), cx).is_pending() {
                return Poll::Pending;
            }
            self.pause = None;
        }
        let end = self
            .reset_at
            .unwrap_or(self.data.len())
            .min(self.data.len());
        if self.at >= end {
            return Poll::Ready(
                self.reset_at
                    .map(|_| Err("simulated connection reset".into())),
            );
        }
        let to = (self.at + self.piece).min(end);
        let piece = self.data.slice(self.at..to);
        self.at = to;
        if !self.every.is_zero() {
            self.pause = Some(Box::pin(tokio::time::sleep(self.every)));
        }
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }
}

fn page(status: u16, title: &str) -> Response<SimBody> {
    reply(
        status,
        "text/html",
        format!("<html><head><title>{title}</title></head><body><h2>{title}</h2></body></html>"),
    )
}

/// The Basic user name when the header carries valid credentials.
fn basic_caller(state: &State, req: &Request<Incoming>) -> Option<String> {
    use base64::Engine as _;
    let value = req
        .headers()
        .get(hyper::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, b64) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (user, password) = raw.split_once(':')?;
    let given = digest(password);
    state
        .credentials
        .iter()
        .find(|(u, p)| {
            u.eq_ignore_ascii_case(user)
                && p.iter()
                    .zip(given.iter())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
        .map(|(u, _)| u.clone())
}

/// The request's headers as text, `Authorization` first (what the echo faults send back).
fn header_dump(req: &Request<Incoming>) -> String {
    let mut lines: Vec<String> = req
        .headers()
        .iter()
        .map(|(k, v)| format!("{k}: {}", String::from_utf8_lossy(v.as_bytes())))
        .collect();
    lines.sort_by_key(|l| !l.starts_with("authorization"));
    lines.join("\r\n")
}

async fn handle(
    req: Request<Incoming>,
    state: &State,
    cert_caller: Option<String>,
) -> Response<SimBody> {
    state.stats.requests.fetch_add(1, Ordering::Relaxed);
    if req.uri().path().starts_with("/auth/v2/") {
        return duo_reply(req, state).await;
    }
    if req.uri().path() == "/oauth2/v1/token" && req.method() == hyper::Method::POST {
        let body = match Limited::new(req.into_body(), MAX_REQUEST_BYTES)
            .collect()
            .await
        {
            Ok(b) => b.to_bytes(),
            Err(_) => return page(413, "413 - Request Entity Too Large"),
        };
        let answer = state.okta.token(&body);
        return reply(answer.status, "application/json", answer.body);
    }
    if req.uri().path().starts_with("/api/v1/") {
        return okta_reply(req, state).await;
    }
    if crate::privacyidea::PrivacyIdeaSim::serves(req.uri().path()) {
        return privacyidea_reply(req, state).await;
    }
    if req.uri().path().to_ascii_lowercase() != state.path {
        return page(404, "404 - File or directory not found.");
    }
    let caller = match cert_caller {
        Some(c) => c,
        None if state.credentials.is_empty() => "anonymous".into(),
        None => match basic_caller(state, &req) {
            Some(u) => u,
            None => {
                state.stats.unauthorized.fetch_add(1, Ordering::Relaxed);
                let mut r = page(
                    401,
                    "401 - Unauthorized: Access is denied due to invalid credentials.",
                );
                let host = req.uri().host().unwrap_or("127.0.0.1").to_string();
                r.headers_mut().insert(
                    hyper::header::WWW_AUTHENTICATE,
                    format!("Basic realm=\"{host}\"")
                        .parse()
                        .unwrap_or_else(|_| "Basic".parse().expect("static")),
                );
                return r;
            }
        },
    };
    match *req.method() {
        hyper::Method::GET => {
            if req
                .uri()
                .query()
                .is_some_and(|q| q.eq_ignore_ascii_case("wsdl"))
            {
                reply(
                    200,
                    "text/xml; charset=utf-8",
                    crate::wsdl::document(&state.url),
                )
            } else {
                page(
                    200,
                    "PfWsSdk Web Service (mfa-sim): append ?WSDL for the service description",
                )
            }
        }
        hyper::Method::POST => {
            let content_type = req
                .headers()
                .get(hyper::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !content_type.to_ascii_lowercase().starts_with("text/xml") {
                return page(
                    415,
                    "415 - Unsupported Media Type: SOAP 1.1 requires text/xml",
                );
            }
            let headers = header_dump(&req);
            let action = req
                .headers()
                .get("SOAPAction")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = match Limited::new(req.into_body(), MAX_REQUEST_BYTES)
                .collect()
                .await
            {
                Ok(b) => b.to_bytes(),
                Err(_) => return page(413, "413 - Request Entity Too Large"),
            };
            let reply_of = match ops::operation(&body, action.as_deref()) {
                Err(fault) => fault,
                Ok(op) => {
                    state.stats.soap_calls.fetch_add(1, Ordering::Relaxed);
                    {
                        let mut seen = state.stats.seen.lock().unwrap_or_else(|p| p.into_inner());
                        if seen.len() < 10_000 {
                            seen.push(Seen {
                                operation: op.local.clone(),
                                caller: caller.clone(),
                                params: op
                                    .children
                                    .iter()
                                    .map(|c| (c.local.clone(), c.text.clone()))
                                    .collect(),
                            });
                        }
                    }
                    ops::answer(&state.ctx, &op, &caller, &headers).await
                }
            };
            let Reply {
                status,
                content_type,
                body,
                delivery,
            } = reply_of;
            delivered(status, content_type, body, delivery)
        }
        _ => {
            let mut r = page(
                405,
                "405 - HTTP verb used to access this page is not allowed.",
            );
            *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            r
        }
    }
}

/// The Duo API: reads the request, lets [`crate::duo::DuoSim`] answer.
async fn duo_reply(req: Request<Incoming>, state: &State) -> Response<SimBody> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let method = req.method().as_str().to_ascii_uppercase();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let host_header = header("host").unwrap_or_default();
    // Duo's clients sign the host without a port.
    let host = match host_header.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') => h,
        _ => host_header.as_str(),
    }
    .trim_start_matches('[')
    .trim_end_matches(']')
    .to_ascii_lowercase();
    let authorization = header("authorization");
    let date = header("x-duo-date").or_else(|| header("date"));
    let content_type = header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let x_duo: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("x-duo-") && k.as_str() != "x-duo-date")
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match Limited::new(req.into_body(), MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return reply(
                413,
                "application/json",
                r#"{"stat":"FAIL","code":41301,"message":"Request too large"}"#.into(),
            )
        }
    };
    let answer = state
        .duo
        .handle(crate::duo::Incoming {
            method: &method,
            path: &path,
            host: &host,
            query: &query,
            authorization: authorization.as_deref(),
            date: date.as_deref(),
            content_type: &content_type,
            x_duo,
            body: &body,
            directory: &state.ctx.directory,
        })
        .await;
    if answer.status == 401 {
        state.stats.unauthorized.fetch_add(1, Ordering::Relaxed);
    }
    let mut r = reply(answer.status, "application/json", answer.body);
    if let Some(after) = answer.retry_after {
        r.headers_mut().insert(
            hyper::header::RETRY_AFTER,
            hyper::header::HeaderValue::from(after),
        );
    }
    r
}

/// The Okta API: reads the request, lets [`crate::okta::OktaSim`] answer.
async fn okta_reply(req: Request<Incoming>, state: &State) -> Response<SimBody> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let method = req.method().as_str().to_ascii_uppercase();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let authorization = header("authorization");
    let user_agent = header("user-agent");
    let body = match Limited::new(req.into_body(), MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return reply(
                413,
                "application/json",
                r#"{"errorCode":"E0000003","errorSummary":"Request too large"}"#.into(),
            )
        }
    };
    let answer = state
        .okta
        .handle(crate::okta::Incoming {
            method: &method,
            path: &path,
            query: &query,
            authorization: authorization.as_deref(),
            user_agent: user_agent.as_deref(),
            body: &body,
            directory: &state.ctx.directory,
        })
        .await;
    if answer.status == 401 {
        state.stats.unauthorized.fetch_add(1, Ordering::Relaxed);
    }
    let mut r = reply(answer.status, "application/json", answer.body);
    for (name, value) in answer.headers {
        if let Ok(v) = hyper::header::HeaderValue::from_str(&value) {
            r.headers_mut().insert(name, v);
        }
    }
    r
}

/// privacyIDEA's API: reads the request, lets [`crate::privacyidea::PrivacyIdeaSim`] answer.
async fn privacyidea_reply(req: Request<Incoming>, state: &State) -> Response<SimBody> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let method = req.method().as_str().to_ascii_uppercase();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    // privacyIDEA reads PI-Authorization first, then Authorization.
    let token = header("pi-authorization").or_else(|| header("authorization"));
    let body = match Limited::new(req.into_body(), MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => return page(413, "413 - Request Entity Too Large"),
    };
    let answer = state.privacyidea.handle(crate::privacyidea::Incoming {
        method: &method,
        path: &path,
        query: &query,
        token: token.as_deref(),
        body: &body,
        directory: &state.ctx.directory,
    });
    if answer.status == 401 {
        state.stats.unauthorized.fetch_add(1, Ordering::Relaxed);
    }
    reply(answer.status, "application/json", answer.body)
}

/// A simulator on its own runtime thread, for synchronous callers (C ABI tests, the CLI).
/// Dropping it stops the simulator.
pub struct Background {
    running: Option<Running>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Background {
    /// Starts a simulator on a private two-thread runtime.
    pub fn start(config: SimConfig) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("mfa-sim")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let running = runtime.block_on(Running::start(config))?;
        Ok(Background {
            running: Some(running),
            runtime: Some(runtime),
        })
    }

    /// The running simulator.
    pub fn running(&self) -> &Running {
        self.running.as_ref().expect("present until drop")
    }

    /// Stops the simulator and its runtime.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let (Some(running), Some(rt)) = (self.running.take(), self.runtime.take()) {
            rt.block_on(running.stop());
            rt.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

impl std::ops::Deref for Background {
    type Target = Running;
    fn deref(&self) -> &Running {
        self.running()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.shutdown();
    }
}
