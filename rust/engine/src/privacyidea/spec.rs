//! privacyIDEA's description in the provider registry.

use crate::registry::{field, secret, ProviderSpec, SecretSource, ValueKind::*};
use std::sync::Arc;

/// privacyIDEA: a push token, triggered by a service account.
pub static SPEC: ProviderSpec = ProviderSpec {
    name: super::NAME,
    label: "PrivacyIdea",
    display: "privacyIDEA",
    parameter_sets: &["PrivacyIdea"],
    http: true,
    foreign_field_hint: "",
    fields: &[
        field("uri", "Uri", Uri, true),
        field("userName", "Credential", CredentialUser, true),
        field("realm", "Realm", Text, true),
        field("responseSigningKeyFile", "ResponseSigningKey", Path, false),
        field("clientCertificateFile", "ClientCertificateFile", Path, false),
        field("clientKeyFile", "ClientKeyFile", Path, false),
    ],
    secrets: &[
        secret(
            1,
            "basicPassword",
            "Credential",
            SecretSource::Credential,
            true,
            |s| s.basic_password.is_some(),
            "ServiceAccount",
        ),
        secret(
            2,
            "clientCertificatePassword",
            "ClientCertificatePassword",
            SecretSource::SecureString,
            false,
            |s| s.client_certificate_password.is_some(),
            "",
        ),
    ],
    resolves_identity: true,
    names_only_identity: false,
    withdraw: true,
    code_sentence: Some("{0}: pick {1} in the privacyIDEA Authenticator to approve."),
    queries: &["testSecurity", "userExists", "getUserSettings"],
    test: &["testSecurity", "userExists"],
    test_success: "privacyIDEA accepted the service account, its rights allow triggerchallenge, and a user lookup round trip succeeded",
    next_step: super::next_step,
    validate: |c, s| super::config::validate(c, s, c.scheme()?),
    assume: |_, _| {},
    build: |c, s, r| Ok(Arc::new(super::PrivacyIdea::new(c, s, r)?)),
    takes: "-Uri, -Realm and -Credential (the service account allowed triggerchallenge)",
    host_field: None,
    caller_field: Some("userName"),
    reason_is_push_text: false,
};
