//! Checking a whole configuration: the common fields here, each provider's and each
//! feature's own fields in their modules (proxy, audit, Duo). Reads no file and no network.

use crate::check::{check_seconds, check_text, parse_fingerprint, ConfigError};
use crate::config::{ClientConfig, Secrets, PROVIDERS};
use zeroize::Zeroizing;

impl ClientConfig {
    /// Parses JSON (a leading UTF-8 byte order mark is allowed), naming the field that is
    /// wrong; a Duo `apiHost` becomes the `uri` (checked: host and optional port only).
    pub fn from_json(bytes: &[u8]) -> Result<Self, ConfigError> {
        let mut config: Self = serde_json::from_slice(mfa_protocol::text::without_utf8_bom(bytes))
            .map_err(|e| {
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
        if config.uri.is_empty() && config.provider != "radius" {
            return Err(ConfigError::new("uri", "is required"));
        }
        Ok(config)
    }

    /// Checks everything that can be checked without touching files or the network.
    pub fn validate(&self, secrets: &Secrets) -> Result<(), ConfigError> {
        crate::audit::config::validate(self, secrets)?;
        if self.allow_name_only_identity
            && crate::identity::RESOLVED_BY.contains(&self.provider.as_str())
        {
            return Err(ConfigError::new(
                "allowNameOnlyIdentity",
                format!(
                    "provider {} tells people apart by who it resolves them to, never by names alone; leave it out (it is for providers that cannot, such as radius)",
                    self.provider
                ),
            ));
        }
        if self.provider == "radius" {
            return crate::radius::config::validate(self, secrets);
        }
        crate::radius::config::refuse_on_other_providers(self, secrets)?;
        let scheme = self.scheme()?;
        crate::proxy::validate(self, secrets)?;
        for (i, pin) in self.server_certificate_sha256.iter().enumerate() {
            parse_fingerprint(&format!("serverCertificateSha256[{i}]"), pin)?;
        }
        check_seconds("httpTimeoutSeconds", self.http_timeout_seconds)?;
        if let Some(p) = &self.audit_path {
            crate::audit::check_path(p)?;
        }
        crate::okta::config::refuse_elsewhere(self, secrets)?;
        crate::privacyidea::config::refuse_elsewhere(self)?;
        match self.provider.as_str() {
            "okta" => crate::okta::config::validate(self, secrets, scheme),
            "privacyidea" => crate::privacyidea::config::validate(self, secrets, scheme),
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
        if !mfa_protocol::soap::AUTHENTICATION_TYPES
            .contains(&self.initiating_authentication_type.as_str())
        {
            return Err(ConfigError::new(
                "initiatingAuthenticationType",
                format!(
                    "'{}' is not one of {}",
                    self.initiating_authentication_type,
                    mfa_protocol::soap::AUTHENTICATION_TYPES.join(", ")
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
                        "must be set to send a credential to a plain http:// uri, where anyone on the network can read it; use an https:// uri, or set it to accept that",
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
            radius_shared_secret: (self.provider == "radius").then(|| Zeroizing::new("x".into())),
            radius_password: (self.password_mode == crate::config::PasswordMode::Fixed)
                .then(|| Zeroizing::new(String::new())),
            okta_api_token: (self.provider == "okta" && self.client_id.is_none())
                .then(|| Zeroizing::new("x".repeat(40))),
            okta_private_key: (self.provider == "okta" && self.client_id.is_some())
                .then(|| Zeroizing::new(crate::okta::config::ASSUMED_KEY.into())),
            audit_key: None,
        };
        self.validate(&assumed)
    }
}
