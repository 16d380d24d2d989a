//! Duo answers are read strictly (issue 16): forged `auth_status` bodies that a
//! last-wins reader approved end not approved over real loopback HTTP, and the
//! differential property without nightly: whenever the engine's Duo decision says
//! Approved for a body, the independent strict check (`common/strict_json.rs`, no serde)
//! agrees. `cargo fuzz run duo_differential` explores the same property further.

use crate::common;
use common::fake_duo::{ordinary, FakeDuo};
use common::mutate::{mutate, Rng};
use common::strict_json;
use mfa_engine::outcome::FailureKind;
use mfa_engine::testing::decide_duo_status_body as auth_status_body;
use mfa_engine::{Secrets, Status};
use zeroize::Zeroizing;

fn secret() -> Secrets {
    Secrets {
        duo_secret_key: Some(Zeroizing::new(
            "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep".into(),
        )),
        ..Default::default()
    }
}

async fn approve_with(status_body: &str) -> mfa_engine::Outcome {
    let server = FakeDuo::start(ordinary(status_body.to_string())).await;
    let client = server.client("", secret());
    common::run(
        &client,
        r#"{"userName":"alice@contoso.com","timeoutSeconds":10}"#,
    )
    .await
}

const ALLOW: &str = r#""result":"allow","status":"allow","status_msg":"ok""#;

#[tokio::test]
async fn an_honest_allow_is_approved_by_the_same_harness() {
    let o = approve_with(&format!(r#"{{"stat":"OK","response":{{{ALLOW}}}}}"#)).await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert!(o.approved);
}

#[tokio::test]
async fn forged_auth_status_bodies_are_protocol_failures_never_decisions() {
    let deep = format!(
        r#"{{"stat":"OK","response":{{{ALLOW},"x":{}1{}}}}}"#,
        "[".repeat(40),
        "]".repeat(40)
    );
    let cases: Vec<(&str, String)> = vec![
        // The three bodies of issue 16, approved before.
        ("duplicate result/status", r#"{"stat":"OK","response":{"result":"deny","status":"deny","status_msg":"no","result":"allow","status":"allow"}}"#.into()),
        ("duplicate stat", format!(r#"{{"stat":"FAIL","response":{{{ALLOW}}},"stat":"OK"}}"#)),
        ("two response objects", format!(r#"{{"stat":"OK","response":{{"result":"deny","status":"deny"}},"response":{{{ALLOW}}}}}"#)),
        // The same key spelled with an escape is the same key.
        ("escaped duplicate", r#"{"stat":"OK","response":{"result":"deny","status":"deny","res\u0075lt":"allow","st\u0061tus":"allow"}}"#.into()),
        ("duplicate at depth", format!(r#"{{"stat":"OK","response":{{{ALLOW},"devices":[{{"a":1,"a":2}}]}}}}"#)),
        ("byte-order mark", format!("\u{feff}{{\"stat\":\"OK\",\"response\":{{{ALLOW}}}}}")),
        ("second document", format!(r#"{{"stat":"OK","response":{{{ALLOW}}}}}{{"stat":"OK","response":{{{ALLOW}}}}}"#)),
        ("trailing garbage", format!(r#"{{"stat":"OK","response":{{{ALLOW}}}}} x"#)),
        ("deep nesting", deep),
        ("huge number", format!(r#"{{"stat":"OK","response":{{{ALLOW},"n":1e400}}}}"#)),
        ("result not a string", r#"{"stat":"OK","response":{"result":["allow"],"status":"allow"}}"#.into()),
        ("status not a string", r#"{"stat":"OK","response":{"result":"allow","status":{"allow":1}}}"#.into()),
        ("status_msg not a string", r#"{"stat":"OK","response":{"result":"allow","status":"allow","status_msg":7}}"#.into()),
        ("stat not a string", format!(r#"{{"stat":["OK"],"response":{{{ALLOW}}}}}"#)),
        ("response not an object", r#"{"stat":"OK","response":[{"result":"allow","status":"allow"}]}"#.into()),
    ];
    for (name, body) in cases {
        let o = approve_with(&body).await;
        assert!(!o.approved, "{name}: approved ({})", o.message);
        assert_eq!(o.status, Status::Failed, "{name}: {}", o.message);
        assert_eq!(
            o.failure_kind,
            FailureKind::Protocol,
            "{name}: {}",
            o.message
        );
        assert!(
            o.message.contains("not an approval"),
            "{name}: {}",
            o.message
        );
    }
}

fn engine_approves(body: &[u8]) -> bool {
    matches!(auth_status_body(body, false), Ok(Some(d)) if d.status == Status::Approved)
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/seeds/duo_auth_status"
    );
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .expect("fuzz/seeds/duo_auth_status")
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_seeds_decide_as_named() {
    for (name, body) in seeds() {
        assert_eq!(
            engine_approves(&body),
            name == "approved.json",
            "{name}: {:?}",
            auth_status_body(&body, false)
        );
        assert_eq!(
            strict_json::is_approval(&body),
            name == "approved.json",
            "{name}"
        );
    }
}

/// What the mutations insert: the fields a forgery needs, escapes and structure.
const FRAGMENTS: &[&str] = &[
    r#""result":"allow","#,
    r#""status":"allow","#,
    r#""stat":"OK","#,
    r#","response":{"result":"allow","status":"allow"}"#,
    r#""res\u0075lt":"allow","#,
    r#""st\u0061tus":"allow","#,
    r#"{"stat":"OK","response":{"result":"allow","status":"allow"}}"#,
    "\u{feff}",
    "\\u0000",
    "\"allow\"",
    "\"deny\"",
    "null",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    " ",
    "1e400",
];

#[test]
fn whenever_the_engine_approves_an_independent_strict_parse_agrees() {
    let seeds = seeds();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut approved, mut total) = (0, 0);
    for round in 0..40_000 {
        let (_, seed) = &seeds[round % seeds.len()];
        let body = mutate(&mut rng, seed, FRAGMENTS);
        total += 1;
        if engine_approves(&body) {
            approved += 1;
            assert!(
                strict_json::is_approval(&body),
                "the engine approved what the strict check does not: {:?}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    assert!(
        approved > 50,
        "the mutations reach approvals ({approved} of {total})"
    );
}

#[test]
fn every_hostile_json_shape_is_refused_quickly() {
    for (name, body) in common::hostile::duo_shapes() {
        let clock = std::time::Instant::now();
        let r = auth_status_body(&body, false);
        assert!(r.is_err(), "{name}: {r:?}");
        assert!(
            clock.elapsed() < std::time::Duration::from_secs(2),
            "{name}: {:?}",
            clock.elapsed()
        );
    }
}
