//! A scripted plain-HTTP Duo API on loopback for answers the simulator will not give:
//! `ping`, `preauth` and `auth` answer as Duo does; `auth_status` (and anything a test
//! overrides) answers with the body the test chose. Each request's head is recorded (an
//! echoing server hands it back: redaction tests).

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the server answers for a request: status and body. Gets the path and the whole
/// request head (request line and headers).
pub type Answer = Arc<dyn Fn(&str, &str) -> (u16, String) + Send + Sync>;

/// What the server answers given the path, the request head and the body.
type RawAnswer = Arc<dyn Fn(&str, &str, &str) -> (u16, String) + Send + Sync>;

/// [`Answer`] that also gets the request's parameters (query, and the form or JSON body).
pub type ParamAnswer =
    Arc<dyn Fn(&str, &std::collections::HashMap<String, String>) -> (u16, String) + Send + Sync>;

/// Decodes `application/x-www-form-urlencoded` pairs (`+` is a space).
pub fn form(text: &str) -> std::collections::HashMap<String, String> {
    fn decode(s: &str) -> String {
        let s = s.replace('+', " ");
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match (
                b[i],
                s.get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok()),
            ) {
                (b'%', Some(v)) => {
                    out.push(v);
                    i += 3;
                }
                (c, _) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    text.split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

/// A running fake Duo server.
pub struct FakeDuo {
    pub port: u16,
    pub heads: Arc<Mutex<Vec<String>>>,
}

/// The answers of an ordinary Duo up to the push; `auth_status` answers `status_body`.
pub fn ordinary(status_body: String) -> Answer {
    Arc::new(move |path, _| {
        match path {
        "/auth/v2/ping" => (
            200,
            format!(r#"{{"stat":"OK","response":{{"time":{}}}}}"#, now()),
        ),
        "/auth/v2/preauth" => (
            200,
            r#"{"stat":"OK","response":{"result":"auth","status_msg":"Account is active","devices":[]}}"#.into(),
        ),
        "/auth/v2/auth" => (200, r#"{"stat":"OK","response":{"txid":"t-1"}}"#.into()),
        _ => (200, status_body.clone()),
    }
    })
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl FakeDuo {
    pub async fn start(answer: Answer) -> Self {
        Self::serve(Arc::new(move |path, head, _| answer(path, head))).await
    }

    /// A server whose answers see the parameters (a username in the form body).
    pub async fn start_with_params(answer: ParamAnswer) -> Self {
        Self::serve(Arc::new(move |path, head, body| {
            let query = head
                .split(' ')
                .nth(1)
                .and_then(|t| t.split_once('?'))
                .map_or("", |(_, q)| q);
            let mut params = form(query);
            // Signature v5 posts JSON; v2 a form.
            match serde_json::from_str::<std::collections::HashMap<String, String>>(body) {
                Ok(json) => params.extend(json),
                Err(_) => params.extend(form(body)),
            }
            answer(path, &params)
        }))
        .await
    }

    async fn serve(answer: RawAnswer) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let answer = answer.clone();
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    // The head, then as many body bytes as Content-Length says.
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
                    let target = head.split(' ').nth(1).unwrap_or("/");
                    let path = target.split('?').next().unwrap_or("/").to_string();
                    seen.lock().unwrap().push(head.clone());
                    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
                    let (status, body) = answer(&path, &head, &body);
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = s.write_all(reply.as_bytes()).await;
                    let _ = s.shutdown().await;
                });
            }
        });
        Self { port, heads }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A Duo client for this server (plain http, opted in), plus `extra` config fields.
    pub fn client(&self, extra: &str, secrets: mfa_engine::Secrets) -> mfa_engine::Client {
        let json = format!(
            r#"{{"provider":"duo","uri":"{}","integrationKey":"DIWJ8X6AEYOR5OMC6TQ1","allowUnencryptedAuthentication":true,"httpTimeoutSeconds":5{}{extra}}}"#,
            self.base(),
            if extra.is_empty() { "" } else { "," }
        );
        let config = mfa_engine::ClientConfig::from_json(json.as_bytes()).expect("config");
        mfa_engine::Client::new(&config, secrets).expect("client")
    }
}
