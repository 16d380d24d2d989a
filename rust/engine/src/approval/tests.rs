//! Fake providers that try to trick the approval into approving.

use super::*;
use crate::client::Client;
use crate::mfaserver::decide::{self, AuthAnswer};
use crate::provider::BoxFuture;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What a fake approver does.
#[derive(Debug, Clone, Copy)]
pub(super) enum Act {
    /// Approves through the engine's decision table (after yielding `n` times).
    Approve(u32),
    Deny,
    Fraud,
    /// Never answers.
    Silent,
    Panic,
    /// Says Approved without the engine's decision.
    Forge,
}

/// Who a fake provider says a name is.
#[derive(Debug, Clone, Copy)]
pub(super) enum Who {
    /// An identity with these keys (one person per shared key).
    Keys(&'static [&'static str]),
    /// The provider does not know the name.
    Unknown,
    /// The lookup fails with this kind (a transport error, garbage).
    Fails(FailureKind),
    /// The lookup never answers.
    Silent,
    /// The lookup panics.
    Panic,
    /// An identity with no keys at all.
    Empty,
}

#[derive(Debug)]
pub(super) struct Fake {
    acts: Mutex<HashMap<String, Act>>,
    who: Mutex<HashMap<String, Who>>,
    /// Whether it resolves identities (false: like RADIUS).
    resolves: bool,
    asked: Mutex<Vec<String>>,
    /// The names looked up, in order.
    pub(super) looked_up: Mutex<Vec<String>>,
    /// For each push after a lookup: (the name, what the lookup resolved it to).
    pub(super) pushed_to: Mutex<Vec<(String, String)>>,
    pub(super) dropped: Arc<AtomicUsize>,
}

impl Default for Fake {
    fn default() -> Self {
        Self {
            acts: Mutex::default(),
            who: Mutex::default(),
            resolves: true,
            asked: Mutex::default(),
            looked_up: Mutex::default(),
            pushed_to: Mutex::default(),
            dropped: Arc::default(),
        }
    }
}

impl Fake {
    pub(super) fn new(acts: &[(&str, Act)]) -> Arc<Self> {
        Self::with(acts, &[], true)
    }
    /// A fake whose lookups answer `who` (else each name is its own person) and that
    /// resolves identities only when `resolves`.
    pub(super) fn with(acts: &[(&str, Act)], who: &[(&str, Who)], resolves: bool) -> Arc<Self> {
        Arc::new(Self {
            acts: Mutex::new(acts.iter().map(|(n, a)| (n.to_string(), *a)).collect()),
            who: Mutex::new(who.iter().map(|(n, w)| (n.to_string(), *w)).collect()),
            resolves,
            ..Self::default()
        })
    }
    pub(super) fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

/// Counts the runs dropped before they answered (cancelled).
struct DropCount(Arc<AtomicUsize>, bool);
impl Drop for DropCount {
    fn drop(&mut self) {
        if !self.1 {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

pub(super) fn approved(user: &str) -> Outcome {
    decide::apply(
        Outcome::new("authenticate", "fake", user, true),
        &AuthAnswer {
            result: Some(true),
            call_result: Some((21, String::new())),
            error: None,
            request_id: Some(format!("id-{user}")),
        },
    )
}

impl Provider for Fake {
    fn name(&self) -> &'static str {
        "fake"
    }
    fn resolves_identity(&self) -> bool {
        self.resolves
    }
    fn resolve<'a>(
        &'a self,
        q: &'a Query,
        _: &'a Progress,
    ) -> BoxFuture<'a, Result<crate::identity::Identity, Box<Outcome>>> {
        use crate::identity::Identity;
        let user = q.user_name.clone().unwrap_or_default();
        self.looked_up.lock().unwrap().push(user.clone());
        let who = self.who.lock().unwrap().get(user.trim()).copied();
        Box::pin(async move {
            tokio::task::yield_now().await;
            let blank = Outcome::new("authenticate", "fake", &user, true);
            let key = user.trim().to_owned();
            match who {
                None => Ok(Identity::new()
                    .with_key("fake", &key, format!("fake user {key}"))
                    .with_resolved(format!("resolved:{key}"))),
                Some(Who::Keys(keys)) => Ok(keys
                    .iter()
                    .fold(Identity::new(), |id, k| {
                        id.with_key("fake", k, format!("fake key {k}"))
                    })
                    .with_resolved(format!("resolved:{}", keys.join("+")))),
                Some(Who::Unknown) => Err(Box::new(blank.fail(
                    Status::Failed,
                    FailureKind::Provider,
                    "the fake does not know this user; pass the fake's name for them",
                ))),
                Some(Who::Fails(kind)) => Err(Box::new(blank.fail(
                    Status::Failed,
                    kind,
                    "the lookup failed",
                ))),
                Some(Who::Silent) => std::future::pending().await,
                Some(Who::Panic) => panic!("fake lookup bug"),
                Some(Who::Empty) => Ok(Identity::new()),
            }
        })
    }
    fn approve<'a>(
        &'a self,
        q: &'a Query,
        who: Option<&'a crate::identity::Identity>,
        p: &'a Progress,
        _withdraw: &'a crate::withdraw::WithdrawSlot,
    ) -> BoxFuture<'a, Outcome> {
        if let Some(who) = who {
            let target = who.resolved_as::<String>().cloned().unwrap_or_default();
            self.pushed_to
                .lock()
                .unwrap()
                .push((q.user_name.clone().unwrap_or_default(), target));
        }
        self.run(q, p)
    }
    fn run<'a>(&'a self, q: &'a Query, _: &'a Progress) -> BoxFuture<'a, Outcome> {
        let user = q.user_name.clone().unwrap_or_default();
        self.asked.lock().unwrap().push(user.clone());
        let act = self
            .acts
            .lock()
            .unwrap()
            .get(user.trim())
            .copied()
            .unwrap_or(Act::Approve(0));
        let guard = DropCount(self.dropped.clone(), false);
        Box::pin(async move {
            let mut guard = guard;
            let blank = Outcome::new("authenticate", "fake", &user, true);
            let o = match act {
                Act::Approve(n) => {
                    for _ in 0..n {
                        tokio::task::yield_now().await;
                    }
                    approved(&user)
                }
                Act::Deny => blank.fail(Status::Denied, FailureKind::Provider, "denied"),
                Act::Fraud => blank.fail(Status::FraudReported, FailureKind::Provider, "fraud"),
                Act::Silent => std::future::pending().await,
                Act::Panic => panic!("fake provider bug"),
                Act::Forge => {
                    let mut o = blank;
                    o.status = Status::Approved;
                    o.approved = true;
                    o
                }
            };
            guard.1 = true;
            o
        })
    }
}

pub(super) fn client(fake: &Arc<Fake>) -> Client {
    Client::with_provider(fake.clone(), Arc::default(), true)
}

pub(super) fn request(approvers: &[&str], require: serde_json::Value) -> Query {
    let mut doc = serde_json::json!({ "approvers": approvers, "timeoutSeconds": 5 });
    if !require.is_null() {
        doc["require"] = require;
    }
    serde_json::from_value(doc).unwrap()
}

#[test]
fn identity_ignores_case_spaces_and_lookalike_forms() {
    let same = [
        "alice@contoso.com",
        "ALICE@contoso.com ",
        " Alice@Contoso.COM",
        "\u{ff41}lice@contoso.com",  // fullwidth a
        "alice@contoso.com\u{3000}", // ideographic space
    ];
    for s in same {
        assert_eq!(identity(s), "alice@contoso.com", "{s:?}");
    }
    assert_eq!(identity("STRASSE"), identity("straße"));
    assert_ne!(
        identity("alice@contoso.com"),
        identity("alicia@contoso.com")
    );
}

#[test]
fn the_same_person_in_two_three_and_fifty_spellings_is_refused_naming_them() {
    let two = ["ALICE@contoso.com ", "alice@contoso.com"];
    let three = ["alice@contoso.com", "bob@contoso.com", "Alice@Contoso.com"];
    let spellings = [
        "alice@contoso.com",
        "ALICE@contoso.com",
        " alice@contoso.com",
        "Alice@contoso.com ",
    ];
    let fifty: Vec<&str> = (0..50).map(|i| spellings[i % spellings.len()]).collect();
    for (names, require) in [
        (&two[..], serde_json::json!(2)),
        (&two[..], serde_json::json!("all")),
        (&two[..], serde_json::json!("any")),
        (&three[..], serde_json::json!(3)),
        (&three[..], serde_json::json!("All")),
        (&fifty[..], serde_json::json!("all")),
        (&fifty[..], serde_json::json!(50)),
    ] {
        let q = request(names, require.clone());
        let e = q.validate().unwrap_err();
        assert_eq!(e.field, "approvers", "{e}");
        assert!(e.problem.contains("same person"), "{e}");
    }
    let e = request(&two, serde_json::json!(2)).validate().unwrap_err();
    assert!(
        e.problem.contains("'ALICE@contoso.com '") && e.problem.contains("'alice@contoso.com'"),
        "{e}"
    );
    assert!(
        e.problem.contains("require 2 needs 2 different people"),
        "{e}"
    );
}

#[test]
fn one_account_in_other_forms_and_look_alikes_is_one_person() {
    for pair in [
        ["alice@contoso.com", "CONTOSO\\alice"],
        ["alice@contoso.com", "alice"],
        ["CONTOSO\\Alice", "alice@fabrikam.com"],
        // Cyrillic e (U+0435) and a Latin e look the same.
        ["alice@contoso.com", "alic\u{0435}@contoso.com"],
        // Full-width letters are the same after NFKC.
        ["alice@contoso.com", "\u{ff41}lice@contoso.com"],
        // Realm and domain delimiters RADIUS servers strip, quotes, a doubled @.
        ["alice@contoso.com", "alice%contoso.com"],
        ["alice@contoso.com", "CONTOSO/alice"],
        ["alice@contoso.com", "\"alice\"@contoso.com"],
        ["alice@contoso.com", "alice@@contoso.com"],
        // A capital I with a dot folds to i plus a combining dot: the mark does not count.
        ["alice@contoso.com", "al\u{0130}ce@contoso.com"],
    ] {
        let e = request(&pair, serde_json::json!("all"))
            .validate()
            .unwrap_err();
        assert_eq!(e.field, "approvers", "{pair:?}: {e}");
        assert!(e.problem.contains("same person"), "{pair:?}: {e}");
    }
    // The requester excluded in one form is excluded in the others.
    let mut q = request(
        &["jane@contoso.com", "bob@contoso.com"],
        serde_json::json!("any"),
    );
    q.exclude_user_names = Some(vec!["CONTOSO\\jane".into()]);
    assert!(q
        .validate()
        .unwrap_err()
        .problem
        .contains("may not approve"));
    // Different accounts stay different people.
    request(
        &["alice@contoso.com", "bob@contoso.com", "CONTOSO\\carol"],
        serde_json::json!("all"),
    )
    .validate()
    .unwrap();
}

#[tokio::test]
async fn a_refused_approval_sends_nothing() {
    let fake = Fake::new(&[]);
    let o = client(&fake)
        .run(&request(
            &["alice@contoso.com", "ALICE@CONTOSO.COM"],
            serde_json::json!("all"),
        ))
        .await;
    assert_eq!(o.status, Status::Failed);
    assert!(!o.approved);
    assert!(o.message.contains("same person"), "{}", o.message);
    assert!(fake.asked().is_empty(), "{:?}", fake.asked());
}

#[test]
fn invisible_characters_in_names_are_refused() {
    for bad in [
        "alice@contoso.com\u{200b}",
        "\u{202e}moc.osotnoc@ecila",
        "al\u{00ad}ice@contoso.com",
        "alice\u{feff}@contoso.com",
        "ali\u{034f}ce@contoso.com",
        "alice\u{fe0f}@contoso.com",
        "alice\u{3164}@contoso.com",
        "alice\u{180b}@contoso.com",
    ] {
        let e = request(&[bad, "bob@contoso.com"], serde_json::json!("all"))
            .validate()
            .unwrap_err();
        assert_eq!(e.field, "approvers[0]", "{e}");
        assert!(e.problem.contains("invisible"), "{e}");
        let e = Query::from_json(
            serde_json::json!({ "userName": bad })
                .to_string()
                .as_bytes(),
        )
        .unwrap_err();
        assert_eq!(e.field, "userName", "{e}");
    }
}

#[test]
fn excluded_identities_may_not_approve() {
    let mut q = request(
        &["alice@contoso.com", "bob@contoso.com"],
        serde_json::json!("all"),
    );
    q.exclude_user_names = Some(vec![" BOB@contoso.com".into()]);
    let e = q.validate().unwrap_err();
    assert_eq!(e.field, "approvers");
    assert!(
        e.problem.contains("'bob@contoso.com' may not approve"),
        "{e}"
    );
    let q = Query::from_json(
        br#"{"userName":"Alice@contoso.com","excludeUserNames":["alice@contoso.com"]}"#,
    );
    assert_eq!(q.unwrap_err().field, "userName");
    let q = Query::from_json(
        br#"{"userName":"alice@contoso.com","excludeUserNames":["bob@contoso.com"]}"#,
    );
    assert!(q.is_ok());
}

#[test]
fn require_is_any_all_or_a_number_within_the_approvers() {
    let two = ["a@x", "b@x"];
    for bad in [
        serde_json::json!(3),
        serde_json::json!(0),
        serde_json::json!(-1),
        serde_json::json!(1.5),
        serde_json::json!("Most"),
        serde_json::json!("3"),
        serde_json::json!(""),
        serde_json::json!(true),
        serde_json::Value::Null, // missing: required with two approvers
    ] {
        let e = request(&two, bad.clone()).validate().unwrap_err();
        assert_eq!(e.field, "require", "{bad}: {e}");
    }
    for good in [
        serde_json::json!("Any"),
        serde_json::json!("ALL"),
        serde_json::json!(2),
        serde_json::json!("1"),
    ] {
        request(&two, good).validate().unwrap();
    }
    request(&["a@x"], serde_json::Value::Null)
        .validate()
        .unwrap();
    let e = Query::from_json(br#"{"userName":"a","approvers":["b"]}"#).unwrap_err();
    assert_eq!(e.field, "approvers");
    let e = Query::from_json(br#"{"operation":"userExists","userName":"a","require":"all"}"#)
        .unwrap_err();
    assert_eq!(e.field, "approvers");
    let e = Query::from_json(br#"{"approvers":[]}"#).unwrap_err();
    assert_eq!(e.field, "approvers");
}

#[tokio::test]
async fn require_all_needs_every_approval_and_reports_each() {
    let fake = Fake::new(&[("a@x", Act::Approve(3)), ("b@x", Act::Approve(1))]);
    let o = client(&fake)
        .run(&request(&["a@x", "b@x"], serde_json::json!("all")))
        .await;
    assert_eq!(o.status, Status::Approved);
    assert!(o.approved);
    assert_eq!(o.require.as_deref(), Some("all"));
    assert_eq!(o.needed, Some(2));
    assert_eq!(o.decided_by.as_deref(), Some("a@x"));
    assert!(o
        .approvers
        .iter()
        .all(|a| a.approved && a.status == Status::Approved));
    let json = serde_json::to_value(&o).unwrap();
    assert_eq!(json["approvers"][1]["userName"], "b@x");
    assert_eq!(json["decidedBy"], "a@x");
}

#[tokio::test]
async fn one_denial_makes_all_impossible_and_cancels_the_rest() {
    let fake = Fake::new(&[
        ("a@x", Act::Silent),
        ("b@x", Act::Deny),
        ("c@x", Act::Silent),
    ]);
    let o = client(&fake)
        .run(&request(&["a@x", "b@x", "c@x"], serde_json::json!("all")))
        .await;
    assert_eq!(o.status, Status::Denied);
    assert!(!o.approved);
    assert_eq!(o.decided_by.as_deref(), Some("b@x"));
    let statuses: Vec<Status> = o.approvers.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses,
        [Status::Cancelled, Status::Denied, Status::Cancelled]
    );
    assert_eq!(
        fake.dropped.load(Ordering::SeqCst),
        2,
        "the silent runs were dropped"
    );
}

#[tokio::test]
async fn approvals_arriving_after_a_fraud_report_do_not_count() {
    let fake = Fake::new(&[
        ("a@x", Act::Approve(5)),
        ("b@x", Act::Approve(5)),
        ("m@x", Act::Fraud),
    ]);
    let o = client(&fake)
        .run(&request(&["a@x", "b@x", "m@x"], serde_json::json!("any")))
        .await;
    assert_eq!(o.status, Status::FraudReported);
    assert!(!o.approved);
    assert_eq!(o.decided_by.as_deref(), Some("m@x"));
    assert!(o.approvers.iter().all(|a| !a.approved));
}

#[tokio::test]
async fn an_approval_the_engine_did_not_decide_is_never_counted() {
    let fake = Fake::new(&[("a@x", Act::Forge), ("b@x", Act::Forge)]);
    let o = client(&fake)
        .run(&request(&["a@x", "b@x"], serde_json::json!("any")))
        .await;
    assert_eq!(o.status, Status::Failed);
    assert!(!o.approved);
    assert!(o
        .approvers
        .iter()
        .all(|a| !a.approved && a.status == Status::Failed));
    let single = Query::from_json(br#"{"userName":"a@x","timeoutSeconds":5}"#).unwrap();
    let o = client(&fake).run(&single).await;
    assert_eq!(o.status, Status::Failed);
    assert!(!o.approved);
    assert_eq!(o.failure_kind, FailureKind::Internal);
}

#[tokio::test]
async fn a_panicking_provider_never_approves_and_never_escapes() {
    let fake = Fake::new(&[("p@x", Act::Panic), ("a@x", Act::Approve(2))]);
    let o = client(&fake)
        .run(&request(&["p@x", "a@x"], serde_json::json!("all")))
        .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.failure_kind, FailureKind::Internal);
    assert_eq!(o.decided_by.as_deref(), Some("p@x"));
    let o = client(&fake)
        .run(&request(&["p@x", "a@x"], serde_json::json!(1)))
        .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(o.approvers[0].failure_kind, FailureKind::Internal);
}

#[tokio::test]
async fn everyone_silent_ends_timed_out_at_the_one_deadline() {
    let fake = Fake::new(&[("a@x", Act::Silent), ("b@x", Act::Silent)]);
    let mut q = request(&["a@x", "b@x"], serde_json::json!(2));
    q.timeout_seconds = 0.2;
    let started = Instant::now();
    let o = client(&fake).run(&q).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(o.status, Status::TimedOut);
    assert_eq!(o.failure_kind, FailureKind::Timeout);
    assert!(o.approvers.iter().all(|a| a.status == Status::TimedOut));
    assert_eq!(fake.dropped.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_single_user_goes_through_the_same_path() {
    let fake = Fake::new(&[]);
    let q = Query::from_json(br#"{"userName":"a@x","timeoutSeconds":5}"#).unwrap();
    let o = client(&fake).run(&q).await;
    assert_eq!(o.status, Status::Approved);
    assert_eq!(o.user_name, "a@x");
    assert_eq!(o.require.as_deref(), Some("any"));
    assert_eq!(o.approvers.len(), 1);
    assert_eq!(o.authentication_request_id.as_deref(), Some("id-a@x"));
}

#[test]
fn the_quorum_decides_whatever_the_order() {
    let deny = |u: &str| {
        Outcome::new("authenticate", "f", u, true).fail(Status::Denied, FailureKind::Provider, "")
    };
    let mut q = Quorum::new(2, 3);
    assert_eq!(q.add(0, &deny("a")), None);
    assert_eq!(q.add(1, &approved("b")), None);
    assert_eq!(q.add(2, &approved("c")), Some((Status::Approved, Some(2))));
    let mut q = Quorum::new(2, 3);
    assert_eq!(q.add(0, &deny("a")), None);
    assert_eq!(q.add(1, &deny("b")), Some((Status::Denied, Some(1))));
    assert_eq!(
        q.add(2, &approved("c")),
        Some((Status::Denied, Some(1))),
        "answers after the decision change nothing"
    );
}
