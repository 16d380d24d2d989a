//! Helpers for the ABI tests: a background simulator and thin wrappers over the exports.
#![allow(dead_code)]

use mfa_approval::*;
use mfa_sim::{Background, SimConfig};
use std::ptr;

pub fn sim() -> Background {
    Background::start(SimConfig {
        no_response_after: std::time::Duration::from_secs(2),
        ..Default::default()
    })
    .expect("simulator starts")
}

pub fn config_for(sim: &Background) -> String {
    format!(
        r#"{{"uri":"{}","userName":"demo-admin","serverCertificateSha256":["{}"]}}"#,
        sim.url,
        sim.cert_sha256.as_deref().unwrap()
    )
}

pub fn client_with(json: &str, password: &str) -> Result<*mut mfa_client, (mfa_result, String)> {
    let secret = mfa_secret {
        kind: MFA_SECRET_BASIC_PASSWORD,
        data: password.as_ptr(),
        len: password.len(),
    };
    let mut client = ptr::null_mut();
    let r = unsafe { mfa_client_new(json.as_ptr(), json.len(), &secret, 1, &mut client) };
    if r == mfa_result::MFA_OK {
        Ok(client)
    } else {
        assert!(
            client.is_null(),
            "client_out must not be written on failure"
        );
        Err((r, last_error_text()))
    }
}

pub fn client(sim: &Background) -> *mut mfa_client {
    client_with(&config_for(sim), mfa_sim::DEMO_PASSWORD).expect("client")
}

pub fn last_error_text() -> String {
    let mut len = 0usize;
    let r = unsafe { mfa_last_error(ptr::null_mut(), 0, &mut len) };
    if r == mfa_result::MFA_OK {
        return String::new();
    }
    assert_eq!(r, mfa_result::MFA_BUFFER_TOO_SMALL);
    let mut buf = vec![0u8; len];
    assert_eq!(
        unsafe { mfa_last_error(buf.as_mut_ptr(), buf.len(), &mut len) },
        mfa_result::MFA_OK
    );
    String::from_utf8(buf).unwrap()
}

pub fn start(client: *mut mfa_client, json: &str) -> *mut mfa_request {
    let mut req = ptr::null_mut();
    assert_eq!(
        unsafe { mfa_request_new(client, json.as_ptr(), json.len(), &mut req) },
        mfa_result::MFA_OK,
        "{}",
        last_error_text()
    );
    assert_eq!(unsafe { mfa_request_start(req) }, mfa_result::MFA_OK);
    req
}

pub fn wait(req: *mut mfa_request) -> u32 {
    let mut status = MFA_STATUS_PENDING;
    for _ in 0..600 {
        assert_eq!(
            unsafe { mfa_request_poll(req, 100, &mut status) },
            mfa_result::MFA_OK
        );
        if status != MFA_STATUS_PENDING {
            return status;
        }
    }
    panic!("request did not finish within 60 s");
}

pub fn outcome(req: *mut mfa_request) -> serde_json::Value {
    let mut len = 0usize;
    assert_eq!(
        unsafe { mfa_request_outcome(req, ptr::null_mut(), 0, &mut len) },
        mfa_result::MFA_BUFFER_TOO_SMALL
    );
    let mut buf = vec![0u8; len];
    assert_eq!(
        unsafe { mfa_request_outcome(req, buf.as_mut_ptr(), buf.len(), &mut len) },
        mfa_result::MFA_OK
    );
    assert_eq!(len, buf.len());
    serde_json::from_slice(&buf).unwrap()
}
