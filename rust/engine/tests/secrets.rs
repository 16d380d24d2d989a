//! Every secret kind through every output path (issue 16): a server, or a proxy, that
//! echoes what it received (the `Authorization` and `Proxy-Authorization` headers) or
//! knows a secret and sends it back in another spelling (percent-encoded with `/` kept,
//! lower-case hex, `+` for space, JSON-escaped, base64, split by a zero-width space or a
//! bidi control; since issue 25 also hex in either case, with colons, and the hex of UTF-16) never gets a secret into the outcome's message, its JSON or the audit line.
//! Both providers; the proxy credential with both. (The C ABI and PowerShell paths:
//! rust/ffi/tests/secrets.rs, tests/Secrets.Tests.ps1.)

use crate::common;
use base64::Engine as _;
use common::fake_duo::{Answer, FakeDuo};
use mfa_engine::{Client, ClientConfig, Secrets};
use std::sync::Arc;
use zeroize::Zeroizing;

const BASIC: (&str, &str) = ("svc-mfa", "Bas1c-Pa55/wörd+ x");
const PROXY: (&str, &str) = ("proxyuser", "Pr0xy-Pa55 w/rd");
const CERT: &str = "Cert-Pa55!word";
const DUO_KEY: &str = "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// What must never show, in any output.
fn leaks(text: &str) -> Vec<String> {
    let pairs = [
        format!("{}:{}", BASIC.0, BASIC.1),
        format!("{}:{}", PROXY.0, PROXY.1),
    ];
    let mut needles: Vec<String> = vec![
        "Bas1c".into(),
        "Pa55".into(),
        "Pr0xy".into(),
        "Cert-P".into(),
        "Zh5eGmUq".into(),
        "LJ4Ep".into(),
    ];
    needles.extend(pairs.iter().map(|p| b64(p)[..16].to_string()));
    needles.extend(
        [BASIC.1, PROXY.1, CERT, DUO_KEY]
            .iter()
            .map(|s| b64(s)[..12].to_string()),
    );
    // Hex (either case: the comparison below ignores case) and the hex of UTF-16.
    needles.extend([BASIC.1, PROXY.1, CERT, DUO_KEY].iter().flat_map(|s| {
        [
            hex(s.as_bytes())[..12].to_string(),
            hex(&utf16(s))[..12].to_string(),
        ]
    }));
    needles
        .into_iter()
        .filter(|n| text.to_lowercase().contains(&n.to_lowercase()))
        .collect()
}

fn percent(s: &str, keep_slash: bool, lower: bool, plus: bool) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b'/' if keep_slash => "/".into(),
            b' ' if plus => "+".into(),
            _ if lower => format!("%{b:02x}"),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The spellings a server that knows `secret` could send it back in.
fn spellings(secret: &str) -> Vec<String> {
    let mut chars: Vec<char> = secret.chars().collect();
    let mid = chars.len() / 2;
    let zw: String = {
        let mut c = chars.clone();
        c.insert(mid, '\u{200B}');
        c.into_iter().collect()
    };
    chars.insert(mid, '\u{202E}');
    let bidi: String = chars.into_iter().collect();
    vec![
        secret.to_string(),
        percent(secret, false, false, false),
        percent(secret, true, false, false),
        percent(secret, true, true, false),
        percent(secret, false, true, true),
        serde_json::to_string(secret).unwrap(),
        serde_json::to_string(secret).unwrap().replace('/', "\\/"),
        b64(secret),
        zw,
        bidi,
        // Issue 25: hex in either case, with separators, and the hex of UTF-16.
        hex(secret.as_bytes()),
        secret
            .bytes()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":"),
        hex(&utf16(secret)),
    ]
}

/// What an echoing server sends back, from the request head.
type Echo = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// An echoing server: answers every request with an error whose text is `echo(head)`.
fn echoing(duo: bool, echo: Echo) -> Answer {
    Arc::new(move |_, head| {
        let text = echo(head);
        if duo {
            let body = serde_json::json!({"stat":"FAIL","code":40101,"message":text});
            (401, body.to_string())
        } else {
            (500, text)
        }
    })
}

fn header(head: &str, name: &str) -> String {
    head.lines()
        .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
        .unwrap_or_default()
        .to_string()
}

fn client(duo: bool, server: &FakeDuo, audit: &std::path::Path) -> Client {
    let proxy = format!(
        r#""proxy":"{}","proxyUserName":"{}","auditPath":{},"allowUnencryptedAuthentication":true,"httpTimeoutSeconds":5"#,
        server.base(),
        PROXY.0,
        serde_json::to_string(&audit.display().to_string()).unwrap()
    );
    let json = if duo {
        format!(
            r#"{{"provider":"duo","uri":"http://duo.invalid","integrationKey":"DIWJ8X6AEYOR5OMC6TQ1",{proxy}}}"#
        )
    } else {
        format!(
            r#"{{"uri":"http://mfa.invalid/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx","userName":"{}",{proxy}}}"#,
            BASIC.0
        )
    };
    let config = ClientConfig::from_json(json.as_bytes()).unwrap();
    let secrets = Secrets {
        basic_password: (!duo).then(|| Zeroizing::new(BASIC.1.into())),
        client_certificate_password: (!duo).then(|| Zeroizing::new(CERT.into())),
        duo_secret_key: duo.then(|| Zeroizing::new(DUO_KEY.into())),
        proxy_password: Some(Zeroizing::new(PROXY.1.into())),
        ..Default::default()
    };
    Client::new(&config, secrets).unwrap()
}

#[tokio::test]
async fn no_secret_reaches_the_message_the_json_or_the_audit_line_in_any_spelling() {
    let dir = common::temp_dir("secrets-echo");
    let mut redacted = 0;
    for duo in [false, true] {
        let mut echoes: Vec<(String, Echo)> = vec![
            (
                "Authorization header".into(),
                Arc::new(|h: &str| header(h, "authorization")),
            ),
            (
                "Proxy-Authorization header".into(),
                Arc::new(|h: &str| header(h, "proxy-authorization")),
            ),
            (
                "Proxy-Authorization value".into(),
                Arc::new(|h: &str| {
                    let l = header(h, "proxy-authorization");
                    l.rsplit(' ').next().unwrap_or_default().to_string()
                }),
            ),
        ];
        let known: &[&str] = if duo {
            &[PROXY.1, DUO_KEY]
        } else {
            &[BASIC.1, PROXY.1, CERT]
        };
        for secret in known.iter().copied() {
            for (i, s) in spellings(secret).into_iter().enumerate() {
                echoes.push((
                    format!("{secret:.6}… spelling {i}"),
                    Arc::new(move |_: &str| format!("you sent {s} which is wrong")),
                ));
            }
        }
        for (name, echo) in &echoes {
            let server = FakeDuo::start(echoing(duo, echo.clone())).await;
            let audit = dir.join(format!("audit-{duo}-{}.jsonl", server.port));
            let client = client(duo, &server, &audit);
            let o = common::run(
                &client,
                r#"{"userName":"alice@contoso.com","timeoutSeconds":10}"#,
            )
            .await;
            assert!(!o.approved);
            assert!(
                !server.heads.lock().unwrap().is_empty(),
                "{name}: the request went through the echoing proxy"
            );
            let json = serde_json::to_string(&o).unwrap();
            let line = std::fs::read_to_string(&audit).unwrap_or_default();
            assert!(!line.is_empty(), "{name}: an audit line was written");
            for (what, text) in [
                ("message", &o.message),
                ("outcome JSON", &json),
                ("audit line", &line),
            ] {
                let found = leaks(text);
                assert!(
                    found.is_empty(),
                    "duo={duo} {name}: {found:?} in the {what}: {text}"
                );
            }
            if o.message.contains("[redacted]") || o.message.contains("withheld") {
                redacted += 1;
            } else {
                assert!(
                    duo && name == "Authorization header",
                    "{name}: nothing was redacted: {}",
                    o.message
                );
            }
        }
    }
    assert!(
        redacted > 40,
        "the echoes reached the messages ({redacted})"
    );
}
