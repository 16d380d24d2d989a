//! The Okta provider through the C ABI against the simulator: the API token as secret kind
//! `MFA_SECRET_OKTA_API_TOKEN` (7), the number challenge readable as the progress `code` while
//! pending, a cancelled request withdrawing its push, and a token given twice refused.

mod common;
use common::*;
use mfa_approval::*;
use std::ptr;
use std::time::{Duration, Instant};

fn okta_client(sim: &mfa_sim::Background, extra: &str) -> Result<*mut mfa_client, String> {
    let json = format!(
        r#"{{"provider":"okta","uri":"https://{}","serverCertificateSha256":["{}"]{extra}}}"#,
        sim.addr,
        sim.cert_sha256.as_deref().unwrap()
    );
    let token = mfa_sim::okta::DEMO_API_TOKEN;
    let secret = mfa_secret {
        kind: MFA_SECRET_OKTA_API_TOKEN,
        data: token.as_ptr(),
        len: token.len(),
    };
    let mut client = ptr::null_mut();
    match unsafe { mfa_client_new(json.as_ptr(), json.len(), &secret, 1, &mut client) } {
        mfa_result::MFA_OK => Ok(client),
        _ => Err(last_error_text()),
    }
}

fn progress(req: *mut mfa_request) -> serde_json::Value {
    let mut buf = vec![0u8; 4096];
    let mut len = 0usize;
    assert_eq!(
        unsafe { mfa_request_progress(req, buf.as_mut_ptr(), buf.len(), &mut len) },
        mfa_result::MFA_OK
    );
    serde_json::from_slice(&buf[..len]).unwrap()
}

#[test]
fn the_number_challenge_is_the_progress_code_and_alice_approves() {
    let sim = sim();
    let client = okta_client(&sim, r#","numberChallenge":true"#).unwrap();
    let req = start(
        client,
        r#"{"userName":"alice@contoso.com","timeoutSeconds":30}"#,
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let seen = loop {
        let p = progress(req);
        if p.get("code").is_some() {
            break p;
        }
        let mut status = 0u32;
        unsafe { mfa_request_poll(req, 20, &mut status) };
        assert_eq!(
            status, MFA_STATUS_PENDING,
            "finished before the code showed: {p}"
        );
        assert!(Instant::now() < deadline, "no code: {p}");
    };
    assert_eq!(seen["code"], sim.okta_numbers().last().unwrap().to_string());
    assert_eq!(wait(req), MFA_STATUS_APPROVED);
    assert_eq!(outcome(req)["provider"], "okta");
    unsafe { mfa_request_free(req) };
    unsafe { mfa_client_free(client) };
}

#[test]
fn a_cancelled_request_withdraws_its_push() {
    let sim = sim();
    let client = okta_client(&sim, "").unwrap();
    let req = start(
        client,
        r#"{"userName":"carol@contoso.com","timeoutSeconds":60}"#,
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sim
        .okta_calls()
        .iter()
        .any(|c| c.path.contains("/transactions/"))
    {
        assert!(Instant::now() < deadline, "never polled");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(unsafe { mfa_request_cancel(req) }, mfa_result::MFA_OK);
    let o = outcome(req);
    assert_eq!(o["status"], "Cancelled");
    assert!(o["message"].as_str().unwrap().contains("withdrawn"), "{o}");
    // A cancel never waits for Okta's answer: the withdraw is not confirmed, and says so.
    assert_eq!(o["pushWithdrawn"], false, "{o}");
    assert_eq!(o["approvers"][0]["pushWithdrawn"], false, "{o}");
    assert!(
        o["warnings"].to_string().contains("could not be withdrawn"),
        "{o}"
    );
    while !sim.okta_calls().iter().any(|c| c.method == "DELETE") {
        assert!(Instant::now() < deadline, "the push was not withdrawn");
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe { mfa_request_free(req) };
    unsafe { mfa_client_free(client) };
}

#[test]
fn a_token_given_twice_or_on_another_provider_is_refused() {
    let token = "00abc";
    let twice = [
        mfa_secret {
            kind: MFA_SECRET_OKTA_API_TOKEN,
            data: token.as_ptr(),
            len: token.len(),
        },
        mfa_secret {
            kind: MFA_SECRET_OKTA_API_TOKEN,
            data: token.as_ptr(),
            len: token.len(),
        },
    ];
    let json = r#"{"provider":"okta","uri":"https://contoso.okta.com"}"#;
    let mut client = ptr::null_mut();
    let r = unsafe { mfa_client_new(json.as_ptr(), json.len(), twice.as_ptr(), 2, &mut client) };
    assert_eq!(r, mfa_result::MFA_INVALID_ARGUMENT);
    assert!(last_error_text().contains("given twice"));
    let json = r#"{"uri":"https://mfa.contoso.com/x"}"#;
    let r = unsafe { mfa_client_new(json.as_ptr(), json.len(), twice.as_ptr(), 1, &mut client) };
    assert_eq!(r, mfa_result::MFA_INVALID_CONFIG);
    assert!(last_error_text().contains("oktaApiToken"));
    assert!(!last_error_text().contains(token));
}
