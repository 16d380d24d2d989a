//! The privacyIDEA provider against a real privacyIDEA 3.14 (`tests/python/privacyidea_server.py`:
//! SQLite, a flat-file user store, a service account allowed only what it needs, poll-only push
//! tokens enrolled by scripted phones that sign their answers as the privacyIDEA Authenticator
//! does). One server for this test binary; every approval here is decided by privacyIDEA after a
//! phone answered (or did not).
//!
//! Also: the response signing key pinned (the real server's signatures verify; a
//! TLS-terminating box that forges an ACCEPT is approved without the key and refused with it),
//! several approvers, the presence mode's code reaching the progress, identity resolution.

use crate::privacyidea_common;
use mfa_engine::outcome::FailureKind;
use mfa_engine::{Client, ClientConfig, Outcome, Progress, Query, Secrets, Status};
use privacyidea_common::{server, Server};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zeroize::Zeroizing;

fn secrets(password: &str) -> Secrets {
    Secrets {
        basic_password: Some(Zeroizing::new(password.into())),
        ..Default::default()
    }
}

fn client_for(json: &str, password: &str) -> Client {
    let config = ClientConfig::from_json(json.as_bytes()).expect("config");
    Client::new(&config, secrets(password)).expect("client")
}

fn client(s: &Server, pi: &str) -> Client {
    client_for(
        &s.config_json(&s.field("serviceUser"), "", pi),
        &s.service_password(),
    )
}

fn signed(s: &Server) -> String {
    format!(
        r#""responseSigningKeyFile":"{}""#,
        s.field("signingKeyFile")
    )
}

async fn run(client: &Client, json: &str) -> Outcome {
    client
        .run(&Query::from_json(json.as_bytes()).expect("request"))
        .await
}

async fn approve(client: &Client, user: &str, seconds: u32) -> Outcome {
    run(
        client,
        &format!(r#"{{"userName":"{user}","timeoutSeconds":{seconds}}}"#),
    )
    .await
}

#[tokio::test]
async fn approved_only_after_the_phone_approves() {
    let Some(s) = server() else { return };
    let client = client(s, &signed(s));
    let progress = Progress::default();
    let clock = Instant::now();
    let q = Query::from_json(br#"{"userName":"alice","timeoutSeconds":30}"#).unwrap();
    let o = client.run_with_progress(&q, &progress).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert!(o.approved);
    assert_eq!(o.provider, "privacyidea");
    // alice's phone answers a second after it first sees the push: until then privacyIDEA
    // said pending, and nothing approved.
    assert!(
        clock.elapsed() >= Duration::from_secs(1),
        "{:?}",
        clock.elapsed()
    );
    let stages = progress.snapshot().stages;
    assert!(
        stages.iter().any(|st| st == "waiting"),
        "polled while pending: {stages:?}"
    );
    let tx = o.authentication_request_id.clone().expect("transaction id");
    assert!(tx.bytes().all(|b| b.is_ascii_digit()), "{tx}");
    let data = o.data.clone().unwrap();
    assert_eq!(data["authentication"], "ACCEPT");
    assert_eq!(data["challengeStatus"], "accept");
    // auth, triggerchallenge, at least two polls, check
    assert!(o.http_calls >= 5, "{}", o.http_calls);
}

#[tokio::test]
async fn each_answer_ends_as_the_person_answered() {
    let Some(s) = server() else { return };
    let client = client(s, &signed(s));
    let (bob, mallory, carol, dave, nobody) = tokio::join!(
        approve(&client, "bob", 30),
        approve(&client, "mallory", 30),
        approve(&client, "carol", 3),
        approve(&client, "dave", 30),
        approve(&client, "nobody", 30),
    );
    assert_eq!(bob.status, Status::Denied, "{}", bob.message);
    assert!(bob.message.contains("declined"), "{}", bob.message);
    assert_eq!(mallory.status, Status::Denied, "{}", mallory.message);
    assert_eq!(carol.status, Status::TimedOut, "{}", carol.message);
    assert_eq!(carol.failure_kind, FailureKind::Timeout);
    assert_eq!(dave.status, Status::Failed, "{}", dave.message);
    assert_eq!(dave.failure_kind, FailureKind::Provider);
    assert!(
        dave.message.contains("no active privacyIDEA push token")
            && dave.message.contains("Next: enrol"),
        "{}",
        dave.message
    );
    assert_eq!(nobody.status, Status::Failed, "{}", nobody.message);
    assert!(
        nobody.message.contains("does not know this user") && nobody.message.contains("Next:"),
        "{}",
        nobody.message
    );
    for o in [&bob, &mallory, &carol, &dave, &nobody] {
        assert!(!o.approved);
    }
}

#[tokio::test]
async fn a_wrong_service_password_fails_and_is_never_shown() {
    let Some(s) = server() else { return };
    let wrong = "Wr0ng-but-long-service-password";
    let c = client_for(&s.config_json(&s.field("serviceUser"), "", ""), wrong);
    let o = approve(&c, "alice", 30).await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert_eq!(o.failure_kind, FailureKind::Authentication);
    assert!(
        o.message.contains("refused the service account"),
        "{}",
        o.message
    );
    assert!(
        o.message.contains("Next: check -Credential"),
        "{}",
        o.message
    );
    let all = serde_json::to_string(&o).unwrap();
    assert!(!all.contains(wrong) && !all.contains(&s.service_password()));
}

#[tokio::test]
async fn a_service_account_without_the_right_is_told_which_right() {
    let Some(s) = server() else { return };
    let c = client_for(
        &s.config_json(&s.field("triggerOnlyUser"), "", ""),
        &s.field("triggerOnlyPassword"),
    );
    // It may trigger (and alice approves)...
    let o = approve(&c, "alice", 30).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    // ...and the check says so, warning that it cannot withdraw...
    let o = run(&c, r#"{"operation":"testSecurity"}"#).await;
    assert_eq!(o.status, Status::Completed, "{}", o.message);
    assert!(
        o.warnings.iter().any(|w| w.contains("cancelchallenge")),
        "{:?}",
        o.warnings
    );
    // ...but not list users.
    let o = run(&c, r#"{"operation":"userExists","userName":"alice"}"#).await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert_eq!(o.failure_kind, FailureKind::Authentication);
    assert!(o.message.contains("admin right userlist"), "{}", o.message);
}

#[tokio::test]
async fn several_approvers_are_decided_by_the_engine() {
    let Some(s) = server() else { return };
    let client = client(s, &signed(s));
    let all = run(
        &client,
        r#"{"approvers":["alice","erin"],"require":"all","timeoutSeconds":30}"#,
    )
    .await;
    assert_eq!(all.status, Status::Approved, "{}", all.message);
    assert_eq!(all.approvers.len(), 2);
    assert!(all.approvers.iter().all(|a| a.approved));
    let two = run(
        &client,
        r#"{"approvers":["alice","bob","carol"],"require":2,"timeoutSeconds":4}"#,
    )
    .await;
    assert_ne!(two.status, Status::Approved, "{}", two.message);
    assert!(!two.approved);
    let any = run(
        &client,
        r#"{"approvers":["carol","erin"],"require":"any","timeoutSeconds":30}"#,
    )
    .await;
    assert_eq!(any.status, Status::Approved, "{}", any.message);
    assert_eq!(any.decided_by.as_deref(), Some("erin"));
    let carol = any
        .approvers
        .iter()
        .find(|a| a.user_name == "carol")
        .unwrap();
    assert_eq!(carol.status, Status::Cancelled);
    // carol's push, not needed any more, was withdrawn, and privacyIDEA confirmed it.
    assert_eq!(carol.push_withdrawn, Some(true), "{}", carol.message);
    let erin = any
        .approvers
        .iter()
        .find(|a| a.user_name == "erin")
        .unwrap();
    assert_eq!(erin.push_withdrawn, None, "erin's was decided");
    assert_eq!(any.push_withdrawn, Some(true));
}

#[tokio::test]
async fn a_push_left_waiting_is_withdrawn_and_the_outcome_says_whether() {
    let Some(s) = server() else { return };
    // Past the deadline: the service account may cancel challenges, privacyIDEA removes it.
    let client = client(s, &signed(s));
    let o = approve(&client, "carol", 2).await;
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    assert_eq!(o.push_withdrawn, Some(true), "{}", o.message);
    assert_eq!(o.approvers[0].push_withdrawn, Some(true));
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    // A decided push needs no withdraw.
    let o = approve(&client, "bob", 30).await;
    assert_eq!((o.status, o.push_withdrawn), (Status::Denied, None));
    // Without the cancelchallenge right the withdraw is refused: not withdrawn, and why.
    let c = client_for(
        &s.config_json(&s.field("triggerOnlyUser"), "", ""),
        &s.field("triggerOnlyPassword"),
    );
    let o = approve(&c, "carol", 2).await;
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    assert_eq!(o.push_withdrawn, Some(false), "{}", o.message);
    let warning = o.warnings.join(" ");
    assert!(
        warning.contains("could not be withdrawn") && warning.contains("cancelchallenge"),
        "{warning}"
    );
}

#[tokio::test]
async fn the_presence_answer_reaches_the_asker_and_the_person_picks_it() {
    let Some(s) = server() else { return };
    let client = Arc::new(client(s, &signed(s)));
    let progress = Progress::default();
    let q = Query::from_json(br#"{"userName":"victor","timeoutSeconds":30}"#).unwrap();
    let task = {
        let (client, progress) = (client.clone(), progress.clone());
        tokio::spawn(async move { client.run_with_progress(&q, &progress).await })
    };
    let code = loop {
        if let Some(c) = progress.snapshot().code {
            break c;
        }
        assert!(!task.is_finished(), "ended without showing a code");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        code.chars().count() == 1 && code.chars().all(|c| c.is_ascii_uppercase()),
        "{code}"
    );
    assert!(progress
        .snapshot()
        .message
        .contains(&format!("must pick {code}")));
    s.tell("victor", &code);
    let o = task.await.unwrap();
    assert_eq!(o.status, Status::Approved, "{}", o.message);
}

#[tokio::test]
async fn a_wrong_presence_pick_is_not_an_approval() {
    let Some(s) = server() else { return };
    let client = Arc::new(client(s, ""));
    let progress = Progress::default();
    let q = Query::from_json(br#"{"userName":"victor","timeoutSeconds":4}"#).unwrap();
    let task = {
        let (client, progress) = (client.clone(), progress.clone());
        tokio::spawn(async move { client.run_with_progress(&q, &progress).await })
    };
    let code = loop {
        if let Some(c) = progress.snapshot().code {
            break c;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // The person picks another option than the one shown: privacyIDEA does not accept it.
    let other = if code == "A" { "B" } else { "A" };
    s.tell("victor", other);
    let o = task.await.unwrap();
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
}

#[tokio::test]
async fn names_resolve_to_privacyideas_user_and_push_tokens() {
    let Some(s) = server() else { return };
    let config =
        ClientConfig::from_json(s.config_json(&s.field("serviceUser"), "", "").as_bytes()).unwrap();
    let resolve = |name: &'static str| {
        let config = config.clone();
        async move {
            mfa_engine::testing::resolve_privacyidea_user(
                &config,
                secrets(&s.service_password()),
                name,
            )
            .await
        }
    };
    let (id, login, serials) = resolve("alice").await.unwrap().expect("alice");
    assert_eq!(login, "alice");
    assert_eq!(serials, [s.serial("alice")]);
    assert!(id.starts_with("privacyidea:contoso/contoso-users/"), "{id}");
    let (upper, _, _) = resolve("ALICE").await.unwrap().expect("ALICE");
    assert_eq!(upper, id, "one person, two spellings");
    let (erin, _, _) = resolve("erin").await.unwrap().expect("erin");
    assert_ne!(erin, id);
    let (_, _, none) = resolve("dave").await.unwrap().expect("dave exists");
    assert!(none.is_empty(), "dave has no push token");
    assert_eq!(resolve("nobody").await.unwrap(), None);
    assert!(resolve("al*").await.unwrap_err().contains("wildcard"));
}

#[tokio::test]
async fn queries_use_the_service_account() {
    let Some(s) = server() else { return };
    let c = client(s, &signed(s));
    let o = run(&c, r#"{"operation":"testSecurity"}"#).await;
    assert_eq!(o.status, Status::Completed, "{}", o.message);
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    let rights = &o.data.as_ref().unwrap()["rights"];
    assert!(
        rights
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "triggerchallenge"),
        "{rights}"
    );
    let o = run(&c, r#"{"operation":"getUserSettings","userName":"alice"}"#).await;
    assert_eq!(o.status, Status::Completed, "{}", o.message);
    let settings = &o.data.as_ref().unwrap()["userSettings"];
    assert_eq!(settings["Enabled"], true);
    assert_eq!(settings["PushSerials"][0], s.serial("alice").as_str());
    let o = run(&c, r#"{"operation":"userExists","userName":"nobody"}"#).await;
    assert_eq!(o.data.as_ref().unwrap()["exists"], false);
}

/// The real server's answers verify with its key, over the text the engine reproduces; one
/// changed byte, or another key, does not.
#[tokio::test]
async fn real_signatures_verify_and_tampered_ones_do_not() {
    let Some(s) = server() else { return };
    let ca = std::fs::read(s.field("caFile")).unwrap();
    let http = reqwest::Client::builder()
        .no_proxy()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let body = http
        .post(format!("{}/validate/check", s.url()))
        .form(&[
            ("user", "carol"),
            ("realm", "contoso"),
            ("pass", "x\u{e9}\"\\"),
            ("nonce", "n\u{2028}"),
        ])
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let key = std::fs::read(s.field("signingKeyFile")).unwrap();
    mfa_engine::testing::verify_privacyidea_signature(&key, &body)
        .expect("the real signature verifies");
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(text.contains(r#""nonce": "n\u2028""#), "{text}");
    let forged = text.replacen("REJECT", "ACCEPT", 1);
    assert!(mfa_engine::testing::verify_privacyidea_signature(&key, forged.as_bytes()).is_err());
    let other = std::fs::read(s.field("caFile")).unwrap();
    assert!(mfa_engine::testing::verify_privacyidea_signature(&other, &body).is_err());
}

/// A plain-HTTP box on loopback between the engine and privacyIDEA (as a TLS-terminating
/// proxy would be): it forwards every call and, for carol (who never answers), rewrites the
/// poll and the final check into an ACCEPT.
async fn forging_box(s: &Server) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let ca = std::fs::read(s.field("caFile")).unwrap();
    let http = reqwest::Client::builder()
        .no_proxy()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let upstream = s.url();
    // carol's transactions, learned from her triggerchallenge answers.
    let carols = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (http, upstream, carols) = (http.clone(), upstream.clone(), carols.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let head_end = loop {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let header = |name: &str| {
                    head.lines().find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                    })
                };
                let length: usize = header("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + length {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let body = buf[head_end..].to_vec();
                let mut parts = head.split(' ');
                let method = parts.next().unwrap_or_default().to_owned();
                let target = parts.next().unwrap_or("/").to_owned();
                let mut req = http.request(method.parse().unwrap(), format!("{upstream}{target}"));
                for name in ["content-type", "pi-authorization"] {
                    if let Some(v) = header(name) {
                        req = req.header(name, v);
                    }
                }
                let answer = req.body(body.clone()).send().await.unwrap();
                let status = answer.status().as_u16();
                let mut text = answer.text().await.unwrap();
                let sent = String::from_utf8_lossy(&body).into_owned();
                if target.starts_with("/validate/triggerchallenge") && sent.contains("user=carol") {
                    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
                    if let Some(tx) = doc["detail"]["transaction_id"].as_str() {
                        carols.lock().unwrap().push(tx.to_owned());
                    }
                }
                let about_carol = carols
                    .lock()
                    .unwrap()
                    .iter()
                    .any(|tx| target.contains(tx.as_str()) || sent.contains(tx.as_str()));
                if about_carol
                    && (target.contains("polltransaction") || target.contains("/validate/check"))
                {
                    text = text
                        .replace(
                            r#""challenge_status": "pending""#,
                            r#""challenge_status": "accept""#,
                        )
                        .replace(
                            r#""authentication": "REJECT""#,
                            r#""authentication": "ACCEPT""#,
                        )
                        .replace(r#""value": false"#, r#""value": true"#);
                }
                let out = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
                let _ = sock.write_all(out.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test]
async fn a_forged_accept_is_refused_when_the_signing_key_is_pinned() {
    let Some(s) = server() else { return };
    let port = forging_box(s).await;
    let config = |pi: &str| {
        format!(
            r#"{{"provider":"privacyidea","uri":"http://127.0.0.1:{port}","userName":"{}","allowUnencryptedAuthentication":true,"httpTimeoutSeconds":10,"realm":"contoso"{}{pi}}}"#,
            s.field("serviceUser"),
            if pi.is_empty() { "" } else { "," }
        )
    };
    // The control: without the key, the box's forgery is believed (so the box really forges).
    let unpinned = client_for(&config(""), &s.service_password());
    let o = approve(&unpinned, "carol", 15).await;
    assert_eq!(o.status, Status::Approved, "the box forges: {}", o.message);
    // With the key pinned, the forged answers do not verify: never an approval.
    let pinned = client_for(&config(&signed(s)), &s.service_password());
    let o = approve(&pinned, "carol", 15).await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert!(!o.approved);
    assert_eq!(o.failure_kind, FailureKind::Protocol);
    assert!(o.message.contains("signature"), "{}", o.message);
    // Untouched answers through the same box verify: alice is approved.
    let o = approve(&pinned, "alice", 30).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
}
