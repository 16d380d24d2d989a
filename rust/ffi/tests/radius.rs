//! The RADIUS provider through the C ABI: the secret kinds `MFA_SECRET_RADIUS_SHARED_SECRET`
//! and `MFA_SECRET_RADIUS_PASSWORD`, an approval and a denial through the simulator's RADIUS
//! server, and configuration errors that name the field without showing a secret.

mod common;
use common::*;
use mfa_approval::*;
use std::ptr;

/// The simulator's RADIUS server on its own runtime thread; its address.
fn radius_sim() -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let sim = mfa_sim::radius::RadiusRunning::start(
                "127.0.0.1:0".parse().unwrap(),
                mfa_sim::radius::DEMO_RADIUS_SECRET,
            )
            .await
            .unwrap();
            tx.send(sim.addr).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}

fn radius_client(
    json: &str,
    secrets: &[(u32, &str)],
) -> Result<*mut mfa_client, (mfa_result, String)> {
    let list: Vec<mfa_secret> = secrets
        .iter()
        .map(|(kind, s)| mfa_secret {
            kind: *kind,
            data: s.as_ptr(),
            len: s.len(),
        })
        .collect();
    let mut client = ptr::null_mut();
    let r = unsafe {
        mfa_client_new(
            json.as_ptr(),
            json.len(),
            list.as_ptr(),
            list.len(),
            &mut client,
        )
    };
    if r == mfa_result::MFA_OK {
        Ok(client)
    } else {
        Err((r, last_error_text()))
    }
}

#[test]
fn approvals_and_denials_through_the_c_abi() {
    let addr = radius_sim();
    let json = format!(r#"{{"provider":"radius","servers":["{addr}"],"passwordMode":"fixed"}}"#);
    let client = radius_client(
        &json,
        &[
            (
                MFA_SECRET_RADIUS_SHARED_SECRET,
                mfa_sim::radius::DEMO_RADIUS_SECRET,
            ),
            (
                MFA_SECRET_RADIUS_PASSWORD,
                mfa_sim::radius::DEMO_RADIUS_PASSWORD,
            ),
        ],
    )
    .expect("client");
    for (user, status) in [
        ("alice@contoso.com", MFA_STATUS_APPROVED),
        ("bob@contoso.com", MFA_STATUS_DENIED),
        ("challenge@contoso.com", MFA_STATUS_FAILED),
    ] {
        let req = start(
            client,
            &format!(r#"{{"userName":"{user}","timeoutSeconds":10}}"#),
        );
        assert_eq!(wait(req), status, "{user}");
        let o = outcome(req);
        assert_eq!(o["provider"], "radius");
        if user.starts_with("challenge") {
            assert_eq!(o["failureKind"], "challenge");
        }
        unsafe { mfa_request_free(req) };
    }
    unsafe { mfa_client_free(client) };
}

#[test]
fn configuration_errors_name_the_field_and_never_show_a_secret() {
    let (r, text) = radius_client(
        r#"{"provider":"radius","servers":["127.0.0.1:1812"]}"#,
        &[(MFA_SECRET_RADIUS_PASSWORD, "Sup3r-Secret-Pw")],
    )
    .unwrap_err();
    assert_eq!(r, mfa_result::MFA_INVALID_CONFIG);
    assert!(text.contains("radiusSharedSecret"), "{text}");
    let (r, text) = radius_client(
        r#"{"provider":"radius","servers":["127.0.0.1:1812"]}"#,
        &[
            (MFA_SECRET_RADIUS_SHARED_SECRET, "Sup3r-Secret-Sh"),
            (MFA_SECRET_RADIUS_PASSWORD, "Sup3r-Secret-Pw"),
        ],
    )
    .unwrap_err();
    assert_eq!(r, mfa_result::MFA_INVALID_CONFIG);
    assert!(
        text.contains("radiusPassword") && text.contains("passwordMode"),
        "{text}"
    );
    assert!(!text.contains("Sup3r"), "{text}");
    // A kind given twice is refused like the others.
    let (r, _) = radius_client(
        r#"{"provider":"radius","servers":["127.0.0.1:1812"]}"#,
        &[
            (MFA_SECRET_RADIUS_SHARED_SECRET, "a"),
            (MFA_SECRET_RADIUS_SHARED_SECRET, "b"),
        ],
    )
    .unwrap_err();
    assert_eq!(r, mfa_result::MFA_INVALID_ARGUMENT);
}

#[test]
fn two_approvers_need_allow_name_only_identity_and_then_say_names() {
    let addr = radius_sim();
    let secrets = [(
        MFA_SECRET_RADIUS_SHARED_SECRET,
        mfa_sim::radius::DEMO_RADIUS_SECRET,
    )];
    let two = r#"{"approvers":["alice@contoso.com","carol@contoso.com"],"require":"any","timeoutSeconds":10}"#;
    let plain = radius_client(
        &format!(r#"{{"provider":"radius","servers":["{addr}"]}}"#),
        &secrets,
    )
    .expect("client");
    let req = start(plain, two);
    assert_eq!(wait(req), MFA_STATUS_FAILED);
    let o = outcome(req);
    assert_eq!(o["failureKind"], "identity", "{o}");
    assert_eq!(o["identityCheck"], "names", "{o}");
    assert!(
        o["message"]
            .as_str()
            .unwrap()
            .contains("-AllowNameOnlyIdentity (allowNameOnlyIdentity)"),
        "{o}"
    );
    let named = radius_client(
        &format!(r#"{{"provider":"radius","servers":["{addr}"],"allowNameOnlyIdentity":true}}"#),
        &secrets,
    )
    .expect("client");
    let req2 = start(named, two);
    assert_eq!(wait(req2), MFA_STATUS_APPROVED);
    let o = outcome(req2);
    assert_eq!(o["identityCheck"], "names", "{o}");
    assert!(o["approvers"][0]["identity"].is_null(), "{o}");
    unsafe {
        mfa_request_free(req);
        mfa_request_free(req2);
        mfa_client_free(plain);
        mfa_client_free(named);
    }
}
