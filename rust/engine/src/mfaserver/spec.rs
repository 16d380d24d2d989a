//! MFA Server's description in the provider registry: plain data (how it is checked and
//! built is `build.rs`), below the provider, so `next_step` and the configuration reader read it.

use crate::failure::FailureKind;
use crate::registry::types::{
    field, secret, ProviderSpec, SecretSource, ValueKind::*, CLIENT_CERTIFICATE_FILE,
    CLIENT_CERTIFICATE_PASSWORD, CLIENT_KEY_FILE,
};

/// The provider name (`provider` in the configuration).
pub const NAME: &str = "mfaserver";

/// The MFA Server SDK (SOAP): the default provider.
pub static SPEC: ProviderSpec = ProviderSpec {
    name: NAME,
    label: "MfaServer",
    display: "MFA Server",
    parameter_sets: &["MfaServer"],
    http: true,
    foreign_field_hint: "",
    fields: &[
        field("uri", "Uri", Uri, true),
        field("userName", "Credential", CredentialUser, false),
        field("basicMode", "BasicAuthentication", Choice, false),
        CLIENT_CERTIFICATE_FILE,
        CLIENT_KEY_FILE,
        field(
            "initiatingAuthenticationType",
            "InitiatingAuthenticationType",
            Text,
            false,
        ),
        field("applicationName", "ApplicationName", Text, false),
        field("requireUserMatch", "AllowUnknownUser", NotSwitch, false),
    ],
    secrets: &[
        secret(
            1,
            "basicPassword",
            "Credential",
            SecretSource::Credential,
            false,
            |s| s.basic_password.is_some(),
            "Basic",
        ),
        CLIENT_CERTIFICATE_PASSWORD,
    ],
    resolves_identity: true,
    names_only_identity: false,
    withdraw: false,
    code_sentence: None,
    queries: &[
        "testSecurity",
        "userExists",
        "getUserSettings",
        "generateActivationCode",
    ],
    test: &["testSecurity", "userExists"],
    test_success: "TestSecurity and an authenticated round trip succeeded",
    next_step,
    takes: "-Uri (the SDK's .../PfWsSdk.asmx URL), with -Credential or -ClientCertificateFile",
    host_field: None,
    caller_field: Some("userName"),
    reason_is_push_text: false,
};

fn next_step(kind: FailureKind) -> Option<&'static str> {
    Some(match kind {
        FailureKind::Connect => "check the host and port in -Uri (uri), that the MFA Server Web Service SDK is running in IIS, and the firewall; behind a proxy, give -Proxy or -UseSystemProxy (proxy).",
        FailureKind::Authentication => "check -Credential (userName and its password; the account must be in the MFA Server's PhoneFactor Admins group) or -ClientCertificateFile, and try -BasicAuthentication Challenge (basicMode) where IIS wants a challenge first.",
        FailureKind::HttpStatus => "check the path in -Uri (uri; the SDK is .../MultiFactorAuthWebServiceSdk/PfWsSdk.asmx) and the IIS logs; 429 and 503 mean the server is busy: try again later.",
        _ => return None,
    })
}
