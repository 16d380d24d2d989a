//! Okta's description in the provider registry: plain data (how it is checked and
//! built is `build.rs`), below the provider, so `next_step` and the configuration reader read it.

use crate::failure::FailureKind;
use crate::registry::types::{field, secret, ProviderSpec, SecretSource, ValueKind::*};

/// The provider name (`provider` in the configuration).
pub const NAME: &str = "okta";

/// Okta Verify through Okta's management API.
pub static SPEC: ProviderSpec = ProviderSpec {
    name: NAME,
    label: "Okta",
    display: "Okta",
    parameter_sets: &["OktaToken", "OktaServiceApp"],
    http: true,
    foreign_field_hint: "",
    fields: &[
        field("uri", "OrgUrl", Uri, true),
        field("clientId", "ClientId", Text, false),
        field("numberChallenge", "NumberChallenge", Switch, false),
        field("applicationName", "ApplicationName", Text, false),
    ],
    secrets: &[
        secret(
            7,
            "oktaApiToken",
            "ApiToken",
            SecretSource::SecureString,
            false,
            |s| s.okta_api_token.is_some(),
            "OktaApiToken",
        ),
        secret(
            8,
            "oktaPrivateKey",
            "PrivateKeyFile",
            SecretSource::File,
            false,
            |s| s.okta_private_key.is_some(),
            "OktaServiceApp",
        ),
    ],
    resolves_identity: true,
    names_only_identity: false,
    withdraw: true,
    code_sentence: Some("{0}: pick number {1} in Okta Verify to approve."),
    queries: &["testSecurity", "userExists", "getUserSettings"],
    test: &["testSecurity", "userExists"],
    test_success: "Okta answered with this credential, and a user lookup round trip succeeded",
    next_step,
    takes: "-OrgUrl with -ApiToken, or -OrgUrl with -ClientId and -PrivateKeyFile (and only those take them)",
    host_field: None,
    caller_field: Some("clientId"),
    reason_is_push_text: false,
};

fn next_step(kind: FailureKind) -> Option<&'static str> {
    Some(match kind {
        FailureKind::Dns => "check the host name in -OrgUrl (uri) and this machine's DNS; where only a proxy reaches the Internet, give -Proxy or -UseSystemProxy (proxy).",
        FailureKind::Connect => "check -OrgUrl (uri), this machine's firewall and outbound HTTPS; where only a proxy reaches the Internet, give -Proxy or -UseSystemProxy (proxy).",
        FailureKind::Authentication => "check -ApiToken (the API token secret), or -ClientId and -PrivateKeyFile (clientId and the private key) and the service app's scopes okta.users.read and okta.users.manage, against the Okta Admin Console; and -OrgUrl (uri).",
        FailureKind::HttpStatus => "429 means Okta's rate limit for this org was reached and 5xx that Okta is busy (see status.okta.com): try again later; otherwise check -OrgUrl (uri).",
        _ => return None,
    })
}
