//! The C ABI called the way a C host calls it, against the simulator over HTTPS.

mod common;
use common::*;
use mfa_approval::*;
use std::ptr;
use std::time::{Duration, Instant};

#[test]
fn abi_version_is_the_header_constant() {
    assert_eq!(mfa_abi_version(), MFA_ABI_VERSION);
    assert_eq!(MFA_ABI_VERSION, 5);
}

#[test]
fn demo_users_end_as_documented_through_the_abi() {
    let sim = sim();
    let client = client(&sim);
    for (user, status, text) in [
        ("alice@contoso.com", MFA_STATUS_APPROVED, "Approved"),
        ("bob@contoso.com", MFA_STATUS_DENIED, "Denied"),
        ("carol@contoso.com", MFA_STATUS_TIMED_OUT, "TimedOut"),
        ("nobody@contoso.com", MFA_STATUS_FAILED, "Failed"),
    ] {
        let req = start(client, &format!(r#"{{"userName":"{user}"}}"#));
        assert_eq!(wait(req), status, "{user}");
        let o = outcome(req);
        assert_eq!(o["status"], text, "{user}: {o}");
        assert_eq!(o["approved"], status == MFA_STATUS_APPROVED);
        unsafe { mfa_request_free(req) };
    }
    unsafe { mfa_client_free(client) };
}

#[test]
fn null_arguments_are_refused_and_named() {
    let mut client = ptr::null_mut();
    let mut req = ptr::null_mut();
    let mut status = 0u32;
    let mut len = 0usize;
    unsafe {
        assert_eq!(
            mfa_client_new(ptr::null(), 5, ptr::null(), 0, &mut client),
            mfa_result::MFA_NULL_ARGUMENT
        );
        assert!(last_error_text().contains("config_json"));
        assert_eq!(
            mfa_client_new(b"{}".as_ptr(), 2, ptr::null(), 0, ptr::null_mut()),
            mfa_result::MFA_NULL_ARGUMENT
        );
        assert!(last_error_text().contains("client_out"));
        assert_eq!(
            mfa_client_new(b"{}".as_ptr(), 2, ptr::null(), 1, &mut client),
            mfa_result::MFA_NULL_ARGUMENT
        );
        assert!(last_error_text().contains("secrets"));
        assert_eq!(
            mfa_request_new(ptr::null(), b"{}".as_ptr(), 2, &mut req),
            mfa_result::MFA_NULL_ARGUMENT
        );
        assert!(last_error_text().contains("client"));
        assert_eq!(
            mfa_request_start(ptr::null()),
            mfa_result::MFA_NULL_ARGUMENT
        );
        assert_eq!(
            mfa_request_poll(ptr::null(), 0, &mut status),
            mfa_result::MFA_NULL_ARGUMENT
        );
        assert_eq!(
            mfa_request_cancel(ptr::null()),
            mfa_result::MFA_NULL_ARGUMENT
        );
        assert_eq!(
            mfa_request_outcome(ptr::null(), ptr::null_mut(), 0, &mut len),
            mfa_result::MFA_NULL_ARGUMENT
        );
        assert_eq!(
            mfa_last_error(ptr::null_mut(), 0, ptr::null_mut()),
            mfa_result::MFA_NULL_ARGUMENT
        );
        mfa_request_free(ptr::null_mut());
        mfa_client_free(ptr::null_mut());
    }
    assert!(
        client.is_null() && req.is_null(),
        "outputs untouched on failure"
    );
}

#[test]
fn bad_configuration_and_requests_name_the_field_and_never_echo_the_password() {
    let secret = "Sup3r-Secret-Passw0rd";
    let cases = [
        (r#"{"uri":"ftp://x/y","userName":"u"}"#, "uri"),
        (
            r#"{"uri":"http://127.0.0.1:1/x","userName":"u"}"#,
            "allowUnencryptedAuthentication",
        ),
        (
            r#"{"uri":"https://127.0.0.1:1/x","userName":"u","serverCertificateSha256":["12"]}"#,
            "serverCertificateSha256[0]",
        ),
        (
            r#"{"uri":"https://127.0.0.1:1/x","userName":"u","caCertificateFile":"/nonexistent/ca.pem"}"#,
            "caCertificateFile",
        ),
        (r#"not json"#, "config"),
    ];
    for (json, field) in cases {
        let (code, message) = client_with(json, secret).unwrap_err();
        assert_eq!(code, mfa_result::MFA_INVALID_CONFIG, "{json}");
        assert!(message.starts_with(field), "{json}: {message}");
        assert!(!message.contains(secret), "{message}");
    }
    let bad_utf8 = [0xffu8, 0xfe];
    let mut client = ptr::null_mut();
    assert_eq!(
        unsafe { mfa_client_new(bad_utf8.as_ptr(), 2, ptr::null(), 0, &mut client) },
        mfa_result::MFA_INVALID_UTF8
    );
    let unknown = mfa_secret {
        kind: 42,
        data: ptr::null(),
        len: 0,
    };
    let json = r#"{"uri":"https://x/y"}"#;
    assert_eq!(
        unsafe { mfa_client_new(json.as_ptr(), json.len(), &unknown, 1, &mut client) },
        mfa_result::MFA_INVALID_ARGUMENT
    );
    assert!(last_error_text().contains("secrets[0].kind"));

    let sim = sim();
    let client = common::client(&sim);
    for (json, field) in [
        (r#"{"userName":""}"#, "userName"),
        (r#"{"userName":"a","timeoutSeconds":-1}"#, "timeoutSeconds"),
    ] {
        let mut req = ptr::null_mut();
        assert_eq!(
            unsafe { mfa_request_new(client, json.as_ptr(), json.len(), &mut req) },
            mfa_result::MFA_INVALID_REQUEST
        );
        assert!(req.is_null());
        assert!(last_error_text().starts_with(field));
    }
    unsafe { mfa_client_free(client) };
}

#[test]
fn small_buffers_report_the_needed_length_and_write_nothing() {
    let sim = sim();
    let client = client(&sim);
    let req = start(client, r#"{"userName":"bob@contoso.com"}"#);
    let mut len = 0usize;
    // Before it finishes: PENDING, nothing written.
    let mut buf = vec![0xAAu8; 8];
    let r = unsafe { mfa_request_outcome(req, buf.as_mut_ptr(), buf.len(), &mut len) };
    assert!(r == mfa_result::MFA_PENDING || r == mfa_result::MFA_BUFFER_TOO_SMALL);
    wait(req);
    let r = unsafe { mfa_request_outcome(req, buf.as_mut_ptr(), buf.len(), &mut len) };
    assert_eq!(r, mfa_result::MFA_BUFFER_TOO_SMALL);
    assert!(len > 8);
    assert!(
        buf.iter().all(|b| *b == 0xAA),
        "nothing written on BUFFER_TOO_SMALL"
    );
    let mut exact = vec![0u8; len];
    let mut len2 = 0usize;
    assert_eq!(
        unsafe { mfa_request_outcome(req, exact.as_mut_ptr(), exact.len(), &mut len2) },
        mfa_result::MFA_OK
    );
    assert_eq!(len2, len);
    unsafe {
        mfa_request_free(req);
        mfa_client_free(client);
    }
}

#[test]
fn cancel_is_prompt_idempotent_and_never_an_approval() {
    let sim = sim();
    let client = client(&sim);
    let req = start(client, r#"{"userName":"alice@contoso.com"}"#);
    let t = Instant::now();
    assert_eq!(unsafe { mfa_request_cancel(req) }, mfa_result::MFA_OK);
    assert_eq!(unsafe { mfa_request_cancel(req) }, mfa_result::MFA_OK);
    let mut status = 0;
    assert_eq!(
        unsafe { mfa_request_poll(req, 0, &mut status) },
        mfa_result::MFA_OK
    );
    assert_eq!(status, MFA_STATUS_CANCELLED);
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "cancel returned in {:?}",
        t.elapsed()
    );
    // Alice would approve after ~1 s: the cancelled outcome must stay Cancelled.
    std::thread::sleep(Duration::from_millis(1500));
    let o = outcome(req);
    assert_eq!(o["status"], "Cancelled");
    assert_eq!(o["approved"], false);
    assert_eq!(
        unsafe { mfa_request_start(req) },
        mfa_result::MFA_ALREADY_STARTED
    );
    unsafe { mfa_request_free(req) };

    // A poll blocked in another thread wakes when the request is cancelled.
    let req = start(client, r#"{"userName":"carol@contoso.com"}"#) as usize;
    let poller = std::thread::spawn(move || {
        let mut status = 0;
        let t = Instant::now();
        unsafe { mfa_request_poll(req as *const mfa_request, 30_000, &mut status) };
        (status, t.elapsed())
    });
    std::thread::sleep(Duration::from_millis(100));
    unsafe { mfa_request_cancel(req as *const mfa_request) };
    let (status, waited) = poller.join().unwrap();
    assert_eq!(status, MFA_STATUS_CANCELLED);
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    unsafe {
        mfa_request_free(req as *mut mfa_request);
        mfa_client_free(client);
    }
}

#[test]
fn unstarted_requests_say_so_and_free_while_pending_is_safe() {
    let sim = sim();
    let client = client(&sim);
    let json = r#"{"userName":"alice@contoso.com"}"#;
    let mut req = ptr::null_mut();
    assert_eq!(
        unsafe { mfa_request_new(client, json.as_ptr(), json.len(), &mut req) },
        mfa_result::MFA_OK
    );
    let mut status = 0;
    assert_eq!(
        unsafe { mfa_request_poll(req, 0, &mut status) },
        mfa_result::MFA_NOT_STARTED
    );
    unsafe { mfa_request_free(req) };
    // Free while pending: the client is freed first, then the request; no crash, and
    // the library keeps working afterwards.
    let pending: Vec<_> = (0..10).map(|_| start(client, json)).collect();
    unsafe { mfa_client_free(client) };
    for req in pending {
        unsafe { mfa_request_free(req) };
    }
    let client = common::client(&sim);
    let req = start(client, json);
    assert_eq!(wait(req), MFA_STATUS_APPROVED);
    unsafe {
        mfa_request_free(req);
        mfa_client_free(client);
    }
}

#[test]
fn two_hundred_approvals_pending_at_once_all_finish_correctly() {
    let sim = sim();
    let client = client(&sim);
    let users = ["alice@contoso.com", "bob@contoso.com"];
    let requests: Vec<_> = (0..200)
        .map(|i| {
            (
                i,
                start(
                    client,
                    &format!(r#"{{"userName":"{}","timeoutSeconds":60}}"#, users[i % 2]),
                ),
            )
        })
        .collect();
    let mut polled_pending = 0;
    for (_, req) in &requests {
        let mut status = 0;
        unsafe { mfa_request_poll(*req, 0, &mut status) };
        if status == MFA_STATUS_PENDING {
            polled_pending += 1;
        }
    }
    assert!(
        polled_pending > 100,
        "most requests should be pending at once; {polled_pending} were"
    );
    for (i, req) in requests {
        let expected = if i % 2 == 0 {
            MFA_STATUS_APPROVED
        } else {
            MFA_STATUS_DENIED
        };
        assert_eq!(wait(req), expected, "request {i}");
        unsafe { mfa_request_free(req) };
    }
    unsafe { mfa_client_free(client) };
}

#[test]
fn capabilities_list_what_the_engine_accepts() {
    let mut len = 0usize;
    assert_eq!(
        unsafe { mfa_capabilities(ptr::null_mut(), 0, &mut len) },
        mfa_result::MFA_BUFFER_TOO_SMALL
    );
    let mut buf = vec![0u8; len];
    assert_eq!(
        unsafe { mfa_capabilities(buf.as_mut_ptr(), buf.len(), &mut len) },
        mfa_result::MFA_OK
    );
    let caps: serde_json::Value = serde_json::from_slice(&buf[..len]).unwrap();
    assert_eq!(caps["limits"]["nameMaxChars"], 256);
    // Every listed mode and authentication type is accepted; a neighbour is not.
    for mode in caps["modes"].as_array().unwrap() {
        let json = format!(r#"{{"userName":"a","mode":{mode}}}"#);
        assert_eq!(check_request(&json), Ok(()), "{json}");
    }
    for t in caps["initiatingAuthenticationTypes"].as_array().unwrap() {
        let json = format!(r#"{{"uri":"https://x/y","initiatingAuthenticationType":{t}}}"#);
        assert_eq!(check_config(&json), Ok(()), "{json}");
    }
    assert!(check_request(r#"{"userName":"a","mode":"phoneapp"}"#)
        .unwrap_err()
        .starts_with("mode: "));
    assert_eq!(
        unsafe { mfa_capabilities(ptr::null_mut(), 0, ptr::null_mut()) },
        mfa_result::MFA_NULL_ARGUMENT
    );
}

#[test]
fn checks_apply_the_engine_rules_without_a_client_and_name_the_field() {
    let name = "x".repeat(256);
    assert_eq!(
        check_request(&format!(r#"{{"userName":"{name}"}}"#)),
        Ok(())
    );
    // 256 characters of four UTF-8 bytes (and two UTF-16 units) each are still 256 characters.
    let wide = "\u{1F600}".repeat(256);
    assert_eq!(
        check_request(&format!(r#"{{"userName":"{wide}"}}"#)),
        Ok(())
    );
    for (json, field) in [
        (format!(r#"{{"userName":"{name}x"}}"#), "userName: "),
        (r#"{"userName":"a\nb"}"#.to_string(), "userName: "),
        (r#"{"userName":"   "}"#.to_string(), "userName: "),
        (
            r#"{"userName":"a","timeoutSeconds":86401}"#.to_string(),
            "timeoutSeconds: ",
        ),
        (
            r#"{"userName":"a","initiatingIpAddress":"1.2.3"}"#.to_string(),
            "initiatingIpAddress: ",
        ),
        (r#"{"userName":"a","bogus":1}"#.to_string(), "request: "),
    ] {
        assert!(
            check_request(&json).unwrap_err().starts_with(field),
            "{json}"
        );
    }
    assert_eq!(
        check_config(r#"{"uri":"https://x/y","userName":"u"}"#),
        Ok(())
    );
    for (json, field) in [
        (r#"{"uri":"ftp://x/y"}"#, "uri: "),
        (
            r#"{"uri":"https://x/y","serverCertificateSha256":["ab"]}"#,
            "serverCertificateSha256[0]: ",
        ),
        (
            r#"{"uri":"https://x/y","httpTimeoutSeconds":0}"#,
            "httpTimeoutSeconds: ",
        ),
        (
            r#"{"uri":"http://x/y","userName":"u"}"#,
            "allowUnencryptedAuthentication: ",
        ),
        (
            r#"{"uri":"https://x/y","caCertificateFile":"/nonexistent"}"#,
            "",
        ),
    ] {
        let r = check_config(json);
        if field.is_empty() {
            assert_eq!(r, Ok(()), "files are not read: {json}");
        } else {
            assert!(r.unwrap_err().starts_with(field), "{json}");
        }
    }
    let bad = [0xffu8];
    assert_eq!(
        unsafe { mfa_request_check(bad.as_ptr(), 1) },
        mfa_result::MFA_INVALID_UTF8
    );
    assert_eq!(
        unsafe { mfa_config_check(ptr::null(), 3) },
        mfa_result::MFA_NULL_ARGUMENT
    );
}

fn check_request(json: &str) -> Result<(), String> {
    match unsafe { mfa_request_check(json.as_ptr(), json.len()) } {
        mfa_result::MFA_OK => Ok(()),
        r => {
            assert_eq!(r, mfa_result::MFA_INVALID_REQUEST);
            Err(last_error_text())
        }
    }
}

fn check_config(json: &str) -> Result<(), String> {
    match unsafe { mfa_config_check(json.as_ptr(), json.len()) } {
        mfa_result::MFA_OK => Ok(()),
        r => {
            assert_eq!(r, mfa_result::MFA_INVALID_CONFIG);
            Err(last_error_text())
        }
    }
}

#[test]
fn progress_is_readable_while_pending_and_carries_the_verified_push_code() {
    let sim = sim();
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
    let req = start(
        client,
        r#"{"userName":"victor@contoso.com","timeoutSeconds":30}"#,
    );
    let read = |req| {
        let mut len = 0usize;
        assert_eq!(
            unsafe { mfa_request_progress(req, ptr::null_mut(), 0, &mut len) },
            mfa_result::MFA_BUFFER_TOO_SMALL
        );
        let mut buf = vec![0u8; len];
        assert_eq!(
            unsafe { mfa_request_progress(req, buf.as_mut_ptr(), len, &mut len) },
            mfa_result::MFA_OK
        );
        serde_json::from_slice::<serde_json::Value>(&buf[..len]).unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let seen = loop {
        let p = read(req);
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
    assert_eq!(seen["code"], "376");
    assert_eq!(seen["stage"], "waiting");
    assert_eq!(wait(req), MFA_STATUS_APPROVED);
    assert_eq!(outcome(req)["provider"], "duo");
    assert_eq!(
        unsafe { mfa_request_progress(ptr::null(), ptr::null_mut(), 0, ptr::null_mut()) },
        mfa_result::MFA_NULL_ARGUMENT
    );
    unsafe { mfa_request_free(req) };
    unsafe { mfa_client_free(client) };
}

#[test]
fn a_cancelled_request_is_in_the_audit_trail_once_it_is_freed() {
    let sim = sim();
    let dir = std::env::temp_dir().join(format!("mfa-abi-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let json = format!(
        r#"{{"uri":"{}","userName":"demo-admin","serverCertificateSha256":["{}"],"auditPath":{}}}"#,
        sim.url,
        sim.cert_sha256.as_deref().unwrap(),
        serde_json::to_string(&path).unwrap()
    );
    let client = client_with(&json, mfa_sim::DEMO_PASSWORD).unwrap();
    let req = start(
        client,
        r#"{"userName":"carol@contoso.com","timeoutSeconds":60}"#,
    );
    assert_eq!(unsafe { mfa_request_cancel(req) }, mfa_result::MFA_OK);
    let id = outcome(req)["auditId"].as_str().unwrap().to_owned();
    unsafe { mfa_request_free(req) };
    let text = std::fs::read_to_string(&path).unwrap();
    let line: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(line["id"], id.as_str());
    assert_eq!(line["status"], "Cancelled");
    assert!(!text.contains(mfa_sim::DEMO_PASSWORD));
    unsafe { mfa_client_free(client) };
}
