//! The redaction property (issue 25), seeded: secrets generated at random, sent back by a
//! server in every reversible spelling (`common/spellings.rs`) at any offset of other text,
//! split by control or invisible characters or not, and cut by the scan bound; no output
//! keeps a piece of a spelling that carries 6 or more bytes of the secret, nor 6
//! consecutive characters of it. First the redactor alone (every entry point), then the
//! real paths: a RADIUS Reply-Message over UDP, an Okta 400 `errorSummary` and an MFA
//! Server SOAP fault or error page over HTTP, into the outcome (every field, as JSON), the
//! progress and the audit line. (The C ABI's buffers: rust/ffi/tests/secrets.rs; the
//! cmdlets' streams: tests/Secrets.Tests.ps1.)

use crate::common;
use crate::radius_common;

use common::fake_duo::FakeDuo;
use common::fake_okta::{json, org, waiting, FakeOkta};
use common::spellings::{self, leak, Rng, Spelled};
use mfa_engine::testing::Redactor;
use mfa_engine::{Client, ClientConfig, Progress, Query, Secrets};
use mfa_protocol::radius::server::{encode_answer, MessageAuthenticator};
use mfa_protocol::radius::{attr, code};
use radius_common::{hostile, send};
use std::sync::Arc;
use zeroize::Zeroizing;

fn check(output: &str, secret: &str, spelled: &Spelled, what: &str) {
    if let Some(found) = leak(output, secret, spelled) {
        panic!(
            "{what}: {found} survived (secret {secret:?}, spelling {}): {output}",
            spelled.name
        );
    }
}

/// A spelling with filler around it, split by hidden characters one time in three.
fn embed(rng: &mut Rng, spelled: &Spelled) -> String {
    let text = if rng.below(3) == 0 {
        spellings::split(&spelled.text, rng)
    } else {
        spelled.text.clone()
    };
    format!("{}{text}{}", spellings::filler(rng), spellings::filler(rng))
}

#[test]
fn no_spelling_of_a_secret_survives_the_redactor() {
    let mut rng = Rng(0x0025_5EC2_E7A5_u64);
    let mut cases = 0;
    for _ in 0..200 {
        let secret = spellings::secret(&mut rng);
        let other = spellings::secret(&mut rng);
        let mut r = Redactor::default();
        r.add_basic("svc-mfa", &other);
        r.add_secret(&secret);
        for spelled in spellings::all(&secret, &mut rng) {
            let text = embed(&mut rng, &spelled);
            for (what, output) in [
                ("server_text", r.server_text_within(&text, usize::MAX)),
                (
                    "server_bytes",
                    r.server_bytes_within(text.as_bytes(), usize::MAX),
                ),
                ("scrub", r.scrub(&text)),
                ("bounded", r.server_text(&text)),
            ] {
                check(&output, &secret, &spelled, what);
            }
            cases += 1;
        }
        // UTF-16 as raw bytes (a body that is not UTF-8), either byte order.
        for big_endian in [false, true] {
            let units: Vec<u8> = secret
                .encode_utf16()
                .flat_map(|u| {
                    if big_endian {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    }
                })
                .collect();
            let raw = [b"err: ".as_slice(), &units, b" end"].concat();
            let out = r.server_bytes_within(&raw, usize::MAX);
            let plain = &spellings::all(&secret, &mut rng)[0];
            check(&out, &secret, plain, "server_bytes (UTF-16)");
        }
    }
    assert!(cases > 5_000, "{cases}");
}

#[test]
fn a_secret_split_by_the_scan_bound_loses_its_visible_part_too() {
    let mut rng = Rng(0x64_4B);
    for _ in 0..12 {
        let secret = spellings::secret(&mut rng);
        let r = Redactor::new(None, &[&secret]);
        let spelled = spellings::all(&secret, &mut rng);
        for s in [&spelled[0], &spelled[1], &spelled[3]] {
            // The bound falls at every place inside the spelling, 6 bytes of it and more.
            let at = 6 + rng.below(s.text.len().saturating_sub(6).max(1));
            let pad = mfa_engine::testing::MAX_SCAN_BYTES - at.min(s.text.len());
            let text = format!("{}{}", "\u{1}".repeat(pad), s.text);
            let out = r.server_text_within(&text, usize::MAX);
            check(&out, &secret, s, "cut by the scan bound");
        }
    }
}

fn audit_extra(dir: &std::path::Path, n: usize) -> (std::path::PathBuf, String) {
    let path = dir.join(format!("audit-{n}.jsonl"));
    let extra = format!(
        r#""auditPath":{}"#,
        serde_json::to_string(&path.display().to_string()).unwrap()
    );
    (path, extra)
}

/// Every output of one request: the outcome as JSON (every field), the progress, the
/// audit line.
async fn outputs(client: &Client, request: &str, audit: &std::path::Path) -> Vec<(String, String)> {
    let progress = Progress::default();
    let q = Query::from_json(request.as_bytes()).unwrap();
    let o = client.run_with_progress(&q, &progress).await;
    assert!(!o.approved, "{}", o.message);
    vec![
        ("outcome".into(), serde_json::to_string(&o).unwrap()),
        (
            "progress".into(),
            serde_json::to_string(&progress.snapshot()).unwrap(),
        ),
        (
            "audit line".into(),
            std::fs::read_to_string(audit).unwrap_or_default(),
        ),
    ]
}

#[tokio::test]
async fn a_radius_reply_message_never_carries_the_shared_secret_or_the_password() {
    let dir = common::temp_dir("redaction-radius");
    let mut rng = Rng(0x1812);
    for n in 0..40 {
        let secret: &'static str = Box::leak(spellings::secret(&mut rng).into_boxed_str());
        let password = spellings::secret(&mut rng);
        let which = if n % 2 == 0 {
            secret
        } else {
            password.as_str()
        };
        let all = spellings::all(which, &mut rng);
        let spelled = &all[rng.below(all.len())];
        let mut reply = embed(&mut rng, spelled).into_bytes();
        if n % 5 == 0 {
            // 1,000 control bytes first: a cut before redaction would keep a prefix.
            reply.splice(0..0, std::iter::repeat_n(1u8, 1000));
        }
        reply.truncate(3800);
        let addr = hostile(secret, move |r| {
            let parts: Vec<(u8, &[u8])> = reply
                .chunks(250)
                .map(|c| (attr::REPLY_MESSAGE, c))
                .collect();
            let code = [
                code::ACCESS_REJECT,
                code::ACCESS_CHALLENGE,
                code::ACCESS_ACCEPT,
            ][n % 3];
            vec![send(
                encode_answer(
                    code,
                    r.identifier,
                    &r.authenticator,
                    &parts,
                    secret.as_bytes(),
                    MessageAuthenticator::Correct,
                )
                .unwrap(),
            )]
        })
        .await;
        let (path, extra) = audit_extra(&dir, n);
        let client = radius_common::client_for(
            &[addr.to_string()],
            &format!(r#""passwordMode":"fixed",{extra}"#),
            secret,
            Some(&password),
        );
        let progress = Progress::default();
        let q =
            Query::from_json(br#"{"userName":"alice@contoso.com","timeoutSeconds":5}"#).unwrap();
        let o = client.run_with_progress(&q, &progress).await;
        let texts = [
            serde_json::to_string(&o).unwrap(),
            serde_json::to_string(&progress.snapshot()).unwrap(),
            std::fs::read_to_string(&path).unwrap_or_default(),
        ];
        assert!(!texts[2].is_empty(), "an audit line");
        for (what, text) in ["outcome", "progress", "audit line"].iter().zip(&texts) {
            check(text, which, spelled, what);
        }
    }
}

#[tokio::test]
async fn an_okta_error_summary_never_carries_the_api_token() {
    let dir = common::temp_dir("redaction-okta");
    let mut rng = Rng(0x0C7A);
    for n in 0..30 {
        let token = spellings::token(&mut rng);
        let all = spellings::all(&token, &mut rng);
        let spelled = &all[rng.below(all.len())];
        let body = serde_json::json!({
            "errorCode": "E0000001",
            "errorSummary": embed(&mut rng, spelled),
        })
        .to_string();
        let at_poll = n % 2 == 0;
        let answer = if at_poll {
            org(
                |base| json(201, waiting(base)),
                move |_, _| json(400, body.clone()),
            )
        } else {
            Arc::new(move |_: &common::fake_okta::Seen, _: &str| json(400, body.clone()))
                as common::fake_okta::Answer
        };
        let server = FakeOkta::start(answer).await;
        let (path, extra) = audit_extra(&dir, n);
        let client = server.client(&extra, &token);
        let request = r#"{"userName":"alice@contoso.com","timeoutSeconds":5}"#;
        for (what, text) in outputs(&client, request, &path).await {
            check(&text, &token, spelled, &what);
        }
    }
}

#[tokio::test]
async fn a_soap_fault_or_error_page_never_carries_the_basic_password() {
    let dir = common::temp_dir("redaction-soap");
    let mut rng = Rng(0x50A9);
    for n in 0..30 {
        let password = spellings::secret(&mut rng);
        let all = spellings::all(&password, &mut rng);
        let spelled = &all[rng.below(all.len())];
        let text = embed(&mut rng, spelled);
        let body = if n % 2 == 0 {
            format!(
                r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>{}</faultstring></soap:Fault></soap:Body></soap:Envelope>"#,
                quick_escape(&text)
            )
        } else {
            text
        };
        let server = FakeDuo::start(Arc::new(move |_, _| (500, body.clone()))).await;
        let (path, extra) = audit_extra(&dir, n);
        let json = format!(
            r#"{{"uri":"http://127.0.0.1:{}/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx","userName":"svc-mfa","allowUnencryptedAuthentication":true,"httpTimeoutSeconds":5,{extra}}}"#,
            server.port
        );
        let config = ClientConfig::from_json(json.as_bytes()).unwrap();
        let secrets = Secrets {
            basic_password: Some(Zeroizing::new(password.clone())),
            ..Default::default()
        };
        let client = Client::new(&config, secrets).unwrap();
        let request = r#"{"userName":"alice@contoso.com","timeoutSeconds":5}"#;
        for (what, text) in outputs(&client, request, &path).await {
            check(&text, &password, spelled, &what);
        }
    }
}

/// XML text escaping (`&`, `<`, `>`) and control characters XML 1.0 cannot carry dropped.
fn quick_escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            c => c.to_string(),
        })
        .collect()
}
