//! Every demo user, and every scripted answer, against the simulator over real HTTPS.

use crate::common;
use common::*;
use mfa_engine::outcome::FailureKind;
use mfa_engine::Status;
use mfa_sim::{Answer, User};

#[tokio::test]
async fn alice_approves_with_code_21_and_a_request_id() {
    let sim = sim().await;
    let o = approve(&demo_client(&sim, ""), "alice@contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{o:?}");
    assert!(o.approved);
    assert_eq!(o.result, Some(true));
    let cr = o.call_result.as_ref().unwrap();
    assert_eq!(
        (cr.code, cr.name.as_str(), cr.description.as_str()),
        (
            21,
            "SUCCESS_PHONE_APP_AUTHENTICATED",
            "Mobile App Authenticated"
        )
    );
    assert!(o
        .authentication_request_id
        .as_deref()
        .is_some_and(|id| id.len() >= 32));
    assert!(o.error.is_none(), "Code 0 means no error: {:?}", o.error);
    assert!(
        o.elapsed_ms >= 900,
        "alice answers after about 1 s, took {} ms",
        o.elapsed_ms
    );
    assert_eq!(o.provider, "mfaserver");
    assert_eq!(
        sim.stats
            .last_param("PfAuthUser_4", "requireUserMatch")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        sim.stats
            .last_param("PfAuthUser_4", "initiatingAuthenticationType")
            .as_deref(),
        Some("pfsdk")
    );
}

#[tokio::test]
async fn bob_denies_carol_never_answers_mallory_reports_fraud_then_is_blocked() {
    let sim = sim().await;
    let client = demo_client(&sim, "");
    let (bob, carol, mallory) = tokio::join!(
        approve(&client, "bob@contoso.com"),
        approve(&client, "carol@contoso.com"),
        approve(&client, "mallory@contoso.com")
    );
    assert_eq!(
        (bob.status, bob.call_result.as_ref().unwrap().code),
        (Status::Denied, 129)
    );
    assert_eq!(
        (carol.status, carol.call_result.as_ref().unwrap().code),
        (Status::TimedOut, 133)
    );
    assert_eq!(
        (mallory.status, mallory.call_result.as_ref().unwrap().code),
        (Status::FraudReported, 132)
    );
    let again = approve(&client, "MALLORY@contoso.com").await;
    assert_eq!(
        (again.status, again.call_result.as_ref().unwrap().code),
        (Status::Failed, 14)
    );
    for o in [&bob, &carol, &mallory, &again] {
        assert!(!o.approved);
    }
}

#[tokio::test]
async fn unknown_users_fail_with_user_not_found_unless_the_loud_opt_out_is_set() {
    let sim = sim().await;
    let o = approve(&demo_client(&sim, ""), "nobody@contoso.com").await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error.as_ref().map(|e| e.code), Some(10));
    assert!(o.message.contains("USER_NOT_FOUND"), "{}", o.message);
    assert!(o.warnings.is_empty());

    let open = approve(
        &demo_client(&sim, r#""requireUserMatch":false"#),
        "nobody@contoso.com",
    )
    .await;
    assert_eq!(
        sim.stats
            .last_param("PfAuthUser_4", "requireUserMatch")
            .as_deref(),
        Some("false")
    );
    assert_eq!(
        open.status,
        Status::Approved,
        "the server lets unknown users through without MFA"
    );
    assert!(!open.require_user_match);
    assert!(
        open.warnings.iter().any(|w| w.contains("WITHOUT any MFA")),
        "{:?}",
        open.warnings
    );
}

#[tokio::test]
async fn newer_servers_refuse_pfsdk_and_accept_userportal() {
    let sim = sim_with(|c| c.direct_sdk_disallowed = true).await;
    let o = approve(&demo_client(&sim, ""), "alice@contoso.com").await;
    assert_eq!(
        (
            o.status,
            o.call_result.as_ref().unwrap().code,
            o.error.unwrap().code
        ),
        (Status::Failed, 149, 12)
    );
    let o = approve(
        &demo_client(&sim, r#""initiatingAuthenticationType":"userportal""#),
        "alice@contoso.com",
    )
    .await;
    assert_eq!(o.status, Status::Approved);
}

#[tokio::test]
async fn a_method_override_uses_pfauthuser_5() {
    let sim = sim().await;
    let o = run(
        &demo_client(&sim, ""),
        r#"{"userName":"alice@contoso.com","mode":"phoneApp"}"#,
    )
    .await;
    assert_eq!(o.status, Status::Approved);
    assert_eq!(
        sim.stats.last_param("PfAuthUser_5", "mode").as_deref(),
        Some("phoneApp")
    );
}

#[tokio::test]
async fn scripted_tricks_never_approve() {
    let script = |name: &str, answer: Answer, result: bool, code: i32| {
        let mut u = User::new(name, answer, 0.05);
        u.result = result;
        u.call_result = code;
        u
    };
    let users = vec![
        script("true-denied@x", Answer::Code, true, 129),
        script("false-approved@x", Answer::Code, false, 21),
        script("true-unknown@x", Answer::Code, true, 999),
        script("true-zero@x", Answer::Code, true, 0),
        script("true-pending@x", Answer::Code, true, 15),
        script("fault@x", Answer::SoapFault, false, 0),
        script("html@x", Answer::HttpError, false, 0),
        script("truncated@x", Answer::Malformed, false, 0),
    ];
    let sim = sim_with(|c| c.directory = demo_with(users)).await;
    let client = demo_client(&sim, "");
    for (user, kind) in [
        ("true-denied@x", FailureKind::Provider),
        ("false-approved@x", FailureKind::Provider),
        ("true-unknown@x", FailureKind::Provider),
        ("true-zero@x", FailureKind::Provider),
        ("true-pending@x", FailureKind::Provider),
        ("fault@x", FailureKind::SoapFault),
        ("html@x", FailureKind::HttpStatus),
        ("truncated@x", FailureKind::Protocol),
    ] {
        let o = approve(&client, user).await;
        assert_eq!(o.status, Status::Failed, "{user}: {o:?}");
        assert!(!o.approved);
        assert_eq!(o.failure_kind, kind, "{user}: {}", o.message);
    }
    let html = approve(&client, "html@x").await;
    assert!(
        html.message.contains("500 - Internal server error."),
        "{}",
        html.message
    );
    let fault = approve(&client, "fault@x").await;
    assert!(
        fault.message.contains("Simulated fault"),
        "{}",
        fault.message
    );
}

#[tokio::test]
async fn xml_metacharacters_in_names_round_trip_exactly() {
    let evil = r#"eve</username><requireUserMatch>false</requireUserMatch>&amp;"'<x/>@contoso.com"#;
    let app = r#"App <"&'> ]]> </applicationName>"#;
    let sim =
        sim_with(|c| c.directory = demo_with(vec![User::new(evil, Answer::Deny, 0.05)])).await;
    let client = demo_client(&sim, "");
    let json = serde_json::json!({ "userName": evil, "applicationName": app }).to_string();
    let o = run(&client, &json).await;
    assert_eq!(
        o.status,
        Status::Denied,
        "the server found the user by the exact name: {o:?}"
    );
    assert_eq!(
        sim.stats.last_param("PfAuthUser_4", "username").as_deref(),
        Some(evil)
    );
    assert_eq!(
        sim.stats
            .last_param("PfAuthUser_4", "applicationName")
            .as_deref(),
        Some(app)
    );
    assert_eq!(
        sim.stats
            .last_param("PfAuthUser_4", "requireUserMatch")
            .as_deref(),
        Some("true")
    );
    assert_eq!(o.user_name, evil);
}

#[tokio::test]
async fn deadlines_and_http_timeouts_end_as_timed_out() {
    let sim = sim_with(|c| c.no_response_after = std::time::Duration::from_secs(30)).await;
    let client = demo_client(&sim, "");
    let o = run(
        &client,
        r#"{"userName":"carol@contoso.com","timeoutSeconds":0.3}"#,
    )
    .await;
    assert_eq!(
        (o.status, o.failure_kind),
        (Status::TimedOut, FailureKind::Timeout)
    );
    assert!(o.elapsed_ms < 5_000);
    let quick = demo_client(&sim, r#""httpTimeoutSeconds":0.3"#);
    let o = approve(&quick, "carol@contoso.com").await;
    assert_eq!(
        (o.status, o.failure_kind),
        (Status::TimedOut, FailureKind::Timeout),
        "{}",
        o.message
    );
}

#[tokio::test]
async fn queries_report_data() {
    let sim = sim().await;
    let client = demo_client(&sim, "");
    let t = run(&client, r#"{"operation":"testSecurity"}"#).await;
    assert_eq!(t.status, Status::Completed, "{}", t.message);
    assert!(t.data.unwrap()["message"]
        .as_str()
        .unwrap()
        .contains(mfa_sim::DEMO_USER));
    let e = run(
        &client,
        r#"{"operation":"userExists","userName":"alice@contoso.com"}"#,
    )
    .await;
    assert_eq!(e.data.unwrap()["exists"], true);
    let e = run(
        &client,
        r#"{"operation":"userExists","userName":"nobody@contoso.com"}"#,
    )
    .await;
    assert_eq!(
        (e.status, e.data.unwrap()["exists"].as_bool()),
        (Status::Completed, Some(false))
    );
    let s = run(
        &client,
        r#"{"operation":"getUserSettings","userName":"alice@contoso.com"}"#,
    )
    .await;
    let data = s.data.unwrap();
    assert_eq!(data["userSettings"]["FirstName"], "Alice");
    assert_eq!(data["userSettings"]["PhoneAppActivated"], true);
    let s = run(
        &client,
        r#"{"operation":"getUserSettings","userName":"nobody@contoso.com"}"#,
    )
    .await;
    assert_eq!((s.status, s.error.unwrap().code), (Status::Failed, 10));
    let a = run(
        &client,
        r#"{"operation":"generateActivationCode","userName":"bob@contoso.com"}"#,
    )
    .await;
    let code = a.data.unwrap()["activationCode"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        code.len() == 9 && code.chars().all(|c| c.is_ascii_digit()),
        "{code}"
    );
    assert!(!a.approved && a.status == Status::Completed);
}
