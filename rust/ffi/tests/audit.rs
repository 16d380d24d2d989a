//! The audit trail through the C ABI (ABI 5): a client with `auditPath` and the audit key
//! (`MFA_SECRET_AUDIT_KEY`) writes a keyed chain, a cancel's record (written off the
//! cancelling thread) joins it, and `mfa_audit_verify` reads it: valid with the key,
//! `badMac` with another, the edited record named; its arguments are checked like every
//! other export's.

mod common;
use common::*;
use mfa_approval::*;
use std::ptr;

const KEY: &str = "c-abi-audit-key-0123456789";

fn key_secret(k: &str) -> mfa_secret {
    mfa_secret {
        kind: MFA_SECRET_AUDIT_KEY,
        data: k.as_ptr(),
        len: k.len(),
    }
}

fn verify(path: &str, secrets: &[mfa_secret]) -> Result<serde_json::Value, (mfa_result, String)> {
    let mut buf = vec![0u8; MFA_AUDIT_REPORT_MAX_LEN];
    let mut len = 0usize;
    let r = unsafe {
        mfa_audit_verify(
            path.as_ptr(),
            path.len(),
            if secrets.is_empty() {
                ptr::null()
            } else {
                secrets.as_ptr()
            },
            secrets.len(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut len,
        )
    };
    if r != mfa_result::MFA_OK {
        return Err((r, last_error_text()));
    }
    Ok(serde_json::from_slice(&buf[..len]).unwrap())
}

#[test]
fn a_keyed_chain_written_through_the_abi_verifies_and_tampering_is_named() {
    let sim = sim();
    let dir = std::env::temp_dir().join(format!("mfa-ffi-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let config = config_for(&sim).replacen(
        '{',
        &format!(
            r#"{{"auditPath":{},"#,
            serde_json::to_string(&path).unwrap()
        ),
        1,
    );
    let secrets = [
        mfa_secret {
            kind: MFA_SECRET_BASIC_PASSWORD,
            data: mfa_sim::DEMO_PASSWORD.as_ptr(),
            len: mfa_sim::DEMO_PASSWORD.len(),
        },
        key_secret(KEY),
    ];
    let mut client = ptr::null_mut();
    let r = unsafe {
        mfa_client_new(
            config.as_ptr(),
            config.len(),
            secrets.as_ptr(),
            2,
            &mut client,
        )
    };
    assert_eq!(r, mfa_result::MFA_OK, "{}", last_error_text());
    let approved = start(
        client,
        r#"{"userName":"alice@contoso.com","timeoutSeconds":30}"#,
    );
    assert_eq!(wait(approved), MFA_STATUS_APPROVED);
    let id = outcome(approved)["auditId"].as_str().unwrap().to_owned();
    unsafe { mfa_request_free(approved) };
    // A cancel settles at once; its record is written off this thread and free waits for it.
    let cancelled = start(
        client,
        r#"{"userName":"carol@contoso.com","timeoutSeconds":30}"#,
    );
    assert_eq!(unsafe { mfa_request_cancel(cancelled) }, mfa_result::MFA_OK);
    unsafe { mfa_request_free(cancelled) };
    unsafe { mfa_client_free(client) };

    let p = path.to_str().unwrap();
    let report = verify(p, &[key_secret(KEY)]).unwrap();
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["records"], 2);
    assert_eq!(report["keyed"], true);
    assert_eq!(report["lastSeq"], 2);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&id));
    assert!(text
        .lines()
        .last()
        .unwrap()
        .contains(r#""status":"Cancelled""#));
    assert!(!text.contains(KEY), "the key never reaches the trail");

    let other = verify(p, &[key_secret("another-key-of-enough-length")]).unwrap();
    assert_eq!(
        (
            other["valid"].clone(),
            other["reason"].clone(),
            other["firstBadRecord"].clone()
        ),
        (false.into(), "badMac".into(), 0.into())
    );

    let edited = dir.join("edited.jsonl");
    std::fs::write(
        &edited,
        text.replacen("alice@contoso.com", "alicf@contoso.com", 1),
    )
    .unwrap();
    let report = verify(edited.to_str().unwrap(), &[]).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["reason"], "edited");
    assert_eq!(report["firstBadRecord"], 1);
    assert!(
        report["message"].as_str().unwrap().contains("record 1"),
        "{report}"
    );
}

#[test]
fn verify_checks_its_arguments() {
    let mut len = 0usize;
    let mut buf = vec![0u8; 16];
    let p = "/nonexistent-folder-mfa/audit.jsonl";
    let r = unsafe {
        mfa_audit_verify(
            p.as_ptr(),
            p.len(),
            ptr::null(),
            0,
            buf.as_mut_ptr(),
            buf.len(),
            ptr::null_mut(),
        )
    };
    assert_eq!(r, mfa_result::MFA_NULL_ARGUMENT);
    assert!(last_error_text().contains("len_out"));
    let (r, e) = verify(p, &[]).unwrap_err();
    assert_eq!(r, mfa_result::MFA_INVALID_ARGUMENT);
    assert!(
        e.starts_with("path: cannot read the audit file '/nonexistent-folder-mfa/audit.jsonl'"),
        "{e}"
    );
    let (r, e) = verify("/tmp", &[]).unwrap_err();
    assert_eq!(r, mfa_result::MFA_INVALID_ARGUMENT);
    assert!(e.contains("folder") || e.contains("directory"), "{e}");
    let wrong = mfa_secret {
        kind: MFA_SECRET_BASIC_PASSWORD,
        data: KEY.as_ptr(),
        len: KEY.len(),
    };
    let (r, e) = verify("/tmp/x", &[wrong]).unwrap_err();
    assert_eq!(r, mfa_result::MFA_INVALID_ARGUMENT);
    assert!(e.starts_with("secrets[0].kind"), "{e}");
    let bad = [0xffu8, 0xfe];
    let r = unsafe {
        mfa_audit_verify(
            bad.as_ptr(),
            2,
            ptr::null(),
            0,
            buf.as_mut_ptr(),
            buf.len(),
            &mut len,
        )
    };
    assert_eq!(r, mfa_result::MFA_INVALID_UTF8);

    // A report that does not fit: the needed length, nothing written; it always fits the maximum.
    let dir = std::env::temp_dir().join(format!("mfa-ffi-audit-args-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let e = empty.to_str().unwrap();
    let mut small = [7u8; 8];
    let r = unsafe {
        mfa_audit_verify(
            e.as_ptr(),
            e.len(),
            ptr::null(),
            0,
            small.as_mut_ptr(),
            small.len(),
            &mut len,
        )
    };
    assert_eq!(r, mfa_result::MFA_BUFFER_TOO_SMALL);
    assert!(len > 8 && len <= MFA_AUDIT_REPORT_MAX_LEN);
    assert_eq!(small, [7u8; 8]);
    let report = verify(e, &[]).unwrap();
    assert_eq!(
        (report["valid"].clone(), report["reason"].clone()),
        (false.into(), "removed".into())
    );
}

#[test]
fn a_short_audit_key_or_one_without_a_trail_is_refused_naming_the_field() {
    let sim = sim();
    let config = config_for(&sim);
    let secrets = [
        mfa_secret {
            kind: MFA_SECRET_BASIC_PASSWORD,
            data: mfa_sim::DEMO_PASSWORD.as_ptr(),
            len: mfa_sim::DEMO_PASSWORD.len(),
        },
        key_secret(KEY),
    ];
    let mut client = ptr::null_mut();
    let r = unsafe {
        mfa_client_new(
            config.as_ptr(),
            config.len(),
            secrets.as_ptr(),
            2,
            &mut client,
        )
    };
    assert_eq!(r, mfa_result::MFA_INVALID_CONFIG);
    let e = last_error_text();
    assert!(e.starts_with("auditKey: "), "{e}");
    assert!(!e.contains(KEY));
    assert!(client.is_null());
}
