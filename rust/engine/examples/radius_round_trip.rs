//! Benchmark (prints numbers, asserts nothing): what one RADIUS approval costs the engine
//! beside the user's decision. Sequential approvals of a user the simulator rejects at once
//! (`nobody@contoso.com`), each with its own connected UDP socket, CSPRNG identifier and
//! authenticator, MD5 and HMAC-MD5 both ways, over loopback; beside them, the socket setup
//! alone (bind + connect), the part a shared socket would save.
//!
//! `cargo run --release -p mfa-engine --example radius_round_trip`

use mfa_engine::{Client, ClientConfig, Query, Secrets, Status};
use std::time::Instant;
use zeroize::Zeroizing;

const N: u32 = 2_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sim = mfa_sim::radius::RadiusRunning::start(
        "127.0.0.1:0".parse().unwrap(),
        mfa_sim::radius::DEMO_RADIUS_SECRET,
    )
    .await
    .unwrap();
    let json = format!(r#"{{"provider":"radius","servers":["{}"]}}"#, sim.addr);
    let config = ClientConfig::from_json(json.as_bytes()).unwrap();
    let secrets = Secrets {
        radius_shared_secret: Some(Zeroizing::new(mfa_sim::radius::DEMO_RADIUS_SECRET.into())),
        ..Default::default()
    };
    let client = Client::new(&config, secrets).unwrap();
    let query =
        Query::from_json(br#"{"userName":"nobody@contoso.com","timeoutSeconds":5}"#).unwrap();
    let start = Instant::now();
    for _ in 0..N {
        assert_eq!(client.run(&query).await.status, Status::Denied);
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / f64::from(N);
    let start = Instant::now();
    for _ in 0..N {
        let s = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.connect(sim.addr).await.unwrap();
    }
    let socket = start.elapsed().as_secs_f64() * 1e6 / f64::from(N);
    println!("RADIUS approval round trip over loopback (simulator answers at once): {per:.1} us each ({N} sequential)");
    println!("  of which a new connected UDP socket (bind + connect): {socket:.1} us");
}
