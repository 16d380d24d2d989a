//! Duo's description in the provider registry: plain data (how it is checked and
//! built is `build.rs`), below the provider, so `next_step` and the configuration reader read it.

use crate::failure::FailureKind;
use crate::registry::types::{field, secret, ProviderSpec, SecretSource, ValueKind::*};

/// The provider name (`provider` in the configuration).
pub const NAME: &str = "duo";

/// Duo's Auth API v2.
pub static SPEC: ProviderSpec = ProviderSpec {
    name: NAME,
    label: "Duo",
    display: "Duo",
    parameter_sets: &["Duo"],
    http: true,
    foreign_field_hint: "",
    fields: &[
        field("uri", "ApiHost", Uri, false),
        field("apiHost", "ApiHost", Text, true),
        field("integrationKey", "IntegrationKey", Text, true),
        field("signatureVersion", "SignatureVersion", Number, false),
        field("allowBypass", "AllowBypass", Switch, false),
        field("applicationName", "ApplicationName", Text, false),
    ],
    secrets: &[secret(
        3,
        "duoSecretKey",
        "SecretKey",
        SecretSource::SecureString,
        true,
        |s| s.duo_secret_key.is_some(),
        "DuoSignature",
    )],
    resolves_identity: true,
    names_only_identity: false,
    withdraw: false,
    code_sentence: Some("{0}: enter verification code {1} in Duo Mobile to approve."),
    queries: &["testSecurity", "userExists", "getUserSettings"],
    test: &["testSecurity", "userExists"],
    test_success: "Duo ping, a signed check and a preauth round trip succeeded",
    next_step,
    takes: "-ApiHost (api-xxxxxxxx.duosecurity.com), -IntegrationKey and -SecretKey, from the Auth API application in the Duo Admin Panel; -Uri, -Credential, -ClientCertificateFile, -BasicAuthentication, -InitiatingAuthenticationType and -AllowUnknownUser are for the MFA Server SDK (leave out -Provider, or give -Provider MfaServer)",
    host_field: Some("apiHost"),
    caller_field: Some("integrationKey"),
    reason_is_push_text: true,
};

fn next_step(kind: FailureKind) -> Option<&'static str> {
    Some(match kind {
        FailureKind::Dns => "check the host name in -ApiHost (apiHost) and this machine's DNS; where only a proxy reaches the Internet, give -Proxy or -UseSystemProxy (proxy).",
        FailureKind::Connect => "check -ApiHost (apiHost), this machine's firewall and outbound HTTPS; where only a proxy reaches the Internet, give -Proxy or -UseSystemProxy (proxy).",
        FailureKind::Authentication => "check -IntegrationKey and -SecretKey (integrationKey and the duoSecretKey secret) against the Auth API application in the Duo Admin Panel, and -ApiHost (apiHost).",
        FailureKind::HttpStatus => "429 and 5xx mean Duo is busy or down (see status.duo.com): try again later; otherwise check -ApiHost (apiHost).",
        _ => return None,
    })
}
