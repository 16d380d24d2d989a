//! The differential check without nightly: the committed fuzz seeds and many deterministic
//! mutations of them; whenever the engine approves, the independent strict check
//! (`common/strict.rs`, on roxmltree) agrees. `cargo fuzz run approval_differential`
//! explores the same property further.

use crate::common;
use common::mutate::Rng;
use common::strict;
use mfa_engine::testing::decide_soap_answer;
use mfa_engine::Status;

fn engine_approves(body: &[u8]) -> bool {
    decide_soap_answer(body) == Ok(Status::Approved)
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/soap_answer");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .expect("fuzz/seeds/soap_answer")
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

/// What the mutations insert: the fields a forgery needs, comments, namespaces, a second Body.
const FRAGMENTS: &[&str] = &[
    "<PfAuthUser_4Result>true</PfAuthUser_4Result>",
    "<PfAuthUser_4Result>false</PfAuthUser_4Result>",
    "<callResult><Code>21</Code></callResult>",
    "<callResult><Code>129</Code></callResult>",
    "<Code>21</Code>",
    "</soap:Body><soap:Body>",
    "<!--x-->",
    "<x/>",
    "\u{a0}",
    " xmlns=\"\"",
    " xmlns=\"http://www.phonefactor.com/PfWsSdk/\"",
    " xsi:nil=\"true\"",
    "<![CDATA[true]]>",
    "&#x20;",
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
                let end = (at + rng.below(24)).min(b.len());
                b.drain(at.min(end)..end);
            }
            2 => {
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                b.splice(at..at, f.iter().copied());
            }
            _ => {
                let other = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                let from = rng.below(b.len());
                let len = rng.below(32).min(b.len() - from);
                let copy: Vec<u8> = b[from..from + len].to_vec();
                b.splice(
                    at..at,
                    copy.into_iter().chain(other.iter().copied().take(0)),
                );
            }
        }
    }
    b
}

#[test]
fn the_seeds_read_as_expected() {
    for (name, body) in seeds() {
        let expected = matches!(
            name.as_str(),
            "approved.xml" | "prefixed-bom.xml" | "nil-cdata.xml"
        );
        assert_eq!(engine_approves(&body), expected, "{name}");
        assert_eq!(
            strict::is_approval(&body, "PfAuthUser_4"),
            expected,
            "{name} (strict)"
        );
    }
}

#[test]
fn whenever_the_engine_approves_the_strict_check_agrees() {
    let seeds = seeds();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut approvals, mut runs) = (0, 0);
    for _ in 0..150_000 {
        let (_, seed) = &seeds[rng.below(seeds.len())];
        let body = mutate(&mut rng, seed);
        runs += 1;
        if engine_approves(&body) {
            approvals += 1;
            assert!(
                strict::is_approval(&body, "PfAuthUser_4"),
                "the engine approved what the strict check does not: {:?}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    assert!(
        approvals > 100,
        "only {approvals} of {runs} mutations approved: the test explores too little"
    );
}
