//! Every failure kind, produced for real (the simulator, its fault users, loopback servers
//! that misbehave on purpose), ends in a message that names the next step and holds no Rust
//! debug notation.

use crate::common;

use common::*;
use mfa_engine::outcome::FailureKind;
use mfa_engine::{Client, ClientConfig, Outcome, Query, Secrets, Status};
use std::collections::BTreeSet;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zeroize::Zeroizing;

/// Rust debug notation a user must never see.
const DEBUG_NOTATION: &[&str] = &[
    "{",
    "}",
    "Some(",
    "None",
    "Other(",
    "OtherError",
    "Kind(",
    "Custom {",
    "Error {",
    "\\\"",
];

fn check(o: &Outcome, kind: FailureKind, hints: &[&str]) {
    assert_eq!(o.failure_kind, kind, "{}", o.message);
    assert!(!o.approved);
    for bad in DEBUG_NOTATION {
        assert!(
            !o.message.contains(bad),
            "debug notation {bad} in: {}",
            o.message
        );
    }
    for hint in hints {
        assert!(
            o.message.contains(hint),
            "'{hint}' missing from: {}",
            o.message
        );
    }
}

fn client(json: String) -> Client {
    Client::new(
        &ClientConfig::from_json(json.as_bytes()).unwrap(),
        password(mfa_sim::DEMO_PASSWORD),
    )
    .unwrap()
}

async fn ask(client: &Client, user: &str, timeout: f64) -> Outcome {
    run(
        client,
        &format!(r#"{{"userName":"{user}","timeoutSeconds":{timeout}}}"#),
    )
    .await
}

/// A loopback server answering every request with `answer(request head)`.
async fn serve(answer: fn(&str) -> String) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tcp.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    let end = seen.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    let head = String::from_utf8_lossy(&seen[..end]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    while seen.len() < end + length {
                        match tcp.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    seen.drain(..end + length);
                    if tcp.write_all(answer(&head).as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

fn json_response(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn every_failure_kind_names_the_next_step_without_debug_notation() {
    let sim = sim().await;
    let pin = sim.cert_sha256.clone().unwrap();
    let mut seen = BTreeSet::new();
    let mut saw = |o: &Outcome| {
        seen.insert(o.failure_kind.name());
    };

    // provider: a user the MFA Server does not know (Error 10), with its meaning.
    let o = approve(&demo_client(&sim, ""), "nobody@contoso.com").await;
    check(
        &o,
        FailureKind::Provider,
        &[
            "Error 10 USER_NOT_FOUND",
            "does not know this user",
            "Next: check the user name",
        ],
    );
    assert_eq!(o.status, Status::Failed);
    saw(&o);

    // certificatePin: both hashes and the parameter.
    let wrong = "AB".repeat(32);
    let o = ask(
        &client(format!(
            r#"{{"uri":"{}","userName":"{}","serverCertificateSha256":["{wrong}"]}}"#,
            sim.url,
            mfa_sim::DEMO_USER
        )),
        "alice@contoso.com",
        10.0,
    )
    .await;
    check(
        &o,
        FailureKind::CertificatePin,
        &[&pin, &wrong, "-ServerCertificateHash", "Next: "],
    );
    saw(&o);

    // tls: an issuer this machine does not trust: both parameters.
    let o = ask(
        &client(format!(
            r#"{{"uri":"{}","userName":"{}"}}"#,
            sim.url,
            mfa_sim::DEMO_USER
        )),
        "alice@contoso.com",
        10.0,
    )
    .await;
    check(
        &o,
        FailureKind::Tls,
        &[
            "does not trust",
            "-CaCertificateFile",
            "-ServerCertificateHash",
        ],
    );
    saw(&o);

    // authentication: a wrong password.
    let wrong_password =
        Client::new(&config(&sim, ""), password("not-the-password-at-all")).unwrap();
    let o = approve(&wrong_password, "alice@contoso.com").await;
    check(
        &o,
        FailureKind::Authentication,
        &["Next: check -Credential", "PhoneFactor Admins"],
    );
    saw(&o);

    // The fault users: httpStatus, soapFault, protocol, transport, timeout.
    let demo = demo_client(&sim, "");
    for (user, kind, hint) in [
        (
            "http500@faults.contoso.com",
            FailureKind::HttpStatus,
            "-Uri",
        ),
        (
            "soapfault@faults.contoso.com",
            FailureKind::SoapFault,
            "SDK's logs",
        ),
        (
            "truncated@faults.contoso.com",
            FailureKind::Protocol,
            "nothing was approved",
        ),
        (
            "reset@faults.contoso.com",
            FailureKind::Transport,
            "try again",
        ),
    ] {
        let o = ask(&demo, user, 3.0).await;
        check(&o, kind, &["Next: ", hint]);
        saw(&o);
    }
    let o = ask(&demo, "delay@faults.contoso.com", 1.0).await;
    assert_eq!(o.status, Status::TimedOut);
    check(&o, FailureKind::Timeout, &["-Timeout", "-HttpTimeout"]);
    saw(&o);

    // connect: nothing listens on port 1.
    let o = ask(
        &client(
            r#"{"uri":"https://127.0.0.1:1/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx","userName":"demo-admin"}"#.into(),
        ),
        "alice@contoso.com",
        5.0,
    )
    .await;
    check(
        &o,
        FailureKind::Connect,
        &["Next: check the host and port in -Uri"],
    );
    saw(&o);

    // dns: a name that cannot resolve (RFC 6761).
    let o = ask(
        &client(
            r#"{"uri":"https://mfa.invalid/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx","userName":"demo-admin"}"#.into(),
        ),
        "alice@contoso.com",
        10.0,
    )
    .await;
    check(&o, FailureKind::Dns, &["Next: check the host name in -Uri"]);
    saw(&o);

    // proxy: a proxy that refuses the tunnel with 407.
    let proxy = serve(|_| {
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 0\r\n\r\n".into()
    })
    .await;
    let o = ask(
        &client(format!(
            r#"{{"uri":"{}","userName":"{}","serverCertificateSha256":["{pin}"],"proxy":"http://{proxy}"}}"#,
            sim.url,
            mfa_sim::DEMO_USER
        )),
        "alice@contoso.com",
        5.0,
    )
    .await;
    check(&o, FailureKind::Proxy, &["-ProxyCredential", "407"]);
    saw(&o);

    // cancelled and internal: made by the host and by a caught panic.
    let query = Query::from_json(br#"{"userName":"alice@contoso.com"}"#).unwrap();
    let o = demo.cancelled(&query, 0, 0);
    check(&o, FailureKind::Cancelled, &[]);
    saw(&o);
    let o = Outcome::new("authenticate", "mfaserver", "alice@contoso.com", true).fail(
        Status::Failed,
        FailureKind::Internal,
        "internal error: a caught panic",
    );
    check(&o, FailureKind::Internal, &["Next: ", "bug"]);
    saw(&o);

    // challenge: the RADIUS simulator's user who is asked for a one-time code.
    let radius = mfa_sim::radius::RadiusRunning::start(
        "127.0.0.1:0".parse().unwrap(),
        mfa_sim::radius::DEMO_RADIUS_SECRET,
    )
    .await
    .expect("RADIUS simulator starts");
    let config = ClientConfig::from_json(
        format!(r#"{{"provider":"radius","servers":["{}"]}}"#, radius.addr).as_bytes(),
    )
    .unwrap();
    let secrets = Secrets {
        radius_shared_secret: Some(Zeroizing::new(mfa_sim::radius::DEMO_RADIUS_SECRET.into())),
        ..Default::default()
    };
    let radius_client = Client::new(&config, secrets).unwrap();
    let o = ask(&radius_client, "challenge@contoso.com", 5.0).await;
    check(&o, FailureKind::Challenge, &["Next: ", "Access-Challenge"]);
    saw(&o);

    // identity: two approvers on a provider that cannot say who a name is (issue 24).
    let o = run(
        &radius_client,
        r#"{"approvers":["alice@contoso.com","bob@contoso.com"],"require":"all","timeoutSeconds":5}"#,
    )
    .await;
    check(
        &o,
        FailureKind::Identity,
        &["Next: ", "-AllowNameOnlyIdentity", "allowNameOnlyIdentity"],
    );
    saw(&o);

    let all: BTreeSet<String> = FailureKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(seen, all, "every failure kind walked");
}

#[tokio::test]
async fn duo_failures_name_duo_parameters_and_the_clock() {
    let sim = sim().await;
    // A user Duo does not know: preauth enroll.
    let o = approve(&duo_client(&sim, ""), "nobody@contoso.com").await;
    check(&o, FailureKind::Provider, &["Next: enroll the user in Duo"]);

    // A bypassed user without the opt-in: the opt-in is named.
    let o = approve(&duo_client(&sim, ""), "bypass@contoso.com").await;
    check(&o, FailureKind::Provider, &["Next: ", "-AllowBypass"]);

    // A wrong secret key: the Duo parameters, not -Credential.
    let wrong = Client::new(
        &duo_config(&sim, ""),
        duo_secret("a-wrong-secret-key-of-forty-characters00"),
    )
    .unwrap();
    let o = approve(&wrong, "alice@contoso.com").await;
    check(
        &o,
        FailureKind::Authentication,
        &["-IntegrationKey", "-SecretKey"],
    );
    assert!(!o.message.contains("-Credential"), "{}", o.message);

    // Clock skew: Duo refuses the request's Date (40105).
    let duo = serve(|head| {
        if head.starts_with("GET /auth/v2/ping") {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            json_response(
                "200 OK",
                &format!(r#"{{"stat":"OK","response":{{"time":{now}}}}}"#),
            )
        } else {
            json_response(
                "401 Unauthorized",
                r#"{"stat":"FAIL","code":40105,"message":"Invalid request timestamp"}"#,
            )
        }
    })
    .await;
    let skewed = Client::new(
        &ClientConfig::from_json(
            format!(
                r#"{{"provider":"duo","uri":"http://{duo}","integrationKey":"{}","allowUnencryptedAuthentication":true}}"#,
                mfa_sim::duo::DEMO_INTEGRATION_KEY
            )
            .as_bytes(),
        )
        .unwrap(),
        duo_secret(mfa_sim::duo::DEMO_SECRET_KEY),
    )
    .unwrap();
    let o = approve(&skewed, "alice@contoso.com").await;
    check(
        &o,
        FailureKind::Authentication,
        &["40105", "clock", "w32tm /resync"],
    );
}
