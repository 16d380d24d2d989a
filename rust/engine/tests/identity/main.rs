//! Four eyes by identity against the simulator (issue 24): one person under two names (an
//! MFA Server alias or two accounts on one phone, a Duo alias, an Okta login and its user
//! id) never meets `require all`, `require 2` or an exclusion, on every provider; nothing
//! is pushed when it is refused; the record says who; RADIUS needs `allowNameOnlyIdentity`.
//! `peers.rs`: the same against the strict Okta and Duo test peers (one test binary).

use crate::common;
#[path = "peers.rs"]
mod peers;

use common::*;
use mfa_engine::outcome::FailureKind;
use mfa_engine::{Client, ClientConfig, Outcome, Secrets, Status};
use mfa_sim::{Answer, User};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// Two accounts of one human on one phone (what an MFA Server and Duo see as one person).
fn two_accounts_one_phone() -> Vec<User> {
    let mut pat = User::new("pat@contoso.com", Answer::Approve, 0.2);
    pat.phone = Some("+15550100077".into());
    let mut jones = User::new("patricia.jones@contoso.com", Answer::Approve, 0.2);
    jones.phone = Some("+15550100077".into());
    vec![pat, jones]
}

fn approval(approvers: &[&str], require: &str, excluded: &[&str]) -> String {
    serde_json::json!({
        "approvers": approvers,
        "require": require,
        "excludeUserNames": excluded,
        "timeoutSeconds": 20,
    })
    .to_string()
}

fn refused(o: &Outcome, both: &[&str], shared: &str) {
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert!(!o.approved);
    assert_eq!(o.failure_kind, FailureKind::Identity, "{}", o.message);
    assert!(
        o.message.contains("refused before any push"),
        "{}",
        o.message
    );
    for name in both {
        assert!(
            o.message.contains(&format!("'{name}'")),
            "{name}: {}",
            o.message
        );
    }
    assert!(o.message.contains(shared), "{shared}: {}", o.message);
    assert_eq!(o.identity_check, Some("provider"));
    assert!(o.approvers.iter().all(|a| !a.approved));
}

fn pushes(sim: &mfa_sim::Running) -> usize {
    let soap = sim
        .stats
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.operation.starts_with("PfAuthUser"))
        .count();
    let duo = sim
        .duo_calls()
        .iter()
        .filter(|(p, _)| p == "/auth/v2/auth")
        .count();
    let okta = sim
        .okta_calls()
        .iter()
        .filter(|c| c.path.ends_with("/verify"))
        .count();
    soap + duo + okta
}

#[tokio::test]
async fn mfa_server_one_person_under_two_names_never_counts_twice() {
    let sim = sim_with(|c| c.directory = demo_with(two_accounts_one_phone())).await;
    let client = demo_client(&sim, "");
    for require in ["all", "2"] {
        let o = run(
            &client,
            &approval(&["alice@contoso.com", "asmith@contoso.com"], require, &[]),
        )
        .await;
        refused(
            &o,
            &["alice@contoso.com", "asmith@contoso.com"],
            "phone +*******0001",
        );
        assert_eq!(o.http_calls, 2, "one GetUserSettings_3 per name, counted");
        let o = run(
            &client,
            &approval(
                &[
                    "pat@contoso.com",
                    "bob@contoso.com",
                    "patricia.jones@contoso.com",
                ],
                require,
                &[],
            ),
        )
        .await;
        refused(
            &o,
            &["pat@contoso.com", "patricia.jones@contoso.com"],
            "phone +*******0077",
        );
    }
    // The requester excluded under another name.
    let o = run(
        &client,
        &approval(
            &["alice@contoso.com", "bob@contoso.com"],
            "any",
            &["asmith@contoso.com"],
        ),
    )
    .await;
    assert_eq!(o.failure_kind, FailureKind::Identity, "{}", o.message);
    assert!(
        o.message.contains("'alice@contoso.com' may not approve")
            && o.message.contains("excluded 'asmith@contoso.com'"),
        "{}",
        o.message
    );
    assert_eq!(o.http_calls, 3, "the excluded name's lookup is counted too");
    assert_eq!(pushes(&sim), 0, "nothing was pushed");
    // The record shows the phone masked, never whole.
    let json = serde_json::to_string(&o).unwrap();
    assert!(!json.contains("5550100001"), "{json}");
}

#[tokio::test]
async fn duo_one_person_under_two_names_never_counts_twice() {
    let sim = sim_with(|c| c.directory = demo_with(two_accounts_one_phone())).await;
    let client = duo_client(&sim, "");
    let alice_device = mfa_sim::duo::users::device_id("+15550100001");
    for require in ["all", "2"] {
        // A username alias reaches the same user, so the same device.
        let o = run(
            &client,
            &approval(&["alice@contoso.com", "asmith@contoso.com"], require, &[]),
        )
        .await;
        refused(
            &o,
            &["alice@contoso.com", "asmith@contoso.com"],
            &format!("Duo device {alice_device}"),
        );
        // Two Duo users sharing one phone share its device.
        let o = run(
            &client,
            &approval(
                &["pat@contoso.com", "patricia.jones@contoso.com"],
                require,
                &[],
            ),
        )
        .await;
        refused(
            &o,
            &["pat@contoso.com", "patricia.jones@contoso.com"],
            "Duo device DP",
        );
    }
    let o = run(
        &client,
        &approval(&["asmith@contoso.com"], "any", &["alice@contoso.com"]),
    )
    .await;
    assert_eq!(o.failure_kind, FailureKind::Identity, "{}", o.message);
    assert_eq!(pushes(&sim), 0, "nothing was pushed");
}

#[tokio::test]
async fn okta_a_login_and_its_user_id_are_one_person() {
    let sim = sim().await;
    let client = okta_client(&sim, "");
    let id = mfa_sim::okta::users::behaviour("alice@contoso.com", Duration::from_secs(1))
        .unwrap()
        .id;
    for require in ["all", "2"] {
        let o = run(
            &client,
            &approval(&["alice@contoso.com", &id], require, &[]),
        )
        .await;
        refused(&o, &["alice@contoso.com", &id], &format!("Okta user {id}"));
    }
    // The requester excluded by id.
    let o = run(&client, &approval(&["alice@contoso.com"], "any", &[&id])).await;
    assert_eq!(o.failure_kind, FailureKind::Identity, "{}", o.message);
    assert!(o.message.contains("may not approve"), "{}", o.message);
    // An alias Okta answers with another login: never taken for that user.
    let o = run(
        &client,
        &approval(&["bob@contoso.com"], "any", &["asmith@contoso.com"]),
    )
    .await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert!(
        o.message
            .contains("excluded 'asmith@contoso.com' could not be identified")
            && o.message.contains("'alice@contoso.com'"),
        "the name Okta knows is named: {}",
        o.message
    );
    assert_eq!(pushes(&sim), 0, "nothing was pushed");
}

#[tokio::test]
async fn an_excluded_name_the_provider_does_not_know_blocks_the_request() {
    let sim = sim().await;
    let cases: [(Client, &str); 3] = [
        (demo_client(&sim, ""), "as the MFA Server stores it"),
        (duo_client(&sim, ""), "Duo's username or one of its aliases"),
        (okta_client(&sim, ""), "Okta login or user id"),
    ];
    for (client, hint) in cases {
        let o = run(
            &client,
            &approval(&["alice@contoso.com", "bob@contoso.com"], "any", &["jdoe"]),
        )
        .await;
        assert_eq!(o.status, Status::Failed, "{}", o.message);
        assert!(!o.approved);
        assert!(
            o.message
                .contains("excluded 'jdoe' could not be identified"),
            "{}",
            o.message
        );
        assert!(o.message.contains(hint), "{hint}: {}", o.message);
    }
    assert_eq!(pushes(&sim), 0);
}

#[tokio::test]
async fn different_people_are_asked_and_the_record_says_who() {
    let sim = sim().await;
    let okta_id = mfa_sim::okta::users::behaviour("alice@contoso.com", Duration::from_secs(1))
        .unwrap()
        .id;
    let cases: [(Client, &str, String); 3] = [
        (
            demo_client(&sim, ""),
            "mfaserver",
            "phone +*******0001".into(),
        ),
        (
            duo_client(&sim, ""),
            "duo",
            format!(
                "Duo device {}",
                mfa_sim::duo::users::device_id("+15550100001")
            ),
        ),
        (
            okta_client(&sim, ""),
            "okta",
            format!("Okta user {okta_id}"),
        ),
    ];
    for (client, provider, alice) in cases {
        let started = Instant::now();
        let o = run(
            &client,
            &approval(
                &["alice@contoso.com", "carol@contoso.com"],
                "any",
                &["mallory@contoso.com"],
            ),
        )
        .await;
        assert_eq!(o.status, Status::Approved, "{provider}: {}", o.message);
        assert_eq!(o.decided_by.as_deref(), Some("alice@contoso.com"));
        assert_eq!(o.identity_check, Some("provider"));
        assert_eq!(
            o.approvers[0].identity.as_deref(),
            Some(alice.as_str()),
            "{provider}"
        );
        assert!(o.approvers[1].identity.is_some(), "{provider}");
        assert_ne!(o.approvers[0].identity, o.approvers[1].identity);
        assert!(started.elapsed() < Duration::from_secs(10));
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json["identityCheck"], "provider");
        assert_eq!(json["approvers"][0]["identity"], alice.as_str());
    }
}

#[tokio::test]
async fn the_audit_line_carries_each_identity_and_the_check() {
    let sim = sim().await;
    let dir = temp_dir("identity-audit");
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let extra = format!(r#""auditPath":{}"#, serde_json::to_string(&path).unwrap());
    let client = demo_client(&sim, &extra);
    let o = run(
        &client,
        &approval(&["alice@contoso.com", "asmith@contoso.com"], "all", &[]),
    )
    .await;
    assert_eq!(o.failure_kind, FailureKind::Identity);
    let o = run(
        &client,
        &approval(&["alice@contoso.com", "bob@contoso.com"], "any", &[]),
    )
    .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let text = std::fs::read_to_string(&path).unwrap();
    // The file starts with the chain's header record (seq 0); the records follow it.
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["seq"] != 0)
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["status"], "Failed");
    assert_eq!(lines[0]["failureKind"], "identity");
    assert_eq!(lines[0]["identityCheck"], "provider");
    assert_eq!(lines[0]["approvers"][1]["identity"], "phone +*******0001");
    assert_eq!(lines[1]["identityCheck"], "provider");
    assert_eq!(lines[1]["approvers"][0]["identity"], "phone +*******0001");
    assert_eq!(lines[1]["approvers"][1]["identity"], "phone +*******0002");
    assert!(!text.contains("5550100001"), "{text}");
}

#[tokio::test]
async fn radius_needs_allow_name_only_identity_and_says_names() {
    let radius = mfa_sim::radius::RadiusRunning::start(
        "127.0.0.1:0".parse().unwrap(),
        mfa_sim::radius::DEMO_RADIUS_SECRET,
    )
    .await
    .expect("RADIUS simulator starts");
    let client = |extra: &str| {
        let config = ClientConfig::from_json(
            format!(
                r#"{{"provider":"radius","servers":["{}"]{extra}}}"#,
                radius.addr
            )
            .as_bytes(),
        )
        .unwrap();
        let secrets = Secrets {
            radius_shared_secret: Some(Zeroizing::new(mfa_sim::radius::DEMO_RADIUS_SECRET.into())),
            ..Default::default()
        };
        Client::new(&config, secrets).unwrap()
    };
    let two = approval(&["alice@contoso.com", "carol@contoso.com"], "any", &[]);
    let excluded = approval(&["alice@contoso.com"], "any", &["bob@contoso.com"]);
    for json in [&two, &excluded] {
        let started = Instant::now();
        let o = run(&client(""), json).await;
        assert_eq!(o.status, Status::Failed, "{}", o.message);
        assert_eq!(o.failure_kind, FailureKind::Identity);
        assert_eq!(o.identity_check, Some("names"));
        assert!(
            o.message.contains("-AllowNameOnlyIdentity"),
            "{}",
            o.message
        );
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "nothing was sent"
        );
    }
    let named = client(r#","allowNameOnlyIdentity":true"#);
    let o = run(&named, &two).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(o.identity_check, Some("names"));
    assert!(o.approvers.iter().all(|a| a.identity.is_none()));
    // One approver, nobody excluded: no opt-in needed, and the check is still names.
    let o = approve(&client(""), "alice@contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(o.identity_check, Some("names"));
}

#[test]
fn allow_name_only_identity_is_refused_where_the_provider_resolves() {
    for json in [
        r#"{"uri":"https://mfa.contoso.com/x.asmx","allowNameOnlyIdentity":true}"#,
        r#"{"provider":"okta","uri":"https://contoso.okta.com","allowNameOnlyIdentity":true}"#,
        r#"{"provider":"duo","apiHost":"api-1.duosecurity.com","integrationKey":"DIWJ8X6AEYOR5OMC6TQ1","allowNameOnlyIdentity":true}"#,
    ] {
        let config = ClientConfig::from_json(json.as_bytes()).unwrap();
        let e = config.validate(&Secrets::default()).unwrap_err();
        assert_eq!(e.field, "allowNameOnlyIdentity", "{json}: {e}");
        assert!(e.problem.contains("leave it out"), "{e}");
    }
    let radius = ClientConfig::from_json(
        br#"{"provider":"radius","servers":["127.0.0.1"],"allowNameOnlyIdentity":true}"#,
    )
    .unwrap();
    let secrets = Secrets {
        radius_shared_secret: Some(Zeroizing::new("a-long-enough-shared-secret".into())),
        ..Default::default()
    };
    radius.validate(&secrets).unwrap();
}
