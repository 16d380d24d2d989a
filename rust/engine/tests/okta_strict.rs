//! The differential property for Okta poll answers: whenever the engine's exact decision
//! path (`testing::decide_okta_poll_body`) says Approved for a body, the independent strict
//! check (`common/strict_json.rs`, no serde) agrees. Seeds are Okta's documented answers
//! and forgeries; 40,000 seeded mutations explore around them.

mod common;
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

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

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

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(b.len() + 1);
        match rng.below(4) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] ^= 1 << rng.below(8);
            }
            1 if !b.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(b.len());
                b.drain(at.min(b.len())..end);
            }
            _ => {
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                b.splice(at..at, f.iter().copied());
            }
        }
    }
    b
}

#[test]
fn whenever_the_engine_approves_an_independent_strict_parse_agrees() {
    let seeds = seeds();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut approved, mut total) = (0, 0);
    for round in 0..40_000 {
        let (_, seed) = &seeds[round % seeds.len()];
        let body = mutate(&mut rng, seed.as_bytes());
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
