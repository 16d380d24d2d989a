//! The fault matrix (see `common/matrix.rs`): no fault approves, none leaks the credential,
//! every request ends within its deadline, and `docs/faults.md` is current.

use crate::common;
use common::matrix;
use mfa_engine::outcome::FailureKind;
use mfa_engine::Status;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_fault_approves_leaks_or_outlives_its_deadline() {
    let rows = matrix::run().await;
    assert_eq!(rows.len(), mfa_sim::faults::FAULTS.len());
    let problems = matrix::check(&rows);
    assert!(problems.is_empty(), "{problems:#?}");

    let kind = |user: &str| {
        let r = rows
            .iter()
            .find(|r| r.fault.user.starts_with(user))
            .unwrap();
        (r.outcome.status, r.outcome.failure_kind)
    };
    assert_eq!(kind("delay@"), (Status::TimedOut, FailureKind::Timeout));
    assert_eq!(kind("trickle@"), (Status::TimedOut, FailureKind::Timeout));
    assert_eq!(kind("duplicated@"), (Status::Failed, FailureKind::Protocol));
    assert_eq!(kind("namespace@"), (Status::Failed, FailureKind::Protocol));
    assert_eq!(kind("oversized@"), (Status::Failed, FailureKind::Protocol));
    assert_eq!(kind("truncated@"), (Status::Failed, FailureKind::Protocol));
    assert_eq!(kind("reset@").1, FailureKind::Transport);
    assert_eq!(kind("soapfault@"), (Status::Failed, FailureKind::SoapFault));
    assert_eq!(kind("echofault@"), (Status::Failed, FailureKind::SoapFault));
    for user in ["http500@", "http503@", "http429@", "echo@"] {
        assert_eq!(
            kind(user),
            (Status::Failed, FailureKind::HttpStatus),
            "{user}"
        );
    }
    // The echo faults really did send the credential back: redaction, not luck.
    let echo = rows
        .iter()
        .find(|r| r.fault.user.starts_with("echo@"))
        .unwrap();
    assert!(
        echo.outcome.message.contains("[redacted]"),
        "{}",
        echo.outcome.message
    );

    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/faults.md"))
            .unwrap_or_default();
    assert_eq!(
        committed.replace("\r\n", "\n"),
        matrix::markdown(&rows),
        "docs/faults.md is stale: cargo run --release -p mfa-engine --example fault_matrix > docs/faults.md"
    );
}
