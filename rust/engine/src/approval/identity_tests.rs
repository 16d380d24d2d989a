//! Four eyes by identity, against fake providers that try to pass one person as two, hide
//! an excluded person, or break their lookups.

use super::tests::{client, request, Act, Fake, Who};
use super::*;
use crate::client::Client;

fn with_excluded(mut q: Query, excluded: &[&str]) -> Query {
    q.exclude_user_names = Some(excluded.iter().map(|s| s.to_string()).collect());
    q
}

#[tokio::test]
async fn two_names_of_one_person_are_refused_before_any_push() {
    // Two spellings the names rule cannot see through (an alias, a user id).
    let fake = Fake::with(
        &[],
        &[
            ("eyes@corp.test", Who::Keys(&["u1"])),
            ("00ueyes", Who::Keys(&["u1"])),
        ],
        true,
    );
    for require in [serde_json::json!("all"), serde_json::json!(2)] {
        let q = request(&["eyes@corp.test", "00ueyes"], require);
        q.validate().expect("the names rule alone sees two people");
        let o = client(&fake).run(&q).await;
        assert_eq!(o.status, Status::Failed, "{}", o.message);
        assert!(!o.approved);
        assert_eq!(o.failure_kind, FailureKind::Identity);
        assert!(
            o.message
                .contains("'eyes@corp.test' and '00ueyes' are one person")
                && o.message.contains("fake key u1"),
            "{}",
            o.message
        );
        assert_eq!(o.identity_check, Some("provider"));
        assert_eq!(o.approvers.len(), 2);
        assert!(o.approvers.iter().all(|a| !a.approved));
        assert_eq!(o.approvers[1].identity.as_deref(), Some("fake key u1"));
    }
    assert!(
        fake.asked().is_empty(),
        "nothing was pushed: {:?}",
        fake.asked()
    );
}

#[tokio::test]
async fn sharing_any_one_device_makes_one_person() {
    let fake = Fake::with(
        &[],
        &[
            ("a@x", Who::Keys(&["phone-1", "tablet-1"])),
            ("b@x", Who::Keys(&["phone-2", "tablet-1"])),
            ("c@x", Who::Keys(&["phone-3"])),
        ],
        true,
    );
    let o = client(&fake)
        .run(&request(&["c@x", "a@x", "b@x"], serde_json::json!(2)))
        .await;
    assert_eq!(o.failure_kind, FailureKind::Identity, "{}", o.message);
    assert!(o.message.contains("fake key tablet-1"), "{}", o.message);
    assert!(fake.asked().is_empty());
    // Different devices: different people, each pushed to what was resolved.
    let o = client(&fake)
        .run(&request(&["c@x", "a@x"], serde_json::json!("all")))
        .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(o.identity_check, Some("provider"));
    assert_eq!(
        o.approvers[1].identity.as_deref(),
        Some("fake key phone-1, fake key tablet-1")
    );
    let mut pushed = fake.pushed_to.lock().unwrap().clone();
    pushed.sort();
    assert_eq!(
        pushed,
        [
            ("a@x".to_string(), "resolved:phone-1+tablet-1".to_string()),
            ("c@x".to_string(), "resolved:phone-3".to_string())
        ]
    );
}

#[tokio::test]
async fn an_excluded_person_under_another_name_may_not_approve() {
    let fake = Fake::with(
        &[],
        &[
            ("jane@x", Who::Keys(&["u-jane"])),
            ("CONTOSO\\jsmith", Who::Keys(&["u-jane"])),
        ],
        true,
    );
    let q = with_excluded(
        request(&["jane@x", "bob@x"], serde_json::json!("any")),
        &["CONTOSO\\jsmith"],
    );
    q.validate().expect("the names rule alone sees two people");
    let o = client(&fake).run(&q).await;
    assert_eq!(o.failure_kind, FailureKind::Identity, "{}", o.message);
    assert!(
        o.message.contains("'jane@x' may not approve")
            && o.message.contains("excluded 'CONTOSO\\jsmith'"),
        "{}",
        o.message
    );
    assert!(fake.asked().is_empty());
    // A single approver with the requester excluded is a four-eyes request too.
    let q = with_excluded(
        request(&["jane@x"], serde_json::Value::Null),
        &["CONTOSO\\jsmith"],
    );
    let o = client(&fake).run(&q).await;
    assert_eq!(o.failure_kind, FailureKind::Identity, "{}", o.message);
    assert!(fake.asked().is_empty());
}

#[tokio::test]
async fn an_excluded_name_that_cannot_be_identified_blocks_the_request() {
    for (who, kind) in [
        (Who::Unknown, FailureKind::Identity),
        (Who::Empty, FailureKind::Identity),
        (Who::Fails(FailureKind::Transport), FailureKind::Transport),
        (Who::Fails(FailureKind::Protocol), FailureKind::Protocol),
        (Who::Panic, FailureKind::Internal),
    ] {
        let fake = Fake::with(&[], &[("ghost@x", who)], true);
        let q = with_excluded(
            request(&["a@x", "b@x"], serde_json::json!("any")),
            &["ghost@x"],
        );
        let o = client(&fake).run(&q).await;
        assert_eq!(o.status, Status::Failed, "{who:?}: {}", o.message);
        assert!(!o.approved);
        assert_eq!(o.failure_kind, kind, "{who:?}: {}", o.message);
        assert!(
            o.message
                .contains("excluded 'ghost@x' could not be identified"),
            "{who:?}: {}",
            o.message
        );
        if matches!(who, Who::Unknown) {
            assert!(o.message.contains("pass the fake's name"), "{}", o.message);
        }
        assert!(fake.asked().is_empty(), "{who:?}: {:?}", fake.asked());
    }
}

#[tokio::test]
async fn an_approver_who_cannot_be_identified_is_not_asked_and_never_counts() {
    let fake = Fake::with(
        &[],
        &[
            ("ghost@x", Who::Unknown),
            ("broken@x", Who::Fails(FailureKind::Transport)),
            ("bug@x", Who::Panic),
            ("nobody@x", Who::Empty),
        ],
        true,
    );
    // All four: impossible before any push.
    let o = client(&fake)
        .run(&request(&["a@x", "ghost@x"], serde_json::json!("all")))
        .await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert_eq!(o.decided_by.as_deref(), Some("ghost@x"));
    assert!(fake.asked().is_empty(), "{:?}", fake.asked());
    // Any: the identified approver is asked and decides.
    let o = client(&fake)
        .run(&request(
            &["ghost@x", "broken@x", "bug@x", "nobody@x", "a@x"],
            serde_json::json!("any"),
        ))
        .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(o.decided_by.as_deref(), Some("a@x"));
    assert_eq!(fake.asked(), ["a@x"]);
    let kinds: Vec<FailureKind> = o.approvers[..4].iter().map(|a| a.failure_kind).collect();
    assert_eq!(
        kinds,
        [
            FailureKind::Provider,
            FailureKind::Transport,
            FailureKind::Internal,
            FailureKind::Identity
        ]
    );
    assert!(o.approvers[..4]
        .iter()
        .all(|a| !a.approved && a.identity.is_none()));
    // Two of them cannot make two approvals.
    let o = client(&fake)
        .run(&request(&["a@x", "ghost@x", "b@x"], serde_json::json!(3)))
        .await;
    assert_eq!(o.status, Status::Failed);
}

#[tokio::test]
async fn lookups_run_at_once_inside_the_one_deadline() {
    let fake = Fake::with(&[], &[("slow@x", Who::Silent)], true);
    let mut q = with_excluded(
        request(&["slow@x", "a@x", "b@x"], serde_json::json!("any")),
        &["c@x"],
    );
    q.timeout_seconds = 0.3;
    let started = Instant::now();
    let o = client(&fake).run(&q).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(o.status, Status::TimedOut, "{}", o.message);
    assert_eq!(o.failure_kind, FailureKind::Timeout);
    assert!(o.message.contains("nothing was pushed"), "{}", o.message);
    assert!(o.approvers.iter().all(|a| a.status == Status::TimedOut));
    // Every name was looked up, though the first never answered.
    let mut looked: Vec<String> = fake.looked_up.lock().unwrap().clone();
    looked.sort();
    assert_eq!(looked, ["a@x", "b@x", "c@x", "slow@x"]);
    assert!(fake.asked().is_empty());
}

#[tokio::test]
async fn resolving_is_a_progress_stage_and_a_single_approver_is_not_looked_up() {
    let fake = Fake::new(&[("a@x", Act::Approve(1))]);
    let progress = Progress::default();
    let o = client(&fake)
        .run_with_progress(
            &request(&["a@x", "b@x"], serde_json::json!("all")),
            &progress,
        )
        .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let stages = progress.snapshot().stages;
    assert_eq!(&stages[..2], ["started", "resolving"], "{stages:?}");
    // One approver, nobody excluded: nothing to compare, no lookup.
    let fake = Fake::new(&[]);
    let q = Query::from_json(br#"{"userName":"a@x","timeoutSeconds":5}"#).unwrap();
    let o = client(&fake).run(&q).await;
    assert_eq!(o.status, Status::Approved);
    assert_eq!(o.identity_check, Some("provider"));
    assert!(fake.looked_up.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_provider_that_cannot_resolve_needs_allow_name_only_identity() {
    let fake = Fake::with(&[], &[], false);
    let two = request(&["a@x", "b@x"], serde_json::json!("all"));
    let excluded = with_excluded(request(&["a@x"], serde_json::Value::Null), &["b@x"]);
    for q in [&two, &excluded] {
        let o = client(&fake).run(q).await;
        assert_eq!(o.status, Status::Failed, "{}", o.message);
        assert_eq!(o.failure_kind, FailureKind::Identity);
        assert_eq!(o.identity_check, Some("names"));
        assert!(o.message.contains("allowNameOnlyIdentity"), "{}", o.message);
        assert!(o.message.contains("Next: "), "{}", o.message);
    }
    assert!(fake.asked().is_empty());
    assert!(fake.looked_up.lock().unwrap().is_empty());
    let named: Client = client(&fake).allowing_name_only_identity(true);
    let o = named.run(&two).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(o.identity_check, Some("names"));
    assert!(o.approvers.iter().all(|a| a.identity.is_none()));
    let json = serde_json::to_value(&o).unwrap();
    assert_eq!(json["identityCheck"], "names");
    assert!(json["approvers"][0]["identity"].is_null());
    // Every such approval says that names alone decided; one approver alone does not.
    assert!(
        o.warnings
            .iter()
            .any(|w| w.contains("names alone told the people apart")),
        "{:?}",
        o.warnings
    );
    let one = Query::from_json(br#"{"userName":"a@x","timeoutSeconds":5}"#).unwrap();
    assert!(named.run(&one).await.warnings.is_empty());
    // The names rule still applies to names alone.
    let same = request(&["a@x", "A@X "], serde_json::json!("all"));
    assert_ne!(named.run(&same).await.status, Status::Approved);
    // One approver and nobody excluded needs no opt-in.
    let q = Query::from_json(br#"{"userName":"a@x","timeoutSeconds":5}"#).unwrap();
    assert_eq!(client(&fake).run(&q).await.status, Status::Approved);
}

#[tokio::test]
async fn the_record_carries_each_identity_and_the_check() {
    let fake = Fake::with(&[], &[("a@x", Who::Keys(&["k1"]))], true);
    let o = client(&fake)
        .run(&request(&["a@x", "b@x"], serde_json::json!("all")))
        .await;
    let json = serde_json::to_value(&o).unwrap();
    assert_eq!(json["identityCheck"], "provider");
    assert_eq!(json["approvers"][0]["identity"], "fake key k1");
    assert_eq!(json["approvers"][1]["identity"], "fake user b@x");
    assert!(json.get("identity").is_none(), "only per approver: {json}");
}
