//! The Duo part of the client configuration: what must be set, what must not.

use crate::check::{check_text, ConfigError};
use crate::config::{ClientConfig, Secrets};

/// The connection URL for an `apiHost`: `https://host[:port]`. The host is a host name or
/// IP address and an optional port, nothing else: a scheme, user info (`user:pass@`), a
/// path, a query or a fragment is refused, and the error never repeats the value (it may
/// hold a credential typed in the wrong place).
pub fn api_host_uri(host: &str) -> Result<String, ConfigError> {
    let field = "apiHost";
    let example = "e.g. api-xxxxxxxx.duosecurity.com";
    if host.trim().is_empty() {
        return Err(ConfigError::new(field, "must not be empty"));
    }
    if host.len() > 260 || host.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(ConfigError::new(
            field,
            format!("must be a host name and an optional :port, without spaces or control characters ({example})"),
        ));
    }
    if host.contains("://") {
        return Err(ConfigError::new(
            field,
            format!("is the host alone, without a scheme such as https:// ({example})"),
        ));
    }
    if host.contains('@') {
        return Err(ConfigError::new(
            field,
            "must not contain user info (name:password@); the integration key and secret key are given on their own",
        ));
    }
    if host.contains(['/', '\\', '?', '#']) {
        return Err(ConfigError::new(
            field,
            format!("is the host and an optional :port only, without a path, query or fragment ({example})"),
        ));
    }
    let uri = format!("https://{host}");
    let parsed = reqwest::Url::parse(&uri).map_err(|_| {
        ConfigError::new(
            field,
            format!("is not a valid host name and optional :port ({example})"),
        )
    })?;
    if parsed.host_str().is_none_or(str::is_empty)
        || !parsed.username().is_empty()
        || parsed.password().is_some()
        || parsed.path() != "/"
        || parsed.query().is_some()
        || parsed.fragment().is_some()
    {
        return Err(ConfigError::new(
            field,
            format!("is the host and an optional :port only ({example})"),
        ));
    }
    Ok(uri)
}

/// Checks a `provider: duo` configuration.
pub fn validate(config: &ClientConfig, secrets: &Secrets, scheme: &str) -> Result<(), ConfigError> {
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
            "must be set to talk to Duo over a plain http:// uri: the requests are signed with the secret key, but the answers would be readable and forgeable; use https://",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientConfig;

    #[test]
    fn api_host_is_a_host_and_an_optional_port_only() {
        for ok in [
            "api-1234abcd.duosecurity.com",
            "127.0.0.1:8443",
            "[::1]:9",
            "API-X.example",
        ] {
            assert!(api_host_uri(ok).is_ok(), "{ok}");
        }
        for bad in [
            "svc:Hunter2@127.0.0.1:9",
            "Hunter2@host",
            "https://api.example",
            "http://api.example",
            "api.example/path",
            "api.example?x=Hunter2",
            "api.example#Hunter2",
            "api.example\\x",
            "api example",
            "api.example:99999",
            "api.example:port",
            "",
            " ",
            "a\u{1}b",
        ] {
            let e = api_host_uri(bad).unwrap_err();
            assert_eq!(e.field, "apiHost");
            assert!(!e.to_string().contains("Hunter2"), "{e}");
            if bad.len() > 3 {
                assert!(!e.to_string().contains(bad), "the value is not echoed: {e}");
            }
        }
    }

    #[test]
    fn api_host_in_the_configuration() {
        let c = ClientConfig::from_json(
            br#"{"provider":"duo","apiHost":"127.0.0.1:9","integrationKey":"DIWJ8X6AEYOR5OMC6TQ1"}"#,
        )
        .unwrap();
        assert_eq!(c.uri, "https://127.0.0.1:9");
        c.validate_fields().unwrap();
        for (json, field) in [
            (r#"{"provider":"duo","apiHost":"u:p@h"}"#, "apiHost"),
            (r#"{"apiHost":"h"}"#, "apiHost"),
            (
                r#"{"provider":"duo","apiHost":"h","uri":"https://h"}"#,
                "apiHost",
            ),
            (r#"{"provider":"duo"}"#, "uri"),
            (r#"{}"#, "uri"),
        ] {
            assert_eq!(
                ClientConfig::from_json(json.as_bytes()).unwrap_err().field,
                field,
                "{json}"
            );
        }
    }
}
