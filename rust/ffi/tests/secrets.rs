//! Secrets through the C ABI's outputs (issue 16): `mfa_last_error` after a refused
//! client (every secret kind given), and the outcome and progress JSON of a request whose
//! server and proxy echo the credentials they received (the proxy's `user:password` in
//! base64 reached messages before).

mod common;
use common::*;
use mfa_approval::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::ptr;

const BASIC: &str = "Bas1c-Pa55/word";
const CERT: &str = "Cert-Pa55!word";
const DUO_KEY: &str = "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep";
const PROXY: &str = "Pr0xy-Pa55 word";

fn secret(kind: u32, s: &str) -> mfa_secret {
    mfa_secret {
        kind,
        data: s.as_ptr(),
        len: s.len(),
    }
}

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn assert_clean(what: &str, text: &str) {
    for needle in [
        BASIC.to_string(),
        CERT.to_string(),
        DUO_KEY.to_string(),
        PROXY.to_string(),
        "Pa55".to_string(),
        b64(&format!("proxyuser:{PROXY}"))[..16].to_string(),
        b64(&format!("svc:{BASIC}"))[..16].to_string(),
    ] {
        assert!(!text.contains(&needle), "{needle} in {what}: {text}");
    }
}

fn new_client(json: &str, secrets: &[mfa_secret]) -> Result<*mut mfa_client, String> {
    let mut client = ptr::null_mut();
    match unsafe {
        mfa_client_new(
            json.as_ptr(),
            json.len(),
            secrets.as_ptr(),
            secrets.len(),
            &mut client,
        )
    } {
        mfa_result::MFA_OK => Ok(client),
        _ => Err(last_error_text()),
    }
}

#[test]
fn refused_clients_never_name_a_secret_in_mfa_last_error() {
    let dir = std::env::temp_dir().join(format!("mfa-ffi-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pfx = dir.join("bogus.pfx");
    std::fs::write(&pfx, [1u8; 64]).unwrap();
    let pfx = serde_json::to_string(&pfx.display().to_string()).unwrap();
    let cases: Vec<(String, Vec<mfa_secret>)> = vec![
        (
            format!(r#"{{"uri":"https://x/y","userName":"svc","clientCertificateFile":{pfx},"proxy":"http://127.0.0.1:1","proxyUserName":"proxyuser"}}"#),
            vec![
                secret(MFA_SECRET_BASIC_PASSWORD, BASIC),
                secret(MFA_SECRET_CLIENT_CERTIFICATE_PASSWORD, CERT),
                secret(MFA_SECRET_PROXY_PASSWORD, PROXY),
            ],
        ),
        (
            r#"{"uri":"ftp://x/y","userName":"svc"}"#.into(),
            vec![secret(MFA_SECRET_BASIC_PASSWORD, BASIC)],
        ),
        (
            r#"{"uri":"https://x/y"}"#.into(),
            vec![secret(MFA_SECRET_PROXY_PASSWORD, PROXY)],
        ),
        (
            r#"{"provider":"duo","uri":"https://x","integrationKey":"DIWJ8X6AEYOR5OMC6TQ1","userName":"svc"}"#.into(),
            vec![secret(MFA_SECRET_DUO_SECRET_KEY, DUO_KEY), secret(MFA_SECRET_BASIC_PASSWORD, BASIC)],
        ),
        (
            r#"{"uri":"https://x/y"}"#.into(),
            vec![secret(MFA_SECRET_DUO_SECRET_KEY, DUO_KEY)],
        ),
    ];
    for (json, secrets) in cases {
        let e = new_client(&json, &secrets).expect_err(&json);
        assert!(!e.is_empty());
        assert_clean("mfa_last_error", &e);
    }
}

/// A plain-HTTP "proxy" that answers everything 500 with the request's credential headers.
fn echoing_proxy() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = vec![0u8; 16384];
            let mut n = 0;
            while !buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf[n..]) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => n += k,
                }
            }
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let body: String = head
                .lines()
                .filter(|l| l.to_ascii_lowercase().contains("authorization"))
                .collect::<Vec<_>>()
                .join(" ; ");
            let _ = write!(
                s,
                "HTTP/1.1 500 X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn an_echoing_proxy_gets_no_credential_into_the_outcome_or_the_progress() {
    let port = echoing_proxy();
    let json = format!(
        r#"{{"uri":"http://mfa.invalid/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx","userName":"svc","allowUnencryptedAuthentication":true,"proxy":"http://127.0.0.1:{port}","proxyUserName":"proxyuser","httpTimeoutSeconds":5}}"#
    );
    let client = new_client(
        &json,
        &[
            secret(MFA_SECRET_BASIC_PASSWORD, BASIC),
            secret(MFA_SECRET_PROXY_PASSWORD, PROXY),
        ],
    )
    .expect("client");
    let req = start(
        client,
        r#"{"userName":"alice@contoso.com","timeoutSeconds":10}"#,
    );
    assert_eq!(wait(req), MFA_STATUS_FAILED);
    let o = outcome(req);
    let message = o["message"].as_str().unwrap();
    assert!(
        message.contains("[redacted]"),
        "the echo reached the message: {message}"
    );
    assert_clean("the outcome", &o.to_string());
    let mut buf = vec![0u8; 4096];
    let mut len = 0;
    assert_eq!(
        unsafe { mfa_request_progress(req, buf.as_mut_ptr(), buf.len(), &mut len) },
        mfa_result::MFA_OK
    );
    assert_clean("the progress", &String::from_utf8_lossy(&buf[..len]));
    unsafe { mfa_request_free(req) };
    unsafe { mfa_client_free(client) };
}
