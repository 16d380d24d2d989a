//! Client configuration: what a host passes (as JSON through the C ABI) to build a
//! reusable client, plus the secrets that travel separately.
//!
//! Every check names the field and what was wrong; no error ever contains a secret.

use serde::Deserialize;
use std::time::Duration;
use zeroize::Zeroizing;

/// A configuration problem: which field, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ConfigError {
    /// The field (JSON name), e.g. `uri` or `serverCertificateSha256[1]`.
    pub field: String,
    /// What was wrong with it.
    pub problem: String,
}

impl ConfigError {
    /// Makes an error for `field`.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

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

/// The providers (`provider` in the configuration).
pub const PROVIDERS: &[&str] = &["mfaserver", "duo"];

/// The `initiatingAuthenticationType` values the SDK's `AuthenticationType` enum names.
pub const AUTHENTICATION_TYPES: &[&str] = &[
    "adfs",
    "iso8583",
    "user_enrollment",
    "activation",
    "ldap",
    "terminal_services",
    "logmein",
    "userportal",
    "pfsdk",
    "pfwebui",
    "isapi",
    "radius",
    "mswin",
    "test",
    "invalid",
    "unspecified",
];

/// The client configuration. JSON names are camelCase; unknown fields are rejected so a
/// typo never silently weakens a setting.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientConfig {
    /// The provider: `mfaserver` (default) or `duo`.
    #[serde(default = "default_provider")]
    pub provider: String,
    /// The SDK endpoint, e.g. `https://mfa.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx`
    /// (Duo: the API host URL; or give `apiHost`). Required unless `apiHost` is given.
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
    /// Outbound proxy: `none` (default), `system` (environment variables) or a URL
    /// (`http://host:port`). See [`crate::proxy`].
    #[serde(default)]
    pub proxy: Option<String>,
    /// User name for the proxy (its password travels as a secret).
    #[serde(default)]
    pub proxy_user_name: Option<String>,
    /// Append one JSON line per finished request to this file (absolute path). See
    /// [`crate::audit`].
    #[serde(default)]
    pub audit_path: Option<String>,
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
            .finish()
    }
}

/// Largest length, in characters, accepted for user names, application names and the
/// like (Windows UPNs are at most 256 characters).
pub const MAX_NAME_CHARS: usize = 256;

/// Checks a free-text value that goes on the wire: not empty (when `required`), at most
/// [`MAX_NAME_CHARS`] characters, no control characters (XML 1.0 cannot carry most of them).
pub fn check_text(field: &str, value: &str, required: bool) -> Result<(), ConfigError> {
    if required && value.trim().is_empty() {
        return Err(ConfigError::new(field, "must not be empty or blank"));
    }
    let n = value.chars().count();
    if n > MAX_NAME_CHARS {
        return Err(ConfigError::new(
            field,
            format!("is {n} characters long; at most {MAX_NAME_CHARS} are allowed"),
        ));
    }
    if let Some((i, c)) = value.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(ConfigError::new(
            field,
            format!(
                "contains control character U+{:04X} at position {i}",
                c as u32
            ),
        ));
    }
    Ok(())
}

/// Parses a SHA-256 fingerprint written as hex, with optional `:`/space/`-` separators.
pub fn parse_fingerprint(field: &str, text: &str) -> Result<[u8; 32], ConfigError> {
    let hex: String = text
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ConfigError::new(
            field,
            format!("must be a SHA-256 fingerprint: 64 hex digits (got {} characters after removing separators)", hex.len()),
        ));
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("checked hex");
    }
    Ok(out)
}

/// The largest number of seconds any timeout may be (a day).
pub const MAX_SECONDS: f64 = 86_400.0;

/// Per-call timeouts must be positive, finite and at most [`MAX_SECONDS`].
pub fn check_seconds(field: &str, seconds: f64) -> Result<Duration, ConfigError> {
    if !seconds.is_finite() || seconds <= 0.0 || seconds > MAX_SECONDS {
        return Err(ConfigError::new(
            field,
            format!(
                "must be a number of seconds above 0 and at most {MAX_SECONDS} (got {seconds})"
            ),
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

impl ClientConfig {
    /// Parses JSON, naming the field that is wrong.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ConfigError> {
        let mut config: Self = serde_json::from_slice(bytes).map_err(|e| {
            ConfigError::new("config", format!("is not a valid configuration: {e}"))
        })?;
        if let Some(host) = &config.api_host {
            if config.provider != "duo" {
                return Err(ConfigError::new(
                    "apiHost",
                    "is a Duo setting; provider is not duo",
                ));
            }
            if !config.uri.is_empty() {
                return Err(ConfigError::new("apiHost", "give apiHost or uri, not both"));
            }
            config.uri = crate::duo::config::api_host_uri(host)?;
        }
        if config.uri.is_empty() {
            return Err(ConfigError::new("uri", "is required"));
        }
        Ok(config)
    }

    /// Checks everything that can be checked without touching files or the network.
    pub fn validate(&self, secrets: &Secrets) -> Result<(), ConfigError> {
        let scheme = self.scheme()?;
        crate::proxy::validate(self, secrets)?;
        for (i, pin) in self.server_certificate_sha256.iter().enumerate() {
            parse_fingerprint(&format!("serverCertificateSha256[{i}]"), pin)?;
        }
        check_seconds("httpTimeoutSeconds", self.http_timeout_seconds)?;
        if let Some(p) = &self.audit_path {
            crate::audit::check_path(p)?;
        }
        match self.provider.as_str() {
            "mfaserver" => self.validate_mfaserver(secrets, scheme),
            "duo" => crate::duo::config::validate(self, secrets, scheme),
            other => Err(ConfigError::new(
                "provider",
                format!(
                    "unknown provider '{other}'; supported: {}",
                    PROVIDERS.join(", ")
                ),
            )),
        }
    }

    fn validate_mfaserver(&self, secrets: &Secrets, scheme: &str) -> Result<(), ConfigError> {
        for (field, set) in [
            ("integrationKey", self.integration_key.is_some()),
            ("allowBypass", self.allow_bypass),
            ("duoSecretKey", secrets.duo_secret_key.is_some()),
        ] {
            if set {
                return Err(ConfigError::new(
                    field,
                    "is a Duo setting; provider is mfaserver",
                ));
            }
        }
        check_text("applicationName", &self.application_name, false)?;
        if !AUTHENTICATION_TYPES.contains(&self.initiating_authentication_type.as_str()) {
            return Err(ConfigError::new(
                "initiatingAuthenticationType",
                format!(
                    "'{}' is not one of {}",
                    self.initiating_authentication_type,
                    AUTHENTICATION_TYPES.join(", ")
                ),
            ));
        }
        match (&self.user_name, &secrets.basic_password) {
            (Some(u), _) => {
                check_text("userName", u, true)?;
                if u.contains(':') {
                    return Err(ConfigError::new(
                        "userName",
                        "must not contain ':' (HTTP Basic cannot carry it)",
                    ));
                }
                if secrets.basic_password.is_none() {
                    return Err(ConfigError::new(
                        "basicPassword",
                        "userName is set but no password secret was given",
                    ));
                }
                if scheme == "http" && !self.allow_unencrypted_authentication {
                    return Err(ConfigError::new(
                        "allowUnencryptedAuthentication",
                        "is not set, and uri is plain http:// while a credential is set: use https://, or opt in to sending the credential unencrypted",
                    ));
                }
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "userName",
                    "a password secret was given without a userName",
                ))
            }
            (None, None) => {}
        }
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

    /// Checks the fields alone, as [`ClientConfig::validate`] would when the secrets match
    /// them (a `userName` is assumed to come with its password). Reads no file.
    pub fn validate_fields(&self) -> Result<(), ConfigError> {
        let assumed = Secrets {
            basic_password: self
                .user_name
                .as_ref()
                .map(|_| Zeroizing::new(String::new())),
            client_certificate_password: None,
            duo_secret_key: (self.provider == "duo").then(|| Zeroizing::new("x".repeat(40))),
            proxy_password: self
                .proxy_user_name
                .as_ref()
                .map(|_| Zeroizing::new(String::new())),
        };
        self.validate(&assumed)
    }

    /// `https` or `http`, or an error naming `uri`.
    pub fn scheme(&self) -> Result<&'static str, ConfigError> {
        let url = reqwest::Url::parse(&self.uri)
            .map_err(|e| ConfigError::new("uri", format!("is not an absolute URL: {e}")))?;
        let scheme = match url.scheme() {
            "https" => "https",
            "http" => "http",
            other => {
                return Err(ConfigError::new(
                    "uri",
                    format!("scheme '{other}' is not supported; use https:// (or http://)"),
                ))
            }
        };
        if url.host_str().map_or(true, str::is_empty) {
            return Err(ConfigError::new("uri", "has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ConfigError::new(
                "uri",
                "must not embed credentials; pass userName and the password secret instead",
            ));
        }
        Ok(scheme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(json: &str) -> Result<ClientConfig, ConfigError> {
        ClientConfig::from_json(json.as_bytes())
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
            (r#"{"uri":"https://x/y","provider":"okta"}"#, "provider"),
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
        assert!(err.problem.contains("requireUsermatch"), "{err}");
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
