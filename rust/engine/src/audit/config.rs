//! The audit settings of a configuration, checked without touching files or the network:
//! `auditPath`, the audit key (secret kind 9), `syslogServer` with its TLS trust
//! (`syslogCaCertificateFile`, `syslogCertificateSha256`), `auditRequired` and `eventLog`.

use crate::check::{parse_fingerprint, ConfigError};
use crate::config::{ClientConfig, Secrets};

/// The shortest audit key accepted (characters).
pub const MIN_KEY_CHARS: usize = 16;

/// Which records must be written for an approval to stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// The file (the default with `auditPath`).
    File,
    /// The syslog server (the default with `syslogServer` alone).
    Syslog,
    /// Both.
    Both,
}

/// The values `auditRequired` accepts.
pub const REQUIRED: &[&str] = &["file", "syslog", "both"];

/// The policy `config` asks for: `auditRequired`, or by default the file when there is one,
/// else the syslog server; `None` without a file or a syslog server.
pub fn required(config: &ClientConfig) -> Result<Option<Required>, ConfigError> {
    const FIELD: &str = "auditRequired";
    let file = config.audit_path.is_some();
    let syslog = config.syslog_server.is_some();
    let Some(text) = config.audit_required.as_deref() else {
        return Ok(if file {
            Some(Required::File)
        } else if syslog {
            Some(Required::Syslog)
        } else {
            None
        });
    };
    let r = match text {
        "file" => Required::File,
        "syslog" => Required::Syslog,
        "both" => Required::Both,
        other => {
            return Err(ConfigError::new(
                FIELD,
                format!("'{other}' is not one of {}", REQUIRED.join(", ")),
            ))
        }
    };
    if matches!(r, Required::File | Required::Both) && !file {
        return Err(ConfigError::new(
            FIELD,
            format!("'{text}' needs an audit file: set auditPath"),
        ));
    }
    if matches!(r, Required::Syslog | Required::Both) {
        let Some(server) = &config.syslog_server else {
            return Err(ConfigError::new(
                FIELD,
                format!("'{text}' needs a syslog server: set syslogServer"),
            ));
        };
        if super::syslog::parse_target(server)?.transport == super::syslog::Transport::Udp {
            return Err(ConfigError::new(
                FIELD,
                format!("'{text}' cannot be met over udp://, which never confirms that a record arrived; use tcp:// or tls:// (or require the file only)"),
            ));
        }
    }
    Ok(Some(r))
}

/// Checks every audit setting (reads no file).
pub fn validate(config: &ClientConfig, secrets: &Secrets) -> Result<(), ConfigError> {
    if let Some(p) = &config.audit_path {
        super::path::check_path(p)?;
    }
    if let Some(server) = &config.syslog_server {
        let target = super::syslog::parse_target(server)?;
        if target.transport != super::syslog::Transport::Tls
            && (config.syslog_ca_certificate_file.is_some()
                || !config.syslog_certificate_sha256.is_empty())
        {
            return Err(ConfigError::new(
                if config.syslog_ca_certificate_file.is_some() {
                    "syslogCaCertificateFile"
                } else {
                    "syslogCertificateSha256"
                },
                "is for a tls:// syslogServer only",
            ));
        }
    } else {
        for (field, set) in [
            (
                "syslogCaCertificateFile",
                config.syslog_ca_certificate_file.is_some(),
            ),
            (
                "syslogCertificateSha256",
                !config.syslog_certificate_sha256.is_empty(),
            ),
        ] {
            if set {
                return Err(ConfigError::new(field, "is set without syslogServer"));
            }
        }
    }
    for (i, pin) in config.syslog_certificate_sha256.iter().enumerate() {
        parse_fingerprint(&format!("syslogCertificateSha256[{i}]"), pin)?;
    }
    if let Some(p) = &config.syslog_ca_certificate_file {
        crate::check::check_text("syslogCaCertificateFile", p, true)?;
    }
    required(config)?;
    if config.event_log && !cfg!(windows) {
        return Err(ConfigError::new(
            "eventLog",
            "the Windows Event Log exists only on Windows; use syslogServer (or auditPath) here",
        ));
    }
    if let Some(key) = &secrets.audit_key {
        if config.audit_path.is_none() && config.syslog_server.is_none() && !config.event_log {
            return Err(ConfigError::new(
                "auditKey",
                "is set, but there is no audit trail to sign: set auditPath, syslogServer or eventLog",
            ));
        }
        let n = key.chars().count();
        if n < MIN_KEY_CHARS {
            return Err(ConfigError::new(
                "auditKey",
                format!("is {n} characters long; use at least {MIN_KEY_CHARS} (a random key: anyone who guesses it can forge records)"),
            ));
        }
    }
    Ok(())
}
