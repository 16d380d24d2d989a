//! Benchmark (prints numbers, asserts nothing): the cost of signing one Duo request, v5
//! beside v2 (HMAC-SHA512 and HMAC-SHA1), with the canonical form built each time as the
//! provider does. Baseline in the same run: SHA-512 of the same bytes (the hashing floor).
//!
//! `cargo run --release -p mfa-engine --example duo_signing`

use mfa_protocol::duo::{self as sign, SignatureVersion};
use std::hint::black_box;
use std::time::Instant;

const N: u32 = 200_000;

fn main() {
    let skey = b"demo-duo-secret-key-for-mfa-sim-only-0000";
    let params = [
        ("username", "alice@contoso.com"),
        ("factor", "push"),
        ("device", "auto"),
        ("async", "1"),
        ("type", "Approve MIM request"),
        ("pushinfo", "mimRequestId=1234%205678"),
    ];
    let date = mfa_protocol::time::rfc2822(1_764_460_800);
    let time = |f: &dyn Fn() -> String| {
        let start = Instant::now();
        for _ in 0..N {
            black_box(f());
        }
        start.elapsed().as_nanos() as f64 / f64::from(N)
    };
    let v5 = time(&|| {
        let body = sign::json_body(&params);
        let canonical = sign::canonical_v5(
            &date,
            "POST",
            "api-demo.duosecurity.com",
            "/auth/v2/auth",
            "",
            body.as_bytes(),
            &[],
        );
        sign::signature(skey, &canonical, SignatureVersion::V5)
    });
    let v2_with = |version| {
        time(&|| {
            let canonical = sign::canonical_v2(
                &date,
                "POST",
                "api-demo.duosecurity.com",
                "/auth/v2/auth",
                &sign::encode_params(&params),
            );
            sign::signature(skey, &canonical, version)
        })
    };
    let v2 = v2_with(SignatureVersion::V2Sha512);
    let v2sha1 = v2_with(SignatureVersion::V2Sha1);
    let body = sign::json_body(&params);
    let floor = time(&|| {
        format!(
            "{:?}",
            ring::digest::digest(&ring::digest::SHA512, body.as_bytes())
                .as_ref()
                .len()
        )
    });
    println!(
        "Duo request signing ({N} each): v5 {v5:.0} ns, v2 HMAC-SHA512 {v2:.0} ns, v2 HMAC-SHA1 {v2sha1:.0} ns; baseline one SHA-512 of the body {floor:.0} ns; v5/v2 {:.2}",
        v5 / v2
    );
}
