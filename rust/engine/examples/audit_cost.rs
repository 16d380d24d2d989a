//! Benchmark (prints numbers, asserts nothing): what the audit trail costs per approval.
//!
//! 1. Per record, written the way a finished request writes it (open, write one line,
//!    close), the same ~650-byte record: today's plain line before this change (one append,
//!    the baseline), the hash chain (lock file, read the last line back, parse and hash it,
//!    append), and the chain with the audit key's HMAC. Rounds alternate the three so the
//!    machine's load hits them alike; the ratios are against the plain line of the same run.
//! 2. Per approval through the engine (Duo, the simulator answering at once): no audit trail,
//!    then a keyed chained file.
//!
//! `cargo run --release -p mfa-engine --example audit_cost`

use mfa_engine::audit::chain::Key;
use mfa_engine::audit::file::FileTrail;
use mfa_engine::{Client, ClientConfig, Query, Secrets, Status};
use std::io::Write as _;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const RECORDS: usize = 2_000;
const ROUNDS: usize = 5;
const APPROVALS: usize = 300;

/// A typical record (one approver, a MIM context), as the engine writes it.
const RECORD: &str = r#"{"applicationName":"MIM request 3c1d6f0e","approved":true,"approvers":[{"approved":true,"callResult":21,"elapsedMs":8123,"failureKind":null,"requestId":"45f7c92b-1d2e-4f3a-9b8c-7d6e5f4a3b2c","status":"Approved","userName":"alice@contoso.com"}],"callResult":21,"context":{"MIM actor":"7fb2a0c4-1111-2222-3333-444455556666","MIM request":"3c1d6f0e-aaaa-bbbb-cccc-ddddeeeeffff","MIM target":"9a8e7d6c-5555-6666-7777-888899990000"},"decidedBy":"alice@contoso.com","elapsedMs":8123,"engine":"0.1.0","errorCode":null,"failureKind":null,"host":"MIM01","httpCalls":1,"id":"5f0c9a1e2b3d4c5e6f708192a3b4c5d6","needed":1,"operation":"authenticate","pid":4242,"provider":"mfaserver","reason":"Add jane to Domain Admins","require":"any","requestId":"45f7c92b-1d2e-4f3a-9b8c-7d6e5f4a3b2c","status":"Approved","time":"2026-12-07T09:30:00.123Z","userName":"alice@contoso.com"}"#;

/// Today's plain line before the chain: one append on a file opened for it, as before.
fn plain(path: &std::path::Path, line: &str) {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let mut f = o.open(path).unwrap();
    assert!(f.metadata().unwrap().is_file());
    f.write_all(line.as_bytes()).unwrap();
}

fn header(_: Option<&mfa_engine::audit::file::Broken>) -> String {
    r#"{"type":"header","format":1,"engine":"bench"}"#.to_string()
}

fn chained(trail: &FileTrail, key: Option<&Key>) {
    let far = Instant::now() + Duration::from_secs(5);
    trail.append(RECORD, key, &header, 0, far).unwrap();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = std::env::temp_dir().join(format!("mfa-audit-cost-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (plain_path, chain_path, keyed_path) = (
        dir.join("plain.jsonl"),
        dir.join("chain.jsonl"),
        dir.join("keyed.jsonl"),
    );
    let chain_trail = FileTrail::new(chain_path.clone());
    let keyed_trail = FileTrail::new(keyed_path.clone());
    let key = Key::new(b"an audit key for the benchmark, 32+ chars");
    let line = format!("{RECORD}\n");
    let mut best = [f64::MAX; 3];
    for _ in 0..ROUNDS {
        let runs: [&dyn Fn(); 3] = [
            &|| plain(&plain_path, &line),
            &|| chained(&chain_trail, None),
            &|| chained(&keyed_trail, Some(&key)),
        ];
        for (i, run) in runs.iter().enumerate() {
            let t = Instant::now();
            for _ in 0..RECORDS {
                run();
            }
            best[i] = best[i].min(t.elapsed().as_secs_f64() * 1e6 / RECORDS as f64);
        }
    }
    let n = (RECORDS * ROUNDS) as u64;
    let report = mfa_engine::audit::verify::verify_file(&keyed_path, Some(&key)).unwrap();
    assert!(report.valid && report.records == n, "{report:?}");
    println!("Audit record written as a request writes it (open, write, close; a {}-byte record; best of {ROUNDS} rounds of {RECORDS}):", RECORD.len());
    println!("  plain line (before the chain): {:.1} us", best[0]);
    println!("  hash chain (lock, read the last line back, SHA-256, append): {:.1} us ({:.2}x the plain line)", best[1], best[1] / best[0]);
    println!(
        "  hash chain + HMAC-SHA256 (audit key): {:.1} us ({:.2}x the plain line; +{:.1} us)",
        best[2],
        best[2] / best[0],
        best[2] - best[0]
    );

    let sim = mfa_sim::Running::start(mfa_sim::SimConfig::default())
        .await
        .unwrap();
    let pin = sim.cert_sha256.clone().unwrap();
    let client = |extra: &str, audit_key: Option<&str>| {
        let json = format!(
            r#"{{"provider":"duo","uri":"https://{}","integrationKey":"{}","serverCertificateSha256":["{pin}"]{extra}}}"#,
            sim.addr,
            mfa_sim::duo::DEMO_INTEGRATION_KEY
        );
        let secrets = Secrets {
            duo_secret_key: Some(Zeroizing::new(mfa_sim::duo::DEMO_SECRET_KEY.into())),
            audit_key: audit_key.map(|k| Zeroizing::new(k.to_owned())),
            ..Default::default()
        };
        Client::new(&ClientConfig::from_json(json.as_bytes()).unwrap(), secrets).unwrap()
    };
    let engine_path = dir.join("engine.jsonl");
    let bare = client("", None);
    let audited = client(
        &format!(
            r#","auditPath":{}"#,
            serde_json::to_string(&engine_path).unwrap()
        ),
        Some("an audit key for the benchmark, 32+ chars"),
    );
    let query = Query::from_json(
        br#"{"userName":"instant@contoso.com","pushInfo":{"MIM request":"bench"}}"#,
    )
    .unwrap();
    let mut per = [f64::MAX; 2];
    for _ in 0..3 {
        for (i, c) in [&bare, &audited].iter().enumerate() {
            let t = Instant::now();
            for _ in 0..APPROVALS {
                assert_eq!(c.run(&query).await.status, Status::Approved);
            }
            per[i] = per[i].min(t.elapsed().as_secs_f64() * 1e3 / APPROVALS as f64);
        }
    }
    println!("Per approval through the engine (Duo, the simulator answering at once; best of 3 x {APPROVALS}):");
    println!(
        "  no audit trail {:.3} ms, a keyed chained file {:.3} ms (+{:.0} us per approval)",
        per[0],
        per[1],
        (per[1] - per[0]) * 1e3
    );
    let _ = std::fs::remove_dir_all(&dir);
}
