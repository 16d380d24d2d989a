//! The Duo part of the client configuration: what must be set, what must not.

use crate::check::{check_text, ConfigError};
use crate::config::{ClientConfig, Secrets};

/// Checks a `provider: duo` configuration.
pub fn validate(config: &ClientConfig, secrets: &Secrets, scheme: &str) -> Result<(), ConfigError> {
    for (field, set) in [
        ("userName", config.user_name.is_some()),
        ("basicPassword", secrets.basic_password.is_some()),
        (
            "clientCertificateFile",
            config.client_certificate_file.is_some(),
        ),
        ("clientKeyFile", config.client_key_file.is_some()),
        ("requireUserMatch", !config.require_user_match),
    ] {
        if set {
            return Err(ConfigError::new(
                field,
                "is an MFA Server setting; provider is duo",
            ));
        }
    }
    let ikey = config
        .integration_key
        .as_deref()
        .ok_or_else(|| ConfigError::new("integrationKey", "is required for provider duo"))?;
    check_text("integrationKey", ikey, true)?;
    if !ikey.bytes().all(|b| b.is_ascii_alphanumeric()) || ikey.len() > 64 {
        return Err(ConfigError::new(
            "integrationKey",
            "must be letters and digits only (Duo integration keys look like DIWJ8X6AEYOR5OMC6TQ1)",
        ));
    }
    match &secrets.duo_secret_key {
        None => {
            return Err(ConfigError::new(
                "duoSecretKey",
                "is required for provider duo (pass it as a secret, never in the JSON)",
            ))
        }
        Some(k) if k.trim().is_empty() || k.len() > 256 || k.chars().any(char::is_control) => {
            return Err(ConfigError::new(
                "duoSecretKey",
                "must be the integration's secret key (1 to 256 printable characters)",
            ))
        }
        Some(_) => {}
    }
    if !matches!(config.signature_version, 2 | 5) {
        return Err(ConfigError::new(
            "signatureVersion",
            format!(
                "must be 5 (default) or 2 (got {})",
                config.signature_version
            ),
        ));
    }
    if scheme == "http" && !config.allow_unencrypted_authentication {
        return Err(ConfigError::new(
            "allowUnencryptedAuthentication",
            "is not set, and uri is plain http://: Duo requests are signed with the secret key but their answers would be readable and forgeable; use https://",
        ));
    }
    let url =
        reqwest::Url::parse(&config.uri).map_err(|e| ConfigError::new("uri", e.to_string()))?;
    if url.path() != "/" || url.query().is_some() {
        return Err(ConfigError::new(
            "uri",
            "for provider duo is the API host only, e.g. https://api-xxxxxxxx.duosecurity.com",
        ));
    }
    Ok(())
}
