//! A scripted plain-HTTP Okta org on loopback for answers the simulator will not give: the
//! user, its factors and the verify answer are Okta's (overridable), and every other
//! request (the polls) answers what the test chose, including headers, endless or dripping
//! bodies. Each request is recorded (method, path, head).

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const UID: &str = "00u1alice";
pub const FID: &str = "opf1push";
pub const TID: &str = "v2mst.tx1";

/// How a body is sent.
#[derive(Clone)]
pub enum Body {
    /// All at once, with a Content-Length.
    Whole(String),
    /// Chunked, never ending.
    Endless,
    /// A Content-Length, then one byte every `Duration`.
    Drip(String, Duration),
    /// Nothing at all: the request is read and never answered (the connection stays open).
    Never,
}

/// One answer.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

pub fn json(status: u16, body: impl Into<String>) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: Body::Whole(body.into()),
    }
}

impl Reply {
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A request as the fake read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub head: String,
}

/// What the server answers: gets the request and the server's base URL.
pub type Answer = Arc<dyn Fn(&Seen, &str) -> Reply + Send + Sync>;

/// The org's transaction link on `base`.
pub fn link(base: &str) -> String {
    format!("{base}/api/v1/users/{UID}/factors/{FID}/transactions/{TID}")
}

/// The verify answer Okta gives (201 WAITING with poll and cancel links on `base`).
pub fn waiting(base: &str) -> String {
    format!(
        r#"{{"factorResult":"WAITING","expiresAt":"2030-01-01T00:00:00.000Z","_links":{{"poll":{{"href":"{0}"}},"cancel":{{"href":"{0}"}}}}}}"#,
        link(base)
    )
}

/// An ordinary org up to the push; `verify` answers the push, `poll` everything else.
pub fn org(
    verify: impl Fn(&str) -> Reply + Send + Sync + 'static,
    poll: impl Fn(&Seen, &str) -> Reply + Send + Sync + 'static,
) -> Answer {
    Arc::new(
        move |seen, base| match (seen.method.as_str(), seen.path.as_str()) {
            ("GET", "/api/v1/users/alice%40contoso.com")
            | ("GET", "/api/v1/users/alice@contoso.com") => json(
                200,
                format!(
                    r#"{{"id":"{UID}","status":"ACTIVE","profile":{{"login":"alice@contoso.com"}}}}"#
                ),
            ),
            ("GET", p) if p == format!("/api/v1/users/{UID}/factors") => json(
                200,
                format!(
                    r#"[{{"id":"{FID}","factorType":"push","provider":"OKTA","status":"ACTIVE"}}]"#
                ),
            ),
            ("POST", p) if p == format!("/api/v1/users/{UID}/factors/{FID}/verify") => verify(base),
            _ => poll(seen, base),
        },
    )
}

/// An org whose polls all answer `body` (HTTP 200).
pub fn polls_answer(body: impl Into<String>) -> Answer {
    let body = body.into();
    org(
        |base| json(201, waiting(base)),
        move |_, _| json(200, body.clone()),
    )
}

pub struct FakeOkta {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeOkta {
    pub async fn start(answer: Answer) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let (answer, record, base) = (answer.clone(), record.clone(), base.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let head_end = loop {
                        match s.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    while buf.len() < head_end + length {
                        match s.read(&mut chunk).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let mut parts = head.split(' ');
                    let method = parts.next().unwrap_or_default().to_string();
                    let target = parts.next().unwrap_or("/");
                    let path = target.split('?').next().unwrap_or("/").to_string();
                    let req = Seen {
                        method,
                        path,
                        head: head.clone(),
                    };
                    record.lock().unwrap().push(req.clone());
                    let reply = answer(&req, &base);
                    if matches!(reply.body, Body::Never) {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        return;
                    }
                    let mut out = format!(
                        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nConnection: close\r\n",
                        reply.status
                    );
                    for (k, v) in &reply.headers {
                        out.push_str(&format!("{k}: {v}\r\n"));
                    }
                    match reply.body {
                        Body::Whole(b) => {
                            out.push_str(&format!("Content-Length: {}\r\n\r\n{b}", b.len()));
                            let _ = s.write_all(out.as_bytes()).await;
                        }
                        Body::Endless => {
                            out.push_str("Transfer-Encoding: chunked\r\n\r\n");
                            if s.write_all(out.as_bytes()).await.is_err() {
                                return;
                            }
                            let piece = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
                            while s.write_all(piece.as_bytes()).await.is_ok() {}
                        }
                        Body::Never => {}
                        Body::Drip(b, every) => {
                            out.push_str(&format!("Content-Length: {}\r\n\r\n", b.len()));
                            if s.write_all(out.as_bytes()).await.is_err() {
                                return;
                            }
                            for byte in b.bytes() {
                                if s.write_all(&[byte]).await.is_err() {
                                    return;
                                }
                                tokio::time::sleep(every).await;
                            }
                        }
                    }
                    let _ = s.shutdown().await;
                });
            }
        });
        Self { port, seen }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests went to the transaction (polls and cancels).
    pub fn transaction_calls(&self, method: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.method == method && s.path.contains("/transactions/"))
            .count()
    }

    /// An Okta client for this org (plain http on loopback, opted in), plus `extra` fields.
    pub fn client(&self, extra: &str, token: &str) -> mfa_engine::Client {
        let json = format!(
            r#"{{"provider":"okta","uri":"{}","allowUnencryptedAuthentication":true,"httpTimeoutSeconds":5{}{extra}}}"#,
            self.base(),
            if extra.is_empty() { "" } else { "," }
        );
        let config = mfa_engine::ClientConfig::from_json(json.as_bytes()).expect("config");
        let secrets = mfa_engine::Secrets {
            okta_api_token: Some(zeroize::Zeroizing::new(token.into())),
            ..Default::default()
        };
        mfa_engine::Client::new(&config, secrets).expect("client")
    }
}
