//! privacyIDEA's description in the provider registry: plain data (how it is checked and
//! built is `build.rs`), below the provider, so `next_step` and the configuration reader read it.

use crate::failure::FailureKind;
use crate::registry::types::{
    field, secret, ProviderSpec, SecretSource, ValueKind::*, CLIENT_CERTIFICATE_FILE,
    CLIENT_CERTIFICATE_PASSWORD, CLIENT_KEY_FILE,
};

/// privacyIDEA: a push token, triggered by a service account.
pub static SPEC: ProviderSpec = ProviderSpec {
    name: super::config::NAME,
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
        CLIENT_CERTIFICATE_FILE,
        CLIENT_KEY_FILE,
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
        CLIENT_CERTIFICATE_PASSWORD,
    ],
    resolves_identity: true,
    names_only_identity: false,
    withdraw: true,
    code_sentence: Some("{0}: pick {1} in the privacyIDEA Authenticator to approve."),
    queries: &["testSecurity", "userExists", "getUserSettings"],
    test: &["testSecurity", "userExists"],
    // privacyIDEA answers a user lookup in a realm it does not have as it answers one for a
    // user it does not know (no one found), so the test says what it did not check.
    test_success: "privacyIDEA accepted the service account, its rights allow triggerchallenge, and a user lookup round trip succeeded; -Realm (realm) was not checked (a realm privacyIDEA does not have finds no one, as an unknown user does): check it with Get-MfaUser and a user of that realm",
    next_step,
    takes: "-Uri, -Realm and -Credential (the service account allowed triggerchallenge)",
    host_field: None,
    caller_field: Some("userName"),
    reason_is_push_text: false,
};

/// What to do next after a failure of `kind` against privacyIDEA (where it differs from
/// the other providers' step).
pub fn next_step(kind: FailureKind) -> Option<&'static str> {
    Some(match kind {
        FailureKind::Authentication => "check -Credential (userName and its password: a privacyIDEA admin, made with pi-manage admin add) and that an admin policy gives it triggerchallenge (and cancelchallenge, to withdraw pushes); and -Uri (uri).",
        FailureKind::Dns => "check the host name in -Uri (uri) and this machine's DNS; behind a proxy, give -Proxy or -UseSystemProxy (proxy).",
        FailureKind::Connect => "check the host and port in -Uri (uri), that privacyIDEA's web server answers there, and the firewall; behind a proxy, give -Proxy or -UseSystemProxy (proxy).",
        FailureKind::HttpStatus => "check -Uri (uri: privacyIDEA's base URL, without /validate or /auth) and the web server's and privacyIDEA's logs; 429 and 5xx mean the server is busy: try again later.",
        FailureKind::Protocol => "the answer was not one privacyIDEA 3.x sends, or it did not verify with -ResponseSigningKey (responseSigningKeyFile, the server's PI_AUDIT_KEY_PUBLIC): check -Uri and that nothing between rewrites answers; nothing was approved.",
        _ => return None,
    })
}
