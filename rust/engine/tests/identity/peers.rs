//! Four eyes by identity against the strict test peers (scripted Okta and Duo on loopback,
//! tests/common): one person under two names is refused before any push; a lookup that
//! names another user, repeats a key, answers garbage, errors or never ends is a failure,
//! never a pass; the push goes to exactly what the lookup resolved, looked up once.

use crate::common::fake_duo::FakeDuo;
use crate::common::fake_okta::{json, Body, FakeOkta, Reply, Seen};
use crate::common::*;
use mfa_engine::outcome::FailureKind;
use mfa_engine::Status;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn approval(approvers: &[&str], require: &str, excluded: &[&str], timeout: f64) -> String {
    serde_json::json!({
        "approvers": approvers,
        "require": require,
        "excludeUserNames": excluded,
        "timeoutSeconds": timeout,
    })
    .to_string()
}

fn user(id: &str, login: &str) -> String {
    format!(r#"{{"id":"{id}","status":"ACTIVE","profile":{{"login":"{login}"}}}}"#)
}

/// An Okta org: `eyes@corp.test` is `00ueyes` (by login or id), `bob@corp.test` is
/// `00ubob`; `lookups` overrides the answer for a path; every push approves.
fn okta_org(lookups: HashMap<&'static str, Reply>) -> crate::common::fake_okta::Answer {
    Arc::new(move |seen: &Seen, base: &str| {
        if let Some(r) = lookups.get(seen.path.as_str()) {
            return r.clone();
        }
        let p = seen.path.as_str();
        match (seen.method.as_str(), p) {
            (
                "GET",
                "/api/v1/users/eyes%40corp.test"
                | "/api/v1/users/eyes@corp.test"
                | "/api/v1/users/00ueyes",
            ) => json(200, user("00ueyes", "eyes@corp.test")),
            (
                "GET",
                "/api/v1/users/bob%40corp.test"
                | "/api/v1/users/bob@corp.test"
                | "/api/v1/users/00ubob",
            ) => json(200, user("00ubob", "bob@corp.test")),
            ("GET", p) if p.ends_with("/factors") => {
                let uid = p.split('/').nth(4).unwrap_or_default();
                json(
                    200,
                    format!(
                        r#"[{{"id":"opf{uid}","factorType":"push","provider":"OKTA","status":"ACTIVE"}}]"#
                    ),
                )
            }
            ("POST", p) if p.ends_with("/verify") => {
                let uid = p.split('/').nth(4).unwrap_or_default();
                let link =
                    format!("{base}/api/v1/users/{uid}/factors/opf{uid}/transactions/tx{uid}");
                json(
                    201,
                    format!(
                        r#"{{"factorResult":"WAITING","_links":{{"poll":{{"href":"{link}"}},"cancel":{{"href":"{link}"}}}}}}"#
                    ),
                )
            }
            ("GET", p) if p.contains("/transactions/") => {
                json(200, r#"{"factorResult":"SUCCESS"}"#)
            }
            _ => json(
                404,
                r#"{"errorCode":"E0000007","errorSummary":"Not found"}"#,
            ),
        }
    })
}

fn verifies(okta: &FakeOkta) -> usize {
    okta.seen()
        .iter()
        .filter(|s| s.method == "POST" && s.path.ends_with("/verify"))
        .count()
}

#[tokio::test]
async fn okta_peer_a_login_and_its_id_are_one_person_and_nothing_is_pushed() {
    let okta = FakeOkta::start(okta_org(HashMap::new())).await;
    let client = okta.client("", "test-token");
    for require in ["all", "2"] {
        let o = run(
            &client,
            &approval(&["eyes@corp.test", "00ueyes"], require, &[], 10.0),
        )
        .await;
        assert_eq!(o.status, Status::Failed, "{}", o.message);
        assert_eq!(o.failure_kind, FailureKind::Identity);
        assert!(
            o.message
                .contains("'eyes@corp.test' and '00ueyes' are one person")
                && o.message.contains("Okta user 00ueyes"),
            "{}",
            o.message
        );
    }
    let o = run(
        &client,
        &approval(&["00ueyes"], "any", &["eyes@corp.test"], 10.0),
    )
    .await;
    assert_eq!(o.failure_kind, FailureKind::Identity, "{}", o.message);
    assert_eq!(verifies(&okta), 0, "nothing was pushed");
}

#[tokio::test]
async fn okta_peer_the_push_goes_to_the_user_looked_up_once() {
    let okta = FakeOkta::start(okta_org(HashMap::new())).await;
    let client = okta.client("", "test-token");
    let o = run(
        &client,
        &approval(&["eyes@corp.test", "bob@corp.test"], "all", &[], 10.0),
    )
    .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(
        o.approvers[0].identity.as_deref(),
        Some("Okta user 00ueyes")
    );
    assert_eq!(o.approvers[1].identity.as_deref(), Some("Okta user 00ubob"));
    let seen = okta.seen();
    for (login, uid) in [("eyes", "00ueyes"), ("bob", "00ubob")] {
        let lookups = seen
            .iter()
            .filter(|s| s.method == "GET" && s.path.starts_with(&format!("/api/v1/users/{login}")))
            .count();
        assert_eq!(lookups, 1, "{login} looked up once: {seen:?}");
        assert!(seen.iter().any(|s| s.method == "POST"
            && s.path == format!("/api/v1/users/{uid}/factors/opf{uid}/verify")));
    }
    // The lookup's calls count in the approver's record.
    assert!(
        o.approvers[0].http_calls >= 4,
        "{}",
        o.approvers[0].http_calls
    );
}

#[tokio::test]
async fn okta_peer_hostile_lookups_are_failures_never_passes() {
    let cases: Vec<(&str, Reply, FailureKind)> = vec![
        // A lookup that names another user (the victim's id for the attacker's name).
        (
            "another user",
            json(200, user("00ubob", "bob@corp.test")),
            FailureKind::Protocol,
        ),
        // The id asked for, answered with another id and login.
        (
            "another id",
            json(200, user("00uother", "other@corp.test")),
            FailureKind::Protocol,
        ),
        // Duplicated keys: a first-wins reader sees one user, a last-wins reader another.
        (
            "a repeated key",
            json(
                200,
                r#"{"id":"00ueve","id":"00ubob","profile":{"login":"eve@corp.test"}}"#,
            ),
            FailureKind::Protocol,
        ),
        (
            "an HTML page",
            json(200, "<html><body>Sign in</body></html>"),
            FailureKind::Protocol,
        ),
        (
            "a wrong id type",
            json(200, r#"{"id":12,"profile":{"login":"eve@corp.test"}}"#),
            FailureKind::Protocol,
        ),
        (
            "a refused token",
            json(401, r#"{"errorCode":"E0000011"}"#),
            FailureKind::Authentication,
        ),
    ];
    for (what, reply, kind) in cases {
        let mut lookups = HashMap::new();
        lookups.insert("/api/v1/users/eve%40corp.test", reply.clone());
        lookups.insert("/api/v1/users/eve@corp.test", reply);
        let okta = FakeOkta::start(okta_org(lookups)).await;
        let client = okta.client("", "test-token");
        // As an approver: not asked, not counted.
        let o = run(
            &client,
            &approval(&["eve@corp.test", "eyes@corp.test"], "all", &[], 10.0),
        )
        .await;
        assert_eq!(o.status, Status::Failed, "{what}: {}", o.message);
        assert!(!o.approved);
        assert_eq!(
            o.approvers[0].failure_kind, kind,
            "{what}: {}",
            o.approvers[0].message
        );
        assert!(o.approvers[0].identity.is_none());
        // As the excluded requester: the request is blocked.
        let o = run(
            &client,
            &approval(&["bob@corp.test"], "any", &["eve@corp.test"], 10.0),
        )
        .await;
        assert_eq!(o.status, Status::Failed, "{what}: {}", o.message);
        assert!(
            o.message
                .contains("excluded 'eve@corp.test' could not be identified"),
            "{what}: {}",
            o.message
        );
        assert_eq!(verifies(&okta), 0, "{what}: nothing was pushed");
    }
}

#[tokio::test]
async fn okta_peer_a_lookup_that_never_ends_ends_at_the_deadline() {
    let mut lookups = HashMap::new();
    let drip = Reply {
        status: 200,
        headers: Vec::new(),
        body: Body::Drip(user("00ueve", "eve@corp.test"), Duration::from_millis(500)),
    };
    lookups.insert("/api/v1/users/eve%40corp.test", drip.clone());
    lookups.insert("/api/v1/users/eve@corp.test", drip);
    let okta = FakeOkta::start(okta_org(lookups)).await;
    let client = okta.client("", "test-token");
    let started = Instant::now();
    let o = run(
        &client,
        &approval(&["bob@corp.test"], "any", &["eve@corp.test"], 1.5),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    assert!(o.message.contains("nothing was pushed"), "{}", o.message);
    assert_eq!(verifies(&okta), 0);
}

/// A Duo whose preauth lists `devices` (id, capabilities) per username; every push
/// approves. Records each `auth` call's username and device.
fn duo_org(
    devices: HashMap<&'static str, &'static str>,
    pushed: Arc<Mutex<Vec<(String, String)>>>,
) -> crate::common::fake_duo::ParamAnswer {
    Arc::new(move |path, params| {
        let user = params.get("username").cloned().unwrap_or_default();
        match path {
            "/auth/v2/ping" => (
                200,
                format!(
                    r#"{{"stat":"OK","response":{{"time":{}}}}}"#,
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_secs()
                ),
            ),
            "/auth/v2/preauth" => match devices.get(user.as_str()) {
                Some(body) if body.starts_with('{') => (200, body.to_string()),
                Some(list) => (
                    200,
                    format!(r#"{{"stat":"OK","response":{{"result":"auth","status_msg":"Account is active","devices":{list}}}}}"#),
                ),
                None => (
                    200,
                    r#"{"stat":"OK","response":{"result":"enroll","status_msg":"Enroll an authentication device to proceed"}}"#.into(),
                ),
            },
            "/auth/v2/auth" => {
                pushed
                    .lock()
                    .unwrap()
                    .push((user.clone(), params.get("device").cloned().unwrap_or_default()));
                (200, format!(r#"{{"stat":"OK","response":{{"txid":"tx-{}"}}}}"#, user.len()))
            }
            _ => (
                200,
                r#"{"stat":"OK","response":{"result":"allow","status":"allow","status_msg":"Success"}}"#.into(),
            ),
        }
    })
}

fn duo_devices() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        (
            "eyes@corp.test",
            r#"[{"device":"DPEYES","capabilities":["auto","push"]}]"#,
        ),
        // A Duo username alias: the same user, the same device.
        (
            "ejones@corp.test",
            r#"[{"device":"DPEYES","capabilities":["auto","push"]}]"#,
        ),
        (
            "bob@corp.test",
            r#"[{"device":"DPBOBSMS","capabilities":["sms"]},{"device":"DPBOB","capabilities":["push"]},{"device":"DPSHARED","capabilities":["push"]}]"#,
        ),
        // Another account on one of bob's devices.
        (
            "robert@corp.test",
            r#"[{"device":"DPSHARED","capabilities":["push","sms"]}]"#,
        ),
        (
            "smsonly@corp.test",
            r#"[{"device":"DPSMS","capabilities":["sms","phone"]}]"#,
        ),
        (
            "twice@corp.test",
            r#"{"stat":"OK","response":{"result":"auth","devices":[{"device":"DPX","capabilities":["push"]}],"devices":[{"device":"DPY","capabilities":["push"]}]}}"#,
        ),
        (
            "bypass@corp.test",
            r#"{"stat":"OK","response":{"result":"allow","status_msg":"Allowing unknown user"}}"#,
        ),
        (
            "garbage@corp.test",
            r#"{"stat":"OK","response":{"result":"auth","devices":[{"device":"DP/../X","capabilities":["push"]}]}}"#,
        ),
    ])
}

#[tokio::test]
async fn duo_peer_an_alias_or_a_shared_device_is_one_person() {
    let pushed = Arc::new(Mutex::new(Vec::new()));
    let duo = FakeDuo::start_with_params(duo_org(duo_devices(), pushed.clone())).await;
    let client = duo.client("", duo_secret("test-secret-key-test-secret-key-test-secr"));
    for (names, shared) in [
        (["eyes@corp.test", "ejones@corp.test"], "Duo device DPEYES"),
        (["bob@corp.test", "robert@corp.test"], "Duo device DPSHARED"),
    ] {
        for require in ["all", "2"] {
            let o = run(&client, &approval(&names, require, &[], 10.0)).await;
            assert_eq!(o.failure_kind, FailureKind::Identity, "{}", o.message);
            assert!(o.message.contains(shared), "{}", o.message);
        }
    }
    let o = run(
        &client,
        &approval(&["ejones@corp.test"], "any", &["eyes@corp.test"], 10.0),
    )
    .await;
    assert_eq!(o.failure_kind, FailureKind::Identity, "{}", o.message);
    assert!(pushed.lock().unwrap().is_empty(), "nothing was pushed");
    // Different people: each push goes to the device preauth resolved, looked up once.
    let preauths = || {
        duo.heads
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.contains("/auth/v2/preauth"))
            .count()
    };
    let before = preauths();
    let o = run(
        &client,
        &approval(&["eyes@corp.test", "bob@corp.test"], "all", &[], 10.0),
    )
    .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(
        o.approvers[1].identity.as_deref(),
        Some("Duo device DPBOB, Duo device DPSHARED")
    );
    let mut p = pushed.lock().unwrap().clone();
    p.sort();
    assert_eq!(
        p,
        [
            ("bob@corp.test".to_string(), "DPBOB".to_string()),
            ("eyes@corp.test".to_string(), "DPEYES".to_string())
        ]
    );
    assert_eq!(preauths() - before, 2, "one preauth per name");
}

#[tokio::test]
async fn duo_peer_hostile_or_unidentifiable_lookups_never_pass() {
    let pushed = Arc::new(Mutex::new(Vec::new()));
    let duo = FakeDuo::start_with_params(duo_org(duo_devices(), pushed.clone())).await;
    let client = duo.client("", duo_secret("test-secret-key-test-secret-key-test-secr"));
    for (who, kind) in [
        ("smsonly@corp.test", FailureKind::Identity),
        ("twice@corp.test", FailureKind::Protocol),
        ("bypass@corp.test", FailureKind::Identity),
        ("garbage@corp.test", FailureKind::Protocol),
        ("unknown@corp.test", FailureKind::Provider),
    ] {
        let o = run(
            &client,
            &approval(&[who, "eyes@corp.test"], "all", &[], 10.0),
        )
        .await;
        assert_eq!(o.status, Status::Failed, "{who}: {}", o.message);
        assert_eq!(
            o.approvers[0].failure_kind, kind,
            "{who}: {}",
            o.approvers[0].message
        );
        let o = run(&client, &approval(&["eyes@corp.test"], "any", &[who], 10.0)).await;
        assert_eq!(o.status, Status::Failed, "{who}: {}", o.message);
        assert!(
            o.message
                .contains(&format!("excluded '{who}' could not be identified")),
            "{who}: {}",
            o.message
        );
    }
    assert!(pushed.lock().unwrap().is_empty(), "nothing was pushed");
    // Bypass with the opt-in is still not a person to count.
    let client = duo.client(
        r#""allowBypass":true"#,
        duo_secret("test-secret-key-test-secret-key-test-secr"),
    );
    let o = run(
        &client,
        &approval(&["bypass@corp.test", "eyes@corp.test"], "any", &[], 10.0),
    )
    .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(o.decided_by.as_deref(), Some("eyes@corp.test"));
    assert!(!o.approvers[0].approved);
    assert_eq!(o.approvers[0].failure_kind, FailureKind::Identity);
}
