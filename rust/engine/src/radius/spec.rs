//! RADIUS's description in the provider registry: plain data (how it is checked and
//! built is `build.rs`), below the provider, so `next_step` and the configuration reader read it.

use crate::failure::FailureKind;
use crate::registry::types::{field, secret, ProviderSpec, SecretSource, ValueKind::*};

/// The provider name (`provider` in the configuration).
pub const NAME: &str = "radius";

/// RADIUS (PAP over UDP) to servers that push (NPS extension, Duo Authentication Proxy...).
pub static SPEC: ProviderSpec = ProviderSpec {
    name: NAME,
    label: "Radius",
    display: "RADIUS",
    parameter_sets: &["Radius"],
    http: false,
    foreign_field_hint:
        " (RADIUS is UDP to servers; no URL, TLS, proxy or HTTP credential applies)",
    fields: &[
        field("servers", "Server", TextList, true),
        field("nasIdentifier", "NasIdentifier", Text, false),
        field("passwordMode", "PasswordMode", Choice, false),
        field(
            "allowMissingMessageAuthenticator",
            "AllowMissingMessageAuthenticator",
            Switch,
            false,
        ),
        field("retransmitSeconds", "", Number, false),
    ],
    secrets: &[
        secret(
            5,
            "radiusSharedSecret",
            "SharedSecret",
            SecretSource::SecureString,
            true,
            |s| s.radius_shared_secret.is_some(),
            "SharedSecret",
        ),
        secret(
            6,
            "radiusPassword",
            "Password",
            SecretSource::SecureString,
            false,
            |s| s.radius_password.is_some(),
            "",
        ),
    ],
    resolves_identity: false,
    names_only_identity: true,
    withdraw: false,
    code_sentence: None,
    queries: &[],
    test: &[],
    test_success: "",
    next_step,
    takes: "-Server and -SharedSecret (with -Password or -PasswordMode, -NasIdentifier and -AllowMissingMessageAuthenticator as needed)",
    host_field: None,
    caller_field: Some("nasIdentifier"),
    reason_is_push_text: false,
};

fn next_step(kind: FailureKind) -> Option<&'static str> {
    Some(match kind {
        FailureKind::Dns => "check the host names in -Server (servers) and this machine's DNS.",
        FailureKind::Connect => "check -Server (servers): the host, the UDP port (1812 unless given), the firewall, and that the RADIUS server is running.",
        FailureKind::Timeout => "no answer in time: the person did not answer, or the RADIUS server dropped the request (a wrong -SharedSecret, this machine not one of its clients, a missing Message-Authenticator): check the server's log; give more time with -Timeout.",
        FailureKind::Identity => "RADIUS cannot say who a name is: name one approver with no -ExcludeUserName, or make the connection with -AllowNameOnlyIdentity (allowNameOnlyIdentity) to let names alone tell people apart.",
        _ => return None,
    })
}
