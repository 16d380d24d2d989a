//! Progress stages through the C ABI exactly as the header lists them (issue 16): a
//! reader sees `started` first (as soon as `mfa_request_start` returns), `pushed` while
//! the request is still pending, and `done` once it ended, never anything after it; the
//! stages only move forward. Both providers, and a cancelled request.

mod common;
use common::*;
use mfa_approval::*;
use std::ptr;
use std::time::{Duration, Instant};

const STAGES: &[&str] = &["started", "checking", "pushed", "waiting", "done"];

fn progress(req: *mut mfa_request) -> serde_json::Value {
    let mut buf = vec![0u8; 4096];
    let mut len = 0usize;
    assert_eq!(
        unsafe { mfa_request_progress(req, buf.as_mut_ptr(), buf.len(), &mut len) },
        mfa_result::MFA_OK
    );
    serde_json::from_slice(&buf[..len]).unwrap()
}

fn duo_client(sim: &mfa_sim::Background) -> *mut mfa_client {
    let json = format!(
        r#"{{"provider":"duo","uri":"https://{}","integrationKey":"{}","serverCertificateSha256":["{}"]}}"#,
        sim.addr,
        mfa_sim::duo::DEMO_INTEGRATION_KEY,
        sim.cert_sha256.as_deref().unwrap()
    );
    let key = mfa_sim::duo::DEMO_SECRET_KEY;
    let secret = mfa_secret {
        kind: MFA_SECRET_DUO_SECRET_KEY,
        data: key.as_ptr(),
        len: key.len(),
    };
    let mut client = ptr::null_mut();
    assert_eq!(
        unsafe { mfa_client_new(json.as_ptr(), json.len(), &secret, 1, &mut client) },
        mfa_result::MFA_OK,
        "{}",
        last_error_text()
    );
    client
}

/// Starts `user`'s approval and records every stage a fast reader sees: (stage, pending),
/// the final `stages` list and the status.
fn observe(client: *mut mfa_client, user: &str) -> (Vec<(String, bool)>, serde_json::Value, u32) {
    let req = start(
        client,
        &format!(r#"{{"userName":"{user}","timeoutSeconds":30}}"#),
    );
    let mut seen: Vec<(String, bool)> = Vec::new();
    let mut pushed_while_pending = false;
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        // Status first, then progress: a stage read while the status was pending was
        // reached before the outcome.
        let mut status = 0u32;
        unsafe { mfa_request_poll(req, 0, &mut status) };
        let p = progress(req);
        assert_eq!(p["stages"][0], "started", "{p}");
        let stage = p["stage"].as_str().unwrap().to_string();
        let pending = status == MFA_STATUS_PENDING;
        if pending
            && p["stages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == "pushed")
        {
            pushed_while_pending = true;
        }
        // A change of stage or of pending: `done` may be read just before the outcome is
        // published (the provider finished; the audit line is being written), then again after.
        if seen.last() != Some(&(stage.clone(), pending)) {
            seen.push((stage, pending));
        }
        if !pending {
            break status;
        }
        assert!(Instant::now() < deadline, "still pending: {seen:?}");
        std::thread::sleep(Duration::from_millis(2));
    };
    let stages = progress(req)["stages"].clone();
    assert!(
        pushed_while_pending,
        "pushed only after the outcome: {seen:?}"
    );
    unsafe { mfa_request_free(req) };
    (seen, stages, status)
}

fn check(seen: &[(String, bool)], stages: &serde_json::Value, provider: &str, want: &[&str]) {
    assert_eq!(stages, &serde_json::json!(want), "{provider}: {seen:?}");
    assert_eq!(
        seen.last().unwrap(),
        &("done".to_string(), false),
        "{provider}: {seen:?}"
    );
    let ranks: Vec<usize> = seen
        .iter()
        .map(|(s, _)| {
            STAGES
                .iter()
                .position(|x| x == s)
                .unwrap_or_else(|| panic!("{provider}: unknown stage {s:?}"))
        })
        .collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "{provider}: stages go backwards: {seen:?}"
    );
}

#[test]
fn both_providers_go_started_pushed_done_in_order() {
    let sim = sim();
    let mfaserver = client(&sim);
    let (seen, stages, status) = observe(mfaserver, "alice@contoso.com");
    assert_eq!(status, MFA_STATUS_APPROVED);
    check(&seen, &stages, "mfaserver", &["started", "pushed", "done"]);
    let duo = duo_client(&sim);
    let (seen, stages, status) = observe(duo, "alice@contoso.com");
    assert_eq!(status, MFA_STATUS_APPROVED);
    check(
        &seen,
        &stages,
        "duo",
        &["started", "checking", "pushed", "waiting", "done"],
    );
    unsafe { mfa_client_free(mfaserver) };
    unsafe { mfa_client_free(duo) };
}

#[test]
fn a_cancelled_request_ends_done_and_stays_done() {
    let sim = sim();
    let duo = duo_client(&sim);
    let req = start(
        duo,
        r#"{"userName":"carol@contoso.com","timeoutSeconds":30}"#,
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while progress(req)["stage"] != "waiting" {
        assert!(Instant::now() < deadline, "{}", progress(req));
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(unsafe { mfa_request_cancel(req) }, mfa_result::MFA_OK);
    let p = progress(req);
    assert_eq!(p["stage"], "done", "{p}");
    assert_eq!(p["stages"], serde_json::json!(STAGES), "{p}");
    let updates = p["updates"].clone();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(progress(req), p, "nothing changes after done");
    assert_eq!(updates, progress(req)["updates"]);
    unsafe { mfa_request_free(req) };
    unsafe { mfa_client_free(duo) };
}
