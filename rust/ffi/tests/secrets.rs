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

#[path = "../../engine/tests/common/spellings.rs"]
mod spellings;

/// A RADIUS server on loopback (a thread) that answers every Access-Request signed with
/// `secret` with an Access-Reject carrying `reply` as its Reply-Message.
fn radius_echo(secret: String, reply: Vec<u8>) -> u16 {
    use mfa_protocol::radius::server::{encode_answer, read_request, MessageAuthenticator};
    use mfa_protocol::radius::{attr, code};
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            let Ok(r) = read_request(&buf[..n], secret.as_bytes(), true) else {
                continue;
            };
            let parts: Vec<(u8, &[u8])> = reply
                .chunks(250)
                .map(|c| (attr::REPLY_MESSAGE, c))
                .collect();
            let answer = encode_answer(
                code::ACCESS_REJECT,
                r.identifier,
                &r.authenticator,
                &parts,
                secret.as_bytes(),
                MessageAuthenticator::Correct,
            )
            .unwrap();
            let _ = socket.send_to(&answer, from);
        }
    });
    port
}

fn progress_text(req: *mut mfa_request) -> String {
    let mut buf = vec![0u8; 16 * 1024];
    let mut len = 0;
    assert_eq!(
        unsafe { mfa_request_progress(req, buf.as_mut_ptr(), buf.len(), &mut len) },
        mfa_result::MFA_OK
    );
    String::from_utf8_lossy(&buf[..len]).into_owned()
}

fn judge(text: &str, secret: &str, spelled: &spellings::Spelled, what: &str) {
    if let Some(found) = spellings::leak(text, secret, spelled) {
        panic!(
            "{what}: {found} survived (secret {secret:?}, spelling {}): {text}",
            spelled.name
        );
    }
}

/// The redaction property through the C ABI (issue 25): a RADIUS server echoes the shared
/// secret or the password in a generated spelling at a generated offset; neither the outcome
/// JSON, nor the progress JSON, nor the audit line, nor `mfa_last_error` (a configuration
/// or request that names the secret in the wrong field) keeps a piece of it.
#[test]
fn no_spelling_of_a_secret_reaches_any_buffer_of_the_c_abi() {
    let dir = std::env::temp_dir().join(format!("mfa-ffi-redaction-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = spellings::Rng(0xFF1_0025);
    let mut redacted_errors = 0;
    for n in 0..24 {
        let shared = spellings::secret(&mut rng);
        let password = spellings::secret(&mut rng);
        let which = if n % 2 == 0 { &shared } else { &password };
        let all = spellings::all(which, &mut rng);
        let spelled = &all[rng.below(all.len())];
        let mut reply = format!(
            "{}{}{}",
            spellings::filler(&mut rng),
            spelled.text,
            spellings::filler(&mut rng)
        )
        .into_bytes();
        if n % 4 == 0 {
            reply.splice(0..0, std::iter::repeat_n(1u8, 1000));
        }
        reply.truncate(3800);
        let port = radius_echo(shared.clone(), reply);
        let audit = dir.join(format!("audit-{n}.jsonl"));
        let config = serde_json::json!({
            "provider": "radius",
            "servers": [format!("127.0.0.1:{port}")],
            "passwordMode": "fixed",
            "auditPath": audit.display().to_string(),
        })
        .to_string();
        let client = new_client(
            &config,
            &[
                secret(MFA_SECRET_RADIUS_SHARED_SECRET, &shared),
                secret(MFA_SECRET_RADIUS_PASSWORD, &password),
            ],
        )
        .expect("client");
        let req = start(
            client,
            r#"{"userName":"alice@contoso.com","timeoutSeconds":5}"#,
        );
        assert_eq!(wait(req), MFA_STATUS_DENIED);
        judge(&outcome(req).to_string(), which, spelled, "outcome JSON");
        judge(&progress_text(req), which, spelled, "progress JSON");
        let line = std::fs::read_to_string(&audit).unwrap();
        judge(&line, which, spelled, "audit line");

        // A secret typed into the wrong field of the request: mfa_last_error.
        let request =
            serde_json::json!({ "userName": "alice@contoso.com", "require": spelled.text })
                .to_string();
        let mut other = ptr::null_mut();
        let r = unsafe { mfa_request_new(client, request.as_ptr(), request.len(), &mut other) };
        assert_ne!(r, mfa_result::MFA_OK);
        judge(
            &last_error_text(),
            which,
            spelled,
            "mfa_last_error (request)",
        );
        unsafe { mfa_request_free(req) };
        unsafe { mfa_client_free(client) };

        // ... and into the wrong field of the configuration.
        let config =
            serde_json::json!({ "provider": "radius", "servers": [spelled.text] }).to_string();
        let e = new_client(
            &config,
            &[
                secret(MFA_SECRET_RADIUS_SHARED_SECRET, &shared),
                secret(MFA_SECRET_RADIUS_PASSWORD, &password),
            ],
        )
        .expect_err("refused");
        judge(&e, which, spelled, "mfa_last_error (configuration)");
        redacted_errors += usize::from(e.contains("[redacted]"));
    }
    assert!(
        redacted_errors >= 5,
        "the refusals named the secret and were redacted ({redacted_errors})"
    );
}
