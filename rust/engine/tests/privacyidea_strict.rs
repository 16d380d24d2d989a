//! privacyIDEA's final check is read strictly, on stable Rust: the seeds decide as named,
//! whenever the engine approves a mutated answer an independent strict parse
//! (`common/strict_json.rs`, no serde) agrees, and with the response signing key pinned no
//! mutation of a signed ACCEPT is approved at all (only the bytes privacyIDEA signed are).
//! `cargo fuzz run privacyidea_differential` explores the first property further.

use crate::common;
use common::mutate::{mutate, Rng};
use common::strict_json;
use mfa_engine::testing::decide_privacyidea_check_body as decide;
use mfa_engine::Status;

const NONCE: &str = "n3";
const SERIAL: &str = "PIPU0000620C";

fn serials() -> Vec<String> {
    vec![SERIAL.to_owned()]
}

fn engine_approves(body: &[u8], key: Option<&[u8]>) -> bool {
    decide(body, NONCE, &serials(), key) == Ok(Status::Approved)
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/seeds/privacyidea_check"
    );
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .expect("fuzz/seeds/privacyidea_check")
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
        let approved = name.starts_with("accept");
        assert_eq!(
            engine_approves(&body, None),
            approved,
            "{name}: {:?}",
            decide(&body, NONCE, &serials(), None)
        );
        assert_eq!(
            strict_json::is_privacyidea_approval(&body, NONCE, &[SERIAL]),
            approved,
            "{name}"
        );
    }
}

const FRAGMENTS: &[&str] = &[
    r#""value": true, "#,
    r#""value": "true", "#,
    r#""v\u0061lue": true, "#,
    r#""authentication": "ACCEPT", "#,
    r#""status": true, "#,
    r#", "result": {"authentication": "ACCEPT", "status": true, "value": true}"#,
    r#""serial": "PIPU0000620C", "#,
    r#""serial": "PIPU00009999", "#,
    r#""nonce": "n3", "#,
    r#""nonce": "n2", "#,
    r#"{"result": {"authentication": "ACCEPT", "status": true, "value": true}}"#,
    "\u{feff}",
    "true",
    "false",
    "null",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    " ",
];

#[test]
fn whenever_the_engine_approves_an_independent_strict_parse_agrees() {
    let seeds = seeds();
    let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
    let (mut approved, mut total) = (0, 0);
    for round in 0..40_000 {
        let (_, seed) = &seeds[round % seeds.len()];
        let body = mutate(&mut rng, seed, FRAGMENTS);
        total += 1;
        if engine_approves(&body, None) {
            approved += 1;
            assert!(
                strict_json::is_privacyidea_approval(&body, NONCE, &[SERIAL]),
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

/// An ACCEPT as the simulator signs it (privacyIDEA's layout and scheme, the demo key).
fn signed_accept() -> Vec<u8> {
    let content = serde_json::json!({
        "detail": {"message": "Found matching challenge", "serial": SERIAL, "threadid": 1},
        "id": 2, "jsonrpc": "2.0", "nonce": NONCE,
        "result": {"authentication": "ACCEPT", "status": true, "value": true},
        "time": 1796635835.25, "version": "privacyIDEA 3.14", "versionnumber": "3.14",
    });
    let unsigned = mfa_sim::privacyidea::wire::py_json(&content);
    let signature = mfa_sim::privacyidea::wire::Signer::demo().sign(unsigned.as_bytes());
    let at = unsigned.rfind(r#", "time": "#).unwrap();
    format!(
        r#"{}, "signature": "{signature}"{}"#,
        &unsigned[..at],
        &unsigned[at..]
    )
    .into_bytes()
}

#[test]
fn with_the_key_pinned_only_the_signed_bytes_approve() {
    let key = mfa_sim::privacyidea::wire::DEMO_SIGNING_PUBLIC_KEY.as_bytes();
    let body = signed_accept();
    assert!(engine_approves(&body, Some(key)), "the signed ACCEPT");
    let mut rng = Rng(0xC0FF_EE00_1234_5678);
    let mut changed = 0;
    for _ in 0..3_000 {
        let mutated = mutate(&mut rng, &body, FRAGMENTS);
        if mutated == body {
            continue;
        }
        changed += 1;
        assert!(
            !engine_approves(&mutated, Some(key)),
            "a changed signed answer approved: {:?}",
            String::from_utf8_lossy(&mutated)
        );
    }
    assert!(changed > 2_900);
}
