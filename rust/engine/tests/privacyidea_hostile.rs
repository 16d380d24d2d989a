//! A hostile or broken privacyIDEA (a scripted plain-HTTP server on loopback) cannot make the
//! engine approve: an answer replayed from another call (another nonce), a trigger naming two
//! transactions or miscounting its challenges, a poll that contradicts itself, an ACCEPT
//! without `result.status`, bodies that never end. The service account's token is replaced
//! once when a reused one is refused, never echoed, and sent with the withdraw. The
//! simulator's fault users (privacyidea_sim.rs) cover the forged check answers.

use crate::common;
use common::fake_okta::{json, Answer, Body, FakeOkta, Reply, Seen};
use mfa_engine::outcome::FailureKind;
use mfa_engine::{Client, ClientConfig, Secrets, Status};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const TX: &str = "06500000000000007919";
const SERIAL: &str = "PIPU00001000";

fn token(n: usize) -> String {
    format!("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.token-number-{n}")
}

fn auth_ok(n: usize) -> Reply {
    json(
        200,
        format!(
            r#"{{"id": 2, "jsonrpc": "2.0", "result": {{"authentication": "ACCEPT", "status": true, "value": {{"role": "admin", "token": "{}", "username": "svc"}}}}, "time": 1700000000.5}}"#,
            token(n)
        ),
    )
}

fn trigger_ok() -> Reply {
    json(
        200,
        format!(
            r#"{{"detail": {{"multi_challenge": [{{"client_mode": "poll", "serial": "{SERIAL}", "transaction_id": "{TX}", "type": "push"}}], "transaction_id": "{TX}"}}, "result": {{"authentication": "CHALLENGE", "status": true, "value": 1}}}}"#
        ),
    )
}

fn poll(status: &str, value: bool) -> Reply {
    json(
        200,
        format!(
            r#"{{"detail": {{"challenge_status": "{status}"}}, "result": {{"status": true, "value": {value}}}}}"#
        ),
    )
}

fn accept() -> Reply {
    json(
        200,
        format!(
            r#"{{"detail": {{"message": "Found matching challenge", "serial": "{SERIAL}"}}, "result": {{"authentication": "ACCEPT", "status": true, "value": true}}}}"#
        ),
    )
}

/// An answer of the scripted server in place of privacyIDEA's.
type Override = Arc<dyn Fn(&Seen) -> Option<Reply> + Send + Sync>;

/// A privacyIDEA whose answers are privacyIDEA's unless `over` answers first.
fn server(over: impl Fn(&Seen) -> Option<Reply> + Send + Sync + 'static) -> Answer {
    let auths = Arc::new(AtomicUsize::new(0));
    Arc::new(move |seen, _| {
        if let Some(r) = over(seen) {
            return r;
        }
        match (seen.method.as_str(), seen.path.as_str()) {
            ("POST", "/auth") => auth_ok(auths.fetch_add(1, Ordering::SeqCst) + 1),
            ("POST", "/validate/triggerchallenge") => trigger_ok(),
            ("GET", "/validate/polltransaction") => poll("accept", true),
            ("POST", "/validate/check") => accept(),
            ("DELETE", _) => json(
                200,
                r#"{"result": {"status": true, "value": {"deleted": 1, "status": true}}}"#,
            ),
            _ => json(404, "{}"),
        }
    })
}

fn client(fake: &FakeOkta, password: &str) -> Client {
    let json = format!(
        r#"{{"provider":"privacyidea","uri":"{}","userName":"svc","allowUnencryptedAuthentication":true,"httpTimeoutSeconds":3,"realm":"contoso"}}"#,
        fake.base()
    );
    let config = ClientConfig::from_json(json.as_bytes()).unwrap();
    let secrets = Secrets {
        basic_password: Some(Zeroizing::new(password.into())),
        ..Default::default()
    };
    Client::new(&config, secrets).unwrap()
}

async fn approve(client: &Client, seconds: u32) -> mfa_engine::Outcome {
    common::run(
        client,
        &format!(r#"{{"userName":"alice","timeoutSeconds":{seconds}}}"#),
    )
    .await
}

#[tokio::test]
async fn the_scripted_server_approves_when_nothing_is_wrong() {
    let fake = FakeOkta::start(server(|_| None)).await;
    let o = approve(&client(&fake, "pw"), 10).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let seen = fake.seen();
    let trigger = seen
        .iter()
        .find(|s| s.path == "/validate/triggerchallenge")
        .unwrap();
    assert!(trigger
        .head
        .contains(&format!("pi-authorization: {}", token(1))));
    let check = seen.iter().find(|s| s.path == "/validate/check").unwrap();
    assert!(
        !check.head.to_ascii_lowercase().contains("pi-authorization"),
        "the final check is anonymous"
    );
}

#[tokio::test]
async fn hostile_answers_are_never_approvals() {
    let cases: Vec<(&str, Override)> = vec![
        (
            "a replayed ACCEPT (another call's nonce)",
            Arc::new(|s: &Seen| {
                (s.path == "/validate/check").then(|| json(200, format!(r#"{{"detail": {{"serial": "{SERIAL}"}}, "nonce": "0000000000000000000000000000000000000000", "result": {{"authentication": "ACCEPT", "status": true, "value": true}}}}"#)))
            }),
        ),
        (
            "an ACCEPT without result.status",
            Arc::new(|s: &Seen| {
                (s.path == "/validate/check").then(|| {
                    json(
                        200,
                        r#"{"result": {"authentication": "ACCEPT", "value": true}}"#,
                    )
                })
            }),
        ),
        (
            "a string status",
            Arc::new(|s: &Seen| {
                (s.path == "/validate/check").then(|| json(200, r#"{"result": {"authentication": "ACCEPT", "status": "true", "value": true}}"#))
            }),
        ),
        (
            "an ACCEPT with a redirect status",
            Arc::new(|s: &Seen| {
                (s.path == "/validate/check").then(|| Reply {
                    status: 302,
                    ..accept()
                })
            }),
        ),
        (
            "two transactions",
            Arc::new(|s: &Seen| {
                (s.path == "/validate/triggerchallenge").then(|| json(200, format!(r#"{{"detail": {{"multi_challenge": [{{"client_mode": "poll", "serial": "{SERIAL}", "transaction_id": "{TX}", "type": "push"}}, {{"client_mode": "poll", "serial": "PIPU2", "transaction_id": "1", "type": "push"}}]}}, "result": {{"status": true, "value": 2}}}}"#)))
            }),
        ),
        (
            "a miscounted trigger",
            Arc::new(|s: &Seen| {
                (s.path == "/validate/triggerchallenge").then(|| json(200, format!(r#"{{"detail": {{"multi_challenge": [{{"client_mode": "poll", "serial": "{SERIAL}", "transaction_id": "{TX}", "type": "push"}}]}}, "result": {{"status": true, "value": 0}}}}"#)))
            }),
        ),
        (
            "a poll that contradicts itself",
            Arc::new(|s: &Seen| {
                (s.path == "/validate/polltransaction").then(|| poll("pending", true))
            }),
        ),
        (
            "a poll status privacyIDEA does not send",
            Arc::new(|s: &Seen| {
                (s.path == "/validate/polltransaction").then(|| poll("approved", true))
            }),
        ),
        (
            "a poll with a repeated status",
            Arc::new(|s: &Seen| {
                (s.path == "/validate/polltransaction").then(|| json(200, r#"{"detail": {"challenge_status": "pending", "challenge_status": "accept"}, "result": {"status": true, "value": true}}"#))
            }),
        ),
        (
            "a poll that never ends",
            Arc::new(|s: &Seen| {
                (s.path == "/validate/polltransaction").then(|| Reply {
                    status: 200,
                    headers: vec![],
                    body: Body::Endless,
                })
            }),
        ),
    ];
    for (name, over) in cases {
        let fake = FakeOkta::start(server(move |s| over(s))).await;
        let clock = Instant::now();
        let o = approve(&client(&fake, "pw"), 5).await;
        assert_ne!(o.status, Status::Approved, "{name}: {}", o.message);
        assert!(!o.approved, "{name}");
        assert!(
            matches!(o.status, Status::Failed | Status::TimedOut),
            "{name}: {}",
            o.message
        );
        assert!(
            clock.elapsed() < Duration::from_secs(8),
            "{name}: within the deadline"
        );
    }
}

#[tokio::test]
async fn a_refused_reused_token_is_replaced_once() {
    let triggers = Arc::new(AtomicUsize::new(0));
    let count = triggers.clone();
    let fake = FakeOkta::start(server(move |s| {
        // The first trigger after the first sign-in is refused (an expired token), later
        // ones are served.
        (s.path == "/validate/triggerchallenge" && count.fetch_add(1, Ordering::SeqCst) == 1)
            .then(|| json(401, r#"{"result": {"error": {"code": 4304, "message": "Authentication failure. Your token has expired."}, "status": false}}"#))
    }))
    .await;
    let c = client(&fake, "pw");
    let o = approve(&c, 10).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let o = approve(&c, 10).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let auths = fake.seen().iter().filter(|s| s.path == "/auth").count();
    assert_eq!(auths, 2, "one sign-in, and one more after the refusal");

    // A fresh token that is refused is not fetched again: the failure stands.
    let fake = FakeOkta::start(server(|s| {
        (s.path == "/validate/triggerchallenge").then(|| {
            json(
                401,
                r#"{"result": {"error": {"code": 4304, "message": "no"}, "status": false}}"#,
            )
        })
    }))
    .await;
    let o = approve(&client(&fake, "pw"), 10).await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.failure_kind, FailureKind::Authentication);
    assert_eq!(fake.seen().iter().filter(|s| s.path == "/auth").count(), 1);
}

#[tokio::test]
async fn the_token_and_the_password_never_reach_a_message() {
    let password = "service-password-4711-long";
    let fake = FakeOkta::start(server(move |s| {
        (s.path == "/validate/triggerchallenge").then(|| {
            json(
                400,
                format!(
                    r#"{{"result": {{"error": {{"code": 10, "message": "bad request with token {} and password {password}"}}, "status": false}}}}"#,
                    token(1)
                ),
            )
        })
    }))
    .await;
    let o = approve(&client(&fake, password), 10).await;
    assert_eq!(o.status, Status::Failed);
    let all = serde_json::to_string(&o).unwrap();
    assert!(
        !all.contains(&token(1)) && !all.contains("token-number"),
        "{all}"
    );
    assert!(!all.contains(password), "{all}");
    assert!(o.message.contains("[redacted]"), "{}", o.message);
}

#[tokio::test]
async fn a_push_the_caller_stops_waiting_for_is_withdrawn_with_the_token() {
    let fake = FakeOkta::start(server(|s| {
        (s.path == "/validate/polltransaction").then(|| poll("pending", false))
    }))
    .await;
    let o = approve(&client(&fake, "pw"), 2).await;
    assert_eq!(o.status, Status::TimedOut);
    let clock = Instant::now();
    let delete = loop {
        if let Some(d) = fake.seen().into_iter().find(|s| s.method == "DELETE") {
            break d;
        }
        assert!(clock.elapsed() < Duration::from_secs(5), "withdrawn");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(delete.path, format!("/token/challenges/transaction/{TX}"));
    assert!(delete
        .head
        .contains(&format!("pi-authorization: {}", token(1))));
}

#[tokio::test]
async fn the_check_names_a_missing_trigger_right() {
    let fake = FakeOkta::start(server(|s| {
        (s.path == "/auth").then(|| {
            json(
                200,
                format!(
                    r#"{{"result": {{"status": true, "value": {{"rights": ["userlist"], "role": "admin", "token": "{}"}}}}}}"#,
                    token(1)
                ),
            )
        })
    }))
    .await;
    let o = common::run(&client(&fake, "pw"), r#"{"operation":"testSecurity"}"#).await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert_eq!(o.failure_kind, FailureKind::Authentication);
    assert!(
        o.message.contains("admin right triggerchallenge"),
        "{}",
        o.message
    );
}
