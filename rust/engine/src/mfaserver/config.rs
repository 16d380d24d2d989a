//! What a `provider: mfaserver` configuration must and must not set (its part of
//! [`ClientConfig::validate`]; the common and HTTP checks are `crate::validate`'s).

use crate::check::{check_text, ConfigError};
use crate::config::{ClientConfig, Secrets};

/// MFA Server's part of [`ClientConfig::validate`] (its constructor, `build.rs`, calls it):
/// `scheme` is the `uri`'s.
pub fn validate(config: &ClientConfig, secrets: &Secrets, scheme: &str) -> Result<(), ConfigError> {
    check_text("applicationName", &config.application_name, false)?;
    if !mfa_protocol::soap::AUTHENTICATION_TYPES
        .contains(&config.initiating_authentication_type.as_str())
    {
        return Err(ConfigError::new(
            "initiatingAuthenticationType",
            format!(
                "'{}' is not one of {}",
                config.initiating_authentication_type,
                mfa_protocol::soap::AUTHENTICATION_TYPES.join(", ")
            ),
        ));
    }
    match (&config.user_name, &secrets.basic_password) {
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
            if scheme == "http" && !config.allow_unencrypted_authentication {
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
    config.check_client_tls(scheme)?;
    Ok(())
}
