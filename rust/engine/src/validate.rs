//! Checking a whole configuration: the common and HTTP fields here, each provider's own
//! through its registry entry, each feature's in its module (proxy, audit). Reads no file and
//! no network.

use crate::check::{check_seconds, parse_fingerprint, ConfigError};
use crate::config::{ClientConfig, Secrets};
use crate::registry;
use zeroize::Zeroizing;

impl ClientConfig {
    /// Parses JSON (a leading UTF-8 byte order mark is allowed), naming the field that is
    /// wrong. The object is split by the provider registry first: a field the named provider
    /// does not take is refused (another provider's is named as such; an unknown one gets the
    /// list of this provider's), then the whole is read strictly (types, duplicated keys). A
    /// Duo `apiHost` becomes the `uri` (checked: host and optional port only).
    pub fn from_json(bytes: &[u8]) -> Result<Self, ConfigError> {
        let bytes = mfa_protocol::text::without_utf8_bom(bytes);
        let invalid = |e: serde_json::Error| {
            ConfigError::new("config", format!("is not a valid configuration: {e}"))
        };
        let object: serde_json::Value = serde_json::from_slice(bytes).map_err(invalid)?;
        let serde_json::Value::Object(object) = object else {
            return Err(ConfigError::new(
                "config",
                "is not a valid configuration: it must be one JSON object",
            ));
        };
        let spec = registry::split(&object)?;
        let mut config: Self = serde_json::from_slice(bytes).map_err(invalid)?;
        config.provider = spec.name.to_owned();
        if let Some(host) = &config.api_host {
            if !config.uri.is_empty() {
                return Err(ConfigError::new("apiHost", "give apiHost or uri, not both"));
            }
            config.uri = crate::duo::config::api_host_uri(host)?;
        }
        if config.uri.is_empty() && spec.takes("uri") {
            return Err(ConfigError::new("uri", "is required"));
        }
        Ok(config)
    }

    /// Checks everything that can be checked without touching files or the network.
    pub fn validate(&self, secrets: &Secrets) -> Result<(), ConfigError> {
        let spec = registry::lookup(&self.provider)?;
        registry::refuse_foreign_secrets(spec, secrets)?;
        crate::audit::config::validate(self, secrets)?;
        // Shown on the push, so the push text's rule (no invisible or bidi characters).
        crate::approvers::check_shown_text("applicationName", &self.application_name, false)?;
        if self.allow_name_only_identity && !spec.names_only_identity {
            return Err(ConfigError::new(
                "allowNameOnlyIdentity",
                format!(
                    "provider {} tells people apart by who it resolves them to, never by names alone; leave it out (it is for providers that cannot, such as radius)",
                    self.provider
                ),
            ));
        }
        if spec.http {
            self.scheme()?;
            crate::proxy::validate(self, secrets)?;
            for (i, pin) in self.server_certificate_sha256.iter().enumerate() {
                parse_fingerprint(&format!("serverCertificateSha256[{i}]"), pin)?;
            }
            check_seconds("httpTimeoutSeconds", self.http_timeout_seconds)?;
        }
        if let Some(p) = &self.audit_path {
            crate::audit::check_path(p)?;
        }
        (registry::build::lookup(&self.provider)?.validate)(self, secrets)
    }

    /// Checks the fields alone, as [`ClientConfig::validate`] would when the secrets match
    /// them (a `userName` is assumed to come with its password). Reads no file.
    pub fn validate_fields(&self) -> Result<(), ConfigError> {
        let mut assumed = Secrets {
            basic_password: self
                .user_name
                .as_ref()
                .map(|_| Zeroizing::new(String::new())),
            proxy_password: self
                .proxy_user_name
                .as_ref()
                .map(|_| Zeroizing::new(String::new())),
            ..Secrets::default()
        };
        if let Ok(constructor) = registry::build::lookup(&self.provider) {
            (constructor.assume)(self, &mut assumed);
        }
        self.validate(&assumed)
    }
}
