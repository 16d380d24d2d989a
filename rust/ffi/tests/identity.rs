//! Four eyes by identity through the C ABI (ABI 5, issue 24): `mfa_request_check` knows only
//! spellings and accepts two names of one person; the provider's resolution refuses them
//! before any push, for MFA Server (an alias), Duo (an alias) and Okta (a login and its user
//! id); the outcome carries `identityCheck` and each approver's `identity` (privacyIDEA's
//! too: the user in its resolver); RADIUS needs `allowNameOnlyIdentity`, which the resolving
//! providers refuse.

mod common;
use common::*;
use mfa_approval::*;
use std::ptr;

fn client_secret(json: &str, kind: u32, secret: &str) -> *mut mfa_client {
    let s = mfa_secret {
        kind,
        data: secret.as_ptr(),
        len: secret.len(),
    };
    let mut client = ptr::null_mut();
    assert_eq!(
        unsafe { mfa_client_new(json.as_ptr(), json.len(), &s, 1, &mut client) },
        mfa_result::MFA_OK,
        "{}",
        last_error_text()
    );
    client
}

fn pinned(sim: &mfa_sim::Background, fields: &str) -> String {
    format!(
        r#"{{{fields},"serverCertificateSha256":["{}"]}}"#,
        sim.cert_sha256.as_deref().unwrap()
    )
}

fn decide(client: *mut mfa_client, json: &str) -> serde_json::Value {
    let req = start(client, json);
    let status = wait(req);
    let o = outcome(req);
    assert_eq!(status, MFA_STATUS_FAILED, "{o}");
    unsafe { mfa_request_free(req) };
    o
}

#[test]
fn one_person_under_two_names_is_refused_on_every_resolving_provider() {
    let sim = sim();
    let okta_id =
        mfa_sim::okta::users::behaviour("alice@contoso.com", std::time::Duration::from_secs(1))
            .unwrap()
            .id;
    let mfaserver = client(&sim);
    let duo = client_secret(
        &pinned(
            &sim,
            &format!(
                r#""provider":"duo","uri":"https://{}","integrationKey":"{}""#,
                sim.addr,
                mfa_sim::duo::DEMO_INTEGRATION_KEY
            ),
        ),
        MFA_SECRET_DUO_SECRET_KEY,
        mfa_sim::duo::DEMO_SECRET_KEY,
    );
    let okta = client_secret(
        &pinned(
            &sim,
            &format!(r#""provider":"okta","uri":"https://{}""#, sim.addr),
        ),
        MFA_SECRET_OKTA_API_TOKEN,
        mfa_sim::okta::DEMO_API_TOKEN,
    );
    for (client, other, shared) in [
        (
            mfaserver,
            "asmith@contoso.com",
            "phone +*******0001".to_string(),
        ),
        (
            duo,
            "asmith@contoso.com",
            format!(
                "Duo device {}",
                mfa_sim::duo::users::device_id("+15550100001")
            ),
        ),
        (okta, okta_id.as_str(), format!("Okta user {okta_id}")),
    ] {
        for require in [serde_json::json!("all"), serde_json::json!(2)] {
            let json = serde_json::json!({
                "approvers": ["alice@contoso.com", other],
                "require": require,
                "timeoutSeconds": 20,
            })
            .to_string();
            // The offline check sees two spellings of two account names: it cannot know.
            assert_eq!(
                unsafe { mfa_request_check(json.as_ptr(), json.len()) },
                mfa_result::MFA_OK
            );
            let o = decide(client, &json);
            assert_eq!(o["approved"], false, "{o}");
            assert_eq!(o["failureKind"], "identity", "{o}");
            assert_eq!(o["identityCheck"], "provider", "{o}");
            let message = o["message"].as_str().unwrap();
            assert!(
                message.contains("are one person") && message.contains(shared.as_str()),
                "{message}"
            );
            assert_eq!(o["approvers"][0]["identity"], shared.as_str(), "{o}");
        }
        // The requester excluded under the other name.
        let json = serde_json::json!({
            "approvers": ["alice@contoso.com"],
            "excludeUserNames": [other],
            "timeoutSeconds": 20,
        })
        .to_string();
        let o = decide(client, &json);
        assert_eq!(o["failureKind"], "identity", "{o}");
        assert!(
            o["message"].as_str().unwrap().contains("may not approve"),
            "{o}"
        );
        unsafe { mfa_client_free(client) };
    }
    let pushed = sim
        .stats
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.operation.starts_with("PfAuthUser"))
        .count();
    assert_eq!(pushed, 0, "nothing was pushed");
}

#[test]
fn different_people_carry_their_identity_in_the_outcome() {
    let sim = sim();
    let client = client(&sim);
    let req = start(
        client,
        r#"{"approvers":["alice@contoso.com","carol@contoso.com"],"require":"any","excludeUserNames":["bob@contoso.com"],"timeoutSeconds":20}"#,
    );
    assert_eq!(wait(req), MFA_STATUS_APPROVED);
    let o = outcome(req);
    assert_eq!(o["identityCheck"], "provider");
    assert_eq!(o["approvers"][0]["identity"], "phone +*******0001");
    assert_eq!(o["approvers"][1]["identity"], "phone +*******0004");
    unsafe {
        mfa_request_free(req);
        mfa_client_free(client);
    }
}

#[test]
fn privacyidea_people_are_the_users_it_resolves() {
    let sim = sim();
    let client = client_secret(
        &pinned(
            &sim,
            &format!(
                r#""provider":"privacyidea","uri":"https://{}","userName":"{}","realm":"contoso""#,
                sim.addr,
                mfa_sim::DEMO_USER
            ),
        ),
        MFA_SECRET_BASIC_PASSWORD,
        mfa_sim::DEMO_PASSWORD,
    );
    let triggered = || {
        sim.privacyidea_calls()
            .iter()
            .filter(|c| c.path == "/validate/triggerchallenge")
            .map(|c| {
                c.params
                    .iter()
                    .find(|(k, _)| k == "user")
                    .unwrap()
                    .1
                    .clone()
            })
            .collect::<Vec<_>>()
    };
    let req = start(
        client,
        r#"{"approvers":["alice@contoso.com","carol"],"require":"any","excludeUserNames":["bob"],"timeoutSeconds":20}"#,
    );
    assert_eq!(wait(req), MFA_STATUS_APPROVED, "{}", outcome(req));
    let o = outcome(req);
    assert_eq!(o["identityCheck"], "provider", "{o}");
    assert_eq!(
        o["approvers"][0]["identity"], "privacyIDEA user contoso/contoso-users/1001",
        "{o}"
    );
    assert_eq!(
        o["approvers"][1]["identity"], "privacyIDEA user contoso/contoso-users/1003",
        "{o}"
    );
    unsafe { mfa_request_free(req) };
    // Each push went to the login privacyIDEA answered with for the name resolved.
    let mut pushed = triggered();
    pushed.sort();
    assert_eq!(pushed, ["alice", "carol"]);
    // An excluded name privacyIDEA does not know blocks the request: nothing is pushed.
    let o = decide(
        client,
        r#"{"approvers":["alice@contoso.com"],"excludeUserNames":["nobody@contoso.com"],"timeoutSeconds":20}"#,
    );
    assert_eq!(o["failureKind"], "identity", "{o}");
    assert_eq!(triggered().len(), 2, "nothing more was pushed");
    unsafe { mfa_client_free(client) };
}

#[test]
fn allow_name_only_identity_is_a_config_field_only_where_it_means_something() {
    let sim = sim();
    let json = pinned(
        &sim,
        &format!(r#""uri":"{}","allowNameOnlyIdentity":true"#, sim.url),
    );
    assert_eq!(
        unsafe { mfa_config_check(json.as_ptr(), json.len()) },
        mfa_result::MFA_INVALID_CONFIG
    );
    assert!(
        last_error_text().starts_with("allowNameOnlyIdentity: "),
        "{}",
        last_error_text()
    );
    let radius = r#"{"provider":"radius","servers":["127.0.0.1"],"allowNameOnlyIdentity":true}"#;
    assert_eq!(
        unsafe { mfa_config_check(radius.as_ptr(), radius.len()) },
        mfa_result::MFA_OK,
        "{}",
        last_error_text()
    );
    let mut buf = vec![0u8; 64 * 1024];
    let mut len = 0usize;
    assert_eq!(
        unsafe { mfa_capabilities(buf.as_mut_ptr(), buf.len(), &mut len) },
        mfa_result::MFA_OK
    );
    let caps: serde_json::Value = serde_json::from_slice(&buf[..len]).unwrap();
    assert!(caps["failureKinds"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("identity")));
}
