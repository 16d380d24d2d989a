//! The hash chain, end to end: real approvals (Duo, against the simulator) write chained
//! records; the verifier accepts the file as written and names the right record and reason
//! for every kind of tampering (one character edited, a line deleted, two lines swapped, a
//! forged or replayed line inserted, the last line truncated, the whole file rewritten
//! without the key); two processes appending 40 records each make one 80-record chain; a
//! file whose end is not a valid chain is moved aside, never extended; a held lock makes an
//! approval fail within the bound and nothing is written late.

use crate::common;
use common::*;
use mfa_engine::audit::chain;
use mfa_engine::audit::verify::{verify_file, Reason, Report};
use mfa_engine::{Client, Status};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const KEY: &str = "audit-key-for-the-chain-tests-0001";

fn client(sim: &mfa_sim::Running, path: &Path, key: Option<&str>) -> Client {
    let extra = format!(r#""auditPath":{}"#, serde_json::to_string(path).unwrap());
    let mut secrets = duo_secret(mfa_sim::duo::DEMO_SECRET_KEY);
    secrets.audit_key = key.map(|k| Zeroizing::new(k.to_owned()));
    Client::new(&duo_config(sim, &extra), secrets).expect("client builds")
}

async fn approvals(client: &Client, n: usize) {
    for i in 0..n {
        let o = run(
            client,
            &format!(
                r#"{{"userName":"instant@contoso.com","pushInfo":{{"MIM request":"req-{i}"}}}}"#
            ),
        )
        .await;
        assert_eq!(o.status, Status::Approved, "{}", o.message);
        assert!(o.audit_id.is_some());
        assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    }
}

fn fresh(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let _ = std::fs::remove_file(entry.unwrap().path());
    }
    dir.join("audit.jsonl")
}

fn key() -> chain::Key {
    chain::Key::new(KEY.as_bytes())
}

fn check(path: &Path, key: Option<&chain::Key>) -> Report {
    verify_file(path, key).expect("the file can be read")
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Writes `lines` (each ended by a newline) to a copy beside `path` and verifies it.
fn tampered(path: &Path, name: &str, lines: &[String], key: Option<&chain::Key>) -> Report {
    let copy = path.with_file_name(name);
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&copy, text).unwrap();
    check(&copy, key)
}

fn assert_bad(r: &Report, at: u64, reason: Reason) {
    assert!(!r.valid, "{r:?}");
    assert_eq!(
        (r.first_bad_record, r.reason),
        (Some(at), Some(reason)),
        "{}",
        r.message
    );
    assert!(
        r.message.contains(&at.to_string()),
        "the message names the record: {}",
        r.message
    );
}

/// A chained approval file of a header and 6 records, with the key or without.
async fn six(name: &str, keyed: bool) -> (PathBuf, Vec<String>) {
    let sim = sim().await;
    let path = fresh(name);
    approvals(&client(&sim, &path, keyed.then_some(KEY)), 6).await;
    let l = lines(&path);
    assert_eq!(l.len(), 7);
    (path, l)
}

#[tokio::test]
async fn a_chain_of_approvals_verifies_with_and_without_a_key() {
    let (path, l) = six("chain-ok", true).await;
    let r = check(&path, Some(&key()));
    assert!(r.valid, "{}", r.message);
    assert_eq!((r.records, r.last_seq), (6, Some(6)));
    assert_eq!(
        r.last_hash.as_deref(),
        Some(chain::line_hash(l[6].as_bytes()).as_str())
    );
    assert_eq!(r.key_id.as_deref(), Some(key().id()));
    let header: serde_json::Value = serde_json::from_str(&l[0]).unwrap();
    assert_eq!(header["type"], "header");
    assert_eq!(header["format"], 1);
    assert!(
        header["host"].is_string() && header["time"].is_string() && header["engine"].is_string()
    );
    for (i, line) in l.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["seq"], i as u64);
        assert!(
            line.starts_with(&format!(r#"{{"seq":{i},"prev":""#)),
            "{line}"
        );
        assert!(line.ends_with(&format!(r#","mac":"{}"}}"#, v["mac"].as_str().unwrap())));
    }
    // The key never reaches the file, even when a workflow puts it in the push's context.
    let sim = sim().await;
    let leak = fresh("chain-leak");
    let o = run(
        &client(&sim, &leak, Some(KEY)),
        &format!(r#"{{"userName":"instant@contoso.com","pushInfo":{{"note":"key={KEY}"}}}}"#),
    )
    .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let text = std::fs::read_to_string(&leak).unwrap();
    assert!(!text.contains(KEY) && text.contains("[redacted]"), "{text}");
    assert!(check(&leak, Some(&key())).valid);
    // Without the key the chain still verifies (MACs unchecked, and it says so).
    let r = check(&path, None);
    assert!(r.valid && !r.keyed, "{r:?}");
    assert!(r.message.contains("give the audit key"), "{}", r.message);

    let (plain, _) = six("chain-plain", false).await;
    let r = check(&plain, None);
    assert!(r.valid, "{}", r.message);
    assert!(r.key_id.is_none());
    // A key given for a file written without one: its header has no MAC.
    assert_bad(&check(&plain, Some(&key())), 0, Reason::BadMac);
}

#[tokio::test]
async fn each_kind_of_tampering_is_reported_at_its_record() {
    for keyed in [false, true] {
        let (path, l) = six(if keyed { "tamper-keyed" } else { "tamper" }, keyed).await;
        let k = keyed.then(key);
        let k = k.as_ref();

        let mut edited = l.clone();
        edited[3] = edited[3].replacen("instant@contoso.com", "instanT@contoso.com", 1);
        assert_ne!(edited[3], l[3]);
        assert_bad(
            &tampered(&path, "edited.jsonl", &edited, k),
            3,
            Reason::Edited,
        );

        let mut removed = l.clone();
        removed.remove(3);
        assert_bad(
            &tampered(&path, "removed.jsonl", &removed, k),
            3,
            Reason::Removed,
        );
        let mut header_removed = l.clone();
        header_removed.remove(0);
        assert_bad(
            &tampered(&path, "headerless.jsonl", &header_removed, k),
            0,
            Reason::Removed,
        );

        let mut swapped = l.clone();
        swapped.swap(3, 4);
        assert_bad(
            &tampered(&path, "swapped.jsonl", &swapped, k),
            3,
            Reason::Reordered,
        );

        // A replayed genuine line (its MAC is valid) inserted after record 5.
        let mut replayed = l.clone();
        replayed.insert(6, l[2].clone());
        assert_bad(
            &tampered(&path, "replayed.jsonl", &replayed, k),
            6,
            Reason::Inserted,
        );

        // The last line cut in the middle.
        let copy = path.with_file_name("truncated.jsonl");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&copy, &text[..text.len() - 40]).unwrap();
        assert_bad(&check(&copy, k), 6, Reason::Truncated);
        // Only its newline missing: still truncated (a torn write).
        std::fs::write(&copy, &text[..text.len() - 1]).unwrap();
        assert_bad(&check(&copy, k), 6, Reason::Truncated);
    }
}

/// With the key, a line forged by someone without it is found: inserted before the real
/// record of its number, or the whole file rewritten with a consistent hash chain.
#[tokio::test]
async fn forged_lines_and_rewritten_files_are_caught_with_the_key() {
    let (path, l) = six("forged", true).await;
    let k = key();
    let forger = chain::Key::new(b"the forger does not have the real key");
    // A forged approval for record 4, chained correctly to record 3, MACed with a wrong key.
    let v: serde_json::Value = serde_json::from_str(&l[4]).unwrap();
    let mut body = v.as_object().unwrap().clone();
    for member in ["seq", "prev", "mac"] {
        body.remove(member);
    }
    body.insert("userName".into(), "mallory@contoso.com".into());
    let tail = chain::Tail {
        seq: 3,
        hash: chain::line_hash(l[3].as_bytes()),
    };
    let forged = chain::chain(
        &serde_json::Value::Object(body).to_string(),
        Some(&tail),
        Some(&forger),
    );
    let mut inserted = l.clone();
    inserted.insert(4, forged);
    assert_bad(
        &tampered(&path, "inserted.jsonl", &inserted, Some(&k)),
        4,
        Reason::Inserted,
    );
    // Without the key the forged line passes and the real record 4 is the duplicate.
    assert_bad(
        &tampered(&path, "inserted.jsonl", &inserted, None),
        4,
        Reason::Inserted,
    );

    // The whole file rewritten from record 3 on with a consistent chain: only the key sees it.
    let mut rewritten: Vec<String> = l[..3].to_vec();
    for line in &l[3..] {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut body = v.as_object().unwrap().clone();
        let seq = body["seq"].as_u64().unwrap();
        for member in ["seq", "prev", "mac"] {
            body.remove(member);
        }
        if seq == 3 {
            body.insert("status".into(), "Denied".into());
        }
        let tail = chain::Tail {
            seq: seq - 1,
            hash: chain::line_hash(rewritten.last().unwrap().as_bytes()),
        };
        rewritten.push(chain::chain(
            &serde_json::Value::Object(body).to_string(),
            Some(&tail),
            Some(&forger),
        ));
    }
    let r = tampered(&path, "rewritten.jsonl", &rewritten, None);
    assert!(
        r.valid,
        "without the key a consistent rewrite passes: {}",
        r.message
    );
    assert_bad(
        &tampered(&path, "rewritten.jsonl", &rewritten, Some(&k)),
        3,
        Reason::BadMac,
    );
    // Another key altogether: the header says so.
    let r = check(&path, Some(&forger));
    assert_bad(&r, 0, Reason::BadMac);
    assert!(r.message.contains("another audit key"), "{}", r.message);
}

/// With the key, every single changed byte is found at the record it is in (a seeded
/// sweep over every line of the file).
#[tokio::test]
async fn with_the_key_any_changed_byte_is_found_at_its_record() {
    let (path, l) = six("bytes", true).await;
    let k = key();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..400 {
        let line = (next() % l.len() as u64) as usize;
        let mut bytes = l[line].clone().into_bytes();
        let at = (next() % bytes.len() as u64) as usize;
        let old = bytes[at];
        let new = loop {
            let b = b" \"{}:,0123456789abcdefxyzAZ"[(next() % 27) as usize];
            if b != old {
                break b;
            }
        };
        bytes[at] = new;
        let mut copy = l.clone();
        copy[line] = String::from_utf8(bytes).unwrap();
        let r = tampered(&path, "byte.jsonl", &copy, Some(&k));
        assert!(!r.valid, "line {line} byte {at}: {}", copy[line]);
        assert_eq!(
            r.first_bad_record,
            Some(line as u64),
            "line {line} byte {at}: {}",
            r.message
        );
    }
}

/// The child side of the two-process test (runs only when MFA_CHAIN_CHILD is set).
#[tokio::test]
async fn chain_child() {
    let Ok(spec) = std::env::var("MFA_CHAIN_CHILD") else {
        return;
    };
    let mut parts = spec.splitn(3, '|');
    let (base, pin, path) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let json = format!(
        r#"{{"provider":"duo","uri":"{base}","integrationKey":"{}","serverCertificateSha256":["{pin}"],"auditPath":{}}}"#,
        mfa_sim::duo::DEMO_INTEGRATION_KEY,
        serde_json::to_string(path).unwrap()
    );
    let config = mfa_engine::ClientConfig::from_json(json.as_bytes()).unwrap();
    let mut secrets = duo_secret(mfa_sim::duo::DEMO_SECRET_KEY);
    secrets.audit_key = Some(Zeroizing::new(KEY.into()));
    let client = Client::new(&config, secrets).unwrap();
    approvals(&client, 40).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_appending_40_records_each_make_one_80_record_chain() {
    let sim = sim().await;
    let path = fresh("two-processes");
    let spec = format!(
        "{}|{}|{}",
        duo_base(&sim),
        sim.cert_sha256.as_deref().unwrap(),
        path.display()
    );
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    &common::test_name(module_path!(), "chain_child"),
                    "--exact",
                    "--test-threads=1",
                ])
                .env("MFA_CHAIN_CHILD", &spec)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let statuses = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|mut c| c.wait().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert!(statuses.iter().all(|s| s.success()), "{statuses:?}");
    let r = check(&path, Some(&key()));
    assert!(r.valid, "{}", r.message);
    assert_eq!((r.records, r.last_seq), (80, Some(80)));
    let pids: std::collections::HashSet<u64> = lines(&path)[1..]
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["pid"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(pids.len(), 2, "both processes wrote into the one chain");
}

/// A file whose end is not a valid chain is moved aside (kept byte for byte), a new chain
/// starts whose header names it, and the outcome says so; the next write extends the new one.
#[tokio::test]
async fn a_broken_end_is_moved_aside_and_never_extended() {
    let sim = sim().await;
    for (name, content, why) in [
        (
            "old-format",
            "{\"status\":\"Approved\"}\n",
            "not a chained audit record",
        ),
        ("torn", "{\"seq\":0,\"prev\":\"00", "incomplete"),
    ] {
        let path = fresh(&format!("broken-{name}"));
        std::fs::write(&path, content).unwrap();
        let c = client(&sim, &path, Some(KEY));
        let o = run(&c, r#"{"userName":"instant@contoso.com"}"#).await;
        assert_eq!(o.status, Status::Approved, "{}", o.message);
        let warning = o
            .warnings
            .iter()
            .find(|w| w.contains("moved aside"))
            .expect("a warning");
        assert!(warning.contains(why), "{warning}");
        let aside: Vec<PathBuf> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("audit.2")
            })
            .collect();
        assert_eq!(aside.len(), 1, "{aside:?}");
        let moved = aside[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(moved.ends_with("Z.jsonl"), "{moved}");
        assert!(warning.contains(&moved), "{warning}");
        assert_eq!(
            std::fs::read_to_string(&aside[0]).unwrap(),
            content,
            "kept as it was"
        );
        let header: serde_json::Value = serde_json::from_str(&lines(&path)[0]).unwrap();
        assert_eq!(header["brokenFile"], moved.as_str());
        assert!(header["brokenReason"].as_str().unwrap().contains(why));
        approvals(&c, 1).await;
        let r = check(&path, Some(&key()));
        assert!(r.valid && r.records == 2, "{r:?}");
    }
    // A writer without the key does not extend a keyed chain (nor the reverse).
    let path = fresh("broken-keys");
    approvals(&client(&sim, &path, Some(KEY)), 1).await;
    let o = run(
        &client(&sim, &path, None),
        r#"{"userName":"instant@contoso.com"}"#,
    )
    .await;
    assert!(
        o.warnings.iter().any(|w| w.contains("carry a MAC")),
        "{:?}",
        o.warnings
    );
    assert!(check(&path, None).valid);
}

/// Another writer holding the lock past the bound: the approval is not granted, within its
/// deadline plus the bound, and its record is never written late.
#[tokio::test]
async fn a_held_lock_fails_the_approval_in_time_and_nothing_is_written_late() {
    let sim = sim().await;
    let path = fresh("held-lock");
    let c = client(&sim, &path, None);
    approvals(&c, 1).await;
    let mut lock_path = path.clone().into_os_string();
    lock_path.push(".lock");
    let holder = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock_path)
        .unwrap();
    fs4::FileExt::try_lock(&holder).expect("the test takes the lock");
    let started = std::time::Instant::now();
    let o = run(
        &c,
        r#"{"userName":"instant@contoso.com","timeoutSeconds":5}"#,
    )
    .await;
    let took = started.elapsed();
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert!(o.message.contains("lock"), "{}", o.message);
    assert!(o.audit_id.is_none());
    assert!(
        took < mfa_engine::audit::AUDIT_WRITE_BOUND + std::time::Duration::from_secs(1),
        "{took:?}"
    );
    fs4::FileExt::unlock(&holder).unwrap();
    drop(holder);
    approvals(&c, 1).await;
    let r = check(&path, None);
    assert!(r.valid, "{}", r.message);
    assert_eq!(
        r.records, 2,
        "the refused approval left no record, early or late"
    );
}
