//! The privacyIDEA provider against the simulator's privacyIDEA API over real HTTPS: every
//! demo user, the presence code reaching the progress, signed answers (the demo key pinned:
//! unsigned and tampered answers refused; the same answers believed without the key, so the
//! faults really forge), forged bodies (a repeated key, a string `"true"`, a second document,
//! another token's ACCEPT, an ACCEPT in the poll only), pacing, withdrawing a push the caller
//! stopped waiting for, a wrong service password, and identity. The real privacyIDEA runs
//! the same scenarios in privacyidea_real.rs, and tests/python compares the two's answers.

use crate::common;
use common::*;
use mfa_engine::outcome::FailureKind;
use mfa_engine::{Client, ClientConfig, Progress, Query, Secrets, Status};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

fn key_file() -> String {
    let dir = temp_dir("privacyidea-sim");
    let path = dir.join("demo-signing-key.pem");
    std::fs::write(&path, mfa_sim::privacyidea::wire::DEMO_SIGNING_PUBLIC_KEY).unwrap();
    path.display().to_string()
}

fn pi_config(sim: &mfa_sim::Running, pi: &str) -> ClientConfig {
    let pin = sim.cert_sha256.clone().unwrap_or_default();
    let json = format!(
        r#"{{"provider":"privacyidea","uri":"https://{}","userName":"{}","serverCertificateSha256":["{pin}"],"realm":"contoso"{}{pi}}}"#,
        sim.addr,
        mfa_sim::DEMO_USER,
        if pi.is_empty() { "" } else { "," }
    );
    ClientConfig::from_json(json.as_bytes()).expect("config")
}

fn pi_client(sim: &mfa_sim::Running, signed: bool) -> Client {
    let pi = if signed {
        format!(r#""responseSigningKeyFile":"{}""#, key_file())
    } else {
        String::new()
    };
    Client::new(&pi_config(sim, &pi), password(mfa_sim::DEMO_PASSWORD)).expect("client")
}

async fn approve_within(client: &Client, user: &str, seconds: u32) -> mfa_engine::Outcome {
    run(
        client,
        &format!(r#"{{"userName":"{user}","timeoutSeconds":{seconds}}}"#),
    )
    .await
}

#[tokio::test]
async fn demo_users_end_as_scripted() {
    let sim = sim().await;
    let client = pi_client(&sim, true);
    let cases = [
        ("alice", Status::Approved),
        ("ALICE@contoso.com", Status::Approved),
        ("erin", Status::Approved),
        ("instant@contoso.com", Status::Approved),
        ("victor", Status::Approved),
        ("bob", Status::Denied),
        ("mallory@contoso.com", Status::Denied),
        ("carol", Status::TimedOut),
        ("dave", Status::Failed),
        ("nobody", Status::Failed),
        ("codetophone@faults.contoso.com", Status::Failed),
    ];
    let tasks: Vec<_> = cases
        .iter()
        .map(|(user, _)| {
            let (client, user) = (client.clone(), user.to_string());
            tokio::spawn(async move { approve_within(&client, &user, 4).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    for ((user, status), o) in cases.iter().zip(&outcomes) {
        assert_eq!(o.status, *status, "{user}: {}", o.message);
        for debug in ["{", "}", "Some(", "None", "\\\""] {
            assert!(!o.message.contains(debug), "{user}: {}", o.message);
        }
        if !matches!(o.status, Status::Approved | Status::Denied) {
            assert!(o.message.contains("Next: "), "{user}: {}", o.message);
        }
        assert_eq!(o.approved, *status == Status::Approved, "{user}");
        assert_eq!(o.provider, "privacyidea");
    }
    let dave = &outcomes[8];
    assert!(
        dave.message.contains("no active privacyIDEA push token"),
        "{}",
        dave.message
    );
    let code = &outcomes[10];
    assert!(
        code.message.contains("push_code_to_phone"),
        "{}",
        code.message
    );
    // No push for dave or nobody; the code-to-phone push was withdrawn.
    let triggers = sim
        .privacyidea_calls()
        .iter()
        .filter(|c| c.path == "/validate/triggerchallenge")
        .count();
    assert_eq!(triggers, cases.len());
    let code_tx = code.authentication_request_id.clone().unwrap();
    assert!(sim.privacyidea_cancels().contains(&code_tx));
    assert_eq!(code.push_withdrawn, Some(true));
    // dave has no push token: nothing was out to withdraw.
    assert_eq!(dave.push_withdrawn, None);
}

async fn wait_for(mut condition: impl FnMut() -> bool) {
    let clock = Instant::now();
    while !condition() {
        assert!(clock.elapsed() < Duration::from_secs(10), "never happened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_presence_answer_is_shown_while_waiting() {
    let sim = sim().await;
    let client = pi_client(&sim, true);
    let progress = Progress::default();
    let q = Query::from_json(br#"{"userName":"victor","timeoutSeconds":10}"#).unwrap();
    let o = client.run_with_progress(&q, &progress).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let s = progress.snapshot();
    let code = s.code.expect("a presence code");
    assert!(["A", "B", "C"].contains(&code.as_str()), "{code}");
    assert!(s.stages.iter().any(|st| st == "pushed"));
}

#[tokio::test]
async fn forged_answers_are_never_approvals() {
    let sim = sim().await;
    for signed in [false, true] {
        let client = pi_client(&sim, signed);
        for user in [
            "duplicated",
            "stringly",
            "pollonly",
            "second",
            "otherserial",
        ] {
            let o = approve_within(&client, &format!("{user}@faults.contoso.com"), 10).await;
            assert_ne!(
                o.status,
                Status::Approved,
                "{user} (signed {signed}): {}",
                o.message
            );
            assert!(!o.approved);
            assert_eq!(o.status, Status::Failed, "{user}: {}", o.message);
        }
    }
}

#[tokio::test]
async fn with_the_key_pinned_unsigned_and_tampered_answers_are_refused() {
    let sim = sim().await;
    // Without the key, nothing is checked: the tampered REJECT-turned-ACCEPT is believed
    // (which is what the key is for), and an unsigned answer is read.
    let unpinned = pi_client(&sim, false);
    for user in ["unsigned", "tampered"] {
        let o = approve_within(&unpinned, &format!("{user}@faults.contoso.com"), 10).await;
        assert_eq!(o.status, Status::Approved, "{user}: {}", o.message);
    }
    let pinned = pi_client(&sim, true);
    for (user, why) in [("unsigned", "not signed"), ("tampered", "does not verify")] {
        let o = approve_within(&pinned, &format!("{user}@faults.contoso.com"), 10).await;
        assert_eq!(o.status, Status::Failed, "{user}: {}", o.message);
        assert_eq!(o.failure_kind, FailureKind::Protocol);
        assert!(o.message.contains(why), "{user}: {}", o.message);
    }
    // Another server's key: nothing verifies, not even the service account's sign-in.
    let other = temp_dir("privacyidea-other-key").join("other.pem");
    std::fs::write(&other, other_public_key()).unwrap();
    let c = Client::new(
        &pi_config(
            &sim,
            &format!(r#""responseSigningKeyFile":"{}""#, other.display()),
        ),
        password(mfa_sim::DEMO_PASSWORD),
    )
    .unwrap();
    let o = approve_within(&c, "alice", 10).await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert!(
        o.message.starts_with("auth: the signature does not verify"),
        "{}",
        o.message
    );
}

/// The public key (SubjectPublicKeyInfo PEM) of tests/data/okta-service-app-test-rsa.pem: a
/// valid RSA key that is not the simulator's.
fn other_public_key() -> String {
    use base64::Engine as _;
    use rustls_pki_types::pem::PemObject;
    let pem = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/okta-service-app-test-rsa.pem"),
    )
    .unwrap();
    let der = rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(&pem).unwrap();
    let pair = ring::signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).unwrap();
    let pkcs1 = ring::signature::KeyPair::public_key(&pair)
        .as_ref()
        .to_vec();
    // SubjectPublicKeyInfo: rsaEncryption with NULL parameters, the PKCS#1 key in a BIT STRING.
    let algorithm = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let der_len = |n: usize| -> Vec<u8> {
        if n < 128 {
            vec![n as u8]
        } else {
            vec![0x82, (n >> 8) as u8, n as u8]
        }
    };
    let mut bits = vec![0x03];
    bits.extend(der_len(pkcs1.len() + 1));
    bits.push(0);
    bits.extend(&pkcs1);
    let mut spki = vec![0x30];
    spki.extend(der_len(algorithm.len() + bits.len()));
    spki.extend(algorithm);
    spki.extend(bits);
    let b64 = base64::engine::general_purpose::STANDARD.encode(spki);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

#[tokio::test]
async fn polls_are_paced_by_time() {
    let sim = sim().await;
    let client = pi_client(&sim, true);
    let clock = Instant::now();
    let o = approve_within(&client, "eager@faults.contoso.com", 10).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let polls = sim
        .privacyidea_calls()
        .iter()
        .filter(|c| c.path == "/validate/polltransaction")
        .count();
    let seconds = clock.elapsed().as_secs_f64();
    assert!(
        polls as f64 <= seconds + 1.0,
        "{polls} polls in {seconds:.1} s"
    );
    assert!(polls >= 3, "{polls}");
}

#[tokio::test]
async fn a_caller_that_stops_waiting_withdraws_the_push() {
    let sim = sim().await;
    let client = pi_client(&sim, true);
    let q = Query::from_json(br#"{"userName":"carol","timeoutSeconds":30}"#).unwrap();
    let progress = Progress::default();
    // The caller gives up (as a cancel drops the request's task).
    let _ = tokio::time::timeout(
        Duration::from_millis(1500),
        client.run_with_progress(&q, &progress),
    )
    .await;
    let polled = || -> Vec<String> {
        let mut txs: Vec<String> = sim
            .privacyidea_calls()
            .iter()
            .filter(|c| c.path == "/validate/polltransaction")
            .flat_map(|c| c.params.clone())
            .filter(|(k, _)| k == "transaction_id")
            .map(|(_, v)| v)
            .collect();
        txs.dedup();
        txs
    };
    let tx = polled().first().expect("polled").clone();
    wait_for(|| sim.privacyidea_cancels().contains(&tx)).await;
    // A deadline withdraws too, before the outcome is made, which says so.
    let o = approve_within(&client, "carol", 2).await;
    assert_eq!(o.status, Status::TimedOut);
    let tx = polled().last().expect("polled").clone();
    assert!(sim.privacyidea_cancels().contains(&tx));
    assert_eq!(o.push_withdrawn, Some(true), "{}", o.message);
    assert_eq!(o.approvers[0].push_withdrawn, Some(true));
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    // A decided push is not withdrawn: nothing needed withdrawing.
    let o = approve_within(&client, "bob", 10).await;
    assert_eq!((o.status, o.push_withdrawn), (Status::Denied, None));
    let bob = o.authentication_request_id.unwrap();
    let o = approve_within(&client, "alice", 10).await;
    assert_eq!((o.status, o.push_withdrawn), (Status::Approved, None));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!sim.privacyidea_cancels().contains(&bob));
}

#[tokio::test]
async fn the_push_of_an_approver_not_needed_any_more_is_withdrawn() {
    let sim = sim().await;
    let client = pi_client(&sim, true);
    let o = run(
        &client,
        r#"{"approvers":["alice","carol"],"require":"any","timeoutSeconds":20}"#,
    )
    .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let carol = o.approvers.iter().find(|a| a.user_name == "carol").unwrap();
    assert_eq!(carol.status, Status::Cancelled);
    assert_eq!(
        carol.push_withdrawn,
        Some(true),
        "carol's push was withdrawn"
    );
    let alice = o.approvers.iter().find(|a| a.user_name == "alice").unwrap();
    assert_eq!(alice.push_withdrawn, None, "alice's was decided");
    assert_eq!(o.push_withdrawn, Some(true));
    assert_eq!(sim.privacyidea_cancels().len(), 1);
}

#[tokio::test]
async fn a_push_code_to_phone_challenge_is_withdrawn_and_says_so() {
    let sim = sim().await;
    let client = pi_client(&sim, true);
    let o = approve_within(&client, "codetophone@faults.contoso.com", 10).await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert!(o.message.contains("push_code_to_phone"), "{}", o.message);
    assert_eq!(o.push_withdrawn, Some(true), "{}", o.message);
}

#[tokio::test]
async fn a_wrong_service_password_fails_without_showing_it() {
    let sim = sim().await;
    let wrong = "not-the-demo-password-at-all";
    let c = Client::new(
        &pi_config(&sim, ""),
        Secrets {
            basic_password: Some(Zeroizing::new(wrong.into())),
            ..Default::default()
        },
    )
    .unwrap();
    let o = approve_within(&c, "alice", 10).await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.failure_kind, FailureKind::Authentication);
    assert!(o.message.contains("4031"), "{}", o.message);
    assert!(!serde_json::to_string(&o).unwrap().contains(wrong));
    let sent = sim.privacyidea_calls();
    assert!(sent.iter().all(|c| c.path != "/validate/triggerchallenge"));
}

#[tokio::test]
async fn a_name_and_its_upn_are_one_person() {
    let sim = sim().await;
    let config = pi_config(&sim, "");
    let resolve = |name: &'static str| {
        let config = config.clone();
        async move {
            mfa_engine::testing::resolve_privacyidea_user(
                &config,
                password(mfa_sim::DEMO_PASSWORD),
                name,
            )
            .await
        }
    };
    let (alice, _, serials) = resolve("alice").await.unwrap().unwrap();
    let (upn, login, _) = resolve("Alice@Contoso.com").await.unwrap().unwrap();
    assert_eq!(alice, upn);
    assert_eq!(login, "alice");
    assert_eq!(serials.len(), 1);
    let (bob, _, _) = resolve("bob").await.unwrap().unwrap();
    assert_ne!(alice, bob);
    assert!(resolve("nobody").await.unwrap().is_none());
}
