//! Benchmark (prints numbers, asserts nothing but the result): verifying a large audit file.
//! Writes a chain of 1,000,000 keyed records of a typical size (~850 bytes as chained), then
//! verifies it with the key and without, printing records per second and the process's peak
//! memory before and after (the verifier streams: one line and its successor at a time).
//!
//! `cargo run --release -p mfa-engine --example audit_verify [-- records]`

use mfa_engine::audit::chain::{self, Key, Tail};
use std::io::Write as _;
use std::time::Instant;

/// Peak resident memory of this process (Linux), in MiB.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU seconds this process used so far (Linux; user + system), to read beside the wall time
/// on a shared machine.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("mfa-audit-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.jsonl");
    let key = Key::new(b"an audit key for the benchmark, 32+ chars");
    let t = Instant::now();
    {
        let mut out =
            std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).unwrap());
        let header = chain::chain(
            &format!(r#"{{"type":"header","format":1,"keyId":"{}"}}"#, key.id()),
            None,
            Some(&key),
        );
        let mut tail = Tail {
            seq: 0,
            hash: chain::line_hash(header.as_bytes()),
        };
        writeln!(out, "{header}").unwrap();
        for i in 1..=n {
            let record = format!(
                r#"{{"applicationName":"MIM request {i:08}","approved":true,"approvers":[{{"approved":true,"callResult":21,"elapsedMs":8123,"failureKind":null,"requestId":"45f7c92b-{i:012}","status":"Approved","userName":"alice@contoso.com"}}],"callResult":21,"context":{{"MIM request":"{i:036}"}},"decidedBy":"alice@contoso.com","elapsedMs":8123,"engine":"0.1.0","errorCode":null,"failureKind":null,"host":"MIM01","httpCalls":1,"id":"{i:032x}","needed":1,"operation":"authenticate","pid":4242,"provider":"mfaserver","reason":"Add jane to Domain Admins","require":"any","requestId":"45f7c92b-{i:012}","status":"Approved","time":"2026-12-07T09:30:00.123Z","userName":"alice@contoso.com"}}"#
            );
            let line = chain::chain(&record, Some(&tail), Some(&key));
            tail = Tail {
                seq: i,
                hash: chain::line_hash(line.as_bytes()),
            };
            writeln!(out, "{line}").unwrap();
        }
        out.flush().unwrap();
    }
    let size = std::fs::metadata(&path).unwrap().len();
    println!("Audit file: {n} keyed records + header, {:.0} MiB ({:.0} bytes a line), written in {:.1} s", size as f64 / 1048576.0, size as f64 / (n + 1) as f64, t.elapsed().as_secs_f64());
    let before = peak_mib();
    for (what, k) in [
        ("with the key (chain + every MAC)", Some(&key)),
        ("without the key (chain only)", None),
    ] {
        let (t, cpu) = (Instant::now(), cpu_seconds());
        let r = mfa_engine::audit::verify::verify_file(&path, k).unwrap();
        let s = t.elapsed().as_secs_f64();
        assert!(r.valid && r.records == n, "{r:?}");
        let cpu = match (cpu, cpu_seconds()) {
            (Some(a), Some(b)) => format!(
                "; {:.2} s of CPU, {:.0} records per CPU second",
                b - a,
                n as f64 / (b - a).max(0.01)
            ),
            _ => String::new(),
        };
        println!(
            "  verified {what}: {s:.2} s, {:.0} records/s, {:.0} MiB/s{cpu}",
            n as f64 / s,
            size as f64 / 1048576.0 / s
        );
    }
    if let (Some(b), Some(a)) = (before, peak_mib()) {
        println!("  peak memory of the process: {b:.1} MiB before verifying, {a:.1} MiB after (streaming: constant, not the file's size)");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
