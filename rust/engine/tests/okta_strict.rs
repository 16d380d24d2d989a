//! The differential property for Okta poll answers: whenever the engine's exact decision
//! path (`testing::decide_okta_poll_body`) says Approved for a body, the independent strict
//! check (`common/strict_json.rs`, no serde) agrees. Seeds are Okta's documented answers
//! and forgeries; 40,000 seeded mutations explore around them.

use crate::common;
use common::mutate::{mutate, Rng};
use common::strict_json;
use mfa_engine::testing::decide_okta_poll_body;
use mfa_engine::Status;

const POLL: &str = "https://contoso.okta.com/api/v1/users/00u1/factors/opf1/transactions/v2mst.1";

fn engine_approves(body: &[u8]) -> bool {
    matches!(
        decide_okta_poll_body(200, body, POLL),
        Ok(Some(Status::Approved))
    )
}

fn seeds() -> Vec<(&'static str, String)> {
    vec![
        ("approved", r#"{"factorResult":"SUCCESS"}"#.into()),
        (
            "approved with profile",
            r#"{"factorResult":"SUCCESS","profile":{"credentialId":"alice@contoso.com"}}"#.into(),
        ),
        (
            "waiting",
            format!(
                r#"{{"factorResult":"WAITING","expiresAt":"2030-01-01T00:00:00.000Z","_links":{{"poll":{{"href":"{POLL}"}},"cancel":{{"href":"{POLL}"}}}}}}"#
            ),
        ),
        ("rejected", r#"{"factorResult":"REJECTED"}"#.into()),
        ("timeout", r#"{"factorResult":"TIMEOUT"}"#.into()),
        (
            "duplicate",
            r#"{"factorResult":"REJECTED","factorResult":"SUCCESS"}"#.into(),
        ),
        (
            "escaped duplicate",
            r#"{"factorResult":"WAITING","f\u0061ctorResult":"SUCCESS"}"#.into(),
        ),
        (
            "two documents",
            r#"{"factorResult":"WAITING"}{"factorResult":"SUCCESS"}"#.into(),
        ),
    ]
}

#[test]
fn the_seeds_decide_as_named() {
    for (name, body) in seeds() {
        let approved = name.starts_with("approved");
        assert_eq!(engine_approves(body.as_bytes()), approved, "{name}");
        assert_eq!(
            strict_json::is_okta_approval(body.as_bytes()),
            approved,
            "{name}"
        );
    }
    // Another status code or another transaction never approves.
    let ok = br#"{"factorResult":"SUCCESS"}"#;
    for status in [201, 202, 204, 301, 400, 500] {
        assert!(
            !matches!(
                decide_okta_poll_body(status, ok, POLL),
                Ok(Some(Status::Approved))
            ),
            "{status}"
        );
    }
    let other = format!(r#"{{"factorResult":"SUCCESS","_links":{{"poll":{{"href":"{POLL}x"}}}}}}"#);
    assert!(decide_okta_poll_body(200, other.as_bytes(), POLL).is_err());
}

/// What the mutations insert: the fields a forgery needs, escapes and structure.
const FRAGMENTS: &[&str] = &[
    r#""factorResult":"SUCCESS","#,
    r#","factorResult":"SUCCESS""#,
    r#""f\u0061ctorResult":"SUCCESS","#,
    r#"{"factorResult":"SUCCESS"}"#,
    r#""SUCCESS""#,
    r#""WAITING""#,
    "\u{feff}",
    "\\u0000",
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
        let body = mutate(&mut rng, seed.as_bytes(), FRAGMENTS);
        total += 1;
        if engine_approves(&body) {
            approved += 1;
            assert!(
                strict_json::is_okta_approval(&body),
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

fn verify_seeds() -> Vec<String> {
    std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/seeds/okta_differential"
    ))
    .unwrap()
    .flatten()
    .filter(|e| e.file_name().to_string_lossy().starts_with("verify-"))
    .map(|e| std::fs::read_to_string(e.path()).unwrap())
    .collect()
}

/// The verify answer's differential (the `okta_differential` fuzz target's second half, on
/// stable): whenever the engine takes a verify answer as a push to wait for, the strict
/// parse reads the same poll link, cancel link and number from it.
#[test]
fn whenever_the_engine_waits_on_a_push_an_independent_strict_parse_reads_the_same_links() {
    use mfa_engine::testing::read_okta_verify_body;
    let seeds = verify_seeds();
    assert!(seeds.len() >= 4, "the verify seeds are there");
    let fragments: &[&str] = &[
        r#""poll":{"href":"https://evil.example/x"},"#,
        r#""cancel":{"href":"x"},"#,
        r#""correctAnswer":7,"#,
        r#""_links":{},"#,
        r#""factorResult":"WAITING","#,
        "\\u0070",
        "[",
        "{",
        "}",
        ",",
        "1e2",
        "-0",
    ];
    let mut rng = Rng(0x0C7A_0001);
    let mut accepted = 0;
    for round in 0..20_000 {
        let body = mutate(&mut rng, seeds[round % seeds.len()].as_bytes(), fragments);
        if let Ok((poll, cancel, number)) = read_okta_verify_body(201, &body) {
            accepted += 1;
            assert_eq!(
                strict_json::okta_verify(&body),
                Some((poll, cancel, number.map(i64::from))),
                "{:?}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    assert!(
        accepted > 100,
        "the mutations reach accepted answers ({accepted})"
    );
}
