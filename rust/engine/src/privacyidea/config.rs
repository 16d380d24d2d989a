//! The privacyIDEA part of the client configuration. The common fields keep their meaning:
//! `uri` is the server's base URL (`https://pi.contoso.com`, or with the path privacyIDEA is
//! served under), `userName` the service account (a privacyIDEA admin) whose password travels
//! as the `MFA_SECRET_BASIC_PASSWORD` secret (it is the password for `userName`, the same shape
//! every host already passes for `-Credential`), and TLS, proxy, timeouts and the audit trail
//! as for every HTTP provider. What only privacyIDEA has are two flat fields like every
//! other provider's (`realm`, required, and `responseSigningKeyFile`); the registry entry
//! (`spec.rs`) lists them, and the configuration reader refuses every other provider's:
//!
//! ```json
//! "realm": "contoso", "responseSigningKeyFile": "C:\\MfaApproval\\pi-public.pem"
//! ```

use crate::check::{check_text, ConfigError};
use crate::config::{ClientConfig, Secrets};

/// The provider name (`provider` in the configuration).
pub const NAME: &str = "privacyidea";

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
    let field = "realm";
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
    let realm = config.realm.as_deref().ok_or_else(|| {
        ConfigError::new(
            "realm",
            "is required for provider privacyidea: the realm the approvers are in",
        )
    })?;
    check_realm(realm)?;
    if let Some(file) = &config.response_signing_key_file {
        check_text("responseSigningKeyFile", file, true)?;
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
    config.check_client_tls(scheme)?;
    match (&config.user_name, &secrets.basic_password) {
        (Some(user), Some(_)) => check_text("userName", user, true),
        (None, _) => Err(ConfigError::new(
            "userName",
            "is required for provider privacyidea: the service account (a privacyIDEA admin allowed triggerchallenge) and the basicPassword secret",
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

    const GOOD: &str = r#"{"provider":"privacyidea","uri":"https://pi.contoso.com","userName":"svc-mfa","realm":"contoso"}"#;

    #[test]
    fn a_minimal_configuration_is_accepted() {
        check(GOOD, Some("pw")).unwrap();
        check(
            r#"{"provider":"privacyidea","uri":"https://pi.contoso.com/privacyidea/","userName":"svc","realm":"a.b-c_d","responseSigningKeyFile":"/etc/pi/public.pem"}"#,
            Some("pw"),
        )
        .unwrap();
    }

    #[test]
    fn every_wrong_field_is_named() {
        let cases = [
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s"}"#,
                "realm",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","realm":"c","realms":"d"}"#,
                "realms",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","privacyidea":{"realm":"c"}}"#,
                "privacyidea",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","realm":"c d"}"#,
                "realm",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","realm":""}"#,
                "realm",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","realm":"c","responseSigningKeyFile":""}"#,
                "responseSigningKeyFile",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi?x=1","userName":"s","realm":"c"}"#,
                "uri",
            ),
            (
                r#"{"provider":"privacyidea","uri":"http://pi.contoso.com","userName":"s","allowUnencryptedAuthentication":true,"realm":"c"}"#,
                "uri",
            ),
            (
                r#"{"provider":"privacyidea","uri":"http://127.0.0.1:1","userName":"s","realm":"c"}"#,
                "uri",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","realm":"c"}"#,
                "userName",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","requireUserMatch":false,"realm":"c"}"#,
                "requireUserMatch",
            ),
            (
                r#"{"provider":"privacyidea","uri":"https://pi","userName":"s","basicMode":"challenge","realm":"c"}"#,
                "basicMode",
            ),
            (
                r#"{"provider":"duo","uri":"https://api-1.duosecurity.com","integrationKey":"DI","realm":"c"}"#,
                "realm",
            ),
            (
                r#"{"uri":"https://mfa/x.asmx","responseSigningKeyFile":"k.pem"}"#,
                "responseSigningKeyFile",
            ),
        ];
        for (json, field) in cases {
            let e = check(json, Some("pw")).unwrap_err();
            assert_eq!(e.field, field, "{json}: {e}");
        }
        assert_eq!(check(GOOD, None).unwrap_err().field, "basicPassword");
        check(
            r#"{"provider":"privacyidea","uri":"http://127.0.0.1:1","userName":"s","allowUnencryptedAuthentication":true,"realm":"c"}"#,
            Some("pw"),
        )
        .unwrap();
    }
}
