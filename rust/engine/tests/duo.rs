//! The Duo provider against the simulator's Duo API over real HTTPS: every demo user,
//! both signature versions, the bypass opt-in, Verified Push progress, retries of rate
//! limits and server errors, refused keys, and queries. Duo's official Python client runs
//! against the same simulator in tests/python.

use crate::common;
use common::*;
use mfa_engine::outcome::FailureKind;
use mfa_engine::Progress;
use mfa_engine::{Query, Status};
use std::time::{Duration, Instant};

#[tokio::test]
async fn demo_users_end_as_scripted_with_v5_and_v2_signatures() {
    let sim = sim().await;
    for extra in ["", r#""signatureVersion":2"#] {
        let client = duo_client(&sim, extra);
        for (user, status) in [
            ("alice@contoso.com", Status::Approved),
            ("bob@contoso.com", Status::Denied),
            ("carol@contoso.com", Status::TimedOut),
            ("mallory@contoso.com", Status::FraudReported),
            ("victor@contoso.com", Status::Approved),
            ("locked@contoso.com", Status::Denied),
            ("enroll@contoso.com", Status::Failed),
            ("nobody@contoso.com", Status::Failed),
            ("bypass@contoso.com", Status::Failed),
        ] {
            let o = approve(&client, user).await;
            assert_eq!(o.status, status, "{extra} {user}: {}", o.message);
            assert_eq!(o.approved, status == Status::Approved, "{user}");
            assert_eq!(o.provider, "duo");
        }
    }
    let seen = sim_calls(&sim, "/auth/v2/auth");
    assert!(
        seen.iter()
            .all(|p| p.get("async").map(String::as_str) == Some("1")),
        "every push is async"
    );
}

fn sim_calls(sim: &mfa_sim::Running, path: &str) -> Vec<std::collections::HashMap<String, String>> {
    sim.duo_calls()
        .into_iter()
        .filter(|(p, _)| p == path)
        .map(|(_, q)| q)
        .collect()
}

#[tokio::test]
async fn no_push_for_locked_enroll_or_bypass_users() {
    let sim = sim().await;
    let client = duo_client(&sim, "");
    for user in [
        "locked@contoso.com",
        "enroll@contoso.com",
        "bypass@contoso.com",
    ] {
        let o = approve(&client, user).await;
        assert!(!o.approved);
    }
    assert!(
        sim_calls(&sim, "/auth/v2/auth").is_empty(),
        "preauth deny/enroll/allow never push"
    );
}

#[tokio::test]
async fn bypass_is_an_approval_only_with_the_opt_in_and_then_warns() {
    let sim = sim().await;
    let refused = approve(&duo_client(&sim, ""), "bypass@contoso.com").await;
    assert_eq!(refused.status, Status::Failed);
    assert!(refused.message.contains("bypass"), "{}", refused.message);
    let allowed = approve(
        &duo_client(&sim, r#""allowBypass":true"#),
        "bypass@contoso.com",
    )
    .await;
    assert_eq!(allowed.status, Status::Approved);
    assert!(
        allowed
            .warnings
            .iter()
            .any(|w| w.contains("WITHOUT a push")),
        "{:?}",
        allowed.warnings
    );
}

#[tokio::test]
async fn verified_push_code_reaches_the_progress_while_pending() {
    let sim = sim().await;
    let client = duo_client(&sim, "");
    let progress = Progress::default();
    let query =
        Query::from_json(br#"{"userName":"victor@contoso.com","timeoutSeconds":30}"#).unwrap();
    let run = client.run_with_progress(&query, &progress);
    tokio::pin!(run);
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        tokio::select! {
            o = &mut run => panic!("finished before the code was seen: {}", o.message),
            _ = tokio::time::sleep(Duration::from_millis(20)) => {}
        }
        if let Some(code) = progress.snapshot().code {
            break code;
        }
        assert!(
            Instant::now() < deadline,
            "no code in {:?}",
            progress.snapshot()
        );
    };
    assert_eq!(code, "376");
    assert_eq!(progress.snapshot().stage, "waiting");
    assert_eq!(run.await.status, Status::Approved);
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_within_the_deadline() {
    let sim = sim().await;
    let client = duo_client(&sim, "");
    let clock = Instant::now();
    let o = approve(&client, "ratelimited@faults.contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert!(
        clock.elapsed() >= Duration::from_secs(2),
        "Retry-After: 1 was honoured twice"
    );
    let o = approve(&client, "unavailable@faults.contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    // A short deadline still holds while retrying.
    let sim2 = common::sim().await;
    let client = duo_client(&sim2, "");
    let clock = Instant::now();
    let o = run(
        &client,
        r#"{"userName":"ratelimited@faults.contoso.com","timeoutSeconds":0.5}"#,
    )
    .await;
    assert_eq!(o.status, Status::TimedOut);
    assert!(clock.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_wrong_secret_key_or_integration_key_is_refused_and_never_echoed() {
    let sim = sim().await;
    let secret = "Wrong-Secret-Key-0123456789-abcdefghijkl";
    let client = mfa_engine::Client::new(&duo_config(&sim, ""), duo_secret(secret)).unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.failure_kind, FailureKind::Authentication);
    assert!(o.message.contains("40103"), "{}", o.message);
    assert!(!serde_json::to_string(&o).unwrap().contains(secret));
    let mut config = duo_config(&sim, "");
    config.integration_key = Some("DIWRONGINTEGRATION01".into());
    let client =
        mfa_engine::Client::new(&config, duo_secret(mfa_sim::duo::DEMO_SECRET_KEY)).unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert!(o.message.contains("40102"), "{}", o.message);
    assert!(!o.approved);
}

#[tokio::test]
async fn queries_ping_check_and_preauth() {
    let sim = sim().await;
    let client = duo_client(&sim, "");
    let o = run(&client, r#"{"operation":"testSecurity"}"#).await;
    assert_eq!(o.status, Status::Completed, "{}", o.message);
    let data = o.data.unwrap();
    assert!(data["clockSkewSeconds"].as_i64().unwrap().abs() <= 2);
    let o = run(
        &client,
        r#"{"operation":"userExists","userName":"alice@contoso.com"}"#,
    )
    .await;
    assert_eq!(o.data.unwrap()["exists"], true);
    let o = run(
        &client,
        r#"{"operation":"userExists","userName":"nobody@contoso.com"}"#,
    )
    .await;
    assert_eq!(o.data.unwrap()["exists"], false);
    let o = run(
        &client,
        r#"{"operation":"getUserSettings","userName":"alice@contoso.com"}"#,
    )
    .await;
    assert_eq!(o.data.unwrap()["userSettings"]["PhoneAppActivated"], true);
    let o = run(
        &client,
        r#"{"operation":"generateActivationCode","userName":"alice@contoso.com"}"#,
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert!(o.message.contains("not supported"));
}

#[tokio::test]
async fn push_context_reaches_duo() {
    let sim = sim().await;
    let client = duo_client(&sim, "");
    let o = run(
        &client,
        r#"{"userName":"alice@contoso.com","pushType":"Approve MIM request","pushInfo":{"mimRequestId":"1234 5678","from":"MIM & co"},"hostname":"mim01","initiatingIpAddress":"10.0.0.5","displayUserName":"Alice A."}"#,
    )
    .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let auth = sim_calls(&sim, "/auth/v2/auth").pop().unwrap();
    assert_eq!(auth["type"], "Approve MIM request");
    assert_eq!(
        auth["pushinfo"],
        "from=MIM%20%26%20co&mimRequestId=1234%205678"
    );
    assert_eq!(auth["hostname"], "mim01");
    assert_eq!(auth["ipaddr"], "10.0.0.5");
    assert_eq!(auth["display_username"], "Alice A.");
    // The push goes to the device preauth listed (what Duo's auto picks), no second guess.
    let pre = sim_calls(&sim, "/auth/v2/preauth").pop().unwrap();
    assert_eq!(pre["username"], "alice@contoso.com");
    assert_eq!(
        auth["device"],
        mfa_sim::duo::users::device_id("+15550100001")
    );
    assert_eq!(
        o.approvers[0].identity.as_deref(),
        Some(format!("Duo device {}", auth["device"]).as_str())
    );
    assert_eq!(auth["factor"], "push");
}

#[tokio::test]
async fn a_status_that_answers_at_once_is_polled_at_most_once_a_second_whatever_it_says() {
    // eager: the same message every time; chatty: a different message every time (issue
    // 16: 2,028 calls in 5 s when only unchanged answers were paced).
    for user in ["eager@faults.contoso.com", "chatty@faults.contoso.com"] {
        let sim = sim().await;
        let client = duo_client(&sim, "");
        let progress = Progress::default();
        let clock = Instant::now();
        let query =
            Query::from_json(format!(r#"{{"userName":"{user}","timeoutSeconds":3}}"#).as_bytes())
                .unwrap();
        let o = client.run_with_progress(&query, &progress).await;
        assert_eq!(o.status, Status::TimedOut, "{user}: {}", o.message);
        assert!(
            clock.elapsed() < Duration::from_secs(4),
            "{user}: the deadline holds"
        );
        let polls = sim_calls(&sim, "/auth/v2/auth_status").len();
        assert!(polls >= 2, "{user}: {polls} auth_status calls");
        assert!(
            polls <= 4,
            "{user}: {polls} auth_status calls in 3 s (at most N + 1)"
        );
    }
}

#[tokio::test]
async fn forged_auth_status_answers_from_the_simulator_are_protocol_failures() {
    // Issue 16: duplicated result/status, duplicated stat, two response objects; a
    // last-wins reader approved all three.
    let sim = sim().await;
    let client = duo_client(&sim, "");
    for user in [
        "forged-duplicate@faults.contoso.com",
        "forged-stat@faults.contoso.com",
        "forged-response@faults.contoso.com",
    ] {
        let o = approve(&client, user).await;
        assert!(!o.approved, "{user}: {}", o.message);
        assert_eq!(o.status, Status::Failed, "{user}: {}", o.message);
        assert_eq!(
            o.failure_kind,
            FailureKind::Protocol,
            "{user}: {}",
            o.message
        );
    }
}
