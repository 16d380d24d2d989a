//! Hostile bodies of every shape: none approves, reading each is bounded, and an honest
//! request beside hostile ones still ends (approved) within its own deadline.

use crate::common;
use common::*;
use mfa_engine::outcome::FailureKind;
use mfa_engine::testing::decide_soap_answer;
use mfa_engine::Status;
use std::time::Duration;

fn read(body: &[u8]) -> Result<Status, FailureKind> {
    decide_soap_answer(body).map_err(|(k, _)| k)
}

#[test]
fn every_hostile_shape_is_a_protocol_failure() {
    assert_eq!(read(&hostile::ordinary()), Ok(Status::Approved));
    for (name, body) in hostile::shapes() {
        assert!(body.len() <= mfa_protocol::limits::MAX_BODY_BYTES, "{name}");
        // Comments between elements are legal: an approving answer padded with them is
        // still that answer (read in linear time); every other shape breaks a limit.
        let expected = if name == "comments" {
            Ok(Status::Approved)
        } else {
            Err(FailureKind::Protocol)
        };
        assert_eq!(read(&body), expected, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_honest_request_beside_hostile_ones_ends_within_its_deadline() {
    let sim = sim().await;
    let honest = demo_client(&sim, "");
    let shapes = hostile::shapes();
    let mut hostile = Vec::new();
    for (_, body) in shapes.into_iter().take(4) {
        hostile.push(hostile::plain_client(&hostile::serve_forever(body).await));
    }
    let started = std::time::Instant::now();
    let hostile_runs: Vec<_> = hostile
        .iter()
        .flat_map(|c| [c.clone(), c.clone()])
        .map(|c| {
            tokio::spawn(async move {
                run(&c, r#"{"userName":"x@contoso.com","timeoutSeconds":2}"#).await
            })
        })
        .collect();
    let alice = run(
        &honest,
        r#"{"userName":"alice@contoso.com","timeoutSeconds":2.5}"#,
    )
    .await;
    let alice_wall = started.elapsed();
    assert_eq!(alice.status, Status::Approved, "{alice:?}");
    assert!(
        alice_wall < Duration::from_millis(2500 + 1000),
        "honest request took {alice_wall:?}"
    );
    for h in hostile_runs {
        let o = h.await.unwrap();
        assert_eq!(
            (o.status, o.failure_kind),
            (Status::Failed, FailureKind::Protocol),
            "{}",
            o.message
        );
    }
}
