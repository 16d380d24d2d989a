//! Benchmark (prints numbers, asserts nothing): what resolving identities costs an approval
//! (issue 24). Against the simulator, with users who answer at once, sequential approvals in
//! the same run: one approver (no lookup: the baseline), one approver with the requester
//! excluded (a four-eyes request: each name is looked up first, concurrently) and two
//! approvers (require all), for MFA Server (one `GetUserSettings_3` SOAP call per name), Duo
//! (`preauth`, which the push needed anyway, done once) and Okta (the user lookup, likewise).
//!
//! `cargo run --release -p mfa-engine --example identity_cost`

use mfa_engine::{Client, ClientConfig, Query, Secrets, Status};
use mfa_sim::{Answer, Directory, Running, SimConfig, User};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const N: u32 = 300;
/// Okta's simulator allows 600 calls a minute (an approval is 4 to 8 of them).
const N_OKTA: u32 = 30;

async fn per_approval(client: &Client, json: &str, n: u32) -> f64 {
    let query = Query::from_json(json.as_bytes()).unwrap();
    // Warm the connection pool first.
    assert_eq!(client.run(&query).await.status, Status::Approved);
    let start = Instant::now();
    for _ in 0..n {
        let o = client.run(&query).await;
        assert_eq!(o.status, Status::Approved, "{}", o.message);
    }
    start.elapsed().as_secs_f64() * 1e3 / f64::from(n)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let directory = Directory::demo();
    for name in ["fast1@contoso.com", "fast2@contoso.com"] {
        directory.insert(User::new(name, Answer::Approve, 0.0));
    }
    let sim = Running::start(SimConfig {
        directory,
        no_response_after: Duration::from_secs(5),
        ..Default::default()
    })
    .await
    .unwrap();
    let pin = sim.cert_sha256.clone().unwrap();
    let mfaserver = Client::new(
        &ClientConfig::from_json(
            format!(
                r#"{{"uri":"{}","userName":"{}","serverCertificateSha256":["{pin}"]}}"#,
                sim.url,
                mfa_sim::DEMO_USER
            )
            .as_bytes(),
        )
        .unwrap(),
        Secrets {
            basic_password: Some(Zeroizing::new(mfa_sim::DEMO_PASSWORD.into())),
            ..Default::default()
        },
    )
    .unwrap();
    let duo = Client::new(
        &ClientConfig::from_json(
            format!(
                r#"{{"provider":"duo","uri":"https://{}","integrationKey":"{}","serverCertificateSha256":["{pin}"]}}"#,
                sim.addr,
                mfa_sim::duo::DEMO_INTEGRATION_KEY
            )
            .as_bytes(),
        )
        .unwrap(),
        Secrets {
            duo_secret_key: Some(Zeroizing::new(mfa_sim::duo::DEMO_SECRET_KEY.into())),
            ..Default::default()
        },
    )
    .unwrap();
    let okta = Client::new(
        &ClientConfig::from_json(
            format!(
                r#"{{"provider":"okta","uri":"https://{}","serverCertificateSha256":["{pin}"]}}"#,
                sim.addr
            )
            .as_bytes(),
        )
        .unwrap(),
        Secrets {
            okta_api_token: Some(Zeroizing::new(mfa_sim::okta::DEMO_API_TOKEN.into())),
            ..Default::default()
        },
    )
    .unwrap();
    println!("Identity resolution per approval (sequential; users answer at once; ratio to one approver without a lookup):");
    for (name, client, a, b, n) in [
        (
            "MFA Server",
            &mfaserver,
            "fast1@contoso.com",
            "fast2@contoso.com",
            N,
        ),
        ("Duo", &duo, "instant@contoso.com", "fast1@contoso.com", N),
        (
            "Okta",
            &okta,
            "instant@contoso.com",
            "fast1@contoso.com",
            N_OKTA,
        ),
    ] {
        let one = per_approval(client, &format!(r#"{{"userName":"{a}"}}"#), n).await;
        let excluded = per_approval(
            client,
            &format!(r#"{{"userName":"{a}","excludeUserNames":["bob@contoso.com"]}}"#),
            n,
        )
        .await;
        let two = per_approval(
            client,
            &format!(r#"{{"approvers":["{a}","{b}"],"require":"all"}}"#),
            n,
        )
        .await;
        println!(
            "  {name:<10} ({n} each) one approver {one:.2} ms; with the requester excluded {excluded:.2} ms ({:.2}x); two approvers, all {two:.2} ms ({:.2}x)",
            excluded / one,
            two / one
        );
    }
}
