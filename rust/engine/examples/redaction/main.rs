//! Benchmark (prints numbers, asserts nothing): the cost of redacting one message with the
//! canonicalising redactor (views: canonical, unescaped, hex/base64/base32 at every
//! alignment) beside the previous build's redactor (a list of spellings per secret,
//! `legacy.rs`) in the same run, for the texts the engine redacts: a short error summary,
//! an outcome message (our own words, `scrub`), a 2 KiB HTML error page, a 4 KiB RADIUS
//! Reply-Message and a 64 KiB body (the scan bound).
//!
//! `cargo run --release -p mfa-engine --example redaction`

mod legacy;

use base64::Engine as _;
use mfa_engine::testing::Redactor;
use std::hint::black_box;
use std::time::Instant;

const SECRETS: [&str; 3] = [
    "Bas1c-Pa55/wörd+ x",
    "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep",
    "demo-radius-shared-secret-for-mfa-sim-only",
];

fn time(n: u32, f: &dyn Fn() -> String) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    start.elapsed().as_nanos() as f64 / f64::from(n)
}

fn main() {
    let mut new = Redactor::default();
    new.add_basic("svc-mfa", SECRETS[0]);
    new.add_secret(SECRETS[1]);
    new.add_secret(SECRETS[2]);
    let mut old = legacy::Redactor::default();
    old.add_basic("svc-mfa", SECRETS[0]);
    old.add_secret(SECRETS[1]);
    old.add_secret(SECRETS[2]);

    let b64 = base64::engine::general_purpose::STANDARD.encode(SECRETS[1]);
    let summary = format!("Invalid token provided: SSWS {b64} (E0000011)");
    let message = "denied: Access-Reject from 127.0.0.1:1812: Your push was rejected; 2 answer(s) failed a check (wrong Message-Authenticator). Next: check -SharedSecret (radiusSharedSecret) on both ends.".to_string();
    let html = format!(
        "<html><head><title>500 Internal Server Error</title></head><body>{}<p>Authorization: Basic {}</p></body></html>",
        "<p>The server encountered an internal error and was unable to complete your request.</p>".repeat(20),
        base64::engine::general_purpose::STANDARD.encode(format!("svc-mfa:{}", SECRETS[0]))
    );
    let reply: String = format!(
        "{}{}",
        "Please approve the request on your phone. ".repeat(95),
        SECRETS[2]
    );
    let body: String = "lorem ipsum dolor sit amet, consectetur adipiscing elit 0123456789 "
        .repeat(1000)
        .chars()
        .take(64 * 1024)
        .collect();
    let cases: [(&str, &String, u32, bool); 5] = [
        ("error summary (60 B)", &summary, 20_000, false),
        ("outcome message, scrub (200 B)", &message, 20_000, true),
        ("HTML error page (2 KiB)", &html, 2_000, false),
        ("RADIUS Reply-Message (4 KiB)", &reply, 1_000, false),
        ("body at the scan bound (64 KiB)", &body, 50, false),
    ];
    println!("Redaction per message (3 secrets and a Basic pair registered), legacy = previous build's redactor:");
    for (name, text, n, scrub) in cases {
        let (t_new, t_old) = if scrub {
            (time(n, &|| new.scrub(text)), time(n, &|| old.scrub(text)))
        } else {
            (
                time(n, &|| new.server_text(text)),
                time(n, &|| old.server_text(text)),
            )
        };
        println!(
            "  {name:<34} new {:>9.1} µs   legacy {:>9.1} µs   ratio {:>5.2}",
            t_new / 1000.0,
            t_old / 1000.0,
            t_new / t_old
        );
    }
}
