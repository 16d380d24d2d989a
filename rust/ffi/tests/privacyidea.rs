//! The privacyIDEA provider through the C ABI (`"provider":"privacyidea"`, the service
//! account's password as `MFA_SECRET_BASIC_PASSWORD`): against the simulator (every answer,
//! the presence code as the progress `code`, a cancel withdrawing the push, the checks naming
//! the nested field) and against a real privacyIDEA 3.14 with its response signing key pinned
//! (skipped with one line where the test venv has no privacyIDEA, except under CI=true on Linux).

mod common;
#[path = "../../engine/tests/privacyidea_common/mod.rs"]
mod privacyidea_common;

use common::*;
use mfa_approval::*;
use std::time::{Duration, Instant};

fn sim_config(sim: &mfa_sim::Background, pi: &str) -> String {
    format!(
        r#"{{"provider":"privacyidea","uri":"https://{}","userName":"{}","serverCertificateSha256":["{}"],"realm":"contoso"{}{pi}}}"#,
        sim.addr,
        mfa_sim::DEMO_USER,
        sim.cert_sha256.as_deref().unwrap(),
        if pi.is_empty() { "" } else { "," }
    )
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

fn key_file() -> String {
    let path = std::env::temp_dir().join(format!("mfa-ffi-pi-key-{}.pem", std::process::id()));
    std::fs::write(&path, mfa_sim::privacyidea::wire::DEMO_SIGNING_PUBLIC_KEY).unwrap();
    path.display().to_string()
}

#[test]
fn demo_users_through_the_c_abi() {
    let sim = sim();
    let pi = format!(r#""responseSigningKeyFile":"{}""#, key_file());
    let client = client_with(&sim_config(&sim, &pi), mfa_sim::DEMO_PASSWORD).unwrap();
    for (user, status) in [
        ("alice", MFA_STATUS_APPROVED),
        ("bob@contoso.com", MFA_STATUS_DENIED),
        ("dave", MFA_STATUS_FAILED),
        ("tampered@faults.contoso.com", MFA_STATUS_FAILED),
    ] {
        let req = start(
            client,
            &format!(r#"{{"userName":"{user}","timeoutSeconds":10}}"#),
        );
        assert_eq!(wait(req), status, "{user}: {}", outcome(req)["message"]);
        let o = outcome(req);
        assert_eq!(o["provider"], "privacyidea");
        assert_eq!(o["approved"], status == MFA_STATUS_APPROVED);
        unsafe { mfa_request_free(req) };
    }
    unsafe { mfa_client_free(client) };
}

#[test]
fn the_presence_answer_is_the_progress_code() {
    let sim = sim();
    let client = client_with(&sim_config(&sim, ""), mfa_sim::DEMO_PASSWORD).unwrap();
    let req = start(client, r#"{"userName":"victor","timeoutSeconds":10}"#);
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        let p = progress(req);
        if let Some(c) = p.get("code").and_then(|c| c.as_str()) {
            break c.to_owned();
        }
        assert!(Instant::now() < deadline, "no code: {p}");
        let mut status = 0u32;
        unsafe { mfa_request_poll(req, 20, &mut status) };
    };
    assert!(["A", "B", "C"].contains(&code.as_str()), "{code}");
    assert_eq!(wait(req), MFA_STATUS_APPROVED);
    unsafe {
        mfa_request_free(req);
        mfa_client_free(client);
    }
}

#[test]
fn a_cancelled_request_withdraws_its_push() {
    let sim = sim();
    let client = client_with(&sim_config(&sim, ""), mfa_sim::DEMO_PASSWORD).unwrap();
    let req = start(client, r#"{"userName":"carol","timeoutSeconds":30}"#);
    let deadline = Instant::now() + Duration::from_secs(10);
    while progress(req)["stage"] != "waiting" {
        assert!(Instant::now() < deadline);
        let mut status = 0u32;
        unsafe { mfa_request_poll(req, 20, &mut status) };
    }
    assert_eq!(unsafe { mfa_request_cancel(req) }, mfa_result::MFA_OK);
    assert_eq!(wait(req), MFA_STATUS_CANCELLED);
    let o = outcome(req);
    assert!(o["message"]
        .as_str()
        .unwrap()
        .contains("withdrawn with cancelchallenge"));
    // A cancel never waits for privacyIDEA's answer: the withdraw is not confirmed, and says so.
    assert_eq!(o["pushWithdrawn"], false, "{o}");
    assert_eq!(o["approvers"][0]["pushWithdrawn"], false, "{o}");
    assert!(
        o["warnings"].to_string().contains("could not be withdrawn"),
        "{o}"
    );
    while sim.privacyidea_cancels().is_empty() {
        assert!(Instant::now() < deadline, "the push was withdrawn");
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe {
        mfa_request_free(req);
        mfa_client_free(client);
    }
}

#[test]
fn the_checks_name_the_fields() {
    let check = |json: &str| unsafe { mfa_config_check(json.as_ptr(), json.len()) };
    let good = r#"{"provider":"privacyidea","uri":"https://pi.contoso.com","userName":"svc","realm":"contoso"}"#;
    assert_eq!(check(good), mfa_result::MFA_OK, "{}", last_error_text());
    for (json, field) in [
        (good.replace("\"contoso\"", "\"con toso\""), "realm"),
        (good.replace("}", ",\"realms\":1}"), "realms"),
        (good.replace(",\"realm\":\"contoso\"", ""), "realm"),
        (
            good.replace(
                ",\"realm\":\"contoso\"",
                ",\"privacyidea\":{\"realm\":\"contoso\"}",
            ),
            "privacyidea",
        ),
        (
            good.replace("\"svc\",", "\"svc\",\"integrationKey\":\"DI\","),
            "integrationKey",
        ),
    ] {
        assert_eq!(check(&json), mfa_result::MFA_INVALID_CONFIG, "{json}");
        assert!(
            last_error_text().starts_with(&format!("{field}:")),
            "{}",
            last_error_text()
        );
    }
    let missing = good.replace(
        "\"contoso\"}",
        "\"contoso\",\"responseSigningKeyFile\":\"/nonexistent/pi-public.pem\"}",
    );
    assert_eq!(
        check(&missing),
        mfa_result::MFA_OK,
        "the check reads no file"
    );
    let e = client_with(&missing, "pw").unwrap_err();
    assert_eq!(e.0, mfa_result::MFA_INVALID_CONFIG);
    assert!(
        e.1.starts_with("responseSigningKeyFile: cannot read '/nonexistent/pi-public.pem'"),
        "{}",
        e.1
    );
    let mut len = 0usize;
    let mut buf = vec![0u8; 65536];
    assert_eq!(
        unsafe { mfa_capabilities(buf.as_mut_ptr(), buf.len(), &mut len) },
        mfa_result::MFA_OK
    );
    let caps: serde_json::Value = serde_json::from_slice(&buf[..len]).unwrap();
    assert!(caps["providers"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("privacyidea")));
}

#[test]
fn a_real_privacyidea_approves_through_the_c_abi_only_after_the_phone() {
    let Some(s) = privacyidea_common::server() else {
        return;
    };
    let pi = format!(
        r#""responseSigningKeyFile":"{}""#,
        s.field("signingKeyFile")
    );
    let json = s.config_json(&s.field("serviceUser"), "", &pi);
    let client = client_with(&json, &s.service_password()).unwrap();
    let clock = Instant::now();
    let alice = start(client, r#"{"userName":"alice","timeoutSeconds":30}"#);
    let bob = start(client, r#"{"userName":"bob","timeoutSeconds":30}"#);
    let carol = start(client, r#"{"userName":"carol","timeoutSeconds":30}"#);
    assert_eq!(
        wait(alice),
        MFA_STATUS_APPROVED,
        "{}",
        outcome(alice)["message"]
    );
    assert!(
        clock.elapsed() >= Duration::from_secs(1),
        "alice's phone answers after a second"
    );
    assert_eq!(wait(bob), MFA_STATUS_DENIED, "{}", outcome(bob)["message"]);
    assert_eq!(unsafe { mfa_request_cancel(carol) }, mfa_result::MFA_OK);
    assert_eq!(wait(carol), MFA_STATUS_CANCELLED);
    let o = outcome(alice);
    assert_eq!(o["approvers"][0]["approved"], true);
    assert!(!serde_json::to_string(&o)
        .unwrap()
        .contains(&s.service_password()));
    unsafe {
        mfa_request_free(alice);
        mfa_request_free(bob);
        mfa_request_free(carol);
        mfa_client_free(client);
    }
    // The wrong password through the ABI: Failed, and never in the outcome.
    let wrong = "Wr0ng-service-password-through-the-abi";
    let client = client_with(&json, wrong).unwrap();
    let req = start(client, r#"{"userName":"alice","timeoutSeconds":30}"#);
    assert_eq!(wait(req), MFA_STATUS_FAILED);
    let o = outcome(req);
    assert_eq!(o["failureKind"], "authentication");
    assert!(!o.to_string().contains(wrong));
    unsafe {
        mfa_request_free(req);
        mfa_client_free(client);
    }
}

/// The Pester tests pin the simulator's response signing key from this file: it must be the
/// simulator's own.
#[test]
fn the_simulators_signing_key_file_is_the_simulators_key() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/mfa-sim-privacyidea-signing-key.pem");
    assert_eq!(
        std::fs::read_to_string(file).unwrap(),
        mfa_sim::privacyidea::wire::DEMO_SIGNING_PUBLIC_KEY
    );
}
