//! Hostile answer bodies just under the engine's 4 MiB read limit, one per shape a
//! server could use to make a reader spend time or memory, beside an ordinary answer.
//! Shared by the `hostile` test and the `hostile_bodies` benchmark.

/// The body size every hostile shape is built to (just under `MAX_BODY_BYTES`).
pub const SIZE: usize = mfa_protocol::limits::MAX_BODY_BYTES - 4096;

const ENV_OPEN: &str =
    r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>"#;
const ENV_CLOSE: &str = "</s:Body></s:Envelope>";
const NS: &str = "http://www.phonefactor.com/PfWsSdk";

/// An ordinary approving answer.
pub fn ordinary() -> Vec<u8> {
    format!(r#"<?xml version="1.0" encoding="utf-8"?>{ENV_OPEN}<PfAuthUser_4Response xmlns="{NS}"><PfAuthUser_4Result>true</PfAuthUser_4Result><callResult><Code>21</Code><Description>Mobile App Authenticated</Description></callResult><authenticationRequestId>0c1f6f5e-4b1e-4a43-a000-000000000001</authenticationRequestId><error><Code>0</Code><Description /></error></PfAuthUser_4Response>{ENV_CLOSE}"#).into_bytes()
}

/// An approving answer with `filler` repeated inside the response element until the
/// body is about [`SIZE`] bytes.
fn padded(open: &str, filler: &str, close: &str) -> Vec<u8> {
    let head = format!(
        r#"{ENV_OPEN}<PfAuthUser_4Response xmlns="{NS}"><PfAuthUser_4Result>true</PfAuthUser_4Result><callResult><Code>21</Code></callResult>{open}"#
    );
    let tail = format!("{close}</PfAuthUser_4Response>{ENV_CLOSE}");
    let room = SIZE.saturating_sub(head.len() + tail.len());
    let mut body = head;
    if !filler.is_empty() {
        body.push_str(&filler.repeat(room / filler.len()));
    }
    body.push_str(&tail);
    body.into_bytes()
}

/// Like [`padded`], with a numbered filler (`{}` is replaced by 0, 1, 2, ...).
fn numbered(open: &str, filler: &str, close: &str) -> Vec<u8> {
    let mut inner = String::new();
    let mut i = 0usize;
    while inner.len() + open.len() + close.len() + 600 < SIZE {
        inner.push_str(&filler.replace("{}", &i.to_string()));
        i += 1;
    }
    padded(&format!("{open}{inner}"), "", close)
}

/// `(name, body)` for every hostile shape.
pub fn shapes() -> Vec<(&'static str, Vec<u8>)> {
    let long_uri = "u".repeat(SIZE / 2);
    let long_name = "n".repeat(SIZE - 200);
    vec![
        ("deep", padded("", "<d>", "")),
        ("wide", padded("", "<w/>", "")),
        ("many attributes", numbered("<x", " a{}=\"\"", "/>")),
        (
            "many namespace declarations",
            numbered("<x", " xmlns:p{}=\"urn:p\"", "/>"),
        ),
        (
            "namespace declarations on every element",
            padded("", "<e xmlns:q=\"urn:q\"/>", ""),
        ),
        (
            "long names",
            format!("{ENV_OPEN}<{long_name}/>{ENV_CLOSE}").into_bytes(),
        ),
        (
            "long namespace URI",
            padded(&format!("<x xmlns=\"{long_uri}\">"), "<y/>", "</x>"),
        ),
        ("huge text", padded("<t>", "a", "</t>")),
        ("character references", padded("<t>", "&#65;", "</t>")),
        ("comments", padded("", "<!---->", "")),
    ]
}

/// `(name, body)` for every hostile shape of a Duo JSON answer: an approving
/// `auth_status` with the filler inside `response`, up to [`SIZE`] bytes (the strict
/// reader refuses more than `json::MAX_BYTES` before parsing; the fitting ones are
/// refused by its depth, value and string limits, or by a late duplicate key).
pub fn duo_shapes() -> Vec<(&'static str, Vec<u8>)> {
    let fit = mfa_protocol::json::MAX_BYTES - 64;
    let allow = r#"{"stat":"OK","response":{"result":"allow","status":"allow","x":"#;
    let fill = |open: &str, item: &str, close: &str, size: usize| {
        let mut b = String::from(allow);
        b.push_str(open);
        let room = size.saturating_sub(allow.len() + open.len() + close.len() + 4);
        b.push_str(&item.repeat(room / item.len()));
        b.push_str(close);
        b.push_str("}}");
        b.into_bytes()
    };
    let mut many_keys = String::from(allow);
    many_keys.push('{');
    let mut i = 0;
    while many_keys.len() + 300 < fit {
        // Long keys: fewer than json::MAX_NODES values, so the duplicate is what refuses.
        many_keys.push_str(&format!("\"k{i}{}\":0,", "x".repeat(120)));
        i += 1;
    }
    many_keys.push_str(&format!("\"k0{}\":1}}}}}}", "x".repeat(120)));
    vec![
        ("duo: deep arrays", fill("", "[", "", fit)),
        ("duo: wide array", fill("[", "0,", "0]", fit)),
        ("duo: huge string", fill("\"", "a", "\"", fit)),
        ("duo: escapes", fill("\"", "\\u0041", "\"", fit)),
        ("duo: many keys, one repeated last", many_keys.into_bytes()),
        ("duo: 4 MiB body", fill("\"", "a", "\"", SIZE)),
    ]
}

/// A plain-HTTP server on loopback answering every request with `body` (status 200).
pub async fn serve_forever(body: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let body = std::sync::Arc::new(body);
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tcp.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tcp.write_all(head.as_bytes()).await;
                let _ = tcp.write_all(&body).await;
            });
        }
    });
    format!("http://{addr}/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx")
}

/// A client for a plain-HTTP server (no credential, no TLS settings).
pub fn plain_client(url: &str) -> mfa_engine::Client {
    let config =
        mfa_engine::ClientConfig::from_json(format!(r#"{{"uri":"{url}"}}"#).as_bytes()).unwrap();
    mfa_engine::Client::new(&config, Default::default()).unwrap()
}
