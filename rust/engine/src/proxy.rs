//! Outbound proxies, for every provider: `none` (the default: no proxy, whatever the
//! environment says), `system` (the `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY`
//! environment variables), or an explicit `http://host:port` URL with optional
//! credentials (the user name in `proxyUserName`, the password as a secret). HTTPS goes
//! through `CONNECT`, so the proxy sees the host and port, never the request.

use crate::check::ConfigError;
use crate::config::{ClientConfig, Secrets};
use zeroize::Zeroizing;

/// What `proxy` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxySetting {
    /// No proxy (default).
    None,
    /// The environment's proxy variables.
    System,
    /// This proxy.
    Url(reqwest::Url),
}

/// Reads `proxy`, naming the field when it is wrong.
pub fn setting(config: &ClientConfig) -> Result<ProxySetting, ConfigError> {
    match config.proxy.as_deref().map(str::trim) {
        None | Some("") | Some("none") => Ok(ProxySetting::None),
        Some("system") => Ok(ProxySetting::System),
        Some(text) => {
            let url = reqwest::Url::parse(text).map_err(|e| {
                ConfigError::new(
                    "proxy",
                    format!("must be none, system or a proxy URL such as http://proxy:3128 ({e})"),
                )
            })?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty)
            {
                return Err(ConfigError::new(
                    "proxy",
                    "must be an http:// (or https://) URL with a host, e.g. http://proxy:3128",
                ));
            }
            if !url.username().is_empty() || url.password().is_some() {
                return Err(ConfigError::new(
                    "proxy",
                    "must not embed credentials; give them as proxyUserName and the proxyPassword secret",
                ));
            }
            if url.path() != "/" || url.query().is_some() {
                return Err(ConfigError::new("proxy", "must be scheme://host:port only"));
            }
            Ok(ProxySetting::Url(url))
        }
    }
}

/// Checks `proxy`, `proxyUserName` and the proxy password together.
pub fn validate(config: &ClientConfig, secrets: &Secrets) -> Result<(), ConfigError> {
    let setting = setting(config)?;
    match (&config.proxy_user_name, &secrets.proxy_password) {
        (Some(user), _) if !matches!(setting, ProxySetting::Url(_)) => {
            let _ = user;
            Err(ConfigError::new(
                "proxyUserName",
                "is set, but there is no proxy URL to send it to (a proxy credential goes with an http:// or https:// proxy, not the system proxy or none)",
            ))
        }
        (Some(user), None) => {
            crate::check::check_text("proxyUserName", user, true)?;
            Err(ConfigError::new(
                "proxyPassword",
                "proxyUserName is set but no proxy password secret was given",
            ))
        }
        (Some(user), Some(_)) => {
            crate::check::check_text("proxyUserName", user, true)?;
            if user.contains(':') {
                return Err(ConfigError::new("proxyUserName", "must not contain ':'"));
            }
            Ok(())
        }
        (None, Some(_)) => Err(ConfigError::new(
            "proxyUserName",
            "a proxy password secret was given without a proxyUserName",
        )),
        (None, None) => Ok(()),
    }
}

/// Applies the setting to a client builder.
pub fn apply(
    builder: reqwest::ClientBuilder,
    config: &ClientConfig,
    secrets: &Secrets,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(match setting(config)? {
        // No implicit proxy: HTTP(S)_PROXY/ALL_PROXY would otherwise receive every request.
        ProxySetting::None => builder.no_proxy(),
        // reqwest reads the environment's proxy variables (and NO_PROXY) by default.
        ProxySetting::System => builder,
        ProxySetting::Url(url) => {
            let mut proxy = reqwest::Proxy::all(url.clone())
                .map_err(|e| ConfigError::new("proxy", format!("is not usable: {e}")))?;
            if let (Some(user), Some(password)) = (&config.proxy_user_name, &secrets.proxy_password)
            {
                let password = Zeroizing::new(password.as_str().to_owned());
                proxy = proxy.basic_auth(user, &password);
            }
            builder.no_proxy().proxy(proxy)
        }
    })
}
