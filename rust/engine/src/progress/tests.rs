use super::*;
use crate::outcome::{ApproverOutcome, FailureKind, Status};

fn approval(json: &str) -> (Progress, Query) {
    let q = Query::from_json(json.as_bytes()).unwrap();
    let p = Progress::default();
    p.start_for(&q);
    (p, q)
}

fn answer(user: &str, status: Status, message: &str) -> Outcome {
    let mut o = Outcome::new("authenticate", "test", user, true);
    if status == Status::Approved {
        o.approve_as_decided();
    } else {
        o.set_failed(status, FailureKind::Provider, "");
    }
    o.message = message.to_owned();
    o
}

fn ended(status: Status, approvers: &[(&str, Status)], message: &str) -> Outcome {
    let mut o = answer("x", status, message);
    o.approvers = approvers
        .iter()
        .map(|(n, s)| ApproverOutcome::of(&answer(n, *s, &format!("{n} said {}", s.name()))))
        .collect();
    o
}

#[test]
fn each_approver_keeps_a_code_of_its_own() {
    let (p, _) =
        approval(r#"{"approvers":["alice@contoso.com","victor@contoso.com"],"require":"all"}"#);
    p.for_approver("alice@contoso.com")
        .set("pushed", "pushed", Some("111111".into()));
    p.for_approver("victor@contoso.com")
        .set("pushed", "pushed", Some("222222".into()));
    p.for_approver("alice@contoso.com")
        .set("waiting", "waiting", None);
    let s = p.snapshot();
    assert_eq!(
        s.code.as_deref(),
        Some("111111"),
        "the first code stays the code"
    );
    assert_eq!(s.codes.len(), 2);
    assert_eq!(s.codes["alice@contoso.com"], "111111");
    assert_eq!(s.codes["victor@contoso.com"], "222222");
    assert_eq!(s.approvers[1].code.as_deref(), Some("222222"));
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["codes"]["victor@contoso.com"], "222222");
    assert_eq!(json["approvers"][0]["code"], "111111");
    assert!(serde_json::to_value(Progress::default().snapshot()).unwrap()["codes"].is_null());
}

#[test]
fn started_comes_first_and_done_stays_last() {
    let (p, q) = approval(r#"{"userName":"alice@contoso.com"}"#);
    assert_eq!(p.snapshot().stage, "started");
    p.for_approver("alice@contoso.com")
        .set("pushed", "a push", None);
    p.start();
    p.start_for(&q);
    assert_eq!(p.snapshot().stage, "pushed", "started never comes back");
    p.finish(&ended(
        Status::Denied,
        &[("alice@contoso.com", Status::Denied)],
        "denied",
    ));
    p.set("waiting", "late", None);
    p.finish(&ended(Status::Approved, &[], "a second end"));
    let s = p.snapshot();
    assert_eq!((s.stage.as_str(), s.message.as_str()), ("done", "denied"));
    assert_eq!(s.stages, ["started", "pushed", "done"]);
    assert_eq!(s.approvers[0].status.as_deref(), Some("Denied"));
}

#[test]
fn a_provider_cannot_write_done_or_move_the_stage_back() {
    let (p, _) = approval(r#"{"userName":"alice@contoso.com"}"#);
    let alice = p.for_approver("alice@contoso.com");
    alice.set("waiting", "waiting for the user", None);
    alice.set("done", "the provider thinks it is over", None);
    alice.set("pushed", "sent again to the next server", None);
    alice.set("finished", "not a stage", None);
    let s = p.snapshot();
    assert_eq!(s.stage, "waiting");
    assert_eq!(s.stages, ["started", "waiting"]);
    assert_eq!(s.message, "sent again to the next server");
    assert_eq!(s.pending, Some(vec!["alice@contoso.com".to_string()]));
    assert_eq!(s.approvers[0].stage, "waiting");
}

#[test]
fn several_approvers_count_answers_and_name_who_is_pending() {
    let (p, _) =
        approval(r#"{"approvers":["carol@contoso.com","alice@contoso.com"],"require":"all"}"#);
    let s = p.snapshot();
    assert_eq!(
        (s.needed, s.answered, s.pending.clone()),
        (
            Some(2),
            Some(0),
            Some(vec![
                "carol@contoso.com".to_string(),
                "alice@contoso.com".to_string()
            ])
        )
    );
    p.for_approver("carol@contoso.com")
        .set("pushed", "sent", None);
    p.for_approver("alice@contoso.com")
        .set("pushed", "sent", None);
    assert_eq!(p.snapshot().message, "alice@contoso.com: sent");
    p.answered("alice@contoso.com", "Approved");
    p.answered("alice@contoso.com", "Denied");
    let s = p.snapshot();
    assert_eq!(s.answered, Some(1));
    assert_eq!(s.pending, Some(vec!["carol@contoso.com".to_string()]));
    assert_eq!(
        s.message,
        "alice@contoso.com: Approved; 1 of 2 answered; waiting for carol@contoso.com"
    );
    assert_eq!(s.approvers[1].status.as_deref(), Some("Approved"));
    assert_eq!(s.approvers[0].status, None);
    assert_ne!(s.stage, "done");
    // alice's provider writes nothing after her answer counts.
    p.for_approver("alice@contoso.com")
        .set("waiting", "late", None);
    assert_eq!(p.snapshot().approvers[1].stage, "pushed");
    p.answered("carol@contoso.com", "Approved");
    p.finish(&ended(
        Status::Approved,
        &[
            ("carol@contoso.com", Status::Approved),
            ("alice@contoso.com", Status::Approved),
        ],
        "Approved: 2 of 2",
    ));
    let s = p.snapshot();
    assert_eq!(
        (s.stage.as_str(), s.message.as_str()),
        ("done", "Approved: 2 of 2")
    );
    assert_eq!((s.answered, s.pending), (Some(2), Some(vec![])));
    assert_eq!(s.approvers[0].message, "carol@contoso.com said Approved");
    assert_eq!(s.stages.iter().filter(|x| *x == "done").count(), 1);
}

#[test]
fn the_end_settles_everyone_not_yet_answered() {
    let (p, _) = approval(
        r#"{"approvers":["alice@contoso.com","carol@contoso.com","dave@contoso.com"],"require":"any"}"#,
    );
    p.answered("alice@contoso.com", "Approved");
    // The outcome names carol (Cancelled); dave is not in it: not needed any more.
    p.finish(&ended(
        Status::Approved,
        &[
            ("alice@contoso.com", Status::Approved),
            ("carol@contoso.com", Status::Cancelled),
        ],
        "Approved by alice",
    ));
    let s = p.snapshot();
    let statuses: Vec<_> = s.approvers.iter().map(|a| a.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            Some("Approved".to_string()),
            Some("Cancelled".to_string()),
            Some("Cancelled".to_string())
        ]
    );
    assert_eq!(s.answered, Some(3));
    assert_eq!(s.needed, Some(1));
    assert_eq!(s.pending, Some(vec![]));
}

#[test]
fn a_query_has_no_approvers() {
    let q = Query::from_json(br#"{"operation":"testSecurity"}"#).unwrap();
    let p = Progress::default();
    p.start_for(&q);
    let json = serde_json::to_value(p.snapshot()).unwrap();
    assert!(json.get("approvers").is_none(), "{json}");
    assert!(json.get("pending").is_none(), "{json}");
    assert_eq!(json["stage"], "started");
}
