//! Approvals through the C ABI (ABI 4): several approvers decided by the engine, the same
//! person twice refused before anything is sent, a host's wait ending as TimedOut in the
//! outcome and the audit line alike, an audit path that is not a regular file refused.

mod common;
use common::*;
use mfa_approval::*;

fn audit_client(sim: &mfa_sim::Background, name: &str) -> (*mut mfa_client, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("mfa-abi-approval-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let json = format!(
        r#"{{"uri":"{}","userName":"demo-admin","serverCertificateSha256":["{}"],"auditPath":{}}}"#,
        sim.url,
        sim.cert_sha256.as_deref().unwrap(),
        serde_json::to_string(&path).unwrap()
    );
    (client_with(&json, mfa_sim::DEMO_PASSWORD).unwrap(), path)
}

fn new_request(
    client: *mut mfa_client,
    json: &str,
) -> Result<*mut mfa_request, (mfa_result, String)> {
    let mut req = std::ptr::null_mut();
    let r = unsafe { mfa_request_new(client, json.as_ptr(), json.len(), &mut req) };
    if r == mfa_result::MFA_OK {
        Ok(req)
    } else {
        Err((r, last_error_text()))
    }
}

#[test]
fn the_same_person_twice_is_refused_before_anything_is_sent() {
    let sim = sim();
    let client = client(&sim);
    for json in [
        r#"{"approvers":["alice@contoso.com","alice@contoso.com"],"require":"all"}"#,
        r#"{"approvers":["ALICE@contoso.com","alice@contoso.com"],"require":2}"#,
        r#"{"approvers":["alice@contoso.com ","alice@contoso.com"],"require":"all"}"#,
        r#"{"approvers":["alice@contoso.com","bob@contoso.com","Alice@Contoso.com"],"require":3}"#,
    ] {
        let (r, message) = new_request(client, json).unwrap_err();
        assert_eq!(r, mfa_result::MFA_INVALID_REQUEST, "{json}");
        assert!(message.starts_with("approvers: "), "{message}");
        assert!(message.contains("same person"), "{message}");
        assert_eq!(
            unsafe { mfa_request_check(json.as_ptr(), json.len()) },
            mfa_result::MFA_INVALID_REQUEST
        );
    }
    let fifty: Vec<String> = (0..50)
        .map(|i| {
            if i % 2 == 0 {
                "alice@contoso.com".into()
            } else {
                format!("{}ALICE@contoso.com", " ".repeat(i % 5))
            }
        })
        .collect();
    let json = serde_json::json!({ "approvers": fifty, "require": "all" }).to_string();
    assert_eq!(
        new_request(client, &json).unwrap_err().0,
        mfa_result::MFA_INVALID_REQUEST
    );
    assert_eq!(
        sim.stats.requests.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing reached the server"
    );
    unsafe { mfa_client_free(client) };
}

#[test]
fn several_approvers_come_back_as_one_outcome_decided_by_the_engine() {
    let sim = sim();
    let (client, path) = audit_client(&sim, "several");
    let req = start(
        client,
        r#"{"approvers":["alice@contoso.com","bob@contoso.com"],"require":"all","timeoutSeconds":30}"#,
    );
    assert_eq!(wait(req), MFA_STATUS_DENIED);
    let o = outcome(req);
    assert_eq!(o["approved"], false);
    assert_eq!(o["require"], "all");
    assert_eq!(o["needed"], 2);
    assert_eq!(o["decidedBy"], "bob@contoso.com");
    let approvers = o["approvers"].as_array().unwrap();
    assert_eq!(approvers.len(), 2);
    assert_eq!(approvers[1]["status"], "Denied");
    unsafe { mfa_request_free(req) };
    let req = start(
        client,
        r#"{"approvers":["carol@contoso.com","alice@contoso.com"],"require":"any","timeoutSeconds":30}"#,
    );
    assert_eq!(wait(req), MFA_STATUS_APPROVED);
    let o = outcome(req);
    assert_eq!(o["decidedBy"], "alice@contoso.com");
    assert_eq!(o["approvers"][0]["status"], "Cancelled");
    assert_eq!(o["approvers"][1]["approved"], true);
    unsafe { mfa_request_free(req) };
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with(r#"{"seq":0,"#),
        "a chained file starts with its header"
    );
    assert_eq!(
        text.lines().count(),
        1 + 2,
        "the header, then one record per decision"
    );
    unsafe { mfa_client_free(client) };
}

#[test]
fn a_host_wait_that_ends_is_timed_out_in_the_outcome_and_the_audit_line() {
    let sim = sim();
    let (client, path) = audit_client(&sim, "expire");
    let req = start(
        client,
        r#"{"approvers":["carol@contoso.com","alice@contoso.com"],"require":"all","timeoutSeconds":60}"#,
    );
    let started = std::time::Instant::now();
    assert_eq!(unsafe { mfa_request_expire(req) }, mfa_result::MFA_OK);
    let mut status = MFA_STATUS_PENDING;
    assert_eq!(
        unsafe { mfa_request_poll(req, 0, &mut status) },
        mfa_result::MFA_OK
    );
    assert_eq!(status, MFA_STATUS_TIMED_OUT);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    assert_eq!(
        unsafe { mfa_request_expire(req) },
        mfa_result::MFA_OK,
        "idempotent"
    );
    assert_eq!(unsafe { mfa_request_cancel(req) }, mfa_result::MFA_OK);
    let o = outcome(req);
    assert_eq!(o["status"], "TimedOut", "a later cancel changes nothing");
    assert_eq!(o["failureKind"], "timeout");
    assert_eq!(o["approvers"][1]["status"], "TimedOut");
    let id = o["auditId"].as_str().unwrap().to_owned();
    unsafe { mfa_request_free(req) };
    let text = std::fs::read_to_string(&path).unwrap();
    let line: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(line["id"], id.as_str());
    assert_eq!(line["status"], "TimedOut");
    assert_eq!(line["failureKind"], "timeout");
    assert_eq!(
        unsafe { mfa_request_expire(std::ptr::null()) },
        mfa_result::MFA_NULL_ARGUMENT
    );
    unsafe { mfa_client_free(client) };
}

#[cfg(unix)]
#[test]
fn an_audit_path_that_is_a_fifo_is_refused_when_the_client_is_made() {
    let sim = sim();
    let dir = std::env::temp_dir().join(format!("mfa-abi-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    assert!(std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap()
        .success());
    let json = format!(
        r#"{{"uri":"{}","userName":"demo-admin","serverCertificateSha256":["{}"],"auditPath":{}}}"#,
        sim.url,
        sim.cert_sha256.as_deref().unwrap(),
        serde_json::to_string(&path).unwrap()
    );
    let (r, message) = client_with(&json, mfa_sim::DEMO_PASSWORD).unwrap_err();
    assert_eq!(r, mfa_result::MFA_INVALID_CONFIG);
    assert!(
        message.starts_with("auditPath: ") && message.contains("FIFO"),
        "{message}"
    );
}
