//! The Okta provider with an OAuth 2.0 service app (client credentials, `private_key_jwt`)
//! against the simulator's token endpoint, which verifies the client assertion with the
//! registered public key: RS256 (a test-only RSA key in tests/data) and ES256 (a P-256 key
//! made here) approve; a key the app did not register, or a client id it does not know,
//! is an authentication failure that never shows the key.

use crate::common;
use common::*;
use mfa_engine::outcome::FailureKind;
use mfa_engine::{Client, Secrets, Status};
use zeroize::Zeroizing;

const CLIENT_ID: &str = "0oasimserviceapp01";

fn rsa_pem() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/okta-service-app-test-rsa.pem"
    );
    std::fs::read_to_string(path).expect("test RSA key")
}

fn ec_pem() -> String {
    rcgen::KeyPair::generate()
        .expect("P-256 key")
        .serialize_pem()
}

fn key(pem: &str) -> Secrets {
    Secrets {
        okta_private_key: Some(Zeroizing::new(pem.into())),
        ..Default::default()
    }
}

async fn sim_for(pem: &str) -> mfa_sim::Running {
    let pem = pem.to_owned();
    sim_with(move |c| c.okta_service_app = Some((CLIENT_ID.into(), pem))).await
}

#[tokio::test]
async fn rs256_and_es256_service_apps_approve() {
    for pem in [rsa_pem(), ec_pem()] {
        let sim = sim_for(&pem).await;
        let client = Client::new(
            &okta_config(&sim, &format!(r#""clientId":"{CLIENT_ID}""#)),
            key(&pem),
        )
        .expect("service app client");
        for (user, status) in [
            ("alice@contoso.com", Status::Approved),
            ("bob@contoso.com", Status::Denied),
        ] {
            let o = approve(&client, user).await;
            assert_eq!(o.status, status, "{user}: {}", o.message);
        }
    }
}

#[tokio::test]
async fn an_unregistered_key_or_client_is_refused_and_the_key_never_shown() {
    let registered = ec_pem();
    let sim = sim_for(&registered).await;
    let other = ec_pem();
    for (id, pem) in [
        (CLIENT_ID, other.as_str()),
        ("0oaunknownclient00", registered.as_str()),
    ] {
        let client = Client::new(
            &okta_config(&sim, &format!(r#""clientId":"{id}""#)),
            key(pem),
        )
        .unwrap();
        let o = approve(&client, "alice@contoso.com").await;
        assert_eq!(o.status, Status::Failed, "{}", o.message);
        assert_eq!(o.failure_kind, FailureKind::Authentication, "{}", o.message);
        assert!(o.message.contains("invalid_client"), "{}", o.message);
        let text = serde_json::to_string(&o).unwrap();
        assert!(
            !text.contains("PRIVATE KEY") && !text.contains(&pem[40..80]),
            "{text}"
        );
    }
    assert!(
        sim.okta_calls().is_empty(),
        "no API call without an access token"
    );
}

#[test]
fn a_key_that_is_not_usable_names_the_secret() {
    let config = mfa_engine::ClientConfig::from_json(
        format!(
            r#"{{"provider":"okta","uri":"https://contoso.okta.com","clientId":"{CLIENT_ID}"}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    let e = Client::new(
        &config,
        key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
    )
    .unwrap_err();
    assert_eq!(e.field, "oktaPrivateKey", "{e}");
}
