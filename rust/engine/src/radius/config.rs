//! The RADIUS part of the client configuration: the servers, the NAS-Identifier, the
//! password mode, the Message-Authenticator opt-out and retransmission; and the HTTP
//! settings a RADIUS connection must not carry (they would silently do nothing).

use crate::check::{check_seconds, check_text, ConfigError};
use crate::config::{ClientConfig, PasswordMode, Secrets};
use mfa_protocol::radius::{DEFAULT_PORT, MAX_ATTRIBUTE_VALUE_BYTES, MAX_PASSWORD_BYTES};

/// The most servers one connection lists.
pub const MAX_SERVERS: usize = 8;
/// The shortest retransmission interval (RFC 5080 starts at 2 s; a user decides slowly).
pub const MIN_RETRANSMIT_SECONDS: f64 = 1.0;
/// The most bytes of a shared secret.
pub const MAX_SECRET_BYTES: usize = 256;

/// One server: a host name or IP address, and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// UDP port.
    pub port: u16,
}

impl std::fmt::Display for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Parses `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address.
pub fn parse_server(field: &str, text: &str) -> Result<Server, ConfigError> {
    check_text(field, text, true)?;
    let bad = |why: &str| {
        ConfigError::new(field, format!("'{text}' {why}; expected host[:port], e.g. nps01.contoso.com:1812 or [2001:db8::1]:1812"))
    };
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| bad("has no closing ']'"))?;
        match after {
            "" => (host, None),
            p => (
                host,
                Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| bad("has text after ']'"))?,
                ),
            ),
        }
    } else {
        match text.matches(':').count() {
            0 => (text, None),
            1 => {
                let (h, p) = text.split_once(':').expect("one colon");
                (h, Some(p))
            }
            _ => (text, None),
        }
    };
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => return Err(bad("has a port that is not a number from 1 to 65535")),
        },
    };
    if host.contains(':') {
        host.parse::<std::net::Ipv6Addr>()
            .map_err(|_| bad("is not a valid IPv6 address"))?;
    } else if host.is_empty()
        || host.len() > 253
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        return Err(bad("is not a host name or IP address"));
    }
    Ok(Server {
        host: host.to_string(),
        port,
    })
}

/// The parsed server list.
pub fn servers(config: &ClientConfig) -> Result<Vec<Server>, ConfigError> {
    if config.servers.is_empty() {
        return Err(ConfigError::new(
            "servers",
            "is required for provider radius (host[:port], e.g. nps01.contoso.com:1812)",
        ));
    }
    if config.servers.len() > MAX_SERVERS {
        return Err(ConfigError::new(
            "servers",
            format!(
                "lists {} servers; at most {MAX_SERVERS} are allowed",
                config.servers.len()
            ),
        ));
    }
    config
        .servers
        .iter()
        .enumerate()
        .map(|(i, s)| parse_server(&format!("servers[{i}]"), s))
        .collect()
}

/// Checks a `provider: radius` configuration.
pub fn validate(config: &ClientConfig, secrets: &Secrets) -> Result<(), ConfigError> {
    servers(config)?;
    check_text("nasIdentifier", &config.nas_identifier, false)?;
    if config.nas_identifier.len() > MAX_ATTRIBUTE_VALUE_BYTES {
        return Err(ConfigError::new(
            "nasIdentifier",
            format!("is longer than RADIUS allows ({MAX_ATTRIBUTE_VALUE_BYTES} bytes)"),
        ));
    }
    match secrets.radius_shared_secret.as_deref() {
        None => {
            return Err(ConfigError::new(
                "radiusSharedSecret",
                "is required for provider radius (pass it as a secret, never in the JSON)",
            ))
        }
        Some(s) if s.is_empty() || s.len() > MAX_SECRET_BYTES => {
            return Err(ConfigError::new(
                "radiusSharedSecret",
                format!("must be 1 to {MAX_SECRET_BYTES} bytes"),
            ))
        }
        Some(_) => {}
    }
    match (config.password_mode, secrets.radius_password.as_deref()) {
        (PasswordMode::Fixed, None) => {
            return Err(ConfigError::new(
                "radiusPassword",
                "is required with passwordMode fixed (pass it as a secret)",
            ))
        }
        (PasswordMode::None, Some(_)) => {
            return Err(ConfigError::new(
                "radiusPassword",
                "was given, but passwordMode is none (set passwordMode to fixed to send it)",
            ))
        }
        (PasswordMode::Fixed, Some(p)) if p.len() > MAX_PASSWORD_BYTES => {
            return Err(ConfigError::new(
                "radiusPassword",
                format!("is longer than PAP allows ({MAX_PASSWORD_BYTES} bytes)"),
            ))
        }
        _ => {}
    }
    if let Some(s) = config.retransmit_seconds {
        check_seconds("retransmitSeconds", s)?;
        if s < MIN_RETRANSMIT_SECONDS {
            return Err(ConfigError::new(
                "retransmitSeconds",
                format!("must be at least {MIN_RETRANSMIT_SECONDS} s (got {s})"),
            ));
        }
    }
    if let Some(p) = &config.audit_path {
        crate::audit::check_path(p)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn secrets(shared: Option<&str>, password: Option<&str>) -> Secrets {
        Secrets {
            radius_shared_secret: shared.map(|s| Zeroizing::new(s.into())),
            radius_password: password.map(|s| Zeroizing::new(s.into())),
            ..Default::default()
        }
    }

    fn check(json: &str, s: &Secrets) -> Result<(), ConfigError> {
        ClientConfig::from_json(json.as_bytes())?.validate(s)
    }

    #[test]
    fn servers_parse_in_every_spelling() {
        let p = |t: &str| parse_server("servers[0]", t).map(|s| s.to_string());
        assert_eq!(p("nps01.contoso.com").unwrap(), "nps01.contoso.com:1812");
        assert_eq!(p("127.0.0.1:18120").unwrap(), "127.0.0.1:18120");
        assert_eq!(p("[::1]:1645").unwrap(), "[::1]:1645");
        assert_eq!(p("[::1]").unwrap(), "[::1]:1812");
        assert_eq!(p("2001:db8::1").unwrap(), "[2001:db8::1]:1812");
        for bad in [
            "",
            "host:0",
            "host:65536",
            "host:+1",
            "host:x",
            "[::1",
            "[::1]x",
            "a b",
            "u@h",
            "h/p",
            "[zz::1]:1",
            "https://h",
        ] {
            let e = parse_server("servers[0]", bad).unwrap_err();
            assert_eq!(e.field, "servers[0]", "{bad}");
        }
    }

    #[test]
    fn a_radius_configuration_validates_and_errors_name_the_field() {
        let ok = r#"{"provider":"radius","servers":["127.0.0.1:1812"]}"#;
        check(ok, &secrets(Some("s3cret"), None)).unwrap();
        let cases: &[(&str, Secrets, &str)] = &[
            (ok, secrets(None, None), "radiusSharedSecret"),
            (ok, secrets(Some(""), None), "radiusSharedSecret"),
            (ok, secrets(Some("s"), Some("pw")), "radiusPassword"),
            (
                r#"{"provider":"radius","servers":["h"],"passwordMode":"fixed"}"#,
                secrets(Some("s"), None),
                "radiusPassword",
            ),
            (
                r#"{"provider":"radius"}"#,
                secrets(Some("s"), None),
                "servers",
            ),
            (
                r#"{"provider":"radius","servers":["h:99999"]}"#,
                secrets(Some("s"), None),
                "servers[0]",
            ),
            (
                r#"{"provider":"radius","servers":["h"],"uri":"https://x/y"}"#,
                secrets(Some("s"), None),
                "uri",
            ),
            (
                r#"{"provider":"radius","servers":["h"],"proxy":"system"}"#,
                secrets(Some("s"), None),
                "proxy",
            ),
            (
                r#"{"provider":"radius","servers":["h"],"retransmitSeconds":0.5}"#,
                secrets(Some("s"), None),
                "retransmitSeconds",
            ),
            (
                r#"{"provider":"radius","servers":["h"],"nasIdentifier":"a\u0007"}"#,
                secrets(Some("s"), None),
                "nasIdentifier",
            ),
            (
                r#"{"provider":"radius","servers":["h"],"passwordMode":"sometimes"}"#,
                secrets(Some("s"), None),
                "config",
            ),
            (
                r#"{"uri":"https://x/y","servers":["h"]}"#,
                secrets(None, None),
                "servers",
            ),
            (
                r#"{"uri":"https://x/y"}"#,
                secrets(Some("s"), None),
                "radiusSharedSecret",
            ),
        ];
        for (json, s, field) in cases {
            let e = check(json, s).unwrap_err();
            assert_eq!(&e.field, field, "{json}: {e}");
            assert!(!e.to_string().contains("s3cret"));
        }
        let mut long = secrets(Some("s"), Some(&"p".repeat(129)));
        long.radius_password = Some(Zeroizing::new("p".repeat(129)));
        let e = check(
            r#"{"provider":"radius","servers":["h"],"passwordMode":"fixed"}"#,
            &long,
        )
        .unwrap_err();
        assert_eq!(e.field, "radiusPassword");
    }

    #[test]
    fn fields_alone_validate_as_with_matching_secrets() {
        let c = ClientConfig::from_json(
            br#"{"provider":"radius","servers":["h"],"passwordMode":"fixed"}"#,
        )
        .unwrap();
        c.validate_fields().unwrap();
    }
}
