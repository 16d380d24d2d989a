//! The RADIUS provider against the simulator's RADIUS server over real loopback UDP:
//! every demo user, the Message-Authenticator opt-out, what goes on the wire, the fixed
//! password, retransmission without a second push, and fail-over only on a refusal.

use crate::radius_common;
use mfa_engine::outcome::FailureKind;
use mfa_engine::Status;
use mfa_sim::radius::{RadiusRunning, RadiusSeen, DEMO_RADIUS_PASSWORD, DEMO_RADIUS_SECRET};
use radius_common::*;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

async fn sim() -> RadiusRunning {
    RadiusRunning::start("127.0.0.1:0".parse().unwrap(), DEMO_RADIUS_SECRET)
        .await
        .expect("RADIUS simulator starts")
}

#[tokio::test]
async fn demo_users_end_as_scripted() {
    let sim = sim().await;
    let client = client_for(&[sim.addr.to_string()], "", DEMO_RADIUS_SECRET, None);
    let cases = [
        (
            "alice@contoso.com",
            Status::Approved,
            FailureKind::Provider,
            "Access-Accept",
        ),
        (
            "ALICE@contoso.com",
            Status::Approved,
            FailureKind::Provider,
            "Access-Accept",
        ),
        (
            "bob@contoso.com",
            Status::Denied,
            FailureKind::Provider,
            "Access-Reject",
        ),
        (
            "mallory@contoso.com",
            Status::Denied,
            FailureKind::Provider,
            "Fraud reported",
        ),
        (
            "nobody@contoso.com",
            Status::Denied,
            FailureKind::Provider,
            "Unknown user",
        ),
        (
            "challenge@contoso.com",
            Status::Failed,
            FailureKind::Challenge,
            "Enter the code",
        ),
        (
            "carol@contoso.com",
            Status::TimedOut,
            FailureKind::Timeout,
            "no verified answer",
        ),
        // Answers that fail a check are dropped and the wait goes on to the deadline.
        (
            "unsigned@contoso.com",
            Status::TimedOut,
            FailureKind::Timeout,
            "1 no Message-Authenticator",
        ),
        (
            "wrongsecret@contoso.com",
            Status::TimedOut,
            FailureKind::Timeout,
            "1 wrong Response Authenticator",
        ),
    ];
    let runs = cases.iter().map(|(user, ..)| {
        let client = client.clone();
        let user = user.to_string();
        tokio::spawn(async move {
            let started = Instant::now();
            (run(&client, &user, 2.5).await, started.elapsed())
        })
    });
    let results = futures_join(runs).await;
    for ((user, status, kind, text), (o, elapsed)) in cases.iter().zip(results) {
        assert_eq!(o.status, *status, "{user}: {}", o.message);
        assert_eq!(o.approved, *status == Status::Approved, "{user}");
        assert_eq!(o.failure_kind, *kind, "{user}: {}", o.message);
        assert!(o.message.contains(text), "{user}: {}", o.message);
        assert_eq!(o.provider, "radius");
        assert!(elapsed < Duration::from_secs(4), "{user} took {elapsed:?}");
        if *status == Status::Approved {
            assert!(
                elapsed >= Duration::from_millis(900),
                "alice decides in about 1 s"
            );
            assert_eq!(o.data.as_ref().unwrap()["messageAuthenticator"], true);
        }
    }
    assert!(
        sim.stats.dropped.load(Ordering::Relaxed) == 0,
        "every request verified"
    );
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn a_missing_message_authenticator_counts_only_with_the_opt_in_and_always_warns() {
    let sim = sim().await;
    let client = client_for(
        &[sim.addr.to_string()],
        r#""allowMissingMessageAuthenticator":true"#,
        DEMO_RADIUS_SECRET,
        None,
    );
    let o = run(&client, "unsigned@contoso.com", 5.0).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(o.warnings.len(), 2, "{:?}", o.warnings);
    assert!(o.warnings[0].contains("CVE-2024-3596"));
    assert!(o.warnings[1].contains("had no Message-Authenticator"));
    // Every outcome warns while the opt-in is on, and a wrong secret is still refused.
    let o = run(&client, "bob@contoso.com", 5.0).await;
    assert_eq!(o.status, Status::Denied);
    assert_eq!(o.warnings.len(), 1);
    let o = run(&client, "wrongsecret@contoso.com", 1.0).await;
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
}

#[tokio::test]
async fn the_request_carries_the_nas_identifier_the_calling_station_and_the_password_mode() {
    let sim = sim().await;
    let none = client_for(
        &[sim.addr.to_string()],
        r#""nasIdentifier":"mim-prod""#,
        DEMO_RADIUS_SECRET,
        None,
    );
    let o = run_json(
        &none,
        r#"{"userName":"alice@contoso.com","timeoutSeconds":5,"initiatingIpAddress":"192.0.2.7"}"#,
    )
    .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let fixed = client_for(
        &[sim.addr.to_string()],
        r#""passwordMode":"fixed""#,
        DEMO_RADIUS_SECRET,
        Some(DEMO_RADIUS_PASSWORD),
    );
    assert_eq!(
        run(&fixed, "alice@contoso.com", 5.0).await.status,
        Status::Approved
    );
    let wrong = client_for(
        &[sim.addr.to_string()],
        r#""passwordMode":"fixed""#,
        DEMO_RADIUS_SECRET,
        Some("not-the-password"),
    );
    let o = run(&wrong, "alice@contoso.com", 5.0).await;
    assert_eq!(o.status, Status::Denied, "{}", o.message);
    assert!(!o.message.contains("not-the-password"));
    let seen = sim.stats.seen.lock().unwrap().clone();
    assert_eq!(
        seen[0],
        RadiusSeen {
            user_name: "alice@contoso.com".into(),
            nas_identifier: Some("mim-prod".into()),
            calling_station_id: Some("192.0.2.7".into()),
            password_len: 0,
        }
    );
    assert_eq!(
        seen[1].nas_identifier.as_deref(),
        Some("MfaApproval"),
        "the default NAS-Identifier"
    );
    assert_eq!(seen[1].password_len, DEMO_RADIUS_PASSWORD.len());
}

#[tokio::test]
async fn retransmissions_resend_the_same_request_and_never_push_twice() {
    let sim = sim().await;
    let client = client_for(
        &[sim.addr.to_string()],
        r#""retransmitSeconds":1"#,
        DEMO_RADIUS_SECRET,
        None,
    );
    let o = run(&client, "carol@contoso.com", 3.6).await;
    assert_eq!(o.status, Status::TimedOut);
    let datagrams = sim.stats.datagrams.load(Ordering::Relaxed);
    assert!(datagrams >= 3, "sent {datagrams}");
    assert_eq!(sim.stats.pushes.load(Ordering::Relaxed), 1, "one push");
    assert_eq!(sim.stats.duplicates.load(Ordering::Relaxed), datagrams - 1);
    // Without the setting, one datagram per approval.
    let once = client_for(&[sim.addr.to_string()], "", DEMO_RADIUS_SECRET, None);
    run(&once, "carol@contoso.com", 2.5).await;
    assert_eq!(sim.stats.datagrams.load(Ordering::Relaxed), datagrams + 1);
}

#[tokio::test]
async fn the_next_server_is_asked_only_when_one_refuses() {
    let first = sim().await;
    let second = sim().await;
    let closed = closed_port().await;
    // A refused port: the next server gets the request, well before the deadline.
    let client = client_for(
        &[closed.clone(), first.addr.to_string()],
        "",
        DEMO_RADIUS_SECRET,
        None,
    );
    let o = run(&client, "alice@contoso.com", 10.0).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(o.data.as_ref().unwrap()["server"], first.addr.to_string());
    // A user who takes long is never a reason to push again from another server.
    let client = client_for(
        &[first.addr.to_string(), second.addr.to_string()],
        "",
        DEMO_RADIUS_SECRET,
        None,
    );
    let o = run(&client, "carol@contoso.com", 2.0).await;
    assert_eq!(o.status, Status::TimedOut);
    assert_eq!(second.stats.datagrams.load(Ordering::Relaxed), 0);
    // Every server refusing ends at once, as a connection failure.
    let started = Instant::now();
    let client = client_for(
        &[closed.clone(), closed_port().await],
        "",
        DEMO_RADIUS_SECRET,
        None,
    );
    let o = run(&client, "alice@contoso.com", 30.0).await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert_eq!(o.failure_kind, FailureKind::Connect, "{}", o.message);
    assert!(o.message.contains("refused"), "{}", o.message);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn queries_and_method_overrides_are_not_radius_operations() {
    let sim = sim().await;
    let client = client_for(&[sim.addr.to_string()], "", DEMO_RADIUS_SECRET, None);
    let o = run_json(
        &client,
        r#"{"operation":"userExists","userName":"alice@contoso.com"}"#,
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert!(o.message.contains("approvals only"), "{}", o.message);
    let o = run_json(
        &client,
        r#"{"userName":"alice@contoso.com","mode":"phoneApp"}"#,
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(sim.stats.datagrams.load(Ordering::Relaxed), 0);
}
