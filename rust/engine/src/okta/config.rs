//! The Okta part of the client configuration: the org URL (an https origin), one credential
//! (an API token, or a service app's client id with its private key), the number challenge.

use crate::check::{check_text, ConfigError};
use crate::config::{ClientConfig, Secrets};

/// A syntactically valid key `validate_fields` assumes when `clientId` is set (the real
/// key is parsed when the client is built).
pub const ASSUMED_KEY: &str = "-----BEGIN PRIVATE KEY-----\nassumed\n-----END PRIVATE KEY-----";

/// An Okta `uri` with a path, query or fragment (the Admin Console's address is the usual one).
const URI_NOT_AN_ORIGIN: &str = "must be the org URL alone, scheme and host such as https://contoso.okta.com, with no path, query or fragment; an Admin Console address (https://contoso-admin.okta.com/admin/dashboard) is the usual mistake: drop -admin and the path";

/// An Okta `uri` on the Admin Console's host.
const URI_ADMIN_CONSOLE: &str = "is the Admin Console's address (its first name ends in -admin); use the org URL without -admin: https://contoso.okta.com for https://contoso-admin.okta.com";

/// Is `url` an Okta Admin Console host (`contoso-admin.okta.com`, `-admin.oktapreview.com`,
/// `-admin.okta-emea.com`)? The API is served on the org URL, not there.
fn is_admin_console(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let Some((first, domain)) = host.split_once('.') else {
        return false;
    };
    first.ends_with("-admin")
        && [
            "okta.com",
            "oktapreview.com",
            "okta-emea.com",
            "okta-gov.com",
            "okta.mil",
        ]
        .contains(&domain)
}

/// Is `host` this machine (the only place plain http is allowed, for tests)?
fn loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks a `provider: okta` configuration (`uri` is the org URL).
pub fn validate(config: &ClientConfig, secrets: &Secrets, scheme: &str) -> Result<(), ConfigError> {
    let url =
        reqwest::Url::parse(&config.uri).map_err(|e| ConfigError::new("uri", e.to_string()))?;
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::new("uri", URI_NOT_AN_ORIGIN));
    }
    if is_admin_console(&url) {
        return Err(ConfigError::new("uri", URI_ADMIN_CONSOLE));
    }
    if scheme == "http" && !(config.allow_unencrypted_authentication && loopback(&url)) {
        return Err(ConfigError::new(
            "uri",
            "for provider okta must be https:// (the API token or access token would travel readable and the answers forgeable)",
        ));
    }
    match (&config.client_id, &secrets.okta_api_token, &secrets.okta_private_key) {
        (None, None, _) => {
            return Err(ConfigError::new(
                "oktaApiToken",
                "is required for provider okta (an API token, as a secret), unless clientId and the oktaPrivateKey secret are given",
            ))
        }
        (None, Some(token), key) => {
            if key.is_some() {
                return Err(ConfigError::new(
                    "oktaPrivateKey",
                    "is given without clientId; give clientId with the key, or the API token alone",
                ));
            }
            if token.is_empty()
                || token.len() > 256
                || !token.bytes().all(|b| b.is_ascii_graphic())
            {
                return Err(ConfigError::new(
                    "oktaApiToken",
                    "must be an Okta API token (1 to 256 printable ASCII characters, no spaces)",
                ));
            }
        }
        (Some(id), token, key) => {
            check_text("clientId", id, true)?;
            if id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(ConfigError::new(
                    "clientId",
                    "must be the service app's client id (letters and digits, e.g. 0oa1b2c3d4e5f6g7h8i9)",
                ));
            }
            if token.is_some() {
                return Err(ConfigError::new(
                    "oktaApiToken",
                    "is given with clientId; use one credential: the API token, or the service app",
                ));
            }
            match key {
                None => {
                    return Err(ConfigError::new(
                        "oktaPrivateKey",
                        "is required with clientId (the service app's private key, PEM, as a secret)",
                    ))
                }
                Some(k) if !k.contains("-----BEGIN") || k.len() > 16 * 1024 => {
                    return Err(ConfigError::new(
                        "oktaPrivateKey",
                        "must be a PEM private key (PKCS#8 RSA or EC P-256, at most 16 KB)",
                    ))
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(uri: &str) -> Option<String> {
        let config: ClientConfig =
            serde_json::from_str(&format!(r#"{{"provider":"okta","uri":"{uri}"}}"#)).unwrap();
        let secrets = Secrets {
            okta_api_token: Some(zeroize::Zeroizing::new(
                "00token-for-the-config-test-only".to_string(),
            )),
            ..Secrets::default()
        };
        let scheme = uri.split(':').next().unwrap();
        validate(&config, &secrets, scheme)
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn the_admin_console_address_is_named_as_the_mistake() {
        for uri in [
            "https://contoso-admin.okta.com/admin/dashboard",
            "https://contoso.okta.com/app/UserHome",
        ] {
            let e = refusal(uri).unwrap();
            assert!(e.starts_with("uri: must be the org URL alone"), "{e}");
            assert!(e.contains("drop -admin and the path"), "{e}");
        }
        for uri in [
            "https://contoso-admin.okta.com",
            "https://dev-123-admin.oktapreview.com/",
        ] {
            let e = refusal(uri).unwrap();
            assert!(
                e.contains("Admin Console") && e.contains("without -admin"),
                "{e}"
            );
        }
        assert_eq!(refusal("https://contoso.okta.com"), None);
        assert_eq!(
            refusal("https://login-admin.contoso.com"),
            None,
            "a custom domain is the admin's to name"
        );
    }
}
