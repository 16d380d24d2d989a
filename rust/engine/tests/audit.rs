//! The audit trail under load: 20 processes × 50 approvals appending to one file, every
//! line whole and parseable, the count exact, ids unique; no secret and no server echo in
//! it; an approval that cannot be recorded is not an approval.

mod common;
use common::*;
use mfa_engine::{Client, Status};
use std::collections::HashSet;
use std::time::Duration;

const CHILDREN: usize = 20;
const EACH: usize = 50;

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
                .args(["audit_child", "--exact", "--test-threads=1"])
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
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), CHILDREN * EACH);
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
    assert_eq!(text.lines().count(), 3);
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
    // A folder where the audit file should be: opening it for append fails.
    let path = dir.join("is-a-folder.jsonl");
    std::fs::create_dir_all(&path).unwrap();
    let extra = format!(r#""auditPath":{}"#, serde_json::to_string(&path).unwrap());
    let client = demo_client(&sim, &extra);
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
