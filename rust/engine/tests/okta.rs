//! The Okta provider against the simulator's Okta API over real HTTPS: every demo user,
//! the number challenge reaching the progress, rate limits (429 and an exhausted window),
//! pacing, the login as one path segment, withdrawing a push the caller stopped waiting
//! for, a refused token that is never echoed, and queries. Okta's official Python SDK
//! runs against the same simulator in tests/python.

use crate::common;
use common::*;
use mfa_engine::outcome::FailureKind;
use mfa_engine::{Client, Progress, Query, Status};
use std::time::{Duration, Instant};

fn calls(sim: &mfa_sim::Running, method: &str, suffix: &str) -> Vec<mfa_sim::okta::Call> {
    sim.okta_calls()
        .into_iter()
        .filter(|c| c.method == method && c.path.ends_with(suffix))
        .collect()
}

fn polls(sim: &mfa_sim::Running) -> usize {
    sim.okta_calls()
        .iter()
        .filter(|c| c.method == "GET" && c.path.contains("/transactions/"))
        .count()
}

#[tokio::test]
async fn demo_users_end_as_scripted() {
    let sim = sim().await;
    let client = okta_client(&sim, "");
    for (user, status) in [
        ("alice@contoso.com", Status::Approved),
        ("ALICE@contoso.com", Status::Approved),
        ("bob@contoso.com", Status::Denied),
        ("mallory@contoso.com", Status::Denied),
        ("carol@contoso.com", Status::TimedOut),
        ("victor@contoso.com", Status::Approved),
        ("instant@contoso.com", Status::Approved),
        ("dave@contoso.com", Status::Failed),
        ("error@faults.contoso.com", Status::Failed),
        ("nobody@contoso.com", Status::Failed),
    ] {
        let o = approve(&client, user).await;
        assert_eq!(o.status, status, "{user}: {}", o.message);
        assert_eq!(o.approved, status == Status::Approved, "{user}");
        assert_eq!(o.provider, "okta");
    }
    let verify = calls(&sim, "POST", "/verify");
    assert_eq!(verify.len(), 8, "no push for dave or nobody");
    assert!(verify
        .iter()
        .all(|c| c.user_agent.starts_with("MfaApproval/") && c.body == "{}"));
}

#[tokio::test]
async fn no_push_factor_says_why_and_sends_nothing() {
    let sim = sim().await;
    let o = approve(&okta_client(&sim, ""), "dave@contoso.com").await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.failure_kind, FailureKind::Provider);
    assert!(o.message.contains("enrollment policy"), "{}", o.message);
    assert!(calls(&sim, "POST", "/verify").is_empty());
    let unknown = approve(&okta_client(&sim, ""), "nobody@contoso.com").await;
    assert!(
        unknown.message.contains("does not know"),
        "{}",
        unknown.message
    );
}

async fn code_while_pending(client: &Client, user: &str) -> (String, mfa_engine::Outcome) {
    let progress = Progress::default();
    let query =
        Query::from_json(format!(r#"{{"userName":"{user}","timeoutSeconds":30}}"#).as_bytes())
            .unwrap();
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
    (code, run.await)
}

#[tokio::test]
async fn the_number_challenge_reaches_the_progress_while_pending() {
    let sim = sim().await;
    let client = okta_client(&sim, r#""numberChallenge":true"#);
    let (code, o) = code_while_pending(&client, "alice@contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(code, sim.okta_numbers().last().unwrap().to_string());
    let verify = calls(&sim, "POST", "/verify").pop().unwrap();
    assert_eq!(verify.body, r#"{"useNumberMatchingChallenge":true}"#);
    // A policy that always challenges shows the number without the setting too.
    let (code, o) = code_while_pending(&okta_client(&sim, ""), "victor@contoso.com").await;
    assert_eq!(o.status, Status::Approved);
    assert_eq!(code, sim.okta_numbers().last().unwrap().to_string());
}

#[tokio::test]
async fn a_429_is_retried_after_the_reset_and_an_exhausted_window_slows_polls() {
    let sim = sim().await;
    let client = okta_client(&sim, "");
    let clock = Instant::now();
    let o = approve(&client, "ratelimited@faults.contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert!(
        clock.elapsed() >= Duration::from_secs(2),
        "two 429s wait a second each at least"
    );
    // Every answer about this push says: no call left, reset in 2 s (paced at 1 s, the
    // 3 s push would see 4 polls).
    let before = polls(&sim);
    let clock = Instant::now();
    let o = approve(&client, "throttled@faults.contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let n = polls(&sim) - before;
    assert!(n <= 3, "{n} polls in {:?}", clock.elapsed());
}

#[tokio::test]
async fn polls_are_paced_at_most_once_a_second() {
    let sim = sim_with(|c| c.no_response_after = Duration::from_secs(3)).await;
    let clock = Instant::now();
    let o = approve(&okta_client(&sim, ""), "carol@contoso.com").await;
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    let n = polls(&sim);
    let seconds = clock.elapsed().as_secs_f64();
    assert!(
        n >= 3 && (n as f64) <= seconds + 1.5,
        "{n} polls in {seconds:.1} s"
    );
}

#[tokio::test]
async fn a_login_is_one_path_segment_whatever_it_holds() {
    let sim = sim().await;
    let client = okta_client(&sim, "");
    for user in [
        "a/../../users?limit=1#@contoso.com",
        "x%2F..@contoso.com",
        "alice@contoso.com/factors",
    ] {
        let o = approve(&client, user).await;
        assert_eq!(o.status, Status::Failed, "{user}: {}", o.message);
    }
    let gets = calls(&sim, "GET", "");
    assert_eq!(gets.len(), 3, "one user lookup each, nothing else");
    for c in gets {
        assert!(c.path.starts_with("/api/v1/users/"), "{}", c.path);
        assert_eq!(c.path.matches('/').count(), 4, "{}", c.path);
    }
    for dots in [".", ".."] {
        let o = approve(&client, dots).await;
        assert_eq!(o.status, Status::Failed);
    }
    assert_eq!(
        calls(&sim, "GET", "").len(),
        3,
        "'.' and '..' are never sent"
    );
}

#[tokio::test]
async fn a_push_the_caller_stopped_waiting_for_is_withdrawn() {
    let sim = sim_with(|c| c.no_response_after = Duration::from_secs(60)).await;
    let client = okta_client(&sim, "");
    let o = run(
        &client,
        r#"{"userName":"carol@contoso.com","timeoutSeconds":2}"#,
    )
    .await;
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    // The withdraw is sent and answered before the outcome is made, which says so.
    assert_eq!(o.push_withdrawn, Some(true), "{}", o.message);
    assert_eq!(o.approvers[0].push_withdrawn, Some(true));
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    let cancel = calls(&sim, "DELETE", "")
        .pop()
        .expect("the DELETE was sent before the outcome");
    assert!(
        cancel.path.contains("/transactions/v2mst."),
        "{}",
        cancel.path
    );
    // Decided pushes are not withdrawn: nothing needed withdrawing.
    let o = approve(&client, "bob@contoso.com").await;
    assert_eq!((o.status, o.push_withdrawn), (Status::Denied, None));
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!((o.status, o.push_withdrawn), (Status::Approved, None));
    assert_eq!(calls(&sim, "DELETE", "").len(), 1);
}

#[tokio::test]
async fn the_push_of_an_approver_not_needed_any_more_is_withdrawn() {
    let sim = sim_with(|c| c.no_response_after = Duration::from_secs(60)).await;
    let client = okta_client(&sim, "");
    let o = run(
        &client,
        r#"{"approvers":["alice@contoso.com","carol@contoso.com"],"require":"any","timeoutSeconds":20}"#,
    )
    .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let carol = &o.approvers[1];
    assert_eq!(carol.status, Status::Cancelled);
    assert_eq!(
        carol.push_withdrawn,
        Some(true),
        "carol's push was withdrawn"
    );
    assert_eq!(o.approvers[0].push_withdrawn, None, "alice's was decided");
    assert_eq!(o.push_withdrawn, Some(true));
    let deletes = calls(&sim, "DELETE", "");
    assert_eq!(deletes.len(), 1, "{deletes:?}");
}

#[tokio::test]
async fn a_wrong_token_is_an_authentication_failure_never_echoed() {
    let sim = sim().await;
    let wrong = "00wrong-token-Zh5eGmUq9zpfQnyUIu5OL9iW";
    let client = Client::new(&okta_config(&sim, ""), okta_token(wrong)).unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.failure_kind, FailureKind::Authentication);
    assert!(o.message.contains("E0000011"), "{}", o.message);
    assert!(!serde_json::to_string(&o).unwrap().contains(wrong));
    // The next step names the credential in use (an API token), not the service app's.
    assert!(o.message.contains("Next: check -ApiToken"), "{}", o.message);
    assert!(!o.message.contains("ClientId"), "{}", o.message);
    assert!(!o.message.contains("PrivateKeyFile"), "{}", o.message);
}

#[tokio::test]
async fn queries_check_find_and_describe_users() {
    let sim = sim().await;
    let client = okta_client(&sim, "");
    let o = run(&client, r#"{"operation":"testSecurity"}"#).await;
    assert_eq!(o.status, Status::Completed, "{}", o.message);
    for (user, exists) in [("alice@contoso.com", true), ("nobody@contoso.com", false)] {
        let o = run(
            &client,
            &format!(r#"{{"operation":"userExists","userName":"{user}"}}"#),
        )
        .await;
        assert_eq!(o.status, Status::Completed, "{}", o.message);
        assert_eq!(o.data.unwrap()["exists"], exists, "{user}");
    }
    for (user, enabled) in [("alice@contoso.com", true), ("dave@contoso.com", false)] {
        let o = run(
            &client,
            &format!(r#"{{"operation":"getUserSettings","userName":"{user}"}}"#),
        )
        .await;
        assert_eq!(
            o.data.unwrap()["userSettings"]["Enabled"],
            enabled,
            "{user}"
        );
    }
    assert!(calls(&sim, "POST", "").is_empty(), "queries never push");
}

#[test]
fn configurations_name_the_wrong_field() {
    let base = r#""provider":"okta","uri":"https://contoso.okta.com""#;
    let token = || okta_token("00abc");
    let cases: Vec<(String, mfa_engine::Secrets, &str)> = vec![
        (format!("{{{base}}}"), Default::default(), "oktaApiToken"),
        (r#"{"provider":"okta","uri":"https://contoso.okta.com/api/v1"}"#.into(), token(), "uri"),
        (r#"{"provider":"okta","uri":"https://contoso.okta.com/?x=1"}"#.into(), token(), "uri"),
        (r#"{"provider":"okta","uri":"http://contoso.okta.com"}"#.into(), token(), "uri"),
        (r#"{"provider":"okta","uri":"http://contoso.okta.com","allowUnencryptedAuthentication":true}"#.into(), token(), "uri"),
        (format!(r#"{{{base},"integrationKey":"DI1"}}"#), token(), "integrationKey"),
        (format!(r#"{{{base},"userName":"u"}}"#), token(), "userName"),
        (format!(r#"{{{base},"clientId":"0oa/1"}}"#), Default::default(), "clientId"),
        (format!(r#"{{{base},"clientId":"0oa1"}}"#), Default::default(), "oktaPrivateKey"),
        (format!(r#"{{{base},"clientId":"0oa1"}}"#), token(), "oktaApiToken"),
        (format!("{{{base}}}"), okta_token("has space"), "oktaApiToken"),
        (r#"{"provider":"duo","uri":"https://api-1.duosecurity.com","integrationKey":"DI1","numberChallenge":true}"#.into(), duo_secret("k"), "numberChallenge"),
        (r#"{"uri":"https://mfa/x"}"#.into(), token(), "oktaApiToken"),
    ];
    for (json, secrets, field) in cases {
        // Another provider's field is refused as the configuration is read; the rest when
        // it is checked with its secrets.
        let e = mfa_engine::ClientConfig::from_json(json.as_bytes())
            .and_then(|config| config.validate(&secrets))
            .unwrap_err();
        assert_eq!(e.field, field, "{json}: {e}");
        assert!(!e.to_string().contains("00abc"));
    }
    let loopback = mfa_engine::ClientConfig::from_json(
        br#"{"provider":"okta","uri":"http://127.0.0.1:9","allowUnencryptedAuthentication":true}"#,
    )
    .unwrap();
    loopback.validate(&token()).unwrap();
}
