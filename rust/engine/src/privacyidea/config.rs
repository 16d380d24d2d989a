//! The privacyIDEA part of the client configuration. The common fields keep their meaning:
//! `uri` is the server's base URL (`https://pi.contoso.com`, or with the path privacyIDEA is
//! served under), `userName` the service account (a privacyIDEA admin) whose password travels
//! as the `MFA_SECRET_BASIC_PASSWORD` secret (it is the password for `userName`, the same shape
//! every host already passes for `-Credential`), and TLS, proxy, timeouts and the audit trail
//! as for every HTTP provider. What only privacyIDEA has is one nested object, whose unknown
//! fields are refused:
//!
//! ```json
//! "privacyidea": { "realm": "contoso", "responseSigningKeyFile": "C:\\MfaApproval\\pi-public.pem" }
//! ```

use crate::check::{check_text, ConfigError};
use crate::config::{BasicMode, ClientConfig, Secrets};

/// The provider name (`provider` in the configuration).
pub const NAME: &str = "privacyidea";

pub use super::settings::PrivacyIdeaConfig;

/// Refuses a `privacyidea` object on another provider's connection.
pub fn refuse_elsewhere(config: &ClientConfig) -> Result<(), ConfigError> {
    if config.provider != NAME && config.privacyidea.is_some() {
        return Err(ConfigError::new(
            NAME,
            format!("is a privacyIDEA setting; provider is {}", config.provider),
        ));
    }
    Ok(())
}

/// Is `url` on this machine (the only place plain http is allowed, for tests)?
fn loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A realm name as privacyIDEA allows it: letters, digits, `-`, `_` and `.`.
fn check_realm(realm: &str) -> Result<(), ConfigError> {
    let field = "privacyidea.realm";
    check_text(field, realm, true)?;
    if realm.len() > 128
        || !realm
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(ConfigError::new(
            field,
            "must be a privacyIDEA realm name (letters, digits, '-', '_' and '.', at most 128)",
        ));
    }
    Ok(())
}

/// Checks a `provider: privacyidea` configuration (reads no file).
pub fn validate(config: &ClientConfig, secrets: &Secrets, scheme: &str) -> Result<(), ConfigError> {
    for (field, set) in [
        ("requireUserMatch", !config.require_user_match),
        ("integrationKey", config.integration_key.is_some()),
        ("duoSecretKey", secrets.duo_secret_key.is_some()),
        ("allowBypass", config.allow_bypass),
        ("basicMode", config.basic_mode != BasicMode::Preemptive),
    ] {
        if set {
            return Err(ConfigError::new(
                field,
                "is not a privacyIDEA setting; provider is privacyidea",
            ));
        }
    }
    let pi = config.privacyidea.as_ref().ok_or_else(|| {
        ConfigError::new(
            NAME,
            "is required for provider privacyidea: an object with at least the approvers' realm (privacyidea.realm)",
        )
    })?;
    check_realm(&pi.realm)?;
    if let Some(file) = &pi.response_signing_key_file {
        check_text("privacyidea.responseSigningKeyFile", file, true)?;
    }
    let url =
        reqwest::Url::parse(&config.uri).map_err(|e| ConfigError::new("uri", e.to_string()))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::new(
            "uri",
            "for provider privacyidea is the server's base URL (no query or fragment), e.g. https://pi.contoso.com",
        ));
    }
    if scheme == "http" && !(config.allow_unencrypted_authentication && loopback(&url)) {
        return Err(ConfigError::new(
            "uri",
            "for provider privacyidea must be https:// (the service account's password and its token would travel readable, and the answers forgeable)",
        ));
    }
    if scheme == "http"
        && (config.client_certificate_file.is_some()
            || !config.server_certificate_sha256.is_empty()
            || config.ca_certificate_file.is_some())
    {
        return Err(ConfigError::new(
            "uri",
            "is plain http:// but TLS settings (client certificate, pins or CA file) are set",
        ));
    }
    if config.client_key_file.is_some() && config.client_certificate_file.is_none() {
        return Err(ConfigError::new(
            "clientKeyFile",
            "is set without clientCertificateFile",
        ));
    }
    match (&config.user_name, &secrets.basic_password) {
        (Some(user), Some(_)) => check_text("userName", user, true),
        (None, _) => Err(ConfigError::new(
            "userName",
            "is required for provider privacyidea: the service account (a privacyIDEA admin allowed triggerchallenge), with its password as the basic password secret",
        )),
        (Some(_), None) => Err(ConfigError::new(
            "basicPassword",
            "userName is set but no password secret was given (the service account's password)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn check(json: &str, password: Option<&str>) -> Result<(), ConfigError> {
        let c = ClientConfig::from_json(json.as_bytes())?;
        let secrets = Secrets {
            basic_password: password.map(|p| Zeroizing::new(p.to_owned())),
            ..Default::default()
        };
        c.validate(&secrets)
    }

    const GOOD: &str = r#"{"provider":"privacyidea","uri":"https://pi.contoso.com","userName":"svc-mfa","privacyidea":{"realm":"contoso"}}"#;

    #[test]
    fn a_minimal_configuration_is_accepted() {
        check(GOOD, Some("pw")).unwrap();
        check(
            r#"{"provider":"privacyidea","uri":"https://pi.contoso.com/privacyidea/","userName":"svc","privacyidea":{"realm":"a.b-c_d","responseSigningKeyFile":"/etc/pi/public.pem"}}"#,
            Some("pw"),
        )
        .unwrap();
    }

    #[test]
    fn every_wrong_field_is_named() {
        let cases = [
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s"}"#,
                "privacyidea",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","privacyidea":{}}"#,
                "config",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","privacyidea":{"realm":"c","realms":"d"}}"#,
                "config",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","privacyidea":{"realm":"c d"}}"#,
                "privacyidea.realm",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","privacyidea":{"realm":""}}"#,
                "privacyidea.realm",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","privacyidea":{"realm":"c","responseSigningKeyFile":""}}"#,
                "privacyidea.responseSigningKeyFile",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi?x=1","userName":"s","privacyidea":{"realm":"c"}}"#,
                "uri",
            ),
            (
                r#"{"provider":"privacyidea","uri":"http://pi.contoso.com","userName":"s","allowUnencryptedAuthentication":true,"privacyidea":{"realm":"c"}}"#,
                "uri",
            ),
            (
                r#"{"provider":"privacyidea","uri":"http://127.0.0.1:1","userName":"s","privacyidea":{"realm":"c"}}"#,
                "uri",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","privacyidea":{"realm":"c"}}"#,
                "userName",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","requireUserMatch":false,"privacyidea":{"realm":"c"}}"#,
                "requireUserMatch",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","basicMode":"challenge","privacyidea":{"realm":"c"}}"#,
                "basicMode",
            ),
            (
                r#"{"provider":"duo","uri":"https://api-1.duosecurity.com","integrationKey":"DI","privacyidea":{"realm":"c"}}"#,
                "privacyidea",
            ),
            (
                r#"{"uri":"https://mfa/x.asmx","privacyidea":{"realm":"c"}}"#,
                "privacyidea",
            ),
        ];
        for (json, field) in cases {
            let e = check(json, Some("pw")).unwrap_err();
            assert_eq!(e.field, field, "{json}: {e}");
        }
        assert_eq!(check(GOOD, None).unwrap_err().field, "basicPassword");
        check(
            r#"{"provider":"privacyidea","uri":"http://127.0.0.1:1","userName":"s","allowUnencryptedAuthentication":true,"privacyidea":{"realm":"c"}}"#,
            Some("pw"),
        )
        .unwrap();
    }
}
