//! The audit chain's line reader (`audit::chain::parse`, a one-pass reader that keeps only the
//! chain members) against the protocol crate's strict JSON reader (`StrictValue`, every other
//! reader's): over 60,000 seeded mutations of real chained lines, the two accept exactly the
//! same lines and read the same `seq`, `prev`, `mac`, `type` and `keyId`. A parser
//! differential is a forgery waiting to happen; this is the check that there is none.

use crate::common;
use common::mutate::{mutate, Rng};
use mfa_engine::audit::chain::{self, Key, Tail};
use mfa_protocol::json::StrictValue;

const RUNS: usize = 60_000;

/// The chain members as read: `seq`, `prev`, `mac`, `type`, `keyId`.
type Members = (u64, String, Option<String>, Option<String>, Option<String>);

/// What the reference reads from a line, by the same rules as the chain's reader.
fn reference(line: &[u8]) -> Option<Members> {
    let v = StrictValue::parse_object(line).ok()?;
    let seq = match v.get("seq")? {
        StrictValue::Int(n) if *n >= 0 => *n as u64,
        _ => return None,
    };
    let prev = v.get("prev")?.as_str()?.to_owned();
    if !chain::is_hash(&prev) {
        return None;
    }
    let mac = match v.get("mac") {
        None => None,
        Some(m) => {
            let m = m.as_str()?;
            if !chain::is_hash(m) || !line.ends_with(format!(",\"mac\":\"{m}\"}}").as_bytes()) {
                return None;
            }
            Some(m.to_owned())
        }
    };
    let text = |k: &str| match v.get(k) {
        None | Some(StrictValue::Null) => Ok(None),
        Some(StrictValue::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(()),
    };
    Some((seq, prev, mac, text("type").ok()?, text("keyId").ok()?))
}

fn seeds() -> Vec<String> {
    let key = Key::new(b"the differential test's audit key");
    let header = chain::chain(
        &format!(
            r#"{{"type":"header","format":1,"engine":"0.1.0","host":"mim01","pid":7,"time":"2026-12-07T09:30:00.123Z","keyId":"{}"}}"#,
            key.id()
        ),
        None,
        Some(&key),
    );
    let tail = Tail {
        seq: 41,
        hash: chain::line_hash(header.as_bytes()),
    };
    let record = r#"{"applicationName":"Add jane to \"Domain Admins\"","approved":true,"approvers":[{"approved":true,"callResult":21,"elapsedMs":8123,"failureKind":null,"requestId":"45f7","status":"Approved","userName":"alice@contoso.com"},{"approved":false,"callResult":null,"elapsedMs":9,"failureKind":"cancelled","requestId":null,"status":"Cancelled","userName":"carol\u00e4@contoso.com"}],"context":{"MIM request":"req-9","note":"a\\b\u2028c"},"id":"5f0c","status":"Approved","userName":"alice@contoso.com, carol@contoso.com"}"#;
    vec![
        header,
        chain::chain(record, Some(&tail), Some(&key)),
        chain::chain(record, Some(&tail), None),
        chain::chain(r#"{"type":"header","format":1,"keyId":null}"#, None, None),
    ]
}

const FRAGMENTS: &[&str] = &[
    r#","seq":3"#,
    r#""seq":"#,
    r#""\u0073eq":2,"#,
    r#","prev":"0000000000000000000000000000000000000000000000000000000000000000""#,
    r#""pr\u0065v""#,
    r#","mac":"abababababababababababababababababababababababababababababababab""#,
    r#","mac":null"#,
    r#","type":"header""#,
    r#""type":7,"#,
    r#","keyId":{}"#,
    r#""a":1,"a":2,"#,
    r#"{"x":1,"x":1}"#,
    r#"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"#,
    "\\",
    "\"",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    " ",
    "\n",
    "null",
    "-1",
    "1e3",
    "18446744073709551615",
    "\u{feff}",
    "\\u0000",
    "\\ud800",
];

#[test]
fn the_chain_reader_and_the_strict_json_reader_agree_on_every_mutation() {
    let seeds = seeds();
    for s in &seeds {
        let ours = chain::parse(s.as_bytes()).expect("a seed is a chained line");
        assert_eq!(Some(ours.seq), reference(s.as_bytes()).map(|r| r.0));
    }
    // Nesting around the depth limit, arrays and objects: the same verdict at every depth.
    let base = &seeds[2];
    let mut depths = (0, 0);
    for n in 26..=36 {
        for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
            let deep = format!("{}1{}", open.repeat(n), close.repeat(n));
            let line = format!("{},\"deep\":{deep}}}", &base[..base.len() - 1]);
            let ours = chain::parse(line.as_bytes()).ok().map(|p| p.seq);
            assert_eq!(
                ours,
                reference(line.as_bytes()).map(|r| r.0),
                "nesting {n} of {open}"
            );
            if ours.is_some() {
                depths.0 += 1
            } else {
                depths.1 += 1
            }
        }
    }
    assert!(
        depths.0 > 0 && depths.1 > 0,
        "the limit lies inside the range: {depths:?}"
    );
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..RUNS {
        let seed = &seeds[i % seeds.len()];
        let line = mutate(&mut rng, seed.as_bytes(), FRAGMENTS);
        let ours = chain::parse(&line)
            .ok()
            .map(|p| (p.seq, p.prev, p.mac, p.kind, p.key_id));
        let theirs = reference(&line);
        assert_eq!(
            ours,
            theirs,
            "run {i}: the readers disagree on {:?}",
            String::from_utf8_lossy(&line)
        );
        if ours.is_some() {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    // The mutations exercise both sides of the line (neither reader accepts or refuses all).
    assert!(
        accepted > RUNS / 50 && refused > RUNS / 2,
        "{accepted} accepted, {refused} refused"
    );
}
