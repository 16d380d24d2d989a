//! Benchmark (prints numbers, asserts nothing): what one privacyIDEA approval costs the
//! engine, beside Duo and Okta in the same run, against the in-process simulator over
//! HTTPS on loopback, users that approve at once (`instant@contoso.com`). privacyIDEA: the
//! service account's token is fetched once and reused; then triggerchallenge, one poll and
//! the final check per approval, with and without the response signing key pinned (the
//! simulator signs every answer, RSA-2048, either way). Also the engine's signature check
//! alone, on an answer signed by a real privacyIDEA (tests/data).
//!
//! `cargo run --release -p mfa-engine --example privacyidea_round_trip`

use mfa_engine::{Client, ClientConfig, Query, Secrets, Status};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const ROUNDS: u32 = 5;
const PER_ROUND: u32 = 20;

fn client(json: String, secrets: Secrets) -> Client {
    Client::new(&ClientConfig::from_json(json.as_bytes()).unwrap(), secrets).unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sim = mfa_sim::Running::start(mfa_sim::SimConfig::default())
        .await
        .unwrap();
    let pin = sim.cert_sha256.clone().unwrap();
    let base = format!("https://{}", sim.addr);
    let key = std::env::temp_dir().join(format!("mfa-bench-pi-{}.pem", std::process::id()));
    std::fs::write(&key, mfa_sim::privacyidea::wire::DEMO_SIGNING_PUBLIC_KEY).unwrap();
    let password = || Secrets {
        basic_password: Some(Zeroizing::new(mfa_sim::DEMO_PASSWORD.into())),
        ..Default::default()
    };
    let pi = |extra: &str| {
        format!(
            r#"{{"provider":"privacyidea","uri":"{base}","userName":"{}","serverCertificateSha256":["{pin}"],"realm":"contoso"{extra}}}"#,
            mfa_sim::DEMO_USER
        )
    };
    let clients = [
        ("privacyIDEA", client(pi(""), password())),
        (
            "privacyIDEA, signing key pinned",
            client(
                pi(&format!(r#","responseSigningKeyFile":"{}""#, key.display())),
                password(),
            ),
        ),
        (
            "Duo",
            client(
                format!(
                    r#"{{"provider":"duo","uri":"{base}","integrationKey":"{}","serverCertificateSha256":["{pin}"]}}"#,
                    mfa_sim::duo::DEMO_INTEGRATION_KEY
                ),
                Secrets {
                    duo_secret_key: Some(Zeroizing::new(mfa_sim::duo::DEMO_SECRET_KEY.into())),
                    ..Default::default()
                },
            ),
        ),
        (
            "Okta",
            client(
                format!(
                    r#"{{"provider":"okta","uri":"{base}","serverCertificateSha256":["{pin}"]}}"#
                ),
                Secrets {
                    okta_api_token: Some(Zeroizing::new(mfa_sim::okta::DEMO_API_TOKEN.into())),
                    ..Default::default()
                },
            ),
        ),
    ];
    let query =
        Query::from_json(br#"{"userName":"instant@contoso.com","timeoutSeconds":30}"#).unwrap();
    // Warm up: connections, the privacyIDEA token, Duo's clock check.
    for (_, c) in &clients {
        assert_eq!(c.run(&query).await.status, Status::Approved);
    }
    let mut spent = vec![Duration::ZERO; clients.len()];
    let mut calls = vec![0u32; clients.len()];
    // Rounds alternate between the providers, so a busy moment of the machine is shared.
    for _ in 0..ROUNDS {
        for (i, (_, c)) in clients.iter().enumerate() {
            let start = Instant::now();
            for _ in 0..PER_ROUND {
                let o = c.run(&query).await;
                assert_eq!(o.status, Status::Approved, "{}", o.message);
                calls[i] += o.http_calls;
            }
            spent[i] += start.elapsed();
        }
    }
    let n = ROUNDS * PER_ROUND;
    let per = |i: usize| spent[i].as_secs_f64() * 1e3 / f64::from(n);
    println!("Per approval against the simulator (HTTPS on loopback, approved at once, {n} each, interleaved):");
    for (i, (name, _)) in clients.iter().enumerate() {
        println!(
            "  {name:<32} {:.2} ms ({:.1} HTTP calls; {:.2}x Duo)",
            per(i),
            f64::from(calls[i]) / f64::from(n),
            per(i) / per(2)
        );
    }
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
    let pem = std::fs::read(data.join("privacyidea-signing-key.pem")).unwrap();
    let body = std::fs::read(data.join("privacyidea-signed-answer.json")).unwrap();
    let m = 2_000;
    let check = mfa_engine::testing::privacyidea_signature_checker(&pem).unwrap();
    let start = Instant::now();
    for _ in 0..m {
        check(&body).unwrap();
    }
    let verify = start.elapsed().as_secs_f64() * 1e6 / f64::from(m);
    let start = Instant::now();
    for _ in 0..m {
        mfa_engine::testing::privacyidea_signature_checker(&pem)
            .map(|_| ())
            .unwrap();
    }
    let parse = start.elapsed().as_secs_f64() * 1e6 / f64::from(m);
    let signer = mfa_sim::privacyidea::wire::Signer::demo();
    let start = Instant::now();
    for _ in 0..m / 4 {
        std::hint::black_box(signer.sign(&body));
    }
    let sign = start.elapsed().as_secs_f64() * 1e6 / f64::from(m / 4);
    // Baseline in the same run: ring verifying the simulator's signature (a 32-byte salt, the
    // only one ring takes) beside the engine's check of the same signature.
    let text = b"the signed text";
    let hex = signer.sign(text);
    let hex = hex.strip_prefix("rsa_sha256_pss:").unwrap();
    let sig: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let ring_key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PSS_2048_8192_SHA256,
        signer.public_key_der(),
    );
    let engine_check = mfa_engine::testing::privacyidea_pss_verifier(
        mfa_sim::privacyidea::wire::DEMO_SIGNING_PUBLIC_KEY.as_bytes(),
    )
    .unwrap();
    let start = Instant::now();
    for _ in 0..m {
        ring_key.verify(text, &sig).unwrap();
    }
    let ring_verify = start.elapsed().as_secs_f64() * 1e6 / f64::from(m);
    let start = Instant::now();
    for _ in 0..m {
        assert!(engine_check(text, &sig));
    }
    let engine_verify = start.elapsed().as_secs_f64() * 1e6 / f64::from(m);
    println!("Signed answers (RSA-2048, PSS, SHA-256):");
    println!("  one 32-byte-salt signature: ring {ring_verify:.0} us, the engine (rsa crate) {engine_verify:.0} us ({:.2}x ring)", engine_verify / ring_verify);
    println!("  the engine's check of a real privacyIDEA answer (signed text cut out, rsa crate): {verify:.0} us");
    println!("  reading the PEM public key (once per connection): {parse:.0} us");
    println!("  the simulator signing one answer (ring, the private key): {sign:.0} us (3 per approval, in the numbers above)");
    let _ = std::fs::remove_file(&key);
}
