//! The audit trail under load: 20 processes × 50 approvals appending to one file, every
//! line whole and parseable, the count exact, ids unique, one valid chain; no secret and no
//! server echo in it; an approval that cannot be recorded is not an approval.

use crate::common;
use common::*;
use mfa_engine::{Client, Status};
use std::collections::HashSet;
use std::time::Duration;

const CHILDREN: usize = 20;
const EACH: usize = 50;

/// The records of an audit file: every line after the header, which must be the first.
fn records(text: &str) -> Vec<&str> {
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().expect("a header")).unwrap();
    assert_eq!(header["type"], "header", "{text}");
    assert_eq!(header["seq"], 0);
    lines.collect()
}

/// The child side: runs only when the parent sets MFA_AUDIT_CHILD (it re-runs this binary).
#[tokio::test]
async fn audit_child() {
    let Ok(spec) = std::env::var("MFA_AUDIT_CHILD") else {
        return;
    };
    let (base, rest) = spec.split_once('|').unwrap();
    let (pin, path) = rest.split_once('|').unwrap();
    let json = format!(
        r#"{{"provider":"duo","uri":"{base}","integrationKey":"{}","serverCertificateSha256":["{pin}"],"auditPath":{}}}"#,
        mfa_sim::duo::DEMO_INTEGRATION_KEY,
        serde_json::to_string(path).unwrap()
    );
    let config = mfa_engine::ClientConfig::from_json(json.as_bytes()).unwrap();
    let client = Client::new(&config, duo_secret(mfa_sim::duo::DEMO_SECRET_KEY)).unwrap();
    for i in 0..EACH {
        let o = run(
            &client,
            &format!(
                r#"{{"userName":"instant@contoso.com","pushInfo":{{"MIM request":"req-{}-{i}"}}}}"#,
                std::process::id()
            ),
        )
        .await;
        assert_eq!(o.status, Status::Approved, "{}", o.message);
        assert!(o.audit_id.is_some());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_processes_append_whole_lines_to_one_file() {
    let sim = sim().await;
    let dir = temp_dir("audit-many");
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let spec = format!(
        "{}|{}|{}",
        duo_base(&sim),
        sim.cert_sha256.as_deref().unwrap(),
        path.display()
    );
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..CHILDREN)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    &common::test_name(module_path!(), "audit_child"),
                    "--exact",
                    "--test-threads=1",
                ])
                .env("MFA_AUDIT_CHILD", &spec)
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
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.ends_with('\n'));
    let lines = records(&text);
    assert_eq!(lines.len(), CHILDREN * EACH);
    let report = mfa_engine::audit::verify::verify_file(&path, None).unwrap();
    assert!(report.valid, "{}", report.message);
    assert_eq!(report.records, (CHILDREN * EACH) as u64);
    assert_eq!(report.last_seq, Some((CHILDREN * EACH) as u64));
    let mut ids = HashSet::new();
    let mut pids = HashSet::new();
    for line in &lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("torn line {line:?}: {e}"));
        assert_eq!(v["status"], "Approved");
        assert_eq!(v["provider"], "duo");
        assert_eq!(v["userName"], "instant@contoso.com");
        assert!(v["context"]["MIM request"]
            .as_str()
            .unwrap()
            .starts_with("req-"));
        assert!(v["time"].as_str().unwrap().ends_with('Z'));
        assert!(
            ids.insert(v["id"].as_str().unwrap().to_owned()),
            "ids are unique"
        );
        pids.insert(v["pid"].as_u64().unwrap());
    }
    assert_eq!(pids.len(), CHILDREN);
    assert!(!text.contains(mfa_sim::duo::DEMO_SECRET_KEY));
}

#[tokio::test]
async fn no_secret_and_no_server_echo_reach_the_audit_file() {
    let sim = sim().await;
    let dir = temp_dir("audit-echo");
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let extra = format!(r#""auditPath":{}"#, serde_json::to_string(&path).unwrap());
    let client = demo_client(&sim, &extra);
    for user in [
        "echo@faults.contoso.com",
        "echofault@faults.contoso.com",
        "alice@contoso.com",
    ] {
        let o = approve(&client, user).await;
        assert!(o.audit_id.is_some(), "{user}");
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(records(&text).len(), 3);
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        mfa_sim::DEMO_USER,
        mfa_sim::DEMO_PASSWORD
    ));
    for forbidden in [
        mfa_sim::DEMO_PASSWORD,
        b64.as_str(),
        "Authorization",
        "<html",
        "faultstring",
    ] {
        assert!(!text.contains(forbidden), "{forbidden} in {text}");
    }
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["status"], "Approved");
    assert_eq!(last["callResult"], 21);
    assert!(last.get("message").is_none(), "no server text");
}

#[tokio::test]
async fn an_approval_that_cannot_be_recorded_is_not_granted() {
    let sim = sim().await;
    let dir = temp_dir("audit-readonly");
    // A folder appears where the audit file should be after the connection was made:
    // opening it for append fails.
    let path = dir.join("is-a-folder.jsonl");
    let _ = std::fs::remove_dir(&path);
    let extra = format!(r#""auditPath":{}"#, serde_json::to_string(&path).unwrap());
    let client = demo_client(&sim, &extra);
    std::fs::create_dir_all(&path).unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert!(!o.approved);
    assert!(
        o.message.contains("audit record could not be written"),
        "{}",
        o.message
    );
    let denied = approve(&client, "bob@contoso.com").await;
    assert_eq!(denied.status, Status::Denied);
    assert!(denied.warnings.iter().any(|w| w.contains("audit")));
    tokio::time::sleep(Duration::from_millis(1)).await;
}

#[test]
fn audit_paths_must_be_absolute_in_an_existing_folder() {
    for (path, ok) in [
        ("relative/audit.jsonl", false),
        ("/nonexistent-dir-mfa/audit.jsonl", false),
    ] {
        let json = format!(r#"{{"uri":"https://127.0.0.1:1/x","auditPath":"{path}"}}"#);
        let config = mfa_engine::ClientConfig::from_json(json.as_bytes()).unwrap();
        let r = Client::new(&config, mfa_engine::Secrets::default());
        assert_eq!(r.is_ok(), ok, "{path}");
        assert_eq!(r.unwrap_err().field, "auditPath");
    }
}

/// Used only by the Unix test below (FIFOs, devices): on Windows it would be dead code.
#[cfg(unix)]
fn client_for(path: &std::path::Path) -> Result<Client, mfa_engine::ConfigError> {
    let json = format!(
        r#"{{"uri":"https://127.0.0.1:1/x","auditPath":{}}}"#,
        serde_json::to_string(path).unwrap()
    );
    let config = mfa_engine::ClientConfig::from_json(json.as_bytes()).unwrap();
    Client::new(&config, mfa_engine::Secrets::default())
}

#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo");
}

#[cfg(unix)]
#[test]
fn a_fifo_a_device_a_folder_or_a_symlink_is_refused_when_the_client_is_built() {
    let dir = temp_dir("audit-kinds");
    let fifo = dir.join("fifo.jsonl");
    mkfifo(&fifo);
    let target = dir.join("target.jsonl");
    std::fs::write(&target, "").unwrap();
    let link = dir.join("link.jsonl");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for (path, what) in [
        (fifo.as_path(), "FIFO"),
        (std::path::Path::new("/dev/null"), "device"),
        (dir.as_path(), "folder"),
        (link.as_path(), "symbolic link"),
    ] {
        let e = client_for(path).unwrap_err();
        assert_eq!(e.field, "auditPath");
        assert!(e.problem.contains(what), "{path:?}: {e}");
        assert!(e.problem.contains("not a regular file"), "{e}");
    }
    client_for(&target).unwrap();
    client_for(&dir.join("new.jsonl")).unwrap();
}

/// A FIFO with no reader (or a symlink) swapped in after the connection was made: the
/// approval still ends at once, is not granted, and nothing is written through the link.
#[cfg(unix)]
#[tokio::test]
async fn a_fifo_or_symlink_swapped_in_later_is_not_written_and_does_not_block() {
    let sim = sim().await;
    let dir = temp_dir("audit-swap");
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let extra = format!(r#""auditPath":{}"#, serde_json::to_string(&path).unwrap());
    let client = demo_client(&sim, &extra);
    mkfifo(&path);
    let started = std::time::Instant::now();
    let o = run(
        &client,
        r#"{"userName":"alice@contoso.com","timeoutSeconds":5}"#,
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(5) + mfa_engine::testing::AUDIT_WRITE_BOUND,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert!(!o.approved);
    std::fs::remove_file(&path).unwrap();
    let target = dir.join("elsewhere.jsonl");
    std::fs::write(&target, "").unwrap();
    std::os::unix::fs::symlink(&target, &path).unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert!(o.message.contains("symbolic link"), "{}", o.message);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "");
}

#[tokio::test]
async fn line_separators_and_bidi_controls_are_escaped_in_the_line() {
    let sim = sim().await;
    let dir = temp_dir("audit-bidi");
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let extra = format!(r#""auditPath":{}"#, serde_json::to_string(&path).unwrap());
    let client = demo_client(&sim, &extra);
    // Bidi controls and invisible characters never reach the push text (nor the record): the
    // request is refused before anything is sent.
    let refused = mfa_engine::Query::from_json(
        r#"{"userName":"alice@contoso.com","pushType":"ok\u202egnp.exe"}"#.as_bytes(),
    )
    .unwrap_err();
    assert_eq!(refused.field, "pushType", "{refused}");
    let refused = mfa_engine::Query::from_json(
        r#"{"userName":"alice@contoso.com","pushInfo":{"ticket":"c\u200e\u2066d"}}"#.as_bytes(),
    )
    .unwrap_err();
    assert_eq!(refused.field, "pushInfo.ticket", "{refused}");
    // Line and paragraph separators are text a push may carry; in the line they are escaped.
    let o = run(
        &client,
        r#"{"userName":"alice@contoso.com","pushType":"ok gnp.exe","pushInfo":{"ticket":"a\u2028b\u2029c"}}"#,
    )
    .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(records(&text).len(), 1);
    for raw in ['\u{2028}', '\u{2029}'] {
        assert!(!text.contains(raw), "raw U+{:04X} in {text}", raw as u32);
    }
    assert!(
        text.contains(r"\u2028") && text.contains(r"\u2029"),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(records(&text)[0]).unwrap();
    assert_eq!(v["reason"], "ok gnp.exe");
    assert_eq!(
        v["context"]["ticket"], "a\u{2028}b\u{2029}c",
        "the escape means the same text"
    );
}

#[tokio::test]
async fn one_record_per_decision_lists_each_approver() {
    let sim = sim().await;
    let dir = temp_dir("audit-approvers");
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let extra = format!(r#""auditPath":{}"#, serde_json::to_string(&path).unwrap());
    let client = demo_client(&sim, &extra);
    let o = run(
        &client,
        r#"{"approvers":["alice@contoso.com","bob@contoso.com"],"require":"all","timeoutSeconds":30}"#,
    )
    .await;
    assert_eq!(o.status, Status::Denied, "{}", o.message);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(records(&text).len(), 1, "one record per decision");
    let v: serde_json::Value = serde_json::from_str(records(&text)[0]).unwrap();
    assert_eq!(v["status"], "Denied");
    assert_eq!(v["require"], "all");
    assert_eq!(v["decidedBy"], "bob@contoso.com");
    assert_eq!(v["id"].as_str(), o.audit_id.as_deref());
    let approvers = v["approvers"].as_array().unwrap();
    assert_eq!(approvers.len(), 2);
    assert_eq!(approvers[1]["userName"], "bob@contoso.com");
    assert_eq!(approvers[1]["status"], "Denied");
    for (a, b) in approvers.iter().zip(&o.approvers) {
        assert_eq!(a["status"], serde_json::to_value(b.status).unwrap());
        assert_eq!(a["approved"], b.approved);
    }
}
