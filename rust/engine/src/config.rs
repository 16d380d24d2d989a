//! Client configuration: what a host passes (as JSON through the C ABI) to build a
//! reusable client, plus the secrets that travel separately.
//!
//! Every check names the field and what was wrong; no error ever contains a secret.

pub use crate::check::ConfigError;
use serde::Deserialize;
use zeroize::Zeroizing;

/// How HTTP Basic credentials are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum BasicMode {
    /// Send the `Authorization` header with the first request.
    #[default]
    Preemptive,
    /// Send it only after a `401` with a `WWW-Authenticate: Basic` challenge (what
    /// `New-WebServiceProxy -Credential` does).
    Challenge,
}

/// RADIUS: what goes in the PAP `User-Password`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum PasswordMode {
    /// An empty password (servers that push without a primary password).
    #[default]
    None,
    /// The `radiusPassword` secret (e.g. what a Duo Authentication Proxy expects).
    Fixed,
}

/// The client configuration. JSON names are camelCase; it is flat on the wire (hosts send
/// `{"provider":"duo","uri":...,"integrationKey":...}`), and [`ClientConfig::from_json`]
/// refuses every field the named provider does not take, as the provider registry lists
/// them (`crate::registry`): another provider's field is named as such, an unknown one gets
/// the list of what this provider takes, so a typo never silently weakens a setting.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientConfig {
    /// The provider: `mfaserver` (default) or `duo`.
    #[serde(default = "default_provider")]
    pub provider: String,
    /// The SDK endpoint, e.g. `https://mfa.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx`
    /// (Duo: the API host URL; or give `apiHost`). Required for `mfaserver` and `duo`
    /// (unless `apiHost` is given); `radius` uses `servers` instead.
    #[serde(default)]
    pub uri: String,
    /// Duo: the API host alone, `host` or `host:port` (no scheme, user info, path, query
    /// or fragment); `uri` becomes `https://<apiHost>`. Give it or `uri`, not both.
    #[serde(default)]
    pub api_host: Option<String>,
    /// HTTP Basic user name (the password travels as a secret).
    #[serde(default)]
    pub user_name: Option<String>,
    /// Preemptive (default) or challenge-response Basic.
    #[serde(default)]
    pub basic_mode: BasicMode,
    /// Allow Basic credentials over plain `http://` (off by default).
    #[serde(default)]
    pub allow_unencrypted_authentication: bool,
    /// Client certificate: a PEM file (certificate chain, and the key unless
    /// `clientKeyFile` is given) or a PKCS#12 (.pfx/.p12) file.
    #[serde(default)]
    pub client_certificate_file: Option<String>,
    /// PEM private key for `clientCertificateFile`, when the key is in its own file.
    #[serde(default)]
    pub client_key_file: Option<String>,
    /// SHA-256 fingerprints (hex; colons and spaces allowed) of accepted server
    /// certificates. When given, a matching end-entity certificate is trusted without
    /// chain or host-name checks (self-signed lab servers); nothing else is.
    #[serde(default)]
    pub server_certificate_sha256: Vec<String>,
    /// A PEM bundle of extra trusted CA certificates (added to the system roots).
    #[serde(default)]
    pub ca_certificate_file: Option<String>,
    /// Per-HTTP-call timeout in seconds (the SDK call itself may last ~100 s). Default 100.
    #[serde(default = "default_http_timeout")]
    pub http_timeout_seconds: f64,
    /// `initiatingAuthenticationType`, default `pfsdk` (newer servers want `userportal`).
    #[serde(default = "default_auth_type")]
    pub initiating_authentication_type: String,
    /// `applicationName` sent to the server. Default `MfaApproval`.
    #[serde(default = "default_application_name")]
    pub application_name: String,
    /// `requireUserMatch`, default `true`. `false` lets users the server does not know
    /// through **without MFA**: an explicit, loudly flagged opt-in.
    #[serde(default = "default_true")]
    pub require_user_match: bool,
    /// Duo: the integration key (the secret key travels as a secret).
    #[serde(default)]
    pub integration_key: Option<String>,
    /// Duo: request signature version, 5 (default) or 2 (older integrations).
    #[serde(default = "default_signature_version")]
    pub signature_version: u8,
    /// Duo: treat a preauth `allow` (the user bypasses 2FA) as an approval. Off by default;
    /// every such outcome carries a warning.
    #[serde(default)]
    pub allow_bypass: bool,
    /// Okta: ask for a number challenge (`useNumberMatchingChallenge`); the number to pick
    /// reaches the asker through the progress `code`.
    #[serde(default)]
    pub number_challenge: bool,
    /// Okta: the OAuth 2.0 service app's client id (`private_key_jwt`; its private key
    /// travels as a secret). Without it, an API token secret is used.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Outbound proxy: `none` (default), `system` (environment variables) or a URL
    /// (`http://host:port`). See the proxy module.
    #[serde(default)]
    pub proxy: Option<String>,
    /// User name for the proxy (its password travels as a secret).
    #[serde(default)]
    pub proxy_user_name: Option<String>,
    /// Append one JSON line per finished request to this file (absolute path). See
    /// the audit module.
    #[serde(default)]
    pub audit_path: Option<String>,
    /// RADIUS: the servers, `host[:port]` (port 1812 by default; IPv6 as `[addr]:port`),
    /// tried in order only when one refuses (ICMP port unreachable). See `radius::config`.
    #[serde(default)]
    pub servers: Vec<String>,
    /// RADIUS: `NAS-Identifier` (default `MfaApproval`).
    #[serde(default = "default_application_name")]
    pub nas_identifier: String,
    /// RADIUS: the PAP password, `none` (default: an empty password) or `fixed` (the
    /// `radiusPassword` secret).
    #[serde(default)]
    pub password_mode: PasswordMode,
    /// RADIUS: accept answers without a Message-Authenticator (Blast-RADIUS,
    /// CVE-2024-3596); off by default, and every outcome warns while it is on.
    #[serde(default)]
    pub allow_missing_message_authenticator: bool,
    /// RADIUS: resend the identical request every this many seconds while waiting
    /// (RFC 5080; never a new request, so never a second push). Off by default.
    #[serde(default)]
    pub retransmit_seconds: Option<f64>,
    /// Audit: a syslog server for every record, `udp://host[:514]`, `tcp://host[:601]` or
    /// `tls://host[:6514]` (RFC 5424 messages; see the audit module).
    #[serde(default)]
    pub syslog_server: Option<String>,
    /// Audit: a PEM bundle of CA certificates trusted for a `tls://` syslog server (added
    /// to the system roots).
    #[serde(default)]
    pub syslog_ca_certificate_file: Option<String>,
    /// Audit: SHA-256 fingerprints of accepted `tls://` syslog server certificates (pins,
    /// as `serverCertificateSha256` is for HTTPS).
    #[serde(default)]
    pub syslog_certificate_sha256: Vec<String>,
    /// Audit: which records an approval needs, `file`, `syslog` or `both` (default: the
    /// file when `auditPath` is set, else the syslog server).
    #[serde(default)]
    pub audit_required: Option<String>,
    /// Audit: also write every record to the Windows Event Log (Application log, source
    /// `MfaApproval`; Windows only).
    #[serde(default)]
    pub event_log: bool,
    /// A provider that cannot say who a name is (RADIUS): accept requests with several
    /// approvers or excluded names anyway, telling people apart by their names alone
    /// (outcomes then say `identityCheck: names`). Off by default: such requests are
    /// refused. Refused for providers that resolve identities (see `crate::identity`).
    #[serde(default)]
    pub allow_name_only_identity: bool,
    /// The realm the approvers are in, for a provider with realms (sent with every user;
    /// required there, so a name is never resolved in whatever the server's default realm is).
    #[serde(default)]
    pub realm: Option<String>,
    /// The server's response signing key, a PEM public key file, for a provider that signs
    /// its answers (see its folder). With it, an answer whose signature is missing
    /// or does not verify is never read, so nothing in between can forge an approval.
    #[serde(default)]
    pub response_signing_key_file: Option<String>,
}

fn default_signature_version() -> u8 {
    5
}

fn default_provider() -> String {
    "mfaserver".into()
}
fn default_http_timeout() -> f64 {
    100.0
}
fn default_auth_type() -> String {
    "pfsdk".into()
}
fn default_application_name() -> String {
    "MfaApproval".into()
}
fn default_true() -> bool {
    true
}

/// Secrets, kept apart from the JSON configuration and zeroized on drop.
#[derive(Default)]
pub struct Secrets {
    /// HTTP Basic password.
    pub basic_password: Option<Zeroizing<String>>,
    /// Password of a PKCS#12 client certificate (or of nothing, for PEM).
    pub client_certificate_password: Option<Zeroizing<String>>,
    /// Duo: the integration's secret key.
    pub duo_secret_key: Option<Zeroizing<String>>,
    /// The proxy password (for `proxyUserName`).
    pub proxy_password: Option<Zeroizing<String>>,
    /// RADIUS: the shared secret.
    pub radius_shared_secret: Option<Zeroizing<String>>,
    /// RADIUS: the PAP password (`passwordMode: fixed`).
    pub radius_password: Option<Zeroizing<String>>,
    /// Okta: an API token (sent as `Authorization: SSWS <token>`).
    pub okta_api_token: Option<Zeroizing<String>>,
    /// Okta: the service app's private key (PEM, PKCS#8 RSA or P-256) for `clientId`.
    pub okta_private_key: Option<Zeroizing<String>>,
    /// Audit: the key of the records' HMAC-SHA256 (at least 16 characters).
    pub audit_key: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field(
                "basic_password",
                &self.basic_password.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "client_certificate_password",
                &self
                    .client_certificate_password
                    .as_ref()
                    .map(|_| "<redacted>"),
            )
            .field(
                "duo_secret_key",
                &self.duo_secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "proxy_password",
                &self.proxy_password.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "radius_shared_secret",
                &self.radius_shared_secret.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "radius_password",
                &self.radius_password.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "okta_api_token",
                &self.okta_api_token.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "okta_private_key",
                &self.okta_private_key.as_ref().map(|_| "<redacted>"),
            )
            .field("audit_key", &self.audit_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl ClientConfig {
    /// The client-TLS settings of a provider that takes client certificates: a key
    /// needs its certificate, and no TLS setting goes with a plain http:// `uri` (`scheme`).
    pub fn check_client_tls(&self, scheme: &str) -> Result<(), ConfigError> {
        if self.client_key_file.is_some() && self.client_certificate_file.is_none() {
            return Err(ConfigError::new(
                "clientKeyFile",
                "is set without clientCertificateFile",
            ));
        }
        if scheme == "http"
            && (self.client_certificate_file.is_some()
                || !self.server_certificate_sha256.is_empty()
                || self.ca_certificate_file.is_some())
        {
            return Err(ConfigError::new(
                "uri",
                "is plain http:// but TLS settings (client certificate, pins or CA file) are set",
            ));
        }
        Ok(())
    }
}

// `ClientConfig::scheme` (the URI's check, whose message names the provider's own credential
// settings) is in `registry`: it reads the provider's description, which sits above this module.

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::parse_fingerprint;

    fn cfg(json: &str) -> Result<ClientConfig, ConfigError> {
        ClientConfig::from_json(json.as_bytes())
    }

    #[test]
    fn one_leading_utf8_bom_is_allowed_and_no_other() {
        let json = r#"{"uri":"https://mfa.contoso.com/x.asmx"}"#;
        let plain = cfg(json).unwrap();
        let with_bom = cfg(&format!("\u{feff}{json}")).unwrap();
        assert_eq!(with_bom.uri, plain.uri);
        for bad in [
            format!("\u{feff}\u{feff}{json}"),
            format!(" \u{feff}{json}"),
            format!("{json}\u{feff}"),
            "\u{feff}".to_string(),
        ] {
            let e = cfg(&bad).unwrap_err();
            assert_eq!(e.field, "config", "{bad:?}");
        }
        assert_eq!(
            mfa_protocol::text::without_utf8_bom(b"\xEF\xBB"),
            b"\xEF\xBB",
            "half a mark stays"
        );
    }
    fn with_password() -> Secrets {
        Secrets {
            basic_password: Some(Zeroizing::new("s3cret-Pa55".into())),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_are_safe() {
        let c = cfg(r#"{"uri":"https://mfa.example/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx"}"#)
            .unwrap();
        assert!(c.require_user_match);
        assert_eq!(c.initiating_authentication_type, "pfsdk");
        assert_eq!(c.http_timeout_seconds, 100.0);
        assert!(!c.allow_unencrypted_authentication);
        c.validate(&Secrets::default()).unwrap();
    }

    #[test]
    fn bad_values_name_their_field() {
        let cases = [
            (r#"{"uri":"ftp://x/y"}"#, "uri"),
            (r#"{"uri":"not a url"}"#, "uri"),
            (r#"{"uri":"https://u:p@x/y"}"#, "uri"),
            (r#"{"uri":"https://x/y","provider":"entra"}"#, "provider"),
            (
                r#"{"uri":"https://x/y","initiatingAuthenticationType":"bogus"}"#,
                "initiatingAuthenticationType",
            ),
            (
                r#"{"uri":"https://x/y","httpTimeoutSeconds":-1}"#,
                "httpTimeoutSeconds",
            ),
            (
                r#"{"uri":"https://x/y","serverCertificateSha256":["00"]}"#,
                "serverCertificateSha256[0]",
            ),
            (
                r#"{"uri":"https://x/y","applicationName":"a\u0001b"}"#,
                "applicationName",
            ),
            (
                r#"{"provider":"duo","apiHost":"api-1.duosecurity.com","integrationKey":"DIXXXXXXXXXXXXXXXXXX","applicationName":"Pay \u202e0001"}"#,
                "applicationName",
            ),
            (
                r#"{"uri":"https://x/y","clientKeyFile":"k.pem"}"#,
                "clientKeyFile",
            ),
        ];
        for (json, field) in cases {
            let err = cfg(json)
                .and_then(|c| c.validate(&Secrets::default()).map(|_| c))
                .unwrap_err();
            assert_eq!(err.field, field, "{json}: {err}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let err = cfg(r#"{"uri":"https://x/y","requireUsermatch":false}"#).unwrap_err();
        assert_eq!(err.field, "requireUsermatch", "{err}");
        assert!(err.problem.contains("provider mfaserver takes:"), "{err}");
        assert!(err.problem.contains("requireUserMatch"), "{err}");
        let err = cfg(r#"{"uri":"https://x/y","integrationKey":"DI"}"#).unwrap_err();
        assert_eq!(err.field, "integrationKey", "{err}");
        assert_eq!(err.problem, "is a Duo setting; provider is mfaserver");
        let err = cfg(r#"{"uri":"https://x/y","uri":"https://z/"}"#).unwrap_err();
        assert_eq!(err.field, "config", "a duplicated key is refused: {err}");
    }

    #[test]
    fn basic_over_http_needs_the_opt_in_and_errors_never_show_the_password() {
        let c = cfg(r#"{"uri":"http://x/y","userName":"admin"}"#).unwrap();
        let err = c.validate(&with_password()).unwrap_err();
        assert_eq!(err.field, "allowUnencryptedAuthentication");
        assert!(!err.to_string().contains("s3cret"));
        let c =
            cfg(r#"{"uri":"http://x/y","userName":"admin","allowUnencryptedAuthentication":true}"#)
                .unwrap();
        c.validate(&with_password()).unwrap();
        let c = cfg(r#"{"uri":"https://x/y","userName":"admin"}"#).unwrap();
        assert_eq!(
            c.validate(&Secrets::default()).unwrap_err().field,
            "basicPassword"
        );
        assert!(!format!("{:?}", with_password()).contains("s3cret"));
    }

    #[test]
    fn fingerprints_accept_common_spellings() {
        let hex = "AB".repeat(32);
        let colons = vec!["ab"; 32].join(":");
        assert_eq!(parse_fingerprint("f", &hex).unwrap(), [0xab; 32]);
        assert_eq!(parse_fingerprint("f", &colons).unwrap(), [0xab; 32]);
        assert!(parse_fingerprint("f", &"zz".repeat(32)).is_err());
    }
}
