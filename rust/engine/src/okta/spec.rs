//! Okta's description in the provider registry.

use crate::outcome::FailureKind;
use crate::registry::{field, secret, ProviderSpec, SecretSource, ValueKind::*};
use std::sync::Arc;
use zeroize::Zeroizing;

/// Okta Verify through Okta's management API.
pub static SPEC: ProviderSpec = ProviderSpec {
    name: super::NAME,
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
    validate: |c, s| super::config::validate(c, s, c.scheme()?),
    assume: |c, s| {
        if c.client_id.is_some() {
            s.okta_private_key = Some(Zeroizing::new(super::config::ASSUMED_KEY.into()));
        } else {
            s.okta_api_token = Some(Zeroizing::new("x".repeat(40)));
        }
    },
    build: |c, s, r| Ok(Arc::new(super::Okta::new(c, s, r)?)),
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
